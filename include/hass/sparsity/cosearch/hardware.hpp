// The co-search's incremental hardware estimate: per layer and threshold grid
// point, a staircase of folding options with running resource minima, and the
// relaxation II over the staircases (hass/sparsity/cosearch.hpp explains it).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/search/options.hpp"
#include "hass/sparsity/cosearch/types.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::sparsity {

/// Options of a layer sorted by latency with running minima of each resource.
struct staircase {
    /// dsp, lut, ff, bram18, uram, and on-chip memory bits: BRAM18 x 18 Kb + URAM x
    /// 288 Kb + LUT x 64 (a LUT holds 64 bits as LUTRAM); a fitting design is within
    /// the board's total of the same sum, whatever memory each buffer went to.
    /// The seventh to ninth are the on-chip memory bits plus w times the weight
    /// bits read from off-chip memory per image, for w = 1, 1/64 and 1/1024: a
    /// layer's weights are in one or the other, so a fitting design needs at most
    /// the on-chip capacity plus w times the traffic T allows (T x bandwidth bits
    /// per cycle, less the network's input and output traffic: the memory bound
    /// of hass::evaluate) at target T. Every w gives a valid bound; a small w
    /// charges a layer that streams its weights, and reads each of them many
    /// times per image, for the traffic rather than for the on-chip bits it frees
    /// (on resnet18/zcu102 it took the estimate from 332 to 23 images/s, the
    /// exact design being 11.7).
    /// The tenth and eleventh are surrogate sums: one priced sum of every
    /// resource, sum_r p_r x use_r / budget_r + p_off x off-chip bits / N,
    /// within sum_r p_r + p_off x (T x bandwidth - io) / N, for two price
    /// vectors p >= 0 (cosearch_hardware sets them; any p gives a valid bound).
    /// Each layer's least of a priced sum comes from one folding, where the
    /// per-resource minima may each come from another: this is what ties a
    /// layer's DSP, LUT and memory to one folding.
    /// The last is the off-chip bits alone, within T x bandwidth less the
    /// activation traffic: the memory bound itself (it binds where the
    /// activations read and written dominate, as in a partition whose tensors
    /// cross its boundary through off-chip memory).
    static constexpr std::size_t dims = 12;
    /// The dimensions whose budget grows with T, and the weight of their off-chip
    /// bits (the last: the off-chip bits alone).
    static constexpr std::size_t first_traffic_dim = 6;
    static constexpr std::size_t first_surrogate_dim = 9;
    static constexpr std::size_t surrogates = 2;
    static constexpr std::size_t offchip_dim = dims - 1;
    static constexpr std::array<double, first_surrogate_dim - first_traffic_dim> traffic_weight{1.0, 1.0 / 64.0,
                                                                                                1.0 / 1024.0};
    std::vector<count_t> latency;          ///< ascending
    std::vector<std::array<double, dims>> least; ///< least use among options [0, i]

    bool empty() const noexcept { return latency.empty(); }
    /// Index of the last option with latency <= t, or -1.
    std::ptrdiff_t at(count_t t) const noexcept {
        return std::upper_bound(latency.begin(), latency.end(), t) - latency.begin() - 1;
    }
};

namespace detail::cosearch {

inline std::array<double, staircase::dims> usage(const resources& r, double offchip_bits = 0) {
    const double bits = static_cast<double>(r.bram18) * 18432.0 + static_cast<double>(r.uram) * 294912.0 +
                        static_cast<double>(r.lut) * 64.0;
    std::array<double, staircase::dims> u{static_cast<double>(r.dsp), static_cast<double>(r.lut),
                                          static_cast<double>(r.ff),  static_cast<double>(r.bram18),
                                          static_cast<double>(r.uram), bits};
    for (std::size_t d = staircase::first_traffic_dim; d < staircase::first_surrogate_dim; ++d)
        u[d] = bits + offchip_bits * staircase::traffic_weight[d - staircase::first_traffic_dim];
    u[staircase::offchip_dim] = offchip_bits; // the surrogate sums stay 0 until priced (cosearch_hardware)
    return u;
}

/// Adds `bits` of on-chip memory held in BRAM18 (a skip FIFO's) to a use: the
/// BRAM18 (18,432 bits a block at most) and the on-chip bits of the memory and
/// traffic sums.
inline void charge_memory(std::array<double, staircase::dims>& u, double bits) {
    u[3] += bits / 18432.0;
    for (std::size_t d = 5; d < staircase::first_surrogate_dim; ++d) u[d] += bits;
}

/// The staircase of options given as (latency, index) pairs, `use_of(index)`
/// giving an option's resource use: sorted by latency, with the running
/// minima; an option that lowers no minimum is left out (at any target the
/// staircase gives the same least use without it), so the staircases stay short.
template <class UseOf>
staircase make_staircase(std::vector<std::pair<count_t, std::uint32_t>> order, UseOf use_of) {
    std::sort(order.begin(), order.end()); // by latency, ties by index: deterministic
    staircase s;
    for (const auto& [lat, k] : order) {
        const std::array<double, staircase::dims>& u = use_of(k);
        if (s.least.empty()) {
            s.latency.push_back(lat);
            s.least.push_back(u);
            continue;
        }
        auto m = s.least.back();
        bool lower = false;
        for (std::size_t d = 0; d < staircase::dims; ++d)
            if (u[d] < m[d]) m[d] = u[d], lower = true;
        if (lat == s.latency.back())
            s.least.back() = m;
        else if (lower) {
            s.latency.push_back(lat);
            s.least.push_back(m);
        }
    }
    return s;
}

inline staircase make_staircase(const std::vector<std::pair<count_t, std::array<double, staircase::dims>>>& opts) {
    std::vector<std::pair<count_t, std::uint32_t>> order;
    order.reserve(opts.size());
    for (std::size_t k = 0; k < opts.size(); ++k) order.emplace_back(opts[k].first, static_cast<std::uint32_t>(k));
    return make_staircase(std::move(order), [&opts](std::uint32_t k) -> const auto& { return opts[k].second; });
}

/// A sparse folding whose latency depends on the statistics only through E(f, S).
struct sparse_option {
    count_t fine, streams;
    double work;          ///< Wk = Ho*Wo*(C/S)*F/(co*G)
    count_t other;        ///< max(input term, output term)
    std::array<double, staircase::dims> use;
};

} // namespace detail::cosearch

