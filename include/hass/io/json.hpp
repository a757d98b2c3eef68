// JSON input and output for hass (optional integration: needs nlohmann-json and
// is not part of the umbrella header <hass/hass.hpp>). The formats are
// described in docs/formats.md.
//
//   hass::network net = hass::io::load_network("tiny.json");
//   auto folding = hass::io::read_folding(hass::io::load_json_file("f.json"), net, "f.json");
//   hass::io::owned_board board = hass::io::load_board("myboard.json");
//   auto report = hass::evaluate(net, folding, board.spec());
//   std::cout << hass::io::report_json(net, folding, report, board.spec()).dump(2);
//
// Every error is a hass::error whose message starts with the source (the file
// name) and names the layer (its index in the file and its name) and the field.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/boards/board.hpp"
#include "hass/core/error.hpp"
#include "hass/io/file.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"
#include "hass/cost/weights.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

namespace hass::io {

using json = nlohmann::json;

// ============================================================================
// Files
// ============================================================================

/// Deepest nesting of arrays and objects a JSON input may have (the formats
/// need at most 8; the limit keeps every recursive walk of a value shallow).
inline constexpr int max_json_depth = 64;

namespace detail {

/// "line L, column C" of byte `offset` of `text` (1-based).
inline std::string text_position(const std::string& text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// Offset of the bracket that makes `text` nest deeper than `limit` (strings and
/// comments skipped), or text.size() when it does not.
inline std::size_t too_deep_at(const std::string& text, int limit) {
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return text.size();
}

/// Builds the value of a JSON text (nlohmann's SAX interface), rejecting
/// duplicate keys and nesting deeper than max_json_depth. Linear in the text.
class checked_dom_builder {
public:
    explicit checked_dom_builder(json& root) : root_(root) {}

    bool null() { return put(nullptr); }
    bool boolean(bool v) { return put(v); }
    bool number_integer(json::number_integer_t v) { return put(v); }
    bool number_unsigned(json::number_unsigned_t v) { return put(v); }
    bool number_float(json::number_float_t v, const std::string&) { return put(v); }
    bool string(std::string& v) { return put(std::move(v)); }
    bool binary(json::binary_t& v) { return put(std::move(v)); }
    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(std::string& k) {
        frame& f = frames_.back();
        if (!f.keys.insert(k).second) {
            problem = "duplicate key '" + k + "' in the object at " + path() + " (keys must be unique)";
            return false;
        }
        f.key = k;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
        error_at = position;
        std::string what = e.what();
        if (what.rfind("[json.exception.", 0) == 0)
            if (auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
        // nlohmann's own "parse error at line L, column C: " (the caller prints the place)
        if (what.rfind("parse error at line ", 0) == 0)
            if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
        if (what.rfind("number overflow", 0) == 0) what += " (numbers must be finite 64-bit floating-point values)";
        problem = what;
        return false;
    }

    std::string problem;                           ///< why parsing stopped
    std::size_t error_at = std::string::npos;      ///< byte offset of a syntax error
    bool too_deep = false;

private:
    struct frame {
        json* value;
        std::string key;            // objects: the current key
        std::set<std::string> keys; // objects: the keys seen
    };
    json& root_;
    std::vector<frame> frames_;
    bool have_root_ = false;

    json* slot() {
        if (frames_.empty()) {
            have_root_ = true;
            return &root_;
        }
        frame& f = frames_.back();
        if (f.value->is_array()) {
            f.value->emplace_back(nullptr);
            return &f.value->back();
        }
        return &(*f.value)[f.key];
    }
    template <class V>
    bool put(V&& v) {
        *slot() = json(std::forward<V>(v));
        return true;
    }
    bool open(json::value_t t) {
        if (static_cast<int>(frames_.size()) >= max_json_depth) {
            too_deep = true;
            return false;
        }
        json* v = slot();
        *v = json(t);
        frames_.push_back({v, {}, {}});
        return true;
    }
    bool close() {
        frames_.pop_back();
        return true;
    }
    std::string path() const {
        std::string p = "the top level";
        for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
            const frame& f = frames_[i];
            if (i == 0) p.clear();
            if (f.value->is_array())
                p += "[" + std::to_string(f.value->size() - 1) + "]";
            else
                p += (p.empty() ? "" : ".") + f.key;
        }
        return p;
    }
};

} // namespace detail

/// Parses JSON text read from `file` (named in errors). `//` and `/* */`
/// comments are allowed; duplicate keys in one object and nesting deeper than
/// max_json_depth are errors. Throws hass::error "FILE: line L, column C:
/// malformed JSON: <what>" or "FILE: malformed JSON: duplicate key ...".
inline json parse_json_text(const std::string& text, const std::string& file) {
    json j;
    detail::checked_dom_builder sax(j);
    bool ok = false;
    try {
        ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true, /*ignore_comments=*/true);
    } catch (const nlohmann::detail::exception& e) {
        throw hass::error(file + ": malformed JSON: " + e.what());
    }
    if (ok) return j;
    if (sax.too_deep)
        throw hass::error(file + ": " + detail::text_position(text, detail::too_deep_at(text, max_json_depth)) +
                          ": malformed JSON: arrays and objects nested deeper than " + std::to_string(max_json_depth) +
                          " levels (the limit of hass input files)");
    if (sax.error_at != std::string::npos)
        throw hass::error(file + ": " + detail::text_position(text, sax.error_at) + ": malformed JSON: " + sax.problem);
    throw hass::error(file + ": malformed JSON: " + sax.problem);
}

/// Reads and parses a JSON file: a regular file of at most max_json_file_bytes
/// (io/file.hpp), parsed by parse_json_text. Throws hass::error "cannot open
/// FILE: ..." or "FILE: ...".
inline json load_json_file(const std::filesystem::path& path) {
    return parse_json_text(read_bounded_file(path, max_json_file_bytes, "a JSON input file"), path.string());
}

// ============================================================================
// Reading helpers
// ============================================================================

namespace detail {

/// Largest integer accepted for a size, factor or count (products stay far from overflow).
inline constexpr count_t max_integer = count_t{1} << 24;

/// A short rendering of a value for error messages: `"3" (string)`, `2.5 (number)`.
/// A double for messages: "%g" (1e-20, 5e+38, 0.5).
inline std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

/// Arrays and objects are described by their size only (never dumped).
inline std::string describe(const json& j) {
    if (j.is_array()) return "an array of " + std::to_string(j.size()) + " elements (array)";
    if (j.is_object()) return "an object with " + std::to_string(j.size()) + " keys (object)";
    // (a cut through a multi-byte character is shown as U+FFFD, never an exception)
    std::string s = j.is_string() ? json(j.get_ref<const std::string&>().substr(0, 48))
                                        .dump(-1, ' ', false, json::error_handler_t::replace)
                                  : j.dump();
    if (s.size() > 48) s = s.substr(0, 45) + "...";
    std::string kind = j.type_name();
    if (j.is_number_float()) kind = "non-integer number";
    return s + " (" + kind + ")";
}

/// Where an error is: "tiny.json: layers[3] 'conv1'"; `prefix` makes nested
/// field names dotted paths ("sparsity.clusters").
struct scope {
    std::string where;
    std::string prefix;

    scope(std::string where_, std::string prefix_ = {}) : where(std::move(where_)), prefix(std::move(prefix_)) {}

