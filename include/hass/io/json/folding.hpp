// Folding files: reading a folding for a network (object or array form,
// validated), the layers a folding builds sparse and the rule that they have
// sparsity statistics, and writing a folding back (docs/formats.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hass/cost/weights.hpp"
#include "hass/io/json/fields.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/validity.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

// ============================================================================
// Folding
// ============================================================================

namespace detail {

/// One folding entry: {"coarse_in", "coarse_out", "coarse_group", "fine", "weights", "implementation"}
/// or {"coarse"}.
inline folding read_folding_entry(const json& j, const layer& l, const scope& s, bool allow_name) {
    if (!j.is_object()) s.fail("the folding entry must be a JSON object, got " + describe(j));
    std::vector<std::string_view> known{"coarse_in", "coarse_out", "coarse_group", "fine", "weights", "coarse",
                                        "implementation", "stream_weights"};
    if (allow_name) known.push_back("name");
    check_keys(j, known, s, "a folding entry");
    folding f;
    const bool weighted = l.has_weights();
    const json* coarse = find(j, "coarse");
    const json* ci = find(j, "coarse_in");
    const json* co = find(j, "coarse_out");
    if (coarse) {
        if (weighted)
            s.fail_field("coarse", with_article(to_string(l.type)) + " layer takes coarse_in and coarse_out, not coarse");
        if (ci || co) s.fail_field("coarse", "give either coarse or coarse_in/coarse_out, not both");
        f.coarse_in = f.coarse_out = as_integer(*coarse, s, "coarse", 1);
    } else {
        if (ci) f.coarse_in = as_integer(*ci, s, "coarse_in", 1);
        if (co) f.coarse_out = as_integer(*co, s, "coarse_out", 1);
        // a layer without weights has one coarse factor: one of the two names sets both
        if (!weighted && ci && !co) f.coarse_out = f.coarse_in;
        if (!weighted && co && !ci) f.coarse_in = f.coarse_out;
    }
    f.coarse_group = get_integer(j, "coarse_group", s, 1, 1);
    f.fine = get_integer(j, "fine", s, 1, 1);
    if (find(j, "weights") && !weighted)
        s.fail_field("weights", "only convolution and inner_product layers have weights");
    f.weights = get_choice<weight_storage>(j, "weights", s, weight_storage::bram,
                                           {{"bram", weight_storage::bram},
                                            {"uram", weight_storage::uram},
                                            {"off_chip", weight_storage::off_chip}});
    if (find(j, "implementation") && l.type != layer_type::convolution)
        s.fail_field("implementation", "only a convolution chooses between a sparse and a dense implementation");
    f.dense = get_choice<bool>(j, "implementation", s, false, {{"sparse", false}, {"dense", true}});
    if (const json* sw = find(j, "stream_weights")) {
        if (!weighted) s.fail_field("stream_weights", "only convolution and inner_product layers have weights");
        if (sw->is_string() && sw->get<std::string>() == "all")
            f.stream_weights = cost::all_blocks;
        else
            f.stream_weights = as_integer(*sw, s, "stream_weights", 0);
        if (f.weights == weight_storage::off_chip)
            s.fail_field("stream_weights", "\"weights\": \"off_chip\" already streams every block; give \"bram\" or \"uram\" with a block count");
    }
    return f;
}

} // namespace detail

/// hass::validate(net, folding) with messages that start with `source`.
inline void validate_design(const network& net, const std::vector<folding>& f, std::string_view source) {
    try {
        hass::validate(net, f);
    } catch (const hass::error& e) {
        throw hass::error(std::string(source) + ": " + e.what());
    }
}

