// The co-search's options, its scored points and its result (hass::sparsity::cosearch,
// hass/sparsity/cosearch.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hass/search/options.hpp"
#include "hass/search/search.hpp"
#include "hass/sparsity/accuracy.hpp"

namespace hass::sparsity {

enum class cosearch_method { greedy, tpe };

/// Prices of a surrogate sum of the co-search's estimate (docs/sparsity.md,
/// "Scoring a candidate"): DSP, LUT, FF, BRAM18, URAM per unit of the capped
/// budget and off-chip bits per `scale` bits. `value`: by how much the priced
/// least use exceeded the priced budget where they were set (> 0: the point
/// they were set at does not fit, whatever the folding).
struct surrogate_prices {
    std::array<double, 6> prices{};
    double scale = 0;
    double value = 0;
};
enum class cosearch_objective { throughput, throughput_per_dsp };

constexpr std::string_view to_string(cosearch_method m) noexcept { return m == cosearch_method::greedy ? "greedy" : "tpe"; }
constexpr std::string_view to_string(cosearch_objective o) noexcept {
    return o == cosearch_objective::throughput ? "throughput" : "throughput_per_dsp";
}

struct cosearch_options {
    double budget = 1.0; ///< accuracy drop budget, percentage points
    cosearch_method method = cosearch_method::greedy;
    cosearch_objective objective = cosearch_objective::throughput;
    std::uint64_t seed = 1;
    count_t tpe_iterations = 400;  ///< tpe: candidates after the start-up
    count_t tpe_startup = 40;      ///< tpe: random candidates first
    count_t tpe_draws = 24;        ///< tpe: draws from l(x) per candidate
    double tpe_gamma = 0.25;       ///< tpe: fraction of observations called good
    count_t max_candidates = 200000; ///< stop after this many candidates
    bool exact = true;             ///< run the exact folding searches at the end
    std::size_t exact_front_points = 12; ///< Pareto points given exact designs
    std::size_t exact_tie_points = 8;   ///< points tied at the best estimate given exact designs
    /// Exact folding searches the exact refinement may spend: a hill climb from
    /// the best exact design over its thresholds raised 1 to 3 steps, ordered by
    /// how much they lower the exact design's binding resource (0: none).
    std::size_t exact_refine_points = 12;
    search_options folding{};      ///< the exact folding searches
    std::function<void(double)> progress{}; ///< fraction done: scoring candidates up to 0.5, exact designs after
    /// Optional: drops of several candidates in one call. The search asks it
    /// for every set it scores before deciding (the greedy's one-step
    /// neighbours, the target descent's steps, the tpe start-up); other
    /// candidates go to the single oracle, or to this one alone when no single
    /// oracle is given. The result is the same as with the single oracle for a
    /// deterministic oracle; only the number of calls changes.
    batch_accuracy_oracle batch_oracle{};
    /// After the search, score this many random threshold assignments with the
    /// same oracle and hardware estimate (seeded from `seed`) and report the
    /// best within the budget (cosearch_result::random_baseline): a baseline
    /// the search should beat. They do not change the result or the front.
    count_t random_baseline = 0;
    /// The partitions the hardware estimate prices (hass::sparsity::cosearch_partitioned
    /// sets them): each cut starts a new partition; empty: one partition. With
    /// cuts the estimate is the batch throughput B / (sum over partitions of
    /// T_p * B / clock + R * reconfiguration time), B = folding.batch, R the cost
    /// model's reconfigurations per batch, T_p each partition's relaxation II
    /// with its crossing tensors as its memory traffic.
    std::vector<int> partition_cuts{};
    /// Re-pricing rounds of the one-partition co-search: when the Lagrangian
    /// dual proves the result's estimate out of reach of any folding (its
    /// priced least use exceeds the budget), the search runs again with the
    /// first surrogate sum priced there (docs/sparsity.md, "Re-pricing"); the
    /// drops are asked once. 0: one run.
    std::size_t surrogate_rounds = 2;
    /// Prices for the first surrogate sum in place of the dense network's
    /// (set by the re-pricing rounds; empty: the hardware's own).
    std::vector<surrogate_prices> surrogate{};
};

/// One scored candidate: grid indices per statistics layer, the accuracy drop
/// and the hardware estimate.
struct cosearch_point {
    std::vector<std::uint8_t> w_index, a_index; ///< per statistics layer
    std::vector<threshold_pair> thresholds;     ///< per statistics layer
    double drop = 0;                            ///< accuracy drop, points
    count_t ii_estimate = 0;                    ///< relaxation II, cycles (0: does not fit); partitions: the slowest one's
    std::vector<count_t> partition_ii;          ///< partitions (cosearch_options::partition_cuts): each one's relaxation II
    count_t dsp_estimate = 0;                   ///< least DSP at that II
    double throughput_estimate = 0;             ///< images/s (partitions: at the batch, reconfiguration included)
    bool exact = false;                         ///< `design` holds an exact folding search
    double throughput = 0;                      ///< images/s of the exact design (when exact)
    count_t ii = 0;                             ///< II of the exact design
    count_t dsp = 0;                            ///< DSP of the exact design