    [[noreturn]] void fail(std::string_view message) const {
        throw hass::error(where + ": " + std::string(message));
    }
    [[noreturn]] void fail_field(std::string_view field, std::string_view message) const {
        fail("field '" + prefix + std::string(field) + "': " + std::string(message));
    }
    [[noreturn]] void missing(std::string_view field) const { fail("missing field '" + prefix + std::string(field) + "'"); }
    /// The fields of an object held in `field`.
    scope nested(std::string_view field) const { return {where, prefix + std::string(field) + "."}; }
    /// A more precise place: `text` is appended to `where`.
    scope named(std::string_view text) const { return {where + " " + std::string(text), prefix}; }
};

inline const json* find(const json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    return it == obj.end() ? nullptr : &*it;
}

inline const json& require(const json& obj, std::string_view key, const scope& s) {
    if (const json* v = find(obj, key)) return *v;
    s.missing(key);
}

inline void require_object(const json& j, const scope& s, std::string_view what) {
    if (!j.is_object()) s.fail(std::string(what) + " must be a JSON object, got " + describe(j));
}

/// Rejects keys outside `known` (typos would otherwise be ignored silently).
/// Keys starting with '_' and "comment" are free-form annotations.
inline void check_keys(const json& obj, const std::vector<std::string_view>& known, const scope& s,
                       std::string_view what, std::string_view prefix = "") {
    for (const auto& item : obj.items()) {
        const std::string& k = item.key();
        if (k == "comment" || (!k.empty() && k[0] == '_')) continue;
        if (std::find(known.begin(), known.end(), k) != known.end()) continue;
        std::string list;
        for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
        s.fail("unknown field '" + std::string(prefix) + k + "' for " + std::string(what) + " (known: " + list + ")");
    }
}

inline count_t as_integer(const json& j, const scope& s, std::string_view field, count_t min) {
    if (!j.is_number_integer())
        s.fail_field(field, "expected an integer, got " + describe(j));
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(max_integer))
        s.fail_field(field, "value " + j.dump() + " is too large (at most " + std::to_string(max_integer) + ")");
    const auto v = static_cast<count_t>(j.get<std::int64_t>());
    if (v < min)
        s.fail_field(field, (min == 1 ? "must be a positive integer, got " : "must be >= " + std::to_string(min) + ", got ") +
                                std::to_string(v));
    if (v > max_integer)
        s.fail_field(field, "value " + std::to_string(v) + " is too large (at most " + std::to_string(max_integer) + ")");
    return v;
}

inline count_t get_integer(const json& obj, std::string_view key, const scope& s, count_t min,
                           std::optional<count_t> fallback = std::nullopt) {
    const json* v = find(obj, key);
    if (!v) {
        if (fallback) return *fallback;
        s.missing(key);
    }
    return as_integer(*v, s, key, min);
}

inline double get_number(const json& obj, std::string_view key, const scope& s,
                         std::optional<double> fallback = std::nullopt) {
    const json* v = find(obj, key);
    if (!v) {
        if (fallback) return *fallback;
        s.missing(key);
    }
    if (!v->is_number()) s.fail_field(key, "expected a number, got " + describe(*v));
    const double d = v->get<double>();
    if (!std::isfinite(d)) s.fail_field(key, "expected a finite number");
    return d;
}

inline bool get_bool(const json& obj, std::string_view key, const scope& s, bool fallback) {
    const json* v = find(obj, key);
    if (!v) return fallback;
    if (!v->is_boolean()) s.fail_field(key, "expected true or false, got " + describe(*v));
    return v->get<bool>();
}

inline std::string get_string(const json& obj, std::string_view key, const scope& s,
                              std::optional<std::string> fallback = std::nullopt) {
    const json* v = find(obj, key);
    if (!v) {
        if (fallback) return *fallback;
        s.missing(key);
    }
    if (!v->is_string()) s.fail_field(key, "expected a string, got " + describe(*v));
    return v->get<std::string>();
}

/// One of a fixed set of words.
template <class Enum>
Enum get_choice(const json& obj, std::string_view key, const scope& s, Enum fallback,
                const std::vector<std::pair<std::string_view, Enum>>& choices) {
    const json* v = find(obj, key);
    if (!v) return fallback;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + std::string(c.first) + "\"";
    if (!v->is_string()) s.fail_field(key, "expected one of " + list + ", got " + describe(*v));
    const auto text = v->get<std::string>();
    for (const auto& c : choices)
        if (c.first == text) return c.second;
    s.fail_field(key, "unknown value \"" + text + "\" (expected one of " + list + ")");
}

/// An integer or an array of `n` integers (kernel [rows, cols], stride [rows, cols]).
inline std::vector<count_t> get_integers(const json& obj, std::string_view key, const scope& s, count_t min,
                                         const std::vector<std::size_t>& sizes, std::optional<count_t> fallback,
                                         std::string_view shape_hint) {
    const json* v = find(obj, key);
    if (!v) {
        if (fallback) return {*fallback};
        s.missing(key);
    }
    if (v->is_array()) {
        if (std::find(sizes.begin(), sizes.end(), v->size()) == sizes.end())
            s.fail_field(key, "expected an integer or " + std::string(shape_hint) + ", got " + describe(*v));
        std::vector<count_t> out;
        for (std::size_t i = 0; i < v->size(); ++i)
            out.push_back(as_integer((*v)[i], s, std::string(key) + "[" + std::to_string(i) + "]", min));
        return out;
    }
    return {as_integer(*v, s, key, min)};
}

inline tensor_shape read_shape(const json& j, const scope& s, std::string_view field) {
    if (!j.is_object()) s.fail_field(field, "expected an object {\"rows\", \"cols\", \"channels\"}, got " + describe(j));
    const scope inner = s.nested(field);
    check_keys(j, {"rows", "cols", "channels"}, inner, "a shape");
    return {get_integer(j, "rows", inner, 1), get_integer(j, "cols", inner, 1), get_integer(j, "channels", inner, 1)};
}

/// "a relu", "an eltwise".
inline std::string with_article(std::string_view word) {
    const bool vowel = !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
    return (vowel ? "an " : "a ") + std::string(word);
}

inline std::string shape_text(const tensor_shape& t) {
    return std::to_string(t.rows) + "x" + std::to_string(t.cols) + "x" + std::to_string(t.channels);
}

inline widths read_widths(const json& j, const scope& s, widths base) {
    if (!j.is_object()) s.fail_field("widths", "expected an object {\"data\", \"weight\", \"acc\", \"output\"}, got " + describe(j));
    const scope inner = s.nested("widths");
    check_keys(j, {"data", "weight", "acc", "output"}, inner, "widths");
    const bool output_follows = base.output == base.data;
    base.data = get_integer(j, "data", inner, 1, base.data);
    // the output width follows the data width unless given
    base.output = get_integer(j, "output", inner, 1, output_follows ? base.data : base.output);
    base.weight = get_integer(j, "weight", inner, 1, base.weight);
    base.acc = get_integer(j, "acc", inner, 1, base.acc);
    if (base.data > 64 || base.weight > 64 || base.acc > 128 || base.output > 64)
        inner.fail("bit widths above 64 (acc 128) are not supported");
    return base;
}

/// Drops the "layer 'NAME': " prefix of a core message when the scope already names the layer.
inline std::string strip_layer_prefix(std::string message, std::string_view name) {
    const std::string prefix = "layer '" + std::string(name) + "': ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    return message;
}

/// Rejects layers whose sizes could overflow the 64-bit cycle and resource arithmetic.
inline void check_magnitude(const layer& l, const scope& s) {
    const auto d = [](count_t v) { return static_cast<double>(v); };
    const double limit = 1e15;
    const double in = d(l.padded_rows()) * d(l.padded_cols()) * d(l.in.channels);
    const double out = d(l.out.rows) * d(l.out.cols) * d(l.out.channels);
    const double cin = l.type == layer_type::inner_product ? d(l.in.rows) * d(l.in.cols) * d(l.in.channels)
                                                           : d(l.in.channels);
    const double weights = l.has_weights() ? d(l.out.channels) * cin * d(l.kernel_rows) * d(l.kernel_cols) : 0;
    const double macs = weights * d(l.out.rows) * d(l.out.cols);
    if (in > limit || out > limit || weights > limit || macs > limit)
        s.fail("the layer is too large to model (more than 1e15 elements, weights or MACs)");
}

} // namespace detail

