// The MODEL argument of the hass command-line tool (model_arg.hpp).
#include "model_arg.hpp"
#include "suggest.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include <hass/zoo/zoo.hpp>

#if HASS_CLI_WITH_ONNX
#include <hass_onnx/import.hpp>
#endif

namespace hass::cli {

const char* const model_argument_help =
    "a zoo model name (see 'hass models'), the path of a network JSON file (an existing file or a name "
    "ending in .json), of an ONNX model (a name ending in .onnx; docs/onnx.md) or, for eval, search and "
    "export, of an fpgaConvNet design file (config.json: folding, partitions and batch included)";

namespace {

bool ends_with_nocase(const std::string& s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

} // namespace

bool is_onnx_argument(const std::string& arg) { return ends_with_nocase(arg, ".onnx"); }

model_input load_model_argument(const std::string& arg) {
    model_input m;
    if (is_onnx_argument(arg)) {
#if HASS_CLI_WITH_ONNX
        onnx_import::result r = onnx_import::import_file(arg);
        for (const auto& w : r.warnings) fmt::print(stderr, "hass: warning: {}\n", w);
        m.file.net = std::move(r.net);
        m.file.folding = unit_folding(m.file.net);
        m.weights = std::move(r.weights);
        m.onnx = true;
        return m;
#else
        throw hass::error("'" + arg +
                          "' is an ONNX model, but this hass was built without ONNX import (install libonnx-dev "
                          "and libprotobuf-dev, then configure and build again)");
#endif
    }
    std::error_code ec;
    if (ends_with_nocase(arg, ".json") || std::filesystem::exists(arg, ec)) {
        m.file = io::load_network_file(arg);
        return m;
    }
    for (std::string_view name : zoo::model_names)
        if (lowercase(name) == lowercase(arg)) {
            m.file.net = *zoo::by_name(name);
            m.file.folding = unit_folding(m.file.net);
            return m;
        }
    if (meant_as_file(arg))
        throw hass::error("model file '" + arg + "' does not exist (or give a zoo model name)");
    std::string names;
    for (std::string_view n : zoo::model_names) names += (names.empty() ? "" : ", ") + std::string(n);
    throw hass::error("unknown model '" + arg + "'." + did_you_mean(arg, zoo::model_names) + " Known models: " + names +
                      " (or give the path of a network JSON file or an .onnx model)");
}

} // namespace hass::cli
