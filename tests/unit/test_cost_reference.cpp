// The reference cost model (hass::cost::fpgaconvnet): hand-computed module and
// layer figures, the memory rules, weight streaming, and the whole record
// files of the Python reference model, which must agree to the last bit.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <hass/cost/modules.hpp>
#include <hass/cost/policy.hpp>
#include <hass/cost/reference_layer.hpp>
#include <hass/cost/weights.hpp>
#include <hass/io/reference_records.hpp>

#ifndef HASS_TEST_REFERENCE_DIR
#error "HASS_TEST_REFERENCE_DIR must name tests/reference"
#endif

namespace {
const auto& t = hass::cost::chisel_linear_regression;
using hass::count_t;

hass::layer conv(count_t H, count_t C, count_t F, count_t k, count_t pad, count_t stride = 1) {
    hass::layer l;
    l.name = "c";
    l.type = hass::layer_type::convolution;
    l.in = {H, H, C};
    l.kernel_rows = l.kernel_cols = k;
    l.stride_rows = l.stride_cols = stride;
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = pad;
    l.out = {(H + 2 * pad - k) / stride + 1, (H + 2 * pad - k) / stride + 1, F};
    l.inputs = {hass::network_input};
    return l;
}
} // namespace

TEST_CASE("lutq and the BRAM18 rules for FIFOs and memories", "[cost][reference]") {
    using hass::buffer_kind;
    using hass::bram18_blocks;
    // lutq: depth <= 32 -> ceil((W+1)/16); deeper -> ceil((W+1)/8) * ceil(D/64)
    CHECK(hass::cost::lutq(2, 16) == 2);       // ceil(17/16)
    CHECK(hass::cost::lutq(32, 96) == 7);      // ceil(97/16)
    CHECK(hass::cost::lutq(33, 96) == 13);     // ceil(97/8) * ceil(33/64) = 13 * 1
    CHECK(hass::cost::lutq(690, 96) == 143);   // 13 * ceil(690/64) = 13 * 11
    CHECK(hass::cost::lutq(0, 16) == 0);
    // the examples of the reference notes
    CHECK(bram18_blocks(2304, 256, buffer_kind::memory) == 40); // ceil(256/36) * ceil(2304/512) = 8 * 5
    CHECK(bram18_blocks(65, 16, buffer_kind::fifo) == 1);       // 1040 bits > 1024, depth > 32: 18-wide, 1024 deep
    CHECK(bram18_blocks(30, 512, buffer_kind::fifo) == 0);      // a FIFO of depth <= 32 is LUTRAM
    // a FIFO of exactly 1024 bits is LUTRAM, a memory of 1024 bits is not
    CHECK(bram18_blocks(64, 16, buffer_kind::fifo) == 0);
    CHECK(bram18_blocks(64, 16, buffer_kind::memory) == 1);
    CHECK(bram18_blocks(63, 16, buffer_kind::memory) == 0);     // 1008 < 1024 bits
    // URAM has no small-array threshold
    CHECK(hass::uram_array_blocks(100, 8) == 1);
    CHECK(hass::uram_array_blocks(4096, 144) == 2);                   // ceil(144/72) * ceil(4096/4096)
}

TEST_CASE("Regression estimates are summed in double, left to right", "[cost][reference]") {
    // Fork FF features (S*P, S*d*P*c, 1) = (4, 64, 1) with coefficients
    // (11.999999999999998, 0, 3.0000000000000058): 47.99999999999999 + 3.0000000000000058
    // = 51.0 in double (50.99999999999999... in exact arithmetic, which would truncate to 50).
    const auto f = hass::cost::fork(t, 4, 1, 1, 16);
    CHECK(f.ff == 51);
    // Logic LUT (S*P, S*d*P, S*P*c, S*d*P*c, 1) = (4, 64, 4, 64, 1):
    // 64 * 0.4999999999999997 + 64 * 1.85e-18 + 5.000000000000004 = 36.99999999999998 -> 36
    CHECK(f.logic_lut == 36);
    CHECK(f.lut == 36);
    CHECK(hass::cost::dspmul(16, 16) == 1);
    CHECK(hass::cost::dspmul(16, 32) == 2);
    CHECK(hass::cost::dspmul(19, 28) == 4);
    CHECK(hass::cost::dspmul(28, 19) == 2);
}

