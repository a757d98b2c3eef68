// The optimal search's feasibility solver: targets, relaxations, the solver class and its
// driver (decide); its constructions live in search/optimal/: lagrangian.hpp (weighted sums),
// repair.hpp (repair and eject), knapsack.hpp, branch_bound.hpp.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include "hass/search/design_state.hpp"

namespace hass::detail::fold_search {

// ---------------------------------------------------------------------------
// The exact-enough feasibility search of the optimal algorithm
// ---------------------------------------------------------------------------

enum class verdict { feasible, infeasible, unknown };

/// On-chip RAM capacity in Kbit: 18 per BRAM18, 288 per URAM.
constexpr count_t ram_kbits(const resources& r) noexcept { return 18 * r.bram18 + 288 * r.uram; }
constexpr count_t ram_kbits(const usage& u) noexcept { return 18 * u[3] + 288 * u[4]; }

/// A target of the optimal search: every layer and squeeze within `compute`
/// cycles, the off-chip traffic within `memory` cycles (so II <= memory).
struct target {
    count_t compute = 0;
    count_t memory = 0;
};

class optimal_solver {
public:
    /// `opts` holds the options of the layers [g.first, g.last), indexed from 0.
    /// With `bits_per_cycle` > 0 and off-chip options present, the off-chip bits
    /// are a sixth summed quantity whose budget at memory target T is the most
    /// bits memory_ii allows, minus `fixed_bits` (the activation traffic).
    /// `memory_above_compute`: a design may be slower than its slowest layer
    /// because of its off-chip traffic (hass); false when the traffic must fit
    /// at the compute II (fpgaConvNet).
    optimal_solver(const network& net, const graph& g, std::span<const layer_options> opts, const usage& limits,
                   const search_options& so, double bits_per_cycle = 0, double fixed_bits = 0,
                   bool memory_above_compute = true)
        : net_(net), g_(g), opts_(opts), so_(so), node_limit_(so.node_limit), bpc_(bits_per_cycle),
          fixed_bits_(fixed_bits) {
        const std::size_t n = opts.size();
        base_ = limits;
        base_[bits_dim] = unlimited;
        use_.resize(n);
        prefix_min_.resize(n);
        prefix_ram_.resize(n);
        double max_bits = fixed_bits;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& o = opts[i].options;
            auto& us = use_[i];
            auto& pm = prefix_min_[i];
            auto& pr = prefix_ram_[i];
            us.resize(o.size());
            pm.resize(o.size());
            pr.resize(o.size());
            count_t most = 0;
            for (std::size_t k = 0; k < o.size(); ++k) {
                us[k] = to_usage(o[k]);
                most = std::max(most, o[k].offchip_bits);
                pm[k] = us[k];
                pr[k] = ram_kbits(us[k]);
                if (k > 0) {
                    for (std::size_t r = 0; r < dims; ++r) pm[k][r] = std::min(pm[k][r], pm[k - 1][r]);
                    pr[k] = std::min(pr[k], pr[k - 1]);
                }
            }
            if (most > 0) coupled_ = true;
            max_bits += static_cast<double>(most);
        }
        // per layer, whether each option is on its Pareto front (decide's filter, in O(1))
        on_front_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            on_front_[i].assign(opts[i].options.size(), 0);
            for (int j : opts[i].front) on_front_[i][static_cast<std::size_t>(j)] = 1;
        }
        coupled_ = coupled_ && bpc_ > 0;
        budget_ = base_;
        for (const auto& lo : opts)
            for (const auto& o : lo.options) candidates_.push_back(o.latency);
        std::sort(candidates_.begin(), candidates_.end());
        candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
        for (count_t c : candidates_) targets_.push_back({c, c});
        if (coupled_ && !candidates_.empty() && memory_above_compute) {
            // every design, however much it keeps off chip, meets this memory target
            const count_t top = memory_cycles(max_bits, bpc_);
            if (top > candidates_.back()) targets_.push_back({candidates_.back(), top});
        }
    }

    const std::vector<count_t>& candidates() const noexcept { return candidates_; }
    /// The targets the bisection runs over: (c, c) for every candidate latency c,
    /// and when off-chip bits can exceed the slowest latency, (slowest, memory_ii
    /// with every weight off chip) last.
    const std::vector<target>& targets() const noexcept { return targets_; }
    /// The off-chip bits are a constrained quantity (some option keeps weights off chip).
    bool coupled() const noexcept { return coupled_; }
    count_t nodes() const noexcept { return nodes_total_; }
    /// Branch-and-bound nodes allowed per target (search_options::node_limit by default).
    void set_node_limit(count_t limit) noexcept { node_limit_ = limit; }
    /// A design found before (one option index per layer): a start for the repair.
    void set_hint(std::vector<int> choice) { hint_ = std::move(choice); }

    /// Number of options of layer i with latency <= T (a prefix of the sorted list).
    std::size_t count(std::size_t i, count_t T) const {
        const auto& o = opts_[i].options;
        return static_cast<std::size_t>(
            std::upper_bound(o.begin(), o.end(), T, [](count_t t, const folding_option& x) { return t < x.latency; }) -
            o.begin());
    }

    /// The off-chip weight bits allowed at memory target T (unlimited when not coupled).
    count_t bits_budget(count_t T) const {
        if (!coupled_) return unlimited;
        const count_t bits = bits_within(T, bpc_);
        return bits >= unlimited ? unlimited : bits - static_cast<count_t>(fixed_bits_);
    }

    /// The per-quantity relaxation: sum over layers of each quantity's minimum
    /// (over options of latency <= T). Empty when a layer has no such option.
    std::optional<usage> relaxation(count_t T) const {
        usage sum{};
        for (std::size_t i = 0; i < opts_.size(); ++i) {
            const std::size_t k = count(i, T);
            if (k == 0) return std::nullopt;
            sum += prefix_min_[i][k - 1];
        }
        return sum;
    }
    /// The same relaxation of the on-chip RAM capacity, BRAM18 and URAM together
    /// (in Kbit): weights may move between the two, but not beyond their sum.
    count_t ram_relaxation(count_t T) const {
        count_t sum = 0;
        for (std::size_t i = 0; i < opts_.size(); ++i) {
            const std::size_t k = count(i, T);
            if (k > 0) sum += prefix_ram_[i][k - 1];
        }
        return sum;
    }
    count_t ram_budget() const noexcept { return ram_kbits(base_); }
    bool relaxation_fits(count_t T) const { return relaxation_fits(T, T); }
    bool relaxation_fits(count_t Tc, count_t Tm) const {
        const auto r = relaxation(Tc);
        if (!r) return false;
        usage b = base_;
        b[bits_dim] = bits_budget(Tm);
        if (!fits(*r, b) || ram_relaxation(Tc) > ram_budget()) return false;
        if (!coupled_) return true;
        // on-chip RAM and off-chip bits together: a layer saves RAM only by
        // spending bits, so weighted sums of the two relative uses must fit
        std::vector<std::vector<int>> all(opts_.size());
        for (std::size_t i = 0; i < opts_.size(); ++i) {
            const std::size_t k = count(i, Tc);
            all[i].resize(k);
            for (std::size_t j = 0; j < k; ++j) all[i][j] = static_cast<int>(j);
        }
        return ram_bits_fit(all, b[bits_dim]);
    }

    /// The most off-chip memory cycles any design can need (every weight off chip).
    count_t max_memory_ii() const noexcept { return targets_.empty() ? 0 : targets_.back().memory; }

    /// Is there a design with every layer (and squeeze) at latency <= T within budget?
    verdict feasible(count_t T, std::vector<int>& choice) { return feasible(T, T, choice); }

    /// Is there a design with every layer and squeeze at latency <= Tc and
    /// memory_ii <= Tm (when coupled) within budget?
    verdict feasible(count_t Tc, count_t Tm, std::vector<int>& choice) {
        // a target asked again: a proof stands; an undecided one stays undecided
        // unless the branch-and-bound may now search longer
        for (const auto& m : memo_)
            if (m.Tc == Tc && m.Tm == Tm) {
                if (m.v == verdict::infeasible) return m.v;
                if (m.v == verdict::feasible) {
                    choice = m.choice;
                    return m.v;
                }
                if (m.nodes >= node_limit_) return verdict::unknown;
            }
        const verdict v = decide(Tc, Tm, choice);
        memo_.push_back({Tc, Tm, v, node_limit_, v == verdict::feasible ? choice : std::vector<int>{}});
        return v;
    }

