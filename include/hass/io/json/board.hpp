// Board files: a board read at run time (owned_board, which owns the strings
// hass::board views), the ranges read_board accepts, and a board as JSON.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "hass/boards/board.hpp"
#include "hass/io/json/fields.hpp"

namespace hass::io {

// ============================================================================
// Boards
// ============================================================================

/// A board read at run time: owns the name and part that hass::board views.
/// Copies and moves re-point the views at their own strings.
class owned_board {
public:
    owned_board() = default;
    explicit owned_board(const board& b) : name_(b.name), part_(b.part), spec_(b) { repoint(); }
    owned_board(const owned_board& o) : name_(o.name_), part_(o.part_), spec_(o.spec_) { repoint(); }
    owned_board(owned_board&& o) noexcept : name_(std::move(o.name_)), part_(std::move(o.part_)), spec_(o.spec_) {
        repoint();
        o.repoint();
    }
    owned_board& operator=(const owned_board& o) {
        if (this != &o) {
            name_ = o.name_;
            part_ = o.part_;
            spec_ = o.spec_;
            repoint();
        }
        return *this;
    }
    owned_board& operator=(owned_board&& o) noexcept {
        if (this != &o) {
            name_ = std::move(o.name_);
            part_ = std::move(o.part_);
            spec_ = o.spec_;
            repoint();
            o.repoint();
        }
        return *this;
    }
    ~owned_board() = default;

    const board& spec() const noexcept { return spec_; }
    operator const board&() const noexcept { return spec_; }
    const std::string& name() const noexcept { return name_; }
    const std::string& part() const noexcept { return part_; }

private:
    std::string name_;
    std::string part_;
    board spec_{};

    void repoint() noexcept {
        spec_.name = name_;
        spec_.part = part_;
    }
};

/// The ranges read_board accepts (docs/formats.md).
struct board_limits {
    static constexpr double min_clock_mhz = 1, max_clock_mhz = 10000;
    static constexpr double min_bandwidth_gbps = 0.001, max_bandwidth_gbps = 100000;
    static constexpr double max_reconf_time_s = 3600;
};

/// Reads {"name", "part", "dsp", "lut", "ff", "bram18", "uram", "clock_mhz",
/// "bandwidth_gbps", "reconf_time_s"}; part, uram and reconf_time_s are optional.
inline owned_board read_board(const json& j, std::string_view source) {
    const detail::scope top{std::string(source)};
    detail::require_object(j, top, "a board file");
    detail::check_keys(j, {"name", "part", "dsp", "lut", "ff", "bram18", "uram", "clock_mhz", "bandwidth_gbps",
                           "reconf_time_s", "port_width_bits"},
                       top, "a board file");
    board b;
    const std::string name = detail::get_string(j, "name", top);
    if (name.empty()) top.fail_field("name", "must not be empty");
    const std::string part = detail::get_string(j, "part", top, std::string{});
    const count_t big = count_t{1} << 40;
    auto resource = [&](std::string_view key, std::optional<count_t> fallback) {
        const json* v = detail::find(j, key);
        if (!v && fallback) return *fallback;
        if (!v) top.missing(key);
        if (!v->is_number_integer()) top.fail_field(key, "expected an integer, got " + detail::describe(*v));
        if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(big))
            top.fail_field(key, "value " + v->dump() + " is too large");
        const auto n = static_cast<count_t>(v->get<std::int64_t>());
        if (n < 0) top.fail_field(key, "must be >= 0, got " + std::to_string(n));
        return n;
    };
    b.budget = {resource("dsp", std::nullopt), resource("lut", std::nullopt), resource("ff", std::nullopt),
                resource("bram18", std::nullopt), resource("uram", count_t{0})};
    // ranges that keep cycle counts and bits per cycle finite and meaningful
    auto ranged = [&](std::string_view key, double lo, double hi, std::optional<double> fallback, const char* unit) {
        const double v = detail::get_number(j, key, top, fallback);
        if (!(v >= lo && v <= hi))
            top.fail_field(key, "must be in [" + detail::short_number(lo) + ", " + detail::short_number(hi) + "] " +
                                    unit + ", got " + detail::short_number(v));
        return v;
    };
    b.clock_mhz = ranged("clock_mhz", board_limits::min_clock_mhz, board_limits::max_clock_mhz, std::nullopt, "MHz");
    b.bandwidth_gbps = ranged("bandwidth_gbps", board_limits::min_bandwidth_gbps, board_limits::max_bandwidth_gbps,
                              std::nullopt, "Gbit/s");
    b.reconf_time_s = ranged("reconf_time_s", 0.0, board_limits::max_reconf_time_s, 0.08255, "seconds");
    b.port_width_bits = detail::get_integer(j, "port_width_bits", top, 1, 512);
    b.name = name;
    b.part = part;
    return owned_board(b); // copies the strings and re-points the views
}

inline owned_board load_board(const std::filesystem::path& path) {
    return read_board(load_json_file(path), path.string());
}

inline json board_json(const board& b) {
    return {{"name", std::string(b.name)}, {"part", std::string(b.part)}, {"dsp", b.budget.dsp},
            {"lut", b.budget.lut},         {"ff", b.budget.ff},           {"bram18", b.budget.bram18},
            {"uram", b.budget.uram},       {"clock_mhz", b.clock_mhz},    {"bandwidth_gbps", b.bandwidth_gbps},
            {"reconf_time_s", b.reconf_time_s}, {"port_width_bits", b.port_width_bits}};
}

} // namespace hass::io
