// fpgaConvNet design files (the config.json that fpgaconvnet-optimiser writes
// and fpgaconvnet-hls reads), in and out (docs/formats.md, "fpgaConvNet
// design files").
//
//   auto d = hass::io::load_fpgaconvnet_config("config.json");
//   auto r = hass::evaluate_partitions<hass::cost::fpgaconvnet>(d.net, d.folding, board, d.cuts, d.options());
//   json out = hass::io::write_fpgaconvnet_config(net, folding, cuts, batch);
//
// Reading builds one hass network from every partition: the layers in file
// order, edges from `streams_in`, the squeezes dropped (hass inserts them
// again where streams differ, as the reference's Partition.update does),
// splits kept. Partition p > 0 connects to the earlier partitions through the
// ONNX tensor names of its input_nodes (each listed for the input layers in
// name order) and their output_nodes. The stream flags, which the reference
// pairs by sorted layer names, become hass's per-port bits. Needs
// nlohmann-json; not part of <hass/hass.hpp>.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/io/json.hpp"
#include "hass/io/reference_records.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

/// A design read from an fpgaConvNet config.
struct fpgaconvnet_design {
    network net;
    std::vector<hass::folding> folding;
    std::vector<int> cuts;      ///< first layer of every partition after the first
    count_t batch = 256;
    struct reload {
        int layer = -1;
        count_t factor = 1;
    };
    std::vector<reload> reloading; ///< per partition
    std::vector<std::string> partition_inputs, partition_outputs; ///< ONNX tensor names, all partitions

    /// The evaluation options of partition `p` (batch, weights reloading, a cap).
    evaluation_options options(std::size_t p = 0, const utilisation_cap& cap = {}) const {
        evaluation_options o;
        o.cap = cap;
        o.batch = batch;
        if (p < reloading.size()) {
            o.reload_layer = reloading[p].layer;
            o.reload_factor = reloading[p].factor;
        }
        return o;
    }
};

namespace detail {

struct config_layer {
    std::string name;
    std::string type;
    std::string op_type;
    std::vector<std::string> preds; ///< producers named in streams_in (not itself)
    const json* params = nullptr;
    std::size_t partition = 0;
    std::size_t index = 0; ///< position in the partition's layer list
};

inline const std::vector<std::string_view>& config_layer_keys() {
    static const std::vector<std::string_view> k{"name", "onnx_node", "type", "op_type", "streams_in", "streams_out",
                                                 "parameters", "weights_path", "bias_path"};
    return k;
}

inline const std::vector<std::string_view>& config_parameter_keys() {
    static const std::vector<std::string_view> k{
        "batch_size", "rows_in", "cols_in", "channels_in", "rows_out", "cols_out", "channels_out", "coarse_in",
        "coarse_out", "coarse", "coarse_group", "groups", "fine", "filters", "pad_top", "pad_right", "pad_bottom",
        "pad_left", "kernel_rows", "kernel_cols", "kernel_size", "stride_rows", "stride_cols", "stride", "mem_bw_in",
        "mem_bw_out", "mem_bw_in_array", "mem_bw_out_array", "data_t", "weight_t", "acc_t", "input_t", "output_t",
        "has_bias", "use_uram", "block_floating_point", "on_chip_addr_range", "off_chip_buffer_size",
        "off_chip_interval", "stream_weights", "stream_inputs", "stream_outputs", "input_compression_ratio",
        "output_compression_ratio", "weight_compression_ratio", "ports_in", "ports_out", "sparsity",
        "skip_all_zero_window", "clusters", "threshold", "channels_in_array", "rows_in_array", "cols_in_array",
        "rows_out_array", "cols_out_array", "channels_out_array", "broadcast", "split", "scale", "shift", "scale_t",
        "shift_t", "depth_in", "depth_out", "kernel_depth", "stride_depth", "pad_front", "pad_back"};
    return k;
}

inline std::vector<bool> read_flags(const json& p, std::string_view key, const scope& s) {
    std::vector<bool> out;
    const json* v = find(p, key);
    if (!v) return out;
    if (!v->is_array()) s.fail_field(key, "expected an array of booleans, got " + describe(*v));
    for (const auto& b : *v) {
        if (!b.is_boolean()) s.fail_field(key, "expected an array of booleans, got " + describe(*v));
        out.push_back(b.get<bool>());
    }
    return out;
}

/// The width of a fixed-point type field ({} or absent: the fallback).
inline count_t config_width(const json& p, std::string_view key, const scope& s, count_t fallback) {
    const json* v = find(p, key);
    if (!v || (v->is_object() && v->empty())) return fallback;
    return read_type_width(p, key, s, fallback);
}

} // namespace detail

