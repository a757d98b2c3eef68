// Every hardware module: latency, pipeline depth and its cost figure, by hand.
//
// Latency and pipeline depth are hass's module model (MODEL.md). The figures
// are fpgaConvNet's chisel / linear-regression model as restated in
// RESOURCES.md, sections 2 and 3: for every raw type the feature vector x (in
// coefficient order) gives est = trunc(x0 c0 + x1 c1 + ...), summed left to
// right in binary64; LUT = logic + LUTRAM + shift registers; BRAM = 2 BRAM36 +
// BRAM18 (in BRAM18 units); then the module's overrides. Coefficients are
// those of /work/shared/fpgaconvnet_coefficients.json (= hass::cost::
// chisel_linear_regression); below they are quoted to 5-6 digits, zero
// coefficients are left out of the products, and every sum is the binary64
// value before truncation. Helpers (RESOURCES.md section 2):
//   lutq(D, W) = 0 if D = 0 or W = 0; ceil((W+1)/16) if D <= 32; ceil((W+1)/8) ceil(D/64) otherwise
//   bram(D, W, fifo) = 0 if D W <= 1024 or D <= 32, bram(D, W, memory) = 0 if D W < 1024,
//   otherwise ceil(W/a) ceil(D/e(a)) for the narrowest aspect a >= min(W, 36) of 1/2/4/9/18/36 bits
//   (e = 16384/8192/4096/2048/1024/512); dspmul(x, y) = ceil(x/18) ceil(y/27).
#include <catch2/catch.hpp>

#include <ostream>
#include <string>
#include <string_view>

#include "hass/modules/all.hpp"

using hass::count_t;
namespace m = hass::modules;

static_assert(hass::hardware_module<m::pad>);
static_assert(hass::hardware_module<m::sliding_window>);
static_assert(hass::hardware_module<m::squeeze>);
static_assert(hass::hardware_module<m::fork>);
static_assert(hass::hardware_module<m::vector_dot>);
static_assert(hass::hardware_module<m::sparse_vector_dot>);
static_assert(hass::hardware_module<m::accumulator>);
static_assert(hass::hardware_module<m::glue>);
static_assert(hass::hardware_module<m::bias>);
static_assert(hass::hardware_module<m::pool>);
static_assert(hass::hardware_module<m::activation>);
static_assert(hass::hardware_module<m::eltwise>);
static_assert(hass::hardware_module<m::concat>);
static_assert(hass::hardware_module<m::global_pool>);

namespace {

constexpr const hass::cost::coefficient_table& table = hass::cost::chisel_linear_regression;

/// The fields of a module figure a test checks, printable by Catch.
struct figure {
    count_t logic_lut = 0, lut_ram = 0, lut_sr = 0, ff = 0, lut = 0, bram = 0;
    double dsp = 0;
    friend bool operator==(const figure&, const figure&) = default;
    friend std::ostream& operator<<(std::ostream& os, const figure& f) {
        return os << "{logic " << f.logic_lut << ", lutram " << f.lut_ram << ", sr " << f.lut_sr << ", ff " << f.ff
                  << ", LUT " << f.lut << ", BRAM " << f.bram << ", DSP " << f.dsp << "}";
    }
};

template <class M>
figure cost_of(const M& mod) {
    const hass::cost::module_figure c = mod.cost(table);
    return {c.logic_lut, c.lut_ram, c.lut_sr, c.ff, c.lut, c.bram, c.dsp};
}

/// A constant module: only LUT, FF, DSP and BRAM.
figure constant(count_t lut, count_t ff, double dsp, count_t bram) { return {0, 0, 0, ff, lut, bram, dsp}; }

} // namespace

TEST_CASE("pad", "[modules]") {
    const m::pad p{8, 8, 16, 1, 1, 1, 1, 4, 16};
    CHECK(p.rows_out() == 10); // 8 + 1 + 1
    CHECK(p.cols_out() == 10);
    CHECK(p.latency() == 400.0); // 10*10*16/4
    CHECK(p.pipeline_depth() == 1);
    // fpgaConvNet's Pad is a constant 16 LUT, 35 FF per instance, whatever its size
    CHECK(cost_of(p) == constant(16, 35, 0, 0));
    CHECK_FALSE(p.cost(table).regressed);

    // asymmetric padding: 5x7 -> (5+0+2) x (7+3+1) = 7 x 11, 6 channels on 2 streams
    const m::pad q{5, 7, 6, 0, 1, 2, 3, 2, 8};
    CHECK(q.rows_out() == 7);
    CHECK(q.cols_out() == 11);
    CHECK(q.latency() == 231.0); // 7*11*6/2 = 462/2
    CHECK(cost_of(q) == constant(16, 35, 0, 0));
}

TEST_CASE("sliding window", "[modules]") {
    // 10x10 padded input, 16 channels on 4 streams, 3x3 stride 1
    const m::sliding_window sw{10, 10, 16, 3, 3, 1, 1, 4, 16};
    CHECK(sw.channels_per_stream() == 4); // 16/4
    CHECK(sw.rows_out() == 8);            // (10-3)/1 + 1
    CHECK(sw.cols_out() == 8);
    CHECK(sw.latency() == 400.0); // 10*10*4
    // ((kr-1)*cols + (kc-1)) * C/S + 1 = (2*10 + 2)*4 + 1 = 89
    CHECK(sw.pipeline_depth() == 89);
    // ch = 4, S = 4, d = 16, Sd = 64
    // line buffer: depth ch*cols = 40, width (kr-1) Sd = 128: 5120 bits > 1024, depth > 32:
    //   BRAM ceil(128/36) = 4 * ceil(40/512) = 1 -> 4 (no LUTRAM)
    CHECK(sw.line_buffer_bram() == 4);
    // window buffers: depth ch = 4 <= 32 -> LUTRAM, kr * lutq(4, (kc-1) Sd = 128) = 3 * ceil(129/16) = 3*9 = 27
    // frame: kr kc lutq(2, 64) = 9 * ceil(65/16) = 9*5 = 45
    // Logic_LUT [Sd, kr-1, kr(kc-1), Sd(kr-1), Sd kr(kc-1)] = [64, 2, 6, 128, 384]
    //   = 64*6.46841 + 128*3.92659 + 384*2.45084 = 1857.70494 -> 1857
    // LUT_RAM [0, 27, 45] = 45*14.2362 = 640.62859 -> 640 (reported, not in the LUT sum)
    // LUT_SR [1] = 1*0 -> 0
    // FF [bits(10), bits(10), bits(4), 64, 576, 9, 128, 384, 9, 1] = [4, 4, 2, ...]
    //   = 2*20.7715 + 128*5.21237 + 384*3.44021 = 2029.76525 -> 2029
    // LUT = 1857 + 0 + 0 (line) + 27 + 45 = 1929; BRAM = 4 + 0
    CHECK(cost_of(sw) == figure{1857, 640, 0, 2029, 1929, 4, 0});
}