// ============================================================================
// Folding
// ============================================================================

namespace detail {

/// One folding entry: {"coarse_in", "coarse_out", "coarse_group", "fine", "weights", "implementation"}
/// or {"coarse"}.
inline folding read_folding_entry(const json& j, const layer& l, const scope& s, bool allow_name) {
    if (!j.is_object()) s.fail("the folding entry must be a JSON object, got " + describe(j));
    std::vector<std::string_view> known{"coarse_in", "coarse_out", "coarse_group", "fine", "weights", "coarse",
                                        "implementation", "stream_weights"};
    if (allow_name) known.push_back("name");
    check_keys(j, known, s, "a folding entry");
    folding f;
    const bool weighted = l.has_weights();
    const json* coarse = find(j, "coarse");
    const json* ci = find(j, "coarse_in");
    const json* co = find(j, "coarse_out");
    if (coarse) {
        if (weighted)
            s.fail_field("coarse", with_article(to_string(l.type)) + " layer takes coarse_in and coarse_out, not coarse");
        if (ci || co) s.fail_field("coarse", "give either coarse or coarse_in/coarse_out, not both");
        f.coarse_in = f.coarse_out = as_integer(*coarse, s, "coarse", 1);
    } else {
        if (ci) f.coarse_in = as_integer(*ci, s, "coarse_in", 1);
        if (co) f.coarse_out = as_integer(*co, s, "coarse_out", 1);
        // a layer without weights has one coarse factor: one of the two names sets both
        if (!weighted && ci && !co) f.coarse_out = f.coarse_in;
        if (!weighted && co && !ci) f.coarse_in = f.coarse_out;
    }
    f.coarse_group = get_integer(j, "coarse_group", s, 1, 1);
    f.fine = get_integer(j, "fine", s, 1, 1);
    if (find(j, "weights") && !weighted)
        s.fail_field("weights", "only convolution and inner_product layers have weights");
    f.weights = get_choice<weight_storage>(j, "weights", s, weight_storage::bram,
                                           {{"bram", weight_storage::bram},
                                            {"uram", weight_storage::uram},
                                            {"off_chip", weight_storage::off_chip}});
    if (find(j, "implementation") && l.type != layer_type::convolution)
        s.fail_field("implementation", "only a convolution chooses between a sparse and a dense implementation");
    f.dense = get_choice<bool>(j, "implementation", s, false, {{"sparse", false}, {"dense", true}});
    if (const json* sw = find(j, "stream_weights")) {
        if (!weighted) s.fail_field("stream_weights", "only convolution and inner_product layers have weights");
        if (sw->is_string() && sw->get<std::string>() == "all")
            f.stream_weights = cost::all_blocks;
        else
            f.stream_weights = as_integer(*sw, s, "stream_weights", 0);
        if (f.weights == weight_storage::off_chip)
            s.fail_field("stream_weights", "\"weights\": \"off_chip\" already streams every block; give \"bram\" or \"uram\" with a block count");
    }
    return f;
}

} // namespace detail

/// hass::validate(net, folding) with messages that start with `source`.
inline void validate_design(const network& net, const std::vector<folding>& f, std::string_view source) {
    try {
        hass::validate(net, f);
    } catch (const hass::error& e) {
        throw hass::error(std::string(source) + ": " + e.what());
    }
}

/// Reads a folding file for `net` (after split insertion):
///   {"layers": {"conv1": {"coarse_in": 2, ...}, "relu1": {"coarse": 2}}}
/// or the array form {"layers": [{"name": "conv1", ...}]} (or just the array).
/// Layers not mentioned keep all factors 1. The result is validated.
inline std::vector<folding> read_folding(const json& j, const network& net, std::string_view source) {
    const detail::scope top{std::string(source)};
    std::vector<folding> out = unit_folding(net);
    const json* entries = &j;
    if (j.is_object()) {
        detail::check_keys(j, {"layers", "model", "partitions", "batch"}, top, "a folding file");
        entries = &detail::require(j, "layers", top);
    } else if (!j.is_array()) {
        top.fail("a folding file must be a JSON object {\"layers\": ...} or an array, got " + detail::describe(j));
    }
    std::vector<bool> seen(net.size(), false);
    // `base` is the file (object form) or "file: layers[k]" (array form)
    auto apply = [&](const std::string& name, const json& entry, const detail::scope& base, bool array_form) {
        const int idx = net.find(name);
        if (idx < 0) base.fail("unknown layer '" + name + "' (not in network '" + net.name.str() + "')");
        const auto i = static_cast<std::size_t>(idx);
        if (seen[i]) base.fail("layer '" + name + "' is given twice");
        seen[i] = true;
        const detail::scope at{base.where + (array_form ? " '" + name + "'" : ": layer '" + name + "'") +
                               " (network layer #" + std::to_string(idx) + ")"};
        out[i] = detail::read_folding_entry(entry, net.layers[i], at, array_form);
    };
    if (entries->is_object()) {
        for (const auto& item : entries->items()) apply(item.key(), item.value(), top, false);
    } else if (entries->is_array()) {
        for (std::size_t k = 0; k < entries->size(); ++k) {
            const json& e = (*entries)[k];
            const detail::scope s{top.where + ": layers[" + std::to_string(k) + "]"};
            if (!e.is_object()) s.fail("the folding entry must be a JSON object, got " + detail::describe(e));
            apply(detail::get_string(e, "name", s), e, s, true);
        }
    } else {
        top.fail_field("layers", "expected an object (layer name -> factors) or an array, got " +
                                     detail::describe(*entries));
    }
    validate_design(net, out, source);
    return out;
}

inline std::vector<folding> load_folding(const std::filesystem::path& path, const network& net) {
    return read_folding(load_json_file(path), net, path.string());
}

/// The layers a folding file builds sparse: the names of its entries with
/// "implementation": "sparse" (object or array form; nothing is validated).
/// A folding says sparse only where the layer has sparsity statistics, so a
/// caller checks them against the network before read_folding (which, without
/// statistics, reads the layer as dense and rejects a fine that does not
/// divide K).
inline std::vector<std::string> sparse_folding_layers(const json& j) {
    std::vector<std::string> out;
    const json* entries = j.is_object() && j.contains("layers") ? &j["layers"] : &j;
    auto visit = [&](const std::string& name, const json& e) {
        if (e.is_object() && e.contains("implementation") && e["implementation"] == "sparse") out.push_back(name);
    };
    if (entries->is_object()) {
        for (const auto& item : entries->items()) visit(item.key(), item.value());
    } else if (entries->is_array()) {
        for (const auto& e : *entries)
            if (e.is_object() && e.contains("name") && e["name"].is_string()) visit(e["name"].get<std::string>(), e);
    }
    return out;
}

