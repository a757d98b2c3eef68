// The design as the code generator sees it: every layer with its C++ name, its
// folding, the module instances hass::for_each_module builds, its fixed-point
// types and input edges; the squeezes between layers; the model's report. The
// writers of the generated files (layers.hpp, top.hpp, testbench.hpp, ...)
// read one `context`, which prepare.hpp builds; the pieces they share (the file
// banner, the module constants) are here.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/hls/emit/options.hpp"
#include "hass/hls/emit/text.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/layer.hpp"
#include "hass/modules/module.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"
#include "hass/version.hpp"

namespace hass::hls::detail::emit {

/// One module instance as hass::for_each_module gives it.
struct module_instance {
    std::string name;                                  ///< module struct name
    count_t replicas = 1;
    std::vector<std::pair<std::string, long long>> params; ///< members in order
    bool has_kind = false;                             ///< activation: `kind` is an activation_kind
    double cycles_per_window = -1;                     ///< sparse vector dot (the model's estimate)
};

template <class M>
module_instance describe_module(const M& m, count_t replicas) {
    module_instance mi;
    mi.name = std::string(M::name);
    mi.replicas = replicas;
    for_each_parameter(m, [&](std::string_view n, auto v) {
        if constexpr (std::is_enum_v<decltype(v)>) mi.has_kind = true;
        mi.params.emplace_back(std::string(n), static_cast<long long>(v));
    });
    if constexpr (requires { m.cycles_per_window; }) mi.cycles_per_window = m.cycles_per_window;
    return mi;
}

inline std::vector<module_instance> modules_of(const layer& l, const folding& f) {
    std::vector<module_instance> out;
    for_each_module(l, f, [&](const auto& m, count_t replicas) { out.push_back(describe_module(m, replicas)); });
    return out;
}

/// A fixed-point type ap_fixed<width, integer, Q, O>.
struct fixed_type {
    count_t width = 16, integer = 8;
    const char* quantisation = "AP_RND";
    const char* overflow = "AP_SAT";
    std::string text() const {
        return "ap_fixed<" + std::to_string(width) + ", " + std::to_string(integer) + ", " + quantisation + ", " +
               overflow + ">";
    }
    count_t fraction() const { return width - integer; }
};

/// An input of a layer: where its streams come from.
struct edge {
    int producer = network_input; ///< layer index or network_input
    std::size_t slot = 0;         ///< input index of the consumer
    count_t from = 1, to = 1;     ///< streams leaving the producer, entering the consumer
    std::string source;           ///< expression of the producer's stream array
    std::string target;           ///< the array the consumer reads (source, or the squeeze's output)
    int squeeze = -1;             ///< index into the squeezes
};

struct squeeze_info {
    std::string id;         ///< <consumer id>_<slot>
    std::string scope;      ///< "producer->consumer"
    int producer = network_input, consumer = 0;
    std::size_t slot = 0;
    tensor_shape shape{};
    count_t from = 1, to = 1;
    module_instance module;
    count_t model_latency = 0;
    std::string source, target;
};

struct layer_info {
    std::string id;
    const layer* l = nullptr;
    folding f{};
    bool sparse = false;
    count_t streams_in = 1, streams_out = 1; ///< per consumer for a split
    std::vector<module_instance> modules;
    std::vector<edge> inputs;
    fixed_type weight, acc;
    count_t model_latency = 0;
    bool latency_checkable = true; ///< the rebuilt sparsity statistics give the same latency
    layer_thresholds tau{};        ///< the layer's thresholds (zeros: none)
    bool input_threshold = false;  ///< tau_a applies (activation and tau_a > 0)
    double threshold_value = 0;    ///< tau_a on data_t's grid (rounded down)
    std::string output;            ///< the array the layer writes (a local, or the top's output)
    bool is_output = false;
    std::string out_param;         ///< top parameter name when an output
};

/// The prepared design (prepare_design, prepare.hpp): what every writer reads.
struct context {
    const network& net;
    const std::vector<folding>& foldings;
    const emit_options& options;
    std::string ns, top;                ///< the namespace and the top function
    fixed_type data;                    ///< data_t
    std::vector<layer_info> layers;     ///< in network order
    std::vector<squeeze_info> squeezes; ///< in the order hass::evaluate_partition inserts them
    count_t input_streams = 1;          ///< streams of the network input
    design_report report{};             ///< hass::evaluate_partition of the whole network
    std::vector<std::string> warnings;

