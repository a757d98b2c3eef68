// Command-line validators of the hass tool that check the text of an option
// before CLI11 converts it (no clamping or wrap-around of out-of-range values).
#pragma once

#include <charconv>
#include <string>

#include <CLI/CLI.hpp>

namespace hass::cli {

/// An integer option in [lo, hi], checked on its text: "99999999999999999999999"
/// or "1.5" is an error naming the allowed range, never a clamped value.
inline CLI::Validator integer_in(long long lo, long long hi) {
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            long long v = 0;
            const char* first = text.data();
            const char* last = text.data() + text.size();
            if (first != last && *first == '+') ++first;
            const auto [end, ec] = std::from_chars(first, last, v);
            if (ec == std::errc::result_out_of_range || (ec == std::errc{} && end == last && (v < lo || v > hi)))
                return "'" + text + "' is outside the allowed range " + range;
            if (ec != std::errc{} || end != last || first == last)
                return "'" + text + "' is not an integer (allowed: an integer in " + range + ")";
            return {};
        },
        "INT in " + range);
}

/// A non-empty option value.
inline CLI::Validator non_empty(const std::string& what) {
    return CLI::Validator(
        [what](std::string& text) -> std::string {
            return text.empty() ? "an empty value is not allowed (give " + what + ")" : std::string{};
        },
        "");
}

/// Largest --batch: 2^30 images (the batch cycles stay far below 2^63).
inline constexpr long long max_batch = 1LL << 30;

} // namespace hass::cli