TEST_CASE("sliding window buffers: BRAM and LUTRAM FIFO rules", "[modules]") {
    SECTION("58x58x64, 1 stream, 3x3: line and window buffers in BRAM") {
        const m::sliding_window sw{58, 58, 64, 3, 3, 1, 1, 1, 16};
        CHECK(sw.rows_out() == 56);                          // (58-3)/1 + 1
        CHECK(sw.pipeline_depth() == (2 * 58 + 2) * 64 + 1); // 118*64 + 1 = 7553
        // line buffer depth 64*58 = 3712, width 2*16 = 32: 36x512 -> 1 * ceil(3712/512) = 8
        CHECK(sw.line_buffer_bram() == 8);
        // window buffer depth 64 (> 32), width 32: 2048 bits > 1024 -> 1 * ceil(64/512) = 1, times kr = 3
        // frame 9 * lutq(2, 16) = 9 * ceil(17/16) = 18
        // Logic_LUT [16, 2, 6, 32, 96] = 16*6.46841 + 32*3.92659 + 96*2.45084 = 464.42623 -> 464
        // LUT_RAM [0, 0, 18] = 18*14.2362 = 256.25144 -> 256
        // FF [bits(58) = 6, 6, bits(64) = 6, 16, 144, 9, 32, 96, 9, 1]
        //   = 6*20.7715 + 32*5.21237 + 96*3.44021 = 621.68476 -> 621
        // LUT = 464 + 0 + 18 = 482; BRAM = 8 + 3 = 11
        CHECK(cost_of(sw) == figure{464, 256, 0, 621, 482, 11, 0});
    }
    SECTION("1x7 kernel: no line buffer, window buffer in LUTRAM") {
        // 2 streams: ch = 32/2 = 16, Sd = 32
        const m::sliding_window row{20, 20, 32, 1, 7, 1, 1, 2, 16};
        CHECK(row.cols_out() == 14); // (20-7)/1 + 1
        // line buffer width (1-1)*32 = 0: nothing
        CHECK(row.line_buffer_bram() == 0);
        // window buffer depth 16 (<= 32), width 6*32 = 192: LUTRAM 1 * ceil(193/16) = 13
        // frame 7 * lutq(2, 32) = 7 * ceil(33/16) = 21
        // Logic_LUT [32, 0, 6, 0, 192] = 32*6.46841 + 192*2.45084 = 677.55046 -> 677
        // LUT_RAM [0, 13, 21] = 21*14.2362 = 298.96001 -> 298
        // FF [bits(20) = 5, 5, bits(16) = 4, 32, 224, 7, 0, 192, 7, 1] = 4*20.7715 + 192*3.44021 = 743.60560 -> 743
        // LUT = 677 + 0 + 13 + 21 = 711
        CHECK(cost_of(row) == figure{677, 298, 0, 743, 711, 0, 0});
    }
    SECTION("stride 2: 7x7 over 230x230x3 (resnet18 conv1)") {
        const m::sliding_window stem{230, 230, 3, 7, 7, 2, 2, 1, 16};
        CHECK(stem.rows_out() == 112);     // (230-7)/2 + 1 = 111 + 1
        CHECK(stem.latency() == 158700.0); // 230*230*3
        // line buffer depth 3*230 = 690, width 6*16 = 96: ceil(96/36) = 3 * ceil(690/512) = 2 -> 6
        CHECK(stem.line_buffer_bram() == 6);
        // window buffers depth 3: 7 * lutq(3, 96) = 7 * ceil(97/16) = 7*7 = 49; frame 49 * lutq(2, 16) = 98
        // Logic_LUT [16, 6, 42, 96, 672] = 16*6.46841 + 96*3.92659 + 672*2.45084 = 2127.41273 -> 2127
        // LUT_RAM [0, 49, 98] = 98*14.2362 = 1395.14671 -> 1395
        // FF [bits(230) = 8, 8, bits(3) = 2, 16, 784, 49, 96, 672, 49, 1]
        //   = 2*20.7715 + 96*5.21237 + 672*3.44021 = 2853.74862 -> 2853
        // LUT = 2127 + 49 + 98 = 2274; BRAM 6
        CHECK(cost_of(stem) == figure{2127, 1395, 0, 2853, 2274, 6, 0});
    }
    SECTION("a line buffer of depth <= 32 is LUTRAM however wide") {
        // 6x6x20 on 4 streams: ch = 5, line depth 5*6 = 30, width 2*64 = 128 (3840 bits)
        const m::sliding_window sw{6, 6, 20, 3, 3, 1, 1, 4, 16};
        CHECK(sw.line_buffer_bram() == 0);
        // line LUTRAM lutq(30, 128) = ceil(129/16) = 9; windows 3 * lutq(5, 128) = 27; frame 45
        // Logic_LUT as in "sliding window" (same S, d, kernel): 1857
        // LUT_RAM [9, 27, 45] = 9*0.0730222 + 45*14.2362 = 641.28579 -> 641
        // FF [bits(6) = 3, 3, bits(5) = 3, 64, 576, 9, 128, 384, 9, 1] = 3*20.7715 + 128*5.21237 + 384*3.44021
        //   = 2050.53679 -> 2050
        // LUT = 1857 + 9 + 27 + 45 = 1938
        CHECK(cost_of(sw) == figure{1857, 641, 0, 2050, 1938, 0, 0});
    }
    SECTION("a FIFO of exactly 1024 bits is LUTRAM (a memory would be BRAM)") {
        // 8x8x8, 2x2, 1 stream: line depth 8*8 = 64, width 16: 1024 bits -> lutq(64, 16) = ceil(17/8) * 1 = 3
        const m::sliding_window sw{8, 8, 8, 2, 2, 1, 1, 1, 16};
        CHECK(hass::bram18_blocks(64, 16, hass::buffer_kind::memory) == 1); // 1024 is not < 1024
        CHECK(sw.line_buffer_bram() == 0);
        // windows 2 * lutq(8, 16) = 2 * ceil(17/16) = 4; frame 4 * lutq(2, 16) = 8
        // Logic_LUT [16, 1, 2, 16, 32] = 16*6.46841 + 16*3.92659 + 32*2.45084 = 244.74690 -> 244
        // LUT_RAM [3, 4, 8] = 3*0.0730222 + 8*14.2362 = 114.10859 -> 114
        // FF [bits(8) = 3, 3, bits(8) = 3, 16, 64, 4, 16, 32, 4, 1] = 3*20.7715 + 16*5.21237 + 32*3.44021
        //   = 255.79909 -> 255
        // LUT = 244 + 3 + 4 + 8 = 259
        CHECK(cost_of(sw) == figure{244, 114, 0, 255, 259, 0, 0});
    }
    SECTION("the line FIFO either side of depth 32") {
        // 3x3 over 8 padded cols, 4 channels, 1 stream: line depth 4*8 = 32, width 2*16 = 32 (1024 bits):
        // LUTRAM lutq(32, 32) = ceil(33/16) = 3 (a depth <= 32 costs one LUT per 16 bits)
        const m::sliding_window at32{8, 8, 4, 3, 3, 1, 1, 1, 16};
        CHECK(at32.line_buffer_bram() == 0);
        // windows 3 * lutq(4, 32) = 3 * 3 = 9; frame 9 * lutq(2, 16) = 18
        // Logic_LUT [16, 2, 6, 32, 96] = 464 (as above); LUT_RAM [3, 9, 18] = 3*0.0730222 + 18*14.2362
        //   = 256.47050 -> 256; FF [bits(8) = 3, 3, bits(4) = 2, 16, 144, 9, 32, 96, 9, 1]
        //   = 2*20.7715 + 32*5.21237 + 96*3.44021 = 538.59862 -> 538; LUT = 464 + 3 + 9 + 18 = 494
        CHECK(cost_of(at32) == figure{464, 256, 0, 538, 494, 0, 0});
        // 11 cols, 3 channels: depth 33 > 32 and 33*32 = 1056 bits > 1024: BRAM 1 * ceil(33/512) = 1
        const m::sliding_window at33{11, 11, 3, 3, 3, 1, 1, 1, 16};
        CHECK(at33.line_buffer_bram() == 1);
        // LUT_RAM [0, 9, 18] = 256.25144 -> 256; FF [4, 4, 2, ...] -> 538 (bits(3) = bits(4) = 2)
        // LUT = 464 + 0 + 9 + 18 = 491
        CHECK(cost_of(at33) == figure{464, 256, 0, 538, 491, 1, 0});
    }
    SECTION("a 1x1 window (stride 2) has only its frame register") {
        const m::sliding_window sw{56, 56, 64, 1, 1, 2, 2, 1, 16};
        CHECK(sw.rows_out() == 28);         // (56-1)/2 + 1
        CHECK(sw.pipeline_depth() == 1);    // (0 + 0)*64 + 1
        CHECK(sw.line_buffer_bram() == 0);  // width 0
        // frame 1 * lutq(2, 16) = 2; Logic_LUT [16, 0, 0, 0, 0] = 16*6.46841 = 103.49448 -> 103
        // LUT_RAM [0, 0, 2] = 28.47238 -> 28; FF [6, 6, 6, 16, 16, 1, 0, 0, 1, 1] = 6*20.7715 = 124.62921 -> 124
        // LUT = 103 + 2 = 105
        CHECK(cost_of(sw) == figure{103, 28, 0, 124, 105, 0, 0});
    }
}

