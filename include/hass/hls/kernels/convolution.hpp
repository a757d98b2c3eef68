// Convolution and inner-product layers: the modules of
// hass::for_each_module wired together, dense (packed modules) and sparse
// (modules replicated per stream).
#pragma once

#include <type_traits>

#include "hass/hls/kernels/accumulator.hpp"
#include "hass/hls/kernels/bias.hpp"
#include "hass/hls/kernels/common.hpp"
#include "hass/hls/kernels/fork.hpp"
#include "hass/hls/kernels/glue.hpp"
#include "hass/hls/kernels/pad.hpp"
#include "hass/hls/kernels/sliding_window.hpp"
#include "hass/hls/kernels/sparse_vector_dot.hpp"
#include "hass/hls/kernels/squeeze.hpp"
#include "hass/hls/kernels/vector_dot.hpp"

namespace hass::hls {

/// Geometry and folding of a convolution, and everything derived from them
/// exactly as hass::for_each_module derives its module parameters.
///
/// Streams: the layer reads S = COARSE_IN * COARSE_GROUP streams (channel c on
/// stream c % S) and writes So = COARSE_OUT * COARSE_GROUP streams (filter f
/// on stream f % So).  This channel interleaving keeps the channels of each
/// group on fixed streams only when COARSE_GROUP == 1 or the layer is
/// depthwise (CHANNELS == GROUPS == FILTERS); other grouped foldings are
/// rejected (static_assert).
///
/// Canonical weights: W[f][j][i][k] (filter f < FILTERS, channel j <
/// CHANNELS/GROUPS of the filter's group, kernel row i, kernel column k), flat
/// index ((f * CHANNELS/GROUPS + j) * KERNEL_ROWS + i) * KERNEL_COLS + k (the
/// PyTorch OIHW order).  Lane l = o * S + s is coarse_out lane o of input
/// stream s; the k-th channel of stream s is c = s + k*S, of group g = c /
/// (C/G), channel j = c % (C/G) of that group; its r-th filter on lane o is f
/// = g * F/G + o + r * COARSE_OUT.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t FILTERS, count_t KERNEL_ROWS, count_t KERNEL_COLS,
          count_t STRIDE_ROWS, count_t STRIDE_COLS, count_t PAD_TOP, count_t PAD_RIGHT, count_t PAD_BOTTOM,
          count_t PAD_LEFT, count_t GROUPS, bool HAS_BIAS, count_t COARSE_IN, count_t COARSE_OUT,
          count_t COARSE_GROUP, count_t FINE>
struct conv_config {
    static constexpr count_t rows = ROWS, cols = COLS, channels = CHANNELS, filters = FILTERS;
    static constexpr count_t kernel_rows = KERNEL_ROWS, kernel_cols = KERNEL_COLS;
    static constexpr count_t stride_rows = STRIDE_ROWS, stride_cols = STRIDE_COLS;
    static constexpr count_t pad_top = PAD_TOP, pad_right = PAD_RIGHT, pad_bottom = PAD_BOTTOM, pad_left = PAD_LEFT;
    static constexpr count_t groups = GROUPS;
    static constexpr bool has_bias = HAS_BIAS;
    static constexpr count_t coarse_in = COARSE_IN, coarse_out = COARSE_OUT, coarse_group = COARSE_GROUP;
    static constexpr count_t fine = FINE;

