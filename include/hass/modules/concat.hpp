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
    /// fpgaConvNet's Concat costs nothing (its input FIFOs are the partition's).
    constexpr cost::module_figure cost(const cost::coefficient_table&) const noexcept { return {}; }
};

} // namespace hass::modules
