// The LUT and FF cost table of hass: every module's logic estimate is built from
// these unit costs (docs/model.md "LUT and FF"), so there is one place to
// recalibrate them against synthesis results.
//
// fpgaConvNet fits LUT/FF regressions on synthesis runs of its Chisel modules;
// those fitted coefficients are published only as binary NumPy files and the
// training data are not public, so hass uses this bit-level estimate instead
// (a deliberate deviation, docs/deviations.md). DSP and block-RAM counts do not
// depend on this table: they follow the exact rules of MODEL.md.
#pragma once

#include "hass/core/math.hpp"

namespace hass::cost {

/// LUTs per bit of a ripple-carry adder or subtractor (one LUT6 + carry per bit).
inline constexpr count_t lut_per_adder_bit = 1;
/// LUTs per bit of a comparator (max pooling, thresholds).
inline constexpr count_t lut_per_compare_bit = 1;
/// LUTs per bit of a 4:1 multiplexer (one LUT6 implements a 4:1 mux bit).
inline constexpr count_t lut_per_mux4_bit = 1;
/// LUTs per bit of a 2:1 multiplexer or gate (zero insertion, ReLU).
inline constexpr count_t lut_per_mux2_bit = 1;
/// LUT and FF of the ready/valid handshake and state machine of one module instance.
inline constexpr count_t control_lut = 24;
inline constexpr count_t control_ff = 16;
/// LUT and FF per bit of a loop counter (incrementer + compare, register).
inline constexpr count_t counter_lut_per_bit = 2;
inline constexpr count_t counter_ff_per_bit = 1;
/// FF per bit of a pipeline register.
inline constexpr count_t ff_per_register_bit = 1;
/// Pipeline stages of a DSP multiplier (input, multiply, output registers).
inline constexpr count_t multiplier_latency = 3;
/// LUTs per output bit of a table-based nonlinearity (sigmoid): a 2^10-entry
/// table per bit built from LUT6 ROMs.
inline constexpr count_t lut_per_table_bit = 16;

/// Number of 4:1 mux levels' LUTs per bit for an n:1 multiplexer.
constexpr count_t mux_luts_per_bit(count_t n) noexcept { return n <= 1 ? 0 : ceil_div(n - 1, 3); }

} // namespace hass::cost
