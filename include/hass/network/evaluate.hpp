// Performance and resources of a whole design: a network, a folding per layer
// and a board (MODEL.md "Network performance").
//
//  - squeeze modules are inserted on every edge whose producer's output streams
//    differ from the consumer's input streams: latency H*W*C/min(a, b);
//  - II = max over layers and squeezes of the latency (cycles per image), raised
//    to the off-chip memory bound when the design needs more bandwidth than the
//    board has;
//  - throughput = clock / II; batch latency = (II*B + D) / clock with D the
//    longest path of pipeline depths;
//  - several partitions run one after another: time(B) = sum of partition times
//    + (P - 1) * reconfiguration time.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/network/network.hpp"

namespace hass {

/// A squeeze module inserted between a producer and a consumer.
struct squeeze_link {
    int producer = network_input; ///< layer index (or network_input)
    int consumer = 0;
    count_t streams_from = 1, streams_to = 1;
    count_t latency = 0;
    count_t pipeline_depth = 0;
    resources used{};
};

/// Everything the model says about one partition of a design.
struct design_report {
    int first = 0, last = 0; ///< the layers [first, last) of the network
    std::vector<layer_performance> layers; ///< indexed by layer - first
    std::vector<squeeze_link> squeezes;
    count_t compute_ii = 0; ///< slowest layer or squeeze, cycles per image
    count_t memory_ii = 0;  ///< cycles per image needed to move the off-chip traffic
    count_t ii = 0;         ///< max(compute_ii, memory_ii)
    int bottleneck = -1;    ///< layer index of the slowest layer (-1 when a squeeze or memory)
    count_t pipeline_depth = 0;
    resources used{};
    resources budget{};     ///< board budget after the utilisation cap
    bool fits = false;
    double offchip_bits = 0; ///< bits moved to or from off-chip memory per image
    double clock_hz = 0;

    constexpr double throughput() const noexcept { return clock_hz / static_cast<double>(ii); }
    /// Off-chip bandwidth used at the design's throughput, Gbit/s.
    constexpr double bandwidth_gbps() const noexcept { return offchip_bits * throughput() / 1e9; }
    /// Seconds to process a batch of `batch` images through this partition.
    constexpr double batch_time(count_t batch) const noexcept {
        return static_cast<double>(ii * batch + pipeline_depth) / clock_hz;
    }
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
constexpr squeeze_link make_squeeze(const network& net, int producer, int consumer, count_t a, count_t b) {
    const tensor_shape s = net.shape_of(producer);
    const modules::squeeze m{s.size(), a, b, 1, net.layers[static_cast<std::size_t>(consumer)].width.data};
    return {producer, consumer, a, b, ceil_to_count(m.latency()), m.pipeline_depth(), m.resources()};
}
} // namespace detail

/// Evaluates the layers [first, last) of a network as one partition on a board.
/// The folding must be valid (see validate()).
constexpr design_report evaluate_partition(const network& net, const std::vector<folding>& f, const board& b,
                                           int first, int last, const utilisation_cap& cap = {}) {
    design_report r;
    r.first = first;
    r.last = last;
    r.budget = b.capped(cap);
    r.clock_hz = b.clock_hz();
    const auto n = static_cast<std::size_t>(last - first);
    r.layers.reserve(n);
    std::vector<count_t> depth_to(n, 0);
    std::vector<bool> read_inside(n, false);
    double slowest = 0;
    double offchip = 0;
    std::vector<int> external_inputs;
    for (int i = first; i < last; ++i) {
        const layer& l = net.layers[static_cast<std::size_t>(i)];
        const folding& fi = f[static_cast<std::size_t>(i)];
        layer_performance p = evaluate_layer(l, fi);
        r.used += p.used;
        if (static_cast<double>(p.latency) > slowest) {
            slowest = static_cast<double>(p.latency);
            r.bottleneck = i;
        }
        if (l.has_weights() && fi.weights == weight_storage::off_chip)
            offchip += static_cast<double>(l.weight_count() * l.width.weight);
        count_t start = 0;
        for (int src : l.inputs) {
            count_t edge = 0;
            const bool inside = src >= first;
            if (inside) {
                read_inside[static_cast<std::size_t>(src - first)] = true;
                edge = depth_to[static_cast<std::size_t>(src - first)];
                const count_t a = streams_out(net.layers[static_cast<std::size_t>(src)], f[static_cast<std::size_t>(src)]);
                const count_t c = streams_in(l, fi);
                if (a != c) {
                    squeeze_link s = detail::make_squeeze(net, src, i, a, c);
                    r.used += s.used;
                    edge += s.pipeline_depth;
                    if (static_cast<double>(s.latency) > slowest) {
                        slowest = static_cast<double>(s.latency);
                        r.bottleneck = -1;
                    }
                    r.squeezes.push_back(s);
                }
            } else if (std::find(external_inputs.begin(), external_inputs.end(), src) == external_inputs.end()) {
                external_inputs.push_back(src); // read from off-chip memory
                offchip += static_cast<double>(net.shape_of(src).size() * l.width.data);
            }
            start = std::max(start, edge);
        }
        depth_to[static_cast<std::size_t>(i - first)] = start + p.pipeline_depth;
        r.layers.push_back(p);
    }
    // outputs of the partition: read by later partitions or network outputs
    std::vector<bool> read_later(n, false);
    for (std::size_t j = static_cast<std::size_t>(last); j < net.layers.size(); ++j)
        for (int src : net.layers[j].inputs)
            if (src >= first && src < last) read_later[static_cast<std::size_t>(src - first)] = true;
    for (std::size_t k = 0; k < n; ++k) {
        if (!read_inside[k] || read_later[k]) {
            const layer& l = net.layers[k + static_cast<std::size_t>(first)];
            offchip += static_cast<double>(l.out.size() * l.width.data);
            r.pipeline_depth = std::max(r.pipeline_depth, depth_to[k]);
        }
    }
    r.compute_ii = ceil_to_count(slowest);
    r.offchip_bits = offchip;
    const double bits_per_cycle = b.bandwidth_gbps * 1e9 / r.clock_hz;
    r.memory_ii = bits_per_cycle > 0 ? ceil_to_count(offchip / bits_per_cycle) : 0;
    r.ii = std::max(r.compute_ii, r.memory_ii);
    if (r.memory_ii > r.compute_ii) r.bottleneck = -1;
    r.fits = within(r.used, r.budget);
    return r;
}

/// Evaluates a whole network as one partition (validates the folding first).
constexpr design_report evaluate(const network& net, const std::vector<folding>& f, const board& b,
                                 const utilisation_cap& cap = {}) {
    validate(net, f);
    return evaluate_partition(net, f, b, 0, static_cast<int>(net.size()), cap);
}

/// A design split into partitions that run one after another on one device.
struct partitioned_report {
    std::vector<design_report> partitions;
    double reconf_time_s = 0;

