// The fuzz targets of hass's JSON readers, one per file format: each parses
// bytes as the reader's file and runs what hass does with the result (evaluate,
// search, co-search) on a small fixed design. A hass::error is the expected
// outcome of a bad input; any other exception, a crash, a sanitizer report or
// a hang is a bug.
//
// Used by the seeded mutation driver (reader_fuzz_smoke.cpp, ctest fuzz.readers)
// and the libFuzzer binaries (reader_fuzzer.cpp, the `fuzz` preset).
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/fpgaconvnet_config.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>
#include <hass/sparsity/accuracy.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/json.hpp>
#include <hass/sparsity/synthetic.hpp>

namespace hass::fuzz {

using json = nlohmann::json;

inline constexpr std::array<std::string_view, 9> readers{"network",  "folding",    "board",   "products", "decomposed",
                                                         "accuracy", "thresholds", "weights", "fpgaconvnet"};

/// The fixed design the per-design readers are read against: a residual block
/// (an inserted split, an eltwise add), 8-bit data, pooling and a classifier.
inline const char* base_network_text() {
    return R"({"name": "fz", "input": {"rows": 8, "cols": 8, "channels": 4},
  "widths": {"data": 8, "weight": 8, "acc": 24},
  "layers": [
    {"name": "c1", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1},
    {"name": "r1", "type": "relu"},
    {"name": "c2", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1, "inputs": ["r1"]},
    {"name": "pw", "type": "convolution", "filters": 8, "kernel": 1, "inputs": ["r1"]},
    {"name": "add", "type": "eltwise", "inputs": ["c2", "pw"]},
    {"name": "r2", "type": "relu"},
    {"name": "pool", "type": "pooling", "kernel": 2, "stride": 2},
    {"name": "gap", "type": "global_pooling"},
    {"name": "fc", "type": "inner_product", "features": 10}
  ]})";
}

inline const char* base_board_text() {
    return R"({"name": "fzb", "part": "none", "dsp": 64, "lut": 40000, "ff": 80000, "bram18": 80,
  "clock_mhz": 200, "bandwidth_gbps": 8, "reconf_time_s": 0.05})";
}

struct fixture {
    network net = io::read_network(io::parse_json_text(base_network_text(), "base network"), "base network");
    io::owned_board board = io::read_board(io::parse_json_text(base_board_text(), "base board"), "base board");
    sparsity::synthetic_problem synth = sparsity::make_synthetic_problem(net);
    sparsity::predictor pred{synth.statistics, net};
};

inline const fixture& base() {
    static const fixture f;
    return f;
}

namespace detail {

/// The co-search over statistics and an accuracy table, as `hass search --sparsity` runs it.
inline void cosearch(const network& net, const board& b, sparsity::decomposed_statistics stats,
                     sparsity::accuracy_table table) {
    io::resolve_weight_sparsity(table, stats, "fuzz accuracy");
    sparsity::predictor pred(stats, net);
    std::vector<std::vector<double>> gw, ga;
    for (std::size_t s = 0; s < pred.size(); ++s) {
        gw.emplace_back(pred.tau_w_grid(s).begin(), pred.tau_w_grid(s).end());
        ga.emplace_back(pred.tau_a_grid(s).begin(), pred.tau_a_grid(s).end());
    }
    const auto model = std::make_shared<const sparsity::accuracy_model>(table, pred.layout(), gw, ga);
    const sparsity::accuracy_oracle oracle = [model](std::span<const sparsity::threshold_pair> c) { return (*model)(c); };
    sparsity::cosearch_options co;
    co.budget = 1.0;
    co.exact_front_points = 2;
    const auto r = sparsity::cosearch(net, b, pred, oracle, co);
    if (r.design.found && !r.design.report.fits) {
        std::fprintf(stderr, "hass fuzz: the co-search returned a design over budget\n");
        std::abort();
    }
}

inline void search_and_check(const network& net, const board& b) {
    const auto r = hass::search(net, b, algorithm::optimal);
    if (r.found && !r.report.fits) {
        std::fprintf(stderr, "hass fuzz: the search returned a design over budget\n");
        std::abort();
    }
}

} // namespace detail

