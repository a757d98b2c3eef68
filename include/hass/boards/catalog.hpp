// The 13 boards of the fpgaConvNet platform files as types (MODEL.md "Boards").
// Figures are checked against the vendor data sheets; docs/boards.md lists the
// source of every number and the corrections made.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include "hass/boards/board.hpp"

namespace hass::boards {

// clang-format off
//                                          name        part                       DSP    LUT      FF       BRAM18 URAM   MHz  Gbps
struct zedboard { static constexpr board spec{"zedboard", "xc7z020clg484-1",     {220,   53200,   106400,  280,   0},    200, 34.112}; };
struct zc706    { static constexpr board spec{"zc706",    "xc7z045ffg900-2",     {900,   218600,  437200,  1090,  0},    200, 102.4}; };
struct zcu102   { static constexpr board spec{"zcu102",   "xczu9eg-ffvb1156-2-e",{2520,  274080,  548160,  1824,  0},    200, 153.6}; };
struct zcu104   { static constexpr board spec{"zcu104",   "xczu7ev-ffvc1156-2-e",{1728,  230400,  460800,  624,   96},   200, 153.6}; };
struct vc707    { static constexpr board spec{"vc707",    "xc7vx485tffg1761-2",  {2800,  303600,  607200,  2060,  0},    200, 102.4}; };
struct vc709    { static constexpr board spec{"vc709",    "xc7vx690tffg1761-2",  {3600,  433000,  866000,  2940,  0},    200, 204.8}; };
struct vcu1525  { static constexpr board spec{"vcu1525",  "xcvu9p-fsgd2104-2L-e",{6840,  1182240, 2364480, 4320,  960},  200, 320.0}; };
struct u200     { static constexpr board spec{"u200",     "xcu200-fsgd2104-2-e", {6840,  1182000, 2364000, 4320,  960},  250, 614.4}; };
struct u250     { static constexpr board spec{"u250",     "xcu250-figd2104-2L-e",{12288, 1728000, 3456000, 5376,  1280}, 250, 614.4}; };
struct u50      { static constexpr board spec{"u50",      "xcu50-fsvh2104-2-e",  {5952,  871680,  1743360, 2688,  640},  250, 1608.0}; };
struct kv260    { static constexpr board spec{"kv260",    "xck26-sfvc784-2LV-c", {1248,  117120,  234240,  288,   64},   200, 100.0}; };
struct zybo     { static constexpr board spec{"zybo",     "xc7z010clg400-1",     {80,    17600,   35200,   120,   0},    200, 33.6}; };
struct coraz7   { static constexpr board spec{"coraz7",   "xc7z007sclg400-1",    {66,    14400,   28800,   100,   0},    200, 16.8}; };
// clang-format on

/// Every board type, for compile-time iteration (`boost::hana::for_each`).
inline constexpr auto all = boost::hana::tuple_t<zedboard, zc706, zcu102, zcu104, vc707, vc709,
                                                 vcu1525, u200, u250, u50, kv260, zybo, coraz7>;

/// The same boards as run-time values, in the same order.
inline constexpr std::array<board, 13> catalog{zedboard::spec, zc706::spec, zcu102::spec,
                                                zcu104::spec,   vc707::spec, vc709::spec,
                                                vcu1525::spec,  u200::spec,  u250::spec,
                                                u50::spec,      kv260::spec, zybo::spec,
                                                coraz7::spec};

/// The board of that name, if it is one of the catalogue.
constexpr std::optional<board> find(std::string_view name) noexcept {
    for (const auto& b : catalog)
        if (b.name == name) return b;
    return std::nullopt;
}

} // namespace hass::boards
