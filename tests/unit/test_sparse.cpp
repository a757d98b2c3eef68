// Sparse convolution (MODEL.md "Sparse convolution"): statistics, cycles per
// window, stream interleaving, layer latency, the dense fallback, pointwise
// layers with clusters, and sparse weight memory.
// Every expected value is computed by hand from the formula in the comment.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
using hass::folding;
using hass::interleaving;
using hass::layer;
using hass::resources;

namespace {

/// Histograms where every window of channel c holds exactly zs[c] zeros.
std::vector<double> one_hot(count_t kernel, const std::vector<count_t>& zs) {
    std::vector<double> h;
    for (count_t z : zs)
        for (count_t b = 0; b <= kernel; ++b) h.push_back(b == z ? 1.0 : 0.0);
    return h;
}

/// Pointwise histograms: row c is [1 - s[c], s[c]].
std::vector<double> pointwise_hist(const std::vector<double>& s) {
    std::vector<double> h;
    for (double v : s) {
        h.push_back(1.0 - v);
        h.push_back(v);
    }
    return h;
}

layer make_conv(std::string_view name, hass::tensor_shape in, hass::tensor_shape out, count_t k, count_t pad) {
    layer l;
    l.name = name;
    l.type = hass::layer_type::convolution;
    l.in = in;
    l.out = out;
    l.inputs = {hass::network_input};
    l.kernel_rows = l.kernel_cols = k;
    l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = pad;
    return l;
}

folding fold(count_t ci, count_t co, count_t cg, count_t fine) {
    folding f;
    f.coarse_in = ci;
    f.coarse_out = co;
    f.coarse_group = cg;
    f.fine = fine;
    return f;
}

std::vector<std::string> module_names(const layer& l, const folding& f) {
    std::vector<std::string> out;
    hass::for_each_module(l, f, [&](const auto& m, count_t) { out.emplace_back(std::decay_t<decltype(m)>::name); });
    return out;
}

std::vector<count_t> module_replicas(const layer& l, const folding& f) {
    std::vector<count_t> out;
    hass::for_each_module(l, f, [&](const auto&, count_t n) { out.push_back(n); });
    return out;
}

using names = std::vector<std::string>;

/// 4x4x4 -> 4x4x4, 3x3 pad 1; channel c has windows of exactly z = 0, 6, 3, 9 zeros.
layer sparse3x3(interleaving order = interleaving::opt, bool skip = true) {
    layer l = make_conv("sconv", {4, 4, 4}, {4, 4, 4}, 3, 1);
    l.sparsity = hass::make_sparsity_stats(4, 9, one_hot(9, {0, 6, 3, 9}), "sconv");
    l.sparsity.order = order;
    l.sparsity.skip_all_zero = skip;
    return l;
}

} // namespace

TEST_CASE("make_sparsity_stats checks the histograms", "[sparse]") {
    SECTION("a row that does not sum to 1") {
        CHECK_THROWS_AS(hass::make_sparsity_stats(2, 1, {0.5, 0.5, 0.5, 0.4}, "conv7"), hass::error);
        CHECK_THROWS_WITH(hass::make_sparsity_stats(2, 1, {0.5, 0.5, 0.5, 0.4}, "conv7"),
                          Contains("conv7") && Contains("row 1") && Contains("sums to 0.9"));
    }
    SECTION("a negative entry") {
        CHECK_THROWS_WITH(hass::make_sparsity_stats(1, 1, {-0.1, 1.1}, "conv3"),
                          Contains("conv3") && Contains("row 0 bin 0") && Contains("not a probability"));
    }
    SECTION("the wrong number of entries") {
        // 2 channels x (K+1 = 3) = 6 entries expected, 5 given
        CHECK_THROWS_WITH(hass::make_sparsity_stats(2, 2, {1, 0, 0, 1, 0}, "c"),
                          Contains("5 entries") && Contains("2 x 3 = 6"));
    }
    SECTION("empty statistics") {
        CHECK_THROWS_AS(hass::make_sparsity_stats(0, 9, {}, "c"), hass::error);
        CHECK_THROWS_AS(hass::make_sparsity_stats(1, 0, {1.0}, "c"), hass::error);
    }
    SECTION("the mean zero fraction") {
        // rows {0.5, 0.5, 0} -> 0.5 zeros and {0, 0, 1} -> 2 zeros: (0.5 + 2)/(2 channels * K = 2) = 0.625
        const auto s = hass::make_sparsity_stats(2, 2, {0.5, 0.5, 0, 0, 0, 1});
        CHECK(s.active());
        CHECK(s.mean_zeros == Approx(0.625));
        CHECK(s.worth_sparse());
        CHECK(s.at(1, 2) == 1.0);
        CHECK(s.order == interleaving::opt); // default
        CHECK(s.skip_all_zero);              // default
        CHECK_FALSE(hass::sparsity_stats{}.active());
    }
}