TEST_CASE("squeeze", "[modules]") {
    // K = 9 lanes in, fine = 3 lanes out, 2 streams
    const m::squeeze s{1152, 9, 3, 2, 16};
    CHECK(s.buffer_words() == 9);   // lcm(9, 3)
    CHECK(s.latency() == 192.0);    // ceil(1152 / (min(9,3) * 2)) = 1152/6
    CHECK(s.pipeline_depth() == 4); // 9/3 + 1
    // i = 9, o = 3, S = 2, d = 16, Sd = 32: B = lcm(9, 3) = 9, q = 9/9 + 1 = 2
    // buffer: bram(2, 32, fifo) = 0 (depth <= 32) -> LUTRAM bl = 9 * lutq(2, 32) = 9 * ceil(33/16) = 27
    // Logic_LUT [B/i, Sd o B/o, B/i, B/o, i, o, Sd o, 1] = [1, 288, 1, 3, 9, 3, 96, 1]
    //   = 288*2.22689 + 9*235.586 + 96*3.29302 = 3077.74779 -> 3077
    // LUT_RAM [27] = 27*48.8293 = 1318.38983 -> 1318
    // FF [bits(1) = 0, 9, 96, 3, 3*bits(3) = 6, 1] = 9*15.8739 + 96*3.48486 + 6*5.69487 + 1084.90
    //   = 1596.48248 -> 1596
    // LUT = 3077 + 1318 = 4395
    CHECK(cost_of(s) == figure{3077, 1318, 0, 1596, 4395, 0, 0});

    // 4 -> 6 lanes, 1 stream, 8-bit
    const m::squeeze t{100, 4, 6, 1, 8};
    CHECK(t.buffer_words() == 12);  // lcm(4, 6)
    CHECK(t.latency() == 25.0);     // ceil(100 / 4)
    CHECK(t.pipeline_depth() == 3); // 12/6 + 1
    // B = 12, q = 12/4 + 1 = 4: LUTRAM 12 * lutq(4, 8) = 12 * ceil(9/16) = 12
    // Logic_LUT [3, 8*6*2 = 96, 3, 2, 4, 6, 48, 1] = 96*2.22689 + 4*235.586 + 48*3.29302 = 1314.19020 -> 1314
    // LUT_RAM [12] = 585.95104 -> 585
    // FF [bits(3) = 2, 12, 48, 6, 6*bits(2) = 6, 1] = 12*15.8739 + 48*3.48486 + 6*5.69487 + 1084.90
    //   = 1476.83097 -> 1476
    CHECK(cost_of(t) == figure{1314, 585, 0, 1476, 1899, 0, 0});

    // rounding up: 10 elements on 3 lanes -> ceil(10/3) = 4
    const m::squeeze u{10, 3, 4, 1, 16};
    CHECK(u.latency() == 4.0);
}

