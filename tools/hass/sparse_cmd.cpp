// The sparse parts of the hass command: `hass search --sparsity` (the HASS
// co-search) and `hass eval --stats`.
#include "sparse_cmd.hpp"
#include "oracle_cmd.hpp"
#include "suggest.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <hass/io/json.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/cosearch_partitioned.hpp>
#include <hass/io/folding_plan.hpp>
#include <hass/sparsity/report_json.hpp>
#include <hass/sparsity/json.hpp>
#include <hass/sparsity/report.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/sparsity/verify_json.hpp>

#include "text.hpp"

namespace hass::cli {

namespace {

/// Why the chosen design uses the part of the budget it uses, in plain words.
void print_budget_use(const sparsity::cosearch_result& r) {
    double reach = 0, reach_estimate = 0; // the front's largest drop within the budget, its estimate
    std::size_t exact_beyond = 0;         // exact designs built at larger drops within the budget
    double fastest_beyond = 0;
    for (const auto& p : r.front) {
        if (p.drop > r.budget) continue;
        if (p.drop >= reach) {
            reach = p.drop;
            reach_estimate = p.throughput_estimate;
        }
        if (p.exact && p.drop > r.best.drop + 1e-12) {
            ++exact_beyond;
            fastest_beyond = std::max(fastest_beyond, p.throughput);
        }
    }
    std::string text = fmt::format("the design costs {:.3f} of the {} points allowed", r.best.drop, r.budget);
    if (r.dense_fallback)
        text += ": the dense design was faster than every sparse one built.";
    else if (reach <= r.best.drop + 1e-12)
        text += fmt::format(". The {} search stopped there: {}.", r.method,
                            r.stop_reason.empty() ? std::string("its candidates within the budget were no faster")
                                                  : r.stop_reason);
    else if (exact_beyond > 0)
        text += fmt::format(". The search's estimate reaches {:.3f} points within the budget ({} images/s estimated), "
                            "but the {} exact design{} built at larger drops ran at {} images/s at best, not faster "
                            "than this one: the fastest exact design within the budget is kept.",
                            reach, amount(reach_estimate), exact_beyond, exact_beyond == 1 ? "" : "s",
                            amount(fastest_beyond));
    else
        text += fmt::format(". The search's estimate reaches {:.3f} points within the budget ({} images/s estimated); "
                            "no exact design was built at a larger drop.",
                            reach, amount(reach_estimate));
    fmt::print("budget             {}\n", wrapped(text));
    if (r.surrogate_rounds > 0)
        fmt::print("re-priced          {}\n",
                   wrapped(fmt::format("the search ran {} more time{}: its result's estimate was out of reach of any "
                                       "folding (the Lagrangian dual of its options), so the estimate was priced "
                                       "there again (docs/sparsity.md, \"Re-pricing\")",
                                       r.surrogate_rounds, r.surrogate_rounds == 1 ? "" : "s")));
    if (r.refine_searches > 0)
        fmt::print("refinement         {}\n",
                   wrapped(r.refine_steps > 0
                               ? fmt::format("{} exact designs at raised thresholds, {} step{} up: {} -> {} images/s",
                                             r.refine_searches, r.refine_steps, r.refine_steps == 1 ? "" : "s",
                                             amount(r.refine_from_fps), amount(r.best.throughput))
                               : fmt::format("{} exact designs at raised thresholds, none faster than {} images/s",
                                             r.refine_searches, amount(r.refine_from_fps))));
}

/// The co-search's output directory: every file, one line on what it is.
void print_files_written(const std::string& out, bool design_found, bool with_table) {
    const std::filesystem::path dir = out;
    fmt::print("wrote to {}:\n", dir.string());
    const std::pair<const char*, const char*> files[] = {
        {"report.json", "the whole report: every layer, the dense and sparse designs, the Pareto front"},
        {"folding.json", "the chosen folding (hass eval / hass emit-hls --folding; sparse layers need stats.json)"},
        {"thresholds.json", "the chosen tau_w and tau_a per layer (hass eval --thresholds, emit-hls bakes them in)"},
        {"stats.json", "the sparsity at the chosen thresholds, predicted (measured with --verify) (hass eval --stats)"},
        {"statistics.json", "the statistics the search started from (--sparsity statistics.json repeats the run)"},
        {"accuracy.json", "the accuracy table it used (--accuracy accuracy.json repeats the run)"},
        {"pareto.svg", "accuracy drop against throughput: the front, the sample, the exact designs marked"},
    };
    for (const auto& [name, what] : files) {
        if (!design_found && std::string_view(name) == "folding.json") continue;
        if (!with_table && std::string_view(name) == "accuracy.json") continue;
        fmt::print("  {:<17}{}\n", name, what);
    }
    fmt::print("  emit the design:  hass emit-hls MODEL --cosearch {} --out hls\n", dir.string());
}

using nlohmann::json;

/// --verify: predicted and measured drop and throughput of every round.
void print_rounds(const sparsity::verified_cosearch_result& v, double budget) {
    fmt::print("verification: each round's design measured by the oracle command (throughput at batch {})\n",
               grouped(v.batch));
    fmt::print("{:>5} {:>10} {:>10} {:>14} {:>14} {:>9}  {}\n", "round", "drop pred", "measured", "images/s pred",
               "measured", "meas/pred", "fed back");
    for (const auto& r : v.rounds)
        fmt::print("{:>5} {:>10.3f} {:>10.3f} {:>14} {:>14} {:>9}  {}\n", r.round, r.predicted_drop, r.measured_drop,
                   amount(r.predicted_fps), r.throughput_measured ? amount(r.measured_fps) : std::string("-"),
                   r.throughput_measured && r.predicted_fps > 0 ? fmt::format("{:.3f}", r.measured_fps / r.predicted_fps)
                                                                : std::string("-"),
                   r.feedback.empty() ? std::string("-") : r.feedback);
    fmt::print("verified           {}\n", wrapped(v.stop_reason));
    if (v.chosen_round > 0)
        fmt::print("chosen             round {} (measured drop {:.3f} of {} points)\n\n", v.chosen_round,
                   v.rounds[static_cast<std::size_t>(v.chosen_round - 1)].measured_drop, budget);
    else
        fmt::print("\n");
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    if (!out) throw hass::error("cannot write '" + path.string() + "'");
    out << text;
}


void print_summary(std::string_view label, const sparsity::performance_summary& s) {
    fmt::print("{:<18} {:>12} images/s  {:>9} DSP  {:>10} GOP/s dense  {:>10} GOP/s effective  "
               "{:>8} / {:>8} GOP/s/DSP (dense / effective)\n",
               label, amount(s.throughput_fps), grouped(s.dsp), amount(s.dense_gops), amount(s.effective_gops),
               fmt::format("{:.4f}", s.dense_gops_per_dsp), fmt::format("{:.4f}", s.effective_gops_per_dsp));
}

sparsity::cosearch_method parse_method(const std::string& m) {
    if (m == "greedy") return sparsity::cosearch_method::greedy;
    if (m == "tpe") return sparsity::cosearch_method::tpe;
    throw usage_error("--cosearch must be greedy or tpe");
}

sparsity::cosearch_objective parse_objective(const std::string& m) {
    if (m == "throughput") return sparsity::cosearch_objective::throughput;
    if (m == "throughput_per_dsp") return sparsity::cosearch_objective::throughput_per_dsp;
    throw usage_error("--objective must be throughput or throughput_per_dsp");
}

/// The --out directory, created when missing.
std::filesystem::path output_directory(const std::string& out) {
    const std::filesystem::path dir = out;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) throw hass::error("cannot create the output directory '" + out + "'");
    return dir;
}

/// The statistics at the chosen thresholds, as `hass eval --stats` reads them back.
sparsity::product_statistics chosen_statistics(const sparsity::predictor& pred, const network& with_stats,
                                               const std::vector<sparsity::threshold_pair>& t, bool synthetic,
                                               std::string provenance) {
    sparsity::product_statistics ps;
    ps.network = with_stats.name.str();
    ps.synthetic = synthetic;
    ps.provenance = std::move(provenance);
    for (std::size_t s = 0; s < pred.size(); ++s) {
        if (!pred.convolution(s)) continue; // inner products are modelled dense
        const layer& l = with_stats.layers[static_cast<std::size_t>(pred.network_index(s))];
        ps.layers.push_back({pred.name(s), l.sparsity.channels, l.sparsity.kernel, {{t[s].tau_w, t[s].tau_a, l.sparsity}}});
    }
    return ps;
}

std::string ranges_text(const network& net, const std::vector<int>& cuts) {
    if (cuts.empty()) return "one partition";
    std::string out;
    int first = 0;
    for (std::size_t k = 0; k <= cuts.size(); ++k) {
        const int last = k < cuts.size() ? cuts[k] : static_cast<int>(net.size());
        out += fmt::format("{}{}..{}", k == 0 ? "" : ", ", first, last - 1);
        first = last;
    }
    return out;
}

/// The partitioned co-search's report and --out files.
int report_partitioned(const cosearch_cli_options& o, const network& net, const board& b,
                       const sparsity::predictor& pred, const sparsity::decomposed_statistics& stats,
                       const sparsity::accuracy_table* table, bool synthetic_table,
                       const sparsity::partitioned_cosearch_result& r, const std::string& oracle_text) {
    const count_t B = r.batch;
    const json j = io::partitioned_cosearch_report_json(
        net, b, pred, r, {{"synthetic", stats.synthetic}, {"provenance", stats.provenance}},
        table ? json{{"synthetic", synthetic_table || table->synthetic}, {"provenance", table->provenance}}
              : json{{"synthetic", false}, {"provenance", oracle_text}});
    if (!o.out.empty()) {
        const std::filesystem::path dir = output_directory(o.out);
        write_text(dir / "report.json", j.dump(2) + "\n");
        write_text(dir / "statistics.json", io::write_decomposed(stats).dump() + "\n");
        if (table) write_text(dir / "accuracy.json", io::write_accuracy_table(*table).dump(2) + "\n");
        if (r.found) {
            write_text(dir / "thresholds.json", io::write_thresholds(pred, r.best.thresholds).dump(2) + "\n");
            write_text(dir / "stats.json",
                       io::write_products(chosen_statistics(pred, r.sparse_network, r.best.thresholds, stats.synthetic,
                                                            "hass co-search prediction at the chosen thresholds from: " +
                                                                stats.provenance))
                               .dump() +
                           "\n");
            json fj = io::write_folding(r.sparse_network, r.design.folding);
            io::add_folding_plan(fj, r.sparse_network, r.design.cuts, B);
            write_text(dir / "folding.json", fj.dump(2) + "\n");
        }
    }
    if (o.json) {
        fmt::print("{}\n", j.dump(2));
        return 0;
    }
    fmt::print("{} on {} ({}), HASS co-search over partitions: {}, objective {} at batch {}, accuracy budget {} "
               "points\n",
               net.name.str(), b.name, b.part, r.method, r.objective, grouped(B), r.budget);
    fmt::print("statistics         {}\n", stats.synthetic && stats.provenance.rfind("SYNTHETIC", 0) != 0
                                                  ? "SYNTHETIC: " + stats.provenance
                                                  : (stats.provenance.empty() ? o.sparsity : stats.provenance));
    fmt::print("accuracy oracle    {}{}\n\n", oracle_text, synthetic_table ? ", SYNTHETIC" : "");
    if (!r.found) {
        fmt::print("no design: {}\n", wrapped(r.message));
        return 0;
    }
    fmt::print("dense design       {} partition{} ({}): {} images/s at batch {} ({} per batch)\n",
               r.dense_design.partitions(), r.dense_design.partitions() == 1 ? "" : "s",
               ranges_text(net, r.dense_design.cuts), amount(r.dense_design.throughput), grouped(B),
               duration(r.dense_design.batch_time_s));
    fmt::print("sparse design      {} partition{} ({}): {} images/s at batch {} ({} per batch)\n",
               r.design.partitions(), r.design.partitions() == 1 ? "" : "s", ranges_text(net, r.design.cuts),
               amount(r.design.throughput), grouped(B), duration(r.design.batch_time_s));
    fmt::print("\n{:>9} {:>10} {:>14} {:>8} {:>8} {:>12}\n", "partition", "layers", "II", "DSP", "BRAM18",
               "batch time");
    for (std::size_t k = 0; k < r.design.report.partitions.size(); ++k) {
        const design_report& d = r.design.report.partitions[k];
        fmt::print("{:>9} {:>10} {:>14} {:>8} {:>8} {:>12}\n", k + 1, fmt::format("{}..{}", d.first, d.last - 1),
                   grouped(d.ii), grouped(d.used.dsp), grouped(d.used.bram18), duration(d.batch_time(B)));
    }
    fmt::print("\nspeed-up           {:.2f}x at batch {} at an accuracy drop of {:.3f} points (budget {})\n",
               r.design.throughput / r.dense_design.throughput, grouped(B), r.best.drop, r.budget);
    if (r.dense_fallback)
        fmt::print("note               no sparse design was faster than the dense one, so the design is the dense\n"
                   "                   one (every layer built dense) at the smallest thresholds\n");
    if (r.best.throughput_estimate > 0)
        fmt::print("estimate           {} images/s estimated on the partitions {} ({} round{}), {} exact ({:.1f}%;\n"
                   "                   the estimate prices those cuts without pipeline depth: docs/sparsity.md)\n",
                   amount(r.best.throughput_estimate), ranges_text(net, r.estimate_cuts), r.rounds,
                   r.rounds == 1 ? "" : "s", amount(r.design.throughput),
                   100.0 * r.design.throughput / r.best.throughput_estimate);
    fmt::print("candidates         {} scored in {} (oracle {}, hardware estimate {}); {} exact partitioned "
               "designs {}\n",
               grouped(r.candidates), duration((r.search_ms - r.exact_ms) / 1e3), duration(r.oracle_ms / 1e3),
               duration(r.hardware_ms / 1e3), r.exact_designs, duration(r.exact_ms / 1e3));
    if (!o.out.empty()) {
        fmt::print("wrote to {}: report.json, folding.json (with its partitions), thresholds.json, stats.json, "
                   "statistics.json{}\n",
                   o.out, table ? ", accuracy.json" : "");
        fmt::print("  emit the design:  hass emit-hls MODEL --cosearch {} --out hls\n", o.out);
    }
    return 0;
}

} // namespace

