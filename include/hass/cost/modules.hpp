// The resource figure of one instance of each hardware module under
// fpgaConvNet's regressions (docs/cost_model.md, "Modules"): the feature
// vector of every raw resource type, in the coefficient order, and the
// rule-based overrides (DSP of the dot products, the sliding window's buffers,
// the squeeze's buffer BRAM).
#pragma once

#include "hass/core/math.hpp"
#include "hass/cost/regression.hpp"
#include "hass/resources/memory.hpp"

namespace hass::cost {

/// The figure of one module instance: the seven raw types of a regressed
/// module (zero for constant modules), then the sums LUT = logic + LUTRAM +
/// shift registers and BRAM = 2 BRAM36 + BRAM18 (in BRAM18 units) after the
/// module's overrides. DSP is a double: the layers scale it by a packing factor.
struct module_figure {
    count_t logic_lut = 0, lut_ram = 0, lut_sr = 0, ff = 0, bram36 = 0, bram18 = 0;
    double dsp = 0;
    count_t lut = 0, bram = 0;
    bool regressed = false;
    /// A feature needed bits(n) of some n < 1 (undefined in the reference: the layer has no estimate).
    bool undefined = false;

    friend constexpr bool operator==(const module_figure&, const module_figure&) = default;
};

/// LUTRAM cost of a FIFO queue of depth `depth` and width `width`.
constexpr count_t lutq(count_t depth, count_t width) noexcept {
    if (depth <= 0 || width <= 0) return 0;
    if (depth <= 32) return ceil_div(width + 1, 16);
    return ceil_div(width + 1, 8) * ceil_div(depth, 64);
}

/// DSP slices of one x-bit (data) by y-bit (weight or accumulator) multiplier.
constexpr count_t dspmul(count_t x, count_t y) noexcept { return ceil_div(x, 18) * ceil_div(y, 27); }

namespace detail {

/// bits(n) of a feature; n < 1 marks the figure undefined.
constexpr count_t feature_bits(count_t n, bool& undefined) noexcept {
    if (n < 1) {
        undefined = true;
        return 0;
    }
    return bits(n);
}

/// The seven raw estimates of a regressed module (each estimate_of(coefficients,
/// features...)), with LUT = logic + LUTRAM + shift registers and BRAM = 2 BRAM36
/// + BRAM18. The features go straight into the dot products: no feature vector
/// is built (a module figure is computed for every module of every layer in
/// every evaluation, so this is the hot path of the cost model).
constexpr module_figure regressed(count_t logic_lut, count_t lut_ram, count_t lut_sr, count_t ff, count_t dsp,
                                  count_t bram36, count_t bram18, bool undefined) noexcept {
    module_figure m;
    m.regressed = true;
    m.undefined = undefined;
    m.logic_lut = logic_lut;
    m.lut_ram = lut_ram;
    m.lut_sr = lut_sr;
    m.ff = ff;
    m.dsp = static_cast<double>(dsp);
    m.bram36 = bram36;
    m.bram18 = bram18;
    m.lut = m.logic_lut + m.lut_ram + m.lut_sr;
    m.bram = 2 * m.bram36 + m.bram18;
    return m;
}

/// The estimate of a resource whose feature vector is [0] (every regressed
/// module's BRAM, most DSP): trunc(0 * c0), which is 0 for any finite coefficient.
inline constexpr count_t zero_feature = 0;

constexpr module_figure constant(count_t lut, count_t ff, double dsp, count_t bram) noexcept {
    module_figure m;
    m.lut = lut;
    m.ff = ff;
    m.dsp = dsp;
    m.bram = bram;
    return m;
}

} // namespace detail

// Each module below lists its feature vectors per raw type in the coefficient
// order of regression.hpp (docs/cost_model.md gives them as vectors). The
// bits(n) features are computed before any estimate so that `undefined` is
// known when the figure is formed.

/// Accumulator: `ch` partial sums per output, `filters` outputs, `S` lanes of `d` bits.
constexpr module_figure accum(const coefficient_table& t, count_t ch, count_t filters, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d;
    const count_t bch = detail::feature_bits(ch, u), bf = detail::feature_bits(filters, u);
    const raw_vectors& c = t.accum;
    return detail::regressed(estimate_of(c.logic_lut, filters, ch, Sd, S, bch, bf, 1),
                             estimate_of(c.lut_ram, lutq(2, Sd), Sd * filters, Sd, S * filters), detail::zero_feature,
                             estimate_of(c.ff, d, Sd, bch, bf, ch, filters, 1), detail::zero_feature,
                             detail::zero_feature, detail::zero_feature, u);
}

/// Bias: `ch` values per bias, `S` lanes of `d` bits.
constexpr module_figure bias(const coefficient_table& t, count_t ch, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d;
    const count_t bch = detail::feature_bits(ch, u);
    const raw_vectors& c = t.bias;
    return detail::regressed(estimate_of(c.logic_lut, Sd), estimate_of(c.lut_ram, Sd * ch), detail::zero_feature,
                             estimate_of(c.ff, Sd, bch, 1), detail::zero_feature, detail::zero_feature,
                             detail::zero_feature, u);
}

/// Fork: words of `P` values copied to `c` outputs, `S` lanes of `d` bits.
constexpr module_figure fork(const coefficient_table& t, count_t P, count_t c, count_t S, count_t d) noexcept {
    const count_t Sd = S * d;
    const raw_vectors& k = t.fork;
    return detail::regressed(estimate_of(k.logic_lut, S * P, Sd * P, S * P * c, Sd * P * c, 1), detail::zero_feature,
                             detail::zero_feature, estimate_of(k.ff, S * P, Sd * P * c, 1), detail::zero_feature,
                             detail::zero_feature, detail::zero_feature, false);
}

/// Glue: sums `n` (coarse_in) partial results, `S` lanes of `d` bits.
constexpr module_figure glue(const coefficient_table& t, count_t n, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d;
    const count_t bn = detail::feature_bits(n, u);
    const raw_vectors& c = t.glue;
    return detail::regressed(estimate_of(c.logic_lut, Sd * n, Sd * bn, n, 1), estimate_of(c.lut_ram, lutq(bn + 1, Sd), 1),
                             estimate_of(c.lut_sr, bn, 1),
                             estimate_of(c.ff, n, Sd, bn, Sd * (count_t{1} << bn), Sd * n, 1), detail::zero_feature,
                             detail::zero_feature, detail::zero_feature, u);
}

/// Vector dot: `f` multipliers per lane, `S` lanes, `filters` filters in turn;
/// data `d`, weight `w`, accumulator `a` bits. DSP = S f dspmul(d, w).
constexpr module_figure vector_dot(const coefficient_table& t, count_t filters, count_t f, count_t S, count_t d,
                                   count_t w, count_t a) noexcept {
    bool u = false;
    const count_t bF = detail::feature_bits(filters, u), bfine = detail::feature_bits(f, u);
    const raw_vectors& c = t.vector_dot;
    module_figure m = detail::regressed(
        estimate_of(c.logic_lut, f, d, w, S * d * f, S * w * f, S * a * f, filters, bF, 1),
        estimate_of(c.lut_ram, lutq(bfine + 1, S * a), 1), estimate_of(c.lut_sr, bfine + 1),
        estimate_of(c.ff, a, filters, f, bF, bfine + 1, S * a * f, S * a, 1), detail::zero_feature,
        detail::zero_feature, detail::zero_feature, u);
    m.dsp = static_cast<double>(S * f * dspmul(d, w)); // the rule, not the regression
    return m;
}

/// Sparse vector dot (one lane): `f` multipliers over windows of non-zero
/// products, `filters` filters. DSP = f dspmul(d, w).
constexpr module_figure sparse_vector_dot(const coefficient_table& t, count_t filters, count_t f, count_t d,
                                          count_t w, count_t a) noexcept {
    bool u = false;
    const count_t bF = detail::feature_bits(filters, u), bfine = detail::feature_bits(f, u);
    const raw_vectors& c = t.sparse_vector_dot;
    module_figure m = detail::regressed(estimate_of(c.logic_lut, f, d, w, d * f, w * f, a * f, filters, bF, 1),
                                        estimate_of(c.lut_ram, lutq(bfine + 3, a), 1),
                                        estimate_of(c.lut_sr, bfine + 1), estimate_of(c.ff, a, bF, bfine + 1, a * f, 1),
                                        detail::zero_feature, detail::zero_feature, detail::zero_feature, u);
    m.dsp = static_cast<double>(f * dspmul(d, w)); // the rule, not the regression
    return m;
}

/// Squeeze: `i` words in, `o` words out per cycle, `S` lanes of `d` bits; its
/// buffer is lcm(i, o) FIFOs of depth lcm/i + 1 (BRAM or LUTRAM).
constexpr module_figure squeeze(const coefficient_table& t, count_t i, count_t o, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d;
    const count_t B = lcm(i, o);
    const count_t q = B / i + 1;
    const count_t bb = B * bram18_blocks(q, Sd, buffer_kind::fifo);
    const count_t bl = bb == 0 ? B * lutq(q, Sd) : 0;
    const count_t bi = detail::feature_bits(B / i, u), bo = detail::feature_bits(B / o, u);
    const raw_vectors& c = t.squeeze;
    module_figure m = detail::regressed(
        estimate_of(c.logic_lut, B / i, Sd * o * (B / o), B / i, B / o, i, o, Sd * o, 1), estimate_of(c.lut_ram, bl),
        detail::zero_feature, estimate_of(c.ff, bi, B, Sd * o, o, o * bo, 1), detail::zero_feature,
        detail::zero_feature, detail::zero_feature, u);
    m.bram = bb;
    return m;
}

/// The buffers of a sliding window (fpgaConvNet's FIFO rules): the line buffer
/// (depth ch * cols, width (kr - 1) S d), kr window buffers (depth ch, width
/// (kc - 1) S d) and kr kc depth-2 frame registers.
struct window_buffers {
    count_t line_bram = 0, line_lutram = 0;
    count_t window_bram = 0, window_lutram = 0;
    count_t frame_lutram = 0;
};

constexpr window_buffers sliding_window_buffers(count_t cols, count_t ch, count_t kr, count_t kc, count_t S,
                                                count_t d) noexcept {
    const count_t Sd = S * d;
    window_buffers b;
    const count_t Dl = ch * cols, Wl = (kr - 1) * Sd;
    b.line_bram = bram18_blocks(Dl, Wl, buffer_kind::fifo);
    b.line_lutram = b.line_bram == 0 ? lutq(Dl, Wl) : 0;
    const count_t Ww = (kc - 1) * Sd;
    b.window_bram = kr * bram18_blocks(ch, Ww, buffer_kind::fifo);
    b.window_lutram = b.window_bram == 0 ? kr * lutq(ch, Ww) : 0;
    b.frame_lutram = kr * kc * lutq(2, Sd);
    return b;
}

/// Sliding window over a padded `rows` x `cols` map of `ch` channels per lane,
/// `S` lanes of `d` bits. LUT = logic + shift registers + the LUTRAM buffers;
/// BRAM = line + window buffers (the reported LUT_RAM stays the regressed one).
constexpr module_figure sliding_window(const coefficient_table& t, count_t rows, count_t cols, count_t ch, count_t kr,
                                       count_t kc, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d;
    const window_buffers b = sliding_window_buffers(cols, ch, kr, kc, S, d);
    const count_t br = detail::feature_bits(rows, u), bc = detail::feature_bits(cols, u),
                  bch = detail::feature_bits(ch, u);
    const raw_vectors& c = t.sliding_window;
    module_figure m = detail::regressed(
        estimate_of(c.logic_lut, Sd, kr - 1, kr * (kc - 1), Sd * (kr - 1), Sd * kr * (kc - 1)),
        estimate_of(c.lut_ram, b.line_lutram, b.window_lutram, b.frame_lutram), estimate_of(c.lut_sr, 1),
        estimate_of(c.ff, br, bc, bch, Sd, Sd * kr * kc, kr * kc, Sd * (kr - 1), Sd * kr * (kc - 1), kr * kc, 1),
        detail::zero_feature, detail::zero_feature, detail::zero_feature, u);
    m.lut = m.logic_lut + m.lut_sr + b.line_lutram + b.window_lutram + b.frame_lutram;
    m.bram = b.line_bram + b.window_bram;
    m.dsp = 0;
    return m;
}

/// Pool (max or average) over kr x kc windows, `S` lanes of `d` bits.
constexpr module_figure pool(const coefficient_table& t, count_t kr, count_t kc, count_t S, count_t d) noexcept {
    bool u = false;
    const count_t Sd = S * d, K = kr * kc;
    const count_t bK = detail::feature_bits(K, u);
    const raw_vectors& c = t.pool;
    return detail::regressed(estimate_of(c.logic_lut, K, Sd * K, Sd * bK, kr, kc, 1),
                             estimate_of(c.lut_ram, lutq(bK + 1, Sd), 1), detail::zero_feature,
                             estimate_of(c.ff, Sd, Sd * K, bK, 1), detail::zero_feature, detail::zero_feature,
                             detail::zero_feature, u);
}

/// Global pooling of a rows x cols map, `ch` channels per lane, data `d` and
/// accumulator `a` bits. DSP = dspmul(d, a).
constexpr module_figure global_pool(const coefficient_table& t, count_t rows, count_t cols, count_t ch, count_t d,
                                    count_t a) noexcept {
    bool u = false;
    const count_t bch = detail::feature_bits(ch, u), brc = detail::feature_bits(rows * cols, u);
    const raw_vectors& c = t.global_pool;
    module_figure m = detail::regressed(estimate_of(c.logic_lut, a, d, bch, brc, 1), estimate_of(c.lut_ram, lutq(4, d)),
                                        detail::zero_feature, estimate_of(c.ff, d, bch, brc, a * ch, 1),
                                        detail::zero_feature, detail::zero_feature, detail::zero_feature, u);
    m.dsp = static_cast<double>(dspmul(d, a));
    return m;
}

// Modules with constant costs (fpgaconvnet-model edfbeb6, the modules' rsc()).

/// Pad: 16 LUT, 35 FF.
constexpr module_figure pad() noexcept { return detail::constant(16, 35, 0, 0); }
/// ReLU and thresholded ReLU: 16 LUT, 35 FF.
constexpr module_figure relu() noexcept { return detail::constant(16, 35, 0, 0); }
/// HardSwish: 16 LUT, 35 FF, 5 DSP.
constexpr module_figure hardswish() noexcept { return detail::constant(16, 35, 5, 0); }
/// Element-wise add (0 DSP) or other op (1 DSP); a broadcast input is buffered
/// in a FIFO of depth `ch` and width `d`.
constexpr module_figure eltwise(bool add, bool broadcast, count_t ch, count_t d) noexcept {
    return detail::constant(49, 23, add ? 0 : 1, broadcast ? bram18_blocks(ch, d, buffer_kind::fifo) : 0);
}
/// Block-floating-point shift-scale: `S` DSP.
constexpr module_figure shift_scale(count_t S) noexcept { return detail::constant(0, 0, static_cast<double>(S), 0); }

} // namespace hass::cost
