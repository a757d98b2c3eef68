// The HASS co-search: per-layer pruning thresholds (tau_w, tau_a) chosen
// together with the hardware folding, maximising throughput (or throughput per
// DSP) under an accuracy-drop budget.
//
// Candidates are scored by a hardware model that is incremental, so that the
// search spends its time in the accuracy oracle:
//
//  - every convolution with statistics has, per threshold grid point, a
//    *staircase*: its folding options sorted by latency with the running
//    minimum of each resource (DSP, LUT, FF, BRAM18, URAM and on-chip memory bits).
//    Resources of a folding do not depend on the thresholds (only whether the
//    layer is sparse does), so the options are enumerated once per layer and a
//    grid point only recomputes latencies from the mean cycles per window
//    E(fine, streams) of its predicted histograms; staircases are cached;
//  - a candidate's II estimate is the smallest T for which, per resource, the
//    sum over layers of the least use among options of latency <= T fits the
//    board: the relaxation bound of the folding search (no design within budget
//    is faster). Changing one layer's thresholds swaps one staircase.
//
// The chosen thresholds (and a spread of the Pareto front) are then given real
// designs by the exact folding search (hass::search, algorithm optimal) on the
// network with the predicted statistics applied; both figures are reported, and
// the best exact design within the budget is the result.
//
// Two methods:
//  - greedy: hardware-aware; from the smallest thresholds, repeatedly raise one
//    threshold of one layer by one grid step, taking the step with the largest
//    throughput gain per point of accuracy drop that stays within the budget;
//    when no single step raises the estimated throughput, the step that most
//    lowers the binding resource utilisation at the current II per point of
//    drop (it frees resources for the bottleneck at the next re-folding);
//  - tpe: a tree-structured Parzen estimator over the grid indices (one ordinal
//    dimension per threshold): after random start-up candidates, split the
//    observations into good (the best gamma fraction, at most 25: within budget,
//    highest objective) and bad; per dimension, smoothed categorical densities l(x),
//    g(x); draw candidates from l and evaluate the one with the largest
//    sum log l/g. Seeded and deterministic (std::mt19937_64, own mapping).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "hass/core/random.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/search/options.hpp"
#include "hass/search/search.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::sparsity {

enum class cosearch_method { greedy, tpe };
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
};

/// One scored candidate: grid indices per statistics layer, the accuracy drop
/// and the hardware estimate.
struct cosearch_point {
    std::vector<std::uint8_t> w_index, a_index; ///< per statistics layer
    std::vector<threshold_pair> thresholds;     ///< per statistics layer
    double drop = 0;                            ///< accuracy drop, points
    count_t ii_estimate = 0;                    ///< relaxation II, cycles (0: does not fit)
    count_t dsp_estimate = 0;                   ///< least DSP at that II
    double throughput_estimate = 0;             ///< images/s
    bool exact = false;                         ///< `design` holds an exact folding search
    double throughput = 0;                      ///< images/s of the exact design (when exact)
    count_t ii = 0;                             ///< II of the exact design
    count_t dsp = 0;                            ///< DSP of the exact design
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
    std::string method, objective;
    double budget = 0;
    std::string stop_reason; ///< why the search stopped where it did (greedy; empty: it ran its course)
    /// The exact sparse design at the chosen point was slower than the dense
    /// design (the estimate misled the search): `design` is the dense design's
    /// folding with every layer built dense, at the front's lowest-drop point.
    bool dense_fallback = false;
    cosearch_random_baseline random_baseline; ///< cosearch_options::random_baseline (count 0: none)
};

// ---------------------------------------------------------------------------
// Incremental hardware estimate
// ---------------------------------------------------------------------------

/// Options of a layer sorted by latency with running minima of each resource.
struct staircase {
    /// dsp, lut, ff, bram18, uram, and on-chip memory bits: BRAM18 x 18 Kb + URAM x
    /// 288 Kb + LUT x 64 (a LUT holds 64 bits as LUTRAM); a fitting design is within
    /// the board's total of the same sum, whatever memory each buffer went to.
    /// The seventh is the on-chip memory bits plus the weight bits read from
    /// off-chip memory per image: a layer's weights are in one or the other, so a
    /// fitting design needs at most the on-chip capacity plus T x (bandwidth bits
    /// per cycle) minus the network's input and output traffic (the memory bound
    /// of hass::evaluate) at target T.
    static constexpr std::size_t dims = 7;
    std::vector<count_t> latency;          ///< ascending
    std::vector<std::array<double, dims>> least; ///< least use among options [0, i]

    bool empty() const noexcept { return latency.empty(); }
    /// Index of the last option with latency <= t, or -1.
    std::ptrdiff_t at(count_t t) const noexcept {
        return std::upper_bound(latency.begin(), latency.end(), t) - latency.begin() - 1;
    }
};

