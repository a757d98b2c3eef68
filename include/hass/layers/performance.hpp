// What a layer costs under a folding and a cost model: latency, pipeline
// depth, balanced input rate, resources and off-chip weight traffic.
//
//   auto p = hass::evaluate_layer(layer, folding);                        // hass's model
//   auto r = hass::evaluate_layer<hass::cost::fpgaconvnet>(layer, folding); // the reference
#pragma once

#include "hass/cost/policy.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/layer.hpp"

namespace hass {

/// What a layer costs under a folding, as the cost model gives it (trivially
/// copyable; layer_performance adds what the partition sets).
struct layer_estimate {
    count_t latency = 0;        ///< cycles per image
    count_t pipeline_depth = 0; ///< cycles from first input to first output (the model's module sum)
    double rate_in = 1;         ///< balanced input words per cycle per stream (fpgaConvNet's r; 1 in hass's model)
    resources used{};           ///< all modules plus memories (DSP rounded up; FIFOs of a multi-port layer included)
    double dsp = 0;             ///< exact DSP (fractional for 8- and 4-bit inner products in the reference)
    resources weights{};        ///< the on-chip weight memory alone (part of `used`)
    cost::weight_plan weight_plan{}; ///< geometry of the weight memory and its streamed blocks
    double weight_bits = 0;     ///< weight bits read from off-chip memory per image (streamed weights)
    count_t line_buffer_bram = 0; ///< the sliding-window line buffers (dropped when the input is streamed)
    count_t fifo_bram = 0;      ///< BRAM18 of the eltwise / concat input FIFOs (part of `used`), set by the partition
    bool sparse = false;        ///< built as a sparse convolution
    double sparse_cycles = 0;   ///< mean cycles per window of the slowest stream (sparse only)
    bool undefined = false;     ///< the cost model has no estimate (fpgaConvNet's bits(0))
    friend constexpr bool operator==(const layer_estimate&, const layer_estimate&) = default;
};

/// What a layer costs under a folding in a partition: the estimate and the
/// depths of its input FIFOs. (Two parts so that the estimate, formed for every
/// layer of every design a search looks at, is built in registers: GCC clears
/// a whole aggregate that holds a vector before initialising it.)
struct layer_performance : layer_estimate {
    std::vector<count_t> fifo_depths{}; ///< eltwise / concat input FIFOs (words), set by the partition
    friend constexpr bool operator==(const layer_performance&, const layer_performance&) = default;
};

/// The on-chip weight memory of a layer under a folding: depth
/// ceil(F/G C K / (f ci co cg)); dense, one array of width ww f ci co cg;
/// sparse, f ci co cg arrays of width ww; in BRAM18 or URAM (`weights`), less
/// the blocks streamed from off-chip memory plus their one-row buffer.
constexpr resources weight_memory(const layer& l, const folding& f) noexcept {
    const cost::weight_plan p = cost::hass_weight_plan(l, f);
    resources r;
    (p.uram ? r.uram : r.bram18) = p.on_chip_blocks();
    return r;
}

/// Latency, pipeline depth and resources of a layer under a valid folding
/// as the cost model gives it.
template <cost::cost_model Cost = cost::hass>
constexpr layer_estimate estimate_layer(const layer& l, const folding& f) {
    const cost::layer_figures r = Cost::layer_cost(l, f);
    const bool sparse = implemented_sparse(l, f);
    // a strided sparse 1x1 layer: the window model in hass's, the pointwise one in the reference
    const double sparse_cycles = !sparse                                   ? 0.0
                                 : cost::pointwise_sparse<Cost>(l, l.sparsity)
                                     ? slowest_cluster_density(l.sparsity, f.coarse_in * f.coarse_group)
                                     : detail::sparse_cycles_per_window(l, f);
    return layer_estimate{.latency = r.latency,
                          .pipeline_depth = r.pipeline_depth,
                          .rate_in = r.rate_in,
                          .used = {ceil_to_count(r.dsp), r.lut, r.ff, r.bram, r.uram},
                          .dsp = r.dsp,
                          .weights = {0, 0, 0, r.weight_bram, r.weight_uram},
                          .weight_plan = r.weights,
                          .weight_bits = Cost::weight_bits_per_image(l, r),
                          .line_buffer_bram = r.line_buffer_bram,
                          .fifo_bram = 0,
                          .sparse = sparse,
                          .sparse_cycles = sparse_cycles,
                          .undefined = r.undefined};
}

/// Latency, pipeline depth and resources of a layer under a valid folding
/// (the partition-level fields, FIFOs, are left to the caller).
template <cost::cost_model Cost = cost::hass>
constexpr layer_performance evaluate_layer(const layer& l, const folding& f) {
    return layer_performance{estimate_layer<Cost>(l, f)};
}

} // namespace hass