/// The rule for a folding that says sparse: every layer it builds sparse
/// ("implementation": "sparse") must have sparsity statistics in `net`.
/// Returns the problems (one per layer, naming `source`); the caller fails on
/// them, or, asked to build such layers dense, prints them as warnings.
inline std::vector<std::string> sparse_without_statistics(const json& folding_json, const network& net,
                                                          std::string_view source) {
    std::vector<std::string> out;
    for (const std::string& name : sparse_folding_layers(folding_json)) {
        const int idx = net.find(name);
        if (idx < 0) continue; // read_folding names unknown layers
        const layer& l = net.layers[static_cast<std::size_t>(idx)];
        if (l.is_sparse()) continue;
        out.push_back(std::string(source) + ": layer '" + name + "' says \"implementation\": \"sparse\" but " +
                      (l.sparsity.active() ? std::string("its statistics are too dense to build it sparse")
                                           : std::string("the network has no sparsity statistics for it")) +
                      ": give the statistics (--stats FILE, or the co-search's output directory with --cosearch "
                      "DIR), or --allow-dense to build it dense");
    }
    return out;
}

/// Writes a folding in the array form read_folding accepts (every layer, in order).
inline json write_folding(const network& net, const std::vector<folding>& f) {
    if (f.size() != net.size())
        throw hass::error("write_folding: the folding has " + std::to_string(f.size()) + " entries but network '" +
                          net.name.str() + "' has " + std::to_string(net.size()) + " layers");
    json layers = json::array();
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        json e;
        e["name"] = l.name.str();
        if (l.has_weights()) {
            e["coarse_in"] = f[i].coarse_in;
            e["coarse_out"] = f[i].coarse_out;
            if (l.type == layer_type::convolution) {
                e["coarse_group"] = f[i].coarse_group;
                e["fine"] = f[i].fine;
            }
            e["weights"] = std::string(to_string(f[i].weights));
            if (f[i].stream_weights != 0)
                e["stream_weights"] = f[i].stream_weights == cost::all_blocks ? json("all") : json(f[i].stream_weights);
            if (l.is_sparse()) e["implementation"] = f[i].dense ? "dense" : "sparse";
        } else {
            e["coarse"] = f[i].coarse_in;
        }
        layers.push_back(std::move(e));
    }
    return json{{"model", net.name.str()}, {"layers", std::move(layers)}};
}

// ============================================================================
// Networks
// ============================================================================

/// A network file: the network (splits inserted, validated) and the folding
/// given inline with the layers (all factors 1 where none is given).
struct network_file {
    network net;
    std::vector<hass::folding> folding;
    bool has_folding = false; ///< some layer carried a "folding" object
};

