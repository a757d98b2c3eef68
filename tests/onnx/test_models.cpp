// The ONNX import on the networks exported by PyTorch (tests/onnx/data, written
// by make_test_data.py): structure, parameter counts, the imported weights
// reproducing PyTorch's outputs, BatchNorm folding against PyTorch's own
// folding, the weight files, and the message of every error model.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <hass/hass.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>
#include <hass_onnx/import.hpp>

#include "float_reference.hpp"

namespace {

namespace fs = std::filesystem;
using hass::layer_type;
using Catch::Matchers::Contains;

fs::path data(const std::string& name) { return fs::path(HASS_ONNX_TEST_DATA) / name; }

std::vector<float> read_floats(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() % 4 == 0);
    std::vector<float> v(bytes.size() / 4);
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

const hass::layer& layer_named(const hass::network& net, std::string_view name) {
    const int i = net.find(name);
    INFO("layer " << name);
    REQUIRE(i >= 0);
    return net.layers[static_cast<std::size_t>(i)];
}

std::size_t count_type(const hass::network& net, layer_type t) {
    std::size_t n = 0;
    for (const auto& l : net.layers) n += l.type == t ? 1 : 0;
    return n;
}

/// The network's single output for PyTorch's reference input.
std::vector<double> forward(const hass::onnx_import::result& r, const std::string& input_file) {
    const auto out = r.net.outputs();
    REQUIRE(out.size() == 1);
    const onnx_test::tensor x = onnx_test::from_nchw(read_floats(data(input_file)), r.net.input);
    const auto ys = onnx_test::run(r.net, r.weights, x);
    return ys[static_cast<std::size_t>(out.front())].v;
}

void check_close(const std::vector<double>& got, const std::vector<float>& want, double tol) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i, got[i], want[i]);
        CHECK(std::abs(got[i] - static_cast<double>(want[i])) <= tol * (1.0 + std::abs(static_cast<double>(want[i]))));
    }
}

