// JSON text in hass: the value type (nlohmann::json, as hass::io::json) and the
// checked parser every reader uses: comments allowed, duplicate keys and
// nesting deeper than max_json_depth rejected, errors with the line and column.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/core/error.hpp"
#include "hass/io/file.hpp"

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

} // namespace hass::io
