// The HLS emitter (hass/hls/emit.hpp) and the weight files (hass/io/weights.hpp):
// identifiers, the generated files, what they check, and the errors. The
// generated code itself is compiled and run by tests/hls/run_emit_tests.sh.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <hass/hass.hpp>
#include <hass/hls/emit.hpp>
#include <hass/io/json.hpp>
#include <hass/io/weights.hpp>

namespace {

using nlohmann::json;

hass::io::network_file small_design() {
    return hass::io::read_network_file(json::parse(R"({
        "name": "small",
        "input": {"rows": 4, "cols": 4, "channels": 4},
        "layers": [
            {"name": "conv.1", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1, "bias": true,
             "folding": {"coarse_in": 2, "coarse_out": 4, "fine": 3}},
            {"name": "relu", "type": "relu", "folding": {"coarse": 2}},
            {"name": "fc", "type": "inner_product", "features": 3, "bias": false,
             "folding": {"coarse_in": 2, "coarse_out": 1}}
        ]
    })"),
                                       "small.json");
}

const hass::hls::emitted_file& file(const std::vector<hass::hls::emitted_file>& files, const std::string& path) {
    for (const auto& f : files)
        if (f.path == std::filesystem::path(path)) return f;
    FAIL("no generated file " << path);
    return files.front();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("emit: layer names become unique C++ identifiers", "[emit]") {
    using hass::hls::detail::emit::identifier;
    CHECK(identifier("conv1") == "conv1");
    CHECK(identifier("layer1.0.conv-1") == "layer1_0_conv_1");
    CHECK(identifier("2nd conv") == "l_2nd_conv");
    CHECK(identifier("_x") == "l_x");
    CHECK(identifier("class") == "class_");
    CHECK(identifier("in") == "in_");
    CHECK(identifier("a..b") == "a_b");
}

TEST_CASE("emit: the generated files of a design", "[emit]") {
    const auto d = small_design();
    hass::hls::emit_options o;
    std::vector<std::string> warnings;
    const auto files = hass::hls::generate_design(d.net, d.folding, o, &warnings);
    CHECK(warnings.empty());
    // design.hpp, one header per layer, squeezes.hpp, top.hpp, top.cpp, testbench.cpp
    CHECK(files.size() == 3 + 5);
    const std::string conv = file(files, "layers/conv_1.hpp").text;
    // the module parameters come from hass::for_each_module
    CHECK(contains(conv, "namespace vector_dot_"));
    CHECK(contains(conv, "inline constexpr count_t COARSE_IN = 2, COARSE_OUT = 4, COARSE_GROUP = 1, FINE = 3;"));
    CHECK(contains(conv, "using cfg = ::hass::hls::conv_config<"));
    CHECK(contains(conv, "inline void conv_1(::hls::stream<data_t> in["));
    CHECK(contains(conv, "HASS_HLS_SCOPE(\"conv.1\");"));
    // the model's own predicates, and the plain rules
    CHECK(contains(conv, "static_assert(::hass::is_valid_folding(layer_value(), folding_value())"));
    CHECK(contains(conv, "static_assert(::hass::hls::same_modules(layer_value(), folding_value(), modules)"));
    CHECK(contains(conv, "static_assert((CHANNELS / GROUPS) % COARSE_IN == 0"));
    // squeezes where the stream counts differ: conv.1 (4 streams) -> relu (2)
    const std::string sq = file(files, "squeezes.hpp").text;
    CHECK(contains(sq, "namespace hass_design::squeezes::relu_0 {"));
    CHECK(contains(sq, "\"conv.1->relu\""));
    const std::string top = file(files, "top.cpp").text;
    CHECK(contains(top, "void small_top("));
    CHECK(contains(top, "HASS_PRAGMA(HLS DATAFLOW)"));
    CHECK(contains(file(files, "top.hpp").text, "MODEL_COMPUTE_II = " +
                                                    std::to_string(hass::evaluate(d.net, d.folding, hass::board{}).compute_ii)));
    CHECK(contains(file(files, "testbench.cpp").text, "std::printf(\"%s\\n\", ok ? \"PASS\" : \"FAIL\");"));
}

TEST_CASE("emit: unsupported layers and foldings fail with a clear message", "[emit]") {
    hass::hls::emit_options o;
    auto net = hass::io::read_network_file(json::parse(R"({
        "name": "s", "input": {"rows": 2, "cols": 2, "channels": 2},
        "layers": [{"name": "gate", "type": "sigmoid"}]})"),
                                           "s.json");
    CHECK_THROWS_WITH(hass::hls::generate_design(net.net, net.folding, o),
                      Catch::Contains("layer 'gate': sigmoid has no HLS kernel"));
    auto widths = hass::io::read_network_file(json::parse(R"({
        "name": "w", "input": {"rows": 2, "cols": 2, "channels": 2},
        "layers": [{"name": "a", "type": "relu"}, {"name": "b", "type": "relu", "widths": {"data": 8}}]})"),
                                              "w.json");
    CHECK_THROWS_WITH(hass::hls::generate_design(widths.net, widths.folding, o),
                      Catch::Contains("one data width for the whole design"));
    const auto d = small_design();
    o.top_name = "not an identifier";
    CHECK_THROWS_WITH(hass::hls::generate_design(d.net, d.folding, o), Catch::Contains("is not a C++ identifier"));
}