    context(const network& n, const std::vector<folding>& f, const emit_options& o)
        : net(n), foldings(f), options(o) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw error("emit-hls: design '" + net.name.str() + "': " + what);
    }
};

// ============================================================================
// Shared pieces of the generated files
// ============================================================================

/// The first lines of every generated file.
inline std::string banner(const context& ctx, std::string_view what) {
    std::string s = "// Generated by hass emit-hls (hass " + std::string(version_string) + ") -- do not edit.\n";
    s += "// " + comment_text(what) + "\n";
    s += "// Design '" + comment_text(ctx.net.name.view()) + "'";
    if (!ctx.options.origin.empty()) s += " from " + comment_text(ctx.options.origin);
    s += ".\n";
    return s;
}

inline std::string module_ns(const module_instance& m, std::size_t k) { return m.name + "_" + std::to_string(k); }

/// The module constants and the table, in the current namespace.
inline std::string module_block(const std::vector<module_instance>& ms) {
    std::ostringstream os;
    os << "// --- the modules hass::for_each_module builds, with their parameters: the kernels'\n"
          "//     template arguments (module struct members, in member order) ---\n";
    for (std::size_t k = 0; k < ms.size(); ++k) {
        const module_instance& m = ms[k];
        os << "/// hass::modules::" << m.name << ", " << m.replicas << (m.replicas == 1 ? " instance" : " instances");
        if (m.cycles_per_window >= 0)
            os << "; the model's mean cycles per window of the slowest stream: " << number(m.cycles_per_window);
        os << "\nnamespace " << module_ns(m, k) << " {\n";
        for (const auto& [name, value] : m.params) {
            if (name == "kind" && m.has_kind)
                os << "inline constexpr ::hass::hls::activation_kind KIND = ::hass::hls::activation_kind::"
                   << activation_name(value) << ";\n";
            else
                os << "inline constexpr count_t " << upper(name) << " = " << value << ";\n";
        }
        os << "inline constexpr count_t REPLICAS = " << m.replicas << ";\n";
        os << "} // namespace " << module_ns(m, k) << "\n";
    }
    for (std::size_t k = 0; k < ms.size(); ++k) {
        const module_instance& m = ms[k];
        os << "inline constexpr ::hass::hls::module_param " << module_ns(m, k) << "_params[] = {";
        for (std::size_t p = 0; p < m.params.size(); ++p) {
            const auto& name = m.params[p].first;
            os << (p ? ",\n    " : "\n    ") << "{" << quoted(name) << ", ";
            if (name == "kind" && m.has_kind)
                os << "static_cast<long long>(" << module_ns(m, k) << "::KIND)}";
            else
                os << module_ns(m, k) << "::" << upper(name) << "}";
        }
        os << "};\n";
    }
    os << "inline constexpr ::hass::hls::emitted_module modules[] = {\n";
    for (std::size_t k = 0; k < ms.size(); ++k)
        os << "    {" << quoted(ms[k].name) << ", " << module_ns(ms[k], k) << "::REPLICAS, " << module_ns(ms[k], k)
           << "_params, " << ms[k].params.size() << "},\n";
    os << "};\n";
    return os.str();
}

/// "L::m_k::P1, L::m_k::P2, ..." (the module's parameters as template arguments).
inline std::string module_args(const std::vector<module_instance>& ms, std::string_view module,
                               std::string_view prefix) {
    for (std::size_t k = 0; k < ms.size(); ++k) {
        if (ms[k].name != module) continue;
        std::vector<std::string> a;
        for (const auto& p : ms[k].params) a.push_back(std::string(prefix) + module_ns(ms[k], k) + "::" + upper(p.first));
        return join(a, ", ");
    }
    return {};
}

inline int module_index(const std::vector<module_instance>& ms, std::string_view module) {
    for (std::size_t k = 0; k < ms.size(); ++k)
        if (ms[k].name == module) return static_cast<int>(k);
    return -1;
}

} // namespace hass::hls::detail::emit