    static constexpr count_t kernel = KERNEL_ROWS * KERNEL_COLS;
    static constexpr count_t padded_rows = ROWS + PAD_TOP + PAD_BOTTOM;
    static constexpr count_t padded_cols = COLS + PAD_LEFT + PAD_RIGHT;
    static constexpr count_t rows_out = (padded_rows - KERNEL_ROWS) / STRIDE_ROWS + 1;
    static constexpr count_t cols_out = (padded_cols - KERNEL_COLS) / STRIDE_COLS + 1;
    static constexpr count_t streams_in = COARSE_IN * COARSE_GROUP;
    static constexpr count_t streams_out = COARSE_OUT * COARSE_GROUP;
    static constexpr count_t channels_per_stream = CHANNELS / streams_in;
    static constexpr count_t channels_per_group = CHANNELS / GROUPS;
    static constexpr count_t filters_per_group = FILTERS / GROUPS;
    static constexpr count_t filters_per_lane = FILTERS / (COARSE_OUT * GROUPS);
    static constexpr count_t groups_per_stream = GROUPS / COARSE_GROUP;
    static constexpr count_t lanes = streams_in * COARSE_OUT;
    static constexpr count_t windows = rows_out * cols_out * channels_per_stream; // per input stream
    static constexpr count_t words_out = rows_out * cols_out * FILTERS / streams_out;
    static constexpr bool has_pad = PAD_TOP + PAD_RIGHT + PAD_BOTTOM + PAD_LEFT > 0;
    static constexpr bool pointwise = kernel == 1 && STRIDE_ROWS == 1 && STRIDE_COLS == 1;
    static constexpr bool has_fork = COARSE_OUT > 1;
    static constexpr bool has_glue = COARSE_IN > 1;

    // dense
    static constexpr count_t chunks = kernel / FINE; // chunks per window
    static constexpr bool has_squeeze = FINE != kernel;
    /// The C/S channels of a stream and the K/FINE chunks of a window both need
    /// adding: an accumulator when (C/S)*(K/FINE) > 1, as the model builds it.
    static constexpr bool has_accumulator = channels_per_stream * chunks > 1;
    static constexpr count_t dense_depth = channels_per_stream * chunks * filters_per_lane;
    // sparse
    static constexpr bool sparse_has_accumulator = channels_per_stream > 1;
    static constexpr count_t sparse_depth = channels_per_stream * filters_per_lane;

    static constexpr count_t bias_depth = FILTERS / streams_out;
    static constexpr count_t weight_count = FILTERS * channels_per_group * kernel;

    static_assert(CHANNELS % GROUPS == 0 && FILTERS % GROUPS == 0, "convolution: GROUPS must divide C and F");
    static_assert(channels_per_group % COARSE_IN == 0, "convolution: COARSE_IN must divide C/G");
    static_assert(filters_per_group % COARSE_OUT == 0, "convolution: COARSE_OUT must divide F/G");
    static_assert(GROUPS % COARSE_GROUP == 0, "convolution: COARSE_GROUP must divide G");
    static_assert(FINE >= 1 && FINE <= kernel, "convolution: 1 <= FINE <= K");
    static_assert(COARSE_GROUP == 1 || (CHANNELS == GROUPS && FILTERS == GROUPS),
                  "convolution: COARSE_GROUP > 1 is supported for depthwise layers only (the channel "
                  "interleaving c % S would mix the groups of other grouped layers)");
    static_assert(KERNEL_ROWS <= padded_rows && KERNEL_COLS <= padded_cols, "convolution: kernel larger than map");

    /// Flat index of W[f][j][i][k] in the canonical order.
    static constexpr count_t canonical_index(count_t f, count_t j, count_t i, count_t k) {
        return ((f * channels_per_group + j) * KERNEL_ROWS + i) * KERNEL_COLS + k;
    }
    /// Canonical index of element `p` (row-major in the window) of the weight
    /// vector of filter r on lane l for the k-th channel of its stream.
    static constexpr count_t lane_weight(count_t l, count_t k, count_t r, count_t p) {
        const count_t o = l / streams_in, s = l % streams_in;
        const count_t c = s + k * streams_in;
        const count_t g = c / channels_per_group, j = c % channels_per_group;
        const count_t f = g * filters_per_group + o + r * COARSE_OUT;
        return canonical_index(f, j, p / KERNEL_COLS, p % KERNEL_COLS);
    }

