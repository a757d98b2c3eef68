// Reference implementation of the layers of the HLS kernels: plain nested loops
// over whole tensors (no streams, no folding), with the fixed-point arithmetic
// that docs/hls.md ("Arithmetic") specifies, written independently of the
// kernels.  The kernels' C simulation must match it bit for bit: the tests of
// tests/hls and the test benches that `hass emit-hls` generates compare with it.
//
// Templates over the fixed-point types (data_t, weight_t, acc_t), which may be
// the host stand-ins or the vendor types (only constructors from double,
// comparisons and the full-precision + and * are used).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "hass/hls/kernels/common.hpp"
#include "hass/hls/platform.hpp"

namespace hass::hls::reference {

using index_t = std::int64_t;

/// The reciprocal constants of average pooling, global pooling, HardSwish and
/// HardSigmoid (the type the kernels use).
typedef ap_ufixed<18, 1, AP_RND, AP_SAT> recip_t;

/// A feature map, rows x cols x channels, channels innermost (the stream order).
template <class T>
struct tensor {
    index_t rows = 0, cols = 0, channels = 0;
    std::vector<T> v;

    tensor() = default;
    tensor(index_t r, index_t c, index_t ch)
        : rows(r), cols(c), channels(ch), v(static_cast<std::size_t>(r * c * ch)) {}
    T& at(index_t r, index_t c, index_t ch) { return v[static_cast<std::size_t>((r * cols + c) * channels + ch)]; }
    const T& at(index_t r, index_t c, index_t ch) const {
        return v[static_cast<std::size_t>((r * cols + c) * channels + ch)];
    }
    /// The value at (r, c, ch) of the map padded with pt rows on top and pl columns on the left.
    T padded(index_t r, index_t c, index_t ch, index_t pt, index_t pl) const {
        const index_t rr = r - pt, cc = c - pl;
        if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) return T(0);
        return at(rr, cc, ch);
    }
    index_t size() const { return rows * cols * channels; }
};

/// Bits of a sum of n values (ceil(log2 n)).
inline int sum_bits(index_t n) {
    int b = 0;
    while ((index_t{1} << b) < n) ++b;
    return b;
}

/// A fixed-point type that holds the exact sum of 2^B values of T.
template <class T, int B>
struct exact_sum {
    typedef ap_fixed<T::width + B, T::iwidth + B> type;
};

// --- random values ------------------------------------------------------------------

/// 2^(fraction bits of T) as a double.
template <class T>
double raw_scale() {
    return std::ldexp(1.0, T::width - T::iwidth);
}

/// Uniform over the raw grid of T in [lo, hi); each value is zero with probability zero_p.
template <class T>
tensor<T> random_tensor(std::mt19937& rng, index_t r, index_t c, index_t ch, double lo, double hi,
                        double zero_p = 0.0) {
    tensor<T> t(r, c, ch);
    const double scale = raw_scale<T>();
    std::uniform_int_distribution<long long> raw(static_cast<long long>(lo * scale),
                                                 static_cast<long long>(hi * scale) - 1);
    std::bernoulli_distribution zero(zero_p);
    for (auto& x : t.v) x = zero(rng) ? T(0) : T(static_cast<double>(raw(rng)) / scale);
    return t;
}

/// n values uniform in [-range, range) on T's grid, never zero unless pruned
/// (zero) with probability zero_p.
template <class T>
std::vector<T> random_weights(std::mt19937& rng, index_t n, double range, double zero_p = 0.0) {
    std::vector<T> w(static_cast<std::size_t>(n));
    const double scale = raw_scale<T>();
    std::uniform_int_distribution<long long> raw(-static_cast<long long>(range * scale),
                                                 static_cast<long long>(range * scale) - 1);
    std::bernoulli_distribution zero(zero_p);
    for (auto& x : w) {
        long long r = raw(rng);
        if (r == 0) r = 1; // pruning alone makes zeros
        x = zero(rng) ? T(0) : T(static_cast<double>(r) / scale);
    }
    return w;
}

