// The files that wire the layers together: design.hpp (includes, data_t, the
// switch of the model checks), squeezes.hpp (squeeze_streams on every edge
// whose stream counts differ), top.hpp (the stages table, the weight tables,
// the network's model checks, the top's declaration) and top.cpp (the stream
// counts along every edge, the top function as one dataflow region).
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "hass/hls/emit/context.hpp"
#include "hass/hls/emit/layers.hpp"
#include "hass/hls/emit/model_checks.hpp"

namespace hass::hls::detail::emit {

/// The text of design.hpp.
inline std::string design_header(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "Shared definitions: includes, data_t, the switch of the model checks.");
    os << R"HASS(#pragma once

#include <hass/hls/design_support.hpp>
#include <hass/hls/kernels/all.hpp>

// The model checks: static_asserts of hass's own predicates (hass::is_valid_folding,
// hass::for_each_module, hass::evaluate_layer, ...) on every layer and folding,
// rebuilt as constexpr values. They need C++20 and the hass headers; a synthesis
// run (__SYNTHESIS__) skips them, and so does -DHASS_DESIGN_MODEL_CHECKS=0.
#ifndef HASS_DESIGN_MODEL_CHECKS
#if !defined(__SYNTHESIS__) && __cplusplus >= 202002L && __has_include(<hass/hass.hpp>)
#define HASS_DESIGN_MODEL_CHECKS 1
#else
#define HASS_DESIGN_MODEL_CHECKS 0
#endif
#endif
#if HASS_DESIGN_MODEL_CHECKS
#include <hass/hls/design_checks.hpp>
#endif

)HASS";
    os << "namespace " << ctx.ns << " {\n\n";
    os << "using ::hass::count_t;\n\n";
    os << "inline constexpr const char* network_name = " << quoted(ctx.net.name.view()) << ";\n\n";
    os << "/// The data of every stream: " << ctx.data.width << " bits, " << ctx.data.integer
       << " integer bits, rounded and saturating\n";
    os << "/// (the layers' data width; the integer bits: emit option data_integer_bits).\n";
    os << "typedef " << ctx.data.text() << " data_t;\n\n";
    os << "} // namespace " << ctx.ns << "\n";
    return os.str();
}

/// The text of squeezes.hpp.
inline std::string squeezes_header(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "The squeezes between layers whose stream counts differ (hass::evaluate's squeeze_links).");
    os << "#pragma once\n\n#include \"design.hpp\"\n\n";
    if (ctx.squeezes.empty()) {
        os << "// (this design needs none: every producer writes as many streams as its consumer reads)\n";
        return os.str();
    }
    for (const auto& s : ctx.squeezes) {
        const std::string n = comment_text(s.scope);
        os << "/// " << n << ": " << s.from << " -> " << s.to << " streams of a " << shape_text(s.shape) << " map\n";
        os << "namespace " << ctx.ns << "::squeezes::" << s.id << " {\n";
        os << "inline constexpr const char* SCOPE = " << quoted(s.scope) << ";\n";
        os << "inline constexpr count_t ROWS = " << s.shape.rows << ", COLS = " << s.shape.cols
           << ", CHANNELS = " << s.shape.channels << ";\n";
        os << "inline constexpr count_t STREAMS_IN = " << s.from << ", STREAMS_OUT = " << s.to << ";\n";
        os << "inline constexpr long long MODEL_LATENCY = " << s.model_latency
           << "; // cycles per image, hass::evaluate's squeeze_link\n";
        os << module_block({s.module});
        os << "static_assert(squeeze_0::ELEMENTS == ROWS * COLS * CHANNELS && squeeze_0::LANES_IN == STREAMS_IN && "
              "squeeze_0::LANES_OUT == STREAMS_OUT,\n              "
           << quoted(n + ": the squeeze re-streams the whole map") << ");\n";
        os << "static_assert((ROWS * COLS * CHANNELS) % STREAMS_IN == 0 && (ROWS * COLS * CHANNELS) % STREAMS_OUT == 0,\n"
              "              "
           << quoted(n + ": both stream counts divide the map") << ");\n";
        os << "/// Re-streams the map (include/hass/hls/kernels/squeeze.hpp, squeeze_streams).\n";
        os << "inline void run(::hls::stream<data_t> in[STREAMS_IN], ::hls::stream<data_t> out[STREAMS_OUT]) {\n";
        os << "    HASS_HLS_SCOPE(SCOPE);\n";
        os << "    ::hass::hls::squeeze_streams<" << module_args({s.module}, "squeeze", "") << ", data_t>(in, out);\n";
        os << "}\n";
        os << "} // namespace " << ctx.ns << "::squeezes::" << s.id << "\n\n";
    }
    return os.str();
}

