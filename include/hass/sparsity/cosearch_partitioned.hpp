// The partitioned co-search: per-layer thresholds chosen together with the
// partitions' foldings, for a network that runs as several partitions one
// after another on one device (hass::search_partitioned), maximising the
// batch throughput under an accuracy-drop budget.
//
//   1. The dense network is partitioned and folded (search_partitioned,
//      algorithm optimal): the dense baseline and the cuts the estimate prices
//      (cosearch_options::partition_cuts, when given, replace them).
//   2. The co-search's methods (greedy or tpe, hass/sparsity/cosearch.hpp) run
//      with a partitioned estimate: per partition p the relaxation II T_p of
//      its layers' staircases, with the tensors crossing its boundary as its
//      activation traffic, and the batch throughput
//        B / (sum_p T_p * B / clock + reconfigurations * t_reconf),
//      B = search_options::batch; reconfigurations as the cost model counts
//      them (hass: P - 1, fpgaConvNet: P). A threshold changes one partition's
//      T_p. The greedy's and the target descent's targets are per partition:
//      each partition's estimate, scaled alike.
//   3. The chosen thresholds, the greedy's milestones, a spread of the Pareto
//      front (at most 4 points) and the ties at the best estimate (at most 2)
//      get real designs: the partitioned search of the network with their
//      predicted statistics, which chooses its own cuts. The fastest at the
//      batch within the budget is the result. The estimate prices one set of
//      cuts and leaves out each pipeline's depth, so it bounds no design with
//      other cuts, and no point's search is skipped on its estimate.
//   4. The sparse network often partitions differently (pruned weights need
//      less memory): when the best exact design's cuts differ from the priced
//      ones, a second round runs steps 2 and 3 on its cuts.
//   5. Never worse//   4. Never worse than dense: when the best sparse design is not faster at the
//      batch than the dense design, the result is the dense design's partitions
//      and foldings with every sparse layer built dense, at the smallest thresholds.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/search/partition.hpp"
#include "hass/sparsity/cosearch.hpp"

namespace hass::sparsity {

struct partitioned_cosearch_result {
    cosearch_point best;                    ///< the chosen thresholds (exact figures from `design`)
    partitioned_search_result design;       ///< the partitioned design of `sparse_network`
    partitioned_search_result dense_design; ///< the partitioned design of the network without statistics
    network sparse_network;                 ///< the network with the predicted statistics at `best`
    std::vector<int> estimate_cuts;         ///< the partitions the estimate priced for `best` (its round's)
    std::size_t rounds = 0;                 ///< co-search rounds (2: the sparse design's cuts priced again)
    std::vector<cosearch_point> front;      ///< Pareto front of (estimated batch throughput, drop)
    count_t batch = 0;                      ///< images per batch (the objective's)
    count_t candidates = 0, oracle_calls = 0, oracle_candidates = 0;
    std::size_t exact_designs = 0; ///< partitioned searches of sparse networks
    double search_ms = 0, oracle_ms = 0, hardware_ms = 0;
    double exact_ms = 0;                    ///< the partitioned searches, the dense network's included
    std::string method, objective, stop_reason;
    double budget = 0;
    bool found = false;          ///< `design` fits the board (and the dense network has a design)
    bool dense_fallback = false; ///< as cosearch_result::dense_fallback
    std::string message;         ///< why nothing was found
};

namespace detail::cosearch {

inline void attach_exact(cosearch_point& p, const partitioned_search_result& r) {
    p.exact = true;
    p.throughput = r.found ? r.throughput : 0.0;
    p.ii = 0;
    p.dsp = 0;
    for (const auto& d : r.report.partitions) {
        p.ii = std::max(p.ii, d.ii);
        p.dsp = std::max(p.dsp, d.used.dsp);
    }
}

} // namespace detail::cosearch

/// The partitioned design of `net` with every layer dense (its statistics
/// dropped): the co-search over partitions' baseline, and what decides
/// whether it runs (takes_partitions).
template <cost::cost_model Cost = cost::hass>
inline partitioned_search_result dense_partitioned_design(const network& net, const board& b,
                                                          const search_options& so = {}) {
    network plain = net;
    for (auto& l : plain.layers) l.sparsity = {};
    return search_partitioned<Cost>(plain, b, algorithm::optimal, so);
}

/// Whether the co-search runs over partitions: the dense design takes several,
/// or no partitioning of it fits (`hass search --sparsity --partition auto`).
inline bool takes_partitions(const partitioned_search_result& dense) noexcept {
    return !dense.found || dense.partitions() > 1;
}

/// Searches per-layer thresholds and the partitions' foldings together (see the
/// top of this file). `pred` must be bound to `net`; `oracle` as for cosearch.
/// `dense`: the partitioned design of the network without statistics, when the
/// caller has it (search_partitioned<Cost> with algorithm optimal and o.folding).
template <cost::cost_model Cost = cost::hass>
inline partitioned_cosearch_result cosearch_partitioned(const network& net, const board& b, predictor& pred,
                                                        const accuracy_oracle& oracle, const cosearch_options& o = {},
                                                        const partitioned_search_result* dense = nullptr) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    detail::cosearch::check_inputs(net, pred, o);
    partitioned_cosearch_result r;
    r.method = std::string(to_string(o.method));
    r.objective = std::string(to_string(o.objective));
    r.budget = o.budget;
    r.batch = std::max<count_t>(o.folding.batch, 1);
    search_options so = o.folding;
    so.progress = {};
    const auto progress = [&o](double f) {
        if (o.progress) o.progress(f);
    };

