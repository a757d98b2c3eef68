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
    /// The adder (regression) plus the bias table: filters / streams words of
    /// streams * acc_width bits (BRAM18 when it is a memory of 1024 bits or more).
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        cost::module_figure m = cost::bias(t, 1, streams, data_width);
        m.bram += bram18_blocks(ceil_div(filters, streams), streams * acc_width, buffer_kind::memory);
        return m;
    }
};

} // namespace hass::modules
