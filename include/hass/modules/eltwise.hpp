// Element-wise add or multiply of `ports` streams; with broadcast the second
// input is one value per channel (squeeze-excitation), held in a channel buffer.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct eltwise {
    BOOST_HANA_DEFINE_STRUCT(eltwise, (count_t, words), (count_t, ports), (count_t, multiply),
                             (count_t, broadcast), (count_t, channels), (count_t, streams),
                             (count_t, data_width));
    static constexpr std::string_view name = "eltwise";

    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept {
        return multiply ? cost::multiplier_latency + 1 : 2;
    }
    /// Broadcast buffer: channels / streams words of streams * w bits.
    constexpr hass::resources channel_buffer() const noexcept {
        if (!broadcast) return {};
        return buffer_resources(ceil_div(channels, streams), streams * data_width);
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(words);
        const count_t lane_bits = streams * data_width;
        if (multiply)
            r.dsp = multiplier_dsps(streams * (ports - 1), data_width, data_width);
        else
            r.lut += cost::lut_per_adder_bit * lane_bits * (ports - 1);
        r.ff += cost::ff_per_register_bit * lane_bits * ports;
        r += channel_buffer();
        return r;
    }
};

} // namespace hass::modules
