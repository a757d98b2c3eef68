// Dense layers: latency, DSP, weight memory, which modules a layer builds, and
// the validity predicates (MODEL.md "Latency", "Resources", "Notation").
// Every expected value is computed by hand from the formula in the comment.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hass/layers/hardware.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/validity.hpp"

using hass::count_t;
using hass::folding;
using hass::layer;
using hass::layer_type;
using hass::resources;
using hass::tensor_shape;

namespace {

layer make_conv(std::string_view name, tensor_shape in, tensor_shape out, count_t k, count_t stride, count_t pad,
                count_t groups = 1, bool bias = false) {
    layer l;
    l.name = name;
    l.type = layer_type::convolution;
    l.in = in;
    l.out = out;
    l.inputs = {hass::network_input};
    l.kernel_rows = l.kernel_cols = k;
    l.stride_rows = l.stride_cols = stride;
    l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = pad;
    l.groups = groups;
    l.bias = bias;
    return l;
}

layer make_simple(std::string_view name, layer_type type, tensor_shape in, tensor_shape out) {
    layer l;
    l.name = name;
    l.type = type;
    l.in = in;
    l.out = out;
    l.inputs = {hass::network_input};
    return l;
}

folding fold(count_t ci, count_t co = 1, count_t cg = 1, count_t fine = 1) {
    folding f;
    f.coarse_in = ci;
    f.coarse_out = co;
    f.coarse_group = cg;
    f.fine = fine;
    return f;
}

std::vector<std::string> module_names(const layer& l, const folding& f) {
    std::vector<std::string> out;
    hass::for_each_module(l, f, [&](const auto& m, count_t) {
        out.emplace_back(std::decay_t<decltype(m)>::name);
    });
    return out;
}

std::vector<count_t> module_replicas(const layer& l, const folding& f) {
    std::vector<count_t> out;
    hass::for_each_module(l, f, [&](const auto&, count_t n) { out.push_back(n); });
    return out;
}

using names = std::vector<std::string>;

// resnet18 conv1: 224x224x3 -> 112x112x64, 7x7 stride 2 pad 3
layer resnet_conv1() { return make_conv("conv1", {224, 224, 3}, {112, 112, 64}, 7, 2, 3); }
// a standard 3x3: 32x32x16 -> 32x32x32, pad 1
layer std3x3() { return make_conv("conv", {32, 32, 16}, {32, 32, 32}, 3, 1, 1); }
// grouped: 16x16x32 -> 16x16x64, G = 4, 3x3 pad 1
layer grouped() { return make_conv("gconv", {16, 16, 32}, {16, 16, 64}, 3, 1, 1, 4); }
// depthwise: 28x28x64, G = C = F = 64, 3x3 pad 1
layer depthwise() { return make_conv("dw", {28, 28, 64}, {28, 28, 64}, 3, 1, 1, 64); }
// pointwise: 14x14x128 -> 14x14x256
layer pointwise() { return make_conv("pw", {14, 14, 128}, {14, 14, 256}, 1, 1, 0); }

} // namespace

TEST_CASE("layer geometry helpers", "[layers]") {
    const layer l = resnet_conv1();
    CHECK(l.kernel_size() == 49);   // 7*7
    CHECK(l.padded_rows() == 230);  // 224 + 3 + 3
    CHECK(l.padded_cols() == 230);
    CHECK(l.weight_count() == 9408); // 64 * 3 * 49
    CHECK(l.macs() == 118013952);    // 112*112*9408 = 12544*9408
    CHECK_FALSE(l.is_depthwise());
    CHECK(depthwise().is_depthwise());
    CHECK(grouped().weight_count() == 4608); // 64 * (32/4) * 9
    CHECK(hass::streams_in(grouped(), fold(2, 4, 2, 9)) == 4);  // ci*cg
    CHECK(hass::streams_out(grouped(), fold(2, 4, 2, 9)) == 8); // co*cg
}

