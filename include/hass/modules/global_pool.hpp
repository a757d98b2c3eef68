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
    /// `streams` lanes of one accumulator per channel (fpgaConvNet's GlobalPool, one per lane).
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        cost::module_figure m = cost::global_pool(t, rows, cols, channels / streams, data_width, acc_width);
        m.lut *= streams;
        m.ff *= streams;
        m.dsp *= static_cast<double>(streams);
        m.bram *= streams;
        return m;
    }
};

} // namespace hass::modules
