// Bias: adds a per-filter bias and rounds the accumulator to the data type
// (hass::modules::bias).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Lane p of STREAMS carries DEPTH filters per pixel, in order; table[p][t] is
/// the bias of the t-th.  In a convolution with So output streams, stream p
/// carries the filters f = t * So + p, so DEPTH = FILTERS / So (the dense
/// layer has one packed instance, STREAMS = So; the sparse layer has So
/// instances with STREAMS = 1, each given its row of the table).  Writes
/// data_t(x + bias): the sum is exact, then rounded and saturated by data_t's
/// modes.  WORDS cycles.
template <count_t WORDS, count_t FILTERS, count_t STREAMS, count_t DATA_WIDTH, count_t ACC_WIDTH, class acc_t,
          class data_t, count_t DEPTH>
void bias(::hls::stream<acc_t> in[STREAMS], const acc_t table[][DEPTH], ::hls::stream<data_t> out[STREAMS]) {
    static_assert(FILTERS % DEPTH == 0 && WORDS % DEPTH == 0, "bias: DEPTH must divide FILTERS and WORDS");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "bias: data_t must be DATA_WIDTH bits wide");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "bias: acc_t must be ACC_WIDTH bits wide");
    HASS_HLS_MODULE(module, "bias", {"words", WORDS}, {"filters", FILTERS}, {"streams", STREAMS},
                    {"data_width", DATA_WIDTH}, {"acc_width", ACC_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "bias");
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=table complete dim=1)
    count_t t = 0;
    for (count_t w = 0; w < WORDS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t p = 0; p < STREAMS; ++p) {
            HASS_PRAGMA(HLS UNROLL)
            out[p].write(data_t(in[p].read() + table[p][t]));
        }
        t = t + 1 == DEPTH ? 0 : t + 1;
    }
}

} // namespace hass::hls