/// Reads an fpgaConvNet config. Throws hass::error naming the partition, the
/// layer and the field for an unknown layer type, an unknown or missing field,
/// a dangling edge or a folding the reference would reject.
inline fpgaconvnet_design read_fpgaconvnet_config(const json& j, std::string_view source) {
    using namespace detail;
    const scope top{std::string(source)};
    require_object(j, top, "an fpgaConvNet design");
    check_keys(j, {"partition"}, top, "an fpgaConvNet design");
    const json& parts = require(j, "partition", top);
    if (!parts.is_array() || parts.empty()) top.fail_field("partition", "expected a non-empty array of partitions");

    fpgaconvnet_design d;
    std::vector<config_layer> layers;
    std::map<std::string, std::size_t> by_name;    // non-squeeze layers
    std::map<std::string, std::string> squeeze_of; // squeeze name -> its producer
    std::vector<std::vector<std::string>> part_inputs(parts.size()), part_outputs(parts.size());
    std::vector<std::string> reload_names(parts.size());
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const json& part = parts[p];
        const scope ps{std::string(source) + ": partition " + std::to_string(p)};
        require_object(part, ps, "a partition");
        check_keys(part, {"id", "ports", "batch_size", "input_nodes", "output_nodes", "weights_reloading_factor",
                          "weights_reloading_layer", "layers", "gen_last_width"},
                   ps, "a partition");
        if (p == 0) d.batch = get_integer(part, "batch_size", ps, 1, 256);
        fpgaconvnet_design::reload rl;
        rl.factor = get_integer(part, "weights_reloading_factor", ps, 1);
        reload_names[p] = get_string(part, "weights_reloading_layer", ps);
        d.reloading.push_back(rl);
        for (const char* key : {"input_nodes", "output_nodes"}) {
            if (const json* v = find(part, key)) {
                if (!v->is_array()) ps.fail_field(key, "expected an array of tensor names");
                for (const auto& t : *v) {
                    if (!t.is_string()) ps.fail_field(key, "expected an array of tensor names");
                    (std::string_view(key) == "input_nodes" ? part_inputs[p] : part_outputs[p]).push_back(t.get<std::string>());
                }
            }
        }
        const json& ls = require(part, "layers", ps);
        if (!ls.is_array() || ls.empty()) ps.fail_field("layers", "expected a non-empty array of layers");
        for (std::size_t k = 0; k < ls.size(); ++k) {
            const json& l = ls[k];
            const scope s0{ps.where + ": layers[" + std::to_string(k) + "]"};
            require_object(l, s0, "a layer");
            config_layer c;
            c.name = get_string(l, "name", s0);
            const scope s{ps.where + ": layer '" + c.name + "'"};
            check_keys(l, config_layer_keys(), s, "a layer");
            c.type = get_string(l, "type", s);
            c.op_type = get_string(l, "op_type", s, "");
            c.partition = p;
            c.index = k;
            const json& params = require(l, "parameters", s);
            require_object(params, s, "field 'parameters'");
            check_keys(params, config_parameter_keys(), s, "layer parameters", "parameters.");
            c.params = &params;
            const json& ins = require(l, "streams_in", s);
            if (!ins.is_array()) s.fail_field("streams_in", "expected an array of streams");
            for (const auto& st : ins) {
                if (!st.is_object()) s.fail_field("streams_in", "expected stream objects");
                const std::string node = get_string(st, "node", s.nested("streams_in"));
                if (node != c.name) c.preds.push_back(node);
            }
            if (c.type == "SQUEEZE") {
                if (c.preds.size() != 1) s.fail_field("streams_in", "a squeeze has exactly one producer");
                squeeze_of[c.name] = c.preds.front();
                continue;
            }
            if (by_name.count(c.name)) s.fail("two layers have this name");
            by_name[c.name] = layers.size();
            layers.push_back(c);
        }
    }
    // resolve producers through squeezes
    auto producer = [&](std::string name, const scope& s) {
        for (int hop = 0; hop < 64 && squeeze_of.count(name); ++hop) name = squeeze_of[name];
        if (!by_name.count(name)) s.fail_field("streams_in", "names '" + name + "', which is not a layer of the design");
        return name;
    };
    // the input layers of each partition: layers with fewer producers inside than ports
    auto ports_of = [&](const config_layer& c) -> count_t {
        if (c.type == "ELTWISE" || c.type == "CONCAT") {
            const json* v = find(*c.params, "ports_in");
            return v && v->is_number_integer() ? v->get<count_t>() : 2;
        }
        return 1;
    };

    network& net = d.net;
    net.name = "fpgaconvnet";
    std::map<std::string, int> index_of;
    std::vector<std::vector<std::string>> hass_preds(layers.size());
    // every layer's producers, through squeezes (each checked in its own layer's scope)
    std::vector<std::vector<std::string>> resolved(layers.size());
    for (std::size_t k = 0; k < layers.size(); ++k) {
        const config_layer& c = layers[k];
        const scope s{std::string(source) + ": partition " + std::to_string(c.partition) + ": layer '" + c.name + "'"};
        for (const auto& pr : c.preds) resolved[k].push_back(producer(pr, s));
    }
    // cross-partition edges: partition p's input layers (sorted by name) read
    // input_nodes in order; earlier partitions' output layers (sorted) write output_nodes
    std::map<std::string, std::string> tensor_producer;
    std::vector<std::vector<std::string>> outputs_sorted(parts.size());
    for (std::size_t p = 0; p < parts.size(); ++p) {
        std::vector<std::string> inputs_sorted;
        for (const auto& c : layers) {
            if (c.partition != p) continue;
            const scope s{std::string(source) + ": partition " + std::to_string(p) + ": layer '" + c.name + "'"};
            const std::vector<std::string>& inside = resolved[by_name[c.name]];
            hass_preds[by_name[c.name]] = inside;
            if (inside.empty() || static_cast<count_t>(inside.size()) < ports_of(c)) inputs_sorted.push_back(c.name);
            bool consumed = false;
            for (std::size_t m = 0; m < layers.size(); ++m)
                if (layers[m].partition == p)
                    for (const auto& pr : resolved[m])
                        if (pr == c.name) consumed = true;
            const bool split_short = c.type == "SPLIT" && [&] {
                const json* v = find(*c.params, "ports_out");
                count_t used = 0;
                for (std::size_t m = 0; m < layers.size(); ++m)
                    if (layers[m].partition == p)
                        for (const auto& pr : resolved[m])
                            if (pr == c.name) ++used;
                return v && v->is_number_integer() && v->get<count_t>() > used;
            }();
            if (!consumed || split_short) outputs_sorted[p].push_back(c.name);
        }
        std::sort(inputs_sorted.begin(), inputs_sorted.end());
        std::sort(outputs_sorted[p].begin(), outputs_sorted[p].end());
        if (p > 0) {
            for (std::size_t i = 0; i < inputs_sorted.size() && i < part_inputs[p].size(); ++i) {
                const auto it = tensor_producer.find(part_inputs[p][i]);
                if (it == tensor_producer.end()) continue;
                auto& preds = hass_preds[by_name[inputs_sorted[i]]];
                if (std::find(preds.begin(), preds.end(), it->second) == preds.end()) preds.push_back(it->second);
            }
        }
        for (std::size_t i = 0; i < outputs_sorted[p].size() && i < part_outputs[p].size(); ++i)
            tensor_producer[part_outputs[p][i]] = outputs_sorted[p][i];
        if (p > 0) d.cuts.push_back(static_cast<int>(std::count_if(layers.begin(), layers.end(),
                                                                   [&](const config_layer& c) { return c.partition < p; })));
    }

    d.folding.reserve(layers.size());
    for (std::size_t k = 0; k < layers.size(); ++k) {
        const config_layer& c = layers[k];
        const json& p = *c.params;
        const scope s{std::string(source) + ": partition " + std::to_string(c.partition) + ": layer '" + c.name + "'"};
        const scope ps = s.nested("parameters");
        layer l;
        folding f;
        l.name = c.name;
        l.in = {get_integer(p, "rows_in", ps, 1), get_integer(p, "cols_in", ps, 1), get_integer(p, "channels_in", ps, 1)};
        for (const auto& pr : hass_preds[k]) {
            const auto it = index_of.find(pr);
            if (it == index_of.end())
                s.fail_field("streams_in", "reads '" + pr + "', which comes later in the file (layers must be in topological order)");
            l.inputs.push_back(it->second);
        }
        if (l.inputs.empty()) l.inputs.push_back(network_input);
        auto data_width = [&] { l.width.data = l.width.output = config_width(p, "data_t", ps, 16); };
        auto single_coarse = [&] {
            f.coarse_in = f.coarse_out = get_integer(p, "coarse", ps, 1, get_integer(p, "coarse_in", ps, 1, 1));
        };
        const std::string& t = c.type;
        if (t == "CONVOLUTION" || t == "INNER_PRODUCT") {
            const bool fc = t == "INNER_PRODUCT";
            l.type = fc ? layer_type::inner_product : layer_type::convolution;
            const count_t filters = get_integer(p, "channels_out", ps, 1, get_integer(p, "filters", ps, 1, 1));
            l.width.data = config_width(p, "input_t", ps, 16);
            l.width.output = config_width(p, "output_t", ps, 16);
            l.width.weight = config_width(p, "weight_t", ps, 16);
            l.width.acc = config_width(p, "acc_t", ps, 32);
            l.bias = read_flag(p, "has_bias", ps, false);
            l.block_floating_point = read_flag(p, "block_floating_point", ps, false);
            f.coarse_in = get_integer(p, "coarse_in", ps, 1, 1);
            f.coarse_out = get_integer(p, "coarse_out", ps, 1, 1);
            if (read_flag(p, "use_uram", ps, false)) f.weights = weight_storage::uram;
            f.stream_weights = get_integer(p, "stream_weights", ps, 0, 0);
            if (fc) {
                l.out = {1, 1, filters};
            } else {
                if (c.op_type.empty())
                    s.fail_field("op_type", "a CONVOLUTION needs op_type \"dense\", \"sparse\" or \"pointwise_sparse\"");
                if (c.op_type != "dense" && c.op_type != "sparse" && c.op_type != "pointwise_sparse")
                    s.fail_field("op_type", "unknown convolution op_type \"" + c.op_type + "\"");
                const bool pw = c.op_type == "pointwise_sparse";
                l.kernel_rows = pw ? 1 : get_integer(p, "kernel_rows", ps, 1);
                l.kernel_cols = pw ? 1 : get_integer(p, "kernel_cols", ps, 1);
                l.stride_rows = get_integer(p, "stride_rows", ps, 1, 1);
                l.stride_cols = get_integer(p, "stride_cols", ps, 1, 1);
                l.pad_top = get_integer(p, "pad_top", ps, 0, 0);
                l.pad_right = get_integer(p, "pad_right", ps, 0, 0);
                l.pad_bottom = get_integer(p, "pad_bottom", ps, 0, 0);
                l.pad_left = get_integer(p, "pad_left", ps, 0, 0);
                l.groups = get_integer(p, "groups", ps, 1, 1);
                f.coarse_group = get_integer(p, "coarse_group", ps, 1, 1);
                f.fine = pw ? get_integer(p, "fine", ps, 1, 1) : get_integer(p, "fine", ps, 1);
                if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
                    s.fail_field("parameters.kernel_rows", "the kernel is larger than the padded input");
                l.out = {(l.padded_rows() - l.kernel_rows) / l.stride_rows + 1,
                         (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1, filters};
                if (c.op_type != "dense") {
                    const json& sp = require(p, "sparsity", ps);
                    std::vector<double> v = read_numbers(sp, ps, "sparsity");
                    if (pw) {
                        if (static_cast<count_t>(v.size()) != l.in.channels)
                            ps.fail_field("sparsity", "has " + std::to_string(v.size()) + " values but the layer has " +
                                                          std::to_string(l.in.channels) + " channels");
                        std::vector<double> h;
                        for (double x : v) {
                            h.push_back(1.0 - x);
                            h.push_back(x);
                        }
                        l.sparsity = make_sparsity_stats(l.in.channels, 1, std::move(h), s.where);
                        for (std::size_t ch = 0; ch < v.size(); ++ch) l.sparsity.histogram[2 * ch + 1] = v[ch];
                        l.sparsity.model = sparse_model::pointwise;
                        l.sparsity.clusters = get_integer(p, "clusters", ps, 1, 1);
                    } else {
                        l.sparsity = make_sparsity_stats(l.in.channels, l.kernel_size(), std::move(v), s.where + ": field 'parameters.sparsity'");
                        l.sparsity.skip_all_zero = read_flag(p, "skip_all_zero_window", ps, true);
                        l.sparsity.model = sparse_model::window;
                    }
                    l.sparsity.always_sparse = true;
                    l.sparsity.prepare();
                }
            }
        } else if (t == "POOLING") {
            l.type = layer_type::pooling;
            l.pool = c.op_type == "avg" ? pool_op::avg : pool_op::max;
            l.kernel_rows = get_integer(p, "kernel_rows", ps, 1);
            l.kernel_cols = get_integer(p, "kernel_cols", ps, 1);
            l.stride_rows = get_integer(p, "stride_rows", ps, 1, 1);
            l.stride_cols = get_integer(p, "stride_cols", ps, 1, 1);
            l.pad_top = get_integer(p, "pad_top", ps, 0, 0);
            l.pad_right = get_integer(p, "pad_right", ps, 0, 0);
            l.pad_bottom = get_integer(p, "pad_bottom", ps, 0, 0);
            l.pad_left = get_integer(p, "pad_left", ps, 0, 0);
            if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
                s.fail_field("parameters.kernel_rows", "the kernel is larger than the padded input");
            l.out = {(l.padded_rows() - l.kernel_rows) / l.stride_rows + 1,
                     (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1, l.in.channels};
            data_width();
            single_coarse();
        } else if (t == "AVERAGE_POOLING") {
            l.type = layer_type::global_pooling;
            l.pool = pool_op::avg;
            l.out = {1, 1, l.in.channels};
            data_width();
            l.width.acc = config_width(p, "acc_t", ps, 32);
            single_coarse();
        } else if (t == "RELU" || t == "THRESHOLDEDRELU" || t == "HARD_SWISH" || t == "HARD_SIGMOID" || t == "SIGMOID") {
            l.type = t == "RELU"              ? layer_type::relu
                     : t == "THRESHOLDEDRELU" ? layer_type::thresholded_relu
                     : t == "HARD_SWISH"      ? layer_type::hardswish
                     : t == "HARD_SIGMOID"    ? layer_type::hardsigmoid
                                              : layer_type::sigmoid;
            if (l.type == layer_type::thresholded_relu) l.threshold = get_number(p, "threshold", ps, 0.0);
            l.out = l.in;
            if (l.type == layer_type::hardswish)
                l.width.data = l.width.output = config_width(p, "input_t", ps, config_width(p, "data_t", ps, 16));
            else
                data_width();
            single_coarse();
        } else if (t == "ELTWISE") {
            l.type = layer_type::eltwise;
            if (c.op_type.empty()) s.fail_field("op_type", "an ELTWISE needs op_type \"add\" or \"mul\"");
            if (c.op_type != "add" && c.op_type != "mul") s.fail_field("op_type", "unknown eltwise op_type \"" + c.op_type + "\"");
            l.op = c.op_type == "add" ? eltwise_op::add : eltwise_op::mul;
            // fpgaConvNet's proto has no broadcast flag: an input of one pixel per
            // channel on a larger map is broadcast (squeeze-excitation)
            l.broadcast = read_flag(p, "broadcast", ps, false);
            if (l.in.rows * l.in.cols > 1)
                for (const auto& pr : hass_preds[k]) {
                    const auto it = index_of.find(pr);
                    if (it == index_of.end()) continue;
                    const tensor_shape sh = net.layers[static_cast<std::size_t>(it->second)].out;
                    if (sh.rows == 1 && sh.cols == 1 && sh.channels == l.in.channels) l.broadcast = true;
                }
            l.out = l.in;
            data_width();
            l.width.acc = config_width(p, "acc_t", ps, 32);
            single_coarse();
        } else if (t == "CONCAT") {
            l.type = layer_type::concat;
            count_t channels = 0;
            if (const json* arr = find(p, "channels_in_array"); arr && arr->is_array())
                for (const auto& x : *arr) channels += x.get<count_t>();
            else
                channels = get_integer(p, "channels_out", ps, 1);
            l.out = {l.in.rows, l.in.cols, channels};
            data_width();
            single_coarse();
        } else if (t == "SPLIT") {
            l.type = layer_type::split;
            l.out = l.in;
            l.fan_out = get_integer(p, "ports_out", ps, 1, 2);
            data_width();
            single_coarse();
        } else {
            s.fail_field("type", "unsupported layer type '" + t +
                                     "' (supported: CONVOLUTION, INNER_PRODUCT, POOLING, AVERAGE_POOLING, RELU, "
                                     "THRESHOLDEDRELU, HARD_SWISH, HARD_SIGMOID, SIGMOID, ELTWISE, CONCAT, SPLIT, SQUEEZE)");
        }
        // stream flags: the reference pairs input i with the i-th producer by sorted name
        const std::vector<bool> si = read_flags(p, "stream_inputs", ps), so = read_flags(p, "stream_outputs", ps);
        std::vector<std::string> sorted_preds = hass_preds[k];
        std::sort(sorted_preds.begin(), sorted_preds.end());
        for (std::size_t i = 0; i < si.size() && i < sorted_preds.size(); ++i)
            if (si[i]) {
                const auto pos = std::find(hass_preds[k].begin(), hass_preds[k].end(), sorted_preds[i]) - hass_preds[k].begin();
                f.streamed_inputs |= 1u << pos;
            }
        if (!so.empty()) {
            std::vector<std::string> succ; // consumers in layer order
            for (std::size_t m = k + 1; m < layers.size(); ++m)
                if (std::find(hass_preds[m].begin(), hass_preds[m].end(), c.name) != hass_preds[m].end())
                    succ.push_back(layers[m].name);
            std::vector<std::string> sorted_succ = succ;
            std::sort(sorted_succ.begin(), sorted_succ.end());
            for (std::size_t q = 0; q < so.size() && q < sorted_succ.size(); ++q)
                if (so[q]) {
                    const auto pos = std::find(succ.begin(), succ.end(), sorted_succ[q]) - succ.begin();
                    f.streamed_outputs |= 1u << pos;
                }
        }
        if (auto problem = layer_problem(l); !problem.empty()) s.fail(strip_layer_prefix(problem, l.name));
        if (auto problem = folding_problem(l, f); !problem.empty()) s.fail(strip_layer_prefix(problem, l.name));
        index_of[c.name] = static_cast<int>(net.layers.size());
        if (reload_names[c.partition] == c.name) d.reloading[c.partition].layer = static_cast<int>(net.layers.size());
        net.layers.push_back(std::move(l));
        d.folding.push_back(f);
    }
    // the network input: the first layer that reads from outside
    net.input = net.layers.front().in;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        for (const auto& t : part_inputs[p]) d.partition_inputs.push_back(t);
        for (const auto& t : part_outputs[p]) d.partition_outputs.push_back(t);
    }
    // splits' fan-out must match their consumers
    std::vector<count_t> readers(net.layers.size(), 0);
    for (const auto& l : net.layers)
        for (int src : l.inputs)
            if (src >= 0) ++readers[static_cast<std::size_t>(src)];
    for (std::size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].type == layer_type::split && readers[i] > 0) net.layers[i].fan_out = readers[i];
    return d;
}

