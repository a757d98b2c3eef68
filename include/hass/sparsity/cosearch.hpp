// The HASS co-search: per-layer pruning thresholds (tau_w, tau_a) chosen
// together with the hardware folding, maximising throughput (or throughput per
// DSP) under an accuracy-drop budget.
//
// Candidates are scored by a hardware model that is incremental, so that the
// search spends its time in the accuracy oracle:
//
//  - every convolution with statistics has, per threshold grid point, a
//    *staircase*: its folding options sorted by latency with the running
//    minimum of each resource (DSP, LUT, FF, BRAM18, URAM and on-chip memory bits),
//    of the traffic sums and of two priced sums of all resources (the surrogate
//    sums, priced by a Lagrangian dual: they tie a layer's resources to one folding).
//    Resources of a folding do not depend on the thresholds (only whether the
//    layer is sparse does), so the options are enumerated once per layer and a
//    grid point only recomputes latencies from the mean cycles per window
//    E(fine, streams) of its predicted histograms; staircases are cached;
//  - a candidate's II estimate is the smallest T for which, per resource, the
//    sum over layers of the least use among options of latency <= T fits the
//    board: the relaxation bound of the folding search (no design within budget
//    is faster). Changing one layer's thresholds swaps one staircase.
//
// The chosen thresholds (and a spread of the Pareto front) are then given real
// designs by the exact folding search (hass::search, algorithm optimal) on the
// network with the predicted statistics applied; both figures are reported, and
// the best exact design within the budget is the result.
//
// Two methods:
//  - greedy: hardware-aware; from the smallest thresholds, repeatedly raise one
//    threshold of one layer by one grid step, taking the step with the largest
//    throughput gain per point of accuracy drop that stays within the budget;
//    when no single step raises the estimated throughput, the step that most
//    lowers the binding resource utilisation at the current II per point of
//    drop (it frees resources for the bottleneck at the next re-folding);
//  - tpe: a tree-structured Parzen estimator over the grid indices (one ordinal
//    dimension per threshold): after random start-up candidates, split the
//    observations into good (the best gamma fraction, at most 25: within budget,
//    highest objective) and bad; per dimension, smoothed categorical densities l(x),
//    g(x); draw candidates from l and evaluate the one with the largest
//    sum log l/g. Seeded and deterministic (std::mt19937_64, own mapping).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/search/search.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/cosearch/engine.hpp"
#include "hass/sparsity/cosearch/hardware.hpp"
#include "hass/sparsity/cosearch/methods.hpp"
#include "hass/sparsity/cosearch/types.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::sparsity {

namespace detail::cosearch {

/// The checks every co-search makes of its inputs (hass::error naming the problem).
inline void check_inputs(const network& net, const predictor& pred, const cosearch_options& o) {
    if (!(o.budget >= 0)) hass::detail::fail("co-search: the accuracy budget must be >= 0 points");
    if (pred.size() == 0) hass::detail::fail("co-search: the statistics cover no convolution of '" + net.name.str() + "'");
    for (std::size_t s = 0; s < pred.size(); ++s)
        if (pred.network_index(s) < 0)
            hass::detail::fail("co-search: the statistics are not bound to network '" + net.name.str() +
                               "' (construct the predictor with the network)");
    validate(net);
}

} // namespace detail::cosearch

