// Test harness of the HLS kernels: stream feeding and draining, layer runners
// (C simulation under a cycle log), hass model layers built from the same
// parameters, cycle agreement records and the module-parameter drift check.
#pragma once

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <hass/hass.hpp>
#include <hass/hls/kernels/all.hpp>
#include <hass/hls/measure.hpp>

#include "reference.hpp"

namespace hls_test {

// --- streams --------------------------------------------------------------------------

/// A run-time sized, contiguous array of streams.
template <class T = data_t>
struct stream_array {
    explicit stream_array(count_t count) : n(count), s(new ::hls::stream<T>[static_cast<std::size_t>(count)]) {}
    ::hls::stream<T>* get() { return s.get(); }
    ::hls::stream<T>& operator[](count_t i) { return s[static_cast<std::size_t>(i)]; }
    bool all_empty() const {
        for (count_t i = 0; i < n; ++i)
            if (!s[static_cast<std::size_t>(i)].empty()) return false;
        return true;
    }
    count_t n;
    std::unique_ptr<::hls::stream<T>[]> s;
};

/// Writes a map in stream order: channel c on stream c % S.
inline void feed(const tensor& t, stream_array<>& s) {
    for (count_t i = 0; i < t.size(); ++i) s[(i % t.channels) % s.n].write(t.v[static_cast<std::size_t>(i)]);
}

/// Reads a map in stream order; the streams must then be empty.
inline tensor drain(stream_array<>& s, count_t rows, count_t cols, count_t channels) {
    tensor t(rows, cols, channels);
    for (count_t i = 0; i < t.size(); ++i) t.v[static_cast<std::size_t>(i)] = s[(i % channels) % s.n].read();
    REQUIRE(s.all_empty());
    return t;
}

// --- agreement records -------------------------------------------------------------------

struct agreement {
    std::string layer;
    long long kernel = 0, model = 0;
    std::string slowest; // module of the slowest kernel instance
    std::string note;
    double rel() const { return model ? (static_cast<double>(kernel) - static_cast<double>(model)) / static_cast<double>(model) : 0; }
};

/// All cycle comparisons of the run; printed as a table when the program ends.
inline std::vector<agreement>& agreements() {
    struct table {
        std::vector<agreement> rows;
        ~table() {
            if (rows.empty()) return;
            std::printf("\nCycle agreement (kernel: max over module instances of pipelined iterations;\n"
                        "model: hass::evaluate_layer(layer, folding).latency)\n");
            std::printf("%-44s %10s %10s %8s  %-18s %s\n", "layer", "kernel", "model", "diff", "slowest", "note");
            for (const auto& a : rows)
                std::printf("%-44s %10lld %10lld %+7.2f%%  %-18s %s\n", a.layer.c_str(), a.kernel, a.model,
                            100.0 * a.rel(), a.slowest.c_str(), a.note.c_str());
        }
    };
    static table t;
    return t.rows;
}

// --- model layers -------------------------------------------------------------------------

inline hass::layer model_layer(const std::string& name, hass::layer_type type, hass::tensor_shape in,
                               hass::tensor_shape out) {
    hass::layer l;
    l.name = name;
    l.type = type;
    l.in = in;
    l.out = out;
    l.inputs = {hass::network_input};
    return l;
}

template <class CFG>
hass::layer conv_model(const std::string& name) {
    hass::layer l = model_layer(name, hass::layer_type::convolution, {CFG::rows, CFG::cols, CFG::channels},
                                {CFG::rows_out, CFG::cols_out, CFG::filters});
    l.kernel_rows = CFG::kernel_rows;
    l.kernel_cols = CFG::kernel_cols;
    l.stride_rows = CFG::stride_rows;
    l.stride_cols = CFG::stride_cols;
    l.pad_top = CFG::pad_top;
    l.pad_right = CFG::pad_right;
    l.pad_bottom = CFG::pad_bottom;
    l.pad_left = CFG::pad_left;
    l.groups = CFG::groups;
    l.bias = CFG::has_bias;
    return l;
}

template <class CFG>
hass::folding conv_folding() {
    return {CFG::coarse_in, CFG::coarse_out, CFG::coarse_group, CFG::fine, hass::weight_storage::bram};
}

inline hass::folding coarse_folding(count_t coarse) { return {coarse, coarse, 1, 1, hass::weight_storage::bram}; }

/// "module(param=value,...)" of every module instance the model builds.
inline std::vector<std::string> model_modules(const hass::layer& l, const hass::folding& f) {
    std::vector<std::string> out;
    const bool sparse = l.is_sparse();
    hass::for_each_module(l, f, [&](const auto& m, count_t replicas) {
        using M = std::decay_t<decltype(m)>;
        std::ostringstream os;
        os << M::name << "(";
        bool first = true;
        hass::for_each_parameter(m, [&](std::string_view n, auto v) {
            if (sparse && M::name == std::string_view("accumulator") && n == "dots") return;
            long long value = 0;
            if constexpr (std::is_enum_v<decltype(v)>)
                value = static_cast<long long>(v);
            else
                value = static_cast<long long>(v);
            os << (first ? "" : ",") << n << "=" << value;
            first = false;
        });
        os << ")";
        for (count_t i = 0; i < replicas; ++i) out.push_back(os.str());
    });
    std::sort(out.begin(), out.end());
    return out;
}

/// The same for the module instances the kernels ran under `scope`.
inline std::vector<std::string> kernel_modules(const hass::hls::cycle_log& log, const std::string& scope,
                                               bool sparse) {
    std::vector<std::string> out;
    for (const auto& r : log.records) {
        if (r.scope != scope) continue;
        std::ostringstream os;
        os << r.module << "(";
        bool first = true;
        for (const auto& p : r.params) {
            if (sparse && r.module == "accumulator" && p.first == "dots") continue;
            os << (first ? "" : ",") << p.first << "=" << p.second;
            first = false;
        }
        os << ")";
        out.push_back(os.str());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Module instances in one list but not the other ("+x": kernel only, "-x": model only).
inline std::vector<std::string> module_drift(const hass::layer& l, const hass::folding& f,
                                             const hass::hls::cycle_log& log, const std::string& scope) {
    const auto model = model_modules(l, f);
    const auto kernel = kernel_modules(log, scope, l.is_sparse());
    std::vector<std::string> only_kernel, only_model, out;
    std::set_difference(kernel.begin(), kernel.end(), model.begin(), model.end(), std::back_inserter(only_kernel));
    std::set_difference(model.begin(), model.end(), kernel.begin(), kernel.end(), std::back_inserter(only_model));
    for (auto& s : only_kernel) out.push_back("+" + s);
    for (auto& s : only_model) out.push_back("-" + s);
    return out;
}

/// Checks a layer run under `scope`: the folding is valid, the modules and their
/// parameters equal the model's (up to `expected_drift`), and records the cycle
/// agreement; returns the relative difference.
inline double check_layer(const hass::layer& l, const hass::folding& f, const hass::hls::cycle_log& log,
                          const std::string& scope, const std::vector<std::string>& expected_drift = {},
                          const std::string& note = {}) {
    INFO("layer " << scope);
    REQUIRE(hass::layer_problem(l).empty());
    REQUIRE(hass::folding_problem(l, f).empty());
    const auto drift = module_drift(l, f, log, scope);
    {
        std::string listed;
        for (const auto& d : drift) listed += d + "\n";
        INFO("module drift:\n" << listed);
        CHECK(drift == expected_drift);
    }
    const long long model = hass::evaluate_layer(l, f).latency;
    const long long kernel = log.slowest(scope);
    const hass::hls::module_record* slow = log.slowest_record(scope);
    agreement a{scope, kernel, model, slow ? slow->module : "", note};
    agreements().push_back(a);
    return a.rel();
}

// --- layer runners ------------------------------------------------------------------------------

/// Weight and bias tables of a convolution (heap-allocated: they can be large).
template <class CFG>
struct conv_tables {
    weight_t dense[CFG::lanes][CFG::dense_depth][CFG::fine];
    weight_t sparse[CFG::lanes][CFG::sparse_depth][CFG::kernel];
    acc_t bias[CFG::streams_out][CFG::bias_depth];
};

template <class CFG>
std::unique_ptr<conv_tables<CFG>> make_tables(const std::vector<weight_t>& w, const std::vector<acc_t>& b) {
    auto t = std::make_unique<conv_tables<CFG>>();
    if constexpr (CFG::kernel % CFG::fine == 0) CFG::pack_dense(w.data(), t->dense);
    CFG::pack_sparse(w.data(), t->sparse);
    if (CFG::has_bias) CFG::pack_bias(b.data(), t->bias);
    return t;
}

template <class CFG, bool SPARSE = false, bool SKIP_ALL_ZERO = true, bool INNER_PRODUCT = false>
tensor run_conv(const tensor& x, const std::vector<weight_t>& w, const std::vector<acc_t>& b,
                const std::string& scope) {
    REQUIRE(x.rows == CFG::rows);
    REQUIRE(x.cols == CFG::cols);
    REQUIRE(x.channels == CFG::channels);
    auto tables = make_tables<CFG>(w, b);
    stream_array<> in(CFG::streams_in), out(CFG::streams_out);
    feed(x, in);
    const long long leftovers = hass::hls::host::leftover_words();
    {
        HASS_HLS_SCOPE(scope);
        if constexpr (SPARSE)
            hass::hls::sparse_convolution<CFG, data_t, weight_t, acc_t, SKIP_ALL_ZERO>(in.get(), out.get(),
                                                                                       tables->sparse, tables->bias);
        else if constexpr (INNER_PRODUCT)
            hass::hls::inner_product<CFG, data_t, weight_t, acc_t>(in.get(), out.get(), tables->dense, tables->bias);
        else
            hass::hls::convolution<CFG, data_t, weight_t, acc_t>(in.get(), out.get(), tables->dense, tables->bias);
    }
    REQUIRE(hass::hls::host::leftover_words() == leftovers); // internal streams drained
    REQUIRE(in.all_empty());
    return drain(out, CFG::rows_out, CFG::cols_out, CFG::filters);
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, hass::hls::activation_kind KIND, count_t COARSE>
tensor run_activation(const tensor& x, const std::string& scope, data_t threshold = data_t(0)) {
    stream_array<> in(COARSE), out(COARSE);
    feed(x, in);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::activation_layer<ROWS, COLS, CHANNELS, KIND, COARSE, data_t>(in.get(), out.get(), threshold);
    }
    return drain(out, ROWS, COLS, CHANNELS);
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t K, count_t STRIDE, count_t PAD, count_t AVERAGE,
          count_t COARSE>
tensor run_pool(const tensor& x, const std::string& scope) {
    stream_array<> in(COARSE), out(COARSE);
    feed(x, in);
    const long long leftovers = hass::hls::host::leftover_words();
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::pooling<ROWS, COLS, CHANNELS, K, K, STRIDE, STRIDE, PAD, PAD, PAD, PAD, AVERAGE, COARSE, data_t>(
            in.get(), out.get());
    }
    REQUIRE(hass::hls::host::leftover_words() == leftovers);
    constexpr count_t ro = (ROWS + 2 * PAD - K) / STRIDE + 1, co = (COLS + 2 * PAD - K) / STRIDE + 1;
    return drain(out, ro, co, CHANNELS);
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t COARSE_IN, count_t COARSE_OUT>
tensor run_squeeze(const tensor& x, const std::string& scope) {
    stream_array<> in(COARSE_IN), out(COARSE_OUT);
    feed(x, in);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::squeeze_layer<ROWS, COLS, CHANNELS, COARSE_IN, COARSE_OUT, data_t>(in.get(), out.get());
    }
    return drain(out, ROWS, COLS, CHANNELS);
}

/// Re-streams a map when the producer's and the consumer's stream counts differ
/// (the squeeze that hass::evaluate inserts); records it like a layer.
template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t FROM, count_t TO>
tensor restream(const tensor& x, const std::string& scope, hass::hls::cycle_log& log) {
    if constexpr (FROM == TO) {
        return x;
    } else {
        tensor y = run_squeeze<ROWS, COLS, CHANNELS, FROM, TO>(x, scope);
        const hass::modules::squeeze m{ROWS * COLS * CHANNELS, FROM, TO, 1, 16};
        agreements().push_back({scope, log.slowest(scope), hass::ceil_to_count(m.latency()), "squeeze", "link"});
        INFO("squeeze " << scope);
        CHECK(log.slowest(scope) == hass::ceil_to_count(m.latency())); // squeezes agree to the cycle
        return y;
    }
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t FAN_OUT, count_t COARSE>
std::vector<tensor> run_split(const tensor& x, const std::string& scope) {
    stream_array<> in(COARSE), out(FAN_OUT * COARSE);
    feed(x, in);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::split_layer<ROWS, COLS, CHANNELS, FAN_OUT, COARSE, data_t>(in.get(), out.get());
    }
    std::vector<tensor> ys;
    for (count_t p = 0; p < FAN_OUT; ++p) {
        tensor t(ROWS, COLS, CHANNELS);
        for (count_t i = 0; i < t.size(); ++i)
            t.v[static_cast<std::size_t>(i)] = out[p * COARSE + (i % CHANNELS) % COARSE].read();
        ys.push_back(t);
    }
    REQUIRE(out.all_empty());
    return ys;
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t MULTIPLY, count_t BROADCAST, count_t COARSE>
tensor run_eltwise(const tensor& a, const tensor& b, const std::string& scope) {
    stream_array<> ia(COARSE), ib(COARSE), out(COARSE);
    feed(a, ia);
    feed(b, ib);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::eltwise_layer<ROWS, COLS, CHANNELS, MULTIPLY, BROADCAST, COARSE, data_t>(out.get(), ia.get(),
                                                                                           ib.get());
    }
    REQUIRE(ia.all_empty());
    REQUIRE(ib.all_empty());
    return drain(out, ROWS, COLS, CHANNELS);
}

template <count_t ROWS, count_t COLS, count_t C0, count_t C1, count_t COARSE>
tensor run_concat(const tensor& a, const tensor& b, const std::string& scope) {
    stream_array<> ia(COARSE), ib(COARSE), out(COARSE);
    feed(a, ia);
    feed(b, ib);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::concat_layer<ROWS, COLS, COARSE, data_t, C0, C1>(out.get(), ia.get(), ib.get());
    }
    REQUIRE(ia.all_empty());
    REQUIRE(ib.all_empty());
    return drain(out, ROWS, COLS, C0 + C1);
}

template <count_t ROWS, count_t COLS, count_t CHANNELS, count_t AVERAGE, count_t COARSE>
tensor run_global_pool(const tensor& x, const std::string& scope) {
    stream_array<> in(COARSE), out(COARSE);
    feed(x, in);
    {
        HASS_HLS_SCOPE(scope);
        hass::hls::global_pooling<ROWS, COLS, CHANNELS, AVERAGE, COARSE, data_t, acc_t>(in.get(), out.get());
    }
    return drain(out, 1, 1, CHANNELS);
}

// --- bit-exact comparison ---------------------------------------------------------------------------

inline void require_bit_exact(const tensor& got, const tensor& want, const std::string& what) {
    INFO(what << ": " << got.rows << "x" << got.cols << "x" << got.channels << " vs " << want.rows << "x"
              << want.cols << "x" << want.channels);
    const count_t d = first_difference(got, want);
    if (d >= 0 && got.v.size() == want.v.size()) {
        const count_t ch = d % want.channels, px = d / want.channels;
        INFO("first difference at pixel " << px << " channel " << ch << ": kernel " << got.v[static_cast<std::size_t>(d)]
                                          << " reference " << want.v[static_cast<std::size_t>(d)]);
        CHECK(d == -1);
    }
    REQUIRE(d == -1);
}

// --- sparsity statistics from data ------------------------------------------------------------------

/// The statistics of a sparse layer measured on its data: per-filter histograms
/// h[c][j][z] over the output positions (hass/hls/measure.hpp), channel c on
/// stream c % S as the kernels lay it out.
template <class CFG>
hass::sparsity_stats measured_stats(const tensor& x, const std::vector<weight_t>& w, bool skip_all_zero,
                                    const std::string& where) {
    conv_geometry g;
    g.filters = CFG::filters;
    g.kernel_rows = CFG::kernel_rows;
    g.kernel_cols = CFG::kernel_cols;
    g.stride_rows = CFG::stride_rows;
    g.stride_cols = CFG::stride_cols;
    g.pad_top = CFG::pad_top;
    g.pad_right = CFG::pad_right;
    g.pad_bottom = CFG::pad_bottom;
    g.pad_left = CFG::pad_left;
    g.groups = CFG::groups;
    return hass::hls::measure_sparsity(x, w, g, skip_all_zero, false, data_t(0), where);
}

/// Exact work of every sparse lane (s, o): sum over its (window, filter) pairs
/// of ceil(nnz / fine) (an all-zero pair: 0 when skipped, else 1); the max over
/// lanes, and the model's view of the same data (max over s of the mean over o).
template <class CFG>
std::pair<long long, double> lane_work(const tensor& x, const std::vector<weight_t>& w, bool skip_all_zero) {
    constexpr count_t S = CFG::streams_in, CO = CFG::coarse_out, K = CFG::kernel;
    std::vector<long long> work(static_cast<std::size_t>(S * CO), 0);
    for (count_t s = 0; s < S; ++s)
        for (count_t o = 0; o < CO; ++o) {
            const count_t l = o * S + s;
            long long sum = 0;
            for (count_t r = 0; r < CFG::rows_out; ++r)
                for (count_t q = 0; q < CFG::cols_out; ++q)
                    for (count_t k = 0; k < CFG::channels_per_stream; ++k) {
                        const count_t c = s + k * S;
                        for (count_t f = 0; f < CFG::filters_per_lane; ++f) {
                            count_t nnz = 0;
                            for (count_t p = 0; p < K; ++p) {
                                const data_t v = x.padded(r * CFG::stride_rows + p / CFG::kernel_cols,
                                                          q * CFG::stride_cols + p % CFG::kernel_cols, c,
                                                          CFG::pad_top, CFG::pad_left);
                                if (v != 0 && w[static_cast<std::size_t>(CFG::lane_weight(l, k, f, p))] != 0) ++nnz;
                            }
                            sum += nnz == 0 ? (skip_all_zero ? 0 : 1) : (nnz + CFG::fine - 1) / CFG::fine;
                        }
                    }
            work[static_cast<std::size_t>(s * CO + o)] = sum;
        }
    long long worst = 0;
    double worst_mean = 0;
    for (count_t s = 0; s < S; ++s) {
        double mean = 0;
        for (count_t o = 0; o < CO; ++o) {
            worst = std::max(worst, work[static_cast<std::size_t>(s * CO + o)]);
            mean += static_cast<double>(work[static_cast<std::size_t>(s * CO + o)]);
        }
        worst_mean = std::max(worst_mean, mean / static_cast<double>(CO));
    }
    return {worst, worst_mean};
}

} // namespace hls_test
