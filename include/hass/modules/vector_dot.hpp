// Vector dot: `fine` multipliers and an adder tree per lane; each lane computes
// the dot product of a window chunk with `filters` weight vectors in turn.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct vector_dot {
    BOOST_HANA_DEFINE_STRUCT(vector_dot, (count_t, dots), (count_t, filters), (count_t, fine),
                             (count_t, streams), (count_t, data_width), (count_t, weight_width),
                             (count_t, acc_width));
    static constexpr std::string_view name = "vector_dot";

    /// One dot product of `fine` elements per cycle per lane; `dots` is per lane.
    constexpr double latency() const noexcept { return static_cast<double>(dots); }
    constexpr count_t pipeline_depth() const noexcept {
        return cost::multiplier_latency + bits(fine) + 1;
    }
    constexpr count_t multipliers() const noexcept { return fine * streams; }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(filters);
        r.dsp = multiplier_dsps(multipliers(), data_width, weight_width);
        r.lut += cost::lut_per_adder_bit * acc_width * (fine - 1) * streams; // adder tree
        r.ff += cost::ff_per_register_bit * streams *
                (fine * (data_width + weight_width) + acc_width * (bits(fine) + 1));
        return r;
    }
};

} // namespace hass::modules
