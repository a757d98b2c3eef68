// The `hass` Python module (pybind11): networks, boards, evaluate, the folding
// search and the sparsity co-search, with the accuracy oracle as a Python
// callable. Results carry the same JSON as the hass command-line tool's --json.
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include <hass/boards/catalog.hpp>
#include <hass/cost/policy.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>
#include <hass/io/folding_plan.hpp>
#include <hass/network/evaluate.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/cosearch_partitioned.hpp>
#include <hass/sparsity/report_json.hpp>
#include <hass/sparsity/json.hpp>
#include <hass/sparsity/report.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/sparsity/verify_json.hpp>
#include <hass/version.hpp>
#include <hass/zoo/zoo.hpp>

#if HASS_PYTHON_WITH_ONNX
#include <hass_onnx/import.hpp>
#endif

namespace py = pybind11;
using nlohmann::json;

namespace hass::python {

namespace {

// ---------------------------------------------------------------------------
// JSON <-> Python: through Python's json module, so that every value keeps its
// JSON type (integers stay int, objects keep their key order)
// ---------------------------------------------------------------------------

template <class Json>
py::object to_python(const Json& j) {
    return py::module_::import("json").attr("loads")(j.dump());
}

json from_python(const py::handle& o) {
    const std::string text = py::str(py::module_::import("json").attr("dumps")(o));
    return json::parse(text);
}

template <class Json>
std::string dump(const Json& j, int indent) {
    return j.dump(indent);
}

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

cost::model parse_cost_model(const std::string& m) {
    const auto r = cost::parse_model(m);
    if (!r) throw py::value_error("model must be \"hass\" or \"fpgaconvnet\", not \"" + m + "\"");
    return *r;
}

// ---------------------------------------------------------------------------
// Python-side objects
// ---------------------------------------------------------------------------

/// A network with its inline folding and, for ONNX models, its weights.
struct py_network {
    network net;
    std::vector<folding> inline_folding;
    std::shared_ptr<const hls::weight_set> weights;
};

/// A folding bound to the network it folds.
struct py_folding {
    std::shared_ptr<const py_network> net;
    std::vector<folding> f;
    std::vector<int> cuts; ///< partitions: each cut starts one (empty: one partition)
    count_t batch = 0;     ///< the batch it was searched for (0: none)
    json to_json() const {
        json j = io::write_folding(net->net, f);
        io::add_folding_plan(j, net->net, cuts, batch);
        return j;
    }
};

/// A board (catalogue entry or board file).
struct py_board {
    io::owned_board b;
    const board& spec() const { return b.spec(); }
};

/// A result: the JSON report plus typed parts.
struct py_result {
    json report;
    std::optional<py_folding> folding;          ///< search and co-search
    std::shared_ptr<const py_network> network;  ///< co-search: the sparse network
    std::vector<std::pair<std::string, sparsity::threshold_pair>> thresholds; ///< co-search
};

std::shared_ptr<py_network> load_network(const std::string& arg) {
    auto n = std::make_shared<py_network>();
    if (ends_with_nocase(arg, ".onnx")) {
#if HASS_PYTHON_WITH_ONNX
        onnx_import::result r = onnx_import::import_file(arg);
        if (!r.warnings.empty()) {
            const auto warn = py::module_::import("warnings").attr("warn");
            for (const auto& w : r.warnings) warn("hass: " + w);
        }
        n->net = std::move(r.net);
        n->inline_folding = unit_folding(n->net);
        n->weights = std::make_shared<const hls::weight_set>(std::move(r.weights));
        return n;
#else
        throw hass::error("'" + arg + "' is an ONNX model, but this hass module was built without ONNX import "
                          "(install libonnx-dev and libprotobuf-dev, then configure and build again)");
#endif
    }
    std::error_code ec;
    if (ends_with_nocase(arg, ".json") || std::filesystem::is_regular_file(arg, ec)) {
        io::network_file f = io::load_network_file(arg);
        n->net = std::move(f.net);
        n->inline_folding = std::move(f.folding);
        return n;
    }
    if (auto net = zoo::by_name(arg)) {
        n->net = *std::move(net);
        n->inline_folding = unit_folding(n->net);
        return n;
    }
    std::string names;
    for (std::string_view m : zoo::model_names) names += (names.empty() ? "" : ", ") + std::string(m);
    throw hass::error("unknown model '" + arg + "'; known models: " + names +
                      " (or give the path of a network JSON file or an .onnx model)");
}

std::shared_ptr<py_network> network_from_dict(const py::dict& d) {
    auto n = std::make_shared<py_network>();
    io::network_file f = io::read_network_file(from_python(d), "network");
    n->net = std::move(f.net);
    n->inline_folding = std::move(f.folding);
    return n;
}

py_board load_board(const std::string& arg) {
    std::error_code ec;
    if (ends_with_nocase(arg, ".json") || std::filesystem::is_regular_file(arg, ec)) return {io::load_board(arg)};
    if (auto b = boards::find(arg)) return {io::owned_board(*b)};
    std::string names;
    for (const auto& b : boards::catalog) names += (names.empty() ? "" : ", ") + std::string(b.name);
    throw hass::error("unknown board '" + arg + "'; known boards: " + names + " (or give the path of a board JSON file)");
}

/// A board argument: a Board or a name/path.
py_board board_arg(const py::object& o) {
    if (py::isinstance<py_board>(o)) return o.cast<py_board>();
    if (py::isinstance<py::str>(o)) return load_board(o.cast<std::string>());
    throw py::type_error("board must be a hass.Board or a board name / board JSON path");
}

/// A network argument: a Network or a zoo name/path.
std::shared_ptr<const py_network> network_arg(const py::object& o) {
    if (py::isinstance<py_network>(o)) return o.cast<std::shared_ptr<py_network>>();
    if (py::isinstance<py::str>(o)) return load_network(o.cast<std::string>());
    throw py::type_error("net must be a hass.Network or a zoo name / network JSON / .onnx path");
}

/// A folding argument: None (the network's own), a Folding, a dict (folding JSON) or a path;
/// with the partitions and batch it carries (hass/io/folding_plan.hpp).
struct folding_value {
    std::vector<folding> f;
    io::folding_plan plan;
};

folding_value folding_arg(const py::object& o, const py_network& n) {
    if (o.is_none()) return {n.inline_folding.empty() ? unit_folding(n.net) : n.inline_folding, {}};
    if (py::isinstance<py_folding>(o)) {
        const auto& f = o.cast<const py_folding&>();
        if (f.f.size() != n.net.size())
            throw hass::error("the folding has " + std::to_string(f.f.size()) + " layers, the network " +
                              std::to_string(n.net.size()));
        return {f.f, io::folding_plan{f.cuts, !f.cuts.empty(), f.batch}};
    }
    json j;
    std::string source = "folding";
    if (py::isinstance<py::dict>(o))
        j = from_python(o);
    else if (py::isinstance<py::str>(o))
        j = io::load_json_file(source = o.cast<std::string>());
    else
        throw py::type_error("folding must be None, a hass.Folding, a dict (folding JSON) or a path");
    return {io::read_folding(j, n.net, source), io::read_folding_plan(j, n.net, source)};
}

json cap_json(const utilisation_cap& cap) {
    return {{"dsp", cap.dsp}, {"lut", cap.lut}, {"ff", cap.ff}, {"ram", cap.ram}, {"bandwidth", cap.bandwidth}};
}

// ---------------------------------------------------------------------------
// evaluate
// ---------------------------------------------------------------------------

py_result evaluate(const py::object& net_o, const py::object& folding_o, const py::object& board_o,
                   const std::string& model, count_t batch_arg, const std::string& partition) {
    if (batch_arg < 0) throw py::value_error("batch must be >= 1 (or 0: the folding's, else 256)");
    if (partition != "auto" && partition != "none")
        throw py::value_error("partition must be \"auto\" or \"none\"");
    const auto n = network_arg(net_o);
    const py_board pb = board_arg(board_o);
    const auto kind = parse_cost_model(model);
    folding_value fv = folding_arg(folding_o, *n);
    std::vector<folding>& f = fv.f;
    const std::vector<int> cuts = partition == "auto" ? fv.plan.cuts : std::vector<int>{};
    const count_t batch = batch_arg > 0 ? batch_arg : fv.plan.batch > 0 ? fv.plan.batch : 256;
    io::validate_design(n->net, f, n->net.name.str());
    py_result out;
    {
        py::gil_scoped_release release;
        evaluation_options eo;
        eo.batch = batch;
        cost::with_model(kind, [&](auto m) {
            const partitioned_report pr = evaluate_partitions<decltype(m)>(n->net, f, pb.spec(), cuts, eo);
            const design_report& r = pr.partitions.front();
            out.report = io::report_json(n->net, f, r, pb.spec());
            out.report["cap"] = cap_json(utilisation_cap{});
            out.report["batch"] = batch;
            out.report["partition"] = partition;
            out.report["batch_latency_s"] = pr.batch_time(batch);
            out.report["batch_fps"] = pr.throughput(batch);
            out.report["partitioned"] =
                cuts.empty() ? json(nullptr) : io::partitioned_report_json(n->net, f, pr, pb.spec(), batch);
            if (!cuts.empty()) out.report["throughput_fps"] = pr.throughput(batch);
            return 0;
        });
    }
    out.folding = py_folding{n, std::move(f), cuts, batch};
    return out;
}

// ---------------------------------------------------------------------------
// search (the folding search, as `hass search --json`)
// ---------------------------------------------------------------------------

json gap_json(count_t ii, count_t lower) {
    if (lower <= 0 || ii <= 0) return nullptr;
    return static_cast<double>(ii - lower) / static_cast<double>(lower);
}

template <class Cost>
json search_with(const py_network& n, const board& b, algorithm algo, const std::string& algo_name,
                 const std::string& partition, count_t batch, std::uint64_t seed, std::vector<folding>& f,
                 std::vector<int>& cuts) {
    const network& net = n.net;
    const bool partitioned = partition == "auto";
    search_options so;
    so.seed = seed;
    so.batch = batch;
    bool found = false;
    std::string message;
    double search_ms = 0;
    count_t evaluations = 0, lower = 0;
    std::vector<count_t> lower_per_part;
    double single_time = 0;
    if (partitioned) {
        partitioned_search_result r = search_partitioned<Cost>(net, b, algo, so);
        found = r.found;
        message = r.message;
        search_ms = r.search_ms;
        evaluations = r.evaluations;
        f = std::move(r.folding);
        cuts = std::move(r.cuts);
        lower_per_part = std::move(r.ii_lower_bound);
        single_time = r.single_batch_time_s;
        if (found && cuts.empty()) lower = lower_per_part.front();
    } else {
        search_result r = hass::search<Cost>(net, b, algo, so);
        found = r.found;
        message = r.message;
        search_ms = r.search_ms;
        evaluations = r.evaluations;
        f = std::move(r.folding);
        lower = r.ii_lower_bound;
    }
    const bool multi = found && !cuts.empty();
    if (!found && message.rfind("no design fits", 0) != 0) message = "no design fits: " + message;
    json j;
    design_report whole;
    partitioned_report pr;
    if (found) {
        evaluation_options eo;
        eo.batch = batch;
        pr = evaluate_partitions<Cost>(net, f, b, cuts, eo);
        whole = pr.partitions.front();
        j = io::report_json(net, f, whole, b);
        j["cap"] = cap_json(utilisation_cap{});
        j["batch"] = batch;
        j["batch_latency_s"] = pr.batch_time(batch);
        j["batch_fps"] = pr.throughput(batch);
    } else {
        j = {{"model", net.name.str()}, {"cost_model", std::string(Cost::name)}, {"board", std::string(b.name)},
             {"clock_mhz", b.clock_mhz}, {"cap", cap_json(utilisation_cap{})}, {"batch", batch}};
    }
    j["found"] = found;
    j["message"] = message;
    j["algo"] = algo_name;
    j["search_ms"] = search_ms;
    j["evaluations"] = evaluations;
    j["offchip_weights"] = so.offchip_weights;
    j["partition"] = partition;
    j["ii_lower_bound"] = found && !multi && lower > 0 ? json(lower) : json(nullptr);
    j["gap"] = found && !multi ? gap_json(whole.ii, lower) : json(nullptr);
    j["partitioned"] = nullptr;
    if (multi) {
        json p = io::partitioned_report_json(net, f, pr, b, batch);
        for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
            p["partitions"][k]["ii_lower_bound"] = lower_per_part[k];
            p["partitions"][k]["gap"] = gap_json(pr.partitions[k].ii, lower_per_part[k]);
        }
        p["cuts"] = cuts;
        p["single_partition_batch_time_s"] = single_time > 0 ? json(single_time) : json(nullptr);
        j["partitioned"] = std::move(p);
    }
    return j;
}

py_result search(const py::object& net_o, const py::object& board_o, const std::string& algo_name,
                 const std::string& partition, const std::string& model, count_t batch, std::uint64_t seed) {
    if (batch < 1) throw py::value_error("batch must be >= 1");
    const auto algo = parse_algorithm(algo_name);
    if (!algo) throw py::value_error("algo must be \"optimal\", \"greedy\" or \"anneal\"");
    if (partition != "auto" && partition != "none")
        throw py::value_error("partition must be \"auto\" or \"none\"");
    const auto kind = parse_cost_model(model);
    const auto n = network_arg(net_o);
    const py_board pb = board_arg(board_o);
    py_result out;
    std::vector<folding> f;
    std::vector<int> cuts;
    {
        py::gil_scoped_release release;
        out.report = cost::with_model(kind, [&](auto m) {
            return search_with<decltype(m)>(*n, pb.spec(), *algo, algo_name, partition, batch, seed, f, cuts);
        });
    }
    if (out.report["found"].get<bool>()) out.folding = py_folding{n, std::move(f), std::move(cuts), batch};
    return out;
}

// ---------------------------------------------------------------------------
// cosearch (as `hass search --sparsity ... --json`)
// ---------------------------------------------------------------------------


/// The oracle's Python callable, called from the C++ search with the GIL held;
/// a Python exception is kept and the search is stopped by a C++ exception.
struct python_oracle {
    py::function fn;
    std::vector<std::string> names;
    std::shared_ptr<py::error_already_set> raised;
    std::size_t calls = 0;