TEST_CASE("dense convolution latency", "[layers][conv]") {
    SECTION("resnet18 conv1, all factors 1") {
        // max(Hp*Wp*C = 230*230*3 = 158,700,
        //     Ho*Wo*C*K*F = 112*112*3*49*64/1 = 118,013,952,
        //     Ho*Wo*F = 112*112*64 = 802,816)
        const auto p = hass::evaluate_layer(resnet_conv1(), fold(1));
        CHECK(p.latency == 118013952);
        CHECK_FALSE(p.sparse);
    }
    SECTION("standard 3x3, ci=2 co=4 f=3") {
        // in:  34*34*16/2 = 9,248
        // mac: 32*32*(16*9)/(3*2) * 32/4 = 1024*24*8 = 196,608
        // out: 32*32*32/4 = 8,192
        CHECK(hass::evaluate_layer(std3x3(), fold(2, 4, 1, 3)).latency == 196608);
    }
    SECTION("standard 3x3, all factors 1") {
        // mac: 1024*16*9*32 = 4,718,592
        CHECK(hass::evaluate_layer(std3x3(), fold(1)).latency == 4718592);
    }
    SECTION("grouped, ci=2 co=4 cg=2 f=9") {
        // in:  18*18*32/(2*2) = 2,592
        // mac: 16*16*(32*9)/(9*2*2) * 64/(4*4) = 256*8*4 = 8,192
        // out: 16*16*64/(4*2) = 2,048
        CHECK(hass::evaluate_layer(grouped(), fold(2, 4, 2, 9)).latency == 8192);
    }
    SECTION("depthwise, cg=8 f=3") {
        // in:  30*30*64/8 = 7,200
        // mac: 28*28*(64*9)/(3*1*8) * 64/(1*64) = 784*24*1 = 18,816
        // out: 28*28*64/8 = 6,272
        CHECK(hass::evaluate_layer(depthwise(), fold(1, 1, 8, 3)).latency == 18816);
    }
    SECTION("pointwise, ci=4 co=8") {
        // in:  14*14*128/4 = 6,272
        // mac: 196*128/4 * 256/8 = 6272*32 = 200,704
        // out: 196*256/8 = 6,272
        CHECK(hass::evaluate_layer(pointwise(), fold(4, 8)).latency == 200704);
    }
    SECTION("the input term dominates: 1x1 stride 2, co=64") {
        // 56x56x64 -> 28x28x128 (Ho = (56-1)/2 + 1 = 28)
        const layer l = make_conv("down", {56, 56, 64}, {28, 28, 128}, 1, 2, 0);
        // in:  56*56*64/1 = 200,704
        // mac: 28*28*64/1 * 128/64 = 50,176*2 = 100,352
        // out: 28*28*128/64 = 1,568
        CHECK(hass::evaluate_layer(l, fold(1, 64)).latency == 200704);
    }
    SECTION("the input term dominates: 3x3, co=F, f=K") {
        const layer l = make_conv("small", {8, 8, 4}, {8, 8, 8}, 3, 1, 1);
        // in: 10*10*4 = 400; mac: 64*(4*9)/9 * 8/8 = 256; out: 64*8/8 = 64
        CHECK(hass::evaluate_layer(l, fold(1, 8, 1, 9)).latency == 400);
    }
    SECTION("the output term: pointwise with ci = C") {
        // The output term can at most tie the MAC term: their ratio is
        // C*K/(f*ci*G) >= 1 for a valid folding. Here f = K and ci = C/G.
        const layer l = make_conv("wide", {8, 8, 4}, {8, 8, 64}, 1, 1, 0);
        // in: 64*4/4 = 64; mac: 64*4/4 * 64/1 = 4,096; out: 64*64/1 = 4,096
        CHECK(hass::evaluate_layer(l, fold(4, 1)).latency == 4096);
    }
}

TEST_CASE("convolution DSP = f*ci*co*cg multipliers", "[layers][conv]") {
    CHECK(hass::evaluate_layer(resnet_conv1(), fold(1)).used.dsp == 1);        // 1*1*1*1
    CHECK(hass::evaluate_layer(std3x3(), fold(2, 4, 1, 3)).used.dsp == 24);    // 3*2*4*1
    CHECK(hass::evaluate_layer(grouped(), fold(2, 4, 2, 9)).used.dsp == 144);  // 9*2*4*2
    CHECK(hass::evaluate_layer(depthwise(), fold(1, 1, 8, 3)).used.dsp == 24); // 3*1*1*8
    CHECK(hass::evaluate_layer(pointwise(), fold(4, 8)).used.dsp == 32);       // 1*4*8*1
    // 8-bit data and weights: two per DSP: ceil(144/2) = 72; 4-bit: ceil(144/4) = 36
    layer g8 = grouped();
    g8.width = {8, 8, 32};
    CHECK(hass::evaluate_layer(g8, fold(2, 4, 2, 9)).used.dsp == 72);
    layer g4 = grouped();
    g4.width = {4, 4, 16};
    CHECK(hass::evaluate_layer(g4, fold(2, 4, 2, 9)).used.dsp == 36);
    // an odd count rounds up once: 8-bit, f = 3, ci = co = 1: 3 * 1/2 = 1.5 -> 2
    layer s8 = std3x3();
    s8.width = {8, 8, 32};
    CHECK(hass::evaluate_layer(s8, fold(1, 1, 1, 3)).used.dsp == 2);
    // 9-bit data are not packed: 3 multipliers of 9x8 bits -> 3 * dspmul(9, 8) = 3
    s8.width = {9, 8, 32};
    CHECK(hass::evaluate_layer(s8, fold(1, 1, 1, 3)).used.dsp == 3);
    // 5- to 7-bit operands pack in pairs, not quads: 144 / 2 = 72 (quads would give 36)
    for (hass::count_t w : {5, 6, 7}) {
        INFO(w << "-bit operands");
        layer gw = grouped();
        gw.width = {w, w, 16};
        CHECK(hass::evaluate_layer(gw, fold(2, 4, 2, 9)).used.dsp == 72);
        CHECK(hass::evaluate_layer<hass::cost::fpgaconvnet>(gw, fold(2, 4, 2, 9)).used.dsp == 72);
    }
}