/// n values of T, T(uniform real in [-range, range)).
template <class T>
std::vector<T> random_bias(std::mt19937& rng, index_t n, double range) {
    std::vector<T> b(static_cast<std::size_t>(n));
    std::uniform_real_distribution<double> u(-range, range);
    for (auto& x : b) x = T(u(rng));
    return b;
}

/// Canonical weights as a sparse design holds them: T(w), or zero where
/// |w| < tau (the weight threshold tau_w; conv_config::pack_* prune alike).
template <class T, class U>
std::vector<T> pruned_weights(const std::vector<U>& w, double tau) {
    std::vector<T> out;
    out.reserve(w.size());
    for (const U& v : w) out.push_back(pruned(v, tau) ? T(0) : T(v));
    return out;
}

/// The input a layer with the activation threshold tau_a reads (a thresholded
/// ReLU in front of this layer alone): values x <= threshold become 0, as the
/// kernels' zero_activation<true> reads them.
template <class T>
tensor<T> below_threshold_to_zero(const tensor<T>& x, const T& threshold) {
    tensor<T> y = x;
    for (auto& v : y.v)
        if (!(v > threshold)) v = T(0);
    return y;
}

// --- layers -------------------------------------------------------------------------

struct conv_geometry {
    index_t filters = 1, kernel_rows = 1, kernel_cols = 1, stride_rows = 1, stride_cols = 1;
    index_t pad_top = 0, pad_right = 0, pad_bottom = 0, pad_left = 0, groups = 1;
    bool bias = false;
};

/// Convolution: out(r, c, f) = data_t(sum_{j, i, k} x * W[f][j][i][k] (+ bias[f])),
/// the sum in acc_t, W in OIHW order.
template <class D, class W, class A>
tensor<D> conv(const tensor<D>& x, const std::vector<W>& w, const std::vector<A>& b, const conv_geometry& g) {
    const index_t hp = x.rows + g.pad_top + g.pad_bottom, wp = x.cols + g.pad_left + g.pad_right;
    const index_t ho = (hp - g.kernel_rows) / g.stride_rows + 1, wo = (wp - g.kernel_cols) / g.stride_cols + 1;
    const index_t cpg = x.channels / g.groups, fpg = g.filters / g.groups;
    tensor<D> y(ho, wo, g.filters);
    for (index_t r = 0; r < ho; ++r)
        for (index_t c = 0; c < wo; ++c)
            for (index_t f = 0; f < g.filters; ++f) {
                const index_t grp = f / fpg;
                A sum = 0;
                for (index_t j = 0; j < cpg; ++j)
                    for (index_t i = 0; i < g.kernel_rows; ++i)
                        for (index_t k = 0; k < g.kernel_cols; ++k) {
                            const D v = x.padded(r * g.stride_rows + i, c * g.stride_cols + k, grp * cpg + j,
                                                 g.pad_top, g.pad_left);
                            const W wt =
                                w[static_cast<std::size_t>(((f * cpg + j) * g.kernel_rows + i) * g.kernel_cols + k)];
                            sum = A(sum + v * wt);
                        }
                y.at(r, c, f) = g.bias ? D(sum + b[static_cast<std::size_t>(f)]) : D(sum);
            }
    return y;
}

/// Inner product of the HWC-flattened input: W[f][n], n = (r*cols + c)*channels + ch.
template <class D, class W, class A>
tensor<D> inner_product(const tensor<D>& x, const std::vector<W>& w, const std::vector<A>& b, index_t features,
                        bool bias) {
    tensor<D> y(1, 1, features);
    const index_t n = x.size();
    for (index_t f = 0; f < features; ++f) {
        A sum = 0;
        for (index_t i = 0; i < n; ++i)
            sum = A(sum + x.v[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(f * n + i)]);
        y.at(0, 0, f) = bias ? D(sum + b[static_cast<std::size_t>(f)]) : D(sum);
    }
    return y;
}

