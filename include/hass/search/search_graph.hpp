// Network structure shared by the folding searches: the layer graph, resource usage vectors and off-chip bandwidth helpers.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include "hass/search/search_types.hpp"

namespace hass::detail::fold_search {

// ---------------------------------------------------------------------------
// Network structure shared by the algorithms
// ---------------------------------------------------------------------------

/// A producer -> consumer connection between two layers of the searched range
/// (a possible squeeze); indices are relative to graph::first.
struct edge {
    int producer = 0;
    int consumer = 0;
    /// The squeezes of this edge evaluated so far, one per (streams_from, streams_to).
    mutable std::vector<squeeze_link> cache{};
};

/// The layers [first, last) of a network, indexed from 0. Tensors read from
/// outside the range come from off-chip memory: no edge, no squeeze.
struct graph {
    int first = 0, last = 0;
    /// The squeeze of an edge under the search's cost model.
    squeeze_link (*squeeze)(const network&, int, int, count_t, count_t) = &::hass::detail::make_squeeze<cost::hass>;
    std::vector<edge> edges;
    std::vector<std::vector<int>> incident; ///< edge ids touching each layer
    std::vector<count_t> in_size;           ///< largest tensor a layer reads from another layer (0: none)
    std::vector<count_t> out_size;          ///< the layer's output size when another layer reads it (0: none)
    std::size_t size() const noexcept { return static_cast<std::size_t>(last - first); }
};

inline graph make_graph(const network& net, int first, int last) {
    graph g;
    g.first = first;
    g.last = last;
    const std::size_t n = g.size();
    g.incident.resize(n);
    g.in_size.assign(n, 0);
    g.out_size.assign(n, 0);
    for (std::size_t c = 0; c < n; ++c)
        for (int src : net.layers[c + static_cast<std::size_t>(first)].inputs) {
            if (src < first) continue; // the network input or an earlier partition: off chip
            const int p = src - first;
            const int id = static_cast<int>(g.edges.size());
            g.edges.push_back({p, static_cast<int>(c)});
            auto& ip = g.incident[static_cast<std::size_t>(p)];
            if (std::find(ip.begin(), ip.end(), id) == ip.end()) ip.push_back(id);
            g.incident[c].push_back(id);
            const count_t size = net.shape_of(src).size();
            g.in_size[c] = std::max(g.in_size[c], size);
            g.out_size[static_cast<std::size_t>(p)] = size;
        }
    return g;
}

inline graph make_graph(const network& net) { return make_graph(net, 0, static_cast<int>(net.size())); }

/// Latency and resources of the squeeze on an edge (zero when the streams agree).
inline squeeze_link squeeze_on(const network& net, const graph& g, const edge& e, count_t a, count_t b) {
    if (a == b) return {e.producer + g.first, e.consumer + g.first, a, b, 0, 0, {}, {}};
    for (const auto& q : e.cache)
        if (q.streams_from == a && q.streams_to == b) return q;
    e.cache.push_back(g.squeeze(net, e.producer + g.first, e.consumer + g.first, a, b));
    return e.cache.back();
}

// The summed quantities of a design: the five resources, the off-chip weight
// bits per image (index 5) and LUT + 288 BRAM18 (index 6): with the
// BRAM-to-LUTRAM fit rule, BRAM beyond its budget costs 288 LUT a block, so
// the design fits when LUT + 288 max(0, BRAM - BRAM budget) <= LUT budget,
// which these two sums (with a BRAM budget raised by LUT/288) express exactly.
inline constexpr std::size_t dims = 7;
inline constexpr std::size_t bits_dim = 5;
inline constexpr std::size_t lutram_dim = 6;
inline constexpr count_t unlimited = count_t{1} << 60;

struct usage {
    std::array<count_t, dims> v{};
    constexpr count_t& operator[](std::size_t i) noexcept { return v[i]; }
    constexpr count_t operator[](std::size_t i) const noexcept { return v[i]; }
    constexpr usage& operator+=(const usage& o) noexcept {
        for (std::size_t r = 0; r < dims; ++r) v[r] += o.v[r];
        return *this;
    }
    constexpr usage& operator-=(const usage& o) noexcept {
        for (std::size_t r = 0; r < dims; ++r) v[r] -= o.v[r];
        return *this;
    }
    friend constexpr usage operator+(usage a, const usage& b) noexcept { return a += b; }
    friend constexpr usage operator-(usage a, const usage& b) noexcept { return a -= b; }
};

constexpr usage to_usage(const resources& r, count_t bits = 0) noexcept {
    usage u;
    for (std::size_t k = 0; k < 5; ++k) u.v[k] = r[all_resource_kinds[k]];
    u.v[bits_dim] = bits;
    u.v[lutram_dim] = r.lut + 288 * r.bram18;
    return u;
}

/// The budget of the summed quantities: the capped board budget; with the
/// BRAM-to-LUTRAM rule, BRAM may exceed its budget by what the LUT budget
/// holds, and LUT + 288 BRAM18 may not exceed LUT + 288 BRAM18 budgets.
constexpr usage budget_usage(const resources& budget, bool bram_to_lut, count_t bits = 0) noexcept {
    usage u = to_usage(budget, bits);
    if (bram_to_lut)
        u.v[3] = budget.bram18 + budget.lut / 288;
    else
        u.v[lutram_dim] = std::numeric_limits<count_t>::max() / 4;
    return u;
}
constexpr usage to_usage(const folding_option& o) noexcept { return to_usage(o.used, o.offchip_bits); }

/// Every quantity within its budget.
constexpr bool fits(const usage& u, const usage& budget) noexcept {
    for (std::size_t r = 0; r < dims; ++r)
        if (u.v[r] > budget.v[r]) return false;
    return true;
}

/// Sum over quantities of the relative overflow (0 when within budget).
inline double overflow(const usage& used, const usage& budget) noexcept {
    double v = 0;
    for (std::size_t r = 0; r < dims; ++r)
        if (used[r] > budget[r])
            v += static_cast<double>(used[r] - budget[r]) / static_cast<double>(std::max<count_t>(budget[r], 1));
    return v;
}

/// Bits per clock cycle of a board's off-chip memory (as hass::evaluate computes it).
inline double bits_per_cycle(const board& b) { return b.bandwidth_gbps * 1e9 / b.clock_hz(); }

/// memory_ii of `bits` off-chip bits per image (as hass::evaluate computes it).
inline count_t memory_cycles(double bits, double bpc) { return bpc > 0 ? ceil_to_count(bits / bpc) : 0; }

/// The most off-chip bits per image with memory_cycles(bits) <= T: exact against
/// the double arithmetic of hass::evaluate.
inline count_t bits_within(count_t T, double bpc) {
    if (bpc <= 0 || T >= unlimited || static_cast<double>(T) * bpc >= static_cast<double>(unlimited)) return unlimited;
    if (T <= 0) return 0;
    auto x = static_cast<count_t>(std::floor(static_cast<double>(T) * bpc));
    // rounding moves the answer by a few bits at most: both corrections are bounded
    for (int step = 0; step < 64 && x > 0 && memory_cycles(static_cast<double>(x), bpc) > T; ++step) --x;
    for (int step = 0; step < 64 && memory_cycles(static_cast<double>(x + 1), bpc) <= T; ++step) ++x;
    return x;
}

/// Off-chip bits per image of the layers [first, last) that do not depend on the
/// folding: tensors read from outside the range and outputs read after it (or
/// network outputs), exactly as hass::evaluate_partition counts them.
inline double activation_bits(const network& net, int first, int last) {
    double bits = 0;
    std::vector<int> external;
    const auto n = static_cast<std::size_t>(last - first);
    std::vector<bool> read_inside(n, false), read_later(n, false);
    for (int i = first; i < last; ++i) {
        const layer& l = net.layers[static_cast<std::size_t>(i)];
        for (int src : l.inputs) {
            if (src >= first) {
                read_inside[static_cast<std::size_t>(src - first)] = true;
            } else if (std::find(external.begin(), external.end(), src) == external.end()) {
                external.push_back(src);
                bits += static_cast<double>(net.shape_of(src).size() * l.width.data);
            }
        }
    }
    for (std::size_t j = static_cast<std::size_t>(last); j < net.layers.size(); ++j)
        for (int src : net.layers[j].inputs)
            if (src >= first && src < last) read_later[static_cast<std::size_t>(src - first)] = true;
    for (std::size_t k = 0; k < n; ++k)
        if (!read_inside[k] || read_later[k]) {
            const layer& l = net.layers[k + static_cast<std::size_t>(first)];
            bits += static_cast<double>(l.out.size() * l.width.data);
        }
    return bits;
}

using ::hass::detail::uniform01;
using ::hass::detail::uniform_below;

inline double elapsed_ms(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}


} // namespace hass::detail::fold_search
