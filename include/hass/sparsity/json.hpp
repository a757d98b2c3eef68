// JSON files of the sparsity search (optional integration: needs nlohmann-json).
// Formats in docs/sparsity.md:
//
//   "hass.sparsity.decomposed"  decomposed_statistics (activation / weight histograms or magnitudes)
//   "hass.sparsity.products"    product_statistics (zero-product histograms at threshold points)
//   "hass.accuracy.table"       accuracy_table (per-layer drops on a threshold grid)
//   "hass.sparsity.thresholds"  one (tau_w, tau_a) per layer: a candidate or a search result
//
//   auto net   = hass::zoo::get("resnet18");
//   auto stats = hass::io::load_decomposed("resnet18.sparsity.json", &net);
//   hass::sparsity::predictor p(stats, net);
//   auto table = hass::io::load_accuracy_table("resnet18.accuracy.json", &net);
//
// Every error is a hass::error that starts with the source (the file name),
// names the layer ("layer 'layer1.0.conv1'") and the field, then says what is wrong.
// With a network, layer names, channels, kernels, filters and groups are checked
// against it.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/io/json.hpp"
#include "hass/network/network.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::io {

namespace sparsity_detail {

using detail::scope;
using ojson = nlohmann::ordered_json;

/// The common head of a statistics file: format, version and provenance.
template <class Statistics>
ojson header(std::string_view format, const Statistics& s) {
    ojson j;
    j["format"] = std::string(format);
    j["version"] = 1;
    j["network"] = s.network;
    j["synthetic"] = s.synthetic;
    j["provenance"] = s.provenance;
    return j;
}

inline constexpr std::string_view decomposed_format = "hass.sparsity.decomposed";
inline constexpr std::string_view products_format = "hass.sparsity.products";
inline constexpr std::string_view accuracy_format = "hass.accuracy.table";
inline constexpr std::string_view thresholds_format = "hass.sparsity.thresholds";

/// Checks "format" (when present) and "version" (1 when present).
inline void check_header(const json& j, const scope& s, std::string_view format) {
    if (const json* f = detail::find(j, "format")) {
        if (!f->is_string() || f->get<std::string>() != format)
            s.fail_field("format", "expected \"" + std::string(format) + "\", got " + detail::describe(*f));
    }
    if (const json* v = detail::find(j, "version")) {
        if (!v->is_number_integer() || v->get<std::int64_t>() != 1)
            s.fail_field("version", "only version 1 is supported, got " + detail::describe(*v));
    }
}

inline double as_number(const json& v, const scope& s, const std::string& field) {
    if (!v.is_number()) s.fail_field(field, "expected a number, got " + detail::describe(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) s.fail_field(field, "expected a finite number");
    return d;
}

inline std::vector<double> read_grid(const json& obj, std::string_view key, const scope& s, bool non_negative) {
    const json& g = detail::require(obj, key, s);
    if (!g.is_array() || g.empty())
        s.fail_field(key, "expected a non-empty array of thresholds, got " + detail::describe(g));
    std::vector<double> out;
    for (std::size_t i = 0; i < g.size(); ++i) {
        const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
        const double v = as_number(g[i], s, field);
        if (non_negative && v < 0) s.fail_field(field, "thresholds on |w| must be >= 0, got " + g[i].dump());
        if (i > 0 && !(v > out.back()))
            s.fail_field(key, "thresholds must be strictly increasing, but [" + std::to_string(i - 1) + "] = " +
                                  g[i - 1].dump() + " and [" + std::to_string(i) + "] = " + g[i].dump());
        out.push_back(v);
    }
    return out;
}

/// One C x (K+1) histogram (rows of probabilities summing to 1), appended to `flat`.
inline void read_histogram(const json& h, count_t C, count_t K, const scope& s, const std::string& field,
                           std::vector<double>& flat) {
    if (!h.is_array())
        s.fail_field(field, "expected an array of " + std::to_string(C) + " rows (one per input channel), got " +
                                detail::describe(h));
    if (static_cast<count_t>(h.size()) != C)
        s.fail_field(field, "histogram has " + std::to_string(h.size()) + " rows but the layer has " +
                                std::to_string(C) + " input channels");
    for (std::size_t c = 0; c < h.size(); ++c) {
        const json& row = h[c];
        const std::string rf = field + "[" + std::to_string(c) + "]";
        if (!row.is_array() || static_cast<count_t>(row.size()) != K + 1)
            s.fail_field(rf, "histogram row has " + (row.is_array() ? std::to_string(row.size()) : row.type_name()) +
                                 " bins but the layer's kernel has K+1 = " + std::to_string(K + 1) + " (0.." +
                                 std::to_string(K) + " in a window)");
        double sum = 0;
        for (std::size_t z = 0; z < row.size(); ++z) {
            const std::string bf = rf + "[" + std::to_string(z) + "]";
            if (!row[z].is_number()) s.fail_field(bf, "expected a probability, got " + detail::describe(row[z]));
            const double p = row[z].get<double>();
            if (!(p >= 0.0) || p > 1.0 + 1e-12)
                s.fail_field(bf, "histogram entry " + row[z].dump() + " is not a probability in [0, 1]");
            sum += p;
            flat.push_back(p);
        }
        if (sum < 1.0 - 1e-6 || sum > 1.0 + 1e-6)
            s.fail_field(rf, "histogram row " + std::to_string(c) + " (input channel " + std::to_string(c) +
                                 ") sums to " + hass::detail::fixed(sum, 6) + ", not 1");
    }
}

/// Histograms at every grid point: an array of grid.size() histograms.
inline std::vector<double> read_histograms(const json& obj, const scope& s, std::string_view key, std::size_t points,
                                           count_t C, count_t K, std::string_view grid_key) {
    const json& h = detail::require(obj, key, s);
    if (!h.is_array() || h.size() != points)
        s.fail_field(key, "expected one histogram per " + std::string(grid_key) + " point (" + std::to_string(points) +
                              "), got " + detail::describe(h));
    std::vector<double> flat;
    flat.reserve(points * static_cast<std::size_t>(C * (K + 1)));
    for (std::size_t i = 0; i < points; ++i)
        read_histogram(h[i], C, K, s, std::string(key) + "[" + std::to_string(i) + "]", flat);
    return flat;
}

inline ojson histogram_json(const double* h, count_t C, count_t K) {
    ojson rows = ojson::array();
    for (count_t c = 0; c < C; ++c) {
        ojson row = ojson::array();
        for (count_t z = 0; z <= K; ++z) row.push_back(h[c * (K + 1) + z]);
        rows.push_back(std::move(row));
    }
    return rows;
}

/// K from an integer or [rows, cols].
inline count_t read_kernel(const json& j, const scope& s) {
    const auto k = detail::get_integers(j, "kernel", s, 1, {2}, std::nullopt, "[rows, cols]");
    return k.size() == 2 ? k[0] * k[1] : k[0];
}

/// The network layer named `name` (a convolution, or an inner product when
/// `inner_products`), or nullptr without a network.
inline const layer* network_conv(const network* net, const std::string& name, const scope& s,
                                 bool inner_products = false) {
    if (!net) return nullptr;
    const int idx = net->find(name);
    if (idx < 0) s.fail("unknown layer: network '" + net->name.str() + "' has no layer of that name");
    const layer& l = net->layers[static_cast<std::size_t>(idx)];
    if (l.type != layer_type::convolution && !(inner_products && l.type == layer_type::inner_product))
        s.fail("the network's layer of that name is " + detail::with_article(to_string(l.type)) +
               (inner_products ? ", not a convolution or an inner product" : ", not a convolution"));
    return &l;
}

/// Sizes of a layer with statistics as the statistics see it: an inner product
/// is C = its flattened inputs, K = 1, F = its features, G = 1.
struct stat_sizes {
    count_t channels, kernel, filters, groups;
};
inline stat_sizes sizes_of(const layer& l) {
    if (l.type == layer_type::inner_product) return {l.in.size(), 1, l.out.channels, 1};
    return {l.in.channels, l.kernel_size(), l.out.channels, l.groups};
}

/// A size field: required without a network; checked against the network otherwise.
inline count_t sized(const json& j, std::string_view key, const scope& s, const layer* l, count_t from_net,
                     std::string_view what) {
    const json* v = detail::find(j, key);
    if (!l) {
        if (key == "kernel") return read_kernel(j, s);
        return detail::get_integer(j, key, s, 1);
    }
    if (!v) return from_net;
    const count_t given = key == "kernel" ? read_kernel(j, s) : detail::as_integer(*v, s, key, 1);
    if (given != from_net)
        s.fail_field(key, "statistics have " + std::to_string(given) + " " + std::string(what) + " but the layer has " +
                              std::to_string(from_net));
    return given;
}

/// Drops "layer 'NAME': " (or turns "layer 'NAME' " into "the layer ") at the
/// start of a core message when the scope already names the layer.
inline std::string strip_layer(std::string message, std::string_view name) {
    message = detail::strip_layer_prefix(std::move(message), name);
    const std::string prefix = "layer '" + std::string(name) + "' ";
    if (message.rfind(prefix, 0) == 0) message = "the layer " + message.substr(prefix.size());
    return message;
}

inline scope layer_scope(const json& e, std::size_t i, std::string_view source, const std::string& array,
                         std::string& name) {
    const scope at{std::string(source) + ": " + array + "[" + std::to_string(i) + "]"};
    detail::require_object(e, at, "a layer entry");
    name = detail::get_string(e, "name", at);
    if (name.empty()) at.fail_field("name", "must not be empty");
    return scope{std::string(source) + ": layer '" + name + "'"};
}

inline void read_provenance(const json& j, const scope& top, std::string& network_name, bool& synthetic,
                            std::string& provenance, const network* net) {
    network_name = detail::get_string(j, "network", top, net ? net->name.str() : std::string());
    synthetic = detail::get_bool(j, "synthetic", top, false);
    provenance = detail::get_string(j, "provenance", top, std::string());
}

} // namespace sparsity_detail

// ============================================================================
// Decomposed statistics
// ============================================================================

/// Reads a "hass.sparsity.decomposed" file; with `net`, checks every layer against it.
inline sparsity::decomposed_statistics read_decomposed(const json& j, std::string_view source,
                                                       const network* net = nullptr) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a sparsity statistics file");
    detail::check_keys(j, {"format", "version", "network", "synthetic", "provenance", "layers"}, top,
                       "a decomposed sparsity statistics file");
    check_header(j, top, decomposed_format);
    sparsity::decomposed_statistics out;
    read_provenance(j, top, out.network, out.synthetic, out.provenance, net);
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& e = layers[i];
        std::string name;
        const scope s = layer_scope(e, i, source, "layers", name);
        detail::check_keys(e, {"name", "channels", "kernel", "filters", "groups", "source", "activation_threshold",
                               "activation_layer", "activations", "weights", "interleaving", "skip_all_zero",
                               "clusters"},
                           s, "a decomposed statistics layer");
        if (out.find(name)) s.fail("appears twice in the file");
        const layer* l = network_conv(net, name, s, true);
        const stat_sizes z = l ? sizes_of(*l) : stat_sizes{0, 0, 0, 1};
        sparsity::decomposed_histograms d;
        d.layer = name;
        d.channels = sized(e, "channels", s, l, z.channels, "input channels");
        d.kernel = sized(e, "kernel", s, l, z.kernel, "kernel positions");
        d.filters = sized(e, "filters", s, l, z.filters, "filters");
        d.groups = l ? sized(e, "groups", s, l, z.groups, "groups") : detail::get_integer(e, "groups", s, 1, 1);
        d.activation_layer = detail::get_string(e, "activation_layer", s, std::string());
        if (detail::find(e, "activation_layer") && d.activation_layer.empty())
            s.fail_field("activation_layer", "must not be empty (leave it out: the layer then owns its threshold)");
        if (d.kernel > sparsity::max_kernel)
            s.fail_field("kernel", "K = " + std::to_string(d.kernel) + " is larger than the supported " +
                                       std::to_string(sparsity::max_kernel));
        if (d.channels % d.groups != 0 || d.filters % d.groups != 0)
            s.fail_field("groups", std::to_string(d.groups) + " must divide the channels and the filters");
        d.source = detail::get_choice<sparsity::activation_source>(
            e, "source", s, sparsity::activation_source::relu,
            {{"relu", sparsity::activation_source::relu},
             {"hardswish", sparsity::activation_source::hardswish},
             {"other", sparsity::activation_source::other}});
        d.activation_threshold =
            detail::get_bool(e, "activation_threshold", s, d.source == sparsity::activation_source::relu);
        d.order = detail::get_choice<interleaving>(e, "interleaving", s, interleaving::opt,
                                                   {{"opt", interleaving::opt}, {"naive", interleaving::naive}});
        d.skip_all_zero = detail::get_bool(e, "skip_all_zero", s, true);
        d.clusters = detail::get_integer(e, "clusters", s, 1, 1);
        // activations
        const json& act = detail::require(e, "activations", s);
        if (!act.is_object()) s.fail_field("activations", "expected an object {\"tau\", \"histogram\"}, got " + detail::describe(act));
        const scope as = s.nested("activations");
        detail::check_keys(act, {"tau", "histogram"}, as, "activation statistics");
        d.tau_a_grid = read_grid(act, "tau", as, false);
        if (!d.activation_threshold && d.tau_a_grid.size() != 1)
            as.fail_field("tau", "the layer has no activation threshold (activation_threshold false) but the grid has " +
                                     std::to_string(d.tau_a_grid.size()) + " points (expected 1)");
        d.activation_hist = read_histograms(act, as, "histogram", d.tau_a_grid.size(), d.channels, d.kernel, "tau");
        // weights: a grid, magnitudes, or nothing (filled in from the model's weights)
        static const json no_weights = json::object();
        const json& w = detail::find(e, "weights") ? *detail::find(e, "weights") : no_weights;
        if (!w.is_object())
            s.fail_field("weights", "expected an object {\"tau\", \"histogram\"} or {\"magnitudes\"}, got " + detail::describe(w));
        const scope ws = s.nested("weights");
        detail::check_keys(w, {"tau", "histogram", "magnitudes", "targets"}, ws, "weight statistics");
        if (const json* targets = detail::find(w, "targets")) {
            if (detail::find(w, "tau") || detail::find(w, "histogram"))
                ws.fail_field("targets", "weight-sparsity targets go with magnitudes (or the model's weights), not with a tau_w grid");
            if (!targets->is_array() || targets->empty())
                ws.fail_field("targets", "expected a non-empty array of fractions in [0, 1), got " + detail::describe(*targets));
            for (std::size_t k = 0; k < targets->size(); ++k) {
                const std::string f = "targets[" + std::to_string(k) + "]";
                const double t = as_number((*targets)[k], ws, f);
                if (!(t >= 0 && t < 1)) ws.fail_field(f, "a weight-sparsity target is a fraction in [0, 1), got " + (*targets)[k].dump());
                if (k > 0 && !(t > d.weight_targets.back()))
                    ws.fail_field("targets", "targets must be strictly increasing, but [" + std::to_string(k - 1) + "] = " +
                                                 (*targets)[k - 1].dump() + " and [" + std::to_string(k) + "] = " + (*targets)[k].dump());
                d.weight_targets.push_back(t);
            }
        }
        const json* mags = detail::find(w, "magnitudes");
        if (!mags && !detail::find(w, "tau") && !detail::find(w, "histogram")) {
            // no weight statistics: the model's weights give the magnitudes (set_magnitudes)
        } else if (mags) {
            if (detail::find(w, "tau") || detail::find(w, "histogram"))
                ws.fail("give either magnitudes or tau and histogram, not both");
            const auto expected = static_cast<std::size_t>(d.filters * (d.channels / d.groups) * d.kernel);
            if (!mags->is_array() || mags->size() != expected)
                ws.fail_field("magnitudes", "expected filters x channels/groups x K = " + std::to_string(d.filters) +
                                                " x " + std::to_string(d.channels / d.groups) + " x " +
                                                std::to_string(d.kernel) + " = " + std::to_string(expected) +
                                                " numbers, got " +
                                                (mags->is_array() ? std::to_string(mags->size()) + " numbers"
                                                                  : detail::describe(*mags)));
            d.magnitudes.reserve(expected);
            for (std::size_t k = 0; k < mags->size(); ++k) {
                const json& v = (*mags)[k];
                if (!v.is_number())
                    ws.fail_field("magnitudes[" + std::to_string(k) + "]", "expected a number, got " + detail::describe(v));
                const double m = v.get<double>();
                if (!(m >= 0.0) || !std::isfinite(m))
                    ws.fail_field("magnitudes[" + std::to_string(k) + "]", "magnitudes must be finite and >= 0, got " + v.dump());
                d.magnitudes.push_back(static_cast<float>(m));
            }
        } else {
            d.tau_w_grid = read_grid(w, "tau", ws, true);
            d.weight_hist = read_histograms(w, ws, "histogram", d.tau_w_grid.size(), d.channels, d.kernel, "tau");
        }
        try {
            sparsity::check(d, false);
        } catch (const hass::error& err) {
            s.fail(strip_layer(err.what(), name));
        }
        out.layers.push_back(std::move(d));
    }
    try {
        sparsity::check(out, false);
        if (net) sparsity::check_against(out, *net);
    } catch (const hass::error& err) {
        top.fail(err.what());
    }
    return out;
}

