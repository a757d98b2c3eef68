// The optimal search over targets: the relaxation bound, the search context, usable options, bisection, bound tightening and polish.
// Part of hass/search/search.hpp (the folding search); include that header.
#pragma once

#include "hass/search/optimal_solver.hpp"

namespace hass::detail::fold_search {

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
    // a seed design (search_options::seed_design) whose every layer's folding is
    // an option: the local search starts from it, and when it fits it is the
    // first design found (the bisection looks below its II, the polish may take it)
    bool seeded = false;
    if (cx.so.seed_design.size() == cx.net.size()) {
        std::vector<int> hint(opts.size(), -1);
        for (std::size_t i = 0; i < opts.size(); ++i) {
            const folding& f = cx.so.seed_design[static_cast<std::size_t>(cx.first()) + i];
            for (std::size_t j = 0; j < opts[i].options.size() && hint[i] < 0; ++j)
                if (opts[i].options[j].fold == f) hint[i] = static_cast<int>(j);
        }
        if (std::find(hint.begin(), hint.end(), -1) == hint.end()) {
            std::vector<folding> g = to_folding(hint);
            design_report r = cx.evaluate_local(g);
            if (r.fits && (cx.memory_above_compute || r.memory_ii <= r.compute_ii)) {
                best = std::move(g);
                best_ii = coupled ? r.ii : r.compute_ii;
                hi = index_of(best_ii);
                best_choice = hint;
                seeded = true;
            }
            s.set_hint(std::move(hint));
        }
    }
    const verdict top = seeded ? verdict::feasible : attempt(hi, best, hi);
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


} // namespace hass::detail::fold_search
