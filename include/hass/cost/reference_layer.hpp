// fpgaConvNet's model of one layer, reproduced exactly (docs/cost_model.md):
// latency, pipeline depth, balanced rates and LUT/FF/DSP/BRAM/URAM, with every
// quirk of the reference (fpgaconvnet-model edfbeb6, chisel backend, linear
// regression). This is the layer level of hass::cost::fpgaconvnet; the
// module figures are in modules.hpp, the weight rules in weights.hpp.
//
// fpgaconvnet_layer(table, layer, folding, visit) calls
// visit(key, figure, copies, counted) for every module the reference lists for
// the layer (its per-module figures, one instance each, before omission,
// copies and packing) and returns the layer's totals.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "hass/cost/modules.hpp"
#include "hass/cost/regression.hpp"
#include "hass/cost/weights.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"

namespace hass::cost {

/// fpgaConvNet's layer classes (the reference's layer_type names).
enum class reference_kind {
    convolution,           ///< ConvolutionLayer (dense)
    convolution_sparse,    ///< ConvolutionSparseLayer
    convolution_pointwise, ///< ConvolutionPointwiseSparseLayer
    inner_product,
    pooling,
    global_pooling,
    relu, ///< ReLULayer (also thresholded ReLU, ReLU6, and hass's stand-in for sigmoids)
    hardswish,
    eltwise,
    concat,
    split,
    squeeze,
};

constexpr std::string_view to_string(reference_kind k) noexcept {
    switch (k) {
    case reference_kind::convolution: return "ConvolutionLayer";
    case reference_kind::convolution_sparse: return "ConvolutionSparseLayer";
    case reference_kind::convolution_pointwise: return "ConvolutionPointwiseSparseLayer";
    case reference_kind::inner_product: return "InnerProductLayer";
    case reference_kind::pooling: return "PoolingLayer";
    case reference_kind::global_pooling: return "GlobalPoolingLayer";
    case reference_kind::relu: return "ReLULayer";
    case reference_kind::hardswish: return "HardswishLayer";
    case reference_kind::eltwise: return "EltWiseLayer";
    case reference_kind::concat: return "ConcatLayer";
    case reference_kind::split: return "SplitLayer";
    case reference_kind::squeeze: return "SqueezeLayer";
    }
    return "?";
}

/// The reference class that models a hass layer under a folding.
constexpr reference_kind reference_kind_of(const layer& l, const folding& f) noexcept {
    switch (l.type) {
    case layer_type::convolution:
        if (!implemented_sparse(l, f)) return reference_kind::convolution;
        return l.sparsity.pointwise() ? reference_kind::convolution_pointwise : reference_kind::convolution_sparse;
    case layer_type::inner_product: return reference_kind::inner_product;
    case layer_type::pooling: return reference_kind::pooling;
    case layer_type::global_pooling: return reference_kind::global_pooling;
    case layer_type::hardswish: return reference_kind::hardswish;
    case layer_type::eltwise: return reference_kind::eltwise;
    case layer_type::concat: return reference_kind::concat;
    case layer_type::split: return reference_kind::split;
    case layer_type::squeeze: return reference_kind::squeeze;
    default: return reference_kind::relu;
    }
}

/// What the reference says of one layer.
struct layer_figures {
    reference_kind kind = reference_kind::relu;
    count_t latency = 0;        ///< cycles per image (max over the modules)
    count_t pipeline_depth = 0; ///< sum of the module depths
    double rate_in = 1, rate_out = 1; ///< balanced words per cycle per stream
    count_t lut = 0, ff = 0, bram = 0, uram = 0;
    double dsp = 0;             ///< fractional for 8- and 4-bit inner products
    bool reports_uram = false;  ///< convolutions and inner products report a URAM figure
    weight_plan weights{};      ///< layers with weights
    count_t weight_bram = 0, weight_uram = 0; ///< on-chip weight blocks (part of bram / uram)
    count_t line_buffer_bram = 0; ///< sliding-window line buffer (all copies), dropped when the input is streamed
    double stream_bits_per_cycle = 0; ///< off-chip weight stream while the layer runs
    bool undefined = false;     ///< the reference has no estimate (bits of 0 in a feature)
};

/// A visitor that ignores the module figures.
struct ignore_modules {
    constexpr void operator()(std::string_view, const module_figure&, count_t, bool) const noexcept {}
};

namespace detail {

/// fpgaConvNet's rate balancing over a chain of modules: each module has a
/// rate in and a rate out (words per cycle); a module that could take words
/// faster than its producer delivers them is slowed down (forward), one that
/// cannot take them as fast slows its producers down (backward). Returns the
/// balanced rate into the first module and out of the last.
struct rate_pair {
    double in = 1, out = 1;
};

template <std::size_t N>
constexpr std::pair<double, double> balance_rates(std::array<rate_pair, N> chain, std::size_t n) noexcept {
    auto mag = [](double x) { return x < 0 ? -x : x; };
    std::array<double, N> ratio{};
    for (std::size_t i = 0; i < n; ++i) ratio[i] = mag(chain[i].out / chain[i].in);
    for (std::size_t i = 1; i < n; ++i) {
        const std::size_t m = n - i;
        if (mag(chain[m].in) > mag(chain[m - 1].out)) {
            for (std::size_t j = m; j < n; ++j) {
                if (mag(chain[j].in) <= mag(chain[j - 1].out)) break;
                chain[j].in = mag(chain[j - 1].out);
                chain[j].out = -chain[j].in * ratio[j];
            }
        } else if (mag(chain[m].in) < mag(chain[m - 1].out)) {
            for (std::size_t j = 0; j < m; ++j) {
                if (mag(chain[m - j].in) >= mag(chain[m - j - 1].out)) break;
                chain[m - j - 1].out = -mag(chain[m - j].in);
                chain[m - j - 1].in = -chain[m - j - 1].out / ratio[m - j - 1];
            }
        }
    }
    return {mag(chain[0].in), mag(chain[n - 1].out)};
}

/// Sum of `n` doubles in the order NumPy's pairwise summation adds them (the
/// reference's np.sum / np.mean along a contiguous axis): below 8 values left
/// to right; up to 128 values eight interleaved partial sums combined as a
/// tree, then the remainder; above that the two halves (split at a multiple of
/// 8) recursively.
constexpr double pairwise_sum(const double* a, std::size_t n) noexcept {
    if (n < 8) {
        double r = 0.0;
        for (std::size_t i = 0; i < n; ++i) r = r + a[i];
        return r;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j) r[j] = r[j] + a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res = res + a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/// The permutation NumPy's default argsort (introsort: median-of-three
/// quicksort down to partitions of 16, insertion sort below, heapsort past a
/// depth limit) gives for `v`. Ties keep the order that algorithm leaves them
/// in, which decides how the reference deals equally fast channels to streams.
constexpr std::vector<count_t> numpy_argsort(const std::vector<double>& v) {
    const auto n = static_cast<count_t>(v.size());
    std::vector<count_t> t(v.size());
    for (count_t i = 0; i < n; ++i) t[static_cast<std::size_t>(i)] = i;
    if (n < 2) return t;
    auto val = [&](count_t k) { return v[static_cast<std::size_t>(t[static_cast<std::size_t>(k)])]; };
    auto less = [](double a, double b) { return a < b || (b != b && a == a); };
    auto swap = [&](count_t a, count_t b) {
        const count_t x = t[static_cast<std::size_t>(a)];
        t[static_cast<std::size_t>(a)] = t[static_cast<std::size_t>(b)];
        t[static_cast<std::size_t>(b)] = x;
    };
    auto heapsort = [&](count_t lo, count_t len) {
        // 1-based heap over t[lo .. lo + len - 1]
        auto at = [&](count_t k) -> count_t& { return t[static_cast<std::size_t>(lo + k - 1)]; };
        auto key = [&](count_t idx) { return v[static_cast<std::size_t>(idx)]; };
        for (count_t l = len >> 1; l > 0; --l) {
            const count_t tmp = at(l);
            count_t i = l, j = l << 1;
            while (j <= len) {
                if (j < len && less(key(at(j)), key(at(j + 1)))) ++j;
                if (!less(key(tmp), key(at(j)))) break;
                at(i) = at(j);
                i = j;
                j += j;
            }
            at(i) = tmp;
        }
        for (count_t m = len; m > 1;) {
            const count_t tmp = at(m);
            at(m) = at(1);
            --m;
            count_t i = 1, j = 2;
            while (j <= m) {
                if (j < m && less(key(at(j)), key(at(j + 1)))) ++j;
                if (!less(key(tmp), key(at(j)))) break;
                at(i) = at(j);
                i = j;
                j += j;
            }
            at(i) = tmp;
        }
    };
    struct range {
        count_t lo, hi, depth;
    };
    std::vector<range> stack;
    count_t lo = 0, hi = n - 1, depth = 0;
    for (count_t x = n; x >>= 1;) ++depth;
    depth *= 2;
    for (;;) {
        if (depth < 0) {
            heapsort(lo, hi - lo + 1);
        } else {
            while (hi - lo > 15) {
                const count_t mid = lo + ((hi - lo) >> 1);
                if (less(val(mid), val(lo))) swap(mid, lo);
                if (less(val(hi), val(mid))) swap(hi, mid);
                if (less(val(mid), val(lo))) swap(mid, lo);
                const double pivot = val(mid);
                count_t i = lo, j = hi - 1;
                swap(mid, j);
                for (;;) {
                    do ++i;
                    while (less(val(i), pivot));
                    do --j;
                    while (less(pivot, val(j)));
                    if (i >= j) break;
                    swap(i, j);
                }
                swap(i, hi - 1);
                --depth;
                if (i - lo < hi - i) {
                    stack.push_back({i + 1, hi, depth});
                    hi = i - 1;
                } else {
                    stack.push_back({lo, i - 1, depth});
                    lo = i + 1;
                }
            }
            for (count_t i = lo + 1; i <= hi; ++i) {
                const count_t idx = t[static_cast<std::size_t>(i)];
                const double key = v[static_cast<std::size_t>(idx)];
                count_t j = i;
                while (j > lo && less(key, val(j - 1))) {
                    t[static_cast<std::size_t>(j)] = t[static_cast<std::size_t>(j - 1)];
                    --j;
                }
                t[static_cast<std::size_t>(j)] = idx;
            }
        }
        if (stack.empty()) break;
        lo = stack.back().lo;
        hi = stack.back().hi;
        depth = stack.back().depth;
        stack.pop_back();
    }
    return t;
}

/// Cycles of a window with `z` zero products out of K on `fine` multipliers,
/// the reference's table ceil((K - z) / f), with the all-zero bin 0 or 1.
constexpr double reference_window_cycles(count_t z, count_t K, count_t fine, bool skip) noexcept {
    if (z == K) return skip ? 0.0 : 1.0;
    return static_cast<double>(ceil_div(K - z, fine));
}

/// The reference's "opt" interleaving of a sparse convolution's channels:
/// channels sorted by ascending rate 1/m[c] (descending mean cycles), laid out
/// in rows of S, every other row reversed. Returns the stream histograms (the
/// mean over each stream's channels, bin by bin), row-major S x (K + 1).
constexpr std::vector<double> reference_stream_histograms(const sparsity_stats& s, count_t S, count_t fine) {
    const count_t C = s.channels, K = s.kernel;
    std::vector<double> m(static_cast<std::size_t>(C));
    std::vector<double> products(static_cast<std::size_t>(K + 1));
    for (count_t c = 0; c < C; ++c) {
        for (count_t z = 0; z <= K; ++z)
            products[static_cast<std::size_t>(z)] = reference_window_cycles(z, K, fine, s.skip_all_zero) * s.at(c, z);
        m[static_cast<std::size_t>(c)] = pairwise_sum(products.data(), products.size());
    }
    // the reference orders channels with NumPy's argsort of the rates 1/m[c]
    std::vector<double> rate(static_cast<std::size_t>(C));
    for (std::size_t c = 0; c < rate.size(); ++c) rate[c] = 1.0 / m[c];
    const std::vector<count_t> order = numpy_argsort(rate);
    const count_t rows = C / S;
    std::vector<double> hist(static_cast<std::size_t>(S * (K + 1)), 0.0);
    for (count_t r = 0; r < rows; ++r)
        for (count_t k = 0; k < S; ++k) {
            const count_t pos = r % 2 == 0 ? k : S - 1 - k;
            const count_t c = order[static_cast<std::size_t>(r * S + pos)];
            for (count_t z = 0; z <= K; ++z) hist[static_cast<std::size_t>(k * (K + 1) + z)] += s.at(c, z);
        }
    for (double& v : hist) v = v / static_cast<double>(rows);
    return hist;
}

/// Mean cycles per window of each stream from the stream histograms (the
/// all-zero bin first, then the bins with 0..K-1 zeros, as the reference sums).
constexpr double reference_stream_cycles(const std::vector<double>& hist, count_t stream, count_t K, count_t fine,
                                         bool skip) noexcept {
    const std::size_t row = static_cast<std::size_t>(stream * (K + 1));
    double cycles = skip ? 0.0 : hist[row + static_cast<std::size_t>(K)];
    double sum = 0;
    for (count_t z = 0; z < K; ++z)
        sum = sum + static_cast<double>(ceil_div(K - z, fine)) * hist[row + static_cast<std::size_t>(z)];
    return cycles + sum;
}

/// The rate at which a stream's windows are consumed: 1 / sum_z cycles(z) h[s][z]
/// (the reference's np.sum over the bins).
constexpr double reference_stream_rate(const std::vector<double>& hist, count_t stream, count_t K, count_t fine,
                                       bool skip) {
    std::vector<double> products(static_cast<std::size_t>(K + 1));
    const std::size_t row = static_cast<std::size_t>(stream * (K + 1));
    for (count_t z = 0; z <= K; ++z)
        products[static_cast<std::size_t>(z)] = reference_window_cycles(z, K, fine, skip) * hist[row + static_cast<std::size_t>(z)];
    return 1.0 / pairwise_sum(products.data(), products.size());
}

/// Weight depth as the reference forms it: ((F/G) * C * kr * kc) / (f ci co cg) in double, ceiling.
constexpr count_t reference_weight_depth(count_t F, count_t G, count_t C, count_t kr, count_t kc,
                                         count_t lanes) noexcept {
    double q = static_cast<double>(F) / static_cast<double>(G);
    q = q * static_cast<double>(C);
    q = q * static_cast<double>(kr);
    q = q * static_cast<double>(kc);
    return ceil_to_count(q / static_cast<double>(lanes));
}

} // namespace detail

/// fpgaConvNet's latency, depth, rates and resources of a layer (standalone:
/// the folding's streamed_inputs bit 0 drops a convolution's line buffer;
/// `honour_storage` false ignores an inner product's use_uram and
/// stream_weights, as the reference's InnerProduct constructor does).
template <class Visit = ignore_modules>
constexpr layer_figures fpgaconvnet_layer(const coefficient_table& t, const layer& l, const folding& f,
                                          Visit&& visit = {}, bool honour_storage = true) {
    // the figures are kept in locals and the result is formed once at the end
    // (finish): a layer_figures built up in place would first be cleared as one
    // block, a slow string store on x86, for every layer of every design searched
    const reference_kind o_kind = reference_kind_of(l, f);
    count_t o_latency = 0, o_pipeline_depth = 0, o_lut = 0, o_ff = 0, o_bram = 0, o_uram = 0;
    count_t o_weight_bram = 0, o_weight_uram = 0, o_line_buffer_bram = 0;
    double o_rate_in = 1, o_rate_out = 1, o_dsp = 0, o_stream_bits_per_cycle = 0;
    bool o_reports_uram = false, o_undefined = false;
    weight_plan o_weights{};
    auto finish = [&] {
        return layer_figures{.kind = o_kind,
                             .latency = o_latency,
                             .pipeline_depth = o_pipeline_depth,
                             .rate_in = o_rate_in,
                             .rate_out = o_rate_out,
                             .lut = o_lut,
                             .ff = o_ff,
                             .bram = o_bram,
                             .uram = o_uram,
                             .dsp = o_dsp,
                             .reports_uram = o_reports_uram,
                             .weights = o_weights,
                             .weight_bram = o_weight_bram,
                             .weight_uram = o_weight_uram,
                             .line_buffer_bram = o_line_buffer_bram,
                             .stream_bits_per_cycle = o_stream_bits_per_cycle,
                             .undefined = o_undefined};
    };
    const count_t iw = l.width.data, ow = l.width.output, ww = l.width.weight, aw = l.width.acc;
    const count_t dw = l.width.data;
    const bool bfp = l.block_floating_point;
    auto add = [&](std::string_view key, const module_figure& m, count_t copies, bool counted) {
        visit(key, m, copies, counted);
        if (m.undefined) o_undefined = true;
        if (!counted) return;
        o_lut += m.lut * copies;
        o_ff += m.ff * copies;
        o_dsp += m.dsp * static_cast<double>(copies);
        o_bram += m.bram * copies;
    };
    switch (o_kind) {
    case reference_kind::convolution:
    case reference_kind::convolution_sparse:
    case reference_kind::convolution_pointwise: {
        const bool dense = o_kind == reference_kind::convolution;
        const bool pointwise = o_kind == reference_kind::convolution_pointwise;
        o_reports_uram = true;
        const count_t H = l.in.rows, W = l.in.cols, C = l.in.channels, F = l.filters(), G = l.groups;
        const count_t kr = pointwise ? 1 : l.kernel_rows, kc = pointwise ? 1 : l.kernel_cols, K = kr * kc;
        const count_t Hp = l.padded_rows(), Wp = l.padded_cols();
        const count_t Ho = l.out.rows, Wo = l.out.cols;
        const count_t ci = f.coarse_in, co = f.coarse_out, cg = f.coarse_group, fine = f.fine;
        const count_t S_in = ci * cg, S_out = co * cg, S_vd = ci * co * cg;
        const count_t Fv = F / (co * G);
        const count_t Cs = C / S_in;
        const count_t lanes = dense ? S_in : 1;
        // packing of the vector dot's DSP: 1/4 for 4-bit, 1/2 for 8-bit operands
        const double pi = (iw <= 4 && ww <= 4) ? 0.25 : (iw <= 8 && ww <= 8) ? 0.5 : 1.0;
        const bool has_bias = l.hardware_bias();
        const count_t copies_in = dense ? 1 : S_in, copies_vd = dense ? 1 : S_vd, copies_out = dense ? 1 : S_out;

        add("pad", pad(), copies_in, true);
        module_figure sw = sliding_window(t, Hp, Wp, Cs, kr, kc, lanes, iw);
        const window_buffers wb = sliding_window_buffers(Wp, Cs, kr, kc, lanes, iw);
        const bool sw_counted = !(kr == 1 && kc == 1);
        if (sw_counted) {
            o_line_buffer_bram = wb.line_bram * copies_in;
            if (f.streamed_inputs & 1u) sw.bram -= wb.line_bram;
        }
        add("sliding_window", sw, copies_in, sw_counted);
        const module_figure sq = squeeze(t, K, fine, lanes, iw);
        add("squeeze", sq, copies_in, fine != K);
        add("fork", fork(t, fine, co, lanes, iw), copies_in, co != 1);
        module_figure vd = o_kind == reference_kind::convolution_sparse
                               ? sparse_vector_dot(t, Fv, fine, iw, ww, aw)
                               : vector_dot(t, Fv, fine, dense ? S_vd : 1, iw, ww, aw);
        {
            // the dot product: LUT, FF, BRAM times its copies; DSP one ceiling over pi * copies
            visit("vector_dot", vd, copies_vd, true);
            if (vd.undefined) o_undefined = true;
            o_lut += vd.lut * copies_vd;
            o_ff += vd.ff * copies_vd;
            o_bram += vd.bram * copies_vd;
            double dsp = vd.dsp * pi;
            if (!dense) dsp = dsp * static_cast<double>(ci) * static_cast<double>(co) * static_cast<double>(cg);
            o_dsp += static_cast<double>(ceil_to_count(dsp));
        }
        const count_t acc_ch = dense ? (C * K) / (fine * S_in) : pointwise ? C / (fine * S_in) : Cs;
        add("accum", accum(t, acc_ch, Fv, dense ? S_vd : 1, aw), copies_vd, Cs != 1);
        add("glue", glue(t, ci, dense ? S_out : 1, aw), 1, ci != 1);
        if (has_bias) add("bias", bias(t, 1, dense ? S_out : 1, ow), copies_out, true);
        add("shift_scale", shift_scale(dense ? S_out : 1), copies_out, bfp);
        if (!dense) {
            // the sparse dot product does the squeeze's job: one squeeze instance is removed, always
            o_lut -= sq.lut;
            o_ff -= sq.ff;
            o_dsp -= sq.dsp;
            o_bram -= sq.bram;
        }
        // memories
        const count_t weight_lanes = fine * ci * co * cg;
        const count_t depth = detail::reference_weight_depth(F, G, C, kr, kc, weight_lanes);
        const bool uram = f.weights == weight_storage::uram;
        const count_t stream = f.weights == weight_storage::off_chip ? all_blocks : f.stream_weights;
        o_weights = dense ? plan_weights(depth, ww * weight_lanes, 1, uram, stream)
                            : plan_weights(depth, ww, weight_lanes, uram, stream);
        if (uram)
            o_weight_uram = o_weights.on_chip_blocks();
        else
            o_weight_bram = o_weights.on_chip_blocks();
        o_stream_bits_per_cycle = reference_stream_bits_per_cycle(o_weights);
        o_bram += o_weight_bram;
        o_uram += o_weight_uram;
        if (has_bias)
            o_bram += dense ? bram18_blocks(ceil_div(F, S_out), aw * S_out, buffer_kind::memory)
                              : bram18_blocks(ceil_div(F, S_out), aw, buffer_kind::memory) * S_out;
        if (bfp) o_bram += 2 * S_out * bram18_blocks(F / S_out, aw, buffer_kind::memory);

        // latency
        if (dense) {
            const count_t Cv = (C * K) / (fine * S_in);
            o_latency = std::max(Hp * Wp * C / S_in, Ho * Wo * Cv * Fv);
        } else {
            const double workload = static_cast<double>(Ho * Wo) * (static_cast<double>(C) / static_cast<double>(S_in)) *
                                    (static_cast<double>(F) / static_cast<double>(co * G));
            double op = 0;
            if (pointwise) {
                // naive interleaving, clusters of S/clusters consecutive streams, capped sparsity
                const count_t clusters = l.sparsity.clusters > 0 ? l.sparsity.clusters : 1;
                const count_t per_cluster = S_in / clusters;
                const double cap = 1.0 - 1.0 / static_cast<double>(per_cluster);
                double worst = 0;
                std::vector<double> values;
                for (count_t k = 0; k < clusters; ++k) {
                    values.clear();
                    for (count_t s = k * per_cluster; s < (k + 1) * per_cluster; ++s)
                        for (count_t c = s; c < C; c += S_in) values.push_back(l.sparsity.at(c, 1));
                    double sk = detail::pairwise_sum(values.data(), values.size()) / static_cast<double>(values.size());
                    if (sk > cap) sk = cap;
                    worst = std::max(worst, 1.0 - sk);
                }
                op = workload * worst;
            } else {
                const std::vector<double> hist = detail::reference_stream_histograms(l.sparsity, S_in, fine);
                for (count_t s = 0; s < S_in; ++s)
                    op = std::max(op, workload * detail::reference_stream_cycles(hist, s, K, fine,
                                                                                 l.sparsity.skip_all_zero));
            }
            // the data terms use rows * rows (square maps assumed)
            const double data_in = static_cast<double>(H * H * C) / static_cast<double>(S_in);
            const double data_out = static_cast<double>(Ho * Ho * F) / static_cast<double>(S_out);
            o_latency = ceil_to_count(std::max({op, data_in, data_out}));
        }

        // pipeline depth: window fill, dot-product tree, accumulation, glue
        const count_t sw_depth = (kr - 1) * Wp * Cs + (kc - 1) * Cs;
        count_t dot_depth = 0;
        if (o_kind != reference_kind::convolution_sparse) {
            count_t lg = 0;
            while ((count_t{1} << (lg + 1)) <= fine) ++lg;
            dot_depth = lg + 1;
        }
        o_pipeline_depth = sw_depth + dot_depth + acc_ch * Fv + ci;

        // balanced rates of the module chain
        std::array<detail::rate_pair, 9> chain{};
        std::size_t n = 0;
        chain[n++] = {static_cast<double>(H * W) / static_cast<double>(Hp * Wp), 1.0};
        chain[n++] = {static_cast<double>(Hp * Wp) / static_cast<double>(Hp * Wp),
                      static_cast<double>(Ho * Wo) / static_cast<double>(Hp * Wp)};
        chain[n++] = {1.0, 1.0};
        chain[n++] = {1.0, 1.0};
        if (o_kind == reference_kind::convolution_sparse) {
            const std::vector<double> hist = detail::reference_stream_histograms(l.sparsity, S_in, fine);
            double rk = 0;
            double rs = 0;
            for (count_t s = 0; s < S_in; ++s) {
                const double r = detail::reference_stream_rate(hist, s, K, fine, l.sparsity.skip_all_zero);
                rk = s == 0 ? r : std::min(rk, r);
                const double z = 1.0 / (1.0 - hist[static_cast<std::size_t>(s * (K + 1) + K)]);
                rs = s == 0 ? z : std::min(rs, z);
            }
            chain[n++] = {1.0 / static_cast<double>(Fv) * rk, rk};
            if (l.sparsity.skip_all_zero)
                chain[n++] = {rs, std::min(static_cast<double>(Cs), rs) / static_cast<double>(Cs)};
            else
                chain[n++] = {1.0, 1.0 / static_cast<double>(Cs)};
        } else {
            chain[n++] = {1.0 / static_cast<double>(Fv), 1.0};
            chain[n++] = {1.0, 1.0 / static_cast<double>(acc_ch)};
        }
        chain[n++] = {1.0, 1.0};
        if (has_bias) chain[n++] = {1.0, 1.0};
        chain[n++] = {1.0, 1.0};
        const auto [rin, rout] = detail::balance_rates(chain, n);
        o_rate_in = rin;
        o_rate_out = rout;
        return finish();
    }
    case reference_kind::inner_product: {
        o_reports_uram = true;
        const count_t N = l.in.size(), F = l.filters(), ci = f.coarse_in, co = f.coarse_out;
        const double pi = (iw <= 4 && ww <= 4) ? 0.25 : (iw <= 8 && ww <= 8) ? 0.5 : 1.0;
        const bool has_bias = l.hardware_bias();
        add("fork", fork(t, 1, co, ci, iw), 1, co != 1);
        module_figure vd = vector_dot(t, F / co, 1, ci * co, iw, ww, aw);
        visit("vector_dot", vd, 1, true);
        if (vd.undefined) o_undefined = true;
        o_lut += vd.lut;
        o_ff += vd.ff;
        o_bram += vd.bram;
        o_dsp += vd.dsp * pi; // not rounded: 0.5 and 0.25 DSP are possible
        add("accum", accum(t, N / ci, F / co, ci * co, aw), 1, N / ci != 1);
        add("glue", glue(t, ci, co, aw), 1, ci != 1);
        add("bias", bias(t, N, co, ow), 1, has_bias);
        add("shift_scale", shift_scale(co), 1, bfp);
        const bool uram = honour_storage && f.weights == weight_storage::uram;
        const count_t stream = !honour_storage ? 0 : f.weights == weight_storage::off_chip ? all_blocks : f.stream_weights;
        const count_t depth = ceil_to_count(static_cast<double>(F * N) / static_cast<double>(ci * co));
        o_weights = plan_weights(depth, ww * ci * co, 1, uram, stream);
        if (uram)
            o_weight_uram = o_weights.on_chip_blocks();
        else
            o_weight_bram = o_weights.on_chip_blocks();
        o_stream_bits_per_cycle = reference_stream_bits_per_cycle(o_weights);
        o_bram += o_weight_bram;
        o_uram += o_weight_uram;
        if (has_bias) o_bram += bram18_blocks(ceil_div(F, co), aw * co, buffer_kind::memory);
        if (bfp) o_bram += 2 * co * bram18_blocks(F / co, aw, buffer_kind::memory);
        o_latency = std::max(N, (N / ci) * (F / co));
        o_pipeline_depth = 1 + (N / ci) * (F / co) + ci;
        std::array<detail::rate_pair, 6> chain{{{1.0, 1.0},
                                                 {1.0 / static_cast<double>(F / co), 1.0},
                                                 {1.0, 1.0 / static_cast<double>(N / ci)},
                                                 {1.0, 1.0},
                                                 {1.0, 1.0},
                                                 {1.0, 1.0}}};
        const auto [rin, rout] = detail::balance_rates(chain, 6);
        o_rate_in = rin;
        o_rate_out = rout;
        return finish();
    }
    case reference_kind::pooling: {
        const count_t c = f.coarse_in, C = l.in.channels, H = l.in.rows, W = l.in.cols;
        const count_t Hp = l.padded_rows(), Wp = l.padded_cols(), Ho = l.out.rows, Wo = l.out.cols;
        add("pad", pad(), 1, true);
        const module_figure sw = sliding_window(t, Hp, Wp, C / c, l.kernel_rows, l.kernel_cols, c, dw);
        o_line_buffer_bram = sliding_window_buffers(Wp, C / c, l.kernel_rows, l.kernel_cols, c, dw).line_bram;
        add("sliding_window", sw, 1, true);
        add("pool", pool(t, l.kernel_rows, l.kernel_cols, c, dw), 1, true);
        o_latency = Hp * Wp * C / c;
        o_pipeline_depth = (l.kernel_rows - 1) * Wp * (C / c) + (l.kernel_cols - 1) * (C / c);
        std::array<detail::rate_pair, 3> chain{{{static_cast<double>(H * W) / static_cast<double>(Hp * Wp), 1.0},
                                                 {1.0, static_cast<double>(Ho * Wo) / static_cast<double>(Hp * Wp)},
                                                 {1.0, 1.0}}};
        const auto [rin, rout] = detail::balance_rates(chain, 3);
        o_rate_in = rin;
        o_rate_out = rout;
        return finish();
    }
    case reference_kind::global_pooling: {
        const count_t c = f.coarse_in;
        const module_figure g = global_pool(t, l.in.rows, l.in.cols, l.in.channels / c, dw, aw);
        add("global_pool", g, c, true);
        o_latency = l.in.channels / c;
        o_pipeline_depth = l.in.rows * l.in.cols * (l.in.channels / c);
        return finish();
    }
    case reference_kind::relu:
        add("relu", relu(), f.coarse_in, true);
        o_latency = l.in.size() / f.coarse_in;
        return finish();
    case reference_kind::hardswish:
        add("hardswish", hardswish(), f.coarse_in, true);
        o_latency = l.in.size() / f.coarse_in;
        return finish();
    case reference_kind::eltwise: {
        const count_t c = f.coarse_in;
        add("eltwise", eltwise(l.op == eltwise_op::add, l.broadcast, l.in.channels / c, dw), c, true);
        o_latency = l.in.size() / c;
        return finish();
    }
    case reference_kind::concat:
        o_latency = l.out.size() / f.coarse_in;
        return finish();
    case reference_kind::split:
        // the reference never passes the layer's width to the fork: 16 bits
        add("fork", fork(t, 1, l.fan_out, 1, 16), f.coarse_in, true);
        o_latency = l.in.size() / f.coarse_in;
        return finish();
    case reference_kind::squeeze: {
        add("squeeze", squeeze(t, f.coarse_in, f.coarse_out, 1, dw), 1, true);
        const count_t narrow = std::min(f.coarse_in, f.coarse_out);
        o_latency = l.in.rows * l.in.cols * (l.in.channels / narrow);
        return finish();
    }
    }
    return finish();
}

} // namespace hass::cost
