// Partitioned folding search: cut a network into contiguous ranges of layers
// (partitions, in topological order) that run one after another on one device,
// reconfiguring in between, and fold each range with the single-partition search.
//
//   auto r = hass::search_partitioned(net, hass::boards::zcu102::spec, hass::algorithm::optimal,
//   {}); if (r.found) use(r.cuts, r.folding, r.report); else std::cerr << r.message;
//
// Objective: the time of a batch of B = search_options::batch images (default
// 256),
//   time(B) = sum over partitions p of (II_p * B + D_p) / clock + (P - 1) * reconf,
// the convention of hass::partitioned_report::batch_time; throughput = B / time.
// Tensors that cross a cut go through off-chip memory (hass::evaluate_partition
// counts them in each partition's memory_ii). With reconfiguration at 82.55 ms
// per partition, a batch of 1 is almost all reconfiguration; 256 images make
// the compute part comparable (a design at 1,000 images/s spends 256 ms per
// partition on them).
//
// Algorithm: a shortest path over cut positions.
//  1. Candidate cuts: positions where at most search_options::max_crossing
//     tensors cross (between residual blocks, not inside them; every position
//     of a chain); a stretch between two candidates that cannot fit even in the
//     relaxation gets every position inside it as a candidate.
//  2. For every pair of candidates (a, b) a lower bound on the II, hence on the
//     time, of the range [a, b): the smallest target T at which relaxations of
//     the single-partition problem fit, all from per-layer prefix minima over
//     the options sorted by latency, computed once: per-resource sums of the
//     layers' minima, the on-chip RAM capacity (BRAM18 and URAM bits), weighted
//     sums of every pair of resources (l * x / X + (1 - l) * y / Y <= 1 for
//     l = 1/4, 1/2, 3/4: a faster folding often trades DSP for BRAM), on-chip
//     RAM against off-chip bits (ram + rho * bits <= RAM + rho * BITS(T) for 24
//     rates rho), and memory_ii of the activations crossing the range's boundary.
//  3. A* from position 0 to n over the ranges, the lower bounds summed backwards
//     as the (consistent) heuristic. An edge is first queued with its lower
//     bound; when it comes first it is replaced by its exact cost, the
//     single-partition optimal search on that range (cached; the fast variant:
//     no bound tightening, three slower-II tries for a shallower pipeline, a
//     tenth of the branch-and-bound nodes). The first path whose every edge is exact is the
//     best over the candidate cuts. One partition is the path 0 -> n, so a
//     network that fits whole and is fastest whole stays whole.
//  4. If no path exists over the candidates, every position becomes one.
//  5. The ranges of the best path are folded again with the requested
//     algorithm (optimal: full search, with polish and proven bound; the
//     costing design is kept when its batch time is shorter) and the
//     design is re-evaluated with hass::evaluate_partitions.
//
// If a single layer cannot fit the board even alone at its smallest folding
// (every factor 1, weights wherever allowed), nothing fits: found = false and
// the message names the layer and the resource.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/search/search.hpp"

namespace hass {

/// The result of a partitioned search.
struct partitioned_search_result {
    std::vector<::hass::folding>
        folding;               ///< one per layer of the network (empty when nothing fits)
    std::vector<int> cuts;     ///< each cut starts a new partition (empty: one partition)
    partitioned_report report; ///< hass::evaluate_partitions of folding and cuts
    std::vector<count_t>
        ii_lower_bound;             ///< per partition: no design of its layers has a smaller II
    count_t batch = 0;              ///< images per batch (search_options::batch)
    double batch_time_s = 0;        ///< report.batch_time(batch)
    double throughput = 0;          ///< batch / batch_time_s, images per second
    double single_batch_time_s = 0; ///< the best one-partition design's batch time (0: none fits)
    bool found = false;             ///< every partition fits the board
    std::string message;            ///< what was found, or why nothing fits
    std::string algo;               ///< algorithm folding each partition
    double search_ms = 0;           ///< wall time
    count_t evaluations = 0;        ///< layer foldings evaluated
    count_t candidate_cuts = 0;     ///< cut positions considered
    count_t ranges_bounded = 0;     ///< ranges given a lower bound
    count_t ranges_searched = 0;    ///< ranges given an exact single-partition search