TEST_CASE("estimate_of: the features as arguments, the same sum as a feature vector", "[cost][reference]") {
    using hass::cost::estimate;
    using hass::cost::estimate_of;
    using hass::cost::feature_vector;
    // the fork's FF coefficients: 4 * 11.999999999999998 + 64 * 0 + 1 * 3.0000000000000058 = 51.0 in double
    const feature_vector ff{11.999999999999998, 0.0, 3.0000000000000058};
    CHECK(estimate_of(ff, 4, 64, 1) == 51);
    CHECK(estimate_of(ff, 4, 64, 1) == estimate(feature_vector{4, 64, 1}, ff));
    // left to right: 1e16 + 1 rounds to 1e16, so 1e16 + 1 - 1e16 is 0 (1 in exact arithmetic)
    CHECK(estimate_of(feature_vector{1e16, 1.0, -1e16}, 1, 1, 1) == 0);
    // more features than coefficients: the extra features are ignored (so are extra coefficients)
    CHECK(estimate_of(feature_vector{2.5, 1.5}, 2, 3, 1000) == 9);  // trunc(5 + 4.5)
    CHECK(estimate_of(feature_vector{2.5, 1.5, 7.0}, 2) == 5);
    // truncation toward zero, also for negative sums
    CHECK(estimate_of(feature_vector{-0.75}, 2) == -1); // trunc(-1.5)
    static_assert(hass::cost::estimate_of(feature_vector{0.5, 0.25}, 3, 4) == 2);
}

TEST_CASE("Sliding window buffers: line buffer in BRAM, window buffers and frame in LUTRAM", "[cost][reference]") {
    // resnet18 conv1 at unit folding: padded 230 x 230, 3 channels, 7x7, 16 bits.
    // line buffer: depth 3*230 = 690, width 6*16 = 96 -> ceil(96/36) * ceil(690/512) = 3 * 2 = 6 BRAM18
    // window buffers: depth 3 <= 32 -> 7 * lutq(3, 96) = 7 * 7 = 49 LUT
    // frame: 49 * lutq(2, 16) = 49 * 2 = 98 LUT
    // logic: (16, 6, 42, 96, 672) . (6.468, 0, 0, 3.9266, 2.4508) = 2127.4 -> 2127
    const auto m = hass::cost::sliding_window(t, 230, 230, 3, 7, 7, 1, 16);
    CHECK(m.bram == 6);
    CHECK(m.logic_lut == 2127);
    CHECK(m.lut == 2127 + 49 + 98);
    // the reported LUT_RAM stays the regressed one: (0, 49, 98) . (0.073, 0, 14.236) = 1395.1
    CHECK(m.lut_ram == 1395);
}

TEST_CASE("Max pool 112x112x64 k3 s2 p1 coarse 32, 16-bit: 29 BRAM18, not 116", "[cost][reference]") {
    hass::layer l;
    l.name = "pool";
    l.type = hass::layer_type::pooling;
    l.in = {112, 112, 64};
    l.kernel_rows = l.kernel_cols = 3;
    l.stride_rows = l.stride_cols = 2;
    l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
    l.out = {56, 56, 64};
    hass::folding f;
    f.coarse_in = f.coarse_out = 32;
    // line buffer: depth (64/32) * 114 = 228 FIFO words of 2*32*16 = 1024 bits:
    // 228 * 1024 > 1024 and 228 > 32, so BRAM: ceil(1024/36) * ceil(228/512) = 29 * 1 = 29.
    // window buffers: depth 2 <= 32 -> LUTRAM.
    const auto r = hass::cost::fpgaconvnet_layer(t, l, f);
    CHECK(r.bram == 29);
    CHECK(r.dsp == 0);
}