/// The hardware side of the co-search: staircases per layer and grid point, and
/// the II estimate of a candidate.
class cosearch_hardware {
public:
    /// One layer's options: (latency, use).
    using option_list = std::vector<std::pair<count_t, std::array<double, staircase::dims>>>;

    /// `cuts`: the partition cuts (layer indices where a partition starts; none:
    /// one partition), which decide which skip FIFOs exist (fifo_bits).
    template <cost::cost_model Cost = cost::hass>
    cosearch_hardware(const network& net, const board& b, const predictor& pred, const utilisation_cap& cap,
                      bool offchip_weights = true, Cost = {}, const surrogate_prices* first_prices = nullptr,
                      const std::vector<int>& cuts = {})
        : net_(&net), board_(b), pred_(&pred), offchip_(offchip_weights),
          pointwise_rule_(&cost::pointwise_sparse<Cost>) {
        const resources budget = b.capped(cap);
        budget_ = detail::cosearch::usage(budget, std::numeric_limits<double>::infinity());
        bits_per_cycle_ = b.bandwidth_gbps * 1e9 / b.clock_hz();
        io_bits_ = static_cast<double>(net.input.size() * 16);
        for (int out : net.outputs()) {
            const layer& l = net.layers[static_cast<std::size_t>(out)];
            io_bits_ += static_cast<double>(l.out.size() * l.width.data);
        }
        stats_of_layer_.assign(net.size(), -1);
        for (std::size_t i = 0; i < pred.size(); ++i) stats_of_layer_[static_cast<std::size_t>(pred.network_index(i))] = static_cast<int>(i);
        fixed_.resize(net.size());
        sparse_.resize(pred.size());
        dense_.resize(pred.size());
        cache_.resize(pred.size());
        for (std::size_t i = 0; i < pred.size(); ++i)
            cache_[i].assign(pred.tau_w_grid(i).size() * pred.tau_a_grid(i).size(), nullptr);
        // every layer's dense options and sparse foldings, then the surrogate prices
        // from them, then the staircases
        raw_.resize(net.size());
        foldings_.resize(pred.size());
        // the skip FIFOs' memory, per cycle of pipeline depth
        const fifo_charges fifo = fifo_bits(net, cuts, Cost::rules.reference_pipeline_depth);
        for (std::size_t li = 0; li < net.size(); ++li) {
            layer l = net.layers[li];
            l.sparsity = {};
            const int si = stats_of_layer_[li];
            auto opts = make_layer_options<Cost>(l, b, offchip_);
            const double per_cycle = fifo.per_cycle.empty() ? 0.0 : fifo.per_cycle[li];
            const double constant = fifo.constant.empty() ? 0.0 : fifo.constant[li];
            for (const auto& o : opts.options) {
                raw_[li].emplace_back(o.latency, detail::cosearch::usage(o.used, static_cast<double>(o.offchip_bits)));
                detail::cosearch::charge_memory(raw_[li].back().second,
                                                per_cycle * static_cast<double>(o.pipeline_depth) + constant);
            }
            // inner products are modelled dense: their thresholds change the accuracy only
            if (si >= 0 && net.layers[li].type == layer_type::convolution)
                foldings_[static_cast<std::size_t>(si)] = sparse_foldings<Cost>(net.layers[li], b, offchip_, per_cycle);
        }
        set_prices(first_prices);
        for (std::size_t li = 0; li < net.size(); ++li) {
            for (auto& o : raw_[li]) price(o.second);
            const int si = stats_of_layer_[li];
            (si < 0 ? fixed_[li] : dense_[static_cast<std::size_t>(si)]) = detail::cosearch::make_staircase(raw_[li]);
        }
        for (std::size_t s = 0; s < foldings_.size(); ++s) sparse_[s] = merge_options(foldings_[s]);
    }

