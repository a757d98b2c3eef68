// The HASS co-search: per-layer pruning thresholds (tau_w, tau_a) chosen
// together with the hardware folding, maximising throughput (or throughput per
// DSP) under an accuracy-drop budget.
//
// Candidates are scored by a hardware model that is incremental, so that the
// search spends its time in the accuracy oracle:
//
//  - every convolution with statistics has, per threshold grid point, a
//    *staircase*: its folding options sorted by latency with the running
//    minimum of each resource (DSP, LUT, FF, BRAM18, URAM and on-chip memory bits).
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
#include <string>
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

/// Searches per-layer thresholds and the folding together. `pred` must be bound
/// to `net` (construct it with the network); `oracle` gets one threshold pair per
/// statistics layer, in the predictor's order, and returns the accuracy drop.
template <cost::cost_model Cost = cost::hass>
inline cosearch_result cosearch(const network& net, const board& b, predictor& pred, const accuracy_oracle& oracle,
                                const cosearch_options& o = {}) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    if (!(o.budget >= 0)) hass::detail::fail("co-search: the accuracy budget must be >= 0 points");
    if (pred.size() == 0) hass::detail::fail("co-search: the statistics cover no convolution of '" + net.name.str() + "'");
    for (std::size_t s = 0; s < pred.size(); ++s)
        if (pred.network_index(s) < 0)
            hass::detail::fail("co-search: the statistics are not bound to network '" + net.name.str() +
                               "' (construct the predictor with the network)");
    validate(net);
    detail::cosearch::engine e(net, b, pred, oracle, o, Cost{});
    cosearch_result r;
    r.method = std::string(to_string(o.method));
    r.objective = std::string(to_string(o.objective));
    r.budget = o.budget;
    r.best = o.method == cosearch_method::greedy ? detail::cosearch::run_greedy(e) : detail::cosearch::run_tpe(e);
    if (r.best.drop > o.budget)
        hass::detail::fail("co-search: even the smallest thresholds cost " + std::to_string(r.best.drop) +
                           " points of accuracy, over the budget of " + std::to_string(o.budget));
    r.candidates = e.candidates;
    r.stop_reason = e.stop_reason;
    if (r.stop_reason.empty() && e.candidates >= o.max_candidates)
        r.stop_reason = "it scored its limit of candidates (cosearch_options::max_candidates)";
    r.oracle_ms = e.oracle_ms;
    r.hardware_ms = e.hardware_ms;
    r.oracle_calls = e.oracle_calls;
    r.oracle_candidates = e.oracle_candidates;
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
    const std::size_t exact_total =
        2 + std::min(r.front.size(), o.exact_front_points) + e.milestones.size() + ties.size();
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
    const auto try_exact = [&](cosearch_point& p) {
        exact_progress();
        if (p.exact) return;
        const auto same = [&p](const cosearch_point& q) {
            return q.exact && q.w_index == p.w_index && q.a_index == p.a_index;
        };
        if (same(r.best)) return void(p = r.best); // its exact design is already built
        for (const auto& q : r.front)
            if (same(q)) return void(p = q);
        network sn = net;
        pred.apply(sn, p.thresholds);
        search_result sr = search<Cost>(sn, b, algorithm::optimal, o.folding);
        detail::cosearch::attach_exact(p, sr);
        if (sr.found && p.drop <= o.budget && (!r.design.found || exact_objective(p) > exact_objective(r.best))) {
            r.best = p;
            r.design = std::move(sr);
            r.sparse_network = std::move(sn);
        }
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
        if (may_win(p)) try_exact(p);
    for (auto& p : ties) // ties in the estimate are broken by the exact designs
        if (may_win(p)) try_exact(p);
    // never worse than dense: the dense design's hardware (every layer built
    // dense) is always a design of the sparse network too
    // (compared at the search's batch, pipeline depth included: the figure the cost model reports)
    const count_t batch = o.folding.batch;
    if (r.dense_design.found &&
        (!r.design.found || r.design.report.batch_throughput(batch) <= r.dense_design.report.batch_throughput(batch))) {
        // dense hardware gains nothing from pruning: the smallest thresholds
        r.best = e.evaluate(std::vector<std::uint8_t>(pred.size(), 0), std::vector<std::uint8_t>(pred.size(), 0));
        r.sparse_network = net;
        pred.apply(r.sparse_network, r.best.thresholds);
        r.design = r.dense_design;
        for (std::size_t i = 0; i < r.design.folding.size(); ++i)
            if (r.sparse_network.layers[i].is_sparse()) r.design.folding[i].dense = true;
        r.design.report = evaluate<Cost>(r.sparse_network, r.design.folding, b,
                                         {o.folding.cap, o.folding.batch, o.folding.bram_to_lut});
        r.design.ii = r.design.report.ii;
        detail::cosearch::attach_exact(r.best, r.design);
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
        const auto exact_of = [&](cosearch_point& p) {
            network sn = net;
            pred.apply(sn, p.thresholds);
            search_result sr = search<Cost>(sn, b, algorithm::optimal, o.folding);
            detail::cosearch::attach_exact(p, sr);
            if (!rb.best.exact || (sr.found && (!rb.design.found || exact_objective(p) > exact_objective(rb.best)))) {
                rb.best = p;
                rb.design = std::move(sr);
                best_net = std::move(sn);
            }
        };
        exact_of(rb.best);
        for (auto& p : random_ties)
            if (p.w_index != rb.best.w_index || p.a_index != rb.best.a_index) exact_of(p);
        if (r.dense_design.found &&
            (!rb.design.found || rb.design.report.batch_throughput(batch) <= r.dense_design.report.batch_throughput(batch))) {
            rb.design = r.dense_design;
            for (std::size_t i = 0; i < rb.design.folding.size(); ++i)
                if (best_net.layers[i].is_sparse()) rb.design.folding[i].dense = true;
            rb.design.report = evaluate<Cost>(best_net, rb.design.folding, b, {o.folding.cap, o.folding.batch, o.folding.bram_to_lut});
            rb.design.ii = rb.design.report.ii;
            rb.dense_fallback = true;
            detail::cosearch::attach_exact(rb.best, rb.design);
        }
    }
    return r;
}

} // namespace hass::sparsity