int run_cosearch(const cosearch_cli_options& o, const network& net, const board& b, const utilisation_cap& cap) {
    if (!(o.budget >= 0)) throw usage_error("--budget must be >= 0 (accuracy drop, percentage points)");
    const auto method = parse_method(o.method);
    const auto objective = parse_objective(o.objective);

    if (std::error_code ec; o.sparsity != "synthetic" && !std::filesystem::exists(o.sparsity, ec)) {
        const std::vector<std::string> words{"synthetic"};
        throw hass::error("--sparsity: statistics file '" + o.sparsity + "' does not exist." +
                          did_you_mean(o.sparsity, words) + " Give 'synthetic' or a decomposed statistics file");
    }
    if (o.verify && o.oracle_cmd.empty())
        throw usage_error("--verify needs --oracle-cmd CMD: the command that measures the chosen design (its real "
                          "accuracy drop and product histograms)");
    if (o.oracle_batch && o.oracle_cmd.empty())
        throw usage_error("--oracle-batch goes with --oracle-cmd CMD (it sends the command several candidates per "
                          "request)");
    if (o.oracle_batch && !o.accuracy.empty())
        throw usage_error("--oracle-batch batches the candidates --oracle-cmd scores; with --accuracy the table scores "
                          "them: drop one of the two");
    if (!o.oracle_cmd.empty() && o.sparsity == "synthetic")
        throw usage_error("--oracle-cmd measures a real model: give --sparsity FILE (its statistics), not synthetic");
    if (!o.oracle_cmd.empty() && !o.accuracy.empty() && !o.verify)
        throw usage_error("--oracle-cmd with --accuracy: the table scores the candidates and the command measures the "
                          "chosen design, which is --verify; add --verify, or drop --accuracy to let the command "
                          "score every candidate");
    if (o.sparsity != "synthetic" && o.accuracy.empty() && o.oracle_cmd.empty())
        throw usage_error("--sparsity FILE needs --accuracy FILE (the per-layer accuracy table) or --oracle-cmd CMD "
                          "(a command that measures the accuracy drop); only --sparsity synthetic comes with a "
                          "synthetic accuracy table");
    // statistics and oracle: synthetic (labelled) or from files
    sparsity::decomposed_statistics stats;
    sparsity::accuracy_table table;
    bool synthetic_table = false;
    if (o.sparsity == "synthetic") {
        auto p = sparsity::make_synthetic_problem(net);
        stats = std::move(p.statistics);
        table = std::move(p.accuracy);
        synthetic_table = true;
    } else {
        stats = load_statistics(o.sparsity, net, o.weights);
    }
    if (!o.accuracy.empty()) {
        table = io::load_accuracy_table(o.accuracy, &net);
        synthetic_table = false;
    }
    io::resolve_weight_sparsity(table, stats, o.accuracy.empty() ? std::string("accuracy") : o.accuracy);
    for (const auto& n : table.notes) fmt::print(stderr, "hass: note: {}\n", n);
    sparsity::predictor pred(stats, net);
    std::vector<std::vector<double>> grids_w, grids_a;
    for (std::size_t s = 0; s < pred.size(); ++s) {
        grids_w.emplace_back(pred.tau_w_grid(s).begin(), pred.tau_w_grid(s).end());
        grids_a.emplace_back(pred.tau_a_grid(s).begin(), pred.tau_a_grid(s).end());
    }
    std::unique_ptr<oracle_process> command;
    if (!o.oracle_cmd.empty()) command = std::make_unique<oracle_process>(o.oracle_cmd);
    const bool table_oracle = !(command && o.accuracy.empty());
    sparsity::accuracy_oracle oracle;
    if (table_oracle) {
        std::shared_ptr<const sparsity::accuracy_model> model;
        try {
            model = std::make_shared<const sparsity::accuracy_model>(table, pred.layout(), grids_w, grids_a);
        } catch (const hass::error& e) {
            throw hass::error((o.accuracy.empty() ? std::string("the accuracy table") : o.accuracy) + ": " + e.what());
        }
        for (const auto& n : model->notes())
            fmt::print(stderr, "hass: note: {}: {}\n", o.accuracy.empty() ? std::string("accuracy") : o.accuracy, n);
        oracle = [model](std::span<const sparsity::threshold_pair> c) { return (*model)(c); };
    } else {
        oracle = [&command, &pred, &net](std::span<const sparsity::threshold_pair> c) {
            const json a = command->ask(io::write_thresholds(pred, c).dump());
            return io::read_measurement(a, pred, net, c, "--oracle-cmd answer " + std::to_string(command->requests()))
                .drop;
        };
    }
    sparsity::batch_accuracy_oracle batch_oracle;
    if (!table_oracle && o.oracle_batch) {
        oracle = {}; // the batch requests alone, one candidate per request where the search scores one at a time
        batch_oracle = [&command, &pred](std::span<const std::vector<sparsity::threshold_pair>> cs) {
            nlohmann::ordered_json req;
            req["batch"] = nlohmann::ordered_json::array();
            for (const auto& c : cs) req["batch"].push_back(io::write_thresholds(pred, c));
            const json a = command->ask(req.dump());
            return io::read_batch_drops(a, cs.size(), "--oracle-cmd answer " + std::to_string(command->requests()));
        };
    }
    const sparsity::measure_fn measure = [&command, &pred, &net](std::span<const sparsity::threshold_pair> c) {
        nlohmann::ordered_json req;
        req["measure"] = true;
        req["thresholds"] = io::write_thresholds(pred, c);
        const json a = command->ask(req.dump());
        return io::read_measurement(a, pred, net, c,
                                    "--oracle-cmd measurement (answer " + std::to_string(command->requests()) + ")");
    };

    sparsity::cosearch_options co;
    co.budget = o.budget;
    co.method = method;
    co.objective = objective;
    co.seed = o.seed;
    co.batch_oracle = batch_oracle;
    co.random_baseline = static_cast<count_t>(o.random_baseline);
    co.folding.cap = cap;
    co.folding.offchip_weights = !o.no_offchip;
    co.folding.batch = o.batch;
    progress_line progress(fmt::format("co-search of {} on {} ({})", net.name.str(), b.name, to_string(method)));
    co.progress = [&progress](double f) { progress(f); };
    if (o.partition == "auto") {
        // the dense network's partitioned design decides: when it takes several
        // partitions (or none fits), the co-search runs over partitions
        const partitioned_search_result dense = cost::with_model(o.model, [&](auto m) {
            return sparsity::dense_partitioned_design<decltype(m)>(net, b, co.folding);
        });
        if (sparsity::takes_partitions(dense)) {
            if (o.verify)
                throw usage_error(fmt::format("--verify measures designs of one partition, and the dense design of {} "
                                              "on {} takes {}: drop --verify, or give --partition none to co-search one partition",
                                              net.name.str(), b.name,
                                              dense.found ? std::to_string(dense.partitions()) + " partitions"
                                                          : std::string("several partitions")));
            const auto r = cost::with_model(o.model, [&](auto m) {
                return sparsity::cosearch_partitioned<decltype(m)>(net, b, pred, oracle, co, &dense);
            });
            progress.clear();
            const std::string oracle_text =
                table_oracle ? std::string("tabulated")
                             : fmt::format("{} ({} requests{})", o.oracle_cmd, command->requests(),
                                           o.oracle_batch ? ", candidates in batches" : "");
            return report_partitioned(o, net, b, pred, stats, table_oracle ? &table : nullptr,
                                      table_oracle && (synthetic_table || table.synthetic), r, oracle_text);
        }
    }
    sparsity::verified_cosearch_result verified;
    if (o.verify) {
        sparsity::verify_options vo;
        vo.rounds = o.rounds;
        vo.on_round = [&progress](const sparsity::verify_round& v) {
            progress.clear();
            fmt::print(stderr, "hass: round {}: drop predicted {:.3f}, measured {:.3f}; {} images/s predicted, {}\n",
                       v.round, v.predicted_drop, v.measured_drop, amount(v.predicted_fps),
                       v.throughput_measured ? amount(v.measured_fps) + " measured" : std::string("not measured"));
        };
        verified = cost::with_model(o.model, [&](auto m) {
            return sparsity::verified_cosearch<decltype(m)>(net, b, pred, oracle, measure, co, vo);
        });
    } else {
        verified.result = cost::with_model(o.model, [&](auto m) { return sparsity::cosearch<decltype(m)>(net, b, pred, oracle, co); });
    }
    const sparsity::cosearch_result& r = verified.result;

    progress.clear();
    network dense = net;
    for (auto& l : dense.layers) l.sparsity = {};
    // verified: a design only when a round's design is within the budget when measured
    const bool ok = r.design.found && r.dense_design.found && (!o.verify || verified.chosen_round > 0);
    const bool measured_stats = o.verify && verified.chosen_round > 0 &&
                                verified.rounds[static_cast<std::size_t>(verified.chosen_round - 1)].layers_measured > 0;

    json j = io::cosearch_report_json(
        net, b, pred, r, {{"synthetic", stats.synthetic}, {"provenance", stats.provenance}},
        table_oracle ? json{{"synthetic", synthetic_table || table.synthetic}, {"provenance", table.provenance}}
                     : json{{"synthetic", false}, {"provenance", "--oracle-cmd " + o.oracle_cmd}});
    if (o.verify) {
        j["cosearch"]["verify"] = io::verify_report_json(verified);
        if (!ok) j["found"] = false;
    }

    if (!o.out.empty()) {
        const std::filesystem::path dir = output_directory(o.out);
        write_text(dir / "report.json", j.dump(2) + "\n");
        write_text(dir / "pareto.svg",
                   sparsity::pareto_svg(r, fmt::format("{} on {}: HASS co-search ({}){}", net.name.str(), b.name,
                                                       r.method, stats.synthetic ? ", SYNTHETIC statistics" : "")));
        write_text(dir / "thresholds.json", io::write_thresholds(pred, r.best.thresholds).dump(2) + "\n");
        // the inputs, so that a run can be repeated or edited: --sparsity statistics.json --accuracy accuracy.json
        write_text(dir / "statistics.json", io::write_decomposed(stats).dump() + "\n");
        if (table_oracle) write_text(dir / "accuracy.json", io::write_accuracy_table(table).dump(2) + "\n");
        // the statistics at the chosen thresholds, predicted or (--verify) measured: `hass eval --stats` reads them back
        const network& with_stats = measured_stats ? verified.measured_network : r.sparse_network;
        write_text(dir / "stats.json",
                   io::write_products(chosen_statistics(
                                          pred, with_stats, r.best.thresholds, stats.synthetic,
                                          measured_stats ? "measured by --oracle-cmd " + o.oracle_cmd +
                                                               " at the chosen thresholds"
                                                         : "hass co-search prediction at the chosen thresholds from: " +
                                                               stats.provenance))
                           .dump() +
                       "\n");
        if (ok) write_text(dir / "folding.json", io::write_folding(r.sparse_network, r.design.folding).dump(2) + "\n");
    }

    if (o.json) {
        fmt::print("{}\n", j.dump(2));
        return 0;
    }
    fmt::print("{} on {} ({}), HASS co-search: {}, objective {}, accuracy budget {} points\n", net.name.str(),
               b.name, b.part, r.method, r.objective, r.budget);
    if (stats.synthetic)
        fmt::print("statistics         {}\n", stats.provenance.rfind("SYNTHETIC", 0) == 0 ? stats.provenance : "SYNTHETIC: " + stats.provenance);
    else
        fmt::print("statistics         {}\n", stats.provenance.empty() ? o.sparsity : stats.provenance);
    if (table_oracle)
        fmt::print("accuracy oracle    tabulated{}{}\n\n", synthetic_table || table.synthetic ? ", SYNTHETIC" : "",
                   o.verify ? "; chosen designs measured by " + o.oracle_cmd : std::string());
    else
        fmt::print("accuracy oracle    {} ({} requests{})\n\n", o.oracle_cmd, command->requests(),
                   o.oracle_batch ? ", candidates in batches" : "");
    if (o.verify) print_rounds(verified, o.budget);
    if (o.verify && verified.chosen_round == 0) {
        fmt::print("no design: {}\n", wrapped(verified.stop_reason));
        return 0;
    }
    if (!ok) {
        fmt::print("no design fits in one partition: {}\n",
                   r.design.found ? r.dense_design.message : r.design.message);
        return 0;
    }
    fmt::print("{:<26} {:>6} {:>10} {:>10} {:>7} {:>14} {:>14} {:>8}\n", "layer", "build", "tau_w", "tau_a", "zeros",
               "latency", "dense design", "speed-up");
    fmt::print("{}\n", std::string(102, '-'));
    for (const auto& e : j["cosearch"]["layers"])
        fmt::print("{:<26} {:>6} {:>10.4g} {:>10.4g} {:>6.1f}% {:>14} {:>14} {:>7.2f}x\n",
                   e["name"].get<std::string>(), e["implementation"].get<std::string>(), e["tau_w"].get<double>(),
                   e["tau_a"].get<double>(), 100 * e["zero_fraction"].get<double>(),
                   grouped(e["latency_cycles"].get<std::int64_t>()),
                   grouped(e["dense_design_latency_cycles"].get<std::int64_t>()),
                   e["speedup_over_dense_design"].get<double>());
    fmt::print("\n");
    print_summary("dense design", sparsity::summarise(dense, r.dense_design.report));
    print_summary("sparse design", sparsity::summarise(r.sparse_network, r.design.report));
    fmt::print("speed-up           {:.2f}x at an accuracy drop of {:.3f} points (budget {})\n",
               r.design.report.throughput() / r.dense_design.report.throughput(), r.best.drop, r.budget);
    if (r.dense_fallback)
        fmt::print("note               the sparse design at the chosen thresholds was slower than the dense design,\n"
                   "                   so the design is the dense one (every layer built dense); the co-search's\n"
                   "                   hardware estimate misled it on this network and board\n");
    if (r.best.throughput_estimate > 0)
        fmt::print("estimate           {} images/s estimated at the chosen thresholds, {} exact ({:.1f}% of the\n"
                   "                   estimate, a relaxation bound of the folding search: docs/sparsity.md)\n",
                   amount(r.best.throughput_estimate), amount(r.design.report.throughput()),
                   100.0 * r.design.report.throughput() / r.best.throughput_estimate);
    fmt::print("II                 {} cycles (lower bound {}), dense design {} cycles\n", grouped(r.design.ii),
               grouped(r.design.ii_lower_bound), grouped(r.dense_design.ii));
    fmt::print("candidates         {} scored in {} (oracle {}, hardware estimate {}); exact designs {}\n",
               grouped(r.candidates), duration((r.search_ms - r.exact_ms) / 1e3), duration(r.oracle_ms / 1e3),
               duration(r.hardware_ms / 1e3), duration(r.exact_ms / 1e3));
    fmt::print("oracle calls       {} for {} candidates{}\n", grouped(r.oracle_calls), grouped(r.oracle_candidates),
               r.oracle_calls < r.oracle_candidates ? " (in batches)" : "");
    if (const auto& rb = r.random_baseline; rb.count > 0) {
        if (!rb.found)
            fmt::print("random baseline    none of {} random threshold assignments is within the budget\n",
                       grouped(rb.count));
        else
            fmt::print("random baseline    best of {} random assignments ({} within the budget): {} images/s "
                       "estimated, {} exact, drop {:.3f}{};\n"
                       "                   chosen: {} estimated, {} exact, drop {:.3f}: {}\n",
                       grouped(rb.count), grouped(rb.within_budget), amount(rb.best.throughput_estimate),
                       amount(rb.best.throughput), rb.best.drop, rb.dense_fallback ? " (dense fallback)" : "",
                       amount(r.best.throughput_estimate), amount(r.best.throughput), r.best.drop,
                       r.best.throughput_estimate >= rb.best.throughput_estimate && r.best.throughput >= rb.best.throughput
                           ? "not beaten"
                           : r.best.throughput_estimate >= rb.best.throughput_estimate ? "beaten on the exact design"
                                                                                      : "BEATEN on the estimate");
    }
    fmt::print("Pareto front       {} points (accuracy drop, throughput){}\n", r.front.size(),
               o.out.empty() ? "" : "; plot in " + (std::filesystem::path(o.out) / "pareto.svg").string());
    print_budget_use(r);
    fmt::print("GOP/s              dense counts every multiply-accumulate of the network (2 operations each), zero or\n"
               "                   not, so it compares designs of the same network; effective counts only the products\n"
               "                   whose activation and weight are both non-zero, the work the sparse design really\n"
               "                   does: it is lower than dense because the skipped zeros are not counted.\n");
    if (!o.out.empty()) print_files_written(o.out, ok, table_oracle);
    return 0;
}

