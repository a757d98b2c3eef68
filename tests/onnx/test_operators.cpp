// The ONNX import operator by operator, on models written with the protobuf
// API (onnx_builder.hpp): how each operator maps to hass layers and weights,
// the attribute and storage variants, the naming rule, and the error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <hass/hass.hpp>
#include <hass_onnx/import.hpp>

#include "float_reference.hpp"
#include "onnx_builder.hpp"

namespace {

using hass::layer_type;
using hass::tensor_shape;
using Catch::Matchers::Contains;
using onnx_test::attr;
using onnx_test::float_tensor;
using onnx_test::int64_tensor;
using onnx_test::model_builder;
using onnx_test::ramp;

hass::onnx_import::result import(const model_builder& b, const hass::onnx_import::options& o = {}) {
    return hass::onnx_import::import_model(b.bytes(), "m.onnx", o);
}

std::string error_of(const model_builder& b) {
    try {
        (void)import(b);
    } catch (const hass::error& e) {
        return e.what();
    }
    return "(no error)";
}

const hass::layer& layer_named(const hass::network& net, std::string_view name) {
    const int i = net.find(name);
    REQUIRE(i >= 0);
    return net.layers[static_cast<std::size_t>(i)];
}

/// Conv x -> y with weights w [F, C/g, kh, kw] (ramp values).
model_builder conv_model(std::vector<std::int64_t> wdims, std::vector<attr> attrs, std::vector<std::int64_t> in = {1, 3, 8, 8}) {
    model_builder b(in);
    std::size_t n = 1;
    for (auto d : wdims) n *= static_cast<std::size_t>(d);
    b.init("w", wdims, ramp(n));
    b.node("Conv", {"x", "w"}, {"y"}, std::move(attrs), "conv");
    b.output("y");
    return b;
}

} // namespace

// ---------------------------------------------------------------------------- Conv

TEST_CASE("Conv: asymmetric pads, strides, weights in OIHW, optional bias", "[onnx][conv]") {
    model_builder b({1, 3, 8, 8});
    b.init("w", {4, 3, 3, 3}, ramp(108));
    b.init("bias", {4}, {0.5f, -1.0f, 0.25f, 2.0f});
    b.node("Conv", {"x", "w", "bias"}, {"y"}, {attr("pads", {1, 0, 2, 1}), attr("strides", {2, 1})}, "conv");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    const hass::layer& l = r.net.layers[0];
    CHECK(l.name.view() == "conv");
    CHECK(l.type == layer_type::convolution);
    CHECK(l.pad_top == 1);
    CHECK(l.pad_left == 0);
    CHECK(l.pad_bottom == 2);
    CHECK(l.pad_right == 1);
    CHECK(l.stride_rows == 2);
    CHECK(l.stride_cols == 1);
    CHECK(l.out == tensor_shape{5, 7, 4}); // (8+3-3)/2+1, (8+1-3)/1+1
    CHECK(l.bias);
    CHECK_FALSE(l.batchnorm);
    CHECK(r.weights.at("conv").weights == ramp(108));
    CHECK(r.weights.at("conv").bias == std::vector<float>{0.5f, -1.0f, 0.25f, 2.0f});
    CHECK(r.shapes_checked == 1); // ONNX shape inference agrees
}

TEST_CASE("Conv: groups, depthwise, auto_pad", "[onnx][conv]") {
    SECTION("depthwise") {
        const auto r = import(conv_model({3, 1, 3, 3}, {attr("group", 3), attr("pads", {1, 1, 1, 1})}));
        CHECK(r.net.layers[0].groups == 3);
        CHECK(r.net.layers[0].is_depthwise());
        CHECK_FALSE(r.net.layers[0].bias);
        CHECK(r.weights.at("conv").bias.empty());
    }
    SECTION("grouped") {
        const auto r = import(conv_model({6, 2, 1, 1}, {attr("group", 2)}, {1, 4, 8, 8}));
        CHECK(r.net.layers[0].groups == 2);
        CHECK(r.net.layers[0].out == tensor_shape{8, 8, 6});
    }
    SECTION("SAME_UPPER: the extra padding at the end") {
        const auto r = import(conv_model({4, 3, 3, 3}, {attr("auto_pad", "SAME_UPPER"), attr("strides", {2, 2})}));
        const auto& l = r.net.layers[0];
        CHECK(l.out == tensor_shape{4, 4, 4}); // ceil(8 / 2)
        CHECK(l.pad_top == 0);
        CHECK(l.pad_bottom == 1);
        CHECK(l.pad_left == 0);
        CHECK(l.pad_right == 1);
        CHECK(r.shapes_checked == 1);
    }
    SECTION("SAME_LOWER: the extra padding at the beginning") {
        const auto r = import(conv_model({4, 3, 3, 3}, {attr("auto_pad", "SAME_LOWER"), attr("strides", {2, 2})}));
        CHECK(r.net.layers[0].pad_top == 1);
        CHECK(r.net.layers[0].pad_bottom == 0);
    }
    SECTION("SAME_UPPER, stride 1: symmetric") {
        const auto r = import(conv_model({4, 3, 3, 3}, {attr("auto_pad", "SAME_UPPER")}));
        CHECK(r.net.layers[0].out == tensor_shape{8, 8, 4});
        CHECK(r.net.layers[0].pad_top == 1);
        CHECK(r.net.layers[0].pad_bottom == 1);
    }
    SECTION("VALID") {
        const auto r = import(conv_model({4, 3, 3, 3}, {attr("auto_pad", "VALID")}));
        CHECK(r.net.layers[0].out == tensor_shape{6, 6, 4});
        CHECK_FALSE(r.net.layers[0].has_padding());
    }
}

TEST_CASE("Conv errors name the node and the field", "[onnx][conv][errors]") {
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("dilations", {2, 2})})),
               Contains("m.onnx: node 'conv' (#0, Conv): dilations [2, 2] are not supported") &&
                   Contains("undilated convolutions"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("dilations", {1, 1})})), Contains("(no error)"));
    CHECK_THAT(error_of(conv_model({4, 3, 3}, {})), Contains("2-D convolutions"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("group", 2)})), Contains("group 2 does not divide the 3 input channels"));
    CHECK_THAT(error_of(conv_model({4, 2, 3, 3}, {})), Contains("have 2 channels per filter, but the input has 3 channels"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("kernel_shape", {5, 5})})),
               Contains("kernel_shape [5, 5] differs from the weights' kernel [3, 3]"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("auto_pad", "SAME_UPPER"), attr("pads", {1, 1, 1, 1})})),
               Contains("auto_pad SAME_UPPER and pads are given together"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("auto_pad", "SAME")})), Contains("auto_pad 'SAME' is not one of"));
    CHECK_THAT(error_of(conv_model({4, 3, 9, 9}, {})), Contains("the kernel 9x9 is larger than the padded input 8x8"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("pads", {1, 1})})), Contains("pads [1, 1] must have four entries"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("pads", {-1, 0, 0, 0})})), Contains("must be >= 0"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("group", "two")})), Contains("attribute 'group' must be an integer"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("strides", {0, 1})})), Contains("strides [0, 1] must be positive"));
    CHECK_THAT(error_of(conv_model({4, 3, 3, 3}, {attr("padding", {1, 1, 1, 1})})),
               Contains("unknown attribute 'padding' for Conv (known: auto_pad, dilations, group, kernel_shape, pads, strides)"));
    model_builder b;
    b.node("Relu", {"x"}, {"w"}, {}, "relu");
    b.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
    b.output("y");
    CHECK_THAT(error_of(b), Contains("node 'conv' (#1, Conv): input 1 (W) 'w' must be an initializer or a Constant"));
    model_builder bias = conv_model({4, 3, 3, 3}, {});
    bias.init("b", {3}, {1, 2, 3});
    bias.g()->mutable_node(0)->add_input("b");
    CHECK_THAT(error_of(bias), Contains("the bias 'b' has shape [3], expected [4]"));
}

// ---------------------------------------------------------------------------- Gemm, MatMul

