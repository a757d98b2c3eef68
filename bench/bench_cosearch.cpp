// Co-search speed: candidates (threshold sets) scored per second with synthetic
// statistics and the tabulated accuracy oracle, without the final exact designs.
#include <benchmark/benchmark.h>

#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/zoo/zoo.hpp>

namespace {

void cosearch_candidates(benchmark::State& state, std::string_view model, std::string_view board_name,
                         hass::sparsity::cosearch_method method) {
    const auto net = hass::zoo::get(model);
    const auto board = *hass::boards::find(board_name);
    const auto problem = hass::sparsity::make_synthetic_problem(net);
    const auto oracle = hass::sparsity::tabulated_oracle(problem.accuracy, problem.statistics);
    hass::sparsity::cosearch_options o;
    o.method = method;
    o.exact = false;
    o.max_candidates = 10000;
    o.tpe_iterations = 10000;
    double candidates = 0, hardware_ms = 0, oracle_ms = 0;
    for (auto _ : state) {
        hass::sparsity::predictor pred(problem.statistics, net); // fresh caches every run
        const auto r = hass::sparsity::cosearch(net, board, pred, oracle, o);
        candidates += static_cast<double>(r.candidates);
        hardware_ms += r.hardware_ms;
        oracle_ms += r.oracle_ms;
        benchmark::DoNotOptimize(r.best.throughput_estimate);
    }
    state.counters["candidates"] = benchmark::Counter(candidates, benchmark::Counter::kAvgIterations);
    state.counters["candidates/s"] = benchmark::Counter(candidates, benchmark::Counter::kIsRate);
    state.counters["hw_ms"] = benchmark::Counter(hardware_ms, benchmark::Counter::kAvgIterations);
    state.counters["oracle_ms"] = benchmark::Counter(oracle_ms, benchmark::Counter::kAvgIterations);
}

void register_all() {
    for (auto model : {"resnet18", "resnet50", "mobilenet_v2"})
        for (auto board : {"u250"})
            for (auto method : {hass::sparsity::cosearch_method::greedy, hass::sparsity::cosearch_method::tpe})
                benchmark::RegisterBenchmark(
                    (std::string("cosearch/") + std::string(to_string(method)) + "/" + model + "/" + board).c_str(),
                    [=](benchmark::State& s) { cosearch_candidates(s, model, board, method); })
                    ->Unit(benchmark::kMillisecond)
                    ->Iterations(1);
}

const bool registered = (register_all(), true);

} // namespace
