// Concat: joins the channels of PORTS inputs (hass::modules::concat).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Per pixel, the channels of input 0, then of input 1, ...: output channel
/// sum_{q<p} CHANNELS_q + c is channel c of input p.  Every input has STREAMS
/// streams (channel c on stream c % STREAMS), so STREAMS must divide each
/// CHANNELS_p.  One output word per cycle: WORDS = H*W*sum(CHANNELS)/STREAMS.
/// CHANNELS... (the channels of each input) are extra parameters: the module
/// struct does not carry them.  The inputs (one ::hls::stream<data_t>* array of
/// STREAMS streams each) follow the output.
template <count_t WORDS, count_t PORTS, count_t STREAMS, count_t DATA_WIDTH, class data_t, count_t... CHANNELS,
          class... Inputs>
void concat(::hls::stream<data_t> out[STREAMS], Inputs... in) {
    static_assert(sizeof...(CHANNELS) == PORTS && sizeof...(Inputs) == PORTS,
                  "concat: give the channels of, and one input array for, every port");
    static_assert(((CHANNELS % STREAMS == 0) && ...), "concat: STREAMS must divide the channels of every input");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "concat: data_t must be DATA_WIDTH bits wide");
    constexpr count_t words[PORTS] = {(CHANNELS / STREAMS)...};
    constexpr count_t per_pixel = ((CHANNELS / STREAMS) + ...);
    static_assert(WORDS % per_pixel == 0, "concat: WORDS must be pixels * sum(CHANNELS) / STREAMS");
    HASS_HLS_MODULE(module, "concat", {"words", WORDS}, {"ports", PORTS}, {"streams", STREAMS},
                    {"data_width", DATA_WIDTH});
#if !HASS_HLS_VENDOR
    (HASS_HLS_MODULE_EXTRA(module, "channels", CHANNELS), ...);
#endif
    HASS_HLS_COUNTER(cycles, module, "concat");
    count_t port = 0, k = 0;
    for (count_t w = 0; w < WORDS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            data_t x = 0;
            count_t q = 0;
            ((q++ == port ? (void)(x = in[s].read()) : (void)0), ...);
            out[s].write(x);
        }
        if (++k == words[port]) {
            k = 0;
            port = port + 1 == PORTS ? 0 : port + 1;
        }
    }
}

} // namespace hass::hls