/// The top's parameters: the input, the outputs, a weight and a bias table per layer with weights.
inline std::vector<std::string> top_parameters(const context& ctx, bool qualified) {
    const std::string q = qualified ? "::" + ctx.ns + "::" : "";
    std::vector<std::string> p;
    p.push_back("::hls::stream<" + q + "data_t> in[" + q + "INPUT_STREAMS]");
    for (const auto& li : ctx.layers)
        if (li.is_output)
            p.push_back("::hls::stream<" + q + "data_t> " + li.out_param + "[" + q + "layers::" + li.id +
                        "::STREAMS_OUT]");
    for (const auto& li : ctx.layers)
        if (li.l->has_weights()) {
            p.push_back("const " + q + "layers::" + li.id + "::weight_table& w_" + li.id);
            p.push_back("const " + q + "layers::" + li.id + "::bias_table& b_" + li.id);
        }
    return p;
}

/// The text of top.hpp.
inline std::string top_header(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "The top function: the layers of the design wired as one dataflow region.");
    os << "#pragma once\n\n#include \"design.hpp\"\n";
    for (const auto& li : ctx.layers) os << "#include \"layers/" << li.id << ".hpp\"\n";
    os << "#include \"squeezes.hpp\"\n\n";
    os << "namespace " << ctx.ns << " {\n\n";
    os << "inline constexpr count_t INPUT_ROWS = " << ctx.net.input.rows << ", INPUT_COLS = " << ctx.net.input.cols
       << ", INPUT_CHANNELS = " << ctx.net.input.channels << ";\n";
    os << "/// The input streams: the streams its reader takes (element n of the flattened map on stream n % "
          "INPUT_STREAMS).\n";
    os << "inline constexpr count_t INPUT_STREAMS = " << ctx.input_streams << ";\n";
    os << "inline constexpr long long MODEL_COMPUTE_II = " << ctx.report.compute_ii
       << "; // cycles per image: the slowest layer or squeeze (hass::evaluate)\n";
    os << "inline constexpr std::size_t SQUEEZES = " << ctx.squeezes.size() << ";\n\n";
    os << "/// Every weight and bias table of the design (for the test bench; the top takes them one by one).\n";
    os << "struct weight_tables {\n";
    bool any = false;
    for (const auto& li : ctx.layers)
        if (li.l->has_weights()) {
            os << "    layers::" << li.id << "::weight_table w_" << li.id << ";\n";
            os << "    layers::" << li.id << "::bias_table b_" << li.id << ";\n";
            any = true;
        }
    if (!any) os << "    char unused; // the design has no layer with weights\n";
    os << "};\n\n";
    os << "/// The stages (layers and squeezes) in dataflow order, with the model's latencies and modules.\n";
    os << "inline constexpr ::hass::hls::emitted_stage stages[] = {\n";
    for (std::size_t i = 0; i < ctx.layers.size(); ++i) {
        for (const auto& e : ctx.layers[i].inputs)
            if (e.squeeze >= 0) {
                const auto& s = ctx.squeezes[static_cast<std::size_t>(e.squeeze)];
                os << "    {squeezes::" << s.id << "::SCOPE, \"squeeze\", squeezes::" << s.id
                   << "::MODEL_LATENCY, squeezes::" << s.id << "::modules, 1},\n";
            }
        const auto& li = ctx.layers[i];
        os << "    {layers::" << li.id << "::NAME, " << quoted(to_string(li.l->type)) << ", layers::" << li.id
           << "::MODEL_LATENCY, layers::" << li.id << "::modules, " << li.modules.size() << "},\n";
    }
    os << "};\n\n";
    os << network_checks(ctx) << "\n";
    os << "} // namespace " << ctx.ns << "\n\n";
    os << "/// The design '" << comment_text(ctx.net.name.view())
       << "': the input map in, the output map(s) out; weight tables packed by layers::<name>::pack_weights\n"
          "/// and pack_bias from the canonical weights.\n";
    os << "void " << ctx.top << "(" << join(top_parameters(ctx, true), ",\n    ") << ");\n";
    return os.str();
}

