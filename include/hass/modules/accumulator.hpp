// Accumulator: sums the partial dot products of the channels of a stream for
// each of its `filters` filters, in a buffer of `filters` accumulators.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct accumulator {
    BOOST_HANA_DEFINE_STRUCT(accumulator, (count_t, dots), (count_t, channels), (count_t, filters),
                             (count_t, streams), (count_t, acc_width));
    static constexpr std::string_view name = "accumulator";

    /// One partial sum per cycle per lane; `dots` is per lane.
    constexpr double latency() const noexcept { return static_cast<double>(dots); }
    /// The first output needs every channel of the first filter:
    /// (channels - 1) * filters + 1 inputs.
    constexpr count_t pipeline_depth() const noexcept { return (channels - 1) * filters + 1; }
    /// Buffer of `filters` words, `streams * acc_width` bits wide.
    constexpr hass::resources buffer() const noexcept {
        return buffer_resources(filters, streams * acc_width);
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(channels, filters);
        r.lut += cost::lut_per_adder_bit * acc_width * streams;
        r.ff += cost::ff_per_register_bit * acc_width * streams;
        r += buffer();
        return r;
    }
};

} // namespace hass::modules
