// Every hardware module: latency, pipeline depth and resources, by hand.
//
// LUT and FF follow the cost table of hass/resources/cost_model.hpp, whose values
// are used here as written there:
//   lut_per_adder_bit = lut_per_compare_bit = lut_per_mux4_bit = lut_per_mux2_bit = 1,
//   control_lut = 24, control_ff = 16, counter_lut_per_bit = 2, counter_ff_per_bit = 1,
//   ff_per_register_bit = 1, multiplier_latency = 3, lut_per_table_bit = 16,
//   mux_luts_per_bit(n) = n <= 1 ? 0 : ceil((n - 1) / 3).
// control_logic(b1, b2, ...) with cb = sum bits(bi) costs LUT 24 + 2*cb, FF 16 + cb.
// DSP and BRAM follow MODEL.md's rules (see test_math_memory.cpp).
#include <catch2/catch.hpp>

#include <string_view>

#include "hass/modules/all.hpp"

using hass::resources;
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

TEST_CASE("cost table helpers", "[modules]") {
    CHECK(hass::cost::mux_luts_per_bit(1) == 0);
    CHECK(hass::cost::mux_luts_per_bit(2) == 1); // ceil(1/3)
    CHECK(hass::cost::mux_luts_per_bit(4) == 1); // ceil(3/3)
    CHECK(hass::cost::mux_luts_per_bit(5) == 2); // ceil(4/3)
    CHECK(hass::cost::mux_luts_per_bit(9) == 3); // ceil(8/3)
    // control_logic(10, 10, 4): bits 4 + 4 + 2 = 10 -> LUT 24 + 20 = 44, FF 16 + 10 = 26
    CHECK(hass::detail::control_logic(10, 10, 4) == resources{0, 44, 26, 0, 0});
    CHECK(hass::detail::control_logic(1) == resources{0, 24, 16, 0, 0}); // bits(1) = 0
}

TEST_CASE("pad", "[modules]") {
    const m::pad p{8, 8, 16, 1, 1, 1, 1, 4, 16};
    CHECK(p.rows_out() == 10); // 8 + 1 + 1
    CHECK(p.cols_out() == 10);
    CHECK(p.latency() == 400.0); // 10*10*16/4
    CHECK(p.pipeline_depth() == 1);
    // control(10, 10, 16/4 = 4): 10 bits -> 44 / 26; lane bits 4*16 = 64
    // LUT 44 + 64 (zero insertion) = 108; FF 26 + 64 (output register) = 90
    CHECK(p.resources() == resources{0, 108, 90, 0, 0});

    // asymmetric padding: 5x7 -> (5+0+2) x (7+3+1) = 7 x 11, 6 channels on 2 streams
    const m::pad q{5, 7, 6, 0, 1, 2, 3, 2, 8};
    CHECK(q.rows_out() == 7);
    CHECK(q.cols_out() == 11);
    CHECK(q.latency() == 231.0); // 7*11*6/2 = 462/2
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
    // line buffer: depth (C/S)*Wp = 4*10 = 40, width (kr-1)*S*w = 2*4*16 = 128:
    // 5120 bits -> 36x512: ceil(128/36) = 4 * ceil(40/512) = 1 -> 4 BRAM18
    CHECK(sw.line_buffer() == resources{0, 0, 0, 4, 0});
    // window buffer: depth C/S = 4, width (kc-1)*S*w = 128: 512 bits -> LUTRAM ceil(4/64)*128 = 128
    CHECK(sw.window_buffer() == resources{0, 128, 0, 0, 0});
    // control(10, 10, 4): 44 / 26; window bits = S*w*kr*kc = 4*16*9 = 576
    // LUT 44 + 576 + 3*128 (kr window buffers) = 1004; FF 26 + 576 = 602; BRAM 4
    CHECK(sw.resources() == resources{0, 1004, 602, 4, 0});
}