TEST_CASE("window_cycles is ceil((K - z)/f), all-zero windows 0 or 1", "[sparse]") {
    CHECK(hass::window_cycles(0, 9, 1, true) == 9); // 9/1
    CHECK(hass::window_cycles(0, 9, 2, true) == 5); // ceil(9/2)
    CHECK(hass::window_cycles(3, 9, 2, true) == 3); // ceil(6/2)
    CHECK(hass::window_cycles(4, 9, 2, true) == 3); // ceil(5/2)
    CHECK(hass::window_cycles(8, 9, 4, true) == 1); // ceil(1/4)
    CHECK(hass::window_cycles(0, 9, 9, true) == 1); // 9/9
    CHECK(hass::window_cycles(9, 9, 3, true) == 0); // all zero, skipped
    CHECK(hass::window_cycles(9, 9, 3, false) == 1); // all zero, not skipped
}

TEST_CASE("mean_window_cycles", "[sparse]") {
    // K = 4, f = 2, h = {0.1, 0.2, 0.3, 0.2, 0.2} for z = 0..4
    // cycles: z0 ceil(4/2) = 2, z1 ceil(3/2) = 2, z2 1, z3 1, z4 0
    // m = 0.1*2 + 0.2*2 + 0.3*1 + 0.2*1 + 0.2*0 = 1.1
    auto s = hass::make_sparsity_stats(1, 4, {0.1, 0.2, 0.3, 0.2, 0.2});
    CHECK(hass::mean_window_cycles(s, 0, 2) == Approx(1.1));
    // f = 1: 0.1*4 + 0.2*3 + 0.3*2 + 0.2*1 = 1.8
    CHECK(hass::mean_window_cycles(s, 0, 1) == Approx(1.8));
    // all-zero windows cost 1 when not skipped: 1.1 + 0.2 = 1.3
    s.skip_all_zero = false;
    CHECK(hass::mean_window_cycles(s, 0, 2) == Approx(1.3));
    // mean zeros: (0.2 + 0.6 + 0.6 + 0.8)/4 = 2.2/4 = 0.55
    CHECK(s.mean_zeros == Approx(0.55));
}

TEST_CASE("opt and naive interleaving, C = 4 channels on S = 2 streams", "[sparse]") {
    // K = 4; channel c holds z = 0, 3, 1, 2 zeros; f = 1: m = 4 - z = [4, 1, 3, 2]
    auto s = hass::make_sparsity_stats(4, 4, one_hot(4, {0, 3, 1, 2}));
    // mean zeros (0+3+1+2)/(4*4) = 0.375
    CHECK(s.mean_zeros == Approx(0.375));
    // opt: sorted [1, 2, 3, 4]; rows [1, 2] and reversed [4, 3]:
    // E[0] = (1 + 4)/2 = 2.5, E[1] = (2 + 3)/2 = 2.5 -> 2.5
    CHECK(hass::slowest_stream_cycles(s, 1, 2) == Approx(2.5));
    // f = 2: m = [ceil(4/2), ceil(1/2), ceil(3/2), ceil(2/2)] = [2, 1, 2, 1];
    // opt sorted [1, 1, 2, 2]: E = (1 + 2)/2 = 1.5 on both streams
    CHECK(hass::slowest_stream_cycles(s, 2, 2) == Approx(1.5));
    // one channel per stream: the slowest channel, 4
    CHECK(hass::slowest_stream_cycles(s, 1, 4) == Approx(4.0));
    // one stream: the mean (4 + 1 + 3 + 2)/4 = 2.5
    CHECK(hass::slowest_stream_cycles(s, 1, 1) == Approx(2.5));

    s.order = interleaving::naive;
    // naive: stream 0 takes channels 0, 2: (4 + 3)/2 = 3.5; stream 1 channels 1, 3: (1 + 2)/2 = 1.5
    CHECK(hass::slowest_stream_cycles(s, 1, 2) == Approx(3.5));
    // f = 2: stream 0 (2 + 2)/2 = 2, stream 1 (1 + 1)/2 = 1
    CHECK(hass::slowest_stream_cycles(s, 2, 2) == Approx(2.0));
}

