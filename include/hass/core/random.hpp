// Seeded random numbers with our own mapping from the 64-bit generator, so that
// searches give the same results on every standard library (the standard
// distributions are implementation-defined).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

namespace hass::detail {

/// Uniform double in [0, 1) from the top 53 bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Uniform integer in [0, n) (modulo bias below 2^-40 for the n used in hass).
inline std::size_t uniform_below(std::mt19937_64& rng, std::size_t n) {
    return static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(n));
}

} // namespace hass::detail