namespace detail {

inline const std::vector<std::pair<std::string_view, layer_type>>& layer_type_names() {
    static const std::vector<std::pair<std::string_view, layer_type>> names{
        {"convolution", layer_type::convolution},   {"inner_product", layer_type::inner_product},
        {"pooling", layer_type::pooling},           {"global_pooling", layer_type::global_pooling},
        {"relu", layer_type::relu},                 {"thresholded_relu", layer_type::thresholded_relu},
        {"hardswish", layer_type::hardswish},       {"hardsigmoid", layer_type::hardsigmoid},
        {"sigmoid", layer_type::sigmoid},           {"relu6", layer_type::relu6},
        {"eltwise", layer_type::eltwise},           {"concat", layer_type::concat},
        {"split", layer_type::split}};
    return names;
}

inline std::vector<std::string_view> known_layer_keys(layer_type t) {
    std::vector<std::string_view> k{"name", "type", "inputs", "output", "widths", "folding"};
    auto add = [&k](std::initializer_list<std::string_view> more) { k.insert(k.end(), more); };
    switch (t) {
    case layer_type::convolution: add({"filters", "kernel", "stride", "pad", "groups", "bias", "batchnorm", "sparsity"}); break;
    case layer_type::inner_product: add({"features", "bias", "batchnorm"}); break;
    case layer_type::pooling: add({"pool", "kernel", "stride", "pad"}); break;
    case layer_type::global_pooling: add({"pool"}); break;
    case layer_type::thresholded_relu: add({"threshold"}); break;
    case layer_type::eltwise: add({"op"}); break;
    default: break;
    }
    return k;
}

/// kernel, stride, pad of a convolution or pooling layer; infers the output rows and cols.
inline void read_window(const json& j, layer& l, const scope& s, bool pooling) {
    const auto k = get_integers(j, "kernel", s, 1, {2}, std::nullopt, "[rows, cols]");
    l.kernel_rows = k[0];
    l.kernel_cols = k.size() == 2 ? k[1] : k[0];
    // pooling strides default to the kernel (as in PyTorch), convolution strides to 1
    const auto st = get_integers(j, "stride", s, 1, {2}, std::optional<count_t>{pooling ? -1 : 1}, "[rows, cols]");
    if (st.size() == 1 && st[0] == -1) {
        l.stride_rows = l.kernel_rows;
        l.stride_cols = l.kernel_cols;
    } else {
        l.stride_rows = st[0];
        l.stride_cols = st.size() == 2 ? st[1] : st[0];
    }
    const auto p = get_integers(j, "pad", s, 0, {2, 4}, count_t{0}, "[rows, cols] or [top, right, bottom, left]");
    if (p.size() == 1) {
        l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = p[0];
    } else if (p.size() == 2) {
        l.pad_top = l.pad_bottom = p[0];
        l.pad_left = l.pad_right = p[1];
    } else {
        l.pad_top = p[0];
        l.pad_right = p[1];
        l.pad_bottom = p[2];
        l.pad_left = p[3];
    }
    if (l.kernel_rows > l.padded_rows() || l.kernel_cols > l.padded_cols())
        s.fail_field("kernel", "kernel " + std::to_string(l.kernel_rows) + "x" + std::to_string(l.kernel_cols) +
                                   " is larger than the padded input " + std::to_string(l.padded_rows()) + "x" +
                                   std::to_string(l.padded_cols()));
    l.out.rows = (l.padded_rows() - l.kernel_rows) / l.stride_rows + 1;
    l.out.cols = (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1;
}

inline sparsity_stats read_sparsity(const json& j, const layer& l, const scope& s) {
    if (!j.is_object()) s.fail_field("sparsity", "expected an object, got " + describe(j));
    const scope in = s.nested("sparsity");
    check_keys(j, {"histogram", "zero_fraction", "interleaving", "skip_all_zero", "clusters"}, in,
               "sparsity statistics");
    const count_t C = l.in.channels;
    const count_t K = l.kernel_size();
    const json* hist = find(j, "histogram");
    const json* zf = find(j, "zero_fraction");
    if (hist && zf) in.fail("give either histogram or zero_fraction, not both");
    if (!hist && !zf) in.fail("missing field 'sparsity.histogram' (or 'sparsity.zero_fraction' for a 1x1 convolution)");
    std::vector<double> flat;
    flat.reserve(static_cast<std::size_t>(C * (K + 1)));
    auto probability = [&](const json& v, const std::string& field) {
        if (!v.is_number()) s.fail_field(field, "expected a probability, got " + describe(v));
        return v.get<double>();
    };
    if (hist) {
        if (!hist->is_array())
            s.fail_field("sparsity.histogram", "expected an array of " + std::to_string(C) +
                                                   " rows (one per input channel), got " + describe(*hist));
        if (static_cast<count_t>(hist->size()) != C)
            s.fail_field("sparsity.histogram", "has " + std::to_string(hist->size()) +
                                                   " rows but the layer has " + std::to_string(C) +
                                                   " input channels (one row per input channel)");
        for (std::size_t c = 0; c < hist->size(); ++c) {
            const json& row = (*hist)[c];
            const std::string field = "sparsity.histogram[" + std::to_string(c) + "]";
            if (!row.is_array() || static_cast<count_t>(row.size()) != K + 1)
                s.fail_field(field, "expected K+1 = " + std::to_string(K + 1) + " probabilities (0.." +
                                        std::to_string(K) + " zeros in a " + std::to_string(l.kernel_rows) + "x" +
                                        std::to_string(l.kernel_cols) + " window), got " + describe(row));
            for (std::size_t z = 0; z < row.size(); ++z)
                flat.push_back(probability(row[z], field + "[" + std::to_string(z) + "]"));
        }
    } else {
        if (K != 1)
            s.fail_field("sparsity.zero_fraction",
                         "describes 1x1 convolutions only; give a histogram for this " +
                             std::to_string(l.kernel_rows) + "x" + std::to_string(l.kernel_cols) + " kernel");
        if (!zf->is_array() || static_cast<count_t>(zf->size()) != C)
            s.fail_field("sparsity.zero_fraction", "expected " + std::to_string(C) +
                                                       " fractions (one per input channel), got " + describe(*zf));
        for (std::size_t c = 0; c < zf->size(); ++c) {
            const double z = probability((*zf)[c], "sparsity.zero_fraction[" + std::to_string(c) + "]");
            if (!(z >= 0.0 && z <= 1.0))
                s.fail_field("sparsity.zero_fraction[" + std::to_string(c) + "]",
                             "must be in [0, 1], got " + (*zf)[c].dump());
            flat.push_back(1.0 - z);
            flat.push_back(z);
        }
    }
    sparsity_stats st = make_sparsity_stats(C, K, std::move(flat), s.where + ": field 'sparsity.histogram'");
    st.order = get_choice<interleaving>(j, "interleaving", in, interleaving::opt,
                                        {{"opt", interleaving::opt}, {"naive", interleaving::naive}});
    st.skip_all_zero = get_bool(j, "skip_all_zero", in, true);
    st.clusters = get_integer(j, "clusters", in, 1, 1);
    if (!st.cache_valid()) st.prepare();
    return st;
}

} // namespace detail

/// Reads a network file (format in docs/formats.md), inserts the splits and
/// validates the network and the inline folding.
inline network_file read_network_file(const json& j, std::string_view source) {
    using detail::scope;
    const scope top{std::string(source)};
    detail::require_object(j, top, "a network file");
    detail::check_keys(j, {"name", "input", "widths", "layers"}, top, "a network file");

    std::string default_name = std::filesystem::path(std::string(source)).stem().string();
    if (default_name.empty()) default_name = "network";
    const std::string net_name = detail::get_string(j, "name", top, default_name);
    if (net_name.empty()) top.fail_field("name", "must not be empty");
    if (net_name.size() > name_t::capacity)
        top.fail_field("name", "is longer than " + std::to_string(name_t::capacity) + " characters");

    network net;
    net.name = net_name;
    net.input = detail::read_shape(detail::require(j, "input", top), top, "input");
    widths defaults{};
    if (const json* w = detail::find(j, "widths")) defaults = detail::read_widths(*w, top, defaults);

    const json& layers = detail::require(j, "layers", top);
    if (!layers.is_array()) top.fail_field("layers", "expected an array of layers, got " + detail::describe(layers));
    if (layers.empty()) top.fail_field("layers", "the network has no layers");

    std::map<std::string, int, std::less<>> index_of; // name -> index in the file
    std::vector<scope> scopes;
    std::vector<std::pair<std::size_t, const json*>> inline_folding;

    for (std::size_t i = 0; i < layers.size(); ++i) {
        const json& lj = layers[i];
        scope s{top.where + ": layers[" + std::to_string(i) + "]"};
        if (!lj.is_object()) s.fail("a layer must be a JSON object, got " + detail::describe(lj));
        const std::string type_text = detail::get_string(lj, "type", s);
        const auto& types = detail::layer_type_names();
        auto t = std::find_if(types.begin(), types.end(), [&](const auto& p) { return p.first == type_text; });
        if (t == types.end()) {
            std::string list;
            for (const auto& p : types) list += (list.empty() ? "" : ", ") + std::string(p.first);
            s.fail_field("type", "unknown layer type \"" + type_text + "\" (known: " + list + ")");
        }
        layer l;
        l.type = t->second;
        const std::string name = detail::get_string(lj, "name", s, type_text + "_" + std::to_string(i));
        if (name.empty()) s.fail_field("name", "must not be empty");
        if (name.size() > name_t::capacity)
            s.fail_field("name", "'" + name.substr(0, 40) + "...' is longer than " +
                                     std::to_string(name_t::capacity) + " characters");
        s.where += " '" + name + "'";
        if (name == "input") s.fail_field("name", "'input' is reserved for the network input");
        if (auto dup = index_of.find(name); dup != index_of.end())
            s.fail_field("name", "duplicate layer name (also layers[" + std::to_string(dup->second) + "])");
        l.name = name;
        detail::check_keys(lj, detail::known_layer_keys(l.type), s, detail::with_article(type_text) + " layer");

        // inputs: names of earlier layers or "input"; omitted = the previous layer
        std::vector<std::string> input_names;
        if (const json* in = detail::find(lj, "inputs")) {
            if (in->is_string()) {
                input_names.push_back(in->get<std::string>());
            } else if (in->is_array()) {
                for (std::size_t k = 0; k < in->size(); ++k) {
                    if (!(*in)[k].is_string())
                        s.fail_field("inputs[" + std::to_string(k) + "]",
                                     "expected a layer name, got " + detail::describe((*in)[k]));
                    input_names.push_back((*in)[k].get<std::string>());
                }
            } else {
                s.fail_field("inputs", "expected an array of layer names, got " + detail::describe(*in));
            }
        } else {
            input_names.push_back(i == 0 ? "input" : net.layers.back().name.str());
        }
        const bool multi = l.type == layer_type::eltwise || l.type == layer_type::concat;
        if (multi && input_names.size() < 2)
            s.fail_field("inputs", detail::with_article(type_text) +
                                       " layer needs two or more inputs, got " +
                                       std::to_string(input_names.size()));
        if (!multi && input_names.size() != 1)
            s.fail_field("inputs", detail::with_article(type_text) +
                                       " layer takes exactly one input, got " +
                                       std::to_string(input_names.size()));
        for (const auto& n : input_names) {
            if (n == "input") {
                l.inputs.push_back(network_input);
                continue;
            }
            auto it = index_of.find(n);
            if (it == index_of.end()) {
                bool later = false;
                for (std::size_t k = i + 1; k < layers.size(); ++k)
                    if (layers[k].is_object() && detail::find(layers[k], "name") &&
                        *detail::find(layers[k], "name") == n)
                        later = true;
                s.fail_field("inputs", later ? "input '" + n +
                                                   "' is defined later in the file (layers must be listed in "
                                                   "topological order)"
                                             : "unknown input '" + n +
                                                   "' (not an earlier layer's name nor \"input\")");
            }
            l.inputs.push_back(it->second);
        }
        const tensor_shape first = net.shape_of(l.inputs[0]);
        l.in = first;
        l.out = first;
        l.width = defaults;
        if (const json* w = detail::find(lj, "widths")) l.width = detail::read_widths(*w, s, defaults);

        switch (l.type) {
        case layer_type::convolution:
            l.out.channels = detail::get_integer(lj, "filters", s, 1);
            detail::read_window(lj, l, s, false);
            l.groups = detail::get_integer(lj, "groups", s, 1, 1);
            if (l.in.channels % l.groups != 0 || l.out.channels % l.groups != 0)
                s.fail_field("groups", "groups " + std::to_string(l.groups) +
                                           " must divide the input channels " + std::to_string(l.in.channels) +
                                           " and the filters " + std::to_string(l.out.channels));
            l.bias = detail::get_bool(lj, "bias", s, false);
            l.batchnorm = detail::get_bool(lj, "batchnorm", s, false);
            if (const json* sp = detail::find(lj, "sparsity")) l.sparsity = detail::read_sparsity(*sp, l, s);
            break;
        case layer_type::inner_product:
            l.out = {1, 1, detail::get_integer(lj, "features", s, 1)};
            l.bias = detail::get_bool(lj, "bias", s, true);
            l.batchnorm = detail::get_bool(lj, "batchnorm", s, false);
            break;
        case layer_type::pooling:
            l.pool = detail::get_choice<pool_op>(lj, "pool", s, pool_op::max, {{"max", pool_op::max}, {"avg", pool_op::avg}});
            detail::read_window(lj, l, s, true);
            break;
        case layer_type::global_pooling:
            l.pool = detail::get_choice<pool_op>(lj, "pool", s, pool_op::avg, {{"avg", pool_op::avg}, {"max", pool_op::max}});
            l.out = {1, 1, l.in.channels};
            break;
        case layer_type::thresholded_relu: l.threshold = detail::get_number(lj, "threshold", s); break;
        case layer_type::eltwise: {
            l.op = detail::get_choice<eltwise_op>(lj, "op", s, eltwise_op::add, {{"add", eltwise_op::add}, {"mul", eltwise_op::mul}});
            for (std::size_t k = 1; k < l.inputs.size(); ++k) {
                const tensor_shape sk = net.shape_of(l.inputs[k]);
                const bool bcast = sk.rows == 1 && sk.cols == 1 && sk.channels == first.channels &&
                                   (first.rows != 1 || first.cols != 1);
                if (bcast) l.broadcast = true;
                if (sk != first && !bcast)
                    s.fail_field("inputs", "input '" + input_names[k] + "' is " + detail::shape_text(sk) +
                                               " but input '" + input_names[0] + "' is " + detail::shape_text(first) +
                                               " (eltwise inputs must match, or later inputs be 1x1xC to broadcast)");
            }
            break;
        }
        case layer_type::concat: {
            l.out.channels = 0;
            for (std::size_t k = 0; k < l.inputs.size(); ++k) {
                const tensor_shape sk = net.shape_of(l.inputs[k]);
                if (sk.rows != first.rows || sk.cols != first.cols)
                    s.fail_field("inputs", "input '" + input_names[k] + "' is " + detail::shape_text(sk) +
                                               " but input '" + input_names[0] + "' is " + detail::shape_text(first) +
                                               " (concat inputs must share rows and cols)");
                l.out.channels += sk.channels;
            }
            break;
        }
        default: break; // activations and split keep the shape
        }
        if (const json* o = detail::find(lj, "output")) {
            const tensor_shape declared = detail::read_shape(*o, s, "output");
            if (declared != l.out)
                s.fail_field("output", "declared " + detail::shape_text(declared) + " but the layer computes " +
                                           detail::shape_text(l.out));
        }
        detail::check_magnitude(l, s);
        if (auto p = layer_problem(l); !p.empty()) s.fail(detail::strip_layer_prefix(p, name));
        if (const json* f = detail::find(lj, "folding")) inline_folding.emplace_back(i, f);
        index_of.emplace(name, static_cast<int>(i));
        scopes.push_back(s);
        net.layers.push_back(std::move(l));
    }

    // an explicit split forks to as many consumers as read it
    std::vector<count_t> readers(net.size(), 0);
    for (const auto& l : net.layers)
        for (int src : l.inputs)
            if (src >= 0) ++readers[static_cast<std::size_t>(src)];
    for (std::size_t i = 0; i < net.size(); ++i)
        if (net.layers[i].type == layer_type::split) net.layers[i].fan_out = std::max<count_t>(readers[i], 1);

    network_file out;
    try {
        out.net = insert_splits(net);
    } catch (const hass::error& e) {
        top.fail(e.what());
    }
    // inserted splits are called "<producer>.split": they must not collide with a layer of the file
    std::set<std::string_view> names;
    for (const auto& l : out.net.layers)
        if (!names.insert(l.name.view()).second)
            top.fail("layer name '" + l.name.str() + "' is used twice after inserting splits (hass names the split "
                     "after a layer read by several layers '<layer>.split'; rename the layer)");
    try {
        validate(out.net);
    } catch (const hass::error& e) {
        top.fail(e.what());
    }

    out.folding = unit_folding(out.net);
    for (const auto& [i, f] : inline_folding) {
        const auto idx = static_cast<std::size_t>(out.net.find(net.layers[i].name.view()));
        out.folding[idx] = detail::read_folding_entry(*f, out.net.layers[idx], scopes[i].nested("folding"), false);
        out.has_folding = true;
    }
    // check the folding layer by layer to name the place in the file
    for (std::size_t k = 0; k < out.net.size(); ++k) {
        const layer& l = out.net.layers[k];
        std::string p = folding_problem(l, out.folding[k]);
        if (p.empty()) continue;
        const auto it = index_of.find(l.name.view());
        if (it == index_of.end()) top.fail(p); // an inserted split
        const auto i = static_cast<std::size_t>(it->second);
        const bool given = std::any_of(inline_folding.begin(), inline_folding.end(),
                                       [i](const auto& e) { return e.first == i; });
        p = detail::strip_layer_prefix(p, l.name.view());
        if (given)
            scopes[i].fail_field("folding", p);
        else
            scopes[i].fail(p);
    }
    validate_design(out.net, out.folding, source);
    return out;
}

inline network read_network(const json& j, std::string_view source) { return read_network_file(j, source).net; }

inline network_file load_network_file(const std::filesystem::path& path) {
    return read_network_file(load_json_file(path), path.string());
}
inline network load_network(const std::filesystem::path& path) { return load_network_file(path).net; }

/// Writes a network in the format read_network accepts (splits are written as
/// explicit split layers, so reading it back gives the same layers). Keys keep
/// a readable order, hence ordered_json. A non-unit folding is written inline.
inline nlohmann::ordered_json write_network(const network& net, const std::vector<folding>& f = {}) {
    using ojson = nlohmann::ordered_json;
    auto shape = [](const tensor_shape& t) { return ojson{{"rows", t.rows}, {"cols", t.cols}, {"channels", t.channels}}; };
    auto pair_or_one = [](count_t a, count_t b) { return a == b ? ojson(a) : ojson::array({a, b}); };
    const widths defaults = net.layers.empty() ? widths{} : net.layers.front().width;
    const json fold = f.size() == net.size() ? write_folding(net, f) : json();
    ojson j;
    j["name"] = net.name.str();
    j["input"] = shape(net.input);
    j["widths"] = {{"data", defaults.data}, {"weight", defaults.weight}, {"acc", defaults.acc}};
    if (defaults.output != defaults.data) j["widths"]["output"] = defaults.output;
    ojson layers = ojson::array();
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        if (l.type == layer_type::squeeze)
            throw hass::error("write_network: layer '" + l.name.str() + "' is a squeeze, which the file format does not have");
        ojson e;
        e["name"] = l.name.str();
        e["type"] = std::string(to_string(l.type));
        ojson inputs = ojson::array();
        for (int src : l.inputs)
            inputs.push_back(src == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(src)].name.str());
        e["inputs"] = std::move(inputs);
        switch (l.type) {
        case layer_type::convolution:
        case layer_type::pooling:
            if (l.type == layer_type::convolution) e["filters"] = l.out.channels;
            else e["pool"] = std::string(to_string(l.pool));
            e["kernel"] = pair_or_one(l.kernel_rows, l.kernel_cols);
            e["stride"] = pair_or_one(l.stride_rows, l.stride_cols);
            if (l.pad_top == l.pad_bottom && l.pad_left == l.pad_right)
                e["pad"] = pair_or_one(l.pad_top, l.pad_left);
            else
                e["pad"] = ojson::array({l.pad_top, l.pad_right, l.pad_bottom, l.pad_left});
            if (l.type == layer_type::convolution) {
                e["groups"] = l.groups;
                e["bias"] = l.bias;
                e["batchnorm"] = l.batchnorm;
                if (l.sparsity.active()) {
                    ojson hist = ojson::array();
                    for (count_t c = 0; c < l.sparsity.channels; ++c) {
                        ojson row = ojson::array();
                        for (count_t z = 0; z <= l.sparsity.kernel; ++z) row.push_back(l.sparsity.at(c, z));
                        hist.push_back(std::move(row));
                    }
                    e["sparsity"] = {{"histogram", std::move(hist)},
                                     {"interleaving", std::string(to_string(l.sparsity.order))},
                                     {"skip_all_zero", l.sparsity.skip_all_zero},
                                     {"clusters", l.sparsity.clusters}};
                }
            }
            break;
        case layer_type::inner_product:
            e["features"] = l.out.channels;
            e["bias"] = l.bias;
            e["batchnorm"] = l.batchnorm;
            break;
        case layer_type::global_pooling: e["pool"] = std::string(to_string(l.pool)); break;
        case layer_type::thresholded_relu: e["threshold"] = l.threshold; break;
        case layer_type::eltwise: e["op"] = std::string(to_string(l.op)); break;
        default: break;
        }
        if (l.width != defaults) {
            e["widths"] = {{"data", l.width.data}, {"weight", l.width.weight}, {"acc", l.width.acc}};
            if (l.width.output != l.width.data) e["widths"]["output"] = l.width.output;
        }
        if (i < f.size() && f[i] != folding{} && !fold.is_null()) {
            const json& fj = fold["layers"][i];
            ojson fo;
            for (const char* key : {"coarse", "coarse_in", "coarse_out", "coarse_group", "fine", "weights"})
                if (fj.contains(key)) fo[key] = fj[key];
            e["folding"] = std::move(fo);
        }
        e["output"] = shape(l.out);
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

// ============================================================================
// Boards
// ============================================================================

/// A board read at run time: owns the name and part that hass::board views.
/// Copies and moves re-point the views at their own strings.
class owned_board {
public:
    owned_board() = default;
    explicit owned_board(const board& b) : name_(b.name), part_(b.part), spec_(b) { repoint(); }
    owned_board(const owned_board& o) : name_(o.name_), part_(o.part_), spec_(o.spec_) { repoint(); }
    owned_board(owned_board&& o) noexcept : name_(std::move(o.name_)), part_(std::move(o.part_)), spec_(o.spec_) {
        repoint();
        o.repoint();
    }
    owned_board& operator=(const owned_board& o) {
        if (this != &o) {
            name_ = o.name_;
            part_ = o.part_;
            spec_ = o.spec_;
            repoint();
        }
        return *this;
    }
    owned_board& operator=(owned_board&& o) noexcept {
        if (this != &o) {
            name_ = std::move(o.name_);
            part_ = std::move(o.part_);
            spec_ = o.spec_;
            repoint();
            o.repoint();
        }
        return *this;
    }
    ~owned_board() = default;

