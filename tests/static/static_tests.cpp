// Compile-time tests: the constexpr API evaluated in static_assert at namespace
// scope. This file has no main(); it is built as an object library, so a
// failing assertion (or a throw inside a constant expression) breaks the build.
// Every expected value is computed by hand from the formula in the comment.
#include <string>
#include <string_view>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/boards/catalog.hpp"
#include "hass/core/math.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"
#include "hass/modules/all.hpp"
#include "hass/network/builder.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/resources/memory.hpp"

namespace static_tests {

using hass::count_t;
using hass::folding;
using hass::layer;
using hass::resources;

// --- integer helpers ---------------------------------------------------------
static_assert(hass::bits(1) == 0);
static_assert(hass::bits(2) == 1);
static_assert(hass::bits(3) == 2);
static_assert(hass::bits(1024) == 10);
static_assert(hass::ceil_div(7, 2) == 4);
static_assert(hass::lcm(9, 4) == 36);
static_assert(hass::ceil_to_count(67.5) == 68);

// --- memory formulas -----------------------------------------------------------
static_assert(hass::bram18_blocks(1000, 1) == 0);   // 1000 bits < 1024
static_assert(hass::bram18_blocks(1024, 16) == 1);  // 18x1024: 1 * 1
static_assert(hass::bram18_blocks(2048, 16) == 2);  // 1 * ceil(2048/1024)
static_assert(hass::bram18_blocks(512, 512) == 15); // ceil(512/36) * 1
static_assert(hass::bram18_blocks(4096, 9) == 2);   // 9x2048: 1 * 2
static_assert(hass::bram18_blocks(32, 64, hass::buffer_kind::fifo) == 0); // depth <= 32
static_assert(hass::bram18_blocks(64, 16, hass::buffer_kind::fifo) == 0); // 1024 bits
static_assert(hass::uram_blocks(4096, 72) == 1);
static_assert(hass::uram_blocks(8192, 72) == 2);
static_assert(hass::uram_blocks(4096, 144) == 2);
static_assert(hass::lutram_luts(100, 8) == 16); // ceil(100/64) * 8
static_assert(hass::dsp_per_multiplier(16, 16) == 1);
static_assert(hass::dsp_per_multiplier(19, 16) == 2);
static_assert(hass::multiplier_dsps(9, 8, 8) == 5); // ceil(9/2)
static_assert(hass::multiplier_dsps(9, 4, 4) == 3); // ceil(9/4)
static_assert(hass::buffer_resources(100, 8) == resources{0, 16, 0, 0, 0});
static_assert(hass::buffer_resources(4096, 72, hass::weight_storage::uram) == resources{0, 0, 0, 0, 1});
static_assert(hass::buffer_resources(4096, 72, hass::weight_storage::off_chip) == resources{});

// --- modules ---------------------------------------------------------------------
// vector_dot (filters 8, fine 3, 4 lanes, 16x16 -> 32), fpgaConvNet's regressions:
//   DSP  = S f dspmul(16, 16) = 4 * 3 * 1 = 12
//   LUT  = trunc(3 * 2.5713 + 384 * 0.97287) + trunc(lutq(3, 128) * 4.5246) + trunc(3 * 0.16774)
//        = trunc(381.297) + trunc(9 * 4.5246 = 40.72) + 0 = 421
//   FF   = trunc(3 * 21.3686 + 384 * 1.48601 + 128 * 0.18202) = trunc(658.03) = 658
constexpr auto vd_cost = hass::modules::vector_dot{1000, 8, 3, 4, 16, 16, 32}.cost(hass::cost::chisel_linear_regression);
static_assert(vd_cost.dsp == 12 && vd_cost.lut == 421 && vd_cost.ff == 658 && vd_cost.bram == 0);
static_assert(hass::modules::vector_dot{1000, 8, 3, 4, 16, 16, 32}.pipeline_depth() == 6); // 3 + 2 + 1
// sliding window 10x10x16 on 4 streams, 3x3: line buffer 40 x 128 -> 4 BRAM18
static_assert(hass::modules::sliding_window{10, 10, 16, 3, 3, 1, 1, 4, 16}.line_buffer_bram() == 4);
static_assert(hass::modules::sliding_window{10, 10, 16, 3, 3, 1, 1, 4, 16}.pipeline_depth() == 89);
static_assert(hass::modules::squeeze{1152, 9, 3, 2, 16}.latency() == 192.0); // 1152/(3*2)
// the estimate is binary64 left to right in a constant expression too: the fork (P 3, c 4, S 2, 16 bits)
// Logic_LUT [6, 96, 24, 384, 1] = 96*0.4999999999999997 + 384*1.85e-18 + 5.000000000000004
// = 52.99999999999998 -> 52; FF [6, 384, 1] = 6*11.999999999999998 + 3.0000000000000058 = 74.99999999999999 -> 74
constexpr auto fork_cost = hass::modules::fork{100, 3, 4, 2, 16}.cost(hass::cost::chisel_linear_regression);
static_assert(fork_cost.lut == 52 && fork_cost.ff == 74 && fork_cost.dsp == 0 && fork_cost.bram == 0);
// P 4, c 2, S 1: FF [4, 128, 1] = 4*11.999999999999998 + 3.0000000000000058 rounds to 51.0 -> 51
// (exact arithmetic on the same products: 50.99999999999999... -> 50, RESOURCES.md 1.1)
static_assert(hass::modules::fork{100, 4, 2, 1, 16}.cost(hass::cost::chisel_linear_regression).ff == 51);
// a 2x2 window over 8x8x8, 1 stream: line FIFO 8*8 = 64 x 16 = 1024 bits, not above 1024 -> LUTRAM
static_assert(hass::modules::sliding_window{8, 8, 8, 2, 2, 2, 2, 1, 16}.line_buffer_bram() == 0);

// --- layers ------------------------------------------------------------------------
constexpr layer make_conv(hass::tensor_shape in, hass::tensor_shape out, count_t k, count_t stride, count_t pad,
                          count_t groups = 1) {
    layer l;
    l.name = "c";
    l.type = hass::layer_type::convolution;
    l.in = in;
    l.out = out;
    l.kernel_rows = l.kernel_cols = k;
    l.stride_rows = l.stride_cols = stride;
    l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = pad;
    l.groups = groups;
    return l;
}

constexpr folding fold(count_t ci, count_t co = 1, count_t cg = 1, count_t fine = 1) {
    folding f;
    f.coarse_in = ci;
    f.coarse_out = co;
    f.coarse_group = cg;
    f.fine = fine;
    return f;
}

constexpr layer std3x3() { return make_conv({32, 32, 16}, {32, 32, 32}, 3, 1, 1); }
constexpr layer grouped() { return make_conv({16, 16, 32}, {16, 16, 64}, 3, 1, 1, 4); }

// resnet18 conv1, all factors 1: 112*112*3*49*64 = 118,013,952 cycles
static_assert(hass::evaluate_layer(make_conv({224, 224, 3}, {112, 112, 64}, 7, 2, 3), fold(1)).latency == 118013952);
// standard 3x3, ci=2 co=4 f=3: 32*32*(16*9)/(3*2) * 32/4 = 196,608
static_assert(hass::evaluate_layer(std3x3(), fold(2, 4, 1, 3)).latency == 196608);
// DSP f*ci*co*cg = 9*2*4*2 = 144
static_assert(hass::evaluate_layer(grouped(), fold(2, 4, 2, 9)).used.dsp == 144);
// 8-bit operands: 3 multipliers (f = 3) * 1/2 = 1.5 -> one ceiling over the layer: 2
constexpr layer std3x3_8bit() {
    layer l = std3x3();
    l.width = {8, 8, 32, 8};
    return l;
}
static_assert(hass::evaluate_layer(std3x3_8bit(), fold(1, 1, 1, 3)).used.dsp == 2);
// weights depth 32*16*9/24 = 192, width 384: ceil(384/36) = 11 BRAM18
static_assert(hass::weight_memory(std3x3(), fold(2, 4, 1, 3)) == resources{0, 0, 0, 11, 0});

// validity
static_assert(hass::is_valid_layer(std3x3()));
static_assert(!hass::is_valid_layer(make_conv({32, 32, 16}, {30, 30, 32}, 3, 1, 1))); // expects 32x32
static_assert(hass::is_valid_folding(std3x3(), fold(2, 4, 1, 3)));
static_assert(!hass::is_valid_folding(std3x3(), fold(3)));          // 3 does not divide C = 16
static_assert(!hass::is_valid_folding(std3x3(), fold(1, 5)));       // 5 does not divide F = 32
static_assert(!hass::is_valid_folding(std3x3(), fold(1, 1, 2)));    // cg = 2 does not divide G = 1
static_assert(!hass::is_valid_folding(grouped(), fold(16)));        // ci must divide C/G = 8
static_assert(!hass::is_valid_folding(std3x3(), fold(0)));          // factors >= 1
static_assert(hass::folding_problem(std3x3(), fold(3)).find("does not divide") != std::string::npos);

// A dense layer's fine factor must divide K = 9.
static_assert(!hass::is_valid_folding(std3x3(), fold(1, 1, 1, 2)));
static_assert(hass::folding_problem(std3x3(), fold(1, 1, 1, 2)).find("does not divide the kernel size K = 9") !=
              std::string::npos);

// a sparse layer: K = 4 statistics, C = 4 channels with z = 0, 3, 1, 2 zeros, f = 1: m = [4, 1, 3, 2]
constexpr double slowest(hass::interleaving order) {
    std::vector<double> h;
    for (count_t z : {0, 3, 1, 2})
        for (count_t b = 0; b <= 4; ++b) h.push_back(b == z ? 1.0 : 0.0);
    auto s = hass::make_sparsity_stats(4, 4, h);
    s.order = order;
    return hass::slowest_stream_cycles(s, 1, 2);
}
static_assert(slowest(hass::interleaving::opt) == 2.5);   // (1 + 4)/2 = (2 + 3)/2
static_assert(slowest(hass::interleaving::naive) == 3.5); // channels 0, 2: (4 + 3)/2

// --- boards ------------------------------------------------------------------------
static_assert(hass::boards::catalog.size() == 13);
static_assert(hass::boards::zcu104::spec.budget == resources{1728, 230400, 460800, 624, 96});
static_assert(hass::boards::vc707::spec.budget.bram18 == 2060);
static_assert(hass::boards::kv260::spec.budget == resources{1248, 117120, 234240, 288, 64});
static_assert(hass::boards::find("u250")->budget.dsp == 12288);
static_assert(!hass::boards::find("nope").has_value());
static_assert(hass::boards::u250::spec.capped({0.5, 1.0, 1.0, 0.9}).dsp == 6144);   // 12288*0.5
static_assert(hass::boards::u250::spec.capped({0.5, 1.0, 1.0, 0.9}).bram18 == 4838); // floor(5376*0.9)

// --- a small network evaluated at compile time ---------------------------------------
// input 8x8x4 -> conv1 3x3 pad 1 (8) -> relu1 -> conv2 3x3 pad 1 (8) -> add(conv2, relu1)
//   -> max pool 2x2/2 -> fc 10; after build(): conv1, relu1, relu1.split, conv2, add, pool, fc
constexpr hass::network tiny() {
    hass::network_builder b{"tiny", {8, 8, 4}};
    auto x = b.conv(b.input(), "conv1", {.filters = 8, .kernel = 3, .pad = 1});
    auto r = b.relu(x, "relu1");
    auto y = b.conv(r, "conv2", {.filters = 8, .kernel = 3, .pad = 1});
    auto a = b.add(y, r, "add");
    auto p = b.max_pool(a, "pool", 2, 2);
    b.inner_product(p, "fc", 10);
    return std::move(b).build();
}

constexpr hass::design_report tiny_report() {
    const hass::network net = tiny();
    return hass::evaluate(net, hass::unit_folding(net), hass::boards::zcu104::spec);
}

static_assert(tiny().size() == 7);
static_assert(hass::network_problem(tiny()).empty());
// II = max(conv1 8*8*4*9*8 = 18,432, conv2 8*8*8*9*8 = 36,864, fc 128*10 = 1,280, others 512) = 36,864
static_assert(tiny_report().ii == 36864);
static_assert(tiny_report().bottleneck == 3);
// depth: conv1 387 + relu 1 + split 1 + conv2 763 + add 2 + pool 76 + fc 1277 = 2507
static_assert(tiny_report().pipeline_depth == 2507);
// DSP 3 (one multiplier in conv1, conv2, fc); BRAM18: conv1 2 (weights, line FIFO 40 x 32) + conv2 2
// (weights, line FIFO 80 x 32) + add 1 (skip FIFO of 766 - 3 + 64 = 827 words x 16 bits: 1 * ceil(827/1024))
// + pool 0 (line FIFO 64 x 16 = 1024 bits: LUTRAM) + fc 2 (1280 x 16 weights) = 7
static_assert(tiny_report().used.dsp == 3);
static_assert(tiny_report().used.bram18 == 7);
static_assert(tiny_report().layers[4].fifo_bram == 1);
static_assert(tiny_report().used == tiny_report().used_raw); // nothing moved to LUTRAM
static_assert(tiny_report().fits);
// throughput 200e6 / 36,864
static_assert(tiny_report().throughput() == 200e6 / 36864.0);

} // namespace static_tests