TEST_CASE("squeeze buffer: BRAM once a FIFO is deeper than 32 and wider than 1024 bits", "[modules]") {
    // 1 -> 32 lanes: B = 32 FIFOs of depth q = 32/1 + 1 = 33
    // 32-bit lanes: 33*32 = 1056 bits > 1024 and depth 33 > 32: bram(33, 32, fifo) = 1 * ceil(33/512) = 1,
    //   bb = 32 * 1 = 32 BRAM18 and no LUTRAM
    // Logic_LUT [32, 32*32*1 = 1024, 32, 1, 1, 32, 1024, 1] = 1024*2.22689 + 1*235.586 + 1024*3.29302
    //   = 5887.97088 -> 5887
    // LUT_RAM [0] -> 0; FF [bits(32) = 5, 32, 1024, 32, 32*bits(1) = 0, 1]
    //   = 32*15.8739 + 1024*3.48486 + 1084.90 = 5161.36291 -> 5161
    CHECK(cost_of(m::squeeze{64, 1, 32, 1, 32}) == figure{5887, 0, 0, 5161, 5887, 32, 0});
    // 16-bit lanes: 33*16 = 528 bits <= 1024: no BRAM, LUTRAM 32 * lutq(33, 16) = 32 * ceil(17/8) * 1 = 96
    // Logic_LUT [32, 512, 32, 1, 1, 32, 512, 1] = 512*2.22689 + 235.586 + 512*3.29302 = 3061.77843 -> 3061
    // LUT_RAM [96] = 96*48.8293 = 4687.60828 -> 4687
    // FF [5, 32, 512, 32, 0, 1] = 32*15.8739 + 512*3.48486 + 1084.90 = 3377.11488 -> 3377
    CHECK(cost_of(m::squeeze{64, 1, 32, 1, 16}) == figure{3061, 4687, 0, 3377, 7748, 0, 0});
}

TEST_CASE("fork", "[modules]") {
    const m::fork f{100, 3, 4, 2, 16};
    CHECK(f.latency() == 100.0);
    CHECK(f.pipeline_depth() == 1);
    // P = 3, c = 4, S = 2, d = 16: Logic_LUT [S P, Sd P, S P c, Sd P c, 1] = [6, 96, 24, 384, 1]
    //   = 96*0.4999999999999997 + 384*1.85e-18 + 5.000000000000004 = 52.99999999999998 -> 52
    //   (the fitted coefficients are an ulp or so off 0.5 and 5, which would give 53)
    // FF [S P, Sd P c, 1] = [6, 384, 1] = 6*11.999999999999998 + 3.0000000000000058 = 74.99999999999999 -> 74
    CHECK(cost_of(f) == figure{52, 0, 0, 74, 52, 0, 0});
    // only binary64 rounding gives the reference here (RESOURCES.md 1.1): P = 4, c = 2, S = 1, d = 16
    // FF [4, 128, 1]: 4*11.999999999999998 = 47.99999999999999, + 3.0000000000000058 rounds to 51.0 -> 51
    //   (the exact sum of the same products is 50.99999999999999... -> 50)
    // Logic_LUT [4, 64, 8, 128, 1] = 64*0.4999999999999997 + 128*1.85e-18 + 5.000000000000004
    //   = 36.999999999999986 -> 36
    CHECK(cost_of(m::fork{100, 4, 2, 1, 16}) == figure{36, 0, 0, 51, 36, 0, 0});
    // a split's fork: P = 1, c = 2, S = 1, d = 16: LUT [1, 16, 2, 32, 1] = 8 + 5 = 13.0 -> 13;
    // FF [1, 32, 1] = 12 + 3 = 15.000000000000004 -> 15
    CHECK(cost_of(m::fork{64, 1, 2, 1, 16}) == figure{13, 0, 0, 15, 13, 0, 0});
}