    const board& spec() const noexcept { return spec_; }
    operator const board&() const noexcept { return spec_; }
    const std::string& name() const noexcept { return name_; }
    const std::string& part() const noexcept { return part_; }

private:
    std::string name_;
    std::string part_;
    board spec_{};

    void repoint() noexcept {
        spec_.name = name_;
        spec_.part = part_;
    }
};

/// The ranges read_board accepts (docs/formats.md).
struct board_limits {
    static constexpr double min_clock_mhz = 1, max_clock_mhz = 10000;
    static constexpr double min_bandwidth_gbps = 0.001, max_bandwidth_gbps = 100000;
    static constexpr double max_reconf_time_s = 3600;
};

/// Reads {"name", "part", "dsp", "lut", "ff", "bram18", "uram", "clock_mhz",
/// "bandwidth_gbps", "reconf_time_s"}; part, uram and reconf_time_s are optional.
inline owned_board read_board(const json& j, std::string_view source) {
    const detail::scope top{std::string(source)};
    detail::require_object(j, top, "a board file");
    detail::check_keys(j, {"name", "part", "dsp", "lut", "ff", "bram18", "uram", "clock_mhz", "bandwidth_gbps",
                           "reconf_time_s", "port_width_bits"},
                       top, "a board file");
    board b;
    const std::string name = detail::get_string(j, "name", top);
    if (name.empty()) top.fail_field("name", "must not be empty");
    const std::string part = detail::get_string(j, "part", top, std::string{});
    const count_t big = count_t{1} << 40;
    auto resource = [&](std::string_view key, std::optional<count_t> fallback) {
        const json* v = detail::find(j, key);
        if (!v && fallback) return *fallback;
        if (!v) top.missing(key);
        if (!v->is_number_integer()) top.fail_field(key, "expected an integer, got " + detail::describe(*v));
        if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(big))
            top.fail_field(key, "value " + v->dump() + " is too large");
        const auto n = static_cast<count_t>(v->get<std::int64_t>());
        if (n < 0) top.fail_field(key, "must be >= 0, got " + std::to_string(n));
        return n;
    };
    b.budget = {resource("dsp", std::nullopt), resource("lut", std::nullopt), resource("ff", std::nullopt),
                resource("bram18", std::nullopt), resource("uram", count_t{0})};
    // ranges that keep cycle counts and bits per cycle finite and meaningful
    auto ranged = [&](std::string_view key, double lo, double hi, std::optional<double> fallback, const char* unit) {
        const double v = detail::get_number(j, key, top, fallback);
        if (!(v >= lo && v <= hi))
            top.fail_field(key, "must be in [" + detail::short_number(lo) + ", " + detail::short_number(hi) + "] " +
                                    unit + ", got " + detail::short_number(v));
        return v;
    };
    b.clock_mhz = ranged("clock_mhz", board_limits::min_clock_mhz, board_limits::max_clock_mhz, std::nullopt, "MHz");
    b.bandwidth_gbps = ranged("bandwidth_gbps", board_limits::min_bandwidth_gbps, board_limits::max_bandwidth_gbps,
                              std::nullopt, "Gbit/s");
    b.reconf_time_s = ranged("reconf_time_s", 0.0, board_limits::max_reconf_time_s, 0.08255, "seconds");
    b.port_width_bits = detail::get_integer(j, "port_width_bits", top, 1, 512);
    b.name = name;
    b.part = part;
    return owned_board(b); // copies the strings and re-points the views
}

