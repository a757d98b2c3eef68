// Pad: inserts zero rows and columns around the feature map.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct pad {
    BOOST_HANA_DEFINE_STRUCT(pad, (count_t, rows), (count_t, cols), (count_t, channels),
                             (count_t, pad_top), (count_t, pad_right), (count_t, pad_bottom),
                             (count_t, pad_left), (count_t, streams), (count_t, data_width));
    static constexpr std::string_view name = "pad";

    constexpr count_t rows_out() const noexcept { return rows + pad_top + pad_bottom; }
    constexpr count_t cols_out() const noexcept { return cols + pad_left + pad_right; }
    /// One word per padded pixel and channel group: (H+pt+pb)(W+pl+pr) C / streams.
    constexpr double latency() const noexcept {
        return static_cast<double>(rows_out() * cols_out() * channels / streams);
    }
    constexpr count_t pipeline_depth() const noexcept { return 1; }
    constexpr cost::module_figure cost(const cost::coefficient_table&) const noexcept {
        return cost::pad(); // fpgaConvNet: a constant 16 LUT, 35 FF per instance
    }
};

} // namespace hass::modules