/// Runs reader `which` (an entry of `readers`) on `text`. Returns true when the
/// input was accepted, false on a hass::error; aborts on anything else.
inline bool run_reader(std::string_view which, const std::string& text) {
    const std::string src = "fuzz-input.json";
    const fixture& fx = base();
    try {
        const json j = io::parse_json_text(text, src);
        if (which == "network") {
            const io::network_file nf = io::read_network_file(j, src);
            (void)evaluate(nf.net, nf.folding, fx.board.spec());
            if (nf.net.size() <= 12) detail::search_and_check(nf.net, fx.board.spec());
        } else if (which == "folding") {
            const auto f = io::read_folding(j, fx.net, src);
            (void)evaluate(fx.net, f, fx.board.spec());
        } else if (which == "board") {
            const io::owned_board b = io::read_board(j, src);
            (void)evaluate(fx.net, unit_folding(fx.net), b.spec());
            detail::search_and_check(fx.net, b.spec());
        } else if (which == "products") {
            const auto p = io::read_products(j, src, &fx.net);
            (void)p;
        } else if (which == "decomposed") {
            auto stats = io::read_decomposed(j, src, &fx.net);
            detail::cosearch(fx.net, fx.board.spec(), std::move(stats), fx.synth.accuracy);
        } else if (which == "accuracy") {
            auto table = io::read_accuracy_table(j, src, &fx.net);
            detail::cosearch(fx.net, fx.board.spec(), fx.synth.statistics, std::move(table));
        } else if (which == "thresholds") {
            (void)io::read_thresholds(j, src, fx.pred);
            (void)io::read_threshold_values(j, src, fx.net);
        } else if (which == "weights") {
            (void)io::read_weights(j, fx.net, src);
        } else if (which == "fpgaconvnet") {
            (void)io::read_fpgaconvnet_config(j, src);
        } else {
            std::fprintf(stderr, "hass fuzz: unknown reader '%.*s'\n", static_cast<int>(which.size()), which.data());
            std::abort();
        }
        return true;
    } catch (const hass::error& e) {
        const std::string_view what = e.what();
        if (what.empty()) {
            std::fprintf(stderr, "hass fuzz: an error without a message\n");
            std::abort();
        }
        return false;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hass fuzz: reader '%.*s' let a %s escape: %s\n", static_cast<int>(which.size()),
                     which.data(), typeid(e).name(), e.what());
        std::abort();
    }
}

/// The seed inputs of reader `which`: valid files of its format for the fixed design.
inline std::vector<std::string> seeds(std::string_view which) {
    const fixture& fx = base();
    std::vector<std::string> out;
    if (which == "network") {
        out.push_back(base_network_text());
        out.push_back(io::write_network(fx.net, unit_folding(fx.net)).dump(1));
    } else if (which == "folding") {
        out.push_back(io::write_folding(fx.net, unit_folding(fx.net)).dump(1));
        const auto r = hass::search(fx.net, fx.board.spec(), algorithm::optimal);
        if (r.found) out.push_back(io::write_folding(fx.net, r.folding).dump(1));
    } else if (which == "board") {
        out.push_back(base_board_text());
        out.push_back(io::board_json(fx.board.spec()).dump(1));
    } else if (which == "products") {
        sparsity::product_statistics ps;
        ps.network = fx.net.name.str();
        for (std::size_t s = 0; s < fx.pred.size(); ++s) {
            if (!fx.pred.convolution(s)) continue;
            const auto tw = fx.pred.tau_w_grid(s), ta = fx.pred.tau_a_grid(s);
            const auto st = fx.pred.predict_copy(s, tw.front(), ta.front());
            ps.layers.push_back({fx.pred.name(s), st.channels, st.kernel, {{tw.front(), ta.front(), st}}});
            if (tw.size() > 1)
                ps.layers.back().points.push_back({tw[1], ta.front(), fx.pred.predict_copy(s, tw[1], ta.front())});
        }
        out.push_back(io::write_products(ps).dump(1));
    } else if (which == "decomposed") {
        out.push_back(io::write_decomposed(fx.synth.statistics).dump(1));
        // raw magnitudes instead of a tau_w grid, for every layer
        sparsity::decomposed_statistics raw = fx.synth.statistics;
        for (auto& d : raw.layers) {
            std::vector<float> m(static_cast<std::size_t>(d.filters * (d.channels / std::max<count_t>(d.groups, 1)) *
                                                          d.kernel));
            for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<float>((i * 37 % 101) + 1) / 100.0f;
            d.tau_w_grid.clear();
            d.weight_hist.clear();
            d.magnitudes = std::move(m);
        }
        out.push_back(io::write_decomposed(raw).dump(1));
    } else if (which == "accuracy") {
        out.push_back(io::write_accuracy_table(fx.synth.accuracy).dump(1));
    } else if (which == "thresholds") {
        out.push_back(io::write_thresholds(fx.pred, fx.pred.minimum_thresholds()).dump(1));
    } else if (which == "weights") {
        hls::weight_set w;
        for (const auto& l : fx.net.layers) {
            if (!l.has_weights()) continue;
            hls::layer_weights lw;
            lw.weights.assign(static_cast<std::size_t>(l.weight_count()), 0.25f);
            if (l.hardware_bias()) lw.bias.assign(static_cast<std::size_t>(l.filters()), 0.5f);
            w.emplace(l.name.str(), std::move(lw));
        }
        out.push_back(io::write_weights(w, fx.net).dump(1));
    } else if (which == "fpgaconvnet") {
        const auto r = hass::search(fx.net, fx.board.spec(), algorithm::optimal);
        out.push_back(io::write_fpgaconvnet_config(fx.net, r.found ? r.folding : unit_folding(fx.net), {},
                                                   fx.board.spec(), 256)
                          .dump(1));
    }
    return out;
}

} // namespace hass::fuzz
