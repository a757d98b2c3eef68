// Sparsity statistics of a convolution measured on data (host only, C++20 and
// the hass model headers): the zero-product histograms that MODEL.md's sparse
// latency consumes, per input channel and, for the slowest-lane latency
// (docs/model.md, "Per-lane sparse latency"), per (channel, filter).
//
//   hass::sparsity_stats s = hass::hls::measure_sparsity(x, w, geometry);
//   layer.sparsity = s;   // hass::evaluate_layer(layer, folding) on the data
//
// The C-simulation tests (tests/hls) and the test benches `hass emit-hls`
// generates compare the kernels' cycles with the model evaluated on these.
#pragma once

#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "hass/hls/reference.hpp"
#include "hass/layers/sparsity.hpp"

namespace hass::hls {

/// The per-filter zero-product histograms of a convolution on one input map:
/// h[c][j][z] is the fraction of the output positions at which the window of
/// input channel c, multiplied with filter j of the channel's group (in-group
/// index), has z zero products out of K. A product is zero when its weight is
/// zero, or its activation is zero, padding, or (with `thresholded`) at most
/// `threshold` (the activation threshold tau_a, applied where the layer reads
/// its input). `w` is in canonical OIHW order, as the hardware holds it (pruned).
/// The result uses the kernels' channel layout (interleaving::naive).
template <class data_t, class weight_t>
sparsity_stats measure_sparsity(const reference::tensor<data_t>& x, const std::vector<weight_t>& w,
                                const reference::conv_geometry& g, bool skip_all_zero = true,
                                bool thresholded = false, data_t threshold = data_t(0),
                                const std::string& where = "layer") {
    using reference::index_t;
    const index_t C = x.channels, K = g.kernel_rows * g.kernel_cols, G = g.groups;
    if (K > 64) throw std::invalid_argument(where + ": measure_sparsity handles kernels of at most 64 elements");
    if (G < 1 || C % G != 0 || g.filters % G != 0)
        throw std::invalid_argument(where + ": groups must divide the channels and the filters");
    const index_t Cg = C / G, Fg = g.filters / G;
    if (static_cast<index_t>(w.size()) != g.filters * Cg * K)
        throw std::invalid_argument(where + ": " + std::to_string(w.size()) + " weights, expected F*(C/G)*K = " +
                                    std::to_string(g.filters * Cg * K));
    const index_t Ho = (x.rows + g.pad_top + g.pad_bottom - g.kernel_rows) / g.stride_rows + 1;
    const index_t Wo = (x.cols + g.pad_left + g.pad_right - g.kernel_cols) / g.stride_cols + 1;
    const index_t P = Ho * Wo;
    auto nonzero = [&](const data_t& v) { return thresholded ? v > threshold && v != 0 : v != 0; };

    // the non-zero masks of every window and of every (filter, channel) kernel
    std::vector<std::uint64_t> act(static_cast<std::size_t>(C * P), 0);
    for (index_t r = 0; r < Ho; ++r)
        for (index_t q = 0; q < Wo; ++q)
            for (index_t i = 0; i < g.kernel_rows; ++i)
                for (index_t k = 0; k < g.kernel_cols; ++k) {
                    const std::uint64_t bit = std::uint64_t{1} << (i * g.kernel_cols + k);
                    for (index_t c = 0; c < C; ++c)
                        if (nonzero(x.padded(r * g.stride_rows + i, q * g.stride_cols + k, c, g.pad_top, g.pad_left)))
                            act[static_cast<std::size_t>(c * P + r * Wo + q)] |= bit;
                }
    std::vector<std::uint64_t> wm(static_cast<std::size_t>(C * Fg), 0);
    for (index_t c = 0; c < C; ++c) {
        const index_t grp = c / Cg, ci = c % Cg;
        for (index_t j = 0; j < Fg; ++j) {
            const index_t f = grp * Fg + j;
            std::uint64_t m = 0;
            for (index_t p = 0; p < K; ++p)
                if (w[static_cast<std::size_t>((f * Cg + ci) * K + p)] != 0) m |= std::uint64_t{1} << p;
            wm[static_cast<std::size_t>(c * Fg + j)] = m;
        }
    }

    // h[c][j][z], z = K - popcount(window & kernel)
    const auto row = static_cast<std::size_t>(K + 1);
    std::vector<double> h(static_cast<std::size_t>(C * Fg) * row, 0.0);
    std::vector<index_t> counts(row);
    for (index_t c = 0; c < C; ++c)
        for (index_t j = 0; j < Fg; ++j) {
            const std::uint64_t m = wm[static_cast<std::size_t>(c * Fg + j)];
            for (auto& v : counts) v = 0;
            const std::uint64_t* a = act.data() + c * P;
            for (index_t p = 0; p < P; ++p) ++counts[static_cast<std::size_t>(K - std::popcount(a[p] & m))];
            double* out = h.data() + static_cast<std::size_t>(c * Fg + j) * row;
            for (std::size_t z = 0; z < row; ++z) out[z] = static_cast<double>(counts[z]) / static_cast<double>(P);
        }
    sparsity_stats s = make_filter_sparsity_stats(C, K, Fg, std::move(h), where);
    s.order = interleaving::naive;
    s.skip_all_zero = skip_all_zero;
    s.prepare();
    return s;
}

} // namespace hass::hls
