// The co-search's engine (scores a candidate: its accuracy drop through the
// oracle, batched where the search allows, and its hardware estimate; keeps
// the points that may be on the Pareto front) and the thresholds it moves.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hass/search/search_graph.hpp"
#include "hass/sparsity/cosearch/hardware.hpp"
#include "hass/sparsity/cosearch/types.hpp"

namespace hass::sparsity {

namespace detail::cosearch {

class engine {
public:
    template <cost::cost_model Cost = cost::hass>
    engine(const network& net, const board& b, predictor& pred, const accuracy_oracle& oracle,
           const cosearch_options& o, Cost model = {})
        : pred_(pred), oracle_(oracle), opt_(o),
          hw_(net, b, pred, o.folding.cap, o.folding.offchip_weights, model,
              o.surrogate.empty() ? nullptr : &o.surrogate.front(), o.partition_cuts) {
        names_.reserve(pred.size());
        for (std::size_t i = 0; i < pred.size(); ++i) {
            names_.push_back(pred.name(i));
            if (pred.tau_w_grid(i).empty() || pred.tau_a_grid(i).empty() || pred.tau_w_grid(i).size() > 255 ||
                pred.tau_a_grid(i).size() > 255)
                hass::detail::fail("layer '" + pred.name(i) + "': the co-search needs 1 to 255 tau_w and tau_a "
                                   "points, the statistics give " + std::to_string(pred.tau_w_grid(i).size()) +
                                   " and " + std::to_string(pred.tau_a_grid(i).size()));
        }
        layers_.resize(net.size());
        for (std::size_t li = 0; li < net.size(); ++li)
            if (hw_.stats_index(li) < 0) layers_[li] = &hw_.fixed(li);
        if (!o.partition_cuts.empty()) {
            const int n = static_cast<int>(net.size());
            int first = 0;
            for (std::size_t k = 0; k <= o.partition_cuts.size(); ++k) {
                const int last = k < o.partition_cuts.size() ? o.partition_cuts[k] : n;
                if (last <= first || last > n)
                    hass::detail::fail("co-search: partition cuts must increase strictly inside the " +
                                       std::to_string(n) + " layers of '" + net.name.str() + "' (cut " +
                                       std::to_string(last) + ")");
                parts_.push_back({first, last, ::hass::detail::fold_search::activation_bits(net, first, last), {}});
                first = last;
            }
            batch_ = static_cast<double>(std::max<count_t>(o.folding.batch, 1));
            // the cost model's count: hass reconfigures between partitions, fpgaConvNet before each
            const std::size_t reconfigurations = parts_.size() - 1 + (Cost::rules.reconfigure_first_partition ? 1 : 0);
            reconf_s_ = b.reconf_time_s * static_cast<double>(reconfigurations);
        }
    }

