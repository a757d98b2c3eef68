// Shared vocabulary of the hass HLS kernels: packed words, stream words of the
// sparse path, the activation kinds, and small compile-time helpers.
//
// Conventions of every kernel (docs/hls.md):
//   - template parameters: first the members of the hass::modules struct of the
//     same name, in member order and upper case (hass::count_t), then the data
//     types; parameters the struct does not carry follow the types and are
//     listed as "extra" in the cycle log;
//   - an array of streams `::hls::stream<T> x[N]` carries lane n on x[n];
//   - a feature map streams in row-major order (rows, cols, channels), channels
//     innermost, and a layer with S streams carries channel c on stream c % S;
//   - each pipelined (II=1) loop iteration calls HASS_HLS_TICK once.
#pragma once

#include <type_traits>

#include "hass/core/math.hpp"
#include "hass/hls/platform.hpp"

namespace hass::hls {

/// N elements moved together in one stream word (a window, a chunk of a window).
template <class T, count_t N>
struct vec {
    static_assert(N >= 1, "a packed word holds at least one element");
    T v[N];
    T& operator[](count_t i) { return v[i]; }
    const T& operator[](count_t i) const { return v[i]; }
};

/// Element `i` of a stream word: a vec, or a single element (i == 0).
template <class T, count_t N>
inline const T& element(const vec<T, N>& w, count_t i) {
    return w.v[i];
}
template <class T>
inline const T& element(const T& w, count_t) {
    return w;
}

/// Activation functions; same enumerators in the same order as
/// hass::modules::activation_kind (checked by the host tests).
enum class activation_kind { relu, thresholded_relu, hardswish, hardsigmoid, sigmoid, relu6 };

/// A partial sum of a sparse vector dot: produced only for the (window, filter)
/// pairs with at least one non-zero product.  `window` is the index of the
/// window in the image (pixel-major, then the channels of the stream); `last`
/// marks the final word of the image (its value counts only when `valid`).
template <class acc_t>
struct sparse_psum {
    acc_t value;
    count_t window;
    count_t filter;
    bool valid;
    bool last;
};

/// Bit width of a data type (ap_fixed/ap_int `width`, else 8*sizeof).
template <class T, class = void>
struct width_of {
    static constexpr count_t value = 8 * static_cast<count_t>(sizeof(T));
};
template <class T>
struct width_of<T, std::void_t<decltype(T::width)>> {
    static constexpr count_t value = T::width;
};

/// Integer bits of a fixed-point type (ap_fixed `iwidth`).
template <class T>
struct iwidth_of {
    static constexpr int value = T::iwidth;
};

/// The reciprocal constants of average pooling, global pooling, HardSwish and
/// HardSigmoid: 18 bits, 17 fraction bits, rounded (exactly this type in the
/// reference too).
typedef ap_ufixed<18, 1, AP_RND, AP_SAT> recip_t;

/// A sum of up to 2^B values of `data_t` without overflow or rounding.
template <class data_t, int B>
struct wide_sum {
    typedef ap_fixed<width_of<data_t>::value + B, iwidth_of<data_t>::value + B> type;
};

/// Compile-time selection between two stream arrays (used to skip absent modules).
template <bool FIRST, class A, class B>
constexpr auto pick(A* a, B* b) {
    if constexpr (FIRST)
        return a;
    else
        return b;
}

constexpr count_t max_count(count_t a, count_t b) { return a > b ? a : b; }

/// A value as a double: arithmetic types convert, fixed-point types call to_double().
template <class U>
inline double as_double(const U& v) {
    if constexpr (std::is_arithmetic<U>::value)
        return static_cast<double>(v);
    else
        return v.to_double();
}

/// Weight pruning (the weight threshold tau_w of a sparse design): |v| < tau.
/// tau = 0 prunes nothing.
template <class U>
inline bool pruned(const U& v, double tau) {
    const double d = as_double(v);
    return tau > 0 && d < tau && d > -tau;
}

/// An activation the layer reads as zero: zero, or, with the activation
/// threshold tau_a (INPUT_THRESHOLD), at most `threshold` (a thresholded ReLU
/// in front of this layer alone: x <= tau_a becomes 0).
template <bool INPUT_THRESHOLD, class data_t>
inline bool zero_activation(const data_t& x, const data_t& threshold) {
    if constexpr (INPUT_THRESHOLD)
        return x == 0 || !(x > threshold);
    else
        return x == 0;
}

/// Number of set bits of a K-bit mask.
constexpr count_t popcount64(unsigned long long m) {
    count_t n = 0;
    for (; m; m &= m - 1) ++n;
    return n;
}

} // namespace hass::hls
