// JSON of the verified co-search: a measurement read from what an oracle
// answers (`hass search --oracle-cmd`, the Python module's verify callable),
// and the rounds of predicted vs measured drop and throughput for report.json.
// Needs nlohmann-json (like hass/io/json.hpp).
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "hass/io/json.hpp"
#include "hass/sparsity/json.hpp"
#include "hass/sparsity/verify.hpp"

namespace hass::io {

namespace detail {
/// An oracle's answer must be a JSON object (`not_object` says which) and not
/// {"error": ...}, which is reported as the oracle's error.
inline void check_oracle_answer(const json& answer, const std::string& src, const char* not_object) {
    if (!answer.is_object()) throw hass::error(src + ": " + not_object);
    if (const auto e = answer.find("error"); e != answer.end())
        throw hass::error(src + ": the oracle reports an error: " + (e->is_string() ? e->get<std::string>() : e->dump()));
}
} // namespace detail

/// A measurement from an oracle's answer: {"drop": points, "products": a
/// product statistics document (optional)} at thresholds `t`. Product layers
/// are matched by name to the statistics layers; a layer with several points
/// takes the one at its thresholds. `source` names the answer in errors.
inline sparsity::measurement read_measurement(const json& answer, const sparsity::predictor& pred, const network& net,
                                              std::span<const sparsity::threshold_pair> t, std::string_view source) {
    const std::string src(source);
    detail::check_oracle_answer(answer, src, "the answer must be a JSON object {\"drop\": ..., \"products\": ...}");
    const auto d = answer.find("drop");
    if (d == answer.end() || !d->is_number())
        throw hass::error(src + ": field 'drop' (the accuracy drop, percentage points) is missing or not a number");
    sparsity::measurement m;
    m.drop = d->get<double>();
    if (!std::isfinite(m.drop)) throw hass::error(src + ": field 'drop' is not a finite number");
    const auto p = answer.find("products");
    if (p == answer.end() || p->is_null()) return m;
    const auto ps = read_products(*p, src + ": products", &net);
    m.products.resize(pred.size());
    for (const auto& l : ps.layers) {
        const int s = pred.index_of(l.layer);
        if (s < 0)
            throw hass::error(src + ": products: layer '" + l.layer + "' has no statistics (it is not one of the "
                              "layers the co-search prunes)");
        const auto si = static_cast<std::size_t>(s);
        const auto& point = l.points.size() == 1 ? l.points.front() : l.at(t[si].tau_w, t[si].tau_a);
        m.products[si] = point.stats;
    }
    return m;
}

/// The answer to a batch request {"batch": [thresholds, ...]}: {"drops": [points, ...]},
/// one per candidate in order (or {"error": "..."}).
inline std::vector<double> read_batch_drops(const json& answer, std::size_t candidates, std::string_view source) {
    const std::string src(source);
    detail::check_oracle_answer(answer, src, "the answer to a batch request must be a JSON object {\"drops\": [...]}");
    const auto d = answer.find("drops");
    if (d == answer.end() || !d->is_array())
        throw hass::error(src + ": field 'drops' (the accuracy drops of the batch's candidates, in order) is missing or "
                          "not an array");
    if (d->size() != candidates)
        throw hass::error(src + ": field 'drops' has " + std::to_string(d->size()) + " numbers for a batch of " +
                          std::to_string(candidates) + " candidates (one drop per candidate, in order)");
    std::vector<double> out;
    out.reserve(candidates);
    for (std::size_t i = 0; i < d->size(); ++i) {
        const json& x = (*d)[i];
        if (!x.is_number())
            throw hass::error(src + ": field 'drops': entry " + std::to_string(i + 1) + " of " +
                              std::to_string(candidates) + " is not a number: " + x.dump());
        out.push_back(x.get<double>());
    }
    return out;
}

/// The rounds of a verified co-search: predicted and measured drop and batch throughput.
inline json verify_report_json(const sparsity::verified_cosearch_result& v) {
    json rounds = json::array();
    for (const auto& r : v.rounds) {
        json e{{"round", r.round},
               {"predicted_drop", r.predicted_drop},
               {"measured_drop", r.measured_drop},
               {"predicted_batch_fps", r.predicted_fps},
               {"measured_batch_fps", r.throughput_measured ? json(r.measured_fps) : json(nullptr)},
               {"measured_over_predicted", r.throughput_measured && r.predicted_fps > 0
                                               ? json(r.measured_fps / r.predicted_fps) : json(nullptr)},
               {"dense_batch_fps", r.dense_fps},
               {"dense_fallback", r.dense_fallback},
               {"layers_measured", r.layers_measured},
               {"feedback", r.feedback.empty() ? json(nullptr) : json(r.feedback)}};
        rounds.push_back(std::move(e));
    }
    return {{"batch", v.batch},
            {"rounds", std::move(rounds)},
            {"chosen_round", v.chosen_round == 0 ? json(nullptr) : json(v.chosen_round)},
            {"verified", v.verified},
            {"stop_reason", v.stop_reason}};
}

} // namespace hass::io