TEST_CASE("dense weight memory", "[layers][conv][memory]") {
    SECTION("resnet18 conv1") {
        // depth ceil(64/1*3*49 / 1) = 9408, width 16: 18x1024 -> ceil(9408/1024) = 10 BRAM18
        const auto w = hass::weight_memory(resnet_conv1(), fold(1));
        CHECK(w == resources{0, 0, 0, 10, 0});
        CHECK(hass::evaluate_layer(resnet_conv1(), fold(1)).weights == w);
    }
    SECTION("standard 3x3, BRAM and URAM") {
        // depth ceil(32*16*9 / (3*2*4*1)) = 4608/24 = 192, width 16*24 = 384:
        // BRAM: ceil(384/36) = 11 * ceil(192/512) = 1 -> 11
        CHECK(hass::weight_memory(std3x3(), fold(2, 4, 1, 3)) == resources{0, 0, 0, 11, 0});
        folding u = fold(2, 4, 1, 3);
        u.weights = hass::weight_storage::uram;
        // URAM: ceil(384/72) = 6 * ceil(192/4096) = 1 -> 6
        CHECK(hass::weight_memory(std3x3(), u) == resources{0, 0, 0, 0, 6});
        CHECK(hass::evaluate_layer(std3x3(), u).weights == resources{0, 0, 0, 0, 6});
        // off chip: every block streamed (s = T = 11) plus a stream buffer of one block-row:
        // width 384 -> aspect 36x512, U = ceil(384/36) = 11 blocks of Du = 512 addresses;
        // B = bram(512, 384, memory) = 11 * 1 = 11 -> T - s + B = 11: the depth 192 fits in one
        // block-row, so streaming saves nothing here (PARTITION.md section 2)
        folding o = fold(2, 4, 1, 3);
        o.weights = hass::weight_storage::off_chip;
        CHECK(hass::weight_memory(std3x3(), o) == resources{0, 0, 0, 11, 0});
        const auto plan = hass::cost::hass_weight_plan(std3x3(), o);
        CHECK(plan.total_blocks == 11);
        CHECK(plan.streamed == 11);
        CHECK(plan.unit == 11);
        CHECK(plan.row_depth == 512);
        CHECK(plan.buffer == 11);
        CHECK(plan.addresses_off == 192.0); // min(D = 192, (11/11) * 512)
    }
    SECTION("resnet18 conv1 off chip: the buffer is one block-row") {
        // depth 9408, width 16: aspect 18x1024, U = 1, Du = 1024, T = ceil(9408/1024) = 10;
        // off chip: T - s + B = 10 - 10 + bram(1024, 16, memory) = 1
        folding o = fold(1);
        o.weights = hass::weight_storage::off_chip;
        CHECK(hass::weight_memory(resnet_conv1(), o) == resources{0, 0, 0, 1, 0});
        // 3 of the 10 blocks streamed: 10 - 3 + 1 = 8; A_off = min(9408, (3/1) * 1024) = 3072
        folding s = fold(1);
        s.stream_weights = 3;
        CHECK(hass::weight_memory(resnet_conv1(), s) == resources{0, 0, 0, 8, 0});
        const auto p = hass::evaluate_layer(resnet_conv1(), s);
        CHECK(p.weights == resources{0, 0, 0, 8, 0});
        CHECK(p.weight_plan.addresses_off == 3072.0);
        // hass's traffic: the streamed addresses are read once per output position:
        // 3072 * 16 bits * 112*112 = 616,562,688 bits per image
        CHECK(p.weight_bits == Approx(3072.0 * 16 * 112 * 112));
    }
    SECTION("grouped") {
        // depth 64/4*32*9 / (9*2*4*2) = 4608/144 = 32, width 16*144 = 2304:
        // ceil(2304/36) = 64 * 1 = 64
        CHECK(hass::weight_memory(grouped(), fold(2, 4, 2, 9)) == resources{0, 0, 0, 64, 0});
    }
    SECTION("depthwise") {
        // depth 64/64*64*9 / (3*1*1*8) = 576/24 = 24, width 16*24 = 384 (9216 bits): 11 * 1 = 11
        CHECK(hass::weight_memory(depthwise(), fold(1, 1, 8, 3)) == resources{0, 0, 0, 11, 0});
    }
    SECTION("small weights take no block RAM") {
        // 1x1, C=4, F=8, ci=4: depth 8*4/4 = 8, width 16*4 = 64: 512 bits < 1024 (a memory) -> 0 blocks
        // (fpgaConvNet's model counts no LUTRAM for a weight memory either)
        const layer l = make_conv("pw", {4, 4, 4}, {4, 4, 8}, 1, 1, 0);
        CHECK(hass::weight_memory(l, fold(4)) == resources{});
        // 1024 bits is a BRAM: F = 16 -> depth 16, width 64: ceil(64/36) = 2 * ceil(16/512) = 1 -> 2
        const layer m = make_conv("pw", {4, 4, 4}, {4, 4, 16}, 1, 1, 0);
        CHECK(hass::weight_memory(m, fold(4)) == resources{0, 0, 0, 2, 0});
    }
    SECTION("layers without weights") {
        const layer r = make_simple("relu", layer_type::relu, {4, 4, 4}, {4, 4, 4});
        CHECK(hass::weight_memory(r, fold(1)) == resources{});
    }
}

