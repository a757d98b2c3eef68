// Networks: building, splits, validation, and the network performance model of
// MODEL.md "Network performance" (II, squeeze links, throughput, batch latency,
// fitting a board, partitions, the off-chip memory bound).
// Every expected value is computed by hand from the formula in the comment.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/boards/catalog.hpp"
#include "hass/core/error.hpp"
#include "hass/network/builder.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
using hass::folding;
using hass::layer;
using hass::layer_type;
using hass::network;
using hass::resource_kind;

namespace {

// input 8x8x4
//   conv1 3x3 pad 1 -> 8x8x8 (BatchNorm folded: bias module)
//   relu1                                     (read twice: a split follows)
//   conv2 3x3 pad 1 -> 8x8x8
//   add(conv2, relu1)
//   pool 2x2 stride 2 -> 4x4x8
//   fc 128 -> 10 (with bias)
// After build(): 0 conv1, 1 relu1, 2 relu1.split, 3 conv2, 4 add, 5 pool, 6 fc.
network tiny() {
    hass::network_builder b{"tiny", {8, 8, 4}};
    auto x = b.conv(b.input(), "conv1", {.filters = 8, .kernel = 3, .pad = 1});
    auto r = b.relu(x, "relu1");
    auto y = b.conv(r, "conv2", {.filters = 8, .kernel = 3, .pad = 1});
    auto a = b.add(y, r, "add");
    auto p = b.max_pool(a, "pool", 2, 2);
    b.inner_product(p, "fc", 10);
    return std::move(b).build();
}

folding fold(count_t ci, count_t co = 1, count_t cg = 1, count_t fine = 1) {
    folding f;
    f.coarse_in = ci;
    f.coarse_out = co;
    f.coarse_group = cg;
    f.fine = fine;
    return f;
}

/// A made-up board: 200 MHz, LUT and FF plentiful.
hass::board test_board(count_t dsp, count_t bram18, double gbps = 153.6) {
    return hass::board{"tiny", "xc-test", {dsp, 10000000, 10000000, bram18, 0}, 200, gbps};
}

layer relu_layer(const char* name, hass::tensor_shape s, std::vector<int> inputs) {
    layer l;
    l.name = name;
    l.type = layer_type::relu;
    l.in = l.out = s;
    l.inputs = std::move(inputs);
    return l;
}

// Per-layer latencies of tiny() with every factor 1:
//   conv1: max(10*10*4 = 400, 8*8*4*9*8 = 18,432, 8*8*8 = 512)   = 18,432
//   relu1, split, add: 8*8*8 = 512
//   conv2: max(10*10*8 = 800, 8*8*8*9*8 = 36,864, 512)            = 36,864
//   pool:  Hp*Wp*C = 8*8*8 = 512
//   fc:    max(N*F = 128*10 = 1,280, N = 128)                     = 1,280
constexpr count_t conv1_l = 18432, conv2_l = 36864, fc_l = 1280;

// Pipeline depths (sum of module depths) with every factor 1:
//   conv1: pad 1 + window ((3-1)*10 + 2)*4 + 1 = 89 + squeeze 9/1 + 1 = 10 + dot 3 + 0 + 1 = 4
//          + accumulator (4*9 - 1)*8 + 1 = 281 + bias 2                       = 387
//   relu1 1, split 1
//   conv2: 1 + (22*8 + 1 = 177) + 10 + 4 + ((8*9 - 1)*8 + 1 = 569) + 2       = 763
//   add 2; pool: window ((2-1)*8 + 1)*8 + 1 = 73 + pool bits(4) + 1 = 3       = 76
//   fc: dot 4 + accumulator (128 - 1)*10 + 1 = 1271 + bias 2                 = 1277
// Longest path: 387 + 1 + 1 + 763 (= 1152) -> add 1154 -> pool 1230 -> fc 2507
constexpr count_t depth_total = 2507, depth_to_add = 1154, depth_pool_fc = 1353; // 76 + 1277

// BRAM18 with every factor 1 (RESOURCES.md: memories take BRAM from 1024 bits, FIFOs above
// 1024 bits and 32 words):
//   conv1: weights 8*4*9 = 288 x 16 (a memory) -> 1; line buffer FIFO 4*10 = 40 x 32 (1280 bits) -> 1 = 2
//   conv2: weights 576 x 16 -> 1; line buffer FIFO 80 x 32 -> 1                                      = 2
//   pool: line buffer FIFO 8*8 = 64 x 16 = 1024 bits, not above 1024 -> LUTRAM                     = 0
//   add: skip FIFOs balancing split -> conv2 -> add against split -> add (module depths):
//        longest path split 1 + conv2 763 + add 2 = 766, direct path split 1 + add 2 = 3;
//        port 0 (conv2): 766 - 766 + 64 = 64 words x 16 = 1024 bits -> 0;
//        port 1 (split): 766 - 3 + 64 = 827 words x 16 -> 18x1024: 1 * ceil(827/1024) = 1       = 1
//   fc: weights 1280 x 16 -> ceil(1280/1024) = 2                                                    = 2
//   (window buffers, squeeze buffers and bias tables are LUTRAM; accumulators have no BRAM)
// total 7. DSP: one 16x16 multiplier in each of conv1, conv2 and fc = 3.
constexpr count_t bram_total = 7, dsp_total = 3;

/// Evaluation options without the BRAM-to-LUTRAM move (BRAM over budget does not fit).
constexpr hass::evaluation_options strict{.bram_to_lut = false};

} // namespace

