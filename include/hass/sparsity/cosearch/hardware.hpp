// The co-search's incremental hardware estimate: per layer and threshold grid
// point, a staircase of folding options with running resource minima, and the
// relaxation II over the staircases (hass/sparsity/cosearch.hpp explains it).
#pragma once

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <vector>

#include "hass/network/evaluate.hpp"
#include "hass/search/options.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::sparsity {

/// Options of a layer sorted by latency with running minima of each resource.
struct staircase {
    /// dsp, lut, ff, bram18, uram, and on-chip memory bits: BRAM18 x 18 Kb + URAM x
    /// 288 Kb + LUT x 64 (a LUT holds 64 bits as LUTRAM); a fitting design is within
    /// the board's total of the same sum, whatever memory each buffer went to.
    /// The seventh is the on-chip memory bits plus the weight bits read from
    /// off-chip memory per image: a layer's weights are in one or the other, so a
    /// fitting design needs at most the on-chip capacity plus T x (bandwidth bits
    /// per cycle) minus the network's input and output traffic (the memory bound
    /// of hass::evaluate) at target T.
    static constexpr std::size_t dims = 7;
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
    return {static_cast<double>(r.dsp),    static_cast<double>(r.lut),  static_cast<double>(r.ff),
            static_cast<double>(r.bram18), static_cast<double>(r.uram),
            static_cast<double>(r.bram18) * 18432.0 + static_cast<double>(r.uram) * 294912.0 +
                static_cast<double>(r.lut) * 64.0,
            static_cast<double>(r.bram18) * 18432.0 + static_cast<double>(r.uram) * 294912.0 +
                static_cast<double>(r.lut) * 64.0 + offchip_bits};
}

