// Co-search speed: candidates (threshold sets) scored per second with synthetic
// statistics and the tabulated accuracy oracle, without the final exact designs;
// and the predictor that turns thresholds into product histograms.
#include <benchmark/benchmark.h>

#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/synthetic.hpp>
#include <hass/zoo/zoo.hpp>

#include <vector>

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
    o.surrogate_rounds = 0; // one search: the scoring speed (each re-pricing round is another search)
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

// The threshold-to-histogram predictor on resnet50 with synthetic statistics
// (docs/sparsity.md, "The predictor"): building it, and predicting every layer's
// histograms at new thresholds with the copy into the network (apply), for every
// layer or with one layer's thresholds changed (the others memoised). Thresholds
// alternate between two points so that no call repeats the previous one.
void predictor_build(benchmark::State& state) {
    const auto net = hass::zoo::get("resnet50");
    const auto stats = hass::sparsity::synthetic_statistics(net);
    for (auto _ : state) {
        hass::sparsity::predictor pred(stats, net);
        benchmark::DoNotOptimize(pred.size());
    }
}

void predictor_apply(benchmark::State& state, bool one_layer) {
    auto net = hass::zoo::get("resnet50");
    const auto stats = hass::sparsity::synthetic_statistics(net);
    hass::sparsity::predictor pred(stats, net);
    const std::vector<hass::sparsity::threshold_pair> low = pred.minimum_thresholds();
    std::vector<hass::sparsity::threshold_pair> high = low;
    for (std::size_t i = 0; i < high.size(); ++i) {
        const auto w = pred.tau_w_range(i), a = pred.tau_a_range(i);
        high[i] = {0.5 * (w.first + w.second), 0.5 * (a.first + a.second)};
    }
    std::vector<hass::sparsity::threshold_pair> t = low;
    bool flip = false;
    for (auto _ : state) {
        flip = !flip;
        if (one_layer)
            t[0] = flip ? high[0] : low[0];
        else
            t = flip ? high : low;
        pred.apply(net, t);
        benchmark::DoNotOptimize(net.layers.front().sparsity.mean_zeros);
    }
}

void register_all() {
    benchmark::RegisterBenchmark("predictor/build/resnet50", predictor_build)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predictor/apply_all/resnet50", [](benchmark::State& s) { predictor_apply(s, false); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("predictor/apply_one_layer/resnet50",
                                 [](benchmark::State& s) { predictor_apply(s, true); })
        ->Unit(benchmark::kMillisecond);
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
