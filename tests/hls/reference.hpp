// Reference implementation of the layers for the bit-exact tests: plain
// nested loops over whole tensors (no streams, no folding), with the same
// fixed-point types and the arithmetic that docs/hls.md specifies, written
// independently of the kernels.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <hass/hls/platform.hpp>

namespace hls_test {

using count_t = std::int64_t;

typedef ap_fixed<16, 8, AP_RND, AP_SAT> data_t;    // 8 fraction bits
typedef ap_fixed<16, 4, AP_RND, AP_SAT> weight_t;  // 12 fraction bits
typedef ap_fixed<32, 12, AP_TRN, AP_WRAP> acc_t;   // 20 = 8 + 12 fraction bits: exact products
typedef ap_ufixed<18, 1, AP_RND, AP_SAT> recip_t;  // the reciprocal constants

/// A feature map, rows x cols x channels, channels innermost.
struct tensor {
    count_t rows = 0, cols = 0, channels = 0;
    std::vector<data_t> v;

    tensor() = default;
    tensor(count_t r, count_t c, count_t ch) : rows(r), cols(c), channels(ch), v(static_cast<std::size_t>(r * c * ch)) {}
    data_t& at(count_t r, count_t c, count_t ch) { return v[static_cast<std::size_t>((r * cols + c) * channels + ch)]; }
    const data_t& at(count_t r, count_t c, count_t ch) const {
        return v[static_cast<std::size_t>((r * cols + c) * channels + ch)];
    }
    /// The value at (r, c, ch) of the map padded with pt rows on top and pl columns on the left.
    data_t padded(count_t r, count_t c, count_t ch, count_t pt, count_t pl) const {
        const count_t rr = r - pt, cc = c - pl;
        if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) return data_t(0);
        return at(rr, cc, ch);
    }
    count_t size() const { return rows * cols * channels; }
};

/// Bits of a sum of n values (ceil(log2 n)).
inline int sum_bits(count_t n) {
    int b = 0;
    while ((count_t{1} << b) < n) ++b;
    return b;
}

// --- random inputs --------------------------------------------------------------

/// Uniform over the raw grid of data_t in [lo, hi); each value is zero with probability zero_p.
inline tensor random_tensor(std::mt19937& rng, count_t r, count_t c, count_t ch, double lo, double hi,
                            double zero_p = 0.0) {
    tensor t(r, c, ch);
    std::uniform_int_distribution<long long> raw(static_cast<long long>(lo * 256), static_cast<long long>(hi * 256) - 1);
    std::bernoulli_distribution zero(zero_p);
    for (auto& x : t.v) x = zero(rng) ? data_t(0) : data_t::from_raw(raw(rng));
    return t;
}

/// n weights uniform in [-range, range) on weight_t's grid; pruned (zero) with probability zero_p.
inline std::vector<weight_t> random_weights(std::mt19937& rng, count_t n, double range, double zero_p = 0.0) {
    std::vector<weight_t> w(static_cast<std::size_t>(n));
    std::uniform_int_distribution<long long> raw(-static_cast<long long>(range * 4096),
                                                 static_cast<long long>(range * 4096) - 1);
    std::bernoulli_distribution zero(zero_p);
    for (auto& x : w) {
        long long r = raw(rng);
        if (r == 0) r = 1; // pruning alone makes zeros
        x = zero(rng) ? weight_t(0) : weight_t::from_raw(r);
    }
    return w;
}

inline std::vector<acc_t> random_bias(std::mt19937& rng, count_t n, double range) {
    std::vector<acc_t> b(static_cast<std::size_t>(n));
    std::uniform_real_distribution<double> u(-range, range);
    for (auto& x : b) x = acc_t(u(rng));
    return b;
}

// --- layers -------------------------------------------------------------------------

struct conv_geometry {
    count_t filters = 1, kernel_rows = 1, kernel_cols = 1, stride_rows = 1, stride_cols = 1;
    count_t pad_top = 0, pad_right = 0, pad_bottom = 0, pad_left = 0, groups = 1;
    bool bias = false;
};

