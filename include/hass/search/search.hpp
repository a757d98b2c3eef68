// The folding search: choose coarse_in, coarse_out, coarse_group, fine and the
// weight storage of every layer so that the initiation interval
//   II = max( max over layers and inserted squeezes of the latency,  memory_ii )
// is as small as possible while the design's resources (layers + squeezes)
// stay within the board's budget after the utilisation cap. memory_ii =
// ceil(off-chip bits per image / bits per cycle) counts the partition's input
// and output activations and the weights kept off chip. One partition: the
// whole network (or one range of its layers) on the device; cutting a network
// into partitions that run one after another is hass/search/partition.hpp.
//
//   auto r = hass::search(net, hass::boards::u250::spec, hass::algorithm::optimal, {});
//   if (r.found) use(r.folding, r.report); else std::cerr << r.message;
//
// Weight storage: BRAM, URAM (boards with URAM) or, unless
// search_options::offchip_weights is false, off chip: no on-chip memory for the
// layer's weights, but all their bits are read from off-chip memory for every
// image, which raises memory_ii. Networks whose weights exceed the on-chip RAM
// (vgg16, alexnet) then get bandwidth-limited designs instead of none.
//
// Three algorithms behind one interface:
//
//  - greedy: the fpgaConvNet-style pass. Start from all ones (weights moved to
//    URAM, then off chip, where BRAM overflows); repeatedly take the bottleneck
//    layer and apply the first move, in the order fine, coarse_in, coarse_out,
//    coarse_group (each to its next valid value), that lowers its latency and
//    keeps the design within budget (a move that breaks the budget is reverted,
//    and retried with the layer's weights in the other on-chip memory, then off
//    chip when that keeps memory_ii below the II). When the slowest element is a
//    squeeze, the coarse factor of its narrow side is raised. Stops when no move
//    on the bottleneck fits or lowers it, or when memory_ii is the II.
//  - anneal: seeded simulated annealing in the style of SAMO over single-factor
//    moves (one factor of one layer to a neighbouring valid value, or a storage
//    change; half of the moves go to the bottleneck layer); cost = log of a soft
//    maximum of the latencies and memory_ii + a small resource term; moves that
//    break the budget are rejected, so the chain stays within budget (as in
//    SAMO); keeps the best design. Deterministic for a seed: std::mt19937_64
//    with its own uniform mapping.
//  - optimal: II is a max over layers and the resources are sums, so for a target
//    T every layer keeps its options of latency <= T (and stream counts that keep
//    every squeeze within T) and the question is whether one option per layer
//    fits every budget. The off-chip bits are one more summed "resource" with
//    the budget T * bits_per_cycle - activation bits (memory_ii <= T), so the
//    choice of off-chip layers is a knapsack coupled with the others. The check
//    at T runs, until one decides:
//      1. relaxations: per resource, the sum of the layers' minima must fit, and
//         so must the on-chip RAM capacity (BRAM18 and URAM bits together) and
//         weighted sums of on-chip RAM and off-chip bits; options that cannot fit
//         beside the other layers' minima are dropped;
//      2. Lagrangian rounds: every layer takes its option of least weighted
//         relative use sum_r w_r R_r / budget_r, weights of overflowing resources
//         rise; a round whose total exceeds the sum of weights proves T infeasible;
//      3. local search on a soft maximum of the relative resource use;
//      4. a dynamic programme exact in URAM (BRAM18 on boards without URAM) and
//         Lagrangian in the other resources, which is also a certificate; a
//         second local search starts from its best design, and a third from
//         the last design found at a larger target;
//      5. a depth-first branch-and-bound over the stream-exact option sets that
//         charges squeezes exactly, bounded by `node_limit` nodes: a finished
//         search is exact, a search that hits the limit leaves T undecided.
//    The relaxation bound is tried first, then a bisection over the sorted
//    distinct option latencies finds the smallest feasible target; a second
//    bisection between the proven bound and that target raises the proven lower
//    bound (ii_lower_bound) where it can. With off-chip weights the II may lie
//    between two option latencies (set by memory_ii): a last bisection over the
//    memory target alone, with the compute target at the option latency below,
//    finds it (and the top target, every weight off chip, covers designs whose
//    memory_ii exceeds every latency). Finally the design is polished: single
//    layer moves that lower DSP (then other resources) without raising the II.
//
// ii_lower_bound: optimal reports its proven bound; greedy and anneal report the
// relaxation bound (computed outside the timed part, see search_options).
//
// A network that does not fit in one partition yields found = false and a
// message naming the binding resource; search_partitioned (partition.hpp) then
// cuts it into partitions.
//
// Every returned design is re-evaluated with hass::evaluate; `found` is true only
// when that evaluation fits.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/core/random.hpp"
#include "hass/core/text.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/search/options.hpp"