TEST_CASE("the builder infers shapes and inserts a split", "[network]") {
    const network net = tiny();
    REQUIRE(net.size() == 7);
    CHECK(net[0].name.view() == "conv1");
    CHECK(net[1].name.view() == "relu1");
    CHECK(net[2].name.view() == "relu1.split");
    CHECK(net[2].type == layer_type::split);
    CHECK(net[2].fan_out == 2);
    CHECK(net[2].inputs == std::vector<int>{1});
    CHECK(net[3].inputs == std::vector<int>{2});    // conv2 reads the split
    CHECK(net[4].inputs == std::vector<int>{3, 2}); // add reads conv2 and the split
    CHECK(net[5].out == hass::tensor_shape{4, 4, 8}); // (8 - 2)/2 + 1 = 4
    CHECK(net[6].out == hass::tensor_shape{1, 1, 10});
    CHECK(net.find("conv2") == 3);
    CHECK(net.find("nope") == -1);
    CHECK(net.outputs() == std::vector<int>{6});
    CHECK(hass::network_problem(net).empty());
    // parameters: conv1 288 + 2*8 (BatchNorm) = 304; conv2 576 + 16 = 592; fc 1280 + 10 = 1290
    CHECK(net.parameter_count() == 2186); // 304 + 592 + 1290
    // MACs: 64*288 + 64*576 + 1280 = 18,432 + 36,864 + 1,280
    CHECK(net.macs() == 56576);
}

TEST_CASE("insert_splits", "[network]") {
    SECTION("the network input read twice") {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {hass::network_input}));
        net.layers.push_back(relu_layer("b", {4, 4, 2}, {hass::network_input}));
        CHECK_THAT(hass::network_problem(net),
                   Contains("the network input is read by 2 layers without a split"));
        const network s = hass::insert_splits(net);
        REQUIRE(s.size() == 3);
        CHECK(s[0].type == layer_type::split);
        CHECK(s[0].name.view() == "input.split");
        CHECK(s[0].inputs == std::vector<int>{hass::network_input});
        CHECK(s[1].inputs == std::vector<int>{0});
        CHECK(s[2].inputs == std::vector<int>{0});
        CHECK(hass::network_problem(s).empty());
    }
    SECTION("a layer read three times") {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {hass::network_input}));
        for (const char* n : {"b", "c", "d"}) net.layers.push_back(relu_layer(n, {4, 4, 2}, {0}));
        CHECK_THAT(hass::network_problem(net), Contains("the output of layer 'a' is read by 3 layers"));
        const network s = hass::insert_splits(net);
        REQUIRE(s.size() == 5);
        CHECK(s[1].name.view() == "a.split");
        CHECK(s[1].fan_out == 3);
        CHECK(s[2].inputs == std::vector<int>{1});
        CHECK(s[4].inputs == std::vector<int>{1});
        CHECK(hass::network_problem(s).empty());
    }
    SECTION("an existing split gets the right fan-out") {
        network net{"n", {4, 4, 2}, {}};
        layer sp = relu_layer("s", {4, 4, 2}, {hass::network_input});
        sp.type = layer_type::split;
        sp.fan_out = 2;
        net.layers.push_back(sp);
        for (const char* n : {"b", "c", "d"}) net.layers.push_back(relu_layer(n, {4, 4, 2}, {0}));
        CHECK_THAT(hass::network_problem(net), Contains("split 's' has fan_out 2 but 3 readers"));
        const network s = hass::insert_splits(net);
        REQUIRE(s.size() == 4);
        CHECK(s[0].fan_out == 3);
        CHECK(hass::network_problem(s).empty());
    }
}

