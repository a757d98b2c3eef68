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
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(rows_out(), cols_out(), channels / streams);
        const count_t lane_bits = streams * data_width;
        r.lut += cost::lut_per_mux2_bit * lane_bits;   // zero insertion
        r.ff += cost::ff_per_register_bit * lane_bits; // output register
        return r;
    }
};

} // namespace hass::modules
