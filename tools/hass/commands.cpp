// The subcommands of the hass command-line tool: models, boards, info, eval, export, search.
#include "commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <hass/hass.hpp>
#include <hass/io/fpgaconvnet_config.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>
#include <hass/io/folding_plan.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

#include "model_arg.hpp"
#include "suggest.hpp"
#include "sparse_cmd.hpp"
#include "text.hpp"

namespace hass::cli {

namespace {

using nlohmann::json;

bool looks_like_file(const std::string& arg) {
    std::error_code ec;
    if (arg.size() >= 5 && arg.compare(arg.size() - 5, 5, ".json") == 0) return true;
    return std::filesystem::exists(arg, ec); // a directory or device too: the reader says why it is not a file
}

template <class Names>
std::string join(const Names& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

/// A zoo name, a network JSON file or an ONNX model (model_arg.hpp).
io::network_file load_model(const std::string& arg) { return load_model_argument(arg).file; }

/// A model argument: a zoo network, a network file, or an fpgaConvNet design
/// file (a config.json with its folding, partitions and batch).
struct loaded_model {
    network net;
    std::vector<hass::folding> folding;
    std::vector<int> cuts;
    count_t batch = 0; ///< the design file's batch (0: none given)
    std::vector<io::fpgaconvnet_design::reload> reloading;
    bool design = false; ///< read from an fpgaConvNet design file
    std::optional<hls::weight_set> weights; ///< an ONNX model's weights
};

loaded_model load_any(const std::string& arg) {
    loaded_model m;
    if (!is_onnx_argument(arg) && looks_like_file(arg)) {
        const json j = io::load_json_file(arg);
        if (io::is_fpgaconvnet_config(j)) {
            io::fpgaconvnet_design d = io::read_fpgaconvnet_config(j, arg);
            m.net = std::move(d.net);
            m.folding = std::move(d.folding);
            m.cuts = std::move(d.cuts);
            m.batch = d.batch;
            m.reloading = std::move(d.reloading);
            m.design = true;
            return m;
        }
        io::network_file f = io::read_network_file(j, arg);
        m.net = std::move(f.net);
        m.folding = std::move(f.folding);
        m.cuts = std::move(f.plan.cuts);
        m.batch = f.plan.batch;
        return m;
    }
    model_input in = load_model_argument(arg);
    m.net = std::move(in.file.net);
    m.folding = std::move(in.file.folding);
    m.cuts = std::move(in.file.plan.cuts);
    m.batch = in.file.plan.batch;
    m.weights = std::move(in.weights);
    return m;
}

/// The weights for statistics without weight statistics: --weights FILE, else an ONNX model's own.
std::optional<hls::weight_set> model_weights(const std::string& file, std::optional<hls::weight_set> own,
                                             const network& net) {
    if (!file.empty()) return io::load_weights(file, net);
    return own;
}

cost::model parse_cost_model(const std::string& text) {
    const auto m = cost::parse_model(text);
    if (!m) throw usage_error("--model must be hass or fpgaconvnet");
    return *m;
}

/// A catalogue name or the path of a board JSON file.
io::owned_board load_board(const std::string& arg) { return board_argument(arg); }

double parse_fraction(const std::string& text, std::string_view what) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(begin, &end);
    if (text.empty() || end != begin + text.size() || errno != 0)
        throw usage_error(fmt::format("--cap: {} '{}' is not a number", what, text));
    if (!(v > 0.0 && v <= 1.0))
        throw usage_error(fmt::format("--cap: {} {} is outside (0, 1]", what, text));
    return v;
}

/// "0.9" caps every resource; "dsp=0.9,lut=0.8,ff=0.8,ram=0.7" caps each (missing = 1).
utilisation_cap parse_cap(const std::string& text) {
    utilisation_cap cap;
    if (text.empty()) return cap;
    if (text.find('=') == std::string::npos) {
        const double v = parse_fraction(text, "fraction");
        return {v, v, v, v};
    }
    std::set<std::string> seen;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos)
            throw usage_error(fmt::format("--cap: '{}' is not KEY=FRACTION (keys: dsp, lut, ff, ram)", item));
        const std::string key = item.substr(0, eq);
        if (!seen.insert(key).second)
            throw usage_error(fmt::format("--cap: resource '{}' is given twice in '{}' (give each of dsp, lut, ff, "
                                          "ram at most once)", key, text));
        const double v = parse_fraction(item.substr(eq + 1), key);
        if (key == "dsp") cap.dsp = v;
        else if (key == "lut") cap.lut = v;
        else if (key == "ff") cap.ff = v;
        else if (key == "ram") cap.ram = v;
        else throw usage_error(fmt::format("--cap: unknown resource '{}' (keys: dsp, lut, ff, ram)", key));
        start = comma + 1;
    }
    return cap;
}

