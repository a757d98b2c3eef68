// A vector of FPGA resources: DSP slices, LUTs, flip-flops, 18 Kb block RAMs and
// UltraRAM blocks.
#pragma once

#include <array>
#include <string_view>

#include "hass/core/math.hpp"

namespace hass {

enum class resource_kind { dsp, lut, ff, bram18, uram };

inline constexpr std::array<resource_kind, 5> all_resource_kinds{
    resource_kind::dsp, resource_kind::lut, resource_kind::ff, resource_kind::bram18,
    resource_kind::uram};

constexpr std::string_view to_string(resource_kind r) noexcept {
    switch (r) {
    case resource_kind::dsp: return "dsp";
    case resource_kind::lut: return "lut";
    case resource_kind::ff: return "ff";
    case resource_kind::bram18: return "bram18";
    case resource_kind::uram: return "uram";
    }
    return "?";
}

struct resources {
    count_t dsp = 0;
    count_t lut = 0;
    count_t ff = 0;
    count_t bram18 = 0;
    count_t uram = 0;

    constexpr count_t& operator[](resource_kind r) noexcept {
        switch (r) {
        case resource_kind::dsp: return dsp;
        case resource_kind::lut: return lut;
        case resource_kind::ff: return ff;
        case resource_kind::bram18: return bram18;
        case resource_kind::uram: break;
        }
        return uram;
    }
    constexpr count_t operator[](resource_kind r) const noexcept {
        return const_cast<resources&>(*this)[r];
    }

    constexpr resources& operator+=(const resources& o) noexcept {
        dsp += o.dsp;
        lut += o.lut;
        ff += o.ff;
        bram18 += o.bram18;
        uram += o.uram;
        return *this;
    }
    friend constexpr resources operator+(resources a, const resources& b) noexcept { return a += b; }
    friend constexpr resources operator-(resources a, const resources& b) noexcept {
        a.dsp -= b.dsp;
        a.lut -= b.lut;
        a.ff -= b.ff;
        a.bram18 -= b.bram18;
        a.uram -= b.uram;
        return a;
    }
    friend constexpr resources operator*(resources a, count_t n) noexcept {
        a.dsp *= n;
        a.lut *= n;
        a.ff *= n;
        a.bram18 *= n;
        a.uram *= n;
        return a;
    }
    friend constexpr bool operator==(const resources&, const resources&) = default;
};

/// True when every component of `used` is within `budget`.
constexpr bool within(const resources& used, const resources& budget) noexcept {
    for (auto r : all_resource_kinds)
        if (used[r] > budget[r]) return false;
    return true;
}

} // namespace hass