/// Convolution: out(r, c, f) = data_t(sum_{j, i, k} x * W[f][j][i][k] (+ bias[f])),
/// the sum in acc_t, W in OIHW order.
inline tensor ref_conv(const tensor& x, const std::vector<weight_t>& w, const std::vector<acc_t>& b,
                       const conv_geometry& g) {
    const count_t hp = x.rows + g.pad_top + g.pad_bottom, wp = x.cols + g.pad_left + g.pad_right;
    const count_t ho = (hp - g.kernel_rows) / g.stride_rows + 1, wo = (wp - g.kernel_cols) / g.stride_cols + 1;
    const count_t cpg = x.channels / g.groups, fpg = g.filters / g.groups;
    tensor y(ho, wo, g.filters);
    for (count_t r = 0; r < ho; ++r)
        for (count_t c = 0; c < wo; ++c)
            for (count_t f = 0; f < g.filters; ++f) {
                const count_t grp = f / fpg;
                acc_t sum = 0;
                for (count_t j = 0; j < cpg; ++j)
                    for (count_t i = 0; i < g.kernel_rows; ++i)
                        for (count_t k = 0; k < g.kernel_cols; ++k) {
                            const data_t v = x.padded(r * g.stride_rows + i, c * g.stride_cols + k, grp * cpg + j,
                                                      g.pad_top, g.pad_left);
                            const weight_t wt =
                                w[static_cast<std::size_t>(((f * cpg + j) * g.kernel_rows + i) * g.kernel_cols + k)];
                            sum = acc_t(sum + v * wt);
                        }
                y.at(r, c, f) = g.bias ? data_t(sum + b[static_cast<std::size_t>(f)]) : data_t(sum);
            }
    return y;
}

/// Inner product of the HWC-flattened input: W[f][n], n = (r*cols + c)*channels + ch.
inline tensor ref_inner_product(const tensor& x, const std::vector<weight_t>& w, const std::vector<acc_t>& b,
                                count_t features, bool bias) {
    tensor y(1, 1, features);
    const count_t n = x.size();
    for (count_t f = 0; f < features; ++f) {
        acc_t sum = 0;
        for (count_t i = 0; i < n; ++i) sum = acc_t(sum + x.v[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(f * n + i)]);
        y.at(0, 0, f) = bias ? data_t(sum + b[static_cast<std::size_t>(f)]) : data_t(sum);
    }
    return y;
}

/// Max or average pooling; padding inserts zeros, which take part in the max and the mean.
inline tensor ref_pool(const tensor& x, count_t kr, count_t kc, count_t sr, count_t sc, count_t pt, count_t pr,
                       count_t pb, count_t pl, bool average) {
    const count_t hp = x.rows + pt + pb, wp = x.cols + pl + pr;
    const count_t ho = (hp - kr) / sr + 1, wo = (wp - kc) / sc + 1;
    const int b = sum_bits(kr * kc);
    const recip_t scale = recip_t(1.0 / static_cast<double>(kr * kc));
    tensor y(ho, wo, x.channels);
    for (count_t r = 0; r < ho; ++r)
        for (count_t c = 0; c < wo; ++c)
            for (count_t ch = 0; ch < x.channels; ++ch) {
                if (average) {
                    // exact sum: 16 + b bits (b <= 6 for kernels up to 8x8)
                    ap_fixed<24, 14> sum = 0;
                    if (b > 6) throw std::runtime_error("ref_pool: kernel too large");
                    for (count_t i = 0; i < kr; ++i)
                        for (count_t k = 0; k < kc; ++k) sum += x.padded(r * sr + i, c * sc + k, ch, pt, pl);
                    y.at(r, c, ch) = data_t(sum * scale);
                } else {
                    data_t m = x.padded(r * sr, c * sc, ch, pt, pl);
                    for (count_t i = 0; i < kr; ++i)
                        for (count_t k = 0; k < kc; ++k) m = std::max(m, x.padded(r * sr + i, c * sc + k, ch, pt, pl),
                                                                     [](const data_t& a, const data_t& bb) { return a < bb; });
                    y.at(r, c, ch) = m;
                }
            }
    return y;
}

