// How each layer is built from hardware modules (MODEL.md "Layers and their
// hardware").
//
// `for_each_module(layer, folding, visit)` is the single description of a
// layer's hardware: hass's cost model (hass/cost/hass_layer.hpp) sums over it,
// and the HLS emitter walks the same call to instantiate the same modules.
#pragma once

#include <algorithm>

#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"
#include "hass/modules/all.hpp"

namespace hass {

namespace detail {

constexpr modules::activation_kind activation_of(layer_type t) noexcept {
    switch (t) {
    case layer_type::thresholded_relu: return modules::activation_kind::thresholded_relu;
    case layer_type::hardswish: return modules::activation_kind::hardswish;
    case layer_type::hardsigmoid: return modules::activation_kind::hardsigmoid;
    case layer_type::sigmoid: return modules::activation_kind::sigmoid;
    case layer_type::relu6: return modules::activation_kind::relu6;
    default: return modules::activation_kind::relu;
    }
}

} // namespace detail

/// A convolution without a sliding window: a 1x1 kernel at stride 1 reads its
/// input stream as its windows. Any other kernel, and a 1x1 kernel with a
/// stride above 1 (it must drop the skipped positions), has one.
constexpr bool has_sliding_window(const layer& l) noexcept {
    return !(l.kernel_size() == 1 && l.stride_rows == 1 && l.stride_cols == 1);
}

/// hass's rule for the latency model of a sparse convolution with statistics
/// `s` (docs/model.md, "Pointwise layers"): the window model, which is what
/// hass's sparse kernels do for every kernel size, 1x1 included: each (window,
/// filter) pair's dot product skips its zero products, per coarse_out lane when
/// per-filter histograms exist. The pointwise (cluster) model applies only when
/// the statistics name it (sparse_model::pointwise, e.g. a pointwise_sparse
/// layer of an fpgaConvNet design file) and the layer has no sliding window (a
/// 1x1 kernel at stride 1). (fpgaConvNet, and hass's reference model, choose
/// ConvolutionPointwiseSparseLayer for every 1x1 kernel, whatever the stride:
/// sparsity_stats::pointwise().)
constexpr bool pointwise_sparse_model(const layer& l, const sparsity_stats& s) noexcept {
    return s.model == sparse_model::pointwise && !has_sliding_window(l);
}
constexpr bool pointwise_sparse_model(const layer& l) noexcept { return pointwise_sparse_model(l, l.sparsity); }

namespace detail {

/// Mean cycles per window of the slowest stream of a sparse convolution (or,
/// with per-filter histograms, of the slowest (stream, coarse_out lane) pair:
/// sparsity_stats::lanes, docs/model.md "Per-lane sparse latency"); the
/// pointwise model's cluster density where pointwise_sparse_model applies.
constexpr double sparse_cycles_per_window(const layer& l, const folding& f) {
    const count_t S = f.coarse_in * f.coarse_group;
    if (pointwise_sparse_model(l)) return slowest_cluster_density(l.sparsity, S);
    if (l.sparsity.slowest_lane() && divides(f.coarse_out, l.sparsity.group_filters))
        return slowest_lane_cycles(l.sparsity, f.fine, S, f.coarse_out);
    return slowest_stream_cycles(l.sparsity, f.fine, S);
}

} // namespace detail

/// The stream terms of MODEL.md for a layer with weights: the words per stream
/// read from the (padded) input (a sparse layer under the pointwise model,
/// pointwise_sparse_model, reads H*W*C/S) or
/// written to the output, whichever is more.
constexpr count_t stream_words(const layer& l, const folding& f) noexcept {
    const count_t S = streams_in(l, f), So = streams_out(l, f);
    const count_t in_words = l.type == layer_type::inner_product
                                 ? l.channels_in() / S
                                 : (implemented_sparse(l, f) && pointwise_sparse_model(l) ? l.in.rows * l.in.cols
                                                                                     : l.padded_rows() * l.padded_cols()) *
                                       l.in.channels / S;
    const count_t out_words = l.out.size() / So;
    return in_words > out_words ? in_words : out_words;
}

/// Windows a sparse convolution's slowest stream processes per image:
/// Wk = Ho*Wo * (C/S) * F/(co*G); its latency term is Wk times the mean cycles
/// per window of that stream.
constexpr count_t sparse_windows(const layer& l, const folding& f) noexcept {
    const count_t S = f.coarse_in * f.coarse_group;
    return l.out.rows * l.out.cols * (l.in.channels / S) * (l.filters() / (f.coarse_out * l.groups));
}

/// Calls `visit(module, replicas)` for every module the layer instantiates.
template <class Visitor>
constexpr void for_each_module(const layer& l, const folding& f, Visitor&& visit) {
    const count_t w = l.width.data, ww = l.width.weight, aw = l.width.acc;
    switch (l.type) {
    case layer_type::convolution:
    case layer_type::inner_product: {
        const bool fc = l.type == layer_type::inner_product;
        const bool sparse = !fc && implemented_sparse(l, f);
        const count_t ci = f.coarse_in, co = f.coarse_out, cg = fc ? 1 : f.coarse_group;
        const count_t fine = fc ? 1 : f.fine;
        const count_t G = fc ? 1 : l.groups, C = l.channels_in(), F = l.filters();
        const count_t K = fc ? 1 : l.kernel_size();
        const count_t S = ci * cg;
        const count_t Ho = l.out.rows, Wo = l.out.cols;
        const count_t windows = (fc ? 1 : Ho * Wo) * (C / S); // windows per input stream
        const count_t filters = F / (co * G);                  // filters per output stream
        // sparse layers replicate single-stream modules; dense layers pack the streams
        const count_t lanes = sparse ? 1 : S;
        const count_t reps = sparse ? S : 1;
        if (!fc && l.has_padding())
            visit(modules::pad{l.in.rows, l.in.cols, l.in.channels, l.pad_top, l.pad_right,
                               l.pad_bottom, l.pad_left, S, w},
                  1);
        if (!fc && has_sliding_window(l))
            visit(modules::sliding_window{l.padded_rows(), l.padded_cols(), C / reps, l.kernel_rows,
                                          l.kernel_cols, l.stride_rows, l.stride_cols, lanes, w},
                  reps);
        if (!sparse && fine != K)
            visit(modules::squeeze{windows * S * K, K, fine, S, w}, 1);
        if (co > 1) visit(modules::fork{windows * (sparse ? 1 : K / fine), sparse ? K : fine, co, lanes, w}, reps);
        // a sparse accumulator only receives the windows that are not skipped,
        // at most one per cycle of the sparse dot: its rate follows the dot's
        double sparse_rate = 1.0;
        if (sparse) {
            modules::sparse_vector_dot dot{windows * filters, K, filters, fine, w, ww, aw};
            dot.cycles_per_window = detail::sparse_cycles_per_window(l, f);
            sparse_rate = std::min(1.0, dot.cycles_per_window);
            visit(dot, S * co);
        } else {
            visit(modules::vector_dot{windows * filters * (K / fine), filters, fine, S * co, w, ww, aw}, 1);
        }
        // partial sums to add: the C/S channels of a stream and, dense, the K/f chunks of a window
        if ((C / S) * (sparse ? 1 : K / fine) > 1)
            visit(modules::accumulator{sparse ? ceil_to_count(static_cast<double>(windows * filters) * sparse_rate)
                                              : windows * filters * (K / fine),
                                       (C / S) * (sparse ? 1 : K / fine), filters, sparse ? 1 : S * co, aw},
                  sparse ? S * co : 1);
        const count_t words_out = (fc ? 1 : Ho * Wo) * F / (co * cg);
        if (ci > 1) visit(modules::glue{words_out, ci, sparse ? 1 : co * cg, aw}, sparse ? co * cg : 1);
        if (l.hardware_bias())
            visit(modules::bias{words_out, sparse ? F / (co * cg) : F, sparse ? 1 : co * cg, w, aw},
                  sparse ? co * cg : 1);
        return;
    }
    case layer_type::pooling: {
        const count_t S = f.coarse_in;
        if (l.has_padding())
            visit(modules::pad{l.in.rows, l.in.cols, l.in.channels, l.pad_top, l.pad_right,
                               l.pad_bottom, l.pad_left, S, w},
                  1);
        visit(modules::sliding_window{l.padded_rows(), l.padded_cols(), l.in.channels, l.kernel_rows,
                                      l.kernel_cols, l.stride_rows, l.stride_cols, S, w},
              1);
        visit(modules::pool{l.out.rows * l.out.cols * l.in.channels / S, l.kernel_size(),
                            l.pool == pool_op::avg ? 1 : 0, S, w},
              1);
        return;
    }
    case layer_type::global_pooling:
        visit(modules::global_pool{l.in.rows, l.in.cols, l.in.channels, l.pool == pool_op::avg ? 1 : 0,
                                   f.coarse_in, w, aw},
              1);
        return;
    case layer_type::relu:
    case layer_type::thresholded_relu:
    case layer_type::hardswish:
    case layer_type::hardsigmoid:
    case layer_type::sigmoid:
    case layer_type::relu6:
        visit(modules::activation{l.in.size() / f.coarse_in, detail::activation_of(l.type), f.coarse_in, w}, 1);
        return;
    case layer_type::eltwise:
        visit(modules::eltwise{l.out.size() / f.coarse_in, static_cast<count_t>(l.inputs.size() < 2 ? 2 : l.inputs.size()),
                               l.op == eltwise_op::mul ? 1 : 0, l.broadcast ? 1 : 0, l.out.channels,
                               f.coarse_in, w},
              1);
        return;
    case layer_type::concat:
        visit(modules::concat{l.out.size() / f.coarse_in, static_cast<count_t>(l.inputs.size()),
                              f.coarse_in, w},
              1);
        return;
    case layer_type::split:
        visit(modules::fork{l.in.size() / f.coarse_in, 1, l.fan_out, f.coarse_in, w}, 1);
        return;
    case layer_type::squeeze:
        visit(modules::squeeze{l.in.size(), f.coarse_in, f.coarse_out, 1, w}, 1);
        return;
    }
}

} // namespace hass
