// Network files: reading a network (layers, shapes, widths, sparsity
// statistics, an inline folding), inserting the splits and validating it; and
// writing a network back in the same format (docs/formats.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/cost/weights.hpp"
#include "hass/io/json/fields.hpp"
#include "hass/io/folding_plan.hpp"
#include "hass/io/json/folding.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

// ============================================================================
// Networks
// ============================================================================

/// A network file: the network (splits inserted, validated) and the folding
/// given inline with the layers (all factors 1 where none is given).
struct network_file {
    network net;
    std::vector<hass::folding> folding;
    bool has_folding = false; ///< some layer carried a "folding" object
    folding_plan plan;        ///< the file's "partitions" and "batch" (io/folding_plan.hpp)
};

namespace detail {

inline const std::vector<std::pair<std::string_view, layer_type>>& layer_type_names() {
    static const std::vector<std::pair<std::string_view, layer_type>> names{
        {"convolution", layer_type::convolution},   {"inner_product", layer_type::inner_product},
        {"pooling", layer_type::pooling},           {"global_pooling", layer_type::global_pooling},
        {"relu", layer_type::relu},                 {"thresholded_relu", layer_type::thresholded_relu},
        {"hardswish", layer_type::hardswish},       {"hardsigmoid", layer_type::hardsigmoid},
        {"sigmoid", layer_type::sigmoid},           {"relu6", layer_type::relu6},
        {"eltwise", layer_type::eltwise},           {"concat", layer_type::concat},
        {"split", layer_type::split}};
    return names;
}

inline std::vector<std::string_view> known_layer_keys(layer_type t) {
    std::vector<std::string_view> k{"name", "type", "inputs", "output", "widths", "folding"};
    auto add = [&k](std::initializer_list<std::string_view> more) { k.insert(k.end(), more); };
    switch (t) {
    case layer_type::convolution: add({"filters", "kernel", "stride", "pad", "groups", "bias", "batchnorm", "sparsity"}); break;
    case layer_type::inner_product: add({"features", "bias", "batchnorm"}); break;
    case layer_type::pooling: add({"pool", "kernel", "stride", "pad"}); break;
    case layer_type::global_pooling: add({"pool"}); break;
    case layer_type::thresholded_relu: add({"threshold"}); break;
    case layer_type::eltwise: add({"op"}); break;
    default: break;
    }
    return k;
}

/// kernel, stride, pad of a convolution or pooling layer; infers the output rows and cols.
inline void read_window(const json& j, layer& l, const scope& s, bool pooling) {
    const auto k = get_integers(j, "kernel", s, 1, {2}, std::nullopt, "[rows, cols]");
    l.kernel_rows = k[0];
    l.kernel_cols = k.size() == 2 ? k[1] : k[0];
    // pooling strides default to the kernel (as in PyTorch), convolution strides to 1
    const auto st = get_integers(j, "stride", s, 1, {2}, std::optional<count_t>{pooling ? -1 : 1}, "[rows, cols]");
    if (st.size() == 1 && st[0] == -1) {
        l.stride_rows = l.kernel_rows;
        l.stride_cols = l.kernel_cols;
    } else {
        l.stride_rows = st[0];
        l.stride_cols = st.size() == 2 ? st[1] : st[0];
    }
    const auto p = get_integers(j, "pad", s, 0, {2, 4}, count_t{0}, "[rows, cols] or [top, right, bottom, left]");
    if (p.size() == 1) {
        l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = p[0];
    } else if (p.size() == 2) {
        l.pad_top = l.pad_bottom = p[0];
        l.pad_left = l.pad_right = p[1];
    } else {
        l.pad_top = p[0];
        l.pad_right = p[1];
        l.pad_bottom = p[2];
        l.pad_left = p[3];
    }
    if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
        s.fail_field("kernel", "kernel " + std::to_string(l.kernel_rows) + "x" + std::to_string(l.kernel_cols) +
                                   " is larger than the padded input " + std::to_string(l.padded_rows()) + "x" +
                                   std::to_string(l.padded_cols()));
    l.out.rows = (l.padded_rows() - l.kernel_rows) / l.stride_rows + 1;
    l.out.cols = (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1;
}

inline sparsity_stats read_sparsity(const json& j, const layer& l, const scope& s) {
    if (!j.is_object()) s.fail_field("sparsity", "expected an object, got " + describe(j));
    const scope in = s.nested("sparsity");
    check_keys(j, {"histogram", "zero_fraction", "interleaving", "skip_all_zero", "clusters", "model"}, in,
               "sparsity statistics");
    const count_t C = l.in.channels;
    const count_t K = l.kernel_size();
    const json* hist = find(j, "histogram");
    const json* zf = find(j, "zero_fraction");
    if (hist && zf) in.fail("give either histogram or zero_fraction, not both");
    if (!hist && !zf) in.fail("missing field 'sparsity.histogram' (or 'sparsity.zero_fraction' for a 1x1 convolution)");
    std::vector<double> flat;
    flat.reserve(static_cast<std::size_t>(C * (K + 1)));
    auto probability = [&](const json& v, const std::string& field) {
        if (!v.is_number()) s.fail_field(field, "expected a probability, got " + describe(v));
        return v.get<double>();
    };
    if (hist) {
        if (!hist->is_array())
            s.fail_field("sparsity.histogram", "expected an array of " + std::to_string(C) +
                                                   " rows (one per input channel), got " + describe(*hist));
        if (static_cast<count_t>(hist->size()) != C)
            s.fail_field("sparsity.histogram", "has " + std::to_string(hist->size()) +
                                                   " rows but the layer has " + std::to_string(C) +
                                                   " input channels (one row per input channel)");
        for (std::size_t c = 0; c < hist->size(); ++c) {
            const json& row = (*hist)[c];
            const std::string field = "sparsity.histogram[" + std::to_string(c) + "]";
            if (!row.is_array() || static_cast<count_t>(row.size()) != K + 1)
                s.fail_field(field, "expected K+1 = " + std::to_string(K + 1) + " probabilities (0.." +
                                        std::to_string(K) + " zeros in a " + std::to_string(l.kernel_rows) + "x" +
                                        std::to_string(l.kernel_cols) + " window), got " + describe(row));
            for (std::size_t z = 0; z < row.size(); ++z)
                flat.push_back(probability(row[z], field + "[" + std::to_string(z) + "]"));
        }
    } else {
        if (K != 1)
            s.fail_field("sparsity.zero_fraction",
                         "describes 1x1 convolutions only; give a histogram for this " +
                             std::to_string(l.kernel_rows) + "x" + std::to_string(l.kernel_cols) + " kernel");
        if (!zf->is_array() || static_cast<count_t>(zf->size()) != C)
            s.fail_field("sparsity.zero_fraction", "expected " + std::to_string(C) +
                                                       " fractions (one per input channel), got " + describe(*zf));
        for (std::size_t c = 0; c < zf->size(); ++c) {
            const double z = probability((*zf)[c], "sparsity.zero_fraction[" + std::to_string(c) + "]");
            if (!(z >= 0.0 && z <= 1.0))
                s.fail_field("sparsity.zero_fraction[" + std::to_string(c) + "]",
                             "must be in [0, 1], got " + (*zf)[c].dump());
            flat.push_back(1.0 - z);
            flat.push_back(z);
        }
    }
    sparsity_stats st = make_sparsity_stats(C, K, std::move(flat), s.where + ": field 'sparsity.histogram'");
    st.order = get_choice<interleaving>(j, "interleaving", in, interleaving::opt,
                                        {{"opt", interleaving::opt}, {"naive", interleaving::naive}});
    st.skip_all_zero = get_bool(j, "skip_all_zero", in, true);
    st.clusters = get_integer(j, "clusters", in, 1, 1);
    // the latency model the statistics ask for (docs/model.md, "Pointwise layers")
    st.model = get_choice<sparse_model>(j, "model", in, sparse_model::automatic,
                                        {{"window", sparse_model::window}, {"pointwise", sparse_model::pointwise}});
    if (!st.cache_valid()) st.prepare();
    return st;
}

} // namespace detail

/// Reads a network file (format in docs/formats.md), inserts the splits and
/// validates the network and the inline folding.
inline network_file read_network_file(const json& j, std::string_view source) {
    using detail::scope;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a network file");
    detail::check_keys(j, {"name", "input", "widths", "layers", "partitions", "batch"}, top, "a network file");

    std::string default_name = std::filesystem::path(std::string(source)).stem().string();
    if (default_name.empty()) default_name = "network";
    const std::string net_name = detail::get_string(j, "name", top, default_name);
    if (net_name.empty()) top.fail_field("name", "must not be empty");
    if (net_name.size() > name_t::capacity)
        top.fail_field("name", "is longer than " + std::to_string(name_t::capacity) + " characters");

    network net;
    net.name = net_name;
    net.input = detail::read_shape(detail::require(j, "input", top), top, "input");
    widths defaults{};
    if (const json* w = detail::find(j, "widths")) defaults = detail::read_widths(*w, top, defaults);

    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    if (layers.empty()) top.fail_field("layers", "the network has no layers");

    std::map<std::string, int, std::less<>> index_of; // name -> index in the file
    std::vector<scope> scopes;
    std::vector<std::pair<std::size_t, const json*>> inline_folding;

    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& lj = layers[i];
        scope s{top.where + ": layers[" + std::to_string(i) + "]"};
        if (!lj.is_object()) s.fail("a layer must be a JSON object, got " + detail::describe(lj));
        const std::string type_text = detail::get_string(lj, "type", s);
        const auto& types = detail::layer_type_names();
        auto t = std::find_if(types.begin(), types.end(), [&](const auto& p) { return p.first == type_text; });
        if (t == types.end()) {
            std::string list;
            for (const auto& p : types) list += (list.empty() ? "" : ", ") + std::string(p.first);
            s.fail_field("type", "unknown layer type \"" + type_text + "\" (known: " + list + ")");
        }
        layer l;
        l.type = t->second;
        const std::string name = detail::get_string(lj, "name", s, type_text + "_" + std::to_string(i));
        if (name.empty()) s.fail_field("name", "must not be empty");
        if (name.size() > name_t::capacity)
            s.fail_field("name", "'" + name.substr(0, 40) + "...' is longer than " +
                                     std::to_string(name_t::capacity) + " characters");
        s.where += " '" + name + "'";
        if (name == "input") s.fail_field("name", "'input' is reserved for the network input");
        if (auto dup = index_of.find(name); dup != index_of.end())
            s.fail_field("name", "duplicate layer name (also layers[" + std::to_string(dup->second) + "])");
        l.name = name;
        detail::check_keys(lj, detail::known_layer_keys(l.type), s, detail::with_article(type_text) + " layer");

        // inputs: names of earlier layers or "input"; omitted = the previous layer
        std::vector<std::string> input_names;
        if (const json* in = detail::find(lj, "inputs")) {
            if (in->is_string()) {
                input_names.push_back(in->get<std::string>());
            } else if (in->is_array()) {
                for (std::size_t k = 0; k < in->size(); ++k) {
                    if (!(*in)[k].is_string())
                        s.fail_field("inputs[" + std::to_string(k) + "]",
                                     "expected a layer name, got " + detail::describe((*in)[k]));
                    input_names.push_back((*in)[k].get<std::string>());
                }
            } else {
                s.fail_field("inputs", "expected an array of layer names, got " + detail::describe(*in));
            }
        } else {
            input_names.push_back(i == 0 ? "input" : net.layers.back().name.str());
        }
        const bool multi = l.type == layer_type::eltwise || l.type == layer_type::concat;
        if (multi && input_names.size() < 2)
            s.fail_field("inputs", detail::with_article(type_text) +
                                       " layer needs two or more inputs, got " +
                                       std::to_string(input_names.size()));
        if (!multi && input_names.size() != 1)
            s.fail_field("inputs", detail::with_article(type_text) +
                                       " layer takes exactly one input, got " +
                                       std::to_string(input_names.size()));
        for (const auto& n : input_names) {
            if (n == "input") {
                l.inputs.push_back(network_input);
                continue;
            }
            auto it = index_of.find(n);
            if (it == index_of.end()) {
                bool later = false;
                for (std::size_t k = i + 1; k < layers.size(); ++k)
                    if (layers[k].is_object() && detail::find(layers[k], "name") &&
                        *detail::find(layers[k], "name") == n)
                        later = true;
                s.fail_field("inputs", later ? "input '" + n +
                                                   "' is defined later in the file (layers must be listed in "
                                                   "topological order)"
                                             : "unknown input '" + n +
                                                   "' (not an earlier layer's name nor \"input\")");
            }
            l.inputs.push_back(it->second);
        }
        const tensor_shape first = net.shape_of(l.inputs[0]);
        l.in = first;
        l.out = first;
        l.width = defaults;
        if (const json* w = detail::find(lj, "widths")) l.width = detail::read_widths(*w, s, defaults);

        switch (l.type) {
        case layer_type::convolution:
            l.out.channels = detail::get_integer(lj, "filters", s, 1);
            detail::read_window(lj, l, s, false);
            l.groups = detail::get_integer(lj, "groups", s, 1, 1);
            if (l.in.channels % l.groups != 0 || l.out.channels % l.groups != 0)
                s.fail_field("groups", "groups " + std::to_string(l.groups) +
                                           " must divide the input channels " + std::to_string(l.in.channels) +
                                           " and the filters " + std::to_string(l.out.channels));
            l.bias = detail::get_bool(lj, "bias", s, false);
            l.batchnorm = detail::get_bool(lj, "batchnorm", s, false);
            if (const json* sp = detail::find(lj, "sparsity")) l.sparsity = detail::read_sparsity(*sp, l, s);
            break;
        case layer_type::inner_product:
            l.out = {1, 1, detail::get_integer(lj, "features", s, 1)};
            l.bias = detail::get_bool(lj, "bias", s, true);
            l.batchnorm = detail::get_bool(lj, "batchnorm", s, false);
            break;
        case layer_type::pooling:
            l.pool = detail::get_choice<pool_op>(lj, "pool", s, pool_op::max, {{"max", pool_op::max}, {"avg", pool_op::avg}});
            detail::read_window(lj, l, s, true);
            break;
        case layer_type::global_pooling:
            l.pool = detail::get_choice<pool_op>(lj, "pool", s, pool_op::avg, {{"avg", pool_op::avg}, {"max", pool_op::max}});
            l.out = {1, 1, l.in.channels};
            break;
        case layer_type::thresholded_relu: l.threshold = detail::get_number(lj, "threshold", s); break;
        case layer_type::eltwise: {
            l.op = detail::get_choice<eltwise_op>(lj, "op", s, eltwise_op::add, {{"add", eltwise_op::add}, {"mul", eltwise_op::mul}});
            for (std::size_t k = 1; k < l.inputs.size(); ++k) {
                const tensor_shape sk = net.shape_of(l.inputs[k]);
                const bool bcast = sk.rows == 1 && sk.cols == 1 && sk.channels == first.channels &&
                                   (first.rows != 1 || first.cols != 1);
                if (bcast) l.broadcast = true;
                if (sk != first && !bcast)
                    s.fail_field("inputs", "input '" + input_names[k] + "' is " + detail::shape_text(sk) +
                                               " but input '" + input_names[0] + "' is " + detail::shape_text(first) +
                                               " (eltwise inputs must match, or later inputs be 1x1xC to broadcast)");
            }
            break;
        }
        case layer_type::concat: {
            l.out.channels = 0;
            for (std::size_t k = 0; k < l.inputs.size(); ++k) {
                const tensor_shape sk = net.shape_of(l.inputs[k]);
                if (sk.rows != first.rows || sk.cols != first.cols)
                    s.fail_field("inputs", "input '" + input_names[k] + "' is " + detail::shape_text(sk) +
                                               " but input '" + input_names[0] + "' is " + detail::shape_text(first) +
                                               " (concat inputs must share rows and cols)");
                l.out.channels += sk.channels;
            }
            break;
        }
        default: break; // activations and split keep the shape
        }
        if (const json* o = detail::find(lj, "output")) {
            const tensor_shape declared = detail::read_shape(*o, s, "output");
            if (declared != l.out)
                s.fail_field("output", "declared " + detail::shape_text(declared) + " but the layer computes " +
                                           detail::shape_text(l.out));
        }
        detail::check_magnitude(l, s);
        if (auto p = layer_problem(l); !p.empty()) s.fail(detail::strip_layer_prefix(p, name));
        if (const json* f = detail::find(lj, "folding")) inline_folding.emplace_back(i, f);
        index_of.emplace(name, static_cast<int>(i));
        scopes.push_back(s);
        net.layers.push_back(std::move(l));
    }

