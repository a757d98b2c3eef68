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
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(coarse_in);
        r.lut += cost::lut_per_adder_bit * acc_width * (coarse_in - 1) * streams;
        r.ff += cost::ff_per_register_bit * acc_width * streams * (bits(coarse_in) + 1);
        return r;
    }
};

} // namespace hass::modules
