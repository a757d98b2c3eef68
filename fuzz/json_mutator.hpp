// A structure-aware mutator of JSON files: edits the parsed value (replaces a
// node with a boundary number, a wrong type, a deep or huge value; deletes,
// renames, duplicates or copies members) or the text (truncation, byte flips,
// duplicate keys, number overflow, deep nesting, comments). Deterministic for a
// seed. Used by reader_fuzz_smoke.cpp and, through LLVMFuzzerCustomMutator,
// by the libFuzzer binaries.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <hass/io/json.hpp>

namespace hass::fuzz {

/// splitmix64: a small, fast, portable generator (same sequence everywhere).
class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }

private:
    std::uint64_t s_;
};

namespace detail {

using json = nlohmann::json;

inline void collect(json& j, std::vector<json*>& out) {
    out.push_back(&j);
    if (j.is_array() || j.is_object())
        for (auto& c : j) collect(c, out);
}

inline json boundary_value(rng& r) {
    switch (r.below(28)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 1;
    case 3: return std::numeric_limits<std::int64_t>::max();
    case 4: return std::numeric_limits<std::int64_t>::min();
    case 5: return std::numeric_limits<std::uint64_t>::max();
    case 6: return (std::int64_t{1} << 24) + 1;
    case 7: return std::int64_t{1} << 31;
    case 8: return 1e-20;
    case 9: return 5e38;
    case 10: return 1e308;
    case 11: return -1e308;
    case 12: return 0.5;
    case 13: return -0.0;
    case 14: return 4.9e-324;
    case 15: return "";
    case 16: return "x";
    case 17: return std::string(300, 'a');
    case 18: return nullptr;
    case 19: return true;
    case 20: return json::array();
    case 21: return json::object();
    case 22: return json::array({1, 2, 3});
    case 23: return 65;
    case 24: return 7;
    case 25: return 1000000;
    case 26: return 9223372036854775807.0;
    default: return std::string("\xff\xfe", 2);
    }
}

inline json deep_value(std::size_t depth) {
    json v = 0;
    for (std::size_t i = 0; i < depth; ++i) v = json::array({std::move(v)});
    return v;
}

inline void mutate_tree(json& root, rng& r) {
    std::vector<json*> nodes;
    collect(root, nodes);
    json& n = *nodes[r.below(nodes.size())];
    switch (r.below(12)) {
    case 0:
    case 1:
    case 2: n = boundary_value(r); break;
    case 3: // a number nudged, scaled or negated
        if (n.is_number_integer()) {
            const auto v = n.get<std::int64_t>();
            const std::int64_t d[] = {1, -1, 2, v, -2 * v};
            n = v + d[r.below(5)];
        } else if (n.is_number()) {
            const double x = n.get<double>();
            const double f[] = {-1.0, 0.0, 1e10, 1e-10, 1.0000001};
            n = x * f[r.below(5)];
        } else {
            n = boundary_value(r);
        }
        break;
    case 4: // delete a member or element
        if (n.is_object() && !n.empty()) {
            auto it = n.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(r.below(n.size())));
            n.erase(it);
        } else if (n.is_array() && !n.empty()) {
            n.erase(n.begin() + static_cast<std::ptrdiff_t>(r.below(n.size())));
        }
        break;
    case 5: // duplicate an element, or add a member under a new or misspelt key
        if (n.is_array() && !n.empty()) {
            const std::size_t k = r.below(n.size());
            const std::size_t times = r.chance(10) ? 1000 : 1;
            const json copy = n[k];
            for (std::size_t t = 0; t < times; ++t) n.push_back(copy);
        } else if (n.is_object()) {
            static const char* const keys[] = {"_note", "comment", "name", "type", "inputs", "layers", "tau",
                                               "histogram", "magnitudes", "filters", "kernel", "fine", "unknown"};
            n[keys[r.below(13)]] = boundary_value(r);
        }
        break;
    case 6: // rename a key
        if (n.is_object() && !n.empty()) {
            auto it = n.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(r.below(n.size())));
            json v = *it;
            const std::string k = it.key();
            n.erase(it);
            n[k + (r.chance(50) ? "s" : "_")] = std::move(v);
        }
        break;
    case 7: // copy another node here
        n = json(*nodes[r.below(nodes.size())]);
        break;
    case 8: n = deep_value(r.chance(50) ? 70 : 2000); break;
    case 9: // a long array of numbers
        n = json::array();
        for (std::size_t i = 0, m = 1 + r.below(3000); i < m; ++i) n.push_back(r.chance(50) ? 0.0 : 1.0);
        break;
    case 10: // swap two elements of an array
        if (n.is_array() && n.size() > 1) std::swap(n[r.below(n.size())], n[r.below(n.size())]);
        break;
    default: // a string to a number and back
        if (n.is_string()) n = 3;
        else if (n.is_number()) n = n.dump();
        else n = boundary_value(r);
        break;
    }
}

inline void mutate_text(std::string& s, rng& r) {
    if (s.empty()) s = "{}";
    const std::size_t at = r.below(s.size());
    switch (r.below(10)) {
    case 0: s.resize(at); break;
    case 1: s[at] = static_cast<char>(s[at] ^ (1u << r.below(8))); break;
    case 2: s.insert(at, r.chance(50) ? "1e999" : "-1e999"); break;
    case 3: { // a duplicate key: copy the first member of an object
        const auto brace = s.find('{', at);
        const auto colon = brace == std::string::npos ? brace : s.find(':', brace);
        if (colon != std::string::npos) {
            const auto comma = s.find_first_of(",}", colon);
            if (comma != std::string::npos) s.insert(brace + 1, s.substr(brace + 1, comma - brace - 1) + ",");
        }
        break;
    }
    case 4: s.insert(at, std::string(r.chance(50) ? 100 : 100000, '[')); break;
    case 5: s.insert(at, "/* c */"); break;
    case 6: s.insert(at, "//\n"); break;
    case 7: s.insert(at, "\"\\u0000\\ud800\""); break;
    case 8: s.erase(at, 1 + r.below(16)); break;
    default: s.insert(at, s.substr(at, r.below(64))); break;
    }
}

} // namespace detail

/// One mutant of `seed_text`: one to four edits, mostly structural.
inline std::string mutate(const std::string& seed_text, rng& r) {
    // a seed nested deeper than hass reads is mutated as text (the tree walk recurses)
    const bool shallow = hass::io::detail::too_deep_at(seed_text, 2 * hass::io::max_json_depth) == seed_text.size();
    nlohmann::json j = shallow ? nlohmann::json::parse(seed_text, nullptr, /*allow_exceptions=*/false,
                                                       /*ignore_comments=*/true)
                               : nlohmann::json(nlohmann::json::value_t::discarded);
    std::string out;
    const std::size_t edits = 1 + r.below(4);
    if (!j.is_discarded() && r.chance(85)) {
        for (std::size_t e = 0; e < edits; ++e) detail::mutate_tree(j, r);
        out = j.dump(r.chance(50) ? -1 : 1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (r.chance(15)) detail::mutate_text(out, r);
    } else {
        out = seed_text;
        for (std::size_t e = 0; e < edits; ++e) detail::mutate_text(out, r);
    }
    return out;
}

} // namespace hass::fuzz
