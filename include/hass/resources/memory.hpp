// On-chip memory mapping (MODEL.md "Resources: memory blocks").
//
// A buffer of `depth` words of `width` bits maps to block RAM by taking the
// narrowest BRAM18 aspect ratio whose width is at least min(width, 36), then
// tiling: ceil(width / bw) * ceil(depth / bd). UltraRAM works the same way with
// its own aspect ratios. Buffers below the block threshold are built from LUTRAM.
#pragma once

#include <array>
#include <utility>

#include "hass/core/math.hpp"
#include "hass/resources/resources.hpp"

namespace hass {

/// How a buffer is used: a random-access memory (weights, accumulators, line
/// buffers) or a FIFO (stream buffering).
enum class buffer_kind { memory, fifo };

/// Where a layer's weights live.
enum class weight_storage { bram, uram, off_chip };

constexpr std::string_view to_string(weight_storage s) noexcept {
    switch (s) {
    case weight_storage::bram: return "bram";
    case weight_storage::uram: return "uram";
    case weight_storage::off_chip: return "off_chip";
    }
    return "?";
}

namespace detail {
// (width, depth) aspect ratios of one block, narrowest first.
inline constexpr std::array<std::pair<count_t, count_t>, 6> bram18_aspects{
    {{1, 16384}, {2, 8192}, {4, 4096}, {9, 2048}, {18, 1024}, {36, 512}}};
inline constexpr std::array<std::pair<count_t, count_t>, 7> uram_aspects{
    {{1, 262144}, {2, 131072}, {4, 65536}, {9, 32768}, {18, 16384}, {36, 8192}, {72, 4096}}};

template <std::size_t N>
constexpr count_t tile_blocks(const std::array<std::pair<count_t, count_t>, N>& aspects,
                              count_t depth, count_t width) noexcept {
    const count_t max_width = aspects[N - 1].first;
    const count_t wanted = width < max_width ? width : max_width;
    for (const auto& [bw, bd] : aspects)
        if (bw >= wanted) return ceil_div(width, bw) * ceil_div(depth, bd);
    return 0; // unreachable: the widest aspect always qualifies
}
} // namespace detail

/// True when a buffer is too small for a block RAM and is built from LUTRAM.
constexpr bool fits_in_lutram(count_t depth, count_t width, buffer_kind kind = buffer_kind::memory) noexcept {
    if (depth <= 0 || width <= 0) return true;
    if (kind == buffer_kind::memory) return depth * width < 1024;
    return depth * width <= 1024 || depth <= 32;
}

/// Number of BRAM18 blocks for a `depth x width` buffer (0 when it fits in LUTRAM).
constexpr count_t bram18_blocks(count_t depth, count_t width,
                                buffer_kind kind = buffer_kind::memory) noexcept {
    if (fits_in_lutram(depth, width, kind)) return 0;
    return detail::tile_blocks(detail::bram18_aspects, depth, width);
}

/// Number of URAM blocks for a `depth x width` buffer (0 when it fits in LUTRAM).
constexpr count_t uram_blocks(count_t depth, count_t width,
                              buffer_kind kind = buffer_kind::memory) noexcept {
    if (fits_in_lutram(depth, width, kind)) return 0;
    return detail::tile_blocks(detail::uram_aspects, depth, width);
}

/// Number of URAM blocks of an array placed in URAM whatever its size: unlike
/// BRAM there is no small-array threshold (fpgaConvNet's uram rule).
constexpr count_t uram_array_blocks(count_t depth, count_t width) noexcept {
    if (depth <= 0 || width <= 0) return 0;
    return detail::tile_blocks(detail::uram_aspects, depth, width);
}

/// LUTs of a LUTRAM buffer: one LUT6 stores 64 x 1 bit.
constexpr count_t lutram_luts(count_t depth, count_t width) noexcept {
    if (depth <= 0 || width <= 0) return 0;
    return ceil_div(depth, 64) * width;
}

/// Resources of one buffer placed in BRAM (or URAM); small buffers go to LUTRAM.
constexpr resources buffer_resources(count_t depth, count_t width, weight_storage where = weight_storage::bram,
                                     buffer_kind kind = buffer_kind::memory) noexcept {
    resources r;
    if (where == weight_storage::off_chip) return r;
    if (fits_in_lutram(depth, width, kind)) {
        r.lut = lutram_luts(depth, width);
        return r;
    }
    if (where == weight_storage::uram)
        r.uram = uram_blocks(depth, width, kind);
    else
        r.bram18 = bram18_blocks(depth, width, kind);
    return r;
}

/// DSP slices of one `a x b`-bit multiplier: ceil(a/18) * ceil(b/27).
constexpr count_t dsp_per_multiplier(count_t a, count_t b) noexcept {
    return ceil_div(a, 18) * ceil_div(b, 27);
}

/// DSP slices of `n` multipliers of `a x b` bits, packing two per slice when both
/// widths are at most 8 bits and four when both are at most 4 bits.
constexpr count_t multiplier_dsps(count_t n, count_t a, count_t b) noexcept {
    if (n <= 0) return 0;
    if (a <= 4 && b <= 4) return ceil_div(n, 4);
    if (a <= 8 && b <= 8) return ceil_div(n, 2);
    return n * dsp_per_multiplier(a, b);
}

} // namespace hass
