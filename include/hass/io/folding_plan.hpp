// The partitions and batch of a design, kept in its folding file next to the
// per-layer factors, so that `hass eval`, `hass emit-hls` and the library see
// the design `hass search` chose, cuts included:
//
//   {"layers": [...],
//    "partitions": [{"first": "conv1", "last": "layer2.1.add"},
//                   {"first": "layer3.0.conv1", "last": "fc"}],
//    "batch": 256}
//
// Each partition names its first and last layer; together they cover the
// network's layers in order, without gaps. A file without "partitions" is one
// partition; without "batch" it leaves the batch to the reader (256 in the CLI).
// A network file with its folding inline (emit-hls's design.json) carries them
// the same way (io::network_file::plan).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hass/io/json/fields.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

/// What a folding file says beyond the factors.
struct folding_plan {
    std::vector<int> cuts;       ///< each cut starts a new partition (empty: one partition)
    bool has_partitions = false; ///< the file has a "partitions" field
    count_t batch = 0;           ///< the file's batch (0: none given)
};

/// Reads "partitions" and "batch" of a folding file (object form); an array-form
/// file has neither. Throws hass::error naming the field and the problem.
inline folding_plan read_folding_plan(const json& j, const network& net, std::string_view source) {
    folding_plan plan;
    if (!j.is_object()) return plan;
    const detail::scope top{std::string(source)};
    if (detail::find(j, "batch")) plan.batch = detail::get_integer(j, "batch", top, 1);
    const json* parts = detail::find(j, "partitions");
    if (!parts) return plan;
    if (!parts->is_array() || parts->empty())
        top.fail_field("partitions", "expected a non-empty array of {\"first\": LAYER, \"last\": LAYER}, got " +
                                         detail::describe(*parts));
    plan.has_partitions = true;
    int next = 0; // the layer the next partition must start at
    for (std::size_t k = 0; k < parts->size(); ++k) {
        const json& p = (*parts)[k];
        const std::string field = "partitions[" + std::to_string(k) + "]";
        const detail::scope s{top.where, field + "."};
        if (!p.is_object()) top.fail_field(field, "expected {\"first\": LAYER, \"last\": LAYER}, got " + detail::describe(p));
        detail::check_keys(p, {"first", "last"}, top, "a partition", field + ".");
        auto layer_index = [&](std::string_view key) {
            const std::string name = detail::get_string(p, key, s);
            const int idx = net.find(name);
            if (idx < 0) s.fail_field(key, "unknown layer '" + name + "' (not in network '" + net.name.str() + "')");
            return idx;
        };
        const int first = layer_index("first"), last = layer_index("last");
        if (first != next)
            s.fail_field("first", "partition " + std::to_string(k + 1) + " must start at layer '" +
                                      net.layers[static_cast<std::size_t>(next)].name.str() + "' (#" +
                                      std::to_string(next) + "), where " +
                                      (k == 0 ? std::string("the network starts") : "partition " + std::to_string(k) + " ends") +
                                      "; partitions cover the layers in order without gaps");
        if (last < first)
            s.fail_field("last", "layer '" + net.layers[static_cast<std::size_t>(last)].name.str() +
                                     "' comes before the partition's first layer");
        if (k > 0) plan.cuts.push_back(first);
        next = last + 1;
    }
    if (next != static_cast<int>(net.size()))
        top.fail_field("partitions", "the last partition ends at layer #" + std::to_string(next - 1) + " but network '" +
                                         net.name.str() + "' has " + std::to_string(net.size()) +
                                         " layers; partitions cover every layer");
    return plan;
}

/// Adds "partitions" (when there are cuts) and "batch" to a folding file written by write_folding.
inline void add_folding_plan(json& folding_file, const network& net, const std::vector<int>& cuts, count_t batch) {
    if (!cuts.empty()) {
        json parts = json::array();
        int start = 0;
        std::vector<int> ends = cuts;
        ends.push_back(static_cast<int>(net.size()));
        for (int end : ends) {
            if (end <= start || end > static_cast<int>(net.size()))
                throw hass::error("add_folding_plan: cuts must increase strictly inside the network's " +
                                  std::to_string(net.size()) + " layers");
            parts.push_back({{"first", net.layers[static_cast<std::size_t>(start)].name.str()},
                             {"last", net.layers[static_cast<std::size_t>(end - 1)].name.str()}});
            start = end;
        }
        folding_file["partitions"] = std::move(parts);
    }
    if (batch > 0) folding_file["batch"] = batch;
}

} // namespace hass::io