TEST_CASE("opt snake interleaving, C = 6 channels on S = 3 streams", "[sparse]") {
    // K = 5, z = [2, 5, 0, 4, 1, 3], f = 1: m = 5 - z = [3, 0, 5, 1, 4, 2]
    auto s = hass::make_sparsity_stats(6, 5, one_hot(5, {2, 5, 0, 4, 1, 3}));
    // opt: sorted [0, 1, 2, 3, 4, 5]; row 0 -> streams 0, 1, 2 take 0, 1, 2;
    // row 1 reversed -> streams 2, 1, 0 take 3, 4, 5: every stream sums 5 -> E = 2.5
    CHECK(hass::slowest_stream_cycles(s, 1, 3) == Approx(2.5));
    // naive: stream 0 = c0, c3 = (3 + 1)/2 = 2; stream 1 = c1, c4 = (0 + 4)/2 = 2;
    // stream 2 = c2, c5 = (5 + 2)/2 = 3.5
    s.order = interleaving::naive;
    CHECK(hass::slowest_stream_cycles(s, 1, 3) == Approx(3.5));
}

TEST_CASE("sparse 3x3 convolution latency", "[sparse][conv]") {
    // 4x4x4 -> 4x4x4, 3x3 pad 1: Hp = Wp = 6, Ho = Wo = 4; channel zeros z = [0, 6, 3, 9]
    // mean zero fraction (0 + 6 + 3 + 9)/(4*9) = 0.5 -> sparse
    // ci = 2, co = 2: S = 2; Wk = Ho*Wo*(C/S)*F/(co*G) = 16*2*4/2 = 64
    // data terms: Hp*Wp*C/S = 36*4/2 = 72; Ho*Wo*F/(co*cg) = 16*4/2 = 32
    REQUIRE(sparse3x3().sparsity.mean_zeros == Approx(0.5));
    REQUIRE(sparse3x3().sparsity.worth_sparse());
    SECTION("opt, f = 3") {
        // m = [ceil(9/3), ceil(3/3), ceil(6/3), 0 (skipped)] = [3, 1, 2, 0]
        // opt: sorted [0, 1, 2, 3]: E[0] = (0 + 3)/2 = 1.5, E[1] = (1 + 2)/2 = 1.5
        // L = ceil(max(64*1.5 = 96, 72, 32)) = 96
        const auto p = hass::evaluate_layer(sparse3x3(), fold(2, 2, 1, 3));
        CHECK(p.sparse);
        CHECK(p.sparse_cycles == Approx(1.5));
        CHECK(p.latency == 96);
    }
    SECTION("naive, f = 3") {
        // stream 0 = channels 0, 2: (3 + 2)/2 = 2.5; stream 1 = channels 1, 3: (1 + 0)/2 = 0.5
        // L = ceil(max(64*2.5 = 160, 72, 32)) = 160
        const auto p = hass::evaluate_layer(sparse3x3(interleaving::naive), fold(2, 2, 1, 3));
        CHECK(p.sparse_cycles == Approx(2.5));
        CHECK(p.latency == 160);
    }
    SECTION("opt, f = 1") {
        // m = 9 - z = [9, 3, 6, 0]; sorted [0, 3, 6, 9]: E = (0 + 9)/2 = (3 + 6)/2 = 4.5
        // L = 64*4.5 = 288
        CHECK(hass::evaluate_layer(sparse3x3(), fold(2, 2, 1, 1)).latency == 288);
    }
    SECTION("f = 2 does not divide K = 9 but is allowed for a sparse layer") {
        CHECK(hass::is_valid_folding(sparse3x3(), fold(2, 2, 1, 2)));
        CHECK(hass::is_valid_folding(sparse3x3(), fold(1, 1, 1, 7)));
        CHECK_FALSE(hass::is_valid_folding(sparse3x3(), fold(1, 1, 1, 10)));
        CHECK_THAT(hass::folding_problem(sparse3x3(), fold(1, 1, 1, 10)),
                   Contains("layer 'sconv'") && Contains("fine 10 is outside 1..K = 1..9"));
        // m = [ceil(9/2), ceil(3/2), ceil(6/2), 0] = [5, 2, 3, 0]; sorted [0, 2, 3, 5]:
        // E = (0 + 5)/2 = (2 + 3)/2 = 2.5 -> L = 64*2.5 = 160
        CHECK(hass::evaluate_layer(sparse3x3(), fold(2, 2, 1, 2)).latency == 160);
    }
    SECTION("f = K: the input term dominates") {
        // m = [1, 1, 1, 0]; sorted [0, 1, 1, 1]: E[0] = (0 + 1)/2 = 0.5, E[1] = (1 + 1)/2 = 1
        // L = ceil(max(64*1 = 64, 72, 32)) = 72
        const auto p = hass::evaluate_layer(sparse3x3(), fold(2, 2, 1, 9));
        CHECK(p.sparse_cycles == Approx(1.0));
        CHECK(p.latency == 72);
        // all-zero windows not skipped: m = [1, 1, 1, 1], E = 1: still 72
        CHECK(hass::evaluate_layer(sparse3x3(interleaving::opt, false), fold(2, 2, 1, 9)).latency == 72);
    }
    SECTION("all factors 1") {
        // S = 1: E = mean m = (9 + 3 + 6 + 0)/4 = 4.5; Wk = 16*4*4 = 256
        // L = ceil(max(256*4.5 = 1152, 36*4 = 144, 16*4 = 64)) = 1152
        CHECK(hass::evaluate_layer(sparse3x3(), fold(1, 1, 1, 1)).latency == 1152);
    }
}

