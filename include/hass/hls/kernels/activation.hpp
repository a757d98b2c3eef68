// Element-wise activation functions (hass::modules::activation).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// The activation of one element, exactly as the kernel computes it:
///   relu:             x > 0 ? x : 0
///   thresholded_relu: x > threshold ? x : 0
///   hardswish:        t = clamp(data_t(x + 3), 0, 6); data_t(x * t * recip_t(1/6))
///   hardsigmoid:      clamp(data_t(data_t(x * recip_t(1/6)) + data_t(0.5)), 0, 1)
///   relu6:            x < 0 ? 0 : x > 6 ? data_t(6) : x  (data_t(6) saturates when
///                     data_t cannot hold 6; the comparisons are exact)
/// (products and sums exact, each data_t(...) rounds and saturates with
/// data_t's modes).  Sigmoid has no kernel (a static_assert says so).
template <activation_kind KIND, class data_t>
data_t activate(const data_t& x, const data_t& threshold) {
    static_assert(KIND != activation_kind::sigmoid, "activation: sigmoid has no HLS kernel yet");
    const recip_t sixth = recip_t(1.0 / 6.0);
    switch (KIND) {
    case activation_kind::relu: return x > 0 ? x : data_t(0);
    case activation_kind::thresholded_relu: return x > threshold ? x : data_t(0);
    case activation_kind::hardswish: {
        data_t t = data_t(x + 3);
        if (t < 0) t = 0;
        if (t > 6) t = 6;
        return data_t(x * t * sixth);
    }
    case activation_kind::hardsigmoid: {
        data_t y = data_t(data_t(x * sixth) + data_t(0.5));
        if (y < 0) y = 0;
        if (y > 1) y = 1;
        return y;
    }
    case activation_kind::relu6: return x < 0 ? data_t(0) : x > 6 ? data_t(6) : x;
    default: return x;
    }
}

/// Applies the activation to WORDS words of STREAMS lanes: WORDS cycles.
/// `threshold` (thresholded ReLU only) is an extra argument: the module struct
/// does not carry it.
template <count_t WORDS, activation_kind KIND, count_t STREAMS, count_t DATA_WIDTH, class data_t>
void activation(::hls::stream<data_t> in[STREAMS], ::hls::stream<data_t> out[STREAMS], data_t threshold = data_t(0)) {
    static_assert(width_of<data_t>::value == DATA_WIDTH, "activation: data_t must be DATA_WIDTH bits wide");
    HASS_HLS_MODULE(module, "activation", {"words", WORDS}, {"kind", static_cast<long long>(KIND)},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH});
    HASS_HLS_COUNTER(cycles, module, "activation");
    for (count_t w = 0; w < WORDS; ++w) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t s = 0; s < STREAMS; ++s) {
            HASS_PRAGMA(HLS UNROLL)
            out[s].write(activate<KIND>(in[s].read(), threshold));
        }
    }
}

} // namespace hass::hls
