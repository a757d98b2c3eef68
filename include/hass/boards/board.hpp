// An FPGA board: the resource budget of its part, clock, off-chip bandwidth and
// reconfiguration time (MODEL.md "Boards"; sources in docs/boards.md).
#pragma once

#include <string_view>

#include "hass/core/math.hpp"
#include "hass/resources/resources.hpp"

namespace hass {

/// Fraction of each resource a design may use (MODEL.md "fits a board").
struct utilisation_cap {
    double dsp = 1.0;
    double lut = 1.0;
    double ff = 1.0;
    double ram = 1.0;       ///< BRAM18 and URAM together (fpgaConvNet's ram_usage)
    double bandwidth = 1.0; ///< off-chip memory bandwidth

    friend constexpr bool operator==(const utilisation_cap&, const utilisation_cap&) = default;
};

struct board {
    std::string_view name;
    std::string_view part;
    resources budget;        ///< DSP, LUT, FF, BRAM18, URAM of the part
    double clock_mhz = 200;  ///< design clock
    double bandwidth_gbps = 0; ///< off-chip memory bandwidth, gigabits per second
    double reconf_time_s = 0.08255; ///< full reconfiguration time between partitions
    count_t port_width_bits = 512;  ///< width of one off-chip memory port (the streams a partition input may carry)

    /// Budget after the utilisation cap (rounded down).
    constexpr resources capped(const utilisation_cap& cap) const noexcept {
        auto scale = [](count_t v, double f) {
            return static_cast<count_t>(static_cast<double>(v) * f + 1e-9);
        };
        return {scale(budget.dsp, cap.dsp), scale(budget.lut, cap.lut), scale(budget.ff, cap.ff),
                scale(budget.bram18, cap.ram), scale(budget.uram, cap.ram)};
    }

    /// Clock in Hz.
    constexpr double clock_hz() const noexcept { return clock_mhz * 1e6; }
};

/// A board known at compile time: a type with a `static constexpr hass::board spec`.
template <class B>
concept board_type = requires {
    { B::spec } -> std::convertible_to<board>;
};

} // namespace hass
