// Vector dot: FINE multipliers and an adder tree per lane
// (hass::modules::vector_dot).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Each of the STREAMS lanes reads a chunk of FINE window elements and computes
/// its dot product with FILTERS weight vectors in turn, one per cycle: DOTS
/// dot products (and cycles) per lane.  The weights of lane l are
/// weights[l][d][e] with d running over DEPTH = (windows per pixel) *
/// (chunks per window) * FILTERS in the order (window, chunk, filter) and then
/// repeating for the next pixel; e is the element of the chunk.
///
/// Arithmetic: every product data_t * weight_t is exact; the FINE products are
/// added in acc_t (with an acc_t that keeps all fraction bits of the products
/// and wraps on overflow, the result does not depend on the order of the
/// additions); the sum is written as out_t (acc_t, or data_t when this is the
/// last module of the layer).  in_t is vec<data_t, FINE>, or data_t when FINE
/// == 1 and the input comes straight from the layer's input.  INPUT_THRESHOLD
/// (an extra): activations x <= threshold count as zero (the activation
/// threshold tau_a of a sparse design, in a layer built dense).
template <count_t DOTS, count_t FILTERS, count_t FINE, count_t STREAMS, count_t DATA_WIDTH, count_t WEIGHT_WIDTH,
          count_t ACC_WIDTH, class data_t, class weight_t, class acc_t, class out_t, bool INPUT_THRESHOLD = false,
          class in_t, count_t DEPTH>
void vector_dot(::hls::stream<in_t> in[STREAMS], const weight_t (&weights)[STREAMS][DEPTH][FINE],
                ::hls::stream<out_t> out[STREAMS], data_t threshold = data_t(0)) {
    static_assert(DOTS % FILTERS == 0 && DEPTH % FILTERS == 0, "vector_dot: FILTERS must divide DOTS and DEPTH");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "vector_dot: data_t must be DATA_WIDTH bits wide");
    static_assert(width_of<weight_t>::value == WEIGHT_WIDTH, "vector_dot: weight_t must be WEIGHT_WIDTH bits wide");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "vector_dot: acc_t must be ACC_WIDTH bits wide");
    HASS_HLS_MODULE(module, "vector_dot", {"dots", DOTS}, {"filters", FILTERS}, {"fine", FINE},
                    {"streams", STREAMS}, {"data_width", DATA_WIDTH}, {"weight_width", WEIGHT_WIDTH},
                    {"acc_width", ACC_WIDTH});
    HASS_HLS_MODULE_EXTRA(module, "input_threshold", INPUT_THRESHOLD);
    HASS_HLS_COUNTER(cycles, module, "vector_dot");
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=1)
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=3)
    in_t chunk[STREAMS];
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=chunk complete)
    count_t filter = 0, address = 0;
    for (count_t i = 0; i < DOTS; ++i) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t l = 0; l < STREAMS; ++l) {
            HASS_PRAGMA(HLS UNROLL)
            if (filter == 0) chunk[l] = in[l].read();
            acc_t sum = 0;
            for (count_t e = 0; e < FINE; ++e) {
                HASS_PRAGMA(HLS UNROLL)
                const data_t x = element(chunk[l], e);
                if (!INPUT_THRESHOLD || !zero_activation<INPUT_THRESHOLD>(x, threshold))
                    sum += x * weights[l][address][e];
            }
            out[l].write(out_t(sum));
        }
        filter = filter + 1 == FILTERS ? 0 : filter + 1;
        address = address + 1 == DEPTH ? 0 : address + 1;
    }
}

} // namespace hass::hls