namespace hass {

enum class algorithm { greedy, anneal, optimal };

inline constexpr std::array<algorithm, 3> all_algorithms{algorithm::greedy, algorithm::anneal,
                                                         algorithm::optimal};

constexpr std::string_view to_string(algorithm a) noexcept {
    switch (a) {
    case algorithm::greedy: return "greedy";
    case algorithm::anneal: return "anneal";
    case algorithm::optimal: return "optimal";
    }
    return "?";
}

/// The algorithm of that name ("greedy", "anneal", "optimal"), if any.
constexpr std::optional<algorithm> parse_algorithm(std::string_view s) noexcept {
    for (auto a : all_algorithms)
        if (to_string(a) == s) return a;
    return std::nullopt;
}

struct search_options {
    utilisation_cap cap{};            ///< fraction of each resource the design may use
    std::uint64_t seed = 1;           ///< anneal: random seed
    count_t anneal_iterations = 20000; ///< anneal: proposed moves
    double anneal_start_temperature = 0.3;  ///< anneal: in units of log(II)
    double anneal_end_temperature = 0.002;  ///< anneal: geometric cooling down to this
    double anneal_resource_weight = 0.02; ///< anneal: cost per unit of relative resource use
    int anneal_softmax_power = 16;        ///< anneal: II in the cost is (sum of latency^p)^(1/p)
    int lagrange_rounds = 24;          ///< optimal: weighted-sum rounds per target
    count_t node_limit = 10000;        ///< optimal: branch-and-bound nodes per target
    bool polish = true;      ///< optimal: at the best II, lower DSP (then other resources) where the budget allows
    bool lower_bound = true; ///< greedy/anneal: also compute the relaxation lower bound (not timed)
    bool offchip_weights = true; ///< layers with weights may stream part or all of them from off-chip memory
    bool bram_to_lut = true;     ///< BRAM beyond the budget may move to LUTRAM (288 LUT per BRAM18), as in fpgaConvNet
    count_t batch = 256; ///< partitioned search: images per batch; time = sum (II*B + depth)/clock + (P-1)*reconf
    int max_crossing = 1; ///< partitioned search: cut first where at most this many tensors cross (see partition.hpp)
    std::function<void(double)> progress{}; ///< called with the fraction done, 0..1
};

struct search_result {
    std::vector<::hass::folding> folding; ///< one per layer (empty when nothing fits)
    design_report report;      ///< hass::evaluate of the folding
    count_t ii = 0;            ///< report.ii, cycles per image
    count_t ii_lower_bound = 0; ///< no design within budget has a smaller II (0 when unknown)
    bool found = false;        ///< a design within budget was found
    std::string message;       ///< what was found, or why nothing fits
    std::string algo;          ///< "greedy", "anneal" or "optimal"
    double search_ms = 0;      ///< wall time of the search
    count_t evaluations = 0;   ///< layer foldings evaluated (evaluate_layer calls)
};

namespace detail::fold_search {

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

// ---------------------------------------------------------------------------
// An incrementally evaluated design (greedy and anneal)
// ---------------------------------------------------------------------------

/// A design of the layers [g.first, g.last): foldings indexed from 0.
class design_state {
public:
    using layer_eval = layer_performance (*)(const layer&, const folding&);

    design_state(const network& net, const graph& g, std::vector<folding> f, double fixed_bits, double bpc,
                 layer_eval eval = &evaluate_layer<cost::hass>)
        : net_(&net), g_(&g), fold_(std::move(f)), fixed_bits_(fixed_bits), bpc_(bpc), eval_(eval) {
        lat_.assign(fold_.size(), 0);
        used_.assign(fold_.size(), resources{});
        bits_.assign(fold_.size(), 0);
        elat_.assign(g.edges.size(), 0);
        eused_.assign(g.edges.size(), resources{});
        for (std::size_t i = 0; i < fold_.size(); ++i) eval_layer(i);
        for (std::size_t e = 0; e < g.edges.size(); ++e) eval_edge(e);
    }

    const std::vector<folding>& foldings() const noexcept { return fold_; }
    const folding& at(std::size_t i) const noexcept { return fold_[i]; }
    const resources& total() const noexcept { return total_; }
    count_t latency(std::size_t i) const noexcept { return lat_[i]; }
    count_t evaluations() const noexcept { return evaluations_; }
    const layer& layer_at(std::size_t i) const noexcept { return net_->layers[i + static_cast<std::size_t>(g_->first)]; }

    void set(std::size_t i, const folding& f) {
        fold_[i] = f;
        eval_layer(i);
        for (int e : g_->incident[i]) eval_edge(static_cast<std::size_t>(e));
    }

    /// Slowest layer or squeeze (compute II) and the memory bound.
    count_t ii() const noexcept { return std::max(compute_ii(), memory_ii()); }
    count_t compute_ii() const noexcept {
        count_t m = 0;
        for (count_t v : lat_) m = std::max(m, v);
        for (count_t v : elat_) m = std::max(m, v);
        return m;
    }
    count_t memory_ii() const noexcept { return memory_cycles(fixed_bits_ + static_cast<double>(bits_total_), bpc_); }
    /// log of a soft maximum of the latencies, (sum L^p)^(1/p), and the memory
    /// bound: it falls when any of the slowest elements speeds up.
    double log_soft_ii(int p) const {
        const double top = static_cast<double>(std::max<count_t>(ii(), 1));
        double sum = 0;
        auto add = [&](count_t v) {
            if (v <= 0) return;
            const double x = static_cast<double>(v) / top;
            double y = 1, b = x;
            for (int e = p; e > 0; e >>= 1, b *= b)
                if (e & 1) y *= b;
            sum += y;
        };
        for (count_t v : lat_) add(v);
        for (count_t v : elat_) add(v);
        add(memory_ii());
        return std::log(top) + std::log(std::max(sum, 1.0)) / static_cast<double>(std::max(p, 1));
    }

    /// What to speed up: the slowest layer (first of equals), or when a squeeze is
    /// strictly slower than every layer, the narrow side of that squeeze.
    struct target {
        int layer = -1;
        bool squeeze = false;
        bool raise_output = false; ///< squeeze: raise the producer's output streams
    };
    target bottleneck() const noexcept {
        target t;
        count_t worst = -1;
        for (std::size_t i = 0; i < lat_.size(); ++i)
            if (lat_[i] > worst) {
                worst = lat_[i];
                t.layer = static_cast<int>(i);
            }
        for (std::size_t e = 0; e < elat_.size(); ++e)
            if (elat_[e] > worst) {
                worst = elat_[e];
                const edge& ed = g_->edges[e];
                const auto p = static_cast<std::size_t>(ed.producer), c = static_cast<std::size_t>(ed.consumer);
                const count_t a = streams_out(layer_at(p), fold_[p]);
                const count_t b = streams_in(layer_at(c), fold_[c]);
                t.squeeze = true;
                t.raise_output = a < b;
                t.layer = a < b ? ed.producer : ed.consumer;
            }
        return t;
    }

private:
    void eval_layer(std::size_t i) {
        const layer& l = layer_at(i);
        const layer_performance p = eval_(l, fold_[i]);
        ++evaluations_;
        total_ = total_ - used_[i] + p.used;
        used_[i] = p.used;
        lat_[i] = p.latency;
        const count_t bits = ceil_to_count(p.weight_bits);
        bits_total_ += bits - bits_[i];
        bits_[i] = bits;
    }
    void eval_edge(std::size_t e) {
        const edge& ed = g_->edges[e];
        const auto p = static_cast<std::size_t>(ed.producer), c = static_cast<std::size_t>(ed.consumer);
        const squeeze_link s =
            squeeze_on(*net_, *g_, ed, streams_out(layer_at(p), fold_[p]), streams_in(layer_at(c), fold_[c]));
        total_ = total_ - eused_[e] + s.used;
        eused_[e] = s.used;
        elat_[e] = s.latency;
    }

