// The incremental design state of the greedy and anneal searches, and weight-storage balancing.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include "hass/search/search_graph.hpp"

namespace hass::detail::fold_search {

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


} // namespace hass::detail::fold_search
