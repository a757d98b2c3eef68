// Element-wise add or multiply (hass::modules::eltwise).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// out = in_0 op in_1 op ... over PORTS inputs of the same shape, STREAMS lanes,
/// WORDS words per lane.  Add: the exact sum (wide_sum<data_t, bits(PORTS)>)
/// converted once to data_t.  Multiply: left to right, each product converted to
/// data_t.  BROADCAST (two ports): the second input is 1 x 1 x CHANNELS (one
/// word per channel); it is read while the first pixel streams in and kept in a
/// buffer of CHANNELS/STREAMS words per lane.  WORDS cycles.
/// The inputs are the trailing arguments (one `::hls::stream<data_t>*` array of
/// STREAMS streams per port), after the output.
template <count_t WORDS, count_t PORTS, count_t MULTIPLY, count_t BROADCAST, count_t CHANNELS, count_t STREAMS,
          count_t DATA_WIDTH, class data_t, class... Inputs>
void eltwise(::hls::stream<data_t> out[STREAMS], Inputs... in) {
    static_assert(sizeof...(Inputs) == PORTS, "eltwise: pass one input array per port");
    static_assert(!BROADCAST || PORTS == 2, "eltwise: broadcast takes two ports");
    static_assert(CHANNELS % STREAMS == 0, "eltwise: STREAMS must divide CHANNELS");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "eltwise: data_t must be DATA_WIDTH bits wide");
    constexpr count_t channels = CHANNELS / STREAMS;
    typedef typename wide_sum<data_t, static_cast<int>(hass::bits(PORTS))>::type sum_t;
    HASS_HLS_MODULE(module, "eltwise", {"words", WORDS}, {"ports", PORTS}, {"multiply", MULTIPLY},
                    {"broadcast", BROADCAST}, {"channels", CHANNELS}, {"streams", STREAMS},
                    {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "eltwise");
    data_t held[STREAMS][channels]; // broadcast values
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=held complete dim=1)
    count_t k = 0, pixel = 0;
    for (count_t w = 0; w < WORDS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            data_t x[PORTS];
            count_t port = 0;
            ((x[port] = (BROADCAST && port == 1) ? (pixel == 0 ? (held[s][k] = in[s].read()) : held[s][k])
                                                 : in[s].read(),
              ++port),
             ...);
            if (MULTIPLY) {
                data_t r = x[0];
                for (count_t p = 1; p < PORTS; ++p) r = data_t(r * x[p]);
                out[s].write(r);
            } else {
                sum_t sum = x[0];
                for (count_t p = 1; p < PORTS; ++p) sum += x[p];
                out[s].write(data_t(sum));
            }
        }
        if (++k == channels) {
            k = 0;
            ++pixel;
        }
    }
}

} // namespace hass::hls
