// Preparing a design for writing (prepare_design): the checks of what the
// kernels support, the C++ names of the namespace, the top and the layers
// (unique case-insensitively: they are also file names), the fixed-point
// types, the thresholds, the model's latencies, the top's outputs, and the
// edges between layers with a squeeze wherever the stream counts differ, in the
// order hass::evaluate_partition inserts them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/hls/emit/context.hpp"
#include "hass/hls/emit/weight_files.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"
#include "hass/modules/squeeze.hpp"

namespace hass::hls::detail::emit {

/// Throws (context::fail) for what the kernels do not implement.
inline void check_supported(const context& ctx, const layer& l, const folding& f) {
    const std::string n = "layer '" + l.name.str() + "': ";
    switch (l.type) {
    case layer_type::sigmoid:
        ctx.fail(n + "sigmoid has no HLS kernel (supported: convolution (dense and sparse), inner_product, pooling, "
                 "global_pooling, relu, relu6, thresholded_relu, hardswish, hardsigmoid, eltwise, concat, split)");
    case layer_type::eltwise:
        if (l.broadcast && l.inputs.size() != 2)
            ctx.fail(n + "a broadcast eltwise takes exactly two inputs in the kernels");
        if (l.inputs.size() > 64) ctx.fail(n + "more than 64 eltwise inputs");
        break;
    case layer_type::convolution:
        if (f.coarse_group > 1 && !(l.in.channels == l.groups && l.out.channels == l.groups))
            ctx.fail(n + "coarse_group " + std::to_string(f.coarse_group) +
                     " > 1 is supported by the kernels for depthwise layers only (the channel interleaving c % S "
                     "would mix the groups of other grouped layers; docs/hls.md, Stream layout)");
        if (l.kernel_size() > 64) ctx.fail(n + "kernels of more than 64 elements are not supported");
        break;
    case layer_type::pooling:
        if (l.kernel_size() > 256) ctx.fail(n + "pooling windows of more than 256 elements are not supported");
        break;
    default: break;
    }
}

/// Statistics rebuilt from their histogram, as the layer headers' layer_value() rebuilds them.
inline sparsity_stats rebuilt_stats(const sparsity_stats& s, std::string_view where) {
    sparsity_stats r = make_sparsity_stats(s.channels, s.kernel, s.histogram, where);
    r.order = s.order;
    r.skip_all_zero = s.skip_all_zero;
    r.clusters = s.clusters;
    if (!r.cache_valid()) r.prepare();
    return r;
}

/// The design prepared for the writers; throws hass::error for an invalid or unsupported design.
inline context prepare_design(const network& net, const std::vector<folding>& f, const emit_options& options) {
    context ctx(net, f, options);
    validate(ctx.net, ctx.foldings);
    if (ctx.net.layers.empty()) ctx.fail("the network has no layers");
    ctx.ns = ctx.options.name_space.empty() ? "hass_design" : ctx.options.name_space;
    for (std::size_t p = 0; p < ctx.ns.size();) { // "a::b" is allowed
        const std::size_t q = std::min(ctx.ns.find("::", p), ctx.ns.size());
        if (!is_identifier(ctx.ns.substr(p, q - p)))
            ctx.fail("namespace '" + ctx.ns + "' is not a C++ namespace name");
        p = q == ctx.ns.size() ? q : q + 2;
    }
    ctx.top = ctx.options.top_name.empty() ? identifier(ctx.net.name.view()) + "_top" : ctx.options.top_name;
    if (!is_identifier(ctx.top)) ctx.fail("top function name '" + ctx.top + "' is not a C++ identifier");
    if (!(ctx.options.random_prune >= 0.0 && ctx.options.random_prune < 1.0))
        ctx.fail("random_prune must be in [0, 1)");
    if (!(ctx.options.input_range > 0.0)) ctx.fail("input_range must be positive");

    // the types
    const count_t dw = ctx.net.layers.front().width.data;
    for (const auto& l : ctx.net.layers)
        if (l.width.data != dw)
            ctx.fail("layer '" + l.name.str() + "' has data width " + std::to_string(l.width.data) + " but layer '" +
                     ctx.net.layers.front().name.str() + "' has " + std::to_string(dw) +
                     "; emit-hls needs one data width for the whole design (the streams between layers carry one "
                     "data_t)");
    ctx.data.width = dw;
    ctx.data.integer = ctx.options.data_integer_bits > 0 ? ctx.options.data_integer_bits : (dw + 1) / 2;
    if (ctx.data.integer > dw) ctx.fail("data_integer_bits exceeds the data width " + std::to_string(dw));
    if (dw > 32)
        ctx.warnings.push_back("data width " + std::to_string(dw) +
                               " exceeds 32 bits: the host stand-ins (64-bit arithmetic) cannot simulate it; use "
                               "the vendor headers");

    // identifiers (unique, case-insensitively: they are also file names)
    std::set<std::string> used;
    used.insert(lower(ctx.top));
    for (std::size_t i = 0; i < ctx.net.size(); ++i) {
        const layer& l = ctx.net.layers[i];
        layer_info li;
        std::string id = identifier(l.name.view());
        if (lower(id) == lower(ctx.ns)) id += '_';
        const std::string base = id;
        for (int k = 2; used.count(lower(id)); ++k) id = base + "_" + std::to_string(k);
        used.insert(lower(id));
        li.id = id;
        li.l = &l;
        li.f = ctx.foldings[i];
        check_supported(ctx, l, ctx.foldings[i]);
        li.sparse = implemented_sparse(l, ctx.foldings[i]);
        li.streams_in = streams_in(l, ctx.foldings[i]);
        li.streams_out = streams_out(l, ctx.foldings[i]);
        li.modules = modules_of(l, ctx.foldings[i]);
        li.weight.width = l.width.weight;
        const int weight_bits = ctx.options.weight_integer_bits;
        li.weight.integer = weight_bits > 0 ? weight_bits : std::max<count_t>(1, l.width.weight / 4);
        if (li.weight.integer > l.width.weight)
            ctx.fail("layer '" + l.name.str() + "': weight_integer_bits exceeds the weight width");
        li.acc.width = l.width.acc;
        li.acc.quantisation = "AP_TRN";
        li.acc.overflow = "AP_WRAP";
        // the fraction bits of an exact product (layers with weights) or of the
        // data (global pooling sums data values)
        const count_t frac = ctx.data.fraction() + (l.has_weights() ? li.weight.fraction() : 0);
        li.acc.integer = l.width.acc - frac;
        if (li.acc.integer < 1) {
            li.acc.integer = 1;
            ctx.warnings.push_back("layer '" + l.name.str() + "': acc width " + std::to_string(l.width.acc) +
                                   " cannot hold the " + std::to_string(frac) +
                                   " fraction bits of a product: sums round and depend on their order, so the "
                                   "kernel may differ from the reference");
        }
        if (l.has_weights() && (l.width.weight > 32 || l.width.acc > 48))
            ctx.warnings.push_back("layer '" + l.name.str() +
                                   "': weight width above 32 or acc width above 48 bits exceeds what the host "
                                   "stand-ins simulate (64-bit arithmetic); use the vendor headers");
        if (li.sparse && l.sparsity.order == interleaving::opt)
            ctx.warnings.push_back("layer '" + l.name.str() +
                                   "': the model deals the channels to the streams by the 'opt' interleaving, the "
                                   "kernels by c % S ('naive'): the measured cycles follow the naive order");
        // every other sparse layer is priced with the window model, which the kernel implements
        if (li.sparse && pointwise_sparse_model(l))
            ctx.warnings.push_back("layer '" + l.name.str() +
                                   "': its statistics ask for the pointwise (cluster) sparse model; the kernel "
                                   "skips zero products per (pixel, filter) pair, which the window model prices");
        if (const auto t = ctx.options.thresholds.find(l.name.view()); t != ctx.options.thresholds.end()) {
            if (!l.has_weights())
                ctx.fail("thresholds for layer '" + l.name.str() + "', a " + std::string(to_string(l.type)) +
                         " layer: only convolutions and inner products take them");
            const layer_thresholds& th = t->second;
            if (!(th.tau_w >= 0) || !(th.tau_a >= 0) || !std::isfinite(th.tau_w) || !std::isfinite(th.tau_a))
                ctx.fail("layer '" + l.name.str() + "': thresholds must be finite and >= 0 (tau_w " +
                         number(th.tau_w) + ", tau_a " + number(th.tau_a) + ")");
            li.tau = th;
            li.input_threshold = th.activation && th.tau_a > 0 && l.type == layer_type::convolution;
            if (th.tau_a > 0 && !li.input_threshold)
                ctx.warnings.push_back("layer '" + l.name.str() + "': tau_a " + number(th.tau_a) +
                                       " is not applied (only a convolution that reads a ReLU's output "
                                       "thresholds its input)");
            // x <= tau_a  <=>  x <= tau_a rounded down to data_t's grid (x is on the grid)
            const double scale = std::ldexp(1.0, static_cast<int>(ctx.data.fraction()));
            li.threshold_value = std::floor(th.tau_a * scale) / scale;
        }
        ctx.layers.push_back(std::move(li));
    }
    for (const auto& [name, th] : ctx.options.thresholds)
        if (ctx.net.find(name) < 0)
            ctx.fail("thresholds for layer '" + name + "', which is not in network '" + ctx.net.name.str() + "'");
    ctx.report = evaluate_partition(ctx.net, ctx.foldings, board{}, 0, static_cast<int>(ctx.net.size()));
    for (std::size_t i = 0; i < ctx.layers.size(); ++i) {
        ctx.layers[i].model_latency = ctx.report.layers[i].latency;
        if (ctx.layers[i].l->sparsity.active()) {
            layer rebuilt = *ctx.layers[i].l;
            rebuilt.sparsity = rebuilt_stats(ctx.layers[i].l->sparsity, rebuilt.name.view());
            ctx.layers[i].latency_checkable =
                evaluate_layer(rebuilt, ctx.layers[i].f).latency == ctx.layers[i].model_latency &&
                rebuilt.is_sparse() == ctx.layers[i].l->is_sparse();
        }
    }

    // outputs of the top
    const std::vector<int> outs = ctx.net.outputs();
    for (int o : outs) {
        layer_info& li = ctx.layers[static_cast<std::size_t>(o)];
        if (li.l->type == layer_type::split) ctx.fail("split '" + li.l->name.str() + "' has no reader");
        li.is_output = true;
        li.out_param = outs.size() == 1 ? "out" : "out_" + li.id;
        li.output = li.out_param;
    }
    for (auto& li : ctx.layers)
        if (!li.is_output) li.output = "s_" + li.id;

    // edges and squeezes, in the order hass::evaluate_partition visits them
    std::vector<count_t> next_port(ctx.layers.size(), 0);
    bool input_seen = false;
    std::size_t report_squeeze = 0;
    for (std::size_t i = 0; i < ctx.layers.size(); ++i) {
        layer_info& li = ctx.layers[i];
        const layer& l = *li.l;
        for (std::size_t k = 0; k < l.inputs.size(); ++k) {
            edge e;
            e.producer = l.inputs[k];
            e.slot = k;
            e.to = li.streams_in;
            if (e.producer == network_input) {
                if (input_seen && ctx.input_streams != e.to)
                    ctx.fail("the network input is read by several layers with different stream counts");
                input_seen = true;
                ctx.input_streams = e.to;
                e.from = e.to;
                e.source = "in";
            } else {
                const auto p = static_cast<std::size_t>(e.producer);
                const layer_info& pi = ctx.layers[p];
                e.from = pi.streams_out;
                e.source = pi.output;
                if (pi.l->type == layer_type::split) {
                    const count_t port = next_port[p]++;
                    if (port >= pi.l->fan_out)
                        ctx.fail("split '" + pi.l->name.str() + "' has fan_out " + std::to_string(pi.l->fan_out) +
                                 " but more readers");
                    if (port > 0) e.source += " + " + std::to_string(port * pi.streams_out);
                }
            }
            e.target = e.source;
            if (e.producer != network_input && e.from != e.to) {
                squeeze_info s;
                s.id = li.id + "_" + std::to_string(k);
                s.producer = e.producer;
                s.consumer = static_cast<int>(i);
                s.slot = k;
                s.shape = ctx.net.shape_of(e.producer);
                s.from = e.from;
                s.to = e.to;
                s.scope = ctx.net.layers[static_cast<std::size_t>(e.producer)].name.str() + "->" + l.name.str();
                if (l.inputs.size() > 1) s.scope += "#" + std::to_string(k);
                const modules::squeeze m{s.shape.size(), e.from, e.to, 1, l.width.data};
                s.module = describe_module(m, 1);
                if (report_squeeze >= ctx.report.squeezes.size() ||
                    ctx.report.squeezes[report_squeeze].producer != e.producer ||
                    ctx.report.squeezes[report_squeeze].consumer != static_cast<int>(i))
                    ctx.fail("internal: the squeezes differ from hass::evaluate_partition's");
                s.model_latency = ctx.report.squeezes[report_squeeze++].latency;
                s.source = e.source;
                s.target = "q_" + s.id;
                e.target = s.target;
                e.squeeze = static_cast<int>(ctx.squeezes.size());
                ctx.squeezes.push_back(std::move(s));
            }
            li.inputs.push_back(std::move(e));
        }
    }
    if (report_squeeze != ctx.report.squeezes.size())
        ctx.fail("internal: the squeezes differ from hass::evaluate_partition's");
    for (std::size_t p = 0; p < ctx.layers.size(); ++p)
        if (ctx.layers[p].l->type == layer_type::split && next_port[p] != ctx.layers[p].l->fan_out)
            ctx.fail("split '" + ctx.layers[p].l->name.str() + "' has fan_out " +
                     std::to_string(ctx.layers[p].l->fan_out) +
                 " but " + std::to_string(next_port[p]) + " readers");
    if (ctx.options.weights) check_weights(*ctx.options.weights, ctx.net, "the weights");
    return ctx;
}

} // namespace hass::hls::detail::emit