TEST_CASE("Gemm after Flatten: weights permuted from ONNX's (C, H, W) to hass's (H, W, C) order", "[onnx][gemm]") {
    const bool transB = GENERATE(true, false);
    CAPTURE(transB);
    const std::int64_t C = 2, H = 3, W = 2, N = C * H * W, F = 5;
    model_builder b({1, C, H, W});
    const std::vector<float> B = ramp(static_cast<std::size_t>(N * F), 0.05f);
    b.init("B", transB ? std::vector<std::int64_t>{F, N} : std::vector<std::int64_t>{N, F}, B);
    b.init("C", {F}, {1, 2, 3, 4, 5});
    b.node("Flatten", {"x"}, {"f"}, {attr("axis", 1)}, "flatten");
    b.node("Gemm", {"f", "B", "C"}, {"y"}, {attr("transB", transB ? 1 : 0), attr("alpha", 0.5), attr("beta", 2.0)}, "fc");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1); // Flatten is no layer: the inner product flattens its input
    const hass::layer& fc = r.net.layers[0];
    CHECK(fc.type == layer_type::inner_product);
    CHECK(fc.in == tensor_shape{H, W, C});
    CHECK(fc.out == tensor_shape{1, 1, F});
    CHECK(fc.bias);
    CHECK(r.weights.at("fc").bias == std::vector<float>{2, 4, 6, 8, 10}); // beta * C
    // ONNX semantics on an input, against the float reference of the imported layer
    std::vector<float> x(static_cast<std::size_t>(N));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * static_cast<float>(i) - 1.0f;
    const auto out = onnx_test::run(r.net, r.weights, onnx_test::from_nchw(x, r.net.input));
    for (std::int64_t f = 0; f < F; ++f) {
        double want = 2.0 * (1.0 + static_cast<double>(f));
        for (std::int64_t k = 0; k < N; ++k)
            want += 0.5 * x[static_cast<std::size_t>(k)] * B[static_cast<std::size_t>(transB ? f * N + k : k * F + f)];
        CHECK(out[0].v[static_cast<std::size_t>(f)] == Approx(want).margin(1e-6));
    }
}

TEST_CASE("Gemm: C shapes, errors", "[onnx][gemm]") {
    auto gemm = [](std::vector<std::int64_t> cdims, std::vector<float> c, std::vector<attr> attrs = {attr("transB", 1)}) {
        model_builder b({1, 4});
        b.init("B", {3, 4}, ramp(12));
        if (!cdims.empty() || !c.empty()) b.init("C", cdims, c);
        b.node("Gemm", c.empty() ? std::vector<std::string>{"x", "B"} : std::vector<std::string>{"x", "B", "C"}, {"y"},
               std::move(attrs), "fc");
        b.output("y");
        return b;
    };
    CHECK(import(gemm({1, 3}, {1, 2, 3})).weights.at("fc").bias == std::vector<float>{1, 2, 3});
    CHECK(import(gemm({1}, {7})).weights.at("fc").bias == std::vector<float>{7, 7, 7});
    const auto none = import(gemm({}, {}));
    CHECK_FALSE(none.net.layers[0].bias);
    CHECK(none.net.input == tensor_shape{1, 1, 4}); // a [1, N] input
    CHECK_THAT(error_of(gemm({2}, {1, 2})), Contains("C 'C' has shape [2]; expected [3], [1, 3] or a scalar"));
    CHECK_THAT(error_of(gemm({3}, {1, 2, 3}, {attr("transB", 1), attr("transA", 1)})), Contains("transA 1 is not supported"));
    CHECK_THAT(error_of(gemm({3}, {1, 2, 3}, {})), Contains("B 'B' has shape [3, 4] (transB 0), which does not match the 4 input features"));
}

TEST_CASE("MatMul, alone and with an Add folded into its bias", "[onnx][matmul]") {
    auto mm = [](bool add, bool const_first) {
        model_builder b({1, 4});
        b.init("B", {4, 3}, ramp(12));
        b.init("bias", {3}, {0.5f, 1.5f, -2.0f});
        b.node("MatMul", {"x", "B"}, {"m"}, {}, "mm");
        if (add) b.node("Add", const_first ? std::vector<std::string>{"bias", "m"} : std::vector<std::string>{"m", "bias"}, {"y"}, {}, "add");
        b.output(add ? "y" : "m");
        return b;
    };
    const auto plain = import(mm(false, false));
    CHECK_FALSE(plain.net.layers[0].bias);
    for (bool first : {false, true}) {
        const auto r = import(mm(true, first));
        REQUIRE(r.net.size() == 1);
        CHECK(r.net.layers[0].name.view() == "mm");
        CHECK(r.net.layers[0].bias);
        CHECK(r.weights.at("mm").bias == std::vector<float>{0.5f, 1.5f, -2.0f});
        // [N][F] in ONNX, [F][N] in hass
        const auto B = ramp(12);
        const auto& w = r.weights.at("mm").weights;
        for (int f = 0; f < 3; ++f)
            for (int k = 0; k < 4; ++k) CHECK(w[static_cast<std::size_t>(f * 4 + k)] == B[static_cast<std::size_t>(k * 3 + f)]);
        bool noted = false;
        for (const auto& n : r.notes) noted = noted || n.find("folded into the bias of MatMul 'mm'") != std::string::npos;
        CHECK(noted);
    }
    // the MatMul output read twice: the constant cannot become its bias
    model_builder b = mm(true, false);
    b.node("Relu", {"m"}, {"r"}, {}, "relu");
    b.output("r");
    CHECK_THAT(error_of(b), Contains("node 'add' (#1, Add): the output 'm' of 'mm' is also read by node 'relu' (Relu)"));
    model_builder bad({1, 4});
    bad.init("B", {4, 3}, ramp(12));
    bad.init("bias", {2}, {1, 2});
    bad.node("MatMul", {"x", "B"}, {"m"}, {}, "mm");
    bad.node("Add", {"m", "bias"}, {"y"}, {}, "add");
    bad.output("y");
    CHECK_THAT(error_of(bad), Contains("the constant 'bias' has shape [2], which is not one value per channel of [1, 3]"));
    model_builder map({1, 3, 8, 8});
    map.init("B", {8, 3}, ramp(24));
    map.node("MatMul", {"x", "B"}, {"y"}, {}, "mm");
    map.output("y");
    CHECK_THAT(error_of(map), Contains("a MatMul of a vector [1, N] by a weight matrix [N, F]"));
}

TEST_CASE("Add of a per-channel constant after a Conv becomes its bias", "[onnx][add]") {
    model_builder b = conv_model({4, 3, 1, 1}, {});
    b.g()->mutable_output()->Clear();
    b.init("k", {1, 4, 1, 1}, {1, 2, 3, 4});
    b.node("Add", {"y", "k"}, {"z"}, {}, "add");
    b.output("z");
    const auto r = import(b);
    CHECK(r.net.layers[0].bias);
    CHECK(r.weights.at("conv").bias == std::vector<float>{1, 2, 3, 4});
    model_builder input;
    input.init("k", {1, 3, 1, 1}, {1, 2, 3});
    input.node("Add", {"x", "k"}, {"y"}, {}, "add");
    input.output("y");
    CHECK_THAT(error_of(input), Contains("to a tensor that is not the output of a Conv, Gemm or MatMul"));
}

// ---------------------------------------------------------------------------- activations

TEST_CASE("Relu, Sigmoid, HardSwish, HardSigmoid", "[onnx][activations]") {
    model_builder b({1, 3, 8, 8}, 14);
    b.node("Relu", {"x"}, {"a"}, {}, "relu");
    b.node("Sigmoid", {"a"}, {"s"}, {}, "sig");
    b.node("HardSwish", {"s"}, {"h"}, {}, "hswish");
    b.node("HardSigmoid", {"h"}, {"y"}, {attr("alpha", 1.0 / 6.0), attr("beta", 0.5)}, "hsig");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 4);
    CHECK(r.net.layers[0].type == layer_type::relu);
    CHECK(r.net.layers[1].type == layer_type::sigmoid);
    CHECK(r.net.layers[2].type == layer_type::hardswish);
    CHECK(r.net.layers[3].type == layer_type::hardsigmoid);
    CHECK(r.net.layers[3].out == tensor_shape{8, 8, 3});
    model_builder wrong({1, 3, 8, 8});
    wrong.node("HardSigmoid", {"x"}, {"y"}, {attr("alpha", 0.25)}, "hsig");
    wrong.output("y");
    CHECK_THAT(error_of(wrong), Contains("alpha 0.25, beta 0.5: hass's hardsigmoid is clamp(x/6 + 1/2, 0, 1)"));
}