    cosearch_hardware(const cosearch_hardware&) = delete; // the cache points into dense_
    cosearch_hardware& operator=(const cosearch_hardware&) = delete;
    cosearch_hardware(cosearch_hardware&&) = default; // the containers keep their elements where they are
    cosearch_hardware& operator=(cosearch_hardware&&) = default;

    /// A lower bound on the skip FIFOs' memory, in bits, as a sum over layers: per
    /// cycle of a layer's pipeline depth, and a constant per layer.
    struct fifo_charges {
        std::vector<double> per_cycle, constant;
    };
    /// The FIFOs of residual blocks whose shortcut is the identity: an eltwise
    /// layer fed by a split and by a chain of one-input layers from that split, in
    /// one partition. hass::evaluate gives the shortcut's port a FIFO of
    /// longest path depth - shortcut path depth + 64 words. A path's depth sums
    /// its nodes' pipeline depths, and in fpgaConvNet's model adds a term per
    /// node, latency / size_in times the product of size_in / size_out up to it
    /// (>= 0). The split and the eltwise are on both paths and squeezes only add
    /// to the chain's; the shortcut holds at most one squeeze (a to b streams,
    /// a, b <= C), of depth lcm(a, b) / b + 1 <= C + 1 in hass's model, 0 in
    /// fpgaConvNet's, whose shortcut terms beyond the split's are the squeeze's,
    /// b / min(a, b), and the eltwise's, b / a (1 without a squeeze): at most 2C.
    /// So the FIFO holds at least sum(chain depths) + 64 - x words of w bits,
    /// x = C + 1 in hass's model and 2C in fpgaConvNet's (`reference`), in BRAM18
    /// (at most 18,432 bits a block) or, at most max(1024, 32 w) bits, in LUTRAM
    /// (resources/memory.hpp's FIFO rule): every chain layer is charged w bits per
    /// cycle of its depth, the eltwise (64 - x) w - max(1024, 32 w).
    /// `cuts`: where partitions start (a block cut in two has no FIFO).
    static fifo_charges fifo_bits(const network& net, const std::vector<int>& cuts, bool reference = false) {
        fifo_charges out;
        out.per_cycle.assign(net.size(), 0.0);
        out.constant.assign(net.size(), 0.0);
        const auto part = [&cuts](int i) { return std::upper_bound(cuts.begin(), cuts.end(), i) - cuts.begin(); };
        for (std::size_t e = 0; e < net.size(); ++e) {
            const layer& l = net.layers[e];
            if (l.type != layer_type::eltwise || l.inputs.size() != 2) continue;
            for (std::size_t side = 0; side < 2; ++side) {
                const int s = l.inputs[side];
                if (s < 0 || net.layers[static_cast<std::size_t>(s)].type != layer_type::split) continue;
                std::vector<int> chain;
                bool found = false;
                for (int v = l.inputs[1 - side]; v > s;) {
                    const layer& lv = net.layers[static_cast<std::size_t>(v)];
                    if (lv.inputs.size() != 1) break;
                    chain.push_back(v);
                    if (lv.inputs.front() == s) {
                        found = true;
                        break;
                    }
                    v = lv.inputs.front();
                }
                if (!found || part(s) != part(static_cast<int>(e))) continue;
                const auto w = static_cast<double>(l.width.data);
                for (int v : chain) out.per_cycle[static_cast<std::size_t>(v)] += w;
                const count_t shortcut = reference ? 2 * l.in.channels : l.in.channels + 1;
                out.constant[e] += (64.0 - static_cast<double>(shortcut)) * w - std::max(1024.0, 32.0 * w);
                break;
            }
        }
        return out;
    }

    /// The staircase of statistics layer `s` at grid point (iw, ia).
    const staircase& layer_staircase(std::size_t s, std::uint8_t iw, std::uint8_t ia) {
        const std::size_t key = std::size_t{iw} * pred_->tau_a_grid(s).size() + ia;
        const staircase*& slot = cache_[s][key];
        if (slot != nullptr) return *slot;
        if (sparse_[s].empty()) return *(slot = &dense_[s]);
        std::vector<count_t> lat;
        if (!option_latencies(s, iw, ia, sparse_[s], lat)) return *(slot = &dense_[s]);
        std::vector<std::pair<count_t, std::uint32_t>> v; // (latency, option)
        v.reserve(lat.size());
        for (std::size_t k = 0; k < lat.size(); ++k) v.emplace_back(lat[k], static_cast<std::uint32_t>(k));
        const auto& opts = sparse_[s];
        built_.push_back(detail::cosearch::make_staircase(
            std::move(v), [&opts](std::uint32_t k) -> const auto& { return opts[k].use; }));
        return *(slot = &built_.back());
    }

    struct estimate {
        count_t ii = 0; ///< 0 when nothing fits
        count_t dsp = 0;
    };