inline staircase make_staircase(std::vector<std::pair<count_t, std::array<double, staircase::dims>>> opts) {
    std::sort(opts.begin(), opts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    staircase s;
    s.latency.reserve(opts.size());
    s.least.reserve(opts.size());
    for (const auto& [lat, use] : opts) {
        if (s.least.empty()) {
            s.latency.push_back(lat);
            s.least.push_back(use);
            continue;
        }
        auto m = s.least.back();
        for (std::size_t d = 0; d < staircase::dims; ++d) m[d] = std::min(m[d], use[d]);
        if (lat == s.latency.back())
            s.least.back() = m;
        else {
            s.latency.push_back(lat);
            s.least.push_back(m);
        }
    }
    return s;
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
    template <cost::cost_model Cost = cost::hass>
    cosearch_hardware(const network& net, const board& b, const predictor& pred, const utilisation_cap& cap,
                      bool offchip_weights = true, Cost = {})
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
        for (std::size_t li = 0; li < net.size(); ++li) {
            layer l = net.layers[li];
            l.sparsity = {};
            const int si = stats_of_layer_[li];
            auto opts = make_layer_options<Cost>(l, b, offchip_);
            std::vector<std::pair<count_t, std::array<double, staircase::dims>>> v;
            for (const auto& o : opts.options)
                v.emplace_back(o.latency, detail::cosearch::usage(o.used, static_cast<double>(o.offchip_bits)));
            if (si < 0)
                fixed_[li] = detail::cosearch::make_staircase(std::move(v));
            else {
                dense_[static_cast<std::size_t>(si)] = detail::cosearch::make_staircase(std::move(v));
                // inner products are modelled dense: their thresholds change the accuracy only
                if (net.layers[li].type == layer_type::convolution)
                    sparse_[static_cast<std::size_t>(si)] = sparse_options<Cost>(net.layers[li], b, offchip_);
            }
        }
    }

    /// The staircase of statistics layer `s` at grid point (iw, ia).
    const staircase& layer_staircase(std::size_t s, std::uint8_t iw, std::uint8_t ia) {
        const int key = iw * 256 + ia;
        auto& c = cache_[s];
        if (auto it = c.find(key); it != c.end()) return it->second;
        if (sparse_[s].empty()) return c.emplace(key, dense_[s]).first->second;
        sparsity_stats st;
        pred_->predict_into(s, pred_->tau_w_grid(s)[iw], pred_->tau_a_grid(s)[ia], st);
        if (!st.worth_sparse()) return c.emplace(key, dense_[s]).first->second;
        st.prepare();
        // the sparse model the cost model takes (cost::pointwise_sparse): hass's rule,
        // a 1x1 kernel at stride 1, or fpgaConvNet's, every 1x1 kernel
        const bool pointwise = pointwise_rule_(net_->layers[static_cast<std::size_t>(pred_->network_index(s))], st);
        std::map<std::pair<count_t, count_t>, double> e; // E(f, S)
        std::vector<std::pair<count_t, std::array<double, staircase::dims>>> v;
        v.reserve(sparse_[s].size());
        for (const auto& o : sparse_[s]) {
            auto [it, fresh] = e.try_emplace({o.fine, o.streams}, 0.0);
            if (fresh)
                it->second = pointwise ? slowest_cluster_density(st, o.streams)
                                       : slowest_stream_cycles(st, o.fine, o.streams);
            const count_t lat = std::max(ceil_to_count(o.work * it->second), o.other);
            v.emplace_back(lat, o.use);
        }
        return c.emplace(key, detail::cosearch::make_staircase(std::move(v))).first->second;
    }

    struct estimate {
        count_t ii = 0; ///< 0 when nothing fits
        count_t dsp = 0;
    };

    /// II estimate for the staircases `layers` (one per network layer).
    estimate estimate_ii(const std::vector<const staircase*>& layers) const {
        count_t lo = 0, hi = 0;
        for (const auto* s : layers) {
            lo = std::max(lo, s->latency.front());
            hi = std::max(hi, s->latency.back());
        }
        if (!fits(layers, hi)) {
            // past the slowest option only the memory bound can still be met
            if (bits_per_cycle_ <= 0) return {};
            const auto need = needs(layers, hi);
            const double bits = need[staircase::dims - 1] - budget_[staircase::dims - 2] + io_bits_;
            hi = std::max(hi, ceil_to_count(bits / bits_per_cycle_));
            if (!fits(layers, hi)) return {};
        }
        while (lo < hi) { // smallest T in [lo, hi] that fits
            const count_t mid = lo + (hi - lo) / 2;
            if (fits(layers, mid))
                hi = mid;
            else
                lo = mid + 1;
        }
        estimate e;
        e.ii = lo;
        const auto need = needs(layers, lo);
        e.dsp = static_cast<count_t>(need[0]);
        return e;
    }
    /// Max over resources of need / budget at target `t` (infinite when a layer cannot reach t).
    double binding_at(const std::vector<const staircase*>& layers, count_t t) const {
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
    const board& target_board() const noexcept { return board_; }

private:
    const network* net_;
    board board_;
    const predictor* pred_;
    std::array<double, staircase::dims> budget_{};
    std::vector<int> stats_of_layer_;
    std::vector<staircase> fixed_, dense_;
    std::vector<std::vector<detail::cosearch::sparse_option>> sparse_;
    std::vector<std::map<int, staircase>> cache_;
    bool offchip_ = true;
    /// Which sparse 1x1 layers the cost model prices with the pointwise model
    /// (cost::pointwise_sparse<Cost>).
    bool (*pointwise_rule_)(const layer&, const sparsity_stats&) noexcept = nullptr;
    double bits_per_cycle_ = 0, io_bits_ = 0;

    template <cost::cost_model Cost>
    static std::vector<detail::cosearch::sparse_option> sparse_options(layer l, const board& b, bool offchip) {
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
            if (f.dense) { // a dense build: its latency does not depend on the statistics
                out.push_back({f.fine, 1, 0.0, p.latency, detail::cosearch::usage(p.used, offchip_bits)});
                continue;
            }
            out.push_back({f.fine, f.coarse_in * f.coarse_group, static_cast<double>(sparse_windows(l, f)),
                           stream_words(l, f), detail::cosearch::usage(p.used, offchip_bits)});
        }
        return out;
    }

    bool fits(const std::vector<const staircase*>& layers, count_t t) const {
        std::array<double, staircase::dims> sum{};
        for (const auto* s : layers) {
            const auto i = s->at(t);
            if (i < 0) return false;
            const auto& m = s->least[static_cast<std::size_t>(i)];
            for (std::size_t d = 0; d < staircase::dims; ++d) sum[d] += m[d];
        }
        for (std::size_t d = 0; d < staircase::dims; ++d)
            if (sum[d] > budget_at(d, t)) return false;
        return true;
    }
    double budget_at(std::size_t d, count_t t) const {
        if (d + 1 < staircase::dims) return budget_[d];
        return budget_[d - 1] + (bits_per_cycle_ > 0 ? static_cast<double>(t) * bits_per_cycle_ - io_bits_ : 0.0);
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
