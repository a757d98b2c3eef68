// Pool: reduces each kr x kc window to its maximum or its mean.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct pool {
    BOOST_HANA_DEFINE_STRUCT(pool, (count_t, windows), (count_t, kernel), (count_t, average),
                             (count_t, streams), (count_t, data_width));
    static constexpr std::string_view name = "pool";

    /// One window per cycle per stream; `windows` is per stream.
    constexpr double latency() const noexcept { return static_cast<double>(windows); }
    constexpr count_t pipeline_depth() const noexcept { return bits(kernel) + 1; }
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::pool(t, kernel, 1, streams, data_width); // the regression uses K (its kr, kc weights are 0)
    }
};

} // namespace hass::modules