TEST_CASE("sliding window buffer sizes follow MODEL.md", "[modules]") {
    // 58x58 padded, 64 channels, 1 stream, 3x3
    const m::sliding_window sw{58, 58, 64, 3, 3, 1, 1, 1, 16};
    // line buffer depth (C/S)*Wp = 64*58 = 3712, width (kr-1)*S*w = 2*1*16 = 32:
    // 36x512 aspect: 1 * ceil(3712/512) = 8
    CHECK(sw.line_buffer().bram18 == 8);
    // window buffer depth C/S = 64, width (kc-1)*S*w = 32: 2048 bits -> 1 * ceil(64/512) = 1
    CHECK(sw.window_buffer().bram18 == 1);
    // kr = 3 window buffers: 8 + 3*1 = 11 BRAM18 in total
    CHECK(sw.resources().bram18 == 11);
    CHECK(sw.rows_out() == 56);                          // (58-3)/1 + 1
    CHECK(sw.pipeline_depth() == (2 * 58 + 2) * 64 + 1); // 118*64 + 1 = 7553

    // 1x7 kernel (kr = 1): no line buffer; window buffer width (7-1)*2*16 = 192, depth 32/2 = 16:
    // 3072 bits -> ceil(192/36) = 6 (36*5 = 180) * 1 = 6 BRAM18
    const m::sliding_window row{20, 20, 32, 1, 7, 1, 1, 2, 16};
    CHECK(row.line_buffer() == resources{}); // width (1-1)*... = 0
    CHECK(row.window_buffer().bram18 == 6);
    CHECK(row.resources().bram18 == 6); // 0 + 1 * 6
    CHECK(row.cols_out() == 14);        // (20-7)/1 + 1

    // stride 2: 7x7 over 230x230x3 (resnet18 conv1)
    const m::sliding_window stem{230, 230, 3, 7, 7, 2, 2, 1, 16};
    CHECK(stem.rows_out() == 112);           // (230-7)/2 + 1 = 111 + 1
    CHECK(stem.latency() == 158700.0);       // 230*230*3
    // line buffer depth 3*230 = 690, width 6*16 = 96: ceil(96/36) = 3 * ceil(690/512) = 2 -> 6
    CHECK(stem.line_buffer().bram18 == 6);
    // window buffer depth 3, width 96: 288 bits -> LUTRAM 1 * 96 = 96 LUTs each
    CHECK(stem.window_buffer() == resources{0, 96, 0, 0, 0});
}

TEST_CASE("squeeze", "[modules]") {
    // K = 9 lanes in, fine = 3 lanes out, 2 streams
    const m::squeeze s{1152, 9, 3, 2, 16};
    CHECK(s.buffer_words() == 9);   // lcm(9, 3)
    CHECK(s.latency() == 192.0);    // ceil(1152 / (min(9,3) * 2)) = 1152/6
    CHECK(s.pipeline_depth() == 4); // 9/3 + 1
    // control(9/9 = 1, 9/3 = 3): 0 + 2 = 2 bits -> 28 / 18; lane bits 2*16 = 32
    // FF 18 + 32*9 = 306; LUT 28 + 32 * 3 (lanes out) * mux(3) = 1 -> 28 + 96 = 124
    CHECK(s.resources() == resources{0, 124, 306, 0, 0});

    // 4 -> 6 lanes, 1 stream, 8-bit
    const m::squeeze t{100, 4, 6, 1, 8};
    CHECK(t.buffer_words() == 12);  // lcm(4, 6)
    CHECK(t.latency() == 25.0);     // ceil(100 / 4)
    CHECK(t.pipeline_depth() == 3); // 12/6 + 1
    // control(12/4 = 3, 12/6 = 2): 2 + 1 = 3 bits -> 30 / 19; lane bits 8
    // FF 19 + 8*12 = 115; LUT 30 + 8 * 6 * mux(2) = 1 -> 78
    CHECK(t.resources() == resources{0, 78, 115, 0, 0});

    // rounding up: 10 elements on 3 lanes -> ceil(10/3) = 4
    const m::squeeze u{10, 3, 4, 1, 16};
    CHECK(u.latency() == 4.0);
}

TEST_CASE("fork", "[modules]") {
    const m::fork f{100, 3, 4, 2, 16};
    CHECK(f.latency() == 100.0);
    CHECK(f.pipeline_depth() == 1);
    // control(4): 2 bits -> 28 / 18; word bits = streams*width*w = 2*3*16 = 96
    // FF 18 + 96*4 = 402; LUT 28 + 24*(4-1) = 100
    CHECK(f.resources() == resources{0, 100, 402, 0, 0});
}

