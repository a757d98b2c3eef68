// HLS code generation: from a design (a network and a folding per layer) to
// C++ for the kernels of include/hass/hls/, with a C-simulation test bench.
//
//   hass::hls::emit_options o;
//   o.out_dir = "hls";
//   hass::hls::emit_result r = hass::hls::emit_design(net, folding, o);
//
// writes (docs/hls.md, "From a design to HLS"):
//
//   design.hpp          data_t, includes, the switch of the model checks
//   layers/<name>.hpp   per layer: its parameters as constexpr constants, the
//                       parameters of every module hass::for_each_module builds
//                       (the kernels' template arguments), the fixed-point
//                       types, the kernel instantiation (a conv_config alias
//                       and `void <name>(in, out, weights...)`), and static_asserts:
//                       divisibility rules readable without hass, and (C++20,
//                       with hass) the model's own predicates on the layer and
//                       folding rebuilt as constexpr values
//   squeezes.hpp        the squeezes between layers whose stream counts differ
//   top.hpp, top.cpp    the top function: streams, weights, the dataflow region
//   testbench.cpp       seeded random input (and weights unless given), C
//                       simulation, bit-exact comparison with
//                       hass/hls/reference.hpp, cycles next to the model's latencies
//   weights.hpp         the canonical weights, when given
//
// The emitter needs no JSON library; the weight files are read by
// hass/io/weights.hpp (JSON) or read_weights_binary (emit/weight_files.hpp).
//
// Where each part lives (include/hass/hls/emit/):
//
//   options.hpp         emit_options, emit_result, weight_set (the public types)
//   weight_files.hpp    check_weights, read_weights_binary, write_weights_binary
//   text.hpp            C++ identifiers and literals of the generated code
//   context.hpp         the prepared design every writer reads; the file banner
//                       and the module constants the writers share
//   prepare.hpp         prepare_design: checks, names, types, thresholds, edges
//                       and squeezes
//   layers.hpp          layers/<name>.hpp; conv_config.hpp: the kernel
//                       instantiation of convolutions and inner products;
//                       model_checks.hpp: the constexpr model checks
//   top.hpp             design.hpp, squeezes.hpp, top.hpp, top.cpp
//   testbench.hpp       testbench.cpp
//   weights_header.hpp  weights.hpp
//
// and this header: the list of files and writing them (generate_design,
// emit_design).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/hass.hpp"
#include "hass/hls/emit/context.hpp"
#include "hass/hls/emit/layers.hpp"
#include "hass/hls/emit/options.hpp"
#include "hass/hls/emit/prepare.hpp"
#include "hass/hls/emit/testbench.hpp"
#include "hass/hls/emit/top.hpp"
#include "hass/hls/emit/weight_files.hpp"
#include "hass/hls/emit/weights_header.hpp"

namespace hass::hls {

namespace detail::emit {

/// Every generated file of a prepared design, in the order they are written.
inline std::vector<emitted_file> files(const context& ctx) {
    std::vector<emitted_file> out;
    out.push_back({"design.hpp", design_header(ctx)});
    for (std::size_t i = 0; i < ctx.layers.size(); ++i)
        out.push_back({std::filesystem::path("layers") / (ctx.layers[i].id + ".hpp"), layer_header(ctx, i)});
    out.push_back({"squeezes.hpp", squeezes_header(ctx)});
    out.push_back({"top.hpp", top_header(ctx)});
    out.push_back({"top.cpp", top_source(ctx)});
    out.push_back({"testbench.cpp", testbench(ctx)});
    if (ctx.options.weights) out.push_back({"weights.hpp", weights_header(ctx)});
    return out;
}

} // namespace detail::emit

/// The generated files (paths relative to the output directory), without writing them.
inline std::vector<emitted_file> generate_design(const network& net, const std::vector<folding>& f,
                                                 const emit_options& o, std::vector<std::string>* warnings = nullptr) {
    const detail::emit::context ctx = detail::emit::prepare_design(net, f, o);
    if (warnings) *warnings = ctx.warnings;
    return detail::emit::files(ctx);
}

/// Writes the generated design to `o.out_dir` (created when missing; the files
/// are always rewritten, so a build system sees them newer than their inputs).
/// Throws hass::error for an invalid design, an unsupported layer, or an I/O error.
inline emit_result emit_design(const network& net, const std::vector<folding>& f, const emit_options& o) {
    if (o.out_dir.empty()) throw error("emit-hls: no output directory given");
    const detail::emit::context ctx = detail::emit::prepare_design(net, f, o);
    emit_result r;
    r.warnings = ctx.warnings;
    r.top_name = ctx.top;
    r.name_space = ctx.ns;
    r.compute_ii = ctx.report.compute_ii;
    r.squeezes = ctx.squeezes.size();
    for (const auto& li : ctx.layers) r.layer_ids.push_back(li.id);
    const auto files = detail::emit::files(ctx);
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir / "layers", ec);
    if (ec) throw error("emit-hls: cannot create '" + (o.out_dir / "layers").string() + "': " + ec.message());
    for (const auto& file : files) {
        const std::filesystem::path p = o.out_dir / file.path;
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        if (!out) throw error("emit-hls: cannot write '" + p.string() + "'");
        out << file.text;
        out.close();
        if (!out) throw error("emit-hls: cannot write '" + p.string() + "'");
        r.files.push_back(p);
    }
    return r;
}

} // namespace hass::hls
