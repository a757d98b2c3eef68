// hass's own model of one layer (the default cost model, hass::cost::hass):
// the modules hass builds (hass::for_each_module, the same list the HLS
// emitter instantiates), each priced with fpgaConvNet's regressions
// (modules.hpp), composed with the corrections of docs/deviations.md:
//
//  - only modules that are built count: no pad without padding, no squeeze in
//    a sparse layer (so nothing is subtracted and no estimate goes negative),
//    a dense accumulator whenever K / f > 1, a sliding window for a 1x1 kernel
//    with stride > 1, the fork of a sparse layer carries whole windows;
//  - narrow multipliers pack (2 per DSP at <= 8 bits, 4 at <= 4 bits) with one
//    ceiling over the layer, inner products included (no fractional DSP);
//  - a split forks its real data width;
//  - latency and pipeline depth are hass's module model (MODEL.md with the
//    deviations), checked against C-simulation of the generated HLS.
#pragma once

#include <algorithm>
#include <type_traits>

#include "hass/cost/modules.hpp"
#include "hass/cost/reference_layer.hpp"
#include "hass/cost/regression.hpp"
#include "hass/cost/weights.hpp"
#include "hass/layers/hardware.hpp"

namespace hass::cost {

/// The weight memory hass builds: dense, one packed array of width
/// ww f ci co cg; sparse, f ci co cg arrays of width ww; depth
/// ceil(F/G C K / (f ci co cg)) (an inner product: ceil(F N / (ci co))).
constexpr weight_plan hass_weight_plan(const layer& l, const folding& f) noexcept {
    if (!l.has_weights()) return {};
    const bool fc = l.type == layer_type::inner_product;
    const count_t lanes = fc ? f.coarse_in * f.coarse_out : f.fine * f.coarse_in * f.coarse_out * f.coarse_group;
    const count_t depth = ceil_div(l.filters() / (fc ? 1 : l.groups) * l.channels_in() * (fc ? 1 : l.kernel_size()), lanes);
    const bool uram = f.weights == weight_storage::uram;
    const count_t stream = f.weights == weight_storage::off_chip ? all_blocks : f.stream_weights;
    if (!fc && implemented_sparse(l, f)) return plan_weights(depth, l.width.weight, lanes, uram, stream);
    return plan_weights(depth, l.width.weight * lanes, 1, uram, stream);
}

/// Bits read from off-chip memory per image when some weight blocks are
/// streamed: every weight address is read once per output position (once per
/// image for an inner product), so the streamed fraction A_off / D of those
/// reads, Wd bits each per array, crosses the memory interface.
constexpr double hass_weight_bits_per_image(const layer& l, const weight_plan& p) noexcept {
    if (p.streamed == 0) return 0;
    const double positions = l.type == layer_type::inner_product ? 1.0 : static_cast<double>(l.out.rows * l.out.cols);
    return p.addresses_off * static_cast<double>(p.width * p.arrays) * positions;
}

/// hass's latency, pipeline depth and resources of a layer (see the file comment).
/// The figures are summed in locals and the result is formed once (this runs for
/// every layer of every design a search evaluates).
template <class Visit = ignore_modules>
constexpr layer_figures hass_layer(const coefficient_table& t, const layer& l, const folding& f, Visit&& visit = {}) {
    double slowest = 0;
    double dot_dsp = 0; // multipliers of the dot products, before packing
    double dsp = 0;
    count_t depth = 0, lut = 0, ff = 0, bram = 0, uram = 0, line_buffer_bram = 0;
    bool undefined = false;
    for_each_module(l, f, [&](const auto& m, count_t replicas) {
        slowest = std::max(slowest, m.latency());
        depth += m.pipeline_depth();
        module_figure fig = m.cost(t);
        if constexpr (requires { m.kernel_rows; m.stride_rows; m.rows; }) {
            // a sliding window: its line buffer leaves when the input is read from off-chip memory
            const count_t line = m.line_buffer_bram();
            line_buffer_bram += line * replicas;
            if (f.streamed_inputs & 1u) fig.bram -= line;
        }
        visit(std::remove_cvref_t<decltype(m)>::name, fig, replicas, true);
        if (fig.undefined) undefined = true;
        lut += fig.lut * replicas;
        ff += fig.ff * replicas;
        bram += fig.bram * replicas;
        if constexpr (requires { m.weight_width; })
            dot_dsp += fig.dsp * static_cast<double>(replicas);
        else
            dsp += fig.dsp * static_cast<double>(replicas);
    });
    weight_plan weights{};
    count_t weight_bram = 0, weight_uram = 0;
    if (l.has_weights()) {
        const count_t iw = l.width.data, ww = l.width.weight;
        const double pi = (iw <= 4 && ww <= 4) ? 0.25 : (iw <= 8 && ww <= 8) ? 0.5 : 1.0;
        dsp += static_cast<double>(ceil_to_count(dot_dsp * pi));
        // the stream terms of MODEL.md: reading the (padded) input, writing the output
        slowest = std::max(slowest, static_cast<double>(stream_words(l, f)));
        weights = hass_weight_plan(l, f);
        (weights.uram ? weight_uram : weight_bram) = weights.on_chip_blocks();
        bram += weight_bram;
        uram += weight_uram;
        if (l.block_floating_point) {
            // a shift-scale multiplier per output stream and its two scale memories
            const count_t so = streams_out(l, f);
            dsp += static_cast<double>(so);
            bram += 2 * so * bram18_blocks(l.filters() / so, l.width.acc, buffer_kind::memory);
        }
    }
    return layer_figures{.kind = reference_kind_of(l, f),
                         .latency = ceil_to_count(slowest),
                         .pipeline_depth = depth,
                         .rate_in = 1,
                         .rate_out = 1,
                         .lut = lut,
                         .ff = ff,
                         .bram = bram,
                         .uram = uram,
                         .dsp = dsp,
                         .reports_uram = l.has_weights(),
                         .weights = weights,
                         .weight_bram = weight_bram,
                         .weight_uram = weight_uram,
                         .line_buffer_bram = line_buffer_bram,
                         .stream_bits_per_cycle = 0,
                         .undefined = undefined};
}

} // namespace hass::cost
