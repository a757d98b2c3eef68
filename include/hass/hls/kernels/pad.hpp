// Pad: inserts zero rows and columns around a feature map (hass::modules::pad).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Reads ROWS x COLS x CHANNELS on STREAMS streams (channel c on stream c % STREAMS)
/// and writes the (ROWS + PAD_TOP + PAD_BOTTOM) x (COLS + PAD_LEFT + PAD_RIGHT) map
/// with zeros around it.  One pipelined iteration per padded pixel and channel
/// group: (ROWS+pt+pb)(COLS+pl+pr) CHANNELS/STREAMS cycles.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t PAD_TOP, count_t PAD_RIGHT,
          count_t PAD_BOTTOM, count_t PAD_LEFT, count_t STREAMS, count_t DATA_WIDTH, class data_t>
void pad(::hls::stream<data_t> in[STREAMS], ::hls::stream<data_t> out[STREAMS]) {
    static_assert(CHANNELS % STREAMS == 0, "pad: STREAMS must divide CHANNELS");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "pad: data_t must be DATA_WIDTH bits wide");
    constexpr count_t rows_out = ROWS + PAD_TOP + PAD_BOTTOM;
    constexpr count_t cols_out = COLS + PAD_LEFT + PAD_RIGHT;
    constexpr count_t channels = CHANNELS / STREAMS;
    HASS_HLS_MODULE(module, "pad", {"rows", ROWS}, {"cols", COLS}, {"channels", CHANNELS},
                    {"pad_top", PAD_TOP}, {"pad_right", PAD_RIGHT}, {"pad_bottom", PAD_BOTTOM},
                    {"pad_left", PAD_LEFT}, {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "pad");
    for (count_t r = 0; r < rows_out; ++r) {
        for (count_t c = 0; c < cols_out; ++c) {
            for (count_t k = 0; k < channels; ++k) {
                HASS_PRAGMA(HLS PIPELINE II=1)
                HASS_HLS_TICK(cycles);
                const bool inside = r >= PAD_TOP && r < PAD_TOP + ROWS && c >= PAD_LEFT && c < PAD_LEFT + COLS;
                for (count_t s = 0; s < STREAMS; ++s) {
                    HASS_PRAGMA(HLS UNROLL)
                    out[s].write(inside ? in[s].read() : data_t(0));
                }
            }
        }
    }
}

} // namespace hass::hls
