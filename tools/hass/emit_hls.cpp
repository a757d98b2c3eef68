// The emit-hls subcommand: a design (network + folding) to HLS C++ and a test bench.
#include "emit_hls.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <hass/hass.hpp>

#include "validators.hpp"
#include <hass/hls/emit.hpp>
#include <hass/hls/emit_partitions.hpp>
#include <hass/io/folding_plan.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>
#include <hass/sparsity/json.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>

#include "commands.hpp"
#include "model_arg.hpp"
#include "sparse_cmd.hpp"
#include "suggest.hpp"
#include "text.hpp"

namespace hass::cli {

namespace {

io::owned_board load_board_argument(const std::string& arg) {
    return board_argument(arg);
}

/// True when layer `i` reads a ReLU's output (through splits): its input
/// activations are >= 0, so an activation threshold tau_a is a thresholded ReLU.
bool reads_relu(const network& net, int i) {
    if (i < 0) return false;
    int p = net.layers[static_cast<std::size_t>(i)].inputs.empty() ? network_input
                                                                   : net.layers[static_cast<std::size_t>(i)].inputs[0];
    while (p >= 0 && net.layers[static_cast<std::size_t>(p)].type == layer_type::split)
        p = net.layers[static_cast<std::size_t>(p)].inputs[0];
    if (p < 0) return false;
    const layer_type t = net.layers[static_cast<std::size_t>(p)].type;
    return t == layer_type::relu || t == layer_type::relu6 || t == layer_type::thresholded_relu;
}

/// The design as emitted, for the record: DIR/design.json, the network with the
/// folding inline (and the partitions and batch when cut), which emit-hls reads back.
void write_design_record(const std::string& dir, const network& net, const std::vector<folding>& f,
                         const std::vector<int>& cuts, count_t batch) {
    nlohmann::json dj = io::write_network(net, f);
    io::add_folding_plan(dj, net, cuts, batch);
    const std::filesystem::path record = std::filesystem::path(dir) / "design.json";
    std::ofstream out(record);
    if (!out) throw hass::error("cannot write '" + record.string() + "'");
    out << dj.dump(2) << '\n';
    if (!out) throw hass::error("cannot write '" + record.string() + "'");
}

/// Prints the emitter's warnings; those that differ only in the layer they name
/// ("layer 'X': ...") are printed once, with the layers listed.
void print_warnings(const std::vector<std::string>& warnings, const std::string& where = {}) {
    std::vector<std::pair<std::string, std::vector<std::string>>> groups; // (text after the layer, layers)
    for (const auto& w : warnings) {
        std::string layer, rest = w;
        if (w.rfind("layer '", 0) == 0)
            if (const auto end = w.find("': "); end != std::string::npos) {
                layer = w.substr(7, end - 7);
                rest = w.substr(end + 3);
            }
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return !g.second.empty() && g.first == rest; });
        if (layer.empty() || it == groups.end())
            groups.push_back({layer.empty() ? w : rest, layer.empty() ? std::vector<std::string>{} : std::vector{layer}});
        else
            it->second.push_back(layer);
    }
    const std::string prefix = where.empty() ? "" : where + ": ";
    for (const auto& [text, layers] : groups) {
        if (layers.empty())
            fmt::print(stderr, "hass: warning: {}{}\n", prefix, text);
        else if (layers.size() == 1)
            fmt::print(stderr, "hass: warning: {}layer '{}': {}\n", prefix, layers.front(), text);
        else
            fmt::print(stderr, "hass: warning: {}{} layers ('{}'): {}\n", prefix, layers.size(),
                       fmt::join(layers, "', '"), text);
    }
}