std::string error_of(const fs::path& path) {
    try {
        (void)hass::onnx_import::import_file(path);
    } catch (const hass::error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("vgg_small: conv-BN-ReLU blocks, pooling, flatten of a 3x3x8 map, two linear layers", "[onnx][models]") {
    for (const std::string name : {"vgg_small", "vgg_small_bn"}) {
        CAPTURE(name);
        const auto r = hass::onnx_import::import_file(data(name + ".onnx"));
        const hass::network& net = r.net;
        CHECK(net.name.view() == name);
        CHECK(net.input == hass::tensor_shape{28, 28, 1});
        CHECK(count_type(net, layer_type::convolution) == 4);
        CHECK(count_type(net, layer_type::relu) == 5);
        CHECK(count_type(net, layer_type::pooling) == 3);
        CHECK(count_type(net, layer_type::inner_product) == 2);
        CHECK(net.size() == 14);
        const bool bn = name == "vgg_small_bn";
        for (const auto& l : net.layers)
            if (l.type == layer_type::convolution) {
                CHECK(l.batchnorm == bn);      // BatchNormalization nodes folded by hass
                CHECK(l.bias == !bn);          // or by PyTorch into a Conv bias
                CHECK(l.kernel_rows == 3);
                CHECK(l.pad_top == 1);
            }
        const hass::layer& fc1 = layer_named(net, "/classifier/classifier.0/Gemm");
        CHECK(fc1.type == layer_type::inner_product);
        CHECK(fc1.in == hass::tensor_shape{3, 3, 8}); // the flattened map: weights permuted to stream order
        CHECK(fc1.out == hass::tensor_shape{1, 1, 16});
        // torchvision's count: weights, biases, BatchNorm scale and shift (2,430 in PyTorch)
        CHECK(net.parameter_count() == (bn ? 2430 : 2406));
        CHECK(net.macs() == 227104);
        CHECK(r.shapes_checked == r.shapes_total);
        CHECK(r.shapes_total > 0);
        CHECK(r.warnings.empty());
        check_close(forward(r, "input_28x28.bin"), read_floats(data(name + ".output.bin")), 1e-4);
    }
}

TEST_CASE("mobilenet_small: inverted residuals with ReLU6, depthwise convolutions, residual adds", "[onnx][models]") {
    for (const std::string name : {"mobilenet_small", "mobilenet_small_bn"}) {
        CAPTURE(name);
        const auto r = hass::onnx_import::import_file(data(name + ".onnx"));
        const hass::network& net = r.net;
        CHECK(count_type(net, layer_type::convolution) == 10);
        CHECK(count_type(net, layer_type::relu6) == 7);
        CHECK(count_type(net, layer_type::relu) == 0);
        CHECK(count_type(net, layer_type::eltwise) == 2);
        CHECK(count_type(net, layer_type::split) == 2);
        CHECK(count_type(net, layer_type::global_pooling) == 1);
        CHECK(count_type(net, layer_type::inner_product) == 1);
        std::size_t depthwise = 0;
        for (const auto& l : net.layers) depthwise += l.is_depthwise() ? 1 : 0;
        CHECK(depthwise == 3);
        CHECK(net.parameter_count() == (name == "mobilenet_small_bn" ? 3914 : 3674));
        CHECK(net.macs() == 220624);
        check_close(forward(r, "input_28x28.bin"), read_floats(data(name + ".output.bin")), 1e-4);
    }
}

TEST_CASE("OpsNet at opsets 10 and 14: padding, HardSwish, squeeze-excitation, concat, MatMul + Add",
          "[onnx][models]") {
    hass::network first;
    for (const std::string name : {"ops_opset10", "ops_opset14"}) {
        CAPTURE(name);
        const auto r = hass::onnx_import::import_file(data(name + ".onnx"));
        const hass::network& net = r.net;
        const hass::layer& conv1 = layer_named(net, "/conv1/Conv");
        // nn.ZeroPad2d((1, 0, 1, 0)) folded into a 2x2 convolution: asymmetric padding
        CHECK(conv1.pad_top == 1);
        CHECK(conv1.pad_left == 1);
        CHECK(conv1.pad_bottom == 0);
        CHECK(conv1.pad_right == 0);
        CHECK(conv1.out == hass::tensor_shape{16, 16, 8});
        CHECK(count_type(net, layer_type::hardswish) == 1); // HardSwish, or x * HardSigmoid(x) at opset 10
        CHECK(count_type(net, layer_type::hardsigmoid) == 1);
        CHECK(count_type(net, layer_type::relu6) == 1);     // Relu + Clip(max 6)
        CHECK(count_type(net, layer_type::sigmoid) == 1);
        CHECK(count_type(net, layer_type::concat) == 1);
        // squeeze-excitation: the one eltwise multiply with a broadcast second input
        std::size_t se = 0;
        for (const auto& l : net.layers)
            se += l.type == layer_type::eltwise && l.op == hass::eltwise_op::mul && l.broadcast ? 1 : 0;
        CHECK(se == 1);
        const hass::layer& avg = layer_named(net, "/avgpool/AveragePool");
        CHECK(avg.pool == hass::pool_op::avg);
        CHECK(avg.pad_top == 1); // count_include_pad=True: an explicit Pad (opset 10) or the attribute
        // F.adaptive_max_pool2d(y, 1): a MaxPool over the whole 8x8 map at opset 10, GlobalMaxPool at 14
        const hass::layer& gmp = net.layers[static_cast<std::size_t>(net.find("/MatMul") - 1)];
        CHECK(gmp.pool == hass::pool_op::max);
        CHECK(gmp.out == hass::tensor_shape{1, 1, 16});
        CHECK(gmp.type == (name == "ops_opset10" ? layer_type::pooling : layer_type::global_pooling));
        const hass::layer& mm = layer_named(net, "/MatMul");
        CHECK(mm.type == layer_type::inner_product);
        CHECK(mm.bias); // the Add folded in
        CHECK(net.parameter_count() == 1082);
        check_close(forward(r, "input_ops.bin"), read_floats(data(name + ".output.bin")), 1e-4);
        if (first.layers.empty()) {
            first = net;
        } else {
            REQUIRE(net.size() == first.size());
            for (std::size_t i = 0; i < net.size(); ++i) {
                const bool max_pools = net.layers[i].type == layer_type::global_pooling &&
                                       first.layers[i].type == layer_type::pooling;
                if (!max_pools) CHECK(net.layers[i].type == first.layers[i].type);
                CHECK(net.layers[i].out == first.layers[i].out);
                CHECK(net.layers[i].inputs == first.layers[i].inputs);
            }
        }
    }
}

TEST_CASE("BatchNorm folded by hass equals PyTorch's own folding", "[onnx][models][batchnorm]") {
    for (const std::string name : {"vgg_small", "mobilenet_small"}) {
        CAPTURE(name);
        // PyTorch folds BatchNorm into the Conv when exporting with constant folding; hass folds the
        // BatchNormalization nodes of the other export: the same weights and biases
        const auto torch_folded = hass::onnx_import::import_file(data(name + ".onnx"));
        const auto hass_folded = hass::onnx_import::import_file(data(name + "_bn.onnx"));
        std::vector<const hass::layer*> a, b;
        for (const auto& l : torch_folded.net.layers)
            if (l.type == layer_type::convolution) a.push_back(&l);
        for (const auto& l : hass_folded.net.layers)
            if (l.type == layer_type::convolution) b.push_back(&l);
        REQUIRE(a.size() == b.size());
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            CAPTURE(a[i]->name.str(), b[i]->name.str());
            REQUIRE(b[i]->batchnorm);
            const auto& wa = torch_folded.weights.at(a[i]->name.str());
            const auto& wb = hass_folded.weights.at(b[i]->name.str());
            REQUIRE(wa.weights.size() == wb.weights.size());
            REQUIRE(wa.bias.size() == wb.bias.size());
            for (std::size_t k = 0; k < wa.weights.size(); ++k)
                worst = std::max(worst, std::abs(static_cast<double>(wa.weights[k]) - wb.weights[k]) /
                                            (1.0 + std::abs(static_cast<double>(wa.weights[k]))));
            for (std::size_t k = 0; k < wa.bias.size(); ++k)
                worst = std::max(worst, std::abs(static_cast<double>(wa.bias[k]) - wb.bias[k]) /
                                            (1.0 + std::abs(static_cast<double>(wa.bias[k]))));
        }
        CAPTURE(worst);
        CHECK(worst < 1e-6);
    }
}

TEST_CASE("imported weights write and read back in both weight formats", "[onnx][weights]") {
    const auto r = hass::onnx_import::import_file(data("mobilenet_small_bn.onnx"));
    const fs::path dir = fs::temp_directory_path() / "hass_onnx_weights_test";
    fs::create_directories(dir);
    const fs::path bin = dir / "w.bin";
    hass::hls::write_weights_binary(bin, r.weights, r.net);
    hass::count_t values = 0;
    for (const auto& l : r.net.layers)
        if (l.has_weights()) values += l.weight_count() + (l.hardware_bias() ? l.filters() : 0);
    CHECK(static_cast<hass::count_t>(fs::file_size(bin)) == 4 * values);
    const auto back = hass::io::load_weights(bin, r.net);
    CHECK(back.size() == r.weights.size());
    for (const auto& [name, lw] : r.weights) {
        CAPTURE(name);
        CHECK(back.at(name).weights == lw.weights);
        CHECK(back.at(name).bias == lw.bias);
    }
    const fs::path js = dir / "w.json";
    {
        std::ofstream out(js);
        out << hass::io::write_weights(r.weights, r.net).dump();
    }
    const auto back_json = hass::io::load_weights(js, r.net);
    for (const auto& [name, lw] : r.weights) {
        CHECK(back_json.at(name).weights == lw.weights);
        CHECK(back_json.at(name).bias == lw.bias);
    }
    // a network file written from the import reads back as the same network
    const hass::network again = hass::io::read_network(hass::io::json(hass::io::write_network(r.net)), "again.json");
    REQUIRE(again.size() == r.net.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        CHECK(again.layers[i].name == r.net.layers[i].name);
        CHECK(again.layers[i].type == r.net.layers[i].type);
        CHECK(again.layers[i].out == r.net.layers[i].out);
    }
    CHECK(again.parameter_count() == r.net.parameter_count());
    fs::remove_all(dir);
}

TEST_CASE("every error model fails with its message", "[onnx][errors]") {
    std::ifstream in(data("errors/expected.txt"));
    REQUIRE(in);
    std::string line;
    std::size_t cases = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> parts;
        std::stringstream ss(line);
        for (std::string p; std::getline(ss, p, '|');) parts.push_back(p);
        REQUIRE(parts.size() >= 2);
        const fs::path file = data("errors/" + parts[0]);
        CAPTURE(parts[0]);
        const std::string message = error_of(file);
        CAPTURE(message);
        CHECK_THAT(message, Contains(file.string() + ": "));
        for (std::size_t k = 1; k < parts.size(); ++k) CHECK_THAT(message, Contains(parts[k]));
        ++cases;
    }
    CHECK(cases >= 30);
}

TEST_CASE("file errors: missing file, directory", "[onnx][errors]") {
    CHECK_THAT(error_of(data("nothing_here.onnx")), Contains("cannot open"));
    CHECK_THAT(error_of(data("errors")), Contains("it is a directory"));
}
