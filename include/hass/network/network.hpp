// A network: layers in topological order, each naming the layers it reads.
// Residual adds, squeeze-excitation multiplies, concats and splits make it a DAG.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/name.hpp"
#include "hass/core/text.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/validity.hpp"

namespace hass {

struct network {
    name_t name;
    tensor_shape input;
    std::vector<layer> layers;

    constexpr std::size_t size() const noexcept { return layers.size(); }
    constexpr const layer& operator[](std::size_t i) const noexcept { return layers[i]; }

    /// Shape of a tensor: the output of layer `t`, or the network input.
    constexpr tensor_shape shape_of(int t) const noexcept {
        return t == network_input ? input : layers[static_cast<std::size_t>(t)].out;
    }
    /// Index of the layer with that name, or -1.
    constexpr int find(std::string_view layer_name) const noexcept {
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == layer_name) return static_cast<int>(i);
        return -1;
    }
    constexpr count_t parameter_count() const noexcept {
        count_t n = 0;
        for (const auto& l : layers) n += l.parameter_count();
        return n;
    }
    constexpr count_t macs() const noexcept {
        count_t n = 0;
        for (const auto& l : layers) n += l.macs();
        return n;
    }
    /// Layers whose output no other layer reads: the network outputs.
    constexpr std::vector<int> outputs() const {
        std::vector<bool> read(layers.size(), false);
        for (const auto& l : layers)
            for (int i : l.inputs)
                if (i >= 0) read[static_cast<std::size_t>(i)] = true;
        std::vector<int> out;
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (!read[i]) out.push_back(static_cast<int>(i));
        return out;
    }
};

/// Why a network is malformed, or an empty string: connections must point to
/// earlier layers, shapes must agree along every edge, each layer must be valid,
/// and a tensor read by several layers must go through a split.
constexpr std::string network_problem(const network& net) {
    using detail::cat;
    if (net.layers.empty()) return cat("network '", net.name, "' has no layers");
    std::vector<int> readers(net.layers.size() + 1, 0);
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
        const layer& l = net.layers[i];
        if (auto p = layer_problem(l); !p.empty()) return p;
        for (std::size_t j = 0; j < i; ++j)
            if (net.layers[j].name == l.name)
                return cat("two layers are named '", l.name, "' (#", static_cast<count_t>(j), " and #",
                           static_cast<count_t>(i), "); layer names must be unique");
        if (l.inputs.empty()) return cat("layer '", l.name, "' has no input");
        for (int src : l.inputs) {
            if (src < network_input || src >= static_cast<int>(i))
                return cat("layer '", l.name, "' reads layer #", src,
                           ", which is not an earlier layer (layers must be in topological order)");
            ++readers[static_cast<std::size_t>(src + 1)];
        }
        const tensor_shape first = net.shape_of(l.inputs[0]);
        switch (l.type) {
        case layer_type::eltwise: {
            if (l.inputs.size() < 2) return cat("layer '", l.name, "': eltwise needs two or more inputs");
            for (std::size_t k = 1; k < l.inputs.size(); ++k) {
                const tensor_shape s = net.shape_of(l.inputs[k]);
                const bool broadcast_ok = l.broadcast && s.rows == 1 && s.cols == 1 && s.channels == first.channels;
                if (s != first && !broadcast_ok)
                    return cat("layer '", l.name, "': input ", static_cast<count_t>(k), " is ", s.rows, "x",
                               s.cols, "x", s.channels, " but input 0 is ", first.rows, "x", first.cols,
                               "x", first.channels);
            }
            break;
        }
        case layer_type::concat: {
            count_t channels = 0;
            for (int src : l.inputs) {
                const tensor_shape s = net.shape_of(src);
                if (s.rows != first.rows || s.cols != first.cols)
                    return cat("layer '", l.name, "': concat inputs differ in rows or cols");
                channels += s.channels;
            }
            if (channels != l.out.channels)
                return cat("layer '", l.name, "': concat outputs ", l.out.channels,
                           " channels but its inputs hold ", channels);
            break;
        }
        default:
            if (l.inputs.size() != 1) return cat("layer '", l.name, "' takes exactly one input");
            break;
        }
        if (l.in != first)
            return cat("layer '", l.name, "': input shape ", l.in.rows, "x", l.in.cols, "x", l.in.channels,
                       " does not match its producer's output ", first.rows, "x", first.cols, "x",
                       first.channels);
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
        if (readers[i] <= 1) continue;
        const bool from_split = i > 0 && net.layers[i - 1].type == layer_type::split;
        if (!from_split) {
            if (i == 0) return cat("the network input is read by ", readers[i], " layers without a split (call insert_splits)");
            return cat("the output of layer '", net.layers[i - 1].name, "' is read by ", readers[i],
                       " layers without a split (call insert_splits)");
        }
        if (net.layers[i - 1].fan_out != readers[i])
            return cat("split '", net.layers[i - 1].name, "' has fan_out ", net.layers[i - 1].fan_out,
                       " but ", readers[i], " readers");
    }
    return {};
}

/// Throws hass::error when the network is malformed.
constexpr void validate(const network& net) {
    if (auto p = network_problem(net); !p.empty()) detail::fail(p);
}

/// Inserts a split layer after every tensor that several layers read (the
/// hardware needs an explicit fork there); keeps the topological order.
constexpr network insert_splits(const network& net) {
    const std::size_t n = net.layers.size();
    std::vector<int> readers(n + 1, 0);
    for (const auto& l : net.layers)
        for (int src : l.inputs)
            if (src >= network_input && src < static_cast<int>(n)) ++readers[static_cast<std::size_t>(src + 1)];
    network out{net.name, net.input, {}};
    std::vector<int> remap(n + 1, network_input); // tensor -> new index that carries it
    // a split carries its tensor at the width it was written with: the producer's
    // output width, or for the network input the data width of its first reader
    auto add_split = [&](int tensor_new, const name_t& base, tensor_shape shape, int fan, widths w) {
        layer s;
        s.width = w;
        s.width.data = s.width.output;
        s.name = base;
        s.name += ".split";
        s.type = layer_type::split;
        s.in = s.out = shape;
        s.inputs = {tensor_new};
        s.fan_out = fan;
        out.layers.push_back(static_cast<layer&&>(s));
        return static_cast<int>(out.layers.size()) - 1;
    };
    remap[0] = network_input;
    if (readers[0] > 1) {
        widths w{};
        bool found = false;
        for (std::size_t i = 0; i < n && !found; ++i)
            for (int src : net.layers[i].inputs)
                if (src == network_input && !found) {
                    w = net.layers[i].width;
                    w.output = w.data;
                    found = true;
                }
        remap[0] = add_split(network_input, "input", net.input, readers[0], w);
    }
    for (std::size_t i = 0; i < n; ++i) {
        layer l = net.layers[i];
        for (int& src : l.inputs) src = remap[static_cast<std::size_t>(src + 1)];
        const name_t base = l.name;
        const tensor_shape shape = l.out;
        const widths w = l.width;
        const bool is_split = l.type == layer_type::split;
        out.layers.push_back(static_cast<layer&&>(l));
        const int idx = static_cast<int>(out.layers.size()) - 1;
        remap[i + 1] = idx;
        if (is_split)
            out.layers.back().fan_out = readers[i + 1] > 0 ? readers[i + 1] : 1;
        else if (readers[i + 1] > 1)
            remap[i + 1] = add_split(idx, base, shape, readers[i + 1], w);
    }
    return out;
}

} // namespace hass