    const network* net_;
    const graph* g_;
    std::vector<folding> fold_;
    double fixed_bits_ = 0, bpc_ = 0;
    layer_eval eval_;
    std::vector<count_t> lat_, elat_, bits_;
    std::vector<resources> used_, eused_;
    resources total_{};
    count_t bits_total_ = 0;
    count_t evaluations_ = 0;
};

/// All ones, weights in BRAM; when BRAM overflows and the board has URAM, the
/// layers with the most BRAM weight memory move to URAM while URAM allows; when
/// the on-chip RAM still overflows and `offchip` allows it, the layers with the
/// most on-chip weight memory move off chip.
template <class Fits, class Movable>
inline void balance_storage(design_state& s, const resources& budget, bool offchip, Fits&& fits_board,
                            Movable&& movable) {
    const std::size_t n = s.foldings().size();
    if (budget.uram > 0 && s.total().bram18 > budget.bram18) {
        std::vector<std::pair<count_t, std::size_t>> by_bram;
        for (std::size_t i = 0; i < n; ++i)
            if (movable(s.layer_at(i)) && s.at(i).weights == weight_storage::bram)
                by_bram.emplace_back(cost::hass_weight_plan(s.layer_at(i), s.at(i)).on_chip_blocks(), i);
        std::stable_sort(by_bram.begin(), by_bram.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (const auto& [blocks, i] : by_bram) {
            if (s.total().bram18 <= budget.bram18 || blocks == 0) break;
            folding f = s.at(i);
            f.weights = weight_storage::uram;
            const folding old = s.at(i);
            s.set(i, f);
            if (s.total().uram > budget.uram) s.set(i, old);
        }
    }
    if (!offchip) return;
    auto ram_over = [&] { return !fits_board(s.total()); };
    if (!ram_over()) return;
    std::vector<std::pair<count_t, std::size_t>> by_ram; // on-chip weight memory in Kbit
    for (std::size_t i = 0; i < n; ++i)
        if (movable(s.layer_at(i))) {
            const cost::weight_plan w = cost::hass_weight_plan(s.layer_at(i), s.at(i));
            by_ram.emplace_back((w.uram ? 288 : 18) * w.on_chip_blocks(), i);
        }
    std::stable_sort(by_ram.begin(), by_ram.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [kbits, i] : by_ram) {
        if (!ram_over() || kbits == 0) break;
        folding f = s.at(i);
        f.weights = weight_storage::off_chip;
        s.set(i, f);
    }
}

/// Index of v in a sorted list (or of the first larger value).
inline std::size_t position(const std::vector<count_t>& list, count_t v) {
    return static_cast<std::size_t>(std::lower_bound(list.begin(), list.end(), v) - list.begin());
}

/// The next larger valid value of a factor, if any.
inline std::optional<count_t> next_value(const std::vector<count_t>& list, count_t v) {
    const auto it = std::upper_bound(list.begin(), list.end(), v);
    if (it == list.end()) return std::nullopt;
    return *it;
}

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

    verdict decide(count_t Tc, count_t Tm, std::vector<int>& choice) {
        const std::size_t n = opts_.size();
        budget_ = base_;
        budget_[bits_dim] = bits_budget(Tm);
        if (budget_[bits_dim] < 0) return verdict::infeasible; // the activations alone exceed Tm
        // candidates per layer: latency <= Tc and stream counts that keep squeezes within Tc
        exact_.assign(n, {});
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
        for (int pass = 0; pass < 3; ++pass) {
            usage mins{};
            count_t ram = 0;
            std::vector<usage> lmin(n);
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
        front_.assign(n, {});
        for (std::size_t i = 0; i < n; ++i) {
            if (stream_cut_[i]) {
                front_[i] = exact_[i];
                continue;
            }
            const auto& fr = opts_[i].front;
            for (int j : exact_[i])
                if (std::binary_search(fr.begin(), fr.end(), j)) front_[i].push_back(j);
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
        const auto ram_cap = static_cast<double>(ram_budget());
        for (double l : {0.25, 0.5, 0.75, 0.9}) {
            double sum = 0;
            for (std::size_t i = 0; i < cand.size(); ++i) {
                double m = std::numeric_limits<double>::infinity();
                for (int j : cand[i]) {
                    const usage& u = use(i, j);
                    double v = 0;
                    if (u[bits_dim] > 0) {
                        if (bits_cap <= 0) continue;
                        v += (1 - l) * static_cast<double>(u[bits_dim]) / static_cast<double>(bits_cap);
                    }
                    const count_t ram = ram_kbits(u);
                    if (ram > 0) {
                        if (ram_cap <= 0) continue;
                        v += l * static_cast<double>(ram) / ram_cap;
                    }
                    m = std::min(m, v);
                }
                sum += m;
                if (sum > 1 + 1e-9) return false;
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
    verdict lagrange(std::vector<int>& choice) {
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

    /// Local search from the least-overflowing construction: single-layer moves
    /// that lower a soft maximum of the relative use, log sum_r (R_r / budget_r)^p,
    /// for growing p; succeeds when everything fits.
    bool repair(std::vector<int>& choice, const std::vector<int>& start) {
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
    bool eject(std::vector<int>& cur) const {
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

    /// Dynamic programme over one resource (URAM when the board has it, else
    /// BRAM18): for every total of that resource, the least weighted cost of the
    /// others. Exact in that resource (in buckets above 8192 units), Lagrangian in
    /// the others, whose weights rise when they overflow. A minimum above the sum
    /// of the weights proves infeasibility.
    verdict knapsack(std::vector<int>& choice) {
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

    /// Depth-first branch-and-bound over the stream-exact candidates; squeezes are
    /// charged as soon as both ends of an edge are chosen. Bounded by node_limit.
    verdict branch_and_bound(std::vector<int>& choice) {
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

    bool dfs(std::size_t d, const usage& partial, double wpartial) {
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

struct lower_bound_info {
    count_t relaxation = 0; ///< a lower bound on the II from the relaxation (0: nothing fits)
    std::size_t index = 0;  ///< first target whose relaxation fits (targets().size(): none)
};

/// The first target whose relaxation fits. The bound: uncoupled, that target's
/// latency; coupled (off-chip weights), one more than the previous target's
/// latency, and at least the first latency the relaxation without the memory
/// term allows.
inline lower_bound_info relaxation_bound(const optimal_solver& s) {
    const auto& t = s.targets();
    std::size_t lo = 0, hi = t.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (s.relaxation_fits(t[mid].compute, t[mid].memory))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == t.size()) return {0, lo};
    if (!s.coupled()) return {t[lo].compute, lo};
    // the compute part alone (memory unlimited)
    const auto& c = s.candidates();
    std::size_t a = 0, b = c.size();
    while (a < b) {
        const std::size_t mid = (a + b) / 2;
        if (s.relaxation_fits(c[mid], unlimited))
            b = mid;
        else
            a = mid + 1;
    }
    count_t bound = lo > 0 ? t[lo - 1].compute + 1 : 1;
    if (a < c.size()) bound = std::max(bound, c[a]);
    return {bound, lo};
}

/// One search: the layers [first, last) of a network (the whole network for
/// hass::search) with their options.
struct context {
    const network& net;
    const board& brd;
    const search_options& so;
    resources budget; ///< capped board budget (less what the search reserves for FIFOs and port squeezes)
    usage limits;     ///< the budget of the summed quantities (budget_usage)
    graph g;
    std::span<const layer_options> opts; ///< options of the layers [first, last), usable on the board
    /// Options of the range's port layers with their port squeezes folded in (opts may point here).
    std::shared_ptr<const std::vector<layer_options>> owned{};
    double fixed_bits = 0; ///< off-chip activation bits per image of the range
    double bpc = 0;        ///< off-chip bits per cycle
    count_t memory_ii = 0; ///< memory_ii of the activations alone
    std::string what{};    ///< subject of messages (the network name when empty)
    design_state::layer_eval layer_eval = &evaluate_layer<cost::hass>;
    /// A design may run slower than its slowest layer because of its off-chip
    /// traffic (hass); false when the traffic must fit at the compute II.
    bool memory_above_compute = true;
    design_report (*partition_eval)(const network&, const std::vector<folding>&, const board&, int, int,
                                    const evaluation_options&) = &evaluate_partition<cost::hass>;
    evaluation_options eval{}; ///< the options of the exact evaluation
    bool fc_weights_fixed = false; ///< inner products keep their weights in BRAM (the cost model's rule)
    /// The layer's weights may move to URAM or off chip.
    bool movable(const layer& l) const noexcept {
        return l.has_weights() && !(fc_weights_fixed && l.type == layer_type::inner_product);
    }

    int first() const noexcept { return g.first; }
    int last() const noexcept { return g.last; }
    /// Range-local foldings placed into a whole-network folding (all ones elsewhere).
    std::vector<folding> whole(const std::vector<folding>& local) const {
        std::vector<folding> f = unit_folding(net);
        std::copy(local.begin(), local.end(), f.begin() + first());
        return f;
    }
    design_report evaluate_local(const std::vector<folding>& local) const {
        return partition_eval(net, whole(local), brd, first(), last(), eval);
    }
    /// The summed layer and squeeze resources fit (the search's view, without
    /// the FIFOs and port squeezes, which `budget` already reserves).
    bool fits(const resources& r) const noexcept { return fold_search::fits(to_usage(r), limits); }
    /// The state fits and, when the off-chip traffic must fit at the compute
    /// II (fpgaConvNet), its memory_ii does not exceed its compute II.
    bool admissible(const design_state& s) const noexcept {
        return fits(s.total()) && (memory_above_compute || s.memory_ii() <= s.compute_ii());
    }
    design_state state(std::vector<folding> f) const {
        return design_state(net, g, std::move(f), fixed_bits, bpc, layer_eval);
    }
};

inline void report_progress(const search_options& so, double f) {
    if (so.progress) so.progress(std::clamp(f, 0.0, 1.0));
}

/// The options of every layer of a network that fit the board on their own
/// (capped budget): options over budget alone can never be part of a design.
/// `alone` names the first layer with no such option (empty when every layer has one).
struct usable_options {
    std::vector<layer_options> layers;
    count_t evaluations = 0;
    std::string alone; ///< why some layer cannot fit even on its own
};

template <cost::cost_model Cost = cost::hass>
inline usable_options make_usable_options(const network& net, const board& b, const search_options& so) {
    usable_options out;
    const resources budget = b.capped(so.cap);
    const option_limit limit{budget, so.bram_to_lut, true};
    out.layers = make_network_options<Cost>(net, b, so.offchip_weights, limit);
    for (std::size_t i = 0; i < out.layers.size(); ++i) {
        auto& lo = out.layers[i];
        out.evaluations += lo.enumerated;
        if (!lo.options.empty() || !out.alone.empty()) continue;
        // no folding of this layer fits on its own: name the resource its smallest option overflows most
        const layer_options all = make_layer_options<Cost>(net.layers[i], b, so.offchip_weights);
        if (all.options.empty()) {
            out.alone = cat("layer '", net.layers[i].name.view(), "' has no folding the cost model can estimate");
            continue;
        }
        resources mins = all.options.front().used;
        for (const auto& o : all.options)
            for (auto k : all_resource_kinds) mins[k] = std::min(mins[k], o.used[k]);
        const resource_kind* worst = nullptr;
        double ratio = 1.0;
        const usage lim = budget_usage(budget, so.bram_to_lut);
        for (const auto& k : all_resource_kinds) {
            if (mins[k] <= lim[static_cast<std::size_t>(&k - all_resource_kinds.data())]) continue;
            const double x = budget[k] > 0 ? static_cast<double>(mins[k]) / static_cast<double>(budget[k])
                                           : std::numeric_limits<double>::infinity();
            if (x > ratio || worst == nullptr) {
                ratio = x;
                worst = &k;
            }
        }
        const layer& l = net.layers[i];
        if (worst != nullptr)
            out.alone = cat("layer '", l.name.view(), "' (", to_string(l.type), ") alone needs at least ", mins[*worst],
                            " ", to_string(*worst), " at its smallest folding",
                            l.has_weights() && !so.offchip_weights ? " with its weights on chip (off-chip weights disabled)" : "",
                            ", but board '", b.name, "' allows ", budget[*worst], " after the utilisation cap");
        else {
            count_t ram = std::numeric_limits<count_t>::max();
            for (const auto& o : all.options) ram = std::min(ram, ram_kbits(o.used));
            out.alone = cat("layer '", l.name.view(), "' (", to_string(l.type), ") alone needs at least ",
                            fixed(static_cast<double>(ram) / 1024.0, 1),
                            " Mbit of on-chip RAM in one memory type (its weights",
                            l.has_weights() && !so.offchip_weights ? ", kept on chip: off-chip weights disabled" : "",
                            "), but board '", b.name, "' has ", fixed(static_cast<double>(budget.bram18) * 18 / 1024.0, 1),
                            " Mbit of BRAM18 and ", fixed(static_cast<double>(budget.uram) * 288 / 1024.0, 1),
                            " Mbit of URAM after the utilisation cap");
        }
    }
    return out;
}

/// Runs the optimal algorithm; also the fallback start of greedy and anneal.
struct optimal_outcome {
    std::vector<::hass::folding> folding; ///< the layers of the range, indexed from 0
    count_t lower_bound = 0;
    bool found = false;
    bool proven_infeasible = false; ///< nothing fits, proven (not a search limit)
    std::string message;
    count_t evaluations = 0;
};

/// `slowest_only`: only the slowest target (a start for greedy and anneal).
/// `fast`: no tightening of the proven bound and fewer slower-II tries for a
/// shallower pipeline, for the cost table of the partitioned search.
inline optimal_outcome run_optimal(const context& cx, bool slowest_only = false, bool fast = false) {
    optimal_outcome out;
    const std::span<const layer_options> opts = cx.opts;
    optimal_solver s(cx.net, cx.g, opts, cx.limits, cx.so, cx.bpc, cx.fixed_bits, cx.memory_above_compute);
    const auto& t = s.targets();
    const auto& c = s.candidates();
    const bool coupled = s.coupled();
    const lower_bound_info lb = relaxation_bound(s);
    if (t.empty() || lb.relaxation == 0) {
        out.message = no_fit_message(cx.net, cx.brd, s, cx.budget, true, cx.what);
        out.proven_infeasible = true;
        return out;
    }
    auto to_folding = [&](const std::vector<int>& choice) {
        std::vector<folding> f(choice.size());
        for (std::size_t i = 0; i < choice.size(); ++i) f[i] = opts[i].options[static_cast<std::size_t>(choice[i])].fold;
        return f;
    };
    // the index of the first target a design of this II meets
    auto index_of = [&](count_t ii) {
        const auto k = static_cast<std::size_t>(std::lower_bound(c.begin(), c.end(), ii) - c.begin());
        return std::min(k, t.size() - 1);
    };
    // a design within budget at a target, checked with hass::evaluate
    std::vector<int> best_choice;
    count_t best_ii = 0;
    auto attempt_at = [&](count_t Tc, count_t Tm, std::vector<folding>& f, design_report& rep) {
        std::vector<int> choice;
        const verdict v = s.feasible(Tc, Tm, choice);
        if (v != verdict::feasible) return v;
        if (!cx.memory_above_compute && !s.pad(choice, std::max(Tc, Tm))) return verdict::unknown;
        std::vector<folding> g = to_folding(choice);
        design_report r = cx.evaluate_local(g);
        if (!r.fits || r.compute_ii > std::max(Tc, Tm) || (coupled && r.ii > Tm)) return verdict::unknown;
        s.set_hint(choice);
        f = std::move(g);
        rep = std::move(r);
        best_choice = std::move(choice); // every feasible attempt improves on the previous one
        best_ii = coupled ? rep.ii : rep.compute_ii;
        return verdict::feasible;
    };
    // `at`: the index of the target the design's II meets (often below k)
    auto attempt = [&](std::size_t k, std::vector<folding>& f, std::size_t& at) {
        design_report rep;
        const verdict v = attempt_at(t[k].compute, t[k].memory, f, rep);
        if (v == verdict::feasible) at = std::min(k, index_of(coupled ? rep.ii : rep.compute_ii));
        return v;
    };
    std::size_t lo = lb.index, hi = t.size() - 1;
    std::vector<folding> best;
    const verdict top = attempt(hi, best, hi);
    if (top != verdict::feasible) {
        out.message = no_fit_message(cx.net, cx.brd, s, cx.budget, top == verdict::infeasible, cx.what);
        out.proven_infeasible = top == verdict::infeasible;
        out.lower_bound = top == verdict::infeasible ? 0 : std::max(lb.relaxation, cx.memory_ii);
        return out;
    }
    // proven: every target below this index is proven infeasible
    std::size_t proven = lb.index;
    // coupled: no design has II <= proven_value (the relaxation proved the targets below lb.index)
    count_t proven_value = lb.relaxation - 1;
    auto prove = [&](std::size_t k) {
        proven = std::max(proven, k + 1);
        proven_value = std::max(proven_value, t[k].compute);
    };
    if (!slowest_only && lo < hi) {
        // the relaxation bound itself is often achievable: try it first
        std::vector<folding> f;
        const verdict v = attempt(lo, f, hi);
        if (v == verdict::feasible) {
            best = std::move(f);
        } else {
            if (v == verdict::infeasible) prove(lo);
            ++lo;
        }
    }
    if (!slowest_only) {
        // skip targets the memory bound of the activations makes pointless
        while (lo < hi && t[lo].memory < cx.memory_ii && t[lo + 1].compute <= cx.memory_ii) {
            if (coupled) prove(lo);
            ++lo;
        }
        const double steps = std::max(1.0, std::log2(static_cast<double>(hi - lo + 1)));
        double done = 0;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            std::vector<folding> f;
            const verdict v = attempt(mid, f, hi);
            if (v == verdict::feasible) {
                best = std::move(f);
            } else {
                lo = mid + 1;
                if (v == verdict::infeasible) prove(mid);
            }
            report_progress(cx.so, ++done / steps);
        }
    }
    // tighten the proven bound between it and the design found: targets the
    // bisection above left undecided may still be proven infeasible (with a
    // tenth of the node budget: small networks finish well within it, large
    // ones rarely finish at all)
    if (!slowest_only && !fast) {
        s.set_node_limit(cx.so.node_limit / 10);
        std::size_t a = proven;
        while (a < hi) {
            const std::size_t mid = a + (hi - a) / 2;
            std::vector<folding> f;
            const verdict v = attempt(mid, f, hi);
            if (v == verdict::infeasible) {
                prove(mid);
                a = mid + 1;
            } else if (v == verdict::feasible) {
                best = std::move(f); // a better design after all
            } else {
                break; // undecided: keep the bound proven so far
            }
        }
        s.set_node_limit(cx.so.node_limit);
    }
    // off-chip weights: the best II may lie between two option latencies, set
    // by memory_ii. With the compute target at the latency below the design's
    // II, bisect the memory target alone.
    if (coupled && !slowest_only && cx.memory_above_compute) {
        const auto k = static_cast<std::size_t>(std::lower_bound(c.begin(), c.end(), best_ii) - c.begin());
        if (k > 0) {
            const count_t Tc = c[k - 1];
            count_t a = std::max(Tc + 1, cx.memory_ii), b = best_ii - 1; // search II in [a, b]
            // a design with II <= m < best_ii has every latency <= Tc (the largest
            // option latency below best_ii), so infeasible at (Tc, m) proves II > m
            bool first_try = true;
            while (a <= b) {
                // try the top of the interval first: a lower memory target is only
                // harder, so when the top is not met nothing below is
                const count_t mid = first_try || b - a < 4 ? b : a + (b - a) / 2;
                if (first_try) {
                    first_try = false;
                    std::vector<folding> f;
                    design_report rep;
                    const verdict v = attempt_at(Tc, mid, f, rep);
                    if (v != verdict::feasible) {
                        if (v == verdict::infeasible) proven_value = std::max(proven_value, mid);
                        break;
                    }
                    best = std::move(f);
                    b = best_ii - 1;
                    continue;
                }
                std::vector<folding> f;
                design_report rep;
                const verdict v = attempt_at(Tc, mid, f, rep);
                if (v == verdict::feasible) {
                    best = std::move(f);
                    b = best_ii - 1;
                } else {
                    if (v == verdict::infeasible) proven_value = std::max(proven_value, mid);
                    a = mid + 1;
                }
            }
        }
    }
    if (cx.so.polish && !slowest_only && !best_choice.empty()) {
        const count_t batch = std::max<count_t>(cx.so.batch, 1);
        // fpgaConvNet's depth scales 1 / (size_in size_out) by II and the first layer's words per stream
        const layer& first = cx.net.layers[static_cast<std::size_t>(cx.first())];
        // the choice polished for depth (a depth step worth 0.05% of the batch time), kept when not worse
        auto polished = [&](std::vector<int> choice, std::vector<folding> f, design_report rep) {
            const double unit = 0.0005 * static_cast<double>(rep.ii) * static_cast<double>(batch);
            const double s0 = static_cast<double>(first.in.rows * first.in.cols *
                                                  (first.in.channels / streams_in(first, f.front())));
            s.polish(choice, rep.compute_ii, rep.ii, unit, static_cast<double>(rep.interval) * s0);
            std::vector<folding> g = to_folding(choice);
            design_report after = cx.evaluate_local(g);
            if (after.fits && after.ii <= rep.ii && after.batch_cycles(batch) <= rep.batch_cycles(batch))
                return std::pair{std::move(g), std::move(after)};
            return std::pair{std::move(f), std::move(rep)};
        };
        design_report rep = cx.evaluate_local(best);
        std::tie(best, rep) = polished(best_choice, std::move(best), std::move(rep));
        // A batch takes II B + depth cycles: when the depth is a noticeable share,
        // a slower II with a shallower pipeline (more room for the deep layers)
        // can finish the batch sooner. Try a few targets above the design's II,
        // up to the II at which B II alone exceeds the batch time found.
        double cycles = rep.batch_cycles(batch);
        if (rep.pipeline_depth > 0.01 * static_cast<double>(rep.ii) * static_cast<double>(batch)) {
            const std::size_t k0 = index_of(rep.ii);
            std::size_t k1 = k0;
            while (k1 + 1 < t.size() && static_cast<double>(t[k1 + 1].compute) * static_cast<double>(batch) < cycles) ++k1;
            const std::size_t tries = fast ? 3 : 8;
            std::size_t last = k0;
            for (std::size_t q = 1; q <= tries && k1 > k0; ++q) {
                const std::size_t k = k0 + std::max<std::size_t>(1, (k1 - k0) * q / tries);
                if (k == last) continue;
                last = k;
                std::vector<int> choice;
                if (s.feasible(t[k].compute, t[k].memory, choice) != verdict::feasible) continue;
                if (!cx.memory_above_compute && !s.pad(choice, std::max(t[k].compute, t[k].memory))) continue;
                std::vector<folding> g = to_folding(choice);
                design_report r = cx.evaluate_local(g);
                if (!r.fits) continue;
                auto [h, hr] = polished(std::move(choice), std::move(g), std::move(r));
                if (hr.fits && hr.batch_cycles(batch) < cycles) {
                    cycles = hr.batch_cycles(batch);
                    best = std::move(h);
                    rep = std::move(hr);
                }
            }
        }
    }
    out.folding = std::move(best);
    out.found = true;
    if (coupled)
        out.lower_bound = std::max(proven_value + 1, cx.memory_ii);
    else
        out.lower_bound = std::max(t[std::min(proven, t.size() - 1)].compute, cx.memory_ii);
    return out;
}

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

} // namespace detail::fold_search

namespace detail::fold_search {

/// A context for the layers [first, last) under a cost model: options usable
/// on the board, the graph, the fixed off-chip traffic and the evaluators.
template <cost::cost_model Cost>
inline context make_context(const network& net, const board& b, const search_options& so,
                            std::span<const layer_options> opts, int first, int last, const resources& reserve = {}) {
    evaluation_options eval;
    eval.cap = so.cap;
    eval.batch = so.batch;
    eval.bram_to_lut = so.bram_to_lut;
    // the off-chip traffic that does not depend on the folding (inputs and outputs)
    const design_report unit = evaluate_partition<Cost>(net, unit_folding(net), b, first, last, eval);
    const double fixed = unit.bits_in + unit.bits_out;
    const double bpc = so.cap.bandwidth * bits_per_cycle(b);
    resources budget = b.capped(so.cap);
    for (auto k : all_resource_kinds) budget[k] = std::max<count_t>(0, budget[k] - reserve[k]);
    // a layer that reads (writes) off-chip memory with more streams than a memory
    // port carries gets a port squeeze: its cost depends on the layer's folding
    // only, so it is folded into that layer's options
    auto local = std::make_shared<std::vector<layer_options>>(opts.begin(), opts.end());
    bool changed = false;
    {
        std::vector<bool> read_inside(static_cast<std::size_t>(last - first), false), read_later(read_inside.size(), false);
        for (int i = first; i < last; ++i)
            for (int src : net.layers[static_cast<std::size_t>(i)].inputs)
                if (src >= first) read_inside[static_cast<std::size_t>(src - first)] = true;
        for (std::size_t j = static_cast<std::size_t>(last); j < net.size(); ++j)
            for (int src : net.layers[j].inputs)
                if (src >= first && src < last) read_later[static_cast<std::size_t>(src - first)] = true;
        const bool reference_cap = Cost::rules.reference_pipeline_depth;
        for (int i = first; i < last; ++i) {
            const auto k = static_cast<std::size_t>(i - first);
            const layer& l = net.layers[static_cast<std::size_t>(i)];
            bool outside = false;
            for (int src : l.inputs) outside = outside || src < first;
            const bool output = !read_inside[k] || read_later[k];
            if (!outside && !output) continue;
            layer_options& lo = (*local)[k];
            const bool conv = l.type == layer_type::convolution;
            const count_t cin = std::max<count_t>(1, b.port_width_bits / (reference_cap ? 16 : l.width.data));
            const count_t cout = std::max<count_t>(1, b.port_width_bits / (reference_cap ? 16 : l.width.output));
            bool any = false;
            for (auto& o : lo.options) {
                if (outside) {
                    const count_t port = ::hass::detail::port_streams(l.in.channels, conv ? l.groups : 1, o.streams_in, cin);
                    if (port != o.streams_in) {
                        const squeeze_link q =
                            ::hass::detail::make_squeeze<Cost>(net, network_input, i, port, o.streams_in, l.width.data);
                        o.used += q.used;
                        o.latency = std::max(o.latency, q.latency);
                        any = true;
                    }
                }
                if (output) {
                    const count_t port = ::hass::detail::port_streams(l.out.channels, conv ? l.groups : 1, o.streams_out, cout);
                    if (port != o.streams_out) {
                        const squeeze_link q = ::hass::detail::make_squeeze<Cost>(net, i, -1, o.streams_out, port, l.width.output);
                        o.used += q.used;
                        o.latency = std::max(o.latency, q.latency);
                        if constexpr (Cost::rules.reference_pipeline_depth) {
                            const double words = static_cast<double>(l.out.rows * l.out.cols);
                            o.depth_ii += 1.0 / (words * static_cast<double>(l.out.channels / o.streams_out) * words *
                                                 static_cast<double>(l.out.channels / port));
                        }
                        any = true;
                    }
                }
            }
            if (!any) continue;
            changed = true;
            std::stable_sort(lo.options.begin(), lo.options.end(), ::hass::detail::option_less);
            std::vector<int> idx(lo.options.size());
            for (std::size_t q = 0; q < idx.size(); ++q) idx[q] = static_cast<int>(q);
            lo.front = ::hass::detail::epsilon_front(lo.options, idx, front_epsilon);
        }
    }
    std::span<const layer_options> used_opts = opts;
    if (changed) used_opts = std::span<const layer_options>(*local);
    context cx{net, b, so, budget, budget_usage(budget, so.bram_to_lut), make_graph(net, first, last), used_opts,
               {}, fixed, bpc, memory_cycles(fixed, bpc), {}};
    if (changed) cx.owned = local;
    cx.g.squeeze = &::hass::detail::make_squeeze<Cost>;
    cx.layer_eval = &evaluate_layer<Cost>;
    cx.partition_eval = &evaluate_partition<Cost>;
    cx.eval = eval;
    cx.fc_weights_fixed = Cost::rules.inner_product_weights_in_bram;
    cx.memory_above_compute = !Cost::rules.bandwidth_must_fit;
    return cx;
}

/// What the exact evaluation adds to the layers and squeezes the search sums:
/// the skip FIFOs, the port squeezes, and the LUT the BRAM-to-LUTRAM rule adds
/// beyond 288 per block.
/// `ports_in_options`: the options already carry the port squeezes (the
/// optimal search's view), so they are not extras.
inline resources extras_of(const design_report& r, bool ports_in_options) {
    resources sum{};
    for (const auto& lp : r.layers) sum += lp.used;
    for (const auto& q : r.squeezes) sum += q.used;
    if (ports_in_options)
        for (const auto& q : r.port_squeezes) sum += q.used;
    resources extra{};
    for (auto k : all_resource_kinds) extra[k] = std::max<count_t>(0, r.used_raw[k] - sum[k]);
    for (const auto& lp : r.layers) extra.bram18 += lp.fifo_bram; // part of the layer figures
    return extra;
}

} // namespace detail::fold_search

namespace detail::fold_search {

/// The outcome of one range searched until its exact evaluation fits.
struct reserved_outcome {
    range_outcome range;
    design_report report; ///< the exact evaluation of the range (when found)
    bool found = false;
    double timed_ms = 0;
};

/// Runs an algorithm on the layers [first, last) and evaluates the design
/// exactly; when the skip FIFOs and port squeezes (which the searches do not
/// sum) push it over budget, their cost is set aside and the range searched
/// again (up to four rounds).
template <cost::cost_model Cost>
inline reserved_outcome run_reserved(const network& net, const board& b, const search_options& so,
                                     std::span<const layer_options> opts, int first, int last, algorithm algo,
                                     std::string what = {}, bool fast = false,
                                     std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now()) {
    reserved_outcome out;
    resources reserve{};
    for (int round = 0; round < 4; ++round) {
        context cx = make_context<Cost>(net, b, so, opts, first, last, reserve);
        cx.what = what;
        range_outcome o;
        if (fast) {
            optimal_outcome f = run_optimal(cx, false, true);
            o.found = f.found;
            o.proven_infeasible = f.proven_infeasible;
            o.lower_bound = f.lower_bound;
            o.message = std::move(f.message);
            o.folding = std::move(f.folding);
            o.evaluations = f.evaluations;
            out.timed_ms = elapsed_ms(t0);
        } else {
            o = run_range(cx, algo, &out.timed_ms, t0);
        }
        out.range.evaluations += o.evaluations;
        // bounds and proofs hold for the board only without a reserve (round 0)
        if (round == 0) out.range.lower_bound = o.lower_bound;
        out.range.message = o.message;
        out.range.proven_infeasible = round == 0 && o.proven_infeasible;
        if (!o.found) break;
        design_report rep = cx.evaluate_local(o.folding);
        if (rep.fits) {
            out.range.folding = std::move(o.folding);
            out.range.found = true;
            out.report = std::move(rep);
            out.found = true;
            break;
        }
        const resources extra = extras_of(rep, fast || algo == algorithm::optimal);
        bool grew = false;
        for (auto k : all_resource_kinds)
            if (extra[k] > reserve[k]) {
                reserve[k] = extra[k] + extra[k] / 8 + 1;
                grew = true;
            }
        out.range.message = cat("the ", to_string(algo), " design of ", what.empty() ? std::string(net.name.view()) : what,
                                " does not fit ", b.name, " once its skip-connection FIFOs and port squeezes are added");
        if (!grew) break;
    }
    return out;
}

} // namespace detail::fold_search

/// Searches the folding of every layer for the smallest II within the board's
/// budget under a cost model (then, at that II, the least pipeline depth and
/// DSP). The skip FIFOs and port squeezes the exact evaluation adds are
/// reserved: when the first design does not fit with them, the search runs
/// again with their cost set aside.
template <cost::cost_model Cost = cost::hass>
inline search_result search(const network& net, const board& b, algorithm algo, const search_options& so = {}) {
    namespace fs = detail::fold_search;
    const auto t0 = std::chrono::steady_clock::now();
    search_result out;
    out.algo = std::string(to_string(algo));
    const int n = static_cast<int>(net.size());
    const fs::usable_options opts = fs::make_usable_options<Cost>(net, b, so);
    out.evaluations = opts.evaluations;
    if (!opts.alone.empty()) {
        out.message = detail::cat(net.name.view(), " does not fit ", b.name, ": ", opts.alone);
        out.search_ms = fs::elapsed_ms(t0);
        fs::report_progress(so, 1.0);
        return out;
    }
    fs::reserved_outcome o = fs::run_reserved<Cost>(net, b, so, opts.layers, 0, n, algo, {}, false, t0);
    out.search_ms = o.timed_ms;
    out.evaluations += o.range.evaluations;
    out.ii_lower_bound = o.range.lower_bound;
    out.message = std::move(o.range.message);
    if (o.found) {
        out.report = std::move(o.report);
        out.folding = std::move(o.range.folding);
        out.ii = out.report.ii;
        out.found = true;
        out.message = detail::cat(out.algo, ": II ", out.ii, " cycles (", detail::fixed(out.report.throughput(), 1),
                                  " images/s steady state, ", detail::fixed(out.report.batch_throughput(), 1),
                                  " at batch ", so.batch, ") on ", b.name, " (", Cost::name, " model), lower bound ",
                                  out.ii_lower_bound);
    }
    fs::report_progress(so, 1.0);
    return out;
}

} // namespace hass
