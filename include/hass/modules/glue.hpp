// Glue: adds the coarse_in partial sums of each output stream (an adder tree).
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct glue {
    BOOST_HANA_DEFINE_STRUCT(glue, (count_t, words), (count_t, coarse_in), (count_t, streams),
                             (count_t, acc_width));
    static constexpr std::string_view name = "glue";

    /// One output word per cycle per output stream; `words` is per stream.
    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept { return bits(coarse_in) + 1; }
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::glue(t, coarse_in, streams, acc_width);
    }
};

} // namespace hass::modules