inline owned_board load_board(const std::filesystem::path& path) {
    return read_board(load_json_file(path), path.string());
}

inline json board_json(const board& b) {
    return {{"name", std::string(b.name)}, {"part", std::string(b.part)}, {"dsp", b.budget.dsp},
            {"lut", b.budget.lut},         {"ff", b.budget.ff},           {"bram18", b.budget.bram18},
            {"uram", b.budget.uram},       {"clock_mhz", b.clock_mhz},    {"bandwidth_gbps", b.bandwidth_gbps},
            {"reconf_time_s", b.reconf_time_s}, {"port_width_bits", b.port_width_bits}};
}

// ============================================================================
// Reports
// ============================================================================

inline json resources_json(const resources& r) {
    return {{"dsp", r.dsp}, {"lut", r.lut}, {"ff", r.ff}, {"bram18", r.bram18}, {"uram", r.uram}};
}

inline json shape_json(const tensor_shape& t) {
    return {{"rows", t.rows}, {"cols", t.cols}, {"channels", t.channels}};
}

namespace detail {
inline std::string tensor_name(const network& net, int t) {
    return t == network_input ? std::string("input") : net.layers[static_cast<std::size_t>(t)].name.str();
}
} // namespace detail

/// How a layer's weights are stored: "bram", "uram", "off_chip", or
/// "bram+stream:N" / "uram+stream:N" for N blocks streamed from off-chip memory.
inline std::string storage_text(const folding& f) {
    std::string s(to_string(f.weights));
    if (f.weights != weight_storage::off_chip && f.stream_weights != 0)
        s += f.stream_weights == cost::all_blocks ? "+stream:all" : "+stream:" + std::to_string(f.stream_weights);
    return s;
}