    /// Scores the candidate (w, a): its drop and hardware estimate; counted and recorded.
    cosearch_point score(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        cosearch_point p = evaluate(w, a);
        ++candidates;
        record(p);
        return p;
    }
    /// Scores (w, a) as score() does, without counting or recording it (not a
    /// candidate of the search: the random baseline).
    cosearch_point evaluate(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        cosearch_point p;
        p.w_index = w;
        p.a_index = a;
        p.thresholds = thresholds_of(w, a);
        p.drop = oracle_drop(w, a, p.thresholds);
        const auto t1 = std::chrono::steady_clock::now();
        set_layers(w, a);
        const double clock = hw_.target_board().clock_hz();
        if (parts_.empty()) {
            const auto e = hw_.estimate_ii(layers_, -1, last_ii_);
            if (e.ii > 0) last_ii_ = e.ii;
            p.ii_estimate = e.ii;
            p.dsp_estimate = e.dsp;
            p.throughput_estimate = e.ii > 0 ? clock / static_cast<double>(e.ii) : 0.0;
        } else {
            // partitions run one after another: a batch takes the sum of their
            // times plus the reconfigurations (the cost model's count); each
            // pipeline's depth, a few images' worth, is left out (optimistic on these cuts)
            double cycles = 0;
            bool fits = true;
            p.partition_ii.resize(parts_.size());
            for (std::size_t k = 0; k < parts_.size(); ++k) {
                const auto e = hw_.estimate_ii(parts_[k].layers, parts_[k].io, parts_[k].last_ii);
                if (e.ii > 0) parts_[k].last_ii = e.ii;
                p.partition_ii[k] = e.ii;
                fits = fits && e.ii > 0;
                cycles += static_cast<double>(e.ii);
                p.ii_estimate = std::max(p.ii_estimate, e.ii);
                p.dsp_estimate = std::max(p.dsp_estimate, e.dsp); // the partitions share the device
            }
            if (!fits) p.ii_estimate = 0;
            const double time = cycles * batch_ / clock + reconf_s_;
            p.throughput_estimate = fits ? batch_ / time : 0.0;
        }
        const auto t2 = std::chrono::steady_clock::now();
        hardware_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
        return p;
    }
    using indices = std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>; ///< (w, a)
    /// With a batch oracle: asks it for the drops of `set` in one call and keeps
    /// them (replacing what an earlier prefetch kept) for score() and drop_of().
    /// Without one: nothing (each candidate asks the oracle when scored).
    void prefetch(const std::vector<indices>& set) {
        if (!opt_.batch_oracle) return;
        cache_.clear();
        std::vector<std::vector<threshold_pair>> t;
        std::vector<std::string> keys;
        t.reserve(set.size());
        keys.reserve(set.size());
        for (const auto& [w, a] : set) {
            auto k = key(w, a);
            if (drops_ != nullptr && read_drops_)
                if (const auto it = drops_->find(k); it != drops_->end()) {
                    cache_.emplace(std::move(k), it->second); // asked in an earlier round
                    continue;
                }
            if (!cache_.emplace(k, 0.0).second) continue; // asked once
            keys.push_back(std::move(k));
            t.push_back(thresholds_of(w, a));
        }
        if (t.empty()) return;
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<double> d = ask_batch(t);
        oracle_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            cache_[keys[i]] = d[i];
            if (drops_ != nullptr) drops_->emplace(keys[i], d[i]);
        }
    }
    /// With partitions, a target t is one per partition: the reference point's
    /// partition IIs scaled by t over its slowest one (set_reference), so that
    /// t = the reference's ii_estimate means each partition at its own estimate
    /// and a smaller t shrinks all of them alike. Without partitions: nothing.
    void set_reference(const cosearch_point& p) {
        reference_ = p.partition_ii;
        reference_top_ = reference_.empty() ? 0 : *std::max_element(reference_.begin(), reference_.end());
    }
    /// Binding utilisation of the last scored candidate's layers at target t
    /// (partitions: the largest over them at their targets).
    double binding_at(count_t t) const {
        if (parts_.empty()) return hw_.binding_at(layers_, t);
        double worst = 0;
        for (std::size_t k = 0; k < parts_.size(); ++k)
            worst = std::max(worst, hw_.binding_at(parts_[k].layers, part_target(k, t), parts_[k].io));
        return worst;
    }
    /// The accuracy drop of (w, a) alone (the oracle, no hardware estimate, not recorded).
    double drop_of(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        return oracle_drop(w, a, thresholds_of(w, a));
    }
    /// How far the candidate's layers are from target t at their fastest foldings:
    /// the sum over layers of max(0, fastest latency - t) / t (0: every layer can reach t).
    double excess_for(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a, count_t t) {
        set_layers(w, a);
        double x = 0;
        const auto add = [&x](const std::vector<const staircase*>& layers, count_t target) {
            for (const staircase* st : layers)
                if (st && !st->empty() && st->latency.front() > target)
                    x += static_cast<double>(st->latency.front() - target) / static_cast<double>(target);
        };
        if (parts_.empty()) add(layers_, t);
        for (std::size_t k = 0; k < parts_.size(); ++k) add(parts_[k].layers, part_target(k, t));
        return x;
    }
    /// Binding utilisation of the candidate (w, a) at target t.
    double binding_for(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a, count_t t) {
        set_layers(w, a);
        return binding_at(t);
    }

    double objective(const cosearch_point& p) const {
        if (p.ii_estimate == 0) return 0;
        if (opt_.objective == cosearch_objective::throughput) return p.throughput_estimate;
        return p.throughput_estimate / static_cast<double>(std::max<count_t>(p.dsp_estimate, 1));
    }