TEST_CASE("sparse 3x3 convolution with less than one cycle per window", "[sparse][conv]") {
    // 4x4x8 -> 4x4x16, 3x3 pad 1; channels 0..5 all-zero windows (z = 9), channels 6, 7 z = 7
    // mean zeros (6*9 + 2*7)/(8*9) = 68/72 -> sparse
    layer l = make_conv("s", {4, 4, 8}, {4, 4, 16}, 3, 1);
    l.sparsity = hass::make_sparsity_stats(8, 9, one_hot(9, {9, 9, 9, 9, 9, 9, 7, 7}));
    // f = 1, ci = 2, co = 1: S = 2; m = [0 x6, 2, 2]
    // opt: sorted [0, 0, 0, 0, 0, 0, 2, 2]; rows of 2, every other reversed:
    // stream 0 takes positions 0, 3, 4, 7 -> 0 + 0 + 0 + 2; stream 1 takes 1, 2, 5, 6 -> 0 + 0 + 0 + 2
    // E = 2/4 = 0.5 on both
    // Wk = 16*(8/2)*16/1 = 1024; L = ceil(max(1024*0.5 = 512, 6*6*8/2 = 144, 16*16/1 = 256)) = 512
    const auto p = hass::evaluate_layer(l, fold(2, 1, 1, 1));
    CHECK(p.sparse_cycles == Approx(0.5));
    CHECK(p.latency == 512);
}

TEST_CASE("sparse convolution latency rounds up", "[sparse][conv]") {
    // 3x3x2 -> 3x3x1, 3x3 pad 1: Hp = 5, Ho = 3; S = 1, f = 2
    // channel 0: all windows z = 0 -> ceil(9/2) = 5
    // channel 1: half z = 4 -> ceil(5/2) = 3, half z = 5 -> ceil(4/2) = 2: m = 2.5
    // mean zeros (0 + 0.5*4 + 0.5*5)/(2*9) = 4.5/18 = 0.25
    layer l = make_conv("r", {3, 3, 2}, {3, 3, 1}, 3, 1);
    std::vector<double> h(20, 0.0);
    h[0] = 1.0;                 // channel 0, z = 0
    h[10 + 4] = h[10 + 5] = 0.5; // channel 1, z = 4 and 5
    l.sparsity = hass::make_sparsity_stats(2, 9, h);
    CHECK(l.sparsity.mean_zeros == Approx(0.25));
    // E = (5 + 2.5)/2 = 3.75; Wk = 3*3*2*1 = 18; 18*3.75 = 67.5
    // L = ceil(max(67.5, 5*5*2 = 50, 3*3*1 = 9)) = 68
    const auto p = hass::evaluate_layer(l, fold(1, 1, 1, 2));
    CHECK(p.sparse_cycles == Approx(3.75));
    CHECK(p.latency == 68);
}