TEST_CASE("vector dot", "[modules]") {
    const m::vector_dot v{1000, 8, 3, 4, 16, 16, 32};
    CHECK(v.latency() == 1000.0);
    CHECK(v.pipeline_depth() == 6); // 3 + bits(3) = 2 + 1
    CHECK(v.multipliers() == 12);   // fine 3 * streams 4
    // F = 8, f = 3, S = 4, d = w = 16, a = 32
    // Logic_LUT [f, d, w, S d f, S w f, S a f, F, bits(F), 1] = [3, 16, 16, 192, 192, 384, 8, 3, 1]
    //   = 3*2.57126 + 384*0.972873 = 381.29689 -> 381
    // LUT_RAM [lutq(bits(3)+1 = 3, S a = 128) = ceil(129/16) = 9, 1] = 9*4.52465 = 40.72184 -> 40
    // LUT_SR [bits(f)+1 = 3] = 3*0.167737 = 0.50321 -> 0
    // FF [a, F, f, bits(F), bits(f)+1, S a f, S a, 1] = [32, 8, 3, 3, 3, 384, 128, 1]
    //   = 3*21.3686 + 384*1.48601 + 128*0.182025 = 658.03175 -> 658
    // DSP: regression [S f = 12] * 0.9999999999999994 = 11.99999999999999 -> 11, overridden by
    //   S f dspmul(16, 16) = 12 * 1 = 12 (no packing in the module: the layer packs)
    CHECK(cost_of(v) == figure{381, 40, 0, 658, 421, 0, 12});

    // 8-bit data and weights: the same 12 multipliers (the layer packs them two per DSP)
    // Logic_LUT, LUT_RAM, FF do not depend on d or w (zero coefficients): the same figure
    CHECK(cost_of(m::vector_dot{1000, 8, 3, 4, 8, 8, 32}) == figure{381, 40, 0, 658, 421, 0, 12});
    // dspmul is not symmetric: 19-bit data x 28-bit weights: ceil(19/18) * ceil(28/27) = 2*2 = 4 -> 12*4 = 48;
    // 28-bit data x 19-bit weights: ceil(28/18) * ceil(19/27) = 2*1 = 2 -> 24
    CHECK(m::vector_dot{1000, 8, 3, 4, 19, 28, 32}.cost(table).dsp == 48.0);
    CHECK(m::vector_dot{1000, 8, 3, 4, 28, 19, 32}.cost(table).dsp == 24.0);

    // fine = 1: no adder tree, depth 3 + 0 + 1 = 4
    const m::vector_dot one{10, 1, 1, 1, 16, 16, 32};
    CHECK(one.pipeline_depth() == 4);
    // Logic_LUT [1, 16, 16, 16, 16, 32, 1, 0, 1] = 2.57126 + 32*0.972873 = 33.70318 -> 33
    // LUT_RAM [lutq(1, 32) = ceil(33/16) = 3, 1] = 13.57395 -> 13; LUT_SR [1] = 0.16774 -> 0
    // FF [32, 1, 1, 0, 1, 32, 32, 1] = 21.3686 + 32*1.48601 + 32*0.182025 = 74.74564 -> 74
    // DSP 1 * 1 * dspmul(16, 16) = 1 (the regression alone would say trunc(0.9999999999999994) = 0)
    CHECK(cost_of(one) == figure{33, 13, 0, 74, 46, 0, 1});

    // fine = 25 (a 5x5 window at once): the shift registers reach one LUT
    const m::vector_dot wide{1000, 8, 25, 1, 16, 16, 32};
    CHECK(wide.pipeline_depth() == 9); // 3 + bits(25) = 5 + 1
    // Logic_LUT [25, 16, 16, 400, 400, 800, 8, 3, 1] = 25*2.57126 + 800*0.972873 = 842.57962 -> 842
    // LUT_RAM [lutq(bits(25)+1 = 6, 32) = 3, 1] = 13.57395 -> 13; LUT_SR [6] = 6*0.167737 = 1.00642 -> 1
    // FF [32, 8, 25, 3, 6, 800, 32, 1] = 6*21.3686 + 800*1.48601 + 32*0.182025 = 1322.84216 -> 1322
    // LUT = 842 + 13 + 1 = 856; DSP 25 * 1 = 25
    CHECK(cost_of(wide) == figure{842, 13, 1, 1322, 856, 0, 25});
}

TEST_CASE("sparse vector dot", "[modules]") {
    m::sparse_vector_dot d{100, 9, 4, 2, 16, 16, 32};
    CHECK(d.cycles_per_window == 1.0); // default
    d.cycles_per_window = 2.5;
    CHECK(d.latency() == 250.0);     // 100 * 2.5
    CHECK(d.pipeline_depth() == 10); // 3 + bits(2) = 1 + bits(9) = 4 + 2
    // F = 4, f = 2, d = w = 16, a = 32 (one lane)
    // Logic_LUT [f, d, w, d f, w f, a f, F, bits(F), 1] = [2, 16, 16, 32, 32, 64, 4, 2, 1]
    //   = 32*0.0743920 + 32*0.910098 + 64*0.0294941 + 4*0.00158840 = 33.39765 -> 33
    // LUT_RAM [lutq(bits(2)+3 = 4, 32) = ceil(33/16) = 3, 1] = 3*0.534851 + 15.0159 = 16.62047 -> 16
    // LUT_SR [bits(f)+1 = 2] = 0.40988 -> 0
    // FF [a, bits(F), bits(f)+1, a f, 1] = [32, 2, 2, 64, 1] = 2*33.0512 + 64*0.567977 = 102.45291 -> 102
    // DSP override f dspmul(16, 16) = 2
    CHECK(cost_of(d) == figure{33, 16, 0, 102, 49, 0, 2});
    // 8-bit: still 2 multipliers (packing is the layer's); Logic_LUT [2, 8, 8, 16, 16, 64, 4, 2, 1]
    //   = 16*0.0743920 + 16*0.910098 + 64*0.0294941 + 4*0.00158840 = 17.64581 -> 17
    CHECK(cost_of(m::sparse_vector_dot{100, 9, 4, 2, 8, 8, 32}) == figure{17, 16, 0, 102, 33, 0, 2});
    // fine 5 of 16x16: DSP override 5 * 1 = 5 (the regression [5] * 1.27101 = 6.355 would say 6)
    // Logic_LUT [5, 16, 16, 80, 80, 160, 4, 2, 1] = 80*0.0743920 + 80*0.910098 + 160*0.0294941 + 4*0.00158840
    //   = 83.48460 -> 83; LUT_SR [bits(5)+1 = 4] = 0.81975 -> 0
    // FF [32, 2, 4, 160, 1] = 4*33.0512 + 160*0.567977 = 223.08107 -> 223
    CHECK(cost_of(m::sparse_vector_dot{100, 9, 4, 5, 16, 16, 32}) == figure{83, 16, 0, 223, 99, 0, 5});
    // 19 x 28 bits: f dspmul = 2 * 2 * 2 = 8
    CHECK(m::sparse_vector_dot{100, 9, 4, 2, 19, 28, 32}.cost(table).dsp == 8.0);
    // fine 9 (all of a 3x3 window): Logic_LUT [9, 16, 16, 144, 144, 288, 4, 2, 1]
    //   = 144*0.0743920 + 144*0.910098 + 288*0.0294941 + 4*0.00158840 = 150.26719 -> 150
    // LUT_RAM [lutq(bits(9)+3 = 7, 32) = 3, 1] -> 16; LUT_SR [bits(9)+1 = 5] = 5*0.204938 = 1.02469 -> 1
    // FF [32, 2, 5, 288, 1] = 5*33.0512 + 288*0.567977 = 328.83328 -> 328
    // LUT = 150 + 16 + 1 = 167; DSP override 9 (the regression would say trunc(9*1.27101 = 11.44) = 11)
    CHECK(cost_of(m::sparse_vector_dot{100, 9, 4, 9, 16, 16, 32}) == figure{150, 16, 1, 328, 167, 0, 9});
}