TEST_CASE("x * HardSigmoid(x) is one HardSwish layer", "[onnx][activations]") {
    model_builder b;
    b.node("HardSigmoid", {"x"}, {"h"}, {attr("alpha", 1.0 / 6.0), attr("beta", 0.5)}, "hsig");
    b.node("Mul", {"h", "x"}, {"y"}, {}, "mul");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    CHECK(r.net.layers[0].type == layer_type::hardswish);
    CHECK(r.net.layers[0].name.view() == "mul");
    // a HardSigmoid also read elsewhere stays a layer; the Mul is an eltwise
    model_builder two = b;
    two.node("Relu", {"h"}, {"r"}, {}, "relu");
    two.output("r");
    const auto t = import(two);
    CHECK(layer_named(t.net, "hsig").type == layer_type::hardsigmoid);
    CHECK(layer_named(t.net, "mul").type == layer_type::eltwise);
}

TEST_CASE("Clip: relu6, relu, attributes (opset < 11) and inputs", "[onnx][clip]") {
    SECTION("attributes") {
        model_builder b({1, 3, 8, 8}, 10);
        b.node("Clip", {"x"}, {"a"}, {attr("min", 0.0), attr("max", 6.0)}, "c6");
        b.node("Clip", {"a"}, {"y"}, {attr("min", 0.0)}, "c0");
        b.output("y");
        const auto r = import(b);
        CHECK(layer_named(r.net, "c6").type == layer_type::relu6);
        CHECK(layer_named(r.net, "c0").type == layer_type::relu);
    }
    SECTION("Constant nodes and initializers as min and max") {
        model_builder b({1, 3, 8, 8}, 13);
        b.node("Constant", {}, {"lo"}, {attr("value", float_tensor("", {}, {0.0f}))}, "k0");
        b.node("Constant", {}, {"hi"}, {attr("value_float", 6.0)}, "k6");
        b.node("Clip", {"x", "lo", "hi"}, {"a"}, {}, "c6");
        b.init("zero", {}, {0.0f});
        b.node("Clip", {"a", "zero", ""}, {"y"}, {}, "c0");
        b.output("y");
        const auto r = import(b);
        REQUIRE(r.net.size() == 2);
        CHECK(layer_named(r.net, "c6").type == layer_type::relu6);
        CHECK(layer_named(r.net, "c0").type == layer_type::relu);
    }
    SECTION("Relu then Clip(max 6): one relu6 layer") {
        model_builder b({1, 3, 8, 8}, 10);
        b.node("Relu", {"x"}, {"a"}, {}, "relu");
        b.node("Clip", {"a"}, {"y"}, {attr("max", 6.0)}, "clip");
        b.output("y");
        const auto r = import(b);
        REQUIRE(r.net.size() == 1);
        CHECK(r.net.layers[0].type == layer_type::relu6);
        CHECK(r.net.layers[0].name.view() == "relu");
    }
    SECTION("errors") {
        model_builder b({1, 3, 8, 8}, 10);
        b.node("Clip", {"x"}, {"y"}, {attr("min", 0.0), attr("max", 4.0)}, "clip");
        b.output("y");
        CHECK_THAT(error_of(b), Contains("node 'clip' (#0, Clip): Clip(0, 4) is not supported"));
        model_builder neg({1, 3, 8, 8}, 10);
        neg.node("Clip", {"x"}, {"y"}, {attr("min", -1.0), attr("max", 6.0)}, "clip");
        neg.output("y");
        CHECK_THAT(error_of(neg), Contains("Clip(-1, 6) is not supported"));
        model_builder vec({1, 3, 8, 8}, 13);
        vec.init("lo", {2}, {0, 0});
        vec.node("Clip", {"x", "lo"}, {"y"}, {}, "clip");
        vec.output("y");
        CHECK_THAT(error_of(vec), Contains("min 'lo' must be a scalar"));
    }
}

TEST_CASE("LeakyRelu and other operators hass does not have are rejected", "[onnx][errors]") {
    for (const char* op : {"LeakyRelu", "Softmax", "Tanh", "Resize", "Div"}) {
        CAPTURE(op);
        model_builder b;
        b.node(op, {"x"}, {"y"}, {}, "n");
        b.output("y");
        const std::string e = error_of(b);
        CHECK_THAT(e, Contains("m.onnx: node 'n' (#0, " + std::string(op) + "): operator '" + std::string(op) +
                               "' is not supported by hass"));
        CHECK_THAT(e, Contains("supported operators: Add, AveragePool, BatchNormalization, Clip, Concat, Constant, "
                               "Conv, Dropout, Flatten, Gemm, GlobalAveragePool, GlobalMaxPool, HardSigmoid, "
                               "HardSwish, Identity, MatMul, MaxPool, Mul, Pad, Relu, Reshape, Sigmoid"));
    }
    CHECK(hass::onnx_import::supported_operators().size() == 22);
}

// ---------------------------------------------------------------------------- pooling

TEST_CASE("MaxPool and AveragePool", "[onnx][pool]") {
    SECTION("max 3x3 stride 2 pad 1 after a ReLU: exact, no warning") {
        model_builder b;
        b.node("Relu", {"x"}, {"r"}, {}, "relu");
        b.node("MaxPool", {"r"}, {"y"}, {attr("kernel_shape", {3, 3}), attr("strides", {2, 2}), attr("pads", {1, 1, 1, 1})}, "pool");
        b.output("y");
        const auto r = import(b);
        const auto& p = layer_named(r.net, "pool");
        CHECK(p.pool == hass::pool_op::max);
        CHECK(p.out == tensor_shape{4, 4, 3});
        CHECK(p.pad_top == 1);
        CHECK(r.warnings.empty());
    }
    SECTION("max with padding on signed data: a warning") {
        model_builder b;
        b.node("MaxPool", {"x"}, {"y"}, {attr("kernel_shape", {3, 3}), attr("pads", {1, 1, 1, 1})}, "pool");
        b.output("y");
        const auto r = import(b);
        REQUIRE(r.warnings.size() == 1);
        CHECK_THAT(r.warnings[0], Contains("node 'pool' (#0, MaxPool): hass pads the max pooling with zeros"));
        CHECK(r.net.layers[0].stride_rows == 1); // ONNX's default stride is 1
    }
    SECTION("average, count_include_pad 1") {
        model_builder b;
        b.node("AveragePool", {"x"}, {"y"},
               {attr("kernel_shape", {2, 2}), attr("strides", {2, 2}), attr("pads", {1, 1, 1, 1}), attr("count_include_pad", 1)}, "pool");
        b.output("y");
        const auto r = import(b);
        CHECK(r.net.layers[0].pool == hass::pool_op::avg);
        CHECK(r.net.layers[0].out == tensor_shape{5, 5, 3});
    }
    SECTION("average without padding: count_include_pad does not matter") {
        model_builder b;
        b.node("AveragePool", {"x"}, {"y"}, {attr("kernel_shape", {2, 2}), attr("strides", {2, 2})}, "pool");
        b.output("y");
        CHECK(import(b).net.layers[0].out == tensor_shape{4, 4, 3});
    }
    SECTION("ceil_mode giving the floor size is accepted") {
        model_builder b;
        b.node("MaxPool", {"x"}, {"y"}, {attr("kernel_shape", {2, 2}), attr("strides", {2, 2}), attr("ceil_mode", 1)}, "pool");
        b.output("y");
        CHECK(import(b).net.layers[0].out == tensor_shape{4, 4, 3});
    }
    SECTION("errors") {
        model_builder d;
        d.node("MaxPool", {"x"}, {"y"}, {attr("kernel_shape", {2, 2}), attr("dilations", {2, 2})}, "pool");
        d.output("y");
        CHECK_THAT(error_of(d), Contains("dilations [2, 2] are not supported: hass models undilated pooling windows"));
        model_builder k;
        k.node("MaxPool", {"x"}, {"y"}, {}, "pool");
        k.output("y");
        CHECK_THAT(error_of(k), Contains("attribute 'kernel_shape' is missing"));
        model_builder idx;
        idx.node("MaxPool", {"x"}, {"y", "i"}, {attr("kernel_shape", {2, 2})}, "pool");
        idx.node("Relu", {"i"}, {"z"}, {}, "relu");
        idx.output("y");
        idx.output("z");
        CHECK_THAT(error_of(idx), Contains("output 1 'i' is read by node 'relu' (Relu); hass reads only the first output"));
        model_builder k3;
        k3.node("MaxPool", {"x"}, {"y"}, {attr("kernel_shape", {2, 2, 2})}, "pool");
        k3.output("y");
        CHECK_THAT(error_of(k3), Contains("kernel_shape [2, 2, 2]: hass models 2-D windows"));
    }
}