TEST_CASE("a pointwise layer's resources, latency and depth by hand", "[layers][conv]") {
    // 4x4x4 -> 4x4x8, 1x1, with bias, ci = 4, co = 1:
    // modules vector_dot, glue, bias (no pad, window, squeeze, fork or accumulator)
    const layer l = make_conv("pw", {4, 4, 4}, {4, 4, 8}, 1, 1, 0, 1, true);
    const folding f = fold(4);
    CHECK(module_names(l, f) == names{"vector_dot", "glue", "bias"});
    const auto p = hass::evaluate_layer(l, f);
    // RESOURCES.md section 3 (coefficients to 6 digits, sums before truncation):
    // vector_dot{dots = 16*(4/4)*8 = 128, F 8, f 1, S 4, 16 x 16 -> 32}:
    //   Logic_LUT [1, 16, 16, 64, 64, 128, 8, 3, 1] = 2.57126 + 128*0.972873 = 127.09896 -> 127
    //   LUT_RAM [lutq(1, 128) = ceil(129/16) = 9, 1] = 9*4.52465 = 40.72184 -> 40; LUT_SR [1] = 0.16774 -> 0
    //   FF [32, 8, 1, 3, 1, 128, 128, 1] = 21.3686 + 128*1.48601 + 128*0.182025 = 234.87671 -> 234
    //   DSP S f dspmul(16, 16) = 4
    // glue{words 16*8/1 = 128, n 4, S 1, 32 bits}:
    //   Logic_LUT [128, 64, 4, 1] = 128*1.26166 = 161.49196 -> 161; LUT_RAM [lutq(3, 32) = 3, 1] = 26.63624 -> 26
    //   LUT_SR [2, 1] = 0.51709 -> 0
    //   FF [4, 32, 2, 128, 128, 1] = 4*9.53751 + 32*0.360808 + 128*0.0510632 + 128*1.02805 = 187.82291 -> 187
    // bias{128, F 8, S 1, 16, 32}: Logic_LUT [16] = 16*0.8125 = 12.999999999999998 -> 12;
    //   FF [16, 0, 1] = 16*2.1875 = 34.99999999999999 -> 34; table 8 x 32 = 256 bits < 1024 -> no BRAM
    // weights: 512 bits -> no BRAM (see above)
    // total: DSP 4, LUT 167 + 187 + 12 = 366, FF 234 + 187 + 34 = 455
    CHECK(p.used == resources{4, 366, 455, 0, 0});
    CHECK(p.dsp == 4.0);
    CHECK(p.weights == resources{});
    // in 16*4/4 = 16; mac 16*4/4 * 8/1 = 128; out 16*8/1 = 128
    CHECK(p.latency == 128);
    // depths: vector_dot 3 + bits(1) + 1 = 4, glue bits(4) + 1 = 3, bias 2 -> 9
    CHECK(p.pipeline_depth == 9);
}

