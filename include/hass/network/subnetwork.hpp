// A partition of a network as a network of its own: layers [first, last) of a
// topologically ordered network, reading the one tensor that crosses the cut at
// `first` as its input. What runs on the device between two reconfigurations is
// exactly this network (the tensors at the cuts go through off-chip memory), so
// hass::emit_design can build each partition of a partitioned design.
//
//   network p = hass::partition_network(net, 0, 22, "mobilenet_v2_p1");
//
// Throws hass::error, naming the cut and the tensors, when the range reads more
// than one tensor produced before it or leaves more than one tensor to the
// layers after it (hass search cuts only where one tensor crosses, unless the
// network has no such position where it must cut).
#pragma once

#include <string>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/network/network.hpp"

namespace hass {

namespace detail {

inline std::string tensor_name(const network& net, int t) {
    if (t == network_input) return "the network input";
    std::string out = "'";
    out += net.layers[static_cast<std::size_t>(t)].name.view();
    out += '\'';
    return out;
}

inline std::string tensor_names(const network& net, const std::vector<int>& tensors) {
    std::string names;
    for (int t : tensors) names += (names.empty() ? "" : ", ") + tensor_name(net, t);
    return names;
}

} // namespace detail

/// Layers [first, last) of `net` as a network named `name` (see the top of this file).
inline network partition_network(const network& net, int first, int last, const std::string& name) {
    const int n = static_cast<int>(net.size());
    if (first < 0 || last > n || first >= last)
        throw error("partition [" + std::to_string(first) + ", " + std::to_string(last) + ") of network '" +
                    net.name.str() + "' is not a non-empty range of its " + std::to_string(n) + " layers");
    // the tensors produced before `first` and read inside the range
    std::vector<int> in;
    for (int i = first; i < last; ++i)
        for (int src : net.layers[static_cast<std::size_t>(i)].inputs)
            if (src < first) {
                bool seen = false;
                for (int t : in) seen = seen || t == src;
                if (!seen) in.push_back(src);
            }
    const std::string where = "partition '" + name + "' (layers " + std::to_string(first) + "-" +
                              std::to_string(last - 1) + ")";
    if (in.size() != 1)
        throw error(where + " reads " + std::to_string(in.size()) + " tensors from before its first layer (" +
                    detail::tensor_names(net, in) +
                    "); a partition built on its own takes exactly one input: cut where one tensor crosses");
    int readers = 0;
    for (int i = first; i < last; ++i)
        for (int src : net.layers[static_cast<std::size_t>(i)].inputs) readers += src == in.front() ? 1 : 0;
    if (readers > 1)
        throw error(where + " reads its input " + detail::tensor_name(net, in.front()) + " in " + std::to_string(readers) +
                    " layers; a tensor read by several layers goes through a split: cut before the split");
    // the tensors produced inside the range and read after it (or network outputs)
    const std::vector<int> net_outputs = net.outputs();
    std::vector<int> out;
    for (int i = first; i < last; ++i) {
        bool leaves = false;
        for (int j = last; j < n && !leaves; ++j)
            for (int src : net.layers[static_cast<std::size_t>(j)].inputs) leaves = leaves || src == i;
        for (int o : net_outputs) leaves = leaves || o == i;
        if (leaves) out.push_back(i);
    }
    if (out.size() != 1)
        throw error(where + " leaves " + std::to_string(out.size()) + " tensors to the layers after it (" +
                    detail::tensor_names(net, out) +
                    "); a partition built on its own gives exactly one output: cut where one tensor crosses");

    network p;
    p.name = name_t(name);
    p.input = net.shape_of(in.front());
    p.layers.reserve(static_cast<std::size_t>(last - first));
    for (int i = first; i < last; ++i) {
        layer l = net.layers[static_cast<std::size_t>(i)];
        for (int& src : l.inputs) src = src < first ? network_input : src - first;
        p.layers.push_back(std::move(l));
    }
    if (p.outputs().size() != 1)
        throw error(where + ": its output " + detail::tensor_name(net, out.front()) +
                    " is also read inside the partition; cut after the layers that read it");
    return p;
}

} // namespace hass
