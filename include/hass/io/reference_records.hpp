// Standalone-layer records of the fpgaConvNet reference model, and the check
// that hass's reference mode reproduces them (docs/cost_model.md, "Checking
// against the reference"; `hass check-reference FILE.json`).
//
// A record file is {"meta": {...}, "records": [{"id", "layer_type", "inputs",
// "outputs"}, ...]}: `inputs` are the arguments of one of fpgaConvNet's layer
// constructors (ConvolutionLayer, ConvolutionSparseLayer,
// ConvolutionPointwiseSparseLayer, InnerProductLayer, PoolingLayer, ReLULayer,
// GlobalPoolingLayer, EltWiseLayer, and also SqueezeLayer, SplitLayer,
// HardswishLayer, ThresholdedReLULayer, ConcatLayer), `outputs` what the
// reference returned: latency, pipeline_depth, rate_in, rate_out, the layer's
// resource totals and every module's figure.
//
// Needs nlohmann-json; not part of <hass/hass.hpp>.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/core/error.hpp"
#include "hass/cost/reference_layer.hpp"
#include "hass/io/json.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"

namespace hass::io {

/// A record's layer as hass models it.
struct reference_record {
    count_t id = 0;
    std::string layer_type;
    cost::reference_kind kind = cost::reference_kind::relu;
    layer l;
    folding f;
    /// The reference ignores an inner product's use_uram and stream_weights at construction.
    bool honour_storage = true;
};

namespace detail {

struct record_kind {
    std::string_view name;
    cost::reference_kind kind;
    std::vector<std::string_view> keys; ///< constructor arguments the reference accepts
};

inline const std::vector<record_kind>& record_kinds() {
    static const std::vector<std::string_view> common{"backend", "regression_model", "input_compression_ratio",
                                                      "output_compression_ratio"};
    auto with = [&](std::vector<std::string_view> v) {
        v.insert(v.end(), common.begin(), common.end());
        return v;
    };
    static const std::vector<std::string_view> conv{
        "filters",     "rows",       "cols",         "channels",   "coarse_in",   "coarse_out",
        "coarse_group", "kernel_rows", "kernel_cols", "stride_rows", "stride_cols", "groups",
        "pad_top",     "pad_right",  "pad_bottom",   "pad_left",   "fine",        "input_t",
        "output_t",    "weight_t",   "acc_t",        "has_bias",   "block_floating_point",
        "stream_weights", "use_uram", "weight_compression_ratio"};
    auto conv_with = [&](std::vector<std::string_view> extra) {
        std::vector<std::string_view> v = conv;
        v.insert(v.end(), extra.begin(), extra.end());
        return with(v);
    };
    static const std::vector<record_kind> kinds{
        {"ConvolutionLayer", cost::reference_kind::convolution, conv_with({})},
        {"ConvolutionSparseLayer", cost::reference_kind::convolution_sparse,
         conv_with({"channel_sparsity_hist", "skip_all_zero_window", "channel_density"})},
        {"ConvolutionPointwiseSparseLayer", cost::reference_kind::convolution_pointwise,
         conv_with({"channel_sparsity_avg", "clusters", "channel_density"})},
        {"InnerProductLayer", cost::reference_kind::inner_product,
         with({"filters", "rows", "cols", "channels", "coarse_in", "coarse_out", "input_t", "output_t", "weight_t",
               "acc_t", "has_bias", "block_floating_point", "stream_weights", "use_uram",
               "weight_compression_ratio"})},
        {"PoolingLayer", cost::reference_kind::pooling,
         with({"rows", "cols", "channels", "coarse", "pool_type", "kernel_rows", "kernel_cols", "stride_rows",
               "stride_cols", "pad_top", "pad_right", "pad_bottom", "pad_left", "fine", "data_t"})},
        {"ReLULayer", cost::reference_kind::relu, with({"rows", "cols", "channels", "coarse", "data_t"})},
        {"ThresholdedReLULayer", cost::reference_kind::relu,
         with({"rows", "cols", "channels", "coarse", "data_t", "threshold"})},
        {"HardswishLayer", cost::reference_kind::hardswish,
         with({"rows", "cols", "channels", "coarse", "input_t", "output_t"})},
        {"GlobalPoolingLayer", cost::reference_kind::global_pooling,
         with({"rows", "cols", "channels", "coarse", "data_t", "acc_t", "op_type"})},
        {"EltWiseLayer", cost::reference_kind::eltwise,
         with({"rows", "cols", "channels", "ports_in", "coarse", "op_type", "broadcast", "data_t", "acc_t"})},
        {"ConcatLayer", cost::reference_kind::concat,
         with({"rows", "cols", "channels", "ports_in", "coarse", "data_t"})},
        {"SplitLayer", cost::reference_kind::split,
         with({"rows", "cols", "channels", "coarse", "ports_out", "data_t"})},
        {"SqueezeLayer", cost::reference_kind::squeeze,
         with({"rows", "cols", "channels", "coarse_in", "coarse_out", "data_t"})},
    };
    return kinds;
}

/// A fixed-point type {"width", "binary_point"}: its width (default when absent).
inline count_t read_type_width(const json& in, std::string_view key, const scope& s, count_t fallback) {
    const json* v = find(in, key);
    if (!v) return fallback;
    if (!v->is_object()) s.fail_field(key, "expected a fixed-point type {\"width\", \"binary_point\"}, got " + describe(*v));
    const scope inner = s.nested(key);
    check_keys(*v, {"width", "binary_point"}, inner, "a fixed-point type");
    const count_t w = get_integer(*v, "width", inner, 1);
    if (w > 64) inner.fail_field("width", "widths above 64 bits are not supported");
    return w;
}

inline bool read_flag(const json& in, std::string_view key, const scope& s, bool fallback) {
    const json* v = find(in, key);
    if (!v) return fallback;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number_integer() && (v->get<count_t>() == 0 || v->get<count_t>() == 1)) return v->get<count_t>() == 1;
    s.fail_field(key, "expected true/false or 0/1, got " + describe(*v));
}

inline std::vector<double> read_numbers(const json& v, const scope& s, std::string_view field) {
    std::vector<double> out;
    auto walk = [&](auto&& self, const json& j) -> void {
        if (j.is_array()) {
            for (const auto& x : j) self(self, x);
            return;
        }
        if (!j.is_number()) s.fail_field(field, "expected numbers, got " + describe(j));
        const double d = j.get<double>();
        if (!std::isfinite(d)) s.fail_field(field, "expected finite numbers");
        out.push_back(d);
    };
    walk(walk, v);
    return out;
}

} // namespace detail