std::string shape_text(const tensor_shape& s) { return fmt::format("{}x{}x{}", s.rows, s.cols, s.channels); }

std::string tensor_name(const network& net, int t) {
    return t == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(t)].name.str();
}

void print_json(const json& j) { fmt::print("{}\n", j.dump(2)); }

std::vector<std::string> resource_cells(const resources& r) {
    return {grouped(r.dsp), grouped(r.lut), grouped(r.ff), grouped(r.bram18), grouped(r.uram)};
}

std::string exceeded_text(const std::vector<resource_kind>& over) {
    std::vector<std::string_view> names;
    for (auto k : over) names.push_back(to_string(k));
    return join(names);
}

void print_layers(const network& net, const std::vector<folding>& f, const design_report& r) {
    table t({{"layer", false}, {"type", false}, {"ci"}, {"co"}, {"cg"}, {"fine"}, {"weights", false}, {"latency"},
             {"DSP"}, {"LUT"}, {"FF"}, {"BRAM18"}, {"URAM"}, {"sparse", false}, {"%II"}});
    for (int i = r.first; i < r.last; ++i) {
        const auto idx = static_cast<std::size_t>(i);
        const layer& l = net.layers[idx];
        const layer_performance& p = r.layers[static_cast<std::size_t>(i - r.first)];
        std::vector<std::string> row{l.name.str(),
                                     std::string(to_string(l.type)),
                                     grouped(f[idx].coarse_in),
                                     grouped(f[idx].coarse_out),
                                     grouped(f[idx].coarse_group),
                                     grouped(f[idx].fine),
                                     l.has_weights() ? io::storage_text(f[idx]) : "-",
                                     grouped(p.latency)};
        for (auto& c : resource_cells(p.used)) row.push_back(std::move(c));
        row.push_back(p.sparse ? "yes" : "no");
        row.push_back(percent(static_cast<double>(p.latency), static_cast<double>(r.ii)));
        t.add(std::move(row));
    }
    t.rule();
    {
        std::vector<std::string> row{r.squeezes.empty() && r.port_squeezes.empty() ? "total" : "total (with squeezes)",
                                     "", "", "", "", "", "", grouped(r.ii)};
        for (auto& c : resource_cells(r.used_raw)) row.push_back(std::move(c));
        row.push_back("");
        row.push_back(r.ii > r.compute_ii ? fmt::format("mem {}", percent(static_cast<double>(r.ii),
                                                                        static_cast<double>(r.ii)))
                                          : "");
        t.add(std::move(row));
    }
    t.print(stdout);
    if (r.squeezes.empty() && r.port_squeezes.empty()) return;
    fmt::print("\nsqueezes inserted where stream counts differ (between layers and at the partition's ports):\n");
    table s({{"squeeze", false}, {"streams"}, {"latency"}, {"DSP"}, {"LUT"}, {"FF"}, {"BRAM18"}, {"URAM"}, {"%II"}});
    auto add = [&](const squeeze_link& q) {
        std::vector<std::string> row{q.name.str(), fmt::format("{} -> {}", q.streams_from, q.streams_to),
                                     grouped(q.latency)};
        for (auto& c : resource_cells(q.used)) row.push_back(std::move(c));
        row.push_back(percent(static_cast<double>(q.latency), static_cast<double>(r.ii)));
        s.add(std::move(row));
    };
    for (const auto& q : r.squeezes) add(q);
    for (const auto& q : r.port_squeezes) add(q);
    s.print(stdout);
}

void print_budget(const design_report& r) {
    table t({{"resource", false}, {"sum"}, {"used"}, {"budget"}, {"use"}, {"", false}});
    constexpr std::string_view labels[] = {"DSP", "LUT", "FF", "BRAM18", "URAM"};
    for (std::size_t k = 0; k < all_resource_kinds.size(); ++k) {
        const auto kind = all_resource_kinds[k];
        t.add({std::string(labels[k]), grouped(r.used_raw[kind]), grouped(r.used[kind]), grouped(r.budget[kind]),
               percent(static_cast<double>(r.used[kind]), static_cast<double>(r.budget[kind])),
               r.used[kind] > r.budget[kind] ? "over" : ""});
    }
    t.print(stdout);
    if (r.bram_to_lut_blocks > 0)
        fmt::print("BRAM to LUTRAM     {} BRAM18 beyond the budget held in LUTRAM (the 'used' column)\n",
                   grouped(r.bram_to_lut_blocks));
}

