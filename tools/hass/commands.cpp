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
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <hass/hass.hpp>
#include <hass/io/json.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

#include "model_arg.hpp"
#include "sparse_cmd.hpp"
#include "text.hpp"

namespace hass::cli {

namespace {

using nlohmann::json;

bool looks_like_file(const std::string& arg) {
    std::error_code ec;
    if (arg.size() >= 5 && arg.compare(arg.size() - 5, 5, ".json") == 0) return true;
    return std::filesystem::is_regular_file(arg, ec);
}

template <class Names>
std::string join(const Names& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

/// A zoo name, a network JSON file or an ONNX model (model_arg.hpp).
io::network_file load_model(const std::string& arg) { return load_model_argument(arg).file; }

/// A catalogue name or the path of a board JSON file.
io::owned_board load_board(const std::string& arg) {
    if (looks_like_file(arg)) return io::load_board(arg);
    if (auto b = boards::find(arg)) return io::owned_board(*b);
    std::vector<std::string_view> names;
    for (const auto& b : boards::catalog) names.push_back(b.name);
    throw hass::error("unknown board '" + arg + "'; known boards: " + join(names) +
                      " (or give the path of a board JSON file)");
}

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
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos)
            throw usage_error(fmt::format("--cap: '{}' is not KEY=FRACTION (keys: dsp, lut, ff, ram)", item));
        const std::string key = item.substr(0, eq);
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
                                     l.has_weights() ? std::string(to_string(f[idx].weights)) : "-",
                                     grouped(p.latency)};
        for (auto& c : resource_cells(p.used)) row.push_back(std::move(c));
        row.push_back(p.sparse ? "yes" : "no");
        row.push_back(percent(static_cast<double>(p.latency), static_cast<double>(r.ii)));
        t.add(std::move(row));
    }
    t.rule();
    {
        // layers and squeezes together; the II column: the share memory_ii takes
        std::vector<std::string> row{r.squeezes.empty() ? "total" : "total (with squeezes)", "", "", "", "", "", "",
                                     grouped(r.ii)};
        for (auto& c : resource_cells(r.used)) row.push_back(std::move(c));
        row.push_back("");
        row.push_back(r.memory_ii > 0 ? fmt::format("mem {}", percent(static_cast<double>(r.memory_ii),
                                                                      static_cast<double>(r.ii)))
                                      : "");
        t.add(std::move(row));
    }
    t.print(stdout);
    if (r.squeezes.empty()) return;
    fmt::print("\nsqueezes inserted between layers whose stream counts differ:\n");
    table s({{"producer -> consumer", false}, {"streams"}, {"latency"}, {"DSP"}, {"LUT"}, {"FF"}, {"BRAM18"},
             {"URAM"}, {"%II"}});
    for (const auto& q : r.squeezes) {
        std::vector<std::string> row{tensor_name(net, q.producer) + " -> " + tensor_name(net, q.consumer),
                                     fmt::format("{} -> {}", q.streams_from, q.streams_to), grouped(q.latency)};
        for (auto& c : resource_cells(q.used)) row.push_back(std::move(c));
        row.push_back(percent(static_cast<double>(q.latency), static_cast<double>(r.ii)));
        s.add(std::move(row));
    }
    s.print(stdout);
}

void print_budget(const design_report& r) {
    table t({{"resource", false}, {"used"}, {"budget"}, {"use"}, {"", false}});
    constexpr std::string_view labels[] = {"DSP", "LUT", "FF", "BRAM18", "URAM"};
    for (std::size_t k = 0; k < all_resource_kinds.size(); ++k) {
        const auto kind = all_resource_kinds[k];
        t.add({std::string(labels[k]), grouped(r.used[kind]), grouped(r.budget[kind]),
               percent(static_cast<double>(r.used[kind]), static_cast<double>(r.budget[kind])),
               r.used[kind] > r.budget[kind] ? "over" : ""});
    }
    t.print(stdout);
}

std::string bottleneck_text(const network& net, const design_report& r) {
    if (r.bottleneck >= 0) return "layer " + net.layers[static_cast<std::size_t>(r.bottleneck)].name.str();
    return r.memory_ii > r.compute_ii ? "off-chip memory bandwidth" : "a squeeze";
}

