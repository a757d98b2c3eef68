// hass_search_report: runs the three folding searches and the partitioned
// search on every zoo model and board and prints one Markdown table.
//
//   hass_search_report                 all 13 boards
//   hass_search_report zcu102 u250     only these boards
//
// Rows: greedy, anneal and optimal on one partition (hass::search, weights on
// or off chip), then "partitioned": hass::search_partitioned with the optimal
// search per partition, for a batch of 256 images.
//
// Columns: P = partitions; throughput: one partition clock / II (images/s, steady
// state), partitioned 256 / batch time (reconfiguration included); II (cycles
// per image; partitioned: every partition's II); DSP used (partitioned: the
// largest partition); DSP efficiency = dense MACs / (II * DSP used), the
// fraction of the DSP roofline (partitioned: MACs / sum over partitions of
// II * DSP); off chip = layers whose weights stay off chip / layers with
// weights; gap = II / lower bound - 1 (one partition: the bound the optimal
// search proves, used for every row; partitioned: sum of II / sum of the
// partitions' bounds); search time in milliseconds on one core.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <hass/hass.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

namespace {

std::string offchip_text(const hass::network& net, const std::vector<hass::folding>& f) {
    int with = 0, off = 0;
    for (std::size_t i = 0; i < net.size(); ++i) {
        if (!net.layers[i].has_weights()) continue;
        ++with;
        if (f[i].weights == hass::weight_storage::off_chip) ++off;
    }
    return std::to_string(off) + "/" + std::to_string(with);
}

} // namespace

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
    std::printf("| model | board | algorithm | P | images/s | II (cycles) | DSP used | DSP eff. | off chip | gap to bound "
                "| search ms |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (auto name : hass::zoo::model_names) {
        const hass::network net = hass::zoo::get(name);
        const double macs = static_cast<double>(net.macs());
        for (const auto& b : boards) {
            const std::string model(name), board(b.name);
            // the optimal search proves the strongest bound; every row's gap uses it
            const auto optimal = hass::search(net, b, hass::algorithm::optimal, {});
            for (auto algo : hass::all_algorithms) {
                const auto r = algo == hass::algorithm::optimal ? optimal : hass::search(net, b, algo, {});
                const hass::count_t bound = std::max(r.ii_lower_bound, optimal.ii_lower_bound);
                const std::string alg(hass::to_string(algo));
                if (!r.found) {
                    if (algo == hass::algorithm::optimal) reasons.push_back(r.message);
                    std::printf("| %s | %s | %s | 1 | does not fit | | | | | | %.2f |\n", model.c_str(), board.c_str(),
                                alg.c_str(), r.search_ms);
                    continue;
                }
                const auto dsp = r.report.used.dsp;
                const double efficiency =
                    dsp > 0 ? macs / (static_cast<double>(r.ii) * static_cast<double>(dsp)) : 0.0;
                const double gap =
                    bound > 0 ? static_cast<double>(r.ii) / static_cast<double>(bound) - 1 : 0.0;
                std::printf("| %s | %s | %s | 1 | %.1f | %lld | %lld | %.3f | %s | %.1f%% | %.2f |\n", model.c_str(),
                            board.c_str(), alg.c_str(), r.report.throughput(), static_cast<long long>(r.ii),
                            static_cast<long long>(dsp), efficiency, offchip_text(net, r.folding).c_str(), 100 * gap,
                            r.search_ms);
            }
            const auto p = hass::search_partitioned(net, b, hass::algorithm::optimal, {});
            if (!p.found) {
                reasons.push_back(p.message);
                std::printf("| %s | %s | partitioned | | does not fit | | | | | | %.2f |\n", model.c_str(), board.c_str(),
                            p.search_ms);
                continue;
            }
            std::string iis;
            double ii_dsp = 0, ii_sum = 0, lb_sum = 0;
            hass::count_t dsp = 0;
            for (std::size_t k = 0; k < p.report.partitions.size(); ++k) {
                const auto& q = p.report.partitions[k];
                iis += (k > 0 ? " + " : "") + std::to_string(q.ii);
                ii_dsp += static_cast<double>(q.ii) * static_cast<double>(q.used.dsp);
                ii_sum += static_cast<double>(q.ii);
                lb_sum += static_cast<double>(p.ii_lower_bound[k]);
                dsp = std::max(dsp, q.used.dsp);
            }
            std::printf("| %s | %s | partitioned | %zu | %.1f | %s | %lld | %.3f | %s | %.1f%% | %.2f |\n", model.c_str(),
                        board.c_str(), p.partitions(), p.throughput, iis.c_str(), static_cast<long long>(dsp),
                        ii_dsp > 0 ? macs / ii_dsp : 0.0, offchip_text(net, p.folding).c_str(),
                        lb_sum > 0 ? 100 * (ii_sum / lb_sum - 1) : 0.0, p.search_ms);
        }
    }
    if (!reasons.empty()) {
        std::printf("\nDoes not fit:\n\n");
        for (const auto& why : reasons) std::printf("- %s\n", why.c_str());
    }
    return 0;
}