TEST_CASE("Sparse DSP packing is one ceiling over the whole layer", "[cost][reference]") {
    // Pointwise 56x56x256 -> 64, ci = 2, co = 1, 8-bit data and weights:
    // ceil(pi * S_vd * f * dspmul(8, 8)) = ceil(0.5 * 2 * 1 * 1) = 1 (per-copy rounding would give 2).
    hass::layer l = conv(56, 256, 64, 1, 0);
    l.width = {8, 8, 32, 8};
    std::vector<double> hist;
    for (int c = 0; c < 256; ++c) {
        hist.push_back(0.5);
        hist.push_back(0.5);
    }
    l.sparsity = hass::make_sparsity_stats(256, 1, hist);
    l.sparsity.model = hass::sparse_model::pointwise;
    hass::folding f;
    f.coarse_in = 2;
    // one squeeze (i = 1, o = 1) is subtracted; its DSP is 0
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 1);
    CHECK(hass::cost::reference_kind_of(l, f) == hass::cost::reference_kind::convolution_pointwise);

    // 4-bit: ci = 4 -> ceil(0.25 * 4 * 1) = 1 (per-copy rounding: 4)
    l.width = {4, 4, 16, 4};
    f.coarse_in = 4;
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 1);

    // 3x3 sparse, 8-bit, ci = 2, co = 1, f = 3: ceil(0.5 * 2 * 3) = 3 (per copy: 2 * ceil(1.5) = 4)
    hass::layer s = conv(28, 16, 16, 3, 1);
    s.width = {8, 8, 32, 8};
    std::vector<double> h;
    for (int c = 0; c < 16; ++c)
        for (int z = 0; z <= 9; ++z) h.push_back(z == 4 ? 1.0 : 0.0);
    s.sparsity = hass::make_sparsity_stats(16, 9, h);
    hass::folding fs;
    fs.coarse_in = 2;
    fs.fine = 3;
    // the squeeze (9 -> 3) subtracted has no DSP
    CHECK(hass::cost::fpgaconvnet_layer(t, s, fs).dsp == 3);
    // 16-bit: ceil(1 * 2 * 3 * 1) = 6
    s.width = {16, 16, 32, 16};
    CHECK(hass::cost::fpgaconvnet_layer(t, s, fs).dsp == 6);
}

TEST_CASE("Inner product DSP is fractional for 8- and 4-bit operands", "[cost][reference]") {
    hass::layer l;
    l.name = "fc";
    l.type = hass::layer_type::inner_product;
    l.in = {1, 1, 512};
    l.out = {1, 1, 1000};
    l.width = {8, 8, 32, 8};
    hass::folding f;
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 0.5); // 0.5 * 1 * 1 * dspmul(8, 8)
    l.width = {4, 4, 32, 4};
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 0.25);
    f.coarse_out = 4;
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 1.0); // 0.25 * 4
    // the packing boundaries: 4 per DSP only up to 4 bits, 2 per DSP from 5 to 8 bits
    for (hass::count_t w : {5, 6, 7}) {
        INFO(w << "-bit operands");
        l.width = {w, w, 32, w};
        CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 2.0); // 0.5 * 4
    }
    l.width = {4, 5, 32, 4}; // one operand over 4 bits: pairs
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 2.0);
    l.width = {9, 8, 32, 9}; // over 8 bits: one per DSP
    CHECK(hass::cost::fpgaconvnet_layer(t, l, f).dsp == 4.0);
}

TEST_CASE("Weight streaming: block-rows, stream buffer and bandwidth", "[cost][reference]") {
    // conv C = 256, F = 512, 3x3, ci = 1, co = 32, f = 9, 16-bit weights:
    // D = 512 * 256 * 9 / (9 * 32) = 4096, Wd = 16 * 9 * 32 = 4608, 36-wide blocks of 512:
    // U = 4608 / 36 = 128, T = 128 * 8 = 1024.
    auto p = hass::cost::plan_weights(4096, 4608, 1, false, 128);
    CHECK(p.total_blocks == 1024);
    CHECK(p.unit == 128);
    CHECK(p.row_depth == 512);
    CHECK(p.addresses_off == 512);   // (128 / 128) * 512
    CHECK(p.addresses_on == 3584);
    CHECK(p.buffer == 128);          // one block-row
    CHECK(p.on_chip_blocks() == 1024); // streaming one row saves nothing
    CHECK(hass::cost::reference_stream_bits_per_cycle(p) == 576.0); // 512 * 4608 / (3584 + 512)
    // fc 512 -> 1000, ci = 1, co = 4: D = 128000, Wd = 64 (2 blocks of 36 wide), T = 2 * 250 = 500
    p = hass::cost::plan_weights(128000, 64, 1, false, 100);
    CHECK(p.total_blocks == 500);
    CHECK(p.unit == 2);
    CHECK(p.addresses_off == 25600); // 50 rows of 512
    CHECK(hass::cost::reference_stream_bits_per_cycle(p) == Approx(25600.0 * 64 / (102400 + 512)));
    // everything streamed: D Wd / Du, the whole set every Du cycles
    p = hass::cost::plan_weights(3072, 12288, 1, false, hass::cost::all_blocks);
    CHECK(p.streamed == p.total_blocks);
    CHECK(hass::cost::reference_stream_bits_per_cycle(p) == 3072.0 * 12288 / 512);
    // unpacked (sparse) arrays: the reference counts the arrays twice, A_off * num * (num * ww).
    // 4 arrays of D = 2048 x 16 bits: 18-wide blocks of 1024, 2 per array, T = 8, U = 4, Du = 1024;
    // one block-row streamed: A_off = (4 / 4) * 1024 = 1024, A_on = 1024, buffer = 4 blocks:
    // 1024 * 4 * (4 * 16) / (1024 + 1024) = 262144 / 2048 = 128 bits per cycle (not 1024*4*16/2048 = 32)
    p = hass::cost::plan_weights(2048, 16, 4, false, 4);
    CHECK(p.total_blocks == 8);
    CHECK(p.unit == 4);
    CHECK(p.row_depth == 1024);
    CHECK(p.addresses_off == 1024);
    CHECK(p.buffer == 4);
    CHECK(hass::cost::reference_stream_bits_per_cycle(p) == 128.0);
    // a memory too small for a block has nothing to stream
    p = hass::cost::plan_weights(16, 16, 1, false, hass::cost::all_blocks);
    CHECK(p.total_blocks == 0);
    CHECK(p.streamed == 0);
    CHECK(hass::cost::reference_stream_bits_per_cycle(p) == 0);
}