inline fpgaconvnet_design load_fpgaconvnet_config(const std::filesystem::path& path) {
    return read_fpgaconvnet_config(load_json_file(path), path.string());
}

/// Evaluates a design file as fpgaConvNet does (under the reference cost model
/// by default): every partition at the file's batch with its weights
/// reloading, on a board, under a utilisation cap.
template <cost::cost_model Cost = cost::fpgaconvnet>
inline partitioned_report evaluate_fpgaconvnet_design(const fpgaconvnet_design& d, const board& b,
                                                      const utilisation_cap& cap = {}, bool bram_to_lut = true) {
    validate(d.net, d.folding);
    partitioned_report out;
    out.reconf_time_s = b.reconf_time_s;
    out.reconfigure_first = Cost::rules.reconfigure_first_partition;
    int start = 0;
    std::vector<int> ends = d.cuts;
    ends.push_back(static_cast<int>(d.net.size()));
    for (std::size_t k = 0; k < ends.size(); ++k) {
        evaluation_options o = d.options(k, cap);
        o.bram_to_lut = bram_to_lut;
        out.partitions.push_back(evaluate_partition<Cost>(d.net, d.folding, b, start, ends[k], o));
        start = ends[k];
    }
    return out;
}

namespace detail {

inline json fixed_type(count_t width, count_t binary_point) { return {{"width", width}, {"binary_point", binary_point}}; }

inline std::string tensor_of(const network& net, int t) {
    return t == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(t)].name.str() + "_output";
}

} // namespace detail

