// Weight sets and their files: the check of a set against a network, and the
// raw binary format (little-endian float32 in network order). The JSON weight
// files are hass/io/weights.hpp; docs/hls.md, "Weights".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/hls/emit/options.hpp"
#include "hass/io/file.hpp"
#include "hass/network/network.hpp"

namespace hass::hls {

/// Checks that `w` gives exactly the weights (and biases) of every layer of
/// `net` that has them; throws hass::error naming the layer.
inline void check_weights(const weight_set& w, const network& net, std::string_view source = "weights") {
    const std::string src(source);
    for (const auto& [name, lw] : w) {
        const int idx = net.find(name);
        if (idx < 0) throw error(src + ": layer '" + name + "' is not in network '" + net.name.str() + "'");
        const layer& l = net.layers[static_cast<std::size_t>(idx)];
        if (!l.has_weights())
            throw error(src + ": layer '" + name + "' is " + std::string(to_string(l.type)) + ", which has no weights");
        if (static_cast<count_t>(lw.weights.size()) != l.weight_count())
            throw error(src + ": layer '" + name + "' has " + std::to_string(lw.weights.size()) +
                        " weights, expected " + std::to_string(l.weight_count()));
        const count_t want_bias = l.hardware_bias() ? l.filters() : 0;
        if (static_cast<count_t>(lw.bias.size()) != want_bias)
            throw error(src + ": layer '" + name + "' has " + std::to_string(lw.bias.size()) + " biases, expected " +
                        std::to_string(want_bias) +
                        (want_bias ? " (one per filter)" : " (the layer has no bias and no BatchNorm)"));
        for (float v : lw.weights)
            if (!std::isfinite(v)) throw error(src + ": layer '" + name + "' has a weight that is not finite");
        for (float v : lw.bias)
            if (!std::isfinite(v)) throw error(src + ": layer '" + name + "' has a bias that is not finite");
    }
    for (const auto& l : net.layers)
        if (l.has_weights() && w.find(l.name.view()) == w.end())
            throw error(src + ": no weights for layer '" + l.name.str() + "'");
}

/// The raw binary weight format: little-endian float32, for each layer with
/// weights in network order, its weight_count() weights (canonical order),
/// then, when the layer has a bias or a folded BatchNorm, its filters() biases.
inline weight_set read_weights_binary(const std::filesystem::path& path, const network& net) {
    count_t expected = 0;
    for (const auto& l : net.layers)
        if (l.has_weights()) expected += l.weight_count() + (l.hardware_bias() ? l.filters() : 0);
    const std::uintmax_t size = io::checked_file_size(path, io::max_binary_file_bytes, "a binary weight file");
    if (size != static_cast<std::uintmax_t>(4 * expected))
        throw error(path.string() + ": " + std::to_string(size) + " bytes, expected " +
                    std::to_string(4 * expected) + " (" + std::to_string(expected) +
                    " little-endian float32 values: the weights and biases of every layer with weights, in "
                    "network order)");
    const std::string raw = io::read_bounded_file(path, io::max_binary_file_bytes, "a binary weight file");
    const std::vector<unsigned char> bytes(raw.begin(), raw.end());
    std::size_t at = 0;
    auto next = [&] {
        std::uint32_t u = 0;
        for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(bytes[at + static_cast<std::size_t>(b)]) << (8 * b);
        at += 4;
        float f;
        std::memcpy(&f, &u, sizeof f);
        return f;
    };
    weight_set w;
    for (const auto& l : net.layers) {
        if (!l.has_weights()) continue;
        layer_weights& lw = w[l.name.str()];
        for (count_t k = 0; k < l.weight_count(); ++k) lw.weights.push_back(next());
        if (l.hardware_bias())
            for (count_t k = 0; k < l.filters(); ++k) lw.bias.push_back(next());
    }
    check_weights(w, net, path.string());
    return w;
}

/// Writes `w` in the raw binary format read_weights_binary reads (little-endian
/// float32, layers with weights in network order, weights then biases). The set
/// is checked against `net` first (check_weights).
inline void write_weights_binary(const std::filesystem::path& path, const weight_set& w, const network& net) {
    check_weights(w, net, "the weights for '" + path.string() + "'");
    std::vector<char> bytes;
    auto put = [&bytes](float f) {
        std::uint32_t u = 0;
        std::memcpy(&u, &f, sizeof u);
        for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((u >> (8 * b)) & 0xffu));
    };
    for (const auto& l : net.layers) {
        if (!l.has_weights()) continue;
        const layer_weights& lw = w.find(l.name.view())->second;
        for (float v : lw.weights) put(v);
        for (float v : lw.bias) put(v);
    }
    std::ofstream out(path, std::ios::binary);
    if (!out) throw error("cannot write '" + path.string() + "'");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw error("cannot write '" + path.string() + "'");
}

} // namespace hass::hls