/// The partitioned design: one top per partition and the host driver (hass/hls/emit_partitions.hpp).
int emit_partitioned(const emit_hls_options& o, const network& net, const std::vector<folding>& f,
                     const std::vector<int>& cuts, const hls::emit_options& eo, const board* b, count_t batch,
                     const std::string& folding_source, const std::string& weights_source,
                     const std::string& thresholds_note, const std::string& stats_file) {
    hls::host_model model;
    model.batch = batch;
    if (b) {
        evaluation_options ev;
        ev.batch = batch;
        const partitioned_report pr = evaluate_partitions(net, f, *b, cuts, ev);
        model.clock_mhz = b->clock_mhz;
        model.reconf_time_s = pr.reconf_time_s;
        model.reconfigure_first = pr.reconfigure_first;
        for (const design_report& p : pr.partitions) {
            model.ii.push_back(p.ii);
            model.depth.push_back(p.pipeline_depth);
        }
    }
    const hls::partitioned_emit_result r = hls::emit_partitioned_design(net, f, cuts, eo, model);

    write_design_record(o.out, net, f, cuts, batch);
    std::size_t files = 1;
    for (const auto& p : r.partitions) {
        files += p.result.files.size();
        print_warnings(p.result.warnings, p.dir);
    }
    if (!o.quiet) {
        fmt::print("design '{}': {} layers in {} partitions\n", net.name.str(), net.size(), r.partitions.size());
        fmt::print("folding: {}\n", folding_source);
        fmt::print("weights: {}\n", weights_source);
        fmt::print("thresholds: {}\n", thresholds_note);
        for (const auto& p : r.partitions) {
            std::size_t sparse = 0;
            for (std::size_t i = 0; i < p.net.size(); ++i)
                sparse += implemented_sparse(p.net.layers[i], p.factors[i]) ? 1 : 0;
            fmt::print("  {}/  layers {} .. {} ({}-{}): top {}, namespace {}, model II {} cycles, {} squeezes, {} "
                       "sparse layers\n",
                       p.dir, net.layers[static_cast<std::size_t>(p.first)].name.str(),
                       net.layers[static_cast<std::size_t>(p.last - 1)].name.str(), p.first, p.last - 1,
                       p.result.top_name, p.result.name_space, p.result.compute_ii, p.result.squeezes, sparse);
        }
        if (!stats_file.empty()) fmt::print("statistics: {}\n", stats_file);
        fmt::print("wrote {} files, host.cpp and design.json to {}\n", files, o.out);
        if (!o.csim) { // else emit-hls compiles and runs them itself
            fmt::print("C simulation of partition k: g++ -std=c++20 -DHASS_HLS_HOST -I<hass include dirs> "
                       "{0}/pk/testbench.cpp {0}/pk/top.cpp\n",
                       o.out);
            std::string tops;
            for (const auto& p : r.partitions) tops += " " + (std::filesystem::path(o.out) / p.dir / "top.cpp").string();
            fmt::print("host driver:       g++ -std=c++20 -DHASS_HLS_HOST -I<hass include dirs> {}/host.cpp{}\n",
                       o.out, tops);
        }
    }
    return 0;
}

/// The argument quoted for the shell.
std::string shell_quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// hass's include directory for --csim: the option, $HASS_INCLUDE_DIR, this
/// build's source tree, the install prefix; the first holding the kernels.
std::string csim_include_dir(const emit_hls_options& o) {
    std::vector<std::string> tried;
    auto holds_kernels = [&](const std::string& d) {
        tried.push_back(d);
        return !d.empty() && std::filesystem::exists(std::filesystem::path(d) / "hass" / "hls" / "reference.hpp");
    };
    if (!o.hass_include.empty()) {
        if (holds_kernels(o.hass_include)) return o.hass_include;
        throw hass::error("emit-hls --csim: --hass-include " + o.hass_include + " has no hass/hls/reference.hpp");
    }
    if (const char* env = std::getenv("HASS_INCLUDE_DIR"); env && holds_kernels(env)) return env;
#ifdef HASS_CLI_SOURCE_INCLUDE_DIR
    if (holds_kernels(HASS_CLI_SOURCE_INCLUDE_DIR)) return HASS_CLI_SOURCE_INCLUDE_DIR;
#endif
#ifdef HASS_CLI_INSTALL_INCLUDE_DIR
    if (holds_kernels(HASS_CLI_INSTALL_INCLUDE_DIR)) return HASS_CLI_INSTALL_INCLUDE_DIR;
#endif
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : ", ") + (t.empty() ? std::string("(empty)") : t);
    throw hass::error("emit-hls --csim: hass's include directory (hass/hls/reference.hpp) is not in " +
                      (list.empty() ? std::string("any known place") : list) +
                      "; give it with --hass-include DIR or $HASS_INCLUDE_DIR");
}