sparsity::decomposed_statistics load_statistics(const std::string& path, const network& net,
                                                const hls::weight_set* weights) {
    sparsity::decomposed_statistics stats = io::load_decomposed(path, &net);
    io::fill_magnitudes(
        stats,
        [&](const std::string& name) -> std::span<const float> {
            if (!weights) return {};
            const auto it = weights->find(name);
            if (it == weights->end()) return {};
            return it->second.weights;
        },
        path);
    return stats;
}

namespace {

std::string statistics_format(const json& j, const std::string& path) {
    if (!j.is_object()) return "";
    if (const auto f = j.find("format"); f != j.end() && f->is_string()) {
        const auto v = f->get<std::string>();
        if (v != "hass.sparsity.decomposed" && v != "hass.sparsity.products")
            throw hass::error(path + ": field 'format': \"" + v +
                              "\" is not a statistics file; --stats reads \"hass.sparsity.decomposed\" (composed at "
                              "--thresholds) or \"hass.sparsity.products\" (measured product histograms)");
        return v;
    }
    if (const auto l = j.find("layers"); l != j.end() && l->is_array() && !l->empty() && l->front().is_object() &&
                                         l->front().contains("activations"))
        return "hass.sparsity.decomposed";
    return "hass.sparsity.products";
}

} // namespace