/// Reads a folding file for `net` (after split insertion):
///   {"layers": {"conv1": {"coarse_in": 2, ...}, "relu1": {"coarse": 2}}}
/// or the array form {"layers": [{"name": "conv1", ...}]} (or just the array).
/// Layers not mentioned keep all factors 1. The result is validated.
inline std::vector<folding> read_folding(const json& j, const network& net, std::string_view source) {
    const detail::scope top{std::string(source)};
    std::vector<folding> out = unit_folding(net);
    const json* entries = &j;
    if (j.is_object()) {
        detail::check_keys(j, {"layers", "model", "partitions", "batch"}, top, "a folding file");
        entries = &detail::require(j, "layers", top);
    } else if (!j.is_array()) {
        top.fail("a folding file must be a JSON object {\"layers\": ...} or an array, got " + detail::describe(j));
    }
    std::vector<bool> seen(net.size(), false);
    // `base` is the file (object form) or "file: layers[k]" (array form)
    auto apply = [&](const std::string& name, const json& entry, const detail::scope& base, bool array_form) {
        const int idx = net.find(name);
        if (idx < 0) base.fail("unknown layer '" + name + "' (not in network '" + net.name.str() + "')");
        const auto i = static_cast<std::size_t>(idx);
        if (seen[i]) base.fail("layer '" + name + "' is given twice");
        seen[i] = true;
        const detail::scope at{base.where + (array_form ? " '" + name + "'" : ": layer '" + name + "'") +
                               " (network layer #" + std::to_string(idx) + ")"};
        out[i] = detail::read_folding_entry(entry, net.layers[i], at, array_form);
    };
    if (entries->is_object()) {
        for (const auto& item : entries->items()) apply(item.key(), item.value(), top, false);
    } else if (entries->is_array()) {
        for (std::size_t k = 0; k < entries->size(); ++k) {
            const json& e = (*entries)[k];
            const detail::scope s{top.where + ": layers[" + std::to_string(k) + "]"};
            if (!e.is_object()) s.fail("the folding entry must be a JSON object, got " + detail::describe(e));
            apply(detail::get_string(e, "name", s), e, s, true);
        }
    } else {
        top.fail_field("layers", "expected an object (layer name -> factors) or an array, got " +
                                     detail::describe(*entries));
    }
    validate_design(net, out, source);
    return out;
}

inline std::vector<folding> load_folding(const std::filesystem::path& path, const network& net) {
    return read_folding(load_json_file(path), net, path.string());
}

/// The layers a folding file builds sparse: the names of its entries with
/// "implementation": "sparse" (object or array form; nothing is validated).
/// A folding says sparse only where the layer has sparsity statistics, so a
/// caller checks them against the network before read_folding (which, without
/// statistics, reads the layer as dense and rejects a fine that does not
/// divide K).
inline std::vector<std::string> sparse_folding_layers(const json& j) {
    std::vector<std::string> out;
    const json* entries = j.is_object() && j.contains("layers") ? &j["layers"] : &j;
    auto visit = [&](const std::string& name, const json& e) {
        if (e.is_object() && e.contains("implementation") && e["implementation"] == "sparse") out.push_back(name);
    };
    if (entries->is_object()) {
        for (const auto& item : entries->items()) visit(item.key(), item.value());
    } else if (entries->is_array()) {
        for (const auto& e : *entries)
            if (e.is_object() && e.contains("name") && e["name"].is_string()) visit(e["name"].get<std::string>(), e);
    }
    return out;
}

/// The rule for a folding that says sparse: every layer it builds sparse
/// ("implementation": "sparse") must have sparsity statistics in `net`.
/// Returns the problems (one per layer, naming `source`); the caller fails on
/// them, or, asked to build such layers dense, prints them as warnings.
inline std::vector<std::string> sparse_without_statistics(const json& folding_json, const network& net,
                                                          std::string_view source) {
    std::vector<std::string> out;
    for (const std::string& name : sparse_folding_layers(folding_json)) {
        const int idx = net.find(name);
        if (idx < 0) continue; // read_folding names unknown layers
        const layer& l = net.layers[static_cast<std::size_t>(idx)];
        if (l.is_sparse()) continue;
        out.push_back(std::string(source) + ": layer '" + name + "' says \"implementation\": \"sparse\" but " +
                      (l.sparsity.active() ? std::string("its statistics are too dense to build it sparse")
                                           : std::string("the network has no sparsity statistics for it")) +
                      ": give the statistics (--stats FILE, or the co-search's output directory with --cosearch "
                      "DIR), or --allow-dense to build it dense");
    }
    return out;
}

/// Writes a folding in the array form read_folding accepts (every layer, in order).
inline json write_folding(const network& net, const std::vector<folding>& f) {
    if (f.size() != net.size())
        throw hass::error("write_folding: the folding has " + std::to_string(f.size()) + " entries but network '" +
                          net.name.str() + "' has " + std::to_string(net.size()) + " layers");
    json layers = json::array();
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        json e;
        e["name"] = l.name.str();
        if (l.has_weights()) {
            e["coarse_in"] = f[i].coarse_in;
            e["coarse_out"] = f[i].coarse_out;
            if (l.type == layer_type::convolution) {
                e["coarse_group"] = f[i].coarse_group;
                e["fine"] = f[i].fine;
            }
            e["weights"] = std::string(to_string(f[i].weights));
            if (f[i].stream_weights != 0)
                e["stream_weights"] = f[i].stream_weights == cost::all_blocks ? json("all") : json(f[i].stream_weights);
            if (l.is_sparse()) e["implementation"] = f[i].dense ? "dense" : "sparse";
        } else {
            e["coarse"] = f[i].coarse_in;
        }
        layers.push_back(std::move(e));
    }
    return json{{"model", net.name.str()}, {"layers", std::move(layers)}};
}

} // namespace hass::io