std::string bottleneck_text(const network& net, const design_report& r) {
    if (r.bottleneck >= 0) return "layer " + net.layers[static_cast<std::size_t>(r.bottleneck)].name.str();
    return r.ii > r.compute_ii ? "off-chip memory bandwidth" : "a squeeze";
}

void print_summary(const network& net, const design_report& r, const board& b, count_t batch) {
    fmt::print("cost model         {}\n", r.model);
    fmt::print("II                 {} cycles (compute {}, memory {}); bottleneck: {}\n", grouped(r.ii),
               grouped(r.compute_ii), grouped(r.memory_ii), bottleneck_text(net, r));
    if (r.slowdown > 1.0) fmt::print("slowdown           {:.4f} (bandwidth)\n", r.slowdown);
    fmt::print("throughput         {} images/s steady state (clock / II at {} MHz)\n", amount(r.throughput()),
               fmt::format("{:g}", b.clock_mhz));
    fmt::print("                   {} images/s at batch {} (batch / ((II x batch + depth) / clock))\n",
               amount(r.batch_throughput(batch)), batch);
    fmt::print("pipeline depth     {} cycles\n", grouped(r.pipeline_depth, 1));
    fmt::print("batch of {:<8}  {} ({} cycles)\n", batch, duration(r.batch_time(batch)),
               grouped(ceil_to_count(r.batch_cycles(batch))));
    fmt::print("latency (batch 1)  {}\n", duration(r.batch_time(1)));
    fmt::print("bandwidth          {} Gbit/s of {} Gbit/s (in {}, out {}, weights {})\n", amount(r.bandwidth_gbps()),
               amount(b.bandwidth_gbps), amount(r.bits_in * r.throughput() / 1e9),
               amount(r.bits_out * r.throughput() / 1e9), amount(r.bits_weights * r.throughput() / 1e9));
    if (r.fits)
        fmt::print("fits               yes\n");
    else if (!r.exceeded().empty())
        fmt::print("fits               no: exceeds {}\n", exceeded_text(r.exceeded()));
    else
        fmt::print("fits               no: {} Gbit/s of off-chip traffic at the II exceed the {} Gbit/s the model allows "
                   "(fpgaConvNet's greedy would slow it down {:.2f}x)\n",
                   amount(r.bandwidth_at_interval_gbps), amount(b.bandwidth_gbps), r.greedy_slowdown);
}

void print_partitions(const network& net, const partitioned_report& pr, const board& b, count_t batch) {
    fmt::print("\n{} partitions run one after another, reconfiguring in between\n", pr.partitions.size());
    table t({{"#"}, {"layers", false}, {"II"}, {"images/s"}, {fmt::format("time (batch {})", batch)}, {"DSP"},
             {"LUT"}, {"FF"}, {"BRAM18"}, {"URAM"}, {"fits", false}});
    double sum = 0;
    for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
        const design_report& p = pr.partitions[k];
        sum += p.batch_time(batch);
        std::vector<std::string> row{
            grouped(static_cast<count_t>(k + 1)),
            fmt::format("{} .. {} ({}-{})", net.layers[static_cast<std::size_t>(p.first)].name.str(),
                        net.layers[static_cast<std::size_t>(p.last - 1)].name.str(), p.first, p.last - 1),
            grouped(p.ii), amount(p.throughput()), duration(p.batch_time(batch))};
        for (auto& c : resource_cells(p.used)) row.push_back(std::move(c));
        row.push_back(p.fits ? "yes" : "no");
        t.add(std::move(row));
    }
    t.print(stdout);
    const count_t rc = pr.reconfigurations();
    fmt::print("convention         time(batch) = sum of partition times (II*batch + depth)/clock "
               "+ {} reconfigurations\n",
               pr.reconfigure_first ? "P" : "P - 1");
    fmt::print("total (batch {})    {} + {} x {} = {}\n", batch, duration(sum), rc, duration(pr.reconf_time_s),
               duration(pr.batch_time(batch)));
    fmt::print("throughput         {} images/s (batch {}, including reconfiguration)\n",
               amount(pr.throughput(batch)), batch);
    fmt::print("fits               {}\n", pr.fits() ? "yes, every partition fits" : "no");
    (void)b;
}

} // namespace

