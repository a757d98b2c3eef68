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
// hass/io/weights.hpp (JSON) or read_weights_binary below.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hass/hass.hpp"
#include "hass/io/file.hpp"

namespace hass::hls {

/// Canonical weights of one layer: `weights` in OIHW order (filter, channel of
/// the group, kernel row, kernel column; an inner product: [feature][input],
/// the input flattened in stream order (row, column, channel)), `bias` one per
/// filter (the layer's bias, or the folded BatchNorm shift).
struct layer_weights {
    std::vector<float> weights;
    std::vector<float> bias;
};

/// Weights of the layers that have them, by layer name.
using weight_set = std::map<std::string, layer_weights, std::less<>>;

/// The thresholds of a sparse design (HASS) for one layer: weights with
/// |w| < tau_w are pruned (the layer's pack_weights zeroes them), and, when
/// `activation` (the layer reads a ReLU's output) and tau_a > 0, activations
/// x <= tau_a are read as zero where the layer reads its input (its zero
/// detectors, or its dot products when built dense): a thresholded ReLU in
/// front of this layer alone.
struct layer_thresholds {
    double tau_w = 0;
    double tau_a = 0;
    bool activation = false;
};

struct emit_options {
    std::filesystem::path out_dir;         ///< created when missing
    std::string name_space = "hass_design"; ///< C++ namespace of the generated code
    std::string top_name;                  ///< top function; empty: <network>_top
    std::uint32_t seed = 1;                ///< test bench: random input (and weights)
    int data_integer_bits = 0;             ///< data_t integer bits; 0: width / 2
    int weight_integer_bits = 0;           ///< weight_t integer bits; 0: width / 4 (at least 1)
    double random_prune = 0.5;             ///< random weights of sparse layers: fraction set to zero
    double input_range = 2.0;              ///< random input uniform in [-range, range)
    std::optional<weight_set> weights;     ///< embedded in weights.hpp when given
    std::string origin;                    ///< where the design came from (file headers)
    /// Thresholds by layer name (convolutions and inner products; others keep none).
    std::map<std::string, layer_thresholds, std::less<>> thresholds;
    std::string thresholds_source;         ///< where they came from (comments, test bench output)
    /// The test bench fails when a sparse layer's cycles differ from the model
    /// on the test data's statistics by more than this fraction (plus 2 cycles).
    double sparse_tolerance = 0.02;
};

struct emitted_file {
    std::filesystem::path path; ///< relative to the output directory
    std::string text;
};

struct emit_result {
    std::vector<std::filesystem::path> files; ///< written (out_dir / relative path)
    std::vector<std::string> warnings;
    std::string top_name;
    std::string name_space;
    count_t compute_ii = 0;     ///< the model's II of the design (cycles per image)
    std::size_t squeezes = 0;   ///< squeezes inserted between layers
    std::vector<std::string> layer_ids; ///< per layer: its C++ name (layers::<id>, w_<id>, b_<id>)
};

// ============================================================================
// Weights
// ============================================================================

/// Checks that `w` gives exactly the weights (and biases) of every layer of
/// `net` that has them; throws hass::error naming the layer.
inline void check_weights(const weight_set& w, const network& net, std::string_view source = "weights") {
    const std::string src(source);
    for (const auto& [name, lw] : w) {
        const int idx = net.find(name);
        if (idx < 0) throw error(src + ": layer '" + name + "' is not in network '" + net.name.str() + "'");
        const layer& l = net.layers[static_cast<std::size_t>(idx)];
        if (!l.has_weights())
            throw error(src + ": layer '" + name + "' is " + std::string(to_string(l.type)) + ", which has no weights");
        if (static_cast<count_t>(lw.weights.size()) != l.weight_count())
            throw error(src + ": layer '" + name + "' has " + std::to_string(lw.weights.size()) +
                        " weights, expected " + std::to_string(l.weight_count()));
        const count_t want_bias = l.hardware_bias() ? l.filters() : 0;
        if (static_cast<count_t>(lw.bias.size()) != want_bias)
            throw error(src + ": layer '" + name + "' has " + std::to_string(lw.bias.size()) + " biases, expected " +
                        std::to_string(want_bias) +
                        (want_bias ? " (one per filter)" : " (the layer has no bias and no BatchNorm)"));
        for (float v : lw.weights)
            if (!std::isfinite(v)) throw error(src + ": layer '" + name + "' has a weight that is not finite");
        for (float v : lw.bias)
            if (!std::isfinite(v)) throw error(src + ": layer '" + name + "' has a bias that is not finite");
    }
    for (const auto& l : net.layers)
        if (l.has_weights() && w.find(l.name.view()) == w.end())
            throw error(src + ": no weights for layer '" + l.name.str() + "'");
}

/// The raw binary weight format: little-endian float32, for each layer with
/// weights in network order, its weight_count() weights (canonical order),
/// then, when the layer has a bias or a folded BatchNorm, its filters() biases.
inline weight_set read_weights_binary(const std::filesystem::path& path, const network& net) {
    count_t expected = 0;
    for (const auto& l : net.layers)
        if (l.has_weights()) expected += l.weight_count() + (l.hardware_bias() ? l.filters() : 0);
    const std::uintmax_t size = io::checked_file_size(path, io::max_binary_file_bytes, "a binary weight file");
    if (size != static_cast<std::uintmax_t>(4 * expected))
        throw error(path.string() + ": " + std::to_string(size) + " bytes, expected " +
                    std::to_string(4 * expected) + " (" + std::to_string(expected) +
                    " little-endian float32 values: the weights and biases of every layer with weights, in "
                    "network order)");
    const std::string raw = io::read_bounded_file(path, io::max_binary_file_bytes, "a binary weight file");
    const std::vector<unsigned char> bytes(raw.begin(), raw.end());
    std::size_t at = 0;
    auto next = [&] {
        std::uint32_t u = 0;
        for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(bytes[at + static_cast<std::size_t>(b)]) << (8 * b);
        at += 4;
        float f;
        std::memcpy(&f, &u, sizeof f);
        return f;
    };
    weight_set w;
    for (const auto& l : net.layers) {
        if (!l.has_weights()) continue;
        layer_weights& lw = w[l.name.str()];
        for (count_t k = 0; k < l.weight_count(); ++k) lw.weights.push_back(next());
        if (l.hardware_bias())
            for (count_t k = 0; k < l.filters(); ++k) lw.bias.push_back(next());
    }
    check_weights(w, net, path.string());
    return w;
}

/// Writes `w` in the raw binary format read_weights_binary reads (little-endian
/// float32, layers with weights in network order, weights then biases). The set
/// is checked against `net` first (check_weights).
inline void write_weights_binary(const std::filesystem::path& path, const weight_set& w, const network& net) {
    check_weights(w, net, "the weights for '" + path.string() + "'");
    std::vector<char> bytes;
    auto put = [&bytes](float f) {
        std::uint32_t u = 0;
        std::memcpy(&u, &f, sizeof u);
        for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((u >> (8 * b)) & 0xffu));
    };
    for (const auto& l : net.layers) {
        if (!l.has_weights()) continue;
        const layer_weights& lw = w.find(l.name.view())->second;
        for (float v : lw.weights) put(v);
        for (float v : lw.bias) put(v);
    }
    std::ofstream out(path, std::ios::binary);
    if (!out) throw error("cannot write '" + path.string() + "'");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw error("cannot write '" + path.string() + "'");
}

