// Constant-expression string helpers (std::to_string is not constexpr).
#pragma once

#include <string>
#include <string_view>

#include "hass/core/math.hpp"

namespace hass::detail {

constexpr std::string to_text(count_t v) {
    if (v == 0) return "0";
    std::string out;
    const bool negative = v < 0;
    while (v != 0) {
        const count_t digit = v % 10;
        out.insert(out.begin(), static_cast<char>('0' + (digit < 0 ? -digit : digit)));
        v /= 10;
    }
    if (negative) out.insert(out.begin(), '-');
    return out;
}

/// Concatenates string-like pieces and integers.
template <class... Parts>
constexpr std::string cat(const Parts&... parts) {
    std::string out;
    auto add = [&out](const auto& p) {
        if constexpr (std::is_integral_v<std::decay_t<decltype(p)>>)
            out += to_text(static_cast<count_t>(p));
        else
            out += std::string_view(p);
    };
    (add(parts), ...);
    return out;
}

} // namespace hass::detail

namespace hass::detail {
/// Fixed-point text of a finite double with `decimals` digits after the point.
constexpr std::string fixed(double v, int decimals) {
    std::string sign = v < 0 ? "-" : "";
    if (v < 0) v = -v;
    count_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const count_t n = round_to_count(v * static_cast<double>(scale));
    std::string frac = to_text(n % scale);
    while (static_cast<int>(frac.size()) < decimals) frac.insert(frac.begin(), '0');
    return sign + to_text(n / scale) + (decimals > 0 ? "." + frac : "");
}
} // namespace hass::detail