TEST_CASE("Sparse layers subtract one squeeze: small layers go negative", "[cost][reference]") {
    // a 1x1 sparse layer with f = K = 1 subtracts a squeeze (i = 1, o = 1, S = 1, 16 bits)
    // that was never counted: LUT 420 and FF 1156 leave the total.
    hass::layer l = conv(7, 2, 2, 1, 0);
    std::vector<double> h{0.5, 0.5, 0.5, 0.5};
    l.sparsity = hass::make_sparsity_stats(2, 1, h);
    l.sparsity.model = hass::sparse_model::window;
    hass::folding f;
    const auto sq = hass::cost::squeeze(t, 1, 1, 1, 16);
    CHECK(sq.lut == 420);
    CHECK(sq.ff == 1156);
    const auto r = hass::cost::fpgaconvnet_layer(t, l, f);
    CHECK(r.ff < 0);
}

TEST_CASE("Every record of the reference samples agrees to the last bit", "[cost][reference][records]") {
    for (const char* name : {"fpgaconvnet_layers_sample.json", "fpgaconvnet_layers_oracle.json"}) {
        const std::string path = std::string(HASS_TEST_REFERENCE_DIR) + "/" + name;
        const auto s = hass::io::check_reference_records(hass::io::load_json_file(path), path);
        INFO(name);
        for (const auto& r : s.records) {
            if (r.exact && r.rates_exact) continue;
            INFO("record " << r.id << " " << r.layer_type << " " << r.error);
            for (const auto& d : r.differences) INFO(d);
            CHECK(r.exact);
        }
        CHECK(s.exact == s.total);
        CHECK(s.rates_exact == s.total);
        // the records of each kind (docs/cost_model.md, section 6; the README's 738 = 107 + 631)
        std::map<std::string, int> kinds;
        for (const auto& r : s.records) ++kinds[r.layer_type];
        if (std::string(name) == "fpgaconvnet_layers_sample.json") {
            CHECK(s.total == 107);
            CHECK(kinds == std::map<std::string, int>{{"ConvolutionLayer", 48},
                                                      {"ConvolutionSparseLayer", 10},
                                                      {"ConvolutionPointwiseSparseLayer", 8},
                                                      {"InnerProductLayer", 10},
                                                      {"PoolingLayer", 8},
                                                      {"ReLULayer", 10},
                                                      {"GlobalPoolingLayer", 6},
                                                      {"EltWiseLayer", 7}});
        } else {
            CHECK(s.total == 631);
            CHECK(kinds == std::map<std::string, int>{{"ConvolutionLayer", 200},
                                                      {"ConvolutionSparseLayer", 81},
                                                      {"ConvolutionPointwiseSparseLayer", 70},
                                                      {"InnerProductLayer", 40},
                                                      {"PoolingLayer", 40},
                                                      {"ReLULayer", 40},
                                                      {"GlobalPoolingLayer", 40},
                                                      {"EltWiseLayer", 40},
                                                      {"SplitLayer", 40},
                                                      {"SqueezeLayer", 40}});
        }
    }
}

