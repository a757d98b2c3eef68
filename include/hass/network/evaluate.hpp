// Performance and resources of a whole design: a network, a folding per layer
// and a board, under a cost model (MODEL.md "Network performance";
// docs/cost_model.md "Partitions").
//
//  - a partition is the layers [first, last) plus the squeezes inserted on
//    every edge whose producer's output streams differ from the consumer's
//    input streams (latency H*W*C/min(a, b)), and at the partition's ports
//    when a layer reads or writes more streams than one memory port carries;
//  - every eltwise and concat gets input FIFOs that balance the branches from
//    their fork (depth = the longest branch's pipeline depth minus this
//    branch's, plus 64 words), costing BRAM on the short branches;
//  - II = max over layers and squeezes of the latency; the off-chip traffic
//    (inputs, outputs, streamed weights) must stay within the board's
//    bandwidth, else the design slows down (hass: II = the memory bound;
//    fpgaConvNet: sigma = BW / budget + 0.01);
//  - BRAM beyond the budget may move to LUTRAM at 288 LUT per BRAM18;
//  - a batch of B images takes (II * B + D) cycles, D the pipeline depth
//    (hass: the longest path of module depths; fpgaConvNet: its sum over the
//    longest path of d/r + II size ratios); throughput is reported both as the
//    steady state clock / II and as B / batch time;
//  - several partitions run one after another with a reconfiguration between
//    them (hass: P - 1 reconfigurations; fpgaConvNet: P).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/cost/policy.hpp"
#include "hass/layers/performance.hpp"
#include "hass/network/network.hpp"

namespace hass {

/// A squeeze module inserted between two layers or at a partition port.
struct squeeze_link {
    int producer = network_input; ///< layer index; network_input for an input-port squeeze
    int consumer = 0;             ///< layer index; -1 for an output-port squeeze
    count_t streams_from = 1, streams_to = 1;
    count_t latency = 0;
    count_t pipeline_depth = 0;
    resources used{};
    name_t name;
};

/// What an evaluation assumes beyond the folding.
struct evaluation_options {
    utilisation_cap cap{};
    count_t batch = 256; ///< images per batch for the batch figures
    bool bram_to_lut = true; ///< BRAM beyond the budget may move to LUTRAM (288 LUT per BRAM18)
    /// Weights reloading (fpgaConvNet): the layer whose filters are loaded in
    /// `reload_factor` parts (its filters already divided), -1 for none.
    int reload_layer = -1;
    count_t reload_factor = 1;
};

/// Everything the model says about one partition of a design.
struct design_report {
    std::string_view model = "hass"; ///< the cost model
    int first = 0, last = 0;        ///< the layers [first, last) of the network
    std::vector<layer_performance> layers; ///< indexed by layer - first
    std::vector<squeeze_link> squeezes;      ///< between layers, in consumer order
    std::vector<squeeze_link> port_squeezes; ///< at the partition's input and output ports
    double interval = 0;    ///< slowest layer or squeeze, cycles per image (fpgaConvNet keeps it a double)
    count_t compute_ii = 0; ///< ceil(interval)
    count_t memory_ii = 0;  ///< cycles per image the off-chip traffic needs at the (capped) bandwidth
    count_t ii = 0;         ///< the initiation interval: compute_ii slowed to the memory bound
    double slowdown = 1;    ///< ii / compute_ii (hass: the memory bound; fpgaConvNet: always 1)
    double bandwidth_at_interval_gbps = 0; ///< off-chip traffic at the interval, before any slow-down
    /// The slow-down fpgaConvNet's greedy optimiser would set, BW / budget + 0.01
    /// (1 when the traffic fits): informational.
    double greedy_slowdown = 1;
    int bottleneck = -1;    ///< layer index of the slowest layer (-1 when a squeeze or memory)
    double pipeline_depth = 0; ///< D, cycles (the model's definition)
    resources used{};       ///< after BRAM moved to LUTRAM: what the board must hold
    resources used_raw{};   ///< the plain sum over layers, squeezes and FIFOs
    double dsp = 0;         ///< exact DSP sum
    count_t bram_to_lut_blocks = 0; ///< BRAM18 moved to LUTRAM
    resources budget{};     ///< board budget after the utilisation cap
    bool fits = false;
    double bits_in = 0, bits_out = 0, bits_weights = 0; ///< off-chip bits per image
    double offchip_bits = 0;  ///< their sum
    double clock_hz = 0;
    count_t batch = 256;
    count_t reload_factor = 1; ///< weights reloading factor
    double reload_words = 0;   ///< weights reloaded per batch pass