/// Layers of `s` without weight statistics get the magnitudes of the model's
/// weights: `weights(name)` returns the layer's weights in canonical order
/// (PyTorch's), or an empty span when the model has none. Returns how many
/// layers were filled; throws hass::error naming a layer that is left without.
template <class Weights>
std::size_t fill_magnitudes(sparsity::decomposed_statistics& s, Weights&& weights, std::string_view source) {
    std::size_t filled = 0;
    for (auto& d : s.layers) {
        if (d.raw_weights() || !d.tau_w_grid.empty()) continue;
        const std::span<const float> w = weights(d.layer);
        if (w.empty())
            throw hass::error(std::string(source) + ": layer '" + d.layer +
                              "': no weight statistics: the file gives no \"weights\" for this layer, and no weights "
                              "of the model were given to compute them from (give an .onnx MODEL or --weights FILE, "
                              "or write magnitudes into the file)");
        try {
            sparsity::set_magnitudes(d, w);
        } catch (const hass::error& e) {
            throw hass::error(std::string(source) + ": " + e.what());
        }
        ++filled;
    }
    return filled;
}

inline sparsity::decomposed_statistics load_decomposed(const std::filesystem::path& path, const network* net = nullptr) {
    return read_decomposed(load_json_file(path), path.string(), net);
}