    constexpr bool fits() const noexcept {
        for (const auto& p : partitions)
            if (!p.fits) return false;
        return !partitions.empty();
    }
    /// Seconds for a batch: sum of partition times + (P - 1) reconfigurations.
    constexpr double batch_time(count_t batch) const noexcept {
        double t = 0;
        for (const auto& p : partitions) t += p.batch_time(batch);
        return partitions.empty() ? t : t + static_cast<double>(partitions.size() - 1) * reconf_time_s;
    }
    constexpr double throughput(count_t batch) const noexcept {
        return static_cast<double>(batch) / batch_time(batch);
    }
};

/// Evaluates a network cut at the given layer indices (each cut starts a new partition).
constexpr partitioned_report evaluate_partitions(const network& net, const std::vector<folding>& f,
                                                 const board& b, const std::vector<int>& cuts,
                                                 const utilisation_cap& cap = {}) {
    validate(net, f);
    partitioned_report out;
    out.reconf_time_s = b.reconf_time_s;
    int start = 0;
    for (int c : cuts) {
        if (c <= start || c >= static_cast<int>(net.size()))
            detail::fail(detail::cat("partition cut at layer ", c, " is out of order or out of range"));
        out.partitions.push_back(evaluate_partition(net, f, b, start, c, cap));
        start = c;
    }
    out.partitions.push_back(evaluate_partition(net, f, b, start, static_cast<int>(net.size()), cap));
    return out;
}

/// Cuts a network into the fewest contiguous partitions that each fit the board
/// under this folding (greedy: each partition takes as many layers as fit).
/// Throws hass::error naming the layer when a single layer does not fit alone.
constexpr std::vector<int> auto_partition(const network& net, const std::vector<folding>& f, const board& b,
                                          const utilisation_cap& cap = {}) {
    validate(net, f);
    std::vector<int> cuts;
    const auto n = static_cast<int>(net.size());
    int start = 0;
    while (start < n) {
        // grow [start, end) while it fits; resources only grow with the range
        int end = start + 1;
        if (!evaluate_partition(net, f, b, start, end, cap).fits) {
            const auto r = evaluate_partition(net, f, b, start, end, cap);
            const auto over = r.exceeded();
            const resource_kind k = over.empty() ? resource_kind::dsp : over.front();
            detail::fail(detail::cat("layer '", net.layers[static_cast<std::size_t>(start)].name, "' alone needs ",
                                     r.used[k], " ", to_string(k), " but board '", b.name, "' allows ",
                                     r.budget[k], ": no partitioning fits this folding"));
        }
        int lo = end, hi = n; // lo fits; find the largest end that fits by bisection
        while (lo < hi) {
            const int mid = (lo + hi + 1) / 2;
            if (evaluate_partition(net, f, b, start, mid, cap).fits)
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