    std::vector<cosearch_point> front() const { return pareto(all_); }
    /// Up to k scored candidates within `budget` whose objective ties the best
    /// one's (to 1e-9 relative): the estimate cannot rank them (a bound such as
    /// the input read at one value per cycle caps them all), the exact designs
    /// can. Distinct thresholds; those whose layers need the least of the
    /// binding resource at the estimated II first (the most room for the exact
    /// folding), then the lowest drop.
    std::vector<cosearch_point> ties(double budget, std::size_t k) { return ties_among(all_, budget, k); }
    /// The same choice among the points `pts` (e.g. the random baseline's).
    std::vector<cosearch_point> ties_among(const std::vector<cosearch_point>& pts, double budget, std::size_t k) {
        double top = 0;
        for (const auto& p : pts)
            if (p.drop <= budget) top = std::max(top, objective(p));
        std::vector<std::pair<double, const cosearch_point*>> t; // (room, point), distinct thresholds
        std::unordered_set<std::string> seen;
        for (const auto& p : pts) {
            if (!(top > 0 && p.drop <= budget && p.ii_estimate > 0 && objective(p) >= top * (1 - 1e-9))) continue;
            if (seen.insert(key(p.w_index, p.a_index)).second) {
                set_reference(p);
                t.emplace_back(binding_for(p.w_index, p.a_index, p.ii_estimate), &p);
            }
        }
        std::stable_sort(t.begin(), t.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first < y.first : x.second->drop < y.second->drop;
        });
        std::vector<cosearch_point> out;
        for (std::size_t j = 0; j < std::min(k, t.size()); ++j) out.push_back(*t[j].second);
        return out;
    }
    std::vector<cosearch_point> sample() const {
        std::vector<cosearch_point> s;
        const std::size_t step = std::max<std::size_t>(1, all_.size() / 2000);
        for (std::size_t i = 0; i < all_.size(); i += step) s.push_back(all_[i]);
        return s;
    }

    /// The II below which no threshold helps (partitions: 0, each has its own).
    count_t fixed_floor() const { return parts_.empty() ? hw_.fixed_floor() : 0; }
    count_t candidates = 0;
    count_t oracle_calls = 0, oracle_candidates = 0; ///< oracle invocations, and the candidates they carried
    double oracle_ms = 0, hardware_ms = 0;
    std::string stop_reason; ///< why the search stopped where it did (cosearch_result::stop_reason)
    std::vector<cosearch_point> milestones; ///< earlier results of the method's phases, given exact designs too
    const predictor& pred() const { return pred_; }
    const cosearch_options& options() const { return opt_; }
    const cosearch_hardware& hardware() const { return hw_; }
    /// Drops asked (by key(w, a)), shared with other engines of the same search:
    /// every drop asked is kept there and, with `read`, a candidate found there is
    /// not asked again (re-pricing rounds after the first).
    void share_drops(std::unordered_map<std::string, double>& drops, bool read) {
        drops_ = &drops;
        read_drops_ = read;
    }

private:
    predictor& pred_;
    const accuracy_oracle& oracle_;
    cosearch_options opt_;
    cosearch_hardware hw_;
    std::vector<std::string> names_;
    std::vector<const staircase*> layers_;
    /// A partition: layers [first, last), the activation bits crossing its
    /// boundary per image, and its layers' staircases (kept in step with layers_).
    struct part {
        int first = 0, last = 0;
        double io = 0;
        std::vector<const staircase*> layers;
        count_t last_ii = 0; ///< its last estimate: the next one's hint
    };
    std::vector<part> parts_; ///< empty: one partition
    double batch_ = 1, reconf_s_ = 0; ///< images per batch; reconfiguration time per batch, seconds
    std::vector<count_t> reference_; ///< set_reference
    count_t reference_top_ = 0;      ///< its slowest partition's II
    count_t last_ii_ = 0;            ///< the last estimate (one partition): the next one's hint
    std::vector<cosearch_point> all_;
    std::unordered_map<std::string, double> cache_; ///< drops of the last prefetched set, by key(w, a)
    std::unordered_map<std::string, double>* drops_ = nullptr; ///< share_drops
    bool read_drops_ = false;