inline nlohmann::ordered_json write_decomposed(const sparsity::decomposed_statistics& s) {
    using sparsity_detail::ojson;
    ojson j = sparsity_detail::header(sparsity_detail::decomposed_format, s);
    ojson layers = ojson::array();
    for (const auto& d : s.layers) {
        const auto block = static_cast<std::size_t>(d.channels * (d.kernel + 1));
        ojson e;
        e["name"] = d.layer;
        e["channels"] = d.channels;
        e["kernel"] = d.kernel;
        e["filters"] = d.filters;
        e["groups"] = d.groups;
        e["source"] = std::string(sparsity::to_string(d.source));
        e["activation_threshold"] = d.activation_threshold;
        if (!d.activation_layer.empty()) e["activation_layer"] = d.activation_layer;
        ojson ah = ojson::array();
        for (std::size_t i = 0; i < d.tau_a_grid.size(); ++i)
            ah.push_back(sparsity_detail::histogram_json(d.activation_hist.data() + i * block, d.channels, d.kernel));
        e["activations"] = {{"tau", d.tau_a_grid}, {"histogram", std::move(ah)}};
        if (d.raw_weights()) {
            e["weights"] = {{"magnitudes", d.magnitudes}};
            if (!d.weight_targets.empty()) e["weights"]["targets"] = d.weight_targets;
        } else if (d.tau_w_grid.empty()) {
            if (!d.weight_targets.empty()) e["weights"] = {{"targets", d.weight_targets}};
        } else {
            ojson wh = ojson::array();
            for (std::size_t i = 0; i < d.tau_w_grid.size(); ++i)
                wh.push_back(sparsity_detail::histogram_json(d.weight_hist.data() + i * block, d.channels, d.kernel));
            e["weights"] = {{"tau", d.tau_w_grid}, {"histogram", std::move(wh)}};
        }
        e["interleaving"] = std::string(to_string(d.order));
        e["skip_all_zero"] = d.skip_all_zero;
        e["clusters"] = d.clusters;
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

// ============================================================================
// Product histograms
// ============================================================================

/// Reads a "hass.sparsity.products" file; with `net`, checks every layer against it.
inline sparsity::product_statistics read_products(const json& j, std::string_view source, const network* net = nullptr) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a sparsity statistics file");
    detail::check_keys(j, {"format", "version", "network", "synthetic", "provenance", "layers"}, top,
                       "a product-histogram sparsity file");
    check_header(j, top, products_format);
    sparsity::product_statistics out;
    read_provenance(j, top, out.network, out.synthetic, out.provenance, net);
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& e = layers[i];
        std::string name;
        const scope s = layer_scope(e, i, source, "layers", name);
        detail::check_keys(e, {"name", "channels", "kernel", "points", "interleaving", "skip_all_zero", "clusters"}, s,
                           "a product-histogram layer");
        if (out.find(name)) s.fail("appears twice in the file");
        const layer* l = network_conv(net, name, s);
        sparsity::product_histograms h;
        h.layer = name;
        h.channels = sized(e, "channels", s, l, l ? l->in.channels : 0, "input channels");
        h.kernel = sized(e, "kernel", s, l, l ? l->kernel_size() : 0, "kernel positions");
        const auto order = detail::get_choice<interleaving>(e, "interleaving", s, interleaving::opt,
                                                            {{"opt", interleaving::opt}, {"naive", interleaving::naive}});
        const bool skip = detail::get_bool(e, "skip_all_zero", s, true);
        const count_t clusters = detail::get_integer(e, "clusters", s, 1, 1);
        const json& points = detail::require(e, "points", s);
        if (!points.is_array() || points.empty())
            s.fail_field("points", "expected a non-empty array of {\"tau_w\", \"tau_a\", \"histogram\"}, got " +
                                       detail::describe(points));
        for (std::size_t k = 0; k < points.size(); ++k) {
            const json& p = points[k];
            const std::string pf = "points[" + std::to_string(k) + "]";
            if (!p.is_object()) s.fail_field(pf, "expected an object, got " + detail::describe(p));
            const scope ps = s.nested(pf);
            detail::check_keys(p, {"tau_w", "tau_a", "histogram", "filter_histogram"}, ps, "a threshold point");
            sparsity::product_point pt;
            pt.tau_w = detail::get_number(p, "tau_w", ps);
            pt.tau_a = detail::get_number(p, "tau_a", ps);
            if (pt.tau_w < 0) ps.fail_field("tau_w", "thresholds on |w| must be >= 0");
            std::vector<double> flat;
            read_histogram(detail::require(p, "histogram", ps), h.channels, h.kernel, s, pf + ".histogram", flat);
            pt.stats = make_sparsity_stats(h.channels, h.kernel, std::move(flat), s.where + ": field '" + pf + ".histogram'");
            if (const json* fh = detail::find(p, "filter_histogram")) {
                // per-filter histograms h[c][j][z]: C arrays of F/G rows of K+1 (docs/model.md,
                // "Per-lane sparse latency"); their mean over j must be the channel histogram
                const std::string ff = pf + ".filter_histogram";
                if (!fh->is_array() || static_cast<count_t>(fh->size()) != h.channels || fh->empty() ||
                    !(*fh)[0].is_array() || (*fh)[0].empty())
                    s.fail_field(ff, "expected " + std::to_string(h.channels) +
                                         " arrays (one per input channel) of per-filter histogram rows");
                const auto Fg = static_cast<count_t>((*fh)[0].size());
                std::vector<double> per;
                for (std::size_t c = 0; c < fh->size(); ++c)
                    read_histogram((*fh)[c], Fg, h.kernel, s, ff + "[" + std::to_string(c) + "]", per);
                const sparsity_stats fs =
                    make_filter_sparsity_stats(h.channels, h.kernel, Fg, std::move(per), s.where + ": field '" + ff + "'");
                for (std::size_t b = 0; b < fs.histogram.size(); ++b)
                    if (std::abs(fs.histogram[b] - pt.stats.histogram[b]) > 1e-6)
                        s.fail_field(ff, "the mean over the filters of channel " +
                                             std::to_string(static_cast<count_t>(b) / (h.kernel + 1)) +
                                             " differs from its row of \"histogram\"");
                pt.stats.group_filters = Fg;
                pt.stats.filter_histogram = fs.filter_histogram;
                pt.stats.prepare();
            }
            pt.stats.order = order;
            pt.stats.skip_all_zero = skip;
            pt.stats.clusters = clusters;
            for (const auto& q : h.points)
                if (q.tau_w == pt.tau_w && q.tau_a == pt.tau_a)
                    s.fail_field(pf, "threshold point (" + p["tau_w"].dump() + ", " + p["tau_a"].dump() + ") appears twice");
            h.points.push_back(std::move(pt));
        }
        out.layers.push_back(std::move(h));
    }
    return out;
}

