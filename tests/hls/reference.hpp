// The reference of the bit-exact tests with the test's fixed-point types: the
// layers themselves are include/hass/hls/reference.hpp (plain nested loops over
// whole tensors, written independently of the kernels), shared with the test
// benches that `hass emit-hls` generates.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include <hass/hls/reference.hpp>

namespace hls_test {

using count_t = std::int64_t;

typedef ap_fixed<16, 8, AP_RND, AP_SAT> data_t;    // 8 fraction bits
typedef ap_fixed<16, 4, AP_RND, AP_SAT> weight_t;  // 12 fraction bits
typedef ap_fixed<32, 12, AP_TRN, AP_WRAP> acc_t;   // 20 = 8 + 12 fraction bits: exact products
typedef hass::hls::reference::recip_t recip_t;     // the reciprocal constants

namespace ref = hass::hls::reference;

/// A feature map, rows x cols x channels, channels innermost.
using tensor = ref::tensor<data_t>;
using ref::conv_geometry;
using ref::act;
using ref::sum_bits;

// --- random inputs --------------------------------------------------------------

/// Uniform over the raw grid of data_t in [lo, hi); each value is zero with probability zero_p.
inline tensor random_tensor(std::mt19937& rng, count_t r, count_t c, count_t ch, double lo, double hi,
                            double zero_p = 0.0) {
    return ref::random_tensor<data_t>(rng, r, c, ch, lo, hi, zero_p);
}

/// n weights uniform in [-range, range) on weight_t's grid; pruned (zero) with probability zero_p.
inline std::vector<weight_t> random_weights(std::mt19937& rng, count_t n, double range, double zero_p = 0.0) {
    return ref::random_weights<weight_t>(rng, n, range, zero_p);
}

inline std::vector<acc_t> random_bias(std::mt19937& rng, count_t n, double range) {
    return ref::random_bias<acc_t>(rng, n, range);
}

// --- layers -------------------------------------------------------------------------

inline tensor ref_conv(const tensor& x, const std::vector<weight_t>& w, const std::vector<acc_t>& b,
                       const conv_geometry& g) {
    return ref::conv(x, w, b, g);
}

inline tensor ref_inner_product(const tensor& x, const std::vector<weight_t>& w, const std::vector<acc_t>& b,
                                count_t features, bool bias) {
    return ref::inner_product(x, w, b, features, bias);
}

inline tensor ref_pool(const tensor& x, count_t kr, count_t kc, count_t sr, count_t sc, count_t pt, count_t pr,
                       count_t pb, count_t pl, bool average) {
    return ref::pool(x, kr, kc, sr, sc, pt, pr, pb, pl, average);
}

inline tensor ref_global_pool(const tensor& x, bool average) { return ref::global_pool<acc_t>(x, average); }

inline data_t ref_activate(act a, data_t x, data_t threshold) { return ref::activate(a, x, threshold); }

inline tensor ref_activation(const tensor& x, act a, data_t threshold = data_t(0)) {
    return ref::activation(x, a, threshold);
}

/// a + b (exact, then data_t) or a * b (data_t of the product); b may be 1 x 1 x C (broadcast).
inline tensor ref_eltwise(const tensor& a, const tensor& b, bool multiply) { return ref::eltwise(a, b, multiply); }

inline tensor ref_concat(const tensor& a, const tensor& b) { return ref::concat(a, b); }

/// Index of the first element that differs (bit-exactly), or -1.
inline count_t first_difference(const tensor& a, const tensor& b) { return ref::first_difference(a, b); }

} // namespace hls_test