TEST_CASE("vector dot", "[modules]") {
    const m::vector_dot v{1000, 8, 3, 4, 16, 16, 32};
    CHECK(v.latency() == 1000.0);
    CHECK(v.pipeline_depth() == 6); // 3 + bits(3) = 2 + 1
    CHECK(v.multipliers() == 12);   // fine 3 * streams 4
    // control(8): 3 bits -> 30 / 19; DSP 12 * 1 (16x16)
    // LUT 30 + aw*(fine-1)*streams = 30 + 32*2*4 = 286
    // FF 19 + streams*(fine*(w+ww) + aw*(bits(fine)+1)) = 19 + 4*(3*32 + 32*3) = 19 + 768 = 787
    CHECK(v.resources() == resources{12, 286, 787, 0, 0});

    // 8-bit data and weights: two multipliers per DSP, ceil(12/2) = 6; 4-bit: ceil(12/4) = 3
    CHECK(m::vector_dot{1000, 8, 3, 4, 8, 8, 32}.resources().dsp == 6);
    CHECK(m::vector_dot{1000, 8, 3, 4, 4, 4, 32}.resources().dsp == 3);
    // fine = 1: no adder tree, depth 3 + 0 + 1 = 4
    const m::vector_dot one{10, 1, 1, 1, 16, 16, 32};
    CHECK(one.pipeline_depth() == 4);
    // control(1): 24 / 16; LUT 24 + 0; FF 16 + 1*(1*32 + 32*1) = 80
    CHECK(one.resources() == resources{1, 24, 80, 0, 0});
}

TEST_CASE("sparse vector dot", "[modules]") {
    m::sparse_vector_dot d{100, 9, 4, 2, 16, 16, 32};
    CHECK(d.cycles_per_window == 1.0); // default
    d.cycles_per_window = 2.5;
    CHECK(d.latency() == 250.0);     // 100 * 2.5
    CHECK(d.pipeline_depth() == 10); // 3 + bits(2) = 1 + bits(9) = 4 + 2
    // control(4, 9): 2 + 4 = 6 bits -> 36 / 22; DSP = fine = 2; pair bits 32
    // LUT 36 + 9*2 (zero detect) + 2*32*mux(9) = 3 -> 192 + 32*2 (adders) = 36+18+192+64 = 310
    // FF 22 + 9*32 + 2*32 + 32*(bits(2)+2) = 22 + 288 + 64 + 96 = 470
    CHECK(d.resources() == resources{2, 310, 470, 0, 0});
    // 8-bit: ceil(2/2) = 1 DSP
    CHECK(m::sparse_vector_dot{100, 9, 4, 2, 8, 8, 32}.resources().dsp == 1);
    // fine 5 of 16x16: 5 DSP
    CHECK(m::sparse_vector_dot{100, 9, 4, 5, 16, 16, 32}.resources().dsp == 5);
}

TEST_CASE("accumulator", "[modules]") {
    const m::accumulator a{500, 8, 16, 2, 32};
    CHECK(a.latency() == 500.0);
    CHECK(a.pipeline_depth() == 113); // (8-1)*16 + 1
    // buffer: 16 words of 2*32 = 64 bits = 1024 bits (not < 1024): ceil(64/36) = 2 * 1 = 2 BRAM18
    CHECK(a.buffer() == resources{0, 0, 0, 2, 0});
    // control(8, 16): 3 + 4 = 7 bits -> 38 / 23; LUT 38 + 32*2 = 102; FF 23 + 64 = 87
    CHECK(a.resources() == resources{0, 102, 87, 2, 0});

    const m::accumulator small{10, 4, 4, 1, 32};
    CHECK(small.pipeline_depth() == 13); // 3*4 + 1
    // buffer 4 x 32 = 128 bits -> LUTRAM 1 * 32 = 32 LUTs
    // control(4, 4): 4 bits -> 32 / 20; LUT 32 + 32 + 32 = 96; FF 20 + 32 = 52
    CHECK(small.resources() == resources{0, 96, 52, 0, 0});
}