inline sparsity::product_statistics load_products(const std::filesystem::path& path, const network* net = nullptr) {
    return read_products(load_json_file(path), path.string(), net);
}

inline nlohmann::ordered_json write_products(const sparsity::product_statistics& s) {
    using sparsity_detail::ojson;
    ojson j = sparsity_detail::header(sparsity_detail::products_format, s);
    ojson layers = ojson::array();
    for (const auto& h : s.layers) {
        ojson e;
        e["name"] = h.layer;
        e["channels"] = h.channels;
        e["kernel"] = h.kernel;
        if (!h.points.empty()) {
            const auto& st = h.points.front().stats;
            e["interleaving"] = std::string(to_string(st.order));
            e["skip_all_zero"] = st.skip_all_zero;
            e["clusters"] = st.clusters;
        }
        ojson pts = ojson::array();
        for (const auto& p : h.points) {
            ojson pt{{"tau_w", p.tau_w},
                     {"tau_a", p.tau_a},
                     {"histogram", sparsity_detail::histogram_json(p.stats.histogram.data(), h.channels, h.kernel)}};
            if (p.stats.per_filter()) {
                ojson fh = ojson::array();
                const auto Fg = p.stats.group_filters;
                for (count_t c = 0; c < h.channels; ++c)
                    fh.push_back(sparsity_detail::histogram_json(
                        p.stats.filter_histogram.data() + static_cast<std::size_t>(c * Fg * (h.kernel + 1)), Fg,
                        h.kernel));
                pt["filter_histogram"] = std::move(fh);
            }
            pts.push_back(std::move(pt));
        }
        e["points"] = std::move(pts);
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

// ============================================================================
// Accuracy tables
// ============================================================================

/// Reads a "hass.accuracy.table" file. Entries: 2-D grids {"name", "tau_w",
/// "tau_a", "drop": [[...]]}, weight tables {"name", "tau_w", "drop": [...]} and
/// activation tables {"name", "tau_a", "drop": [...]}; "joint" points
/// {"layers": [{"name", "tau_w"?, "tau_a"?}], "drop"}. Drops down to -noise are
/// clamped to 0 (t.notes says so); below, an error. With `net`, weight and grid
/// entries must name its convolutions or inner products, activation tables its
/// relu, relu6 or thresholded_relu layers (or a convolution owning its tau_a).
inline sparsity::accuracy_table read_accuracy_table(const json& j, std::string_view source, const network* net = nullptr) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    detail::require_object(j, top, "an accuracy table");
    detail::check_keys(j, {"format", "version", "network", "synthetic", "provenance", "metric", "baseline",
                           "interaction", "noise", "joint_radius", "layers", "joint"},
                       top, "an accuracy table");
    check_header(j, top, accuracy_format);
    sparsity::accuracy_table t;
    read_provenance(j, top, t.network, t.synthetic, t.provenance, net);
    t.metric = detail::get_string(j, "metric", top, t.metric);
    if (detail::find(j, "baseline")) t.baseline = detail::get_number(j, "baseline", top);
    t.interaction = detail::get_number(j, "interaction", top, 0.0);
    if (t.interaction < 0) top.fail_field("interaction", "must be >= 0, got " + j["interaction"].dump());
    t.fit_interaction = !detail::find(j, "interaction");
    t.noise = detail::get_number(j, "noise", top, t.noise);
    if (t.noise < 0) top.fail_field("noise", "must be >= 0 (percentage points), got " + j["noise"].dump());
    t.joint_radius = detail::get_number(j, "joint_radius", top, t.joint_radius);
    if (!(t.joint_radius > 0)) top.fail_field("joint_radius", "must be > 0, got " + j["joint_radius"].dump());
    std::size_t clamped = 0;
    double worst = 0;
    std::string worst_at;
    auto drop_value = [&](const json& v, const scope& s, const std::string& field, const std::string& what) {
        const double d = as_number(v, s, field);
        if (d < -t.noise)
            s.fail_field(field, "accuracy drops must be >= 0 (negative values down to -noise = -" + sparsity::detail::num(t.noise) +
                                    " points are read as measurement noise and clamped to 0), got " + v.dump());
        if (d < 0) {
            ++clamped;
            if (d < worst) {
                worst = d;
                worst_at = what;
            }
            return 0.0;
        }
        return d;
    };
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& e = layers[i];
        std::string name;
        const scope s = layer_scope(e, i, source, "layers", name);
        detail::check_keys(e, {"name", "tau_w", "tau_a", "drop", "weight_sparsity"}, s, "an accuracy table layer");
        sparsity::layer_accuracy l;
        l.layer = name;
        const bool by_sparsity = detail::find(e, "weight_sparsity") != nullptr && detail::find(e, "tau_w") == nullptr;
        const bool has_w = detail::find(e, "tau_w") != nullptr || by_sparsity, has_a = detail::find(e, "tau_a") != nullptr;
        if (!has_w && !has_a)
            s.fail("give tau_w or weight_sparsity (a weight table), tau_a (an activation table) or both (a 2-D grid)");
        if (by_sparsity) {
            // the weight axis as fractions of the layer's weights pruned (resolve_weight_sparsity makes them tau_w)
            l.tau_w = read_grid(e, "weight_sparsity", s, true);
            l.by_weight_sparsity = true;
            for (std::size_t k = 0; k < l.tau_w.size(); ++k)
                if (!(l.tau_w[k] < 1.0))
                    s.fail_field("weight_sparsity[" + std::to_string(k) + "]",
                                 "a weight sparsity is a fraction in [0, 1), got " + sparsity::detail::num(l.tau_w[k]));
        } else if (has_w) {
            l.tau_w = read_grid(e, "tau_w", s, true);
        }
        if (has_a) l.tau_a = read_grid(e, "tau_a", s, false);
        const auto kind = l.kind();
        if (t.find(name, kind)) s.fail("appears twice in the file (as " + std::string(sparsity::to_string(kind)) + ")");
        if (net) {
            if (kind == sparsity::layer_accuracy::form::activation) {
                const int idx = net->find(name);
                if (idx < 0) s.fail("unknown layer: network '" + net->name.str() + "' has no layer of that name");
                const layer& nl = net->layers[static_cast<std::size_t>(idx)];
                if (!sparsity::thresholdable(nl.type) && nl.type != layer_type::convolution &&
                    nl.type != layer_type::inner_product)
                    s.fail("the network's layer of that name is " + detail::with_article(to_string(nl.type)) +
                           "; activation tables belong to relu, relu6 and thresholded_relu layers");
            } else {
                network_conv(net, name, s, true);
            }
        }
        if (const json* ws = detail::find(e, "weight_sparsity"); ws && !by_sparsity) {
            if (!ws->is_array() || ws->size() != l.tau_w.size())
                s.fail_field("weight_sparsity", "expected one fraction per tau_w point (informative), got " + detail::describe(*ws));
            for (std::size_t k = 0; k < ws->size(); ++k) (void)as_number((*ws)[k], s, "weight_sparsity[" + std::to_string(k) + "]");
        }
        const json& d = detail::require(e, "drop", s);
        auto where = [&](std::size_t r, std::size_t c) {
            return "layer '" + name + "'" +
                   (has_w ? (by_sparsity ? " weight_sparsity " : " tau_w ") + sparsity::detail::num(l.tau_w[r]) : std::string()) +
                   (has_a ? " tau_a " + sparsity::detail::num(l.tau_a[c]) : std::string());
        };
        if (kind != sparsity::layer_accuracy::form::grid) {
            const std::size_t n = has_w ? l.tau_w.size() : l.tau_a.size();
            if (!d.is_array() || d.size() != n || (n > 0 && d[0].is_array()))
                s.fail_field("drop", "expected " + std::to_string(n) + " drops (one per " +
                                         (has_w ? (by_sparsity ? "weight_sparsity" : "tau_w") : "tau_a") +
                                         " point), got " + detail::describe(d));
            for (std::size_t r = 0; r < n; ++r)
                l.drop.push_back(drop_value(d[r], s, "drop[" + std::to_string(r) + "]", where(has_w ? r : 0, has_w ? 0 : r)));
        } else {
            if (!d.is_array() || d.size() != l.tau_w.size())
                s.fail_field("drop", "expected " + std::to_string(l.tau_w.size()) + " rows (one per tau_w) of " +
                                         std::to_string(l.tau_a.size()) + " drops (one per tau_a), got " + detail::describe(d));
            for (std::size_t r = 0; r < d.size(); ++r) {
                const std::string rf = "drop[" + std::to_string(r) + "]";
                if (!d[r].is_array() || d[r].size() != l.tau_a.size())
                    s.fail_field(rf, "expected " + std::to_string(l.tau_a.size()) + " drops (one per tau_a), got " +
                                         detail::describe(d[r]));
                for (std::size_t c = 0; c < d[r].size(); ++c)
                    l.drop.push_back(drop_value(d[r][c], s, rf + "[" + std::to_string(c) + "]", where(r, c)));
            }
        }
        t.layers.push_back(std::move(l));
    }
    if (const json* joint = detail::find(j, "joint")) {
        if (!joint->is_array()) top.fail_field("joint", "expected an array of {\"layers\", \"drop\"}, got " + detail::describe(*joint));
        for (std::size_t k = 0; k < joint->size(); ++k) {
            const json& p = (*joint)[k];
            const scope js{std::string(source) + ": joint[" + std::to_string(k) + "]"};
            detail::require_object(p, js, "a joint point");
            detail::check_keys(p, {"layers", "drop"}, js, "a joint point");
            sparsity::joint_point jp;
            jp.drop = drop_value(detail::require(p, "drop", js), js, "drop", "joint[" + std::to_string(k) + "]");
            const json& ls = detail::require(p, "layers", js);
            if (!ls.is_array() || ls.empty())
                js.fail_field("layers", "expected a non-empty array of {\"name\", \"tau_w\", \"tau_a\"}, got " + detail::describe(ls));
            for (std::size_t m = 0; m < ls.size(); ++m) {
                std::string lname;
                const scope ss = layer_scope(ls[m], m, js.where, "layers", lname);
                detail::check_keys(ls[m], {"name", "tau_w", "tau_a"}, ss, "a joint point's layer");
                if (net && net->find(lname) < 0) ss.fail("unknown layer: network '" + net->name.str() + "' has no layer of that name");
                sparsity::joint_setting st;
                st.layer = lname;
                if (detail::find(ls[m], "tau_w")) {
                    st.tau_w = detail::get_number(ls[m], "tau_w", ss);
                    if (*st.tau_w < 0) ss.fail_field("tau_w", "thresholds on |w| must be >= 0");
                }
                if (detail::find(ls[m], "tau_a")) st.tau_a = detail::get_number(ls[m], "tau_a", ss);
                if (!st.tau_w && !st.tau_a) ss.fail("give tau_w, tau_a or both");
                jp.layers.push_back(std::move(st));
            }
            t.joint.push_back(std::move(jp));
        }
    }
    if (clamped > 0)
        t.notes.push_back(std::string(source) + ": " + std::to_string(clamped) + " negative drop" +
                          (clamped == 1 ? "" : "s") + " within the noise tolerance (" + sparsity::detail::num(t.noise) +
                          " points) read as 0; the most negative: " + sparsity::detail::num(worst) + " at " + worst_at);
    return t;
}