TEST_CASE("sparse convolution hardware", "[sparse][conv]") {
    const folding f = fold(2, 2, 1, 3);
    // SparseVectorDot replaces VectorDot and the squeeze; each module is replicated per stream:
    // sliding window x S = 2, fork x S = 2, sparse dot x S*co = 4, accumulator x 4, glue x co*cg = 2
    CHECK(module_names(sparse3x3(), f) ==
          names{"pad", "sliding_window", "fork", "sparse_vector_dot", "accumulator", "glue"});
    CHECK(module_replicas(sparse3x3(), f) == std::vector<count_t>{1, 2, 2, 4, 4, 2});
    const auto p = hass::evaluate_layer(sparse3x3(), f);
    // DSP f*ci*co*cg = 3*2*2*1 = 12
    CHECK(p.used.dsp == 12);
    // weights: f*ci*co*cg = 12 arrays of depth 4*4*9/12 = 12, width 16:
    // 192 bits each < 1024 -> no BRAM (and no LUTRAM in fpgaConvNet's memory model)
    CHECK(p.weights == resources{});
    CHECK(hass::weight_memory(sparse3x3(), f) == resources{});
    CHECK(p.weight_plan.arrays == 12);
    CHECK(p.weight_plan.depth == 12);
    CHECK(p.weight_plan.width == 16);
    // 8-bit operands pack two multipliers per DSP with one ceiling over the whole layer:
    // ci = 2, co = 1, f = 3: 2 dots of 3 multipliers = 6 * 1/2 = 3 (not 2 * ceil(3/2) = 4)
    layer s8 = sparse3x3();
    s8.width = {8, 8, 32};
    CHECK(hass::evaluate_layer(s8, fold(2, 1, 1, 3)).used.dsp == 3);
    // the fork of a sparse layer carries whole windows (P = K = 9 values, not f = 3) to
    // co = 2 sparse dots, one fork per input stream (S = 2), 1 lane of d = 16 bits:
    // Logic_LUT [S P, Sd P, S P c, Sd P c, 1] = [9, 144, 18, 288, 1]
    //   = 144*0.4999999999999997 + 288*1.85e-18 + 5.000000000000004 = 76.99999999999996 -> 76
    // FF [S P, Sd P c, 1] = [9, 288, 1] = 9*11.999999999999998 + 3.0000000000000058 = 110.99999999999999 -> 110
    // (with P = f = 3 it would be LUT 28, FF 39)
    hass::count_t fork_lut = -1, fork_ff = -1, fork_copies = -1;
    hass::cost::hass::layer_cost(sparse3x3(), f,
                                 [&](std::string_view name, const hass::cost::module_figure& m, count_t n, bool) {
                                     if (name != "fork") return;
                                     fork_lut = m.lut;
                                     fork_ff = m.ff;
                                     fork_copies = n;
                                 });
    CHECK(fork_lut == 76);
    CHECK(fork_ff == 110);
    CHECK(fork_copies == 2);
}

TEST_CASE("sparse weight memory: f*ci*co*cg arrays of width ww", "[sparse][memory]") {
    // 4x4x16 -> 4x4x16, 3x3 pad 1, every window has 3 zeros (mean 3/9 = 0.33 -> sparse)
    layer l = make_conv("w", {4, 4, 16}, {4, 4, 16}, 3, 1);
    l.sparsity = hass::make_sparsity_stats(16, 9, one_hot(9, std::vector<count_t>(16, 3)));
    // f = 5 (not a divisor of 9): depth ceil(16*16*9/5) = ceil(2304/5) = ceil(460.8) = 461,
    // 461 x 16 = 7376 bits: 18x1024 -> 1*1 = 1 BRAM18 per array, 5 arrays -> 5
    CHECK(hass::weight_memory(l, fold(1, 1, 1, 5)) == resources{0, 0, 0, 5, 0});
    // the same layer dense (no statistics) with f = 3: depth 2304/3 = 768, width 48:
    // ceil(48/36) = 2 * ceil(768/512) = 2 -> 4
    layer d = make_conv("w", {4, 4, 16}, {4, 4, 16}, 3, 1);
    CHECK(hass::weight_memory(d, fold(1, 1, 1, 3)) == resources{0, 0, 0, 4, 0});
    // sparse, f = 3: 3 arrays of 768 x 16 (12288 bits): 1 * 1 each -> 3
    CHECK(hass::weight_memory(l, fold(1, 1, 1, 3)) == resources{0, 0, 0, 3, 0});
    // in URAM: 768 x 16 -> 18x16384: 1 URAM per array -> 3
    folding u = fold(1, 1, 1, 3);
    u.weights = hass::weight_storage::uram;
    CHECK(hass::weight_memory(l, u) == resources{0, 0, 0, 0, 3});
}

