// Per-lane sparse latency (docs/model.md, "Per-lane sparse latency"): per-filter
// histograms h[c][j][z], the slowest (input stream, coarse_out lane) pair, the
// stream channel assignment, and the mean mode / fpgaConvNet reference kept.
// Every expected value is computed by hand from the formula in the comment.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/cost/policy.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
using hass::folding;
using hass::interleaving;
using hass::layer;

namespace {

/// Per-filter histograms where the windows of channel c and filter j all hold
/// zs[c][j] zeros.
std::vector<double> one_hot(count_t kernel, const std::vector<std::vector<count_t>>& zs) {
    std::vector<double> h;
    for (const auto& row : zs)
        for (count_t z : row)
            for (count_t b = 0; b <= kernel; ++b) h.push_back(b == z ? 1.0 : 0.0);
    return h;
}

/// K = 4, C = 2, F/G = 4: z[c][j] = {0, 4, 2, 3} and {1, 1, 3, 4}.
/// fine 1: m[c][j] = K - z (0 for z = K, skipped) = {4, 0, 2, 1} and {3, 3, 1, 0}.
hass::sparsity_stats two_channels() {
    return hass::make_filter_sparsity_stats(2, 4, 4, one_hot(4, {{0, 4, 2, 3}, {1, 1, 3, 4}}), "lanes");
}

/// 3x3x2 -> 2x2x4, 2x2 kernel (K = 4), no padding: Ho*Wo = 4, Hp*Wp = 9.
layer small_conv() {
    layer l;
    l.name = "lanes";
    l.type = hass::layer_type::convolution;
    l.in = {3, 3, 2};
    l.out = {2, 2, 4};
    l.inputs = {hass::network_input};
    l.kernel_rows = l.kernel_cols = 2;
    l.sparsity = two_channels();
    l.sparsity.order = interleaving::naive;
    return l;
}

folding fold(count_t ci, count_t co, count_t fine) {
    folding f;
    f.coarse_in = ci;
    f.coarse_out = co;
    f.fine = fine;
    return f;
}

} // namespace

TEST_CASE("per-filter statistics: the channel histograms are the mean over the filters", "[sparse][lanes]") {
    const auto s = two_channels();
    REQUIRE(s.per_filter());
    CHECK(s.slowest_lane()); // the default with per-filter histograms
    // channel 0: one filter each at z = 0, 4, 2, 3: h[0][z] = 0.25 at z = 0, 2, 3, 4
    CHECK(s.at(0, 0) == Approx(0.25));
    CHECK(s.at(0, 1) == Approx(0.0));
    CHECK(s.at(0, 4) == Approx(0.25));
    // channel 1: z = 1, 1, 3, 4: h[1][1] = 0.5
    CHECK(s.at(1, 1) == Approx(0.5));
    // mean zeros: (0 + 4 + 2 + 3 + 1 + 1 + 3 + 4) / (2 * 4 * 4) = 18/32
    CHECK(s.mean_zeros == Approx(18.0 / 32.0));
    // m[c][j] at fine 1 and 2: K - z, and ceil((K - z)/2) = {2, 0, 1, 1}, {2, 2, 1, 0}
    CHECK(hass::mean_filter_window_cycles(s, 0, 0, 1) == Approx(4.0));
    CHECK(hass::mean_filter_window_cycles(s, 0, 1, 1) == Approx(0.0));
    CHECK(hass::mean_filter_window_cycles(s, 1, 2, 1) == Approx(1.0));
    CHECK(hass::mean_filter_window_cycles(s, 0, 3, 2) == Approx(1.0));
    CHECK(hass::mean_filter_window_cycles(s, 1, 1, 2) == Approx(2.0));
    // the mean over filters is the channel's m[c]: (4 + 0 + 2 + 1)/4 = 1.75
    CHECK(hass::mean_window_cycles(s, 0, 1) == Approx(1.75));
    CHECK(hass::mean_window_cycles(s, 1, 1) == Approx(1.75));
}

