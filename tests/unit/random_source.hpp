// A seeded generator for the randomised tests, with hass's own mapping (the
// standard distributions differ between library implementations).
#pragma once

#include <cstdint>
#include <random>

#include <hass/core/random.hpp>

namespace hass::test {

struct random_source {
    std::mt19937_64 engine;
    explicit random_source(std::uint64_t seed) : engine(seed) {}
    std::size_t below(std::size_t n) { return hass::detail::uniform_below(engine, n); }
    double unit() { return hass::detail::uniform01(engine); }
    bool chance(double p) { return unit() < p; }
};

} // namespace hass::test
