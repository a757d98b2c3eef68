// testbench.cpp of a generated design: a seeded random input (and weights,
// unless given), the top in C simulation under a cycle log, every layer
// computed by hass/hls/reference.hpp and the outputs compared bit for bit, the
// sparse layers' cycles against the model on the test data's statistics, and
// each stage's cycles and modules next to the model's. docs/hls.md, "The test
// bench".
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "hass/hls/emit/context.hpp"
#include "hass/hls/emit/model_checks.hpp"

namespace hass::hls::detail::emit {

/// The tensor a layer reads in the test bench (input k).
inline std::string input_tensor(const context& ctx, const layer_info& li, std::size_t k = 0) {
    const int p = li.l->inputs[k];
    return p == network_input ? std::string("x") : "r_" + ctx.layers[static_cast<std::size_t>(p)].id;
}

/// A convolution's input in the reference: thresholded at tau_a when the layer does.
inline std::string conv_input(const context& ctx, const layer_info& li) {
    if (!li.input_threshold) return input_tensor(ctx, li);
    return "ref::below_threshold_to_zero(" + input_tensor(ctx, li) + ", data_t(hd::layers::" + li.id +
           "::INPUT_THRESHOLD_VALUE))";
}

/// The reference's ref::conv_geometry of a convolution.
inline std::string conv_geometry_of(const layer_info& li) {
    const std::string L = "hd::layers::" + li.id + "::";
    return "ref::conv_geometry{" + L + "FILTERS, " + L + "KERNEL_ROWS, " + L + "KERNEL_COLS, " + L +
           "STRIDE_ROWS, " + L + "STRIDE_COLS, " + L + "PAD_TOP, " + L + "PAD_RIGHT, " + L + "PAD_BOTTOM, " + L +
           "PAD_LEFT, " + L + "GROUPS, " + L + "HAS_BIAS}";
}

/// The reference's computation of a layer (an expression of the tensors it reads).
inline std::string reference_call(const context& ctx, const layer_info& li) {
    const layer& l = *li.l;
    const std::string L = "hd::layers::" + li.id + "::";
    auto in = [&](std::size_t k) {
        const int p = l.inputs[k];
        return p == network_input ? std::string("x") : "r_" + ctx.layers[static_cast<std::size_t>(p)].id;
    };
    const std::string w = (li.tau.tau_w > 0 ? "wp_" : "w_") + li.id;
    switch (l.type) {
    case layer_type::convolution:
        return "ref::conv(" + conv_input(ctx, li) + ", " + w + ", b_" + li.id + ", " + conv_geometry_of(li) + ")";
    case layer_type::inner_product:
        return "ref::inner_product(" + in(0) + ", " + w + ", b_" + li.id + ", " + L + "FILTERS, " + L +
               "HAS_BIAS)";
    case layer_type::pooling:
        return "ref::pool(" + in(0) + ", " + L + "KERNEL_ROWS, " + L + "KERNEL_COLS, " + L + "STRIDE_ROWS, " + L +
               "STRIDE_COLS, " + L + "PAD_TOP, " + L + "PAD_RIGHT, " + L + "PAD_BOTTOM, " + L + "PAD_LEFT, " + L +
               "AVERAGE != 0)";
    case layer_type::global_pooling:
        return "ref::global_pool<" + L + "acc_t>(" + in(0) + ", " + L + "AVERAGE != 0)";
    case layer_type::relu:
    case layer_type::thresholded_relu:
    case layer_type::hardswish:
    case layer_type::hardsigmoid:
    case layer_type::relu6:
        return "ref::activation(" + in(0) + ", ref::act::" + layer_type_enum(l.type) + ", data_t(" + L +
               "THRESHOLD))";
    case layer_type::eltwise:
    case layer_type::concat: {
        std::vector<std::string> a;
        for (std::size_t k = 0; k < l.inputs.size(); ++k) a.push_back("&" + in(k));
        if (l.type == layer_type::eltwise)
            return "ref::eltwise<data_t>({" + join(a, ", ") + "}, " + L + "MULTIPLY != 0)";
        return "ref::concat<data_t>({" + join(a, ", ") + "})";
    }
    case layer_type::split:
    case layer_type::squeeze:
    case layer_type::sigmoid: return in(0);
    }
    return in(0);
}

/// The text of testbench.cpp.
inline std::string testbench(const context& ctx) {
    std::ostringstream os;
    os << banner(ctx, "C-simulation test bench: seeded random input, the top, a bit-exact comparison with "
                      "hass/hls/reference.hpp, and cycles next to the model's latencies.");
    os << R"HASS(// Build on the host with -DHASS_HLS_HOST (the stand-ins of hass/hls/host/) and the
// hass include directory; exits 0 and prints PASS when every output matches.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <hass/hls/reference.hpp>

#include "top.hpp"
#if HASS_DESIGN_MODEL_CHECKS && !HASS_HLS_VENDOR
#include <hass/hls/measure.hpp>
#endif
)HASS";
    if (ctx.options.weights) os << "#include \"weights.hpp\"\n";
    os << "\nnamespace hd = ::" << ctx.ns << ";\nnamespace ref = ::hass::hls::reference;\n";
    os << "typedef hd::data_t data_t;\n";
    os << "/// Sparse layers: the largest accepted difference between the kernel's cycles and the model on\n"
          "/// the test data's statistics (a fraction, plus 2 cycles).\n";
    os << "[[maybe_unused]] constexpr double SPARSE_TOLERANCE = " << number(ctx.options.sparse_tolerance) << ";\n\n";
    os << "int main() {\n";
    os << "    bool ok = true;\n";
    os << "    std::mt19937 rng(" << ctx.options.seed << "u);\n";
    os << "    std::printf(\"hass emit-hls test bench: design '%s', top " << ctx.top
       << ", seed %u\\n\", hd::network_name, " << ctx.options.seed << "u);\n\n";
    const std::string range = number(ctx.options.input_range);
    os << "    // input: uniform on data_t's grid in [-" << range << ", " << range << ")\n";
    os << "    const ref::tensor<data_t> x = ref::random_tensor<data_t>(rng, hd::INPUT_ROWS, hd::INPUT_COLS, "
          "hd::INPUT_CHANNELS, "
       << number(-ctx.options.input_range) << ", " << number(ctx.options.input_range) << ");\n\n";

