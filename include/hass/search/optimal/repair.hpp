// The optimal solver's repair: from a near-feasible choice, move layers to cheaper options
// (and eject the costliest) until every resource fits.
// Members of hass::detail::fold_search::optimal_solver (repair, eject), declared in
// hass/search/optimal_solver.hpp, which includes this file after the class.
#pragma once

#include "hass/search/optimal_solver.hpp"

namespace hass::detail::fold_search {

/// Local search from the least-overflowing construction: single-layer moves
/// that lower a soft maximum of the relative use, log sum_r (R_r / budget_r)^p,
/// for growing p; succeeds when everything fits.
inline bool optimal_solver::repair(std::vector<int>& choice, const std::vector<int>& start) {
    const std::size_t n = opts_.size();
    std::vector<int> cur = start;
    usage layers = layers_total(cur);
    usage sq = squeezes(cur);
    for (int p : {8, 64}) {
        for (int pass = 0; pass < 8; ++pass) {
            const usage eff = budget_ - sq;
            if (fits(layers, eff)) {
                choice = cur;
                return true;
            }
            std::array<double, dims> inv{};
            for (std::size_t r = 0; r < dims; ++r) {
                const count_t b = eff[r];
                if (budget_[r] >= unlimited) inv[r] = 0.0;
                else inv[r] = b > 0 ? 1.0 / static_cast<double>(b) : (budget_[r] > 0 ? 1e9 : 0.0);
            }
            // a soft maximum of the relative use: sum_r (x_r / m0)^p, with m0 the
            // largest relative use at the start of the pass (the same order as
            // log sum_r x_r^p, without a logarithm per candidate)
            double m0 = 0;
            for (std::size_t r = 0; r < dims; ++r) m0 = std::max(m0, static_cast<double>(layers[r]) * inv[r]);
            const double scale = m0 > 0 ? 1.0 / m0 : 1.0;
            auto soft = [&](const usage& u) {
                double sum = 0;
                for (std::size_t r = 0; r < dims; ++r) {
                    double y = static_cast<double>(u[r]) * inv[r] * scale;
                    for (int e = p; e > 1; e >>= 1) y *= y;
                    sum += y;
                }
                return sum;
            };
            double value = soft(layers);
            bool moved = false;
            // the quantities near the largest relative use: a move helps only if it lowers one of them
            std::array<bool, dims> top{};
            for (std::size_t r = 0; r < dims; ++r)
                top[r] = m0 > 0 && static_cast<double>(layers[r]) * inv[r] >= 0.8 * m0;
            for (std::size_t i = 0; i < n; ++i) {
                const usage& old = use(i, cur[i]);
                const usage base = layers - old;
                int bj = cur[i];
                double bv = value;
                for (int j : front_[i]) {
                    if (j == cur[i]) continue;
                    const usage& u = use(i, j);
                    bool lowers = false;
                    for (std::size_t r = 0; r < dims && !lowers; ++r) lowers = top[r] && u[r] < old[r];
                    if (!lowers) continue;
                    const double v = soft(base + u);
                    if (v < bv * (1 - 1e-12)) {
                        bv = v;
                        bj = j;
                    }
                }
                if (bj != cur[i]) {
                    layers = base + use(i, bj);
                    cur[i] = bj;
                    value = bv;
                    moved = true;
                }
            }
            sq = squeezes(cur);
            if (!moved) break;
        }
    }
    if (fits(layers + sq, budget_) || eject(cur)) {
        choice = cur;
        return true;
    }
    return false;
}

/// Two-layer moves for a design single moves cannot fix: a move that brings
/// the overflowing quantities within budget, paired with a move on another
/// layer that lowers what the first one pushed over. True (and `cur`
/// updated) when the whole design, squeezes included, then fits.
inline bool optimal_solver::eject(std::vector<int>& cur) const {
    const std::size_t n = opts_.size();
    const usage layers = layers_total(cur);
    const usage eff = budget_ - squeezes(cur);
    struct move {
        std::size_t layer;
        int option;
        usage delta;
        double rank;
    };
    constexpr std::size_t keep_first = 64, keep_second = 128;
    auto excess = [&](const usage& u) {
        double v = 0;
        for (std::size_t r = 0; r < dims; ++r)
            if (u[r] > eff[r]) v += static_cast<double>(u[r] - eff[r]) / static_cast<double>(std::max<count_t>(eff[r], 1));
        return v;
    };
    std::vector<move> first;
    std::array<std::vector<move>, dims> second, gain;
    for (std::size_t i = 0; i < n; ++i) {
        const usage& old = use(i, cur[i]);
        for (int j : front_[i]) {
            if (j == cur[i]) continue;
            const usage delta = use(i, j) - old;
            const usage next = layers + delta;
            bool fixes = true;
            for (std::size_t k = 0; k < dims; ++k)
                if (layers[k] > eff[k] && next[k] > eff[k]) fixes = false;
            if (fixes) first.push_back({i, j, delta, excess(next)});
            for (std::size_t r = 0; r < dims; ++r) {
                if (delta[r] >= 0) continue;
                // rank: the share of the other quantities' slack it uses, then the gain
                double damage = 0;
                for (std::size_t o = 0; o < dims; ++o)
                    if (o != r && delta[o] > 0)
                        damage += static_cast<double>(delta[o]) /
                                  static_cast<double>(std::max<count_t>(eff[o] - layers[o], 1));
                second[r].push_back({i, j, delta, damage + 1e-9 * static_cast<double>(delta[r])});
                gain[r].push_back({i, j, delta, static_cast<double>(delta[r]) * inv_[r]});
            }
        }
    }
    auto by_rank = [](const move& a, const move& b) { return a.rank < b.rank; };
    auto trim = [&](std::vector<move>& v, std::size_t keep) {
        if (v.size() > keep) {
            std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), by_rank);
            v.resize(keep);
        } else {
            std::sort(v.begin(), v.end(), by_rank);
        }
    };
    trim(first, keep_first);
    for (std::size_t r = 0; r < dims; ++r) {
        // the least damaging second moves and the largest gains
        trim(second[r], keep_second);
        trim(gain[r], keep_second / 2);
        second[r].insert(second[r].end(), gain[r].begin(), gain[r].end());
    }
    auto fits_whole = [&](std::vector<int>& c) { return fits(layers_total(c) + squeezes(c), budget_); };
    for (const move& a : first) {
        const usage next = layers + a.delta;
        std::vector<int> trial = cur;
        trial[a.layer] = a.option;
        if (fits(next, eff)) {
            if (fits_whole(trial)) {
                cur = trial;
                return true;
            }
            continue;
        }
        for (std::size_t r = 0; r < dims; ++r) {
            if (next[r] <= eff[r]) continue;
            for (const move& b : second[r]) {
                if (b.layer == a.layer || !fits(next + b.delta, eff)) continue;
                trial[b.layer] = b.option;
                if (fits_whole(trial)) {
                    cur = trial;
                    return true;
                }
                trial[b.layer] = cur[b.layer];
            }
        }
    }
    return false;
}

} // namespace hass::detail::fold_search
