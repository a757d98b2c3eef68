// The emit-hls subcommand: a design (network + folding) to HLS C++ and a test bench.
#include "emit_hls.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>
#include <hass/search/search.hpp>

#include "commands.hpp"
#include "model_arg.hpp"

namespace hass::cli {

namespace {

bool is_file_argument(const std::string& arg) {
    std::error_code ec;
    if (arg.size() >= 5 && arg.compare(arg.size() - 5, 5, ".json") == 0) return true;
    return std::filesystem::is_regular_file(arg, ec);
}

io::owned_board load_board_argument(const std::string& arg) {
    if (is_file_argument(arg)) return io::load_board(arg);
    if (auto b = boards::find(arg)) return io::owned_board(*b);
    std::string names;
    for (const auto& b : boards::catalog) names += (names.empty() ? "" : ", ") + std::string(b.name);
    throw hass::error("unknown board '" + arg + "'; known boards: " + names + " (or give the path of a board JSON file)");
}

} // namespace

CLI::App* add_emit_hls_command(CLI::App& app, emit_hls_options& o) {
    auto* cmd = app.add_subcommand(
        "emit-hls", "Write the HLS C++ of a design (per-layer headers, top, C-simulation test bench); docs/hls.md");
    cmd->add_option("DESIGN", o.design,
                    "A network JSON file with its folding inline, or a model (zoo name, network file or .onnx "
                    "model) with --board (search the folding) or --folding")
        ->required();
    cmd->add_option("-o,--out", o.out, "Output directory (created when missing)")->required();
    cmd->add_option("-w,--weights", o.weights,
                    "Weights: JSON {\"layers\": {\"conv1\": {\"weights\": [...], \"bias\": [...]}}} or raw "
                    "little-endian float32 in network order (default: an .onnx model's own weights, else the test "
                    "bench draws seeded random ones)");
    cmd->add_option("-b,--board", o.board,
                    "Board (catalogue name or JSON file): without --folding, run the optimal folding search for it");
    cmd->add_option("-f,--folding", o.folding, "Folding JSON file (default: the design's inline folding)");
    cmd->add_option("--top", o.top, "Name of the top function (default: <network>_top)");
    cmd->add_option("--namespace", o.name_space, "C++ namespace of the generated code")->capture_default_str();
    cmd->add_option("--seed", o.seed, "Seed of the test bench's random input (and weights)")
        ->check(CLI::Range(0LL, 4294967295LL))
        ->capture_default_str();
    cmd->add_option("--data-int-bits", o.data_int, "Integer bits of data_t (default: half the data width)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--weight-int-bits", o.weight_int, "Integer bits of weight_t (default: a quarter of the weight width)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--prune", o.prune,
                    "Fraction of the random weights of sparse layers set to zero (the test bench's own weights)")
        ->check(CLI::Range(0.0, 0.99))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", o.quiet, "Print only warnings and errors");
    return cmd;
}

int run_emit_hls(const emit_hls_options& o) {
    if (o.out.empty()) throw usage_error("emit-hls: --out DIR is required");
    model_input input = load_model_argument(o.design);
    io::network_file& design = input.file;
    const network& net = design.net;

    std::vector<folding> f;
    std::string folding_source;
    if (!o.folding.empty()) {
        f = io::load_folding(o.folding, net);
        folding_source = "folding file " + o.folding;
    } else if (!o.board.empty()) {
        const io::owned_board owned = load_board_argument(o.board);
        search_result r = hass::search(net, owned.spec(), algorithm::optimal, {});
        if (!r.found || r.folding.empty())
            throw hass::error("emit-hls: no folding of '" + net.name.str() + "' fits board '" +
                              std::string(owned.spec().name) + "': " + r.message);
        f = std::move(r.folding);
        folding_source = "the optimal search for board " + std::string(owned.spec().name) + " (II " +
                         std::to_string(r.ii) + " cycles)";
    } else {
        f = design.folding;
        folding_source = design.has_folding ? "the design's inline folding" : "no folding given: every factor 1";
    }

    hls::emit_options eo;
    eo.out_dir = o.out;
    eo.name_space = o.name_space;
    eo.top_name = o.top;
    eo.seed = static_cast<std::uint32_t>(o.seed);
    eo.data_integer_bits = o.data_int;
    eo.weight_integer_bits = o.weight_int;
    eo.random_prune = o.prune;
    eo.origin = o.design + (o.folding.empty() ? "" : " with " + o.folding);
    std::string weights_source = "none given (the test bench draws seeded random ones)";
    if (!o.weights.empty()) {
        eo.weights = io::load_weights(o.weights, net);
        weights_source = "embedded from " + o.weights;
    } else if (input.weights) {
        eo.weights = std::move(input.weights);
        weights_source = "embedded from the ONNX model " + o.design + " (BatchNorm folded)";
    }

    const hls::emit_result r = hls::emit_design(net, f, eo);

    // the design as emitted (network with the folding inline), for the record
    const std::filesystem::path record = std::filesystem::path(o.out) / "design.json";
    {
        std::ofstream out(record);
        if (!out) throw hass::error("cannot write '" + record.string() + "'");
        out << io::write_network(net, f).dump(2) << '\n';
        if (!out) throw hass::error("cannot write '" + record.string() + "'");
    }

    for (const auto& w : r.warnings) fmt::print(stderr, "hass: warning: {}\n", w);
    if (!o.quiet) {
        fmt::print("design '{}': {} layers, {} squeezes between layers; model II {} cycles per image\n",
                   net.name.str(), net.size(), r.squeezes, r.compute_ii);
        fmt::print("folding: {}\n", folding_source);
        fmt::print("weights: {}\n", weights_source);
        fmt::print("wrote {} files and design.json to {} (top function {}, namespace {})\n", r.files.size(), o.out,
                   r.top_name, r.name_space);
        fmt::print("C simulation: g++ -std=c++20 -DHASS_HLS_HOST -I<hass include dirs> {0}/testbench.cpp {0}/top.cpp\n",
                   o.out);
    }
    return 0;
}

} // namespace hass::cli
