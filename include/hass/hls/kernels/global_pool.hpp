// Global pooling: one value per channel over the whole map
// (hass::modules::global_pool).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Reads ROWS x COLS x CHANNELS on STREAMS streams and writes 1 x 1 x CHANNELS
/// (channel c on stream c % STREAMS).  Average: the sum in acc_t times
/// recip_t(1.0 / (ROWS*COLS)), converted to data_t; max: the largest value.
/// The results are written while the last pixel is read: ROWS*COLS*CHANNELS/
/// STREAMS cycles.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t AVERAGE, count_t STREAMS, count_t DATA_WIDTH,
          count_t ACC_WIDTH, class data_t, class acc_t>
void global_pool(::hls::stream<data_t> in[STREAMS], ::hls::stream<data_t> out[STREAMS]) {
    static_assert(CHANNELS % STREAMS == 0, "global_pool: STREAMS must divide CHANNELS");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "global_pool: data_t must be DATA_WIDTH bits wide");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "global_pool: acc_t must be ACC_WIDTH bits wide");
    constexpr count_t channels = CHANNELS / STREAMS;
    constexpr count_t pixels = ROWS * COLS;
    HASS_HLS_MODULE(module, "global_pool", {"rows", ROWS}, {"cols", COLS}, {"channels", CHANNELS},
                    {"average", AVERAGE}, {"streams", STREAMS}, {"data_width", DATA_WIDTH},
                    {"acc_width", ACC_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "global_pool");
    const recip_t scale = recip_t(1.0 / static_cast<double>(pixels));
    acc_t sums[STREAMS][channels];
    data_t maxima[STREAMS][channels];
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=sums complete dim=1)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=maxima complete dim=1)
    for (count_t p = 0; p < pixels; ++p) {
        for (count_t k = 0; k < channels; ++k) {
            HASS_PRAGMA(HLS PIPELINE II=1)
            HASS_HLS_TICK(cycles);
            for (count_t s = 0; s < STREAMS; ++s) {
                HASS_PRAGMA(HLS UNROLL)
                const data_t x = in[s].read();
                if (AVERAGE) {
                    const acc_t sum = p == 0 ? acc_t(x) : acc_t(sums[s][k] + x);
                    sums[s][k] = sum;
                    if (p == pixels - 1) out[s].write(data_t(sum * scale));
                } else {
                    const data_t m = (p == 0 || x > maxima[s][k]) ? x : maxima[s][k];
                    maxima[s][k] = m;
                    if (p == pixels - 1) out[s].write(m);
                }
            }
        }
    }
}

} // namespace hass::hls