namespace detail::cosearch {

inline std::array<double, staircase::dims> usage(const resources& r, double offchip_bits = 0) {
    return {static_cast<double>(r.dsp),    static_cast<double>(r.lut),  static_cast<double>(r.ff),
            static_cast<double>(r.bram18), static_cast<double>(r.uram),
            static_cast<double>(r.bram18) * 18432.0 + static_cast<double>(r.uram) * 294912.0 +
                static_cast<double>(r.lut) * 64.0,
            static_cast<double>(r.bram18) * 18432.0 + static_cast<double>(r.uram) * 294912.0 +
                static_cast<double>(r.lut) * 64.0 + offchip_bits};
}

inline staircase make_staircase(std::vector<std::pair<count_t, std::array<double, staircase::dims>>> opts) {
    std::sort(opts.begin(), opts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    staircase s;
    s.latency.reserve(opts.size());
    s.least.reserve(opts.size());
    for (const auto& [lat, use] : opts) {
        if (s.least.empty()) {
            s.latency.push_back(lat);
            s.least.push_back(use);
            continue;
        }
        auto m = s.least.back();
        for (std::size_t d = 0; d < staircase::dims; ++d) m[d] = std::min(m[d], use[d]);
        if (lat == s.latency.back())
            s.least.back() = m;
        else {
            s.latency.push_back(lat);
            s.least.push_back(m);
        }
    }
    return s;
}

/// A sparse folding whose latency depends on the statistics only through E(f, S).
struct sparse_option {
    count_t fine, streams;
    double work;          ///< Wk = Ho*Wo*(C/S)*F/(co*G)
    count_t other;        ///< max(input term, output term)
    std::array<double, staircase::dims> use;
};

} // namespace detail::cosearch

/// The hardware side of the co-search: staircases per layer and grid point, and
/// the II estimate of a candidate.
class cosearch_hardware {
public:
    template <cost::cost_model Cost = cost::hass>
    cosearch_hardware(const network& net, const board& b, const predictor& pred, const utilisation_cap& cap,
                      bool offchip_weights = true, Cost = {})
        : net_(&net), board_(b), pred_(&pred), offchip_(offchip_weights),
          pointwise_rule_(&cost::pointwise_sparse<Cost>) {
        const resources budget = b.capped(cap);
        budget_ = detail::cosearch::usage(budget, std::numeric_limits<double>::infinity());
        bits_per_cycle_ = b.bandwidth_gbps * 1e9 / b.clock_hz();
        io_bits_ = static_cast<double>(net.input.size() * 16);
        for (int out : net.outputs()) {
            const layer& l = net.layers[static_cast<std::size_t>(out)];
            io_bits_ += static_cast<double>(l.out.size() * l.width.data);
        }
        stats_of_layer_.assign(net.size(), -1);
        for (std::size_t i = 0; i < pred.size(); ++i) stats_of_layer_[static_cast<std::size_t>(pred.network_index(i))] = static_cast<int>(i);
        fixed_.resize(net.size());
        sparse_.resize(pred.size());
        dense_.resize(pred.size());
        cache_.resize(pred.size());
        for (std::size_t li = 0; li < net.size(); ++li) {
            layer l = net.layers[li];
            l.sparsity = {};
            const int si = stats_of_layer_[li];
            auto opts = make_layer_options<Cost>(l, b, offchip_);
            std::vector<std::pair<count_t, std::array<double, staircase::dims>>> v;
            for (const auto& o : opts.options)
                v.emplace_back(o.latency, detail::cosearch::usage(o.used, static_cast<double>(o.offchip_bits)));
            if (si < 0)
                fixed_[li] = detail::cosearch::make_staircase(std::move(v));
            else {
                dense_[static_cast<std::size_t>(si)] = detail::cosearch::make_staircase(std::move(v));
                // inner products are modelled dense: their thresholds change the accuracy only
                if (net.layers[li].type == layer_type::convolution)
                    sparse_[static_cast<std::size_t>(si)] = sparse_options<Cost>(net.layers[li], b, offchip_);
            }
        }
    }

    /// The staircase of statistics layer `s` at grid point (iw, ia).
    const staircase& layer_staircase(std::size_t s, std::uint8_t iw, std::uint8_t ia) {
        const int key = iw * 256 + ia;
        auto& c = cache_[s];
        if (auto it = c.find(key); it != c.end()) return it->second;
        if (sparse_[s].empty()) return c.emplace(key, dense_[s]).first->second;
        sparsity_stats st;
        pred_->predict_into(s, pred_->tau_w_grid(s)[iw], pred_->tau_a_grid(s)[ia], st);
        if (!st.worth_sparse()) return c.emplace(key, dense_[s]).first->second;
        st.prepare();
        // the sparse model the cost model takes (cost::pointwise_sparse): hass's rule,
        // a 1x1 kernel at stride 1, or fpgaConvNet's, every 1x1 kernel
        const bool pointwise = pointwise_rule_(net_->layers[static_cast<std::size_t>(pred_->network_index(s))], st);
        std::map<std::pair<count_t, count_t>, double> e; // E(f, S)
        std::vector<std::pair<count_t, std::array<double, staircase::dims>>> v;
        v.reserve(sparse_[s].size());
        for (const auto& o : sparse_[s]) {
            auto [it, fresh] = e.try_emplace({o.fine, o.streams}, 0.0);
            if (fresh)
                it->second = pointwise ? slowest_cluster_density(st, o.streams)
                                       : slowest_stream_cycles(st, o.fine, o.streams);
            const count_t lat = std::max(ceil_to_count(o.work * it->second), o.other);
            v.emplace_back(lat, o.use);
        }
        return c.emplace(key, detail::cosearch::make_staircase(std::move(v))).first->second;
    }

    struct estimate {
        count_t ii = 0; ///< 0 when nothing fits
        count_t dsp = 0;
    };

    /// II estimate for the staircases `layers` (one per network layer).
    estimate estimate_ii(const std::vector<const staircase*>& layers) const {
        count_t lo = 0, hi = 0;
        for (const auto* s : layers) {
            lo = std::max(lo, s->latency.front());
            hi = std::max(hi, s->latency.back());
        }
        if (!fits(layers, hi)) {
            // past the slowest option only the memory bound can still be met
            if (bits_per_cycle_ <= 0) return {};
            const auto need = needs(layers, hi);
            const double bits = need[staircase::dims - 1] - budget_[staircase::dims - 2] + io_bits_;
            hi = std::max(hi, ceil_to_count(bits / bits_per_cycle_));
            if (!fits(layers, hi)) return {};
        }
        while (lo < hi) { // smallest T in [lo, hi] that fits
            const count_t mid = lo + (hi - lo) / 2;
            if (fits(layers, mid))
                hi = mid;
            else
                lo = mid + 1;
        }
        estimate e;
        e.ii = lo;
        const auto need = needs(layers, lo);
        e.dsp = static_cast<count_t>(need[0]);
        return e;
    }
    /// Max over resources of need / budget at target `t` (infinite when a layer cannot reach t).
    double binding_at(const std::vector<const staircase*>& layers, count_t t) const {
        for (const auto* s : layers)
            if (s->at(t) < 0) return std::numeric_limits<double>::infinity();
        return binding(needs(layers, t), t);
    }

