// The folding search's public types: algorithm, search_options, search_result.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/core/random.hpp"
#include "hass/core/text.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/search/options.hpp"

namespace hass {

enum class algorithm { greedy, anneal, optimal };

inline constexpr std::array<algorithm, 3> all_algorithms{algorithm::greedy, algorithm::anneal,
                                                         algorithm::optimal};

constexpr std::string_view to_string(algorithm a) noexcept {
    switch (a) {
    case algorithm::greedy: return "greedy";
    case algorithm::anneal: return "anneal";
    case algorithm::optimal: return "optimal";
    }
    return "?";
}

/// The algorithm of that name ("greedy", "anneal", "optimal"), if any.
constexpr std::optional<algorithm> parse_algorithm(std::string_view s) noexcept {
    for (auto a : all_algorithms)
        if (to_string(a) == s) return a;
    return std::nullopt;
}

struct search_options {
    utilisation_cap cap{};            ///< fraction of each resource the design may use
    std::uint64_t seed = 1;           ///< anneal: random seed
    count_t anneal_iterations = 20000; ///< anneal: proposed moves
    double anneal_start_temperature = 0.3;  ///< anneal: in units of log(II)
    double anneal_end_temperature = 0.002;  ///< anneal: geometric cooling down to this
    double anneal_resource_weight = 0.02; ///< anneal: cost per unit of relative resource use
    int anneal_softmax_power = 16;        ///< anneal: II in the cost is (sum of latency^p)^(1/p)
    int lagrange_rounds = 24;          ///< optimal: weighted-sum rounds per target
    count_t node_limit = 10000;        ///< optimal: branch-and-bound nodes per target
    bool polish = true;      ///< optimal: at the best II, lower DSP (then other resources) where the budget allows
    bool lower_bound = true; ///< greedy/anneal: also compute the relaxation lower bound (not timed)
    bool offchip_weights = true; ///< layers with weights may stream part or all of them from off-chip memory
    bool bram_to_lut = true;     ///< BRAM beyond the budget may move to LUTRAM (288 LUT per BRAM18), as in fpgaConvNet
    count_t batch = 256; ///< partitioned search: images per batch; time = sum (II*B + depth)/clock + (P-1)*reconf
    int max_crossing = 1; ///< partitioned search: cut first where at most this many tensors cross (see partition.hpp)
    std::function<void(double)> progress{}; ///< called with the fraction done, 0..1
    /// A design of the network (one folding per layer) the search may not do
    /// worse than (hass::search): when it is valid and fits, the result is the
    /// better of it and the design found (smaller II, then fewer batch cycles),
    /// and the optimal search (also the start greedy and anneal take from it)
    /// begins from it. A seed that is not a design of the network (size, an
    /// invalid folding, over budget) is not used, and the result's message says
    /// so (except when a layer fits no folding at all: then nothing fits).
    /// Empty: none.
    std::vector<::hass::folding> seed_design{};
};

struct search_result {
    std::vector<::hass::folding> folding; ///< one per layer (empty when nothing fits)
    design_report report;      ///< hass::evaluate of the folding
    count_t ii = 0;            ///< report.ii, cycles per image
    count_t ii_lower_bound = 0; ///< no design within budget has a smaller II (0 when unknown)
    bool found = false;        ///< a design within budget was found
    std::string message;       ///< what was found, or why nothing fits
    std::string algo;          ///< "greedy", "anneal" or "optimal"
    double search_ms = 0;      ///< wall time of the search
    count_t evaluations = 0;   ///< layer foldings evaluated (evaluate_layer calls)
};

} // namespace hass
