// Dense against sparse, per zoo model and board: the co-search (greedy, synthetic
// statistics, tabulated synthetic oracle, budget 1 point) and the exact designs,
// with throughput and GOP/s per DSP counted in dense and in effective operations.
#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/report.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/zoo/zoo.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    std::vector<std::string> boards{"zcu102", "u250"};
    if (argc > 1) boards.assign(argv + 1, argv + argc);
    std::printf("SYNTHETIC statistics and accuracy (hass::sparsity::make_synthetic_problem, seed 2024)\n");
    std::printf("%-19s %-7s %9s %9s %6s %7s %8s %8s %8s %9s %7s %8s\n", "model", "board", "dense/s", "sparse/s",
                "x", "drop", "dGOP/DSP", "sGOP/DSP", "eGOP/DSP", "cands", "cand ms", "total ms");
    for (auto model : hass::zoo::model_names) {
        const auto net = hass::zoo::get(model);
        const auto problem = hass::sparsity::make_synthetic_problem(net);
        const auto oracle = hass::sparsity::tabulated_oracle(problem.accuracy, problem.statistics);
        for (const auto& bn : boards) {
            const auto board = *hass::boards::find(bn);
            hass::sparsity::predictor pred(problem.statistics, net);
            hass::sparsity::cosearch_options o;
            o.exact_front_points = 0;
            const auto r = hass::sparsity::cosearch(net, board, pred, oracle, o);
            if (!r.dense_design.found || !r.design.found) {
                std::printf("%-19s %-7s does not fit in one partition\n", std::string(model).c_str(), bn.c_str());
                continue;
            }
            hass::network dense = net;
            for (auto& l : dense.layers) l.sparsity = {};
            const auto d = hass::sparsity::summarise(dense, r.dense_design.report);
            const auto s = hass::sparsity::summarise(r.sparse_network, r.design.report);
            std::printf("%-19s %-7s %9.1f %9.1f %6.2f %7.3f %8.4f %8.4f %8.4f %9lld %7.1f %8.1f\n",
                        std::string(model).c_str(), bn.c_str(), d.throughput_fps, s.throughput_fps,
                        s.throughput_fps / d.throughput_fps, r.best.drop, d.dense_gops_per_dsp, s.dense_gops_per_dsp,
                        s.effective_gops_per_dsp, static_cast<long long>(r.candidates), r.search_ms - r.exact_ms,
                        r.search_ms);
        }
    }
    std::printf("dGOP/DSP: dense design, dense ops; sGOP/DSP: sparse design, dense ops; eGOP/DSP: sparse design,\n"
                "effective (non-zero) ops. x: sparse/dense throughput. cand ms: scoring the candidates;\n"
                "total ms adds the exact folding searches of the dense and the sparse network.\n");
}