private:
    struct memo_entry {
        count_t Tc, Tm;
        verdict v;
        count_t nodes;
        std::vector<int> choice;
    };
    std::vector<memo_entry> memo_;
    std::vector<usage> lmin_; ///< decide: per layer, the least use of each quantity among its candidates
    std::vector<std::vector<char>> on_front_; ///< per layer and option: on the layer's Pareto front

    verdict decide(count_t Tc, count_t Tm, std::vector<int>& choice) {
        const std::size_t n = opts_.size();
        budget_ = base_;
        budget_[bits_dim] = bits_budget(Tm);
        if (budget_[bits_dim] < 0) return verdict::infeasible; // the activations alone exceed Tm
        // candidates per layer: latency <= Tc and stream counts that keep squeezes within Tc
        // (the per-layer vectors keep their storage from call to call)
        exact_.resize(n);
        for (auto& c : exact_) c.clear();
        stream_cut_.assign(n, false);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = count(i, Tc);
            const count_t need_in = g_.in_size[i] > 0 ? ceil_div(g_.in_size[i], Tc) : 0;
            const count_t need_out = g_.out_size[i] > 0 ? ceil_div(g_.out_size[i], Tc) : 0;
            stream_cut_[i] = false;
            for (std::size_t j = 0; j < k; ++j) {
                const auto& o = opts_[i].options[j];
                if (o.streams_in >= need_in && o.streams_out >= need_out)
                    exact_[i].push_back(static_cast<int>(j));
                else
                    stream_cut_[i] = true;
            }
            if (exact_[i].empty()) return verdict::infeasible;
        }
        // reduction: drop options that cannot fit even with every other layer at its minimum
        lmin_.resize(n);
        std::vector<usage>& lmin = lmin_;
        for (int pass = 0; pass < 3; ++pass) {
            usage mins{};
            count_t ram = 0;
            for (std::size_t i = 0; i < n; ++i) {
                lmin[i] = layer_min(i, exact_[i]);
                mins += lmin[i];
                count_t m = std::numeric_limits<count_t>::max();
                for (int j : exact_[i]) m = std::min(m, ram_kbits(use(i, j)));
                ram += m;
            }
            if (!fits(mins, budget_) || ram > ram_budget()) return verdict::infeasible;
            if (coupled_ && !ram_bits_fit(exact_, budget_[bits_dim])) return verdict::infeasible;
            bool changed = false;
            for (std::size_t i = 0; i < n; ++i) {
                auto& c = exact_[i];
                const std::size_t before = c.size();
                std::erase_if(c, [&](int j) {
                    const usage& u = use(i, j);
                    for (std::size_t r = 0; r < dims; ++r)
                        if (u[r] - lmin[i][r] > budget_[r] - mins[r]) return true;
                    return false;
                });
                if (c.empty()) return verdict::infeasible;
                changed = changed || c.size() != before;
            }
            if (!changed) break;
        }
        // the plain Pareto front among the remaining options (for the heuristics); it
        // holds an option at least as good as each candidate unless the stream
        // filter removed a dominating one, in which case all candidates are scanned
        front_.resize(n);
        for (auto& c : front_) c.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (stream_cut_[i]) {
                front_[i] = exact_[i];
                continue;
            }
            const auto& on = on_front_[i];
            for (int j : exact_[i])
                if (on[static_cast<std::size_t>(j)] != 0) front_[i].push_back(j);
            if (front_[i].empty()) front_[i] = exact_[i];
        }
        const verdict v = lagrange(choice);
        if (v != verdict::unknown) return v;
        if (repair(choice, best_)) return verdict::feasible;
        if (hint_.size() == n) {
            // the last design found (at a larger target), its too slow layers
            // replaced by their cheapest candidates, is often close to a fit
            std::vector<int> start = hint_;
            for (std::size_t i = 0; i < n; ++i) {
                if (std::binary_search(exact_[i].begin(), exact_[i].end(), start[i])) continue;
                start[i] = front_[i].front();
                for (int j : front_[i])
                    if (weighted(use(i, j)) < weighted(use(i, start[i]))) start[i] = j;
            }
            if (repair(choice, start)) return verdict::feasible;
        }
        const verdict k = knapsack(choice);
        if (k != verdict::unknown) return k;
        if (!knap_best_.empty() && repair(choice, knap_best_)) return verdict::feasible;
        return branch_and_bound(choice);
    }