    /// Steady-state throughput, images per second: clock / II.
    constexpr double throughput() const noexcept { return ii > 0 ? clock_hz / static_cast<double>(ii) : 0; }
    /// Off-chip bandwidth used at the design's throughput, Gbit/s.
    constexpr double bandwidth_gbps() const noexcept { return offchip_bits * throughput() / 1e9; }
    /// Cycles for a batch: trunc((II B + D) wr + (wr - 1) reload).
    constexpr double batch_cycles(count_t b) const noexcept {
        const double c = (static_cast<double>(ii) * static_cast<double>(b) + pipeline_depth) *
                             static_cast<double>(reload_factor) +
                         static_cast<double>(reload_factor - 1) * reload_words;
        // trunc; beyond 2^53 a double is an integer already (and beyond 2^63 no count_t holds it)
        return c < 9.0e18 ? static_cast<double>(static_cast<count_t>(c)) : c;
    }
    /// Seconds to process a batch of `b` images through this partition.
    constexpr double batch_time(count_t b) const noexcept { return batch_cycles(b) / clock_hz; }
    /// Images per second over a batch (pipeline fill included).
    constexpr double batch_throughput(count_t b) const noexcept { return static_cast<double>(b) / batch_time(b); }
    constexpr double batch_throughput() const noexcept { return batch_throughput(batch); }
    /// Resources over budget, in the order dsp, lut, ff, bram18, uram.
    constexpr std::vector<resource_kind> exceeded() const {
        std::vector<resource_kind> out;
        for (auto r : all_resource_kinds)
            if (used[r] > budget[r]) out.push_back(r);
        return out;
    }
};

/// A folding that sets every factor to 1 (weights in BRAM).
constexpr std::vector<folding> unit_folding(const network& net) { return std::vector<folding>(net.size()); }

/// Throws hass::error naming the first layer whose folding is infeasible.
constexpr void validate(const network& net, const std::vector<folding>& f) {
    if (f.size() != net.size())
        detail::fail(detail::cat("the folding has ", static_cast<count_t>(f.size()), " entries but network '",
                                 net.name, "' has ", static_cast<count_t>(net.size()), " layers"));
    for (std::size_t i = 0; i < f.size(); ++i) {
        const layer& l = net.layers[i];
        if (auto p = folding_problem(l, f[i]); !p.empty()) detail::fail(p);
        if (l.type == layer_type::concat)
            for (int src : l.inputs)
                if (net.shape_of(src).channels % f[i].coarse_in != 0)
                    detail::fail(detail::cat("layer '", l.name, "': coarse ", f[i].coarse_in,
                                             " does not divide the ", net.shape_of(src).channels,
                                             " channels of an input"));
    }
}

namespace detail {

/// A squeeze's name, fpgaConvNet's `a + mid + b` (for example
/// "conv1_squeeze_relu1"), or "squeeze_<a index>_<b index>" when that does not
/// fit a name (long ONNX names).
constexpr name_t squeeze_name(std::string_view a, std::string_view mid, std::string_view b, int ia, int ib) {
    name_t q;
    if (a.size() + mid.size() + b.size() <= name_t::capacity) {
        q = a;
        q += mid;
        q += b;
        return q;
    }
    auto digits = [](int v) {
        char buf[16]{};
        std::size_t n = 0;
        unsigned u = v < 0 ? 0u : static_cast<unsigned>(v);
        do {
            buf[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u > 0 && n < sizeof buf);
        name_t d;
        for (std::size_t k = n; k-- > 0;) d += std::string_view(&buf[k], 1);
        return d;
    };
    q = "squeeze_";
    q += ia < 0 ? name_t("in") : digits(ia);
    q += "_";
    q += ib < 0 ? name_t("out") : digits(ib);
    return q;
}

} // namespace detail

namespace detail {

/// The squeeze between a producer's tensor and a consumer (or a port), under a cost model.
template <cost::cost_model Cost>
constexpr squeeze_link make_squeeze(const network& net, int producer, int consumer, count_t a, count_t b,
                                    count_t width) {
    const tensor_shape s = producer == network_input && consumer >= 0
                               ? net.layers[static_cast<std::size_t>(consumer)].in
                               : net.shape_of(producer);
    const cost::squeeze_figure q = Cost::squeeze_cost(s, a, b, width);
    squeeze_link out;
    out.producer = producer;
    out.consumer = consumer;
    out.streams_from = a;
    out.streams_to = b;
    out.latency = q.latency;
    out.pipeline_depth = q.pipeline_depth;
    out.used = {ceil_to_count(q.figure.dsp), q.figure.lut, q.figure.ff, q.figure.bram, 0};
    return out;
}

/// The squeeze of an edge: the producer's output shape and width.
template <cost::cost_model Cost>
constexpr squeeze_link make_squeeze(const network& net, int producer, int consumer, count_t a, count_t b) {
    const count_t width = producer == network_input ? net.layers[static_cast<std::size_t>(consumer)].width.data
                                                    : net.layers[static_cast<std::size_t>(producer)].width.output;
    return make_squeeze<Cost>(net, producer, consumer, a, b, width);
}

/// Words of a layer's input (per stream), as the reference counts them:
/// rows * cols * int(channels / streams).
constexpr count_t size_in_of(const layer& l, const folding& f) noexcept {
    return l.in.rows * l.in.cols * (l.in.channels / streams_in(l, f));
}
constexpr count_t size_out_of(const layer& l, const folding& f) noexcept {
    return l.out.rows * l.out.cols * (l.out.channels / streams_out(l, f));
}

/// The number of input ports of a layer (eltwise and concat: their inputs).
constexpr count_t ports_in_of(const layer& l) noexcept {
    return (l.type == layer_type::eltwise || l.type == layer_type::concat) ? static_cast<count_t>(l.inputs.size()) : 1;
}
constexpr count_t ports_out_of(const layer& l) noexcept { return l.type == layer_type::split ? l.fan_out : 1; }

/// The largest stream count a partition port can carry for a layer: the
/// biggest feasible folding of `channels` (per group `groups`) not above
/// min(cap, streams).
constexpr count_t port_streams(count_t channels, count_t groups, count_t streams, count_t cap) noexcept {
    const count_t limit = std::min(cap, streams);
    const count_t per_group = channels / groups;
    count_t best = 1;
    // a * g <= limit bounds both loops
    for (count_t a = 1; a <= std::min(per_group, limit); ++a) {
        if (per_group % a != 0) continue;
        for (count_t g = 1; g <= groups && a * g <= limit; ++g)
            if (groups % g == 0 && a * g > best) best = a * g;
    }
    return best;
}

/// One node of a partition: a layer or a squeeze. Its predecessors are the
/// partition's in_edges[pred_begin, pred_end): nodes are created in topological
/// order and linked to their predecessors as they are created, so each node's
/// edges in are contiguous (the successors are gathered once the graph is built).
struct node {
    int layer = -1;   ///< layer index, or -1 for a squeeze
    int squeeze = -1; ///< index into the report's squeezes (or port squeezes + offset)
    bool port = false;
    int pred_begin = 0, pred_end = 0;
    double latency = 0;
    count_t depth = 0;
    double rate = 1;
    count_t size_in = 1, size_out = 1;
};

} // namespace detail

/// Evaluates the layers [first, last) of a network as one partition on a board
/// under a cost model. The folding must be valid (see validate()).
template <cost::cost_model Cost = cost::hass>
constexpr design_report evaluate_partition(const network& net, const std::vector<folding>& f, const board& b,
                                           int first, int last, const evaluation_options& o = {}) {
    constexpr cost::partition_rules rules = Cost::rules;
    design_report r;
    r.model = Cost::name;
    r.first = first;
    r.last = last;
    r.budget = b.capped(o.cap);
    r.clock_hz = b.clock_hz();
    r.batch = o.batch;
    const auto n = static_cast<std::size_t>(last - first);
    auto layer_at = [&](int i) -> const layer& { return net.layers[static_cast<std::size_t>(i)]; };
    auto fold_at = [&](int i) -> const folding& { return f[static_cast<std::size_t>(i)]; };
    r.layers.reserve(n);
    for (int i = first; i < last; ++i)
        static_cast<layer_estimate&>(r.layers.emplace_back()) = estimate_layer<Cost>(layer_at(i), fold_at(i));

    // consumers of every layer inside the partition, in layer order
    // (compressed rows: the consumers of layer first + k are cons[cons_at[k], cons_at[k + 1]))
    std::vector<int> cons_at(n + 1, 0);
    for (int i = first; i < last; ++i)
        for (int src : layer_at(i).inputs)
            if (src >= first && src < last) ++cons_at[static_cast<std::size_t>(src - first) + 1];
    for (std::size_t k = 0; k < n; ++k) cons_at[k + 1] += cons_at[k];
    std::vector<int> cons(static_cast<std::size_t>(cons_at[n]));
    {
        std::vector<int> fill(cons_at.begin(), cons_at.end() - 1);
        for (int i = first; i < last; ++i)
            for (int src : layer_at(i).inputs)
                if (src >= first && src < last) cons[static_cast<std::size_t>(fill[static_cast<std::size_t>(src - first)]++)] = i;
    }
    auto has_consumers = [&](std::size_t k) { return cons_at[k + 1] > cons_at[k]; };
    auto edge_streamed = [&](int src, int dst) {
        // the producer's output port (its consumer's position) and the consumer's input port
        const auto k = static_cast<std::size_t>(src - first);
        const int* cb = cons.data() + cons_at[k];
        const int* ce = cons.data() + cons_at[k + 1];
        const auto j = static_cast<std::uint32_t>(std::find(cb, ce, dst) - cb);
        const auto& ins = layer_at(dst).inputs;
        const auto i = static_cast<std::uint32_t>(std::find(ins.begin(), ins.end(), src) - ins.begin());
        return ((fold_at(src).streamed_outputs >> j) & 1u) != 0 && ((fold_at(dst).streamed_inputs >> i) & 1u) != 0;
    };

    // --- nodes: layers, squeezes on edges, port squeezes ---------------------------
    std::vector<detail::node> nodes;
    std::vector<int> in_edges; // predecessors, node by node (detail::node::pred_begin)
    nodes.reserve(2 * n);
    in_edges.reserve(2 * n);
    std::vector<int> node_of(n, -1);
    // nodes are built in place (a node built on the stack and copied in costs a
    // store-forwarding stall per field)
    auto new_node = [&]() -> detail::node& {
        detail::node& nd = nodes.emplace_back();
        nd.pred_begin = nd.pred_end = static_cast<int>(in_edges.size());
        return nd;
    };
    auto add_layer_node = [&](int i) {
        detail::node& nd = new_node();
        nd.layer = i;
        const layer_performance& p = r.layers[static_cast<std::size_t>(i - first)];
        nd.latency = static_cast<double>(p.latency);
        nd.depth = p.pipeline_depth;
        nd.rate = p.rate_in;
        nd.size_in = detail::size_in_of(layer_at(i), fold_at(i));
        nd.size_out = detail::size_out_of(layer_at(i), fold_at(i));
    };
    auto add_squeeze_node = [&](const squeeze_link& q, int index, bool port) {
        detail::node& nd = new_node();
        nd.squeeze = index;
        nd.port = port;
        nd.latency = static_cast<double>(q.latency);
        nd.depth = q.pipeline_depth;
        const tensor_shape s = net.shape_of(q.producer == network_input && q.consumer >= 0
                                                ? layer_at(q.consumer).inputs.front()
                                                : q.producer);
        nd.size_in = s.rows * s.cols * (s.channels / q.streams_from);
        nd.size_out = s.rows * s.cols * (s.channels / q.streams_to);
    };
    auto link = [&](int from, int to) {
        // `to` is always the node created last (its edges in stay contiguous)
        in_edges.push_back(from);
        nodes[static_cast<std::size_t>(to)].pred_end = static_cast<int>(in_edges.size());
    };
    const count_t port_cap_bits = b.port_width_bits;
    std::vector<int> pred_nodes;
    for (int i = first; i < last; ++i) {
        const layer& l = layer_at(i);
        const folding& fi = fold_at(i);
        const count_t s_in = streams_in(l, fi);
        bool has_outside = false;
        for (int src : l.inputs) has_outside = has_outside || src < first;
        // an input port squeeze when the layer reads from outside with more streams than a port carries
        int port_node = -1;
        if (has_outside) {
            const count_t cap = port_cap_bits / (rules.reference_pipeline_depth ? 16 : l.width.data);
            const bool conv = l.type == layer_type::convolution;
            const count_t port = detail::port_streams(l.in.channels, conv ? l.groups : 1, s_in, std::max<count_t>(cap, 1));
            if (port != s_in) {
                squeeze_link q = detail::make_squeeze<Cost>(net, network_input, i, port, s_in, l.width.data);
                q.name = detail::squeeze_name(l.name, "_squeeze", "", -1, i);
                r.port_squeezes.push_back(q);
                add_squeeze_node(q, static_cast<int>(r.port_squeezes.size()) - 1, true);
                port_node = static_cast<int>(nodes.size()) - 1;
            }
        }
        // squeezes on edges from earlier layers of the partition
        pred_nodes.clear();
        for (int src : l.inputs) {
            if (src < first) continue;
            const int pn = node_of[static_cast<std::size_t>(src - first)];
            const count_t a = streams_out(layer_at(src), fold_at(src));
            if (a != s_in && !edge_streamed(src, i)) {
                squeeze_link q = detail::make_squeeze<Cost>(net, src, i, a, s_in);
                q.name = detail::squeeze_name(layer_at(src).name, "_squeeze_", l.name, src, i);
                r.squeezes.push_back(q);
                add_squeeze_node(q, static_cast<int>(r.squeezes.size()) - 1, false);
                const int sn = static_cast<int>(nodes.size()) - 1;
                link(pn, sn);
                pred_nodes.push_back(sn);
            } else {
                pred_nodes.push_back(pn);
            }
        }
        add_layer_node(i);
        const int me = static_cast<int>(nodes.size()) - 1;
        node_of[static_cast<std::size_t>(i - first)] = me;
        if (port_node >= 0) link(port_node, me);
        for (int pn : pred_nodes) link(pn, me);
    }
    // outputs: read by a later partition, or by nobody
    std::vector<bool> read_later(n, false);
    for (std::size_t j = static_cast<std::size_t>(last); j < net.layers.size(); ++j)
        for (int src : net.layers[j].inputs)
            if (src >= first && src < last) read_later[static_cast<std::size_t>(src - first)] = true;
    std::vector<bool> is_output(n, false);
    for (std::size_t k = 0; k < n; ++k) is_output[k] = !has_consumers(k) || read_later[k];
    for (int i = first; i < last; ++i) {
        const auto k = static_cast<std::size_t>(i - first);
        if (!is_output[k]) continue;
        const layer& l = layer_at(i);
        const count_t s_out = streams_out(l, fold_at(i));
        const count_t cap = port_cap_bits / (rules.reference_pipeline_depth ? 16 : l.width.output);
        const bool conv = l.type == layer_type::convolution;
        const count_t port = detail::port_streams(l.out.channels, conv ? l.groups : 1, s_out, std::max<count_t>(cap, 1));
        if (port != s_out) {
            squeeze_link q = detail::make_squeeze<Cost>(net, i, -1, s_out, port, l.width.output);
            q.name = detail::squeeze_name("squeeze_", l.name, "", i, -1);
            r.port_squeezes.push_back(q);
            add_squeeze_node(q, static_cast<int>(r.port_squeezes.size()) - 1, true);
            link(node_of[k], static_cast<int>(nodes.size()) - 1);
        }
    }

    // successors in compressed rows: out_edges[succ_at[v], succ_at[v + 1]), in the
    // order the edges were made (by consumer, then by the consumer's port)
    std::vector<int> succ_at(nodes.size() + 1, 0);
    for (int p : in_edges) ++succ_at[static_cast<std::size_t>(p)];
    for (std::size_t v = 1; v <= nodes.size(); ++v) succ_at[v] += succ_at[v - 1];
    std::vector<int> out_edges(in_edges.size());
    for (std::size_t v = nodes.size(); v-- > 0;)
        for (int j = nodes[v].pred_end; j-- > nodes[v].pred_begin;)
            out_edges[static_cast<std::size_t>(--succ_at[static_cast<std::size_t>(in_edges[static_cast<std::size_t>(j)])])] =
                static_cast<int>(v);
    auto preds_of = [&](auto v) {
        const detail::node& nd = nodes[static_cast<std::size_t>(v)];
        return std::span<const int>(in_edges.data() + nd.pred_begin, in_edges.data() + nd.pred_end);
    };
    auto succs_of = [&](auto v) {
        const auto k = static_cast<std::size_t>(v);
        return std::span<const int>(out_edges.data() + succ_at[k], out_edges.data() + succ_at[k + 1]);
    };

    // --- interval ---------------------------------------------------------------------
    double slowest = 0;
    for (const auto& nd : nodes) {
        if (nd.latency > slowest || (nd.latency == slowest && r.bottleneck < 0 && nd.layer >= 0)) {
            slowest = nd.latency;
            r.bottleneck = nd.layer;
        }
    }
    r.interval = slowest;
    r.compute_ii = ceil_to_count(slowest);

    // --- skip-connection FIFOs of eltwise and concat layers -----------------------------
    // Nodes are created in topological order (every predecessor has a smaller
    // index), so every node's ancestors (itself included) are one bit set per
    // node, built in one pass when the partition has a multi-input layer.
    const std::size_t words = (nodes.size() + 63) / 64;
    std::vector<std::uint64_t> anc;
    auto ancestors_of = [&](int v) { return anc.data() + static_cast<std::size_t>(v) * words; };
    auto is_ancestor = [&](const std::uint64_t* set, int v) {
        return ((set[static_cast<std::size_t>(v) / 64] >> (static_cast<std::size_t>(v) % 64)) & 1u) != 0;
    };
    auto build_ancestors = [&] {
        anc.assign(nodes.size() * words, 0);
        for (std::size_t v = 0; v < nodes.size(); ++v) {
            std::uint64_t* set = ancestors_of(static_cast<int>(v));
            set[v / 64] |= std::uint64_t{1} << (v % 64);
            for (int p : preds_of(v)) {
                const std::uint64_t* from = ancestors_of(p);
                for (std::size_t w = 0; w < words; ++w) set[w] |= from[w];
            }
        }
    };
    auto path_depth = [&](const std::vector<int>& path) {
        count_t depths = 0;
        for (int v : path) depths += nodes[static_cast<std::size_t>(v)].depth;
        if (!rules.reference_pipeline_depth) return static_cast<double>(depths);
        double terms = 0;
        double product = 1;
        for (std::size_t j = 0; j < path.size(); ++j) {
            const auto& nd = nodes[static_cast<std::size_t>(path[j])];
            product = j == 0 ? static_cast<double>(nd.size_in) / static_cast<double>(nd.size_out)
                             : product * (static_cast<double>(nd.size_in) / static_cast<double>(nd.size_out));
            terms = terms + (nd.latency / static_cast<double>(nd.size_in)) * product;
        }
        return static_cast<double>(depths) + terms;
    };
    for (int i = first; i < last; ++i) {
        const layer& l = layer_at(i);
        if (l.type != layer_type::eltwise && l.type != layer_type::concat) continue;
        layer_performance& lp = r.layers[static_cast<std::size_t>(i - first)];
        lp.fifo_depths.assign(static_cast<std::size_t>(detail::ports_in_of(l)), 2);
        const int e = node_of[static_cast<std::size_t>(i - first)];
        const auto preds = preds_of(e);
        if (anc.empty()) build_ancestors();
        int split = -1;
        for (std::size_t a = 0; a < preds.size(); ++a)
            for (std::size_t c = a + 1; c < preds.size(); ++c) {
                const std::uint64_t* anc_a = ancestors_of(preds[a]);
                const std::uint64_t* anc_c = ancestors_of(preds[c]);
                // the common ancestors C; when the last of them (by index) has
                // every other one as an ancestor it is where the walk below ends
                int lca = -1, last_common = -1;
                for (std::size_t w = 0; w < words; ++w)
                    if (const std::uint64_t both = anc_a[w] & anc_c[w]; both != 0) {
                        if (lca < 0) lca = static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(both)));
                        last_common = static_cast<int>(w * 64 + 63 - static_cast<std::size_t>(std::countl_zero(both)));
                    }
                if (lca < 0) continue;
                bool unique_last = true;
                for (std::size_t w = 0; w < words && unique_last; ++w)
                    unique_last = (anc_a[w] & anc_c[w] & ~ancestors_of(last_common)[w]) == 0;
                if (unique_last) {
                    lca = last_common;
                } else {
                    // from the common ancestor of smallest index, walk down while a
                    // successor is a common ancestor
                    for (bool moved = true; moved;) {
                        moved = false;
                        for (int s : succs_of(lca))
                            if (is_ancestor(anc_a, s) && is_ancestor(anc_c, s)) {
                                lca = s;
                                moved = true;
                                break;
                            }
                    }
                }
                if (split < 0 || lca < split) split = lca;
            }
        if (split < 0) continue;
        const auto& sn = nodes[static_cast<std::size_t>(split)];
        if (sn.layer < 0 || layer_at(sn.layer).type != layer_type::split) continue;
        // every simple path split -> e, grouped by the node that enters e
        std::vector<double> best(preds.size(), -1.0);
        std::vector<int> path{split};
        auto dfs = [&](auto&& self, int v) -> void {
            if (v == e) {
                const int entry = path[path.size() - 2];
                const auto k = static_cast<std::size_t>(std::find(preds.begin(), preds.end(), entry) - preds.begin());
                best[k] = std::max(best[k], path_depth(path));
                return;
            }
            for (int s : succs_of(v)) {
                if (s > e) continue; // nodes are in topological order: no way back to e
                path.push_back(s);
                self(self, s);
                path.pop_back();
            }
        };
        dfs(dfs, split);
        double longest = 0;
        for (double d : best) longest = std::max(longest, d);
        count_t extra = 0;
        if (l.type == layer_type::concat)
            for (int src : l.inputs) extra += net.shape_of(src).channels;
        for (std::size_t k = 0; k < preds.size(); ++k) {
            if (best[k] < 0) continue;
            // the port of the layer that feeds this predecessor (through its squeeze)
            const auto& pn = nodes[static_cast<std::size_t>(preds[k])];
            const int producer = pn.layer >= 0 ? pn.layer : r.squeezes[static_cast<std::size_t>(pn.squeeze)].producer;
            const auto port = static_cast<std::size_t>(std::find(l.inputs.begin(), l.inputs.end(), producer) -
                                                       l.inputs.begin());
            if (port < lp.fifo_depths.size()) lp.fifo_depths[port] = ceil_to_count(longest - best[k]) + extra + 64;
        }
        const count_t c = fold_at(i).coarse_in;
        for (std::size_t p = 0; p < lp.fifo_depths.size(); ++p) {
            std::size_t flag = p;
            if constexpr (rules.fifo_flags_in_name_order) {
                // the p-th flag in the reference's order belongs to the producer
                // p-th by name: it is that producer's port whose bit is read
                std::vector<std::string_view> names;
                for (int src : l.inputs)
                    names.push_back(src == network_input ? std::string_view() : net.layers[static_cast<std::size_t>(src)].name.view());
                std::vector<std::string_view> sorted = names;
                std::sort(sorted.begin(), sorted.end());
                if (p < sorted.size())
                    flag = static_cast<std::size_t>(std::find(names.begin(), names.end(), sorted[p]) - names.begin());
            }
            if (((fold_at(i).streamed_inputs >> flag) & 1u) == 0)
                lp.fifo_bram += c * bram18_blocks(lp.fifo_depths[p], l.width.data, buffer_kind::fifo);
        }
        lp.used.bram18 += lp.fifo_bram;
    }

