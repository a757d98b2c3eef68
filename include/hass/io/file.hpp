// Reading input files with bounds: only regular files (not directories,
// devices or pipes), and at most a stated number of bytes, so that no input
// path makes a reader block or read forever. No dependency beyond the standard
// library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "hass/core/error.hpp"

namespace hass::io {

/// Largest JSON input file hass reads (network, folding, board, statistics,
/// accuracy, thresholds, weights, fpgaConvNet configuration): 64 MiB.
inline constexpr std::uintmax_t max_json_file_bytes = std::uintmax_t{64} << 20;

/// Largest raw binary weight file: 1 GiB (2^28 float32 values).
inline constexpr std::uintmax_t max_binary_file_bytes = std::uintmax_t{1} << 30;

namespace detail {

inline std::string byte_count(std::uintmax_t n) {
    if (n >= (std::uintmax_t{1} << 20) && n % (std::uintmax_t{1} << 20) == 0) return std::to_string(n >> 20) + " MiB";
    return std::to_string(n) + " bytes";
}

} // namespace detail

/// Size of a regular file, after checking that `path` names one. Throws
/// hass::error "cannot open FILE: ..." saying what the path is instead, or
/// "FILE: N bytes, more than the LIMIT limit for WHAT".
inline std::uintmax_t checked_file_size(const std::filesystem::path& path, std::uintmax_t limit,
                                        const std::string& what) {
    const std::string file = path.string();
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st)) throw hass::error("cannot open " + file + ": no such file");
    if (std::filesystem::is_directory(st)) throw hass::error("cannot open " + file + ": it is a directory, not a file");
    if (!std::filesystem::is_regular_file(st))
        throw hass::error("cannot open " + file + ": not a regular file (a device, pipe or socket); " + what +
                          " must be a regular file");
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw hass::error("cannot open " + file + ": " + ec.message());
    if (size > limit)
        throw hass::error(file + ": " + std::to_string(size) + " bytes, more than the " + detail::byte_count(limit) +
                          " limit for " + what);
    return size;
}

/// The bytes of a regular file of at most `limit` bytes (see checked_file_size).
inline std::string read_bounded_file(const std::filesystem::path& path, std::uintmax_t limit, const std::string& what) {
    const std::uintmax_t size = checked_file_size(path, limit, what);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw hass::error("cannot open " + path.string());
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size)
        throw hass::error("cannot read " + path.string() + ": the file changed while it was read");
    return bytes;
}

} // namespace hass::io
