// ONNX import: an ONNX model file to a hass network and its weights.
//
// A compiled library (CMake target hass_onnx, tools/onnx/) that needs libonnx
// and protobuf (Debian: libonnx-dev, libprotobuf-dev). It is not part of the
// header-only library: <hass/hass.hpp> never includes it, and this header
// itself includes no ONNX or protobuf header.
//
//   hass::onnx_import::result r = hass::onnx_import::import_file("model.onnx");
//   hass::evaluate(r.net, hass::unit_folding(r.net), hass::boards::zedboard::spec);
//   hass::hls::write_weights_binary("weights.bin", r.weights, r.net);
//
// Supported operators, how each maps to hass layers, what is rejected and why:
// docs/onnx.md. Every error is a hass::error whose message starts with the
// source (the file name) and names the node (its name, index and operator) or
// the tensor and the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <hass/hls/emit.hpp>
#include <hass/network/network.hpp>

namespace hass::onnx_import {

struct options {
    /// Network name; empty: the file name without its extension ("network" for bytes).
    std::string name;
    /// Compare every shape hass infers with ONNX's (the file's value_info, else
    /// ONNX shape inference); a mismatch is an error.
    bool check_shapes = true;
};

struct result {
    network net;                        ///< splits inserted, validated
    hls::weight_set weights;            ///< canonical weights (docs/hls.md), BatchNorm folded
    std::vector<std::string> notes;     ///< what was folded, fused or removed, one line each
    std::vector<std::string> warnings;  ///< where hass computes something the model does not
    std::size_t nodes = 0;              ///< nodes in the ONNX graph
    std::size_t shapes_checked = 0;     ///< tensors whose hass shape was compared with ONNX's
    std::size_t shapes_total = 0;       ///< tensors hass computes (layer outputs)
    std::int64_t opset = 0;             ///< the model's default-domain opset
    std::string producer;               ///< producer name and version, e.g. "pytorch 1.13.0"
};

/// Imports a serialized ModelProto; `source` starts every error message.
result import_model(std::string_view bytes, std::string_view source, const options& o = {});

/// Reads and imports an .onnx file ("cannot open FILE" when it cannot be read).
result import_file(const std::filesystem::path& path, const options& o = {});

/// The ONNX operators the importer reads, sorted.
const std::vector<std::string_view>& supported_operators();

} // namespace hass::onnx_import
