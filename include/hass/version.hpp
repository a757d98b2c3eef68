// The hass version. CMake reads HASS_VERSION_STRING from this header and
// stops with an error when it differs from the project() version, so the two
// stay in sync; the header needs no configure step (`-I include` suffices).
#pragma once

#include <string_view>

#define HASS_VERSION_MAJOR 0
#define HASS_VERSION_MINOR 1
#define HASS_VERSION_PATCH 0
#define HASS_VERSION_STRING "0.1.0"
#define HASS_VERSION (HASS_VERSION_MAJOR * 10000 + HASS_VERSION_MINOR * 100 + HASS_VERSION_PATCH)

namespace hass {

inline constexpr int version_major = HASS_VERSION_MAJOR;
inline constexpr int version_minor = HASS_VERSION_MINOR;
inline constexpr int version_patch = HASS_VERSION_PATCH;
inline constexpr std::string_view version_string = HASS_VERSION_STRING;

} // namespace hass