TEST_CASE("which modules a convolution builds", "[layers][conv]") {
    SECTION("everything: padding, 3x3, f < K, co > 1, C/S > 1, ci > 1") {
        CHECK(module_names(std3x3(), fold(2, 4, 1, 3)) ==
              names{"pad", "sliding_window", "squeeze", "fork", "vector_dot", "accumulator", "glue"});
        // dense layers pack their streams into one instance of each module
        CHECK(module_replicas(std3x3(), fold(2, 4, 1, 3)) == std::vector<count_t>(7, 1));
    }
    SECTION("no squeeze when f = K, no fork when co = 1, no accumulator when C/(ci*cg) = 1") {
        layer l = std3x3();
        l.batchnorm = true; // a folded BatchNorm builds the bias module
        CHECK(module_names(l, fold(16, 1, 1, 9)) == names{"pad", "sliding_window", "vector_dot", "glue", "bias"});
    }
    SECTION("no glue when ci = 1, no bias without bias") {
        const layer l = make_conv("pw", {4, 4, 4}, {4, 4, 8}, 1, 1, 0);
        CHECK(module_names(l, fold(1, 2)) == names{"fork", "vector_dot", "accumulator"});
    }
    SECTION("no sliding window for a 1x1 stride-1 kernel; bias with bias") {
        const layer l = make_conv("pw", {4, 4, 4}, {4, 4, 8}, 1, 1, 0, 1, true);
        CHECK(module_names(l, fold(4, 1)) == names{"vector_dot", "glue", "bias"});
    }
    SECTION("a 1x1 kernel with stride 2 keeps its sliding window") {
        const layer l = make_conv("down", {56, 56, 64}, {28, 28, 128}, 1, 2, 0);
        CHECK(module_names(l, fold(1, 64)) == names{"sliding_window", "fork", "vector_dot", "accumulator"});
    }
    SECTION("no pad without padding") {
        const layer l = make_conv("valid", {8, 8, 4}, {6, 6, 4}, 3, 1, 0);
        CHECK(module_names(l, fold(1, 1, 1, 9)) == names{"sliding_window", "vector_dot", "accumulator"});
    }
}

TEST_CASE("inner product", "[layers][fc]") {
    // 4x4x32 flattened: N = 512, F = 10
    layer l = make_simple("fc", layer_type::inner_product, {4, 4, 32}, {1, 1, 10});
    l.bias = true;
    SECTION("ci=4 co=2") {
        const auto p = hass::evaluate_layer(l, fold(4, 2));
        // max(N*F/(ci*co) = 5120/8 = 640, N/ci = 128)
        CHECK(p.latency == 640);
        CHECK(p.used.dsp == 8); // ci*co = 4*2 multipliers
        // weights: depth 10*512/8 = 640, width 16*8 = 128: ceil(128/36) = 4 * ceil(640/512) = 2 -> 8
        CHECK(p.weights == resources{0, 0, 0, 8, 0});
        CHECK(module_names(l, fold(4, 2)) == names{"fork", "vector_dot", "accumulator", "glue", "bias"});
    }
    SECTION("co = F") {
        // max(5120/10 = 512, 512/1 = 512)
        CHECK(hass::evaluate_layer(l, fold(1, 10)).latency == 512);
    }
    SECTION("narrow operands pack, with one ceiling over the layer") {
        // 8-bit data and weights, ci = 1, co = 5: 5 multipliers * 1/2 = 2.5 -> 3 DSP in hass's model
        l.width = {8, 8, 32};
        const auto p = hass::evaluate_layer(l, fold(1, 5));
        CHECK(p.dsp == 3.0);
        CHECK(p.used.dsp == 3);
        // fpgaConvNet keeps the inner product's DSP fractional: pi ci co dspmul = 0.5 * 5 = 2.5 (RESOURCES.md 5.4)
        CHECK(hass::evaluate_layer<hass::cost::fpgaconvnet>(l, fold(1, 5)).dsp == 2.5);
        // 4-bit: 5 * 1/4 = 1.25 -> 2
        l.width = {4, 4, 16};
        CHECK(hass::evaluate_layer(l, fold(1, 5)).used.dsp == 2);
    }
    SECTION("all factors 1") {
        // max(5120, 512)
        CHECK(hass::evaluate_layer(l, fold(1)).latency == 5120);
        // weights: 5120 x 16: 18x1024 -> ceil(5120/1024) = 5 BRAM18
        CHECK(hass::evaluate_layer(l, fold(1)).weights == resources{0, 0, 0, 5, 0});
    }
}

