// What the code that `hass emit-hls` generates (hass/hls/emit.hpp) shares:
// tables of the modules each layer instantiates, with the parameters the model
// gave them (hass::for_each_module), and, on the host, the comparison of those
// tables with the modules the kernels actually ran (the cycle log).
//
// The tables are plain constant data (C++17, no hass model headers), so the
// generated layer headers stay usable by a vendor HLS front end.
#pragma once

#include <cstddef>

#include "hass/hls/platform.hpp"

#if !HASS_HLS_VENDOR
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>
#endif

namespace hass::hls {

/// One template parameter of a module: the module struct's member name and value.
struct module_param {
    const char* name;
    long long value;
};

/// One module of a layer as hass::for_each_module lists it: its name, its
/// replicas and its parameters in member order.
struct emitted_module {
    const char* module;
    long long replicas;
    const module_param* params;
    std::size_t param_count;
};

/// One stage of a generated design (a layer, or a squeeze between two layers):
/// the HASS_HLS_SCOPE its kernels run under, what it is, the model's latency
/// (cycles per image) and its modules.
struct emitted_stage {
    const char* scope;
    const char* kind;
    long long model_latency;
    const emitted_module* modules;
    std::size_t module_count;
};

#if !HASS_HLS_VENDOR

/// Cycles of a stage: the slowest module instance whose scope is exactly `scope`.
inline long long stage_cycles(const cycle_log& log, std::string_view scope) {
    long long c = 0;
    for (const auto& r : log.records)
        if (r.scope == scope) c = std::max(c, r.cycles());
    return c;
}

/// "module(param=value,...)" of an emitted module.
inline std::string module_text(const emitted_module& m) {
    std::string s = std::string(m.module) + "(";
    for (std::size_t p = 0; p < m.param_count; ++p) {
        // appended piece by piece (a temporary `"," + std::string` trips a GCC 12 -Wrestrict false positive)
        if (p) s += ',';
        s += m.params[p].name;
        s += '=';
        s += std::to_string(m.params[p].value);
    }
    return s + ")";
}

/// Module instances the kernels ran under `stage.scope` but the table does not
/// list ("+module(...)"), and listed ones they did not run ("-module(...)").
/// Parameters are the module struct's members (the kernels' extras are not compared).
inline std::vector<std::string> module_drift(const cycle_log& log, const emitted_stage& stage) {
    std::vector<std::string> expected, ran;
    for (std::size_t k = 0; k < stage.module_count; ++k)
        for (long long r = 0; r < stage.modules[k].replicas; ++r) expected.push_back(module_text(stage.modules[k]));
    for (const auto& rec : log.records) {
        if (rec.scope != stage.scope) continue;
        std::string s = rec.module + "(";
        bool first = true;
        for (const auto& p : rec.params) {
            s += (first ? "" : ",") + p.first + "=" + std::to_string(p.second);
            first = false;
        }
        ran.push_back(s + ")");
    }
    std::sort(expected.begin(), expected.end());
    std::sort(ran.begin(), ran.end());
    std::vector<std::string> only_ran, only_expected, out;
    std::set_difference(ran.begin(), ran.end(), expected.begin(), expected.end(), std::back_inserter(only_ran));
    std::set_difference(expected.begin(), expected.end(), ran.begin(), ran.end(), std::back_inserter(only_expected));
    for (auto& s : only_ran) out.push_back("+" + s);
    for (auto& s : only_expected) out.push_back("-" + s);
    return out;
}

#endif

} // namespace hass::hls