    // weights
    os << "    // weights: canonical order, packed into the tables the top takes\n";
    os << "    auto tables = std::make_unique<hd::weight_tables>();\n";
    bool any_weights = false, any_random_prune = false, any_tau_w = false;
    for (const auto& li : ctx.layers) {
        if (!li.l->has_weights()) continue;
        any_weights = true;
        any_random_prune = any_random_prune || (li.sparse && !(li.tau.tau_w > 0));
        any_tau_w = any_tau_w || li.tau.tau_w > 0;
        const std::string L = "hd::layers::" + li.id + "::";
        if (ctx.options.weights) {
            os << "    std::vector<" << L << "weight_t> w_" << li.id << ";\n";
            os << "    for (float v : hd::weights::" << li.id << "_weights) w_" << li.id << ".push_back(" << L
               << "weight_t(v));\n";
            os << "    std::vector<" << L << "acc_t> b_" << li.id << ";\n";
            if (li.l->hardware_bias())
                os << "    for (float v : hd::weights::" << li.id << "_bias) b_" << li.id << ".push_back(" << L
                   << "acc_t(v));\n";
        } else {
            // a weight threshold prunes the weights itself; else the sparse layers' random ones are pruned
            const double prune = li.sparse && !(li.tau.tau_w > 0) ? ctx.options.random_prune : 0.0;
            os << "    const std::vector<" << L << "weight_t> w_" << li.id << " = ref::random_weights<" << L
               << "weight_t>(rng, " << L << "WEIGHT_COUNT, 0.5, " << number(prune) << ");\n";
            os << "    const std::vector<" << L << "acc_t> b_" << li.id << " = " << L
               << "HAS_BIAS ? ref::random_bias<" << L << "acc_t>(rng, " << L << "FILTERS, 0.5) : std::vector<" << L
               << "acc_t>();\n";
        }
        os << "    " << L << "pack_weights(w_" << li.id << ".data(), tables->w_" << li.id << ");\n";
        if (li.tau.tau_w > 0)
            os << "    // the weights as the design holds them: |w| < TAU_W pruned (pack_weights does the same)\n"
               << "    const std::vector<" << L << "weight_t> wp_" << li.id << " = ref::pruned_weights<" << L
               << "weight_t>(w_" << li.id << ", " << L << "TAU_W);\n";
        os << "    if (" << L << "HAS_BIAS) " << L << "pack_bias(b_" << li.id << ".data(), tables->b_" << li.id
           << ");\n";
    }
    if (!any_weights) os << "    (void)tables;\n";
    if (ctx.options.weights)
        os << "    std::printf(\"weights: embedded (weights.hpp)\\n\");\n";
    else if (any_weights)
        os << "    std::printf(\"weights: none given: seeded random ones (seed " << ctx.options.seed
           << "), uniform in [-0.5, 0.5) on weight_t's grid, biases in [-0.5, 0.5)"
           << (ctx.options.random_prune > 0 && any_random_prune
                   ? ", " + std::to_string(static_cast<int>(ctx.options.random_prune * 100 + 0.5)) +
                         "%% of the weights of the sparse layers without tau_w pruned"
                   : std::string())
           << (any_tau_w ? ", |w| < TAU_W pruned in the layers with a weight threshold" : "")
           << "\\n\");\n";
    os << "\n";