namespace detail::emit {

// ============================================================================
// Text helpers
// ============================================================================

inline const std::set<std::string_view>& cpp_keywords() {
    static const std::set<std::string_view> k{
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
        "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
        "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
        "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
        "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
        "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
        "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
        "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "main",
        "final", "override", "import", "module"};
    return k;
}

/// Names the generated code uses itself inside the design's namespace.
inline const std::set<std::string_view>& reserved_names() {
    static const std::set<std::string_view> r{
        "in", "out", "weights", "biases", "padded", "windows", "data_t", "weight_t", "acc_t", "count_t", "layers",
        "squeezes", "stages", "weight_tables", "network_value", "folding_values", "network_name", "std", "hass",
        "hls", "ref", "L", "cfg"};
    return r;
}

/// A C++ identifier for `name`: other characters become '_', runs of '_'
/// collapse, a leading digit or '_' gets an "l_" prefix, keywords a '_' suffix.
inline std::string identifier(std::string_view name) {
    std::string t;
    for (char c : name) {
        const char d = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        if (d == '_' && !t.empty() && t.back() == '_') continue;
        t += d;
    }
    if (t.empty() || std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '_')
        t = (t.empty() || t[0] != '_') ? "l_" + t : "l" + t;
    if (cpp_keywords().count(t) || reserved_names().count(t)) t += '_';
    return t;
}

inline bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return !cpp_keywords().count(s);
}

inline std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

inline std::string upper(std::string_view s) {
    std::string u(s);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

/// A C++ string literal.
inline std::string quoted(std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            q += '\\';
            q += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(static_cast<unsigned char>(c)));
            q += buf;
        } else {
            q += c;
        }
    }
    return q + "\"";
}

/// Text safe inside a // comment (no line breaks).
inline std::string comment_text(std::string_view s) {
    std::string t;
    for (char c : s) t += (c == '\n' || c == '\r') ? ' ' : c;
    return t;
}

/// A double literal that reads back exactly.
inline std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