/// Max or average pooling; padding inserts zeros, which take part in the max and the mean.
template <class D>
tensor<D> pool(const tensor<D>& x, index_t kr, index_t kc, index_t sr, index_t sc, index_t pt, index_t pr, index_t pb,
               index_t pl, bool average) {
    const index_t hp = x.rows + pt + pb, wp = x.cols + pl + pr;
    const index_t ho = (hp - kr) / sr + 1, wo = (wp - kc) / sc + 1;
    if (sum_bits(kr * kc) > 8) throw std::runtime_error("reference::pool: kernel larger than 256 elements");
    typedef typename exact_sum<D, 8>::type sum_t; // exact for up to 256 elements
    const recip_t scale = recip_t(1.0 / static_cast<double>(kr * kc));
    tensor<D> y(ho, wo, x.channels);
    for (index_t r = 0; r < ho; ++r)
        for (index_t c = 0; c < wo; ++c)
            for (index_t ch = 0; ch < x.channels; ++ch) {
                if (average) {
                    sum_t sum = 0;
                    for (index_t i = 0; i < kr; ++i)
                        for (index_t k = 0; k < kc; ++k) sum += x.padded(r * sr + i, c * sc + k, ch, pt, pl);
                    y.at(r, c, ch) = D(sum * scale);
                } else {
                    D m = x.padded(r * sr, c * sc, ch, pt, pl);
                    for (index_t i = 0; i < kr; ++i)
                        for (index_t k = 0; k < kc; ++k) {
                            const D v = x.padded(r * sr + i, c * sc + k, ch, pt, pl);
                            if (m < v) m = v;
                        }
                    y.at(r, c, ch) = m;
                }
            }
    return y;
}

/// Global average (the sum in acc_t times recip_t(1/(H*W))) or max pooling to 1 x 1 x C.
template <class A, class D>
tensor<D> global_pool(const tensor<D>& x, bool average) {
    tensor<D> y(1, 1, x.channels);
    const recip_t scale = recip_t(1.0 / static_cast<double>(x.rows * x.cols));
    for (index_t ch = 0; ch < x.channels; ++ch) {
        A sum = 0;
        D m = x.at(0, 0, ch);
        for (index_t r = 0; r < x.rows; ++r)
            for (index_t c = 0; c < x.cols; ++c) {
                sum = A(sum + x.at(r, c, ch));
                if (x.at(r, c, ch) > m) m = x.at(r, c, ch);
            }
        y.at(0, 0, ch) = average ? D(sum * scale) : m;
    }
    return y;
}

enum class act { relu, thresholded_relu, hardswish, hardsigmoid, relu6 };

/// The activations as docs/hls.md specifies them.
template <class D>
D activate(act a, D x, D threshold) {
    const recip_t sixth = recip_t(1.0 / 6.0);
    switch (a) {
    case act::relu: return x < 0 ? D(0) : x;
    case act::thresholded_relu: return x <= threshold ? D(0) : x;
    case act::hardswish: {
        D t = D(x + 3);
        if (t < 0) t = D(0);
        if (t > 6) t = D(6);
        return D(x * t * sixth);
    }
    case act::hardsigmoid: {
        D q = D(D(x * sixth) + D(0.5));
        if (q < 0) q = D(0);
        if (q > 1) q = D(1);
        return q;
    }
    case act::relu6: return x < 0 ? D(0) : x > 6 ? D(6) : x;
    }
    return x;
}

template <class D>
tensor<D> activation(const tensor<D>& x, act a, D threshold = D(0)) {
    tensor<D> y = x;
    for (auto& v : y.v) v = activate(a, v, threshold);
    return y;
}

