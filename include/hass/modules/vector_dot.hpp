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
        return multiplier_latency + bits(fine) + 1;
    }
    constexpr count_t multipliers() const noexcept { return fine * streams; }
    /// One instance; its DSP is S f dspmul(d, w) before packing (the layer packs narrow operands).
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::vector_dot(t, filters, fine, streams, data_width, weight_width, acc_width);
    }
};

} // namespace hass::modules
