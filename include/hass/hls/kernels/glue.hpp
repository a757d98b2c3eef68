// Glue: adds the coarse_in partial sums of each output stream
// (hass::modules::glue).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Output p (of STREAMS) is the sum of in[p * COARSE_IN + i], i < COARSE_IN,
/// added in acc_t and written as out_t.  One word per cycle per output: WORDS
/// cycles.
template <count_t WORDS, count_t COARSE_IN, count_t STREAMS, count_t ACC_WIDTH, class acc_t, class out_t>
void glue(::hls::stream<acc_t> in[STREAMS * COARSE_IN], ::hls::stream<out_t> out[STREAMS]) {
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "glue: acc_t must be ACC_WIDTH bits wide");
    HASS_HLS_MODULE(module, "glue", {"words", WORDS}, {"coarse_in", COARSE_IN}, {"streams", STREAMS},
                    {"acc_width", ACC_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "glue");
    for (count_t w = 0; w < WORDS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t p = 0; p < STREAMS; ++p) {
            HASS_PRAGMA(HLS UNROLL)
            acc_t sum = in[p * COARSE_IN].read();
            for (count_t i = 1; i < COARSE_IN; ++i) {
                HASS_PRAGMA(HLS UNROLL)
                sum += in[p * COARSE_IN + i].read();
            }
            out[p].write(out_t(sum));
        }
    }
}

} // namespace hass::hls