/// Writes a design as an fpgaConvNet config: one partition per range of
/// layers (cuts start new partitions), the squeezes the evaluation inserts
/// written as SQUEEZE layers, eltwise input FIFO depths as buffer_depth.
/// read_fpgaconvnet_config reads it back to the same design; the field names
/// and types follow fpgaConvNet's proto (docs/formats.md). Layers hass has but
/// the reference does not (ReLU6 is written as RELU, as fpgaConvNet's parser
/// does with Clip) keep their numbers only in hass.
template <cost::cost_model Cost = cost::hass>
inline json write_fpgaconvnet_config(const network& net, const std::vector<folding>& f, const std::vector<int>& cuts,
                                     const board& b, count_t batch = 256) {
    validate(net, f);
    evaluation_options eo;
    eo.batch = batch;
    const partitioned_report pr = evaluate_partitions<Cost>(net, f, b, cuts, eo);
    json parts = json::array();
    for (std::size_t pi = 0; pi < pr.partitions.size(); ++pi) {
        const design_report& r = pr.partitions[pi];
        const int first = r.first, last = r.last;
        // consumers inside the partition, and the squeeze (if any) on each edge
        auto squeeze_on = [&](int src, int dst) -> const squeeze_link* {
            for (const auto& q : r.squeezes)
                if (q.producer == src && q.consumer == dst) return &q;
            return nullptr;
        };
        std::vector<std::vector<int>> consumers(static_cast<std::size_t>(last - first));
        for (int i = first; i < last; ++i)
            for (int src : net.layers[static_cast<std::size_t>(i)].inputs)
                if (src >= first) consumers[static_cast<std::size_t>(src - first)].push_back(i);
        json layers = json::array();
        std::vector<std::string> inputs, outputs;
        auto name_of = [&](int i) { return net.layers[static_cast<std::size_t>(i)].name.str(); };
        auto stream = [](const std::string& from, const std::string& to, count_t coarse, std::string node, bool in,
                         count_t depth) {
            json st{{"name", from + "_" + to}, {"coarse", coarse}};
            if (in) st["buffer_depth"] = depth;
            st["node"] = std::move(node);
            return st;
        };
        for (int i = first; i < last; ++i) {
            const layer& l = net.layers[static_cast<std::size_t>(i)];
            const folding& fi = f[static_cast<std::size_t>(i)];
            const layer_performance& lp = r.layers[static_cast<std::size_t>(i - first)];
            const std::string name = l.name.str();
            // squeezes feeding this layer come first
            for (int src : l.inputs) {
                if (src < first) continue;
                if (const squeeze_link* q = squeeze_on(src, i)) {
                    const std::string sq = q->name.str();
                    const tensor_shape sh = net.shape_of(src);
                    json params{{"batch_size", batch},
                                {"rows_in", sh.rows},
                                {"cols_in", sh.cols},
                                {"channels_in", sh.channels},
                                {"rows_out", sh.rows},
                                {"cols_out", sh.cols},
                                {"channels_out", sh.channels},
                                {"coarse_in", q->streams_from},
                                {"coarse_out", q->streams_to},
                                {"mem_bw_in", 100.0},
                                {"mem_bw_out", 100.0},
                                {"data_t", detail::fixed_type(net.layers[static_cast<std::size_t>(src)].width.output, 8)},
                                {"stream_inputs", {false}},
                                {"stream_outputs", {false}},
                                {"input_compression_ratio", {1.0}},
                                {"output_compression_ratio", {1.0}}};
                    layers.push_back({{"name", sq},
                                      {"onnx_node", name_of(src)},
                                      {"type", "SQUEEZE"},
                                      {"streams_in", {stream(name_of(src), sq, q->streams_from, name_of(src), true, 2)}},
                                      {"streams_out", {stream(sq, name, q->streams_to, name, false, 0)}},
                                      {"parameters", std::move(params)}});
                }
            }
            json sin = json::array();
            bool external = false;
            for (std::size_t p = 0; p < l.inputs.size(); ++p) {
                const int src = l.inputs[p];
                const count_t depth = p < lp.fifo_depths.size() ? lp.fifo_depths[p] : 2;
                if (src < first) {
                    external = true;
                    continue;
                }
                const squeeze_link* q = squeeze_on(src, i);
                const std::string from = q ? q->name.str() : name_of(src);
                sin.push_back(stream(from, name, streams_in(l, fi), from, true, depth));
            }
            if (sin.empty()) sin.push_back(json{{"name", "in"}, {"coarse", streams_in(l, fi)}, {"buffer_depth", 2}, {"node", name}});
            if (external) inputs.push_back(name);
            json sout = json::array();
            for (int c : consumers[static_cast<std::size_t>(i - first)]) {
                const squeeze_link* q = squeeze_on(i, c);
                const std::string to = q ? q->name.str() : name_of(c);
                sout.push_back(stream(name, to, streams_out(l, fi), to, false, 0));
            }
            bool read_later = false;
            for (std::size_t j = static_cast<std::size_t>(last); j < net.size(); ++j)
                for (int src : net.layers[j].inputs) read_later = read_later || src == i;
            if (sout.empty() || read_later) {
                sout.push_back(json{{"name", "out"}, {"coarse", streams_out(l, fi)}, {"node", name}});
                outputs.push_back(name);
            }
            json p{{"batch_size", batch},
                   {"rows_in", l.in.rows},
                   {"cols_in", l.in.cols},
                   {"channels_in", l.in.channels},
                   {"rows_out", l.out.rows},
                   {"cols_out", l.out.cols},
                   {"channels_out", l.out.channels}};
            std::string type, op_type;
            const count_t ports_in = l.type == layer_type::eltwise || l.type == layer_type::concat
                                         ? static_cast<count_t>(l.inputs.size())
                                         : 1;
            const count_t ports_out = l.type == layer_type::split ? l.fan_out : 1;
            auto common = [&] {
                p["mem_bw_in"] = 100.0;
                p["mem_bw_out"] = 100.0;
            };
            auto flags = [&] {
                // the file indexes the flags by producer (consumer) name in sorted
                // order; hass's bits follow the input (consumer layer) order
                auto in_file_order = [](const std::vector<std::string>& names, std::uint32_t bits, count_t ports) {
                    std::vector<std::string> sorted = names;
                    std::sort(sorted.begin(), sorted.end());
                    json out = json::array();
                    for (count_t k = 0; k < ports; ++k) {
                        auto pos = static_cast<std::size_t>(k);
                        if (pos < sorted.size())
                            pos = static_cast<std::size_t>(std::find(names.begin(), names.end(), sorted[pos]) -
                                                           names.begin());
                        out.push_back(((bits >> pos) & 1u) != 0);
                    }
                    return out;
                };
                std::vector<std::string> producers, users;
                for (int src : l.inputs) producers.push_back(src == network_input ? std::string() : name_of(src));
                for (std::size_t j = static_cast<std::size_t>(i) + 1; j < net.size(); ++j)
                    for (int src : net.layers[j].inputs)
                        if (src == i) users.push_back(name_of(static_cast<int>(j)));
                const json si = in_file_order(producers, fi.streamed_inputs, ports_in);
                const json so = in_file_order(users, fi.streamed_outputs, ports_out);
                p["stream_inputs"] = si;
                p["stream_outputs"] = so;
                p["input_compression_ratio"] = json::array();
                for (count_t k = 0; k < ports_in; ++k) p["input_compression_ratio"].push_back(1.0);
                p["output_compression_ratio"] = json::array();
                for (count_t k = 0; k < ports_out; ++k) p["output_compression_ratio"].push_back(1.0);
            };
            auto single = [&] {
                p["coarse_in"] = fi.coarse_in;
                p["coarse_out"] = fi.coarse_in;
                p["coarse"] = fi.coarse_in;
            };
            auto weights_fields = [&] {
                p["input_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                p["output_t"] = detail::fixed_type(l.width.output, l.width.output / 2);
                p["weight_t"] = detail::fixed_type(l.width.weight, l.width.weight / 2);
                p["acc_t"] = detail::fixed_type(l.width.acc, l.width.acc / 2);
                p["data_t"] = json::object();
                p["has_bias"] = l.hardware_bias() ? 1 : 0;
                p["use_uram"] = fi.weights == weight_storage::uram;
                p["block_floating_point"] = l.block_floating_point;
                const cost::weight_plan& wp = lp.weight_plan;
                p["on_chip_addr_range"] = static_cast<count_t>(wp.addresses_on);
                p["off_chip_buffer_size"] = wp.streamed > 0 ? wp.row_depth : 0;
                p["off_chip_interval"] = wp.streamed > 0
                                             ? ceil_to_count(wp.addresses_on /
                                                             (static_cast<double>(wp.streamed) / static_cast<double>(wp.unit)))
                                             : -1;
                p["stream_weights"] = wp.streamed;
            };
            switch (l.type) {
            case layer_type::convolution: {
                type = "CONVOLUTION";
                const bool sparse = implemented_sparse(l, fi);
                // the fpgaConvNet class whose model is the one `Cost` priced the layer by:
                // a strided sparse 1x1 layer is "sparse" under hass's model (cost::pointwise_sparse)
                const bool pointwise = sparse && cost::pointwise_sparse<Cost>(l, l.sparsity);
                op_type = !sparse ? "dense" : pointwise ? "pointwise_sparse" : "sparse";
                p["coarse_in"] = fi.coarse_in;
                p["coarse_out"] = fi.coarse_out;
                p["coarse_group"] = fi.coarse_group;
                p["groups"] = l.groups;
                p["fine"] = fi.fine;
                p["filters"] = l.filters();
                p["pad_top"] = l.pad_top;
                p["pad_right"] = l.pad_right;
                p["pad_bottom"] = l.pad_bottom;
                p["pad_left"] = l.pad_left;
                p["kernel_rows"] = l.kernel_rows;
                p["kernel_cols"] = l.kernel_cols;
                p["kernel_size"] = {l.kernel_rows, l.kernel_cols};
                p["stride_rows"] = l.stride_rows;
                p["stride_cols"] = l.stride_cols;
                p["stride"] = {l.stride_rows, l.stride_cols};
                common();
                weights_fields();
                if (sparse) {
                    json h = json::array();
                    if (pointwise)
                        for (count_t c = 0; c < l.sparsity.channels; ++c) h.push_back(l.sparsity.at(c, 1));
                    else
                        for (double v : l.sparsity.histogram) h.push_back(v);
                    p["sparsity"] = std::move(h);
                    if (pointwise)
                        p["clusters"] = l.sparsity.clusters;
                    else
                        p["skip_all_zero_window"] = l.sparsity.skip_all_zero;
                }
                p["weight_compression_ratio"] = {1.0};
                break;
            }
            case layer_type::inner_product:
                type = "INNER_PRODUCT";
                p["coarse_in"] = fi.coarse_in;
                p["coarse_out"] = fi.coarse_out;
                p["filters"] = l.filters();
                common();
                weights_fields();
                p["weight_compression_ratio"] = {1.0};
                break;
            case layer_type::pooling:
                type = "POOLING";
                op_type = l.pool == pool_op::max ? "max" : "avg";
                single();
                p["pad_top"] = l.pad_top;
                p["pad_right"] = l.pad_right;
                p["pad_bottom"] = l.pad_bottom;
                p["pad_left"] = l.pad_left;
                p["kernel_rows"] = l.kernel_rows;
                p["kernel_cols"] = l.kernel_cols;
                p["kernel_size"] = {l.kernel_rows, l.kernel_cols};
                p["stride_rows"] = l.stride_rows;
                p["stride_cols"] = l.stride_cols;
                p["stride"] = {l.stride_rows, l.stride_cols};
                common();
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                break;
            case layer_type::global_pooling:
                type = "AVERAGE_POOLING";
                op_type = "avg";
                single();
                common();
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                p["acc_t"] = detail::fixed_type(l.width.acc, l.width.acc / 2);
                break;
            case layer_type::eltwise:
                type = "ELTWISE";
                op_type = l.op == eltwise_op::add ? "add" : "mul";
                single();
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                p["acc_t"] = detail::fixed_type(l.width.acc, l.width.acc / 2);
                p["ports_in"] = ports_in;
                p["ports_out"] = 1;
                p["mem_bw_in_array"] = json::array();
                for (count_t k = 0; k < ports_in; ++k) p["mem_bw_in_array"].push_back(100.0);
                p["mem_bw_out_array"] = {100.0};
                break;
            case layer_type::concat: {
                type = "CONCAT";
                single();
                json arr = json::array();
                for (int src : l.inputs) arr.push_back(net.shape_of(src).channels);
                p["channels_in_array"] = std::move(arr);
                p["ports_in"] = ports_in;
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                break;
            }
            case layer_type::split:
                type = "SPLIT";
                single();
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                p["ports_in"] = 1;
                p["ports_out"] = ports_out;
                p["mem_bw_in_array"] = {100.0};
                p["mem_bw_out_array"] = json::array();
                for (count_t k = 0; k < ports_out; ++k) p["mem_bw_out_array"].push_back(100.0 / static_cast<double>(ports_out));
                break;
            case layer_type::squeeze:
                type = "SQUEEZE";
                p["coarse_in"] = fi.coarse_in;
                p["coarse_out"] = fi.coarse_out;
                common();
                p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                break;
            default:
                type = l.type == layer_type::hardswish     ? "HARD_SWISH"
                       : l.type == layer_type::hardsigmoid ? "HARD_SIGMOID"
                       : l.type == layer_type::sigmoid     ? "SIGMOID"
                       : l.type == layer_type::thresholded_relu ? "THRESHOLDEDRELU"
                                                                 : "RELU";
                op_type = type == "RELU" ? "ReLU" : type == "HARD_SWISH" ? "HardSwish" : type == "SIGMOID" ? "Sigmoid"
                          : type == "HARD_SIGMOID" ? "HardSigmoid" : "";
                single();
                common();
                if (l.type == layer_type::hardswish) {
                    p["input_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                    p["output_t"] = detail::fixed_type(l.width.output, l.width.output / 2);
                } else {
                    p["data_t"] = detail::fixed_type(l.width.data, l.width.data / 2);
                }
                if (l.type == layer_type::thresholded_relu) p["threshold"] = l.threshold;
                break;
            }
            flags();
            json e{{"name", name}, {"onnx_node", name}, {"type", type}};
            if (!op_type.empty()) e["op_type"] = op_type;
            e["streams_in"] = std::move(sin);
            e["streams_out"] = std::move(sout);
            e["parameters"] = std::move(p);
            layers.push_back(std::move(e));
        }
        std::sort(inputs.begin(), inputs.end());
        std::sort(outputs.begin(), outputs.end());
        json in_nodes = json::array(), out_nodes = json::array();
        for (const auto& n : inputs) {
            const int idx = net.find(n);
            int ext = network_input;
            for (int src : net.layers[static_cast<std::size_t>(idx)].inputs)
                if (src < first) {
                    ext = src;
                    break;
                }
            in_nodes.push_back(detail::tensor_of(net, ext));
        }
        for (const auto& n : outputs) out_nodes.push_back(detail::tensor_of(net, net.find(n)));
        parts.push_back({{"id", static_cast<count_t>(pi)},
                         {"ports", 1},
                         {"batch_size", batch},
                         {"input_nodes", std::move(in_nodes)},
                         {"output_nodes", std::move(out_nodes)},
                         {"weights_reloading_factor", 1},
                         {"weights_reloading_layer", "None"},
                         {"layers", std::move(layers)},
                         {"gen_last_width", 16}});
    }
    return {{"partition", std::move(parts)}};
}

/// The numbers of a design in the layout of fpgaConvNet's reports (the
/// optimiser's report.json "partitions", as numbers files give them): per
/// partition cycles, latency, interval, slowdown, II, pipeline depth, batch,
/// resources before and after BRAM-to-LUTRAM, bandwidth in, out and weights,
/// and every node's interval and resources (squeezes included).
inline json reference_numbers(const network& net, const std::vector<folding>& f, const partitioned_report& pr,
                              const board& b, count_t batch) {
    json parts = json::array();
    double total_cycles = 0;
    for (std::size_t k = 0; k < pr.partitions.size(); ++k) {
        const design_report& r = pr.partitions[k];
        const double cycles = r.batch_cycles(batch);
        total_cycles += cycles;
        auto rsc = [](const resources& u, double dsp, bool uram) {
            json j{{"LUT", u.lut}, {"FF", u.ff}, {"BRAM", u.bram18}, {"DSP", dsp}};
            if (uram) j["URAM"] = u.uram;
            return j;
        };
        json layers = json::array();
        auto type_name = [](const layer& l) -> std::string {
            switch (l.type) {
            case layer_type::convolution: return "Convolution";
            case layer_type::inner_product: return "InnerProduct";
            case layer_type::pooling: return "Pooling";
            case layer_type::global_pooling: return "GlobalPooling";
            case layer_type::eltwise: return "EltWise";
            case layer_type::concat: return "Concat";
            case layer_type::split: return "Split";
            case layer_type::squeeze: return "Squeeze";
            case layer_type::hardswish: return "HardSwish";
            case layer_type::hardsigmoid: return "HardSigmoid";
            case layer_type::sigmoid: return "Sigmoid";
            case layer_type::thresholded_relu: return "ThresholdedReLU";
            default: return "ReLU";
            }
        };
        for (int i = r.first; i < r.last; ++i) {
            const layer& l = net.layers[static_cast<std::size_t>(i)];
            const layer_performance& p = r.layers[static_cast<std::size_t>(i - r.first)];
            for (const auto& q : r.squeezes)
                if (q.consumer == i)
                    layers.push_back({{"name", q.name.str()},
                                      {"type", "Squeeze"},
                                      {"interval_cycles", q.latency},
                                      {"resource", rsc(q.used, static_cast<double>(q.used.dsp), false)}});
            layers.push_back({{"name", l.name.str()},
                              {"type", type_name(l)},
                              {"interval_cycles", p.latency},
                              {"resource", rsc(p.used, p.dsp, l.has_weights())}});
        }
        for (const auto& q : r.port_squeezes)
            layers.push_back({{"name", q.name.str()},
                              {"type", "Squeeze"},
                              {"interval_cycles", q.latency},
                              {"resource", rsc(q.used, static_cast<double>(q.used.dsp), false)}});
        const double T = r.interval * r.slowdown, mhz = b.clock_mhz;
        parts.push_back({{"index", static_cast<count_t>(k)},
                         {"num_layers", static_cast<count_t>(layers.size())},
                         {"cycles", cycles},
                         {"latency_s", cycles / (mhz * 1e6)},
                         {"interval_cycles_max_layer", r.interval},
                         {"slowdown", r.slowdown},
                         {"II_cycles", r.ii},
                         {"pipeline_depth_cycles", r.pipeline_depth},
                         {"batch_size", batch},
                         {"weights_reloading_factor", r.reload_factor},
                         {"resource", rsc(r.used, r.dsp, true)},
                         {"resource_raw_sum", rsc(r.used_raw, r.dsp, true)},
                         {"bandwidth_gbps",
                          {{"in (Gbps)", r.bits_in * mhz / T / 1000.0},
                           {"out (Gbps)", r.bits_out * mhz / T / 1000.0},
                           {"weight (Gbps)", r.bits_weights * mhz / T / 1000.0}}},
                         {"layers", std::move(layers)}});
    }
    (void)f;
    const double latency = pr.batch_time(batch);
    return {{"throughput_fps", static_cast<double>(batch) / latency},
            {"latency_s", latency},
            {"total_cycles", total_cycles},
            {"num_partitions", static_cast<count_t>(pr.partitions.size())},
            {"partitions", std::move(parts)}};
}

/// Every number of a numbers file (the layout of reference_numbers) that the
/// computed numbers do not reproduce: integers exactly, reals to a relative
/// 1e-12 (the reference sums some of them in another order). Fields the
/// numbers file does not give are not compared; layers are matched by name.
/// `compared`, when given, receives the count of numbers compared.
inline std::vector<std::string> compare_reference_numbers(const json& want, const json& got,
                                                          std::size_t* compared = nullptr) {
    std::vector<std::string> out;
    std::size_t numbers = 0;
    auto same = [](const json& a, const json& b) {
        if (!a.is_number() || !b.is_number()) return a == b;
        const double x = a.get<double>(), y = b.get<double>();
        if (x == y) return true;
        return std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y));
    };
    auto walk = [&](auto&& self, const json& w, const json& g, const std::string& path) -> void {
        if (w.is_object()) {
            if (!g.is_object()) {
                out.push_back(path + ": expected an object");
                return;
            }
            for (const auto& item : w.items()) {
                if (!g.contains(item.key())) continue; // a field hass does not compute (names, provenance)
                self(self, item.value(), g.at(item.key()), path.empty() ? item.key() : path + "." + item.key());
            }
            return;
        }
        if (w.is_array()) {
            if (!g.is_array()) {
                out.push_back(path + ": expected an array");
                return;
            }
            const bool named = !w.empty() && w.front().is_object() && w.front().contains("name");
            if (named) {
                for (const auto& we : w) {
                    const std::string name = we.value("name", "");
                    const auto it = std::find_if(g.begin(), g.end(), [&](const json& ge) { return ge.value("name", "") == name; });
                    if (it == g.end()) {
                        out.push_back(path + "[" + name + "]: not in hass's design");
                        continue;
                    }
                    self(self, we, *it, path + "[" + name + "]");
                }
                for (const auto& ge : g) {
                    const std::string name = ge.value("name", "");
                    if (std::find_if(w.begin(), w.end(), [&](const json& we) { return we.value("name", "") == name; }) == w.end())
                        out.push_back(path + "[" + name + "]: in hass's design, not in the numbers");
                }
                return;
            }
            if (w.size() != g.size()) {
                out.push_back(path + ": " + std::to_string(w.size()) + " entries, hass " + std::to_string(g.size()));
                return;
            }
            for (std::size_t k = 0; k < w.size(); ++k) self(self, w[k], g[k], path + "[" + std::to_string(k) + "]");
            return;
        }
        if (w.is_number()) ++numbers;
        if (!same(w, g)) out.push_back(path + ": reference " + w.dump() + ", hass " + g.dump());
    };
    walk(walk, want, got, "");
    if (compared) *compared = numbers;
    return out;
}

/// True when a JSON document looks like an fpgaConvNet design ({"partition": [...]}).
inline bool is_fpgaconvnet_config(const json& j) { return j.is_object() && j.contains("partition") && !j.contains("layers"); }

} // namespace hass::io