TEST_CASE("network_problem catches bad connections", "[network][validity]") {
    CHECK_THAT(hass::network_problem(network{"empty", {1, 1, 1}, {}}), Contains("has no layers"));
    {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {1}));
        net.layers.push_back(relu_layer("b", {4, 4, 2}, {hass::network_input}));
        CHECK_THAT(hass::network_problem(net), Contains("layer 'a' reads layer #1, which is not an earlier layer"));
        CHECK_THROWS_AS(hass::validate(net), hass::error);
    }
    {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {0})); // reads itself
        CHECK_THAT(hass::network_problem(net), Contains("not an earlier layer"));
    }
    {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 3}, {hass::network_input}));
        CHECK_THAT(hass::network_problem(net),
                   Contains("layer 'a': input shape 4x4x3 does not match its producer's output 4x4x2"));
    }
    {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {}));
        CHECK_THAT(hass::network_problem(net), Contains("layer 'a' has no input"));
    }
    {
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {hass::network_input}));
        net.layers.push_back(relu_layer("b", {4, 4, 2}, {0, 0}));
        CHECK_THAT(hass::network_problem(net), Contains("layer 'b' takes exactly one input"));
    }
    {
        network net{"n", {4, 4, 2}, {}};
        layer e = relu_layer("e", {4, 4, 2}, {hass::network_input});
        e.type = layer_type::eltwise;
        net.layers.push_back(e);
        CHECK_THAT(hass::network_problem(net), Contains("eltwise needs two or more inputs"));
    }
    {
        // eltwise of 4x4x2 and 2x2x2
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("s", {4, 4, 2}, {hass::network_input}));
        layer p;
        p.name = "p";
        p.type = layer_type::pooling;
        p.in = {4, 4, 2};
        p.out = {2, 2, 2};
        p.kernel_rows = p.kernel_cols = p.stride_rows = p.stride_cols = 2;
        p.inputs = {0};
        net.layers.push_back(p);
        layer e = relu_layer("e", {4, 4, 2}, {0, 1});
        e.type = layer_type::eltwise;
        net.layers.push_back(e);
        CHECK_THAT(hass::network_problem(hass::insert_splits(net)),
                   Contains("layer 'e': input 1 is 2x2x2 but input 0 is 4x4x2"));
    }
    {
        // concat of 4x4x2 and 4x4x2 claiming 5 channels
        network net{"n", {4, 4, 2}, {}};
        net.layers.push_back(relu_layer("a", {4, 4, 2}, {hass::network_input}));
        net.layers.push_back(relu_layer("b", {4, 4, 2}, {hass::network_input}));
        layer c = relu_layer("c", {4, 4, 2}, {0, 1});
        c.type = layer_type::concat;
        c.out = {4, 4, 5};
        net.layers.push_back(c);
        CHECK_THAT(hass::network_problem(hass::insert_splits(net)),
                   Contains("concat outputs 5 channels but its inputs hold 4"));
    }
    // an invalid layer is reported with its own message
    {
        network net{"n", {4, 4, 2}, {}};
        layer r = relu_layer("r", {4, 4, 2}, {hass::network_input});
        r.out = {4, 4, 3};
        net.layers.push_back(r);
        CHECK_THAT(hass::network_problem(net), Contains("a relu layer keeps its shape"));
    }
    // the builder validates: adding tensors of different shapes throws
    hass::network_builder b{"bad", {8, 8, 4}};
    auto x = b.conv(b.input(), "c", {.filters = 4, .kernel = 3, .stride = 2, .pad = 1}); // 4x4x4
    b.add(x, b.input(), "sum");
    CHECK_THROWS_AS(std::move(b).build(), hass::error);
}

TEST_CASE("evaluate: II is the slowest layer", "[network][evaluate]") {
    const network net = tiny();
    const auto b = test_board(100, 100);
    const auto r = hass::evaluate(net, hass::unit_folding(net), b);
    REQUIRE(r.layers.size() == 7);
    CHECK(r.first == 0);
    CHECK(r.last == 7);
    CHECK(r.layers[0].latency == conv1_l);
    CHECK(r.layers[1].latency == 512);
    CHECK(r.layers[2].latency == 512);
    CHECK(r.layers[3].latency == conv2_l);
    CHECK(r.layers[4].latency == 512);
    CHECK(r.layers[5].latency == 512);
    CHECK(r.layers[6].latency == fc_l);
    CHECK(r.squeezes.empty()); // every layer has one stream
    CHECK(r.compute_ii == conv2_l);
    CHECK(r.ii == conv2_l); // max(18432, 512, 36864, 1280)
    CHECK(r.bottleneck == 3);
    CHECK(r.pipeline_depth == depth_total);
    CHECK(r.used.dsp == dsp_total);
    CHECK(r.used.bram18 == bram_total);
    CHECK(r.used.uram == 0);
    CHECK(r.used == r.used_raw); // nothing moved to LUTRAM: 7 <= 100
    // the add's skip FIFOs (see bram_total above)
    CHECK(r.layers[4].fifo_depths == std::vector<count_t>{64, 827});
    CHECK(r.layers[4].fifo_bram == 1);
    CHECK(r.layers[4].used.bram18 == 1);
    // throughput = clock / II = 200e6 / 36,864 = 5425.35 images/s
    CHECK(r.clock_hz == Approx(200e6));
    CHECK(r.throughput() == Approx(200e6 / 36864.0));
    // batch latency (II*B + D)/clock: B = 1: (36,864 + 2,507)/200e6 = 196.855 us
    CHECK(r.batch_time(1) == Approx(39371.0 / 200e6));
    // B = 16: (589,824 + 2,507)/200e6
    CHECK(r.batch_time(16) == Approx(592331.0 / 200e6));
}