/// in[0] + in[1] + ... (exact, then one conversion to data_t) or
/// data_t(data_t(in[0] * in[1]) * in[2]) ...; a later input may be 1 x 1 x C (broadcast).
template <class D>
tensor<D> eltwise(const std::vector<const tensor<D>*>& in, bool multiply) {
    if (in.size() < 2 || in.size() > 256) throw std::runtime_error("reference::eltwise: 2 to 256 inputs");
    const tensor<D>& a = *in[0];
    tensor<D> y = a;
    typedef typename exact_sum<D, 8>::type sum_t;
    auto value = [&](const tensor<D>& t, index_t r, index_t c, index_t ch) {
        const bool broadcast = t.rows == 1 && t.cols == 1 && (a.rows != 1 || a.cols != 1);
        return broadcast ? t.at(0, 0, ch) : t.at(r, c, ch);
    };
    for (index_t r = 0; r < a.rows; ++r)
        for (index_t c = 0; c < a.cols; ++c)
            for (index_t ch = 0; ch < a.channels; ++ch) {
                if (multiply) {
                    D p = a.at(r, c, ch);
                    for (std::size_t k = 1; k < in.size(); ++k) p = D(p * value(*in[k], r, c, ch));
                    y.at(r, c, ch) = p;
                } else {
                    sum_t s = a.at(r, c, ch);
                    for (std::size_t k = 1; k < in.size(); ++k) s += value(*in[k], r, c, ch);
                    y.at(r, c, ch) = D(s);
                }
            }
    return y;
}

template <class D>
tensor<D> eltwise(const tensor<D>& a, const tensor<D>& b, bool multiply) {
    return eltwise<D>(std::vector<const tensor<D>*>{&a, &b}, multiply);
}

/// Per pixel, the channels of in[0], then of in[1], ...
template <class D>
tensor<D> concat(const std::vector<const tensor<D>*>& in) {
    index_t channels = 0;
    for (const auto* t : in) channels += t->channels;
    const tensor<D>& a = *in.front();
    tensor<D> y(a.rows, a.cols, channels);
    for (index_t r = 0; r < a.rows; ++r)
        for (index_t c = 0; c < a.cols; ++c) {
            index_t base = 0;
            for (const auto* t : in) {
                for (index_t ch = 0; ch < t->channels; ++ch) y.at(r, c, base + ch) = t->at(r, c, ch);
                base += t->channels;
            }
        }
    return y;
}

template <class D>
tensor<D> concat(const tensor<D>& a, const tensor<D>& b) {
    return concat<D>(std::vector<const tensor<D>*>{&a, &b});
}

/// Index of the first element that differs (bit-exactly: equal values of one
/// fixed-point type have equal bits), 0 when the shapes differ, or -1.
template <class D>
index_t first_difference(const tensor<D>& a, const tensor<D>& b) {
    if (a.rows != b.rows || a.cols != b.cols || a.channels != b.channels) return 0;
    for (std::size_t i = 0; i < a.v.size(); ++i)
        if (!(a.v[i] == b.v[i])) return static_cast<index_t>(i);
    return -1;
}

// --- streams ----------------------------------------------------------------------

/// Writes a map in stream order: element n of the flattened map on stream n % S
/// (channel c on stream c % S when S divides the channels).
template <class D>
void feed(const tensor<D>& t, ::hls::stream<D>* s, index_t streams) {
    for (index_t i = 0; i < t.size(); ++i) s[i % streams].write(t.v[static_cast<std::size_t>(i)]);
}

/// Reads a rows x cols x channels map in stream order from S streams.
template <class D>
tensor<D> drain(::hls::stream<D>* s, index_t streams, index_t rows, index_t cols, index_t channels) {
    tensor<D> t(rows, cols, channels);
    for (index_t i = 0; i < t.size(); ++i) t.v[static_cast<std::size_t>(i)] = s[i % streams].read();
    return t;
}

/// True when every one of the S streams is empty.
template <class D>
bool all_empty(::hls::stream<D>* s, index_t streams) {
    for (index_t i = 0; i < streams; ++i)
        if (!s[i].empty()) return false;
    return true;
}

} // namespace hass::hls::reference
