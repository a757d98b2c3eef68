// Concat: interleaves the channels of `ports` inputs into one stream.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct concat {
    BOOST_HANA_DEFINE_STRUCT(concat, (count_t, words), (count_t, ports), (count_t, streams),
                             (count_t, data_width));
    static constexpr std::string_view name = "concat";

    /// One output word per cycle per stream: H*W*sum(C_i)/coarse.
    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept { return 1; }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(ports, words);
        const count_t lane_bits = streams * data_width;
        r.lut += cost::lut_per_mux4_bit * lane_bits * cost::mux_luts_per_bit(ports);
        r.ff += cost::ff_per_register_bit * lane_bits;
        return r;
    }
};

} // namespace hass::modules
