// fpgaConvNet's fitted resource regressions (chisel backend, linear
// regression): the coefficient table and the rule that turns a module's
// feature vector into a resource estimate.
//
// Source of the numbers: fpgaconvnet-model commit edfbeb6 (2024-11-05),
// fpgaconvnet/coefficients/linear_regression/chisel/<module>_<resource>.npy;
// the squeeze vectors are the constants hard-coded in that model's Module base
// class (docs/cost_model.md cites every table).
//
// The estimate of one resource type is trunc(x0*c0 + x1*c1 + ...), summed left
// to right in IEEE binary64 from 0.0 with every product and partial sum rounded
// to double. Several coefficients are integers off by one ulp (the fork's
// 11.999999999999998), so only this exact order reproduces the reference
// integers; hass's own targets build with -ffp-contract=off.
#pragma once

#include <array>
#include <cstddef>

#include "hass/core/math.hpp"

namespace hass::cost {

/// Longest feature vector of any module (the sliding window's FF vector).
inline constexpr std::size_t max_features = 10;

/// One feature (or coefficient) vector: the first `size` entries are used.
struct feature_vector {
    std::array<double, max_features> v{};
    std::size_t size = 0;

    constexpr feature_vector() = default;
    template <class... T>
    constexpr feature_vector(T... xs) noexcept : v{static_cast<double>(xs)...}, size(sizeof...(T)) {}
};

/// trunc( sum_i x_i * c_i ), left to right in double; vectors of different
/// lengths use the shorter one (a [0] feature vector gives 0).
constexpr count_t estimate(const feature_vector& x, const feature_vector& c) noexcept {
    double sum = 0.0;
    const std::size_t n = x.size < c.size ? x.size : c.size;
    for (std::size_t i = 0; i < n; ++i) {
        const double product = x.v[i] * c.v[i];
        sum = sum + product;
    }
    return static_cast<count_t>(sum); // truncation toward zero
}

/// The same estimate with the features given as arguments (no feature vector
/// is built): trunc( sum_i x_i * c_i ) over the first min(n, c.size) features,
/// left to right in double, bit-identical to estimate(feature_vector{xs...}, c).
template <class... T>
constexpr count_t estimate_of(const feature_vector& c, T... xs) noexcept {
    double sum = 0.0;
    std::size_t i = 0;
    ((i < c.size ? (sum = sum + static_cast<double>(xs) * c.v[i], ++i) : ++i), ...);
    return static_cast<count_t>(sum); // truncation toward zero
}

/// The seven raw resource types of a regressed module.
struct raw_vectors {
    feature_vector logic_lut, lut_ram, lut_sr, ff, dsp, bram36, bram18;
};

/// The coefficient vectors of every regressed module.
struct coefficient_table {
    raw_vectors accum, bias, fork, global_pool, glue, pool, sliding_window, sparse_vector_dot, vector_dot,
        squeeze;
};

/// fpgaConvNet's chisel / linear-regression coefficients (fpgaconvnet-model edfbeb6).
inline constexpr coefficient_table chisel_linear_regression{
    // accum
    {{0.8535328752784788, 0.0, 3.510359838010225, 0.0, 0.0, 0.0, 0.0},
     {13.673791357498757, 0.016783091147872513, 0.9252112240755449, 0.0},
     {0.0},
     {0.0, 3.209793819446477, 0.0, 0.0, 0.007325972145692542, 0.28885062372946946, 0.0},
     {0.0},
     {0.0},
     {0.0}},
    // bias
    {{0.8124999999999999}, {0.0}, {0.0}, {2.1874999999999996, 0.0, 0.0}, {0.0}, {0.0}, {0.0}},
    // fork
    {{0.0, 0.4999999999999997, 0.0, 1.8547921623042413e-18, 5.000000000000004},
     {0.0},
     {0.0},
     {11.999999999999998, 0.0, 3.0000000000000058},
     {0.0},
     {0.0},
     {0.0}},
    // global pool
    {{28.143908465835835, 0.0, 0.0, 0.0, 0.0},
     {8.000000000000002},
     {0.0},
     {0.0, 0.0, 0.0, 0.6410566414241895, 0.0},
     {0.0},
     {0.0},
     {0.0}},
    // glue
    {{1.2616559056745482, 0.0, 0.0, 0.0},
     {8.878748320941405, 0.0},
     {0.16089865580518367, 0.19529144313650781},
     {9.537511514327104, 0.36080768592384255, 0.0, 0.05106318781440864, 1.0280541022281016, 0.0},
     {0.0},
     {0.0},
     {0.0}},
    // pool
    {{2.5047646462840762, 0.8852262978075741, 0.0, 0.0, 0.0, 0.0},
     {7.999999999999963, 5.972289129998669e-15},
     {0.0},
     {0.18671982494445696, 2.156759769408736, 5.372070909824419, 0.0},
     {0.0},
     {0.0},
     {0.0}},
    // sliding window
    {{6.468405208474761, 0.0, 0.0, 3.926593877837413, 2.450841120151407},
     {0.07302216156243713, 0.0, 14.236190954435962},
     {0.0},
     {0.0, 0.0, 20.771535378232738, 0.0, 0.0, 0.0, 5.212369249548043, 3.440205509209496, 0.0, 0.0},
     {0.0},
     {0.0},
     {0.0}},
    // sparse vector dot
    {{0.0, 0.0, 0.0, 0.07439199517257487, 0.9100979411054604, 0.029494058164413785, 0.0015883973624582588,
      0.0, 0.0},
     {0.5348506401138327, 15.015918173812826},
     {0.20493827160493797},
     {0.0, 0.0, 33.05120227367124, 0.5679766156862421, 0.0},
     {1.2710055331648384},
     {0.0},
     {0.0}},
    // vector dot
    {{2.5712588490274078, 0.0, 0.0, 0.0, 0.0, 0.9728726880005609, 0.0, 0.0, 0.0},
     {4.524649370974531, 0.0},
     {0.1677374301675975},
     {0.0, 0.0, 0.0, 0.0, 21.368623676334177, 1.4860070225969686, 0.18202487854323943, 0.0},
     {0.9999999999999994},
     {0.0},
     {0.0}},
    // squeeze (the model's hard-coded constants)
    {{0.0, 2.22688964, 0.0, 0.0, 235.5859881, 0.0, 3.29301748, 0.0},
     {48.82925296},
     {0.0},
     {0.0, 15.87391647, 3.48485944, 0.0, 5.69486761, 1084.90151568},
     {0.0},
     {0.0},
     {0.0}},
};

} // namespace hass::cost