int run_models(const models_options& o) {
    json list = json::array();
    table t({{"model", false}, {"input", false}, {"layers"}, {"params"}, {"MACs"}});
    for (std::string_view name : zoo::model_names) {
        const network net = zoo::get(name);
        list.push_back({{"name", std::string(name)},
                        {"input", io::shape_json(net.input)},
                        {"layers", net.size()},
                        {"params", net.parameter_count()},
                        {"macs", net.macs()}});
        t.add({std::string(name), shape_text(net.input), grouped(static_cast<count_t>(net.size())),
               grouped(net.parameter_count()), grouped(net.macs())});
    }
    if (o.json)
        print_json(list);
    else
        t.print(stdout);
    return 0;
}

int run_boards(const boards_options& o) {
    json list = json::array();
    table t({{"board", false}, {"part", false}, {"DSP"}, {"LUT"}, {"FF"}, {"BRAM18"}, {"URAM"}, {"MHz"}, {"Gbps"}});
    for (const board& b : boards::catalog) {
        list.push_back(io::board_json(b));
        t.add({std::string(b.name), std::string(b.part), grouped(b.budget.dsp), grouped(b.budget.lut),
               grouped(b.budget.ff), grouped(b.budget.bram18), grouped(b.budget.uram), fmt::format("{:g}", b.clock_mhz),
               fmt::format("{:g}", b.bandwidth_gbps)});
    }
    if (o.json)
        print_json(list);
    else
        t.print(stdout);
    return 0;
}

int run_info(const info_options& o) {
    const network net = load_model(o.model).net;
    if (o.json) {
        print_json(io::info_json(net));
        return 0;
    }
    fmt::print("{}: input {}, {} layers\n\n", net.name.str(), shape_text(net.input), net.size());
    table t({{"#"}, {"layer", false}, {"type", false}, {"inputs", false}, {"input", false}, {"output", false},
             {"params"}, {"MACs"}});
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        std::vector<std::string> inputs;
        for (int src : l.inputs) inputs.push_back(tensor_name(net, src));
        t.add({grouped(static_cast<count_t>(i)), l.name.str(), std::string(to_string(l.type)), join(inputs),
               shape_text(l.in), shape_text(l.out), grouped(l.parameter_count()), grouped(l.macs())});
    }
    t.rule();
    t.add({"", "total", "", "", "", "", grouped(net.parameter_count()), grouped(net.macs())});
    t.print(stdout);
    return 0;
}

