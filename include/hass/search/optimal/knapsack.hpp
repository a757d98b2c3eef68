// The optimal solver's multiple-choice knapsack over the stream-exact candidates.
// Members of hass::detail::fold_search::optimal_solver (knapsack), declared in
// hass/search/optimal_solver.hpp, which includes this file after the class.
#pragma once

#include "hass/search/optimal_solver.hpp"

namespace hass::detail::fold_search {

/// Dynamic programme over one resource (URAM when the board has it, else
/// BRAM18): for every total of that resource, the least weighted cost of the
/// others. Exact in that resource (in buckets above 8192 units), Lagrangian in
/// the others, whose weights rise when they overflow. A minimum above the sum
/// of the weights proves infeasibility.
inline verdict optimal_solver::knapsack(std::vector<int>& choice) {
    const std::size_t n = opts_.size();
    const std::size_t dim = budget_[4] > 0 ? 4 : 3; // uram, else bram18
    const count_t cap = budget_[dim];
    if (cap <= 0) return verdict::unknown;
    const count_t q = ceil_div(cap, 512);
    // amounts in units of q rounded down: a relaxation (any design within
    // budget stays within the capacity), so a minimum above the sum of the
    // weights is a proof; a design it picks may exceed the budget by less
    // than q per layer, and is then checked and repaired
    const auto U = static_cast<std::size_t>(cap / q);
    // per layer: the cheapest option for each amount of the DP resource
    std::array<double, dims> omega = w_;
    omega[dim] = 0;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> f(U + 1), g(U + 1);
    std::vector<std::vector<int>> arg(n, std::vector<int>(U + 1, -1));
    std::vector<std::pair<std::size_t, int>> groups; // (amount, option)
    knap_best_.clear();
    double knap_over = std::numeric_limits<double>::infinity();
    double step = 1.5;
    for (int round = 0; round < 4; ++round, step *= 0.6) {
        auto cost = [&](const usage& u) {
            double c = 0;
            for (std::size_t r = 0; r < dims; ++r) c += omega[r] * static_cast<double>(u[r]) * inv_[r];
            return c;
        };
        // the least weighted cost for every amount of the DP resource, over `cand`
        auto dp = [&](const std::vector<std::vector<int>>& cand) {
            std::fill(f.begin(), f.end(), inf);
            f[0] = 0;
            for (std::size_t i = 0; i < n; ++i) {
                groups.clear();
                for (int j : cand[i]) {
                    const auto a = static_cast<std::size_t>(use(i, j)[dim] / q);
                    if (a <= U) groups.emplace_back(a, j);
                }
                // keep the cheapest option per amount
                std::sort(groups.begin(), groups.end(), [&](const auto& x, const auto& y) {
                    if (x.first != y.first) return x.first < y.first;
                    return cost(use(i, x.second)) < cost(use(i, y.second));
                });
                groups.erase(std::unique(groups.begin(), groups.end(),
                                         [](const auto& x, const auto& y) { return x.first == y.first; }),
                             groups.end());
                std::fill(g.begin(), g.end(), inf);
                auto& ai = arg[i];
                for (const auto& [a, j] : groups) {
                    const double c = cost(use(i, j));
                    for (std::size_t u = 0; u + a <= U; ++u) {
                        if (f[u] == inf) continue;
                        const double v = f[u] + c;
                        if (v < g[u + a]) {
                            g[u + a] = v;
                            ai[u + a] = j;
                        }
                    }
                }
                f.swap(g);
            }
            std::size_t best = 0;
            for (std::size_t u = 1; u <= U; ++u)
                if (f[u] < f[best]) best = u;
            return best;
        };
        double sum = 0;
        for (double v : omega) sum += v;
        auto proves = [&](std::size_t at) { return f[at] == inf || f[at] > sum * (1 + 1e-9) + 1e-12; };
        std::size_t bu = dp(front_);
        // a proof over the thinned sets is checked over every candidate
        if (proves(bu) && proves(dp(exact_))) return verdict::infeasible;
        if (proves(bu)) continue; // not a proof after all; the thinned DP gave no design either
        std::vector<int> cur(n);
        for (std::size_t i = n, u = bu; i-- > 0;) {
            cur[i] = arg[i][u];
            u -= static_cast<std::size_t>(use(i, cur[i])[dim] / q);
        }
        align(cur);
        const usage used = layers_total(cur) + squeezes(cur);
        if (fits(used, budget_)) {
            choice = cur;
            return verdict::feasible;
        }
        if (const double over = overflow(used, budget_); over < knap_over) {
            knap_over = over;
            knap_best_ = cur;
        }
        for (std::size_t r = 0; r < dims; ++r) {
            if (r == dim || inv_[r] == 0) continue;
            const double ratio = static_cast<double>(used[r]) * inv_[r];
            omega[r] = std::clamp(omega[r] * std::exp(step * std::clamp(ratio - 1.0, -0.5, 1.0)), 1e-6, 1e6);
        }
    }
    return verdict::unknown;
}

} // namespace hass::detail::fold_search
