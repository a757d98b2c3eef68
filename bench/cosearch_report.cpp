// Dense against sparse, per zoo model and board: the co-search (greedy, synthetic
// statistics, tabulated synthetic oracle, budget 1 point) and the exact designs,
// with throughput (steady state clock / II and batch 256 with the pipeline
// depth) and GOP/s per DSP counted in dense and in effective operations.
//
//   hass_cosearch_report [--model hass|fpgaconvnet] [--partitioned] [BOARD...]   (default: hass, zcu102 u250)
//
// --partitioned: the rows whose dense design takes several partitions, with the
// partitioned co-search (hass::sparsity::cosearch_partitioned) at batch 256.
#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/cosearch_partitioned.hpp>
#include <hass/sparsity/report.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/zoo/zoo.hpp>

#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

/// Calls f(model, net, problem, oracle, board, board name) for every zoo model and
/// board; 2 when a board is unknown, else 0.
template <class F>
int for_each_case(const std::vector<std::string>& boards, F f) {
    for (auto model : hass::zoo::model_names) {
        const auto net = hass::zoo::get(model);
        const auto problem = hass::sparsity::make_synthetic_problem(net);
        const auto oracle = hass::sparsity::tabulated_oracle(problem.accuracy, problem.statistics);
        for (const auto& bn : boards) {
            const auto found = hass::boards::find(bn);
            if (!found) {
                std::fprintf(stderr, "unknown board '%s'\n", bn.c_str());
                return 2;
            }
            f(model, net, problem, oracle, *found, bn);
        }
    }
    return 0;
}

template <class Cost>
int report(const std::vector<std::string>& boards) {
    constexpr hass::count_t batch = 256;
    std::printf("SYNTHETIC statistics and accuracy (hass::sparsity::make_synthetic_problem, seed 2024), cost model %s\n",
                std::string(Cost::name).c_str());
    std::printf("%-19s %-7s %9s %9s %9s %9s %9s %6s %6s %7s %8s %8s %8s %9s %7s %8s\n", "model", "board", "dense/s",
                "dense@B", "sparse/s", "est/s", "sparse@B", "ex/est", "x@B", "drop", "dGOP/DSP", "sGOP/DSP", "eGOP/DSP",
                "cands", "cand ms", "total ms");
    const int rc = for_each_case(boards, [&](std::string_view model, const hass::network& net, const auto& problem,
                                         const auto& oracle, const hass::board& board, const std::string& bn) {
        hass::sparsity::predictor pred(problem.statistics, net);
        hass::sparsity::cosearch_options o;
        o.exact_front_points = 0;
        const auto r = hass::sparsity::cosearch<Cost>(net, board, pred, oracle, o);
        if (!r.dense_design.found || !r.design.found) {
            std::printf("%-19s %-7s does not fit in one partition\n", std::string(model).c_str(), bn.c_str());
            return;
        }
        hass::network dense = net;
        for (auto& l : dense.layers) l.sparsity = {};
        const auto d = hass::sparsity::summarise(dense, r.dense_design.report);
        const auto s = hass::sparsity::summarise(r.sparse_network, r.design.report);
        const double dense_b = r.dense_design.report.batch_throughput(batch);
        const double sparse_b = r.design.report.batch_throughput(batch);
        const double est = r.best.throughput_estimate;
        std::printf("%-19s %-7s %9.1f %9.1f %9.1f %9.1f %9.1f %6.3f %6.2f %7.3f %8.4f %8.4f %8.4f %9lld %7.1f %8.1f\n",
                    std::string(model).c_str(), bn.c_str(), d.throughput_fps, dense_b, s.throughput_fps, est, sparse_b,
                    est > 0 ? s.throughput_fps / est : 0.0, sparse_b / dense_b, r.best.drop, d.dense_gops_per_dsp, s.dense_gops_per_dsp,
                    s.effective_gops_per_dsp, static_cast<long long>(r.candidates), r.search_ms - r.exact_ms,
                    r.search_ms);
    });
    if (rc != 0) return rc;
    std::printf("dense/s, sparse/s: steady state clock / II; @B: batch of %lld images with the pipeline depth.\n"
                "est/s: the co-search's hardware estimate of the chosen point (steady state); ex/est: sparse/s over it.\n"
                "dGOP/DSP: dense design, dense ops; sGOP/DSP: sparse design, dense ops; eGOP/DSP: sparse design,\n"
                "effective (non-zero) ops. x@B: sparse/dense batch throughput. cand ms: scoring the candidates;\n"
                "total ms adds the exact folding searches of the dense and the sparse network.\n",
                static_cast<long long>(batch));
    return 0;
}

template <class Cost>
int report_partitioned(const std::vector<std::string>& boards) {
    std::printf("SYNTHETIC statistics and accuracy (hass::sparsity::make_synthetic_problem, seed 2024), cost model %s,\n"
                "co-search over partitions (batch 256)\n",
                std::string(Cost::name).c_str());
    std::printf("%-19s %-7s %3s %9s %3s %9s %9s %6s %6s %7s %9s %8s %8s\n", "model", "board", "Pd", "dense@B", "Ps",
                "sparse@B", "est@B", "ex/est", "x@B", "drop", "cands", "exact", "total ms");
    const int rc = for_each_case(boards, [&](std::string_view model, const hass::network& net, const auto& problem,
                                         const auto& oracle, const hass::board& board, const std::string& bn) {
        hass::sparsity::cosearch_options o;
        const auto d = hass::sparsity::dense_partitioned_design<Cost>(net, board, o.folding);
        if (!hass::sparsity::takes_partitions(d)) return; // the one-partition table's row
        hass::sparsity::predictor pred(problem.statistics, net);
        const auto r = hass::sparsity::cosearch_partitioned<Cost>(net, board, pred, oracle, o, &d);
        if (!r.found) {
            std::printf("%-19s %-7s no design: %s\n", std::string(model).c_str(), bn.c_str(), r.message.c_str());
            return;
        }
        const double est = r.best.throughput_estimate;
        std::printf("%-19s %-7s %3zu %9.1f %3zu %9.1f %9.1f %6.3f %6.2f %7.3f %9lld %8zu %8.0f\n",
                    std::string(model).c_str(), bn.c_str(), r.dense_design.partitions(), r.dense_design.throughput,
                    r.design.partitions(), r.design.throughput, est, est > 0 ? r.design.throughput / est : 0.0,
                    r.design.throughput / r.dense_design.throughput, r.best.drop,
                    static_cast<long long>(r.candidates), r.exact_designs, r.search_ms);
    });
    if (rc != 0) return rc;
    std::printf("Pd, Ps: partitions of the dense and the sparse design; @B: images/s over a batch of 256 (pipeline\n"
                "depth and reconfigurations included); est@B: the co-search's estimate of the chosen point on the\n"
                "cuts it priced; x@B: sparse over dense. exact: partitioned searches of sparse networks.\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> boards;
    std::string model = "hass";
    bool partitioned = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--partitioned") == 0) {
            partitioned = true;
            continue;
        }
        if (std::strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            model = argv[++i];
            continue;
        }
        boards.emplace_back(argv[i]);
    }
    if (boards.empty()) boards = {"zcu102", "u250"};
    if (model == "hass") return partitioned ? report_partitioned<hass::cost::hass>(boards) : report<hass::cost::hass>(boards);
    if (model == "fpgaconvnet")
        return partitioned ? report_partitioned<hass::cost::fpgaconvnet>(boards) : report<hass::cost::fpgaconvnet>(boards);
    std::fprintf(stderr, "unknown cost model '%s' (hass or fpgaconvnet)\n", model.c_str());
    return 2;
}
