// hass_search_report: runs the folding searches on every zoo model and board
// under one or both cost models and prints Markdown tables, then compares the
// searched designs with fpgaConvNet's own greedy designs in fpgaConvNet's
// model (like for like: batch throughput at batch 256, both evaluated by
// hass::cost::fpgaconvnet, which reproduces the Python model's numbers).
//
//   hass_search_report                          both models, zcu102 and u250
//   hass_search_report --model fpgaconvnet u250 one model, only these boards
//   hass_search_report --all-boards             all 13 boards
//   hass_search_report --peer-only              only the comparison with fpgaConvNet
//
// Rows: greedy, anneal and optimal on one partition (hass::search<Cost>),
// then "partitioned": hass::search_partitioned<Cost> with the optimal search
// per partition (what `hass search` runs), for a batch of B = 256 images.
//
// Columns: P = partitions; steady = clock / II (images/s, one partition only:
// a design of several partitions has no steady state); batch = B / batch time
// with the model's pipeline depth (and, partitioned, the reconfigurations); II
// (cycles per image; partitioned: every partition's II); DSP, LUT and BRAM18
// used as a share of the board (partitioned: the largest partition); off chip
// = layers whose weights are (wholly or partly) streamed / layers with
// weights; gap = II / lower bound - 1 (one partition: the bound the optimal
// search proves, used for every row; partitioned: sum of II / sum of the
// partitions' bounds), "0.0%" only when equal and "+N cycles" when the
// percentage would round to 0.0; search time in milliseconds on one core.
// After each table: on how many one-partition optimal rows the bound is met.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <hass/hass.hpp>
#include <hass/io/fpgaconvnet_config.hpp>
#include <hass/search/partition.hpp>
#include <hass/search/search.hpp>
#include <hass/zoo/zoo.hpp>

#ifndef HASS_SOURCE_DIR
#define HASS_SOURCE_DIR "."
#endif