TEST_CASE("GlobalAveragePool and GlobalMaxPool", "[onnx][pool]") {
    model_builder b;
    b.node("GlobalAveragePool", {"x"}, {"a"}, {}, "gap");
    b.node("GlobalMaxPool", {"x"}, {"m"}, {}, "gmp");
    b.node("Add", {"a", "m"}, {"y"}, {}, "add");
    b.output("y");
    const auto r = import(b);
    CHECK(layer_named(r.net, "gap").pool == hass::pool_op::avg);
    CHECK(layer_named(r.net, "gmp").pool == hass::pool_op::max);
    CHECK(layer_named(r.net, "gap").out == tensor_shape{1, 1, 3});
    CHECK(layer_named(r.net, "input.split").fan_out == 2); // the input read twice
}

// ---------------------------------------------------------------------------- Add, Mul, Concat

TEST_CASE("Add and Mul: equal shapes, channel broadcast in either order, the same tensor twice", "[onnx][eltwise]") {
    SECTION("squeeze-excitation s * x: the broadcast input goes second") {
        model_builder b;
        b.node("GlobalAveragePool", {"x"}, {"s"}, {}, "gap");
        b.node("Sigmoid", {"s"}, {"g"}, {}, "gate");
        b.node("Mul", {"g", "x"}, {"y"}, {}, "scale");
        b.output("y");
        const auto r = import(b);
        const auto& m = layer_named(r.net, "scale");
        CHECK(m.op == hass::eltwise_op::mul);
        CHECK(m.broadcast);
        CHECK(m.out == tensor_shape{8, 8, 3});
        REQUIRE(m.inputs.size() == 2);
        CHECK(r.net.shape_of(m.inputs[0]) == tensor_shape{8, 8, 3});
        CHECK(r.net.shape_of(m.inputs[1]) == tensor_shape{1, 1, 3});
    }
    SECTION("x + x") {
        model_builder b;
        b.node("Relu", {"x"}, {"r"}, {}, "relu");
        b.node("Add", {"r", "r"}, {"y"}, {}, "add");
        b.output("y");
        const auto r = import(b);
        CHECK(layer_named(r.net, "relu.split").fan_out == 2);
        CHECK(layer_named(r.net, "add").op == hass::eltwise_op::add);
    }
    SECTION("shapes hass cannot combine") {
        model_builder b;
        b.node("MaxPool", {"x"}, {"p"}, {attr("kernel_shape", {2, 2}), attr("strides", {2, 2})}, "pool");
        b.node("Add", {"x", "p"}, {"y"}, {}, "add");
        b.output("y");
        CHECK_THAT(error_of(b), Contains("node 'add' (#1, Add): inputs 'x' [1, 3, 8, 8] and 'p' [1, 3, 4, 4]"));
    }
    SECTION("a constant times a map") {
        model_builder b;
        b.init("k", {1}, {2.0f});
        b.node("Mul", {"k", "x"}, {"y"}, {}, "mul");
        b.output("y");
        CHECK_THAT(error_of(b), Contains("multiplies by the constant 'k'; hass has no scaling layer"));
    }
}

TEST_CASE("Concat along the channels", "[onnx][concat]") {
    model_builder b;
    b.node("Relu", {"x"}, {"a"}, {}, "relu");
    b.node("Sigmoid", {"x"}, {"s"}, {}, "sig");
    b.node("Concat", {"a", "s", "x"}, {"c"}, {attr("axis", -3)}, "cat");
    b.node("Concat", {"c"}, {"y"}, {attr("axis", 1)}, "one"); // one input: no layer
    b.output("y");
    const auto r = import(b);
    const auto& c = layer_named(r.net, "cat");
    CHECK(c.type == layer_type::concat);
    CHECK(c.inputs.size() == 3);
    CHECK(c.out == tensor_shape{8, 8, 9});
    CHECK(r.net.find("one") < 0);
    model_builder vec({1, 4});
    vec.node("Relu", {"x"}, {"a"}, {}, "relu");
    vec.node("Concat", {"x", "a"}, {"y"}, {attr("axis", -1)}, "cat");
    vec.output("y");
    CHECK(import(vec).net.layers.back().out == tensor_shape{1, 1, 8});
    model_builder noaxis;
    noaxis.node("Concat", {"x", "x"}, {"y"}, {}, "cat");
    noaxis.output("y");
    CHECK_THAT(error_of(noaxis), Contains("attribute 'axis' is missing"));
}

// ---------------------------------------------------------------------------- Flatten, Reshape

TEST_CASE("Flatten and Reshape to a vector; other reshapes are rejected", "[onnx][reshape]") {
    auto to_fc = [](const char* op, std::vector<attr> attrs, std::vector<std::int64_t> shape) {
        model_builder b({1, 2, 2, 2});
        b.init("B", {3, 8}, ramp(24));
        if (!shape.empty()) b.init(int64_tensor("shape", {static_cast<std::int64_t>(shape.size())}, shape));
        b.node(op, shape.empty() ? std::vector<std::string>{"x"} : std::vector<std::string>{"x", "shape"}, {"f"},
               std::move(attrs), "flat");
        b.node("Gemm", {"f", "B"}, {"y"}, {attr("transB", 1)}, "fc");
        b.output("y");
        return b;
    };
    CHECK(import(to_fc("Flatten", {}, {})).net.size() == 1);
    CHECK(import(to_fc("Flatten", {attr("axis", 0)}, {})).net.size() == 1);
    CHECK(import(to_fc("Flatten", {attr("axis", -3)}, {})).net.size() == 1);
    CHECK(import(to_fc("Reshape", {}, {1, -1})).net.size() == 1);
    CHECK(import(to_fc("Reshape", {}, {0, -1})).net.size() == 1);
    CHECK(import(to_fc("Reshape", {}, {1, 8})).net.size() == 1);
    CHECK_THAT(error_of(to_fc("Flatten", {attr("axis", 2)}, {})), Contains("axis 2 of an input of rank 4"));
    CHECK_THAT(error_of(to_fc("Reshape", {}, {-1})), Contains("reshapes [1, 2, 2, 2] to [8]; hass has no reshape layer"));
    CHECK_THAT(error_of(to_fc("Reshape", {}, {2, -1})), Contains("to [2, 4]"));
    CHECK_THAT(error_of(to_fc("Reshape", {}, {1, 7})), Contains("shape [1, 7] has 7 elements but the input [1, 2, 2, 2] has 8"));
    CHECK_THAT(error_of(to_fc("Reshape", {}, {-1, -1})), Contains("more than one -1"));
    // an identity reshape keeps the map
    model_builder same;
    same.init(int64_tensor("shape", {4}, {1, 3, 8, 8}));
    same.node("Reshape", {"x", "shape"}, {"r"}, {}, "reshape");
    same.node("Relu", {"r"}, {"y"}, {}, "relu");
    same.output("y");
    CHECK(import(same).net.layers[0].in == tensor_shape{8, 8, 3});
    // a flattened map is not a feature map any more
    model_builder conv;
    conv.init("w", {4, 192, 1, 1}, ramp(768));
    conv.node("Flatten", {"x"}, {"f"}, {}, "flat");
    conv.node("Conv", {"f", "w"}, {"y"}, {}, "conv");
    conv.output("y");
    CHECK_THAT(error_of(conv), Contains("input 'f' is [1, 192]; a Conv reads a 4-D feature map [1, C, H, W]"));
    // an activation between the flatten and the inner product keeps the vector view
    model_builder act({1, 2, 2, 2});
    act.init("B", {3, 8}, ramp(24));
    act.node("Flatten", {"x"}, {"f"}, {}, "flat");
    act.node("Relu", {"f"}, {"r"}, {}, "relu");
    act.node("Gemm", {"r", "B"}, {"y"}, {attr("transB", 1)}, "fc");
    act.output("y");
    const auto r = import(act);
    CHECK(layer_named(r.net, "relu").out == tensor_shape{2, 2, 2});
    CHECK(layer_named(r.net, "fc").in == tensor_shape{2, 2, 2});
}