    /// II estimate for the staircases `layers` (one per layer of the network, or
    /// of a partition). `io_bits`: the activation bits the layers read from and
    /// write to off-chip memory per image (a partition's crossing tensors);
    /// negative: the network's input and outputs.
    /// `hint`: where the answer likely is (the last estimate of similar layers;
    /// 0: none); it changes the time taken, never the answer.
    estimate estimate_ii(const std::vector<const staircase*>& layers, double io_bits = -1, count_t hint = 0) const {
        io_ = io_bits < 0 ? io_bits_ : io_bits;
        count_t lo = 0, hi = 0;
        std::array<double, staircase::dims> slowest{}; // every layer's last step: its least use at hi
        for (const auto* s : layers) {
            lo = std::max(lo, s->latency.front());
            hi = std::max(hi, s->latency.back());
            const auto& m = s->least.back();
            for (std::size_t d = 0; d < staircase::dims; ++d) slowest[d] += m[d];
        }
        if (!within(slowest, hi)) {
            // past the slowest option only the memory bound can still be met
            if (bits_per_cycle_ <= 0) return {};
            hi = std::max(hi, traffic_fit(slowest));
            if (!within(slowest, hi)) return {};
        }
        // smallest T in [lo, hi] that fits: a bisection in which every layer's
        // option index at T stays between its indices at lo and hi, so each step
        // searches only that bracket (the same decisions as summing every layer's
        // least use at T, in less time)
        const std::size_t n = layers.size();
        // scratch of the bisection, kept between calls
        auto& at_lo = scratch_.at_lo;
        auto& at_hi = scratch_.at_hi;
        auto& at_mid = scratch_.at_mid;
        auto& open = scratch_.open;
        at_lo.resize(n);
        at_hi.resize(n);
        at_mid.resize(n);
        open.clear();
        // the layers whose bracket is still open; a closed one (one step from lo
        // to hi) adds the same least use at every T, summed once in `settled`
        std::array<double, staircase::dims> settled{};
        const auto settle = [&](std::size_t i) {
            const auto& m = layers[i]->least[static_cast<std::size_t>(at_lo[i])];
            for (std::size_t d = 0; d < staircase::dims; ++d) settled[d] += m[d];
        };
        for (std::size_t i = 0; i < n; ++i) {
            at_lo[i] = layers[i]->at(lo);
            at_hi[i] = static_cast<std::ptrdiff_t>(layers[i]->latency.size()) - 1; // hi >= every latency
            if (at_lo[i] == at_hi[i])
                settle(i);
            else
                open.push_back(i);
        }
        // one bisection step at mid (lo <= mid < hi): the sums at mid decide
        // which side keeps the answer, and the layers whose bracket closed settle
        const auto step = [&](count_t mid) {
            std::array<double, staircase::dims> sum = settled;
            for (const std::size_t i : open) {
                const auto& lat = layers[i]->latency;
                // latency[at_lo] <= lo <= mid < latency[at_hi + 1] (when it exists)
                const auto k = std::upper_bound(lat.begin() + at_lo[i] + 1, lat.begin() + at_hi[i] + 1, mid) -
                               lat.begin() - 1;
                at_mid[i] = k;
                const auto& m = layers[i]->least[static_cast<std::size_t>(k)];
                for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
            }
            const bool fits = within(sum, mid);
            if (fits) {
                hi = mid;
                for (const std::size_t i : open) at_hi[i] = at_mid[i];
            } else {
                lo = mid + 1;
                for (const std::size_t i : open) at_lo[i] = at_mid[i]; // at(lo) >= at(mid)
            }
            std::size_t still = 0;
            for (const std::size_t i : open) {
                if (at_lo[i] == at_hi[i])
                    settle(i);
                else
                    open[still++] = i;
            }
            open.resize(still);
            return fits;
        };
        // a hint (the last estimate of similar layers) first, then a point 1/32
        // from it on the side the answer lies: when the answer is near the hint,
        // most layers' brackets close after two steps. Fits is monotone in T,
        // so the answer is the same with any hint or none.
        if (hint > lo && hint < hi && !open.empty()) {
            const count_t delta = std::max<count_t>(hint / 32, 1);
            if (step(hint)) {
                if (hint - delta > lo && !open.empty()) step(hint - delta);
            } else if (hint + delta < hi && !open.empty()) {
                step(hint + delta);
            }
        }
        while (lo < hi) {
            if (open.empty()) {
                // every layer is on one step from lo to hi: only the memory bound's
                // budget still changes with T, and it grows; hi fits
                lo = smallest_memory_fit(layers, at_hi, lo, hi);
                break;
            }
            step(lo + (hi - lo) / 2);
        }
        estimate e;
        e.ii = lo;
        // at_hi holds every layer's step at hi = lo (settled layers: the one from lo to hi)
        double dsp = 0;
        for (std::size_t i = 0; i < n; ++i) dsp += layers[i]->least[static_cast<std::size_t>(at_hi[i])][0];
        e.dsp = static_cast<count_t>(dsp);
        return e;
    }
    /// Max over resources of need / budget at target `t` (infinite when a layer
    /// cannot reach t); `io_bits` as for estimate_ii.
    double binding_at(const std::vector<const staircase*>& layers, count_t t, double io_bits = -1) const {
        io_ = io_bits < 0 ? io_bits_ : io_bits;
        for (const auto* s : layers)
            if (s->at(t) < 0) return std::numeric_limits<double>::infinity();
        return binding(needs(layers, t), t);
    }