    // an explicit split forks to as many consumers as read it
    std::vector<count_t> readers(net.size(), 0);
    for (const auto& l : net.layers)
        for (int src : l.inputs)
            if (src >= 0) ++readers[static_cast<std::size_t>(src)];
    for (std::size_t i = 0; i < net.size(); ++i)
        if (net.layers[i].type == layer_type::split) net.layers[i].fan_out = std::max<count_t>(readers[i], 1);

    network_file out;
    try {
        out.net = insert_splits(net);
    } catch (const hass::error& e) {
        top.fail(e.what());
    }
    // inserted splits are called "<producer>.split": they must not collide with a layer of the file
    std::set<std::string_view> names;
    for (const auto& l : out.net.layers)
        if (!names.insert(l.name.view()).second)
            top.fail("layer name '" + l.name.str() + "' is used twice after inserting splits (hass names the split "
                     "after a layer read by several layers '<layer>.split'; rename the layer)");
    try {
        validate(out.net);
    } catch (const hass::error& e) {
        top.fail(e.what());
    }

    out.folding = unit_folding(out.net);
    for (const auto& [i, f] : inline_folding) {
        const auto idx = static_cast<std::size_t>(out.net.find(net.layers[i].name.view()));
        out.folding[idx] = detail::read_folding_entry(*f, out.net.layers[idx], scopes[i].nested("folding"), false);
        out.has_folding = true;
    }
    // check the folding layer by layer to name the place in the file
    for (std::size_t k = 0; k < out.net.size(); ++k) {
        const layer& l = out.net.layers[k];
        std::string p = folding_problem(l, out.folding[k]);
        if (p.empty()) continue;
        const auto it = index_of.find(l.name.view());
        if (it == index_of.end()) top.fail(p); // an inserted split
        const auto i = static_cast<std::size_t>(it->second);
        const bool given = std::any_of(inline_folding.begin(), inline_folding.end(),
                                       [i](const auto& e) { return e.first == i; });
        p = detail::strip_layer_prefix(p, l.name.view());
        if (given)
            scopes[i].fail_field("folding", p);
        else
            scopes[i].fail(p);
    }
    validate_design(out.net, out.folding, source);
    out.plan = read_folding_plan(j, out.net, source);
    return out;
}