    std::size_t partitions() const noexcept { return report.partitions.size(); }
};

namespace detail::fold_search {

/// Number of distinct tensors (layer outputs or the network input) produced
/// before position k and read at or after it, for k = 0..n.
inline std::vector<int> crossing_tensors(const network &net) {
    const std::size_t n = net.size();
    std::vector<int> last_reader(n + 1, -1); // at t + 1 for tensor t (network_input = -1)
    for (std::size_t i = 0; i < n; ++i)
        for (int src : net.layers[i].inputs)
            last_reader[static_cast<std::size_t>(src + 1)] = static_cast<int>(i);
    std::vector<int> cross(n + 1, 0);
    for (std::size_t k = 0; k <= n; ++k)
        for (std::size_t t = 0; t <= k; ++t) // tensors -1 .. k-1
            if (last_reader[t] >= static_cast<int>(k))
                ++cross[k];
    return cross;
}

/// Lower bounds on the II of any range of layers, from per-layer prefix minima
/// computed once for the whole network.
class range_bounds {
public:
    range_bounds(const network &net, std::span<const layer_options> opts, const usage &limits,
                 double bpc)
        : net_(net), opts_(opts), budget_(limits), ram_cap_(ram_kbits(limits)),
          bpc_(bpc) {
        budget_[bits_dim] = unlimited;
        for (const auto &lo : opts)
            for (const auto &o : lo.options)
                coupled_ = coupled_ || o.offchip_bits > 0;
        coupled_ = coupled_ && bpc > 0;
        const std::size_t n = opts.size();
        pm_.resize(n);
        pr_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto &o = opts[i].options;
            pm_[i].resize(o.size());
            pr_[i].resize(o.size());
            for (std::size_t k = 0; k < o.size(); ++k) {
                pm_[i][k] = to_usage(o[k]);
                pr_[i][k] = ram_kbits(o[k].used);
                if (k > 0) {
                    for (std::size_t r = 0; r < dims; ++r)
                        pm_[i][k][r] = std::min(pm_[i][k][r], pm_[i][k - 1][r]);
                    pr_[i][k] = std::min(pr_[i][k], pr_[i][k - 1]);
                }
                candidates_.push_back(o[k].latency);
            }
        }
        // pairs of resources trade against each other (a faster folding of one
        // layer may need fewer DSPs but more BRAM): for weights l, 1 - l, a design
        // within budget has sum_i (l * x_i / X + (1 - l) * y_i / Y) <= 1; prefix
        // minima per pair and weight. The sixth quantity is the on-chip RAM capacity.
        std::array<double, 6> scale{};
        for (std::size_t r = 0; r < 5; ++r) {
            const count_t v = budget_[r];
            scale[r] = v > 0 ? 1.0 / static_cast<double>(v) : 0.0;
        }
        scale[5] = ram_cap_ > 0 ? 1.0 / static_cast<double>(ram_cap_) : 0.0;
        for (std::size_t x = 0; x < 6; ++x)
            for (std::size_t y = x + 1; y < 6; ++y) {
                if (scale[x] == 0 || scale[y] == 0)
                    continue;
                for (double l : {0.25, 0.5, 0.75}) {
                    std::array<double, 6> w{};
                    w[x] = l * scale[x];
                    w[y] = (1 - l) * scale[y];
                    weights_.push_back(w);
                }
            }
        pw_.assign(weights_.size(), std::vector<std::vector<double>>(n));
        for (std::size_t q = 0; q < weights_.size(); ++q)
            for (std::size_t i = 0; i < n; ++i) {
                const auto &o = opts[i].options;
                auto &v = pw_[q][i];
                v.resize(o.size());
                for (std::size_t k = 0; k < o.size(); ++k) {
                    double c = 0;
                    for (std::size_t r = 0; r < 5; ++r)
                        c += weights_[q][r] * static_cast<double>(o[k].used[all_resource_kinds[r]]);
                    c += weights_[q][5] * static_cast<double>(ram_kbits(o[k].used));
                    v[k] = k > 0 ? std::min(c, v[k - 1]) : c;
                }
            }
        if (coupled_) {
            // on-chip RAM and off-chip bits trade against each other: for every
            // rate rho (Kbit of RAM per off-chip bit), a design within budget has
            // sum_i (ram_i + rho * bits_i) <= RAM + rho * BITS; prefix minima per rho
            pc_.assign(rates, std::vector<std::vector<double>>(n));
            for (std::size_t q = 0; q < rates; ++q)
                for (std::size_t i = 0; i < n; ++i) {
                    const auto &o = opts[i].options;
                    auto &v = pc_[q][i];
                    v.resize(o.size());
                    for (std::size_t k = 0; k < o.size(); ++k) {
                        v[k] = static_cast<double>(ram_kbits(o[k].used)) +
                               rate(q) * static_cast<double>(o[k].offchip_bits);
                        if (k > 0)
                            v[k] = std::min(v[k], v[k - 1]);
                    }
                }
        }
        std::sort(candidates_.begin(), candidates_.end());
        candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
    }