TEST_CASE("slowest lane: max over streams and coarse_out lanes of the mean over their pairs", "[sparse][lanes]") {
    auto s = two_channels();
    s.order = interleaving::naive;
    // one stream, co = 1: the mean over all pairs, (7 + 7)/8 = 1.75, as the mean model
    CHECK(hass::slowest_lane_cycles(s, 1, 1, 1) == Approx(1.75));
    CHECK(hass::slowest_stream_cycles(s, 1, 1) == Approx(1.75));
    // one stream, co = 2: lane 0 holds filters 0, 2: (4 + 2 + 3 + 1)/4 = 2.5;
    // lane 1 holds filters 1, 3: (0 + 1 + 3 + 0)/4 = 1 -> 2.5
    CHECK(hass::slowest_lane_cycles(s, 1, 1, 2) == Approx(2.5));
    // co = 4: lane 0 = filter 0: (4 + 3)/2 = 3.5; lanes 1..3: 1.5, 1.5, 0.5 -> 3.5
    CHECK(hass::slowest_lane_cycles(s, 1, 1, 4) == Approx(3.5));
    // two streams (naive: stream s = channel s), co = 2:
    // stream 0: lane 0 (4 + 2)/2 = 3, lane 1 (0 + 1)/2 = 0.5; stream 1: (3 + 1)/2 = 2, (3 + 0)/2 = 1.5 -> 3
    CHECK(hass::slowest_lane_cycles(s, 1, 2, 2) == Approx(3.0));
    // fine 2, one stream, co = 2: lane 0 (2 + 1 + 2 + 1)/4 = 1.5, lane 1 (0 + 1 + 2 + 0)/4 = 0.75 -> 1.5
    CHECK(hass::slowest_lane_cycles(s, 2, 1, 2) == Approx(1.5));
    // the mean model at fine 2: ((2 + 0 + 1 + 1) + (2 + 2 + 1 + 0))/8 = 1.125
    CHECK(hass::slowest_stream_cycles(s, 2, 1) == Approx(1.125));
    // lane o holds the filters o, o + co, o + 2 co, ... (interleaved, not blocks of F/co):
    // one channel, filters with z = 0, 4, 0, 4 (K = 4): m = 4, 0, 4, 0 at fine 1. co = 2:
    // lane 0 = filters 0, 2: (4 + 4)/2 = 4; lane 1 = filters 1, 3: 0 -> 4 cycles per window
    // (blocks {0, 1}, {2, 3} would give 2 and 2; the mean over the filters is 2)
    const auto alternating = hass::make_filter_sparsity_stats(1, 4, 4, one_hot(4, {{0, 4, 0, 4}}), "alt");
    CHECK(hass::slowest_lane_cycles(alternating, 1, 1, 2) == 4.0);
    CHECK(hass::slowest_stream_cycles(alternating, 1, 1) == 2.0);
    // without the per-filter histograms the slowest lane is the mean model
    hass::sparsity_stats plain = hass::make_sparsity_stats(2, 4, s.histogram);
    plain.order = interleaving::naive;
    CHECK(hass::slowest_lane_cycles(plain, 1, 1, 2) == Approx(1.75));
}

TEST_CASE("stream channels: naive c mod S, opt the sorted snake", "[sparse][lanes]") {
    // K = 4, one filter per group; z = 0, 3, 1, 2: m = 4 - z = [4, 1, 3, 2] at fine 1
    auto s = hass::make_filter_sparsity_stats(4, 4, 1, one_hot(4, {{0}, {3}, {1}, {2}}));
    // opt: channels by m: [1 (1), 3 (2), 2 (3), 0 (4)]; row 0 to streams 0, 1: c1, c3;
    // row 1 reversed to streams 1, 0: c2, c0 -> stream 0 = {c1, c0}, stream 1 = {c3, c2}
    CHECK(hass::stream_channels(s, 1, 2) == std::vector<count_t>{1, 0, 3, 2});
    // one filter per group: the slowest lane is the slowest stream: stream 0 (1 + 4)/2 = 2.5
    CHECK(hass::slowest_lane_cycles(s, 1, 2, 1) == Approx(2.5));
    CHECK(hass::slowest_stream_cycles(s, 1, 2) == Approx(2.5));
    s.order = interleaving::naive;
    // naive: stream 0 = {c0, c2}, stream 1 = {c1, c3}
    CHECK(hass::stream_channels(s, 1, 2) == std::vector<count_t>{0, 2, 1, 3});
    CHECK(hass::slowest_lane_cycles(s, 1, 2, 1) == Approx(3.5));
    // ties are broken by channel index: all m equal at fine 4 (m = 1, 1, 1, 1)
    s.order = interleaving::opt;
    CHECK(hass::stream_channels(s, 4, 2) == std::vector<count_t>{0, 3, 1, 2});
}