namespace {

/// The report header's line on the batch and the partitions, the same in eval, search and emit-hls.
std::string plan_line(count_t batch, const std::string& batch_source, const std::string& partition,
                      std::size_t partitions, const std::string& plan_source, bool split, bool fits) {
    std::string out = fmt::format("batch {} ({}); partitioning {}: ", batch, batch_source, partition);
    if (!plan_source.empty() && partition != "none")
        out += fmt::format("{} partition{} as the {} gives", partitions, partitions == 1 ? "" : "s", plan_source);
    else if (split)
        out += fmt::format("{} partitions, the fewest that fit (the design does not fit in one)", partitions);
    else if (partition == "none")
        out += "one partition";
    else
        out += fits ? "one partition (the design fits)" : "one partition";
    return out;
}

template <class Cost>
int eval_with(const eval_options& o, const utilisation_cap& cap) {
    loaded_model model = load_any(o.model);
    if (o.stats.empty() && !o.thresholds.empty()) throw usage_error("--thresholds needs --stats (the statistics to compose)");
    if (!o.stats.empty()) {
        if (model.design) throw usage_error("--stats applies to networks; a design file carries its own statistics");
        const auto weights = model_weights(o.weights, std::move(model.weights), model.net);
        apply_stats_file(model.net, o.stats, o.thresholds, weights ? &*weights : nullptr);
    }
    if (o.sparse_lanes == "mean")
        for (auto& l : model.net.layers) l.sparsity.lanes = sparse_lanes::mean;
    const network& net = model.net;
    std::string board_arg = o.board;
    if (board_arg.empty()) {
        if (!model.design) throw usage_error("--board is required");
        board_arg = "u250";
        fmt::print(stderr, "hass: note: {} does not name its board; evaluating on u250 (give --board)\n", o.model);
    }
    const io::owned_board owned = load_board(board_arg);
    const board& b = owned.spec();
    std::vector<folding> f = model.folding;
    std::string plan_source; // where the cuts come from: "folding file", "design file" or none
    if (!o.folding.empty()) {
        if (model.design) throw usage_error("--folding applies to networks; a design file carries its folding");
        const json fj = io::load_json_file(o.folding);
        for (const std::string& p : io::sparse_without_statistics(fj, net, o.folding)) {
            if (!o.allow_dense) throw hass::error(p);
            fmt::print(stderr, "hass: warning: {} (--allow-dense: evaluated dense)\n", p);
        }
        f = io::read_folding(fj, net, o.folding);
        const io::folding_plan plan = io::read_folding_plan(fj, net, o.folding);
        model.cuts = plan.cuts; // a folding file replaces the network file's folding, partitions included
        if (plan.has_partitions) plan_source = "folding file";
        if (plan.batch > 0) model.batch = plan.batch;
    } else if (model.design || !model.cuts.empty()) {
        plan_source = "design file";
    }
    io::validate_design(net, f, o.model);
    if (o.batch < 0) throw usage_error("--batch must be >= 1");
    const count_t batch = o.batch > 0 ? o.batch : model.batch > 0 ? model.batch : 256;
    const std::string batch_source = o.batch > 0 ? "--batch" : model.batch > 0 ? "the design's" : "default";
    if (o.partition == "none") model.cuts.clear();
    evaluation_options eo;
    eo.cap = cap;
    eo.batch = batch;
    eo.bram_to_lut = !o.no_bram_to_lut;

    std::vector<int> cuts = model.cuts;
    partitioned_report pr;
    auto options_of = [&](std::size_t k) {
        evaluation_options e = eo;
        if (k < model.reloading.size()) {
            e.reload_layer = model.reloading[k].layer;
            e.reload_factor = model.reloading[k].factor;
        }
        return e;
    };
    auto evaluate_cuts = [&] {
        partitioned_report out;
        out.reconf_time_s = b.reconf_time_s;
        out.reconfigure_first = Cost::rules.reconfigure_first_partition;
        int start = 0;
        std::vector<int> ends = cuts;
        ends.push_back(static_cast<int>(net.size()));
        for (std::size_t k = 0; k < ends.size(); ++k) {
            out.partitions.push_back(evaluate_partition<Cost>(net, f, b, start, ends[k], options_of(k)));
            start = ends[k];
        }
        return out;
    };
    pr = evaluate_cuts();
    bool split = false;
    if (cuts.empty() && o.partition == "auto" && !pr.partitions.front().fits) {
        try {
            cuts = auto_partition<Cost>(net, f, b, eo);
        } catch (const hass::error& e) {
            throw hass::error(std::string(e.what()) +
                              " (a folding file can put large weights in URAM or stream them: \"weights\": "
                              "\"uram\" or \"off_chip\")");
        }
        pr = evaluate_cuts();
        split = true;
    }
    const design_report& r = pr.partitions.front();
    const bool multi = pr.partitions.size() > 1;

    if (!o.compare.empty()) {
        const json want = io::load_json_file(o.compare);
        const json got = io::reference_numbers(net, f, pr, b, batch);
        const auto diffs = io::compare_reference_numbers(want, got);
        if (o.json) {
            print_json({{"compared_with", o.compare}, {"differences", diffs}, {"numbers", got}});
        } else {
            fmt::print("{} against {} ({} cost model on {}): ", o.model, o.compare, Cost::name, b.name);
            if (diffs.empty())
                fmt::print("every number agrees\n");
            else {
                fmt::print("{} numbers differ\n", diffs.size());
                for (const auto& d : diffs) fmt::print("  {}\n", d);
            }
        }
        return diffs.empty() ? 0 : 1;
    }

    if (o.json) {
        json j = io::report_json(net, f, r, b);
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}, {"bandwidth", cap.bandwidth}};
        j["batch"] = batch;
        j["partition"] = o.partition;
        j["partitions_from"] = plan_source.empty() ? json(split ? "auto" : "none") : json(plan_source);
        j["batch_latency_s"] = r.batch_time(batch);
        j["partitioned"] = multi ? io::partitioned_report_json(net, f, pr, b, batch) : json(nullptr);
        if (multi) {
            j["throughput_fps"] = pr.throughput(batch);
            j["batch_fps"] = pr.throughput(batch);
        }
        print_json(j);
        return 0;
    }
    fmt::print("{} on {} ({}), {} MHz, {} cost model", net.name.str(), b.name, b.part, fmt::format("{:g}", b.clock_mhz),
               Cost::name);
    if (cap != utilisation_cap{})
        fmt::print(", utilisation cap dsp {:g} lut {:g} ff {:g} ram {:g}", cap.dsp, cap.lut, cap.ff, cap.ram);
    fmt::print("\n{}\n\n", plan_line(batch, batch_source, o.partition, pr.partitions.size(), plan_source, split, r.fits));
    if (!multi) {
        print_layers(net, f, r);
        fmt::print("\n");
        print_budget(r);
        fmt::print("\n");
        print_summary(net, r, b, batch);
        if (o.partition == "none" && !r.fits)
            fmt::print("                   (--partition auto splits the network into partitions that fit)\n");
    } else {
        for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
            const design_report& p = pr.partitions[k];
            fmt::print("partition {} of {}: layers {} .. {} ({}-{})\n\n", k + 1, pr.partitions.size(),
                       net.layers[static_cast<std::size_t>(p.first)].name.str(),
                       net.layers[static_cast<std::size_t>(p.last - 1)].name.str(), p.first, p.last - 1);
            print_layers(net, f, p);
            fmt::print("\n");
            print_budget(p);
            fmt::print("\n");
            print_summary(net, p, b, batch);
            fmt::print("\n");
        }
        if (split) fmt::print("automatic partitioning: the design does not fit in one partition\n");
        print_partitions(net, pr, b, batch);
    }
    print_sparse_eval(net, f, r);
    return 0;
}

} // namespace