    double operator()(std::span<const sparsity::threshold_pair> c) {
        py::gil_scoped_acquire acquire;
        ++calls;
        try {
            py::dict d;
            for (std::size_t s = 0; s < c.size(); ++s)
                d[py::str(s < names.size() ? names[s] : std::to_string(s))] = py::make_tuple(c[s].tau_w, c[s].tau_a);
            const py::object r = fn(d);
            return r.cast<double>();
        } catch (py::error_already_set& e) {
            raised = std::make_shared<py::error_already_set>(std::move(e));
        } catch (const py::cast_error&) {
            throw hass::error("the accuracy oracle must return a number (the accuracy drop in points)");
        }
        throw oracle_stopped{};
    }
    struct oracle_stopped {};
};

/// The oracle with batch=True: [{layer: (tau_w, tau_a)}, ...] -> [drop, ...], one
/// call (and one taking of the GIL) per batch of candidates.
struct python_batch_oracle {
    py::function fn;
    std::vector<std::string> names;
    std::shared_ptr<py::error_already_set> raised;
    std::size_t calls = 0, candidates = 0;

    std::vector<double> operator()(std::span<const std::vector<sparsity::threshold_pair>> cs) {
        py::gil_scoped_acquire acquire;
        ++calls;
        candidates += cs.size();
        try {
            py::list batch;
            for (const auto& c : cs) {
                py::dict d;
                for (std::size_t s = 0; s < c.size(); ++s)
                    d[py::str(s < names.size() ? names[s] : std::to_string(s))] = py::make_tuple(c[s].tau_w, c[s].tau_a);
                batch.append(d);
            }
            const py::object r = fn(batch);
            if (!py::isinstance<py::sequence>(r) || py::isinstance<py::str>(r))
                throw hass::error("the accuracy oracle (batch=True) must return a list of numbers: one accuracy drop "
                                  "(points) per candidate, in order");
            std::vector<double> d;
            std::size_t i = 0;
            for (const auto x : r.cast<py::sequence>()) {
                ++i;
                try {
                    d.push_back(x.cast<double>());
                } catch (const py::cast_error&) {
                    throw hass::error("the accuracy oracle (batch=True): entry " + std::to_string(i) +
                                      " of its answer is not a number (the accuracy drop in points)");
                }
            }
            return d; // the co-search checks the length and every drop (NaN, infinite, negative)
        } catch (py::error_already_set& e) {
            raised = std::make_shared<py::error_already_set>(std::move(e));
        }
        throw python_oracle::oracle_stopped{};
    }
};

/// The verify callable: thresholds document -> {"drop": points, "products": product histograms} (or a
/// number: the drop alone), called with the GIL held like the oracle.
struct python_measure {
    py::function fn;
    const sparsity::predictor* pred = nullptr;
    const network* net = nullptr;
    std::shared_ptr<py::error_already_set> raised;
    std::size_t calls = 0;