void apply_stats_file(network& net, const std::string& path, const std::string& thresholds,
                      const hls::weight_set* weights) {
    const json j = io::load_json_file(path);
    if (statistics_format(j, path) == "hass.sparsity.decomposed") {
        sparsity::decomposed_statistics stats = io::read_decomposed(j, path, &net);
        io::fill_magnitudes(
            stats,
            [&](const std::string& name) -> std::span<const float> {
                if (!weights) return {};
                const auto it = weights->find(name);
                return it == weights->end() ? std::span<const float>{} : std::span<const float>(it->second.weights);
            },
            path);
        sparsity::predictor pred(stats, net);
        std::vector<sparsity::threshold_pair> t = pred.minimum_thresholds();
        if (!thresholds.empty())
            t = io::load_thresholds(thresholds, pred);
        else
            fmt::print(stderr, "hass: note: {}: no --thresholds: every layer at its smallest thresholds\n", path);
        try {
            pred.apply(net, t);
        } catch (const hass::error& e) { // name the files the grid and the thresholds come from
            throw hass::error(path + (thresholds.empty() ? std::string() : " at the thresholds of " + thresholds) +
                              ": " + e.what());
        }
        validate(net);
        return;
    }
    const auto ps = io::read_products(j, path, &net);
    std::vector<io::threshold_entry> entries;
    if (!thresholds.empty()) entries = io::read_threshold_entries(io::load_json_file(thresholds), thresholds);
    std::vector<bool> used(entries.size(), false);
    auto entry = [&](std::string_view name) -> const io::threshold_entry* {
        for (std::size_t k = 0; k < entries.size(); ++k)
            if (entries[k].layer == name) {
                used[k] = true;
                return &entries[k];
            }
        return nullptr;
    };
    for (const auto& h : ps.layers) {
        const int idx = net.find(h.layer);
        if (idx < 0) throw hass::error(path + ": layer '" + h.layer + "' is not in network '" + net.name.str() + "'");
        // the layer's thresholds: its entry, its tau_a possibly from its activation layer's entry
        std::optional<double> tw, ta;
        if (const auto* e = entry(h.layer)) tw = e->tau_w, ta = e->tau_a;
        const int owner = sparsity::activation_owner_of(net, static_cast<std::size_t>(idx));
        if (owner >= 0)
            if (const auto* e = entry(net.layers[static_cast<std::size_t>(owner)].name.view())) {
                if (e->tau_w)
                    throw hass::error(thresholds + ": layer '" + e->layer + "' is an activation layer: it has no tau_w");
                if (ta && e->tau_a && *ta != *e->tau_a)
                    throw hass::error(thresholds + ": layer '" + h.layer + "' has tau_a " + sparsity::detail::num(*ta) +
                                      " but the activation layer it reads, '" + e->layer + "', has " +
                                      sparsity::detail::num(*e->tau_a));
                if (e->tau_a) ta = e->tau_a;
            }
        const sparsity::product_point* point = nullptr;
        if (!tw && !ta) {
            if (h.points.size() != 1)
                throw hass::error(path + ": layer '" + h.layer + "' has " + std::to_string(h.points.size()) +
                                  " threshold points; give --thresholds with its tau_w and tau_a to pick one");
            point = &h.points.front();
        } else {
            if (!tw || !ta) {
                // one threshold given: the other must be unambiguous among the points
                std::vector<const sparsity::product_point*> match;
                for (const auto& p : h.points)
                    if ((!tw || p.tau_w == *tw) && (!ta || p.tau_a == *ta)) match.push_back(&p);
                if (match.size() == 1) tw = match.front()->tau_w, ta = match.front()->tau_a;
                else
                    throw hass::error((thresholds.empty() ? path : thresholds) + ": layer '" + h.layer + "': give both tau_w and tau_a (" +
                                      std::to_string(match.size()) + " of its measured points match the one given)");
            }
            try {
                point = &h.at(*tw, *ta);
            } catch (const hass::error& e) {
                throw hass::error(path + ": " + e.what());
            }
        }
        auto st = point->stats;
        if (!st.cache_valid()) st.prepare();
        net.layers[static_cast<std::size_t>(idx)].sparsity = std::move(st);
    }
    for (std::size_t k = 0; k < entries.size(); ++k)
        if (!used[k])
            throw hass::error(thresholds + ": layer '" + entries[k].layer + "': no product histograms in " + path +
                              " for it (nor for a convolution reading it)");
    validate(net);
}

