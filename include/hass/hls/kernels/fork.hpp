// Fork: copies every word to COARSE consumers (hass::modules::fork): the
// coarse_out parallel filters of a convolution, or the consumers of a split.
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Copies WORDS words of each of the STREAMS input lanes to COARSE outputs:
/// out[o * STREAMS + s] receives in[s].  word_t is the packed word of WIDTH
/// elements (vec<data_t, WIDTH>, or data_t when WIDTH == 1 and the producer
/// sends single elements).  One pipelined iteration per word: WORDS cycles.
template <count_t WORDS, count_t WIDTH, count_t COARSE, count_t STREAMS, count_t DATA_WIDTH, class word_t>
void fork(::hls::stream<word_t> in[STREAMS], ::hls::stream<word_t> out[COARSE * STREAMS]) {
    static_assert(sizeof(word_t) >= 1, "fork: complete word type");
    HASS_HLS_MODULE(module, "fork", {"words", WORDS}, {"width", WIDTH}, {"coarse", COARSE},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "fork");
    for (count_t i = 0; i < WORDS; ++i) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            const word_t w = in[s].read();
            for (count_t o = 0; o < COARSE; ++o) {
                HASS_PRAGMA(HLS UNROLL)
                out[o * STREAMS + s].write(w);
            }
        }
    }
}

} // namespace hass::hls
