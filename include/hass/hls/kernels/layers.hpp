// The layers other than convolution: each wires the modules that
// hass::for_each_module builds for it, with the same parameters.
#pragma once

#include "hass/hls/kernels/activation.hpp"
#include "hass/hls/kernels/common.hpp"
#include "hass/hls/kernels/concat.hpp"
#include "hass/hls/kernels/eltwise.hpp"
#include "hass/hls/kernels/fork.hpp"
#include "hass/hls/kernels/global_pool.hpp"
#include "hass/hls/kernels/pad.hpp"
#include "hass/hls/kernels/pool.hpp"
#include "hass/hls/kernels/sliding_window.hpp"
#include "hass/hls/kernels/squeeze.hpp"

namespace hass::hls {

/// Pooling (max when AVERAGE == 0, else average counting the padding zeros):
/// Pad (when padded) -> SlidingWindow -> Pool, COARSE streams.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t KERNEL_ROWS, count_t KERNEL_COLS,
          count_t STRIDE_ROWS, count_t STRIDE_COLS, count_t PAD_TOP, count_t PAD_RIGHT, count_t PAD_BOTTOM,
          count_t PAD_LEFT, count_t AVERAGE, count_t COARSE, class data_t>
void pooling(::hls::stream<data_t> in[COARSE], ::hls::stream<data_t> out[COARSE]) {
    HASS_PRAGMA(HLS DATAFLOW)
    constexpr count_t DW = width_of<data_t>::value, K = KERNEL_ROWS * KERNEL_COLS;
    constexpr count_t PR = ROWS + PAD_TOP + PAD_BOTTOM, PC = COLS + PAD_LEFT + PAD_RIGHT;
    constexpr count_t RO = (PR - KERNEL_ROWS) / STRIDE_ROWS + 1, CO = (PC - KERNEL_COLS) / STRIDE_COLS + 1;
    constexpr bool padded_map = PAD_TOP + PAD_RIGHT + PAD_BOTTOM + PAD_LEFT > 0;
    ::hls::stream<data_t> padded[COARSE];
    if constexpr (padded_map)
        pad<ROWS, COLS, CHANNELS, PAD_TOP, PAD_RIGHT, PAD_BOTTOM, PAD_LEFT, COARSE, DW, data_t>(in, padded);
    ::hls::stream<vec<data_t, K>> windows[COARSE];
    sliding_window<PR, PC, CHANNELS, KERNEL_ROWS, KERNEL_COLS, STRIDE_ROWS, STRIDE_COLS, COARSE, DW, data_t>(
        pick<padded_map>(padded, in), windows);
    pool<RO * CO * CHANNELS / COARSE, K, AVERAGE, COARSE, DW, data_t>(windows, out);
}

/// Global pooling to 1 x 1 x CHANNELS.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t AVERAGE, count_t COARSE, class data_t, class acc_t>
void global_pooling(::hls::stream<data_t> in[COARSE], ::hls::stream<data_t> out[COARSE]) {
    global_pool<ROWS, COLS, CHANNELS, AVERAGE, COARSE, width_of<data_t>::value, width_of<acc_t>::value, data_t,
                acc_t>(in, out);
}

/// ReLU, thresholded ReLU, HardSwish, HardSigmoid of a ROWS x COLS x CHANNELS map.
template <count_t ROWS, count_t COLS, count_t CHANNELS, activation_kind KIND, count_t COARSE, class data_t>
void activation_layer(::hls::stream<data_t> in[COARSE], ::hls::stream<data_t> out[COARSE],
                      data_t threshold = data_t(0)) {
    activation<ROWS * COLS * CHANNELS / COARSE, KIND, COARSE, width_of<data_t>::value, data_t>(in, out, threshold);
}

/// Element-wise add (MULTIPLY == 0) or multiply of the inputs (trailing
/// arguments); BROADCAST: the second input is 1 x 1 x CHANNELS.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t MULTIPLY, count_t BROADCAST, count_t COARSE,
          class data_t, class... Inputs>
void eltwise_layer(::hls::stream<data_t> out[COARSE], Inputs... in) {
    constexpr count_t ports = sizeof...(Inputs) < 2 ? 2 : sizeof...(Inputs);
    eltwise<ROWS * COLS * CHANNELS / COARSE, ports, MULTIPLY, BROADCAST, CHANNELS, COARSE, width_of<data_t>::value,
            data_t>(out, in...);
}

/// Concatenation of inputs of CHANNELS... channels (trailing arguments).
template <count_t ROWS, count_t COLS, count_t COARSE, class data_t, count_t... CHANNELS, class... Inputs>
void concat_layer(::hls::stream<data_t> out[COARSE], Inputs... in) {
    constexpr count_t total = (CHANNELS + ...);
    concat<ROWS * COLS * total / COARSE, sizeof...(CHANNELS), COARSE, width_of<data_t>::value, data_t, CHANNELS...>(
        out, in...);
}

/// Split to FAN_OUT consumers: consumer p reads out + p * COARSE.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t FAN_OUT, count_t COARSE, class data_t>
void split_layer(::hls::stream<data_t> in[COARSE], ::hls::stream<data_t> out[FAN_OUT * COARSE]) {
    fork<ROWS * COLS * CHANNELS / COARSE, 1, FAN_OUT, COARSE, width_of<data_t>::value, data_t>(in, out);
}

/// Squeeze layer between a producer with COARSE_IN output streams and a
/// consumer with COARSE_OUT input streams.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t COARSE_IN, count_t COARSE_OUT, class data_t>
void squeeze_layer(::hls::stream<data_t> in[COARSE_IN], ::hls::stream<data_t> out[COARSE_OUT]) {
    squeeze_streams<ROWS * COLS * CHANNELS, COARSE_IN, COARSE_OUT, 1, width_of<data_t>::value, data_t>(in, out);
}

} // namespace hass::hls
