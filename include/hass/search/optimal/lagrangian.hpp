// The optimal solver's weighted-sum (Lagrangian) construction: each round every layer takes its
// option of least weighted resource sum; the weights of overflowing resources rise.
// Members of hass::detail::fold_search::optimal_solver (lagrange), declared in
// hass/search/optimal_solver.hpp, which includes this file after the class.
#pragma once

#include "hass/search/optimal_solver.hpp"

namespace hass::detail::fold_search {

/// Weighted-sum construction: each round every layer takes its option of least
/// sum_r w_r * R_r / budget_r; the weights of overflowing quantities rise.
inline verdict optimal_solver::lagrange(std::vector<int>& choice) {
    const std::size_t n = opts_.size();
    usage mins{};
    for (std::size_t i = 0; i < n; ++i) mins += layer_min(i, exact_[i]);
    double sum_w = 0;
    for (std::size_t r = 0; r < dims; ++r) {
        const count_t b = budget_[r];
        const bool active = b > 0 && b < unlimited;
        inv_[r] = active ? 1.0 / static_cast<double>(b) : 0.0;
        w_[r] = active ? std::max(0.05, static_cast<double>(mins[r]) * inv_[r]) : 0.0;
    }
    std::vector<int> cur(n);
    best_.assign(n, 0);
    best_over_ = std::numeric_limits<double>::infinity();
    double eta = 2.0;
    for (int round = 0; round < std::max(1, so_.lagrange_rounds); ++round) {
        double total_cost = 0;
        sum_w = 0;
        for (std::size_t r = 0; r < dims; ++r) sum_w += w_[r];
        for (std::size_t i = 0; i < n; ++i) {
            double bc = std::numeric_limits<double>::infinity();
            int bj = front_[i].front();
            for (int j : front_[i]) {
                const double c = weighted(use(i, j));
                if (c < bc) {
                    bc = c;
                    bj = j;
                }
            }
            cur[i] = bj;
            total_cost += bc;
        }
        // certificate: any design within budget has weighted cost <= sum of weights
        // (the front holds a least-cost option of every layer's candidates)
        // (checked over every candidate: the front is an epsilon-thinned set)
        if (total_cost > sum_w * (1 + 1e-9) + 1e-12) {
            double exact_cost = 0;
            for (std::size_t i = 0; i < n; ++i) {
                double m = std::numeric_limits<double>::infinity();
                for (int j : exact_[i]) m = std::min(m, weighted(use(i, j)));
                exact_cost += m;
            }
            if (exact_cost > sum_w * (1 + 1e-9) + 1e-12) return verdict::infeasible;
        }
        align(cur);
        const usage used = layers_total(cur) + squeezes(cur);
        const double over = overflow(used, budget_);
        if (over < best_over_) {
            best_over_ = over;
            best_ = cur;
        }
        if (over == 0) {
            choice = cur;
            return verdict::feasible;
        }
        for (std::size_t r = 0; r < dims; ++r) {
            if (inv_[r] == 0) continue;
            const double ratio = static_cast<double>(used[r]) * inv_[r];
            w_[r] *= std::exp(eta * std::clamp(ratio - 1.0, -0.5, 1.0));
            w_[r] = std::clamp(w_[r], 1e-6, 1e6);
        }
        eta *= 0.93;
    }
    return verdict::unknown;
}

} // namespace hass::detail::fold_search