/// The text of top.cpp.
inline std::string top_source(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "The top function.");
    os << "#include \"top.hpp\"\n\n";
    os << "namespace " << ctx.ns << " {\n// the stream counts agree along every edge (a squeeze where they differ)\n";
    for (const auto& li : ctx.layers) {
        for (const auto& e : li.inputs) {
            const std::string consumer = "layers::" + li.id + "::STREAMS_IN";
            const std::string producer = e.producer == network_input
                                             ? std::string("INPUT_STREAMS")
                                             : "layers::" + ctx.layers[static_cast<std::size_t>(e.producer)].id +
                                                   "::STREAMS_OUT";
            const std::string what =
                (e.producer == network_input ? std::string("input")
                                             : ctx.net.layers[static_cast<std::size_t>(e.producer)].name.str()) +
                " -> " + li.l->name.str();
            if (e.squeeze >= 0) {
                const auto& s = ctx.squeezes[static_cast<std::size_t>(e.squeeze)];
                os << "static_assert(squeezes::" << s.id << "::STREAMS_IN == " << producer << " && squeezes::" << s.id
                   << "::STREAMS_OUT == " << consumer << ", " << quoted(comment_text(what) + ": squeeze streams")
                   << ");\n";
            } else {
                os << "static_assert(" << producer << " == " << consumer << ", "
                   << quoted(comment_text(what) + ": stream counts") << ");\n";
            }
        }
    }
    os << "} // namespace " << ctx.ns << "\n\n";
    os << "void " << ctx.top << "(" << join(top_parameters(ctx, true), ",\n    ") << ") {\n";
    os << "    HASS_PRAGMA(HLS DATAFLOW)\n";
    for (const auto& li : ctx.layers) {
        const std::string L = "::" + ctx.ns + "::layers::" + li.id;
        os << "    // " << comment_text(li.l->name.view()) << ": " << comment_text(layer_description(li)) << "\n";
        for (const auto& e : li.inputs)
            if (e.squeeze >= 0) {
                const auto& s = ctx.squeezes[static_cast<std::size_t>(e.squeeze)];
                os << "    ::hls::stream<::" << ctx.ns << "::data_t> " << s.target << "[" << s.to << "]; // "
                   << comment_text(s.scope) << "\n";
                os << "    ::" << ctx.ns << "::squeezes::" << s.id << "::run(" << s.source << ", " << s.target
                   << ");\n";
            }
        if (!li.is_output)
            os << "    ::hls::stream<::" << ctx.ns << "::data_t> " << li.output << "[" << L
               << (li.l->type == layer_type::split ? "::FAN_OUT * " + L : std::string()) << "::STREAMS_OUT];\n";
        std::vector<std::string> args;
        for (const auto& e : li.inputs) args.push_back(e.target);
        args.push_back(li.output);
        if (li.l->has_weights()) {
            args.push_back("w_" + li.id);
            args.push_back("b_" + li.id);
        }
        os << "    ::" << ctx.ns << "::" << li.id << "(" << join(args, ", ") << ");\n";
    }
    os << "}\n";
    return os.str();
}

} // namespace hass::hls::detail::emit
