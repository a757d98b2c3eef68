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
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::accum(t, channels, filters, streams, acc_width);
    }
};

} // namespace hass::modules