    sparsity::measurement operator()(std::span<const sparsity::threshold_pair> c) {
        py::gil_scoped_acquire acquire;
        ++calls;
        try {
            const py::object doc = to_python(json(io::write_thresholds(*pred, c)));
            const py::object r = fn(doc);
            const std::string src = "verify: answer " + std::to_string(calls);
            if (py::isinstance<py::float_>(r) || py::isinstance<py::int_>(r))
                return io::read_measurement(json{{"drop", r.cast<double>()}}, *pred, *net, c, src);
            if (!py::isinstance<py::dict>(r))
                throw hass::error(src + ": the verify callable must return a dict {\"drop\": points, \"products\": "
                                  "product histograms} or a number (the drop)");
            return io::read_measurement(from_python(r), *pred, *net, c, src);
        } catch (py::error_already_set& e) {
            raised = std::make_shared<py::error_already_set>(std::move(e));
        }
        throw python_oracle::oracle_stopped{};
    }
};

struct stats_input {
    sparsity::decomposed_statistics stats;
    sparsity::accuracy_table table;
    bool have_table = false;
    bool synthetic_table = false;
};

stats_input load_stats(const py::object& stats_o, const py::object& accuracy_o, const py_network& n) {
    stats_input in;
    auto weights_of = [&](const std::string& name) -> std::span<const float> {
        if (!n.weights) return {};
        const auto it = n.weights->find(name);
        if (it == n.weights->end()) return {};
        return it->second.weights;
    };
    std::string stats_source = "statistics";
    if (py::isinstance<py::str>(stats_o) && stats_o.cast<std::string>() == "synthetic") {
        auto p = sparsity::make_synthetic_problem(n.net);
        in.stats = std::move(p.statistics);
        in.table = std::move(p.accuracy);
        in.have_table = in.synthetic_table = true;
    } else if (py::isinstance<py::str>(stats_o)) {
        stats_source = stats_o.cast<std::string>();
        in.stats = io::load_decomposed(stats_source, &n.net);
        io::fill_magnitudes(in.stats, weights_of, stats_source);
    } else if (py::isinstance<py::dict>(stats_o)) {
        in.stats = io::read_decomposed(from_python(stats_o), "statistics", &n.net);
        io::fill_magnitudes(in.stats, weights_of, "statistics");
    } else {
        throw py::type_error("stats must be \"synthetic\", the path of a statistics JSON file or its dict");
    }
    if (!accuracy_o.is_none()) {
        if (py::isinstance<py::str>(accuracy_o))
            in.table = io::load_accuracy_table(accuracy_o.cast<std::string>(), &n.net);
        else if (py::isinstance<py::dict>(accuracy_o))
            in.table = io::read_accuracy_table(from_python(accuracy_o), "accuracy", &n.net);
        else
            throw py::type_error("accuracy must be the path of an accuracy table JSON file or its dict");
        in.have_table = true;
        in.synthetic_table = false;
    }
    return in;
}

sparsity::cosearch_method parse_method(const std::string& m) {
    if (m == "greedy") return sparsity::cosearch_method::greedy;
    if (m == "tpe") return sparsity::cosearch_method::tpe;
    throw py::value_error("method must be \"greedy\" or \"tpe\"");
}

sparsity::cosearch_objective parse_objective(const std::string& m) {
    if (m == "throughput") return sparsity::cosearch_objective::throughput;
    if (m == "throughput_per_dsp") return sparsity::cosearch_objective::throughput_per_dsp;
    throw py::value_error("objective must be \"throughput\" or \"throughput_per_dsp\"");
}

py_result cosearch(const py::object& net_o, const py::object& board_o, const py::object& stats_o,
                   const py::object& accuracy_o, const py::object& oracle_o, double budget, const std::string& method_s,
                   std::uint64_t seed, const std::string& model, const std::string& objective_s,
                   const py::object& verify_o, int rounds, double tolerance, bool batch, long random_baseline,
                   const std::string& partition) {
    if (partition != "auto" && partition != "none")
        throw py::value_error("partition must be 'auto' (over partitions when the dense design takes several) or "
                              "'none' (one partition), not '" + partition + "'");
    if (!(budget >= 0)) throw py::value_error("budget must be >= 0 (accuracy drop, percentage points)");
    const auto method = parse_method(method_s);
    const auto objective = parse_objective(objective_s);
    const auto kind = parse_cost_model(model);
    const auto n = network_arg(net_o);
    const py_board pb = board_arg(board_o);
    const board& b = pb.spec();
    if (!oracle_o.is_none() && !accuracy_o.is_none())
        throw py::value_error("give accuracy (a table) or oracle (a callable), not both");
    if (!oracle_o.is_none() && !PyCallable_Check(oracle_o.ptr()))
        throw py::type_error("oracle must be a callable: thresholds -> accuracy drop (points)");

    const bool verify = !verify_o.is_none() && !(py::isinstance<py::bool_>(verify_o) && !verify_o.cast<bool>());
    if (verify && !PyCallable_Check(verify_o.ptr()))
        throw py::type_error("verify must be the measurement callable: thresholds document -> {\"drop\": points, "
                             "\"products\": product histograms} (hass_profile.Profiler.measure is one)");
    if (verify && rounds < 1) throw py::value_error("rounds must be >= 1");
    if (batch && oracle_o.is_none())
        throw py::value_error("batch=True goes with oracle (a callable taking a list of candidates)");
    if (random_baseline < 0) throw py::value_error("random_baseline must be >= 0");

    stats_input in = load_stats(stats_o, accuracy_o, *n);
    const bool python_oracle_used = !oracle_o.is_none();
    if (!python_oracle_used && !in.have_table)
        throw py::value_error("stats from a file need accuracy (the per-layer accuracy table) or oracle (a callable); "
                              "only stats=\"synthetic\" comes with a synthetic accuracy table");
    if (in.have_table) io::resolve_weight_sparsity(in.table, in.stats, "accuracy");

    auto pred = std::make_shared<sparsity::predictor>(in.stats, n->net);
    std::vector<std::string> names;
    for (std::size_t s = 0; s < pred->size(); ++s) names.emplace_back(pred->name(s));

    sparsity::accuracy_oracle oracle;
    std::shared_ptr<python_oracle> callable;
    std::shared_ptr<python_batch_oracle> batch_callable;
    std::vector<std::string> notes;
    if (python_oracle_used && batch) {
        batch_callable = std::make_shared<python_batch_oracle>();
        batch_callable->fn = oracle_o.cast<py::function>();
        batch_callable->names = names;
    } else if (python_oracle_used) {
        callable = std::make_shared<python_oracle>();
        callable->fn = oracle_o.cast<py::function>();
        callable->names = names;
        oracle = [callable](std::span<const sparsity::threshold_pair> c) { return (*callable)(c); };
    } else {
        std::vector<std::vector<double>> grids_w, grids_a;
        for (std::size_t s = 0; s < pred->size(); ++s) {
            grids_w.emplace_back(pred->tau_w_grid(s).begin(), pred->tau_w_grid(s).end());
            grids_a.emplace_back(pred->tau_a_grid(s).begin(), pred->tau_a_grid(s).end());
        }
        auto table_model = std::make_shared<const sparsity::accuracy_model>(in.table, pred->layout(), grids_w, grids_a);
        for (const auto& note : table_model->notes()) notes.push_back(note);
        oracle = [table_model](std::span<const sparsity::threshold_pair> c) { return (*table_model)(c); };
    }
    // the co-search checks every answer (NaN, infinite, negative) and names the candidate

    sparsity::cosearch_options co;
    co.budget = budget;
    co.method = method;
    co.objective = objective;
    co.seed = seed;
    co.random_baseline = static_cast<count_t>(random_baseline);
    if (batch_callable)
        co.batch_oracle = [batch_callable](std::span<const std::vector<sparsity::threshold_pair>> cs) {
            return (*batch_callable)(cs);
        };

    sparsity::verified_cosearch_result v;
    auto measure = std::make_shared<python_measure>();
    std::optional<sparsity::partitioned_cosearch_result> parts; // the co-search over partitions
    try {
        py::gil_scoped_release release;
        if (partition == "auto") {
            // as `hass search --sparsity`: over partitions when the dense design takes several
            const partitioned_search_result dense = cost::with_model(kind, [&](auto m) {
                return sparsity::dense_partitioned_design<decltype(m)>(n->net, b, co.folding);
            });
            if (sparsity::takes_partitions(dense)) {
                if (verify)
                    throw py::value_error("verify measures designs of one partition, and the dense design of " +
                                          n->net.name.str() + " on " + std::string(b.name) +
                                          " takes several: give partition='none' or no verify");
                parts = cost::with_model(kind, [&](auto m) {
                    return sparsity::cosearch_partitioned<decltype(m)>(n->net, b, *pred, oracle, co, &dense);
                });
            }
        }
        if (parts) {
        } else if (verify) {
            {
                py::gil_scoped_acquire acquire;
                measure->fn = verify_o.cast<py::function>();
            }
            measure->pred = pred.get();
            measure->net = &n->net;
            sparsity::verify_options vo;
            vo.rounds = rounds;
            vo.throughput_tolerance = tolerance;
            const sparsity::measure_fn mf = [measure](std::span<const sparsity::threshold_pair> c) { return (*measure)(c); };
            v = cost::with_model(kind, [&](auto m) {
                return sparsity::verified_cosearch<decltype(m)>(n->net, b, *pred, oracle, mf, co, vo);
            });
        } else {
            v.result = cost::with_model(kind, [&](auto m) { return sparsity::cosearch<decltype(m)>(n->net, b, *pred, oracle, co); });
        }
    } catch (const python_oracle::oracle_stopped&) {
        for (auto* raised : {callable ? &callable->raised : nullptr, batch_callable ? &batch_callable->raised : nullptr,
                             &measure->raised}) {
            if (raised && *raised) {
                const auto e = *raised;
                raised->reset();
                throw py::error_already_set(std::move(*e));
            }
        }
        throw hass::error("the accuracy oracle stopped the co-search");
    }
    const json accuracy =
        python_oracle_used
            ? (batch_callable ? json{{"synthetic", false},
                                     {"provenance", "Python callable (batch)"},
                                     {"calls", batch_callable->calls},
                                     {"candidates", batch_callable->candidates}}
                              : json{{"synthetic", false}, {"provenance", "Python callable"}, {"calls", callable->calls}})
            : json{{"synthetic", in.synthetic_table || in.table.synthetic}, {"provenance", in.table.provenance}};
    py_result out;
    if (parts) {
        const sparsity::partitioned_cosearch_result& r = *parts;
        out.report = io::partitioned_cosearch_report_json(
            n->net, b, *pred, r, {{"synthetic", in.stats.synthetic}, {"provenance", in.stats.provenance}}, accuracy,
            notes);
        auto sparse = std::make_shared<py_network>();
        sparse->net = r.sparse_network;
        sparse->inline_folding = r.found ? r.design.folding : unit_folding(sparse->net);
        sparse->weights = n->weights;
        out.network = sparse;
        if (r.found) out.folding = py_folding{sparse, r.design.folding, r.design.cuts, r.batch};
        for (std::size_t s = 0; s < pred->size(); ++s) out.thresholds.emplace_back(names[s], r.best.thresholds[s]);
        return out;
    }
    const sparsity::cosearch_result& r = v.result;
    const bool ok = r.design.found && r.dense_design.found && (!verify || v.chosen_round > 0);
    json j = io::cosearch_report_json(n->net, b, *pred, r,
                                      {{"synthetic", in.stats.synthetic}, {"provenance", in.stats.provenance}},
                                      accuracy, notes);
    if (verify) {
        j["cosearch"]["verify"] = io::verify_report_json(v);
        if (!ok) j["found"] = false;
    }

    out.report = std::move(j);
    auto sparse = std::make_shared<py_network>();
    sparse->net = r.sparse_network;
    sparse->inline_folding = ok ? r.design.folding : unit_folding(sparse->net);
    sparse->weights = n->weights;
    out.network = sparse;
    if (ok) out.folding = py_folding{sparse, r.design.folding, {}, 0};
    for (std::size_t s = 0; s < pred->size(); ++s) out.thresholds.emplace_back(names[s], r.best.thresholds[s]);
    return out;
}

py::object report_get(const py_result& r, const char* key) {
    const auto it = r.report.find(key);
    if (it == r.report.end() || it->is_null()) return py::none();
    return to_python(*it);
}

} // namespace

} // namespace hass::python