    // --- resources ------------------------------------------------------------------------
    for (const auto& lp : r.layers) {
        r.used_raw += lp.used;
        r.dsp += lp.dsp;
    }
    for (const auto& q : r.squeezes) r.used_raw += q.used;
    for (const auto& q : r.port_squeezes) r.used_raw += q.used;
    r.used_raw.dsp = ceil_to_count(r.dsp);
    r.used = r.used_raw;
    if (o.bram_to_lut) {
        const double bram_budget = o.cap.ram * static_cast<double>(b.budget.bram18);
        const double lut_budget = o.cap.lut * static_cast<double>(b.budget.lut);
        const count_t shortage = ceil_to_count(static_cast<double>(r.used.bram18) - bram_budget);
        const auto surplus = static_cast<count_t>((lut_budget - static_cast<double>(r.used.lut)) / 288.0);
        if (shortage > 0 && surplus > 0) {
            r.bram_to_lut_blocks = std::min(shortage, surplus);
            r.used.bram18 -= r.bram_to_lut_blocks;
            r.used.lut += 288 * (rules.lut_takes_whole_surplus ? surplus : r.bram_to_lut_blocks);
        }
    }

    // --- off-chip traffic ---------------------------------------------------------------
    if (rules.external_inputs_of_sources_only) {
        // fpgaConvNet: every node without a predecessor reads its input (per input
        // port), every node without a successor writes its output (per output
        // port), each at its data width (a convolution's input width on both
        // sides); a streamed edge is read and written at both ends.
        for (std::size_t v = 0; v < nodes.size(); ++v) {
            const detail::node& nd = nodes[v];
            const bool no_preds = nd.pred_begin == nd.pred_end, no_succs = succ_at[v] == succ_at[v + 1];
            if (nd.layer < 0) {
                if (!nd.port) continue;
                const squeeze_link& q = r.port_squeezes[static_cast<std::size_t>(nd.squeeze)];
                if (no_preds) {
                    const layer& l = layer_at(q.consumer);
                    r.bits_in += static_cast<double>(l.in.size() * l.width.data);
                }
                if (no_succs) {
                    const layer& l = layer_at(q.producer);
                    r.bits_out += static_cast<double>(l.out.size() * l.width.output);
                }
                continue;
            }
            const layer& l = layer_at(nd.layer);
            const folding& fi = fold_at(nd.layer);
            for (count_t p = 0; p < detail::ports_in_of(l); ++p) {
                const bool streamed = ((fi.streamed_inputs >> p) & 1u) != 0;
                if (!streamed && !no_preds) continue;
                const double rows = streamed && l.type == layer_type::convolution ? static_cast<double>(l.kernel_rows) : 1.0;
                r.bits_in += static_cast<double>(l.in.size()) * rows * static_cast<double>(l.width.data);
            }
            for (count_t p = 0; p < detail::ports_out_of(l); ++p) {
                const bool streamed = ((fi.streamed_outputs >> p) & 1u) != 0;
                if (!streamed && !no_succs) continue;
                r.bits_out += static_cast<double>(l.out.size() * l.width.data);
            }
        }
    } else {
        // hass: every tensor read from outside the partition (once per port that
        // reads it), every tensor a later partition reads or nobody reads (once),
        // and both ends of a streamed edge; each at its own width
        for (int i = first; i < last; ++i) {
            const auto k = static_cast<std::size_t>(i - first);
            const layer& l = layer_at(i);
            const folding& fi = fold_at(i);
            for (std::size_t p = 0; p < l.inputs.size(); ++p) {
                const bool streamed = ((fi.streamed_inputs >> p) & 1u) != 0;
                if (!streamed && l.inputs[p] >= first) continue;
                const double rows = streamed && l.type == layer_type::convolution ? static_cast<double>(l.kernel_rows) : 1.0;
                r.bits_in += static_cast<double>(net.shape_of(l.inputs[p]).size()) * rows * static_cast<double>(l.width.data);
            }
            const auto ports = static_cast<std::uint32_t>(detail::ports_out_of(l));
            std::uint32_t streamed_outs = 0;
            for (std::uint32_t p = 0; p < ports; ++p) streamed_outs += (fi.streamed_outputs >> p) & 1u;
            const count_t copies = std::max<count_t>(streamed_outs, is_output[k] ? 1 : 0);
            r.bits_out += static_cast<double>(copies * l.out.size() * l.width.output);
        }
    }
    for (const auto& lp : r.layers) r.bits_weights += lp.weight_bits;
    r.offchip_bits = r.bits_in + r.bits_out + r.bits_weights;
    const double budget_gbps = o.cap.bandwidth * b.bandwidth_gbps;
    const double bits_per_cycle = budget_gbps * 1e9 / r.clock_hz;
    r.memory_ii = bits_per_cycle > 0 ? ceil_to_count(r.offchip_bits / bits_per_cycle) : 0;
    {
        const double gbps = r.interval > 0 ? r.offchip_bits * (b.clock_mhz / (r.interval * 1000.0)) : 0.0;
        r.bandwidth_at_interval_gbps = gbps;
        r.greedy_slowdown = gbps > budget_gbps && budget_gbps > 0 ? gbps / budget_gbps + 0.01 : 1.0;
    }
    if (rules.bandwidth_must_fit) {
        r.ii = ceil_to_count(r.interval);
        r.slowdown = 1.0;
    } else {
        r.ii = std::max(r.compute_ii, r.memory_ii);
        r.slowdown = r.compute_ii > 0 ? static_cast<double>(r.ii) / static_cast<double>(r.compute_ii) : 1.0;
    }
    if (r.ii > r.compute_ii) r.bottleneck = -1;

