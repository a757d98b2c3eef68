// The model checks of a generated design (under HASS_DESIGN_MODEL_CHECKS): each
// layer header rebuilds its layer and folding as constexpr hass values
// (layer_value(), folding_value(), sparsity statistics included) and asserts
// hass's own predicates on them; top.hpp rebuilds the whole network and asserts
// hass::network_problem and hass::evaluate_partition's II and squeezes.
// docs/hls.md, "What the static_asserts guard".
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hass/hls/emit/context.hpp"

namespace hass::hls::detail::emit {

/// constexpr layer_value() and folding_value(): the layer and its folding as hass values.
inline std::string layer_value_function(const layer_info& li) {
    const layer& l = *li.l;
    std::ostringstream os;
    os << "/// The layer as a hass::layer value (the same fields the design was generated from).\n";
    os << "constexpr ::hass::layer layer_value() {\n";
    os << "    ::hass::layer l;\n";
    os << "    l.name = " << quoted(l.name.view()) << ";\n";
    os << "    l.type = ::hass::layer_type::" << layer_type_enum(l.type) << ";\n";
    os << "    l.in = {" << l.in.rows << ", " << l.in.cols << ", " << l.in.channels << "};\n";
    os << "    l.out = {" << l.out.rows << ", " << l.out.cols << ", " << l.out.channels << "};\n";
    std::vector<std::string> ins;
    for (int s : l.inputs) ins.push_back(std::to_string(s));
    os << "    l.inputs = {" << join(ins, ", ") << "};\n";
    os << "    l.kernel_rows = " << l.kernel_rows << ";\n    l.kernel_cols = " << l.kernel_cols << ";\n";
    os << "    l.stride_rows = " << l.stride_rows << ";\n    l.stride_cols = " << l.stride_cols << ";\n";
    os << "    l.pad_top = " << l.pad_top << ";\n    l.pad_right = " << l.pad_right << ";\n";
    os << "    l.pad_bottom = " << l.pad_bottom << ";\n    l.pad_left = " << l.pad_left << ";\n";
    os << "    l.groups = " << l.groups << ";\n";
    os << "    l.bias = " << (l.bias ? "true" : "false") << ";\n";
    os << "    l.batchnorm = " << (l.batchnorm ? "true" : "false") << ";\n";
    os << "    l.pool = ::hass::pool_op::" << (l.pool == pool_op::avg ? "avg" : "max") << ";\n";
    os << "    l.op = ::hass::eltwise_op::" << (l.op == eltwise_op::mul ? "mul" : "add") << ";\n";
    os << "    l.broadcast = " << (l.broadcast ? "true" : "false") << ";\n";
    os << "    l.threshold = " << number(l.threshold) << ";\n";
    os << "    l.fan_out = " << l.fan_out << ";\n";
    os << "    l.width = {" << l.width.data << ", " << l.width.weight << ", " << l.width.acc << "};\n";
    if (l.sparsity.active()) {
        const sparsity_stats& s = l.sparsity;
        os << "    // sparsity statistics: h[c][z], " << s.channels << " channels x " << s.kernel + 1 << " bins\n";
        os << "    constexpr double histogram[] = {";
        for (std::size_t k = 0; k < s.histogram.size(); ++k) {
            if (k % 8 == 0) os << "\n        ";
            os << number(s.histogram[k]) << ",";
            if (k % 8 != 7 && k + 1 < s.histogram.size()) os << " ";
        }
        os << "\n    };\n";
        os << "    l.sparsity = ::hass::make_sparsity_stats(" << s.channels << ", " << s.kernel
           << ", std::vector<double>(histogram, histogram + " << s.histogram.size() << "), l.name.view());\n";
        os << "    l.sparsity.order = ::hass::interleaving::" << (s.order == interleaving::opt ? "opt" : "naive")
           << ";\n";
        os << "    l.sparsity.skip_all_zero = " << (s.skip_all_zero ? "true" : "false") << ";\n";
        os << "    l.sparsity.clusters = " << s.clusters << ";\n";
        os << "    if (!l.sparsity.cache_valid()) l.sparsity.prepare();\n";
    }
    os << "    return l;\n}\n";
    os << "/// The folding as a hass::folding value.\n";
    os << "constexpr ::hass::folding folding_value() {\n";
    os << "    return {" << li.f.coarse_in << ", " << li.f.coarse_out << ", " << li.f.coarse_group << ", " << li.f.fine
       << ", ::hass::weight_storage::" << storage_name(li.f.weights) << ", " << (li.f.dense ? "true" : "false")
       << "};\n}\n";
    return os.str();
}

/// A measure of the constant-expression work of rebuilding a layer's sparsity
/// statistics in layer_value(): make_sparsity_stats and prepare() tabulate its
/// cycles for every `fine`, about (histogram values) x K steps of a few hundred
/// operations each, and GCC stops one constant expression at 33,554,432
/// operations (-fconstexpr-ops-limit). A 512-channel 3x3 layer (46,080 steps)
/// compiles; a 1,112-channel one (100,080) does not.
inline std::size_t layer_statistics_work(const layer& l) {
    return (l.sparsity.histogram.size() + l.sparsity.filter_histogram.size()) *
           static_cast<std::size_t>(l.sparsity.kernel > 0 ? l.sparsity.kernel : 1);
}

/// Above this much work a layer's model checks (and the whole network's, with
/// network_statistics_work) run in the test bench instead of in static_asserts.
inline constexpr std::size_t static_layer_check_work = 50000;

inline bool static_layer_checks(const layer_info& li) { return layer_statistics_work(*li.l) <= static_layer_check_work; }

/// The #if HASS_DESIGN_MODEL_CHECKS block of a layer header.
inline std::string model_checks(const layer_info& li) {
    const std::string n = comment_text(li.l->name.view());
    std::ostringstream os;
    os << "#if HASS_DESIGN_MODEL_CHECKS\n";
    os << "// --- the model's own predicates on the same layer and folding ---\n";
    os << layer_value_function(li);
    const bool at_compile_time = static_layer_checks(li);
    std::ostringstream run_time; // the same checks as a function, for layers too large for static_asserts
    if (!at_compile_time) {
        os << "// The checks run in the test bench (model_check_failures() below): rebuilding this layer's sparsity\n"
              "// statistics (about " << layer_statistics_work(*li.l)
           << " steps) would take a constant expression past GCC's operation limit.\n";
        run_time << "/// The model checks of this layer at run time: the failures, empty when every check holds.\n"
                 << "inline std::vector<std::string> model_check_failures() {\n"
                 << "    const ::hass::layer lv = layer_value();\n"
                 << "    const ::hass::folding fv = folding_value();\n"
                 << "    std::vector<std::string> failures;\n";
    }
    auto check = [&](std::string expr, const std::string& what) {
        if (at_compile_time) {
            os << "static_assert(" << expr << ",\n              " << quoted(n + ": " + what) << ");\n";
            return;
        }
        for (const auto& [from, to] : {std::pair<std::string, std::string>{"layer_value()", "lv"},
                                       std::pair<std::string, std::string>{"folding_value()", "fv"}})
            for (std::size_t at = expr.find(from); at != std::string::npos; at = expr.find(from, at + to.size()))
                expr.replace(at, from.size(), to);
        run_time << "    if (!(" << expr << "))\n        failures.push_back(" << quoted(n + ": " + what) << ");\n";
    };
    check("::hass::is_valid_layer(layer_value())", "hass::layer_problem is not empty");
    check("::hass::is_valid_folding(layer_value(), folding_value())",
          "hass::is_valid_folding fails (hass::folding_problem names the rule)");
    if (li.l->has_weights())
        check(std::string("::hass::implemented_sparse(layer_value(), folding_value()) == ") +
                  (li.sparse ? "true" : "false"),
              "the model builds this layer " + std::string(li.sparse ? "dense" : "sparse"));
    check("::hass::streams_in(layer_value(), folding_value()) == STREAMS_IN && "
          "::hass::streams_out(layer_value(), folding_value()) == STREAMS_OUT",
          "hass::streams_in/streams_out differ");
    check("::hass::hls::same_modules(layer_value(), folding_value(), modules)",
          "the module parameters above differ from hass::for_each_module (regenerate the design)");
    if (li.latency_checkable)
        check("::hass::evaluate_layer(layer_value(), folding_value()).latency == MODEL_LATENCY",
              "hass::evaluate_layer gives another latency (regenerate the design)");
    else
        os << "// (the latency is not checked: the design's sparsity statistics do not rebuild exactly from "
              "their histograms)\n";
    if (!at_compile_time) os << run_time.str() << "    return failures;\n}\n";
    os << "#endif // HASS_DESIGN_MODEL_CHECKS\n";
    return os.str();
}

/// The same measure for the whole-network checks, which rebuild every layer's
/// statistics in one constant expression: the sum over the layers. The limit
/// is the layers' (static_layer_check_work): the whole network costs at least
/// as much as its largest layer.
inline std::size_t network_statistics_work(const network& net) {
    std::size_t n = 0;
    for (const auto& l : net.layers) n += layer_statistics_work(l);
    return n;
}

/// The whole-network checks are static_asserts (else the test bench runs them).
inline bool static_network_checks(const context& ctx) {
    return network_statistics_work(ctx.net) <= static_layer_check_work;
}

/// The #if HASS_DESIGN_MODEL_CHECKS block of top.hpp: network_value(), folding_values() and their checks.
inline std::string network_checks(const context& ctx) {
    std::ostringstream os;
    os << "#if HASS_DESIGN_MODEL_CHECKS\n";
    os << "/// The whole network and folding as hass values (the layers' layer_value() and folding_value()).\n";
    os << "constexpr ::hass::network network_value() {\n    ::hass::network n;\n";
    os << "    n.name = " << quoted(ctx.net.name.view()) << ";\n";
    const tensor_shape& in = ctx.net.input;
    os << "    n.input = {" << in.rows << ", " << in.cols << ", " << in.channels << "};\n";
    for (const auto& li : ctx.layers) os << "    n.layers.push_back(layers::" << li.id << "::layer_value());\n";
    os << "    return n;\n}\n";
    os << "constexpr std::vector<::hass::folding> folding_values() {\n    return {";
    for (std::size_t i = 0; i < ctx.layers.size(); ++i)
        os << (i ? ",\n            " : "") << "layers::" << ctx.layers[i].id << "::folding_value()";
    os << "};\n}\n";
    const std::string n = comment_text(ctx.net.name.view());
    if (!static_network_checks(ctx)) {
        os << "// The whole-network checks (hass::network_problem, hass::evaluate_partition's II and squeezes) run\n"
              "// in the test bench: rebuilding this design's sparsity statistics (about "
           << network_statistics_work(ctx.net)
           << " steps) would take a constant\n// expression past GCC's operation limit. Each layer's checks stay "
              "static_asserts.\n";
        os << "#endif // HASS_DESIGN_MODEL_CHECKS\n";
        return os.str();
    }
    os << "static_assert(::hass::network_problem(network_value()).empty(),\n              "
       << quoted(n + ": hass::network_problem is not empty") << ");\n";
    bool checkable = true;
    for (const auto& li : ctx.layers) checkable = checkable && li.latency_checkable;
    if (checkable) {
        os << "static_assert(::hass::evaluate_partition(network_value(), folding_values(), ::hass::board{}, 0, "
           << ctx.layers.size() << ").compute_ii == MODEL_COMPUTE_II,\n              "
           << quoted(n + ": hass::evaluate gives another II (regenerate the design)") << ");\n";
        os << "static_assert(::hass::evaluate_partition(network_value(), folding_values(), ::hass::board{}, 0, "
           << ctx.layers.size() << ").squeezes.size() == SQUEEZES,\n              "
           << quoted(n + ": hass::evaluate inserts other squeezes (regenerate the design)") << ");\n";
    }
    os << "#endif // HASS_DESIGN_MODEL_CHECKS\n";
    return os.str();
}

} // namespace hass::hls::detail::emit