int run_eval(const eval_options& o) {
    const utilisation_cap cap = parse_cap(o.cap);
    return cost::with_model(parse_cost_model(o.model_kind),
                            [&](auto model) { return eval_with<decltype(model)>(o, cap); });
}

int run_export(const export_options& o) {
    const loaded_model model = load_any(o.model);
    std::vector<folding> f = model.folding;
    if (!o.folding.empty()) f = io::load_folding(o.folding, model.net);
    if (o.format == "fpgaconvnet") {
        if (o.folding_template) throw usage_error("--folding-template writes a hass folding file; drop --format");
        const io::owned_board owned = load_board(o.board.empty() ? std::string("u250") : o.board);
        const count_t batch = o.batch > 0 ? o.batch : model.batch > 0 ? model.batch : 256;
        const json j = cost::with_model(parse_cost_model(o.model_kind), [&](auto m) {
            return io::write_fpgaconvnet_config<decltype(m)>(model.net, f, model.cuts, owned.spec(), batch);
        });
        fmt::print("{}\n", j.dump(2));
        return 0;
    }
    if (o.format != "hass") throw usage_error("--format must be hass or fpgaconvnet");
    if (o.folding_template)
        print_json(io::write_folding(model.net, f));
    else
        fmt::print("{}\n", io::write_network(model.net, f).dump(2));
    return 0;
}

namespace {

std::string gap_text(count_t ii, count_t bound) {
    if (bound <= 0) return "unknown";
    return fmt::format("{:.1f}%", 100.0 * (static_cast<double>(ii) / static_cast<double>(bound) - 1.0));
}

json gap_json(count_t ii, count_t bound) {
    return bound > 0 ? json(static_cast<double>(ii) / static_cast<double>(bound) - 1.0) : json(nullptr);
}

void write_file(const std::filesystem::path& path, const json& j) {
    std::ofstream out(path);
    if (!out) throw hass::error("cannot write '" + path.string() + "'");
    out << j.dump(2) << '\n';
    if (!out) throw hass::error("cannot write '" + path.string() + "'");
}

} // namespace

