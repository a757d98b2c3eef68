// The JSON report of a co-search: what `hass search --sparsity --json` prints
// and writes to report.json, and what the Python module's cosearch() returns.
// Needs nlohmann-json (like hass/io/json.hpp).
#pragma once

#include <string>
#include <vector>

#include "hass/io/json.hpp"
#include "hass/sparsity/cosearch.hpp"
#include "hass/sparsity/cosearch_partitioned.hpp"
#include "hass/sparsity/json.hpp"
#include "hass/sparsity/report.hpp"

namespace hass::io {

/// Throughput, DSP and GOP/s (dense and effective) of a design.
/// A Pareto front as JSON: per point its drop, its estimate and, when built, its exact throughput.
inline json front_json(const std::vector<sparsity::cosearch_point>& points) {
    json front = json::array();
    for (const auto& p : points) {
        json e{{"accuracy_drop", p.drop}, {"throughput_estimate_fps", p.throughput_estimate}};
        if (p.exact) e["throughput_fps"] = p.throughput;
        front.push_back(std::move(e));
    }
    return front;
}

inline json performance_summary_json(const sparsity::performance_summary& s) {
    return {{"throughput_fps", s.throughput_fps},
            {"dsp", s.dsp},
            {"dense_gops", s.dense_gops},
            {"effective_gops", s.effective_gops},
            {"dense_gops_per_dsp", s.dense_gops_per_dsp},
            {"effective_gops_per_dsp", s.effective_gops_per_dsp}};
}

/// The report of a co-search of `net` on `b`: the chosen design's evaluation
/// (report_json keys) and a "cosearch" object (method, budget, the inputs'
/// provenance `statistics` and `accuracy`, per-layer thresholds, zero fractions,
/// build and speed-up over the dense design, dense and sparse summaries, the
/// Pareto front, notes and the thresholds file).
inline json cosearch_report_json(const network& net, const board& b, const sparsity::predictor& pred,
                                 const sparsity::cosearch_result& r, json statistics, json accuracy,
                                 const std::vector<std::string>& notes = {}) {
    network dense = net;
    for (auto& l : dense.layers) l.sparsity = {};
    const bool ok = r.design.found && r.dense_design.found;
    json j;
    if (ok)
        j = report_json(r.sparse_network, r.design.folding, r.design.report, b);
    else
        j = {{"model", net.name.str()}, {"board", std::string(b.name)}, {"clock_mhz", b.clock_mhz}};
    j["found"] = ok;
    j["message"] = ok ? std::string() : (r.design.found ? r.dense_design.message : r.design.message);
    j["algo"] = "optimal";
    j["search_ms"] = r.search_ms;
    j["ii_lower_bound"] = r.design.ii_lower_bound;
    json cj;
    cj["method"] = r.method;
    cj["objective"] = r.objective;
    cj["budget_points"] = r.budget;
    cj["stop_reason"] = r.stop_reason.empty() ? json(nullptr) : json(r.stop_reason);
    cj["statistics"] = std::move(statistics);
    cj["accuracy"] = std::move(accuracy);
    cj["accuracy_drop"] = r.best.drop;
    cj["candidates"] = r.candidates;
    cj["oracle_calls"] = r.oracle_calls;
    cj["oracle_candidates"] = r.oracle_candidates;
    cj["surrogate_rounds"] = r.surrogate_rounds;
    cj["exact_refinement"] = {{"searches", r.refine_searches},
                              {"steps", r.refine_steps},
                              {"from_fps", r.refine_from_fps}};
    cj["time_ms"] = {{"total", r.search_ms}, {"oracle", r.oracle_ms}, {"hardware_estimate", r.hardware_ms},
                     {"exact_designs", r.exact_ms}};
    json layers = json::array();
    for (std::size_t s = 0; s < pred.size(); ++s) {
        const auto idx = static_cast<std::size_t>(pred.network_index(s));
        const layer& l = r.sparse_network.layers[idx];
        const auto& t = r.best.thresholds[s];
        const double zeros = pred.convolution(s) ? l.sparsity.mean_zeros : pred.predict_copy(s, t.tau_w, t.tau_a).mean_zeros;
        json e{{"name", pred.name(s)},
               {"type", std::string(to_string(l.type))},
               {"tau_w", t.tau_w},
               {"tau_a", t.tau_a},
               {"activation_layer", pred.activation_owner(s) == pred.name(s) ? json(nullptr) : json(pred.activation_owner(s))},
               {"zero_fraction", zeros},
               {"weight_sparsity", pred.weight_sparsity(s, t.tau_w)},
               {"activation_sparsity", pred.activation_sparsity(s, t.tau_a)}};
        if (ok) {
            const auto& f = r.design.folding[idx];
            e["implementation"] = implemented_sparse(l, f) ? "sparse" : "dense";
            const double sparse_lat = static_cast<double>(r.design.report.layers[idx].latency);
            const double dense_lat = static_cast<double>(r.dense_design.report.layers[idx].latency);
            e["latency_cycles"] = r.design.report.layers[idx].latency;
            e["dense_design_latency_cycles"] = r.dense_design.report.layers[idx].latency;
            e["speedup_over_dense_design"] = sparse_lat > 0 ? dense_lat / sparse_lat : 0.0;
        }
        layers.push_back(std::move(e));
    }
    cj["layers"] = std::move(layers);
    if (ok) {
        cj["dense"] = performance_summary_json(sparsity::summarise(dense, r.dense_design.report));
        cj["dense_fallback"] = r.dense_fallback;
        cj["sparse"] = performance_summary_json(sparsity::summarise(r.sparse_network, r.design.report));
        // the co-search's hardware estimate of the chosen thresholds (steady state) against the exact design
        cj["sparse"]["throughput_estimate_fps"] = r.best.throughput_estimate;
        cj["sparse"]["exact_over_estimate"] =
            r.best.throughput_estimate > 0 ? r.design.report.throughput() / r.best.throughput_estimate : 0.0;
    }
    cj["pareto_front"] = front_json(r.front);
    if (const auto& rb = r.random_baseline; rb.count > 0) {
        // like for like: the chosen point and the random best, estimate and exact design
        const auto point = [](const sparsity::cosearch_point& p) {
            json e{{"accuracy_drop", p.drop}, {"throughput_estimate_fps", p.throughput_estimate}};
            if (p.exact) e["throughput_fps"] = p.throughput, e["ii_cycles"] = p.ii, e["dsp"] = p.dsp;
            return e;
        };
        json rj{{"count", rb.count}, {"within_budget", rb.within_budget}, {"oracle_calls", rb.oracle_calls},
               {"chosen", point(r.best)}, {"best", nullptr}};
        if (rb.found) {
            rj["best"] = point(rb.best);
            rj["best"]["dense_fallback"] = rb.dense_fallback;
            rj["best"]["thresholds"] = write_thresholds(pred, rb.best.thresholds);
            rj["chosen_not_beaten"] = {
                {"estimate", r.best.throughput_estimate >= rb.best.throughput_estimate},
                {"exact", rb.best.exact && r.best.exact ? json(r.best.throughput >= rb.best.throughput) : json(nullptr)}};
        }
        cj["random_baseline"] = std::move(rj);
    }
    cj["notes"] = notes;
    cj["thresholds"] = write_thresholds(pred, r.best.thresholds);
    j["cosearch"] = std::move(cj);
    return j;
}

/// The report of a co-search over partitions of `net` on `b`: network, board,
/// found, message and a "cosearch" object (method, budget, batch, the estimate's
/// cuts, the dense and sparse partitioned designs with each partition's II,
/// depth, DSP, BRAM18 and batch time, the thresholds, the front), as
/// docs/sparsity.md, "Over partitions", lists.
inline json partitioned_cosearch_report_json(const network& net, const board& b, const sparsity::predictor& pred,
                                             const sparsity::partitioned_cosearch_result& r, json statistics,
                                             json accuracy, const std::vector<std::string>& notes = {}) {
    const count_t B = r.batch;
    json j;
    j["network"] = net.name.str();
    j["board"] = b.name;
    j["found"] = r.found;
    j["message"] = r.message;
    j["batch"] = B;
    if (r.found) j["batch_fps"] = r.design.throughput;
    json c;
    c["method"] = r.method;
    c["objective"] = r.objective;
    c["budget"] = r.budget;
    c["batch"] = B;
    c["accuracy_drop"] = r.best.drop;
    c["estimate_cuts"] = r.estimate_cuts;
    c["rounds"] = r.rounds;
    c["candidates"] = r.candidates;
    c["exact_designs"] = r.exact_designs;
    c["dense_fallback"] = r.dense_fallback;
    c["statistics"] = std::move(statistics);
    c["accuracy"] = std::move(accuracy);
    c["dense"] = {{"partitions", r.dense_design.partitions()}, {"cuts", r.dense_design.cuts},
                  {"batch_throughput_fps", r.dense_design.throughput}, {"batch_time_s", r.dense_design.batch_time_s}};
    if (r.found) {
        json parts = json::array();
        for (const design_report& d : r.design.report.partitions)
            parts.push_back({{"first", d.first}, {"last", d.last - 1}, {"ii", d.ii},
                             {"pipeline_depth", d.pipeline_depth}, {"dsp", d.used.dsp}, {"bram18", d.used.bram18},
                             {"batch_time_s", d.batch_time(B)}});
        c["sparse"] = {{"partitions", r.design.partitions()}, {"cuts", r.design.cuts}, {"partition", parts},
                       {"batch_throughput_fps", r.design.throughput}, {"batch_time_s", r.design.batch_time_s},
                       {"throughput_estimate_fps", r.best.throughput_estimate},
                       {"estimate_partition_ii", r.best.partition_ii}};
        c["thresholds"] = write_thresholds(pred, r.best.thresholds);
    }
    c["front"] = front_json(r.front);
    if (!notes.empty()) c["notes"] = notes;
    j["cosearch"] = std::move(c);
    return j;
}

} // namespace hass::io
