// Integer helpers used by every formula of the model (MODEL.md "Notation").
#pragma once

#include <cstdint>

namespace hass {

/// Cycles, element counts and resource counts are 64-bit signed integers.
using count_t = std::int64_t;

/// `ceil(a / b)` for non-negative `a` and positive `b`.
constexpr count_t ceil_div(count_t a, count_t b) noexcept { return (a + b - 1) / b; }

/// `bits(n) = ceil(log2(n))`, with `bits(1) = 0` (and `bits(0) = 0`).
constexpr count_t bits(count_t n) noexcept {
    count_t b = 0;
    while ((count_t{1} << b) < n) ++b;
    return b;
}

/// True when `d` is a positive divisor of `n`.
constexpr bool divides(count_t d, count_t n) noexcept { return d > 0 && n % d == 0; }

constexpr count_t gcd(count_t a, count_t b) noexcept {
    while (b != 0) {
        const count_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

constexpr count_t lcm(count_t a, count_t b) noexcept { return a / gcd(a, b) * b; }

/// Bound of every count converted from a double: conversions saturate at
/// +-count_saturation (2^62), so that no input makes a float-to-integer
/// conversion undefined, and a saturated value is far above any budget yet still
/// leaves room for a sum of two.
inline constexpr count_t count_saturation = count_t{1} << 62;

/// `ceil(x)`, usable in constant expressions; saturates at +-count_saturation
/// (NaN gives count_saturation: an impossible value, never a small one).
constexpr count_t ceil_to_count(double x) noexcept {
    constexpr double limit = static_cast<double>(count_saturation);
    if (!(x < limit)) return count_saturation; // also NaN
    if (x <= -limit) return -count_saturation;
    const auto t = static_cast<count_t>(x);
    return (static_cast<double>(t) < x) ? t + 1 : t;
}

/// Round half away from zero, usable in constant expressions; saturates like ceil_to_count.
constexpr count_t round_to_count(double x) noexcept {
    constexpr double limit = static_cast<double>(count_saturation);
    if (!(x < limit)) return count_saturation;
    if (x <= -limit) return -count_saturation;
    return x < 0 ? -static_cast<count_t>(-x + 0.5) : static_cast<count_t>(x + 0.5);
}

/// `a * b` for non-negative counts, or -1 when it exceeds count_saturation.
constexpr count_t checked_product(count_t a, count_t b) noexcept {
    if (a < 0 || b < 0) return -1;
    if (a != 0 && b > count_saturation / a) return -1;
    return a * b;
}

} // namespace hass
