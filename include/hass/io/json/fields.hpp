// The field readers shared by the JSON formats (detail): where an error is
// (scope), required and optional fields of each kind with their ranges, unknown
// keys rejected, shapes and bit widths, and the size limits that keep the
// model's arithmetic far from overflow.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/io/json/parse.hpp"
#include "hass/layers/layer.hpp"

namespace hass::io {

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

} // namespace hass::io
