// Pool: reduces each window to its maximum or its mean (hass::modules::pool).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Max: the largest of the KERNEL elements.  Average: the exact sum (in
/// wide_sum<data_t, bits(KERNEL)>) times recip_t(1.0 / KERNEL), converted to
/// data_t (padding zeros count in the mean).  One window per cycle per lane:
/// WINDOWS cycles.
template <count_t WINDOWS, count_t KERNEL, count_t AVERAGE, count_t STREAMS, count_t DATA_WIDTH, class data_t,
          class in_t>
void pool(::hls::stream<in_t> in[STREAMS], ::hls::stream<data_t> out[STREAMS]) {
    static_assert(width_of<data_t>::value == DATA_WIDTH, "pool: data_t must be DATA_WIDTH bits wide");
    typedef typename wide_sum<data_t, static_cast<int>(hass::bits(KERNEL))>::type sum_t;
    HASS_HLS_MODULE(module, "pool", {"windows", WINDOWS}, {"kernel", KERNEL}, {"average", AVERAGE},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "pool");
    const recip_t scale = recip_t(1.0 / static_cast<double>(KERNEL));
    for (count_t w = 0; w < WINDOWS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            const in_t x = in[s].read();
            if (AVERAGE) {
                sum_t sum = 0;
                for (count_t e = 0; e < KERNEL; ++e) sum += element(x, e);
                out[s].write(data_t(sum * scale));
            } else {
                data_t m = element(x, 0);
                for (count_t e = 1; e < KERNEL; ++e)
                    if (element(x, e) > m) m = element(x, e);
                out[s].write(m);
            }
        }
    }
}

} // namespace hass::hls