public:

    /// fpgaConvNet's rule that the off-chip traffic fits at the compute II: a
    /// choice whose traffic needs more cycles than its slowest layer or
    /// squeeze takes is slowed on purpose. One layer takes a slower option
    /// (the same stream counts, so no squeeze changes; latency at most Tc)
    /// that brings the compute II up to what the traffic needs, the fastest
    /// such II first, then the least weighted resources. False when no single
    /// layer can (the choice is left as it was).
    bool pad(std::vector<int>& choice, count_t Tc) {
        if (!coupled_) return true;
        const std::size_t n = opts_.size();
        count_t compute = 0;
        count_t bits = 0;
        for (std::size_t i = 0; i < n; ++i) {
            compute = std::max(compute, opt(i, choice[i]).latency);
            bits += use(i, choice[i])[bits_dim];
        }
        for (const edge& e : g_.edges) {
            const auto p = static_cast<std::size_t>(e.producer), c = static_cast<std::size_t>(e.consumer);
            const count_t a = opt(p, choice[p]).streams_out, b = opt(c, choice[c]).streams_in;
            if (a != b) compute = std::max(compute, squeeze_on(net_, g_, e, a, b).latency);
        }
        if (bits <= bits_budget(compute)) return true;
        usage total = layers_total(choice) + squeezes(choice);
        usage limit = base_;
        limit[bits_dim] = unlimited;
        std::size_t bi = n;
        int bj = -1;
        count_t best_ii = 0;
        double best_w = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const folding_option& cur = opt(i, choice[i]);
            const std::size_t k = count(i, Tc);
            for (std::size_t j = 0; j < k; ++j) {
                const folding_option& o = opts_[i].options[j];
                if (o.latency <= compute || o.streams_in != cur.streams_in || o.streams_out != cur.streams_out) continue;
                if (bi < n && o.latency > best_ii) continue;
                const count_t b = bits - use(i, choice[i])[bits_dim] + use(i, static_cast<int>(j))[bits_dim];
                if (b > bits_budget(o.latency)) continue;
                const usage t = total - use(i, choice[i]) + use(i, static_cast<int>(j));
                if (!fits(t, limit)) continue;
                const double w = weighted(t);
                if (bi == n || o.latency < best_ii || w < best_w) {
                    bi = i;
                    bj = static_cast<int>(j);
                    best_ii = o.latency;
                    best_w = w;
                }
            }
        }
        if (bi == n) return false;
        choice[bi] = bj;
        return true;
    }

    /// Lowers the pipeline depth (in steps of `depth_unit` cycles, when > 0),
    /// then the DSP, then the off-chip weight bits, then the sum of relative
    /// resource use of a design within budget without letting any layer or
    /// squeeze exceed Tc, nor memory_ii Tm: single-layer moves that keep the
    /// whole design, squeezes included, within budget. A batch of B images
    /// takes II B + D cycles, so a depth step is worth a fixed share of it.
    void polish(std::vector<int>& choice, count_t Tc, count_t Tm, double depth_unit = 0, double depth_scale = 0) {
        const std::size_t n = opts_.size();
        budget_ = base_;
        budget_[bits_dim] = bits_budget(Tm);
        std::array<double, dims> inv{};
        for (std::size_t r = 0; r < dims; ++r) {
            const count_t b = budget_[r];
            inv[r] = b > 0 && b < unlimited ? 1.0 / static_cast<double>(b) : 0.0;
        }
        auto score = [&](const usage& u) {
            double v = 0;
            for (std::size_t r = 0; r < dims; ++r) v += static_cast<double>(u[r]) * inv[r];
            return v;
        };
        auto edges_with = [&](std::size_t i, const folding_option& o) {
            usage sum{};
            for (int e : g_.incident[i]) {
                const edge& ed = g_.edges[static_cast<std::size_t>(e)];
                const auto p = static_cast<std::size_t>(ed.producer), c = static_cast<std::size_t>(ed.consumer);
                const count_t a = p == i ? o.streams_out : opt(p, choice[p]).streams_out;
                const count_t b = c == i ? o.streams_in : opt(c, choice[c]).streams_in;
                if (a != b) sum += to_usage(squeeze_on(net_, g_, ed, a, b).used);
            }
            return sum;
        };
        usage total = layers_total(choice) + squeezes(choice);
        for (int pass = 0; pass < 3; ++pass) {
            bool changed = false;
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t k = count(i, Tc);
                const count_t need_in = g_.in_size[i] > 0 ? ceil_div(g_.in_size[i], Tc) : 0;
                const count_t need_out = g_.out_size[i] > 0 ? ceil_div(g_.out_size[i], Tc) : 0;
                const folding_option& cur = opt(i, choice[i]);
                const usage cur_all = use(i, choice[i]) + edges_with(i, cur);
                const usage base = total - cur_all;
                int bj = choice[i];
                usage best = cur_all;
                double best_score = score(cur_all);
                auto depth_step = [&](const folding_option& o) {
                    return depth_unit > 0 ? std::floor((o.depth + depth_scale * o.depth_ii) / depth_unit) : 0.0;
                };
                double best_depth = depth_step(cur);
                for (std::size_t j = 0; j < k; ++j) {
                    const folding_option& o = opts_[i].options[j];
                    if (static_cast<int>(j) == choice[i]) continue;
                    const double dj = depth_step(o);
                    if (dj > best_depth || (dj == best_depth && o.used.dsp > best[0])) continue;
                    if (o.streams_in < need_in || o.streams_out < need_out) continue;
                    const usage all = use(i, static_cast<int>(j)) + edges_with(i, o);
                    if (!fits(base + all, budget_)) continue;
                    const double sc = score(all);
                    // fewer DSP; then weights on chip where the RAM allows; then less of everything
                    const bool better =
                        dj < best_depth ||
                        all[0] < best[0] ||
                        (all[0] == best[0] && (all[bits_dim] < best[bits_dim] ||
                                               (all[bits_dim] == best[bits_dim] && sc < best_score - 1e-12)));
                    if (better) {
                        bj = static_cast<int>(j);
                        best = all;
                        best_score = sc;
                        best_depth = dj;
                    }
                }
                if (bj != choice[i]) {
                    choice[i] = bj;
                    total = base + best;
                    changed = true;
                }
            }
            if (!changed) break;
        }
    }

