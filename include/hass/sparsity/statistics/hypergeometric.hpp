// Binomial coefficients and the hypergeometric law of the sparsity statistics:
// the probability that uniformly placed non-zero activations and weights of a
// window meet in m positions, and the composition of one channel's activation
// and weight histograms into its zero-product histogram (docs/sparsity.md).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "hass/core/math.hpp"

namespace hass::sparsity {

/// Largest kernel K = kr * kc the statistics handle (11 x 11, AlexNet's first layer).
inline constexpr count_t max_kernel = 121;
/// Kernels up to this size get a precomputed hypergeometric table in the predictor.
inline constexpr count_t max_tabulated_kernel = 49;

// ============================================================================
// Binomial coefficients and the hypergeometric law
// ============================================================================

namespace detail {

struct binomial_table {
    static constexpr std::size_t n = static_cast<std::size_t>(max_kernel) + 1;
    std::array<double, n * n> v{};
};

/// Pascal's triangle in doubles (exact below 2^53, relative error ~1e-15 above).
constexpr binomial_table make_binomials() {
    binomial_table t;
    constexpr std::size_t n = binomial_table::n;
    for (std::size_t i = 0; i < n; ++i) {
        t.v[i * n] = 1.0;
        for (std::size_t k = 1; k <= i; ++k) t.v[i * n + k] = t.v[(i - 1) * n + k - 1] + (k < i ? t.v[(i - 1) * n + k] : 0.0);
    }
    return t;
}

inline constexpr binomial_table binomials = make_binomials();

} // namespace detail

/// C(n, k) as a double, for 0 <= n <= max_kernel; 0 when k < 0 or k > n.
constexpr double choose(count_t n, count_t k) noexcept {
    if (k < 0 || k > n || n < 0 || n > max_kernel) return 0.0;
    return detail::binomials.v[static_cast<std::size_t>(n) * detail::binomial_table::n + static_cast<std::size_t>(k)];
}

/// P(|A ∩ B| = m) for uniformly placed, independent subsets A (|A| = a) and
/// B (|B| = b) of K positions: C(a, m) C(K - a, b - m) / C(K, b).
constexpr double hypergeometric(count_t K, count_t a, count_t b, count_t m) noexcept {
    if (a < 0 || b < 0 || a > K || b > K || m < 0 || m > a || m > b || b - m > K - a) return 0.0;
    return choose(a, m) * choose(K - a, b - m) / choose(K, b);
}

/// The table hyp[(a * (K+1) + b) * (K+1) + m] of hypergeometric(K, a, b, m).
constexpr std::vector<double> hypergeometric_table(count_t K) {
    const auto n = static_cast<std::size_t>(K + 1);
    std::vector<double> t(n * n * n, 0.0);
    for (count_t a = 0; a <= K; ++a)
        for (count_t b = 0; b <= K; ++b)
            for (count_t m = 0; m <= K; ++m)
                t[(static_cast<std::size_t>(a) * n + static_cast<std::size_t>(b)) * n + static_cast<std::size_t>(m)] =
                    hypergeometric(K, a, b, m);
    return t;
}

/// Composes one channel: pa[a] = P(a non-zero activations in a window),
/// pb[b] = P(b non-zero weights in a kernel), both K+1 entries; writes
/// out[z] = P(z zero products), K+1 entries. `table` is hypergeometric_table(K)
/// or null (coefficients computed on the fly). No allocation.
constexpr void compose(count_t K, const double* pa, const double* pb, double* out, const double* table = nullptr) noexcept {
    const count_t n = K + 1;
    for (count_t z = 0; z <= K; ++z) out[z] = 0.0;
    for (count_t a = 0; a <= K; ++a) {
        const double wa = pa[a];
        if (wa == 0.0) continue;
        for (count_t b = 0; b <= K; ++b) {
            const double w = wa * pb[b];
            if (w == 0.0) continue;
            const count_t lo = a + b - K > 0 ? a + b - K : 0;
            const count_t hi = a < b ? a : b;
            if (table) {
                const double* row = table + (a * n + b) * n;
                for (count_t m = lo; m <= hi; ++m) out[K - m] += w * row[m];
            } else {
                const double scale = w / choose(K, b);
                for (count_t m = lo; m <= hi; ++m) out[K - m] += scale * choose(a, m) * choose(K - a, b - m);
            }
        }
    }
}

} // namespace hass::sparsity
