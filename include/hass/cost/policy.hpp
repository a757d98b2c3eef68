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
#include <type_traits>

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
    /// fpgaConvNet evaluates a design at sigma = 1 (only its greedy optimiser
    /// sets a slow-down, BW / budget + 0.01, and keeps it): a design whose
    /// off-chip traffic exceeds the bandwidth at its II does not fit. Otherwise
    /// (hass) the design slows down to the memory bound.
    bool bandwidth_must_fit = false;
    /// BRAM beyond the budget moves to LUTRAM: the reference adds the whole LUT
    /// surplus (LUT lands near the budget); otherwise 288 LUT per block moved.
    bool lut_takes_whole_surplus = false;
    /// A multi-port layer fed from outside the partition: the reference counts
    /// its off-chip input only when it has no producer inside (in-degree 0).
    bool external_inputs_of_sources_only = false;
    /// An inner product keeps its weights in BRAM, none streamed. fpgaConvNet's
    /// InnerProduct constructor ignores use_uram and stream_weights (a design
    /// file loaded with its loader alone puts them back in BRAM), but its
    /// optimiser sets them after construction and its model honours them, so
    /// neither built-in model sets this; a model of the loader's view would.
    bool inner_product_weights_in_bram = false;
    /// An EltWise drops the skip FIFO of port i when its i-th stream flag is
    /// set, the flags indexed by producer name in sorted order and the FIFOs by
    /// input order (fpgaConvNet pairs the two lists index by index); otherwise
    /// the FIFO of the port whose producer streams its tensor.
    bool fifo_flags_in_name_order = false;
};

/// A squeeze of a rows x cols x channels tensor from `a` to `b` streams of
/// `width` bits: its latency, pipeline depth and figure.
struct squeeze_figure {
    count_t latency = 0;
    count_t pipeline_depth = 0;
    module_figure figure{};
};

/// fpgaConvNet's model, exactly.
struct fpgaconvnet {
    static constexpr std::string_view name = "fpgaconvnet";
    static constexpr const coefficient_table& coefficients = chisel_linear_regression;
    static constexpr partition_rules rules{true, true, true, true, true, false, true};

    template <class Visit = ignore_modules>
    static constexpr layer_figures layer_cost(const layer& l, const folding& f, Visit&& visit = {}) {
        // fpgaConvNet's ONNX parser builds every EltWise with broadcast off
        // (parser/onnx/parse.py), so its networks never pay the broadcast buffer
        if (l.type == layer_type::eltwise && l.broadcast) {
            layer m = l;
            m.broadcast = false;
            return fpgaconvnet_layer(coefficients, m, f, static_cast<Visit&&>(visit));
        }
        return fpgaconvnet_layer(coefficients, l, f, static_cast<Visit&&>(visit));
    }
    /// Off-chip weight bits per image: the stream rate while the layer runs, times its latency.
    static constexpr double weight_bits_per_image(const layer&, const layer_figures& r) noexcept {
        return r.stream_bits_per_cycle * static_cast<double>(r.latency);
    }
    /// A squeeze layer: H W (C / min(a, b)) cycles, no depth.
    static constexpr squeeze_figure squeeze_cost(const tensor_shape& s, count_t a, count_t b, count_t width) noexcept {
        return {s.rows * s.cols * (s.channels / (a < b ? a : b)), 0, squeeze(coefficients, a, b, 1, width)};
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
    /// The squeeze module hass builds (modules::squeeze): its latency and depth.
    static constexpr squeeze_figure squeeze_cost(const tensor_shape& s, count_t a, count_t b, count_t width) noexcept {
        const modules::squeeze m{s.size(), a, b, 1, width};
        return {ceil_to_count(m.latency()), m.pipeline_depth(), m.cost(coefficients)};
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
    { C::squeeze_cost(tensor_shape{}, count_t{1}, count_t{1}, count_t{16}) } -> std::convertible_to<squeeze_figure>;
};

static_assert(cost_model<fpgaconvnet>);
static_assert(cost_model<hass>);

/// Whether cost model `Cost` prices a sparse convolution `l` with statistics
/// `s` by the pointwise (cluster) model rather than the window model.
/// fpgaConvNet builds ConvolutionPointwiseSparseLayer for every sparse 1x1
/// kernel whatever its stride (parser/onnx/parse.py): sparsity_stats::pointwise().
/// hass (and a model of one's own) only where the statistics name it and the
/// layer has no sliding window (pointwise_sparse_model, docs/model.md).
template <class Cost>
constexpr bool pointwise_sparse(const layer& l, const sparsity_stats& s) noexcept {
    if constexpr (std::is_same_v<Cost, fpgaconvnet>)
        return s.pointwise();
    else
        return pointwise_sparse_model(l, s);
}

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