TEST_CASE("dense fallback below a mean zero fraction of 0.1", "[sparse][conv]") {
    // 4x4x2 -> 4x4x2, 3x3 pad 1; channel 0 never zero, channel 1 half z = 0, half z = 1
    // mean zeros = 0.5/(2*9) = 0.0278 < 0.1 -> dense
    layer l = make_conv("d", {4, 4, 2}, {4, 4, 2}, 3, 1);
    std::vector<double> h(20, 0.0);
    h[0] = 1.0;
    h[10] = h[11] = 0.5;
    l.sparsity = hass::make_sparsity_stats(2, 9, h);
    CHECK(l.sparsity.mean_zeros == Approx(0.5 / 18));
    CHECK_FALSE(l.sparsity.worth_sparse());
    const auto p = hass::evaluate_layer(l, fold(1, 1, 1, 3));
    CHECK_FALSE(p.sparse);
    // dense: max(6*6*2 = 72, 16*(2*9)/3 * 2 = 192, 16*2 = 32) = 192
    CHECK(p.latency == 192);
    CHECK(module_names(l, fold(1, 1, 1, 3)) ==
          names{"pad", "sliding_window", "squeeze", "vector_dot", "accumulator"});
    // a dense layer's fine must divide K
    CHECK_THAT(hass::folding_problem(l, fold(1, 1, 1, 2)), Contains("fine 2 does not divide the kernel size K = 9"));
    // dense weight memory: one array 2*2*9/3 = 12 deep, 48 wide (576 bits < 1024) -> no BRAM
    CHECK(hass::weight_memory(l, fold(1, 1, 1, 3)) == resources{});
    CHECK(hass::evaluate_layer(l, fold(1, 1, 1, 3)).weight_plan.arrays == 1);
    CHECK(hass::evaluate_layer(l, fold(1, 1, 1, 3)).weight_plan.width == 48);
    // exactly 0.1 is not below 0.1: a 1x1 layer of 10 channels, channel 0 always zero, the others
    // never: mean zeros = 1*1 / (10*1) = 0.1 -> built sparse
    layer edge = make_conv("e", {4, 4, 10}, {4, 4, 10}, 1, 0);
    std::vector<double> s(10, 0.0);
    s[0] = 1.0;
    edge.sparsity = hass::make_sparsity_stats(10, 1, pointwise_hist(s));
    CHECK(edge.sparsity.mean_zeros == 0.1);
    CHECK(edge.sparsity.worth_sparse());
    CHECK(hass::evaluate_layer(edge, fold(1, 1, 1, 1)).sparse);
}

TEST_CASE("pointwise sparse convolution with clusters", "[sparse][conv]") {
    // hass's model takes the cluster model where the statistics name it
    // (sparse_model::pointwise) at stride 1; by default a 1x1 kernel takes the window
    // model (the next test case)
    SECTION("one cluster") {
        // 4x4x8 -> 4x4x8, 1x1; s = [0.5 x4, 0.25 x4]; ci = 4, co = 2: S = 4
        layer l = make_conv("pw", {4, 4, 8}, {4, 4, 8}, 1, 0);
        l.sparsity = hass::make_sparsity_stats(8, 1, pointwise_hist({0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25}));
        l.sparsity.model = hass::sparse_model::pointwise;
        REQUIRE(hass::pointwise_sparse_model(l));
        CHECK(l.sparsity.mean_zeros == Approx(0.375)); // (4*0.5 + 4*0.25)/8
        // one cluster: s_0 = 0.375, cap 1 - 1/4 = 0.75 -> density 0.625
        CHECK(hass::slowest_cluster_density(l.sparsity, 4) == Approx(0.625));
        // Wk = 16*(8/4)*8/2 = 128; L = ceil(max(128*0.625 = 80, 16*8/4 = 32, 16*8/2 = 64)) = 80
        const auto p = hass::evaluate_layer(l, fold(4, 2, 1, 1));
        CHECK(p.sparse);
        CHECK(p.latency == 80);
        CHECK(module_names(l, fold(4, 2, 1, 1)) ==
              names{"fork", "sparse_vector_dot", "accumulator", "glue"});
    }
    SECTION("two clusters") {
        layer l = make_conv("pw", {4, 4, 8}, {4, 4, 8}, 1, 0);
        l.sparsity = hass::make_sparsity_stats(8, 1, pointwise_hist({0.75, 0.75, 0.25, 0.25, 0.75, 0.75, 0.25, 0.25}));
        l.sparsity.model = hass::sparse_model::pointwise;
        // clusters = 1: mean 0.5 (cap 0.75) -> density 0.5: L = max(64, 32, 64) = 64
        CHECK(hass::evaluate_layer(l, fold(4, 2, 1, 1)).latency == 64);
        // clusters = 2 of S/2 = 2 streams; stream = c mod 4, cluster = stream / 2:
        // cluster 0 = channels 0, 1, 4, 5: s = 0.75; cluster 1 = channels 2, 3, 6, 7: s = 0.25
        // cap 1 - 2/4 = 0.5: s_0 = 0.5, s_1 = 0.25 -> max(1 - s_k) = 0.75
        l.sparsity.clusters = 2;
        CHECK(hass::slowest_cluster_density(l.sparsity, 4) == Approx(0.75));
        // L = ceil(max(128*0.75 = 96, 32, 64)) = 96
        CHECK(hass::evaluate_layer(l, fold(4, 2, 1, 1)).latency == 96);
    }
    SECTION("the cap 1 - clusters/S") {
        // 4x4x32 -> 4x4x32, every channel 90% zeros; ci = 4, co = 2: S = 4
        layer l = make_conv("pw", {4, 4, 32}, {4, 4, 32}, 1, 0);
        l.sparsity = hass::make_sparsity_stats(32, 1, pointwise_hist(std::vector<double>(32, 0.9)));
        l.sparsity.model = hass::sparse_model::pointwise;
        // s_0 = min(0.9, 1 - 1/4 = 0.75) = 0.75 -> density 0.25
        CHECK(hass::slowest_cluster_density(l.sparsity, 4) == Approx(0.25));
        // Wk = 16*(32/4)*32/2 = 2048; L = ceil(max(2048*0.25 = 512, 16*32/4 = 128, 16*32/2 = 256)) = 512
        // (without the cap: 2048*0.1 = 204.8 < 256)
        const auto p = hass::evaluate_layer(l, fold(4, 2, 1, 1));
        CHECK(p.latency == 512);
        // two clusters of S/2 = 2 streams: both capped at 1 - 2/4 = 0.5 -> density 0.5,
        // L = ceil(max(2048*0.5 = 1024, 128, 256)) = 1024 (a cap of 1 - 1/S would give 512)
        layer two = l;
        two.sparsity.clusters = 2;
        CHECK(hass::slowest_cluster_density(two.sparsity, 4) == 0.5);
        CHECK(hass::evaluate_layer(two, fold(4, 2, 1, 1)).latency == 1024);
        // DSP f*ci*co*cg = 1*4*2*1 = 8
        CHECK(p.used.dsp == 8);
        // weights: 8 arrays of 32*32/8 = 128 x 16 (2048 bits): 1 BRAM18 each -> 8
        CHECK(p.weights == resources{0, 0, 0, 8, 0});
        // the same folding dense: one 128 x 128 array: ceil(128/36) = 4 * 1 = 4
        layer d = make_conv("pw", {4, 4, 32}, {4, 4, 32}, 1, 0);
        CHECK(hass::weight_memory(d, fold(4, 2, 1, 1)) == resources{0, 0, 0, 4, 0});
    }
}