TEST_CASE("evaluate: squeeze links between different stream counts", "[network][evaluate]") {
    const network net = tiny();
    // conv1 co=2 (2 streams out), relu1 2, split 2, conv2 ci=4 co=2 (4 in, 2 out), add 2, pool 1, fc 1
    const std::vector<folding> f{fold(1, 2), fold(2, 2), fold(2, 2), fold(4, 2), fold(2, 2), fold(1, 1), fold(1, 1)};
    const auto r = hass::evaluate(net, f, test_board(100, 100));
    // squeezes where streams_out(producer) != streams_in(consumer):
    //   split (2) -> conv2 (4): H*W*C/min(2, 4) = 8*8*8/2 = 256
    //   add (2) -> pool (1): 512/min(2, 1) = 512
    REQUIRE(r.squeezes.size() == 2);
    CHECK(r.squeezes[0].producer == 2);
    CHECK(r.squeezes[0].consumer == 3);
    CHECK(r.squeezes[0].streams_from == 2);
    CHECK(r.squeezes[0].streams_to == 4);
    CHECK(r.squeezes[0].latency == 256);
    CHECK(r.squeezes[1].producer == 4);
    CHECK(r.squeezes[1].consumer == 5);
    CHECK(r.squeezes[1].streams_from == 2);
    CHECK(r.squeezes[1].streams_to == 1);
    CHECK(r.squeezes[1].latency == 512);
    // layers: conv1 max(400, 18432/2 = 9216, 512/2 = 256) = 9216
    //         conv2 max(800/4 = 200, 64*(8*9)/4 * 8/2 = 4608, 512/2 = 256) = 4608
    //         relu1, split, add 512/2 = 256; pool 512; fc 1280
    CHECK(r.layers[0].latency == 9216);
    CHECK(r.layers[1].latency == 256);
    CHECK(r.layers[3].latency == 4608);
    CHECK(r.ii == 9216); // max(9216, 256, 4608, 512, 1280, squeezes 256 and 512): conv1
    CHECK(r.bottleneck == 0);
    // DSP: conv1 1*1*2 = 2, conv2 1*4*2 = 8, fc 1 -> 11
    CHECK(r.used.dsp == 11);
}

TEST_CASE("evaluate validates the folding", "[network][evaluate]") {
    const network net = tiny();
    CHECK_THROWS_WITH(hass::evaluate(net, std::vector<folding>(3), test_board(100, 100)),
                      Contains("the folding has 3 entries but network 'tiny' has 7 layers"));
    auto f = hass::unit_folding(net);
    f[3] = fold(3); // 3 does not divide conv2's 8 channels
    CHECK_THROWS_WITH(hass::evaluate(net, f, test_board(100, 100)),
                      Contains("layer 'conv2'") && Contains("coarse_in 3 does not divide"));
}

TEST_CASE("fits and exceeded", "[network][evaluate]") {
    const network net = tiny();
    const auto f = hass::unit_folding(net);
    {
        const auto r = hass::evaluate(net, f, test_board(dsp_total, bram_total)); // exactly enough
        CHECK(r.fits);
        CHECK(r.exceeded().empty());
        CHECK(r.budget == hass::resources{3, 10000000, 10000000, 7, 0});
        CHECK(r.bram_to_lut_blocks == 0);
    }
    {
        const auto r = hass::evaluate(net, f, test_board(3, 6), strict); // 7 BRAM18 > 6
        CHECK_FALSE(r.fits);
        CHECK(r.exceeded() == std::vector<resource_kind>{resource_kind::bram18});
    }
    {
        const auto r = hass::evaluate(net, f, test_board(2, 6), strict); // 3 DSP > 2 and 7 BRAM18 > 6
        CHECK_FALSE(r.fits);
        CHECK(r.exceeded() == std::vector<resource_kind>{resource_kind::dsp, resource_kind::bram18});
    }
    {
        // by default the BRAM over budget moves to LUTRAM at 288 LUT per BRAM18:
        // 7 - 6 = 1 block -> 6 BRAM18 and 288 more LUT
        const auto r = hass::evaluate(net, f, test_board(3, 6));
        CHECK(r.fits);
        CHECK(r.bram_to_lut_blocks == 1);
        CHECK(r.used_raw.bram18 == 7);
        CHECK(r.used.bram18 == 6);
        CHECK(r.used.lut == r.used_raw.lut + 288);
        CHECK(r.used.dsp == r.used_raw.dsp);
        CHECK(r.used.ff == r.used_raw.ff);
        // DSP cannot move: 3 > 2 still does not fit
        CHECK(hass::evaluate(net, f, test_board(2, 6)).exceeded() == std::vector<resource_kind>{resource_kind::dsp});
    }
    {
        // the move needs 288 spare LUT per block: with the LUT budget 287 above the raw LUT nothing moves
        const count_t lut = hass::evaluate(net, f, test_board(3, 100)).used_raw.lut;
        hass::board b = test_board(3, 6);
        b.budget.lut = lut + 287;
        const auto no = hass::evaluate(net, f, b);
        CHECK(no.bram_to_lut_blocks == 0);
        CHECK(no.exceeded() == std::vector<resource_kind>{resource_kind::bram18});
        b.budget.lut = lut + 288;
        const auto yes = hass::evaluate(net, f, b);
        CHECK(yes.fits);
        CHECK(yes.used.lut == b.budget.lut);
        // 5 BRAM18: 2 blocks to move, LUT for one only -> 6 > 5 does not fit
        b.budget.bram18 = 5;
        const auto part = hass::evaluate(net, f, b);
        CHECK(part.bram_to_lut_blocks == 1);
        CHECK(part.used.bram18 == 6);
        CHECK_FALSE(part.fits);
    }
}