inline network read_network(const json& j, std::string_view source) { return read_network_file(j, source).net; }

inline network_file load_network_file(const std::filesystem::path& path) {
    return read_network_file(load_json_file(path), path.string());
}
inline network load_network(const std::filesystem::path& path) { return load_network_file(path).net; }

/// Writes a network in the format read_network accepts (splits are written as
/// explicit split layers, so reading it back gives the same layers). Keys keep
/// a readable order, hence ordered_json. A non-unit folding is written inline.
inline nlohmann::ordered_json write_network(const network& net, const std::vector<folding>& f = {}) {
    using ojson = nlohmann::ordered_json;
    auto shape = [](const tensor_shape& t) { return ojson{{"rows", t.rows}, {"cols", t.cols}, {"channels", t.channels}}; };
    auto pair_or_one = [](count_t a, count_t b) { return a == b ? ojson(a) : ojson::array({a, b}); };
    const widths defaults = net.layers.empty() ? widths{} : net.layers.front().width;
    const json fold = f.size() == net.size() ? write_folding(net, f) : json();
    ojson j;
    j["name"] = net.name.str();
    j["input"] = shape(net.input);
    j["widths"] = {{"data", defaults.data}, {"weight", defaults.weight}, {"acc", defaults.acc}};
    if (defaults.output != defaults.data) j["widths"]["output"] = defaults.output;
    ojson layers = ojson::array();
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        if (l.type == layer_type::squeeze)
            throw hass::error("write_network: layer '" + l.name.str() + "' is a squeeze, which the file format does not have");
        ojson e;
        e["name"] = l.name.str();
        e["type"] = std::string(to_string(l.type));
        ojson inputs = ojson::array();
        for (int src : l.inputs)
            inputs.push_back(src == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(src)].name.str());
        e["inputs"] = std::move(inputs);
        switch (l.type) {
        case layer_type::convolution:
        case layer_type::pooling:
            if (l.type == layer_type::convolution) e["filters"] = l.out.channels;
            else e["pool"] = std::string(to_string(l.pool));
            e["kernel"] = pair_or_one(l.kernel_rows, l.kernel_cols);
            e["stride"] = pair_or_one(l.stride_rows, l.stride_cols);
            if (l.pad_top == l.pad_bottom && l.pad_left == l.pad_right)
                e["pad"] = pair_or_one(l.pad_top, l.pad_left);
            else
                e["pad"] = ojson::array({l.pad_top, l.pad_right, l.pad_bottom, l.pad_left});
            if (l.type == layer_type::convolution) {
                e["groups"] = l.groups;
                e["bias"] = l.bias;
                e["batchnorm"] = l.batchnorm;
                if (l.sparsity.active()) {
                    ojson hist = ojson::array();
                    for (count_t c = 0; c < l.sparsity.channels; ++c) {
                        ojson row = ojson::array();
                        for (count_t z = 0; z <= l.sparsity.kernel; ++z) row.push_back(l.sparsity.at(c, z));
                        hist.push_back(std::move(row));
                    }
                    e["sparsity"] = {{"histogram", std::move(hist)},
                                     {"interleaving", std::string(to_string(l.sparsity.order))},
                                     {"skip_all_zero", l.sparsity.skip_all_zero},
                                     {"clusters", l.sparsity.clusters}};
                    if (l.sparsity.model != sparse_model::automatic)
                        e["sparsity"]["model"] = l.sparsity.model == sparse_model::pointwise ? "pointwise" : "window";
                }
            }
            break;
        case layer_type::inner_product:
            e["features"] = l.out.channels;
            e["bias"] = l.bias;
            e["batchnorm"] = l.batchnorm;
            break;
        case layer_type::global_pooling: e["pool"] = std::string(to_string(l.pool)); break;
        case layer_type::thresholded_relu: e["threshold"] = l.threshold; break;
        case layer_type::eltwise: e["op"] = std::string(to_string(l.op)); break;
        default: break;
        }
        if (l.width != defaults) {
            e["widths"] = {{"data", l.width.data}, {"weight", l.width.weight}, {"acc", l.width.acc}};
            if (l.width.output != l.width.data) e["widths"]["output"] = l.width.output;
        }
        if (i < f.size() && f[i] != folding{} && !fold.is_null()) {
            const json& fj = fold["layers"][i];
            ojson fo;
            for (const char* key : {"coarse", "coarse_in", "coarse_out", "coarse_group", "fine", "weights"})
                if (fj.contains(key)) fo[key] = fj[key];
            e["folding"] = std::move(fo);
        }
        e["output"] = shape(l.out);
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

} // namespace hass::io