TEST_CASE("x.view(x.size(0), -1): Shape, Gather, Unsqueeze, Concat evaluated on constants", "[onnx][fold]") {
    model_builder b({1, 2, 2, 2}, 13);
    b.init("B", {3, 8}, ramp(24));
    b.init(int64_tensor("zero", {}, {0}));
    b.init(int64_tensor("axes", {1}, {0}));
    b.init(int64_tensor("minus1", {1}, {-1}));
    b.node("Shape", {"x"}, {"s"}, {}, "shape");
    b.node("Gather", {"s", "zero"}, {"n"}, {attr("axis", 0)}, "gather");
    b.node("Unsqueeze", {"n", "axes"}, {"n1"}, {}, "unsqueeze");
    b.node("Concat", {"n1", "minus1"}, {"target"}, {attr("axis", 0)}, "concat");
    b.node("Reshape", {"x", "target"}, {"f"}, {}, "reshape");
    b.node("Gemm", {"f", "B"}, {"y"}, {attr("transB", 1)}, "fc");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    CHECK(r.net.layers[0].type == layer_type::inner_product);
}

TEST_CASE("PyTorch's F.pad at opset 11+: the pads computed by a constant sub-graph", "[onnx][fold][pad]") {
    // torch.onnx: pads [l, r, t, b] -> ConstantOfShape/Concat/Reshape/Slice(step -1)/Transpose/Reshape/Cast
    model_builder b({1, 3, 8, 8}, 14);
    b.init("w", {4, 3, 3, 3}, ramp(108));
    b.init(int64_tensor("n4", {1}, {4}));
    b.init(int64_tensor("lrtb", {4}, {1, 0, 2, 0}));
    b.init(int64_tensor("shape2", {2}, {-1, 2}));
    b.init(int64_tensor("start", {1}, {-1}));
    b.init(int64_tensor("end", {1}, {std::numeric_limits<std::int64_t>::min() + 1}));
    b.init(int64_tensor("axis0", {1}, {0}));
    b.init(int64_tensor("step", {1}, {-1}));
    b.init(int64_tensor("flat", {1}, {-1}));
    b.node("ConstantOfShape", {"n4"}, {"zeros"}, {attr("value", int64_tensor("", {1}, {0}))}, "cos");
    b.node("Concat", {"lrtb", "zeros"}, {"c"}, {attr("axis", 0)}, "cat");
    b.node("Reshape", {"c", "shape2"}, {"r"}, {}, "r1");
    b.node("Slice", {"r", "start", "end", "axis0", "step"}, {"s"}, {}, "slice");
    b.node("Transpose", {"s"}, {"t"}, {attr("perm", {1, 0})}, "transpose");
    b.node("Reshape", {"t", "flat"}, {"p"}, {}, "r2");
    b.node("Cast", {"p"}, {"pads"}, {attr("to", 7)}, "cast");
    b.node("Pad", {"x", "pads"}, {"padded"}, {attr("mode", "constant")}, "pad");
    b.node("Conv", {"padded", "w"}, {"y"}, {}, "conv");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    const auto& c = r.net.layers[0];
    CHECK(c.pad_left == 1);
    CHECK(c.pad_right == 0);
    CHECK(c.pad_top == 2);
    CHECK(c.pad_bottom == 0);
    CHECK(c.out == tensor_shape{8, 7, 4});
}

TEST_CASE("Slice, Squeeze, Unsqueeze, Transpose evaluated on constants (opset 11: attributes and inputs)",
          "[onnx][fold]") {
    // every chain computes the Reshape target [1, -1] of a 1x2x2x2 map
    auto chain = [](std::int64_t opset, auto&& build) {
        model_builder b({1, 2, 2, 2}, opset);
        b.init("B", {3, 8}, ramp(24));
        build(b);
        b.node("Reshape", {"x", "target"}, {"f"}, {}, "reshape");
        b.node("Gemm", {"f", "B"}, {"y"}, {attr("transB", 1)}, "fc");
        b.output("y");
        return b;
    };
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    const auto sliced = chain(11, [&](model_builder& b) {
        b.init(int64_tensor("v", {4}, {1, -1, 5, 9}));
        b.init(int64_tensor("starts", {1}, {0}));
        b.init(int64_tensor("ends", {1}, {big}));
        b.init(int64_tensor("steps", {1}, {big})); // one element, whatever the step
        b.init(int64_tensor("m1", {1}, {-1}));
        b.node("Slice", {"v", "starts", "ends", "", "steps"}, {"one"}, {}, "slice");
        b.node("Concat", {"one", "m1"}, {"target"}, {attr("axis", 0)}, "cat");
    });
    CHECK(import(sliced).net.size() == 1);
    const auto reversed = chain(13, [&](model_builder& b) {
        b.init(int64_tensor("v", {2}, {-1, 1}));
        b.init(int64_tensor("starts", {1}, {-1}));
        b.init(int64_tensor("ends", {1}, {std::numeric_limits<std::int64_t>::min()}));
        b.init(int64_tensor("steps", {1}, {std::numeric_limits<std::int64_t>::min()}));
        b.init(int64_tensor("rest", {1}, {-1}));
        b.node("Slice", {"v", "starts", "ends", "", "steps"}, {"one"}, {}, "slice"); // [1]
        b.node("Concat", {"one", "rest"}, {"target"}, {attr("axis", 0)}, "cat");
    });
    CHECK(import(reversed).net.size() == 1);
    const auto squeezed = chain(11, [&](model_builder& b) {
        b.init(int64_tensor("v", {1, 2}, {1, -1}));
        b.node("Squeeze", {"v"}, {"target"}, {attr("axes", {0})}, "squeeze");
    });
    CHECK(import(squeezed).net.size() == 1);
    const auto unsqueezed = chain(11, [&](model_builder& b) {
        b.init(int64_tensor("one", {}, {1}));
        b.init(int64_tensor("m1", {1}, {-1}));
        b.node("Unsqueeze", {"one"}, {"u"}, {attr("axes", {0})}, "unsqueeze");
        b.node("Concat", {"u", "m1"}, {"target"}, {attr("axis", 0)}, "cat");
    });
    CHECK(import(unsqueezed).net.size() == 1);
    const auto transposed = chain(13, [&](model_builder& b) {
        b.init(int64_tensor("v", {2, 1}, {1, -1}));
        b.init(int64_tensor("flat", {1}, {-1}));
        b.node("Transpose", {"v"}, {"t"}, {}, "transpose"); // default perm: reversed axes
        b.node("Reshape", {"t", "flat"}, {"target"}, {}, "r");
    });
    CHECK(import(transposed).net.size() == 1);
    const auto wrong = chain(11, [&](model_builder& b) {
        b.init(int64_tensor("v", {1, 2}, {1, -1}));
        b.node("Squeeze", {"v"}, {"target"}, {attr("axes", {1})}, "squeeze");
    });
    CHECK_THAT(error_of(wrong), Contains("node 'squeeze' (#0, Squeeze): squeezes axis 1 of [1, 2], which is not 1"));
}

TEST_CASE("sizes beyond what hass models are errors", "[onnx][errors]") {
    model_builder big({1, 16777216, 16777216, 16});
    big.node("Relu", {"x"}, {"y"}, {}, "relu");
    big.output("y");
    CHECK_THAT(error_of(big), Contains("graph input 'x' [1, 16777216, 16777216, 16] is too large to model"));
    model_builder wide({1, 4, 4096, 4096});
    wide.init("w", {16777216, 4, 1, 1}, {});
    wide.g()->mutable_initializer(0)->clear_raw_data();
    wide.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
    wide.output("y");
    CHECK_THAT(error_of(wide), Contains("node 'conv' (#0, Conv): W initializer 'w' has 0 values in float_data") &&
                                   Contains("need 67108864"));
}