TEST_CASE("Bad reference records get a clear error", "[cost][reference][records]") {
    using hass::io::json;
    auto error_of = [](const json& rec) { return hass::io::compare_reference_record(rec, "r.json").error; };
    CHECK_THAT(error_of(json{{"id", 1}, {"layer_type", "LSTMLayer"}, {"inputs", json::object()}}),
               Catch::Contains("unknown layer_type 'LSTMLayer'"));
    CHECK_THAT(error_of(json{{"id", 2}, {"layer_type", "ReLULayer"},
                             {"inputs", {{"rows", 4}, {"cols", 4}, {"channels", 8}, {"coarse", 3}}}}),
               Catch::Contains("coarse 3 does not divide the channels 8"));
    CHECK_THAT(error_of(json{{"id", 3}, {"layer_type", "ReLULayer"},
                             {"inputs", {{"rows", 4}, {"cols", 4}, {"channels", 8}, {"colour", 3}}}}),
               Catch::Contains("unknown field 'inputs.colour'"));
    // a pointwise layer whose fine leaves no channel to accumulate has no reference estimate
    json pw{{"id", 4},
            {"layer_type", "ConvolutionPointwiseSparseLayer"},
            {"inputs",
             {{"rows", 4}, {"cols", 4}, {"channels", 4}, {"filters", 4}, {"coarse_in", 4}, {"fine", 2},
              {"channel_sparsity_avg", {0.5, 0.5, 0.5, 0.5}}}}};
    CHECK_THAT(error_of(pw), Catch::Contains("fine 2 leaves no channel to accumulate"));
    // histogram rows must sum to 1
    json sp{{"id", 5},
            {"layer_type", "ConvolutionSparseLayer"},
            {"inputs",
             {{"rows", 4}, {"cols", 4}, {"channels", 1}, {"filters", 1}, {"kernel_rows", 1}, {"kernel_cols", 1},
              {"channel_sparsity_hist", {{0.5, 0.4}}}}}};
    CHECK_THAT(error_of(sp), Catch::Contains("sums to 0.900000, not 1"));
}

TEST_CASE("Weight memory depth rounds up when fine does not divide K", "[cost][memory]") {
    // sparse 3x3 convolution C = 3 -> F = 5, ci = co = cg = 1, f = 4 (the sparse
    // vector dot allows f that does not divide K = 9): every array holds
    // ceil(F/G * C * K / (f ci co cg)) = ceil(5 * 3 * 9 / 4) = ceil(33.75) = 34 addresses
    hass::layer l = conv(8, 3, 5, 3, 1);
    std::vector<double> h;
    for (int c = 0; c < 3; ++c)
        for (int z = 0; z <= 9; ++z) h.push_back(z == 4 ? 1.0 : 0.0);
    l.sparsity = hass::make_sparsity_stats(3, 9, h);
    hass::folding f;
    f.fine = 4;
    REQUIRE(hass::is_valid_folding(l, f));
    CHECK(hass::evaluate_layer<hass::cost::hass>(l, f).weight_plan.depth == 34);
    CHECK(hass::evaluate_layer<hass::cost::fpgaconvnet>(l, f).weight_plan.depth == 34);
    // f = 3 divides: 5 * 3 * 9 / 3 = 45 exactly
    f.fine = 3;
    CHECK(hass::evaluate_layer<hass::cost::hass>(l, f).weight_plan.depth == 45);
}