TEST_CASE("a strided sparse 1x1 convolution takes the window model; the reference keeps the pointwise one",
          "[sparse][conv][reference]") {
    // docs/model.md, "Pointwise layers": the pointwise (cluster) model applies to a
    // sparse 1x1 layer without a sliding window (stride 1); a 1x1 layer with stride 2
    // has one, and hass prices it by the window model, per lane with per-filter
    // histograms. fpgaConvNet builds ConvolutionPointwiseSparseLayer for every 1x1.
    // 8x8x16 -> 1x1, stride 2 -> 4x4x64, no padding; every channel 75% zero products
    layer l = make_conv("down", {8, 8, 16}, {4, 4, 64}, 1, 0);
    l.stride_rows = l.stride_cols = 2;
    l.sparsity = hass::make_sparsity_stats(16, 1, pointwise_hist(std::vector<double>(16, 0.75)));
    REQUIRE(l.sparsity.pointwise()); // the statistics alone: a 1x1 kernel
    CHECK_FALSE(hass::pointwise_sparse_model(l));
    CHECK(hass::has_sliding_window(l));
    const folding f = fold(2, 2, 1, 1); // S = ci*cg = 2, co = 2
    // Wk = Ho*Wo * (C/S) * F/(co*G) = 16 * 8 * 32 = 4096
    CHECK(hass::sparse_windows(l, f) == 4096);
    // data terms: Hp*Wp*C/S = 64*16/2 = 512; Ho*Wo*F/(co*cg) = 16*64/2 = 512
    CHECK(hass::stream_words(l, f) == 512);

    SECTION("hass: the window model") {
        // m[c] = ceil(1/1)*h[c][0] + 0*h[c][1] (an all-zero window is skipped) = 0.25;
        // every stream's mean E[s] = 0.25. L = ceil(max(4096*0.25 = 1024, 512, 512)) = 1024
        const auto p = hass::evaluate_layer(l, f);
        CHECK(p.sparse);
        CHECK(p.sparse_cycles == 0.25);
        CHECK(p.latency == 1024);
        // (the pointwise model would cap the zero fraction at 1 - 1/S = 0.5: 4096*0.5 = 2048)
        CHECK(module_names(l, f) ==
              names{"sliding_window", "fork", "sparse_vector_dot", "accumulator", "glue"});
    }
    SECTION("hass: per-filter histograms give the slowest coarse_out lane") {
        // filter j of every channel: 100% zeros for even j (lane 0), 50% for odd j (lane 1):
        // m[c][j] = 0 (even), 0.5 (odd); E[s][0] = 0, E[s][1] = 0.5 (the mean is 0.25)
        std::vector<double> fh;
        for (count_t c = 0; c < 16; ++c)
            for (count_t j = 0; j < 64; ++j) {
                fh.push_back(j % 2 == 0 ? 0.0 : 0.5);
                fh.push_back(j % 2 == 0 ? 1.0 : 0.5);
            }
        l.sparsity = hass::make_filter_sparsity_stats(16, 1, 64, fh, "down");
        REQUIRE(l.sparsity.slowest_lane());
        // L = ceil(max(4096*0.5 = 2048, 512, 512)) = 2048
        CHECK(hass::evaluate_layer(l, f).latency == 2048);
        // lanes mean: 4096*0.25 = 1024
        l.sparsity.lanes = hass::sparse_lanes::mean;
        CHECK(hass::evaluate_layer(l, f).latency == 1024);
    }
    SECTION("the reference: ConvolutionPointwiseSparseLayer") {
        CHECK(hass::cost::reference_kind_of(l, f) == hass::cost::reference_kind::convolution_pointwise);
        // one cluster of S = 2 streams: s_0 = min(0.75, 1 - 1/2) = 0.5, density 1 - 0.5 = 0.5;
        // data terms rows_in^2 * C/S = 512, rows_out^2 * F/(co*cg) = 512:
        // L = ceil(max(4096*0.5 = 2048, 512, 512)) = 2048
        const auto r = hass::evaluate_layer<hass::cost::fpgaconvnet>(l, f);
        CHECK(r.latency == 2048);
        CHECK(r.sparse_cycles == 0.5);
    }
    SECTION("stride 1: hass's kernels take the window model too, the reference the pointwise one") {
        // 4x4x16 -> 4x4x64 at stride 1: no sliding window. Wk = 16*8*32 = 4096.
        // hass: m[c] = h[c][0] = 0.25 (an all-zero window is skipped):
        // L = ceil(max(4096*0.25 = 1024, 16*16/2 = 128, 16*64/2 = 512)) = 1024
        layer s = make_conv("pw", {4, 4, 16}, {4, 4, 64}, 1, 0);
        s.sparsity = l.sparsity;
        CHECK_FALSE(hass::has_sliding_window(s));
        CHECK_FALSE(hass::pointwise_sparse_model(s));
        CHECK(hass::evaluate_layer(s, f).latency == 1024);
        CHECK(hass::evaluate_layer(s, f).sparse_cycles == 0.25);
        CHECK(module_names(s, f) == names{"fork", "sparse_vector_dot", "accumulator", "glue"});
        // the reference: density 0.5 (capped at 1 - 1/S as above): L = ceil(max(2048, 128, 512)) = 2048
        CHECK(hass::evaluate_layer<hass::cost::fpgaconvnet>(s, f).latency == 2048);
        // statistics that name the pointwise model get it in hass's model too (stride 1 only)
        s.sparsity.model = hass::sparse_model::pointwise;
        CHECK(hass::pointwise_sparse_model(s));
        CHECK(hass::evaluate_layer(s, f).latency == 2048);
        l.sparsity.model = hass::sparse_model::pointwise;
        CHECK_FALSE(hass::pointwise_sparse_model(l)); // stride 2: a sliding window
    }
}