    /// A lower bound on the II of the layers [a, b) as one partition; 0 when
    /// even the relaxation does not fit (no design of these layers fits).
    count_t ii(int a, int b) const {
        const double act = activation_bits(net_, a, b);
        const count_t mem = memory_cycles(act, bpc_);
        // the slowest of the layers' fastest options
        count_t start = 0;
        for (int i = a; i < b; ++i) {
            const auto &o = opts_[static_cast<std::size_t>(i)].options;
            if (o.empty())
                return 0;
            start = std::max(start, o.front().latency);
        }
        auto lo = static_cast<std::size_t>(
            std::lower_bound(candidates_.begin(), candidates_.end(), start) - candidates_.begin());
        std::size_t hi = candidates_.size();
        std::vector<std::size_t> last(static_cast<std::size_t>(b - a), 0);
        auto bits_at = [&](count_t T) {
            const count_t x = bits_within(T, bpc_);
            return x >= unlimited ? unlimited : x - static_cast<count_t>(act);
        };
        auto fits_at = [&](count_t T, count_t bits_budget) {
            usage sum{};
            count_t ram = 0;
            for (int i = a; i < b; ++i) {
                const auto idx = static_cast<std::size_t>(i);
                const auto &o = opts_[idx].options;
                const auto k = static_cast<std::size_t>(
                    std::upper_bound(
                        o.begin(), o.end(), T,
                        [](count_t t, const folding_option &x) { return t < x.latency; }) -
                    o.begin());
                if (k == 0)
                    return false;
                sum += pm_[idx][k - 1];
                ram += pr_[idx][k - 1];
                last[idx - static_cast<std::size_t>(a)] = k;
            }
            usage cap = budget_;
            cap[bits_dim] = bits_budget;
            if (!fits(sum, cap) || ram > ram_cap_)
                return false;
            for (std::size_t q = 0; q < weights_.size(); ++q) {
                double c = 0;
                for (int i = a; i < b; ++i)
                    c += pw_[q][static_cast<std::size_t>(i)]
                            [last[static_cast<std::size_t>(i - a)] - 1];
                if (c > 1 + 1e-9)
                    return false;
            }
            if (!coupled_ || bits_budget >= unlimited)
                return true;
            for (std::size_t q = 0; q < rates; ++q) {
                double c = 0;
                for (int i = a; i < b; ++i)
                    c += pc_[q][static_cast<std::size_t>(i)]
                            [last[static_cast<std::size_t>(i - a)] - 1];
                if (c > static_cast<double>(ram_cap_) + rate(q) * static_cast<double>(bits_budget) +
                            1e-6)
                    return false;
            }
            return true;
        };
        if (hi == 0 || !fits_at(candidates_.back(), unlimited))
            return 0;
        // the first latency the resources allow (memory unlimited)
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (fits_at(candidates_[mid], unlimited))
                hi = mid;
            else
                lo = mid + 1;
        }
        const count_t compute = candidates_[lo];
        if (!coupled_)
            return std::max(compute, mem); // the activation traffic is all the memory
        // coupled: the smallest T whose relaxation fits with at most T memory cycles
        // (compute at the largest latency <= T); memory may lie above every latency
        const count_t top = candidates_.back();
        count_t x = 0, y = 0; // fits at y (compute at latency cx), not at x
        count_t cx = top;
        if (!fits_at(top, bits_at(top))) {
            x = top;
            y = std::max<count_t>(top * 2, 1);
            while (!fits_at(top, bits_at(y))) {
                x = y;
                y *= 2;
                if (y > (count_t{1} << 50))
                    return 0;
            }
        } else {
            std::size_t a2 = lo, b2 = candidates_.size() - 1;
            while (a2 < b2) {
                const std::size_t mid = a2 + (b2 - a2) / 2;
                if (fits_at(candidates_[mid], bits_at(candidates_[mid])))
                    b2 = mid;
                else
                    a2 = mid + 1;
            }
            y = candidates_[a2];
            if (a2 == 0)
                return std::max(y, mem);
            x = candidates_[a2 - 1];
            cx = x; // between two latencies the compute part is at the lower one
        }
        while (x + 1 < y) {
            const count_t mid = x + (y - x) / 2;
            if (fits_at(cx, bits_at(mid)))
                y = mid;
            else
                x = mid;
        }
        return std::max({y, compute, mem});
    }

private:
    static constexpr std::size_t rates = 24;
    /// rho_q = 2^-q Kbit per bit: from 1024 bits of RAM per off-chip bit down
    static double rate(std::size_t q) { return std::ldexp(1.0, -static_cast<int>(q)); }