TEST_CASE("docs/cost_model.md 2.8: resnet18's layer1.0.conv1 under both models", "[cost][reference][docs]") {
    // 56x56x64 -> 64, 3x3 pad 1, BatchNorm folded into a bias; ci = co = 4, f = 3. The
    // module table and the totals of the worked example (its arithmetic is in the doc).
    hass::layer l = conv(56, 64, 64, 3, 1);
    l.batchnorm = true;
    const hass::folding f{.coarse_in = 4, .coarse_out = 4, .fine = 3};
    struct row {
        hass::count_t lut, ff;
        double dsp;
        hass::count_t bram;
        bool counted;
    };
    auto figures = [](std::map<std::string, row>& out) {
        return [&out](std::string_view name, const hass::cost::module_figure& m, hass::count_t, bool counted) {
            out[std::string(name == "accumulator" ? "accum" : name)] = {m.lut, m.ff, m.dsp, m.bram, counted};
        };
    };
    std::map<std::string, row> ref, own;
    const auto r = hass::cost::fpgaconvnet::layer_cost(l, f, figures(ref));
    const auto h = hass::cost::hass::layer_cost(l, f, figures(own));
    for (const auto* m : {&ref, &own}) {
        const auto& x = *m;
        CHECK(x.at("pad").lut == 16);
        CHECK(x.at("pad").ff == 35);
        CHECK(x.at("sliding_window").lut == 1929);
        CHECK(x.at("sliding_window").ff == 2071);
        CHECK(x.at("sliding_window").bram == 8);
        CHECK(x.at("squeeze").lut == 6232);
        CHECK(x.at("squeeze").ff == 1931);
        CHECK(x.at("fork").lut == 100);
        CHECK(x.at("fork").ff == 146);
        CHECK(x.at("vector_dot").lut == 1651);
        CHECK(x.at("vector_dot").ff == 2439);
        CHECK(x.at("vector_dot").dsp == 48);
        CHECK(x.at("accum").lut == 2872);
        CHECK(x.at("accum").ff == 1648);
        CHECK(x.at("glue").lut == 724);
        CHECK(x.at("glue").ff == 636);
        CHECK(x.at("bias").lut == 51);
        CHECK(x.at("bias").ff == 139);
    }
    CHECK(ref.at("bias").bram == 0); // the reference counts the bias table at the layer
    CHECK(own.at("bias").bram == 4); // hass: 16 words of 128 bits in the bias module
    CHECK(ref.at("shift_scale").dsp == 4);
    CHECK_FALSE(ref.at("shift_scale").counted);
    CHECK(own.count("shift_scale") == 0);
    for (const auto& x : {r, h}) {
        CHECK(x.latency == 2408448);
        CHECK(x.lut == 13575);
        CHECK(x.ff == 9045);
        CHECK(x.dsp == 48);
        CHECK(x.bram == 56);
        CHECK(x.weight_bram == 44);
    }
    CHECK(r.pipeline_depth == 2662);
    CHECK(h.pipeline_depth == 2659);
}