    const staircase& fixed(std::size_t layer_index) const { return fixed_[layer_index]; }
    /// The II below which no threshold helps: the slowest fastest option of the
    /// layers without statistics.
    count_t fixed_floor() const {
        count_t f = 0;
        for (std::size_t i = 0; i < fixed_.size(); ++i) {
            const int si = stats_of_layer_[i];
            if (si < 0 && !fixed_[i].empty()) f = std::max(f, fixed_[i].latency.front());
            // a layer with statistics but no sparse build (an inner product) is fixed too
            if (si >= 0 && sparse_[static_cast<std::size_t>(si)].empty() && !dense_[static_cast<std::size_t>(si)].empty())
                f = std::max(f, dense_[static_cast<std::size_t>(si)].latency.front());
        }
        return f;
    }
    int stats_index(std::size_t layer_index) const { return stats_of_layer_[layer_index]; }
    /// The surrogate sums' prices: per sum, DSP, LUT, FF, BRAM18, URAM (each per
    /// unit of the capped budget) and off-chip bits (per `surrogate_scale(k)` bits).
    const std::array<double, 6>& price_vector(std::size_t k) const { return price_[k]; }
    double surrogate_scale(std::size_t k) const { return scale_[k]; }
    /// Sets surrogate sum k's prices (and the off-chip bits per unit, > 0 to price
    /// them): for staircases priced from here on (`price`); any prices >= 0 give a
    /// valid bound, provided a BRAM18 costs at most 288 LUT.
    void set_surrogate_prices(std::size_t k, const std::array<double, 6>& p, double scale) {
        price_[k] = p;
        scale_[k] = scale;
        price_sum_[k] = 0;
        for (std::size_t r = 0; r < 5; ++r) price_sum_[k] += budget_[r] > 0 ? p[r] : 0.0;
    }
    /// Fills an option's surrogate sums from its resources (dims 0-4) and off-chip bits.
    void price(std::array<double, staircase::dims>& u) const {
        for (std::size_t k = 0; k < staircase::surrogates; ++k) {
            double v = 0;
            for (std::size_t r = 0; r < 5; ++r)
                if (price_[k][r] > 0 && budget_[r] > 0) v += price_[k][r] * u[r] / budget_[r];
            if (scale_[k] > 0) v += price_[k][5] * u[staircase::offchip_dim] / scale_[k];
            u[staircase::first_surrogate_dim + k] = v;
        }
    }

    /// The Lagrangian dual of the folding choice at target t over the options
    /// `lists` (one list per layer, (latency, use)): the prices on the simplex
    /// that make the layers' least priced use at t exceed the priced budget the
    /// most, by 100 exponentiated subgradient steps; `value` is that excess (> 0:
    /// no folding of these layers reaches t within the budget). A BRAM18 is priced
    /// at most as 288 LUT (the LUTRAM a BRAM18 over budget moves to: a design that
    /// moves BRAM keeps its priced sum within the budget).
    surrogate_prices dual_prices(const std::vector<option_list>& lists, count_t t) const {
        const double scale = static_cast<double>(t) * bits_per_cycle_;
        const double off_budget = scale > 0 ? std::max(0.0, 1.0 - io_bits_ / scale) : 0.0;
        std::array<bool, 6> active{};
        for (std::size_t r = 0; r < 5; ++r) active[r] = budget_[r] > 0;
        active[5] = scale > 0;
        // every layer's options at t, each resource per unit of its budget
        std::vector<std::vector<std::array<double, 6>>> use(lists.size());
        for (std::size_t i = 0; i < lists.size(); ++i)
            for (const auto& [lat, u] : lists[i]) {
                if (lat > t) continue;
                std::array<double, 6> x{};
                for (std::size_t r = 0; r < 5; ++r) x[r] = active[r] ? u[r] / budget_[r] : 0.0;
                x[5] = active[5] ? u[staircase::offchip_dim] / scale : 0.0;
                use[i].push_back(x);
            }
        // p_bram <= cap p_lut (with no LUT budget, or no BRAM, nothing moves: no cap)
        const bool capped = active[1] && active[3];
        const double bram_cap = capped ? 288.0 * budget_[3] / budget_[1] : 0.0;
        std::array<double, 6> p{};
        surrogate_prices best;
        best.scale = scale;
        best.value = -std::numeric_limits<double>::infinity();
        double n = 0;
        for (std::size_t r = 0; r < 6; ++r) n += active[r] ? 1.0 : 0.0;
        for (std::size_t r = 0; r < 6; ++r) p[r] = active[r] ? 1.0 / n : 0.0;
        const auto project = [&] {
            if (capped && p[3] > bram_cap * p[1]) { // onto p_bram = cap p_lut, keeping their sum
                const double both = p[1] + p[3];
                p[1] = both / (1 + bram_cap);
                p[3] = both - p[1];
            }
            double z = 0;
            for (const double x : p) z += x;
            for (auto& x : p) x /= z;
        };
        project();
        for (int it = 0; it < 100; ++it) {
            std::array<double, 6> g{};
            double value = 0;
            for (std::size_t r = 0; r < 6; ++r) {
                const double cap = r == 5 ? off_budget : 1.0;
                value -= p[r] * cap;
                g[r] -= cap;
            }
            bool reach = true;
            for (const auto& opts : use) {
                const std::array<double, 6>* arg = nullptr;
                double least = std::numeric_limits<double>::infinity();
                for (const auto& x : opts) {
                    double v = 0;
                    for (std::size_t r = 0; r < 6; ++r) v += p[r] * x[r];
                    if (v < least) least = v, arg = &x;
                }
                if (arg == nullptr) { // no option reaches t: nothing fits at any prices
                    reach = false;
                    continue;
                }
                value += least;
                for (std::size_t r = 0; r < 6; ++r) g[r] += (*arg)[r];
            }
            if (!reach) value = std::numeric_limits<double>::infinity();
            if (value > best.value) best.value = value, best.prices = p;
            if (!reach) break;
            const double eta = 0.5 / std::sqrt(1.0 + it);
            for (std::size_t r = 0; r < 6; ++r)
                if (active[r]) p[r] *= std::exp(eta * g[r]);
            project();
        }
        return best;
    }