    /// The grid indices as bytes (w and a have one byte per statistics layer each).
    static std::string key(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        std::string k(w.begin(), w.end());
        k.append(a.begin(), a.end());
        return k;
    }
    std::vector<threshold_pair> thresholds_of(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) const {
        std::vector<threshold_pair> t(w.size());
        for (std::size_t s = 0; s < w.size(); ++s) t[s] = {pred_.tau_w_grid(s)[w[s]], pred_.tau_a_grid(s)[a[s]]};
        return t;
    }
    std::vector<double> ask_batch(std::span<const std::vector<threshold_pair>> t) {
        ++oracle_calls;
        oracle_candidates += static_cast<count_t>(t.size());
        return checked_drops(opt_.batch_oracle, t, names_);
    }
    /// The drop of (w, a): the last prefetched set's, else the single oracle's,
    /// else the batch oracle's for this candidate alone.
    double oracle_drop(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a,
                       const std::vector<threshold_pair>& t) {
        std::string k; // built only where a memo is looked up or kept
        if (!cache_.empty() || drops_ != nullptr) k = key(w, a);
        if (!cache_.empty())
            if (const auto it = cache_.find(k); it != cache_.end()) return it->second;
        if (drops_ != nullptr && read_drops_)
            if (const auto it = drops_->find(k); it != drops_->end()) return it->second;
        const auto t0 = std::chrono::steady_clock::now();
        double d = 0;
        if (oracle_ || !opt_.batch_oracle) {
            ++oracle_calls;
            ++oracle_candidates;
            d = checked_drop(oracle_, t, names_);
        } else {
            d = ask_batch(std::span<const std::vector<threshold_pair>>(&t, 1)).front();
        }
        oracle_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (drops_ != nullptr) drops_->emplace(std::move(k), d);
        return d;
    }

    void set_layers(const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
        for (std::size_t s = 0; s < w.size(); ++s)
            layers_[static_cast<std::size_t>(pred_.network_index(s))] = &hw_.layer_staircase(s, w[s], a[s]);
        for (auto& pt : parts_)
            pt.layers.assign(layers_.begin() + pt.first, layers_.begin() + pt.last);
    }
    /// Partition k's target for the design target t (set_reference).
    count_t part_target(std::size_t k, count_t t) const {
        if (reference_.size() != parts_.size() || reference_top_ == 0 || reference_[k] == 0) return t;
        const double scaled =
            static_cast<double>(reference_[k]) * static_cast<double>(t) / static_cast<double>(reference_top_);
        return std::max<count_t>(static_cast<count_t>(scaled), 1);
    }
    void record(const cosearch_point& p) {
        // keep the points that may be on the front; the thresholds are small
        all_.push_back(p);
        if (all_.size() > 4096) all_ = pareto_and_sample(all_);
    }
    static std::vector<cosearch_point> pareto(std::vector<cosearch_point> pts) {
        std::sort(pts.begin(), pts.end(), [](const auto& x, const auto& y) {
            return x.drop != y.drop ? x.drop < y.drop : x.throughput_estimate > y.throughput_estimate;
        });
        std::vector<cosearch_point> f;
        double best = -1;
        for (auto& p : pts)
            if (p.throughput_estimate > best) {
                best = p.throughput_estimate;
                f.push_back(std::move(p));
            }
        return f;
    }
    static std::vector<cosearch_point> pareto_and_sample(const std::vector<cosearch_point>& pts) {
        auto f = pareto(pts);
        for (std::size_t i = 0; i < pts.size(); i += 4) f.push_back(pts[i]);
        return f;
    }
};

/// One threshold the search moves: a layer's tau_w, or the tau_a of an
/// activation group (every layer reading one activation layer).
struct variable {
    bool weight = true;
    std::vector<std::size_t> members; ///< statistics layers it sets
    std::size_t size = 1;             ///< grid points
};

/// tau_w of layer 0, tau_a of its group (when layer 0 is the group's first
/// layer), tau_w of layer 1, ...: with one group per layer, the order of
/// the per-layer search.
inline std::vector<variable> variables(const predictor& pred) {
    std::vector<variable> v;
    for (std::size_t s = 0; s < pred.size(); ++s) {
        v.push_back({true, {s}, pred.tau_w_grid(s).size()});
        const std::size_t g = pred.activation_group(s);
        const auto members = pred.group_members(g);
        if (members.front() == s) v.push_back({false, {members.begin(), members.end()}, pred.tau_a_grid(s).size()});
    }
    return v;
}

inline std::uint8_t get(const variable& v, const std::vector<std::uint8_t>& w, const std::vector<std::uint8_t>& a) {
    return (v.weight ? w : a)[v.members.front()];
}
inline void set(const variable& v, std::vector<std::uint8_t>& w, std::vector<std::uint8_t>& a, std::uint8_t x) {
    auto& idx = v.weight ? w : a;
    for (std::size_t m : v.members) idx[m] = x;
}

inline bool better(const engine& e, const cosearch_point& x, const cosearch_point& y, double budget) {
    const bool fx = x.drop <= budget, fy = y.drop <= budget;
    if (fx != fy) return fx;
    if (!fx) return x.drop < y.drop;
    const double ox = e.objective(x), oy = e.objective(y);
    if (ox != oy) return ox > oy;
    return x.drop < y.drop;
}

} // namespace detail::cosearch

} // namespace hass::sparsity