namespace {

template <class Cost>
int search_with(const search_options& o, const utilisation_cap& cap) {
    if (o.batch < 1) throw usage_error("--batch must be >= 1");
    const auto algo = parse_algorithm(o.algo);
    if (!algo) throw usage_error("--algo must be optimal, greedy or anneal");
    const loaded_model model = load_any(o.model);
    const network& net = model.net;
    const io::owned_board owned = load_board(o.board);
    const board& b = owned.spec();
    const bool partitioned = o.partition == "auto";
    if (!o.out.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(o.out, ec);
        if (ec || !std::filesystem::is_directory(o.out))
            throw hass::error("cannot create the output directory '" + o.out + "'" + (ec ? ": " + ec.message() : ""));
    }

    hass::search_options so;
    so.cap = cap;
    so.seed = static_cast<std::uint64_t>(o.seed);
    so.batch = o.batch;
    so.offchip_weights = !o.no_offchip;
    so.bram_to_lut = !o.no_bram_to_lut;
    progress_line progress(fmt::format("searching {} on {} ({})", net.name.str(), b.name, o.algo));
    so.progress = [&progress](double f) { progress(f); };

    std::vector<folding> f;
    std::vector<int> cuts;
    bool found = false;
    std::string message;
    double search_ms = 0;
    count_t evaluations = 0;
    count_t lower = 0;                    // single partition
    std::vector<count_t> lower_per_part;  // partitioned
    double single_time = 0;
    count_t candidate_cuts = 0, ranges_searched = 0;
    if (partitioned) {
        partitioned_search_result r = search_partitioned<Cost>(net, b, *algo, so);
        found = r.found;
        message = r.message;
        search_ms = r.search_ms;
        evaluations = r.evaluations;
        f = std::move(r.folding);
        cuts = std::move(r.cuts);
        lower_per_part = std::move(r.ii_lower_bound);
        single_time = r.single_batch_time_s;
        candidate_cuts = r.candidate_cuts;
        ranges_searched = r.ranges_searched;
        if (found && cuts.empty()) lower = lower_per_part.front();
    } else {
        search_result r = hass::search<Cost>(net, b, *algo, so);
        found = r.found;
        message = r.message;
        search_ms = r.search_ms;
        evaluations = r.evaluations;
        f = std::move(r.folding);
        lower = r.ii_lower_bound;
    }
    progress.clear();
    const bool multi = found && !cuts.empty();
    if (!found && message.rfind("no design fits", 0) != 0) message = "no design fits: " + message;

    evaluation_options eo;
    eo.cap = cap;
    eo.batch = o.batch;
    eo.bram_to_lut = so.bram_to_lut;
    json j;
    design_report whole;
    partitioned_report pr;
    if (found) {
        pr = evaluate_partitions<Cost>(net, f, b, cuts, eo);
        whole = pr.partitions.front();
        j = io::report_json(net, f, whole, b);
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}, {"bandwidth", cap.bandwidth}};
        j["batch"] = o.batch;
        j["batch_latency_s"] = pr.batch_time(o.batch);
        j["batch_fps"] = pr.throughput(o.batch);
    } else {
        j = {{"model", net.name.str()}, {"cost_model", std::string(Cost::name)}, {"board", std::string(b.name)},
             {"clock_mhz", b.clock_mhz}};
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}, {"bandwidth", cap.bandwidth}};
        j["batch"] = o.batch;
    }
    j["found"] = found;
    j["message"] = message;
    j["algo"] = o.algo;
    j["search_ms"] = search_ms;
    j["evaluations"] = evaluations;
    j["offchip_weights"] = so.offchip_weights;
    j["partition"] = o.partition;
    j["ii_lower_bound"] = found && !multi && lower > 0 ? json(lower) : json(nullptr);
    j["gap"] = found && !multi ? gap_json(whole.ii, lower) : json(nullptr);
    j["partitioned"] = nullptr;
    if (multi) {
        json p = io::partitioned_report_json(net, f, pr, b, o.batch);
        for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
            p["partitions"][k]["ii_lower_bound"] = lower_per_part[k];
            p["partitions"][k]["gap"] = gap_json(pr.partitions[k].ii, lower_per_part[k]);
        }
        p["cuts"] = cuts;
        p["single_partition_batch_time_s"] = single_time > 0 ? json(single_time) : json(nullptr);
        j["partitioned"] = std::move(p);
    }
    if (!o.out.empty()) {
        const std::filesystem::path dir(o.out);
        if (found) {
            json fj = io::write_folding(net, f);
            io::add_folding_plan(fj, net, cuts, o.batch);
            write_file(dir / "folding.json", fj);
            write_file(dir / "fpgaconvnet.json", io::write_fpgaconvnet_config<Cost>(net, f, cuts, b, o.batch));
        }
        write_file(dir / "report.json", j);
    }
    if (o.json) {
        print_json(j);
        return 0;
    }

    fmt::print("{} on {} ({}), {} MHz: {} search, {} cost model", net.name.str(), b.name, b.part,
               fmt::format("{:g}", b.clock_mhz), o.algo, Cost::name);
    if (cap != utilisation_cap{})
        fmt::print(", utilisation cap dsp {:g} lut {:g} ff {:g} ram {:g}", cap.dsp, cap.lut, cap.ff, cap.ram);
    fmt::print(", weights {}\n", so.offchip_weights ? "on chip or streamed" : "on chip only");
    {
        std::string line = fmt::format("batch {} ({}); partitioning {}: ", o.batch, o.batch == 256 ? "default" : "--batch",
                                       o.partition);
        if (!found)
            line += "no design found";
        else if (!partitioned)
            line += "one partition";
        else
            line += fmt::format("{} partition{}, the shortest batch time over the cut positions", pr.partitions.size(),
                                pr.partitions.size() == 1 ? "" : "s");
        fmt::print("{}\n\n", line);
    }
    if (!found) {
        fmt::print("{}\n", message);
        fmt::print("search             {} in {:.1f} ms\n", o.algo, search_ms);
        if (!partitioned && message.find("split it into partitions") != std::string::npos)
            fmt::print("                   (--partition auto cuts the network into partitions)\n");
        if (!o.out.empty()) fmt::print("wrote              {}\n", (std::filesystem::path(o.out) / "report.json").string());
        return 0;
    }
    if (!multi) {
        print_layers(net, f, whole);
        fmt::print("\n");
        print_budget(whole);
        fmt::print("\n");
        print_summary(net, whole, b, o.batch);
        fmt::print("II lower bound     {} cycles (gap {})\n", lower > 0 ? grouped(lower) : std::string("unknown"),
                   gap_text(whole.ii, lower));
        if (partitioned)
            fmt::print("partitions         1: one partition has the shortest batch time (batch {})\n", o.batch);
    } else {
        for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
            const design_report& p = pr.partitions[k];
            fmt::print("partition {} of {}: layers {} .. {} ({}-{})\n\n", k + 1, pr.partitions.size(),
                       net.layers[static_cast<std::size_t>(p.first)].name.str(),
                       net.layers[static_cast<std::size_t>(p.last - 1)].name.str(), p.first, p.last - 1);
            print_layers(net, f, p);
            fmt::print("\n");
            print_budget(p);
            fmt::print("\nII {} cycles (compute {}, memory {}; bottleneck: {}), lower bound {} (gap {}), "
                       "bandwidth {} of {} Gbit/s\n\n",
                       grouped(p.ii), grouped(p.compute_ii), grouped(p.memory_ii), bottleneck_text(net, p),
                       grouped(lower_per_part[k]), gap_text(p.ii, lower_per_part[k]), amount(p.bandwidth_gbps()),
                       amount(b.bandwidth_gbps));
        }
        print_partitions(net, pr, b, o.batch);
        if (single_time > 0)
            fmt::print("one partition      {} for the batch ({} images/s)\n", duration(single_time),
                       amount(static_cast<double>(o.batch) / single_time));
        fmt::print("cut positions      {} considered, {} ranges searched exactly\n", candidate_cuts, ranges_searched);
    }
    fmt::print("search             {} in {:.1f} ms ({} layer foldings evaluated)\n", o.algo, search_ms,
               grouped(evaluations));
    if (!o.out.empty())
        fmt::print("wrote              {}, {} and {}\n", (std::filesystem::path(o.out) / "folding.json").string(),
                   (std::filesystem::path(o.out) / "fpgaconvnet.json").string(),
                   (std::filesystem::path(o.out) / "report.json").string());
    return 0;
}

} // namespace