    const network &net_;
    std::span<const layer_options> opts_;
    usage budget_;
    count_t ram_cap_ = 0;
    double bpc_ = 0;
    bool coupled_ = false;
    std::vector<std::vector<usage>> pm_;
    std::vector<std::vector<count_t>> pr_;
    std::vector<std::vector<std::vector<double>>>
        pc_; ///< [rate][layer][option] prefix minima of ram + rho * bits
    std::vector<std::array<double, 6>> weights_; ///< resource pairs: weight per budget unit
    std::vector<std::vector<std::vector<double>>>
        pw_; ///< [pair weight][layer][option] prefix minima
    std::vector<count_t> candidates_;
};

/// One range searched exactly.
struct range_design {
    bool done = false;
    bool found = false;
    bool proven_infeasible = false;
    std::vector<::hass::folding> folding; ///< the range's layers, from 0
    count_t ii = 0;
    count_t lower_bound = 0;
    double time_s = std::numeric_limits<double>::infinity(); ///< (II * B + depth) / clock
    std::string message;
};

} // namespace detail::fold_search

/// Cuts a network into partitions and folds each (see the top of this file).
template <cost::cost_model Cost = cost::hass>
inline partitioned_search_result search_partitioned(const network &net, const board &b,
                                                    algorithm algo, const search_options &so = {}) {
    namespace fs = detail::fold_search;
    const auto t0 = std::chrono::steady_clock::now();
    partitioned_search_result out;
    out.algo = std::string(to_string(algo));
    out.batch = std::max<count_t>(so.batch, 1);
    const int n = static_cast<int>(net.size());
    const resources budget = b.capped(so.cap);
    const double bpc = fs::bits_per_cycle(b);
    const double clock = b.clock_hz();
    const auto B = static_cast<double>(out.batch);
    const fs::usable_options usable = fs::make_usable_options<Cost>(net, b, so);
    out.evaluations = usable.evaluations;
    if (!usable.alone.empty()) {
        out.message = detail::cat("no design fits: ", usable.alone, "; no partitioning helps");
        out.search_ms = fs::elapsed_ms(t0);
        return out;
    }
    const std::span<const layer_options> all(usable.layers);
    search_options quiet = so;
    quiet.progress = {};
    // the cost table: the smallest II only, with a tenth of the branch-and-bound nodes
    search_options costing = quiet;
    costing.node_limit = std::max<count_t>(so.node_limit / 10, 1);

    auto what_of = [&](int a, int c) { return detail::cat(net.name.view(), " layers ", a, "..", c - 1); };
    auto context_of = [&](int a, int c, const search_options &o) {
        fs::context cx = fs::make_context<Cost>(net, b, o, all.subspan(static_cast<std::size_t>(a),
                                                                       static_cast<std::size_t>(c - a)),
                                                a, c);
        cx.what = what_of(a, c);
        return cx;
    };

    // --- candidate cuts -----------------------------------------------------------
    const std::vector<int> cross = fs::crossing_tensors(net);
    std::vector<bool> candidate(static_cast<std::size_t>(n) + 1, false);
    candidate[0] = candidate[static_cast<std::size_t>(n)] = true;
    // a split keeps its consumers, and an eltwise or concat its producers, in its
    // own partition (fpgaConvNet cannot express a multi-port layer cut in two)
    std::vector<bool> straddled(static_cast<std::size_t>(n) + 1, false);
    for (int i = 0; i < n; ++i) {
        const layer &l = net.layers[static_cast<std::size_t>(i)];
        const bool multi_in = l.type == layer_type::eltwise || l.type == layer_type::concat;
        for (int src : l.inputs) {
            if (src < 0) continue;
            const bool multi_out = net.layers[static_cast<std::size_t>(src)].type == layer_type::split;
            if (multi_in || multi_out)
                for (int k = src + 1; k <= i; ++k) straddled[static_cast<std::size_t>(k)] = true;
        }
    }
    for (int k = 1; k < n; ++k)
        if (cross[static_cast<std::size_t>(k)] <= std::max(so.max_crossing, 1) && !straddled[static_cast<std::size_t>(k)])
            candidate[static_cast<std::size_t>(k)] = true;
    const fs::range_bounds bounds(net, all, fs::budget_usage(budget, so.bram_to_lut), bpc);
    {
        // a stretch between two candidates that cannot fit even relaxed gets every position
        int prev = 0;
        for (int k = 1; k <= n; ++k) {
            if (!candidate[static_cast<std::size_t>(k)])
                continue;
            if (k - prev > 1 && bounds.ii(prev, k) == 0)
                for (int j = prev + 1; j < k; ++j)
                    candidate[static_cast<std::size_t>(j)] = !straddled[static_cast<std::size_t>(j)];
            prev = k;
        }
    }

    std::vector<std::vector<fs::range_design>> exact; // [i][j] over candidate indices
    std::vector<int> pos;
    std::vector<int> path; // candidate indices from 0 to the end
    auto exact_cost = [&](std::size_t i, std::size_t j) -> const fs::range_design & {
        fs::range_design &d = exact[i][j];
        if (d.done)
            return d;
        d.done = true;
        ++out.ranges_searched;
        const int a = pos[i], c = pos[j];
        fs::reserved_outcome o = fs::run_reserved<Cost>(
            net, b, costing, all.subspan(static_cast<std::size_t>(a), static_cast<std::size_t>(c - a)), a, c,
            algorithm::optimal, what_of(a, c), true);
        out.evaluations += o.range.evaluations;
        d.found = o.found;
        d.proven_infeasible = o.range.proven_infeasible;
        d.message = std::move(o.range.message);
        if (o.found) {
            d.ii = o.report.ii;
            d.lower_bound = o.range.lower_bound;
            d.time_s = o.report.batch_time(out.batch);
            d.folding = std::move(o.range.folding);
        }
        return d;
    };

    for (int attempt = 0; attempt < 2 && path.empty(); ++attempt) {
        if (attempt == 1) {
            // no path over the candidates: every position becomes one
            bool all_set = true;
            for (bool c : candidate)
                all_set = all_set && c;
            if (all_set)
                break;
            for (std::size_t k = 0; k < candidate.size(); ++k) candidate[k] = !straddled[k];
        }
        pos.clear();
        for (int k = 0; k <= n; ++k)
            if (candidate[static_cast<std::size_t>(k)])
                pos.push_back(k);
        const std::size_t m = pos.size();
        out.candidate_cuts = static_cast<count_t>(m) - 2;
        exact.assign(m, std::vector<fs::range_design>(m));
        // lower bounds of every range, in seconds (infinity: nothing fits)
        const double inf = std::numeric_limits<double>::infinity();
        std::vector<std::vector<double>> lb(m, std::vector<double>(m, inf));
        for (std::size_t i = 0; i < m; ++i) {
            for (std::size_t j = i + 1; j < m; ++j) {
                const count_t ii = bounds.ii(pos[i], pos[j]);
                ++out.ranges_bounded;
                if (ii == 0)
                    break; // longer ranges from i do not fit either
                lb[i][j] = static_cast<double>(ii) * B / clock;
            }
        }
        auto reconf = [&](std::size_t j) { return j + 1 < m ? b.reconf_time_s : 0.0; };
        // heuristic: the cheapest completion by lower bounds
        std::vector<double> h(m, inf);
        h[m - 1] = 0;
        for (std::size_t i = m - 1; i-- > 0;)
            for (std::size_t j = i + 1; j < m; ++j)
                if (lb[i][j] < inf && h[j] < inf)
                    h[i] = std::min(h[i], lb[i][j] + reconf(j) + h[j]);
        if (h[0] == inf)
            continue;
        // A* with lazily exact edges
        using entry = std::tuple<double, int, std::size_t, std::size_t>; // f, exact (0/1), from, to
        std::priority_queue<entry, std::vector<entry>, std::greater<>> queue;
        std::vector<double> g(m, inf);
        std::vector<std::size_t> parent(m, 0);
        std::vector<bool> settled(m, false);
        std::vector<std::size_t> infeasible_from(m, m); // [i][j'] fails for j' >= this (proven)
        auto expand = [&](std::size_t i) {
            for (std::size_t j = i + 1; j < m; ++j)
                if (lb[i][j] < inf && h[j] < inf && !settled[j])
                    queue.emplace(g[i] + lb[i][j] + reconf(j) + h[j], 0, i, j);
        };
        g[0] = 0;
        settled[0] = true;
        expand(0);
        std::size_t best_pos = 0;
        while (!queue.empty()) {
            const auto [f, is_exact, i, j] = queue.top();
            queue.pop();
            if (settled[j])
                continue;
            if (!is_exact) {
                if (j >= infeasible_from[i])
                    continue;
                const fs::range_design &d = exact_cost(i, j);
                if (!d.found) {
                    if (d.proven_infeasible)
                        infeasible_from[i] = std::min(infeasible_from[i], j);
                    continue;
                }
                queue.emplace(g[i] + d.time_s + reconf(j) + h[j], 1, i, j);
                continue;
            }
            settled[j] = true;
            g[j] = f - h[j];
            parent[j] = i;
            if (pos[j] > pos[best_pos]) {
                best_pos = j;
                if (so.progress)
                    so.progress(0.9 * static_cast<double>(pos[j]) / static_cast<double>(n));
            }
            if (j == m - 1)
                break;
            expand(j);
        }
        if (!settled[m - 1])
            continue;
        for (std::size_t j = m - 1; j != 0; j = parent[j])
            path.push_back(static_cast<int>(j));
        path.push_back(0);
        std::reverse(path.begin(), path.end());
        if (exact[0][m - 1].done && exact[0][m - 1].found)
            out.single_batch_time_s = exact[0][m - 1].time_s;
    }

    if (path.empty()) {
        // name why: the whole network in one partition, as the single search says
        const auto cx = context_of(0, n, quiet);
        fs::optimal_outcome o = fs::run_optimal(cx, true);
        out.message =
            detail::cat("no design fits: no partitioning into ranges of layers fits board '",
                        b.name, "'", o.found ? std::string() : detail::cat(" (", o.message, ")"));
        out.search_ms = fs::elapsed_ms(t0);
        return out;
    }

    // --- fold the chosen partitions with the requested algorithm ---------------------
    out.folding = unit_folding(net);
    for (std::size_t k = 0; k + 1 < path.size(); ++k) {
        const auto i = static_cast<std::size_t>(path[k]), j = static_cast<std::size_t>(path[k + 1]);
        const int a = pos[i], c = pos[j];
        if (k > 0)
            out.cuts.push_back(a);
        const auto cx = context_of(a, c, quiet);
        fs::reserved_outcome ro = fs::run_reserved<Cost>(
            net, b, quiet, all.subspan(static_cast<std::size_t>(a), static_cast<std::size_t>(c - a)), a, c, algo,
            what_of(a, c));
        fs::range_outcome& r = ro.range;
        out.evaluations += r.evaluations;
        const fs::range_design &fast = exact[i][j];
        std::vector<folding> local = r.found ? std::move(r.folding) : fast.folding;
        // both bounds are proven for these layers: keep the larger
        const count_t bound = std::max(r.found ? r.lower_bound : 0, fast.lower_bound);
        if (algo == algorithm::optimal && r.found) {
            // the full search never does worse than the fast one; keep the better anyway
            const design_report full = cx.evaluate_local(local);
            if (!full.fits || full.batch_time(out.batch) > fast.time_s)
                local = fast.folding;
        }
        std::copy(local.begin(), local.end(), out.folding.begin() + a);
        out.ii_lower_bound.push_back(bound);
        if (so.progress)
            so.progress(0.9 +
                        0.1 * static_cast<double>(k + 1) / static_cast<double>(path.size() - 1));
    }
    evaluation_options eval;
    eval.cap = so.cap;
    eval.batch = so.batch;
    eval.bram_to_lut = so.bram_to_lut;
    out.report = evaluate_partitions<Cost>(net, out.folding, b, out.cuts, eval);
    out.batch_time_s = out.report.batch_time(out.batch);
    out.throughput = out.report.throughput(out.batch);
    out.found = out.report.fits();
    out.search_ms = fs::elapsed_ms(t0);
    if (!out.found) {
        out.message = detail::cat("internal: a partition of the ", out.algo, " design of ",
                                  net.name.view(), " exceeds the budget of ", b.name);
        out.folding.clear();
        return out;
    }
    out.message = detail::cat(out.algo, ": ", out.partitions(),
                              out.partitions() == 1 ? " partition" : " partitions", ", batch of ",
                              out.batch, " in ", detail::fixed(out.batch_time_s * 1e3, 1), " ms (",
                              detail::fixed(out.throughput, 1), " images/s) on ", b.name);
    if (so.progress)
        so.progress(1.0);
    return out;
}

} // namespace hass