/// Searches per-layer thresholds and the folding together. `pred` must be bound
/// to `net` (construct it with the network); `oracle` gets one threshold pair per
/// statistics layer, in the predictor's order, and returns the accuracy drop.
template <cost::cost_model Cost = cost::hass>
inline cosearch_result cosearch(const network& net, const board& b, predictor& pred, const accuracy_oracle& oracle,
                                const cosearch_options& o = {}) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    if (!o.partition_cuts.empty())
        hass::detail::fail("co-search: cosearch designs one partition; partition cuts go to cosearch_partitioned");
    detail::cosearch::check_inputs(net, pred, o);
    cosearch_result r;
    r.method = std::string(to_string(o.method));
    r.objective = std::string(to_string(o.objective));
    r.budget = o.budget;
    // the search, then the re-pricing rounds: while the Lagrangian dual proves the
    // result's estimate out of reach of any folding, the search runs again with the
    // first surrogate sum priced at the result (the drops are asked once); the
    // earlier results, milestones and ties get exact designs too
    std::unordered_map<std::string, double> drops;
    cosearch_options round_options = o;
    std::optional<detail::cosearch::engine> holder;
    const auto run = [&] {
        holder.emplace(net, b, pred, oracle, round_options, Cost{});
        holder->share_drops(drops, !drops.empty());
        return o.method == cosearch_method::greedy ? detail::cosearch::run_greedy(*holder)
                                                   : detail::cosearch::run_tpe(*holder);
    };
    r.best = run();
    std::vector<cosearch_point> earlier;
    count_t earlier_candidates = 0;
    for (std::size_t round = 0; round < o.surrogate_rounds; ++round) {
        if (r.best.ii_estimate == 0 || r.best.drop > o.budget) break;
        const surrogate_prices at = holder->hardware().surrogate_at(r.best.w_index, r.best.a_index, r.best.ii_estimate);
        if (!(at.value > 1e-3)) break; // no price proves the estimate out of reach
        earlier_candidates += holder->candidates;
        r.oracle_ms += holder->oracle_ms;
        r.hardware_ms += holder->hardware_ms;
        r.oracle_calls += holder->oracle_calls;
        r.oracle_candidates += holder->oracle_candidates;
        // this round's result, milestones and ties get exact designs with the last round's
        earlier.push_back(r.best);
        earlier.insert(earlier.end(), holder->milestones.begin(), holder->milestones.end());
        for (auto& t : holder->ties(o.budget, o.exact_tie_points)) earlier.push_back(std::move(t));
        round_options.surrogate = {at};
        r.best = run();
        ++r.surrogate_rounds;
    }
    detail::cosearch::engine& e = *holder;
    // the earlier rounds' points, scored by the last round's estimate (each once)
    for (const auto& p : earlier) {
        const auto seen = [&p](const cosearch_point& q) { return p.same_thresholds(q); };
        if (seen(r.best) || std::any_of(e.milestones.begin(), e.milestones.end(), seen)) continue;
        e.milestones.push_back(e.evaluate(p.w_index, p.a_index));
    }
    if (r.best.drop > o.budget)
        hass::detail::fail("co-search: even the smallest thresholds cost " + std::to_string(r.best.drop) +
                           " points of accuracy, over the budget of " + std::to_string(o.budget));
    r.candidates = earlier_candidates + e.candidates;
    r.stop_reason = e.stop_reason;
    if (r.stop_reason.empty() && e.candidates >= o.max_candidates)
        r.stop_reason = "it scored its limit of candidates (cosearch_options::max_candidates)";
    r.oracle_ms += e.oracle_ms;
    r.hardware_ms += e.hardware_ms;
    r.oracle_calls += e.oracle_calls;
    r.oracle_candidates += e.oracle_candidates;
    r.front = e.front();
    r.evaluated_sample = e.sample();
    std::vector<cosearch_point> random_within;
    if (o.random_baseline > 0) random_within = detail::cosearch::run_random_baseline(e, r.random_baseline);

    // exact designs: the dense network, the chosen thresholds, and a spread of front points
    const auto t1 = clock::now();
    r.sparse_network = net;
    pred.apply(r.sparse_network, r.best.thresholds);
    if (!o.exact) {
        r.search_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        return r;
    }
    // scored points tied at the best estimate (the front keeps only the lowest-drop one of them)
    std::vector<cosearch_point> ties = e.ties(o.budget, o.exact_tie_points);
    std::vector<cosearch_point> random_ties = e.ties_among(random_within, o.budget, o.exact_tie_points);
    const std::size_t exact_total = 2 + std::min(r.front.size(), o.exact_front_points) + e.milestones.size() +
                                    ties.size() + o.exact_refine_points;
    std::size_t exact_done = 0;
    const auto exact_progress = [&] {
        if (o.progress) o.progress(0.5 + 0.5 * static_cast<double>(++exact_done) / static_cast<double>(exact_total));
    };
    network dense = net;
    for (auto& l : dense.layers) l.sparsity = {};
    r.dense_design = search<Cost>(dense, b, algorithm::optimal, o.folding);
    exact_progress();
    r.design = search<Cost>(r.sparse_network, b, algorithm::optimal, o.folding);
    exact_progress();
    detail::cosearch::attach_exact(r.best, r.design);
    // the estimate is optimistic: keep whichever exact design is best within the budget
    const auto exact_objective = [&](const cosearch_point& p) {
        if (o.objective == cosearch_objective::throughput) return p.throughput;
        return p.throughput / static_cast<double>(std::max<count_t>(p.dsp, 1));
    };
    // the exact design of p's thresholds and its network (p gets its exact figures);
    // `seed`: a design the search may not do worse than (search_options::seed_design)
    const auto exact_design = [&](cosearch_point& p, const std::vector<folding>& seed) {
        network sn = net;
        pred.apply(sn, p.thresholds);
        search_options so = o.folding;
        so.seed_design = seed;
        search_result sr = search<Cost>(sn, b, algorithm::optimal, so);
        detail::cosearch::attach_exact(p, sr);
        return std::pair{std::move(sr), std::move(sn)};
    };
    // p's exact design, kept as (best, design, network) when it is the first or
    // better within the budget
    const auto build_and_keep = [&](cosearch_point& p, cosearch_point& best, search_result& design, network& best_net) {
        const bool first = !best.exact; // before p (which may be `best`) gets its figures
        auto [sr, sn] = exact_design(p, {});
        if (first || (sr.found && p.drop <= o.budget && (!design.found || exact_objective(p) > exact_objective(best)))) {
            best = p;
            design = std::move(sr);
            best_net = std::move(sn);
        }
    };
    const auto try_exact = [&](cosearch_point& p) {
        exact_progress();
        if (p.exact) return;
        const auto same = [&p](const cosearch_point& q) {
            return q.exact && q.same_thresholds(p);
        };
        if (same(r.best)) return void(p = r.best); // its exact design is already built
        for (const auto& q : r.front)
            if (same(q)) return void(p = q);
        build_and_keep(p, r.best, r.design, r.sparse_network);
    };
    if (!r.front.empty() && o.exact_front_points > 0) {
        const std::size_t n = r.front.size(), k = std::min(n, o.exact_front_points);
        for (std::size_t j = 0; j < k; ++j) try_exact(r.front[k == 1 ? 0 : j * (n - 1) / (k - 1)]);
    }
    // the estimate bounds the exact design from above: a point whose estimate the
    // best exact design already reaches cannot win, and its folding search is skipped
    const auto may_win = [&](const cosearch_point& p) {
        return !r.design.found || exact_objective(r.best) < e.objective(p) * (1 - 1e-9);
    };
    for (auto& p : e.milestones) // e.g. the greedy's result before its joint moves
        may_win(p) ? try_exact(p) : exact_progress();
    for (auto& p : ties) // ties in the estimate are broken by the exact designs
        may_win(p) ? try_exact(p) : exact_progress();
    // the exact refinement: a hill climb on exact designs from the best one. What
    // binds an exact design (its squeezes, one folding per layer for every
    // resource at once) the estimate does not see, but the exact design says
    // which layers hold its binding resource. Each round ranks every threshold
    // raised 1 to 3 steps within the budget by the relief it promises per point
    // of drop: over the layers it sets, their share of the binding resource times
    // the fraction of latency they lose at their present folding (a faster layer
    // is refolded smaller); it builds the first few, and a round that finds no
    // better exact design ends the climb.
    if (r.design.found && o.exact_refine_points > 0) {
        r.refine_from_fps = r.best.throughput;
        const std::vector<detail::cosearch::variable> vars = detail::cosearch::variables(pred);
        std::unordered_set<std::string> built; // thresholds given an exact design by the climb
        // the climb's scoring counts with the search's (the random baseline's does not)
        const count_t calls0 = e.oracle_calls, carried0 = e.oracle_candidates;
        const double oracle_ms0 = e.oracle_ms, hardware_ms0 = e.hardware_ms;
        const auto key = [](const cosearch_point& p) {
            std::string k(p.w_index.begin(), p.w_index.end());
            return k.append(p.a_index.begin(), p.a_index.end());
        };
        for (bool better = true; better && r.refine_searches < o.exact_refine_points;) {
            better = false;
            const cosearch_point base = r.best;
            const design_report& rep = r.design.report;
            // the share of the budget of resource k a design uses
            const auto share = [](const design_report& d, resource_kind k) {
                return d.budget[k] > 0 ? static_cast<double>(d.used_raw[k]) / static_cast<double>(d.budget[k]) : 0.0;
            };
            resource_kind bind = resource_kind::dsp; // the most used resource of the design
            double worst = -1;
            for (const auto k : all_resource_kinds)
                if (share(rep, k) > worst) worst = share(rep, k), bind = k;
            // the relief of setting statistics layer s's thresholds to t
            const auto relief = [&](std::size_t s, const threshold_pair& t) {
                const auto li = static_cast<std::size_t>(pred.network_index(s));
                const layer_performance& now = rep.layers[li];
                if (!pred.convolution(s) || now.latency <= 0 || rep.budget[bind] <= 0) return 0.0;
                layer l = r.sparse_network.layers[li];
                l.sparsity = pred.predict_copy(s, t.tau_w, t.tau_a);
                const layer_performance then = evaluate_layer<Cost>(l, r.design.folding[li]);
                if (then.undefined || then.latency >= now.latency) return 0.0;
                return static_cast<double>(now.used[bind]) / static_cast<double>(rep.budget[bind]) *
                       (1.0 - static_cast<double>(then.latency) / static_cast<double>(now.latency));
            };
            const std::vector<detail::cosearch::engine::indices> moves = detail::cosearch::raised_moves(vars, base.w_index, base.a_index);
            e.prefetch(moves);
            std::vector<std::pair<double, cosearch_point>> ranked; // (relief per point of drop, point)
            for (const auto& [w, a] : moves) {
                if (e.candidates >= o.max_candidates) break;
                cosearch_point p = e.evaluate(w, a);
                ++e.candidates;
                if (p.drop > o.budget || built.count(key(p)) != 0) continue;
                double gain = 0;
                for (std::size_t s = 0; s < pred.size(); ++s)
                    if (w[s] != base.w_index[s] || a[s] != base.a_index[s]) gain += relief(s, p.thresholds[s]);
                if (gain > 0) ranked.emplace_back(gain / std::max(p.drop - base.drop, 1e-6), std::move(p));
            }
            std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
            const std::size_t k = std::min({ranked.size(), std::size_t{4}, o.exact_refine_points - r.refine_searches});
            // the round's move: a better exact design, or one as fast that uses
            // less of the binding resource (room for the next round)
            const auto room = [&](const design_report& d) { return share(d, bind); };
            const double now = exact_objective(r.best);
            double move_obj = now, move_room = room(rep);
            std::optional<std::tuple<cosearch_point, search_result, network>> move;
            for (std::size_t j = 0; j < k; ++j) {
                cosearch_point& p = ranked[j].second;
                built.insert(key(p));
                // seeded with the climb's design: raised thresholds only speed its layers up
                auto [sr, sn] = exact_design(p, r.design.folding);
                ++r.refine_searches;
                exact_progress();
                if (!sr.found) continue;
                const double obj = exact_objective(p), rm = room(sr.report);
                if (obj > move_obj || (obj == move_obj && rm < move_room)) {
                    move_obj = obj;
                    move_room = rm;
                    move.emplace(p, std::move(sr), std::move(sn));
                }
            }
            if (move) {
                better = true; // a move: faster, or as fast with more room
                if (move_obj > now) ++r.refine_steps;
                r.best = std::move(std::get<0>(*move));
                r.design = std::move(std::get<1>(*move));
                r.sparse_network = std::move(std::get<2>(*move));
            }
        }
        r.candidates = earlier_candidates + e.candidates;
        r.oracle_calls += e.oracle_calls - calls0;
        r.oracle_candidates += e.oracle_candidates - carried0;
        r.oracle_ms += e.oracle_ms - oracle_ms0;
        r.hardware_ms += e.hardware_ms - hardware_ms0;
    }
    if (exact_done < exact_total) { // the climb stopped before its limit: the exact designs are done
        exact_done = exact_total - 1;
        exact_progress();
    }
    // never worse than dense: the dense design's hardware (every layer built
    // dense) is always a design of the sparse network too
    // (compared at the search's batch, pipeline depth included: the figure the cost model reports)
    const count_t batch = o.folding.batch;
    const auto no_faster_than_dense = [&](const search_result& d) {
        return r.dense_design.found &&
               (!d.found || d.report.batch_throughput(batch) <= r.dense_design.report.batch_throughput(batch));
    };
    // `design` becomes the dense design's folding with every sparse layer of `sn` built dense
    const auto dense_hardware = [&](search_result& design, const network& sn, cosearch_point& p) {
        design = r.dense_design;
        for (std::size_t i = 0; i < design.folding.size(); ++i)
            if (sn.layers[i].is_sparse()) design.folding[i].dense = true;
        design.report = evaluate<Cost>(sn, design.folding, b, {o.folding.cap, o.folding.batch, o.folding.bram_to_lut});
        design.ii = design.report.ii;
        detail::cosearch::attach_exact(p, design);
    };
    if (no_faster_than_dense(r.design)) {
        // dense hardware gains nothing from pruning: the smallest thresholds
        r.best = e.evaluate(std::vector<std::uint8_t>(pred.size(), 0), std::vector<std::uint8_t>(pred.size(), 0));
        r.sparse_network = net;
        pred.apply(r.sparse_network, r.best.thresholds);
        dense_hardware(r.design, r.sparse_network, r.best);
        r.dense_fallback = true;
    }
    const auto t2 = clock::now();
    r.exact_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
    r.search_ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
    // the random baseline's best (and its ties in the estimate, as the search's)
    // gets an exact design too, under the same rule (never worse than the dense
    // design), so that it compares like for like
    if (auto& rb = r.random_baseline; rb.found) {
        network best_net;
        build_and_keep(rb.best, rb.best, rb.design, best_net);
        for (auto& p : random_ties)
            if (p.w_index != rb.best.w_index || p.a_index != rb.best.a_index)
                build_and_keep(p, rb.best, rb.design, best_net);
        if (no_faster_than_dense(rb.design)) {
            dense_hardware(rb.design, best_net, rb.best);
            rb.dense_fallback = true;
        }
    }
    return r;
}

} // namespace hass::sparsity
