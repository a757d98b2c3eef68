// Weight memory and off-chip weight streaming (docs/cost_model.md, "Weights";
// the fpgaConvNet rules restated in the project's PARTITION notes, section 2).
//
// A layer's weights are `arrays` arrays of `depth` addresses by `width` bits
// (dense: one packed array of width ww f ci co cg; sparse: f ci co cg arrays of
// width ww). In BRAM (or URAM) they take T blocks; one block-row is U blocks
// holding Du addresses. `stream_weights` = s of those blocks live off chip: the
// layer keeps T - s blocks plus a one-block-row stream buffer and reads the
// missing addresses from off-chip memory while it runs.
#pragma once

#include "hass/core/math.hpp"
#include "hass/resources/memory.hpp"

namespace hass::cost {

/// Streaming every block of the weight memory (the folding's `stream_weights`
/// sentinel, and what `weights: off_chip` means).
inline constexpr count_t all_blocks = -1;

/// The geometry of a layer's weight memory and what streaming does to it.
struct weight_plan {
    count_t depth = 0;  ///< D: addresses of one array
    count_t width = 0;  ///< Wd: bits per address of one array
    count_t arrays = 1; ///< num: arrays (1 when packed)
    bool uram = false;  ///< blocks are URAM (else BRAM18)
    count_t total_blocks = 0; ///< T over all arrays
    count_t unit = 1;         ///< U: blocks of one block-row over all arrays
    count_t row_depth = 0;    ///< Du: addresses of one block-row (0 when T = 0)
    count_t streamed = 0;     ///< s: blocks moved off chip, 0..T
    count_t buffer = 0;       ///< B: stream-buffer blocks (one block-row; 0 when s = 0)
    double addresses_off = 0; ///< A_off = min(D, (s / U) Du)
    double addresses_on = 0;  ///< A_on = D - A_off

    /// Weight blocks on chip: T - s + B.
    constexpr count_t on_chip_blocks() const noexcept { return total_blocks - streamed + buffer; }
    constexpr count_t bits() const noexcept { return depth * width * arrays; }
    friend constexpr bool operator==(const weight_plan&, const weight_plan&) = default;
};

namespace detail {
/// Depth (addresses) of one block of the aspect ratio that `blocks` picks for a width.
constexpr count_t block_depth(count_t width, bool uram) noexcept {
    if (uram) {
        for (const auto& [bw, bd] : ::hass::detail::uram_aspects)
            if (bw >= (width < 72 ? width : 72)) return bd;
        return 4096;
    }
    for (const auto& [bw, bd] : ::hass::detail::bram18_aspects)
        if (bw >= (width < 36 ? width : 36)) return bd;
    return 512;
}
constexpr count_t block_width(count_t width, bool uram) noexcept {
    if (uram) {
        for (const auto& [bw, bd] : ::hass::detail::uram_aspects)
            if (bw >= (width < 72 ? width : 72)) return bw;
        return 72;
    }
    for (const auto& [bw, bd] : ::hass::detail::bram18_aspects)
        if (bw >= (width < 36 ? width : 36)) return bw;
    return 36;
}
constexpr count_t memory_blocks(count_t depth, count_t width, bool uram) noexcept {
    return uram ? uram_array_blocks(depth, width) : bram18_blocks(depth, width, buffer_kind::memory);
}
} // namespace detail

/// Plans `arrays` weight arrays of `depth` x `width` in BRAM (or URAM) with
/// `stream` blocks off chip (all_blocks: every block; clamped to 0..T).
constexpr weight_plan plan_weights(count_t depth, count_t width, count_t arrays, bool uram, count_t stream) noexcept {
    weight_plan p;
    p.depth = depth;
    p.width = width;
    p.arrays = arrays;
    p.uram = uram;
    const count_t one = detail::memory_blocks(depth, width, uram);
    p.total_blocks = one * arrays;
    if (p.total_blocks > 0) {
        p.row_depth = detail::block_depth(width, uram);
        p.unit = ceil_div(width, detail::block_width(width, uram)) * arrays;
    }
    count_t s = stream == all_blocks ? p.total_blocks : stream;
    if (s < 0) s = 0;
    if (s > p.total_blocks) s = p.total_blocks;
    p.streamed = s;
    if (s > 0) p.buffer = detail::memory_blocks(p.row_depth, width, uram) * arrays;
    const double full = static_cast<double>(depth);
    const double off = s == 0 ? 0.0 : (static_cast<double>(s) / static_cast<double>(p.unit)) * static_cast<double>(p.row_depth);
    p.addresses_off = off < full ? off : full;
    p.addresses_on = full - p.addresses_off;
    return p;
}

/// fpgaConvNet's weight-stream rate, bits per cycle while the layer runs:
/// (A_off * Wd) / (A_on + Du); for unpacked (sparse) arrays the streamed bits
/// are A_off * num * (num * ww) (the reference counts num twice).
constexpr double reference_stream_bits_per_cycle(const weight_plan& p) noexcept {
    if (p.streamed == 0) return 0;
    const double bits = p.arrays == 1 ? p.addresses_off * static_cast<double>(p.width)
                                      : p.addresses_off * static_cast<double>(p.arrays) *
                                            static_cast<double>(p.arrays * p.width);
    return bits / (p.addresses_on + static_cast<double>(p.row_depth));
}

} // namespace hass::cost