TEST_CASE("accumulator", "[modules]") {
    const m::accumulator a{500, 8, 16, 2, 32};
    CHECK(a.latency() == 500.0);
    CHECK(a.pipeline_depth() == 113); // (8-1)*16 + 1
    // ch = 8, F = 16, S = 2, d = 32, Sd = 64
    // Logic_LUT [F, ch, Sd, S, bits(ch), bits(F), 1] = [16, 8, 64, 2, 3, 4, 1]
    //   = 16*0.853533 + 64*3.51036 = 238.31956 -> 238
    // LUT_RAM [lutq(2, 64) = ceil(65/16) = 5, Sd F = 1024, Sd = 64, S F = 32]
    //   = 5*13.6738 + 1024*0.0167831 + 64*0.925211 = 144.76836 -> 144
    // FF [d, Sd, bits(ch), bits(F), ch, F, 1] = [32, 64, 3, 4, 8, 16, 1]
    //   = 64*3.20979 + 8*0.00732597 + 16*0.288851 = 210.10702 -> 210
    // (the accumulation buffer is in the regression: no BRAM)
    CHECK(cost_of(a) == figure{238, 144, 0, 210, 382, 0, 0});

    const m::accumulator small{10, 4, 4, 1, 32};
    CHECK(small.pipeline_depth() == 13); // 3*4 + 1
    // Logic_LUT [4, 4, 32, 1, 2, 2, 1] = 4*0.853533 + 32*3.51036 = 115.74565 -> 115
    // LUT_RAM [lutq(2, 32) = 3, 128, 32, 4] = 3*13.6738 + 128*0.0167831 + 32*0.925211 = 72.77637 -> 72
    // FF [32, 32, 2, 2, 4, 4, 1] = 32*3.20979 + 4*0.00732597 + 4*0.288851 = 103.89811 -> 103
    CHECK(cost_of(small) == figure{115, 72, 0, 103, 187, 0, 0});
}

TEST_CASE("glue", "[modules]") {
    const m::glue g{200, 4, 2, 32};
    CHECK(g.latency() == 200.0);
    CHECK(g.pipeline_depth() == 3); // bits(4) + 1
    // n = 4, S = 2, d = 32, Sd = 64, bits(4) = 2
    // Logic_LUT [Sd n, Sd bits(n), n, 1] = [256, 128, 4, 1] = 256*1.26166 = 322.98391 -> 322
    // LUT_RAM [lutq(3, 64) = ceil(65/16) = 5, 1] = 5*8.87875 = 44.39374 -> 44
    // LUT_SR [2, 1] = 2*0.160899 + 0.195291 = 0.51709 -> 0
    // FF [n, Sd, bits(n), Sd 2^bits(n), Sd n, 1] = [4, 64, 2, 256, 256, 1]
    //   = 4*9.53751 + 64*0.360808 + 256*0.0510632 + 256*1.02805 = 337.49576 -> 337
    CHECK(cost_of(g) == figure{322, 44, 0, 337, 366, 0, 0});
    CHECK(m::glue{1, 3, 1, 32}.pipeline_depth() == 3); // bits(3) = 2, + 1
    CHECK(m::glue{1, 8, 1, 32}.pipeline_depth() == 4); // bits(8) = 3, + 1
    // n = 3, S = 1, d = 32: Logic_LUT [96, 64, 3, 1] = 96*1.26166 = 121.11897 -> 121
    // LUT_RAM [lutq(3, 32) = 3, 1] = 26.63624 -> 26
    // FF [3, 32, 2, 32*4 = 128, 96, 1] = 3*9.53751 + 32*0.360808 + 128*0.0510632 + 96*1.02805 = 145.38766 -> 145
    CHECK(cost_of(m::glue{1, 3, 1, 32}) == figure{121, 26, 0, 145, 147, 0, 0});
    // n = 64, S = 1, d = 32: bits(64) = 6; Logic_LUT [2048, 192, 64, 1] = 2048*1.26166 = 2583.87129 -> 2583
    // LUT_RAM [lutq(7, 32) = 3, 1] -> 26; LUT_SR [6, 1] = 6*0.160899 + 0.195291 = 1.16068 -> 1
    // FF [64, 32, 6, 32*64 = 2048, 2048, 1] = 64*9.53751 + 32*0.360808 + 2048*0.0510632 + 2048*1.02805
    //   = 2831.97879 -> 2831; LUT = 2583 + 26 + 1 = 2610
    const m::glue g64{1, 64, 1, 32};
    CHECK(g64.pipeline_depth() == 7); // bits(64) + 1
    CHECK(cost_of(g64) == figure{2583, 26, 1, 2831, 2610, 0, 0});
}