/// A float value as a (double) literal that converts back to the same float.
inline std::string float_number(float v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

inline std::string shape_text(const tensor_shape& s) {
    return std::to_string(s.rows) + "x" + std::to_string(s.cols) + "x" + std::to_string(s.channels);
}

inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

inline const char* activation_name(long long kind) {
    static const char* names[] = {"relu", "thresholded_relu", "hardswish", "hardsigmoid", "sigmoid", "relu6"};
    return kind >= 0 && kind < 6 ? names[kind] : "relu";
}

inline const char* storage_name(weight_storage w) {
    switch (w) {
    case weight_storage::bram: return "bram";
    case weight_storage::uram: return "uram";
    case weight_storage::off_chip: return "off_chip";
    }
    return "bram";
}

/// The enumerator name of a layer type (hass::to_string gives exactly that).
inline std::string layer_type_enum(layer_type t) { return std::string(to_string(t)); }

// ============================================================================
// The design, prepared for writing
// ============================================================================

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

class writer {
public:
    writer(const network& net, const std::vector<folding>& f, const emit_options& o) : net_(net), f_(f), o_(o) {
        prepare();
    }

    std::vector<emitted_file> files() const {
        std::vector<emitted_file> out;
        out.push_back({"design.hpp", design_header()});
        for (std::size_t i = 0; i < layers_.size(); ++i)
            out.push_back({std::filesystem::path("layers") / (layers_[i].id + ".hpp"), layer_header(i)});
        out.push_back({"squeezes.hpp", squeezes_header()});
        out.push_back({"top.hpp", top_header()});
        out.push_back({"top.cpp", top_source()});
        out.push_back({"testbench.cpp", testbench()});
        if (o_.weights) out.push_back({"weights.hpp", weights_header()});
        return out;
    }

    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::string& top_name() const { return top_; }
    const std::string& name_space() const { return ns_; }
    count_t compute_ii() const { return report_.compute_ii; }
    std::size_t squeeze_count() const { return squeezes_.size(); }
    std::vector<std::string> layer_ids() const {
        std::vector<std::string> ids;
        for (const auto& li : layers_) ids.push_back(li.id);
        return ids;
    }

private:
    const network& net_;
    const std::vector<folding>& f_;
    const emit_options& o_;
    std::string ns_, top_;
    fixed_type data_;
    std::vector<layer_info> layers_;
    std::vector<squeeze_info> squeezes_;
    count_t input_streams_ = 1;
    design_report report_{};
    std::vector<std::string> warnings_;

    // ------------------------------------------------------------------------
    // preparation
    // ------------------------------------------------------------------------

    [[noreturn]] void fail(const std::string& what) const {
        throw error("emit-hls: design '" + net_.name.str() + "': " + what);
    }

    void prepare() {
        validate(net_, f_);
        if (net_.layers.empty()) fail("the network has no layers");
        ns_ = o_.name_space.empty() ? "hass_design" : o_.name_space;
        for (std::size_t p = 0; p < ns_.size();) { // "a::b" is allowed
            const std::size_t q = std::min(ns_.find("::", p), ns_.size());
            if (!is_identifier(ns_.substr(p, q - p))) fail("namespace '" + ns_ + "' is not a C++ namespace name");
            p = q == ns_.size() ? q : q + 2;
        }
        top_ = o_.top_name.empty() ? identifier(net_.name.view()) + "_top" : o_.top_name;
        if (!is_identifier(top_)) fail("top function name '" + top_ + "' is not a C++ identifier");
        if (!(o_.random_prune >= 0.0 && o_.random_prune < 1.0)) fail("random_prune must be in [0, 1)");
        if (!(o_.input_range > 0.0)) fail("input_range must be positive");

        // the types
        const count_t dw = net_.layers.front().width.data;
        for (const auto& l : net_.layers)
            if (l.width.data != dw)
                fail("layer '" + l.name.str() + "' has data width " + std::to_string(l.width.data) + " but layer '" +
                     net_.layers.front().name.str() + "' has " + std::to_string(dw) +
                     "; emit-hls needs one data width for the whole design (the streams between layers carry one "
                     "data_t)");
        data_.width = dw;
        data_.integer = o_.data_integer_bits > 0 ? o_.data_integer_bits : (dw + 1) / 2;
        if (data_.integer > dw) fail("data_integer_bits exceeds the data width " + std::to_string(dw));
        if (dw > 32)
            warnings_.push_back("data width " + std::to_string(dw) +
                                " exceeds 32 bits: the host stand-ins (64-bit arithmetic) cannot simulate it; use "
                                "the vendor headers");

        // identifiers (unique, case-insensitively: they are also file names)
        std::set<std::string> used;
        used.insert(lower(top_));
        for (std::size_t i = 0; i < net_.size(); ++i) {
            const layer& l = net_.layers[i];
            layer_info li;
            std::string id = identifier(l.name.view());
            if (lower(id) == lower(ns_)) id += '_';
            const std::string base = id;
            for (int k = 2; used.count(lower(id)); ++k) id = base + "_" + std::to_string(k);
            used.insert(lower(id));
            li.id = id;
            li.l = &l;
            li.f = f_[i];
            check_supported(l, f_[i]);
            li.sparse = implemented_sparse(l, f_[i]);
            li.streams_in = streams_in(l, f_[i]);
            li.streams_out = streams_out(l, f_[i]);
            li.modules = modules_of(l, f_[i]);
            li.weight.width = l.width.weight;
            li.weight.integer =
                o_.weight_integer_bits > 0 ? o_.weight_integer_bits : std::max<count_t>(1, l.width.weight / 4);
            if (li.weight.integer > l.width.weight)
                fail("layer '" + l.name.str() + "': weight_integer_bits exceeds the weight width");
            li.acc.width = l.width.acc;
            li.acc.quantisation = "AP_TRN";
            li.acc.overflow = "AP_WRAP";
            // the fraction bits of an exact product (layers with weights) or of the
            // data (global pooling sums data values)
            const count_t frac = data_.fraction() + (l.has_weights() ? li.weight.fraction() : 0);
            li.acc.integer = l.width.acc - frac;
            if (li.acc.integer < 1) {
                li.acc.integer = 1;
                warnings_.push_back("layer '" + l.name.str() + "': acc width " + std::to_string(l.width.acc) +
                                    " cannot hold the " + std::to_string(frac) +
                                    " fraction bits of a product: sums round and depend on their order, so the "
                                    "kernel may differ from the reference");
            }
            if (l.has_weights() && (l.width.weight > 32 || l.width.acc > 48))
                warnings_.push_back("layer '" + l.name.str() +
                                    "': weight width above 32 or acc width above 48 bits exceeds what the host "
                                    "stand-ins simulate (64-bit arithmetic); use the vendor headers");
            if (li.sparse && l.sparsity.order == interleaving::opt)
                warnings_.push_back("layer '" + l.name.str() +
                                    "': the model deals the channels to the streams by the 'opt' interleaving, the "
                                    "kernels by c % S ('naive'): the measured cycles follow the naive order");
            // a strided 1x1 layer is priced with the window model, which the kernel implements
            if (li.sparse && pointwise_sparse_model(l))
                warnings_.push_back("layer '" + l.name.str() +
                                    "': a pointwise sparse convolution: the kernel skips zero products per "
                                    "(window, filter) pair, not what the model's pointwise estimate assumes");
            if (const auto t = o_.thresholds.find(l.name.view()); t != o_.thresholds.end()) {
                if (!l.has_weights())
                    fail("thresholds for layer '" + l.name.str() + "', a " + std::string(to_string(l.type)) +
                         " layer: only convolutions and inner products take them");
                const layer_thresholds& th = t->second;
                if (!(th.tau_w >= 0) || !(th.tau_a >= 0) || !std::isfinite(th.tau_w) || !std::isfinite(th.tau_a))
                    fail("layer '" + l.name.str() + "': thresholds must be finite and >= 0 (tau_w " +
                         number(th.tau_w) + ", tau_a " + number(th.tau_a) + ")");
                li.tau = th;
                li.input_threshold = th.activation && th.tau_a > 0 && l.type == layer_type::convolution;
                if (th.tau_a > 0 && !li.input_threshold)
                    warnings_.push_back("layer '" + l.name.str() + "': tau_a " + number(th.tau_a) +
                                        " is not applied (only a convolution that reads a ReLU's output "
                                        "thresholds its input)");
                // x <= tau_a  <=>  x <= tau_a rounded down to data_t's grid (x is on the grid)
                const double scale = std::ldexp(1.0, static_cast<int>(data_.fraction()));
                li.threshold_value = std::floor(th.tau_a * scale) / scale;
            }
            layers_.push_back(std::move(li));
        }
        for (const auto& [name, th] : o_.thresholds)
            if (net_.find(name) < 0)
                fail("thresholds for layer '" + name + "', which is not in network '" + net_.name.str() + "'");
        report_ = evaluate_partition(net_, f_, board{}, 0, static_cast<int>(net_.size()));
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            layers_[i].model_latency = report_.layers[i].latency;
            if (layers_[i].l->sparsity.active()) {
                layer rebuilt = *layers_[i].l;
                rebuilt.sparsity = rebuilt_stats(layers_[i].l->sparsity, rebuilt.name.view());
                layers_[i].latency_checkable =
                    evaluate_layer(rebuilt, layers_[i].f).latency == layers_[i].model_latency &&
                    rebuilt.is_sparse() == layers_[i].l->is_sparse();
            }
        }

        // outputs of the top
        const std::vector<int> outs = net_.outputs();
        for (int o : outs) {
            layer_info& li = layers_[static_cast<std::size_t>(o)];
            if (li.l->type == layer_type::split) fail("split '" + li.l->name.str() + "' has no reader");
            li.is_output = true;
            li.out_param = outs.size() == 1 ? "out" : "out_" + li.id;
            li.output = li.out_param;
        }
        for (auto& li : layers_)
            if (!li.is_output) li.output = "s_" + li.id;

        // edges and squeezes, in the order hass::evaluate_partition visits them
        std::vector<count_t> next_port(layers_.size(), 0);
        bool input_seen = false;
        std::size_t report_squeeze = 0;
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            layer_info& li = layers_[i];
            const layer& l = *li.l;
            for (std::size_t k = 0; k < l.inputs.size(); ++k) {
                edge e;
                e.producer = l.inputs[k];
                e.slot = k;
                e.to = li.streams_in;
                if (e.producer == network_input) {
                    if (input_seen && input_streams_ != e.to)
                        fail("the network input is read by several layers with different stream counts");
                    input_seen = true;
                    input_streams_ = e.to;
                    e.from = e.to;
                    e.source = "in";
                } else {
                    const auto p = static_cast<std::size_t>(e.producer);
                    const layer_info& pi = layers_[p];
                    e.from = pi.streams_out;
                    e.source = pi.output;
                    if (pi.l->type == layer_type::split) {
                        const count_t port = next_port[p]++;
                        if (port >= pi.l->fan_out)
                            fail("split '" + pi.l->name.str() + "' has fan_out " + std::to_string(pi.l->fan_out) +
                                 " but more readers");
                        if (port > 0) e.source += " + " + std::to_string(port * pi.streams_out);
                    }
                }
                e.target = e.source;
                if (e.producer != network_input && e.from != e.to) {
                    squeeze_info s;
                    s.id = li.id + "_" + std::to_string(k);
                    s.producer = e.producer;
                    s.consumer = static_cast<int>(i);
                    s.slot = k;
                    s.shape = net_.shape_of(e.producer);
                    s.from = e.from;
                    s.to = e.to;
                    s.scope = net_.layers[static_cast<std::size_t>(e.producer)].name.str() + "->" + l.name.str();
                    if (l.inputs.size() > 1) s.scope += "#" + std::to_string(k);
                    const modules::squeeze m{s.shape.size(), e.from, e.to, 1, l.width.data};
                    s.module = describe_module(m, 1);
                    if (report_squeeze >= report_.squeezes.size() ||
                        report_.squeezes[report_squeeze].producer != e.producer ||
                        report_.squeezes[report_squeeze].consumer != static_cast<int>(i))
                        fail("internal: the squeezes differ from hass::evaluate_partition's");
                    s.model_latency = report_.squeezes[report_squeeze++].latency;
                    s.source = e.source;
                    s.target = "q_" + s.id;
                    e.target = s.target;
                    e.squeeze = static_cast<int>(squeezes_.size());
                    squeezes_.push_back(std::move(s));
                }
                li.inputs.push_back(std::move(e));
            }
        }
        if (report_squeeze != report_.squeezes.size())
            fail("internal: the squeezes differ from hass::evaluate_partition's");
        for (std::size_t p = 0; p < layers_.size(); ++p)
            if (layers_[p].l->type == layer_type::split && next_port[p] != layers_[p].l->fan_out)
                fail("split '" + layers_[p].l->name.str() + "' has fan_out " + std::to_string(layers_[p].l->fan_out) +
                     " but " + std::to_string(next_port[p]) + " readers");
        if (o_.weights) check_weights(*o_.weights, net_, "the weights");
    }

    void check_supported(const layer& l, const folding& f) const {
        const std::string n = "layer '" + l.name.str() + "': ";
        switch (l.type) {
        case layer_type::sigmoid:
            fail(n + "sigmoid has no HLS kernel (supported: convolution (dense and sparse), inner_product, pooling, "
                     "global_pooling, relu, relu6, thresholded_relu, hardswish, hardsigmoid, eltwise, concat, split)");
        case layer_type::eltwise:
            if (l.broadcast && l.inputs.size() != 2)
                fail(n + "a broadcast eltwise takes exactly two inputs in the kernels");
            if (l.inputs.size() > 64) fail(n + "more than 64 eltwise inputs");
            break;
        case layer_type::convolution:
            if (f.coarse_group > 1 && !(l.in.channels == l.groups && l.out.channels == l.groups))
                fail(n + "coarse_group " + std::to_string(f.coarse_group) +
                     " > 1 is supported by the kernels for depthwise layers only (the channel interleaving c % S "
                     "would mix the groups of other grouped layers; docs/hls.md, Stream layout)");
            if (l.kernel_size() > 64) fail(n + "kernels of more than 64 elements are not supported");
            break;
        case layer_type::pooling:
            if (l.kernel_size() > 256) fail(n + "pooling windows of more than 256 elements are not supported");
            break;
        default: break;
        }
    }

    static sparsity_stats rebuilt_stats(const sparsity_stats& s, std::string_view where) {
        sparsity_stats r = make_sparsity_stats(s.channels, s.kernel, s.histogram, where);
        r.order = s.order;
        r.skip_all_zero = s.skip_all_zero;
        r.clusters = s.clusters;
        if (!r.cache_valid()) r.prepare();
        return r;
    }

    // ------------------------------------------------------------------------
    // shared pieces
    // ------------------------------------------------------------------------

    std::string banner(std::string_view what) const {
        std::string s = "// Generated by hass emit-hls (hass " + std::string(version_string) + ") -- do not edit.\n";
        s += "// " + comment_text(what) + "\n";
        s += "// Design '" + comment_text(net_.name.view()) + "'";
        if (!o_.origin.empty()) s += " from " + comment_text(o_.origin);
        s += ".\n";
        return s;
    }

    static std::string module_ns(const module_instance& m, std::size_t k) { return m.name + "_" + std::to_string(k); }

    /// The module constants and the table, in the current namespace.
    static std::string module_block(const std::vector<module_instance>& ms) {
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
    static std::string module_args(const std::vector<module_instance>& ms, std::string_view module,
                                   std::string_view prefix) {
        for (std::size_t k = 0; k < ms.size(); ++k) {
            if (ms[k].name != module) continue;
            std::vector<std::string> a;
            for (const auto& p : ms[k].params) a.push_back(std::string(prefix) + module_ns(ms[k], k) + "::" + upper(p.first));
            return join(a, ", ");
        }
        return {};
    }

    static int module_index(const std::vector<module_instance>& ms, std::string_view module) {
        for (std::size_t k = 0; k < ms.size(); ++k)
            if (ms[k].name == module) return static_cast<int>(k);
        return -1;
    }

    // ------------------------------------------------------------------------
    // design.hpp
    // ------------------------------------------------------------------------

    std::string design_header() const {
        std::ostringstream os;
        os << banner("Shared definitions: includes, data_t, the switch of the model checks.");
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
        os << "namespace " << ns_ << " {\n\n";
        os << "using ::hass::count_t;\n\n";
        os << "inline constexpr const char* network_name = " << quoted(net_.name.view()) << ";\n\n";
        os << "/// The data of every stream: " << data_.width << " bits, " << data_.integer
           << " integer bits, rounded and saturating\n";
        os << "/// (the layers' data width; the integer bits: emit option data_integer_bits).\n";
        os << "typedef " << data_.text() << " data_t;\n\n";
        os << "} // namespace " << ns_ << "\n";
        return os.str();
    }

    // ------------------------------------------------------------------------
    // layers/<id>.hpp
    // ------------------------------------------------------------------------

    std::string layer_description(const layer_info& li) const {
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

    std::string folding_description(const layer_info& li) const {
        const layer& l = *li.l;
        if (l.type == layer_type::convolution)
            return "coarse_in " + std::to_string(li.f.coarse_in) + ", coarse_out " + std::to_string(li.f.coarse_out) +
                   ", coarse_group " + std::to_string(li.f.coarse_group) + ", fine " + std::to_string(li.f.fine) +
                   (li.sparse ? " (sparse)" : " (dense)");
        if (l.type == layer_type::inner_product || l.type == layer_type::squeeze)
            return "coarse_in " + std::to_string(li.f.coarse_in) + ", coarse_out " + std::to_string(li.f.coarse_out);
        return "coarse " + std::to_string(li.f.coarse_in);
    }

    std::string layer_header(std::size_t i) const {
        const layer_info& li = layers_[i];
        const layer& l = *li.l;
        const std::string& id = li.id;
        std::ostringstream os;
        os << banner("Layer '" + l.name.str() + "' (#" + std::to_string(i) + "): " + layer_description(li) + ".");
        os << "// Folding: " << folding_description(li) << ". Model: " << li.model_latency
           << " cycles per image (hass::evaluate_layer).\n";
        os << "#pragma once\n\n#include \"../design.hpp\"\n\n";
        os << "namespace " << ns_ << "::layers::" << id << " {\n\n";

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
            os << threshold_constants(li);
            break;
        case layer_type::inner_product:
            os << "inline constexpr count_t FILTERS = " << l.out.channels << ";\n";
            os << "inline constexpr bool HAS_BIAS = " << (l.hardware_bias() ? "true" : "false") << ";\n";
            os << "inline constexpr count_t COARSE_IN = " << li.f.coarse_in << ", COARSE_OUT = " << li.f.coarse_out
               << ";\n";
            os << "inline constexpr count_t WEIGHT_COUNT = " << l.weight_count()
               << "; // [feature][input], the input in stream order\n";
            os << threshold_constants(li);
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
                os << "inline constexpr count_t CHANNELS_" << k << " = " << net_.shape_of(l.inputs[k]).channels
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
        os << "typedef ::" << ns_ << "::data_t data_t;\n";
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
        os << model_checks(i) << "\n";
        os << "} // namespace " << ns_ << "::layers::" << id << "\n\n";

        // --- the layer function
        os << "namespace " << ns_ << " {\n\n";
        os << layer_function(li) << "\n";
        os << "} // namespace " << ns_ << "\n";
        return os.str();
    }

    /// TAU_W, TAU_A and the input threshold of a layer with weights.
    std::string threshold_constants(const layer_info& li) const {
        std::ostringstream os;
        os << "/// The thresholds of the sparse design" << (o_.thresholds_source.empty() ? "" : " (" + comment_text(o_.thresholds_source) + ")")
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

    std::string plain_checks(const layer_info& li) const {
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

    /// (parameter, conv_config expression) pairs a module of a convolution or
    /// inner product must have, and its replicas.
    std::vector<std::pair<std::string, std::string>> cfg_view(const layer_info& li, const module_instance& m,
                                                              std::string& replicas) const {
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

    std::string conv_instantiation(const layer_info& li) const {
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

    std::string layer_value_function(const layer_info& li) const {
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

    std::string model_checks(std::size_t i) const {
        const layer_info& li = layers_[i];
        const std::string n = comment_text(li.l->name.view());
        std::ostringstream os;
        os << "#if HASS_DESIGN_MODEL_CHECKS\n";
        os << "// --- the model's own predicates on the same layer and folding ---\n";
        os << layer_value_function(li);
        auto check = [&](const std::string& expr, const std::string& what) {
            os << "static_assert(" << expr << ",\n              " << quoted(n + ": " + what) << ");\n";
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
        os << "#endif // HASS_DESIGN_MODEL_CHECKS\n";
        return os.str();
    }

    std::string layer_function(const layer_info& li) const {
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
        case layer_type::sigmoid: break; // rejected in prepare()
        }
        return os.str();
    }

    // ------------------------------------------------------------------------
    // squeezes.hpp
    // ------------------------------------------------------------------------

    std::string squeezes_header() const {
        std::ostringstream os;
        os << banner("The squeezes between layers whose stream counts differ (hass::evaluate's squeeze_links).");
        os << "#pragma once\n\n#include \"design.hpp\"\n\n";
        if (squeezes_.empty()) {
            os << "// (this design needs none: every producer writes as many streams as its consumer reads)\n";
            return os.str();
        }
        for (const auto& s : squeezes_) {
            const std::string n = comment_text(s.scope);
            os << "/// " << n << ": " << s.from << " -> " << s.to << " streams of a " << shape_text(s.shape) << " map\n";
            os << "namespace " << ns_ << "::squeezes::" << s.id << " {\n";
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
            os << "} // namespace " << ns_ << "::squeezes::" << s.id << "\n\n";
        }
        return os.str();
    }

    // ------------------------------------------------------------------------
    // top.hpp, top.cpp
    // ------------------------------------------------------------------------

    std::vector<std::string> top_parameters(bool qualified) const {
        const std::string q = qualified ? "::" + ns_ + "::" : "";
        std::vector<std::string> p;
        p.push_back("::hls::stream<" + q + "data_t> in[" + q + "INPUT_STREAMS]");
        for (const auto& li : layers_)
            if (li.is_output)
                p.push_back("::hls::stream<" + q + "data_t> " + li.out_param + "[" + q + "layers::" + li.id +
                            "::STREAMS_OUT]");
        for (const auto& li : layers_)
            if (li.l->has_weights()) {
                p.push_back("const " + q + "layers::" + li.id + "::weight_table& w_" + li.id);
                p.push_back("const " + q + "layers::" + li.id + "::bias_table& b_" + li.id);
            }
        return p;
    }

    std::string network_checks() const {
        std::ostringstream os;
        os << "#if HASS_DESIGN_MODEL_CHECKS\n";
        os << "/// The whole network and folding as hass values (the layers' layer_value() and folding_value()).\n";
        os << "constexpr ::hass::network network_value() {\n    ::hass::network n;\n";
        os << "    n.name = " << quoted(net_.name.view()) << ";\n";
        os << "    n.input = {" << net_.input.rows << ", " << net_.input.cols << ", " << net_.input.channels << "};\n";
        for (const auto& li : layers_) os << "    n.layers.push_back(layers::" << li.id << "::layer_value());\n";
        os << "    return n;\n}\n";
        os << "constexpr std::vector<::hass::folding> folding_values() {\n    return {";
        for (std::size_t i = 0; i < layers_.size(); ++i)
            os << (i ? ",\n            " : "") << "layers::" << layers_[i].id << "::folding_value()";
        os << "};\n}\n";
        const std::string n = comment_text(net_.name.view());
        os << "static_assert(::hass::network_problem(network_value()).empty(),\n              "
           << quoted(n + ": hass::network_problem is not empty") << ");\n";
        bool checkable = true;
        for (const auto& li : layers_) checkable = checkable && li.latency_checkable;
        if (checkable) {
            os << "static_assert(::hass::evaluate_partition(network_value(), folding_values(), ::hass::board{}, 0, "
               << layers_.size() << ").compute_ii == MODEL_COMPUTE_II,\n              "
               << quoted(n + ": hass::evaluate gives another II (regenerate the design)") << ");\n";
            os << "static_assert(::hass::evaluate_partition(network_value(), folding_values(), ::hass::board{}, 0, "
               << layers_.size() << ").squeezes.size() == SQUEEZES,\n              "
               << quoted(n + ": hass::evaluate inserts other squeezes (regenerate the design)") << ");\n";
        }
        os << "#endif // HASS_DESIGN_MODEL_CHECKS\n";
        return os.str();
    }

    std::string top_header() const {
        std::ostringstream os;
        os << banner("The top function: the layers of the design wired as one dataflow region.");
        os << "#pragma once\n\n#include \"design.hpp\"\n";
        for (const auto& li : layers_) os << "#include \"layers/" << li.id << ".hpp\"\n";
        os << "#include \"squeezes.hpp\"\n\n";
        os << "namespace " << ns_ << " {\n\n";
        os << "inline constexpr count_t INPUT_ROWS = " << net_.input.rows << ", INPUT_COLS = " << net_.input.cols
           << ", INPUT_CHANNELS = " << net_.input.channels << ";\n";
        os << "/// The input streams: the streams its reader takes (element n of the flattened map on stream n % "
              "INPUT_STREAMS).\n";
        os << "inline constexpr count_t INPUT_STREAMS = " << input_streams_ << ";\n";
        os << "inline constexpr long long MODEL_COMPUTE_II = " << report_.compute_ii
           << "; // cycles per image: the slowest layer or squeeze (hass::evaluate)\n";
        os << "inline constexpr std::size_t SQUEEZES = " << squeezes_.size() << ";\n\n";
        os << "/// Every weight and bias table of the design (for the test bench; the top takes them one by one).\n";
        os << "struct weight_tables {\n";
        bool any = false;
        for (const auto& li : layers_)
            if (li.l->has_weights()) {
                os << "    layers::" << li.id << "::weight_table w_" << li.id << ";\n";
                os << "    layers::" << li.id << "::bias_table b_" << li.id << ";\n";
                any = true;
            }
        if (!any) os << "    char unused; // the design has no layer with weights\n";
        os << "};\n\n";
        os << "/// The stages (layers and squeezes) in dataflow order, with the model's latencies and modules.\n";
        os << "inline constexpr ::hass::hls::emitted_stage stages[] = {\n";
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            for (const auto& e : layers_[i].inputs)
                if (e.squeeze >= 0) {
                    const auto& s = squeezes_[static_cast<std::size_t>(e.squeeze)];
                    os << "    {squeezes::" << s.id << "::SCOPE, \"squeeze\", squeezes::" << s.id
                       << "::MODEL_LATENCY, squeezes::" << s.id << "::modules, 1},\n";
                }
            const auto& li = layers_[i];
            os << "    {layers::" << li.id << "::NAME, " << quoted(to_string(li.l->type)) << ", layers::" << li.id
               << "::MODEL_LATENCY, layers::" << li.id << "::modules, " << li.modules.size() << "},\n";
        }
        os << "};\n\n";
        os << network_checks() << "\n";
        os << "} // namespace " << ns_ << "\n\n";
        os << "/// The design '" << comment_text(net_.name.view())
           << "': the input map in, the output map(s) out; weight tables packed by layers::<name>::pack_weights\n"
              "/// and pack_bias from the canonical weights.\n";
        os << "void " << top_ << "(" << join(top_parameters(true), ",\n    ") << ");\n";
        return os.str();
    }

    std::string top_source() const {
        std::ostringstream os;
        os << banner("The top function.");
        os << "#include \"top.hpp\"\n\n";
        os << "namespace " << ns_ << " {\n// the stream counts agree along every edge (a squeeze where they differ)\n";
        for (const auto& li : layers_) {
            for (const auto& e : li.inputs) {
                const std::string consumer = "layers::" + li.id + "::STREAMS_IN";
                const std::string producer = e.producer == network_input
                                                 ? std::string("INPUT_STREAMS")
                                                 : "layers::" + layers_[static_cast<std::size_t>(e.producer)].id +
                                                       "::STREAMS_OUT";
                const std::string what =
                    (e.producer == network_input ? std::string("input")
                                                 : net_.layers[static_cast<std::size_t>(e.producer)].name.str()) +
                    " -> " + li.l->name.str();
                if (e.squeeze >= 0) {
                    const auto& s = squeezes_[static_cast<std::size_t>(e.squeeze)];
                    os << "static_assert(squeezes::" << s.id << "::STREAMS_IN == " << producer << " && squeezes::" << s.id
                       << "::STREAMS_OUT == " << consumer << ", " << quoted(comment_text(what) + ": squeeze streams")
                       << ");\n";
                } else {
                    os << "static_assert(" << producer << " == " << consumer << ", "
                       << quoted(comment_text(what) + ": stream counts") << ");\n";
                }
            }
        }
        os << "} // namespace " << ns_ << "\n\n";
        os << "void " << top_ << "(" << join(top_parameters(true), ",\n    ") << ") {\n";
        os << "    HASS_PRAGMA(HLS DATAFLOW)\n";
        for (const auto& li : layers_) {
            const std::string L = "::" + ns_ + "::layers::" + li.id;
            os << "    // " << comment_text(li.l->name.view()) << ": " << comment_text(layer_description(li)) << "\n";
            for (const auto& e : li.inputs)
                if (e.squeeze >= 0) {
                    const auto& s = squeezes_[static_cast<std::size_t>(e.squeeze)];
                    os << "    ::hls::stream<::" << ns_ << "::data_t> " << s.target << "[" << s.to << "]; // "
                       << comment_text(s.scope) << "\n";
                    os << "    ::" << ns_ << "::squeezes::" << s.id << "::run(" << s.source << ", " << s.target << ");\n";
                }
            if (!li.is_output)
                os << "    ::hls::stream<::" << ns_ << "::data_t> " << li.output << "[" << L
                   << (li.l->type == layer_type::split ? "::FAN_OUT * " + L : std::string()) << "::STREAMS_OUT];\n";
            std::vector<std::string> args;
            for (const auto& e : li.inputs) args.push_back(e.target);
            args.push_back(li.output);
            if (li.l->has_weights()) {
                args.push_back("w_" + li.id);
                args.push_back("b_" + li.id);
            }
            os << "    ::" << ns_ << "::" << li.id << "(" << join(args, ", ") << ");\n";
        }
        os << "}\n";
        return os.str();
    }

    // ------------------------------------------------------------------------
    // testbench.cpp
    // ------------------------------------------------------------------------

    /// The tensor a layer reads in the test bench (input k).
    std::string input_tensor(const layer_info& li, std::size_t k = 0) const {
        const int p = li.l->inputs[k];
        return p == network_input ? std::string("x") : "r_" + layers_[static_cast<std::size_t>(p)].id;
    }
    /// A convolution's input in the reference: thresholded at tau_a when the layer does.
    std::string conv_input(const layer_info& li) const {
        if (!li.input_threshold) return input_tensor(li);
        return "ref::below_threshold_to_zero(" + input_tensor(li) + ", data_t(hd::layers::" + li.id +
               "::INPUT_THRESHOLD_VALUE))";
    }
    std::string conv_geometry_of(const layer_info& li) const {
        const std::string L = "hd::layers::" + li.id + "::";
        return "ref::conv_geometry{" + L + "FILTERS, " + L + "KERNEL_ROWS, " + L + "KERNEL_COLS, " + L +
               "STRIDE_ROWS, " + L + "STRIDE_COLS, " + L + "PAD_TOP, " + L + "PAD_RIGHT, " + L + "PAD_BOTTOM, " + L +
               "PAD_LEFT, " + L + "GROUPS, " + L + "HAS_BIAS}";
    }

    std::string reference_call(const layer_info& li) const {
        const layer& l = *li.l;
        const std::string L = "hd::layers::" + li.id + "::";
        auto in = [&](std::size_t k) {
            const int p = l.inputs[k];
            return p == network_input ? std::string("x") : "r_" + layers_[static_cast<std::size_t>(p)].id;
        };
        const std::string w = (li.tau.tau_w > 0 ? "wp_" : "w_") + li.id;
        switch (l.type) {
        case layer_type::convolution:
            return "ref::conv(" + conv_input(li) + ", " + w + ", b_" + li.id + ", " + conv_geometry_of(li) + ")";
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

    std::string testbench() const {
        std::ostringstream os;
        os << banner("C-simulation test bench: seeded random input, the top, a bit-exact comparison with "
                     "hass/hls/reference.hpp, and cycles next to the model's latencies.");
        os << R"HASS(// Build on the host with -DHASS_HLS_HOST (the stand-ins of hass/hls/host/) and the
// hass include directory; exits 0 and prints PASS when every output matches.
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
        if (o_.weights) os << "#include \"weights.hpp\"\n";
        os << "\nnamespace hd = ::" << ns_ << ";\nnamespace ref = ::hass::hls::reference;\n";
        os << "typedef hd::data_t data_t;\n";
        os << "/// Sparse layers: the largest accepted difference between the kernel's cycles and the model on\n"
              "/// the test data's statistics (a fraction, plus 2 cycles).\n";
        os << "[[maybe_unused]] constexpr double SPARSE_TOLERANCE = " << number(o_.sparse_tolerance) << ";\n\n";
        os << "int main() {\n";
        os << "    bool ok = true;\n";
        os << "    std::mt19937 rng(" << o_.seed << "u);\n";
        os << "    std::printf(\"hass emit-hls test bench: design '%s', top " << top_ << ", seed %u\\n\", hd::network_name, "
           << o_.seed << "u);\n\n";
        os << "    // input: uniform on data_t's grid in [-" << number(o_.input_range) << ", " << number(o_.input_range)
           << ")\n";
        os << "    const ref::tensor<data_t> x = ref::random_tensor<data_t>(rng, hd::INPUT_ROWS, hd::INPUT_COLS, "
              "hd::INPUT_CHANNELS, "
           << number(-o_.input_range) << ", " << number(o_.input_range) << ");\n\n";

        // weights
        os << "    // weights: canonical order, packed into the tables the top takes\n";
        os << "    auto tables = std::make_unique<hd::weight_tables>();\n";
        bool any_weights = false, any_random_prune = false, any_tau_w = false;
        for (const auto& li : layers_) {
            if (!li.l->has_weights()) continue;
            any_weights = true;
            any_random_prune = any_random_prune || (li.sparse && !(li.tau.tau_w > 0));
            any_tau_w = any_tau_w || li.tau.tau_w > 0;
            const std::string L = "hd::layers::" + li.id + "::";
            if (o_.weights) {
                os << "    std::vector<" << L << "weight_t> w_" << li.id << ";\n";
                os << "    for (float v : hd::weights::" << li.id << "_weights) w_" << li.id << ".push_back(" << L
                   << "weight_t(v));\n";
                os << "    std::vector<" << L << "acc_t> b_" << li.id << ";\n";
                if (li.l->hardware_bias())
                    os << "    for (float v : hd::weights::" << li.id << "_bias) b_" << li.id << ".push_back(" << L
                       << "acc_t(v));\n";
            } else {
                // a weight threshold prunes the weights itself; else the sparse layers' random ones are pruned
                const double prune = li.sparse && !(li.tau.tau_w > 0) ? o_.random_prune : 0.0;
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
        if (o_.weights)
            os << "    std::printf(\"weights: embedded (weights.hpp)\\n\");\n";
        else if (any_weights)
            os << "    std::printf(\"weights: none given: seeded random ones (seed " << o_.seed
               << "), uniform in [-0.5, 0.5) on weight_t's grid, biases in [-0.5, 0.5)"
               << (o_.random_prune > 0 && any_random_prune
                       ? ", " + std::to_string(static_cast<int>(o_.random_prune * 100 + 0.5)) +
                             "%% of the weights of the sparse layers without tau_w pruned"
                       : std::string())
               << (any_tau_w ? ", |w| < TAU_W pruned in the layers with a weight threshold" : "")
               << "\\n\");\n";
        os << "\n";

        // C simulation
        os << "    // C simulation\n";
        os << "    ::hls::stream<data_t> in[hd::INPUT_STREAMS];\n";
        for (const auto& li : layers_)
            if (li.is_output)
                os << "    ::hls::stream<data_t> " << li.out_param << "[hd::layers::" << li.id << "::STREAMS_OUT];\n";
        os << "    ref::feed(x, in, hd::INPUT_STREAMS);\n";
        os << "#if !HASS_HLS_VENDOR\n";
        os << "    ::hass::hls::cycle_log log;\n";
        os << "    const long long leftovers = ::hass::hls::host::leftover_words();\n";
        os << "#endif\n";
        std::vector<std::string> args{"in"};
        for (const auto& li : layers_)
            if (li.is_output) args.push_back(li.out_param);
        for (const auto& li : layers_)
            if (li.l->has_weights()) {
                args.push_back("tables->w_" + li.id);
                args.push_back("tables->b_" + li.id);
            }
        os << "    try {\n        " << top_ << "(" << join(args, ", ") << ");\n";
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
        for (const auto& li : layers_) {
            const bool alias = li.l->type == layer_type::split || li.l->type == layer_type::squeeze;
            os << "    const ref::tensor<data_t>" << (alias ? "& r_" : " r_") << li.id << " = " << reference_call(li)
               << ";\n";
        }
        os << "\n    // the outputs, bit for bit\n";
        for (const auto& li : layers_) {
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
        for (const auto& li : layers_) any_sparse_layer = any_sparse_layer || li.sparse;
        if (any_sparse_layer) {
            os << R"HASS(
#if HASS_DESIGN_MODEL_CHECKS && !HASS_HLS_VENDOR
    // sparse layers: the model evaluated on the statistics of the test data (per-filter
    // zero-product histograms measured on the layer's input and pruned weights; the
    // slowest (stream, coarse_out lane) pair sets the pace, docs/model.md), next to the
    // kernel's cycles
    struct sparse_agreement {
        const char* scope;
        double zeros;
        long long model_mean, model, kernel;
    };
    std::vector<sparse_agreement> sparse_layers;
)HASS";
            for (const auto& li : layers_) {
                if (!li.sparse) continue;
                const std::string L = "hd::layers::" + li.id + "::";
                os << "    {\n";
                os << "        ::hass::layer l = " << L << "layer_value();\n";
                os << "        l.sparsity = ::hass::hls::measure_sparsity(" << input_tensor(li) << ", "
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

        // cycles
        os << R"HASS(
#if !HASS_HLS_VENDOR
    // cycles: the slowest module instance of each stage (pipelined iterations)
    // next to the model's latency, and the modules the kernels ran next to the
    // model's (hass::for_each_module)
    std::printf("\n%-40s %-16s %10s %10s %8s  %s\n", "stage", "kind", "kernel", "model", "diff", "modules");
    long long slowest = 0;
    std::string slowest_stage;
    for (const auto& s : hd::stages) {
        const long long k = ::hass::hls::stage_cycles(log, s.scope);
        const double diff = s.model_latency ? 100.0 * static_cast<double>(k - s.model_latency) /
                                                  static_cast<double>(s.model_latency)
                                            : 0.0;
        const std::vector<std::string> drift = ::hass::hls::module_drift(log, s);
        std::printf("%-40s %-16s %10lld %10lld %+7.2f%%  %s\n", s.scope, s.kind, k, s.model_latency, diff,
                    drift.empty() ? "as modelled" : "DIFFER");
        for (const auto& d : drift) std::printf("    %s\n", d.c_str());
        if (!drift.empty()) ok = false;
        if (k > slowest) {
            slowest = k;
            slowest_stage = s.scope;
        }
    }
    std::printf("%-40s %-16s %10lld %10lld %+7.2f%%  slowest: %s\n", "II (cycles per image)", "design", slowest,
                hd::MODEL_COMPUTE_II,
                100.0 * static_cast<double>(slowest - hd::MODEL_COMPUTE_II) /
                    static_cast<double>(hd::MODEL_COMPUTE_II ? hd::MODEL_COMPUTE_II : 1),
                slowest_stage.c_str());
#endif

    std::printf("%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
)HASS";
        return os.str();
    }

    // ------------------------------------------------------------------------
    // weights.hpp
    // ------------------------------------------------------------------------

    std::string weights_header() const {
        std::ostringstream os;
        os << banner("The canonical weights and biases (as given to hass emit-hls).");
        os << "#pragma once\n\nnamespace " << ns_ << "::weights {\n\n";
        for (const auto& li : layers_) {
            if (!li.l->has_weights()) continue;
            const layer& l = *li.l;
            const layer_weights& lw = o_.weights->find(l.name.view())->second;
            auto array = [&](const std::string& name, const std::vector<float>& v) {
                os << "inline constexpr float " << name << "[" << v.size() << "] = {";
                for (std::size_t k = 0; k < v.size(); ++k) {
                    if (k % 8 == 0) os << "\n    ";
                    os << float_number(v[k]) << ",";
                    if (k % 8 != 7 && k + 1 < v.size()) os << " ";
                }
                os << "\n};\n";
            };
            os << "/// " << comment_text(l.name.view()) << ": " << l.weight_count() << " weights ("
               << (l.type == layer_type::inner_product ? "[feature][input]" : "OIHW") << ")";
            if (l.hardware_bias()) os << ", " << l.filters() << " biases";
            os << "\n";
            array(li.id + "_weights", lw.weights);
            if (l.hardware_bias()) array(li.id + "_bias", lw.bias);
            os << "\n";
        }
        os << "} // namespace " << ns_ << "::weights\n";
        return os.str();
    }
};

} // namespace detail::emit

/// The generated files (paths relative to the output directory), without writing them.
inline std::vector<emitted_file> generate_design(const network& net, const std::vector<folding>& f,
                                                 const emit_options& o, std::vector<std::string>* warnings = nullptr) {
    detail::emit::writer w(net, f, o);
    if (warnings) *warnings = w.warnings();
    return w.files();
}

/// Writes the generated design to `o.out_dir` (created when missing; the files
/// are always rewritten, so a build system sees them newer than their inputs).
/// Throws hass::error for an invalid design, an unsupported layer, or an I/O error.
inline emit_result emit_design(const network& net, const std::vector<folding>& f, const emit_options& o) {
    if (o.out_dir.empty()) throw error("emit-hls: no output directory given");
    detail::emit::writer w(net, f, o);
    emit_result r;
    r.warnings = w.warnings();
    r.top_name = w.top_name();
    r.name_space = w.name_space();
    r.compute_ii = w.compute_ii();
    r.squeezes = w.squeeze_count();
    r.layer_ids = w.layer_ids();
    const auto files = w.files();
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
