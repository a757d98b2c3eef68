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
    /// Line buffer (depth (C/S) cols, width (kr - 1) S w), kr window buffers
    /// (depth C/S, width (kc - 1) S w) and the frame registers, with
    /// fpgaConvNet's FIFO rules; logic from the regression.
    constexpr cost::module_figure cost(const cost::coefficient_table& t) const noexcept {
        return cost::sliding_window(t, rows, cols, channels_per_stream(), kernel_rows, kernel_cols, streams,
                                    data_width);
    }
    /// BRAM18 of the line buffer alone (dropped when the input is read from off-chip memory).
    constexpr count_t line_buffer_bram() const noexcept {
        return cost::sliding_window_buffers(cols, channels_per_stream(), kernel_rows, kernel_cols, streams, data_width)
            .line_bram;
    }
};

} // namespace hass::modules