TEST_CASE("bias", "[modules]") {
    const m::bias b{300, 64, 4, 16, 32};
    CHECK(b.latency() == 300.0);
    CHECK(b.pipeline_depth() == 2);
    // adder: ch = 1, S = 4, d = 16 (the data width), Sd = 64
    // Logic_LUT [Sd] = 64*0.8124999999999999 = 51.99999999999999 -> 51
    // LUT_RAM [Sd ch] * 0 -> 0; FF [Sd, bits(1) = 0, 1] = 64*2.1874999999999996 = 139.99999999999997 -> 139
    // table: ceil(64/4) = 16 words of 4*32 = 128 bits (2048 bits, a memory):
    //   ceil(128/36) = 4 * ceil(16/512) = 1 -> 4 BRAM18
    CHECK(cost_of(b) == figure{51, 0, 0, 139, 51, 4, 0});

    const m::bias s{10, 8, 2, 16, 32};
    // adder Sd = 32: Logic_LUT 32*0.8125 = 25.999999999999996 -> 25; FF 32*2.1875 = 69.99999999999999 -> 69
    // table: 4 words of 64 bits = 256 bits < 1024: no BRAM (a bias table costs no LUTRAM in the model)
    CHECK(cost_of(s) == figure{25, 0, 0, 69, 25, 0, 0});
    // a table of exactly 1024 bits is a memory (not < 1024), so BRAM: 32 filters on 1 stream,
    // 32 words of 32 bits -> ceil(32/36) = 1 * ceil(32/512) = 1
    CHECK(m::bias{10, 32, 1, 16, 32}.cost(table).bram == 1);
}

TEST_CASE("pool", "[modules]") {
    const m::pool mx{256, 9, 0, 2, 16};
    CHECK(mx.latency() == 256.0);
    CHECK(mx.pipeline_depth() == 5); // bits(9) + 1
    // K = 9 (the module passes kr = 9, kc = 1: their coefficients are 0), S = 2, d = 16, Sd = 32
    // Logic_LUT [K, Sd K, Sd bits(K), kr, kc, 1] = [9, 288, 128, 9, 1, 1] = 9*2.50476 + 288*0.885226
    //   = 277.48806 -> 277
    // LUT_RAM [lutq(bits(9)+1 = 5, 32) = ceil(33/16) = 3, 1] = 3*7.999999999999963 + 5.97e-15
    //   = 23.999999999999893 -> 23
    // FF [Sd, Sd K, bits(K), 1] = [32, 288, 4, 1] = 32*0.186720 + 288*2.15676 + 4*5.37207 = 648.61013 -> 648
    CHECK(cost_of(mx) == figure{277, 23, 0, 648, 300, 0, 0});

    const m::pool avg{256, 4, 1, 2, 16};
    CHECK(avg.pipeline_depth() == 3); // bits(4) + 1
    // the same model for max and average (no DSP): K = 4
    // Logic_LUT [4, 128, 64, 4, 1, 1] = 4*2.50476 + 128*0.885226 = 123.32802 -> 123
    // LUT_RAM [lutq(3, 32) = 3, 1] -> 23; FF [32, 128, 2, 1] = 32*0.186720 + 128*2.15676 + 2*5.37207
    //   = 292.78443 -> 292
    CHECK(cost_of(avg) == figure{123, 23, 0, 292, 146, 0, 0});
}

TEST_CASE("activations", "[modules]") {
    using k = m::activation_kind;
    // 1000 words on 4 streams of 16 bits; fpgaConvNet's constants per lane
    const m::activation relu{1000, k::relu, 4, 16};
    CHECK(relu.latency() == 1000.0);
    CHECK(relu.pipeline_depth() == 1);
    CHECK(cost_of(relu) == constant(64, 140, 0, 0)); // 4 * (16 LUT, 35 FF)

    // ReLU6 (clamp to [0, 6]) is costed as ReLU
    const m::activation relu6{1000, k::relu6, 4, 16};
    CHECK(relu6.latency() == 1000.0);
    CHECK(relu6.pipeline_depth() == 1);
    CHECK(cost_of(relu6) == cost_of(relu));

    const m::activation thr{1000, k::thresholded_relu, 4, 16};
    CHECK(thr.latency() == 1000.0);
    CHECK(thr.pipeline_depth() == 1);
    CHECK(cost_of(thr) == constant(64, 140, 0, 0)); // as ReLU

    const m::activation hsig{1000, k::hardsigmoid, 4, 16};
    CHECK(hsig.latency() == 1000.0);
    CHECK(hsig.pipeline_depth() == 1);
    // no reference model: ReLU's constants plus one DSP (the 1/6 scale) per lane
    CHECK(cost_of(hsig) == constant(64, 140, 4, 0));

    const m::activation hsw{1000, k::hardswish, 4, 16};
    CHECK(hsw.latency() == 1000.0);
    CHECK(hsw.pipeline_depth() == 5); // 3 + 2
    CHECK(cost_of(hsw) == constant(64, 140, 20, 0)); // 4 * (16, 35, 5 DSP)

    const m::activation sig{1000, k::sigmoid, 4, 16};
    CHECK(sig.latency() == 1000.0);
    CHECK(sig.pipeline_depth() == 3);
    // no reference model: ReLU's constants plus a 16-LUT table per output bit: 4 * (16 + 16*16) = 1088
    CHECK(cost_of(sig) == constant(1088, 140, 0, 0));

    // 8-bit hardswish: 5 DSP per lane, no packing: 20
    CHECK(cost_of(m::activation{1000, k::hardswish, 4, 8}) == constant(64, 140, 20, 0));
}

