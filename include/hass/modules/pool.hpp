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
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(kernel);
        const count_t reduce_bits = average ? data_width + bits(kernel) : data_width;
        r.lut += (average ? cost::lut_per_adder_bit : cost::lut_per_compare_bit + cost::lut_per_mux2_bit) *
                 reduce_bits * (kernel - 1) * streams;
        r.ff += cost::ff_per_register_bit * reduce_bits * streams * (bits(kernel) + 1);
        if (average) r.dsp = multiplier_dsps(streams, reduce_bits, data_width); // times 1/K
        return r;
    }
};

} // namespace hass::modules
