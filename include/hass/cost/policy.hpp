// Cost models as compile-time policy types (docs/cost_model.md).
//
// A cost model turns a layer and its folding into latency, pipeline depth and
// LUT/FF/DSP/BRAM18/URAM, and says how a partition of layers adds up (squeezes,
// skip FIFOs, pipeline depth, the BRAM-to-LUTRAM fit rule, reconfigurations).
// Two are provided:
//
//   hass::cost::fpgaconvnet  fpgaConvNet's model bit for bit, quirks included
//                            (fpgaconvnet-model edfbeb6 with fpgaconvnet-optimiser
//                            d11a643: chisel backend, linear-regression resources);
//   hass::cost::hass         the default: the same regressions and rules on the
//                            modules hass builds, with hass's corrections
//                            (docs/deviations.md).
//
// Evaluation and the searches are templates on the model:
//   hass::evaluate<hass::cost::fpgaconvnet>(net, folding, board)
// and a model of one's own is any type satisfying hass::cost::cost_model (a
// recalibrated coefficient table, say).
#pragma once

#include <optional>
#include <string_view>

#include "hass/cost/hass_layer.hpp"
#include "hass/cost/reference_layer.hpp"
#include "hass/cost/regression.hpp"

namespace hass::cost {

/// How a cost model treats a partition (the network level).
struct partition_rules {
    /// Pipeline depth D: fpgaConvNet's sum over the longest path (by node count)
    /// of d/r + II size ratios; otherwise hass's longest path of module depths.
    bool reference_pipeline_depth = false;
    /// P reconfigurations for P > 1 partitions (fpgaConvNet); otherwise P - 1.
    bool reconfigure_first_partition = false;
    /// Bandwidth slow-down sigma = BW / budget + 0.01 (fpgaConvNet's greedy); otherwise BW / budget.
    bool slowdown_margin = false;
    /// BRAM beyond the budget moves to LUTRAM: the reference adds the whole LUT
    /// surplus (LUT lands near the budget); otherwise 288 LUT per block moved.
    bool lut_takes_whole_surplus = false;
    /// A multi-port layer fed from outside the partition: the reference counts
    /// its off-chip input only when it has no producer inside (in-degree 0).
    bool external_inputs_of_sources_only = false;
    /// Weight-stream bandwidth: fpgaConvNet's (A_off Wd) / (A_on + Du) per
    /// cycle of the layer's latency; otherwise the streamed fraction of the
    /// weight reads the dataflow makes.
    bool reference_weight_stream = false;
};

/// fpgaConvNet's model, exactly.
struct fpgaconvnet {
    static constexpr std::string_view name = "fpgaconvnet";
    static constexpr const coefficient_table& coefficients = chisel_linear_regression;
    static constexpr partition_rules rules{true, true, true, true, true, true};

    template <class Visit = ignore_modules>
    static constexpr layer_figures layer_cost(const layer& l, const folding& f, Visit&& visit = {}) {
        layer_figures r = fpgaconvnet_layer(coefficients, l, f, static_cast<Visit&&>(visit));
        return r;
    }
    /// Off-chip weight bits per image: the stream rate while the layer runs, times its latency.
    static constexpr double weight_bits_per_image(const layer&, const layer_figures& r) noexcept {
        return r.stream_bits_per_cycle * static_cast<double>(r.latency);
    }
};

/// hass's model: the default.
struct hass {
    static constexpr std::string_view name = "hass";
    static constexpr const coefficient_table& coefficients = chisel_linear_regression;
    static constexpr partition_rules rules{};

    template <class Visit = ignore_modules>
    static constexpr layer_figures layer_cost(const layer& l, const folding& f, Visit&& visit = {}) {
        return hass_layer(coefficients, l, f, static_cast<Visit&&>(visit));
    }
    static constexpr double weight_bits_per_image(const layer& l, const layer_figures& r) noexcept {
        return hass_weight_bits_per_image(l, r.weights);
    }
};

/// A cost model: a name, a coefficient table, partition rules, the layer cost
/// and the off-chip weight traffic.
template <class C>
concept cost_model = requires(const layer& l, const folding& f, const layer_figures& r) {
    { C::name } -> std::convertible_to<std::string_view>;
    { C::rules } -> std::convertible_to<partition_rules>;
    { C::layer_cost(l, f) } -> std::convertible_to<layer_figures>;
    { C::weight_bits_per_image(l, r) } -> std::convertible_to<double>;
};

static_assert(cost_model<fpgaconvnet>);
static_assert(cost_model<hass>);

/// The built-in models, for run-time choices (the command line's --model).
enum class model { hass, fpgaconvnet };

constexpr std::string_view to_string(model m) noexcept { return m == model::fpgaconvnet ? "fpgaconvnet" : "hass"; }

constexpr std::optional<model> parse_model(std::string_view s) noexcept {
    if (s == "hass") return model::hass;
    if (s == "fpgaconvnet") return model::fpgaconvnet;
    return std::nullopt;
}

/// Calls f(Model{}) with the policy type of a run-time choice.
template <class F>
constexpr decltype(auto) with_model(model m, F&& f) {
    if (m == model::fpgaconvnet) return static_cast<F&&>(f)(fpgaconvnet{});
    return static_cast<F&&>(f)(hass{});
}

} // namespace hass::cost
