// Sliding window: turns a stream of pixels into a stream of KERNEL_ROWS x
// KERNEL_COLS windows (hass::modules::sliding_window).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Reads a ROWS x COLS x CHANNELS map (already padded) on STREAMS streams and
/// writes, per lane, one window per output position and channel, in the order
/// (output row, output col, channel); window element i*KERNEL_COLS + j is
/// input pixel (r0 + i, c0 + j).  KERNEL_ROWS-1 line buffers of depth
/// COLS*CHANNELS/STREAMS and KERNEL_ROWS window buffers of depth
/// CHANNELS/STREAMS hold the history.  One pipelined iteration per input word:
/// ROWS*COLS*CHANNELS/STREAMS cycles.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t KERNEL_ROWS, count_t KERNEL_COLS,
          count_t STRIDE_ROWS, count_t STRIDE_COLS, count_t STREAMS, count_t DATA_WIDTH, class data_t>
void sliding_window(::hls::stream<data_t> in[STREAMS],
                    ::hls::stream<vec<data_t, KERNEL_ROWS * KERNEL_COLS>> out[STREAMS]) {
    static_assert(CHANNELS % STREAMS == 0, "sliding_window: STREAMS must divide CHANNELS");
    static_assert(KERNEL_ROWS <= ROWS && KERNEL_COLS <= COLS, "sliding_window: kernel larger than the map");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "sliding_window: data_t must be DATA_WIDTH bits wide");
    constexpr count_t channels = CHANNELS / STREAMS;
    constexpr count_t KR = KERNEL_ROWS, KC = KERNEL_COLS;
    constexpr count_t LB = KR > 1 ? KR - 1 : 1; // array extents must be >= 1
    constexpr count_t WB = KC > 1 ? KC - 1 : 1;
    HASS_HLS_MODULE(module, "sliding_window", {"rows", ROWS}, {"cols", COLS}, {"channels", CHANNELS},
                    {"kernel_rows", KERNEL_ROWS}, {"kernel_cols", KERNEL_COLS}, {"stride_rows", STRIDE_ROWS},
                    {"stride_cols", STRIDE_COLS}, {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "sliding_window");

    data_t line[STREAMS][LB][COLS][channels];       // rows r-KR+1 .. r-1 of each column
    data_t window[STREAMS][KR][channels][WB];       // the KC-1 previous columns of the window
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=line complete dim=1)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=line complete dim=2)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=window complete dim=1)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=window complete dim=2)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=window complete dim=4)
    // an address is read and rewritten in one iteration and next used COLS*channels
    // (line) or channels (window) iterations later
    HASS_PRAGMA(HLS DEPENDENCE variable=line inter false)

    for (count_t r = 0; r < ROWS; ++r) {
        for (count_t c = 0; c < COLS; ++c) {
            for (count_t k = 0; k < channels; ++k) {
                HASS_PRAGMA(HLS PIPELINE II=1)
                HASS_HLS_TICK(cycles);
                const bool emit = r >= KR - 1 && c >= KC - 1 && (r - (KR - 1)) % STRIDE_ROWS == 0 &&
                                  (c - (KC - 1)) % STRIDE_COLS == 0;
                for (count_t s = 0; s < STREAMS; ++s) {
                    HASS_PRAGMA(HLS UNROLL)
                    data_t column[KR];
                    HASS_PRAGMA(HLS ARRAY_PARTITION variable=column complete)
                    column[KR - 1] = in[s].read();
                    for (count_t i = 0; i + 1 < KR; ++i) column[i] = line[s][i][c][k];
                    for (count_t i = 0; i + 1 < KR; ++i) line[s][i][c][k] = column[i + 1];
                    vec<data_t, KR * KC> w;
                    for (count_t i = 0; i < KR; ++i) {
                        for (count_t j = 0; j + 1 < KC; ++j) w[i * KC + j] = window[s][i][k][j];
                        w[i * KC + KC - 1] = column[i];
                        for (count_t j = 0; j + 1 < KC; ++j) window[s][i][k][j] = w[i * KC + j + 1];
                    }
                    if (emit) out[s].write(w);
                }
            }
        }
    }
}

} // namespace hass::hls