    // C simulation
    os << "    // C simulation\n";
    os << "    ::hls::stream<data_t> in[hd::INPUT_STREAMS];\n";
    for (const auto& li : ctx.layers)
        if (li.is_output)
            os << "    ::hls::stream<data_t> " << li.out_param << "[hd::layers::" << li.id << "::STREAMS_OUT];\n";
    os << "    ref::feed(x, in, hd::INPUT_STREAMS);\n";
    os << "#if !HASS_HLS_VENDOR\n";
    os << "    ::hass::hls::cycle_log log;\n";
    os << "    const long long leftovers = ::hass::hls::host::leftover_words();\n";
    os << "#endif\n";
    std::vector<std::string> args{"in"};
    for (const auto& li : ctx.layers)
        if (li.is_output) args.push_back(li.out_param);
    for (const auto& li : ctx.layers)
        if (li.l->has_weights()) {
            args.push_back("tables->w_" + li.id);
            args.push_back("tables->b_" + li.id);
        }
    os << "    try {\n        " << ctx.top << "(" << join(args, ", ") << ");\n";
    os << "    } catch (const std::exception& e) {\n";
    os << "        std::printf(\"C simulation failed: %s (a deadlock in hardware)\\n\", e.what());\n";
    os << "        std::printf(\"FAIL\\n\");\n        return 1;\n    }\n";
    os << "    if (!ref::all_empty(in, hd::INPUT_STREAMS)) {\n";
    os << "        std::printf(\"the design left input words unread\\n\");\n        ok = false;\n    }\n";
    os << "#if !HASS_HLS_VENDOR\n";
    os << "    if (::hass::hls::host::leftover_words() != leftovers) {\n";
    os << "        std::printf(\"%lld words were left in the streams between the layers\\n\", "
          "::hass::hls::host::leftover_words() - leftovers);\n";
    os << "        ok = false;\n    }\n";
    os << "#endif\n\n";

    // reference
    os << "    // the reference, layer by layer\n";
    for (const auto& li : ctx.layers) {
        const bool alias = li.l->type == layer_type::split || li.l->type == layer_type::squeeze;
        os << "    const ref::tensor<data_t>" << (alias ? "& r_" : " r_") << li.id << " = " << reference_call(ctx, li)
           << ";\n";
    }
    os << "\n    // the outputs, bit for bit\n";
    for (const auto& li : ctx.layers) {
        if (!li.is_output) continue;
        const std::string L = "hd::layers::" + li.id + "::";
        os << "    try {\n";
        os << "        const ref::tensor<data_t> y = ref::drain(" << li.out_param << ", " << L << "STREAMS_OUT, " << L
           << "ROWS_OUT, " << L << "COLS_OUT, " << L << "CHANNELS_OUT);\n";
        os << "        const long long d = ref::first_difference(y, r_" << li.id << ");\n";
        os << "        if (d >= 0) {\n";
        os << "            std::printf(\"output %s: differs from the reference at element %lld (pixel %lld, channel "
              "%lld): kernel %.8g, reference %.8g\\n\", "
           << quoted(li.l->name.view()) << ", d, d / " << L << "CHANNELS_OUT, d % " << L
           << "CHANNELS_OUT, y.v[static_cast<std::size_t>(d)].to_double(), r_" << li.id
           << ".v[static_cast<std::size_t>(d)].to_double());\n";
        os << "            ok = false;\n";
        os << "        } else {\n";
        os << "            std::printf(\"output %s: %lld values, bit-exact with the reference\\n\", "
           << quoted(li.l->name.view()) << ", static_cast<long long>(y.size()));\n";
        os << "        }\n";
        os << "        if (!ref::all_empty(" << li.out_param << ", " << L << "STREAMS_OUT)) {\n";
        os << "            std::printf(\"output %s: extra words\\n\", " << quoted(li.l->name.view()) << ");\n";
        os << "            ok = false;\n        }\n";
        os << "    } catch (const std::exception& e) {\n";
        os << "        std::printf(\"output %s: too few words (%s)\\n\", " << quoted(li.l->name.view())
           << ", e.what());\n";
        os << "        ok = false;\n    }\n";
    }

