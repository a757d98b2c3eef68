// layers/<name>.hpp of a generated design: per layer, its geometry and folding
// as constexpr constants, its fixed-point types, the constants and table of the
// modules hass::for_each_module builds, the folding rules as static_asserts
// readable without hass, the kernel instantiation (conv_config.hpp), the model
// checks (model_checks.hpp), and the layer function that runs the kernels.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "hass/hls/emit/context.hpp"
#include "hass/hls/emit/conv_config.hpp"
#include "hass/hls/emit/model_checks.hpp"

namespace hass::hls::detail::emit {

/// "convolution 8x8x4 -> 8x8x16, kernel 3x3, stride 1x1, pad 1,1,1,1, bias".
inline std::string layer_description(const layer_info& li) {
    const layer& l = *li.l;
    std::string d = std::string(to_string(l.type)) + " " + shape_text(l.in) + " -> " + shape_text(l.out);
    if (l.type == layer_type::convolution || l.type == layer_type::pooling) {
        d += ", kernel " + std::to_string(l.kernel_rows) + "x" + std::to_string(l.kernel_cols) + ", stride " +
             std::to_string(l.stride_rows) + "x" + std::to_string(l.stride_cols) + ", pad " +
             std::to_string(l.pad_top) + "," + std::to_string(l.pad_right) + "," + std::to_string(l.pad_bottom) +
             "," + std::to_string(l.pad_left);
    }
    if (l.type == layer_type::convolution && l.groups > 1) d += ", groups " + std::to_string(l.groups);
    if (l.has_weights()) d += l.bias ? ", bias" : (l.batchnorm ? ", folded BatchNorm" : "");
    if (l.type == layer_type::pooling || l.type == layer_type::global_pooling)
        d += std::string(", ") + (l.pool == pool_op::avg ? "average" : "max");
    if (l.type == layer_type::eltwise)
        d += std::string(", ") + (l.op == eltwise_op::mul ? "multiply" : "add") + (l.broadcast ? ", broadcast" : "");
    if (l.type == layer_type::thresholded_relu) d += ", threshold " + number(l.threshold);
    if (l.type == layer_type::split) d += ", fan_out " + std::to_string(l.fan_out);
    return d;
}

/// "coarse_in 2, coarse_out 4, coarse_group 1, fine 3 (dense)".
inline std::string folding_description(const layer_info& li) {
    const layer& l = *li.l;
    if (l.type == layer_type::convolution)
        return "coarse_in " + std::to_string(li.f.coarse_in) + ", coarse_out " + std::to_string(li.f.coarse_out) +
               ", coarse_group " + std::to_string(li.f.coarse_group) + ", fine " + std::to_string(li.f.fine) +
               (li.sparse ? " (sparse)" : " (dense)");
    if (l.type == layer_type::inner_product || l.type == layer_type::squeeze)
        return "coarse_in " + std::to_string(li.f.coarse_in) + ", coarse_out " + std::to_string(li.f.coarse_out);
    return "coarse " + std::to_string(li.f.coarse_in);
}

/// TAU_W, TAU_A and the input threshold of a layer with weights.
inline std::string threshold_constants(const context& ctx, const layer_info& li) {
    std::ostringstream os;
    const std::string& source = ctx.options.thresholds_source;
    os << "/// The thresholds of the sparse design" << (source.empty() ? "" : " (" + comment_text(source) + ")")
       << ":\n/// weights with |w| < TAU_W are pruned (pack_weights zeroes them; 0: none);\n";
    os << "inline constexpr double TAU_W = " << number(li.tau.tau_w) << ";\n";
    if (li.l->type == layer_type::convolution) {
        os << "/// activations x <= TAU_A are read as zero where the layer reads its input (its zero detectors,\n"
              "/// or its dot products when built dense) when INPUT_THRESHOLD: the layer reads a ReLU's output\n"
              "/// and TAU_A > 0. INPUT_THRESHOLD_VALUE is TAU_A rounded down to data_t's grid.\n";
        os << "inline constexpr double TAU_A = " << number(li.tau.tau_a) << ";\n";
        os << "inline constexpr bool INPUT_THRESHOLD = " << (li.input_threshold ? "true" : "false") << ";\n";
        os << "inline constexpr double INPUT_THRESHOLD_VALUE = " << number(li.input_threshold ? li.threshold_value : 0.0)
           << ";\n";
    }
    return os.str();
}

/// The folding rules (MODEL.md) as static_asserts on the layer's constants.
inline std::string plain_checks(const layer_info& li) {
    const layer& l = *li.l;
    const std::string n = comment_text(l.name.view());
    std::ostringstream os;
    auto check = [&](const std::string& expr, const std::string& what) {
        os << "static_assert(" << expr << ", " << quoted(n + ": " + what) << ");\n";
    };
    if (l.type == layer_type::convolution || l.type == layer_type::pooling) {
        check("ROWS_OUT == (ROWS + PAD_TOP + PAD_BOTTOM - KERNEL_ROWS) / STRIDE_ROWS + 1 && COLS_OUT == (COLS + "
              "PAD_LEFT + PAD_RIGHT - KERNEL_COLS) / STRIDE_COLS + 1",
              "the output size follows the kernel, stride and padding");
    }
    switch (l.type) {
    case layer_type::convolution:
        check("CHANNELS % GROUPS == 0 && FILTERS % GROUPS == 0", "GROUPS divides CHANNELS and FILTERS");
        check("(CHANNELS / GROUPS) % COARSE_IN == 0", "COARSE_IN divides CHANNELS/GROUPS");
        check("(FILTERS / GROUPS) % COARSE_OUT == 0", "COARSE_OUT divides FILTERS/GROUPS");
        check("GROUPS % COARSE_GROUP == 0", "COARSE_GROUP divides GROUPS");
        if (li.sparse)
            check("FINE >= 1 && FINE <= KERNEL_ROWS * KERNEL_COLS", "a sparse layer takes 1 <= FINE <= K");
        else
            check("(KERNEL_ROWS * KERNEL_COLS) % FINE == 0", "FINE divides the kernel size K (dense)");
        check("COARSE_GROUP == 1 || (CHANNELS == GROUPS && FILTERS == GROUPS)",
              "COARSE_GROUP > 1 needs a depthwise layer (the kernels' channel interleaving)");
        check("STREAMS_IN == COARSE_IN * COARSE_GROUP && STREAMS_OUT == COARSE_OUT * COARSE_GROUP",
              "streams = coarse_in * coarse_group in, coarse_out * coarse_group out");
        break;
    case layer_type::inner_product:
        check("(ROWS * COLS * CHANNELS) % COARSE_IN == 0", "COARSE_IN divides the flattened input");
        check("FILTERS % COARSE_OUT == 0", "COARSE_OUT divides the output features");
        check("STREAMS_IN == COARSE_IN && STREAMS_OUT == COARSE_OUT", "streams = coarse_in in, coarse_out out");
        break;
    case layer_type::squeeze:
        check("CHANNELS % COARSE_IN == 0 && CHANNELS % COARSE_OUT == 0", "COARSE_IN and COARSE_OUT divide CHANNELS");
        break;
    case layer_type::concat:
        check("CHANNELS_OUT % COARSE == 0", "COARSE divides the output channels");
        for (std::size_t k = 0; k < l.inputs.size(); ++k)
            check("CHANNELS_" + std::to_string(k) + " % COARSE == 0",
                  "COARSE divides the channels of input " + std::to_string(k));
        check("STREAMS_IN == COARSE && STREAMS_OUT == COARSE", "streams = coarse");
        break;
    default:
        check("CHANNELS % COARSE == 0", "COARSE divides CHANNELS");
        if (l.type == layer_type::eltwise || l.type == layer_type::split)
            check("CHANNELS_OUT % COARSE == 0", "COARSE divides the output channels");
        check("STREAMS_IN == COARSE && STREAMS_OUT == COARSE", "streams = coarse");
        break;
    }
    return os.str();
}

/// `void <name>(in..., out[, weights, biases])`: the layer's kernels, under HASS_HLS_SCOPE("<layer name>").
inline std::string layer_function(const layer_info& li) {
    const layer& l = *li.l;
    const std::string L = "layers::" + li.id;
    std::ostringstream os;
    const std::string scope = "    HASS_HLS_SCOPE(" + quoted(l.name.view()) + ");\n";
    os << "/// Layer '" << comment_text(l.name.view()) << "': " << layer_description(li) << ".\n";
    switch (l.type) {
    case layer_type::convolution:
    case layer_type::inner_product: {
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::STREAMS_OUT],\n"
           << "    const " << L << "::weight_table& weights, const " << L << "::bias_table& biases) {\n"
           << scope;
        if (l.type == layer_type::inner_product) {
            os << "    ::hass::hls::inner_product<" << L << "::cfg, data_t, " << L << "::weight_t, " << L
               << "::acc_t>(in, out, weights, biases);\n";
        } else if (li.sparse) {
            const int acc = module_index(li.modules, "accumulator");
            os << "    ::hass::hls::sparse_convolution<" << L << "::cfg, data_t, " << L << "::weight_t, " << L
               << "::acc_t, " << L << "::SKIP_ALL_ZERO,\n                                    "
               << (acc >= 0 ? L + "::" + module_ns(li.modules[static_cast<std::size_t>(acc)],
                                                   static_cast<std::size_t>(acc)) + "::DOTS"
                            : std::string("0"))
               << ", " << L << "::INPUT_THRESHOLD>(in, out, weights, biases, data_t(" << L
               << "::INPUT_THRESHOLD_VALUE));\n";
        } else {
            os << "    ::hass::hls::convolution<" << L << "::cfg, data_t, " << L << "::weight_t, " << L
               << "::acc_t, " << L << "::INPUT_THRESHOLD>(in, out, weights, biases, data_t(" << L
               << "::INPUT_THRESHOLD_VALUE));\n";
        }
        os << "}\n";
        break;
    }
    case layer_type::pooling: {
        const std::string P = L + "::";
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::STREAMS_OUT]) {\n";
        os << "    HASS_PRAGMA(HLS DATAFLOW)\n" << scope;
        std::string x = "in";
        if (module_index(li.modules, "pad") >= 0) {
            os << "    ::hls::stream<data_t> padded[" << L << "::COARSE];\n";
            os << "    ::hass::hls::pad<" << module_args(li.modules, "pad", P) << ", data_t>(in, padded);\n";
            x = "padded";
        }
        os << "    ::hls::stream<::hass::hls::vec<data_t, " << L << "::KERNEL_ROWS * " << L
           << "::KERNEL_COLS>> windows[" << L << "::COARSE];\n";
        os << "    ::hass::hls::sliding_window<" << module_args(li.modules, "sliding_window", P) << ", data_t>(" << x
           << ", windows);\n";
        os << "    ::hass::hls::pool<" << module_args(li.modules, "pool", P) << ", data_t>(windows, out);\n";
        os << "}\n";
        break;
    }
    case layer_type::global_pooling:
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::STREAMS_OUT]) {\n"
           << scope << "    ::hass::hls::global_pool<" << module_args(li.modules, "global_pool", L + "::")
           << ", data_t, " << L << "::acc_t>(in, out);\n}\n";
        break;
    case layer_type::relu:
    case layer_type::thresholded_relu:
    case layer_type::hardswish:
    case layer_type::hardsigmoid:
    case layer_type::relu6:
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::STREAMS_OUT]) {\n"
           << scope << "    ::hass::hls::activation<" << module_args(li.modules, "activation", L + "::")
           << ", data_t>(in, out, data_t(" << L << "::THRESHOLD));\n}\n";
        break;
    case layer_type::eltwise:
    case layer_type::concat: {
        std::vector<std::string> params, args;
        for (std::size_t k = 0; k < l.inputs.size(); ++k) {
            params.push_back("::hls::stream<data_t> in" + std::to_string(k) + "[" + L + "::STREAMS_IN]");
            args.push_back("in" + std::to_string(k));
        }
        os << "inline void " << li.id << "(" << join(params, ", ") << ",\n    ::hls::stream<data_t> out[" << L
           << "::STREAMS_OUT]) {\n"
           << scope;
        if (l.type == layer_type::eltwise) {
            os << "    ::hass::hls::eltwise<" << module_args(li.modules, "eltwise", L + "::") << ", data_t>(out, "
               << join(args, ", ") << ");\n}\n";
        } else {
            std::vector<std::string> ch;
            for (std::size_t k = 0; k < l.inputs.size(); ++k) ch.push_back(L + "::CHANNELS_" + std::to_string(k));
            os << "    ::hass::hls::concat<" << module_args(li.modules, "concat", L + "::") << ", data_t, "
               << join(ch, ", ") << ">(out, " << join(args, ", ") << ");\n}\n";
        }
        break;
    }
    case layer_type::split:
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::FAN_OUT * " << L << "::STREAMS_OUT]) {\n"
           << scope << "    ::hass::hls::fork<" << module_args(li.modules, "fork", L + "::")
           << ", data_t>(in, out);\n}\n";
        break;
    case layer_type::squeeze:
        os << "inline void " << li.id << "(::hls::stream<data_t> in[" << L << "::STREAMS_IN], ::hls::stream<data_t> out["
           << L << "::STREAMS_OUT]) {\n"
           << scope << "    ::hass::hls::squeeze_streams<" << module_args(li.modules, "squeeze", L + "::")
           << ", data_t>(in, out);\n}\n";
        break;
    case layer_type::sigmoid: break; // rejected in prepare_design()
    }
    return os.str();
}