private:
    usage layer_min(std::size_t i, const std::vector<int>& c) const {
        usage m = use(i, c.front());
        for (int j : c)
            for (std::size_t r = 0; r < dims; ++r) m[r] = std::min(m[r], use(i, j)[r]);
        return m;
    }

    const folding_option& opt(std::size_t i, int j) const { return opts_[i].options[static_cast<std::size_t>(j)]; }
    const usage& use(std::size_t i, int j) const { return use_[i][static_cast<std::size_t>(j)]; }

    /// Weighted sums of relative on-chip RAM and off-chip bits: every design
    /// within budget has sum_i (l * ram_i / RAM + (1 - l) * bits_i / BITS) <= 1
    /// for every l in [0, 1]; false when some l proves that impossible.
    bool ram_bits_fit(const std::vector<std::vector<int>>& cand, count_t bits_cap) const {
        // l * ram / RAM + (1 - l) * bits / BITS <= 1 for each weight l: the four
        // sums of the layers' least weighted use, built in one pass over the
        // candidates (a sum only grows, so the first one past 1 decides)
        constexpr std::array<double, 4> weights{0.25, 0.5, 0.75, 0.9};
        const auto ram_cap = static_cast<double>(ram_budget());
        std::array<double, 4> sum{};
        for (std::size_t i = 0; i < cand.size(); ++i) {
            std::array<double, 4> m;
            m.fill(std::numeric_limits<double>::infinity());
            for (int j : cand[i]) {
                const usage& u = use(i, j);
                double b = 0, r = 0;
                if (u[bits_dim] > 0) {
                    if (bits_cap <= 0) continue;
                    b = static_cast<double>(u[bits_dim]) / static_cast<double>(bits_cap);
                }
                if (const count_t ram = ram_kbits(u); ram > 0) {
                    if (ram_cap <= 0) continue;
                    r = static_cast<double>(ram) / ram_cap;
                }
                for (std::size_t k = 0; k < weights.size(); ++k)
                    m[k] = std::min(m[k], (1 - weights[k]) * b + weights[k] * r);
            }
            for (std::size_t k = 0; k < weights.size(); ++k) {
                sum[k] += m[k];
                if (sum[k] > 1 + 1e-9) return false;
            }
        }
        return true;
    }

    double weighted(const usage& u) const noexcept {
        double s = 0;
        for (std::size_t r = 0; r < dims; ++r) s += w_[r] * static_cast<double>(u[r]) * inv_[r];
        return s;
    }

    /// Resources of the squeezes of a complete choice.
    usage squeezes(const std::vector<int>& choice) const {
        resources s{};
        for (const edge& e : g_.edges) {
            const auto& a = opt(static_cast<std::size_t>(e.producer), choice[static_cast<std::size_t>(e.producer)]);
            const auto& b = opt(static_cast<std::size_t>(e.consumer), choice[static_cast<std::size_t>(e.consumer)]);
            if (a.streams_out != b.streams_in) s += squeeze_on(net_, g_, e, a.streams_out, b.streams_in).used;
        }
        return to_usage(s);
    }

    usage layers_total(const std::vector<int>& choice) const {
        usage t{};
        for (std::size_t i = 0; i < choice.size(); ++i) t += use(i, choice[i]);
        return t;
    }

    /// Stream alignment: a layer without weights (an activation, a pool, a split,
    /// an eltwise) costs little itself, but a squeeze on either side can cost
    /// thousands of LUTs. Each such layer takes the candidate of least weighted
    /// cost of itself and its squeezes, given its neighbours (forward, then
    /// backward, so a chain of them follows the layers with weights).
    void align(std::vector<int>& cur) const {
        const std::size_t n = opts_.size();
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t step = 0; step < n; ++step) {
                const std::size_t i = pass == 0 ? step : n - 1 - step;
                if (net_.layers[i + static_cast<std::size_t>(g_.first)].has_weights() || exact_[i].size() < 2) continue;
                bool matched = true;
                for (int e : g_.incident[i]) {
                    const edge& ed = g_.edges[static_cast<std::size_t>(e)];
                    const auto p = static_cast<std::size_t>(ed.producer), q = static_cast<std::size_t>(ed.consumer);
                    matched = matched && opt(p, cur[p]).streams_out == opt(q, cur[q]).streams_in;
                }
                if (matched) continue; // no squeeze around it: nothing to align
                double best = std::numeric_limits<double>::infinity();
                int bj = cur[i];
                for (int j : exact_[i]) {
                    const folding_option& o = opt(i, j);
                    double c = weighted(use(i, j));
                    for (int e : g_.incident[i]) {
                        const edge& ed = g_.edges[static_cast<std::size_t>(e)];
                        const auto p = static_cast<std::size_t>(ed.producer), q = static_cast<std::size_t>(ed.consumer);
                        const count_t a = p == i ? o.streams_out : opt(p, cur[p]).streams_out;
                        const count_t b = q == i ? o.streams_in : opt(q, cur[q]).streams_in;
                        if (a != b) c += weighted(to_usage(squeeze_on(net_, g_, ed, a, b).used));
                    }
                    if (c < best - 1e-12) {
                        best = c;
                        bj = j;
                    }
                }
                cur[i] = bj;
            }
    }

    /// Weighted-sum construction: each round every layer takes its option of least
    /// sum_r w_r * R_r / budget_r; the weights of overflowing quantities rise.
    verdict lagrange(std::vector<int>& choice);

    /// Local search from the least-overflowing construction: single-layer moves
    /// that lower a soft maximum of the relative use, log sum_r (R_r / budget_r)^p,
    /// for growing p; succeeds when everything fits.
    bool repair(std::vector<int>& choice, const std::vector<int>& start);

    /// Two-layer moves for a design single moves cannot fix: a move that brings
    /// the overflowing quantities within budget, paired with a move on another
    /// layer that lowers what the first one pushed over. True (and `cur`
    /// updated) when the whole design, squeezes included, then fits.
    bool eject(std::vector<int>& cur) const;

    /// Dynamic programme over one resource (URAM when the board has it, else
    /// BRAM18): for every total of that resource, the least weighted cost of the
    /// others. Exact in that resource (in buckets above 8192 units), Lagrangian in
    /// the others, whose weights rise when they overflow. A minimum above the sum
    /// of the weights proves infeasibility.
    verdict knapsack(std::vector<int>& choice);

    /// Depth-first branch-and-bound over the stream-exact candidates; squeezes are
    /// charged as soon as both ends of an edge are chosen. Bounded by node_limit.
    verdict branch_and_bound(std::vector<int>& choice);

    bool dfs(std::size_t d, const usage& partial, double wpartial);

    const network& net_;
    const graph& g_;
    std::span<const layer_options> opts_;
    usage base_{};   ///< the board budget; off-chip bits unlimited
    usage budget_{}; ///< the budget at the current target
    const search_options& so_;
    count_t node_limit_ = 0;
    double bpc_ = 0, fixed_bits_ = 0;
    bool coupled_ = false;
    std::vector<std::vector<usage>> use_;
    std::vector<std::vector<usage>> prefix_min_;
    std::vector<std::vector<count_t>> prefix_ram_;
    std::vector<count_t> candidates_;
    std::vector<target> targets_;
    // per-target state
    std::vector<std::vector<int>> exact_, front_;
    std::vector<bool> stream_cut_;
    std::array<double, dims> w_{}, inv_{};
    std::vector<int> best_, knap_best_, hint_;
    double best_over_ = 0;
    std::vector<std::size_t> order_;
    std::vector<usage> suffix_min_;
    std::vector<double> suffix_w_;
    std::vector<count_t> suffix_ram_;
    double sum_w_ = 0;
    std::vector<int> assigned_;
    count_t nodes_ = 0, nodes_total_ = 0;
    bool limit_hit_ = false;
};

