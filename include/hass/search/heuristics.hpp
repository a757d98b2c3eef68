// The greedy and annealing searches and the per-range dispatch.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include "hass/search/run_optimal.hpp"

namespace hass::detail::fold_search {

// ---------------------------------------------------------------------------
// greedy and anneal
// ---------------------------------------------------------------------------

/// The all-ones start with balanced weight storage, or (when that does not fit)
/// the slowest design the optimal machinery finds.
inline std::optional<design_state> start_design(const context& cx, std::string& message, count_t& evals) {
    std::vector<folding> ones(cx.g.size());
    design_state s = cx.state(ones);
    balance_storage(
        s, cx.budget, cx.so.offchip_weights, [&](const resources& r) { return cx.fits(r); },
        [&](const layer& l) { return cx.movable(l); });
    if (cx.admissible(s)) return s;
    optimal_outcome o = run_optimal(cx, true);
    evals += s.evaluations();
    if (!o.found) {
        message = o.message;
        return std::nullopt;
    }
    return cx.state(std::move(o.folding));
}

inline std::vector<folding> run_greedy(const context& cx, design_state& s) {
    const std::size_t n = cx.g.size();
    const bool uram = cx.budget.uram > 0;
    std::vector<folding_space> space(n);
    for (std::size_t i = 0; i < n; ++i) {
        space[i] = folding_space_of(s.layer_at(i), false);
        detail::thin(space[i]);
    }
    const count_t start_ii = s.ii();
    for (;;) {
        if (s.memory_ii() >= s.compute_ii()) break;
        const auto t = s.bottleneck();
        if (t.layer < 0) break;
        const auto i = static_cast<std::size_t>(t.layer);
        const layer& l = s.layer_at(i);
        const folding cur = s.at(i);
        const count_t before = t.squeeze ? s.compute_ii() : s.latency(i);
        std::vector<folding> moves;
        auto push = [&](const std::vector<count_t>& list, count_t folding::*field, bool both = false) {
            if (auto v = next_value(list, cur.*field)) {
                folding f = cur;
                f.*field = *v;
                if (both) f.coarse_out = *v;
                moves.push_back(f);
            }
        };
        if (space[i].single_coarse) {
            push(space[i].coarse_in, &folding::coarse_in, true);
        } else if (t.squeeze) {
            if (t.raise_output)
                push(space[i].coarse_out, &folding::coarse_out);
            else
                push(space[i].coarse_in, &folding::coarse_in);
        } else {
            push(space[i].fine, &folding::fine);
            push(space[i].coarse_in, &folding::coarse_in);
            push(space[i].coarse_out, &folding::coarse_out);
            push(space[i].coarse_group, &folding::coarse_group);
        }
        bool moved = false;
        for (const folding& f : moves) {
            s.set(i, f);
            const count_t after = t.squeeze ? s.compute_ii() : s.latency(i);
            if (t.squeeze ? after > before : after >= before) {
                s.set(i, cur);
                continue;
            }
            if (cx.admissible(s)) {
                moved = true;
                break;
            }
            if (cx.movable(l)) {
                // the other on-chip memory, then off chip while memory_ii stays below the II
                std::vector<weight_storage> other;
                if (uram && f.weights != weight_storage::off_chip)
                    other.push_back(f.weights == weight_storage::bram ? weight_storage::uram : weight_storage::bram);
                if (cx.so.offchip_weights && f.weights != weight_storage::off_chip)
                    other.push_back(weight_storage::off_chip);
                for (weight_storage w : other) {
                    folding g = f;
                    g.weights = w;
                    s.set(i, g);
                    if (cx.admissible(s) && (w != weight_storage::off_chip || s.memory_ii() < before)) {
                        moved = true;
                        break;
                    }
                }
                if (moved) break;
            }
            s.set(i, cur);
        }
        if (!moved) break;
        report_progress(cx.so, 1.0 - static_cast<double>(s.ii()) / static_cast<double>(std::max<count_t>(start_ii, 1)));
    }
    return s.foldings();
}

inline std::vector<folding> run_anneal(const context& cx, design_state& s) {
    const std::size_t n = cx.g.size();
    const bool uram = cx.budget.uram > 0;
    std::vector<folding_space> space(n);
    for (std::size_t i = 0; i < n; ++i) {
        const bool w = s.layer_at(i).has_weights();
        const bool m = w && cx.movable(s.layer_at(i));
        space[i] = folding_space_of(s.layer_at(i), uram && m, cx.so.offchip_weights && m);
        detail::thin(space[i]);
    }
    std::array<double, 5> inv{};
    for (std::size_t r = 0; r < 5; ++r) {
        const count_t b = cx.budget[all_resource_kinds[r]];
        inv[r] = b > 0 ? 1.0 / static_cast<double>(b) : 0.0;
    }
    auto cost = [&](const design_state& d) {
        double use = 0;
        for (std::size_t r = 0; r < 5; ++r) use += static_cast<double>(d.total()[all_resource_kinds[r]]) * inv[r];
        return d.log_soft_ii(cx.so.anneal_softmax_power) + cx.so.anneal_resource_weight * use;
    };
    std::mt19937_64 rng(cx.so.seed);
    std::vector<folding> best = s.foldings();
    count_t best_ii = s.ii();
    double current = cost(s);
    const count_t iters = std::max<count_t>(cx.so.anneal_iterations, 1);
    const double t0 = cx.so.anneal_start_temperature, t1 = cx.so.anneal_end_temperature;
    for (count_t it = 0; it < iters; ++it) {
        const double frac = static_cast<double>(it) / static_cast<double>(iters);
        const double temp = t0 * std::pow(t1 / t0, frac);
        if ((it & 1023) == 0) report_progress(cx.so, frac);
        // half the moves go to the bottleneck, half to a random layer
        std::size_t i = 0;
        if (uniform01(rng) < 0.5) {
            const auto t = s.bottleneck();
            i = t.layer < 0 ? uniform_below(rng, n) : static_cast<std::size_t>(t.layer);
        } else {
            i = uniform_below(rng, n);
        }
        const folding_space& sp = space[i];
        // factors with a choice: 0 fine, 1 coarse_in, 2 coarse_out, 3 coarse_group, 4 storage
        std::array<int, 5> kinds{};
        std::size_t nk = 0;
        if (sp.fine.size() > 1) kinds[nk++] = 0;
        if (sp.coarse_in.size() > 1) kinds[nk++] = 1;
        if (!sp.single_coarse && sp.coarse_out.size() > 1) kinds[nk++] = 2;
        if (sp.coarse_group.size() > 1) kinds[nk++] = 3;
        if (sp.uram || sp.offchip) kinds[nk++] = 4;
        if (nk == 0) continue;
        const int kind = kinds[uniform_below(rng, nk)];
        const folding old = s.at(i);
        folding f = old;
        const bool up = uniform01(rng) < 0.5;
        auto step = [&](const std::vector<count_t>& list, count_t v) {
            std::size_t p = position(list, v);
            if (up)
                p = p + 1 < list.size() ? p + 1 : p - 1;
            else
                p = p > 0 ? p - 1 : p + 1;
            return list[p];
        };
        switch (kind) {
        case 0: f.fine = step(sp.fine, f.fine); break;
        case 1:
            f.coarse_in = step(sp.coarse_in, f.coarse_in);
            if (sp.single_coarse) f.coarse_out = f.coarse_in;
            break;
        case 2: f.coarse_out = step(sp.coarse_out, f.coarse_out); break;
        case 3: f.coarse_group = step(sp.coarse_group, f.coarse_group); break;
        default: {
            // another allowed storage: bram, uram (with URAM), off chip (when allowed)
            std::array<weight_storage, 3> where{};
            std::size_t nw = 0;
            for (weight_storage w : {weight_storage::bram, weight_storage::uram, weight_storage::off_chip}) {
                if (w == f.weights || (w == weight_storage::uram && !sp.uram) ||
                    (w == weight_storage::off_chip && !sp.offchip))
                    continue;
                where[nw++] = w;
            }
            if (nw == 0) continue;
            f.weights = where[nw == 1 ? 0 : (up ? 1 : 0)];
            break;
        }
        }
        s.set(i, f);
        if (!cx.admissible(s)) { // the chain stays within budget (as in SAMO)
            s.set(i, old);
            continue;
        }
        const double next = cost(s);
        const double delta = next - current;
        if (delta <= 0 || uniform01(rng) < std::exp(-delta / temp)) {
            current = next;
            if (s.ii() < best_ii) {
                best_ii = s.ii();
                best = s.foldings();
            }
        } else {
            s.set(i, old);
        }
    }
    // the final state may match the best II with fewer resources
    if (s.ii() <= best_ii) {
        auto use = [&](const resources& u) {
            double v = 0;
            for (std::size_t r = 0; r < 5; ++r) v += static_cast<double>(u[all_resource_kinds[r]]) * inv[r];
            return v;
        };
        const resources kept = cx.evaluate_local(best).used;
        if (s.ii() < best_ii || use(s.total()) < use(kept)) best = s.foldings();
    }
    return best;
}

/// The result of one algorithm on one range of layers (foldings indexed from 0).
struct range_outcome {
    std::vector<::hass::folding> folding;
    count_t lower_bound = 0;
    bool found = false;
    bool proven_infeasible = false;
    std::string message;
    count_t evaluations = 0;
};

/// Runs an algorithm on the layers [cx.first(), cx.last()). `lower_bound`:
/// greedy and anneal also compute the relaxation bound (after `timed_ms` is taken).
inline range_outcome run_range(const context& cx, algorithm algo, double* timed_ms = nullptr,
                               std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now()) {
    range_outcome out;
    if (algo == algorithm::optimal) {
        optimal_outcome o = run_optimal(cx);
        out.evaluations = o.evaluations;
        out.found = o.found;
        out.proven_infeasible = o.proven_infeasible;
        out.lower_bound = o.lower_bound;
        out.message = std::move(o.message);
        out.folding = std::move(o.folding);
        if (timed_ms) *timed_ms = elapsed_ms(t0);
        return out;
    }
    count_t evals = 0;
    std::string why;
    std::optional<design_state> start = start_design(cx, why, evals);
    if (start) {
        out.folding = algo == algorithm::greedy ? run_greedy(cx, *start) : run_anneal(cx, *start);
        evals += start->evaluations();
        out.found = true;
    } else {
        out.message = std::move(why);
    }
    out.evaluations = evals;
    if (timed_ms) *timed_ms = elapsed_ms(t0);
    if (cx.so.lower_bound) {
        // the relaxation bound, outside the timed part
        const optimal_solver s(cx.net, cx.g, cx.opts, cx.limits, cx.so, cx.bpc, cx.fixed_bits, cx.memory_above_compute);
        const count_t r = relaxation_bound(s).relaxation;
        out.lower_bound = r > 0 ? std::max(r, cx.memory_ii) : 0;
    }
    return out;
}


} // namespace hass::detail::fold_search
