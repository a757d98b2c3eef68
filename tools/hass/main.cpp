// hass: command-line front end of the hass performance and resource model.
//
//   hass models | boards
//   hass info MODEL [--json]
//   hass eval MODEL --board BOARD [--folding FILE] [--cap X] [--partition auto|none] [--batch N] [--json]
//             [--stats FILE [--thresholds FILE] [--weights FILE]]
//   hass export MODEL [--folding FILE] [--folding-template]
//   hass search MODEL --board BOARD [--algo optimal|greedy|anneal] [--seed N] [--cap X] [--batch N]
//               [--partition auto|none] [--no-offchip] [--out DIR] [--json]
//   hass check-reference FILE.json [--json] [--quiet]
//   hass emit-hls DESIGN --out DIR [--weights FILE]
//   hass import MODEL.onnx [-o net.json] [--weights weights.bin]
//
// MODEL is a zoo name, a network JSON file, an ONNX model (.onnx) or, for eval,
// search and export, an fpgaConvNet design file (config.json).
//
// Exit codes: 0 success, 1 error in the model or the input files, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <hass/core/error.hpp>
#include <hass/version.hpp>

#include "suggest.hpp"

#include "commands.hpp"
#include "emit_hls.hpp"
#include "reference_cmd.hpp"

#include "import_cmd.hpp"
#include "model_arg.hpp"
#include "validators.hpp"

namespace {

const char* const model_help = hass::cli::model_argument_help;
constexpr const char* cost_model_help =
    "cost model: 'hass' (default: fpgaConvNet's regressions on the modules hass builds, with hass's corrections) "
    "or 'fpgaconvnet' (fpgaConvNet's model bit for bit, quirks included)";
constexpr const char* board_help =
    "a catalogue board name (see 'hass boards') or the path of a board JSON file";

} // namespace