inline sparsity::accuracy_table load_accuracy_table(const std::filesystem::path& path, const network* net = nullptr) {
    return read_accuracy_table(load_json_file(path), path.string(), net);
}

inline nlohmann::ordered_json write_accuracy_table(const sparsity::accuracy_table& t) {
    using sparsity_detail::ojson;
    ojson j;
    j["format"] = std::string(sparsity_detail::accuracy_format);
    j["version"] = 1;
    j["network"] = t.network;
    j["synthetic"] = t.synthetic;
    j["provenance"] = t.provenance;
    j["metric"] = t.metric;
    if (t.baseline) j["baseline"] = *t.baseline;
    if (t.joint.empty() || !t.fit_interaction) j["interaction"] = t.interaction;
    j["noise"] = t.noise;
    if (!t.joint.empty()) j["joint_radius"] = t.joint_radius;
    ojson layers = ojson::array();
    for (const auto& l : t.layers) {
        ojson e{{"name", l.layer}};
        if (!l.tau_w.empty()) e[l.by_weight_sparsity ? "weight_sparsity" : "tau_w"] = l.tau_w;
        if (!l.tau_a.empty()) e["tau_a"] = l.tau_a;
        if (l.kind() != sparsity::layer_accuracy::form::grid) {
            e["drop"] = l.drop;
        } else {
            ojson drop = ojson::array();
            for (std::size_t r = 0; r < l.tau_w.size(); ++r) {
                ojson row = ojson::array();
                for (std::size_t c = 0; c < l.tau_a.size(); ++c) row.push_back(l.drop[r * l.tau_a.size() + c]);
                drop.push_back(std::move(row));
            }
            e["drop"] = std::move(drop);
        }
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    if (!t.joint.empty()) {
        ojson joint = ojson::array();
        for (const auto& p : t.joint) {
            ojson ls = ojson::array();
            for (const auto& st : p.layers) {
                ojson e{{"name", st.layer}};
                if (st.tau_w) e["tau_w"] = *st.tau_w;
                if (st.tau_a) e["tau_a"] = *st.tau_a;
                ls.push_back(std::move(e));
            }
            joint.push_back({{"layers", std::move(ls)}, {"drop", p.drop}});
        }
        j["joint"] = std::move(joint);
    }
    return j;
}

// ============================================================================
// Thresholds (a candidate or a search result)
// ============================================================================

/// Turns the weight tables of `t` keyed by "weight_sparsity" into tau_w tables:
/// the fraction s of layer l's weights becomes threshold_for_sparsity(|w| of l, s),
/// the threshold that prunes round(s N) of its N weights, so the table is
/// exact at the thresholds the search steps through. The layer needs raw
/// magnitudes in `stats` (from the file or the model's weights). Returns the
/// number of entries resolved; errors name `source` and the layer.
inline std::size_t resolve_weight_sparsity(sparsity::accuracy_table& t, const sparsity::decomposed_statistics& stats,
                                           std::string_view source) {
    std::size_t n = 0;
    std::vector<std::string> unused;
    std::erase_if(t.layers, [&](const sparsity::layer_accuracy& l) {
        if (!l.by_weight_sparsity || stats.find(l.layer)) return false;
        unused.push_back(l.layer);
        return true;
    });
    for (const auto& u : unused)
        t.notes.push_back(std::string(source) + ": layer '" + u +
                          "': a weight_sparsity table for a layer the statistics do not threshold: ignored");
    for (auto& l : t.layers) {
        if (!l.by_weight_sparsity) continue;
        const std::string at = std::string(source) + ": layer '" + l.layer + "': ";
        const sparsity::decomposed_histograms* d = stats.find(l.layer);
        if (!d->raw_weights())
            throw hass::error(at + "the table gives weight_sparsity, which needs the layer's weights: the statistics "
                                   "give a tau_w grid instead (give tau_w in the table, or weights in the statistics "
                                   "or the model)");
        std::vector<float> sorted(d->magnitudes);
        std::sort(sorted.begin(), sorted.end());
        std::vector<double> tau;
        for (double s : l.tau_w) {
            const double x = sparsity::threshold_for_sparsity(sorted, s);
            if (!tau.empty() && !(x > tau.back()))
                throw hass::error(at + "weight_sparsity " + sparsity::detail::num(s) +
                                  " gives the same threshold as the point before it (" + sparsity::detail::num(x) +
                                  ": equal magnitudes, or fewer weights than points); leave one out");
            tau.push_back(x);
        }
        l.tau_w = std::move(tau);
        l.by_weight_sparsity = false;
        ++n;
    }
    return n;
}

/// Reads {"layers": [{"name", "tau_w", "tau_a"}, ...]} into one pair per layer
/// of the predictor (in its order). An entry names a layer with statistics
/// (its tau_w and/or the tau_a it reads) or an activation layer (its tau_a, for
/// every layer reading it). Layers not in the file get their minimum
/// thresholds; unknown names, thresholds outside a layer's grid and two
/// different tau_a for one activation layer are errors.
inline std::vector<sparsity::threshold_pair> read_thresholds(const json& j, std::string_view source,
                                                             const sparsity::predictor& p) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a thresholds file");
    detail::check_keys(j, {"format", "version", "network", "layers"}, top, "a thresholds file");
    check_header(j, top, thresholds_format);
    std::vector<sparsity::threshold_pair> out = p.minimum_thresholds();
    std::vector<bool> seen(out.size(), false);
    std::vector<int> group_set(p.activation_groups(), -1); // the entry that set a group's tau_a
    std::vector<double> group_value(p.activation_groups(), 0.0);
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& e = layers[i];
        std::string name;
        const scope s = layer_scope(e, i, source, "layers", name);
        detail::check_keys(e, {"name", "tau_w", "tau_a", "activation_layer", "weight_sparsity"}, s, "a thresholds entry");
        const int idx = p.index_of(name);
        int group = -1;
        for (std::size_t g = 0; g < p.activation_groups(); ++g)
            if (p.group_name(g) == name) group = static_cast<int>(g);
        if (idx < 0 && group < 0) s.fail("unknown layer: the statistics have no layer or activation layer of that name");
        if (idx >= 0) {
            const auto k = static_cast<std::size_t>(idx);
            if (seen[k]) s.fail("appears twice in the file");
            seen[k] = true;
            group = static_cast<int>(p.activation_group(k));
            out[k].tau_w = detail::get_number(e, "tau_w", s, out[k].tau_w);
            try {
                (void)p.weight_sparsity(k, out[k].tau_w);
            } catch (const hass::error& err) {
                s.fail(strip_layer(err.what(), name));
            }
            if (const json* a = detail::find(e, "activation_layer"))
                if (!a->is_string() || a->get<std::string>() != p.activation_owner(k))
                    s.fail_field("activation_layer", "the layer reads '" + p.activation_owner(k) + "', not " + a->dump());
        } else if (detail::find(e, "tau_w")) {
            s.fail_field("tau_w", "'" + name + "' is an activation layer: it has no weights");
        }
        if (!detail::find(e, "tau_a")) continue;
        const double ta = detail::get_number(e, "tau_a", s);
        const auto g = static_cast<std::size_t>(group);
        if (group_set[g] >= 0 && group_value[g] != ta)
            s.fail_field("tau_a", "activation layer '" + p.group_name(g) + "' gets tau_a " + sparsity::detail::num(ta) +
                                      " here but " + sparsity::detail::num(group_value[g]) + " from layers[" +
                                      std::to_string(group_set[g]) + "]; the layers reading it share one tau_a");
        group_set[g] = static_cast<int>(i);
        group_value[g] = ta;
        for (std::size_t m : p.group_members(g)) {
            out[m].tau_a = ta;
            try {
                (void)p.activation_sparsity(m, ta);
            } catch (const hass::error& err) {
                s.fail(strip_layer(err.what(), name));
            }
        }
    }
    return out;
}

