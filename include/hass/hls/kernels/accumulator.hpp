// Accumulator: sums the partial dot products that make one output
// (hass::modules::accumulator).
#pragma once

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// Dense form.  Per lane, the input is a sequence of partial sums in the order
/// (pixel, group, partial, filter): for each of the GROUPS groups of a pixel,
/// CHANNELS/GROUPS partials (channels of the group on this stream times chunks
/// per window) of FILTERS filters each.  Writes, per pixel and group, the
/// FILTERS sums in filter order.  One input per cycle: DOTS cycles per lane.
///
/// GROUPS (extra parameter, default 1) is the number of convolution groups a
/// stream carries (G / coarse_group); hass::modules::accumulator does not
/// carry it (its `channels` is the total CHANNELS).
template <count_t DOTS, count_t CHANNELS, count_t FILTERS, count_t STREAMS, count_t ACC_WIDTH, class acc_t,
          class out_t, count_t GROUPS = 1>
void accumulator(::hls::stream<acc_t> in[STREAMS], ::hls::stream<out_t> out[STREAMS]) {
    static_assert(CHANNELS % GROUPS == 0, "accumulator: GROUPS must divide CHANNELS");
    static_assert(DOTS % (CHANNELS * FILTERS) == 0, "accumulator: DOTS must be pixels * CHANNELS * FILTERS");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "accumulator: acc_t must be ACC_WIDTH bits wide");
    constexpr count_t partials = CHANNELS / GROUPS;
    HASS_HLS_MODULE(module, "accumulator", {"dots", DOTS}, {"channels", CHANNELS}, {"filters", FILTERS},
                    {"streams", STREAMS}, {"acc_width", ACC_WIDTH});
    HASS_HLS_MODULE_EXTRA(module, "groups", GROUPS);
    HASS_HLS_COUNTER(cycles, module, "accumulator");
    acc_t sums[STREAMS][FILTERS];
    HASS_PRAGMA(HLS ARRAY_PARTITION variable=sums complete dim=1)
    count_t filter = 0, partial = 0;
    for (count_t i = 0; i < DOTS; ++i) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        for (count_t l = 0; l < STREAMS; ++l) {
            HASS_PRAGMA(HLS UNROLL)
            const acc_t x = in[l].read();
            const acc_t s = partial == 0 ? x : acc_t(sums[l][filter] + x);
            sums[l][filter] = s;
            if (partial == partials - 1) out[l].write(out_t(s));
        }
        if (++filter == FILTERS) {
            filter = 0;
            partial = partial + 1 == partials ? 0 : partial + 1;
        }
    }
}

/// Sparse form (STREAMS == 1): the input carries only the (window, filter)
/// pairs with a non-zero product, tagged with their window index, and ends with
/// a word marked `last` (see sparse_vector_dot).  Windows are grouped in units
/// of CHANNELS/GROUPS consecutive windows (the channels of one group of one
/// pixel); each unit yields FILTERS sums, zero for pairs that never arrived.
/// A unit is closed when a word of a later unit arrives; its sums are written
/// one per cycle from a second buffer while the next unit accumulates, and the
/// input stalls when a unit closes before the previous one is written out.
/// Cycles: about max(input words, output words); DOTS (the model's estimate of
/// the input words) is recorded but not used.
template <count_t DOTS, count_t CHANNELS, count_t FILTERS, count_t STREAMS, count_t ACC_WIDTH, class acc_t,
          class out_t, count_t GROUPS = 1>
void accumulator(::hls::stream<sparse_psum<acc_t>> in[STREAMS], ::hls::stream<out_t> out[STREAMS]) {
    static_assert(STREAMS == 1, "accumulator: the sparse form is replicated per lane");
    static_assert(CHANNELS % GROUPS == 0, "accumulator: GROUPS must divide CHANNELS");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "accumulator: acc_t must be ACC_WIDTH bits wide");
    constexpr count_t per_unit = CHANNELS / GROUPS;
    HASS_HLS_MODULE(module, "accumulator", {"dots", DOTS}, {"channels", CHANNELS}, {"filters", FILTERS},
                    {"streams", STREAMS}, {"acc_width", ACC_WIDTH});
    HASS_HLS_MODULE_EXTRA(module, "groups", GROUPS);
    HASS_HLS_COUNTER(cycles, module, "accumulator");
    acc_t sums[FILTERS];   // the unit being accumulated
    acc_t closed[FILTERS]; // the unit being written out
    for (count_t f = 0; f < FILTERS; ++f) sums[f] = closed[f] = 0;
    count_t unit = 0;          // unit being accumulated
    count_t closed_unit = 0;   // unit held in `closed`; the other pending units are all zero
    count_t emit_unit = 0;     // pending units: [emit_unit, emit_end)
    count_t emit_end = 0;
    count_t emit_filter = 0;   // next filter of emit_unit to write
    bool have = false;         // `word` holds an input word not yet consumed
    bool input_done = false;   // the `last` word has been consumed
    bool final_close = false;  // the last unit still has to be closed
    sparse_psum<acc_t> word{};
    while (!input_done || final_close || emit_unit < emit_end) {
        HASS_PRAGMA(HLS PIPELINE II=1)
        HASS_HLS_TICK(cycles);
        const bool idle = emit_unit == emit_end;
        if (!input_done) {
            if (!have) {
                word = in[0].read();
                have = true;
            }
            const count_t u = word.window / per_unit;
            if (u == unit || idle) {
                if (u != unit) { // close `unit`; the units between it and u had no input
                    for (count_t f = 0; f < FILTERS; ++f) {
                        closed[f] = sums[f];
                        sums[f] = 0;
                    }
                    closed_unit = unit;
                    emit_unit = unit;
                    emit_end = u;
                    emit_filter = 0;
                    unit = u;
                }
                if (word.valid) sums[word.filter] = acc_t(sums[word.filter] + word.value);
                have = false;
                if (word.last) {
                    input_done = true;
                    final_close = true;
                }
            } // else: stall until the previous unit is written out
        }
        if (final_close && emit_unit == emit_end) {
            for (count_t f = 0; f < FILTERS; ++f) {
                closed[f] = sums[f];
                sums[f] = 0;
            }
            closed_unit = unit;
            emit_unit = unit;
            emit_end = unit + 1;
            emit_filter = 0;
            final_close = false;
        }
        if (emit_unit < emit_end) {
            out[0].write(out_t(emit_unit == closed_unit ? closed[emit_filter] : acc_t(0)));
            if (++emit_filter == FILTERS) {
                emit_filter = 0;
                ++emit_unit;
            }
        }
    }
}

} // namespace hass::hls