    // --- pipeline depth ------------------------------------------------------------------
    if (rules.reference_pipeline_depth) {
        // the longest path by node count (first maximal predecessor, first end node)
        std::vector<count_t> hops(nodes.size(), 0);
        std::vector<int> via(nodes.size(), -1);
        for (std::size_t v = 0; v < nodes.size(); ++v)
            for (int p : preds_of(v))
                if (via[v] < 0 || hops[static_cast<std::size_t>(p)] + 1 > hops[v]) {
                    hops[v] = hops[static_cast<std::size_t>(p)] + 1;
                    via[v] = p;
                }
        std::size_t end = 0;
        for (std::size_t v = 0; v < nodes.size(); ++v)
            if (hops[v] > hops[end]) end = v;
        std::vector<int> path;
        for (int v = static_cast<int>(end); v >= 0; v = via[static_cast<std::size_t>(v)]) path.push_back(v);
        std::reverse(path.begin(), path.end());
        double sum = 0;
        double product = 1;
        for (std::size_t j = 0; j < path.size(); ++j) {
            const auto& nd = nodes[static_cast<std::size_t>(path[j])];
            product = j == 0 ? static_cast<double>(nd.size_in) / static_cast<double>(nd.size_out)
                             : product * (static_cast<double>(nd.size_in) / static_cast<double>(nd.size_out));
            const double term = static_cast<double>(nd.depth) / nd.rate +
                                (r.interval / static_cast<double>(nd.size_in)) * product;
            sum = sum + term;
        }
        r.pipeline_depth = sum;
    } else {
        std::vector<count_t> reach(nodes.size(), 0);
        count_t deepest = 0;
        for (std::size_t v = 0; v < nodes.size(); ++v) {
            count_t start = 0;
            for (int p : preds_of(v)) start = std::max(start, reach[static_cast<std::size_t>(p)]);
            reach[v] = start + nodes[v].depth;
            deepest = std::max(deepest, reach[v]);
        }
        r.pipeline_depth = static_cast<double>(deepest);
    }