TEST_CASE("eltwise add, mul and broadcast", "[modules]") {
    // 500 words, 2 ports, 32 channels, 4 streams of 16 bits: per lane 49 LUT, 23 FF (+1 DSP for a multiply)
    const m::eltwise add{500, 2, 0, 0, 32, 4, 16};
    CHECK(add.latency() == 500.0);
    CHECK(add.pipeline_depth() == 2);
    CHECK(cost_of(add) == constant(196, 92, 0, 0)); // 4*49, 4*23

    // the constant does not depend on the number of ports
    CHECK(cost_of(m::eltwise{500, 3, 0, 0, 32, 4, 16}) == constant(196, 92, 0, 0));

    const m::eltwise mul{500, 2, 1, 0, 32, 4, 16};
    CHECK(mul.pipeline_depth() == 4); // 3 + 1
    CHECK(cost_of(mul) == constant(196, 92, 4, 0)); // 1 DSP per lane

    // broadcast: per lane a FIFO of depth 32/4 = 8, width 16: 128 bits, depth <= 32 -> no BRAM
    CHECK(cost_of(m::eltwise{500, 2, 1, 1, 32, 4, 16}) == constant(196, 92, 4, 0));
    // 512 channels: depth 128 (> 32), 2048 bits (> 1024): aspect 18x1024: ceil(16/18) * ceil(128/1024) = 1,
    // times 4 lanes = 4 BRAM18
    CHECK(cost_of(m::eltwise{500, 2, 1, 1, 512, 4, 16}) == constant(196, 92, 4, 4));
    // a broadcast add keeps the FIFO, without the DSP
    CHECK(cost_of(m::eltwise{500, 2, 0, 1, 512, 4, 16}) == constant(196, 92, 0, 4));
    // 256 channels: depth 64, exactly 1024 bits: a FIFO that small is LUTRAM -> 0
    CHECK(cost_of(m::eltwise{500, 2, 1, 1, 256, 4, 16}) == constant(196, 92, 4, 0));
    // 64-bit words, depth 32: 2048 bits but depth <= 32 -> 0
    CHECK(cost_of(m::eltwise{500, 2, 1, 1, 128, 4, 64}) == constant(196, 92, 4, 0));
}

TEST_CASE("concat", "[modules]") {
    const m::concat c{600, 3, 2, 16};
    CHECK(c.latency() == 600.0);
    CHECK(c.pipeline_depth() == 1);
    // fpgaConvNet's Concat costs nothing (its FIFOs are the partition's)
    CHECK(cost_of(c) == figure{});
    CHECK(cost_of(m::concat{600, 5, 2, 16}) == figure{});
}

TEST_CASE("global pool", "[modules]") {
    const m::global_pool g{7, 7, 512, 1, 4, 16, 32};
    CHECK(g.latency() == 6272.0);      // 7*7*512/4 = 25088/4
    CHECK(g.pipeline_depth() == 6272); // the whole map
    // one GlobalPool per lane: R = K_c = 7, ch = 512/4 = 128, d = 16, a = 32
    // Logic_LUT [a, d, bits(ch), bits(R K_c), 1] = [32, 16, 7, 6, 1] = 32*28.1439 = 900.60507 -> 900
    // LUT_RAM [lutq(4, 16) = ceil(17/16) = 2] = 2*8.000000000000002 = 16.000000000000004 -> 16
    // FF [d, bits(ch), bits(49), a ch, 1] = [16, 7, 6, 4096, 1] = 4096*0.641057 = 2625.76800 -> 2625
    // DSP override dspmul(16, 32) = 1 * 2 = 2
    // times 4 lanes: logic 3600, LUTRAM 64, FF 10500, LUT 4 * 916 = 3664, DSP 8
    const auto c = g.cost(table);
    CHECK(c.lut == 3664);
    CHECK(c.ff == 10500);
    CHECK(c.dsp == 8.0);
    CHECK(c.bram == 0);
    // max pooling: the same model
    const auto mx = m::global_pool{7, 7, 512, 0, 4, 16, 32}.cost(table);
    CHECK(mx.lut == 3664);
    CHECK(mx.ff == 10500);
    CHECK(mx.dsp == 8.0);
    // one lane, 8 channels of a 1x1 map: bits(1) = 0 is fine; a ch = 256
    // Logic_LUT 32*28.1439 = 900; FF 256*0.641057 = 164.11050 -> 164; LUT 900 + 16 = 916
    const auto one = m::global_pool{1, 1, 8, 1, 1, 16, 32}.cost(table);
    CHECK(one.lut == 916);
    CHECK(one.ff == 164);
    CHECK(one.dsp == 2.0);
}

TEST_CASE("a figure needing bits(0) is undefined", "[modules]") {
    // accumulator with 0 channels: bits(ch = 0) is undefined in the reference
    CHECK(m::accumulator{10, 0, 4, 1, 32}.cost(table).undefined);
    CHECK_FALSE(m::accumulator{10, 1, 4, 1, 32}.cost(table).undefined);
    // every regressed figure says so
    CHECK(m::accumulator{10, 1, 4, 1, 32}.cost(table).regressed);
    CHECK_FALSE(m::eltwise{500, 2, 0, 0, 32, 4, 16}.cost(table).regressed);
}

TEST_CASE("modules list their parameters by name", "[modules]") {
    std::string names;
    hass::count_t sum = 0;
    hass::for_each_parameter(m::glue{200, 4, 2, 32}, [&](std::string_view n, hass::count_t v) {
        names += n;
        names += ',';
        sum += v;
    });
    CHECK(names == "words,coarse_in,streams,acc_width,");
    CHECK(sum == 238); // 200 + 4 + 2 + 32
    CHECK(m::glue::name == "glue");
    CHECK(m::sparse_vector_dot::name == "sparse_vector_dot");
}
