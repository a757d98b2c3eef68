// Names the user may have mistyped: case-insensitive lookups and "did you
// mean" suggestions (edit distance) for subcommands, options, boards and zoo
// models, and the board and model arguments that use them.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <hass/boards/catalog.hpp>
#include <hass/io/json.hpp>

namespace hass::cli {

inline std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Levenshtein distance, case-insensitive.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::string x = lowercase(a), y = lowercase(b);
    std::vector<std::size_t> row(y.size() + 1);
    for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= x.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= y.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0u : 1u)});
            diagonal = up;
        }
    }
    return row[y.size()];
}

/// The closest candidate within max(2, |input| / 3) edits, or "".
template <class Names>
std::string closest(std::string_view input, const Names& candidates) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, input.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(input, c);
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    return best;
}

/// " Did you mean 'x'?" or "".
template <class Names>
std::string did_you_mean(std::string_view input, const Names& candidates) {
    const std::string c = closest(input, candidates);
    return c.empty() ? std::string() : " Did you mean '" + c + "'?";
}

/// An argument meant as a file (a path, or a .json/.onnx name) rather than a catalogue name.
inline bool meant_as_file(std::string_view arg) {
    const std::string l = lowercase(arg);
    auto ends = [&](std::string_view suffix) {
        return l.size() >= suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return arg.find('/') != std::string_view::npos || ends(".json") || ends(".onnx");
}

/// A catalogue board (any letter case) or the path of a board JSON file; an
/// unknown name gets the closest board and the list, a missing file is named
/// as a missing file.
inline io::owned_board board_argument(const std::string& arg) {
    std::error_code ec;
    // anything that exists is read as a file: the reader says why a directory or a device is not one
    if (std::filesystem::exists(arg, ec)) return io::load_board(arg);
    for (const auto& b : boards::catalog)
        if (lowercase(b.name) == lowercase(arg)) return io::owned_board(b);
    if (meant_as_file(arg))
        throw hass::error("board file '" + arg + "' does not exist (or give a catalogue board name)");
    std::vector<std::string_view> names;
    for (const auto& b : boards::catalog) names.push_back(b.name);
    std::string list;
    for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
    throw hass::error("unknown board '" + arg + "'." + did_you_mean(arg, names) + " Known boards: " + list +
                      " (or give the path of a board JSON file)");
}

} // namespace hass::cli