/// The text of layers/<id>.hpp for layer i.
inline std::string layer_header(const context& ctx, std::size_t i) {
    const layer_info& li = ctx.layers[i];
    const layer& l = *li.l;
    const std::string& id = li.id;
    std::ostringstream os;
    os << banner(ctx, "Layer '" + l.name.str() + "' (#" + std::to_string(i) + "): " + layer_description(li) + ".");
    os << "// Folding: " << folding_description(li) << ". Model: " << li.model_latency
       << " cycles per image (hass::evaluate_layer).\n";
    os << "#pragma once\n\n#include \"../design.hpp\"\n\n";
    os << "namespace " << ctx.ns << "::layers::" << id << " {\n\n";

    // --- the layer's parameters
    os << "// --- the layer and its folding ---\n";
    os << "inline constexpr const char* NAME = " << quoted(l.name.view()) << ";\n";
    os << "inline constexpr count_t ROWS = " << l.in.rows << ", COLS = " << l.in.cols
       << ", CHANNELS = " << l.in.channels << ";\n";
    os << "inline constexpr count_t ROWS_OUT = " << l.out.rows << ", COLS_OUT = " << l.out.cols
       << ", CHANNELS_OUT = " << l.out.channels << ";\n";
    const bool window = l.type == layer_type::convolution || l.type == layer_type::pooling;
    if (window) {
        os << "inline constexpr count_t KERNEL_ROWS = " << l.kernel_rows << ", KERNEL_COLS = " << l.kernel_cols
           << ";\n";
        os << "inline constexpr count_t STRIDE_ROWS = " << l.stride_rows << ", STRIDE_COLS = " << l.stride_cols
           << ";\n";
        os << "inline constexpr count_t PAD_TOP = " << l.pad_top << ", PAD_RIGHT = " << l.pad_right
           << ", PAD_BOTTOM = " << l.pad_bottom << ", PAD_LEFT = " << l.pad_left << ";\n";
    }
    switch (l.type) {
    case layer_type::convolution:
        os << "inline constexpr count_t FILTERS = " << l.out.channels << ", GROUPS = " << l.groups << ";\n";
        os << "inline constexpr bool HAS_BIAS = " << (l.hardware_bias() ? "true" : "false")
           << "; // a bias or a folded BatchNorm\n";
        os << "inline constexpr count_t COARSE_IN = " << li.f.coarse_in << ", COARSE_OUT = " << li.f.coarse_out
           << ", COARSE_GROUP = " << li.f.coarse_group << ", FINE = " << li.f.fine << ";\n";
        os << "inline constexpr bool SPARSE = " << (li.sparse ? "true" : "false")
           << "; // hass::implemented_sparse\n";
        if (li.sparse)
            os << "inline constexpr bool SKIP_ALL_ZERO = " << (l.sparsity.skip_all_zero ? "true" : "false")
               << ";\n";
        os << "inline constexpr count_t WEIGHT_COUNT = " << l.weight_count() << "; // OIHW\n";
        os << threshold_constants(ctx, li);
        break;
    case layer_type::inner_product:
        os << "inline constexpr count_t FILTERS = " << l.out.channels << ";\n";
        os << "inline constexpr bool HAS_BIAS = " << (l.hardware_bias() ? "true" : "false") << ";\n";
        os << "inline constexpr count_t COARSE_IN = " << li.f.coarse_in << ", COARSE_OUT = " << li.f.coarse_out
           << ";\n";
        os << "inline constexpr count_t WEIGHT_COUNT = " << l.weight_count()
           << "; // [feature][input], the input in stream order\n";
        os << threshold_constants(ctx, li);
        break;
    case layer_type::squeeze:
        os << "inline constexpr count_t COARSE_IN = " << li.f.coarse_in << ", COARSE_OUT = " << li.f.coarse_out
           << ";\n";
        break;
    default: os << "inline constexpr count_t COARSE = " << li.f.coarse_in << ";\n"; break;
    }
    if (l.type == layer_type::pooling || l.type == layer_type::global_pooling)
        os << "inline constexpr count_t AVERAGE = " << (l.pool == pool_op::avg ? 1 : 0) << ";\n";
    if (l.type == layer_type::thresholded_relu || l.type == layer_type::relu || l.type == layer_type::hardswish ||
        l.type == layer_type::hardsigmoid || l.type == layer_type::relu6)
        os << "inline constexpr double THRESHOLD = " << number(l.type == layer_type::thresholded_relu ? l.threshold : 0.0)
           << "; // thresholded ReLU only\n";
    if (l.type == layer_type::eltwise)
        os << "inline constexpr count_t INPUTS = " << l.inputs.size()
           << ", MULTIPLY = " << (l.op == eltwise_op::mul ? 1 : 0) << ", BROADCAST = " << (l.broadcast ? 1 : 0)
           << ";\n";
    if (l.type == layer_type::concat) {
        os << "inline constexpr count_t INPUTS = " << l.inputs.size() << ";\n";
        for (std::size_t k = 0; k < l.inputs.size(); ++k)
            os << "inline constexpr count_t CHANNELS_" << k << " = " << ctx.net.shape_of(l.inputs[k]).channels
               << ";\n";
    }
    if (l.type == layer_type::split) os << "inline constexpr count_t FAN_OUT = " << l.fan_out << ";\n";
    os << "inline constexpr count_t STREAMS_IN = " << li.streams_in << ", STREAMS_OUT = " << li.streams_out
       << (l.type == layer_type::split ? "; // per consumer: the split writes FAN_OUT * STREAMS_OUT streams\n"
                                       : ";\n");
    os << "inline constexpr count_t DATA_WIDTH = " << l.width.data << ", WEIGHT_WIDTH = " << l.width.weight
       << ", ACC_WIDTH = " << l.width.acc << ";\n";
    os << "inline constexpr long long MODEL_LATENCY = " << li.model_latency
       << "; // cycles per image, hass::evaluate_layer\n\n";

    // --- types
    os << "// --- fixed-point types (widths: the layer's widths; data_t is the design's) ---\n";
    os << "typedef ::" << ctx.ns << "::data_t data_t;\n";
    os << "typedef " << li.weight.text() << " weight_t;\n";
    os << "typedef " << li.acc.text() << " acc_t; // "
       << (l.has_weights() ? "the fraction bits of an exact product" : "data_t's fraction bits")
       << ", wrapping\n\n";

    // --- modules
    os << module_block(li.modules) << "\n";

    // --- checks readable without hass
    os << "// --- the folding rules (MODEL.md), readable without hass ---\n";
    os << plain_checks(li) << "\n";

    // --- the kernel instantiation
    if (l.has_weights()) os << conv_instantiation(li) << "\n";

    // --- the model checks
    os << model_checks(li) << "\n";
    os << "} // namespace " << ctx.ns << "::layers::" << id << "\n\n";

    // --- the layer function
    os << "namespace " << ctx.ns << " {\n\n";
    os << layer_function(li) << "\n";
    os << "} // namespace " << ctx.ns << "\n";
    return os.str();
}

} // namespace hass::hls::detail::emit
