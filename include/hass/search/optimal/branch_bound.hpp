// The optimal solver's depth-first branch-and-bound over the stream-exact candidates
// (bounded by search_options::node_limit).
// Members of hass::detail::fold_search::optimal_solver (branch_and_bound, dfs), declared in
// hass/search/optimal_solver.hpp, which includes this file after the class.
#pragma once

#include "hass/search/optimal_solver.hpp"

namespace hass::detail::fold_search {

/// Depth-first branch-and-bound over the stream-exact candidates; squeezes are
/// charged as soon as both ends of an edge are chosen. Bounded by node_limit.
inline verdict optimal_solver::branch_and_bound(std::vector<int>& choice) {
    const std::size_t n = opts_.size();
    // order: layers whose candidates differ most in weighted cost first
    order_.resize(n);
    std::vector<double> spread(n, 0), wmin(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        order_[i] = i;
        auto& c = exact_[i];
        std::stable_sort(c.begin(), c.end(), [&](int a, int b) { return weighted(use(i, a)) < weighted(use(i, b)); });
        wmin[i] = weighted(use(i, c.front()));
        spread[i] = weighted(use(i, c.back())) - wmin[i];
    }
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return spread[a] > spread[b]; });
    suffix_min_.assign(n + 1, usage{});
    suffix_w_.assign(n + 1, 0.0);
    suffix_ram_.assign(n + 1, 0);
    for (std::size_t d = n; d-- > 0;) {
        const std::size_t i = order_[d];
        suffix_min_[d] = suffix_min_[d + 1] + layer_min(i, exact_[i]);
        suffix_w_[d] = suffix_w_[d + 1] + wmin[i];
        count_t m = std::numeric_limits<count_t>::max();
        for (int j : exact_[i]) m = std::min(m, ram_kbits(use(i, j)));
        suffix_ram_[d] = suffix_ram_[d + 1] + m;
    }
    sum_w_ = 0;
    for (double v : w_) sum_w_ += v;
    assigned_.assign(n, -1);
    nodes_ = 0;
    limit_hit_ = false;
    const bool ok = dfs(0, usage{}, 0.0);
    nodes_total_ += nodes_;
    if (ok) {
        choice = assigned_;
        return verdict::feasible;
    }
    return limit_hit_ ? verdict::unknown : verdict::infeasible;
}

inline bool optimal_solver::dfs(std::size_t d, const usage& partial, double wpartial) {
    const std::size_t n = opts_.size();
    if (d == n) return true;
    const std::size_t i = order_[d];
    for (int j : exact_[i]) {
        if (++nodes_ > node_limit_) {
            limit_hit_ = true;
            return false;
        }
        const folding_option& o = opt(i, j);
        usage next = partial + use(i, j);
        for (int e : g_.incident[i]) {
            const edge& ed = g_.edges[static_cast<std::size_t>(e)];
            const std::size_t other = static_cast<std::size_t>(ed.producer) == i
                                          ? static_cast<std::size_t>(ed.consumer)
                                          : static_cast<std::size_t>(ed.producer);
            if (other != i && assigned_[other] < 0) continue;
            const count_t a = static_cast<std::size_t>(ed.producer) == i
                                  ? o.streams_out
                                  : opt(other, assigned_[other]).streams_out;
            const count_t b = static_cast<std::size_t>(ed.consumer) == i
                                  ? o.streams_in
                                  : opt(other, assigned_[other]).streams_in;
            if (a != b) next += to_usage(squeeze_on(net_, g_, ed, a, b).used);
        }
        if (!fits(next + suffix_min_[d + 1], budget_)) continue;
        if (ram_kbits(next) + suffix_ram_[d + 1] > ram_budget()) continue;
        const double wnext = wpartial + weighted(use(i, j));
        if (wnext + suffix_w_[d + 1] > sum_w_ * (1 + 1e-9) + 1e-12) continue;
        assigned_[i] = j;
        if (dfs(d + 1, next, wnext)) return true;
        assigned_[i] = -1;
        if (limit_hit_) return false;
    }
    return false;
}

} // namespace hass::detail::fold_search