TEST_CASE("utilisation cap", "[network][evaluate]") {
    const network net = tiny();
    const auto f = hass::unit_folding(net);
    hass::utilisation_cap cap;
    cap.dsp = 0.5;
    // 4 DSP * 0.5 = 2 < 3 used
    const auto r = hass::evaluate(net, f, test_board(4, 100), {cap});
    CHECK(r.budget.dsp == 2);
    CHECK(r.budget.bram18 == 100);
    CHECK_FALSE(r.fits);
    CHECK(r.exceeded() == std::vector<resource_kind>{resource_kind::dsp});
    CHECK(hass::evaluate(net, f, test_board(6, 100), {cap}).fits); // 6 * 0.5 = 3
    // RAM cap: 14 * 0.5 = 7 BRAM18 -> fits; 13 * 0.5 = 6.5 -> 6 -> does not (without the LUTRAM move)
    hass::utilisation_cap ram;
    ram.ram = 0.5;
    CHECK(hass::evaluate(net, f, test_board(3, 14), {ram, 256, false}).fits);
    const auto over = hass::evaluate(net, f, test_board(3, 13), {ram, 256, false});
    CHECK(over.budget.bram18 == 6);
    CHECK_FALSE(over.fits);
    // with it: ceil(7 - 6.5) = 1 block moves to LUTRAM
    const auto moved = hass::evaluate(net, f, test_board(3, 13), {ram});
    CHECK(moved.bram_to_lut_blocks == 1);
    CHECK(moved.used.bram18 == 6);
    CHECK(moved.fits);
}

TEST_CASE("off-chip memory bound", "[network][evaluate]") {
    const network net = tiny();
    auto f = hass::unit_folding(net);
    SECTION("fast memory") {
        // off-chip: network input 8*8*4*16 = 4,096 bits + fc output 10*16 = 160 bits = 4,256
        // 153.6 Gbit/s at 200 MHz = 768 bits/cycle: ceil(4256/768 = 5.54) = 6
        const auto r = hass::evaluate(net, f, test_board(100, 100, 153.6));
        CHECK(r.offchip_bits == Approx(4256.0));
        CHECK(r.memory_ii == 6);
        CHECK(r.ii == conv2_l);
        // bandwidth used: 4256 bits * (200e6/36864) images/s / 1e9
        CHECK(r.bandwidth_gbps() == Approx(4256.0 * 200e6 / 36864.0 / 1e9));
    }
    SECTION("slow memory, weights on chip") {
        // 0.0625 Gbit/s at 200 MHz = 0.3125 bits/cycle: ceil(4256/0.3125 = 13,619.2) = 13,620 < 36,864
        const auto r = hass::evaluate(net, f, test_board(100, 100, 0.0625));
        CHECK(r.memory_ii == 13620);
        CHECK(r.ii == conv2_l);
        CHECK(r.bottleneck == 3);
    }
    SECTION("slow memory, fc's weights streamed from off chip") {
        f[6].weights = hass::weight_storage::off_chip;
        // fc weights: depth 1280, width 16 -> aspect 18x1024: U = 1 block per row, Du = 1024, T = 2;
        // every block streamed, one block-row of buffer: 2 - 2 + 1 = 1 BRAM18
        // an inner product reads each weight once per image: A_off = min(1280, (2/1)*1024) = 1280
        // addresses of 16 bits = 20,480 bits
        // off-chip: 4,096 + 160 + 20,480 = 24,736 bits; memory_ii = ceil(24736/0.3125 = 79,155.2) = 79,156
        const auto r = hass::evaluate(net, f, test_board(100, 100, 0.0625));
        CHECK(r.bits_weights == Approx(20480.0));
        CHECK(r.offchip_bits == Approx(24736.0));
        CHECK(r.memory_ii == 79156);
        CHECK(r.compute_ii == conv2_l);
        CHECK(r.ii == 79156);
        CHECK(r.bottleneck == -1);
        // fc's weight BRAM18: 2 -> 1; total 7 - 1 = 6
        CHECK(r.used.bram18 == 6);
        CHECK(r.layers[6].weights == hass::resources{0, 0, 0, 1, 0});
    }
    SECTION("slow memory, conv2's weights streamed from off chip") {
        f[3].weights = hass::weight_storage::off_chip;
        // conv2 weights: depth 576, width 16: T = 1, U = 1, Du = 1024; the buffer is as large as the
        // memory: 1 - 1 + 1 = 1 BRAM18, nothing saved
        // a convolution reads every weight once per output position: 576 * 16 * (8*8) = 589,824 bits
        // off-chip: 4,096 + 160 + 589,824 = 594,080 bits; memory_ii = ceil(594080/0.3125) = 1,901,056
        const auto r = hass::evaluate(net, f, test_board(100, 100, 0.0625));
        CHECK(r.bits_weights == Approx(589824.0));
        CHECK(r.offchip_bits == Approx(594080.0));
        CHECK(r.memory_ii == 1901056);
        CHECK(r.compute_ii == conv2_l);
        CHECK(r.ii == 1901056);
        CHECK(r.bottleneck == -1);
        CHECK(r.used.bram18 == bram_total);
        CHECK(r.layers[3].weights == hass::resources{0, 0, 0, 1, 0});
    }
}

