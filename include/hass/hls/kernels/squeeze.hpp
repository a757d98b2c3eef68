// Squeeze: re-packs LANES_IN elements per word into LANES_OUT elements per
// word (hass::modules::squeeze).  Inside a convolution it cuts each window of
// K elements into K/fine chunks; between two layers it turns a producer's
// coarse_out streams into the consumer's coarse_in streams.
//
// Schedule of both forms: a buffer of LANES_IN + LANES_OUT elements per lane;
// each pipelined iteration first reads a word when it fits, then writes a word
// when LANES_OUT elements are buffered.  Iterations: max(in words, out words)
// (one more when LANES_IN < LANES_OUT and LANES_IN does not divide LANES_OUT),
// which is the model's ELEMENTS / (min(LANES_IN, LANES_OUT) * STREAMS).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Packed form (inside a convolution): STREAMS lanes, each re-packed from
/// words of LANES_IN elements into words of LANES_OUT elements; ELEMENTS counts
/// all lanes.  Elements keep their order.
template <count_t ELEMENTS, count_t LANES_IN, count_t LANES_OUT, count_t STREAMS, count_t DATA_WIDTH, class data_t>
void squeeze(::hls::stream<vec<data_t, LANES_IN>> in[STREAMS], ::hls::stream<vec<data_t, LANES_OUT>> out[STREAMS]) {
    static_assert(ELEMENTS % (STREAMS * LANES_IN) == 0 && ELEMENTS % (STREAMS * LANES_OUT) == 0,
                  "squeeze: the lanes must divide the elements");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "squeeze: data_t must be DATA_WIDTH bits wide");
    constexpr count_t in_words = ELEMENTS / (STREAMS * LANES_IN);
    constexpr count_t out_words = ELEMENTS / (STREAMS * LANES_OUT);
    constexpr count_t CAP = LANES_IN + LANES_OUT;
    HASS_HLS_MODULE(module, "squeeze", {"elements", ELEMENTS}, {"lanes_in", LANES_IN}, {"lanes_out", LANES_OUT},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "squeeze");
    data_t buffer[STREAMS][CAP];
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=buffer complete dim=0)
    count_t fill = 0, read = 0, written = 0;
    while (written < out_words) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        const bool do_read = read < in_words && fill + LANES_IN <= CAP;
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            if (do_read) {
                const vec<data_t, LANES_IN> w = in[s].read();
                for (count_t e = 0; e < LANES_IN; ++e) buffer[s][fill + e] = w[e];
            }
        }
        if (do_read) {
            fill += LANES_IN;
            ++read;
        }
        if (fill >= LANES_OUT) {
            for (count_t s = 0; s < STREAMS; ++s) {
                HASS_PRAGMA(HLS UNROLL)
                vec<data_t, LANES_OUT> w;
                for (count_t e = 0; e < LANES_OUT; ++e) w[e] = buffer[s][e];
                for (count_t e = 0; e + LANES_OUT < CAP; ++e) buffer[s][e] = buffer[s][e + LANES_OUT];
                out[s].write(w);
            }
            fill -= LANES_OUT;
            ++written;
        }
    }
}

/// Stream form (between layers, STREAMS == 1): element i of a word travels on
/// stream i, so a map on LANES_IN streams (channel c on stream c % LANES_IN)
/// becomes the same map on LANES_OUT streams (channel c on c % LANES_OUT).
template <count_t ELEMENTS, count_t LANES_IN, count_t LANES_OUT, count_t STREAMS, count_t DATA_WIDTH, class data_t>
void squeeze_streams(::hls::stream<data_t> in[LANES_IN], ::hls::stream<data_t> out[LANES_OUT]) {
    static_assert(STREAMS == 1, "squeeze_streams: the stream form re-packs one lane group");
    static_assert(ELEMENTS % LANES_IN == 0 && ELEMENTS % LANES_OUT == 0, "squeeze: the lanes must divide the elements");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "squeeze: data_t must be DATA_WIDTH bits wide");
    constexpr count_t in_words = ELEMENTS / LANES_IN;
    constexpr count_t out_words = ELEMENTS / LANES_OUT;
    constexpr count_t CAP = LANES_IN + LANES_OUT;
    HASS_HLS_MODULE(module, "squeeze", {"elements", ELEMENTS}, {"lanes_in", LANES_IN}, {"lanes_out", LANES_OUT},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "squeeze");
    data_t buffer[CAP];
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=buffer complete)
    count_t fill = 0, read = 0, written = 0;
    while (written < out_words) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        if (read < in_words && fill + LANES_IN <= CAP) {
            for (count_t e = 0; e < LANES_IN; ++e) {
                HASS_PRAGMA(HLS UNROLL)
                buffer[fill + e] = in[e].read();
            }
            fill += LANES_IN;
            ++read;
        }
        if (fill >= LANES_OUT) {
            for (count_t e = 0; e < LANES_OUT; ++e) {
                HASS_PRAGMA(HLS UNROLL)
                out[e].write(buffer[e]);
            }
            for (count_t e = 0; e + LANES_OUT < CAP; ++e) buffer[e] = buffer[e + LANES_OUT];
            fill -= LANES_OUT;
            ++written;
        }
    }
}

} // namespace hass::hls