TEST_CASE("pooling, global pooling, activations, eltwise, concat, split and squeeze", "[layers]") {
    SECTION("max pooling 3x3 stride 2 pad 1") {
        layer l = make_simple("pool", layer_type::pooling, {112, 112, 64}, {56, 56, 64});
        l.kernel_rows = l.kernel_cols = 3;
        l.stride_rows = l.stride_cols = 2;
        l.pad_top = l.pad_right = l.pad_bottom = l.pad_left = 1;
        CHECK(hass::layer_problem(l).empty()); // Ho = (114-3)/2 + 1 = 56
        // Hp*Wp*C/coarse = 114*114*64/4 = 12,996*16 = 207,936
        CHECK(hass::evaluate_layer(l, fold(4, 4)).latency == 207936);
        CHECK(module_names(l, fold(4, 4)) == names{"pad", "sliding_window", "pool"});
        // all factors 1: 114*114*64 = 831,744
        CHECK(hass::evaluate_layer(l, fold(1, 1)).latency == 831744);
    }
    SECTION("average pooling 2x2 stride 2, no padding") {
        layer l = make_simple("avg", layer_type::pooling, {8, 8, 16}, {4, 4, 16});
        l.kernel_rows = l.kernel_cols = 2;
        l.stride_rows = l.stride_cols = 2;
        l.pool = hass::pool_op::avg;
        CHECK(module_names(l, fold(2, 2)) == names{"sliding_window", "pool"});
        // 8*8*16/2 = 512
        CHECK(hass::evaluate_layer(l, fold(2, 2)).latency == 512);
        // fpgaConvNet's Pool regression serves max and average alike, with no DSP
        CHECK(hass::evaluate_layer(l, fold(2, 2)).used.dsp == 0);
    }
    SECTION("global pooling") {
        layer l = make_simple("gap", layer_type::global_pooling, {7, 7, 512}, {1, 1, 512});
        l.pool = hass::pool_op::avg;
        CHECK(hass::evaluate_layer(l, fold(8, 8)).latency == 3136); // 7*7*512/8 = 25088/8
        CHECK(hass::evaluate_layer(l, fold(1, 1)).latency == 25088);
        CHECK(module_names(l, fold(8, 8)) == names{"global_pool"});
    }
    SECTION("activations") {
        const layer relu = make_simple("relu", layer_type::relu, {56, 56, 64}, {56, 56, 64});
        CHECK(hass::evaluate_layer(relu, fold(16, 16)).latency == 12544); // 56*56*64/16 = 200704/16
        CHECK(module_names(relu, fold(16, 16)) == names{"activation"});
        for (auto t : {layer_type::thresholded_relu, layer_type::hardswish, layer_type::hardsigmoid,
                       layer_type::sigmoid, layer_type::relu6}) {
            const layer a = make_simple("act", t, {14, 14, 96}, {14, 14, 96});
            CHECK(hass::evaluate_layer(a, fold(3, 3)).latency == 6272); // 14*14*96/3 = 18816/3
        }
        // hardswish: fpgaConvNet's constant 5 DSP per lane: 3 streams -> 15 DSP
        const layer hs = make_simple("hs", layer_type::hardswish, {14, 14, 96}, {14, 14, 96});
        CHECK(hass::evaluate_layer(hs, fold(3, 3)).used.dsp == 15);
        // (16 LUT, 35 FF) per lane: 48 LUT, 105 FF
        CHECK(hass::evaluate_layer(hs, fold(3, 3)).used == resources{15, 48, 105, 0, 0});
        CHECK(hass::evaluate_layer(relu, fold(16, 16)).used == resources{0, 256, 560, 0, 0}); // 16 * (16, 35)
        // relu6: one activation module, the cost of a ReLU
        const layer r6 = make_simple("r6", layer_type::relu6, {56, 56, 64}, {56, 56, 64});
        CHECK(module_names(r6, fold(16, 16)) == names{"activation"});
        CHECK(hass::evaluate_layer(r6, fold(16, 16)) == hass::evaluate_layer(relu, fold(16, 16)));
    }
    SECTION("eltwise") {
        layer l = make_simple("add", layer_type::eltwise, {8, 8, 16}, {8, 8, 16});
        l.inputs = {0, 1};
        CHECK(hass::evaluate_layer(l, fold(2, 2)).latency == 512); // 8*8*16/2
        l.op = hass::eltwise_op::mul;
        l.broadcast = true;
        CHECK(hass::evaluate_layer(l, fold(2, 2)).latency == 512);
        CHECK(hass::evaluate_layer(l, fold(2, 2)).used.dsp == 2); // 1 DSP per lane, 2 lanes, no packing
        // a broadcast input waits in a FIFO of depth C/coarse = 8 per lane: depth <= 32 -> no BRAM;
        // 49 LUT 23 FF per lane
        CHECK(hass::evaluate_layer(l, fold(2, 2)).used == resources{2, 98, 46, 0, 0});
    }
    SECTION("concat") {
        layer l = make_simple("cat", layer_type::concat, {8, 8, 16}, {8, 8, 48});
        l.inputs = {0, 1};
        // H*W*sum(C_i)/coarse = 8*8*(16+32)/4 = 768
        CHECK(hass::evaluate_layer(l, fold(4, 4)).latency == 768);
        CHECK(module_names(l, fold(4, 4)) == names{"concat"});
    }
    SECTION("split") {
        layer l = make_simple("split", layer_type::split, {8, 8, 16}, {8, 8, 16});
        l.fan_out = 3;
        CHECK(hass::evaluate_layer(l, fold(4, 4)).latency == 256); // 8*8*16/4
        CHECK(module_names(l, fold(4, 4)) == names{"fork"});
    }
    SECTION("squeeze layer") {
        const layer l = make_simple("sq", layer_type::squeeze, {8, 8, 16}, {8, 8, 16});
        // H*W*C/min(2, 4) = 1024/2 = 512
        CHECK(hass::evaluate_layer(l, fold(2, 4)).latency == 512);
        CHECK(hass::evaluate_layer(l, fold(4, 2)).latency == 512);
        // MODEL.md: a squeeze adapts a producer's coarse to a different consumer coarse,
        // so a squeeze layer's two factors may differ.
        CHECK(hass::folding_problem(l, fold(2, 4)) == "");
    }
}