TEST_CASE("glue", "[modules]") {
    const m::glue g{200, 4, 2, 32};
    CHECK(g.latency() == 200.0);
    CHECK(g.pipeline_depth() == 3); // bits(4) + 1
    // control(4): 28 / 18; LUT 28 + 32*(4-1)*2 = 220; FF 18 + 32*2*(2+1) = 210
    CHECK(g.resources() == resources{0, 220, 210, 0, 0});
    CHECK(m::glue{1, 3, 1, 32}.pipeline_depth() == 3); // bits(3) = 2, + 1
    CHECK(m::glue{1, 8, 1, 32}.pipeline_depth() == 4); // bits(8) = 3, + 1
}

TEST_CASE("bias", "[modules]") {
    const m::bias b{300, 64, 4, 16, 32};
    CHECK(b.latency() == 300.0);
    CHECK(b.pipeline_depth() == 2);
    // table: ceil(64/4) = 16 words of 4*32 = 128 bits (2048): ceil(128/36) = 4 * 1 = 4 BRAM18
    CHECK(b.table() == resources{0, 0, 0, 4, 0});
    // control(16): 4 bits -> 32 / 20; LUT 32 + 32*4 = 160; FF 20 + 16*4 = 84
    CHECK(b.resources() == resources{0, 160, 84, 4, 0});

    const m::bias s{10, 8, 2, 16, 32};
    // table: 4 words of 64 bits = 256 -> LUTRAM 1 * 64 = 64 LUTs
    // control(4): 28 / 18; LUT 28 + 32*2 + 64 = 156; FF 18 + 16*2 = 50
    CHECK(s.resources() == resources{0, 156, 50, 0, 0});
}

TEST_CASE("pool", "[modules]") {
    const m::pool mx{256, 9, 0, 2, 16};
    CHECK(mx.latency() == 256.0);
    CHECK(mx.pipeline_depth() == 5); // bits(9) + 1
    // control(9): 4 bits -> 32 / 20; max: reduce bits 16, (compare + mux) per bit
    // LUT 32 + 2*16*(9-1)*2 = 32 + 512 = 544; FF 20 + 16*2*(4+1) = 180
    CHECK(mx.resources() == resources{0, 544, 180, 0, 0});

    const m::pool avg{256, 4, 1, 2, 16};
    CHECK(avg.pipeline_depth() == 3); // bits(4) + 1
    // control(4): 28 / 18; reduce bits 16 + bits(4) = 18
    // LUT 28 + 1*18*(4-1)*2 = 136; FF 18 + 18*2*(2+1) = 126; DSP 2 * dsp(18x16) = 2
    CHECK(avg.resources() == resources{2, 136, 126, 0, 0});
}

TEST_CASE("activations", "[modules]") {
    using k = m::activation_kind;
    // 1000 words, 4 streams of 16 bits: control(1000): 10 bits -> 44 / 26; lane bits 64
    // FF 26 + 64 = 90 for every kind except hardswish
    const m::activation relu{1000, k::relu, 4, 16};
    CHECK(relu.latency() == 1000.0);
    CHECK(relu.pipeline_depth() == 1);
    CHECK(relu.resources() == resources{0, 108, 90, 0, 0}); // LUT 44 + 64

    // ReLU6 (clamp to [0, 6]) is costed as ReLU
    const m::activation relu6{1000, k::relu6, 4, 16};
    CHECK(relu6.latency() == 1000.0);
    CHECK(relu6.pipeline_depth() == 1);
    CHECK(relu6.resources() == relu.resources());

    const m::activation thr{1000, k::thresholded_relu, 4, 16};
    CHECK(thr.latency() == 1000.0);
    CHECK(thr.pipeline_depth() == 1);
    CHECK(thr.resources() == resources{0, 172, 90, 0, 0}); // LUT 44 + (1+1)*64

    const m::activation hsig{1000, k::hardsigmoid, 4, 16};
    CHECK(hsig.latency() == 1000.0);
    CHECK(hsig.pipeline_depth() == 1);
    // LUT 44 + (1 + 2*1)*64 = 236; DSP 4 multipliers of 16x16 = 4
    CHECK(hsig.resources() == resources{4, 236, 90, 0, 0});

    const m::activation hsw{1000, k::hardswish, 4, 16};
    CHECK(hsw.latency() == 1000.0);
    CHECK(hsw.pipeline_depth() == 5); // 3 + 2
    // LUT 236; DSP 2*4 = 8; FF 90 + 64*3 = 282
    CHECK(hsw.resources() == resources{8, 236, 282, 0, 0});

    const m::activation sig{1000, k::sigmoid, 4, 16};
    CHECK(sig.latency() == 1000.0);
    CHECK(sig.pipeline_depth() == 3);
    CHECK(sig.resources() == resources{0, 1068, 90, 0, 0}); // LUT 44 + 16*64

    // 8-bit hardswish: 2*4 = 8 multipliers packed by two: 4 DSP
    CHECK(m::activation{1000, k::hardswish, 4, 8}.resources().dsp == 4);
}