inline tensor ref_global_pool(const tensor& x, bool average) {
    tensor y(1, 1, x.channels);
    const recip_t scale = recip_t(1.0 / static_cast<double>(x.rows * x.cols));
    for (count_t ch = 0; ch < x.channels; ++ch) {
        acc_t sum = 0;
        data_t m = x.at(0, 0, ch);
        for (count_t r = 0; r < x.rows; ++r)
            for (count_t c = 0; c < x.cols; ++c) {
                sum = acc_t(sum + x.at(r, c, ch));
                if (x.at(r, c, ch) > m) m = x.at(r, c, ch);
            }
        y.at(0, 0, ch) = average ? data_t(sum * scale) : m;
    }
    return y;
}

enum class act { relu, thresholded_relu, hardswish, hardsigmoid };

/// The activations as docs/hls.md specifies them.
inline data_t ref_activate(act a, data_t x, data_t threshold) {
    const recip_t sixth = recip_t(1.0 / 6.0);
    switch (a) {
    case act::relu: return x < 0 ? data_t(0) : x;
    case act::thresholded_relu: return x <= threshold ? data_t(0) : x;
    case act::hardswish: {
        const data_t t = std::clamp(data_t(x + 3), data_t(0), data_t(6),
                                    [](const data_t& p, const data_t& q) { return p < q; });
        return data_t(x * t * sixth);
    }
    case act::hardsigmoid: {
        const data_t q = data_t(x * sixth);
        return std::clamp(data_t(q + data_t(0.5)), data_t(0), data_t(1),
                          [](const data_t& p, const data_t& r) { return p < r; });
    }
    }
    return x;
}

inline tensor ref_activation(const tensor& x, act a, data_t threshold = data_t(0)) {
    tensor y = x;
    for (auto& v : y.v) v = ref_activate(a, v, threshold);
    return y;
}

/// a + b (exact, then data_t) or a * b (data_t of the product); b may be 1 x 1 x C (broadcast).
inline tensor ref_eltwise(const tensor& a, const tensor& b, bool multiply) {
    tensor y = a;
    const bool broadcast = b.rows == 1 && b.cols == 1 && (a.rows != 1 || a.cols != 1);
    for (count_t r = 0; r < a.rows; ++r)
        for (count_t c = 0; c < a.cols; ++c)
            for (count_t ch = 0; ch < a.channels; ++ch) {
                const data_t u = a.at(r, c, ch), v = broadcast ? b.at(0, 0, ch) : b.at(r, c, ch);
                y.at(r, c, ch) = multiply ? data_t(u * v) : data_t(u + v);
            }
    return y;
}

inline tensor ref_concat(const tensor& a, const tensor& b) {
    tensor y(a.rows, a.cols, a.channels + b.channels);
    for (count_t r = 0; r < a.rows; ++r)
        for (count_t c = 0; c < a.cols; ++c) {
            for (count_t ch = 0; ch < a.channels; ++ch) y.at(r, c, ch) = a.at(r, c, ch);
            for (count_t ch = 0; ch < b.channels; ++ch) y.at(r, c, a.channels + ch) = b.at(r, c, ch);
        }
    return y;
}

/// Index of the first element that differs (bit-exactly), or -1.
inline count_t first_difference(const tensor& a, const tensor& b) {
    if (a.rows != b.rows || a.cols != b.cols || a.channels != b.channels) return 0;
    for (std::size_t i = 0; i < a.v.size(); ++i)
        if (a.v[i].raw != b.v[i].raw) return static_cast<count_t>(i);
    return -1;
}

} // namespace hls_test