inline std::vector<sparsity::threshold_pair> load_thresholds(const std::filesystem::path& path,
                                                             const sparsity::predictor& p) {
    return read_thresholds(load_json_file(path), path.string(), p);
}

/// One entry of a thresholds file, read without statistics (for product histograms).
struct threshold_entry {
    std::string layer;
    std::optional<double> tau_w, tau_a;
};

/// The entries of a thresholds file as written (names are not checked).
inline std::vector<threshold_entry> read_threshold_entries(const json& j, std::string_view source) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a thresholds file");
    detail::check_keys(j, {"format", "version", "network", "layers"}, top, "a thresholds file");
    check_header(j, top, thresholds_format);
    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    std::vector<threshold_entry> out;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& e = layers[i];
        std::string name;
        const scope s = layer_scope(e, i, source, "layers", name);
        detail::check_keys(e, {"name", "tau_w", "tau_a", "activation_layer", "weight_sparsity"}, s, "a thresholds entry");
        for (const auto& o : out)
            if (o.layer == name) s.fail("appears twice in the file");
        threshold_entry t;
        t.layer = name;
        if (detail::find(e, "tau_w")) t.tau_w = detail::get_number(e, "tau_w", s);
        if (detail::find(e, "tau_a")) t.tau_a = detail::get_number(e, "tau_a", s);
        if (t.tau_w && (!(*t.tau_w >= 0) || !std::isfinite(*t.tau_w))) s.fail_field("tau_w", "must be finite and >= 0");
        if (t.tau_a && (!(*t.tau_a >= 0) || !std::isfinite(*t.tau_a))) s.fail_field("tau_a", "must be finite and >= 0");
        out.push_back(std::move(t));
    }
    return out;
}