    // the model on the test data's statistics (sparse layers)
    bool any_sparse_layer = false;
    for (const auto& li : ctx.layers) any_sparse_layer = any_sparse_layer || li.sparse;
    // (declared for the cycle table too, filled when the model checks are compiled in)
    os << R"HASS(
#if !HASS_HLS_VENDOR
    struct sparse_agreement {
        const char* scope;
        double zeros;
        long long model_mean, model, kernel;
    };
    std::vector<sparse_agreement> sparse_layers;
#endif
)HASS";
    if (any_sparse_layer) {
        os << R"HASS(
#if HASS_DESIGN_MODEL_CHECKS && !HASS_HLS_VENDOR
    // sparse layers: the model evaluated on the statistics of the test data (per-filter
    // zero-product histograms measured on the layer's input and pruned weights; the
    // slowest (stream, coarse_out lane) pair sets the pace, docs/model.md), next to the
    // kernel's cycles
)HASS";
        for (const auto& li : ctx.layers) {
            if (!li.sparse) continue;
            const std::string L = "hd::layers::" + li.id + "::";
            os << "    {\n";
            os << "        ::hass::layer l = " << L << "layer_value();\n";
            os << "        l.sparsity = ::hass::hls::measure_sparsity(" << input_tensor(ctx, li) << ", "
               << (li.tau.tau_w > 0 ? "wp_" : "w_") << li.id << ", " << conv_geometry_of(li) << ", " << L
               << "SKIP_ALL_ZERO, " << L << "INPUT_THRESHOLD, data_t(" << L << "INPUT_THRESHOLD_VALUE), " << L
               << "NAME);\n";
            os << "        l.sparsity.always_sparse = true; // built sparse, however dense the test data\n";
            os << "        const long long model = ::hass::evaluate_layer(l, " << L << "folding_value()).latency;\n";
            os << "        l.sparsity.lanes = ::hass::sparse_lanes::mean;\n";
            os << "        const long long mean = ::hass::evaluate_layer(l, " << L << "folding_value()).latency;\n";
            os << "        sparse_layers.push_back({" << L << "NAME, l.sparsity.mean_zeros, mean, model, "
               << "::hass::hls::stage_cycles(log, " << L << "NAME)});\n";
            os << "    }\n";
        }
        os << R"HASS(    std::printf("\n%-32s %7s %12s %12s %8s %14s\n", "sparse layer (test data)", "zeros", "kernel",
                "model", "diff", "mean-lane model");
    for (const auto& a : sparse_layers) {
        const double diff = 100.0 * static_cast<double>(a.kernel - a.model) / static_cast<double>(a.model ? a.model : 1);
        std::printf("%-32s %6.1f%% %12lld %12lld %+7.2f%% %14lld\n", a.scope, 100.0 * a.zeros, a.kernel, a.model, diff,
                    a.model_mean);
        const double gap = static_cast<double>(a.kernel - a.model);
        if (gap > SPARSE_TOLERANCE * static_cast<double>(a.model) + 2 ||
            -gap > SPARSE_TOLERANCE * static_cast<double>(a.model) + 2) {
            std::printf("    %s: the kernel's cycles differ from the model on the test data by more than %.0f%%\n",
                        a.scope, 100.0 * SPARSE_TOLERANCE);
            ok = false;
        }
    }
