// Text of the generated C++: identifiers made from layer names (keywords and the
// generator's own names avoided), string and number literals that read back
// exactly, comment-safe text, and the names of enumerators.
#pragma once

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hass/layers/layer.hpp"
#include "hass/resources/memory.hpp"

namespace hass::hls::detail::emit {

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

} // namespace hass::hls::detail::emit
