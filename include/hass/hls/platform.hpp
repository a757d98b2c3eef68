// The platform switch of the hass HLS kernels.
//
// Vendor build (Vitis HLS synthesis or C simulation): the vendor headers
// <hls_stream.h>, <ap_fixed.h>, <ap_int.h> are found and HASS_HLS_HOST is not
// defined; HASS_PRAGMA(x) becomes _Pragma("x") and the cycle-counting macros
// expand to nothing.
//
// Host build (no vendor headers, or -DHASS_HLS_HOST): the stand-ins of
// hass/hls/host/ are used, HASS_PRAGMA(x) expands to nothing (g++ 12 cannot
// silence -Wunknown-pragmas for "#pragma HLS" in C++), and every kernel
// records itself in the active hass::hls::cycle_log: its module name, its
// template parameters, and one iteration counter per pipelined process.
//
// Cycle counting: each iteration of a loop pipelined with II=1 adds 1 to the
// counter of its process (HASS_HLS_TICK).  The processes of a module instance
// run concurrently (a dataflow region), so an instance takes
// max over its processes cycles; the modules of a layer also run
// concurrently, so the layer takes max over its module instances
// (cycle_log::slowest), which is what hass::evaluate_layer(...).latency models.
#pragma once

#if __has_include(<hls_stream.h>) && !defined(HASS_HLS_HOST)
#define HASS_HLS_VENDOR 1
#include <ap_fixed.h>
#include <ap_int.h>
#include <hls_stream.h>
#else
#define HASS_HLS_VENDOR 0
#include "hass/hls/host/ap_fixed.hpp"
#include "hass/hls/host/ap_int.hpp"
#include "hass/hls/host/hls_stream.hpp"
#endif

#define HASS_HLS_STRINGIFY(x) #x

#if HASS_HLS_VENDOR

#define HASS_PRAGMA(x) _Pragma(HASS_HLS_STRINGIFY(x))
#define HASS_HLS_MODULE(var, name, ...)
#define HASS_HLS_MODULE_EXTRA(var, name, value)
#define HASS_HLS_COUNTER(var, module_var, process)
#define HASS_HLS_TICK(var)
#define HASS_HLS_SCOPE(name)

#else

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define HASS_PRAGMA(x)

namespace hass::hls {

/// One module instance executed by the kernels.
struct module_record {
    std::string scope;  ///< the HASS_HLS_SCOPE path at the call, e.g. "conv1"
    std::string module; ///< module struct name (hass::modules::X::name)
    /// Template parameters that are members of the module struct, in member order.
    std::vector<std::pair<std::string, long long>> params;
    /// Template parameters the module struct does not carry (documented per kernel).
    std::vector<std::pair<std::string, long long>> extra;
    /// Pipelined processes of the instance and their iteration counts.
    std::vector<std::pair<std::string, long long>> processes;

    /// Cycles of the instance: its processes run concurrently.
    long long cycles() const noexcept {
        long long c = 0;
        for (const auto& p : processes) c = std::max(c, p.second);
        return c;
    }
    long long param(std::string_view name) const noexcept {
        for (const auto& p : params)
            if (p.first == name) return p.second;
        for (const auto& p : extra)
            if (p.first == name) return p.second;
        return -1;
    }
};

/// Collects the module records of the kernels run while it is alive (nests).
class cycle_log {
public:
    cycle_log() : previous_(active_ref()) { active_ref() = this; }
    cycle_log(const cycle_log&) = delete;
    cycle_log& operator=(const cycle_log&) = delete;
    ~cycle_log() { active_ref() = previous_; }

    static cycle_log* active() noexcept { return active_ref(); }

    std::deque<module_record> records;

    /// max over the module instances whose scope starts with `scope` of their cycles.
    long long slowest(std::string_view scope = {}) const noexcept {
        long long c = 0;
        for (const auto& r : records)
            if (r.scope.compare(0, scope.size(), scope) == 0) c = std::max(c, r.cycles());
        return c;
    }
    /// The record of the slowest instance under `scope` (nullptr when none).
    const module_record* slowest_record(std::string_view scope = {}) const noexcept {
        const module_record* best = nullptr;
        for (const auto& r : records)
            if (r.scope.compare(0, scope.size(), scope) == 0 && (!best || r.cycles() > best->cycles())) best = &r;
        return best;
    }
    void clear() { records.clear(); }

private:
    static cycle_log*& active_ref() noexcept {
        static thread_local cycle_log* a = nullptr;
        return a;
    }
    cycle_log* previous_;
};

namespace detail {
inline std::vector<std::string>& scope_stack() {
    static thread_local std::vector<std::string> s;
    return s;
}
inline std::string scope_path() {
    std::string p;
    for (const auto& s : scope_stack()) {
        if (!p.empty()) p += '/';
        p += s;
    }
    return p;
}
} // namespace detail

/// Names the module instances created while it is alive (nests with '/').
class scope_guard {
public:
    explicit scope_guard(std::string name) { detail::scope_stack().push_back(std::move(name)); }
    scope_guard(const scope_guard&) = delete;
    scope_guard& operator=(const scope_guard&) = delete;
    ~scope_guard() { detail::scope_stack().pop_back(); }
};

/// Registers one module instance in the active log (no-op without a log).
class module_scope {
public:
    module_scope(const char* module, std::initializer_list<std::pair<const char*, long long>> params) {
        if (cycle_log* log = cycle_log::active()) {
            log->records.emplace_back();
            record_ = &log->records.back();
            record_->scope = detail::scope_path();
            record_->module = module;
            for (const auto& p : params) record_->params.emplace_back(p.first, p.second);
        }
    }
    module_scope(const module_scope&) = delete;
    module_scope& operator=(const module_scope&) = delete;
    void extra(const char* name, long long value) {
        if (record_) record_->extra.emplace_back(name, value);
    }
    module_record* record() const noexcept { return record_; }

private:
    module_record* record_ = nullptr;
};

/// Iteration counter of one pipelined (II=1) process of a module instance.
class cycle_counter {
public:
    cycle_counter(const module_scope& m, const char* process) : record_(m.record()), process_(process) {}
    cycle_counter(const cycle_counter&) = delete;
    cycle_counter& operator=(const cycle_counter&) = delete;
    ~cycle_counter() {
        if (record_) record_->processes.emplace_back(process_, count_);
    }
    void tick() noexcept { ++count_; }
    long long count() const noexcept { return count_; }

private:
    module_record* record_;
    const char* process_;
    long long count_ = 0;
};

} // namespace hass::hls

#define HASS_HLS_CAT2(a, b) a##b
#define HASS_HLS_CAT(a, b) HASS_HLS_CAT2(a, b)
#define HASS_HLS_MODULE(var, name, ...) ::hass::hls::module_scope var(name, {__VA_ARGS__})
#define HASS_HLS_MODULE_EXTRA(var, name, value) var.extra(name, static_cast<long long>(value))
#define HASS_HLS_COUNTER(var, module_var, process) ::hass::hls::cycle_counter var(module_var, process)
#define HASS_HLS_TICK(var) var.tick()
#define HASS_HLS_SCOPE(name) ::hass::hls::scope_guard HASS_HLS_CAT(hass_hls_scope_, __LINE__)(name)

#endif
