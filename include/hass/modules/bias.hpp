// Bias: adds a per-filter bias (a convolution bias or a folded BatchNorm shift)
// and rounds the accumulator back to the data width.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct bias {
    BOOST_HANA_DEFINE_STRUCT(bias, (count_t, words), (count_t, filters), (count_t, streams),
                             (count_t, data_width), (count_t, acc_width));
    static constexpr std::string_view name = "bias";

    constexpr double latency() const noexcept { return static_cast<double>(words); }
    constexpr count_t pipeline_depth() const noexcept { return 2; }
    /// Bias table: filters / streams words of streams * acc_width bits.
    constexpr hass::resources table() const noexcept {
        return buffer_resources(ceil_div(filters, streams), streams * acc_width);
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(ceil_div(filters, streams));
        r.lut += cost::lut_per_adder_bit * acc_width * streams;
        r.ff += cost::ff_per_register_bit * data_width * streams;
        r += table();
        return r;
    }
};

} // namespace hass::modules