TEST_CASE("emit: weight files, JSON and raw float32", "[emit]") {
    const auto d = small_design();
    const auto dir = std::filesystem::temp_directory_path() / "hass_test_emit_weights";
    std::filesystem::create_directories(dir);
    // conv.1: 8*4*9 weights + 8 biases; fc: 3*128 weights, no bias
    {
        std::ofstream out(dir / "w.bin", std::ios::binary);
        for (int i = 0; i < 288 + 8 + 384; ++i) {
            const float v = static_cast<float>(i % 7) * 0.125f;
            std::uint32_t u;
            std::memcpy(&u, &v, 4);
            for (int b = 0; b < 4; ++b) out.put(static_cast<char>((u >> (8 * b)) & 0xff));
        }
    }
    const auto w = hass::io::load_weights(dir / "w.bin", d.net);
    REQUIRE(w.size() == 2);
    CHECK(w.at("conv.1").weights.size() == 288);
    CHECK(w.at("conv.1").bias.size() == 8);
    CHECK(w.at("conv.1").bias[0] == 0.125f * static_cast<float>(288 % 7));
    CHECK(w.at("fc").bias.empty());

    json j;
    j["layers"]["conv.1"] = {{"weights", std::vector<double>(288, 0.5)}, {"bias", std::vector<double>(8, 0.0)}};
    CHECK_THROWS_WITH(hass::io::read_weights(j, d.net, "j.json"), Catch::Contains("no weights for layer 'fc'"));
    j["layers"]["fc"] = {{"weights", std::vector<double>(384, 0.25)}, {"bias", std::vector<double>(3, 0.0)}};
    CHECK_THROWS_WITH(hass::io::read_weights(j, d.net, "j.json"),
                      Catch::Contains("layer 'fc' has 3 biases, expected 0"));
    j["layers"]["fc"].erase("bias");
    const auto wj = hass::io::read_weights(j, d.net, "j.json");
    CHECK(wj.at("fc").weights.size() == 384);

    hass::hls::emit_options o;
    o.weights = wj;
    const auto files = hass::hls::generate_design(d.net, d.folding, o);
    CHECK(contains(file(files, "weights.hpp").text, "inline constexpr float conv_1_weights[288] = {"));
    CHECK(contains(file(files, "testbench.cpp").text, "weights: embedded"));

    // the writers: what they write, the readers read back exactly
    hass::hls::write_weights_binary(dir / "again.bin", w, d.net);
    CHECK(std::filesystem::file_size(dir / "again.bin") == 4 * (288 + 8 + 384));
    const auto wb = hass::io::load_weights(dir / "again.bin", d.net);
    CHECK(wb.at("conv.1").weights == w.at("conv.1").weights);
    CHECK(wb.at("conv.1").bias == w.at("conv.1").bias);
    CHECK(wb.at("fc").weights == w.at("fc").weights);
    const json written = hass::io::write_weights(wj, d.net);
    CHECK(written["model"] == "small");
    CHECK_FALSE(written["layers"]["fc"].contains("bias"));
    const auto wr = hass::io::read_weights(written, d.net, "written.json");
    CHECK(wr.at("conv.1").weights == wj.at("conv.1").weights);
    CHECK(wr.at("fc").weights == wj.at("fc").weights);
    auto short_set = wj;
    short_set.at("fc").weights.pop_back();
    CHECK_THROWS_WITH(hass::hls::write_weights_binary(dir / "bad.bin", short_set, d.net),
                      Catch::Contains("layer 'fc' has 383 weights, expected 384"));
    CHECK_THROWS_WITH(hass::hls::write_weights_binary(dir / "no" / "dir" / "w.bin", w, d.net),
                      Catch::Contains("cannot write"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("emit: model checks are static_asserts unless the statistics are large", "[emit]") {
    // one sparse 3x3 convolution of C input channels: its statistics take
    // C x (K + 1) = 10 C values and the work measure is 9 x 10 C = 90 C steps
    auto design = [](hass::count_t channels) {
        auto d = hass::io::read_network_file(json::parse(R"({
            "name": "sp", "input": {"rows": 4, "cols": 4, "channels": )" + std::to_string(channels) + R"(},
            "layers": [{"name": "conv", "type": "convolution", "filters": 4, "kernel": 3, "pad": 1}]})"),
                                              "sp.json");
        std::vector<double> h(static_cast<std::size_t>(channels * 10), 0.0);
        for (hass::count_t c = 0; c < channels; ++c) h[static_cast<std::size_t>(c * 10 + 4)] = 1.0; // 4 zeros of 9
        d.net.layers[0].sparsity = hass::make_sparsity_stats(channels, 9, h);
        return d;
    };
    const hass::hls::emit_options o;
    {
        const auto d = design(555); // 49,950 steps: <= 50,000, static_asserts
        CHECK(hass::hls::detail::emit::network_statistics_work(d.net) == 49950);
        CHECK(hass::hls::detail::emit::layer_statistics_work(d.net.layers[0]) == 49950);
        const auto files = hass::hls::generate_design(d.net, d.folding, o);
        CHECK(contains(file(files, "top.hpp").text, "static_assert(::hass::network_problem(network_value()).empty()"));
        CHECK(contains(file(files, "layers/conv.hpp").text, "static_assert(::hass::is_valid_folding(layer_value()"));
        const std::string tb = file(files, "testbench.cpp").text;
        CHECK_FALSE(contains(tb, "the whole-network model checks, at run time"));
        CHECK_FALSE(contains(tb, "model_check_failures()"));
    }
    {
        const auto d = design(556); // 50,040 steps: over, the test bench checks at run time
        CHECK(hass::hls::detail::emit::network_statistics_work(d.net) == 50040);
        const auto files = hass::hls::generate_design(d.net, d.folding, o);
        const std::string top = file(files, "top.hpp").text;
        CHECK_FALSE(contains(top, "static_assert(::hass::network_problem(network_value()).empty()"));
        CHECK(contains(top, "run\n// in the test bench"));
        const std::string conv = file(files, "layers/conv.hpp").text;
        CHECK_FALSE(contains(conv, "static_assert(::hass::is_valid_folding(layer_value()"));
        CHECK(contains(conv, "if (!(::hass::is_valid_folding(lv, fv)))"));
        CHECK(contains(conv, "inline std::vector<std::string> model_check_failures() {"));
        const std::string tb = file(files, "testbench.cpp").text;
        CHECK(contains(tb, "the whole-network model checks, at run time"));
        CHECK(contains(tb, "::hass::evaluate_partition(net, hd::folding_values()"));
        CHECK(contains(tb, "hd::layers::conv::model_check_failures()"));
    }
}