/// The model's view of one design (or one partition: layers [r.first, r.last)).
inline json report_json(const network& net, const std::vector<folding>& f, const design_report& r, const board& b) {
    json j;
    j["model"] = net.name.str();
    j["cost_model"] = std::string(r.model);
    j["board"] = std::string(b.name);
    j["clock_mhz"] = b.clock_mhz;
    j["first_layer"] = r.first;
    j["last_layer"] = r.last; // exclusive
    j["ii_cycles"] = r.ii;
    j["interval_cycles"] = r.interval;
    j["compute_ii_cycles"] = r.compute_ii;
    j["memory_ii_cycles"] = r.memory_ii;
    j["slowdown"] = r.slowdown;
    j["bottleneck"] = r.bottleneck >= 0 ? json(net.layers[static_cast<std::size_t>(r.bottleneck)].name.str())
                                        : json(r.ii > r.compute_ii ? "memory" : "squeeze");
    j["throughput_fps"] = r.throughput();
    j["steady_state_fps"] = r.throughput();
    j["batch"] = r.batch;
    j["batch_cycles"] = r.batch_cycles(r.batch);
    j["batch_latency_s"] = r.batch_time(r.batch);
    j["batch_fps"] = r.batch_throughput(r.batch);
    j["latency_s"] = r.batch_time(1);
    j["pipeline_depth"] = r.pipeline_depth;
    j["weights_reloading_factor"] = r.reload_factor;
    j["bandwidth_gbps"] = r.bandwidth_gbps();
    j["bandwidth_in_gbps"] = r.bits_in * r.throughput() / 1e9;
    j["bandwidth_out_gbps"] = r.bits_out * r.throughput() / 1e9;
    j["bandwidth_weights_gbps"] = r.bits_weights * r.throughput() / 1e9;
    j["board_bandwidth_gbps"] = b.bandwidth_gbps;
    j["offchip_bits_per_image"] = r.offchip_bits;
    j["fits"] = r.fits;
    json exceeded = json::array();
    for (auto k : r.exceeded()) exceeded.push_back(std::string(to_string(k)));
    j["exceeded"] = std::move(exceeded);
    j["resources"] = resources_json(r.used);
    j["resources_raw"] = resources_json(r.used_raw);
    j["dsp_exact"] = r.dsp;
    j["bram_to_lut_blocks"] = r.bram_to_lut_blocks;
    j["budget"] = resources_json(r.budget);
    auto squeeze_json = [&](const squeeze_link& s) {
        return json{{"name", s.name.str()},
                    {"producer", s.producer == network_input ? json("input") : json(detail::tensor_name(net, s.producer))},
                    {"consumer", s.consumer < 0 ? json("output") : json(detail::tensor_name(net, s.consumer))},
                    {"streams_from", s.streams_from},
                    {"streams_to", s.streams_to},
                    {"latency_cycles", s.latency},
                    {"pipeline_depth", s.pipeline_depth},
                    {"resources", resources_json(s.used)}};
    };
    json squeezes = json::array();
    for (const auto& s : r.squeezes) squeezes.push_back(squeeze_json(s));
    j["squeezes"] = std::move(squeezes);
    json ports = json::array();
    for (const auto& s : r.port_squeezes) ports.push_back(squeeze_json(s));
    j["port_squeezes"] = std::move(ports);
    json layers = json::array();
    for (int i = r.first; i < r.last; ++i) {
        const auto idx = static_cast<std::size_t>(i);
        const layer& l = net.layers[idx];
        const layer_performance& p = r.layers[static_cast<std::size_t>(i - r.first)];
        json inputs = json::array();
        for (int src : l.inputs) inputs.push_back(detail::tensor_name(net, src));
        json e{{"name", l.name.str()},
               {"type", std::string(to_string(l.type))},
               {"inputs", std::move(inputs)},
               {"coarse_in", f[idx].coarse_in},
               {"coarse_out", f[idx].coarse_out},
               {"coarse_group", f[idx].coarse_group},
               {"fine", f[idx].fine},
               {"weights", l.has_weights() ? json(storage_text(f[idx])) : json(nullptr)},
               {"latency_cycles", p.latency},
               {"pipeline_depth", p.pipeline_depth},
               {"sparse", p.sparse},
               {"resources", resources_json(p.used)},
               {"dsp_exact", p.dsp},
               {"share_of_ii", r.ii > 0 ? static_cast<double>(p.latency) / static_cast<double>(r.ii) : 0.0}};
        if (p.sparse) e["sparse_cycles_per_window"] = p.sparse_cycles;
        if (l.has_weights()) {
            e["weight_blocks"] = p.weight_plan.total_blocks;
            e["weight_blocks_streamed"] = p.weight_plan.streamed;
            e["weight_offchip_bits_per_image"] = p.weight_bits;
        }
        if (!p.fifo_depths.empty()) {
            e["fifo_depths"] = p.fifo_depths;
            e["fifo_bram18"] = p.fifo_bram;
        }
        layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    return j;
}

/// A design cut into partitions run one after another on one device.
inline json partitioned_report_json(const network& net, const std::vector<folding>& f, const partitioned_report& pr,
                                    const board& b, count_t batch = 256) {
    json parts = json::array();
    for (const auto& p : pr.partitions) parts.push_back(report_json(net, f, p, b));
    const double t = pr.batch_time(batch);
    return {{"model", net.name.str()},
            {"board", std::string(b.name)},
            {"partitions", std::move(parts)},
            {"fits", pr.fits()},
            {"reconf_time_s", pr.reconf_time_s},
            {"reconfigurations", pr.reconfigurations()},
            {"batch", batch},
            {"batch_time_s", t},
            {"throughput_fps", pr.throughput(batch)},
            {"batch_fps", pr.throughput(batch)},
            {"convention", pr.reconfigure_first
                               ? "batch time = sum over partitions of cycles/clock + P * reconf_time_s (fpgaConvNet)"
                               : "batch time = sum over partitions of cycles/clock + (P-1) * reconf_time_s"}};
}

/// Layers, shapes, parameters and MACs of a network.
inline json info_json(const network& net) {
    json layers = json::array();
    for (const auto& l : net.layers) {
        json inputs = json::array();
        for (int src : l.inputs) inputs.push_back(detail::tensor_name(net, src));
        layers.push_back({{"name", l.name.str()},
                          {"type", std::string(to_string(l.type))},
                          {"inputs", std::move(inputs)},
                          {"input", shape_json(l.in)},
                          {"output", shape_json(l.out)},
                          {"params", l.parameter_count()},
                          {"macs", l.macs()}});
    }
    return {{"name", net.name.str()},
            {"input", shape_json(net.input)},
            {"params", net.parameter_count()},
            {"macs", net.macs()},
            {"layers", std::move(layers)}};
}

} // namespace hass::io