    /// The dual (dual_prices) over the options of every layer at the grid point
    /// (w, a) (one index pair per statistics layer), at target t.
    surrogate_prices surrogate_at(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a, count_t t) const {
        return dual_prices(options_at(w, a), t);
    }

    const board& target_board() const noexcept { return board_; }

private:
    const network* net_;
    board board_;
    const predictor* pred_;
    std::array<double, staircase::dims> budget_{};
    struct bisection_scratch {
        std::vector<std::ptrdiff_t> at_lo, at_hi, at_mid;
        std::vector<std::size_t> open;
    };
    mutable bisection_scratch scratch_; // estimate_ii's buffers (one engine, one thread)
    std::vector<int> stats_of_layer_;
    std::vector<staircase> fixed_, dense_;
    std::vector<option_list> raw_; ///< every layer's dense options (surrogate_at)
    std::vector<std::vector<detail::cosearch::sparse_option>> foldings_; ///< per statistics layer, before they merge
    std::vector<std::vector<detail::cosearch::sparse_option>> sparse_;
    /// Per statistics layer and grid point (iw x tau_a points + ia): its staircase,
    /// dense_[s] or one of built_ (a deque: references stay valid); null until asked.
    std::vector<std::vector<const staircase*>> cache_;
    std::deque<staircase> built_;
    bool offchip_ = true;
    /// Which sparse 1x1 layers the cost model prices with the pointwise model
    /// (cost::pointwise_sparse<Cost>).
    bool (*pointwise_rule_)(const layer&, const sparsity_stats&) noexcept = nullptr;
    double bits_per_cycle_ = 0, io_bits_ = 0;
    /// The surrogate sums (staircase dims first_surrogate_dim...): prices of DSP, LUT,
    /// FF, BRAM18, URAM per unit of budget and of off-chip bits per scale_ bits;
    /// price_sum_: the priced budget of the first five. All 0 until set_prices.
    std::array<std::array<double, 6>, staircase::surrogates> price_{};
    std::array<double, staircase::surrogates> scale_{}, price_sum_{};
    mutable double io_ = 0; ///< the present call's activation traffic (estimate_ii, binding_at)

    /// Every layer's options at the grid point (w, a): the sparse foldings of the
    /// statistics layers built sparse there, with their latencies; the dense options
    /// of the others.
    std::vector<option_list> options_at(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) const {
        std::vector<option_list> lists = raw_;
        std::vector<count_t> lat;
        for (std::size_t si = 0; si < foldings_.size(); ++si) {
            if (foldings_[si].empty() || !option_latencies(si, w[si], a[si], foldings_[si], lat)) continue;
            auto& list = lists[static_cast<std::size_t>(pred_->network_index(si))];
            list.clear();
            for (std::size_t k = 0; k < lat.size(); ++k) list.emplace_back(lat[k], foldings_[si][k].use);
        }
        return lists;
    }

    /// The latencies of sparse options `opts` of statistics layer `s` at grid point
    /// (iw, ia); false (and none) when the layer is not worth building sparse there.
    bool option_latencies(std::size_t s, std::uint8_t iw, std::uint8_t ia,
                          const std::vector<detail::cosearch::sparse_option>& opts, std::vector<count_t>& lat) const {
        lat.clear();
        sparsity_stats st;
        pred_->predict_into(s, pred_->tau_w_grid(s)[iw], pred_->tau_a_grid(s)[ia], st);
        if (!st.worth_sparse()) return false;
        st.prepare();
        // the sparse model the cost model takes (cost::pointwise_sparse): hass's rule,
        // a 1x1 kernel at stride 1, or fpgaConvNet's, every 1x1 kernel
        const bool pointwise = pointwise_rule_(net_->layers[static_cast<std::size_t>(pred_->network_index(s))], st);
        struct memo {
            count_t fine, streams;
            double cycles;
        };
        std::vector<memo> e; // E(f, S), a few distinct pairs per layer
        lat.reserve(opts.size());
        for (const auto& o : opts) {
            auto it = std::find_if(e.begin(), e.end(), [&o](const memo& m) { return m.fine == o.fine && m.streams == o.streams; });
            if (it == e.end())
                it = e.insert(e.end(), {o.fine, o.streams,
                                        pointwise ? slowest_cluster_density(st, o.streams)
                                                  : slowest_stream_cycles(st, o.fine, o.streams)});
            lat.push_back(std::max(ceil_to_count(o.work * it->cycles), o.other));
        }
        return true;
    }