#endif
)HASS";
    }

    // the layers' model checks too large for static_asserts (model_checks.hpp)
    {
        std::vector<std::string> ids;
        for (const auto& li : ctx.layers)
            if (!static_layer_checks(li)) ids.push_back(li.id);
        if (!ids.empty()) {
            os << "\n#if HASS_DESIGN_MODEL_CHECKS && !HASS_HLS_VENDOR\n"
               << "    // the model checks of the layers too large for static_asserts, at run time\n";
            for (const auto& id : ids)
                os << "    for (const std::string& f : hd::layers::" << id << "::model_check_failures()) {\n"
                   << "        std::printf(\"model check failed: %s\\n\", f.c_str());\n"
                   << "        ok = false;\n    }\n";
            os << "#endif\n";
        }
    }

    // the whole-network checks, when too large for static_asserts (model_checks.hpp)
    if (!static_network_checks(ctx)) {
        bool checkable = true;
        for (const auto& li : ctx.layers) checkable = checkable && li.latency_checkable;
        os << R"HASS(
#if HASS_DESIGN_MODEL_CHECKS && !HASS_HLS_VENDOR
    // the whole-network model checks, at run time (too large for static_asserts: top.hpp)
    {
        const ::hass::network net = hd::network_value();
        const std::string problem = ::hass::network_problem(net);
        if (!problem.empty()) {
            std::printf("hass::network_problem: %s\n", problem.c_str());
            ok = false;
        }
)HASS";
        if (checkable)
            os << R"HASS(        const ::hass::design_report r =
            ::hass::evaluate_partition(net, hd::folding_values(), ::hass::board{}, 0, static_cast<int>(net.size()));
        if (r.compute_ii != hd::MODEL_COMPUTE_II || static_cast<long long>(r.squeezes.size()) != hd::SQUEEZES) {
            std::printf("hass::evaluate gives II %lld and %lld squeezes, the design %lld and %lld (regenerate it)\n",
                        static_cast<long long>(r.compute_ii), static_cast<long long>(r.squeezes.size()),
                        static_cast<long long>(hd::MODEL_COMPUTE_II), static_cast<long long>(hd::SQUEEZES));
            ok = false;
        }
)HASS";
        os << R"HASS(    }
#endif
)HASS";
    }

    // cycles
    os << R"HASS(
#if !HASS_HLS_VENDOR
    // cycles: the slowest module instance of each stage (pipelined iterations)
    // next to the model's latency, and the modules the kernels ran next to the
    // model's (hass::for_each_module)
    // A sparse layer's cycles depend on its data: its model column is the model on
    // the test data's statistics (the sparse table above) when the model checks are
    // compiled in, and the II line compares the kernel with that model; the design's
    // own model II (on the statistics it was designed for) is printed below it.
    std::printf("\n%-40s %-16s %10s %10s %8s  %s\n", "stage", "kind", "kernel", "model", "diff", "modules");
    long long slowest = 0, slowest_model = 0;
    std::string slowest_stage;
    bool test_data_model = false;
    for (const auto& s : hd::stages) {
        const long long k = ::hass::hls::stage_cycles(log, s.scope);
        long long m = s.model_latency;
        const char* kind = s.kind;
        for (const auto& a : sparse_layers)
            if (std::string(a.scope) == s.scope) {
                m = a.model;
                kind = "sparse (test)";
                test_data_model = true;
            }
        const double diff = m ? 100.0 * static_cast<double>(k - m) / static_cast<double>(m) : 0.0;
        const std::vector<std::string> drift = ::hass::hls::module_drift(log, s);
        std::printf("%-40s %-16s %10lld %10lld %+7.2f%%  %s\n", s.scope, kind, k, m, diff,
                    drift.empty() ? "as modelled" : "DIFFER");
        for (const auto& d : drift) std::printf("    %s\n", d.c_str());
        if (!drift.empty()) ok = false;
        if (k > slowest) {
            slowest = k;
            slowest_stage = s.scope;
        }
        slowest_model = std::max(slowest_model, m);
    }
    std::printf("%-40s %-16s %10lld %10lld %+7.2f%%  slowest: %s\n", "II (cycles per image)",
                test_data_model ? "on the test data" : "design", slowest, slowest_model,
                100.0 * static_cast<double>(slowest - slowest_model) /
                    static_cast<double>(slowest_model ? slowest_model : 1),
                slowest_stage.c_str());
    if (test_data_model)
        std::printf("%-40s %-16s %10s %10lld           (the statistics the design was made for)\n",
                    "II (cycles per image)", "design's model", "", static_cast<long long>(hd::MODEL_COMPUTE_II));
#endif

    std::printf("%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
)HASS";
    return os.str();
}

} // namespace hass::hls::detail::emit