TEST_CASE("partitions", "[network][partitions]") {
    const network net = tiny();
    const auto f = hass::unit_folding(net);
    const auto b = test_board(100, 100);
    const auto p = hass::evaluate_partitions(net, f, b, {5});
    REQUIRE(p.partitions.size() == 2);
    CHECK(p.reconf_time_s == Approx(0.08255));
    const auto& p0 = p.partitions[0];
    const auto& p1 = p.partitions[1];
    CHECK(p0.first == 0);
    CHECK(p0.last == 5);
    CHECK(p1.first == 5);
    CHECK(p1.last == 7);
    // partition 0: conv1 .. add: II 36,864; its output is add (read by pool later): D = 1154
    CHECK(p0.ii == conv2_l);
    CHECK(p0.pipeline_depth == depth_to_add);
    // off-chip: input 4,096 + add's output 8*8*8*16 = 8,192 -> 12,288 bits
    CHECK(p0.offchip_bits == Approx(12288.0));
    // partition 1: pool, fc: II max(512, 1280) = 1280; D = 76 + 1277 = 1353
    CHECK(p1.ii == fc_l);
    CHECK(p1.pipeline_depth == depth_pool_fc);
    // off-chip: add's output 8,192 read back + fc output 160 -> 8,352 bits
    CHECK(p1.offchip_bits == Approx(8352.0));
    // BRAM18: conv1 2 + conv2 2 + add's skip FIFO 1 (split and add in the same partition) = 5;
    // pool 0 + fc 2 = 2
    CHECK(p0.used.bram18 == 5);
    CHECK(p1.used.bram18 == 2);
    // no port squeezes: every port carries 1 stream of 16 bits (a 512-bit port holds 32)
    CHECK(p0.port_squeezes.empty());
    CHECK(p1.port_squeezes.empty());
    // hass counts P - 1 reconfigurations, fpgaConvNet P
    CHECK(p.reconfigurations() == 1);
    CHECK(hass::evaluate_partitions<hass::cost::fpgaconvnet>(net, f, b, {5}).reconfigurations() == 2);
    CHECK(p.fits());
    // batch time = sum of partition times + (P - 1)*reconf
    // B = 1:   (36,864 + 1,154)/200e6 + (1,280 + 1,353)/200e6 + 0.08255 = 40,651/200e6 + 0.08255
    CHECK(p.batch_time(1) == Approx(40651.0 / 200e6 + 0.08255));
    // B = 100: (3,686,400 + 1,154 + 128,000 + 1,353)/200e6 + 0.08255 = 3,816,907/200e6 + 0.08255
    CHECK(p.batch_time(100) == Approx(3816907.0 / 200e6 + 0.08255));
    CHECK(p.throughput(100) == Approx(100.0 / (3816907.0 / 200e6 + 0.08255)));
    // no cut: one partition, no reconfiguration
    const auto one = hass::evaluate_partitions(net, f, b, {});
    REQUIRE(one.partitions.size() == 1);
    CHECK(one.batch_time(1) == Approx(39371.0 / 200e6));
    // bad cuts
    CHECK_THROWS_AS(hass::evaluate_partitions(net, f, b, {0}), hass::error);
    CHECK_THROWS_AS(hass::evaluate_partitions(net, f, b, {7}), hass::error);
    CHECK_THROWS_WITH(hass::evaluate_partitions(net, f, b, {5, 3}), Contains("out of order or out of range"));
}