    /// A canonical weight as the table holds it: zero when pruned (|w| < prune,
    /// the weight threshold tau_w), else T(w).
    template <class T, class U>
    static T table_weight(const U& w, double prune) {
        return pruned(w, prune) ? T(0) : T(w);
    }
    /// Dense weight table: out[l][d][e], d = (k * chunks + q) * filters_per_lane + r,
    /// element e of chunk q (window element q*FINE + e); weights with |w| < prune are zero.
    template <class T, class U>
    static void pack_dense(const U* canonical, T (&out)[lanes][dense_depth][FINE], double prune = 0) {
        for (count_t l = 0; l < lanes; ++l)
            for (count_t k = 0; k < channels_per_stream; ++k)
                for (count_t q = 0; q < chunks; ++q)
                    for (count_t r = 0; r < filters_per_lane; ++r)
                        for (count_t e = 0; e < FINE; ++e)
                            out[l][(k * chunks + q) * filters_per_lane + r][e] =
                                table_weight<T>(canonical[lane_weight(l, k, r, q * FINE + e)], prune);
    }
    /// Sparse weight table: out[l][d][p], d = k * filters_per_lane + r; weights with |w| < prune are zero.
    template <class T, class U>
    static void pack_sparse(const U* canonical, T (&out)[lanes][sparse_depth][kernel], double prune = 0) {
        for (count_t l = 0; l < lanes; ++l)
            for (count_t k = 0; k < channels_per_stream; ++k)
                for (count_t r = 0; r < filters_per_lane; ++r)
                    for (count_t p = 0; p < kernel; ++p)
                        out[l][k * filters_per_lane + r][p] = table_weight<T>(canonical[lane_weight(l, k, r, p)], prune);
    }
    /// Bias table: out[p][t] is the bias of filter t * So + p.
    template <class T, class U>
    static void pack_bias(const U* bias, T (&out)[streams_out][bias_depth]) {
        for (count_t p = 0; p < streams_out; ++p)
            for (count_t t = 0; t < bias_depth; ++t) out[p][t] = T(bias[t * streams_out + p]);
    }
};

/// An inner product of a ROWS x COLS x CHANNELS input (flattened in stream
/// order, n = (r * COLS + c) * CHANNELS + ch) to FILTERS outputs is the 1 x 1
/// convolution of a 1 x 1 x N map; weight W[f][n] is canonical W[f][n][0][0].
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t FILTERS, bool HAS_BIAS, count_t COARSE_IN,
          count_t COARSE_OUT>
using inner_product_config =
    conv_config<1, 1, ROWS * COLS * CHANNELS, FILTERS, 1, 1, 1, 1, 0, 0, 0, 0, 1, HAS_BIAS, COARSE_IN, COARSE_OUT, 1, 1>;

/// Dense convolution: Pad -> SlidingWindow -> Squeeze(K -> FINE) ->
/// Fork(COARSE_OUT) -> VectorDot -> Accumulator -> Glue -> Bias, each module
/// one packed instance, each present exactly when hass::for_each_module
/// builds it (except the accumulator, see conv_config::has_accumulator).  The
/// last present module writes data_t; the others pass acc_t.
///
/// The wiring selects the present modules with `if constexpr` and aliases the
/// stream arrays of absent ones; this is for C simulation and is the
/// reference wiring.  For synthesis, per-layer code should instantiate the
/// same modules straight-line (one local stream array per edge).
/// INPUT_THRESHOLD: the activation threshold tau_a of a sparse design; the dot
/// products read activations x <= threshold as zero.
template <class CFG, class data_t, class weight_t, class acc_t, bool INPUT_THRESHOLD = false>
void convolution(::hls::stream<data_t> in[CFG::streams_in], ::hls::stream<data_t> out[CFG::streams_out],
                 const weight_t (&weights)[CFG::lanes][CFG::dense_depth][CFG::fine],
                 const acc_t (&biases)[CFG::streams_out][CFG::bias_depth], data_t threshold = data_t(0)) {
    HASS_PRAGMA(HLS DATAFLOW)
    static_assert(CFG::kernel % CFG::fine == 0, "convolution: a dense layer needs FINE dividing K");
    constexpr count_t S = CFG::streams_in, So = CFG::streams_out, L = CFG::lanes, K = CFG::kernel;
    constexpr count_t DW = width_of<data_t>::value, WW = width_of<weight_t>::value, AW = width_of<acc_t>::value;
    constexpr count_t F = CFG::fine;
    constexpr bool bias_last = CFG::has_bias;
    constexpr bool glue_last = CFG::has_glue && !bias_last;
    constexpr bool acc_last = CFG::has_accumulator && !CFG::has_glue && !bias_last;
    constexpr bool dot_last = !CFG::has_accumulator && !CFG::has_glue && !bias_last;
    typedef typename std::conditional<CFG::pointwise, data_t, vec<data_t, K>>::type window_t;
    typedef typename std::conditional<CFG::has_squeeze, vec<data_t, F>, window_t>::type chunk_t;
    typedef typename std::conditional<dot_last, data_t, acc_t>::type dot_t;
    typedef typename std::conditional<acc_last, data_t, acc_t>::type acc_out_t;
    typedef typename std::conditional<glue_last, data_t, acc_t>::type glue_out_t;

    ::hls::stream<data_t> padded[S];
    if constexpr (CFG::has_pad)
        pad<CFG::rows, CFG::cols, CFG::channels, CFG::pad_top, CFG::pad_right, CFG::pad_bottom, CFG::pad_left, S, DW,
            data_t>(in, padded);
    ::hls::stream<data_t>* x = pick<CFG::has_pad>(padded, in);

    ::hls::stream<vec<data_t, K>> windows[S];
    if constexpr (!CFG::pointwise)
        sliding_window<CFG::padded_rows, CFG::padded_cols, CFG::channels, CFG::kernel_rows, CFG::kernel_cols,
                       CFG::stride_rows, CFG::stride_cols, S, DW, data_t>(x, windows);
    ::hls::stream<window_t>* win = pick<!CFG::pointwise>(windows, x);

    ::hls::stream<vec<data_t, F>> chunks[S];
    if constexpr (CFG::has_squeeze)
        squeeze<CFG::windows * S * K, K, F, S, DW, data_t>(win, chunks);
    ::hls::stream<chunk_t>* chunk = pick<CFG::has_squeeze>(chunks, win);

    ::hls::stream<chunk_t> forked[L];
    if constexpr (CFG::has_fork)
        fork<CFG::windows * CFG::chunks, F, CFG::coarse_out, S, DW, chunk_t>(chunk, forked);
    ::hls::stream<chunk_t>* lane_in = pick<CFG::has_fork>(forked, chunk);

    ::hls::stream<acc_t> dots[L];
    ::hls::stream<dot_t>* dot_out = pick<dot_last>(out, dots);
    vector_dot<CFG::windows * CFG::filters_per_lane * CFG::chunks, CFG::filters_per_lane, F, L, DW, WW, AW, data_t,
               weight_t, acc_t, dot_t, INPUT_THRESHOLD>(lane_in, weights, dot_out, threshold);

    ::hls::stream<acc_t> accumulated[L];
    ::hls::stream<acc_out_t>* acc_out = pick<acc_last>(out, accumulated);
    if constexpr (CFG::has_accumulator)
        accumulator<CFG::windows * CFG::filters_per_lane * CFG::chunks, CFG::channels_per_stream * CFG::chunks,
                    CFG::filters_per_lane, L, AW, acc_t, acc_out_t, CFG::groups_per_stream>(dots, acc_out);
    ::hls::stream<acc_t>* partial = pick<CFG::has_accumulator>(accumulated, dots);

    ::hls::stream<acc_t> glued[So];
    ::hls::stream<glue_out_t>* glue_out = pick<glue_last>(out, glued);
    if constexpr (CFG::has_glue)
        glue<CFG::words_out, CFG::coarse_in, So, AW, acc_t, glue_out_t>(partial, glue_out);
    ::hls::stream<acc_t>* summed = pick<CFG::has_glue>(glued, partial);

    if constexpr (CFG::has_bias)
        bias<CFG::words_out, CFG::filters, So, DW, AW, acc_t, data_t>(summed, biases, out);
    (void)summed;
    (void)biases;
}

/// Sparse convolution: Pad (one instance of S streams) -> per input stream
/// SlidingWindow and Fork(COARSE_OUT) -> per lane SparseVectorDot and
/// Accumulator -> per output stream Glue and Bias (hass::for_each_module's
/// sparse branch).  Weights: the sparse table of conv_config::pack_sparse.
/// ACC_DOTS is the model's (rate-scaled) accumulator `dots`, recorded only.
/// INPUT_THRESHOLD: the activation threshold tau_a of a sparse design; the
/// zero detectors read activations x <= threshold as zero (a thresholded ReLU
/// in front of this layer alone), so their products are skipped.
template <class CFG, class data_t, class weight_t, class acc_t, bool SKIP_ALL_ZERO = true, count_t ACC_DOTS = 0,
          bool INPUT_THRESHOLD = false>
void sparse_convolution(::hls::stream<data_t> in[CFG::streams_in], ::hls::stream<data_t> out[CFG::streams_out],
                        const weight_t (&weights)[CFG::lanes][CFG::sparse_depth][CFG::kernel],
                        const acc_t (&biases)[CFG::streams_out][CFG::bias_depth], data_t threshold = data_t(0)) {
    HASS_PRAGMA(HLS DATAFLOW)
    constexpr count_t S = CFG::streams_in, So = CFG::streams_out, L = CFG::lanes, K = CFG::kernel;
    constexpr count_t CO = CFG::coarse_out, CI = CFG::coarse_in;
    constexpr count_t DW = width_of<data_t>::value, WW = width_of<weight_t>::value, AW = width_of<acc_t>::value;
    constexpr bool bias_last = CFG::has_bias;
    constexpr bool glue_last = CFG::has_glue && !bias_last;
    constexpr bool acc_last = CFG::sparse_has_accumulator && !CFG::has_glue && !bias_last;
    constexpr bool dot_last = !CFG::sparse_has_accumulator && !CFG::has_glue && !bias_last;
    typedef typename std::conditional<CFG::pointwise, data_t, vec<data_t, K>>::type window_t;
    typedef typename std::conditional<dot_last, data_t, acc_t>::type dot_t;
    typedef typename std::conditional<acc_last, data_t, acc_t>::type acc_out_t;
    typedef typename std::conditional<glue_last, data_t, acc_t>::type glue_out_t;

    ::hls::stream<data_t> padded[S];
    if constexpr (CFG::has_pad)
        pad<CFG::rows, CFG::cols, CFG::channels, CFG::pad_top, CFG::pad_right, CFG::pad_bottom, CFG::pad_left, S, DW,
            data_t>(in, padded);
    ::hls::stream<data_t>* x = pick<CFG::has_pad>(padded, in);

    ::hls::stream<vec<data_t, K>> windows[S];
    if constexpr (!CFG::pointwise)
        for (count_t s = 0; s < S; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            sliding_window<CFG::padded_rows, CFG::padded_cols, CFG::channels_per_stream, CFG::kernel_rows,
                           CFG::kernel_cols, CFG::stride_rows, CFG::stride_cols, 1, DW, data_t>(x + s, windows + s);
        }
    ::hls::stream<window_t>* win = pick<!CFG::pointwise>(windows, x);

    // lane order inside the sparse path: s * CO + o (each fork's outputs adjacent)
    ::hls::stream<window_t> forked[L];
    if constexpr (CFG::has_fork)
        for (count_t s = 0; s < S; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            fork<CFG::windows, K, CO, 1, DW, window_t>(win + s, forked + s * CO);
        }

    // the stream that lane (s, o) finally feeds: output stream p = o (+ s when depthwise),
    // glue input p * CI + i with i = s % CI
    ::hls::stream<sparse_psum<acc_t>> tagged[L];
    ::hls::stream<acc_t> accumulated[L];
    ::hls::stream<acc_t> glued[So];
    for (count_t s = 0; s < S; ++s) {
        HASS_PRAGMA(HLS UNROLL)
        for (count_t o = 0; o < CO; ++o) {
            HASS_PRAGMA(HLS UNROLL)
            const count_t q = s / CI, i = s % CI;
            const count_t p = q * CO + o;     // output stream of the lane
            const count_t g = p * CI + i;     // its glue input
            ::hls::stream<window_t>& lane_in = CFG::has_fork ? forked[s * CO + o] : win[s];
            if constexpr (CFG::sparse_has_accumulator) {
                sparse_vector_dot<CFG::windows * CFG::filters_per_lane, K, CFG::filters_per_lane, CFG::fine, DW, WW,
                                  AW, data_t, weight_t, acc_t, SKIP_ALL_ZERO, INPUT_THRESHOLD>(
                    lane_in, weights[o * S + s], tagged[s * CO + o], threshold);
                ::hls::stream<acc_out_t>* acc_out = pick<acc_last>(out + p, accumulated + g);
                accumulator<ACC_DOTS, CFG::channels_per_stream, CFG::filters_per_lane, 1, AW, acc_t, acc_out_t,
                            CFG::groups_per_stream>(tagged + s * CO + o, acc_out);
            } else {
                ::hls::stream<dot_t>* dot_out = pick<dot_last>(out + p, accumulated + g);
                sparse_vector_dot<CFG::windows * CFG::filters_per_lane, K, CFG::filters_per_lane, CFG::fine, DW, WW,
                                  AW, data_t, weight_t, acc_t, SKIP_ALL_ZERO, INPUT_THRESHOLD>(
                    lane_in, weights[o * S + s], *dot_out, threshold);
            }
        }
    }
    if constexpr (CFG::has_glue)
        for (count_t p = 0; p < So; ++p) {
            HASS_PRAGMA(HLS UNROLL)
            ::hls::stream<glue_out_t>* glue_out = pick<glue_last>(out + p, glued + p);
            glue<CFG::words_out, CI, 1, AW, acc_t, glue_out_t>(accumulated + p * CI, glue_out);
        }
    ::hls::stream<acc_t>* summed = pick<CFG::has_glue>(glued, accumulated);
    if constexpr (CFG::has_bias)
        for (count_t p = 0; p < So; ++p) {
            HASS_PRAGMA(HLS UNROLL)
            bias<CFG::words_out, CFG::filters / So, 1, DW, AW, acc_t, data_t>(summed + p, biases + p, out + p);
        }
    (void)summed;
    (void)biases;
}

/// Inner product: the dense convolution of an inner_product_config (an inner
/// product has no sparse form in hass::for_each_module).
template <class CFG, class data_t, class weight_t, class acc_t>
void inner_product(::hls::stream<data_t> in[CFG::streams_in], ::hls::stream<data_t> out[CFG::streams_out],
                   const weight_t (&weights)[CFG::lanes][CFG::dense_depth][CFG::fine],
                   const acc_t (&biases)[CFG::streams_out][CFG::bias_depth]) {
    static_assert(CFG::rows == 1 && CFG::cols == 1 && CFG::kernel == 1 && CFG::groups == 1 && CFG::fine == 1,
                  "inner_product: use inner_product_config");
    convolution<CFG, data_t, weight_t, acc_t>(in, out, weights, biases);
}

} // namespace hass::hls