PYBIND11_MODULE(hass, m) {
    using namespace hass::python;
    namespace io = hass::io;
    m.doc() = "hass: sparse dataflow DNN accelerators on FPGAs (evaluate, folding search, sparsity co-search)";
    m.attr("__version__") = HASS_VERSION_STRING;
#if HASS_PYTHON_WITH_ONNX
    m.attr("has_onnx") = true;
#else
    m.attr("has_onnx") = false;
#endif

    py::register_exception<hass::error>(m, "Error", PyExc_RuntimeError);

    py::class_<py_network, std::shared_ptr<py_network>>(m, "Network", "A network (layers, shapes, sparsity) with its "
                                                                      "inline folding")
        .def_property_readonly("name", [](const py_network& n) { return n.net.name.str(); })
        .def_property_readonly("layers", [](const py_network& n) {
            std::vector<std::string> v;
            for (const auto& l : n.net.layers) v.push_back(l.name.str());
            return v;
        }, "layer names, in network order")
        .def_property_readonly("has_weights", [](const py_network& n) { return n.weights != nullptr; },
                               "True for an imported ONNX model (its weights give exact weight statistics)")
        .def_property_readonly("folding", [](const std::shared_ptr<py_network>& n) {
            return py_folding{n, n->inline_folding.empty() ? hass::unit_folding(n->net) : n->inline_folding, {}, 0};
        }, "the network's inline folding (all 1 when it has none)")
        .def("__len__", [](const py_network& n) { return n.net.size(); })
        .def("info", [](const py_network& n) { return to_python(io::info_json(n.net)); },
             "layers, shapes and work as a dict (`hass info --json`)")
        .def("dict", [](const py_network& n) { return to_python(io::write_network(n.net)); },
             "the network JSON as a dict")
        .def("json", [](const py_network& n, int indent) { return dump(io::write_network(n.net), indent); },
             py::arg("indent") = 2, "the network JSON text (reads back with hass.load)")
        .def("__repr__", [](const py_network& n) {
            return "<hass.Network '" + n.net.name.str() + "', " + std::to_string(n.net.size()) + " layers>";
        });

    py::class_<py_folding>(m, "Folding", "A folding (coarse_in, coarse_out, fine, ... per layer) of a network")
        .def("dict", [](const py_folding& f) { return to_python(f.to_json()); }, "the folding JSON as a dict")
        .def("json", [](const py_folding& f, int indent) { return dump(f.to_json(), indent); }, py::arg("indent") = 2,
             "the folding JSON text (hass eval --folding reads it)")
        .def("__len__", [](const py_folding& f) { return f.f.size(); })
        .def_property_readonly("cuts", [](const py_folding& f) { return f.cuts; },
                               "the layer indices that start a new partition (empty: one partition)")
        .def_property_readonly("batch", [](const py_folding& f) { return f.batch; },
                               "the batch it was searched for (0: none)")
        .def("__repr__", [](const py_folding& f) {
            return "<hass.Folding of '" + f.net->net.name.str() + "', " + std::to_string(f.f.size()) + " layers>";
        });

    py::class_<py_board>(m, "Board", "An FPGA board: resources, clock and bandwidth")
        .def_property_readonly("name", [](const py_board& b) { return std::string(b.spec().name); })
        .def_property_readonly("part", [](const py_board& b) { return std::string(b.spec().part); })
        .def_property_readonly("clock_mhz", [](const py_board& b) { return b.spec().clock_mhz; })
        .def_property_readonly("bandwidth_gbps", [](const py_board& b) { return b.spec().bandwidth_gbps; })
        .def_property_readonly("dsp", [](const py_board& b) { return b.spec().budget.dsp; })
        .def("dict", [](const py_board& b) { return to_python(io::board_json(b.spec())); })
        .def("json", [](const py_board& b, int indent) { return dump(io::board_json(b.spec()), indent); },
             py::arg("indent") = 2)
        .def("__repr__", [](const py_board& b) { return "<hass.Board '" + std::string(b.spec().name) + "'>"; });

    py::class_<py_result>(m, "Result", "A report: the JSON of the hass command-line tool's --json, plus typed parts")
        .def("dict", [](const py_result& r) { return to_python(r.report); }, "the report as a dict")
        .def("json", [](const py_result& r, int indent) { return dump(r.report, indent); }, py::arg("indent") = 2,
             "the report as JSON text")
        .def("__getitem__", [](const py_result& r, const std::string& key) {
            const auto it = r.report.find(key);
            if (it == r.report.end()) throw py::key_error(key);
            return to_python(*it);
        })
        .def("__contains__", [](const py_result& r, const std::string& key) { return r.report.contains(key); })
        .def_property_readonly("found", [](const py_result& r) {
            const auto it = r.report.find("found");
            return it == r.report.end() || it->get<bool>();
        }, "a design was found (always True for evaluate)")
        .def_property_readonly("ii", [](const py_result& r) { return report_get(r, "ii_cycles"); },
                               "initiation interval, cycles per image (None when no design was found)")
        .def_property_readonly("throughput_fps", [](const py_result& r) { return report_get(r, "throughput_fps"); },
                               "steady-state images/s")
        .def_property_readonly("batch_fps", [](const py_result& r) { return report_get(r, "batch_fps"); })
        .def_property_readonly("dsp", [](const py_result& r) {
            const auto it = r.report.find("resources");
            if (it == r.report.end() || !it->contains("dsp")) return py::object(py::none());
            return to_python((*it)["dsp"]);
        })
        .def_property_readonly("fits", [](const py_result& r) { return report_get(r, "fits"); })
        .def_property_readonly("folding", [](const py_result& r) -> py::object {
            if (!r.folding) return py::none();
            return py::cast(*r.folding);
        }, "the design's folding (a hass.Folding), None when no design was found")
        .def_property_readonly("network", [](const py_result& r) -> py::object {
            if (!r.network) return py::none();
            return py::cast(r.network);
        }, "co-search: the network with the predicted sparsity at the chosen thresholds")
        .def_property_readonly("thresholds", [](const py_result& r) -> py::object {
            if (r.thresholds.empty()) return py::none();
            py::dict d;
            for (const auto& [name, t] : r.thresholds) d[py::str(name)] = py::make_tuple(t.tau_w, t.tau_a);
            return d;
        }, "co-search: {layer: (tau_w, tau_a)} at the chosen design")
        .def_property_readonly("accuracy_drop", [](const py_result& r) -> py::object {
            const auto it = r.report.find("cosearch");
            if (it == r.report.end()) return py::none();
            return to_python((*it)["accuracy_drop"]);
        }, "co-search: the oracle's accuracy drop at the chosen thresholds, points")
        .def_property_readonly("oracle_calls", [](const py_result& r) -> py::object {
            const auto it = r.report.find("cosearch");
            if (it == r.report.end()) return py::none();
            return to_python((*it)["oracle_calls"]);
        }, "co-search: how many times the search called the accuracy oracle (a batch counts once)")
        .def_property_readonly("random_baseline", [](const py_result& r) -> py::object {
            const auto it = r.report.find("cosearch");
            if (it == r.report.end() || !it->contains("random_baseline")) return py::none();
            return to_python((*it)["random_baseline"]);
        }, "co-search with random_baseline=N: the N random assignments' best within the budget next to the "
           "chosen point (estimate and exact throughput, drop), and how many were within the budget")
        .def("__repr__", [](const py_result& r) {
            std::string s = "<hass.Result " + r.report.value("model", std::string()) + " on " +
                            r.report.value("board", std::string());
            if (r.report.contains("ii_cycles")) s += ", II " + r.report["ii_cycles"].dump();
            return s + ">";
        });

    m.def("models", [] {
        std::vector<std::string> v;
        for (std::string_view n : hass::zoo::model_names) v.emplace_back(n);
        return v;
    }, "the zoo's model names");
    m.def("load", &load_network, py::arg("model"),
          "a network: a zoo name (hass.models()), a network JSON path or an .onnx path (when hass.has_onnx)");
    m.def("network", &network_from_dict, py::arg("network"), "a network from its JSON as a dict");
    m.def("boards", [] {
        std::vector<py_board> v;
        for (const auto& b : hass::boards::catalog) v.push_back({io::owned_board(b)});
        return v;
    }, "the board catalogue");
    m.def("board", &load_board, py::arg("board"), "a board: a catalogue name or a board JSON path");

    m.def("evaluate", &evaluate, py::arg("net"), py::arg("folding") = py::none(), py::arg("board") = "u250",
          py::arg("model") = "hass", py::arg("batch") = 0, py::arg("partition") = "auto",
          "evaluates a design, as `hass eval --json`; folding: None (the network's inline folding), a "
          "hass.Folding, a folding dict or a folding JSON path; partition \"auto\" follows the partitions the "
          "folding carries (hass.search and hass search --out keep them), \"none\" evaluates one partition; "
          "batch 0: the folding's, else 256");
    m.def("search", &search, py::arg("net"), py::arg("board"), py::arg("algo") = "optimal",
          py::arg("partition") = "auto", py::arg("model") = "hass", py::arg("batch") = 256, py::arg("seed") = 1,
          "the folding search, as `hass search --json`; partition \"auto\" splits the network when one partition "
          "does not fit, \"none\" does not");
    m.def("cosearch", &cosearch, py::arg("net"), py::arg("board"), py::arg("stats") = "synthetic",
          py::arg("accuracy") = py::none(), py::arg("oracle") = py::none(), py::arg("budget") = 1.0,
          py::arg("method") = "greedy", py::arg("seed") = 1, py::arg("model") = "hass",
          py::arg("objective") = "throughput", py::arg("verify") = py::none(), py::arg("rounds") = 4,
          py::arg("tolerance") = 0.02, py::arg("batch") = false, py::arg("random_baseline") = 0,
          py::arg("partition") = "auto",
          "the HASS sparsity co-search, as `hass search --sparsity ... --json`; oracle: a callable "
          "{layer: (tau_w, tau_a)} -> accuracy drop (points), called from the search; verify: a callable "
          "thresholds document -> {\"drop\": points, \"products\": product histograms} that measures each "
          "round's chosen design on the real model (hass_profile.Profiler.measure): the measurement is fed back "
          "and the search runs again, up to `rounds` times, until the measured drop is within the budget and the "
          "measured throughput within `tolerance` of the prediction (report: cosearch.verify); batch=True: the "
          "oracle takes a list of candidates and returns a list of drops, called once per set the search scores "
          "together (report: cosearch.oracle_calls); random_baseline=N: score N random threshold assignments "
          "after the search and report the best within the budget (report: cosearch.random_baseline); "
          "partition='auto': over partitions, at the batch throughput, when the dense design takes several "
          "(the report and folding are then partitioned, docs/sparsity.md), 'none': one partition");
}