TEST_CASE("pointwise clusters must divide the streams", "[sparse][validity]") {
    // MODEL.md: `clusters` divides S = ci*cg. 4x4x8 -> 4x4x8, 1x1, 25% zeros everywhere
    layer l = make_conv("pw", {4, 4, 8}, {4, 4, 8}, 1, 0);
    l.sparsity = hass::make_sparsity_stats(8, 1, pointwise_hist(std::vector<double>(8, 0.25)));
    l.sparsity.clusters = 2;
    CHECK(hass::is_valid_folding(l, fold(4, 1, 1, 1)));  // 2 divides S = 4
    CHECK(hass::is_valid_folding(l, fold(2, 1, 1, 1)));  // 2 divides S = 2
    CHECK_FALSE(hass::is_valid_folding(l, fold(1, 1, 1, 1))); // 2 clusters of S = 1 stream
    l.sparsity.clusters = 3;
    CHECK_FALSE(hass::is_valid_folding(l, fold(4, 1, 1, 1))); // 3 does not divide S = 4
}

TEST_CASE("sparsity statistics must match the layer", "[sparse][validity]") {
    layer l = make_conv("m", {4, 4, 4}, {4, 4, 4}, 3, 1);
    l.sparsity = hass::make_sparsity_stats(2, 9, one_hot(9, {3, 3}));
    CHECK_THAT(hass::layer_problem(l), Contains("layer 'm'") && Contains("2 x 10") && Contains("4 x 10"));
    CHECK(hass::layer_problem(sparse3x3()).empty());
}