TEST_CASE("docs/cost_model.md 2.9: where the models differ on a layer", "[cost][reference][docs]") {
    using ref = hass::cost::fpgaconvnet;
    using own = hass::cost::hass;
    SECTION("1x1 stride 2: hass counts the sliding window, no pad") {
        const hass::layer l = conv(56, 64, 128, 1, 0, 2);
        const hass::folding f{.coarse_in = 4, .coarse_out = 4};
        CHECK(ref::layer_cost(l, f).lut == 4448);
        CHECK(ref::layer_cost(l, f).ff == 3249);
        CHECK(own::layer_cost(l, f).lut == 4850);
        CHECK(own::layer_cost(l, f).ff == 3297);
    }
    SECTION("3x3 without padding: no pad") {
        const hass::layer l = conv(56, 64, 64, 3, 0);
        const hass::folding f{.coarse_in = 64, .fine = 9};
        CHECK(ref::layer_cost(l, f).lut == 51859);
        CHECK(ref::layer_cost(l, f).ff == 62546);
        CHECK(own::layer_cost(l, f).lut == 51843);
        CHECK(own::layer_cost(l, f).ff == 62511);
    }
    SECTION("sparse 3x3 with a bias") {
        hass::layer l = conv(28, 64, 64, 3, 1);
        l.bias = true;
        std::vector<double> h; // half of each window zero: 4 or 5 of 9
        for (int c = 0; c < 64; ++c)
            for (int z = 0; z <= 9; ++z) h.push_back(z == 4 || z == 5 ? 0.5 : 0.0);
        l.sparsity = hass::make_sparsity_stats(64, 9, h);
        const hass::folding f{.coarse_in = 4, .coarse_out = 2, .fine = 2};
        const auto r = ref::layer_cost(l, f), o = own::layer_cost(l, f);
        CHECK(r.lut == 18388);
        CHECK(r.ff == 9116);
        CHECK(r.pipeline_depth == 1508);
        CHECK(o.lut == 4882);
        CHECK(o.ff == 4949);
        CHECK(o.pipeline_depth == 1491);
    }
    SECTION("pointwise sparse") {
        hass::layer l = conv(28, 64, 128, 1, 0);
        l.sparsity = hass::make_sparsity_stats(64, 1, std::vector<double>(128, 0.5));
        const hass::folding f{.coarse_in = 4, .coarse_out = 4};
        CHECK(ref::layer_cost(l, f).lut == 4235);
        CHECK(ref::layer_cost(l, f).ff == 2207);
        CHECK(own::layer_cost(l, f).lut == 4928);
        CHECK(own::layer_cost(l, f).ff == 3416);
    }
    SECTION("sparse 1x1, 7x7x2 -> 2: no negative estimates in hass's model") {
        hass::layer l = conv(7, 2, 2, 1, 0);
        l.sparsity = hass::make_sparsity_stats(2, 1, {0.5, 0.5, 0.5, 0.5});
        l.sparsity.model = hass::sparse_model::window;
        CHECK(ref::layer_cost(l, {}).lut == -187);
        CHECK(ref::layer_cost(l, {}).ff == -967);
        CHECK(own::layer_cost(l, {}).lut == 217);
        CHECK(own::layer_cost(l, {}).ff == 154);
    }
    SECTION("inner product 512 -> 1000, 8-bit: whole DSPs") {
        hass::layer l;
        l.type = hass::layer_type::inner_product;
        l.in = {1, 1, 512};
        l.out = {1, 1, 1000};
        l.inputs = {hass::network_input};
        l.width = {8, 8, 32, 8};
        CHECK(ref::layer_cost(l, {}).dsp == 0.5);
        CHECK(ref::layer_cost(l, {}).pipeline_depth == 512002);
        CHECK(own::layer_cost(l, {}).dsp == 1);
        CHECK(own::layer_cost(l, {}).pipeline_depth == 511005);
    }
    SECTION("split 28x28x64, 8-bit, coarse 4, fan-out 2") {
        hass::layer l;
        l.type = hass::layer_type::split;
        l.in = l.out = {28, 28, 64};
        l.inputs = {hass::network_input};
        l.width = {8, 8, 32, 8};
        CHECK(ref::layer_cost(l, {.coarse_in = 4}).lut == 52);
        CHECK(ref::layer_cost(l, {.coarse_in = 4}).ff == 60);
        CHECK(own::layer_cost(l, {.coarse_in = 4}).lut == 20);
        CHECK(own::layer_cost(l, {.coarse_in = 4}).ff == 51);
    }
    SECTION("eltwise multiply with broadcast, 14x14x576, coarse 8") {
        hass::layer l;
        l.type = hass::layer_type::eltwise;
        l.op = hass::eltwise_op::mul;
        l.broadcast = true;
        l.in = l.out = {14, 14, 576};
        l.inputs = {hass::network_input, hass::network_input};
        CHECK(ref::layer_cost(l, {.coarse_in = 8}).bram == 0);
        CHECK(own::layer_cost(l, {.coarse_in = 8}).bram == 8);
    }
    SECTION("global pooling 7x7x512, coarse 4") {
        hass::layer l;
        l.type = hass::layer_type::global_pooling;
        l.in = {7, 7, 512};
        l.out = {1, 1, 512};
        l.inputs = {hass::network_input};
        CHECK(ref::layer_cost(l, {.coarse_in = 4}).latency == 128);
        CHECK(own::layer_cost(l, {.coarse_in = 4}).latency == 6272);
    }
    SECTION("hardsigmoid, coarse 8") {
        hass::layer l;
        l.type = hass::layer_type::hardsigmoid;
        l.in = l.out = {1, 1, 576};
        l.inputs = {hass::network_input};
        CHECK(ref::layer_cost(l, {.coarse_in = 8}).dsp == 0);
        CHECK(own::layer_cost(l, {.coarse_in = 8}).dsp == 8);
    }
    SECTION("a bias at 8-bit data and 32-bit output") {
        hass::layer l = conv(14, 16, 16, 1, 0);
        l.bias = true;
        l.width = {8, 8, 32, 32};
        const hass::folding f{.coarse_in = 2, .coarse_out = 8};
        auto bias_of = [&](auto model) {
            hass::cost::module_figure b;
            decltype(model)::layer_cost(l, f, [&](std::string_view name, const hass::cost::module_figure& m,
                                                  hass::count_t, bool) {
                if (name == "bias") b = m;
            });
            return b;
        };
        CHECK(bias_of(ref{}).lut == 207);
        CHECK(bias_of(ref{}).ff == 559);
        CHECK(bias_of(own{}).lut == 51);
        CHECK(bias_of(own{}).ff == 139);
    }
}
