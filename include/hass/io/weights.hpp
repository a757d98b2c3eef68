// Weight files for the HLS emitter (optional integration: needs nlohmann-json,
// like hass/io/json.hpp). Two formats (docs/hls.md, "Weights"):
//
//   JSON    {"layers": {"conv1": {"weights": [...], "bias": [...]}, ...}}
//           weights in canonical order (OIHW; an inner product [feature][input]
//           with the input in stream order), bias one per filter when the layer
//           has a bias or a folded BatchNorm
//   binary  raw little-endian float32: for each layer with weights in network
//           order, its weights then its biases (hass::hls::read_weights_binary)
//
//   auto w = hass::io::load_weights("weights.json", net);   // JSON or binary
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hass/hls/emit/weight_files.hpp"
#include "hass/io/json.hpp"

namespace hass::io {

/// Reads the JSON weight format; every layer of `net` with weights must be
/// given, with exactly its weight and bias counts.
inline hls::weight_set read_weights(const json& j, const network& net, std::string_view source) {
    const detail::scope top{std::string(source)};
    detail::require_object(j, top, "a weights file");
    detail::check_keys(j, {"layers", "model"}, top, "a weights file");
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_object())
        top.fail_field("layers", "expected an object (layer name -> {\"weights\": [...], \"bias\": [...]}), got " +
                                     detail::describe(layers));
    hls::weight_set w;
    for (const auto& item : layers.items()) {
        const detail::scope s{top.where + ": layer '" + item.key() + "'"};
        const json& e = item.value();
        detail::require_object(e, s, "a layer's weights");
        detail::check_keys(e, {"weights", "bias"}, s, "a layer's weights");
        hls::layer_weights lw;
        auto numbers = [&](std::string_view key, std::vector<float>& out) {
            const json* a = detail::find(e, key);
            if (!a) return;
            if (!a->is_array()) s.fail_field(key, "expected an array of numbers, got " + detail::describe(*a));
            out.reserve(a->size());
            for (std::size_t k = 0; k < a->size(); ++k) {
                const json& v = (*a)[k];
                if (!v.is_number())
                    s.fail_field(std::string(key) + "[" + std::to_string(k) + "]",
                                 "expected a number, got " + detail::describe(v));
                out.push_back(v.get<float>());
            }
        };
        if (!detail::find(e, "weights")) s.fail("missing field 'weights'");
        numbers("weights", lw.weights);
        numbers("bias", lw.bias);
        w.emplace(item.key(), std::move(lw));
    }
    hls::check_weights(w, net, source);
    return w;
}

/// Writes the JSON weight format read_weights reads (every layer with weights,
/// checked against `net` first).
inline json write_weights(const hls::weight_set& w, const network& net) {
    hls::check_weights(w, net, "the weights");
    json layers = json::object();
    for (const auto& l : net.layers) {
        if (!l.has_weights()) continue;
        const hls::layer_weights& lw = w.find(l.name.view())->second;
        json e{{"weights", lw.weights}};
        if (!lw.bias.empty()) e["bias"] = lw.bias;
        layers[l.name.str()] = std::move(e);
    }
    return json{{"model", net.name.str()}, {"layers", std::move(layers)}};
}

/// Reads a weight file: JSON when its first non-blank character is '{', else
/// the raw float32 format.
inline hls::weight_set load_weights(const std::filesystem::path& path, const network& net) {
    checked_file_size(path, std::max(max_json_file_bytes, max_binary_file_bytes), "a weight file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error("cannot open '" + path.string() + "'");
    char c = 0;
    while (in.get(c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
    }
    in.close();
    if (c == '{') return read_weights(load_json_file(path), net, path.string());
    return hls::read_weights_binary(path, net);
}

} // namespace hass::io