void print_sparse_eval(const network& net, const std::vector<folding>& f, const design_report& r) {
    bool any = false;
    for (const auto& l : net.layers) any = any || l.sparsity.active();
    if (!any) return;
    fmt::print("\n{:<26} {:>6} {:>7} {:>12} {:>14} {:>14} {:>8}\n", "sparse layer", "build", "zeros", "cycles/win",
               "latency", "dense build", "speed-up");
    fmt::print("{}\n", std::string(93, '-'));
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        if (!l.sparsity.active()) continue;
        const auto& p = r.layers[i - static_cast<std::size_t>(r.first)];
        folding dense_f = f[i];
        dense_f.dense = true;
        std::string dense_lat = "n/a", speedup = "n/a";
        if (is_valid_folding(l, dense_f)) { // fine divides K: the same folding built dense
            const auto d = evaluate_layer(l, dense_f).latency;
            dense_lat = grouped(d);
            speedup = fmt::format("{:.2f}x", static_cast<double>(d) / static_cast<double>(p.latency));
        }
        fmt::print("{:<26} {:>6} {:>6.1f}% {:>12} {:>14} {:>14} {:>8}\n", l.name.str(), p.sparse ? "sparse" : "dense",
                   100 * l.sparsity.mean_zeros, p.sparse ? fmt::format("{:.3f}", p.sparse_cycles) : "-",
                   grouped(p.latency), dense_lat, speedup);
    }
    network dense = net;
    for (auto& l : dense.layers) l.sparsity = {};
    const auto s = sparsity::summarise(net, r);
    print_summary("this design", s);
    fmt::print("GOP/s: dense counts every multiply-accumulate as 2 operations; effective counts only the\n"
               "products whose activation and weight are both non-zero.\n");
}

} // namespace hass::cli
