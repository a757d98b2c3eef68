// The optimal folding search in a constant expression, for a board *type*.
//
//   constexpr auto f = hass::static_optimal_folding<hass::boards::zedboard>(small_net());
//   static_assert(hass::evaluate(small_net(), f.folding, hass::boards::zedboard::spec).ii == ...);
//
// The run-time search (search.hpp) scales to the zoo; this one is exact and
// simple enough for the constant evaluator, for small networks (a handful of
// layers with small channel counts): for each layer, enumerate every valid
// folding (weights in BRAM, or URAM when the board has URAM) and keep the
// options not dominated in (latency, resources, streams); then, for each
// candidate II in increasing order, a depth-first search picks one option per
// layer with latency <= II, pruned by the per-resource sum of the remaining
// layers' minima; every complete choice is checked with hass::evaluate (which
// charges the squeezes between layers). The first II with a fitting choice is
// optimal. The fit rule is the plain budget (no BRAM held in LUTRAM), so the
// pruning by per-resource sums is exact.
#pragma once

#include <algorithm>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/network/evaluate.hpp"

namespace hass {

struct static_search_result {
    bool found = false;
    std::vector<hass::folding> folding;
    count_t ii = 0;
};

namespace detail::static_search {

struct option {
    hass::folding f;
    count_t latency;
    resources used;
    count_t in, out; // streams
};

constexpr std::vector<count_t> divisors(count_t n) {
    std::vector<count_t> d;
    for (count_t i = 1; i <= n; ++i)
        if (n % i == 0) d.push_back(i);
    return d;
}

constexpr bool dominated(const option& a, const option& b) { // b dominates a
    return b.latency <= a.latency && b.in == a.in && b.out == a.out && within(b.used, a.used) &&
           !(b.latency == a.latency && b.used == a.used);
}

template <cost::cost_model Cost>
constexpr std::vector<option> options_of(const layer& l, const board& b) {
    std::vector<hass::folding> all;
    std::vector<weight_storage> stores{weight_storage::bram};
    if (l.has_weights() && b.budget.uram > 0) stores.push_back(weight_storage::uram);
    const bool conv = l.type == layer_type::convolution;
    const bool fc = l.type == layer_type::inner_product;
    if (conv || fc) {
        const count_t G = conv ? l.groups : 1;
        const auto cis = divisors(l.channels_in() / G), cos = divisors(l.filters() / G), cgs = divisors(G);
        std::vector<count_t> fines{1};
        if (conv) {
            fines.clear();
            for (count_t f = 1; f <= l.kernel_size(); ++f)
                if (is_valid_fine(l, f)) fines.push_back(f);
        }
        for (count_t ci : cis)
            for (count_t co : cos)
                for (count_t cg : cgs)
                    for (count_t f : fines)
                        for (auto s : stores) all.push_back({ci, co, cg, f, s});
    } else {
        for (count_t c : divisors(l.in.channels))
            if (l.type == layer_type::squeeze || l.out.channels % c == 0) all.push_back({c, c, 1, 1});
    }
    std::vector<option> opts;
    for (const auto& f : all) {
        if (!is_valid_folding(l, f)) continue;
        const auto p = evaluate_layer<Cost>(l, f);
        opts.push_back({f, p.latency, p.used, streams_in(l, f), streams_out(l, f)});
    }
    std::vector<option> front;
    for (const auto& a : opts) {
        bool keep = true;
        for (const auto& other : opts)
            if (dominated(a, other)) {
                keep = false;
                break;
            }
        if (keep) front.push_back(a);
    }
    return front;
}

struct state {
    const network* net;
    const board* b;
    utilisation_cap cap;
    resources budget;
    std::vector<std::vector<option>> options;
    std::vector<resources> min_rest; // per-resource minimum of layers i..n-1
    std::vector<hass::folding> choice;
};

constexpr resources min_of(const std::vector<option>& opts, count_t target) {
    resources m{};
    bool first = true;
    for (const auto& o : opts) {
        if (o.latency > target) continue;
        if (first) {
            m = o.used;
            first = false;
            continue;
        }
        for (auto r : all_resource_kinds) m[r] = std::min(m[r], o.used[r]);
    }
    return m;
}

template <cost::cost_model Cost>
constexpr bool dfs(state& s, std::size_t i, const resources& used, count_t target) {
    const std::size_t n = s.options.size();
    if (i == n) {
        evaluation_options o;
        o.cap = s.cap;
        o.bram_to_lut = false;
        const auto r = evaluate_partition<Cost>(*s.net, s.choice, *s.b, 0, static_cast<int>(n), o);
        return r.fits && r.ii <= target;
    }
    for (const auto& o : s.options[i]) {
        if (o.latency > target) continue;
        const resources next = used + o.used;
        if (!within(next + s.min_rest[i + 1], s.budget)) continue;
        s.choice[i] = o.f;
        if (dfs<Cost>(s, i + 1, next, target)) return true;
    }
    return false;
}

} // namespace detail::static_search

/// The folding of least II that fits the board (exact; for small networks).
template <cost::cost_model Cost = cost::hass>
constexpr static_search_result static_optimal_folding(const network& net, const board& b,
                                                       const utilisation_cap& cap = {}) {
    using namespace detail::static_search;
    validate(net);
    state s{&net, &b, cap, b.capped(cap), {}, {}, std::vector<hass::folding>(net.size())};
    std::vector<count_t> targets;
    for (const auto& l : net.layers) {
        s.options.push_back(options_of<Cost>(l, b));
        for (const auto& o : s.options.back()) targets.push_back(o.latency);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (count_t t : targets) {
        s.min_rest.assign(net.size() + 1, resources{});
        bool possible = true;
        for (std::size_t i = net.size(); i-- > 0;) {
            bool any = false;
            for (const auto& o : s.options[i]) any = any || o.latency <= t;
            possible = possible && any;
            s.min_rest[i] = s.min_rest[i + 1] + min_of(s.options[i], t);
        }
        if (!possible || !within(s.min_rest[0], s.budget)) continue;
        if (dfs<Cost>(s, 0, resources{}, t)) return {true, s.choice, t};
    }
    return {};
}

/// The same search for a board type: the board is a template parameter.
template <board_type Board, cost::cost_model Cost = cost::hass>
constexpr static_search_result static_optimal_folding(const network& net, const utilisation_cap& cap = {}) {
    return static_optimal_folding<Cost>(net, Board::spec, cap);
}

} // namespace hass