TEST_CASE("layer latency with the slowest lane; mean mode and fpgaConvNet keep the mean", "[sparse][lanes]") {
    const layer l = small_conv();
    REQUIRE(hass::layer_problem(l).empty());
    REQUIRE(l.is_sparse());
    // ci = 1, co = 2, fine 1: Wk = Ho*Wo*(C/S)*F/(co*G) = 4*2*2 = 16; data terms
    // Hp*Wp*C/S = 9*2 = 18 and Ho*Wo*F/co = 4*4/2 = 8
    // slowest lane 2.5: L = max(16*2.5 = 40, 18, 8) = 40
    auto p = hass::evaluate_layer(l, fold(1, 2, 1));
    CHECK(p.sparse_cycles == Approx(2.5));
    CHECK(p.latency == 40);
    // co = 4: Wk = 4*2*1 = 8; 8*3.5 = 28 -> 28 (the mean model: 8*1.75 = 14 -> the input term 18)
    CHECK(hass::evaluate_layer(l, fold(1, 4, 1)).latency == 28);
    // ci = 2 (naive), co = 2: Wk = 4*1*2 = 8; 8*3 = 24; data terms 9*2/2 = 9, 8 -> 24
    CHECK(hass::evaluate_layer(l, fold(2, 2, 1)).latency == 24);
    // fine 2, ci = 1, co = 2: 16*1.5 = 24
    CHECK(hass::evaluate_layer(l, fold(1, 2, 2)).latency == 24);

    // the mean mode (MODEL.md): 16*1.75 = 28
    layer mean = l;
    mean.sparsity.lanes = hass::sparse_lanes::mean;
    CHECK_FALSE(mean.sparsity.slowest_lane());
    CHECK(hass::evaluate_layer(mean, fold(1, 2, 1)).latency == 28);
    CHECK(hass::evaluate_layer(mean, fold(1, 4, 1)).latency == 18);

    // fpgaConvNet's model ignores the per-filter histograms: the same figures
    // as the layer with the channel histograms alone
    layer channels_only = l;
    channels_only.sparsity = hass::make_sparsity_stats(2, 4, l.sparsity.histogram);
    channels_only.sparsity.order = interleaving::naive;
    for (const folding& f : {fold(1, 2, 1), fold(1, 4, 1), fold(2, 2, 3)}) {
        const auto a = hass::evaluate_layer<hass::cost::fpgaconvnet>(l, f);
        const auto b = hass::evaluate_layer<hass::cost::fpgaconvnet>(channels_only, f);
        CHECK(a.latency == b.latency);
        CHECK(a.used == b.used);
    }
}

TEST_CASE("per-filter statistics: errors name the layer, channel and filter", "[sparse][lanes]") {
    CHECK_THROWS_WITH(hass::make_filter_sparsity_stats(2, 4, 4, std::vector<double>(7, 0.0), "conv"),
                      Contains("conv: per-filter histogram has 7 entries, expected channels x filters x (K+1) = "
                               "2 x 4 x 5 = 40"));
    std::vector<double> h = one_hot(4, {{0, 4, 2, 3}, {1, 1, 3, 4}});
    h[(1 * 4 + 2) * 5 + 3] = 0.5; // channel 1, filter 2 sums to 0.5
    CHECK_THROWS_WITH(hass::make_filter_sparsity_stats(2, 4, 4, h, "conv"),
                      Contains("conv: per-filter histogram of channel 1 filter 2 sums to 0.500000, not 1"));
    h[(1 * 4 + 2) * 5 + 3] = -0.5;
    CHECK_THROWS_WITH(hass::make_filter_sparsity_stats(2, 4, 4, h, "conv"),
                      Contains("channel 1 filter 2 bin 3 is not a probability"));
    // statistics for 2 filters per group on a layer with F/G = 4
    layer l = small_conv();
    l.sparsity = hass::make_filter_sparsity_stats(2, 4, 2, one_hot(4, {{0, 4}, {1, 1}}));
    CHECK_THAT(hass::layer_problem(l),
               Contains("layer 'lanes': per-filter sparsity statistics are for 2 filters per group") &&
                   Contains("F/G = 4"));
}
