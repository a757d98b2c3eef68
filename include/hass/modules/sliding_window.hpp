// Sliding window: turns a stream of pixels into a stream of kr x kc windows
// using kr-1 line buffers and kr window buffers.
#pragma once

#include "hass/modules/module.hpp"

namespace hass::modules {

struct sliding_window {
    BOOST_HANA_DEFINE_STRUCT(sliding_window, (count_t, rows), (count_t, cols), (count_t, channels),
                             (count_t, kernel_rows), (count_t, kernel_cols), (count_t, stride_rows),
                             (count_t, stride_cols), (count_t, streams), (count_t, data_width));
    static constexpr std::string_view name = "sliding_window";

    constexpr count_t channels_per_stream() const noexcept { return channels / streams; }
    constexpr count_t rows_out() const noexcept { return (rows - kernel_rows) / stride_rows + 1; }
    constexpr count_t cols_out() const noexcept { return (cols - kernel_cols) / stride_cols + 1; }

    /// Reads every (padded) input word once: rows * cols * channels / streams.
    constexpr double latency() const noexcept {
        return static_cast<double>(rows * cols * channels_per_stream());
    }
    /// Words to read before the first window is complete.
    constexpr count_t pipeline_depth() const noexcept {
        return ((kernel_rows - 1) * cols + (kernel_cols - 1)) * channels_per_stream() + 1;
    }
    /// Line buffer: depth (C/S) * cols, width (kr-1) * S * w.
    constexpr hass::resources line_buffer() const noexcept {
        return buffer_resources(channels_per_stream() * cols,
                                (kernel_rows - 1) * streams * data_width);
    }
    /// One window buffer: depth C/S, width (kc-1) * S * w (there are kr of them).
    constexpr hass::resources window_buffer() const noexcept {
        return buffer_resources(channels_per_stream(), (kernel_cols - 1) * streams * data_width);
    }
    constexpr hass::resources resources() const noexcept {
        auto r = detail::control_logic(rows, cols, channels_per_stream());
        const count_t window_bits = streams * data_width * kernel_rows * kernel_cols;
        r.ff += cost::ff_per_register_bit * window_bits; // the window registers
        r.lut += cost::lut_per_mux2_bit * window_bits;   // window shift / load select
        r += line_buffer();
        r += window_buffer() * kernel_rows;
        return r;
    }
};

} // namespace hass::modules