TEST_CASE("constant folding errors", "[onnx][fold][errors]") {
    model_builder big({1, 3, 8, 8}, 13);
    big.init(int64_tensor("dims", {2}, {100000, 100000}));
    big.node("ConstantOfShape", {"dims"}, {"z"}, {}, "cos");
    big.node("Reshape", {"x", "z"}, {"y"}, {}, "reshape");
    big.output("y");
    CHECK_THAT(error_of(big), Contains("node 'cos' (#0, ConstantOfShape): shape [100000, 100000] is negative or too large"));
    model_builder gather({1, 3, 8, 8}, 13);
    gather.init(int64_tensor("v", {3}, {1, 2, 3}));
    gather.init(int64_tensor("i", {}, {5}));
    gather.node("Gather", {"v", "i"}, {"g"}, {}, "gather");
    gather.node("Reshape", {"x", "g"}, {"y"}, {}, "reshape");
    gather.output("y");
    CHECK_THAT(error_of(gather), Contains("index 5 is outside axis 0 of [3]"));
    // an empty constant with a huge dimension: rejected before any loop over its axes
    model_builder empty({1, 3, 8, 8}, 13);
    empty.init(int64_tensor("v", {0, 2147483647}, {}));
    empty.init(int64_tensor("i", {}, {0}));
    empty.node("Gather", {"v", "i"}, {"g"}, {attr("axis", 1)}, "gather");
    empty.node("Reshape", {"x", "g"}, {"y"}, {}, "reshape");
    empty.output("y");
    CHECK_THAT(error_of(empty), Contains("node 'gather' (#0, Gather): input initializer 'v' has dimensions [0, 2147483647]"));
    model_builder wide({1, 3, 8, 8}, 13);
    wide.init(int64_tensor("v", {0, 65536, 65536}, {}));
    wide.node("Transpose", {"v"}, {"t"}, {}, "transpose");
    wide.node("Reshape", {"x", "t"}, {"y"}, {}, "reshape");
    wide.output("y");
    CHECK_THAT(error_of(wide), Contains("too large to evaluate a shape computation on"));
    model_builder cast({1, 3, 8, 8}, 13);
    cast.init(int64_tensor("v", {1}, {1}));
    cast.node("Cast", {"v"}, {"c"}, {attr("to", 8)}, "cast");
    cast.node("Reshape", {"x", "c"}, {"y"}, {}, "reshape");
    cast.output("y");
    CHECK_THAT(error_of(cast), Contains("casts to data type STRING"));
}

// ---------------------------------------------------------------------------- BatchNormalization

TEST_CASE("BatchNormalization folded into the Conv: the numbers", "[onnx][batchnorm]") {
    const bool conv_bias = GENERATE(false, true);
    CAPTURE(conv_bias);
    model_builder b({1, 1, 2, 2});
    b.init("w", {2, 1, 1, 1}, {2.0f, -3.0f});
    if (conv_bias) b.init("cb", {2}, {0.5f, 1.0f});
    b.init("scale", {2}, {1.5f, 0.5f});
    b.init("shift", {2}, {0.25f, -1.0f});
    b.init("mean", {2}, {1.0f, -2.0f});
    b.init("var", {2}, {4.0f, 0.25f});
    b.node("Conv", conv_bias ? std::vector<std::string>{"x", "w", "cb"} : std::vector<std::string>{"x", "w"}, {"c"}, {}, "conv");
    b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"}, {attr("epsilon", 0.0)}, "bn");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    const auto& l = r.net.layers[0];
    CHECK(l.name.view() == "conv");
    CHECK(l.batchnorm);
    CHECK(l.bias == conv_bias);
    CHECK(l.parameter_count() == 2 + (conv_bias ? 2 : 0) + 4);
    // s = scale / sqrt(var): 0.75, 1; w' = w * s; b' = (b - mean) * s + shift
    const auto& w = r.weights.at("conv");
    CHECK(w.weights == std::vector<float>{1.5f, -3.0f});
    const double b0 = conv_bias ? 0.5 : 0.0, b1 = conv_bias ? 1.0 : 0.0;
    REQUIRE(w.bias.size() == 2);
    CHECK(w.bias[0] == Approx((b0 - 1.0) * 0.75 + 0.25));
    CHECK(w.bias[1] == Approx((b1 + 2.0) * 1.0 - 1.0));
    CHECK_THAT(r.notes.front(), Contains("BatchNormalization 'bn' folded into Conv 'conv'"));
}

TEST_CASE("BatchNormalization errors", "[onnx][batchnorm][errors]") {
    auto bn = [](std::vector<float> var, std::vector<attr> attrs = {}, std::int64_t channels = 2) {
        model_builder b({1, 1, 2, 2}, 15);
        b.init("w", {2, 1, 1, 1}, {2.0f, -3.0f});
        for (const char* n : {"scale", "shift", "mean"}) b.init(n, {channels}, std::vector<float>(static_cast<std::size_t>(channels), 1.0f));
        b.init("var", {static_cast<std::int64_t>(var.size())}, var);
        b.node("Conv", {"x", "w"}, {"c"}, {}, "conv");
        b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"}, std::move(attrs), "bn");
        b.output("y");
        return b;
    };
    CHECK_THAT(error_of(bn({1, 1})), Contains("(no error)"));
    CHECK_THAT(error_of(bn({1, -1}, {attr("epsilon", 0.0)})), Contains("var + epsilon is -1 for channel 1"));
    CHECK_THAT(error_of(bn({1, 1, 1}, {}, 3)), Contains("scale 'scale' has shape [3], expected [2] (one per channel)"));
    CHECK_THAT(error_of(bn({1, 1}, {attr("training_mode", 1)})), Contains("training_mode 1"));
    model_builder input({1, 2, 2, 2});
    for (const char* n : {"scale", "shift", "mean", "var"}) input.init(n, {2}, {1, 1});
    input.node("BatchNormalization", {"x", "scale", "shift", "mean", "var"}, {"y"}, {}, "bn");
    input.output("y");
    CHECK_THAT(error_of(input), Contains("node 'bn' (#0, BatchNormalization): its input 'x' comes from the graph input, not from a Conv"));
    model_builder outs = bn({1, 1});
    outs.g()->mutable_node(1)->add_output("running_mean");
    outs.node("Relu", {"running_mean"}, {"z"}, {}, "relu");
    outs.output("z");
    CHECK_THAT(error_of(outs), Contains("output 1 'running_mean' is read by node 'relu' (Relu)"));
}

TEST_CASE("BatchNormalization then a constant Add: the shift and the constant sum", "[onnx][batchnorm]") {
    model_builder b({1, 1, 2, 2});
    b.init("w", {2, 1, 1, 1}, {1.0f, 1.0f});
    for (const char* n : {"scale", "var"}) b.init(n, {2}, {1, 1});
    for (const char* n : {"shift", "mean"}) b.init(n, {2}, {0, 0});
    b.init("k", {2, 1, 1}, {3, 4});
    b.node("Conv", {"x", "w"}, {"c"}, {}, "conv");
    b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"n"}, {attr("epsilon", 0.0)}, "bn");
    b.node("Add", {"n", "k"}, {"y"}, {}, "add");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 1);
    CHECK(r.net.layers[0].batchnorm);
    CHECK(r.net.layers[0].bias);
    CHECK(r.weights.at("conv").bias == std::vector<float>{3, 4});
}

// ---------------------------------------------------------------------------- Pad