TEST_CASE("auto_partition on a board too small for the weights", "[network][partitions]") {
    const network net = tiny();
    const auto f = hass::unit_folding(net);
    // BRAM18 per layer: conv1 2, relu1 0, split 0, conv2 2, add 1 (its skip FIFO, only when the split is
    // in the same partition), pool 0, fc 2 (total 7); BRAM does not move to LUTRAM here (strict)
    SECTION("4 BRAM18") {
        // [conv1 .. conv2] = 4 fits; + add = 5 does not (the split is inside: the FIFO counts);
        // [add, pool, fc] = 0 + 0 + 2 (add's inputs come from outside: no FIFO)
        const auto b = test_board(100, 4);
        CHECK_FALSE(hass::evaluate(net, f, b, strict).fits);
        const auto cuts = hass::auto_partition(net, f, b, strict);
        CHECK(cuts == std::vector<int>{4});
        const auto p = hass::evaluate_partitions(net, f, b, cuts, strict);
        CHECK(p.fits());
        CHECK(p.partitions[0].used.bram18 == 4);
        CHECK(p.partitions[1].used.bram18 == 2);
        CHECK(p.partitions[1].layers[0].fifo_bram == 0);
    }
    SECTION("4 BRAM18, BRAM may move to LUTRAM") {
        // 3 blocks over budget move to 3 * 288 LUT: one partition
        const auto b = test_board(100, 4);
        const auto r = hass::evaluate(net, f, b);
        CHECK(r.fits);
        CHECK(r.bram_to_lut_blocks == 3);
        CHECK(r.used.lut == r.used_raw.lut + 3 * 288);
        CHECK(hass::auto_partition(net, f, b).empty());
    }
    SECTION("3 BRAM18") {
        // [conv1, relu1, split] = 2 (+ conv2 = 4 > 3); [conv2, add, pool] = 2 (+ fc = 4); [fc] = 2
        const auto b = test_board(100, 3);
        const auto cuts = hass::auto_partition(net, f, b, strict);
        CHECK(cuts == std::vector<int>{3, 6});
        const auto p = hass::evaluate_partitions(net, f, b, cuts, strict);
        CHECK(p.fits());
        // batch time adds (3 - 1) reconfigurations
        double sum = 0;
        for (const auto& part : p.partitions) sum += part.batch_time(1);
        CHECK(p.batch_time(1) == Approx(sum + 2 * 0.08255));
    }
    SECTION("everything fits: no cut") {
        CHECK(hass::auto_partition(net, f, test_board(100, 100)).empty());
    }
    SECTION("a layer that does not fit alone") {
        // conv1 alone needs 2 BRAM18
        CHECK_THROWS_WITH(hass::auto_partition(net, f, test_board(100, 1), strict),
                          Contains("layer 'conv1' alone needs 2 bram18 but board 'tiny' allows 1"));
    }
}

TEST_CASE("squeeze-excitation: a broadcast multiply", "[network][evaluate]") {
    // 8x8x16 -> relu -> (global avg pool -> fc 16 -> sigmoid) -> multiply, broadcast over 8x8
    hass::network_builder b{"se", {8, 8, 16}};
    auto x = b.relu(b.input(), "r");
    auto g = b.global_avg_pool(x, "gap");
    auto f = b.inner_product(g, "fc", 16);
    auto s = b.sigmoid(f, "sig");
    b.mul(x, s, "scale");
    const network net = std::move(b).build();
    // r(0), r.split(1), gap(2), fc(3), sig(4), scale(5)
    REQUIRE(net.size() == 6);
    CHECK(net[1].type == layer_type::split);
    CHECK(net[5].broadcast);
    CHECK(net[5].inputs == std::vector<int>{1, 4});
    const auto r = hass::evaluate(net, hass::unit_folding(net), test_board(100, 100));
    // r, split: 8*8*16 = 1024; gap: H*W*C = 1024; fc: max(16*16 = 256, 16) = 256; sig: 16;
    // scale: H*W*C = 1024
    CHECK(r.layers[2].latency == 1024);
    CHECK(r.layers[3].latency == 256);
    CHECK(r.layers[4].latency == 16);
    CHECK(r.layers[5].latency == 1024);
    CHECK(r.ii == 1024);
    // DSP: gap dspmul(16, 32) = ceil(16/18) * ceil(32/27) = 2 per lane; fc 1; scale (multiply) 1 per lane -> 4
    CHECK(r.used.dsp == 4);
}

TEST_CASE("a catalogue board evaluates the network", "[network][boards]") {
    const network net = tiny();
    const auto r = hass::evaluate(net, hass::unit_folding(net), hass::boards::u250::spec);
    // u250 runs at 250 MHz: throughput 250e6/36,864
    CHECK(r.throughput() == Approx(250e6 / 36864.0));
    CHECK(r.fits);
}

TEST_CASE("evaluate: a port squeeze can set the II", "[network][evaluate]") {
    // One ReLU on an 8x8x8 tensor with coarse 8 reads 8 streams, but a 32-bit
    // port carries 32 / 16 = 2 streams of 16-bit data: a port squeeze 2 -> 8 on
    // the input and 8 -> 2 on the output, each H*W*C / min(2, 8) = 512 / 2 = 256
    // cycles, while the ReLU itself takes 512 / 8 = 64. The II is the squeezes'.
    network net;
    net.name = "port";
    net.input = {8, 8, 8};
    net.layers.push_back(relu_layer("relu", {8, 8, 8}, {hass::network_input}));
    auto b = test_board(100, 100);
    b.port_width_bits = 32;
    const auto r = hass::evaluate(net, {fold(8, 8)}, b);
    REQUIRE(r.port_squeezes.size() == 2);
    CHECK(r.port_squeezes[0].latency == 256);
    CHECK(r.port_squeezes[1].latency == 256);
    CHECK(r.layers[0].latency == 64);
    CHECK(r.ii == 256);
    CHECK(r.bottleneck == -1); // a squeeze, not a layer
    // with a 512-bit port (32 streams) there is no squeeze and the ReLU sets the II
    b.port_width_bits = 512;
    const auto wide = hass::evaluate(net, {fold(8, 8)}, b);
    CHECK(wide.port_squeezes.empty());
    CHECK(wide.ii == 64);
}