TEST_CASE("folding validity of convolutions", "[layers][validity]") {
    CHECK(hass::is_valid_folding(std3x3(), fold(2, 4, 1, 3)));
    CHECK(hass::is_valid_folding(std3x3(), fold(16, 32, 1, 9)));
    CHECK(hass::is_valid_folding(grouped(), fold(2, 4, 2, 9)));
    CHECK(hass::is_valid_folding(depthwise(), fold(1, 1, 64, 9)));
    CHECK(hass::is_valid_folding(resnet_conv1(), fold(3, 64, 1, 49)));
    CHECK(hass::is_valid_folding(resnet_conv1(), fold(1, 1, 1, 7)));

    using Catch::Matchers::Contains;
    // ci = 3 does not divide C/G = 16
    CHECK_FALSE(hass::is_valid_folding(std3x3(), fold(3)));
    CHECK_THAT(hass::folding_problem(std3x3(), fold(3)),
               Contains("layer 'conv'") && Contains("coarse_in 3 does not divide") && Contains("16"));
    // co = 5 does not divide F/G = 32
    CHECK_THAT(hass::folding_problem(std3x3(), fold(1, 5)),
               Contains("'conv'") && Contains("coarse_out 5 does not divide the filters per group 32"));
    // dense fine must divide K = 9
    CHECK_FALSE(hass::is_valid_folding(std3x3(), fold(1, 1, 1, 2)));
    CHECK_THAT(hass::folding_problem(std3x3(), fold(1, 1, 1, 2)),
               Contains("fine 2 does not divide the kernel size K = 9"));
    CHECK_FALSE(hass::is_valid_folding(std3x3(), fold(1, 1, 1, 18)));
    // cg = 3 does not divide G = 4
    CHECK_THAT(hass::folding_problem(grouped(), fold(1, 1, 3, 1)),
               Contains("layer 'gconv'") && Contains("coarse_group 3 does not divide groups 4"));
    // grouped: ci must divide C/G = 8, co must divide F/G = 16
    CHECK_FALSE(hass::is_valid_folding(grouped(), fold(16)));
    CHECK(hass::is_valid_folding(grouped(), fold(8, 16, 4, 9)));
    CHECK_FALSE(hass::is_valid_folding(grouped(), fold(8, 32, 1, 1)));
    // depthwise: C/G = F/G = 1, so ci = co = 1
    CHECK_FALSE(hass::is_valid_folding(depthwise(), fold(2)));
    CHECK_THAT(hass::folding_problem(depthwise(), fold(1, 2, 1, 1)),
               Contains("coarse_out 2 does not divide the filters per group 1"));
    // factors must be >= 1
    CHECK_THAT(hass::folding_problem(std3x3(), fold(1, 1, 1, 0)), Contains("must be >= 1"));
    CHECK_THAT(hass::folding_problem(std3x3(), fold(0)), Contains("must be >= 1"));
    CHECK(hass::is_valid_fine(std3x3(), 3));
    CHECK_FALSE(hass::is_valid_fine(std3x3(), 4));
    CHECK_FALSE(hass::is_valid_fine(std3x3(), 0));
}

