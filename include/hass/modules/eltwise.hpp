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
        return multiply ? multiplier_latency + 1 : 2;
    }
    /// fpgaConvNet's constant per lane: 49 LUT, 23 FF, 1 DSP for a multiply;
    /// the broadcast operand in a FIFO of depth channels / streams per lane.
    constexpr cost::module_figure cost(const cost::coefficient_table&) const noexcept {
        cost::module_figure m = cost::eltwise(multiply == 0, broadcast != 0, channels / streams, data_width);
        m.lut *= streams;
        m.ff *= streams;
        m.dsp *= static_cast<double>(streams);
        m.bram *= streams;
        return m;
    }
};

} // namespace hass::modules