/// Compiles `sources` (in `dir`) into `dir/binary` with the host stand-ins and runs it
/// (its output goes to ours); throws when either step fails.
void compile_and_run(const emit_hls_options& o, const std::string& include, const std::filesystem::path& dir,
                     const std::vector<std::string>& sources, const std::string& binary) {
    std::string cxx = o.cxx;
    if (cxx.empty()) {
        const char* env = std::getenv("CXX");
        cxx = env && *env ? env : "c++";
    }
    std::string cmd = shell_quoted(cxx) + " -std=c++20 -O1 -DHASS_HLS_HOST -I " + shell_quoted(include) + " -I " +
                      shell_quoted(dir.string());
    for (const auto& src : sources) cmd += " " + shell_quoted((dir / src).string());
    const std::string exe = (dir / binary).string();
    cmd += " -o " + shell_quoted(exe);
    fmt::print("C simulation: {}\n", cmd);
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0)
        throw hass::error("emit-hls --csim: compiling " + (dir / sources.front()).string() + " failed (command above)");
    fmt::print("C simulation: running {}\n", exe);
    std::fflush(stdout);
    if (std::system(shell_quoted(exe).c_str()) != 0)
        throw hass::error("emit-hls --csim: " + exe + " reports FAIL (its output above says where)");
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
        ->check(integer_in(0, 4294967295LL))
        ->capture_default_str();
    cmd->add_option("--data-int-bits", o.data_int, "Integer bits of data_t (default: half the data width)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--weight-int-bits", o.weight_int, "Integer bits of weight_t (default: a quarter of the weight width)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--prune", o.prune,
                    "Fraction of the random weights of sparse layers set to zero (the test bench's own weights)")
        ->check(CLI::Range(0.0, 0.99))
        ->capture_default_str();
    cmd->add_option("--cosearch", o.cosearch,
                    "The output directory of 'hass search --sparsity ... --out DIR': its folding.json, stats.json "
                    "and thresholds.json (each unless given by --folding, --stats, --thresholds)");
    cmd->add_option("--stats", o.stats,
                    "Sparsity statistics file (product histograms, one threshold point per layer): the layers the "
                    "folding builds sparse");
    cmd->add_option("--thresholds", o.thresholds,
                    "Thresholds file (hass.sparsity.thresholds): weights with |w| < tau_w are pruned, and a "
                    "convolution reading a ReLU's output reads x <= tau_a as zero");
    cmd->add_flag("--allow-dense", o.allow_dense,
                  "A folding that says \"implementation\": \"sparse\" for a layer without sparsity statistics: "
                  "warn and build it dense (default: an error)");
    cmd->add_option("--partition", o.partition,
                    "'auto': the partitions the folding file gives (hass search writes them), or with --board and "
                    "no --folding those of the partitioned search (as hass search); one top per partition and a "
                    "host driver; 'none': one partition")
        ->check(CLI::IsMember({"none", "auto"}))
        ->capture_default_str();
    cmd->add_option("--batch", o.batch,
                    "Images per batch of the partitioned search and of the host driver's batch time (default: the "
                    "folding file's, else 256)")
        ->check(integer_in(1, max_batch));
    cmd->add_flag("--csim", o.csim,
                  "Then compile the C-simulation test bench on the host (and the host driver of a partitioned "
                  "design) and run it: outputs bit-exact with the reference, and the kernels' cycles next to the "
                  "model's (sparse layers on the test data's statistics); exits 1 when it fails");
    cmd->add_option("--cxx", o.cxx, "Host C++20 compiler of --csim (default: $CXX, else c++)");
    cmd->add_option("--hass-include", o.hass_include,
                    "hass's include directory for --csim (default: $HASS_INCLUDE_DIR, else this build's source "
                    "tree, else the install prefix)");
    cmd->add_flag("-q,--quiet", o.quiet, "Print only warnings and errors");
    return cmd;
}

