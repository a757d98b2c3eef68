// Time of the folding search (hass/search/search.hpp) per cost model and
// algorithm for every zoo model on zcu102 and u250, one partition:
//
//   search/<model>/<algorithm>/<board>/<network>   model: hass | fpgaconvnet Registered at static initialisation; the main()
// of hass_bench lives in bench_evaluate.cpp.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include <hass/hass.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

namespace {

template <class Cost>
void search_model(benchmark::State& state, std::string_view model, const hass::board& board, hass::algorithm algo) {
    const hass::network net = hass::zoo::get(model);
    hass::search_options options;
    options.lower_bound = false; // time the algorithm alone (greedy and anneal skip the bound)
    hass::search_result last;
    for (auto _ : state) {
        last = hass::search<Cost>(net, board, algo, options);
        benchmark::DoNotOptimize(last.ii);
    }
    state.counters["found"] = last.found ? 1 : 0;
    state.counters["ii"] = static_cast<double>(last.ii);
    state.counters["evaluations"] = static_cast<double>(last.evaluations);
}

template <class Cost>
void register_model() {
    for (const hass::board& board : {hass::boards::zcu102::spec, hass::boards::u250::spec})
        for (auto algo : hass::all_algorithms)
            for (auto name : hass::zoo::model_names) {
                const std::string label = "search/" + std::string(Cost::name) + "/" + std::string(hass::to_string(algo)) +
                                          "/" + std::string(board.name) + "/" + std::string(name);
                benchmark::RegisterBenchmark(label.c_str(), [name, board, algo](benchmark::State& s) {
                    search_model<Cost>(s, name, board, algo);
                })->Unit(benchmark::kMillisecond);
            }
}

void register_search() {
    register_model<hass::cost::hass>();
    register_model<hass::cost::fpgaconvnet>();
}

const bool registered = (register_search(), true);

} // namespace