    // --- weights reloading -----------------------------------------------------------------
    if (o.reload_layer >= first && o.reload_layer < last && o.reload_factor > 1) {
        const layer& l = layer_at(o.reload_layer);
        r.reload_factor = o.reload_factor;
        const count_t k = l.type == layer_type::convolution ? l.kernel_size() : 1;
        const count_t g = l.type == layer_type::convolution ? l.groups : 1;
        r.reload_words = static_cast<double>(l.in.channels * l.filters() * k / g);
    }

    r.fits = within(r.used, r.budget);
    if (rules.bandwidth_must_fit && r.bandwidth_at_interval_gbps > budget_gbps * (1 + 1e-12)) r.fits = false;
    for (const auto& lp : r.layers)
        if (lp.undefined) r.fits = false;
    return r;
}

/// Evaluates a whole network as one partition (validates the folding first).
template <cost::cost_model Cost = cost::hass>
constexpr design_report evaluate(const network& net, const std::vector<folding>& f, const board& b,
                                 const evaluation_options& o = {}) {
    validate(net, f);
    return evaluate_partition<Cost>(net, f, b, 0, static_cast<int>(net.size()), o);
}

/// A design split into partitions that run one after another on one device.
struct partitioned_report {
    std::vector<design_report> partitions;
    double reconf_time_s = 0;
    bool reconfigure_first = false; ///< fpgaConvNet counts P reconfigurations, hass P - 1

