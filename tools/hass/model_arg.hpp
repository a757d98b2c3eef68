// The MODEL argument of the hass command-line tool: a zoo name, a network JSON
// file or an ONNX model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>

namespace hass::cli {

/// A model as the commands use it.
struct model_input {
    io::network_file file;                  ///< the network and its inline folding (all 1 for zoo and ONNX)
    std::optional<hls::weight_set> weights; ///< an ONNX model's weights (BatchNorm folded)
    bool onnx = false;
};

/// True for an argument ending in ".onnx" (any case): read as an ONNX model.
bool is_onnx_argument(const std::string& arg);

/// Resolves MODEL: ".onnx" is an ONNX model (hass import), an existing file or a
/// name ending in ".json" a network file, anything else a zoo name. The ONNX
/// import's warnings are printed on stderr ("hass: warning: ...").
model_input load_model_argument(const std::string& arg);

/// The help text of MODEL arguments.
extern const char* const model_argument_help;

} // namespace hass::cli