/// Reads one record's layer and folding. Throws hass::error naming the record
/// and the field for an unknown layer type, an unknown or malformed field, or a
/// configuration the reference cannot build.
inline reference_record read_reference_record(const json& rec, std::string_view source) {
    using namespace detail;
    reference_record r;
    const scope top(std::string(source) + ": record");
    require_object(rec, top, "a record");
    if (const json* id = find(rec, "id"); id && id->is_number_integer()) r.id = id->get<count_t>();
    const scope s(std::string(source) + ": record " + std::to_string(r.id));
    r.layer_type = get_string(rec, "layer_type", s);
    const record_kind* kind = nullptr;
    for (const auto& k : record_kinds())
        if (k.name == r.layer_type) kind = &k;
    if (!kind) {
        std::string list;
        for (const auto& k : record_kinds()) list += (list.empty() ? "" : ", ") + std::string(k.name);
        s.fail("unknown layer_type '" + r.layer_type + "' (supported: " + list + ")");
    }
    r.kind = kind->kind;
    const json& in = require(rec, "inputs", s);
    const scope is = s.nested("inputs");
    require_object(in, s, "field 'inputs'");
    check_keys(in, kind->keys, s, r.layer_type, "inputs.");
    if (get_string(in, "backend", is, "chisel") != "chisel")
        is.fail_field("backend", "only the chisel backend is modelled");
    if (get_string(in, "regression_model", is, "linear_regression") != "linear_regression")
        is.fail_field("regression_model", "only the linear_regression resource model is modelled");

    layer& l = r.l;
    folding& f = r.f;
    l.name = "record_" + std::to_string(r.id);
    l.in = {get_integer(in, "rows", is, 1), get_integer(in, "cols", is, 1), get_integer(in, "channels", is, 1)};
    l.inputs = {network_input};
    auto pads = [&] {
        l.pad_top = get_integer(in, "pad_top", is, 0, 0);
        l.pad_right = get_integer(in, "pad_right", is, 0, 0);
        l.pad_bottom = get_integer(in, "pad_bottom", is, 0, 0);
        l.pad_left = get_integer(in, "pad_left", is, 0, 0);
    };
    auto window_out = [&]() -> tensor_shape {
        if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
            is.fail_field("kernel_rows", "the kernel is larger than the padded input");
        return {(l.padded_rows() - l.kernel_rows) / l.stride_rows + 1,
                (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1, l.in.channels};
    };
    auto coarse = [&] {
        f.coarse_in = f.coarse_out = get_integer(in, "coarse", is, 1, 1);
        if (l.in.channels % f.coarse_in != 0)
            is.fail_field("coarse", "coarse " + std::to_string(f.coarse_in) + " does not divide the channels " +
                                        std::to_string(l.in.channels));
    };
    switch (r.kind) {
    case cost::reference_kind::convolution:
    case cost::reference_kind::convolution_sparse:
    case cost::reference_kind::convolution_pointwise: {
        const bool pw = r.kind == cost::reference_kind::convolution_pointwise;
        l.type = layer_type::convolution;
        l.kernel_rows = get_integer(in, "kernel_rows", is, 1, 1);
        l.kernel_cols = get_integer(in, "kernel_cols", is, 1, 1);
        if (pw && (l.kernel_rows != 1 || l.kernel_cols != 1))
            is.fail_field("kernel_rows", "a pointwise sparse convolution has a 1x1 kernel");
        const count_t default_stride = r.kind == cost::reference_kind::convolution ? 1 : 2;
        l.stride_rows = get_integer(in, "stride_rows", is, 1, default_stride);
        l.stride_cols = get_integer(in, "stride_cols", is, 1, default_stride);
        pads();
        l.groups = get_integer(in, "groups", is, 1, 1);
        const count_t F = get_integer(in, "filters", is, 1);
        if (l.in.channels % l.groups != 0 || F % l.groups != 0)
            is.fail_field("groups", "groups " + std::to_string(l.groups) + " must divide the channels and filters");
        l.out = window_out();
        l.out.channels = F;
        l.bias = read_flag(in, "has_bias", is, false);
        l.block_floating_point = read_flag(in, "block_floating_point", is, false);
        l.width.data = read_type_width(in, "input_t", is, 16);
        l.width.output = read_type_width(in, "output_t", is, 16);
        l.width.weight = read_type_width(in, "weight_t", is, 16);
        l.width.acc = read_type_width(in, "acc_t", is, 32);
        f.coarse_in = get_integer(in, "coarse_in", is, 1, 1);
        f.coarse_out = get_integer(in, "coarse_out", is, 1, 1);
        f.coarse_group = get_integer(in, "coarse_group", is, 1, 1);
        f.fine = get_integer(in, "fine", is, 1, 1);
        if ((l.in.channels / l.groups) % f.coarse_in != 0)
            is.fail_field("coarse_in", "does not divide the channels per group");
        if ((F / l.groups) % f.coarse_out != 0) is.fail_field("coarse_out", "does not divide the filters per group");
        if (l.groups % f.coarse_group != 0) is.fail_field("coarse_group", "does not divide the groups");
        if (read_flag(in, "use_uram", is, false)) f.weights = weight_storage::uram;
        f.stream_weights = get_integer(in, "stream_weights", is, 0, 0);
        const count_t S = f.coarse_in * f.coarse_group;
        if (r.kind == cost::reference_kind::convolution_sparse) {
            const count_t K = l.kernel_size();
            if (f.fine > K) is.fail_field("fine", "fine " + std::to_string(f.fine) + " is outside 1..K = 1.." + std::to_string(K));
            const json& h = require(in, "channel_sparsity_hist", is);
            std::vector<double> hist = read_numbers(h, is, "channel_sparsity_hist");
            l.sparsity = make_sparsity_stats(l.in.channels, K, std::move(hist),
                                             s.where + ": field 'inputs.channel_sparsity_hist'");
            l.sparsity.skip_all_zero = read_flag(in, "skip_all_zero_window", is, true);
            l.sparsity.model = sparse_model::window;
            l.sparsity.always_sparse = true;
            l.sparsity.prepare();
        } else if (pw) {
            const json& a = require(in, "channel_sparsity_avg", is);
            const std::vector<double> avg = read_numbers(a, is, "channel_sparsity_avg");
            if (static_cast<count_t>(avg.size()) != l.in.channels)
                is.fail_field("channel_sparsity_avg", "has " + std::to_string(avg.size()) + " entries but the layer has " +
                                                          std::to_string(l.in.channels) + " channels");
            std::vector<double> hist;
            for (double v : avg) {
                if (!(v >= 0 && v <= 1)) is.fail_field("channel_sparsity_avg", "entries must lie in [0, 1]");
                hist.push_back(1.0 - v);
                hist.push_back(v);
            }
            l.sparsity = make_sparsity_stats(l.in.channels, 1, std::move(hist), s.where);
            // keep the exact averages (1 - (1 - v) need not equal v)
            for (std::size_t c = 0; c < avg.size(); ++c) l.sparsity.histogram[2 * c + 1] = avg[c];
            l.sparsity.model = sparse_model::pointwise;
            l.sparsity.always_sparse = true;
            l.sparsity.clusters = get_integer(in, "clusters", is, 1, 1);
            if (S % l.sparsity.clusters != 0) is.fail_field("clusters", "must divide coarse_in * coarse_group");
            if (f.fine > l.in.channels / S)
                is.fail_field("fine", "fine " + std::to_string(f.fine) +
                                          " leaves no channel to accumulate (fine > channels / (coarse_in * coarse_group)); "
                                          "the reference has no estimate for this layer");
        } else if (l.kernel_size() % f.fine != 0) {
            is.fail_field("fine", "fine " + std::to_string(f.fine) + " does not divide the kernel size " +
                                      std::to_string(l.kernel_size()));
        }
        break;
    }
    case cost::reference_kind::inner_product: {
        l.type = layer_type::inner_product;
        const count_t F = get_integer(in, "filters", is, 1);
        l.out = {1, 1, F};
        l.bias = read_flag(in, "has_bias", is, false);
        l.block_floating_point = read_flag(in, "block_floating_point", is, false);
        l.width.data = read_type_width(in, "input_t", is, 16);
        l.width.output = read_type_width(in, "output_t", is, 16);
        l.width.weight = read_type_width(in, "weight_t", is, 16);
        l.width.acc = read_type_width(in, "acc_t", is, 32);
        f.coarse_in = get_integer(in, "coarse_in", is, 1, 1);
        f.coarse_out = get_integer(in, "coarse_out", is, 1, 1);
        if (l.in.size() % f.coarse_in != 0) is.fail_field("coarse_in", "does not divide rows * cols * channels");
        if (F % f.coarse_out != 0) is.fail_field("coarse_out", "does not divide the filters");
        if (read_flag(in, "use_uram", is, false)) f.weights = weight_storage::uram;
        f.stream_weights = get_integer(in, "stream_weights", is, 0, 0);
        r.honour_storage = false;
        break;
    }
    case cost::reference_kind::pooling: {
        l.type = layer_type::pooling;
        const std::string pool_type = get_string(in, "pool_type", is, "max");
        if (pool_type != "max" && pool_type != "avg") is.fail_field("pool_type", "expected \"max\" or \"avg\"");
        l.pool = pool_type == "max" ? pool_op::max : pool_op::avg;
        l.kernel_rows = get_integer(in, "kernel_rows", is, 1, 1);
        l.kernel_cols = get_integer(in, "kernel_cols", is, 1, 1);
        l.stride_rows = get_integer(in, "stride_rows", is, 1, 1);
        l.stride_cols = get_integer(in, "stride_cols", is, 1, 1);
        pads();
        l.out = window_out();
        l.width.data = read_type_width(in, "data_t", is, 16);
        coarse();
        break;
    }
    case cost::reference_kind::relu:
    case cost::reference_kind::hardswish: {
        l.type = r.kind == cost::reference_kind::hardswish ? layer_type::hardswish
                 : find(in, "threshold")                  ? layer_type::thresholded_relu
                                                          : layer_type::relu;
        if (l.type == layer_type::thresholded_relu) l.threshold = get_number(in, "threshold", is);
        l.out = l.in;
        l.width.data = read_type_width(in, r.kind == cost::reference_kind::hardswish ? "input_t" : "data_t", is, 16);
        coarse();
        break;
    }
    case cost::reference_kind::global_pooling: {
        l.type = layer_type::global_pooling;
        if (get_string(in, "op_type", is, "avg") != "avg") is.fail_field("op_type", "only \"avg\" is modelled");
        l.pool = pool_op::avg;
        l.out = {1, 1, l.in.channels};
        l.width.data = read_type_width(in, "data_t", is, 16);
        l.width.acc = read_type_width(in, "acc_t", is, 32);
        coarse();
        break;
    }
    case cost::reference_kind::eltwise: {
        l.type = layer_type::eltwise;
        const std::string op = get_string(in, "op_type", is, "add");
        if (op != "add" && op != "mul") is.fail_field("op_type", "expected \"add\" or \"mul\"");
        l.op = op == "add" ? eltwise_op::add : eltwise_op::mul;
        l.broadcast = read_flag(in, "broadcast", is, false);
        const count_t ports = get_integer(in, "ports_in", is, 1, 1);
        l.inputs.assign(static_cast<std::size_t>(ports), network_input);
        l.out = l.in;
        l.width.data = read_type_width(in, "data_t", is, 16);
        l.width.acc = read_type_width(in, "acc_t", is, 32);
        coarse();
        break;
    }
    case cost::reference_kind::concat: {
        l.type = layer_type::concat;
        l.out = l.in;
        l.width.data = read_type_width(in, "data_t", is, 16);
        coarse();
        break;
    }
    case cost::reference_kind::split: {
        l.type = layer_type::split;
        l.out = l.in;
        l.fan_out = get_integer(in, "ports_out", is, 1, 1);
        l.width.data = read_type_width(in, "data_t", is, 16);
        coarse();
        break;
    }
    case cost::reference_kind::squeeze: {
        l.type = layer_type::squeeze;
        l.out = l.in;
        l.width.data = read_type_width(in, "data_t", is, 16);
        f.coarse_in = get_integer(in, "coarse_in", is, 1);
        f.coarse_out = get_integer(in, "coarse_out", is, 1);
        if (l.in.channels % f.coarse_in != 0 || l.in.channels % f.coarse_out != 0)
            is.fail_field("coarse_in", "coarse_in and coarse_out must divide the channels");
        break;
    }
    }
    l.width.output = l.type == layer_type::convolution || l.type == layer_type::inner_product ? l.width.output
                                                                                              : l.width.data;
    return r;
}

/// What hass's reference mode gives for a record, with the module figures by key.
struct reference_evaluation {
    cost::layer_figures totals;
    std::vector<std::pair<std::string, cost::module_figure>> modules;
};

inline reference_evaluation evaluate_reference_record(const reference_record& r) {
    reference_evaluation out;
    out.totals = cost::fpgaconvnet_layer(
        cost::chisel_linear_regression, r.l, r.f,
        [&](std::string_view key, const cost::module_figure& m, count_t, bool) { out.modules.emplace_back(key, m); },
        r.honour_storage);
    return out;
}

/// The comparison of one record.
struct record_comparison {
    count_t id = 0;
    std::string layer_type;
    bool exact = false;       ///< latency, pipeline depth, totals and every module figure agree
    bool rates_exact = false; ///< rate_in and rate_out agree to the last bit
    std::vector<std::string> differences;
    std::string error; ///< the record could not be evaluated
};

namespace detail {
inline std::string number_text(double v) {
    json j = v;
    return j.dump();
}
} // namespace detail

/// Compares hass's reference mode with one record's outputs.
inline record_comparison compare_reference_record(const json& rec, std::string_view source) {
    record_comparison c;
    if (rec.is_object()) {
        if (const json* id = detail::find(rec, "id"); id && id->is_number_integer()) c.id = id->get<count_t>();
        if (const json* t = detail::find(rec, "layer_type"); t && t->is_string()) c.layer_type = t->get<std::string>();
    }
    reference_record r;
    reference_evaluation e;
    try {
        r = read_reference_record(rec, source);
        e = evaluate_reference_record(r);
    } catch (const hass::error& ex) {
        c.error = ex.what();
        return c;
    }
    if (e.totals.undefined) {
        c.error = "the reference has no estimate for this layer (a feature needs bits() of 0)";
        return c;
    }
    const json* outputs = detail::find(rec, "outputs");
    if (!outputs || !outputs->is_object()) {
        c.error = std::string(source) + ": record " + std::to_string(c.id) + ": missing object 'outputs'";
        return c;
    }
    auto diff = [&](std::string field, const std::string& want, const std::string& got) {
        c.differences.push_back(field + ": reference " + want + ", hass " + got);
    };
    auto check_int = [&](const json& obj, std::string_view key, count_t got, const std::string& field) {
        const json* v = detail::find(obj, key);
        if (!v) return;
        if (!v->is_number() || v->get<double>() != static_cast<double>(got)) diff(field, v->dump(), std::to_string(got));
    };
    auto check_num = [&](const json& obj, std::string_view key, double got, const std::string& field) {
        const json* v = detail::find(obj, key);
        if (!v) return;
        if (!v->is_number() || v->get<double>() != got) diff(field, v->dump(), detail::number_text(got));
    };
    check_int(*outputs, "latency", e.totals.latency, "latency");
    check_int(*outputs, "pipeline_depth", e.totals.pipeline_depth, "pipeline_depth");
    if (const json* res = detail::find(*outputs, "resource"); res && res->is_object()) {
        check_int(*res, "LUT", e.totals.lut, "resource.LUT");
        check_int(*res, "FF", e.totals.ff, "resource.FF");
        check_num(*res, "DSP", e.totals.dsp, "resource.DSP");
        check_int(*res, "BRAM", e.totals.bram, "resource.BRAM");
        check_int(*res, "URAM", e.totals.uram, "resource.URAM");
    } else {
        c.differences.push_back("outputs: no 'resource' object");
    }
    if (const json* mods = detail::find(*outputs, "modules"); mods && mods->is_object()) {
        for (const auto& item : mods->items()) {
            const auto it = std::find_if(e.modules.begin(), e.modules.end(),
                                         [&](const auto& m) { return m.first == item.key(); });
            if (it == e.modules.end()) {
                c.differences.push_back("module '" + item.key() + "': listed by the reference, not built by hass");
                continue;
            }
            const json* rsc = detail::find(item.value(), "rsc");
            if (!rsc) continue;
            const cost::module_figure& m = it->second;
            const std::string p = "modules." + item.key() + ".";
            check_int(*rsc, "LUT", m.lut, p + "LUT");
            check_int(*rsc, "FF", m.ff, p + "FF");
            check_num(*rsc, "DSP", m.dsp, p + "DSP");
            check_int(*rsc, "BRAM", m.bram, p + "BRAM");
            check_int(*rsc, "Logic_LUT", m.logic_lut, p + "Logic_LUT");
            check_int(*rsc, "LUT_RAM", m.lut_ram, p + "LUT_RAM");
            check_int(*rsc, "LUT_SR", m.lut_sr, p + "LUT_SR");
            check_int(*rsc, "BRAM36", m.bram36, p + "BRAM36");
            check_int(*rsc, "BRAM18", m.bram18, p + "BRAM18");
        }
        for (const auto& m : e.modules)
            if (!detail::find(*mods, m.first))
                c.differences.push_back("module '" + m.first + "': built by hass, not listed by the reference");
    }
    c.exact = c.differences.empty();
    const std::size_t before = c.differences.size();
    check_num(*outputs, "rate_in", e.totals.rate_in, "rate_in");
    check_num(*outputs, "rate_out", e.totals.rate_out, "rate_out");
    c.rates_exact = c.differences.size() == before;
    return c;
}

/// Per layer type: records, exact matches, rate matches.
struct reference_summary {
    struct counts {
        count_t records = 0, exact = 0, rates = 0, errors = 0;
    };
    std::map<std::string, counts> by_type;
    std::vector<record_comparison> records;
    count_t total = 0, exact = 0, rates_exact = 0;
    /// Every record agrees: figures and module rates.
    bool all_agree() const noexcept { return exact == total && rates_exact == total; }
};

/// Checks every record of a record file.
inline reference_summary check_reference_records(const json& file, std::string_view source) {
    const detail::scope s{std::string(source)};
    detail::require_object(file, s, "a reference record file");
    const json& records = detail::require(file, "records", s);
    if (!records.is_array()) s.fail_field("records", "expected an array of records");
    reference_summary out;
    for (const json& rec : records) {
        record_comparison c = compare_reference_record(rec, source);
        auto& n = out.by_type[c.layer_type.empty() ? std::string("(unknown)") : c.layer_type];
        ++n.records;
        ++out.total;
        if (!c.error.empty()) ++n.errors;
        if (c.exact) {
            ++n.exact;
            ++out.exact;
        }
        if (c.rates_exact) {
            ++n.rates;
            ++out.rates_exact;
        }
        out.records.push_back(std::move(c));
    }
    return out;
}

} // namespace hass::io