    const staircase& fixed(std::size_t layer_index) const { return fixed_[layer_index]; }
    /// The II below which no threshold helps: the slowest fastest option of the
    /// layers without statistics.
    count_t fixed_floor() const {
        count_t f = 0;
        for (std::size_t i = 0; i < fixed_.size(); ++i) {
            const int si = stats_of_layer_[i];
            if (si < 0 && !fixed_[i].empty()) f = std::max(f, fixed_[i].latency.front());
            // a layer with statistics but no sparse build (an inner product) is fixed too
            if (si >= 0 && sparse_[static_cast<std::size_t>(si)].empty() && !dense_[static_cast<std::size_t>(si)].empty())
                f = std::max(f, dense_[static_cast<std::size_t>(si)].latency.front());
        }
        return f;
    }
    int stats_index(std::size_t layer_index) const { return stats_of_layer_[layer_index]; }
    const board& target_board() const noexcept { return board_; }

private:
    const network* net_;
    board board_;
    const predictor* pred_;
    std::array<double, staircase::dims> budget_{};
    std::vector<int> stats_of_layer_;
    std::vector<staircase> fixed_, dense_;
    std::vector<std::vector<detail::cosearch::sparse_option>> sparse_;
    std::vector<std::map<int, staircase>> cache_;
    bool offchip_ = true;
    /// Which sparse 1x1 layers the cost model prices with the pointwise model
    /// (cost::pointwise_sparse<Cost>).
    bool (*pointwise_rule_)(const layer&, const sparsity_stats&) noexcept = nullptr;
    double bits_per_cycle_ = 0, io_bits_ = 0;

    template <cost::cost_model Cost>
    static std::vector<detail::cosearch::sparse_option> sparse_options(layer l, const board& b, bool offchip) {
        // a stand-in sparse statistic gives the sparse structure (validity, modules, resources)
        std::vector<double> h(static_cast<std::size_t>(l.in.channels * (l.kernel_size() + 1)), 0.0);
        for (count_t c = 0; c < l.in.channels; ++c)
            h[static_cast<std::size_t>(c * (l.kernel_size() + 1) + l.kernel_size() / 2 + 1)] = 1.0;
        if (l.kernel_size() == 1)
            for (count_t c = 0; c < l.in.channels; ++c) h[static_cast<std::size_t>(c * 2)] = 0.5, h[static_cast<std::size_t>(c * 2 + 1)] = 0.5;
        l.sparsity = make_sparsity_stats(l.in.channels, l.kernel_size(), std::move(h), l.name.view());
        std::vector<detail::cosearch::sparse_option> out;
        for (const folding& f : enumerate_foldings(l, b, offchip)) {
            if (!is_valid_folding(l, f)) continue;
            const layer_performance p = evaluate_layer<Cost>(l, f);
            if (p.undefined) continue;
            const double offchip_bits = p.weight_bits;
            if (f.dense) { // a dense build: its latency does not depend on the statistics
                out.push_back({f.fine, 1, 0.0, p.latency, detail::cosearch::usage(p.used, offchip_bits)});
                continue;
            }
            out.push_back({f.fine, f.coarse_in * f.coarse_group, static_cast<double>(sparse_windows(l, f)),
                           stream_words(l, f), detail::cosearch::usage(p.used, offchip_bits)});
        }
        return out;
    }

    bool fits(const std::vector<const staircase*>& layers, count_t t) const {
        std::array<double, staircase::dims> sum{};
        for (const auto* s : layers) {
            const auto i = s->at(t);
            if (i < 0) return false;
            const auto& m = s->least[static_cast<std::size_t>(i)];
            for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
        }
        for (std::size_t d = 0; d < staircase::dims; ++d)
            if (sum[d] > budget_at(d, t)) return false;
        return true;
    }
    double budget_at(std::size_t d, count_t t) const {
        if (d + 1 < staircase::dims) return budget_[d];
        return budget_[d - 1] + (bits_per_cycle_ > 0 ? static_cast<double>(t) * bits_per_cycle_ - io_bits_ : 0.0);
    }
    std::array<double, staircase::dims> needs(const std::vector<const staircase*>& layers, count_t t) const {
        std::array<double, staircase::dims> sum{};
        for (const auto* s : layers) {
            const auto i = s->at(t);
            if (i < 0) { // no folding reaches t: an infinite need
                sum.fill(std::numeric_limits<double>::infinity());
                return sum;
            }
            const auto& m = s->least[static_cast<std::size_t>(i)];
            for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
        }
        return sum;
    }
    double binding(const std::array<double, staircase::dims>& need, count_t t) const {
        double worst = 0;
        for (std::size_t d = 0; d < staircase::dims; ++d)
            if (budget_at(d, t) > 0) worst = std::max(worst, need[d] / budget_at(d, t));
        return worst;
    }
};

// ---------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------

namespace detail::cosearch {

using ::hass::detail::uniform01;

class engine {
public:
    template <cost::cost_model Cost = cost::hass>
    engine(const network& net, const board& b, predictor& pred, const accuracy_oracle& oracle,
           const cosearch_options& o, Cost model = {})
        : pred_(pred), oracle_(oracle), opt_(o),
          hw_(net, b, pred, o.folding.cap, o.folding.offchip_weights, model) {
        names_.reserve(pred.size());
        for (std::size_t i = 0; i < pred.size(); ++i) {
            names_.push_back(pred.name(i));
            if (pred.tau_w_grid(i).empty() || pred.tau_a_grid(i).empty() || pred.tau_w_grid(i).size() > 255 ||
                pred.tau_a_grid(i).size() > 255)
                hass::detail::fail("layer '" + pred.name(i) + "': the co-search needs 1 to 255 tau_w and tau_a "
                                   "points, the statistics give " + std::to_string(pred.tau_w_grid(i).size()) +
                                   " and " + std::to_string(pred.tau_a_grid(i).size()));
        }
        layers_.resize(net.size());
        for (std::size_t li = 0; li < net.size(); ++li)
            if (hw_.stats_index(li) < 0) layers_[li] = &hw_.fixed(li);
    }