    /// A layer's sparse foldings, one option each (not yet priced).
    template <cost::cost_model Cost>
    static std::vector<detail::cosearch::sparse_option> sparse_foldings(layer l, const board& b, bool offchip,
                                                                       double fifo_per_cycle) {
        // a stand-in sparse statistic gives the sparse structure (validity, modules, resources)
        std::vector<double> h(static_cast<std::size_t>(l.in.channels * (l.kernel_size() + 1)), 0.0);
        for (count_t c = 0; c < l.in.channels; ++c)
            h[static_cast<std::size_t>(c * (l.kernel_size() + 1) + l.kernel_size() / 2 + 1)] = 1.0;
        if (l.kernel_size() == 1)
            for (count_t c = 0; c < l.in.channels; ++c) h[static_cast<std::size_t>(c * 2)] = 0.5, h[static_cast<std::size_t>(c * 2 + 1)] = 0.5;
        l.sparsity = make_sparsity_stats(l.in.channels, l.kernel_size(), std::move(h), l.name.view());
        std::vector<detail::cosearch::sparse_option> out;
        for (const folding& f : enumerate_foldings(l, b, offchip)) {
            if (!is_valid_folding(l, f)) continue;
            const layer_performance p = evaluate_layer<Cost>(l, f);
            if (p.undefined) continue;
            const double offchip_bits = p.weight_bits;
            if (f.dense) // a dense build: its latency does not depend on the statistics
                out.push_back({f.fine, 1, 0.0, p.latency, detail::cosearch::usage(p.used, offchip_bits)});
            else
                out.push_back({f.fine, f.coarse_in * f.coarse_group, static_cast<double>(sparse_windows(l, f)),
                               stream_words(l, f), detail::cosearch::usage(p.used, offchip_bits)});
            // the pipeline depth does not depend on the statistics (the stand-in's is the layer's)
            detail::cosearch::charge_memory(out.back().use, fifo_per_cycle * static_cast<double>(p.pipeline_depth));
        }
        return out;
    }

    /// The options priced, then those with the same latency at every grid point
    /// (fine, streams, work, other) made one with the least of each sum: the
    /// staircases keep only running minima, so they are the same, from fewer
    /// options (a merged option's surrogate sums are the least of its foldings' own).
    std::vector<detail::cosearch::sparse_option> merge_options(std::vector<detail::cosearch::sparse_option> all) const {
        std::vector<detail::cosearch::sparse_option> out;
        std::map<std::tuple<count_t, count_t, double, count_t>, std::size_t> same;
        for (auto& o : all) {
            price(o.use);
            const auto [it, fresh] = same.try_emplace({o.fine, o.streams, o.work, o.other}, out.size());
            if (fresh) {
                out.push_back(o);
                continue;
            }
            auto& u = out[it->second].use;
            for (std::size_t d = 0; d < staircase::dims; ++d) u[d] = std::min(u[d], o.use[d]);
        }
        return out;
    }

    /// The surrogate prices (docs/sparsity.md, "Scoring a candidate"): the first at
    /// 0.6 T0, T0 the dense network's estimate, over the dense options; the second
    /// at the estimate of the sparsest grid point (every threshold at its largest),
    /// over its options, each by dual_prices where the estimate will look (any
    /// prices give a valid bound; these make it bind). `first`, when given (the
    /// re-pricing rounds), replaces the first.
    void set_prices(const surrogate_prices* first) {
        const auto relaxation = [this](const std::vector<option_list>& lists, count_t& fastest) {
            std::vector<staircase> plain;
            plain.reserve(lists.size());
            std::vector<const staircase*> layers;
            fastest = 0;
            for (const auto& r : lists) {
                if (r.empty()) continue;
                plain.push_back(detail::cosearch::make_staircase(r));
                layers.push_back(&plain.back());
                fastest = std::max(fastest, plain.back().latency.front());
            }
            return layers.empty() ? count_t{0} : estimate_ii(layers).ii;
        };
        count_t fastest = 0;
        const count_t t0 = relaxation(raw_, fastest);
        if (t0 == 0) return; // nothing fits: no prices
        if (first != nullptr)
            set_surrogate_prices(0, first->prices, first->scale);
        else
            set_price(0, raw_, std::max(fastest, static_cast<count_t>(static_cast<double>(t0) * 0.6)));
        std::vector<std::uint8_t> w(pred_->size()), a(pred_->size()); // every threshold at its largest
        for (std::size_t si = 0; si < pred_->size(); ++si) {
            w[si] = static_cast<std::uint8_t>(pred_->tau_w_grid(si).size() - 1);
            a[si] = static_cast<std::uint8_t>(pred_->tau_a_grid(si).size() - 1);
        }
        const std::vector<option_list> sparsest = options_at(w, a);
        const count_t ts = relaxation(sparsest, fastest);
        set_price(1, ts > 0 ? sparsest : raw_, ts > 0 ? ts : std::max(fastest, static_cast<count_t>(static_cast<double>(t0) * 0.4)));
    }