TEST_CASE("a streamed convolution input is read once per kernel row", "[network][evaluate]") {
    // 8x8x4 -> c1 (1x1, 4 filters) -> c2 (3x3 pad 1, 4 filters); the edge c1 -> c2 goes
    // through off-chip memory (both ends flagged), so it gets no squeeze and c2 reads its
    // input rows kr = 3 times (its line buffer leaves the layer).
    hass::network_builder nb{"chain", {8, 8, 4}};
    const auto x = nb.conv(nb.input(), "c1", {.filters = 4, .kernel = 1});
    nb.conv(x, "c2", {.filters = 4, .kernel = 3, .pad = 1});
    const network net = std::move(nb).build();
    auto f = hass::unit_folding(net);
    f[0].streamed_outputs = 1;
    f[1].streamed_inputs = 1;
    const auto r = hass::evaluate(net, f, test_board(100, 100));
    // in: the network input 8*8*4 words * 16 bits = 4,096 + c2's streamed input 8*8*4 * 3 rows * 16 = 12,288
    CHECK(r.bits_in == 16384.0);
    // out: c1's streamed output 4,096 + c2's (the network output) 4,096
    CHECK(r.bits_out == 8192.0);
    CHECK(r.offchip_bits == 24576.0);
    CHECK(r.squeezes.empty());
}

TEST_CASE("docs/cost_model.md: the worked convolution as a network, on chip and with its weights off chip",
          "[network][evaluate][docs]") {
    // conv.json of docs/cost_model.md 2.8: 56x56x64 -> 64, 3x3 pad 1, batchnorm; ci = co = 4, f = 3
    hass::network_builder nb{"conv", {56, 56, 64}};
    nb.conv(nb.input(), "conv", {.filters = 64, .kernel = 3, .pad = 1, .batchnorm = true});
    const network net = std::move(nb).build();
    std::vector<folding> f{fold(4, 4, 1, 3)};
    const auto& u250 = hass::boards::u250::spec;
    const auto h = hass::evaluate<hass::cost::hass>(net, f, u250);
    const auto r = hass::evaluate<hass::cost::fpgaconvnet>(net, f, u250);
    for (const auto* x : {&h, &r}) {
        CHECK(x->used == hass::resources{48, 13575, 9045, 56, 0});
        CHECK(x->ii == 2408448);
    }
    // depth: hass the module sum 2,659; fpgaConvNet 2662/0.0625 + 2408448/50176 = 42,592 + 48 = 42,640
    CHECK(h.pipeline_depth == 2659);
    CHECK(r.pipeline_depth == 42640);
    // a batch of 256: 2408448 * 256 + depth
    CHECK(h.batch_cycles(256) == 616565347.0);
    CHECK(r.batch_cycles(256) == 616605328.0);

    // section 3.6: every weight block off chip, on the zcu102 (153.6 Gbit/s at 200 MHz = 768 bits/cycle)
    f[0].weights = hass::weight_storage::off_chip;
    const auto& zcu102 = hass::boards::zcu102::spec;
    const auto ho = hass::evaluate<hass::cost::hass>(net, f, zcu102);
    // hass: 768 addresses x 768 bits, read at each of the 56*56 output positions = 1,849,688,064 bits;
    // with the 2 x 56*56*64*16 = 6,422,528 activation bits: ceil(1,856,110,592 / 768) = 2,416,811 cycles
    CHECK(ho.bits_weights == 1849688064.0);
    CHECK(ho.compute_ii == 2408448);
    CHECK(ho.ii == 2416811);
    CHECK(ho.slowdown == Approx(2416811.0 / 2408448.0).epsilon(1e-15));
    CHECK(ho.fits);
    const auto ro = hass::evaluate<hass::cost::fpgaconvnet>(net, f, zcu102);
    // fpgaConvNet: D Wd / Du = 768 * 768 / 512 = 1,152 bits per cycle for 2,408,448 cycles,
    // 1152 * 200 MHz = 230.4 Gbit/s of weights, 230.93 with the activations: over 153.6, no fit;
    // its greedy optimiser would slow the design 230.9333 / 153.6 + 0.01 = 1.5135 times
    CHECK(ro.bits_weights == 1152.0 * 2408448.0);
    CHECK(ro.bits_weights * 200.0 / (ro.interval * 1000.0) == Approx(230.4).epsilon(1e-15));
    CHECK(ro.bandwidth_at_interval_gbps == Approx(230.93333333333331).epsilon(1e-15));
    CHECK_FALSE(ro.fits);
    CHECK(ro.greedy_slowdown == Approx(230.93333333333331 / 153.6 + 0.01).epsilon(1e-15));
}