namespace {

constexpr hass::count_t batch = 256;

std::string offchip_text(const hass::network& net, const std::vector<hass::folding>& f) {
    int with = 0, off = 0;
    for (std::size_t i = 0; i < net.size(); ++i) {
        if (!net.layers[i].has_weights()) continue;
        ++with;
        if (f[i].weights == hass::weight_storage::off_chip || f[i].stream_weights != 0) ++off;
    }
    return std::to_string(off) + "/" + std::to_string(with);
}

/// The gap of an II (or a sum of IIs) to its proven bound, never rounded to
/// nothing: "0.0%" only when the two are equal, "+N cycles" when the relative
/// gap would print as 0.0%, else the percentage.
std::string gap_text(double ii, double bound) {
    if (bound <= 0) return "";
    if (ii == bound) return "0.0%";
    const double gap = 100.0 * (ii / bound - 1);
    char text[48];
    if (gap < 0.05)
        std::snprintf(text, sizeof text, "+%.0f cycles", ii - bound);
    else
        std::snprintf(text, sizeof text, "%.1f%%", gap);
    return text;
}

double share(hass::count_t used, hass::count_t budget) {
    return budget > 0 ? 100.0 * static_cast<double>(used) / static_cast<double>(budget) : 0.0;
}

template <class Cost>
void model_table(const std::vector<hass::board>& boards, std::vector<std::string>& reasons) {
    std::printf("\n### Cost model `%s`, batch %lld\n\n", std::string(Cost::name).c_str(), static_cast<long long>(batch));
    std::printf("| model | board | algorithm | P | steady images/s | batch images/s | II (cycles) | DSP %% | LUT %% | "
                "BRAM18 %% | off chip | gap to bound | search ms |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    hass::search_options so;
    so.batch = batch;
    int fitted = 0, tight = 0; // one-partition optimal rows that fit, and those at their bound
    for (auto name : hass::zoo::model_names) {
        const hass::network net = hass::zoo::get(name);
        for (const auto& b : boards) {
            const std::string model(name), board(b.name);
            const auto optimal = hass::search<Cost>(net, b, hass::algorithm::optimal, so);
            for (auto algo : hass::all_algorithms) {
                const auto r = algo == hass::algorithm::optimal ? optimal : hass::search<Cost>(net, b, algo, so);
                const hass::count_t bound = std::max(r.ii_lower_bound, optimal.ii_lower_bound);
                const std::string alg(hass::to_string(algo));
                if (!r.found) {
                    if (algo == hass::algorithm::optimal) reasons.push_back(r.message);
                    std::printf("| %s | %s | %s | 1 | does not fit | | | | | | | | %.2f |\n", model.c_str(), board.c_str(),
                                alg.c_str(), r.search_ms);
                    continue;
                }
                const auto& u = r.report.used;
                if (algo == hass::algorithm::optimal) {
                    ++fitted;
                    if (r.ii == bound) ++tight;
                }
                std::printf("| %s | %s | %s | 1 | %.1f | %.1f | %lld | %.1f | %.1f | %.1f | %s | %s | %.2f |\n",
                            model.c_str(), board.c_str(), alg.c_str(), r.report.throughput(),
                            r.report.batch_throughput(batch), static_cast<long long>(r.ii),
                            share(u.dsp, b.budget.dsp), share(u.lut, b.budget.lut), share(u.bram18, b.budget.bram18),
                            offchip_text(net, r.folding).c_str(),
                            gap_text(static_cast<double>(r.ii), static_cast<double>(bound)).c_str(), r.search_ms);
            }
            const auto p = hass::search_partitioned<Cost>(net, b, hass::algorithm::optimal, so);
            if (!p.found) {
                reasons.push_back(p.message);
                std::printf("| %s | %s | partitioned | | does not fit | | | | | | | | %.2f |\n", model.c_str(),
                            board.c_str(), p.search_ms);
                continue;
            }
            std::string iis;
            double ii_sum = 0, lb_sum = 0;
            hass::resources top{};
            for (std::size_t k = 0; k < p.report.partitions.size(); ++k) {
                const auto& q = p.report.partitions[k];
                iis += (k > 0 ? " + " : "") + std::to_string(q.ii);
                ii_sum += static_cast<double>(q.ii);
                lb_sum += static_cast<double>(p.ii_lower_bound[k]);
                top.dsp = std::max(top.dsp, q.used.dsp);
                top.lut = std::max(top.lut, q.used.lut);
                top.bram18 = std::max(top.bram18, q.used.bram18);
            }
            char steady_text[32] = "";
            if (p.partitions() == 1) std::snprintf(steady_text, sizeof steady_text, "%.1f", p.report.partitions[0].throughput());
            std::printf("| %s | %s | partitioned | %zu | %s | %.1f | %s | %.1f | %.1f | %.1f | %s | %s | %.2f |\n",
                        model.c_str(), board.c_str(), p.partitions(), steady_text, p.throughput,
                        iis.c_str(), share(top.dsp, b.budget.dsp), share(top.lut, b.budget.lut),
                        share(top.bram18, b.budget.bram18), offchip_text(net, p.folding).c_str(),
                        gap_text(ii_sum, lb_sum).c_str(), p.search_ms);
        }
    }
    std::printf("\nThe proven bound equals the optimal design's II on %d of the %d one-partition optimal rows "
                "that fit.\n",
                tight, fitted);
}

// fpgaConvNet's greedy designs at batch 256, in fpgaConvNet's model.
// resnet18/u250: its config.json (tests/reference), evaluated here by the
// design-file reader; mobilenet_v2/u250: the batch figure the Python tools
// report for their greedy design (issue 8; no design file is kept).
void peer_table() {
    struct peer {
        std::string_view model;
        std::string_view board;
        double fps;
        const char* source;
    };
    std::vector<peer> peers;
    const std::string config = std::string(HASS_SOURCE_DIR) + "/tests/reference/config_resnet18_u250_greedy.json";
    const auto u250 = *hass::boards::find("u250");
    double resnet18 = 0;
    try {
        const auto d = hass::io::load_fpgaconvnet_config(config);
        const auto pr = hass::io::evaluate_fpgaconvnet_design(d, u250);
        resnet18 = pr.throughput(d.batch);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "peer design %s: %s\n", config.c_str(), e.what());
    }
    peers.push_back({"resnet18", "u250", resnet18, "its config.json evaluated by hass::cost::fpgaconvnet"});
    peers.push_back({"mobilenet_v2", "u250", 2056.17, "reported by the Python tools for their greedy design"});

    std::printf("\n### hass vs fpgaConvNet's greedy designs, both in fpgaConvNet's model, batch %lld\n\n",
                static_cast<long long>(batch));
    std::printf("| model | board | fpgaConvNet greedy images/s | hass images/s | P | ratio | hass search ms | peer figure |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|---|\n");
    hass::search_options so;
    so.batch = batch;
    for (const auto& p : peers) {
        const auto net = hass::zoo::get(p.model);
        const auto b = *hass::boards::find(p.board);
        const auto r = hass::search_partitioned<hass::cost::fpgaconvnet>(net, b, hass::algorithm::optimal, so);
        std::printf("| %s | %s | %.2f | %.2f | %zu | %.2fx | %.1f | %s |\n", std::string(p.model).c_str(),
                    std::string(p.board).c_str(), p.fps, r.found ? r.throughput : 0.0, r.partitions(),
                    r.found && p.fps > 0 ? r.throughput / p.fps : 0.0, r.search_ms, p.source);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<hass::board> boards;
    std::string model = "both";
    bool all_boards = false, peer_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--model" && i + 1 < argc) {
            model = argv[++i];
            if (model != "hass" && model != "fpgaconvnet" && model != "both") {
                std::fprintf(stderr, "unknown cost model '%s' (hass, fpgaconvnet or both)\n", model.c_str());
                return 2;
            }
            continue;
        }
        if (a == "--all-boards") { all_boards = true; continue; }
        if (a == "--peer-only") { peer_only = true; continue; }
        const auto b = hass::boards::find(a);
        if (!b) {
            std::fprintf(stderr, "unknown board or option '%s'\n", argv[i]);
            return 2;
        }
        boards.push_back(*b);
    }
    if (all_boards) boards.assign(hass::boards::catalog.begin(), hass::boards::catalog.end());
    if (boards.empty()) boards = {*hass::boards::find("zcu102"), *hass::boards::find("u250")};

    std::vector<std::string> reasons; // why a model does not fit a board
    if (!peer_only) {
        if (model != "fpgaconvnet") model_table<hass::cost::hass>(boards, reasons);
        if (model != "hass") model_table<hass::cost::fpgaconvnet>(boards, reasons);
    }
    peer_table();
    if (!reasons.empty()) {
        std::printf("\nDoes not fit:\n\n");
        for (const auto& why : reasons) std::printf("- %s\n", why.c_str());
    }
    return 0;
}
