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
//
// Where each part lives: search/search_types.hpp (options, results), search_graph.hpp
// (graph, usage, bandwidth), design_state.hpp (greedy and anneal state), optimal_solver.hpp
// (the feasibility solver), run_optimal.hpp (bound, context, bisection, polish), heuristics.hpp
// (greedy, anneal, per-range dispatch), and this header (per-range contexts, reserves, hass::search).
#pragma once

#include "hass/search/heuristics.hpp"

namespace hass {

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
    }
    std::string seed_note;
    if (!so.seed_design.empty()) {
        // the seed design, when it is one, and better than the design found
        std::string why;
        if (so.seed_design.size() != net.size())
            why = detail::cat("it has ", so.seed_design.size(), " foldings for ", net.size(), " layers");
        for (std::size_t i = 0; i < net.size() && why.empty(); ++i) {
            const folding& f = so.seed_design[i];
            if (!is_valid_folding(net.layers[i], f))
                why = detail::cat("its folding of layer '", net.layers[i].name.view(), "' is not valid");
            else if (!so.offchip_weights && (f.weights == weight_storage::off_chip || f.stream_weights != 0))
                why = detail::cat("layer '", net.layers[i].name.view(),
                                  "' streams its weights, and off-chip weights are disabled");
        }
        if (why.empty()) {
            design_report rep = evaluate<Cost>(net, so.seed_design, b, {so.cap, so.batch, so.bram_to_lut});
            if (!rep.fits)
                why = "it does not fit the budget";
            else if (Cost::rules.bandwidth_must_fit && rep.memory_ii > rep.compute_ii)
                why = "its off-chip traffic does not fit at its compute II";
            else if (!out.found || rep.ii < out.ii ||
                     (rep.ii == out.ii && rep.batch_cycles(so.batch) < out.report.batch_cycles(so.batch))) {
                out.report = std::move(rep);
                out.folding = so.seed_design;
                out.ii = out.report.ii;
                out.found = true;
                seed_note = " (the seed design: the search found none better)";
            }
        }
        if (!why.empty()) seed_note = detail::cat(" (the seed design was not used: ", why, ")");
    }
    if (out.found)
        out.message = detail::cat(out.algo, ": II ", out.ii, " cycles (", detail::fixed(out.report.throughput(), 1),
                                  " images/s steady state, ", detail::fixed(out.report.batch_throughput(), 1),
                                  " at batch ", so.batch, ") on ", b.name, " (", Cost::name, " model), lower bound ",
                                  out.ii_lower_bound, seed_note);
    else
        out.message += seed_note;
    fs::report_progress(so, 1.0);
    return out;
}

} // namespace hass