    /// Scores the candidate (w, a): its drop and hardware estimate; counted and recorded.
    cosearch_point score(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        cosearch_point p = evaluate(w, a);
        ++candidates;
        record(p);
        return p;
    }
    /// Scores (w, a) as score() does, without counting or recording it (not a
    /// candidate of the search: the random baseline).
    cosearch_point evaluate(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        cosearch_point p;
        p.w_index = w;
        p.a_index = a;
        p.thresholds = thresholds_of(w, a);
        p.drop = oracle_drop(w, a, p.thresholds);
        const auto t1 = std::chrono::steady_clock::now();
        set_layers(w, a);
        const auto e = hw_.estimate_ii(layers_);
        const auto t2 = std::chrono::steady_clock::now();
        hardware_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
        p.ii_estimate = e.ii;
        p.dsp_estimate = e.dsp;
        p.throughput_estimate = e.ii > 0 ? hw_.target_board().clock_hz() / static_cast<double>(e.ii) : 0.0;
        return p;
    }
    using indices = std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>; ///< (w, a)
    /// With a batch oracle: asks it for the drops of `set` in one call and keeps
    /// them (replacing what an earlier prefetch kept) for score() and drop_of().
    /// Without one: nothing (each candidate asks the oracle when scored).
    void prefetch(const std::vector<indices>& set) {
        if (!opt_.batch_oracle) return;
        cache_.clear();
        std::vector<std::vector<threshold_pair>> t;
        std::vector<std::vector<std::uint8_t>> keys;
        t.reserve(set.size());
        keys.reserve(set.size());
        for (const auto& [w, a] : set) {
            auto k = key(w, a);
            if (!cache_.emplace(k, 0.0).second) continue; // asked once
            keys.push_back(std::move(k));
            t.push_back(thresholds_of(w, a));
        }
        if (t.empty()) return;
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<double> d = ask_batch(t);
        oracle_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        for (std::size_t i = 0; i < keys.size(); ++i) cache_[keys[i]] = d[i];
    }
    /// Binding utilisation of the last scored candidate's layers at target t.
    double binding_at(count_t t) const { return hw_.binding_at(layers_, t); }
    /// The accuracy drop of (w, a) alone (the oracle, no hardware estimate, not recorded).
    double drop_of(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        return oracle_drop(w, a, thresholds_of(w, a));
    }
    /// How far the candidate's layers are from target t at their fastest foldings:
    /// the sum over layers of max(0, fastest latency - t) / t (0: every layer can reach t).
    double excess_for(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a, count_t t) {
        set_layers(w, a);
        double x = 0;
        for (const staircase* st : layers_)
            if (st && !st->empty() && st->latency.front() > t)
                x += static_cast<double>(st->latency.front() - t) / static_cast<double>(t);
        return x;
    }
    /// Binding utilisation of the candidate (w, a) at target t.
    double binding_for(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a, count_t t) {
        set_layers(w, a);
        return hw_.binding_at(layers_, t);
    }

    double objective(const cosearch_point& p) const {
        if (p.ii_estimate == 0) return 0;
        if (opt_.objective == cosearch_objective::throughput) return p.throughput_estimate;
        return p.throughput_estimate / static_cast<double>(std::max<count_t>(p.dsp_estimate, 1));
    }

    std::vector<cosearch_point> front() const { return pareto(all_); }
    std::vector<cosearch_point> sample() const {
        std::vector<cosearch_point> s;
        const std::size_t step = std::max<std::size_t>(1, all_.size() / 2000);
        for (std::size_t i = 0; i < all_.size(); i += step) s.push_back(all_[i]);
        return s;
    }

    count_t fixed_floor() const { return hw_.fixed_floor(); }
    count_t candidates = 0;
    count_t oracle_calls = 0, oracle_candidates = 0; ///< oracle invocations, and the candidates they carried
    double oracle_ms = 0, hardware_ms = 0;
    std::string stop_reason; ///< why the search stopped where it did (cosearch_result::stop_reason)
    const predictor& pred() const { return pred_; }
    const cosearch_options& options() const { return opt_; }

private:
    predictor& pred_;
    const accuracy_oracle& oracle_;
    cosearch_options opt_;
    cosearch_hardware hw_;
    std::vector<std::string> names_;
    std::vector<const staircase*> layers_;
    std::vector<cosearch_point> all_;
    std::map<std::vector<std::uint8_t>, double> cache_; ///< drops of the last prefetched set, by key(w, a)

    static std::vector<std::uint8_t> key(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        std::vector<std::uint8_t> k(w);
        k.insert(k.end(), a.begin(), a.end());
        return k;
    }
    std::vector<threshold_pair> thresholds_of(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) const {
        std::vector<threshold_pair> t(w.size());
        for (std::size_t s = 0; s < w.size(); ++s) t[s] = {pred_.tau_w_grid(s)[w[s]], pred_.tau_a_grid(s)[a[s]]};
        return t;
    }
    std::vector<double> ask_batch(std::span<const std::vector<threshold_pair>> t) {
        ++oracle_calls;
        oracle_candidates += static_cast<count_t>(t.size());
        return checked_drops(opt_.batch_oracle, t, names_);
    }
    /// The drop of (w, a): the last prefetched set's, else the single oracle's,
    /// else the batch oracle's for this candidate alone.
    double oracle_drop(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a,
                       const std::vector<threshold_pair>& t) {
        if (!cache_.empty())
            if (const auto it = cache_.find(key(w, a)); it != cache_.end()) return it->second;
        const auto t0 = std::chrono::steady_clock::now();
        double d = 0;
        if (oracle_ || !opt_.batch_oracle) {
            ++oracle_calls;
            ++oracle_candidates;
            d = checked_drop(oracle_, t, names_);
        } else {
            d = ask_batch(std::span<const std::vector<threshold_pair>>(&t, 1)).front();
        }
        oracle_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        return d;
    }