    r.dense_design = dense ? *dense : dense_partitioned_design<Cost>(net, b, so);
    r.exact_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    progress(0.05);
    if (!r.dense_design.found) {
        r.message = "the network without sparsity has no design: " + r.dense_design.message;
        r.search_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        return r;
    }
    const auto objective = [&](const cosearch_point& p) {
        if (o.objective == cosearch_objective::throughput) return p.throughput;
        return p.throughput / static_cast<double>(std::max<count_t>(p.dsp, 1));
    };
    // one round: the co-search with the estimate on `cuts`, then the exact
    // designs of its points; the best exact design within the budget so far is kept
    bool have = false;
    std::unique_ptr<detail::cosearch::engine> e; // the last round's
    std::vector<int> e_cuts;                      // the cuts it prices
    // `cuts` by value: a round replaces r.design, whose cuts the second round prices
    const auto round = [&](const std::vector<int> cuts, double from, double to) {
        cosearch_options co = o;
        co.partition_cuts = cuts;
        co.progress = [&o, from, to](double f) {
            if (o.progress) o.progress(from + (to - from) * f); // the methods report up to 0.5
        };
        e = std::make_unique<detail::cosearch::engine>(net, b, pred, oracle, co, Cost{});
        e_cuts = cuts;
        ++r.rounds;
        cosearch_point best = o.method == cosearch_method::greedy ? detail::cosearch::run_greedy(*e)
                                                                  : detail::cosearch::run_tpe(*e);
        if (best.drop > o.budget)
            hass::detail::fail("co-search: even the smallest thresholds cost " + std::to_string(best.drop) +
                               " points of accuracy, over the budget of " + std::to_string(o.budget));
        r.candidates += e->candidates;
        if (r.stop_reason.empty()) r.stop_reason = e->stop_reason;
        r.oracle_ms += e->oracle_ms;
        r.hardware_ms += e->hardware_ms;
        r.oracle_calls += e->oracle_calls;
        r.oracle_candidates += e->oracle_candidates;
        std::vector<cosearch_point> front = e->front();
        if (!o.exact) {
            if (!have) {
                r.best = best;
                r.front = std::move(front);
                r.estimate_cuts = cuts;
                r.sparse_network = net;
                pred.apply(r.sparse_network, r.best.thresholds);
            }
            return;
        }
        // the points given exact designs: the result, the milestones, a spread of
        // the front (at most 4) and the ties at the best estimate (at most 2), each once
        std::vector<cosearch_point> points{best};
        for (const auto& p : e->milestones) points.push_back(p);
        if (!front.empty() && o.exact_front_points > 0) {
            const std::size_t n = front.size(), k = std::min({n, o.exact_front_points, std::size_t{4}});
            for (std::size_t j = 0; j < k; ++j) points.push_back(front[k == 1 ? 0 : j * (n - 1) / (k - 1)]);
        }
        for (auto& p : e->ties(o.budget, std::min<std::size_t>(o.exact_tie_points, 2))) points.push_back(std::move(p));
        std::vector<cosearch_point> unique;
        for (auto& p : points) {
            if (p.drop > o.budget) continue;
            const bool seen = std::any_of(unique.begin(), unique.end(), [&p](const cosearch_point& q) {
                return q.same_thresholds(p);
            });
            if (!seen) unique.push_back(std::move(p));
        }
        bool won = false; // this round gave the best design so far
        for (std::size_t k = 0; k < unique.size(); ++k) {
            cosearch_point& p = unique[k];
            network sn = net;
            pred.apply(sn, p.thresholds);
            const auto tx = clock::now();
            partitioned_search_result d = search_partitioned<Cost>(sn, b, algorithm::optimal, so);
            r.exact_ms += std::chrono::duration<double, std::milli>(clock::now() - tx).count();
            ++r.exact_designs;
            detail::cosearch::attach_exact(p, d);
            if (d.found && (!have || objective(p) > objective(r.best))) {
                have = true;
                r.best = p;
                r.design = std::move(d);
                r.sparse_network = std::move(sn);
                r.estimate_cuts = cuts;
                won = true;
            }
            progress(from + (to - from) * (0.5 + 0.5 * static_cast<double>(k + 1) / static_cast<double>(unique.size())));
        }
        if (!won) return;
        // the front's points that were built carry their exact figures
        for (auto& f : front)
            for (const auto& q : unique)
                if (q.same_thresholds(f)) f = q;
        r.front = std::move(front);
    };
    const std::vector<int> first_cuts = o.partition_cuts.empty() ? r.dense_design.cuts : o.partition_cuts;
    round(first_cuts, 0.05, o.partition_cuts.empty() ? 0.5 : 1.0);
    // the sparse network may partition differently (pruned weights need less
    // memory): a second round prices the cuts of the best exact design
    if (have && o.partition_cuts.empty() && r.design.cuts != first_cuts) round(r.design.cuts, 0.5, 1.0);
    const auto t1 = clock::now();
    if (!o.exact) {
        r.found = false;
        r.message = "no exact designs were asked for (cosearch_options::exact)";
        r.search_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        return r;
    }
    // never worse than dense at the batch: the dense design's hardware, every
    // sparse layer built dense, is a design of the sparse network too
    if (!have || r.design.throughput <= r.dense_design.throughput) {
        r.best = e->evaluate(std::vector<std::uint8_t>(pred.size(), 0), std::vector<std::uint8_t>(pred.size(), 0));
        r.estimate_cuts = e_cuts;
        r.sparse_network = net;
        pred.apply(r.sparse_network, r.best.thresholds);
        r.design = r.dense_design;
        for (std::size_t i = 0; i < r.design.folding.size(); ++i)
            if (r.sparse_network.layers[i].is_sparse()) r.design.folding[i].dense = true;
        evaluation_options eval;
        eval.cap = so.cap;
        eval.batch = so.batch;
        eval.bram_to_lut = so.bram_to_lut;
        r.design.report = evaluate_partitions<Cost>(r.sparse_network, r.design.folding, b, r.design.cuts, eval);
        r.design.batch_time_s = r.design.report.batch_time(r.batch);
        r.design.throughput = r.design.report.throughput(r.batch);
        r.design.found = r.design.report.fits();
        detail::cosearch::attach_exact(r.best, r.design);
        r.dense_fallback = true;
    }
    r.found = r.design.found;
    if (!r.found) r.message = "internal: the dense design with every layer built dense does not fit";
    const auto t2 = clock::now();
    r.search_ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
    return r;
}

} // namespace hass::sparsity