    constexpr bool fits() const noexcept {
        for (const auto& p : partitions)
            if (!p.fits) return false;
        return !partitions.empty();
    }
    constexpr count_t reconfigurations() const noexcept {
        const auto p = static_cast<count_t>(partitions.size());
        if (p <= 1) return 0;
        return reconfigure_first ? p : p - 1;
    }
    /// Seconds for a batch: sum of partition times + the reconfigurations.
    constexpr double batch_time(count_t batch) const noexcept {
        double t = 0;
        for (const auto& p : partitions) t += p.batch_time(batch);
        return t + static_cast<double>(reconfigurations()) * reconf_time_s;
    }
    constexpr double throughput(count_t batch) const noexcept {
        return static_cast<double>(batch) / batch_time(batch);
    }
};

/// Evaluates a network cut at the given layer indices (each cut starts a new partition).
template <cost::cost_model Cost = cost::hass>
constexpr partitioned_report evaluate_partitions(const network& net, const std::vector<folding>& f, const board& b,
                                                 const std::vector<int>& cuts, const evaluation_options& o = {}) {
    validate(net, f);
    partitioned_report out;
    out.reconf_time_s = b.reconf_time_s;
    out.reconfigure_first = Cost::rules.reconfigure_first_partition;
    int start = 0;
    for (int c : cuts) {
        if (c <= start || c >= static_cast<int>(net.size()))
            detail::fail(detail::cat("partition cut at layer ", c, " is out of order or out of range"));
        out.partitions.push_back(evaluate_partition<Cost>(net, f, b, start, c, o));
        start = c;
    }
    out.partitions.push_back(evaluate_partition<Cost>(net, f, b, start, static_cast<int>(net.size()), o));
    return out;
}