/// Why nothing fits, from the relaxation at the slowest target.
inline std::string no_fit_message(const network& net, const board& b, const optimal_solver& s,
                                  const resources& budget, bool proven, std::string_view what = {}) {
    const std::string subject = what.empty() ? std::string(net.name.view()) : std::string(what);
    const count_t slowest = s.candidates().empty() ? 0 : s.candidates().back();
    if (const auto mins = s.relaxation(slowest)) {
        // name the most violated bound: one resource, or the RAM capacity
        double worst = 1.0;
        int which = -1; // resource index, or 5 for the RAM capacity
        for (std::size_t r = 0; r < 5; ++r) {
            const auto k = all_resource_kinds[r];
            if ((*mins)[r] <= budget[k]) continue;
            const double ratio = budget[k] > 0 ? static_cast<double>((*mins)[r]) / static_cast<double>(budget[k])
                                               : std::numeric_limits<double>::infinity();
            if (ratio > worst) {
                worst = ratio;
                which = static_cast<int>(r);
            }
        }
        const count_t ram = s.ram_relaxation(slowest), ram_cap = s.ram_budget();
        if (ram > ram_cap &&
            static_cast<double>(ram) > worst * static_cast<double>(ram_cap))
            which = 5;
        const std::string_view offchip = s.coupled() ? ", weights off chip where allowed" : "";
        if (which == 5)
            return cat(subject, " does not fit ", b.name,
                       " in one partition: its weights and buffers need at least ",
                       fixed(static_cast<double>(ram) / 1024.0, 1),
                       " Mbit of on-chip RAM (BRAM18 and URAM together, every layer at its smallest", offchip,
                       "), the board allows ", fixed(static_cast<double>(ram_cap) / 1024.0, 1),
                       " Mbit after the utilisation cap; split it into partitions",
                       s.coupled() ? "" : " or allow off-chip weights");
        if (which >= 0) {
            const auto k = all_resource_kinds[static_cast<std::size_t>(which)];
            return cat(subject, " does not fit ", b.name, " in one partition: it needs at least ",
                       (*mins)[static_cast<std::size_t>(which)], " ", to_string(k), " (every layer at its smallest ",
                       to_string(k), offchip, "), the board allows ", budget[k],
                       " after the utilisation cap; split it into partitions");
        }
    }
    return cat(subject, " does not fit ", b.name, " in one partition: every resource fits on its own",
               " at the slowest folding, but ",
               proven ? std::string_view("no combination of layer foldings fits all budgets at once")
                      : std::string_view("no combination of layer foldings within budget was found (search limit)"),
               "; split it into partitions");
}


} // namespace hass::detail::fold_search

#include "hass/search/optimal/branch_bound.hpp"
#include "hass/search/optimal/knapsack.hpp"
#include "hass/search/optimal/lagrangian.hpp"
#include "hass/search/optimal/repair.hpp"
