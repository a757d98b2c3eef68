// Time to evaluate a whole zoo network under each cost model: every layer's
// latency, pipeline depth and resources (fpgaConvNet's regressions), the
// squeezes and skip FIFOs between layers, the fit rule and the network totals.
//
//   evaluate/<model>/<folding>/<network>   model: hass | fpgaconvnet
#include <benchmark/benchmark.h>

#include <hass/hass.hpp>
#include <hass/zoo/zoo.hpp>

namespace {

// A folding that exercises every module: coarse factors where they divide, and
// fine = K on every convolution.
std::vector<hass::folding> busy_folding(const hass::network& net) {
    std::vector<hass::folding> f(net.size());
    for (std::size_t i = 0; i < net.size(); ++i) {
        const auto& l = net[i];
        auto pick = [](hass::count_t n, hass::count_t want) {
            while (want > 1 && n % want != 0) --want;
            return want;
        };
        if (l.type == hass::layer_type::convolution) {
            f[i].coarse_group = pick(l.groups, 4);
            f[i].coarse_in = pick(l.in.channels / l.groups, 4);
            f[i].coarse_out = pick(l.out.channels / l.groups, 4);
            f[i].fine = l.kernel_size();
        } else if (l.type == hass::layer_type::inner_product) {
            f[i].coarse_in = pick(l.channels_in(), 4);
            f[i].coarse_out = pick(l.filters(), 4);
        } else {
            hass::count_t c = pick(l.in.channels, 4);
            while (c > 1 && l.out.channels % c != 0) --c;
            f[i].coarse_in = f[i].coarse_out = c;
        }
    }
    return f;
}

template <class Cost>
void evaluate_model(benchmark::State& state, std::string_view model, bool busy) {
    const hass::network net = hass::zoo::get(model);
    const auto folding = busy ? busy_folding(net) : hass::unit_folding(net);
    hass::validate(net, folding);
    const auto& board = hass::boards::u250::spec;
    for (auto _ : state) {
        auto report = hass::evaluate_partition<Cost>(net, folding, board, 0, static_cast<int>(net.size()));
        benchmark::DoNotOptimize(report.ii);
        benchmark::DoNotOptimize(report.used);
    }
    state.counters["layers"] = static_cast<double>(net.size());
    state.counters["layers/s"] =
        benchmark::Counter(static_cast<double>(net.size()), benchmark::Counter::kIsIterationInvariantRate);
}

template <class Cost>
void register_model() {
    const std::string prefix = "evaluate/" + std::string(Cost::name) + "/";
    for (auto name : hass::zoo::model_names) {
        benchmark::RegisterBenchmark((prefix + "unit_folding/" + std::string(name)).c_str(),
                                     [name](benchmark::State& s) { evaluate_model<Cost>(s, name, false); })
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark((prefix + "coarse4_fineK/" + std::string(name)).c_str(),
                                     [name](benchmark::State& s) { evaluate_model<Cost>(s, name, true); })
            ->Unit(benchmark::kMicrosecond);
    }
}

void register_all() {
    register_model<hass::cost::hass>();
    register_model<hass::cost::fpgaconvnet>();
}

const bool registered = (register_all(), true);

} // namespace

BENCHMARK_MAIN();