int run_search(const search_options& o) {
    const utilisation_cap cap = parse_cap(o.cap);
    if (o.sparsity.empty() && !o.accuracy.empty())
        throw usage_error("--accuracy goes with --sparsity (the co-search of thresholds and folding); give --sparsity "
                          "FILE or drop --accuracy");
    if (o.oracle_batch && o.oracle_cmd.empty())
        throw usage_error("--oracle-batch goes with --oracle-cmd CMD (it sends the command several candidates per "
                          "request)");
    if (o.sparsity.empty() && o.random_baseline > 0)
        throw usage_error("--random-baseline goes with --sparsity (it compares the co-search with random thresholds)");
    if (o.sparsity.empty() && (!o.oracle_cmd.empty() || o.verify))
        throw usage_error("--oracle-cmd and --verify go with --sparsity FILE (the co-search of thresholds and folding)");
    if (!o.sparsity.empty()) {
        if (o.algo != "optimal") throw usage_error("--sparsity runs the optimal folding search inside; drop --algo");
        model_input model = load_model_argument(o.model);
        const io::owned_board owned = load_board(o.board);
        const auto weights = model_weights(o.weights, std::move(model.weights), model.file.net);
        cosearch_cli_options co;
        co.weights = weights ? &*weights : nullptr;
        co.sparsity = o.sparsity;
        co.accuracy = o.accuracy;
        co.oracle_cmd = o.oracle_cmd;
        co.verify = o.verify;
        co.rounds = o.rounds;
        co.oracle_batch = o.oracle_batch;
        co.random_baseline = o.random_baseline;
        co.budget = o.budget;
        co.method = o.cosearch;
        co.objective = o.objective;
        co.seed = static_cast<std::uint64_t>(o.seed);
        co.no_offchip = o.no_offchip;
        co.partition = o.partition;
        co.batch = o.batch;
        co.out = o.out;
        co.json = o.json;
        co.model = parse_cost_model(o.model_kind);
        return run_cosearch(co, model.file.net, owned.spec(), cap);
    }
    return cost::with_model(parse_cost_model(o.model_kind),
                            [&](auto model) { return search_with<decltype(model)>(o, cap); });
}

} // namespace hass::cli