/// One layer's thresholds as a thresholds file gives them.
struct named_thresholds {
    std::string name;
    double tau_w = 0, tau_a = 0;
};

/// Reads a "hass.sparsity.thresholds" file without its statistics (hass
/// emit-hls bakes the values into the design), one entry per convolution or
/// inner product of `net`. An entry naming an activation layer (relu, relu6)
/// gives its tau_a to every weighted layer that reads it, directly or through
/// a split; a weighted layer's own tau_a takes precedence. Thresholds must be
/// finite and >= 0.
inline std::vector<named_thresholds> read_threshold_values(const json& j, std::string_view source,
                                                           const network& net) {
    using namespace sparsity_detail;
    const scope top{std::string(source)};
    std::vector<named_thresholds> out;
    std::vector<std::pair<int, double>> activations; // (activation layer, tau_a)
    for (const threshold_entry& e : read_threshold_entries(j, source)) {
        const int idx = net.find(e.layer);
        if (idx < 0) top.fail("layer '" + e.layer + "': unknown layer: network '" + net.name.str() + "' has no layer of that name");
        const layer& l = net.layers[static_cast<std::size_t>(idx)];
        if (!l.has_weights()) {
            if (l.type != layer_type::relu && l.type != layer_type::relu6)
                top.fail("layer '" + e.layer + "': only convolutions, inner products and activation layers (relu, relu6) take thresholds");
            if (e.tau_w) top.fail("layer '" + e.layer + "': an activation layer takes tau_a only");
            activations.emplace_back(idx, e.tau_a.value_or(0.0));
            continue;
        }
        out.push_back({e.layer, e.tau_w.value_or(0.0), e.tau_a.value_or(-1.0)});
    }
    // the activation layer a weighted layer reads (through splits)
    auto source_activation = [&](int i) {
        int src = net.layers[static_cast<std::size_t>(i)].inputs.empty() ? network_input
                                                                          : net.layers[static_cast<std::size_t>(i)].inputs.front();
        while (src >= 0 && net.layers[static_cast<std::size_t>(src)].type == layer_type::split)
            src = net.layers[static_cast<std::size_t>(src)].inputs.front();
        return src;
    };
    for (std::size_t i = 0; i < net.size(); ++i) {
        if (!net.layers[i].has_weights()) continue;
        const int act = source_activation(static_cast<int>(i));
        for (const auto& [a, tau] : activations) {
            if (a != act) continue;
            auto it = std::find_if(out.begin(), out.end(), [&](const named_thresholds& t) { return t.name == net.layers[i].name.view(); });
            if (it == out.end()) out.push_back({net.layers[i].name.str(), 0.0, tau});
            else if (it->tau_a < 0) it->tau_a = tau;
        }
    }
    for (auto& t : out)
        if (t.tau_a < 0) t.tau_a = 0;
    return out;
}

/// One entry per layer: its tau_w and the tau_a it reads, with "activation_layer"
/// when that belongs to an activation layer and "weight_sparsity" (informative).
inline nlohmann::ordered_json write_thresholds(const sparsity::predictor& p, std::span<const sparsity::threshold_pair> t) {
    using sparsity_detail::ojson;
    if (t.size() != p.size())
        throw hass::error("write_thresholds: got " + std::to_string(t.size()) + " threshold pairs for " +
                          std::to_string(p.size()) + " layers");
    ojson j;
    j["format"] = std::string(sparsity_detail::thresholds_format);
    j["version"] = 1;
    j["network"] = p.network_name();
    ojson layers = ojson::array();
    for (std::size_t i = 0; i < t.size(); ++i) {
        ojson e{{"name", p.name(i)}, {"tau_w", t[i].tau_w}, {"tau_a", t[i].tau_a}};
        if (p.activation_owner(i) != p.name(i)) e["activation_layer"] = p.activation_owner(i);
        e["weight_sparsity"] = p.weight_sparsity(i, t[i].tau_w);
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

} // namespace hass::io
