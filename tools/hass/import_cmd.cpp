// The import subcommand (import_cmd.hpp).
#include "import_cmd.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>

#if HASS_CLI_WITH_ONNX
#include <hass_onnx/import.hpp>
#endif

#include "commands.hpp"
#include "model_arg.hpp"
#include "text.hpp"

namespace hass::cli {

CLI::App* add_import_command(CLI::App& app, import_options& o) {
    auto* cmd = app.add_subcommand(
        "import", "Convert an ONNX model to a hass network file and a weights file (docs/onnx.md)");
    cmd->add_option("MODEL", o.model, "The ONNX model (.onnx)")->required();
    cmd->add_option("-o,--out", o.out, "Network JSON file to write (default: print the network on stdout)");
    cmd->add_option("-w,--weights", o.weights,
                    "Weights file to write, BatchNorm folded, in the order 'hass emit-hls --weights' reads: raw "
                    "little-endian float32 (or the JSON weight format when the name ends in .json)");
    cmd->add_option("--name", o.name, "Network name (default: the file name without .onnx)");
    cmd->add_flag("-q,--quiet", o.quiet, "Print only warnings and errors");
    cmd->footer("Every command that takes a MODEL also reads an .onnx file directly; 'hass import' writes the "
                "network file for editing (widths, folding, sparsity) and the weights for 'hass emit-hls'.\n"
                "Supported operators and how they map: docs/onnx.md.");
    return cmd;
}

#if HASS_CLI_WITH_ONNX

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    if (!out) throw hass::error("cannot write '" + path.string() + "'");
    out << text << '\n';
    if (!out) throw hass::error("cannot write '" + path.string() + "'");
}

bool json_name(const std::string& s) {
    return s.size() >= 5 && (s.compare(s.size() - 5, 5, ".json") == 0 || s.compare(s.size() - 5, 5, ".JSON") == 0);
}

} // namespace

int run_import(const import_options& o) {
    if (!is_onnx_argument(o.model))
        throw usage_error("import: MODEL must be an ONNX file (a name ending in .onnx), got '" + o.model + "'");
    onnx_import::options opt;
    opt.name = o.name;
    const onnx_import::result r = onnx_import::import_file(o.model, opt);
    for (const auto& w : r.warnings) fmt::print(stderr, "hass: warning: {}\n", w);
    const network& net = r.net;
    const std::string text = io::write_network(net).dump(2);
    if (!o.weights.empty()) {
        if (json_name(o.weights))
            write_text(o.weights, io::write_weights(r.weights, net).dump());
        else
            hls::write_weights_binary(o.weights, r.weights, net);
    }
    if (o.out.empty()) {
        fmt::print("{}\n", text);
        return 0;
    }
    write_text(o.out, text);
    if (o.quiet) return 0;
    count_t splits = 0, weighted = 0, values = 0;
    for (const auto& l : net.layers) {
        if (l.type == layer_type::split) ++splits;
        if (!l.has_weights()) continue;
        ++weighted;
        values += l.weight_count() + (l.hardware_bias() ? l.filters() : 0);
    }
    fmt::print("imported {} ({}{}opset {}): {} nodes -> {} layers ({} with weights, {} splits inserted)\n", o.model,
               r.producer, r.producer.empty() ? "" : ", ", r.opset, r.nodes, net.size(), weighted, splits);
    fmt::print("network '{}': input {}x{}x{}, {} parameters, {} MACs\n", net.name.str(), net.input.rows, net.input.cols,
               net.input.channels, grouped(net.parameter_count()), grouped(net.macs()));
    fmt::print("shapes: {} of {} tensors checked against ONNX\n", r.shapes_checked, r.shapes_total);
    for (const auto& n : r.notes) fmt::print("  {}\n", n);
    fmt::print("wrote {}\n", o.out);
    if (!o.weights.empty())
        fmt::print("wrote {} ({} values, {})\n", o.weights, grouped(values),
                   json_name(o.weights) ? "JSON weight format" : "raw little-endian float32, network order");
    return 0;
}

#else

int run_import(const import_options& o) {
    throw hass::error("import: this hass was built without ONNX import (install libonnx-dev and libprotobuf-dev, "
                      "then configure and build again); cannot read '" + o.model + "'");
}

#endif

} // namespace hass::cli