TEST_CASE("eltwise add, mul and broadcast", "[modules]") {
    // 500 words, 2 ports, 32 channels, 4 streams: control(500): bits(500) = 9 -> 42 / 25; lane bits 64
    const m::eltwise add{500, 2, 0, 0, 32, 4, 16};
    CHECK(add.latency() == 500.0);
    CHECK(add.pipeline_depth() == 2);
    CHECK(add.channel_buffer() == resources{});
    // LUT 42 + 64*(2-1) = 106; FF 25 + 64*2 = 153
    CHECK(add.resources() == resources{0, 106, 153, 0, 0});

    const m::eltwise add3{500, 3, 0, 0, 32, 4, 16};
    // LUT 42 + 64*2 = 170; FF 25 + 64*3 = 217
    CHECK(add3.resources() == resources{0, 170, 217, 0, 0});

    const m::eltwise mul{500, 2, 1, 0, 32, 4, 16};
    CHECK(mul.pipeline_depth() == 4); // 3 + 1
    // DSP 4*(2-1) = 4; LUT 42; FF 153
    CHECK(mul.resources() == resources{4, 42, 153, 0, 0});

    const m::eltwise bcast{500, 2, 1, 1, 32, 4, 16};
    // channel buffer 32/4 = 8 words of 64 bits = 512 -> LUTRAM 1*64 = 64 LUTs
    CHECK(bcast.channel_buffer() == resources{0, 64, 0, 0, 0});
    CHECK(bcast.resources() == resources{4, 106, 153, 0, 0}); // LUT 42 + 64

    const m::eltwise big{500, 2, 1, 1, 512, 4, 16};
    // 128 words of 64 bits (8192): ceil(64/36) = 2 * ceil(128/512) = 1 -> 2 BRAM18
    CHECK(big.channel_buffer() == resources{0, 0, 0, 2, 0});
}

TEST_CASE("concat", "[modules]") {
    const m::concat c{600, 3, 2, 16};
    CHECK(c.latency() == 600.0);
    CHECK(c.pipeline_depth() == 1);
    // control(3, 600): 2 + 10 = 12 bits -> 48 / 28; lane bits 32
    // LUT 48 + 32*mux(3) = 1 -> 80; FF 28 + 32 = 60
    CHECK(c.resources() == resources{0, 80, 60, 0, 0});
    // 5 ports: control(5, 600): 3 + 10 = 13 -> 50 / 29; LUT 50 + 32*mux(5) = 2 -> 114; FF 29 + 32 = 61
    CHECK(m::concat{600, 5, 2, 16}.resources() == resources{0, 114, 61, 0, 0});
}

TEST_CASE("global pool", "[modules]") {
    const m::global_pool g{7, 7, 512, 1, 4, 16, 32};
    CHECK(g.latency() == 6272.0);      // 7*7*512/4 = 25088/4
    CHECK(g.pipeline_depth() == 6272); // the whole map
    // buffer: 512/4 = 128 words of 4*32 = 128 bits: ceil(128/36) = 4 * ceil(128/512) = 1 -> 4
    CHECK(g.buffer() == resources{0, 0, 0, 4, 0});
    // control(49, 128): 6 + 7 = 13 bits -> 50 / 29; LUT 50 + 32*4 = 178; FF 29 + 128 = 157
    // DSP 4 multipliers of 32x16: 4 * (ceil(32/18) = 2) * 1 = 8
    CHECK(g.resources() == resources{8, 178, 157, 4, 0});
    const m::global_pool mx{7, 7, 512, 0, 4, 16, 32};
    CHECK(mx.resources() == resources{0, 178, 157, 4, 0});
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
