// Sparse vector dot: skips zero products (hass::modules::sparse_vector_dot).
#pragma once

#include <type_traits>

#include "hass/hls/kernels/common.hpp"

namespace hass::hls {

/// What the zero detector passes to the multipliers: a window, its index, the
/// weight row of its first filter, and per filter the mask of its non-zero
/// products (bit p: element p of the window and of the weight vector are both
/// non-zero).
template <class data_t, count_t KERNEL, count_t FILTERS>
struct sparse_window {
    vec<data_t, KERNEL> x;
    count_t window;
    count_t address;
    unsigned long long mask[FILTERS];
    bool last;
};

/// Per window, which of its FILTERS pairs produce work (dense output form).
template <count_t FILTERS>
struct sparse_flags {
    bool work[FILTERS];
};

/// One lane (the module is replicated per input stream and coarse_out lane):
/// WINDOWS (window, filter) pairs, WINDOWS / FILTERS windows of KERNEL elements
/// each multiplied with FILTERS weight vectors.  weights[d][p], d = k * FILTERS
/// + r, is element p of filter r for the k-th window of a pixel (k < DEPTH /
/// FILTERS, the channels of this stream), then repeating for the next pixel.
///
/// Processes (a dataflow region; the instance takes the max of their cycles):
///   detect: one window per cycle (WINDOWS/FILTERS cycles); computes the
///           non-zero product masks of all FILTERS pairs in parallel and drops
///           the windows whose pairs are all zero (unless it is the last);
///   work:   FINE multipliers: a pair with n non-zero products takes
///           ceil(n / FINE) cycles, each taking the next FINE non-zero
///           products; a pair with none takes 0 cycles when SKIP_ALL_ZERO
///           (else 1).  Sum of these over the pairs, plus one cycle when the
///           last window has no work (it must still pass on the end marker);
///   emit:   (dense output only) one output per pair: WINDOWS cycles.
/// Output: with an out stream of sparse_psum<acc_t> (when an accumulator
/// follows), one tagged word per pair with work and a final word marked
/// `last`; with an out stream of out_t (no accumulator: one window per pixel
/// on this stream), every pair's sum in order, zero for skipped pairs.
/// SKIP_ALL_ZERO is an extra parameter (sparsity_stats::skip_all_zero).
/// INPUT_THRESHOLD (an extra): the detector reads activations x <= threshold
/// as zero (the activation threshold tau_a of a sparse design: one comparator
/// per element), so their products are never multiplied.
template <count_t WINDOWS, count_t KERNEL, count_t FILTERS, count_t FINE, count_t DATA_WIDTH, count_t WEIGHT_WIDTH,
          count_t ACC_WIDTH, class data_t, class weight_t, class acc_t, bool SKIP_ALL_ZERO = true,
          bool INPUT_THRESHOLD = false, class in_t, class out_word_t, count_t DEPTH>
void sparse_vector_dot(::hls::stream<in_t>& in, const weight_t (&weights)[DEPTH][KERNEL], ::hls::stream<out_word_t>& out,
                       data_t threshold = data_t(0)) {
    static_assert(KERNEL <= 64, "sparse_vector_dot: the zero masks hold up to 64 products");
    static_assert(FINE >= 1 && FINE <= KERNEL, "sparse_vector_dot: 1 <= FINE <= KERNEL");
    static_assert(WINDOWS % FILTERS == 0 && DEPTH % FILTERS == 0, "sparse_vector_dot: FILTERS must divide WINDOWS, DEPTH");
    static_assert(width_of<data_t>::value == DATA_WIDTH, "sparse_vector_dot: data_t must be DATA_WIDTH bits wide");
    static_assert(width_of<weight_t>::value == WEIGHT_WIDTH, "sparse_vector_dot: weight_t must be WEIGHT_WIDTH bits");
    static_assert(width_of<acc_t>::value == ACC_WIDTH, "sparse_vector_dot: acc_t must be ACC_WIDTH bits wide");
    constexpr bool tagged = std::is_same<out_word_t, sparse_psum<acc_t>>::value;
    constexpr count_t windows = WINDOWS / FILTERS;
    constexpr count_t per_pixel = DEPTH / FILTERS;
    typedef sparse_window<data_t, KERNEL, FILTERS> window_t;
    HASS_HLS_MODULE(module, "sparse_vector_dot", {"windows", WINDOWS}, {"kernel", KERNEL}, {"filters", FILTERS},
                    {"fine", FINE}, {"data_width", DATA_WIDTH}, {"weight_width", WEIGHT_WIDTH},
                    {"acc_width", ACC_WIDTH});
    HASS_HLS_MODULE_EXTRA(module, "skip_all_zero", SKIP_ALL_ZERO);
    HASS_HLS_MODULE_EXTRA(module, "input_threshold", INPUT_THRESHOLD);
    HASS_PRAGMA(HLS DATAFLOW)
    ::hls::stream<window_t> work_queue;
    ::hls::stream<sparse_flags<FILTERS>> flags;
    ::hls::stream<acc_t> values;
    HASS_PRAGMA(HLS STREAM variable=work_queue depth=4)
    HASS_PRAGMA(HLS STREAM variable=flags depth=64)
    HASS_PRAGMA(HLS STREAM variable=values depth=64)

    { // detect
        HASS_HLS_COUNTER(cycles, module, "detect");
        count_t k = 0;
        for (count_t w = 0; w < windows; ++w) {
            HASS_PRAGMA(HLS PIPELINE II=1)
            HASS_HLS_TICK(cycles);
            const in_t word = in.read();
            window_t d;
            for (count_t p = 0; p < KERNEL; ++p) d.x[p] = element(word, p);
            d.window = w;
            d.address = k * FILTERS;
            d.last = w + 1 == windows;
            sparse_flags<FILTERS> f;
            bool any = false;
            for (count_t r = 0; r < FILTERS; ++r) {
                HASS_PRAGMA(HLS UNROLL)
                unsigned long long m = 0;
                for (count_t p = 0; p < KERNEL; ++p)
                    if (!zero_activation<INPUT_THRESHOLD>(d.x[p], threshold) && weights[d.address + r][p] != 0)
                        m |= 1ull << p;
                d.mask[r] = m;
                f.work[r] = m != 0 || !SKIP_ALL_ZERO;
                any = any || f.work[r];
            }
            if (any || d.last) work_queue.write(d);
            if (!tagged) flags.write(f);
            k = k + 1 == per_pixel ? 0 : k + 1;
        }
    }

    { // work: one flat pipelined loop, one chunk of FINE non-zero products per iteration
        HASS_HLS_COUNTER(cycles, module, "work");
        window_t d{};
        bool have = false;         // a window is being worked on
        bool done = false;
        count_t r = FILTERS;       // its current pair
        count_t final_filter = -1; // its last pair with work
        unsigned long long m = 0;  // products of pair r not yet multiplied
        acc_t sum = 0;
        while (!done) {
            HASS_PRAGMA(HLS PIPELINE II=1)
            HASS_HLS_TICK(cycles);
            if (!have) {
                d = work_queue.read();
                have = true;
                r = FILTERS;
                final_filter = -1;
                for (count_t f = FILTERS - 1; f >= 0; --f) // priority encoders over the pairs
                    if (d.mask[f] != 0 || !SKIP_ALL_ZERO) r = f;
                for (count_t f = 0; f < FILTERS; ++f)
                    if (d.mask[f] != 0 || !SKIP_ALL_ZERO) final_filter = f;
                if (r == FILTERS) { // only the last window can come without work: pass on the end marker
                    if constexpr (tagged) out.write(sparse_psum<acc_t>{acc_t(0), d.window, 0, false, true});
                    done = true;
                    continue;
                }
                m = d.mask[r];
                sum = 0;
            }
            for (count_t e = 0; e < FINE; ++e) {
                HASS_PRAGMA(HLS UNROLL)
                if (m != 0) {
                    count_t p = 0;
                    while (((m >> p) & 1ull) == 0) ++p; // priority encoder
                    m &= m - 1;
                    sum += d.x[p] * weights[d.address + r][p];
                }
            }
            if (m == 0) { // pair r is complete
                if constexpr (tagged)
                    out.write(sparse_psum<acc_t>{sum, d.window, r, true, d.last && r == final_filter});
                else
                    values.write(sum);
                count_t next = FILTERS;
                for (count_t f = FILTERS - 1; f > r; --f)
                    if (d.mask[f] != 0 || !SKIP_ALL_ZERO) next = f;
                if (next == FILTERS) {
                    have = false;
                    done = d.last;
                } else {
                    r = next;
                    m = d.mask[r];
                    sum = 0;
                }
            }
        }
    }

    if constexpr (!tagged) { // emit: one output per pair
        HASS_HLS_COUNTER(cycles, module, "emit");
        sparse_flags<FILTERS> f{};
        count_t r = 0;
        for (count_t i = 0; i < WINDOWS; ++i) {
            HASS_PRAGMA(HLS PIPELINE II=1)
            HASS_HLS_TICK(cycles);
            if (r == 0) f = flags.read();
            out.write(out_word_t(f.work[r] ? values.read() : acc_t(0)));
            r = r + 1 == FILTERS ? 0 : r + 1;
        }
    }
}

} // namespace hass::hls