/// Cuts a network into the fewest contiguous partitions that each fit the board
/// under this folding (greedy: each partition takes as many layers as fit).
/// Throws hass::error naming the layer when a single layer does not fit alone.
template <cost::cost_model Cost = cost::hass>
constexpr std::vector<int> auto_partition(const network& net, const std::vector<folding>& f, const board& b,
                                          const evaluation_options& o = {}) {
    validate(net, f);
    std::vector<int> cuts;
    const auto n = static_cast<int>(net.size());
    int start = 0;
    while (start < n) {
        int end = start + 1;
        if (!evaluate_partition<Cost>(net, f, b, start, end, o).fits) {
            const auto r = evaluate_partition<Cost>(net, f, b, start, end, o);
            const auto over = r.exceeded();
            const resource_kind k = over.empty() ? resource_kind::dsp : over.front();
            detail::fail(detail::cat("layer '", net.layers[static_cast<std::size_t>(start)].name, "' alone needs ",
                                     r.used[k], " ", to_string(k), " but board '", b.name, "' allows ",
                                     r.budget[k], ": no partitioning fits this folding"));
        }
        int lo = end, hi = n;
        while (lo < hi) {
            const int mid = (lo + hi + 1) / 2;
            if (evaluate_partition<Cost>(net, f, b, start, mid, o).fits)
                lo = mid;
            else
                hi = mid - 1;
        }
        end = lo;
        if (end < n) cuts.push_back(end);
        start = end;
    }
    return cuts;
}

} // namespace hass