    void set_layers(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        for (std::size_t s = 0; s < w.size(); ++s)
            layers_[static_cast<std::size_t>(pred_.network_index(s))] = &hw_.layer_staircase(s, w[s], a[s]);
    }
    void record(const cosearch_point& p) {
        // keep the points that may be on the front; the thresholds are small
        all_.push_back(p);
        if (all_.size() > 4096) all_ = pareto_and_sample(all_);
    }
    static std::vector<cosearch_point> pareto(std::vector<cosearch_point> pts) {
        std::sort(pts.begin(), pts.end(), [](const auto& x, const auto& y) {
            return x.drop != y.drop ? x.drop < y.drop : x.throughput_estimate > y.throughput_estimate;
        });
        std::vector<cosearch_point> f;
        double best = -1;
        for (auto& p : pts)
            if (p.throughput_estimate > best) {
                best = p.throughput_estimate;
                f.push_back(std::move(p));
            }
        return f;
    }
    static std::vector<cosearch_point> pareto_and_sample(const std::vector<cosearch_point>& pts) {
        auto f = pareto(pts);
        for (std::size_t i = 0; i < pts.size(); i += 4) f.push_back(pts[i]);
        return f;
    }
};

/// One threshold the search moves: a layer's tau_w, or the tau_a of an
/// activation group (every layer reading one activation layer).
struct variable {
    bool weight = true;
    std::vector<std::size_t> members; ///< statistics layers it sets
    std::size_t size = 1;             ///< grid points
};

/// tau_w of layer 0, tau_a of its group (when layer 0 is the group's first
/// layer), tau_w of layer 1, ...: with one group per layer, the order of
/// the per-layer search.
inline std::vector<variable> variables(const predictor& pred) {
    std::vector<variable> v;
    for (std::size_t s = 0; s < pred.size(); ++s) {
        v.push_back({true, {s}, pred.tau_w_grid(s).size()});
        const std::size_t g = pred.activation_group(s);
        const auto members = pred.group_members(g);
        if (members.front() == s) v.push_back({false, {members.begin(), members.end()}, pred.tau_a_grid(s).size()});
    }
    return v;
}

inline std::uint8_t get(const variable& v, const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
    return (v.weight ? w : a)[v.members.front()];
}
inline void set(const variable& v, std::vector<std::uint8_t>& w, std::vector<std::uint8_t>& a, std::uint8_t x) {
    auto& idx = v.weight ? w : a;
    for (std::size_t m : v.members) idx[m] = x;
}

inline bool better(const engine& e, const cosearch_point& x, const cosearch_point& y, double budget) {
    const bool fx = x.drop <= budget, fy = y.drop <= budget;
    if (fx != fy) return fx;
    if (!fx) return x.drop < y.drop;
    const double ox = e.objective(x), oy = e.objective(y);
    if (ox != oy) return ox > oy;
    return x.drop < y.drop;
}

/// A plateau (several layers tied at the II: no single step raises the
/// objective): take the steps within the budget together, cheapest in accuracy
/// first, and return the first prefix that raises the objective within the
/// budget (the give-back pass of run_greedy later undoes steps that bought
/// nothing). `w`, `a` are copies: the caller's are left as they were.
inline std::optional<cosearch_point> plateau_step(engine& e, const std::vector<variable>& vars,
                                                  std::vector<std::pair<double, std::size_t>> steps,
                                                  std::vector<std::uint8_t> w, std::vector<std::uint8_t> a,
                                                  double objective) {
    if (steps.size() < 2) return std::nullopt;
    std::stable_sort(steps.begin(), steps.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    const double budget = e.options().budget;
    for (std::size_t j = 0; j < steps.size() && e.candidates < e.options().max_candidates; ++j) {
        const variable& v = vars[steps[j].second];
        set(v, w, a, static_cast<std::uint8_t>(get(v, w, a) + 1));
        if (j == 0) continue; // one step alone was scored by the caller
        cosearch_point p = e.score(w, a);
        if (p.drop > budget) return std::nullopt;
        if (e.objective(p) > objective) return p;
    }
    return std::nullopt;
}

/// Target descent: for targets T falling from the dense design's II by 3% a
/// step, raise thresholds until the estimate fits at T, each time taking the
/// step with the most relief per point of accuracy (relief: how far the
/// layers' fastest foldings are from T while some cannot reach it, then the
/// binding resource utilisation at T), starting each target from the last
/// one's thresholds. Where the greedy follows the slowest layer one step at a
/// time, this plans for a whole II at once, so it does not spend the budget on
/// one layer while the others tie. Returns the best point within the budget
/// that it scored (the caller compares it with the greedy's).
inline std::optional<cosearch_point> run_targets(engine& e) {
    const auto& pred = e.pred();
    const std::size_t n = pred.size();
    const double budget = e.options().budget;
    const std::vector<variable> vars = variables(pred);
    std::vector<std::uint8_t> w(n, 0), a(n, 0);
    const cosearch_point start = e.score(w, a);
    if (start.ii_estimate <= 0 || start.drop > budget) return std::nullopt;
    std::optional<cosearch_point> best;
    double drop = start.drop;
    const count_t floor = std::max<count_t>(e.fixed_floor(), 1);
    for (auto T = start.ii_estimate; e.candidates < e.options().max_candidates;) {
        T = static_cast<count_t>(static_cast<double>(T) * 0.97);
        if (T < floor) break;
        bool reached = false;
        while (e.candidates < e.options().max_candidates) {
            const double excess = e.excess_for(w, a, T);
            const double bind = excess > 0 ? std::numeric_limits<double>::infinity() : e.binding_for(w, a, T);
            if (bind <= 1.0) {
                reached = true;
                break;
            }
            double best_ratio = 0, best_drop = 0;
            std::size_t best_var = vars.size();
            std::uint8_t best_to = 0;
            { // every variable 1 to 3 steps up is scored: their drops in one batch
                std::vector<engine::indices> next;
                for (const auto& v : vars) {
                    const std::uint8_t x = get(v, w, a);
                    for (std::size_t j = 1; j <= 3 && static_cast<std::size_t>(x) + j < v.size; ++j) {
                        next.emplace_back(w, a);
                        set(v, next.back().first, next.back().second, static_cast<std::uint8_t>(x + j));
                    }
                }
                e.prefetch(next);
            }
            for (std::size_t k = 0; k < vars.size(); ++k) {
                const auto& v = vars[k];
                const std::uint8_t x = get(v, w, a);
                // up to three grid steps at once: the accuracy cost of a threshold is not
                // convex in its grid index, and one step alone can cost more than the next
                for (std::size_t j = 1; j <= 3 && static_cast<std::size_t>(x) + j < v.size; ++j) {
                    const auto to = static_cast<std::uint8_t>(x + j);
                    set(v, w, a, to);
                    const double d = e.drop_of(w, a);
                    double relief = 0;
                    if (d <= budget) {
                        if (excess > 0)
                            relief = excess - e.excess_for(w, a, T);
                        else
                            relief = bind - e.binding_for(w, a, T);
                    }
                    set(v, w, a, x);
                    ++e.candidates;
                    if (!(relief > 0)) continue;
                    const double ratio = relief / std::max(d - drop, 1e-6);
                    if (ratio > best_ratio) {
                        best_ratio = ratio;
                        best_var = k;
                        best_to = to;
                        best_drop = d;
                    }
                }
            }
            if (best_var == vars.size()) break; // T cannot be reached within the budget
            set(vars[best_var], w, a, best_to);
            drop = best_drop;
        }
        if (!reached) break;
        cosearch_point p = e.score(w, a);
        if (p.drop > budget) break;
        if (!best || e.objective(p) > e.objective(*best)) best = std::move(p);
    }
    return best;
}

inline cosearch_point run_greedy(engine& e) {
    const auto& pred = e.pred();
    const std::size_t n = pred.size();
    const double budget = e.options().budget;
    std::vector<std::uint8_t> w(n, 0), a(n, 0);
    cosearch_point cur = e.score(w, a);
    const std::vector<variable> vars = variables(pred);
    std::size_t max_steps = 0;
    for (const auto& v : vars) max_steps += v.size;
    const count_t floor = e.fixed_floor();
    for (std::size_t step = 0; step < max_steps && e.candidates < e.options().max_candidates; ++step) {
        if (cur.ii_estimate > 0 && cur.ii_estimate <= floor) { // a layer without thresholds binds
            e.stop_reason = "the slowest layer has no threshold to raise (a layer without sparsity statistics, or "
                            "built dense, sets the II): pruning more cannot make the design faster";
            break;
        }
        const double cur_obj = e.objective(cur);
        const double cur_binding = cur.ii_estimate > 0 ? e.binding_for(w, a, cur.ii_estimate) : 0.0;
        cosearch_point best_gain_point, best_relief_point;
        double best_gain = 0, best_relief = 0;
        std::vector<std::pair<double, std::size_t>> steps; // (accuracy cost, variable) of the steps within budget
        { // the one-step neighbours are all scored: their drops in one batch
            std::vector<engine::indices> next;
            for (const auto& v : vars) {
                const std::uint8_t x = get(v, w, a);
                if (static_cast<std::size_t>(x) + 1 >= v.size) continue;
                next.emplace_back(w, a);
                set(v, next.back().first, next.back().second, static_cast<std::uint8_t>(x + 1));
            }
            e.prefetch(next);
        }
        for (std::size_t k = 0; k < vars.size(); ++k) {
            const auto& v = vars[k];
            {
                const std::uint8_t x = get(v, w, a);
                if (static_cast<std::size_t>(x) + 1 >= v.size) continue;
                set(v, w, a, static_cast<std::uint8_t>(x + 1));
                cosearch_point p = e.score(w, a);
                const double relief = cur.ii_estimate > 0 ? cur_binding - e.binding_at(cur.ii_estimate) : 0.0;
                set(v, w, a, x);
                if (p.drop > budget) continue;
                steps.emplace_back(p.drop - cur.drop, k);
                const double cost = std::max(p.drop - cur.drop, 1e-6);
                const double gain = (e.objective(p) - cur_obj) / cost;
                if (gain > best_gain) {
                    best_gain = gain;
                    best_gain_point = std::move(p);
                } else if (e.objective(p) >= cur_obj && relief / cost > best_relief) {
                    best_relief = relief / cost;
                    best_relief_point = std::move(p);
                }
            }
        }
        if (best_gain > 0)
            cur = std::move(best_gain_point);
        else if (best_relief > 0)
            cur = std::move(best_relief_point);
        else if (auto joint = plateau_step(e, vars, steps, w, a, cur_obj)) {
            // a plateau: several layers tie at the II, so no single step speeds the design up
            cur = std::move(*joint);
        } else {
            e.stop_reason = "no threshold step within the budget, alone or together with the steps cheapest in "
                            "accuracy, makes the estimated design faster: the next steps either cost more "
                            "accuracy than the budget leaves or buy no throughput";
            break;
        }
        w = cur.w_index;
        a = cur.a_index;
        if (e.options().progress) e.options().progress(0.5 * static_cast<double>(step) / static_cast<double>(max_steps));
    }
    // the target descent plans a whole II at once: keep whichever is better
    if (auto t = run_targets(e); t && e.objective(*t) > e.objective(cur)) {
        cur = std::move(*t);
        w = cur.w_index;
        a = cur.a_index;
        e.stop_reason.clear();
    }
    // give back accuracy: lower any threshold whose step bought nothing
    for (bool changed = true; changed && e.candidates < e.options().max_candidates;) {
        changed = false;
        for (const auto& v : vars) {
            const std::uint8_t x = get(v, w, a);
            if (x == 0) continue;
            set(v, w, a, static_cast<std::uint8_t>(x - 1));
            cosearch_point p = e.score(w, a);
            if (e.objective(p) >= e.objective(cur) && p.drop <= cur.drop) {
                cur = std::move(p);
                changed = true;
            } else {
                set(v, w, a, x);
            }
        }
    }
    return cur;
}

inline cosearch_point run_tpe(engine& e) {
    const auto& pred = e.pred();
    const auto& o = e.options();
    const std::size_t n = pred.size();
    std::mt19937_64 rng(o.seed);
    // dimensions: w of every layer, then a of every activation group with an activation threshold
    std::vector<variable> dims;
    for (auto& v : variables(pred))
        if (v.weight) dims.push_back(std::move(v));
    for (auto& v : variables(pred))
        if (!v.weight && v.size > 1) dims.push_back(std::move(v));
    std::vector<cosearch_point> seen;
    auto evaluate = [&](const std::vector<std::uint8_t>& x) {
        std::vector<std::uint8_t> w(n, 0), a(n, 0);
        for (std::size_t d = 0; d < dims.size(); ++d) set(dims[d], w, a, x[d]);
        seen.push_back(e.score(w, a));
    };
    auto coords = [&](const cosearch_point& p) {
        std::vector<std::uint8_t> x(dims.size());
        for (std::size_t d = 0; d < dims.size(); ++d) x[d] = get(dims[d], p.w_index, p.a_index);
        return x;
    };
    // start-up: the smallest thresholds, then random points biased to small indices
    std::vector<std::vector<std::uint8_t>> startup{std::vector<std::uint8_t>(dims.size(), 0)};
    for (count_t i = 1; i < o.tpe_startup; ++i) {
        std::vector<std::uint8_t> x(dims.size());
        for (std::size_t d = 0; d < dims.size(); ++d) {
            const double u = uniform01(rng);
            x[d] = static_cast<std::uint8_t>(std::min<std::size_t>(dims[d].size - 1, static_cast<std::size_t>(u * u * static_cast<double>(dims[d].size))));
        }
        startup.push_back(std::move(x));
    }
    { // their drops in one batch
        std::vector<engine::indices> set_of;
        for (const auto& x : startup) {
            std::vector<std::uint8_t> w(n, 0), a(n, 0);
            for (std::size_t d = 0; d < dims.size(); ++d) set(dims[d], w, a, x[d]);
            set_of.emplace_back(std::move(w), std::move(a));
        }
        e.prefetch(set_of);
    }
    for (const auto& x : startup) evaluate(x);
    const count_t total = o.tpe_startup + o.tpe_iterations;
    // smoothed counts of every observation per dimension and value, kept up to
    // date as observations arrive (a kernel gives the neighbours of an observed
    // value half weight); the good set is at most 25 points (as in common TPE
    // practice: gamma * n, capped), so one iteration costs O(n + 25 * dims)
    auto add_counts = [&](std::vector<std::vector<double>>& counts, const std::vector<std::uint8_t>& x, double sign) {
        for (std::size_t d = 0; d < dims.size(); ++d) {
            counts[d][x[d]] += sign;
            if (x[d] > 0) counts[d][x[d] - 1u] += 0.5 * sign;
            if (x[d] + 1u < dims[d].size) counts[d][x[d] + 1u] += 0.5 * sign;
        }
    };
    std::vector<std::vector<double>> all_counts(dims.size());
    for (std::size_t d = 0; d < dims.size(); ++d) all_counts[d].assign(dims[d].size, 0.0);
    std::size_t counted = 0;
    std::vector<std::vector<double>> l(dims.size()), g(dims.size()), log_ratio(dims.size());
    // observation x ranks before y: better, ties by index (deterministic)
    auto ranks_before = [&](std::size_t x, std::size_t y) {
        if (better(e, seen[x], seen[y], o.budget)) return true;
        if (better(e, seen[y], seen[x], o.budget)) return false;
        return x < y;
    };
    std::vector<std::size_t> top;
    std::size_t ranked = 0;
    for (count_t it = o.tpe_startup; it < total && e.candidates < o.max_candidates; ++it) {
        for (; counted < seen.size(); ++counted) add_counts(all_counts, coords(seen[counted]), 1.0);
        const std::size_t good = std::min<std::size_t>(
            {seen.size(), 25, std::max<std::size_t>(1, static_cast<std::size_t>(o.tpe_gamma * static_cast<double>(seen.size())))});
        // the best 25 observations so far, kept sorted as they arrive (the good set
        // is a prefix of them): O(25) per observation instead of a sort of all
        for (; ranked < seen.size(); ++ranked) {
            auto at = std::upper_bound(top.begin(), top.end(), ranked, ranks_before);
            if (at - top.begin() < 25) {
                top.insert(at, ranked);
                if (top.size() > 25) top.pop_back();
            }
        }
        const std::vector<std::size_t>& order = top;
        for (std::size_t d = 0; d < dims.size(); ++d) {
            l[d].assign(dims[d].size, 0.0);
            g[d] = all_counts[d];
        }
        for (std::size_t r = 0; r < good; ++r) {
            const auto x = coords(seen[order[r]]);
            add_counts(l, x, 1.0);
            add_counts(g, x, -1.0);
        }
        for (std::size_t d = 0; d < dims.size(); ++d) {
            // prior weight 1 spread over the values, then normalise
            const double prior = 1.0 / static_cast<double>(dims[d].size);
            double sl = 0, sg = 0;
            for (auto& v : l[d]) sl += (v += prior);
            for (auto& v : g[d]) sg += (v = std::max(v, 0.0) + prior);
            for (auto& v : l[d]) v /= sl;
            for (auto& v : g[d]) v /= sg;
            // log l/g of every value, once per candidate (not once per draw)
            log_ratio[d].resize(dims[d].size);
            for (std::size_t v = 0; v < dims[d].size; ++v) log_ratio[d][v] = std::log(l[d][v]) - std::log(g[d][v]);
        }
        std::vector<std::uint8_t> best_x;
        double best_ratio = -std::numeric_limits<double>::infinity();
        for (count_t k = 0; k < o.tpe_draws; ++k) {
            std::vector<std::uint8_t> x(dims.size());
            double ratio = 0;
            for (std::size_t d = 0; d < dims.size(); ++d) {
                double u = uniform01(rng), acc = 0;
                std::size_t v = 0;
                for (; v + 1 < dims[d].size; ++v) {
                    acc += l[d][v];
                    if (u < acc) break;
                }
                x[d] = static_cast<std::uint8_t>(v);
                ratio += log_ratio[d][v];
            }
            if (ratio > best_ratio) {
                best_ratio = ratio;
                best_x = std::move(x);
            }
        }
        evaluate(best_x);
        if (o.progress) o.progress(0.5 * static_cast<double>(it) / static_cast<double>(total));
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < seen.size(); ++i)
        if (better(e, seen[i], seen[best], o.budget)) best = i;
    return seen[best];
}

/// cosearch_options::random_baseline: scores the random assignments with the
/// engine (evaluate(): not candidates of the search, not on the front) and
/// keeps the best within the budget. Deterministic for a seed.
inline void run_random_baseline(engine& e, cosearch_random_baseline& out) {
    const auto& o = e.options();
    const std::vector<variable> vars = variables(e.pred());
    const std::size_t n = e.pred().size();
    std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL); // not the tpe's stream
    const count_t calls0 = e.oracle_calls;
    constexpr count_t chunk = 250; // a batch oracle gets them in batches of this many
    out.count = o.random_baseline;
    for (count_t done = 0; done < o.random_baseline;) {
        const count_t m = std::min(chunk, o.random_baseline - done);
        std::vector<engine::indices> pts;
        for (count_t k = 0; k < m; ++k) {
            std::vector<std::uint8_t> w(n, 0), a(n, 0);
            const double scale = uniform01(rng); // from nearly dense to anywhere on the grids
            for (const auto& v : vars) {
                const double x = std::floor(scale * uniform01(rng) * static_cast<double>(v.size));
                set(v, w, a, static_cast<std::uint8_t>(std::min(static_cast<double>(v.size - 1), x)));
            }
            pts.emplace_back(std::move(w), std::move(a));
        }
        e.prefetch(pts);
        for (const auto& [w, a] : pts) {
            cosearch_point p = e.evaluate(w, a);
            if (p.drop > o.budget) continue;
            ++out.within_budget;
            if (!out.found || better(e, p, out.best, o.budget)) {
                out.best = std::move(p);
                out.found = true;
            }
        }
        done += m;
    }
    out.oracle_calls = e.oracle_calls - calls0;
}

inline void attach_exact(cosearch_point& p, const search_result& r) {
    p.exact = true;
    p.throughput = r.found ? r.report.throughput() : 0.0;
    p.ii = r.found ? r.ii : 0;
    p.dsp = r.found ? r.report.used.dsp : 0;
}

} // namespace detail::cosearch

/// Searches per-layer thresholds and the folding together. `pred` must be bound
/// to `net` (construct it with the network); `oracle` gets one threshold pair per
/// statistics layer, in the predictor's order, and returns the accuracy drop.
template <cost::cost_model Cost = cost::hass>
inline cosearch_result cosearch(const network& net, const board& b, predictor& pred, const accuracy_oracle& oracle,
                                const cosearch_options& o = {}) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    if (!(o.budget >= 0)) hass::detail::fail("co-search: the accuracy budget must be >= 0 points");
    if (pred.size() == 0) hass::detail::fail("co-search: the statistics cover no convolution of '" + net.name.str() + "'");
    for (std::size_t s = 0; s < pred.size(); ++s)
        if (pred.network_index(s) < 0)
            hass::detail::fail("co-search: the statistics are not bound to network '" + net.name.str() +
                               "' (construct the predictor with the network)");
    validate(net);
    detail::cosearch::engine e(net, b, pred, oracle, o, Cost{});
    cosearch_result r;
    r.method = std::string(to_string(o.method));
    r.objective = std::string(to_string(o.objective));
    r.budget = o.budget;
    r.best = o.method == cosearch_method::greedy ? detail::cosearch::run_greedy(e) : detail::cosearch::run_tpe(e);
    if (r.best.drop > o.budget)
        hass::detail::fail("co-search: even the smallest thresholds cost " + std::to_string(r.best.drop) +
                           " points of accuracy, over the budget of " + std::to_string(o.budget));
    r.candidates = e.candidates;
    r.stop_reason = e.stop_reason;
    if (r.stop_reason.empty() && e.candidates >= o.max_candidates)
        r.stop_reason = "it scored its limit of candidates (cosearch_options::max_candidates)";
    r.oracle_ms = e.oracle_ms;
    r.hardware_ms = e.hardware_ms;
    r.oracle_calls = e.oracle_calls;
    r.oracle_candidates = e.oracle_candidates;
    r.front = e.front();
    r.evaluated_sample = e.sample();
    if (o.random_baseline > 0) detail::cosearch::run_random_baseline(e, r.random_baseline);