void print_summary(const network& net, const design_report& r, const board& b, count_t batch) {
    fmt::print("II                 {} cycles (compute {}, memory {}); bottleneck: {}\n", grouped(r.ii),
               grouped(r.compute_ii), grouped(r.memory_ii), bottleneck_text(net, r));
    fmt::print("throughput         {} images/s at {} MHz\n", amount(r.throughput()), fmt::format("{:g}", b.clock_mhz));
    fmt::print("latency (batch 1)  {} (pipeline depth {} cycles)\n", duration(r.batch_time(1)),
               grouped(r.pipeline_depth));
    if (batch != 1) fmt::print("batch of {:<8}    {}\n", batch, duration(r.batch_time(batch)));
    fmt::print("bandwidth          {} Gbit/s of {} Gbit/s\n", amount(r.bandwidth_gbps()), amount(b.bandwidth_gbps));
    if (r.fits)
        fmt::print("fits               yes\n");
    else
        fmt::print("fits               no: exceeds {}\n", exceeded_text(r.exceeded()));
}

void print_partitions(const network& net, const partitioned_report& pr, const board& b, count_t batch) {
    fmt::print("\nautomatic partitioning: {} partitions run one after another, reconfiguring in between\n",
               pr.partitions.size());
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
    const auto P = static_cast<double>(pr.partitions.size());
    fmt::print("convention         time(batch) = sum of partition times (II*batch + depth)/clock "
               "+ (P-1) * reconfiguration time\n");
    fmt::print("total (batch {})    {} + ({} - 1) x {} = {}\n", batch, duration(sum), pr.partitions.size(),
               duration(pr.reconf_time_s), duration(sum + (P - 1) * pr.reconf_time_s));
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

int run_eval(const eval_options& o) {
    const utilisation_cap cap = parse_cap(o.cap);
    if (o.batch < 1) throw usage_error("--batch must be >= 1");
    const count_t batch = o.batch;
    io::network_file model = load_model(o.model);
    if (!o.stats.empty()) apply_stats_file(model.net, o.stats);
    const network& net = model.net;
    const io::owned_board owned = load_board(o.board);
    const board& b = owned.spec();
    std::vector<folding> f = model.folding;
    if (!o.folding.empty()) f = io::load_folding(o.folding, net);
    io::validate_design(net, f, o.model);

    const design_report r = evaluate(net, f, b, cap);
    const bool split = o.partition == "auto" && !r.fits;
    partitioned_report pr;
    if (split) {
        std::vector<int> cuts;
        try {
            cuts = auto_partition(net, f, b, cap);
        } catch (const hass::error& e) {
            throw hass::error(std::string(e.what()) +
                              " (a folding file can put large weights in URAM or off chip: \"weights\": "
                              "\"uram\" or \"off_chip\")");
        }
        pr = evaluate_partitions(net, f, b, cuts, cap);
    }

    if (o.json) {
        json j = io::report_json(net, f, r, b);
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}};
        j["batch"] = batch;
        j["batch_latency_s"] = r.batch_time(batch);
        if (o.partition == "auto") j["partitioned"] = split ? io::partitioned_report_json(net, f, pr, b, batch) : json(nullptr);
        print_json(j);
        return 0;
    }
    fmt::print("{} on {} ({}), {} MHz", net.name.str(), b.name, b.part, fmt::format("{:g}", b.clock_mhz));
    if (cap != utilisation_cap{})
        fmt::print(", utilisation cap dsp {:g} lut {:g} ff {:g} ram {:g}", cap.dsp, cap.lut, cap.ff, cap.ram);
    fmt::print("\n\n");
    print_layers(net, f, r);
    fmt::print("\n");
    print_budget(r);
    fmt::print("\n");
    print_summary(net, r, b, batch);
    if (split)
        print_partitions(net, pr, b, batch);
    else if (o.partition == "auto")
        fmt::print("partitioning       not needed: the design fits in one partition\n");
    else if (!r.fits)
        fmt::print("                   (--partition auto splits the network into partitions that fit)\n");
    print_sparse_eval(net, f, r);
    return 0;
}