TEST_CASE("Pad folded into the following Conv, MaxPool and AveragePool", "[onnx][pad]") {
    SECTION("opset 10: attributes; two Pads add up") {
        model_builder b({1, 3, 8, 8}, 10);
        b.init("w", {4, 3, 3, 3}, ramp(108));
        b.node("Pad", {"x"}, {"p"}, {attr("pads", {0, 0, 1, 0, 0, 0, 0, 2}), attr("mode", "constant")}, "pad1");
        b.node("Pad", {"p"}, {"q"}, {attr("pads", {0, 0, 0, 1, 0, 0, 1, 0}), attr("value", 0.0)}, "pad2");
        b.node("Conv", {"q", "w"}, {"y"}, {attr("pads", {1, 1, 1, 1})}, "conv");
        b.output("y");
        const auto r = import(b);
        REQUIRE(r.net.size() == 1);
        const auto& c = r.net.layers[0];
        CHECK(c.pad_top == 2);
        CHECK(c.pad_left == 2);
        CHECK(c.pad_bottom == 2);
        CHECK(c.pad_right == 3);
        CHECK(r.shapes_checked == r.shapes_total);
    }
    SECTION("opset 13: inputs, into max pooling (the zeros take part: no warning)") {
        model_builder b({1, 3, 8, 8}, 13);
        b.init(int64_tensor("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1}));
        b.init("zero", {}, {0.0f});
        b.node("Pad", {"x", "pads", "zero"}, {"p"}, {}, "pad");
        b.node("MaxPool", {"p"}, {"y"}, {attr("kernel_shape", {3, 3}), attr("strides", {2, 2})}, "pool");
        b.output("y");
        const auto r = import(b);
        CHECK(r.net.layers[0].pad_top == 1);
        CHECK(r.net.layers[0].out == tensor_shape{4, 4, 3});
        CHECK(r.warnings.empty());
    }
    SECTION("opset 18: axes") {
        model_builder b({1, 3, 8, 8}, 18);
        b.init(int64_tensor("pads", {4}, {1, 2, 3, 4}));
        b.init(int64_tensor("axes", {2}, {2, 3}));
        b.node("Pad", {"x", "pads", "", "axes"}, {"p"}, {}, "pad");
        b.node("AveragePool", {"p"}, {"y"}, {attr("kernel_shape", {2, 2})}, "pool");
        b.output("y");
        const auto r = import(b);
        const auto& l = r.net.layers[0];
        CHECK(l.pad_top == 1);
        CHECK(l.pad_left == 2);
        CHECK(l.pad_bottom == 3);
        CHECK(l.pad_right == 4);
    }
    SECTION("errors") {
        auto pad = [](std::vector<std::int64_t> pads, float value, const char* next) {
            model_builder b({1, 3, 8, 8}, 10);
            b.init("w", {4, 3, 3, 3}, ramp(108));
            b.node("Pad", {"x"}, {"p"}, {attr("pads", std::move(pads)), attr("value", value)}, "pad");
            if (std::string(next) == "Conv")
                b.node("Conv", {"p", "w"}, {"y"}, {}, "next");
            else
                b.node(next, {"p"}, {"y"}, {}, "next");
            b.output("y");
            return b;
        };
        CHECK_THAT(error_of(pad({0, 0, 1, 1, 0, 0, 1, 1}, 1.0f, "Conv")), Contains("pads with the value 1; hass folds zero padding only"));
        CHECK_THAT(error_of(pad({0, 1, 0, 0, 0, 0, 0, 0}, 0.0f, "Conv")), Contains("pad the batch or channel axis"));
        CHECK_THAT(error_of(pad({0, 0, -1, 0, 0, 0, 0, 0}, 0.0f, "Conv")), Contains("are negative (cropping is not supported)"));
        CHECK_THAT(error_of(pad({0, 0, 1, 1, 0, 0, 1, 1}, 0.0f, "Relu")),
                   Contains("node 'pad' (#0, Pad): its output 'p' is read by node 'next' (Relu)"));
        CHECK_THAT(error_of(pad({0, 0, 1, 1}, 0.0f, "Conv")), Contains("must have 8 entries"));
        // long lists are cut in messages
        CHECK_THAT(error_of(pad(std::vector<std::int64_t>(1000, 0), 0.0f, "Conv")),
                   Contains("pads [0, 0, 0, 0, 0, 0, 0, 0, ... (1000 values)] must have 8 entries"));
    }
}

// ---------------------------------------------------------------------------- Identity, Dropout, Constant

TEST_CASE("Identity and Dropout are removed", "[onnx][alias]") {
    model_builder b({1, 3, 8, 8}, 13);
    b.init("w", {4, 3, 3, 3}, ramp(108));
    b.init("ratio", {}, {0.5f});
    onnx::TensorProto off;
    off.set_data_type(onnx::TensorProto::BOOL);
    off.set_name("off");
    off.add_int32_data(0);
    b.init(off);
    b.node("Identity", {"w"}, {"w2"}, {}, "idw");
    b.node("Conv", {"x", "w2"}, {"c"}, {}, "conv");
    b.node("Dropout", {"c", "ratio", "off"}, {"d"}, {}, "drop");
    b.node("Identity", {"d"}, {"i"}, {}, "id");
    b.node("Relu", {"i"}, {"y"}, {}, "relu");
    b.output("y");
    const auto r = import(b);
    REQUIRE(r.net.size() == 2);
    CHECK(r.net.layers[1].inputs == std::vector<int>{0});
    bool noted = false;
    for (const auto& n : r.notes) noted = noted || n.find("removed 3 Identity/Dropout nodes") != std::string::npos;
    CHECK(noted);
    model_builder on = b;
    on.g()->mutable_initializer(2)->set_int32_data(0, 1);
    CHECK_THAT(error_of(on), Contains("node 'drop' (#2, Dropout): training_mode is true"));
    model_builder mask = b;
    mask.g()->mutable_node(2)->add_output("mask");
    mask.node("Relu", {"mask"}, {"z"}, {}, "use_mask");
    mask.output("z");
    CHECK_THAT(error_of(mask), Contains("output 1 'mask' is read by node 'use_mask' (Relu)"));
}

TEST_CASE("Constant node forms", "[onnx][constant]") {
    model_builder b({1, 2, 2, 2}, 13);
    b.init("B", {3, 8}, ramp(24));
    b.node("Constant", {}, {"shape"}, {attr("value_ints", {1, -1})}, "k");
    b.node("Reshape", {"x", "shape"}, {"f"}, {}, "reshape");
    b.node("Gemm", {"f", "B"}, {"y"}, {attr("transB", 1)}, "fc");
    b.output("y");
    CHECK(import(b).net.size() == 1);
    model_builder s({1, 3, 8, 8}, 13);
    s.node("Constant", {}, {"k"}, {attr("value_string", "six")}, "k");
    s.node("Clip", {"x", "k"}, {"y"}, {}, "clip");
    s.output("y");
    CHECK_THAT(error_of(s), Contains("node 'k' (#0, Constant): attribute 'value_string': hass reads dense numeric constants only"));
}

// ---------------------------------------------------------------------------- weights: types and storage

TEST_CASE("weights in float_data, FLOAT16, BFLOAT16, INT8 and UINT8; other types are named", "[onnx][weights]") {
    const std::vector<float> want{1.0f, -2.0f, 0.5f, 3.0f};
    auto with = [](onnx::TensorProto w) {
        model_builder b({1, 1, 2, 2});
        w.set_name("w");
        w.clear_dims();
        for (auto d : {4, 1, 1, 1}) w.add_dims(d);
        b.init(w);
        b.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
        b.output("y");
        return b;
    };
    CHECK(import(with(float_tensor("w", {4, 1, 1, 1}, want, false))).weights.at("conv").weights == want);
    // float16: 1 = 0x3c00, -2 = 0xc000, 0.5 = 0x3800, 3 = 0x4200
    const std::vector<std::uint16_t> h{0x3c00, 0xc000, 0x3800, 0x4200};
    onnx::TensorProto f16;
    f16.set_data_type(onnx::TensorProto::FLOAT16);
    for (auto v : h) f16.add_int32_data(v);
    CHECK(import(with(f16)).weights.at("conv").weights == want);
    onnx::TensorProto f16raw;
    f16raw.set_data_type(onnx::TensorProto::FLOAT16);
    std::string raw;
    for (auto v : h) {
        raw += static_cast<char>(v & 0xff);
        raw += static_cast<char>(v >> 8);
    }
    f16raw.set_raw_data(raw);
    CHECK(import(with(f16raw)).weights.at("conv").weights == want);
    // bfloat16: the upper halves of the float32 bits
    onnx::TensorProto bf;
    bf.set_data_type(onnx::TensorProto::BFLOAT16);
    for (float v : want) {
        std::uint32_t u = 0;
        std::memcpy(&u, &v, 4);
        bf.add_int32_data(static_cast<std::int32_t>(u >> 16));
    }
    CHECK(import(with(bf)).weights.at("conv").weights == want);
    onnx::TensorProto i8;
    i8.set_data_type(onnx::TensorProto::INT8);
    i8.set_raw_data(std::string{static_cast<char>(1), static_cast<char>(-2), static_cast<char>(0), static_cast<char>(3)});
    CHECK(import(with(i8)).weights.at("conv").weights == std::vector<float>{1, -2, 0, 3});
    onnx::TensorProto i8typed;
    i8typed.set_data_type(onnx::TensorProto::INT8);
    for (int v : {1, -2, 0, 3}) i8typed.add_int32_data(v);
    CHECK(import(with(i8typed)).weights.at("conv").weights == std::vector<float>{1, -2, 0, 3});
    onnx::TensorProto u8;
    u8.set_data_type(onnx::TensorProto::UINT8);
    u8.set_raw_data(std::string{static_cast<char>(200), static_cast<char>(1), static_cast<char>(0), static_cast<char>(3)});
    CHECK(import(with(u8)).weights.at("conv").weights == std::vector<float>{200, 1, 0, 3});
    onnx::TensorProto i32;
    i32.set_data_type(onnx::TensorProto::INT32);
    for (int v : {1, 2, 3, 4}) i32.add_int32_data(v);
    CHECK_THAT(error_of(with(i32)), Contains("node 'conv' (#0, Conv): W initializer 'w' has data type INT32"));
    onnx::TensorProto seg = float_tensor("w", {4, 1, 1, 1}, want);
    seg.mutable_segment()->set_begin(0);
    seg.mutable_segment()->set_end(4);
    CHECK_THAT(error_of(with(seg)), Contains("is a segment of a larger tensor"));
    onnx::TensorProto neg = float_tensor("w", {4, 1, 1, 1}, want);
    CHECK(import(with(neg)).weights.at("conv").weights == want);
    model_builder negdims({1, 1, 2, 2});
    negdims.init(float_tensor("w", {-4, 1, 1, 1}, want));
    negdims.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
    negdims.output("y");
    CHECK_THAT(error_of(negdims), Contains("has a negative dimension in [-4, 1, 1, 1]"));
}

// ---------------------------------------------------------------------------- names

TEST_CASE("layer names: the node name when valid and unique, else <op>_<index>", "[onnx][names]") {
    model_builder b;
    b.node("Relu", {"x"}, {"a"}, {}, "input");            // reserved
    b.node("Relu", {"a"}, {"b"}, {}, "twice");
    b.node("Relu", {"b"}, {"c"}, {}, "twice");            // duplicate: both fall back
    b.node("Relu", {"c"}, {"d"}, {}, std::string(90, 'n')); // too long
    b.node("Relu", {"d"}, {"e"}, {}, "has space");
    b.node("Relu", {"e"}, {"f"}, {}, "x.split");          // would collide with an inserted split
    b.node("Relu", {"f"}, {"g"}, {}, "");                 // no name
    b.node("Relu", {"g"}, {"h"}, {}, "Relu_7");           // a valid name that equals a fallback
    b.node("Relu", {"h"}, {"y"}, {}, "/block.1/act/Relu"); // PyTorch's names are kept
    b.output("y");
    const auto r = import(b);
    std::vector<std::string> names;
    for (const auto& l : r.net.layers) names.push_back(l.name.str());
    CHECK(names == std::vector<std::string>{"Relu_0", "Relu_1", "Relu_2", "Relu_3", "Relu_4", "Relu_5", "Relu_6",
                                            "Relu_7", "/block.1/act/Relu"});
    model_builder clash;
    clash.node("Relu", {"x"}, {"a"}, {}, "Relu_1"); // keeps its name
    clash.node("Relu", {"a"}, {"y"}, {}, "");       // Relu_1 is taken
    clash.output("y");
    const auto c = import(clash);
    CHECK(c.net.layers[0].name.view() == "Relu_1");
    CHECK(c.net.layers[1].name.view() == "Relu_1_1");
}

// ---------------------------------------------------------------------------- graph structure

TEST_CASE("graph inputs and outputs", "[onnx][graph]") {
    SECTION("a symbolic batch is taken as 1") {
        model_builder b;
        b.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("N");
        b.node("Relu", {"x"}, {"y"}, {}, "relu");
        b.output("y");
        const auto r = import(b);
        CHECK(r.net.input == tensor_shape{8, 8, 3});
        CHECK_THAT(r.notes.front(), Contains("the symbolic batch dimension 'N' is taken as 1"));
        CHECK(r.shapes_checked == 1);
    }
    SECTION("initializers listed as graph inputs (IR version 3)") {
        model_builder b = conv_model({4, 3, 3, 3}, {});
        auto* in = b.g()->add_input();
        in->set_name("w");
        CHECK(import(b).net.size() == 1);
    }
    SECTION("two outputs") {
        model_builder b;
        b.node("Relu", {"x"}, {"a"}, {}, "relu");
        b.node("Sigmoid", {"a"}, {"s"}, {}, "sig");
        b.node("HardSwish", {"a"}, {"h"}, {}, "hswish");
        b.output("s");
        b.output("h");
        const auto r = import(b);
        CHECK(r.net.outputs().size() == 2);
        CHECK(r.warnings.empty());
    }
    SECTION("an output also read inside the network: a warning") {
        model_builder b;
        b.node("Relu", {"x"}, {"a"}, {}, "relu");
        b.node("Sigmoid", {"a"}, {"s"}, {}, "sig");
        b.output("a");
        b.output("s");
        const auto r = import(b);
        CHECK(r.net.outputs().size() == 1);
        REQUIRE(r.warnings.size() == 1);
        CHECK_THAT(r.warnings[0], Contains("graph output 'a' is also read inside the network"));
    }
    SECTION("dead nodes are dropped, even unsupported ones") {
        model_builder b;
        b.node("Relu", {"x"}, {"y"}, {}, "relu");
        b.node("LeakyRelu", {"x"}, {"unused"}, {}, "dead");
        b.output("y");
        const auto r = import(b);
        CHECK(r.net.size() == 1);
        CHECK_THAT(r.notes.front(), Contains("removed 1 node that no graph output depends on"));
    }
    SECTION("errors") {
        model_builder noshape;
        noshape.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
        noshape.node("Relu", {"x"}, {"y"}, {}, "relu");
        noshape.output("y");
        CHECK_THAT(error_of(noshape), Contains("graph input 'x' has no shape"));
        model_builder zero({1, 0, 8, 8});
        zero.node("Relu", {"x"}, {"y"}, {}, "relu");
        zero.output("y");
        CHECK_THAT(error_of(zero), Contains("graph input 'x': dimension 1 is 0 in [1, 0, 8, 8]"));
        model_builder noout;
        noout.node("Relu", {"x"}, {"y"}, {}, "relu");
        CHECK_THAT(error_of(noout), Contains("the graph has no outputs"));
        model_builder constout;
        constout.init("k", {1}, {1.0f});
        constout.node("Relu", {"x"}, {"y"}, {}, "relu");
        constout.output("y");
        constout.output("k");
        CHECK_THAT(error_of(constout), Contains("graph output 'k' is a constant"));
        model_builder missing;
        missing.node("Relu", {"x"}, {"y"}, {}, "relu");
        missing.output("nowhere");
        CHECK_THAT(error_of(missing), Contains("graph output 'nowhere' is not computed by any node"));
        model_builder twice;
        twice.node("Relu", {"x"}, {"y"}, {}, "a");
        twice.node("Relu", {"x"}, {"y"}, {}, "b");
        twice.output("y");
        CHECK_THAT(error_of(twice), Contains("node 'b' (#1, Relu): output 'y' is also produced by node #0"));
        model_builder noop;
        noop.node("", {"x"}, {"y"}, {}, "nothing");
        noop.output("y");
        CHECK_THAT(error_of(noop), Contains("node 'nothing' (#0, no op_type): the node has no op_type"));
        model_builder noopset;
        noopset.model().clear_opset_import();
        noopset.node("Relu", {"x"}, {"y"}, {}, "relu");
        noopset.output("y");
        CHECK_THAT(error_of(noopset), Contains("the model has no opset_import"));
        model_builder missing_in;
        missing_in.node("Relu", {}, {"y"}, {}, "relu");
        missing_in.output("y");
        CHECK_THAT(error_of(missing_in), Contains("node 'relu' (#0, Relu): has 0 inputs, expected 1"));
    }
}

TEST_CASE("shapes are checked against ONNX's value_info", "[onnx][shapes]") {
    model_builder b = conv_model({4, 3, 3, 3}, {attr("pads", {1, 1, 1, 1})});
    b.value_info("y", {1, 4, 9, 9});
    CHECK_THAT(error_of(b), Contains("node 'conv' (#0, Conv): output 'y' has shape [1, 4, 9, 9] in ONNX but hass computes [1, 4, 8, 8]"));
    hass::onnx_import::options o;
    o.check_shapes = false;
    CHECK(import(b, o).shapes_checked == 0);
    model_builder good = conv_model({4, 3, 3, 3}, {attr("pads", {1, 1, 1, 1})});
    good.value_info("y", {1, 4, 8, 8});
    CHECK(import(good).shapes_checked == 1);
}

TEST_CASE("malformed bytes are errors, never crashes", "[onnx][errors]") {
    const std::string good = conv_model({4, 3, 3, 3}, {}).bytes();
    CHECK_THAT(error_of(model_builder()), Contains("the graph has no outputs"));
    std::size_t errors = 0, imported = 0;
    for (std::size_t cut = 0; cut < good.size(); cut += 7) {
        try {
            (void)hass::onnx_import::import_model(good.substr(0, cut), "cut.onnx");
            ++imported;
        } catch (const hass::error& e) {
            CHECK_THAT(std::string(e.what()), Contains("cut.onnx"));
            ++errors;
        }
    }
    CHECK(errors > 0);
    std::string flipped = good;
    for (std::size_t i = 0; i < flipped.size(); i += 3) {
        flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
        try {
            (void)hass::onnx_import::import_model(flipped, "flip.onnx");
        } catch (const hass::error&) {
        }
    }
    CHECK(hass::onnx_import::import_model(good, "").net.name.view() == "network");
}