    // exact designs: the dense network, the chosen thresholds, and a spread of front points
    const auto t1 = clock::now();
    r.sparse_network = net;
    pred.apply(r.sparse_network, r.best.thresholds);
    if (!o.exact) {
        r.search_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        return r;
    }
    const std::size_t exact_total = 2 + std::min(r.front.size(), o.exact_front_points);
    std::size_t exact_done = 0;
    const auto exact_progress = [&] {
        if (o.progress) o.progress(0.5 + 0.5 * static_cast<double>(++exact_done) / static_cast<double>(exact_total));
    };
    network dense = net;
    for (auto& l : dense.layers) l.sparsity = {};
    r.dense_design = search<Cost>(dense, b, algorithm::optimal, o.folding);
    exact_progress();
    r.design = search<Cost>(r.sparse_network, b, algorithm::optimal, o.folding);
    exact_progress();
    detail::cosearch::attach_exact(r.best, r.design);
    if (!r.front.empty() && o.exact_front_points > 0) {
        const std::size_t n = r.front.size(), k = std::min(n, o.exact_front_points);
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t i = k == 1 ? 0 : j * (n - 1) / (k - 1);
            exact_progress();
            if (r.front[i].exact) continue;
            network sn = net;
            pred.apply(sn, r.front[i].thresholds);
            search_result sr = search<Cost>(sn, b, algorithm::optimal, o.folding);
            detail::cosearch::attach_exact(r.front[i], sr);
            // the estimate is optimistic: keep whichever exact design is best within the budget
            const auto exact_objective = [&](const cosearch_point& p) {
                if (o.objective == cosearch_objective::throughput) return p.throughput;
                return p.throughput / static_cast<double>(std::max<count_t>(p.dsp, 1));
            };
            if (sr.found && r.front[i].drop <= o.budget &&
                (!r.design.found || exact_objective(r.front[i]) > exact_objective(r.best))) {
                r.best = r.front[i];
                r.design = std::move(sr);
                r.sparse_network = std::move(sn);
            }
        }
    }
    // never worse than dense: the dense design's hardware (every layer built
    // dense) is always a design of the sparse network too
    // (compared at the search's batch, pipeline depth included: the figure the cost model reports)
    const count_t batch = o.folding.batch;
    if (r.dense_design.found &&
        (!r.design.found || r.design.report.batch_throughput(batch) < r.dense_design.report.batch_throughput(batch))) {
        if (!r.front.empty()) r.best = r.front.front();
        r.sparse_network = net;
        pred.apply(r.sparse_network, r.best.thresholds);
        r.design = r.dense_design;
        for (std::size_t i = 0; i < r.design.folding.size(); ++i)
            if (r.sparse_network.layers[i].is_sparse()) r.design.folding[i].dense = true;
        r.design.report = evaluate<Cost>(r.sparse_network, r.design.folding, b,
                                         {o.folding.cap, o.folding.batch, o.folding.bram_to_lut});
        r.design.ii = r.design.report.ii;
        detail::cosearch::attach_exact(r.best, r.design);
        r.dense_fallback = true;
    }
    const auto t2 = clock::now();
    r.exact_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
    r.search_ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
    // the random baseline's best gets an exact design too, under the same rule
    // (never worse than the dense design), so that it compares like for like
    if (auto& rb = r.random_baseline; rb.found) {
        network sn = net;
        pred.apply(sn, rb.best.thresholds);
        rb.design = search<Cost>(sn, b, algorithm::optimal, o.folding);
        if (r.dense_design.found &&
            (!rb.design.found || rb.design.report.batch_throughput(batch) < r.dense_design.report.batch_throughput(batch))) {
            rb.design = r.dense_design;
            for (std::size_t i = 0; i < rb.design.folding.size(); ++i)
                if (sn.layers[i].is_sparse()) rb.design.folding[i].dense = true;
            rb.design.report = evaluate<Cost>(sn, rb.design.folding, b, {o.folding.cap, o.folding.batch, o.folding.bram_to_lut});
            rb.design.ii = rb.design.report.ii;
            rb.dense_fallback = true;
        }
        detail::cosearch::attach_exact(rb.best, rb.design);
    }
    return r;
}

} // namespace hass::sparsity
