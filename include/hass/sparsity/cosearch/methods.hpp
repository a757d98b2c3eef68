// The co-search's methods on the engine: greedy (with plateau steps, the
// target descent and the give-back pass), tpe, and the random baseline
// (hass/sparsity/cosearch.hpp describes them).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "hass/core/random.hpp"
#include "hass/sparsity/cosearch/engine.hpp"

namespace hass::sparsity {

namespace detail::cosearch {

using ::hass::detail::uniform01;

/// Every threshold of (w, a) raised by 1 to 3 grid steps (within its grid), one
/// at a time: the move set the target descent and the room phase score in one batch.
inline std::vector<engine::indices> raised_moves(const std::vector<variable>& vars, const std::vector<std::uint8_t>& w,
                                                 const std::vector<std::uint8_t>& a) {
    std::vector<engine::indices> next;
    for (const auto& v : vars) {
        const std::uint8_t x = get(v, w, a);
        for (std::size_t j = 1; j <= 3 && static_cast<std::size_t>(x) + j < v.size; ++j) {
            next.emplace_back(w, a);
            set(v, next.back().first, next.back().second, static_cast<std::uint8_t>(x + j));
        }
    }
    return next;
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
    e.set_reference(start); // partitions: every one's target falls with T alike
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
            e.prefetch(raised_moves(vars, w, a)); // every variable 1 to 3 steps up is scored: their drops in one batch
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

/// Joint moves from the greedy's result, in rounds. A round scores, in one
/// batch, the move set of the current point: every move of one threshold by 1
/// to 3 grid steps either way, every pair of thresholds raised together and
/// every swap (one raised, another lowered: accuracy moved from where it buys
/// nothing to where it buys throughput), each by 1 to 3 steps, at most 512 of
/// them (a seeded sample when there are more), and 32 seeded moves of 3 to 6
/// thresholds raised at once. The best move that raises the objective within
/// the budget (or keeps it and lowers the drop) is taken. The phase stops when
/// a round finds none (after three such rounds when the set was sampled), or
/// after 32 rounds. The greedy's one-step moves and the descent's one-threshold
/// moves do not reach points where several thresholds must move together.
inline cosearch_point run_joint_moves(engine& e, const std::vector<variable>& vars, cosearch_point cur) {
    const auto& o = e.options();
    if (vars.empty()) return cur;
    std::mt19937_64 rng(o.seed ^ 0x6a09e667f3bcc909ULL); // its own stream
    constexpr std::size_t cap = 512, wide = 32, max_rounds = 32;
    auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    struct move {
        std::size_t i, j; // j == i: one threshold
        int di, dj;
    };
    std::vector<move> all;
    const std::size_t V = vars.size();
    for (std::size_t i = 0; i < V; ++i)
        for (int d = 1; d <= 3; ++d) all.push_back({i, i, d, 0}), all.push_back({i, i, -d, 0});
    for (std::size_t i = 0; i < V; ++i)
        for (std::size_t j = 0; j < V; ++j)
            if (i != j)
                for (int di = 1; di <= 3; ++di)
                    for (int dj = 1; dj <= 3; ++dj) {
                        if (i < j) all.push_back({i, j, di, dj}); // both raised
                        all.push_back({i, j, di, -dj});           // i raised, j lowered
                    }
    const bool sampled = all.size() > cap;
    std::vector<std::size_t> order(V);
    auto apply = [&](const variable& v, std::vector<std::uint8_t>& w, std::vector<std::uint8_t>& a, int d) {
        const int x = get(v, w, a) + d;
        set(v, w, a, static_cast<std::uint8_t>(std::clamp(x, 0, static_cast<int>(v.size) - 1)));
    };
    for (std::size_t round = 0, failed = 0; round < max_rounds && failed < (sampled ? 3u : 1u) &&
                                            e.candidates < o.max_candidates;
         ++round) {
        std::vector<engine::indices> moves;
        const std::size_t take = std::min(cap, all.size());
        for (std::size_t k = 0; k < take; ++k) {
            if (sampled) std::swap(all[k], all[k + below(all.size() - k)]);
            std::vector<std::uint8_t> w = cur.w_index, a = cur.a_index;
            apply(vars[all[k].i], w, a, all[k].di);
            if (all[k].j != all[k].i) apply(vars[all[k].j], w, a, all[k].dj);
            if (w != cur.w_index || a != cur.a_index) moves.emplace_back(std::move(w), std::move(a));
        }
        for (std::size_t t = 0; t < wide && V > 2; ++t) {
            std::vector<std::uint8_t> w = cur.w_index, a = cur.a_index;
            for (std::size_t i = 0; i < V; ++i) order[i] = i;
            const std::size_t up = std::min<std::size_t>(V, 3 + below(4)); // distinct: a shuffled prefix
            for (std::size_t i = 0; i < up; ++i) {
                std::swap(order[i], order[i + below(V - i)]);
                apply(vars[order[i]], w, a, 1 + static_cast<int>(below(3)));
            }
            if (w != cur.w_index || a != cur.a_index) moves.emplace_back(std::move(w), std::move(a));
        }
        e.prefetch(moves);
        std::optional<cosearch_point> best;
        const double obj = e.objective(cur);
        for (const auto& [w, a] : moves) {
            if (e.candidates >= o.max_candidates) break;
            cosearch_point p = e.score(w, a);
            if (p.drop > o.budget) continue;
            const double po = e.objective(p);
            if (!(po > obj || (po == obj && p.drop < cur.drop))) continue;
            if (!best || better(e, p, *best, o.budget)) best = std::move(p);
        }
        if (best) {
            cur = std::move(*best);
            failed = 0;
        } else {
            ++failed;
        }
    }
    return cur;
}

/// Room at the estimate: from `cur`, spend the accuracy budget the estimate
/// has no use for on room for the exact design. The estimate is a bound; where
/// it stops rising (a floor such as the input read, or a plateau no move
/// within the budget leaves), the give-back pass returns the unused budget,
/// while the exact folding search at the estimated II still gains from layers
/// that need less of the binding resource. Each round scores, in one batch,
/// every threshold raised by 1 to 3 grid steps and takes the move that most
/// lowers the binding utilisation at cur's estimated II per point of drop,
/// keeping the estimate and the budget; it stops when no move lowers it. The
/// result is a milestone (an exact design decides), not the search's point.
inline cosearch_point run_room(engine& e, const std::vector<variable>& vars, cosearch_point cur) {
    const auto& o = e.options();
    if (cur.ii_estimate == 0) return cur;
    const count_t T = cur.ii_estimate;
    const double obj = e.objective(cur);
    std::vector<std::uint8_t> w = cur.w_index, a = cur.a_index;
    e.set_reference(cur);
    double bind = e.binding_for(w, a, T);
    while (e.candidates < o.max_candidates) {
        const std::vector<engine::indices> next = raised_moves(vars, w, a);
        e.prefetch(next);
        std::optional<cosearch_point> best;
        double best_ratio = 0, best_bind = bind;
        for (const auto& [nw, na] : next) {
            if (e.candidates >= o.max_candidates) break;
            // counted, not recorded: the ties in the estimate stay the search's own
            // points, and this phase adds one milestone
            cosearch_point p = e.evaluate(nw, na);
            ++e.candidates;
            if (p.drop > o.budget || e.objective(p) < obj) continue;
            const double b = e.binding_at(T);
            const double ratio = (bind - b) / std::max(p.drop - cur.drop, 1e-6);
            if (b < bind && ratio > best_ratio) {
                best_ratio = ratio;
                best_bind = b;
                best = std::move(p);
            }
        }
        if (!best) break;
        cur = std::move(*best);
        bind = best_bind;
        w = cur.w_index;
        a = cur.a_index;
    }
    return cur;
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
        e.set_reference(cur);
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
    const auto give_back = [&](cosearch_point p) {
        std::vector<std::uint8_t> gw = p.w_index, ga = p.a_index;
        for (bool changed = true; changed && e.candidates < e.options().max_candidates;) {
            changed = false;
            for (const auto& v : vars) {
                const std::uint8_t x = get(v, gw, ga);
                if (x == 0) continue;
                set(v, gw, ga, static_cast<std::uint8_t>(x - 1));
                cosearch_point q = e.score(gw, ga);
                if (e.objective(q) >= e.objective(p) && q.drop <= p.drop) {
                    p = std::move(q);
                    changed = true;
                } else {
                    set(v, gw, ga, x);
                }
            }
        }
        return p;
    };
    // the result before the joint moves is a milestone: the estimate may rank it
    // below the joint moves' result while its exact design is faster
    e.milestones.push_back(give_back(cur));
    { // joint moves: combinations of several thresholds the one-variable moves do not reach
        const double before = e.objective(cur);
        cur = run_joint_moves(e, vars, std::move(cur)); // never worse: same objective at no larger drop
        if (e.objective(cur) > before) e.stop_reason.clear();
    }
    cur = give_back(std::move(cur));
    // the budget the estimate leaves unspent, spent on room for the exact design
    if (auto room = run_room(e, vars, cur); room.w_index != cur.w_index || room.a_index != cur.a_index)
        e.milestones.push_back(std::move(room));
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
    // practice: gamma * n, capped), so one iteration costs O(n + 25 * dims).
    // Every per-(dimension, value) table is one flat array: value v of
    // dimension d at base[d] + v.
    std::vector<std::size_t> base(dims.size() + 1, 0);
    for (std::size_t d = 0; d < dims.size(); ++d) base[d + 1] = base[d] + dims[d].size;
    const std::size_t cells = base.back();
    auto add_counts = [&](std::vector<double>& counts, const std::uint8_t* x, double sign) {
        for (std::size_t d = 0; d < dims.size(); ++d) {
            double* c = counts.data() + base[d];
            c[x[d]] += sign;
            if (x[d] > 0) c[x[d] - 1u] += 0.5 * sign;
            if (x[d] + 1u < dims[d].size) c[x[d] + 1u] += 0.5 * sign;
        }
    };
    std::vector<double> all_counts(cells, 0.0), l(cells), g(cells), log_ratio(cells), cdf(cells);
    std::vector<std::uint8_t> xs; // the coordinates of every observation, dims.size() each
    std::size_t counted = 0;
    // observation x ranks before y: better, ties by index (deterministic)
    auto ranks_before = [&](std::size_t x, std::size_t y) {
        if (better(e, seen[x], seen[y], o.budget)) return true;
        if (better(e, seen[y], seen[x], o.budget)) return false;
        return x < y;
    };
    std::vector<std::size_t> top;
    std::size_t ranked = 0;
    std::vector<std::uint8_t> x(dims.size());
    for (count_t it = o.tpe_startup; it < total && e.candidates < o.max_candidates; ++it) {
        for (; counted < seen.size(); ++counted) {
            const auto c = coords(seen[counted]);
            xs.insert(xs.end(), c.begin(), c.end());
            add_counts(all_counts, c.data(), 1.0);
        }
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
        std::fill(l.begin(), l.end(), 0.0);
        g = all_counts;
        for (std::size_t r = 0; r < good; ++r) {
            const std::uint8_t* c = xs.data() + top[r] * dims.size();
            add_counts(l, c, 1.0);
            add_counts(g, c, -1.0);
        }
        for (std::size_t d = 0; d < dims.size(); ++d) {
            // prior weight 1 spread over the values, then normalise
            const std::size_t b0 = base[d], b1 = base[d + 1];
            const double prior = 1.0 / static_cast<double>(dims[d].size);
            double sl = 0, sg = 0;
            for (std::size_t v = b0; v < b1; ++v) sl += (l[v] += prior);
            for (std::size_t v = b0; v < b1; ++v) sg += (g[v] = std::max(g[v], 0.0) + prior);
            for (std::size_t v = b0; v < b1; ++v) l[v] /= sl;
            for (std::size_t v = b0; v < b1; ++v) g[v] /= sg;
            // log l/g of every value, once per candidate (not once per draw)
            for (std::size_t v = b0; v < b1; ++v) log_ratio[v] = std::log(l[v] / g[v]);
            // the cumulative l, summed in value order: a draw is the first value whose sum exceeds u
            double acc = 0;
            for (std::size_t v = b0; v < b1; ++v) cdf[v] = acc += l[v];
        }
        std::vector<std::uint8_t> best_x;
        double best_ratio = -std::numeric_limits<double>::infinity();
        for (count_t k = 0; k < o.tpe_draws; ++k) {
            double ratio = 0;
            std::uint64_t bits = 0; // two 32-bit uniforms per draw of the engine
            for (std::size_t d = 0; d < dims.size(); ++d) {
                if (d % 2 == 0) bits = rng();
                const double u = static_cast<double>((d % 2 == 0 ? bits >> 32 : bits) & 0xffffffffu) * 0x1.0p-32;
                // the first value whose cumulative sum exceeds u (the last value otherwise):
                // the count of the sums up to u, which are a prefix (the sums increase)
                const double* c = cdf.data() + base[d];
                std::size_t v = 0;
                for (std::size_t j = 0; j + 1 < dims[d].size; ++j) v += c[j] <= u ? 1u : 0u;
                x[d] = static_cast<std::uint8_t>(v);
                ratio += log_ratio[base[d] + v];
            }
            if (ratio > best_ratio) {
                best_ratio = ratio;
                best_x = x;
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
/// keeps the best within the budget in `out`. Returns the assignments within
/// the budget (the exact designs break ties among them as among the search's
/// own). Deterministic for a seed.
inline std::vector<cosearch_point> run_random_baseline(engine& e, cosearch_random_baseline& out) {
    const auto& o = e.options();
    const std::vector<variable> vars = variables(e.pred());
    const std::size_t n = e.pred().size();
    std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL); // not the tpe's stream
    const count_t calls0 = e.oracle_calls;
    constexpr count_t chunk = 250; // a batch oracle gets them in batches of this many
    out.count = o.random_baseline;
    std::vector<cosearch_point> within;
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
                out.best = p;
                out.found = true;
            }
            within.push_back(std::move(p));
        }
        done += m;
    }
    out.oracle_calls = e.oracle_calls - calls0;
    return within;
}

inline void attach_exact(cosearch_point& p, const search_result& r) {
    p.exact = true;
    p.throughput = r.found ? r.report.throughput() : 0.0;
    p.ii = r.found ? r.ii : 0;
    p.dsp = r.found ? r.report.used.dsp : 0;
}

} // namespace detail::cosearch

} // namespace hass::sparsity
