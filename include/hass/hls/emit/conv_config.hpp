// The kernel instantiation of a convolution or inner product in its layer
// header: the conv_config (include/hass/hls/kernels/convolution.hpp) of the
// layer, its weight and bias tables and packing functions, and static_asserts
// that conv_config derives every module, parameter and replica count that
// hass::for_each_module lists for the layer.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/hls/emit/context.hpp"

namespace hass::hls::detail::emit {

/// (parameter, conv_config expression) pairs a module of a convolution or
/// inner product must have, and its replicas.
inline std::vector<std::pair<std::string, std::string>> cfg_view(const layer_info& li, const module_instance& m,
                                                                 std::string& replicas) {
    const bool sp = li.sparse;
    replicas = "1";
    if (m.name == "pad")
        return {{"ROWS", "cfg::rows"},         {"COLS", "cfg::cols"},           {"CHANNELS", "cfg::channels"},
                {"PAD_TOP", "cfg::pad_top"},   {"PAD_RIGHT", "cfg::pad_right"}, {"PAD_BOTTOM", "cfg::pad_bottom"},
                {"PAD_LEFT", "cfg::pad_left"}, {"STREAMS", "cfg::streams_in"}};
    if (m.name == "sliding_window") {
        if (sp) replicas = "cfg::streams_in";
        return {{"ROWS", "cfg::padded_rows"},
                {"COLS", "cfg::padded_cols"},
                {"CHANNELS", sp ? "cfg::channels_per_stream" : "cfg::channels"},
                {"KERNEL_ROWS", "cfg::kernel_rows"},
                {"KERNEL_COLS", "cfg::kernel_cols"},
                {"STRIDE_ROWS", "cfg::stride_rows"},
                {"STRIDE_COLS", "cfg::stride_cols"},
                {"STREAMS", sp ? "1" : "cfg::streams_in"}};
    }
    if (m.name == "squeeze")
        return {{"ELEMENTS", "cfg::windows * cfg::streams_in * cfg::kernel"},
                {"LANES_IN", "cfg::kernel"},
                {"LANES_OUT", "cfg::fine"},
                {"STREAMS", "cfg::streams_in"}};
    if (m.name == "fork") {
        if (sp) replicas = "cfg::streams_in";
        return {{"WORDS", sp ? "cfg::windows" : "cfg::windows * cfg::chunks"},
                {"WIDTH", sp ? "cfg::kernel" : "cfg::fine"},
                {"COARSE", "cfg::coarse_out"},
                {"STREAMS", sp ? "1" : "cfg::streams_in"}};
    }
    if (m.name == "vector_dot")
        return {{"DOTS", "cfg::windows * cfg::filters_per_lane * cfg::chunks"},
                {"FILTERS", "cfg::filters_per_lane"},
                {"FINE", "cfg::fine"},
                {"STREAMS", "cfg::lanes"}};
    if (m.name == "sparse_vector_dot") {
        replicas = "cfg::lanes";
        return {{"WINDOWS", "cfg::windows * cfg::filters_per_lane"},
                {"KERNEL", "cfg::kernel"},
                {"FILTERS", "cfg::filters_per_lane"},
                {"FINE", "cfg::fine"}};
    }
    if (m.name == "accumulator") {
        if (sp) {
            replicas = "cfg::lanes";
            return {{"CHANNELS", "cfg::channels_per_stream"}, {"FILTERS", "cfg::filters_per_lane"}, {"STREAMS", "1"}};
        }
        return {{"DOTS", "cfg::windows * cfg::filters_per_lane * cfg::chunks"},
                {"CHANNELS", "cfg::channels_per_stream * cfg::chunks"},
                {"FILTERS", "cfg::filters_per_lane"},
                {"STREAMS", "cfg::lanes"}};
    }
    if (m.name == "glue") {
        if (sp) replicas = "cfg::streams_out";
        return {{"WORDS", "cfg::words_out"}, {"COARSE_IN", "cfg::coarse_in"}, {"STREAMS", sp ? "1" : "cfg::streams_out"}};
    }
    if (m.name == "bias") {
        if (sp) replicas = "cfg::streams_out";
        return {{"WORDS", "cfg::words_out"},
                {"FILTERS", sp ? "cfg::filters / cfg::streams_out" : "cfg::filters"},
                {"STREAMS", sp ? "1" : "cfg::streams_out"}};
    }
    return {};
}

/// The conv_config alias, the tables, pack_weights and pack_bias, and the checks against the model's modules.
inline std::string conv_instantiation(const layer_info& li) {
    const layer& l = *li.l;
    const std::string n = comment_text(l.name.view());
    const bool fc = l.type == layer_type::inner_product;
    std::ostringstream os;
    os << "// --- the kernel instantiation: the layer's conv_config (include/hass/hls/kernels/convolution.hpp) "
          "---\n";
    if (fc)
        os << "using cfg = ::hass::hls::inner_product_config<ROWS, COLS, CHANNELS, FILTERS, HAS_BIAS, COARSE_IN, "
              "COARSE_OUT>;\n";
    else
        os << "using cfg = ::hass::hls::conv_config<ROWS, COLS, CHANNELS, FILTERS, KERNEL_ROWS, KERNEL_COLS, "
              "STRIDE_ROWS, STRIDE_COLS,\n"
              "                                        PAD_TOP, PAD_RIGHT, PAD_BOTTOM, PAD_LEFT, GROUPS, HAS_BIAS, "
              "COARSE_IN, COARSE_OUT,\n"
              "                                        COARSE_GROUP, FINE>;\n";
    if (li.sparse)
        os << "/// Sparse weight table w[lane][k * filters_per_lane + r][p] (conv_config::pack_sparse).\n"
              "typedef weight_t weight_table[cfg::lanes][cfg::sparse_depth][cfg::kernel];\n";
    else
        os << "/// Dense weight table w[lane][(k * chunks + q) * filters_per_lane + r][e] (conv_config::pack_dense).\n"
              "typedef weight_t weight_table[cfg::lanes][cfg::dense_depth][cfg::fine];\n";
    os << "/// Bias table b[p][t]: the bias of filter t * streams_out + p (conv_config::pack_bias).\n"
          "typedef acc_t bias_table[cfg::streams_out][cfg::bias_depth];\n";
    os << "/// Canonical weights (" << (fc ? "[feature][input]" : "OIHW")
       << ") -> the weight table; weights with |w| < TAU_W are pruned.\n";
    os << "template <class U>\ninline void pack_weights(const U* canonical, weight_table& table) {\n"
       << "    cfg::" << (li.sparse ? "pack_sparse" : "pack_dense") << "(canonical, table, TAU_W);\n}\n";
    os << "/// One bias per filter -> the bias table.\n";
    os << "template <class U>\ninline void pack_bias(const U* bias, bias_table& table) {\n"
       << "    cfg::pack_bias(bias, table);\n}\n";
    auto check = [&](const std::string& expr, const std::string& what) {
        os << "static_assert(" << expr << ", " << quoted(n + ": " + what) << ");\n";
    };
    os << "// conv_config derives the module parameters as hass::for_each_module does:\n";
    check("cfg::streams_in == STREAMS_IN && cfg::streams_out == STREAMS_OUT", "conv_config's streams");
    check("cfg::rows_out * cfg::cols_out * cfg::filters == ROWS_OUT * COLS_OUT * CHANNELS_OUT",
          "conv_config's output size");
    check("cfg::weight_count == WEIGHT_COUNT", "conv_config's weight count");
    auto has = [&](std::string_view m) { return module_index(li.modules, m) >= 0 ? "true" : "false"; };
    check(std::string("cfg::has_pad == ") + has("pad"), "a pad module exactly when conv_config has_pad");
    check(std::string("!cfg::pointwise == ") + has("sliding_window"),
          "a sliding window exactly when the layer is not pointwise");
    check(std::string("cfg::has_fork == ") + has("fork"), "a fork exactly when COARSE_OUT > 1");
    check(std::string("cfg::has_glue == ") + has("glue"), "a glue exactly when COARSE_IN > 1");
    check(std::string("cfg::has_bias == ") + has("bias"), "a bias module exactly when HAS_BIAS");
    if (li.sparse) {
        check(std::string("cfg::sparse_has_accumulator == ") + has("accumulator"),
              "a sparse accumulator exactly when C/S > 1");
    } else {
        check(std::string("cfg::has_squeeze == ") + has("squeeze"), "a squeeze exactly when FINE != K");
        check(std::string("cfg::has_accumulator == ") + has("accumulator"),
              "an accumulator exactly when (C/S)*(K/FINE) > 1");
    }
    for (std::size_t k = 0; k < li.modules.size(); ++k) {
        std::string replicas;
        const auto view = cfg_view(li, li.modules[k], replicas);
        if (view.empty()) continue;
        std::vector<std::string> terms;
        for (const auto& [param, expr] : view) terms.push_back(module_ns(li.modules[k], k) + "::" + param + " == " + expr);
        terms.push_back(module_ns(li.modules[k], k) + "::REPLICAS == " + replicas);
        os << "static_assert(" << join(terms, " &&\n              ") << ",\n              "
           << quoted(n + ": the model's " + li.modules[k].name + " differs from conv_config's") << ");\n";
    }
    return os.str();
}

} // namespace hass::hls::detail::emit