    /// Surrogate sum k's prices at target t over the options `lists` (dual_prices).
    void set_price(std::size_t k, const std::vector<option_list>& lists, count_t t) {
        const surrogate_prices d = dual_prices(lists, t);
        set_surrogate_prices(k, d.prices, d.scale);
    }

    /// The smallest T in [lo, hi] at which the sums of the steps `at` fit, where
    /// they fit at hi and only the memory bound's budget depends on T: the
    /// closed form, then stepped to the first integer that within() accepts.
    count_t smallest_memory_fit(const std::vector<const staircase*>& layers, const std::vector<std::ptrdiff_t>& at,
                                count_t lo, count_t hi) const {
        std::array<double, staircase::dims> sum{};
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto& m = layers[i]->least[static_cast<std::size_t>(at[i])];
            for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
        }
        // the budgets before the traffic dimensions are constant: they hold, since hi fits
        if (!within(sum, lo, 0, staircase::first_traffic_dim)) return hi;
        const auto ok = [&](count_t t) { return within(sum, t, staircase::first_traffic_dim); };
        if (ok(lo) || bits_per_cycle_ <= 0) return lo;
        count_t t = std::clamp(traffic_fit(sum), lo + 1, hi);
        while (t > lo + 1 && ok(t - 1)) --t;
        while (t < hi && !ok(t)) ++t;
        return t;
    }

    /// Whether the sums `sum` are within the budgets at target `t`, dimensions [first, last).
    bool within(const std::array<double, staircase::dims>& sum, count_t t, std::size_t first = 0,
                std::size_t last = staircase::dims) const {
        for (std::size_t d = first; d < last; ++d)
            if (sum[d] > budget_at(d, t)) return false;
        return true;
    }
    double budget_at(std::size_t d, count_t t) const {
        if (d < staircase::first_traffic_dim) return budget_[d];
        if (d == staircase::offchip_dim) // no bandwidth given: no memory bound (hass::evaluate's rule)
            return bits_per_cycle_ > 0 ? static_cast<double>(t) * bits_per_cycle_ - io_
                                       : std::numeric_limits<double>::infinity();
        if (d >= staircase::first_surrogate_dim) {
            const std::size_t k = d - staircase::first_surrogate_dim;
            return price_sum_[k] + (scale_[k] > 0 ? price_[k][5] * (static_cast<double>(t) * bits_per_cycle_ - io_) / scale_[k] : 0.0);
        }
        const double w = staircase::traffic_weight[d - staircase::first_traffic_dim];
        return budget_[staircase::first_traffic_dim - 1] +
               (bits_per_cycle_ > 0 ? w * (static_cast<double>(t) * bits_per_cycle_ - io_) : 0.0);
    }
    /// The least T (real, rounded up) at which the traffic dimensions of `need` fit
    /// (the closed form of budget_at; needs bits_per_cycle_ > 0).
    count_t traffic_fit(const std::array<double, staircase::dims>& need) const {
        double x = (need[staircase::offchip_dim] + io_) / bits_per_cycle_;
        for (std::size_t d = staircase::first_traffic_dim; d < staircase::first_surrogate_dim; ++d) {
            const double w = staircase::traffic_weight[d - staircase::first_traffic_dim];
            x = std::max(x, ((need[d] - budget_[staircase::first_traffic_dim - 1]) / w + io_) / bits_per_cycle_);
        }
        for (std::size_t k = 0; k < staircase::surrogates; ++k)
            if (scale_[k] > 0 && price_[k][5] > 0)
                x = std::max(x, ((need[staircase::first_surrogate_dim + k] - price_sum_[k]) * scale_[k] / price_[k][5] + io_) /
                                    bits_per_cycle_);
        return ceil_to_count(x);
    }
    std::array<double, staircase::dims> needs(const std::vector<const staircase*>& layers, count_t t) const {
        std::array<double, staircase::dims> sum{};
        for (const auto* s : layers) {
            const auto i = s->at(t);
            if (i < 0) { // no folding reaches t: an infinite need
                sum.fill(std::numeric_limits<double>::infinity());
                return sum;
            }
            const auto& m = s->least[static_cast<std::size_t>(i)];
            for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
        }
        return sum;
    }
    double binding(const std::array<double, staircase::dims>& need, count_t t) const {
        double worst = 0;
        for (std::size_t d = 0; d < staircase::dims; ++d)
            if (budget_at(d, t) > 0) worst = std::max(worst, need[d] / budget_at(d, t));
        return worst;
    }
};

} // namespace hass::sparsity