int run_emit_hls(const emit_hls_options& o) {
    if (o.out.empty()) throw usage_error("emit-hls: --out DIR is required");
    model_input input = load_model_argument(o.design);
    io::network_file& design = input.file;
    network& net = design.net;

    // the co-search's directory supplies what is not given on its own
    std::string folding_file = o.folding, stats_file = o.stats, thresholds_file = o.thresholds;
    if (!o.cosearch.empty()) {
        const std::filesystem::path dir = o.cosearch;
        if (!std::filesystem::is_directory(dir))
            throw hass::error("emit-hls: --cosearch " + o.cosearch +
                              " is not a directory (hass search --sparsity ... --out DIR writes one)");
        auto take = [&](std::string& target, const char* name, bool required) {
            if (!target.empty()) return;
            const std::filesystem::path p = dir / name;
            if (std::filesystem::is_regular_file(p))
                target = p.string();
            else if (required)
                throw hass::error("emit-hls: " + o.cosearch + " has no " + name +
                                  " (the co-search writes it when a design was found)");
        };
        take(folding_file, "folding.json", true);
        take(stats_file, "stats.json", true);
        take(thresholds_file, "thresholds.json", false);
    }
    if (!stats_file.empty()) apply_stats_file(net, stats_file);

    std::vector<folding> f;
    std::vector<int> cuts;
    count_t batch = o.batch > 0 ? o.batch : 0;
    std::string folding_source, plan_source;
    std::optional<io::owned_board> owned;
    if (!o.board.empty()) owned.emplace(load_board_argument(o.board));
    if (!folding_file.empty()) {
        const nlohmann::json fj = io::load_json_file(folding_file);
        for (const std::string& p : io::sparse_without_statistics(fj, net, folding_file)) {
            if (!o.allow_dense) throw hass::error("emit-hls: " + p);
            fmt::print(stderr, "hass: warning: {} (--allow-dense: built dense)\n", p);
        }
        f = io::read_folding(fj, net, folding_file);
        folding_source = "folding file " + folding_file;
        const io::folding_plan plan = io::read_folding_plan(fj, net, folding_file);
        if (plan.has_partitions && o.partition == "auto") {
            cuts = plan.cuts;
            plan_source = "as the folding file gives";
        }
        if (batch == 0) batch = plan.batch;
    } else if (owned) {
        hass::search_options so;
        so.batch = batch > 0 ? batch : 256;
        progress_line progress(fmt::format("searching {} on {}", net.name.str(), owned->spec().name));
        so.progress = [&progress](double fr) { progress(fr); };
        if (o.partition == "auto") {
            partitioned_search_result r = search_partitioned(net, owned->spec(), algorithm::optimal, so);
            if (!r.found || r.folding.empty())
                throw hass::error("emit-hls: no folding of '" + net.name.str() + "' fits board '" +
                                  std::string(owned->spec().name) + "': " + r.message);
            f = std::move(r.folding);
            cuts = std::move(r.cuts);
            plan_source = "the shortest batch time over the cut positions (as hass search)";
            folding_source = fmt::format("the optimal partitioned search for board {} ({:.1f} images/s at batch {})",
                                         owned->spec().name, r.throughput, so.batch);
        } else {
            search_result r = hass::search(net, owned->spec(), algorithm::optimal, so);
            if (!r.found || r.folding.empty())
                throw hass::error("emit-hls: no folding of '" + net.name.str() + "' fits board '" +
                                  std::string(owned->spec().name) + "' in one partition: " + r.message +
                                  " (--partition auto cuts it into partitions)");
            f = std::move(r.folding);
            folding_source = "the optimal search for board " + std::string(owned->spec().name) + " (II " +
                             std::to_string(r.ii) + " cycles)";
        }
    } else {
        f = design.folding;
        if (design.plan.has_partitions && o.partition == "auto") {
            cuts = design.plan.cuts;
            plan_source = "as the design file gives";
        }
        if (batch == 0) batch = design.plan.batch;
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
    eo.origin = o.design + (folding_file.empty() ? "" : " with " + folding_file) +
                (stats_file.empty() ? "" : ", statistics " + stats_file);
    std::string thresholds_note = "none";
    if (!thresholds_file.empty()) {
        for (const auto& t : io::read_threshold_values(io::load_json_file(thresholds_file), thresholds_file, net)) {
            hls::layer_thresholds th;
            th.tau_w = t.tau_w;
            th.tau_a = t.tau_a;
            th.activation = reads_relu(net, net.find(t.name));
            eo.thresholds[t.name] = th;
        }
        eo.thresholds_source = thresholds_file;
        thresholds_note = std::to_string(eo.thresholds.size()) + " layers from " + thresholds_file;
    }
    std::string weights_source = "none given (the test bench draws seeded random ones)";
    if (!o.weights.empty()) {
        eo.weights = io::load_weights(o.weights, net);
        weights_source = "embedded from " + o.weights;
    } else if (input.weights) {
        eo.weights = std::move(input.weights);
        weights_source = "embedded from the ONNX model " + o.design + " (BatchNorm folded)";
    }

    const char* batch_source = o.batch > 0 ? "--batch" : batch > 0 ? "the design's" : "default";
    if (batch == 0) batch = 256;
    if (!o.quiet)
        fmt::print("batch {} ({}); partitioning {}: {}\n", batch, batch_source,
                   o.partition,
                   cuts.empty() ? std::string("one partition")
                                : fmt::format("{} partitions, {}", cuts.size() + 1, plan_source));
    const std::string include = o.csim ? csim_include_dir(o) : std::string(); // --csim: fail before emitting
    if (!cuts.empty()) {
        const int rc = emit_partitioned(o, net, f, cuts, eo, owned ? &owned->spec() : nullptr, batch, folding_source,
                                        weights_source, thresholds_note, stats_file);
        if (o.csim) {
            std::vector<std::filesystem::path> parts;
            for (const auto& entry : std::filesystem::directory_iterator(o.out))
                if (entry.is_directory() && std::filesystem::exists(entry.path() / "testbench.cpp"))
                    parts.push_back(entry.path());
            std::sort(parts.begin(), parts.end());
            std::vector<std::string> host{"host.cpp"};
            for (const auto& p : parts) {
                compile_and_run(o, include, p, {"testbench.cpp", "top.cpp"}, "testbench");
                host.push_back((p.filename() / "top.cpp").string());
            }
            compile_and_run(o, include, o.out, host, "host"); // the partitions in order, as the host would
        }
        return rc;
    }

    const hls::emit_result r = hls::emit_design(net, f, eo);

    write_design_record(o.out, net, f, {}, 0);

    print_warnings(r.warnings);
    if (!o.quiet) {
        fmt::print("design '{}': {} layers, {} squeezes between layers; model II {} cycles per image\n",
                   net.name.str(), net.size(), r.squeezes, r.compute_ii);
        fmt::print("folding: {}\n", folding_source);
        fmt::print("weights: {}\n", weights_source);
        fmt::print("thresholds: {}\n", thresholds_note);
        std::size_t sparse = 0;
        for (std::size_t i = 0; i < net.size(); ++i) sparse += implemented_sparse(net.layers[i], f[i]) ? 1 : 0;
        fmt::print("sparse layers: {}{}\n", sparse, stats_file.empty() ? "" : " (statistics " + stats_file + ")");
        fmt::print("wrote {} files and design.json to {} (top function {}, namespace {})\n", r.files.size(), o.out,
                   r.top_name, r.name_space);
        if (!o.csim)
            fmt::print("C simulation: g++ -std=c++20 -DHASS_HLS_HOST -I<hass include dirs> {0}/testbench.cpp {0}/top.cpp "
                       "(or emit-hls --csim)\n",
                       o.out);
    }
    if (o.csim) compile_and_run(o, include, o.out, {"testbench.cpp", "top.cpp"}, "testbench");
    return 0;
}

} // namespace hass::cli