TEST_CASE("folding validity of other layers", "[layers][validity]") {
    using Catch::Matchers::Contains;
    const layer relu = make_simple("act1", layer_type::relu, {8, 8, 64}, {8, 8, 64});
    CHECK(hass::is_valid_folding(relu, fold(64, 64)));
    CHECK(hass::is_valid_folding(relu, fold(1, 1)));
    CHECK_THAT(hass::folding_problem(relu, fold(3, 3)),
               Contains("layer 'act1'") && Contains("coarse 3 does not divide the channels 64"));
    CHECK_THAT(hass::folding_problem(relu, fold(2, 4)), Contains("coarse_out 4 must equal coarse_in 2"));
    CHECK_THAT(hass::folding_problem(relu, fold(1, 1, 1, 3)), Contains("fine = 1"));

    layer pool = make_simple("pool", layer_type::pooling, {8, 8, 16}, {4, 4, 16});
    pool.kernel_rows = pool.kernel_cols = pool.stride_rows = pool.stride_cols = 2;
    CHECK(hass::is_valid_folding(pool, fold(16, 16)));
    CHECK_FALSE(hass::is_valid_folding(pool, fold(16, 8)));

    // concat 8 + 4 channels -> 12: coarse 8 divides the first input but not the output
    layer cat = make_simple("cat", layer_type::concat, {8, 8, 8}, {8, 8, 12});
    cat.inputs = {0, 1};
    CHECK(hass::is_valid_folding(cat, fold(4, 4)));
    CHECK_THAT(hass::folding_problem(cat, fold(8, 8)), Contains("coarse 8 does not divide the output channels 12"));

    layer fc = make_simple("fc", layer_type::inner_product, {4, 4, 32}, {1, 1, 10});
    CHECK(hass::is_valid_folding(fc, fold(512, 10)));
    CHECK_THAT(hass::folding_problem(fc, fold(3)),
               Contains("layer 'fc'") && Contains("coarse_in 3 does not divide the flattened input size 512"));
    CHECK_THAT(hass::folding_problem(fc, fold(1, 3)), Contains("coarse_out 3 does not divide the output features 10"));
    CHECK_THAT(hass::folding_problem(fc, fold(1, 1, 2, 1)), Contains("coarse_group = 1 and fine = 1"));
    CHECK_FALSE(hass::is_valid_folding(fc, fold(1, 1, 1, 2)));
}

TEST_CASE("layer geometry validity", "[layers][validity]") {
    using Catch::Matchers::Contains;
    CHECK(hass::layer_problem(std3x3()).empty());
    CHECK(hass::is_valid_layer(resnet_conv1()));
    CHECK(hass::is_valid_layer(grouped()));
    CHECK(hass::is_valid_layer(depthwise()));

    // 32x32 3x3 pad 1 gives (34-3)/1 + 1 = 32, not 30
    CHECK_THAT(hass::layer_problem(make_conv("bad", {32, 32, 16}, {30, 30, 32}, 3, 1, 1)),
               Contains("layer 'bad'") && Contains("expected 32x32"));
    // resnet conv1 without padding would give (224-7)/2 + 1 = 109
    CHECK_THAT(hass::layer_problem(make_conv("c1", {224, 224, 3}, {112, 112, 64}, 7, 2, 0)),
               Contains("expected 109x109"));
    // groups 3 do not divide 16
    CHECK_THAT(hass::layer_problem(make_conv("g", {8, 8, 16}, {8, 8, 32}, 3, 1, 1, 3)),
               Contains("groups 3 must divide the input and output channels (16, 32)"));
    // 3x3 kernel over an unpadded 2x2 input
    CHECK_THAT(hass::layer_problem(make_conv("k", {2, 2, 4}, {1, 1, 4}, 3, 1, 0)),
               Contains("kernel 3x3 is larger than the padded input 2x2"));
    // zero channels
    CHECK_THAT(hass::layer_problem(make_conv("z", {8, 8, 0}, {8, 8, 4}, 3, 1, 1)),
               Contains("every dimension must be >= 1"));
    layer w = std3x3();
    w.width.acc = 0;
    CHECK_THAT(hass::layer_problem(w), Contains("bit widths must be >= 1"));
    layer s = std3x3();
    s.stride_rows = 0;
    CHECK_THAT(hass::layer_problem(s), Contains("kernel and stride must be >= 1"));
    layer p = std3x3();
    p.pad_left = -1;
    CHECK_THAT(hass::layer_problem(p), Contains("padding must be >= 0"));

    layer pool = make_simple("pool", layer_type::pooling, {8, 8, 16}, {4, 4, 8});
    pool.kernel_rows = pool.kernel_cols = pool.stride_rows = pool.stride_cols = 2;
    CHECK_THAT(hass::layer_problem(pool), Contains("pooling keeps the channel count"));

    CHECK_THAT(hass::layer_problem(make_simple("fc", layer_type::inner_product, {4, 4, 32}, {2, 1, 10})),
               Contains("an inner product outputs 1x1xF"));
    CHECK(hass::layer_problem(make_simple("fc", layer_type::inner_product, {4, 4, 32}, {1, 1, 10})).empty());
    CHECK_THAT(hass::layer_problem(make_simple("gap", layer_type::global_pooling, {7, 7, 8}, {7, 7, 8})),
               Contains("global pooling outputs 1x1xC"));
    CHECK_THAT(hass::layer_problem(make_simple("r", layer_type::relu, {7, 7, 8}, {7, 7, 16})),
               Contains("a relu layer keeps its shape"));
    CHECK_THAT(hass::layer_problem(make_simple("c", layer_type::concat, {7, 7, 8}, {7, 6, 16})),
               Contains("concat inputs must share rows and cols"));
}