namespace {

/// A clearer message than the parser's for a mistyped command or option:
/// the closest known name ("did you mean"), or "" when there is nothing to add.
std::string parse_hint(CLI::App& app, int argc, char** argv) {
    if (argc < 2) return {};
    const std::string first = argv[1];
    if (first.empty() || first[0] == '-') return {};
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), first) == commands.end()) {
        std::string list;
        for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
        return "unknown command '" + first + "'." + hass::cli::did_you_mean(first, commands) + " Commands: " + list;
    }
    CLI::App* sub = app.get_subcommand(first);
    std::vector<std::string> options;
    for (const CLI::Option* opt : sub->get_options())
        for (const auto& n : opt->get_lnames()) options.push_back("--" + n);
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") continue;
        arg = arg.substr(0, arg.find('='));
        if (std::find(options.begin(), options.end(), arg) != options.end()) continue;
        return "unknown option '" + arg + "' for 'hass " + first + "'." + hass::cli::did_you_mean(arg, options) +
               " See 'hass " + first + " --help'.";
    }
    return {};
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"hass: performance and resource model of sparse dataflow DNN accelerators on FPGAs", "hass"};
    app.set_version_flag("--version", std::string(hass::version_string));
    app.require_subcommand(1);
    app.footer("Exit status: 0 success, 1 error in a model, folding or board, 2 usage error.\n"
               "MODEL is a zoo name, a network JSON file or an ONNX model (.onnx, docs/onnx.md).\n"
               "File formats: docs/formats.md.");

    hass::cli::models_options models;
    auto* models_cmd = app.add_subcommand("models", "List the zoo models with their parameters and MACs");
    models_cmd->add_flag("--json", models.json, "Print JSON");

    hass::cli::boards_options boards;
    auto* boards_cmd = app.add_subcommand("boards", "List the catalogue boards and their resources");
    boards_cmd->add_flag("--json", boards.json, "Print JSON");

    hass::cli::info_options info;
    auto* info_cmd = app.add_subcommand("info", "Show the layers of a model: shapes, parameters, MACs");
    info_cmd->add_option("MODEL", info.model, model_help)->required();
    info_cmd->add_flag("--json", info.json, "Print JSON");

    hass::cli::eval_options eval;
    auto* eval_cmd = app.add_subcommand("eval", "Evaluate a design: latency, resources, throughput, fit");
    eval_cmd->add_option("MODEL", eval.model, model_help)->required();
    eval_cmd->add_option("-b,--board", eval.board, board_help);
    eval_cmd->add_option("-m,--model", eval.model_kind, cost_model_help)
        ->check(CLI::IsMember({"hass", "fpgaconvnet"}))
        ->capture_default_str();
    eval_cmd->add_flag("--no-bram-to-lut", eval.no_bram_to_lut,
                       "Do not hold BRAM beyond the budget in LUTRAM (288 LUT per BRAM18)");
    eval_cmd->add_option("--compare", eval.compare,
                         "A numbers file in fpgaConvNet's report layout: compare every number it gives "
                         "(exit 1 when one differs)");
    eval_cmd->add_option("-f,--folding", eval.folding,
                         "Folding JSON file (default: the network file's inline folding, else every factor 1)");
    eval_cmd->add_option("--cap", eval.cap,
                         "Utilisation cap: one fraction for every resource (0.9) or per resource "
                         "(dsp=0.9,lut=0.8,ff=0.8,ram=0.7); fractions in (0, 1]")
        ->check(hass::cli::non_empty("a fraction such as 0.9, or KEY=FRACTION,... with keys dsp, lut, ff, ram"));
    eval_cmd->add_option("--partition", eval.partition,
                         "'auto': the partitions the folding or design file gives (hass search writes them), else "
                         "one partition when the design fits and the fewest partitions that fit when it does not; "
                         "'none': one partition")
        ->check(CLI::IsMember({"none", "auto"}))
        ->capture_default_str();
    eval_cmd->add_option("--batch", eval.batch,
                         "Images per batch for the batch throughput (default: the design file's, else 256)")
        ->check(hass::cli::integer_in(1, hass::cli::max_batch));
    eval_cmd->add_option("--stats", eval.stats,
                         "Sparsity statistics file: product histograms (hass search --sparsity --out writes "
                         "stats.json) or decomposed statistics, composed at --thresholds");
    eval_cmd->add_option("--thresholds", eval.thresholds,
                         "Thresholds file (tau_w per layer, tau_a per activation layer): the point of --stats to "
                         "evaluate (hass search --sparsity --out writes thresholds.json)");
    eval_cmd->add_option("-w,--weights", eval.weights,
                         "Weights file (hass import --weights): weight magnitudes for --stats layers that give none "
                         "(an .onnx MODEL brings its own)");
    eval_cmd->add_flag("--allow-dense", eval.allow_dense,
                       "A folding that says \"implementation\": \"sparse\" for a layer without sparsity statistics: "
                       "warn and evaluate it dense (default: an error)");
    eval_cmd->add_option("--sparse-lanes", eval.sparse_lanes,
                         "Statistics with per-filter histograms: 'slowest' (the slowest coarse_out lane of each "
                         "stream sets the pace, docs/model.md) or 'mean' (MODEL.md's mean over a channel's filters)")
        ->check(CLI::IsMember({"slowest", "mean"}))
        ->capture_default_str();
    eval_cmd->add_flag("--json", eval.json, "Print JSON");

    hass::cli::export_options exp;
    auto* export_cmd = app.add_subcommand("export", "Print a model as a network JSON file (or a folding template)");
    export_cmd->add_option("MODEL", exp.model, model_help)->required();
    export_cmd->add_option("-f,--folding", exp.folding, "Folding JSON file to write inline (or as the template)");
    export_cmd->add_flag("--folding-template", exp.folding_template,
                         "Print a folding file (every layer, current factors) instead of the network");
    export_cmd->add_option("--format", exp.format,
                           "'hass': a network file; 'fpgaconvnet': an fpgaConvNet design file (config.json)")
        ->check(CLI::IsMember({"hass", "fpgaconvnet"}))
        ->capture_default_str();
    export_cmd->add_option("-b,--board", exp.board, "Board of the fpgaConvNet design (port widths; default u250)");
    export_cmd->add_option("-m,--model", exp.model_kind, cost_model_help)
        ->check(CLI::IsMember({"hass", "fpgaconvnet"}))
        ->capture_default_str();
    export_cmd->add_option("--batch", exp.batch, "Batch size written to the fpgaConvNet design (default 256)")
        ->check(hass::cli::integer_in(1, hass::cli::max_batch));

    hass::cli::search_options search;
    auto* search_cmd = app.add_subcommand("search", "Search the folding (and partitioning) of a model for a board");
    search_cmd->add_option("MODEL", search.model, model_help)->required();
    search_cmd->add_option("-b,--board", search.board, board_help)->required();
    search_cmd->add_option("-m,--model", search.model_kind, cost_model_help)
        ->check(CLI::IsMember({"hass", "fpgaconvnet"}))
        ->capture_default_str();
    search_cmd->add_flag("--no-bram-to-lut", search.no_bram_to_lut,
                         "Do not hold BRAM beyond the budget in LUTRAM (288 LUT per BRAM18)");
    search_cmd->add_option("-a,--algo", search.algo, "Folding search algorithm")
        ->check(CLI::IsMember({"optimal", "greedy", "anneal"}))
        ->capture_default_str();
    search_cmd->add_option("--seed", search.seed, "Random seed of anneal")
        ->check(hass::cli::integer_in(0, 9223372036854775807LL))->capture_default_str();
    search_cmd->add_option("--cap", search.cap,
                           "Utilisation cap: one fraction for every resource (0.9) or per resource "
                           "(dsp=0.9,lut=0.8,ff=0.8,ram=0.7); fractions in (0, 1]")
        ->check(hass::cli::non_empty("a fraction such as 0.9, or KEY=FRACTION,... with keys dsp, lut, ff, ram"));
    search_cmd->add_option("--batch", search.batch,
                           "Images per batch: partitioned designs minimise the batch time "
                           "sum(II*batch + depth)/clock + (P-1)*reconfiguration")
        ->check(hass::cli::integer_in(1, hass::cli::max_batch))
        ->capture_default_str();
    search_cmd->add_option("--partition", search.partition,
                           "'auto': cut the network into partitions where that shortens the batch time "
                           "(or where one partition does not fit); with --sparsity the co-search runs over "
                           "partitions when the dense design takes several; 'none': one partition")
        ->check(CLI::IsMember({"none", "auto"}))
        ->capture_default_str();
    search_cmd->add_flag("--no-offchip", search.no_offchip,
                         "Keep every layer's weights on chip (by default the search may stream part or all of them "
                         "from off-chip memory while the layer runs, counted against the bandwidth)");
    search_cmd->add_option("-o,--out", search.out, "Directory to write folding.json and report.json to");
    search_cmd->add_flag("--json", search.json, "Print the JSON report instead of tables");
    search_cmd->add_option("--sparsity", search.sparsity,
                           "Co-search pruning thresholds with the folding: 'synthetic' (generated, labelled "
                           "statistics and accuracy table) or a decomposed statistics file");
    search_cmd->add_option("--accuracy", search.accuracy,
                           "Accuracy table file: per-layer sensitivity tables or 2-D grids, and measured joint points");
    search_cmd->add_option("--oracle-cmd", search.oracle_cmd,
                           "Accuracy oracle command: reads threshold documents (JSON, one per line) on its standard "
                           "input and answers {\"drop\": points} per line; without --accuracy it scores every "
                           "candidate, with --verify it also measures the chosen design (docs/sparsity.md)");
    search_cmd->add_flag("--verify", search.verify,
                         "Measure the chosen design with --oracle-cmd (real drop and product histograms), feed the "
                         "measurement back and search again until the measured drop is within the budget and the "
                         "measured throughput within 2% of the prediction");
    search_cmd->add_flag("--oracle-batch", search.oracle_batch,
                         "Send --oracle-cmd the candidates the search scores together in one request "
                         "{\"batch\": [thresholds, ...]}, answered by {\"drops\": [points, ...]} (same result, "
                         "fewer requests)");
    search_cmd->add_option("--random-baseline", search.random_baseline,
                           "After the co-search, score N random threshold assignments with the same oracle and "
                           "hardware estimate and compare the best within the budget with the chosen design")
        ->check(CLI::Range(0L, 1000000L))
        ->capture_default_str();
    search_cmd->add_option("--rounds", search.rounds, "--verify: co-searches at most")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    search_cmd->add_option("-w,--weights", search.weights,
                           "Weights file (hass import --weights): weight magnitudes for --sparsity layers that give "
                           "none (an .onnx MODEL brings its own)");
    search_cmd->add_option("--budget", search.budget, "Accuracy drop budget, percentage points")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    search_cmd->add_option("--cosearch", search.cosearch, "Co-search method")
        ->check(CLI::IsMember({"greedy", "tpe"}))
        ->capture_default_str();
    search_cmd->add_option("--objective", search.objective, "Co-search objective")
        ->check(CLI::IsMember({"throughput", "throughput_per_dsp"}))
        ->capture_default_str();

    hass::cli::emit_hls_options emit_hls;
    auto* emit_hls_cmd = hass::cli::add_emit_hls_command(app, emit_hls);

    hass::cli::check_reference_options check_reference;
    auto* check_reference_cmd = hass::cli::add_check_reference_command(app, check_reference);
    hass::cli::import_options import;
    auto* import_cmd = hass::cli::add_import_command(app, import);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (const std::string hint = parse_hint(app, argc, argv); !hint.empty()) {
            fmt::print(stderr, "hass: error: {}\nRun with --help for more information.\n", hint);
            return 2;
        }
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    try {
        if (models_cmd->parsed()) return hass::cli::run_models(models);
        if (boards_cmd->parsed()) return hass::cli::run_boards(boards);
        if (info_cmd->parsed()) return hass::cli::run_info(info);
        if (eval_cmd->parsed()) return hass::cli::run_eval(eval);
        if (export_cmd->parsed()) return hass::cli::run_export(exp);
        if (search_cmd->parsed()) return hass::cli::run_search(search);
        if (emit_hls_cmd->parsed()) return hass::cli::run_emit_hls(emit_hls);
        if (check_reference_cmd->parsed()) return hass::cli::run_check_reference(check_reference);
        if (import_cmd->parsed()) return hass::cli::run_import(import);
    } catch (const hass::cli::usage_error& e) {
        fmt::print(stderr, "hass: error: {}\nRun with --help for more information.\n", e.what());
        return 2;
    } catch (const hass::error& e) {
        fmt::print(stderr, "hass: error: {}\n", e.what());
        return 1;
    } catch (const nlohmann::json::exception& e) {
        fmt::print(stderr, "hass: error: {}\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "hass: error: {}\n", e.what());
        return 1;
    }
    return 2;
}
