// Fork: copies each word of `width` elements to `coarse` outputs (the coarse_out
// parallel filters of a convolution, or the consumers of a split).
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct fork {
    BOOST_HANA_DEFINE_STRUCT(fork, (count_t, words), (count_t, width), (count_t, coarse),
                             (count_t, streams), (count_t, data_width));
    static constexpr std::string_view name = "fork";

    /// One word per cycle per stream: `words` is counted per stream.
    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept { return 1; }
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::fork(t, width, coarse, streams, data_width);
    }
};

} // namespace hass::modules
