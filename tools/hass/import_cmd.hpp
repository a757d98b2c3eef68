// The import subcommand of the hass command-line tool: an ONNX model to a
// network JSON file and a weights file (docs/onnx.md).
//
//   hass import MODEL.onnx [-o net.json] [--weights weights.bin] [--name NAME]
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace hass::cli {

struct import_options {
    std::string model;    ///< the .onnx file
    std::string out;      ///< network JSON file; empty: print the network on stdout
    std::string weights;  ///< weights file: raw float32, or JSON when it ends in .json
    std::string name;     ///< network name (default: the file name without .onnx)
    bool quiet = false;
};

/// Adds the import subcommand to `app`, parsing into `o`.
CLI::App* add_import_command(CLI::App& app, import_options& o);

int run_import(const import_options& o);

} // namespace hass::cli