    /// The same grid point (thresholds) as `q`.
    bool same_thresholds(const cosearch_point& q) const { return w_index == q.w_index && a_index == q.a_index; }
};

/// Random threshold assignments scored like the search's candidates
/// (cosearch_options::random_baseline): per assignment a scale u, then per
/// threshold the grid index floor(scale * u' * grid size), u, u' uniform in
/// [0, 1), from nearly dense to anywhere on the grids.
struct cosearch_random_baseline {
    count_t count = 0;         ///< assignments scored (0: no baseline asked for)
    count_t within_budget = 0; ///< of them, within the accuracy budget
    bool found = false;        ///< some assignment is within the budget: `best` holds the best
    cosearch_point best;       ///< best within the budget by the objective (estimate); exact design attached
    search_result design;      ///< exact folding at `best` (when cosearch_options::exact)
    bool dense_fallback = false; ///< as cosearch_result::dense_fallback, for `design`
    count_t oracle_calls = 0;  ///< oracle invocations of the baseline
};

struct cosearch_result {
    cosearch_point best;              ///< the chosen thresholds (exact design attached)
    search_result design;             ///< exact folding of the sparse network at `best`
    network sparse_network;           ///< the network with the predicted statistics at `best`
    search_result dense_design;       ///< exact folding of the network without statistics
    std::vector<cosearch_point> front; ///< Pareto front of (throughput up, drop down), by drop
    std::vector<cosearch_point> evaluated_sample; ///< up to 2000 evaluated points (for plots)
    count_t candidates = 0;           ///< candidates scored
    count_t oracle_calls = 0;         ///< accuracy oracle invocations (single and batch) of the search
    count_t oracle_candidates = 0;    ///< candidates those invocations carried (batches count each)
    double search_ms = 0;             ///< whole co-search, exact designs included
    double oracle_ms = 0;             ///< time spent in the accuracy oracle
    double hardware_ms = 0;           ///< time spent in the hardware estimate
    double exact_ms = 0;              ///< time spent in the exact folding searches
    std::size_t refine_searches = 0;  ///< exact folding searches of the exact refinement
    std::size_t surrogate_rounds = 0; ///< searches run again with re-priced surrogate sums (cosearch_options::surrogate_rounds)
    count_t refine_steps = 0;         ///< of them, the ones that gave a better design (the climb's steps)
    double refine_from_fps = 0;       ///< the best exact design's throughput before the refinement
    std::string method, objective;
    double budget = 0;
    std::string stop_reason; ///< why the search stopped where it did (greedy; empty: it ran its course)
    /// The exact sparse design at the chosen point was slower than the dense
    /// design (the estimate misled the search): `design` is the dense design's
    /// folding with every layer built dense, at the smallest thresholds (no pruning: dense hardware gains nothing from it).
    bool dense_fallback = false;
    cosearch_random_baseline random_baseline; ///< cosearch_options::random_baseline (count 0: none)
};

} // namespace hass::sparsity