int run_export(const export_options& o) {
    const io::network_file model = load_model(o.model);
    std::vector<folding> f = model.folding;
    if (!o.folding.empty()) f = io::load_folding(o.folding, model.net);
    if (o.folding_template)
        print_json(io::write_folding(model.net, f));
    else
        fmt::print("{}\n", io::write_network(model.net, f).dump(2));
    return 0;
}


namespace {

/// Progress on a terminal: "searching ... 42%" on stderr, only when stderr is a
/// terminal and the search has run for a while; cleared at the end.
class progress_line {
public:
    explicit progress_line(std::string what) : what_(std::move(what)), tty_(isatty(2) != 0) {}
    ~progress_line() { clear(); }
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;

    void operator()(double fraction) {
        if (!tty_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - start_ < std::chrono::milliseconds(300) || now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        fmt::print(stderr, "\r{} {:3.0f}%", what_, 100.0 * fraction);
        std::fflush(stderr);
        shown_ = true;
    }
    void clear() {
        if (!shown_) return;
        fmt::print(stderr, "\r{}\r", std::string(what_.size() + 6, ' '));
        std::fflush(stderr);
        shown_ = false;
    }

private:
    std::string what_;
    bool tty_ = false;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

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

int run_search(const search_options& o) {
    const utilisation_cap cap = parse_cap(o.cap);
    if (!o.sparsity.empty()) {
        if (o.algo != "optimal") throw usage_error("--sparsity runs the optimal folding search inside; drop --algo");
        const io::network_file model = load_model(o.model);
        const io::owned_board owned = load_board(o.board);
        cosearch_cli_options co;
        co.sparsity = o.sparsity;
        co.accuracy = o.accuracy;
        co.budget = o.budget;
        co.method = o.cosearch;
        co.objective = o.objective;
        co.seed = static_cast<std::uint64_t>(o.seed);
        co.no_offchip = o.no_offchip;
        co.out = o.out;
        co.json = o.json;
        return run_cosearch(co, model.net, owned.spec(), cap);
    }
    if (o.batch < 1) throw usage_error("--batch must be >= 1");
    const auto algo = parse_algorithm(o.algo);
    if (!algo) throw usage_error("--algo must be optimal, greedy or anneal");
    const io::network_file model = load_model(o.model);
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
    progress_line progress(fmt::format("searching {} on {} ({})", net.name.str(), b.name, o.algo));
    so.progress = [&progress](double f) { progress(f); };

    // the design: one partition, or cuts from the partitioned search
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
        partitioned_search_result r = search_partitioned(net, b, *algo, so);
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
        search_result r = hass::search(net, b, *algo, so);
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

    // the report: eval's keys (the whole network under this folding), the search's, the partitions
    json j;
    design_report whole;
    partitioned_report pr;
    if (found) {
        whole = evaluate(net, f, b, cap);
        j = io::report_json(net, f, whole, b);
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}};
        j["batch"] = o.batch;
        j["batch_latency_s"] = whole.batch_time(o.batch);
    } else {
        j = {{"model", net.name.str()}, {"board", std::string(b.name)}, {"clock_mhz", b.clock_mhz}};
        j["cap"] = {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}};
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
        pr = evaluate_partitions(net, f, b, cuts, cap);
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
        if (found) write_file(dir / "folding.json", io::write_folding(net, f));
        write_file(dir / "report.json", j);
    }
    if (o.json) {
        print_json(j);
        return 0;
    }

    fmt::print("{} on {} ({}), {} MHz: {} search", net.name.str(), b.name, b.part, fmt::format("{:g}", b.clock_mhz),
               o.algo);
    if (cap != utilisation_cap{})
        fmt::print(", utilisation cap dsp {:g} lut {:g} ff {:g} ram {:g}", cap.dsp, cap.lut, cap.ff, cap.ram);
    fmt::print(", weights {}\n\n", so.offchip_weights ? "on or off chip" : "on chip only");
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
        fmt::print("wrote              {} and {}\n", (std::filesystem::path(o.out) / "folding.json").string(),
                   (std::filesystem::path(o.out) / "report.json").string());
    return 0;
}

} // namespace hass::cli
