// hass_search_report: runs the three folding searches on every zoo model and
// board and prints one Markdown table.
//
//   hass_search_report                 all 13 boards
//   hass_search_report zcu102 u250     only these boards
//
// Columns: throughput = clock / II (images/s); II (cycles per image); DSP used;
// DSP efficiency = achieved dense MAC/s / (DSP used * clock), i.e. the fraction
// of the DSP roofline of the design (MACs / (II * DSP)); gap = II / lower bound - 1
// (the lower bound the optimal search proves, used for every row); search time
// in milliseconds on one core.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <hass/hass.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

int main(int argc, char** argv) {
    std::vector<hass::board> boards;
    for (int i = 1; i < argc; ++i) {
        const auto b = hass::boards::find(argv[i]);
        if (!b) {
            std::fprintf(stderr, "unknown board '%s'\n", argv[i]);
            return 2;
        }
        boards.push_back(*b);
    }
    if (boards.empty()) boards.assign(hass::boards::catalog.begin(), hass::boards::catalog.end());

    std::vector<std::string> reasons; // why a model does not fit a board (from the optimal search)
    std::printf("| model | board | algorithm | images/s | II (cycles) | DSP used | DSP eff. | gap to bound | search ms |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (auto name : hass::zoo::model_names) {
        const hass::network net = hass::zoo::get(name);
        const double macs = static_cast<double>(net.macs());
        for (const auto& b : boards) {
            // the optimal search proves the strongest bound; every row's gap uses it
            const auto optimal = hass::search(net, b, hass::algorithm::optimal, {});
            for (auto algo : hass::all_algorithms) {
                const auto r = algo == hass::algorithm::optimal ? optimal : hass::search(net, b, algo, {});
                const hass::count_t bound = std::max(r.ii_lower_bound, optimal.ii_lower_bound);
                const std::string model(name), board(b.name), alg(hass::to_string(algo));
                if (!r.found) {
                    if (algo == hass::algorithm::optimal) reasons.push_back(r.message);
                    std::printf("| %s | %s | %s | does not fit | | | | | %.2f |\n", model.c_str(), board.c_str(),
                                alg.c_str(), r.search_ms);
                    continue;
                }
                const auto dsp = r.report.used.dsp;
                const double efficiency =
                    dsp > 0 ? macs / (static_cast<double>(r.ii) * static_cast<double>(dsp)) : 0.0;
                const double gap =
                    bound > 0 ? static_cast<double>(r.ii) / static_cast<double>(bound) - 1 : 0.0;
                std::printf("| %s | %s | %s | %.1f | %lld | %lld | %.3f | %.1f%% | %.2f |\n", model.c_str(),
                            board.c_str(), alg.c_str(), r.report.throughput(), static_cast<long long>(r.ii),
                            static_cast<long long>(dsp), efficiency, 100 * gap, r.search_ms);
            }
        }
    }
    if (!reasons.empty()) {
        std::printf("\nDoes not fit in one partition:\n\n");
        for (const auto& why : reasons) std::printf("- %s\n", why.c_str());
    }
    return 0;
}
