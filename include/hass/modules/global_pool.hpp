// Global pooling: averages (or takes the maximum of) every channel over the
// whole feature map, with one accumulator per channel.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct global_pool {
    BOOST_HANA_DEFINE_STRUCT(global_pool, (count_t, rows), (count_t, cols), (count_t, channels),
                             (count_t, average), (count_t, streams), (count_t, data_width),
                             (count_t, acc_width));
    static constexpr std::string_view name = "global_pool";

    /// Reads every input word: H*W*C/coarse (deviation 5 of docs/deviations.md).
    constexpr double latency() const noexcept {
        return static_cast<double>(rows * cols * channels / streams);
    }
    /// The first result needs the whole feature map.
    constexpr count_t pipeline_depth() const noexcept { return rows * cols * channels / streams; }
    constexpr hass::resources buffer() const noexcept {
        return buffer_resources(channels / streams, streams * acc_width);
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(rows * cols, channels / streams);
        r.lut += cost::lut_per_adder_bit * acc_width * streams;
        r.ff += cost::ff_per_register_bit * acc_width * streams;
        if (average) r.dsp = multiplier_dsps(streams, acc_width, data_width); // times 1/(H*W)
        r += buffer();
        return r;
    }
};

} // namespace hass::modules
