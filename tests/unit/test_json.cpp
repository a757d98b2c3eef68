// JSON input/output (hass/io/json.hpp): networks, foldings, boards and reports,
// good and bad cases. The error messages must name the file, the layer and the field.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <hass/hass.hpp>
#include <hass/io/json.hpp>
#include <hass/zoo/zoo.hpp>

namespace {

using nlohmann::json;

/// A small network: conv (3x3) -> relu -> conv (sparse) -> add (residual) -> pool -> fc.
json tiny_network() {
    return json::parse(R"({
        "name": "tiny",
        "input": {"rows": 16, "cols": 16, "channels": 3},
        "widths": {"data": 8, "weight": 8, "acc": 24},
        "layers": [
            {"name": "conv1", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1, "batchnorm": true},
            {"name": "relu1", "type": "relu"},
            {"name": "conv2", "type": "convolution", "filters": 8, "kernel": [3, 3], "pad": [1, 1, 1, 1],
             "sparsity": {"histogram": null, "interleaving": "naive"}},
            {"name": "add", "type": "eltwise", "inputs": ["conv2", "relu1"]},
            {"name": "pool", "type": "pooling", "pool": "avg", "kernel": 2, "output": {"rows": 8, "cols": 8, "channels": 8}},
            {"name": "fc", "type": "inner_product", "features": 10, "widths": {"acc": 32}}
        ]
    })");
}

/// tiny_network with conv2's histogram: channel c has c or 9 zeros, each with probability 1/2.
json tiny_with_histogram() {
    json j = tiny_network();
    json hist = json::array();
    for (int c = 0; c < 8; ++c) {
        json row = json::array();
        for (int z = 0; z <= 9; ++z) row.push_back(0.0);
        row[static_cast<std::size_t>(c)] = 0.5;
        row[9] = row[9].get<double>() + 0.5;
        hist.push_back(row);
    }
    j["layers"][2]["sparsity"]["histogram"] = hist;
    return j;
}

/// The message of the hass::error thrown by `f`, or "" when nothing is thrown.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const hass::error& e) {
        return e.what();
    }
    return {};
}

json small(const std::string& layers) {
    return json::parse(R"({"name": "n", "input": {"rows": 8, "cols": 8, "channels": 4}, "layers": [)" + layers + "]}");
}

std::string network_error(const std::string& layers) {
    return error_of([&] { (void)hass::io::read_network(small(layers), "net.json"); });
}

} // namespace

using Catch::Matchers::Contains;

TEST_CASE("read_network builds a validated network with splits", "[io][json]") {
    const hass::network net = hass::io::read_network(tiny_with_histogram(), "tiny.json");
    REQUIRE(net.name.view() == "tiny");
    REQUIRE(net.size() == 7); // relu1 feeds two layers: a split is inserted
    REQUIRE(net.layers[2].name.view() == "relu1.split");
    REQUIRE(net.layers[2].type == hass::layer_type::split);
    REQUIRE(net.layers[2].fan_out == 2);
    const auto& conv1 = net.layers[0];
    CHECK(conv1.out == hass::tensor_shape{16, 16, 8});
    CHECK(conv1.batchnorm);
    CHECK_FALSE(conv1.bias);
    // widths {data, weight, acc, output}: the output width follows the data width (8) unless given
    CHECK(conv1.width == hass::widths{8, 8, 24, 8});
    CHECK(conv1.parameter_count() == 8 * 3 * 9 + 2 * 8);
    const auto& conv2 = net.layers[3];
    CHECK(conv2.is_sparse());
    CHECK(conv2.sparsity.order == hass::interleaving::naive);
    CHECK(conv2.sparsity.channels == 8);
    CHECK(conv2.sparsity.kernel == 9);
    const auto& add = net.layers[4];
    CHECK(add.inputs == std::vector<int>{3, 2});
    const auto& pool = net.layers[5];
    CHECK(pool.pool == hass::pool_op::avg);
    CHECK(pool.stride_rows == 2); // pooling stride defaults to the kernel
    const auto& fc = net.layers[6];
    CHECK(fc.bias); // inner products default to a bias
    CHECK(fc.width.acc == 32);
    CHECK(fc.width.data == 8);
    CHECK(fc.width.output == 8); // a layer's widths override only what they name
    CHECK(fc.out == hass::tensor_shape{1, 1, 10});
    CHECK(hass::network_problem(net).empty());
}

TEST_CASE("read_network: the output width follows the data width unless given", "[io][json]") {
    const auto read = [](const std::string& layers) { return hass::io::read_network(small(layers), "net.json"); };
    // defaults 16 / 16 / 32 / 16
    CHECK(read(R"({"name": "r", "type": "relu"})").layers[0].width == hass::widths{16, 16, 32, 16});
    // data 12 alone: output follows, 12
    CHECK(read(R"({"name": "r", "type": "relu", "widths": {"data": 12}})").layers[0].width ==
          hass::widths{12, 16, 32, 12});
    // output given: kept apart from the data width
    CHECK(read(R"({"name": "r", "type": "relu", "widths": {"data": 12, "output": 4}})").layers[0].width ==
          hass::widths{12, 16, 32, 4});
    CHECK(read(R"({"name": "r", "type": "relu", "widths": {"output": 8}})").layers[0].width ==
          hass::widths{16, 16, 32, 8});
    // the output width is bounded like the data width
    CHECK_THAT(network_error(R"({"name": "r", "type": "relu", "widths": {"output": 65}})"),
               Contains("bit widths above 64"));
}

TEST_CASE("zoo networks survive write_network / read_network", "[io][json]") {
    for (std::string_view name : hass::zoo::model_names) {
        CAPTURE(name);
        const hass::network net = hass::zoo::get(name);
        const hass::network back = hass::io::read_network(json(hass::io::write_network(net)), "zoo.json");
        REQUIRE(back.size() == net.size());
        CHECK(back.parameter_count() == net.parameter_count());
        CHECK(back.macs() == net.macs());
        for (std::size_t i = 0; i < net.size(); ++i) {
            const auto& a = net.layers[i];
            const auto& b = back.layers[i];
            CAPTURE(a.name.str());
            CHECK(a.name == b.name);
            CHECK(a.type == b.type);
            CHECK(a.in == b.in);
            CHECK(a.out == b.out);
            CHECK(a.inputs == b.inputs);
            CHECK(a.groups == b.groups);
            CHECK(a.broadcast == b.broadcast);
            CHECK(a.fan_out == b.fan_out);
        }
    }
}

TEST_CASE("relu6 layers read, write and build", "[io][json]") {
    const hass::network net =
        hass::io::read_network(small(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 3, "pad": 1},
                                        {"name": "r6", "type": "relu6"})"),
                               "net.json");
    REQUIRE(net.size() == 2);
    CHECK(net.layers[1].type == hass::layer_type::relu6);
    CHECK(hass::to_string(net.layers[1].type) == "relu6");
    const auto written = hass::io::write_network(net);
    CHECK(written["layers"][1]["type"] == "relu6");
    const hass::network back = hass::io::read_network(json(written), "back.json");
    CHECK(back.layers[1].type == hass::layer_type::relu6);
    CHECK(back.layers[1].out == net.layers[1].out);
    // the builder
    hass::network_builder b{"b", {8, 8, 4}};
    b.relu6(b.input(), "r6");
    const hass::network built = std::move(b).build();
    CHECK(built.layers[0].type == hass::layer_type::relu6);
    CHECK(std::find(hass::all_layer_types.begin(), hass::all_layer_types.end(), hass::layer_type::relu6) !=
          hass::all_layer_types.end());
}

TEST_CASE("a 1x1 layer's statistics may name the pointwise model", "[io][json][sparse]") {
    // 8x8x4 -> 1x1 stride 1 -> 8x8x4, 50% zeros per channel, one stream and one lane:
    // Wk = Ho*Wo * C/S * F/co = 64*4*4 = 1024; data terms 64*4 = 256.
    // window model (hass's default): m[c] = h[c][0] = 0.5: L = max(1024*0.5, 256, 256) = 512;
    // named pointwise model: one cluster of S = 1, s = min(0.5, 1 - 1/1 = 0) = 0: L = 1024.
    const auto read = [](const std::string& model) {
        return hass::io::read_network(small(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 1,
                                                 "sparsity": {"zero_fraction": [0.5, 0.5, 0.5, 0.5])" +
                                            model + "}}"),
                                      "net.json");
    };
    const hass::folding f{1, 1, 1, 1, hass::weight_storage::bram};
    const hass::network window = read("");
    CHECK(window.layers[0].sparsity.model == hass::sparse_model::automatic);
    CHECK(hass::evaluate_layer(window.layers[0], f).latency == 512);
    const hass::network named = read(R"(, "model": "pointwise")");
    CHECK(named.layers[0].sparsity.model == hass::sparse_model::pointwise);
    CHECK(hass::evaluate_layer(named.layers[0], f).latency == 1024);
    // written back with the field, and read back the same
    const auto written = hass::io::write_network(named);
    CHECK(written["layers"][0]["sparsity"]["model"] == "pointwise");
    CHECK(hass::io::read_network(json(written), "back.json").layers[0].sparsity.model == hass::sparse_model::pointwise);
    CHECK_FALSE(hass::io::write_network(window)["layers"][0]["sparsity"].contains("model"));
    CHECK_THAT(error_of([&] { (void)read(R"(, "model": "cluster")"); }),
               Contains("sparsity.model") && Contains("cluster"));
}

TEST_CASE("read_network reports the file, layer and field", "[io][json]") {
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolutionn", "filters": 4, "kernel": 3})"),
               Contains("net.json: layers[0]") && Contains("unknown layer type \"convolutionn\""));
    CHECK_THAT(network_error(R"({"name": "c", "type": "relu", "inputs": ["nope"]})"),
               Contains("layers[0] 'c'") && Contains("unknown input 'nope'"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "kernel": 3})"),
               Contains("layers[0] 'c'") && Contains("missing field 'filters'"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": true, "kernel": 3})"),
               Contains("field 'filters'") && Contains("expected an integer"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 0, "kernel": 3})"),
               Contains("field 'filters'") && Contains("positive integer"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 3, "pad": -1})"),
               Contains("field 'pad'") && Contains(">= 0"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "relu"}, {"name": "c", "type": "relu"})"),
               Contains("layers[1] 'c'") && Contains("duplicate layer name"));
    CHECK_THAT(network_error(R"({"name": ")" + std::string(80, 'x') + R"(", "type": "relu"})"),
               Contains("layers[0]") && Contains("longer than 79"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 3, "sparsity": {"histogram": [[1]]}})"),
               Contains("field 'sparsity.histogram'") && Contains("4 input channels"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 1,
                                 "sparsity": {"histogram": [[0.5, 0.4], [1, 0], [1, 0], [1, 0]]}})"),
               Contains("layers[0] 'c'") && Contains("sums to 0.900000"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 4, "kernel": 3,
                                 "sparsity": {"zero_fraction": [0.5, 0.5, 0.5, 0.5]}})"),
               Contains("1x1 convolutions only"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "relu", "output": {"rows": 8, "cols": 8, "channels": 5}})"),
               Contains("field 'output'") && Contains("8x8x4"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "relu", "colour": "red"})"), Contains("unknown field 'colour'"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "relu", "folding": {"coarse": 3}})"),
               Contains("field 'folding'") && Contains("does not divide"));
    CHECK_THAT(network_error(R"({"name": "p", "type": "pooling", "kernel": 2}, {"name": "e", "type": "eltwise", "inputs": ["p", "input"]})"),
               Contains("layers[1] 'e'") && Contains("field 'inputs'"));
    CHECK_THAT(network_error(R"({"name": "c", "type": "convolution", "filters": 6, "kernel": 1, "groups": 4})"),
               Contains("field 'groups'"));
    CHECK_THAT(network_error(""), Contains("no layers"));
    CHECK_THAT(error_of([] { (void)hass::io::read_network(json::array(), "x.json"); }),
               Contains("x.json") && Contains("JSON object"));
}

TEST_CASE("inline folding and read_folding", "[io][json]") {
    json j = tiny_with_histogram();
    j["layers"][0]["folding"] = {{"coarse_in", 3}, {"coarse_out", 4}, {"fine", 3}};
    const hass::io::network_file file = hass::io::read_network_file(j, "tiny.json");
    REQUIRE(file.has_folding);
    CHECK(file.folding[0] == hass::folding{3, 4, 1, 3, hass::weight_storage::bram});
    CHECK(file.folding[1] == hass::folding{});
    const hass::network& net = file.net;

    SECTION("object form") {
        const json f = json::parse(R"({"layers": {"conv2": {"coarse_in": 2, "coarse_out": 8, "fine": 5},
                                                  "relu1": {"coarse": 2}, "relu1.split": {"coarse_in": 2},
                                                  "fc": {"coarse_in": 4, "weights": "off_chip"}}})");
        const auto folding = hass::io::read_folding(f, net, "f.json");
        REQUIRE(folding.size() == net.size());
        CHECK(folding[0] == hass::folding{}); // not mentioned: all 1 (the inline folding is not merged)
        CHECK(folding[1] == hass::folding{2, 2, 1, 1, hass::weight_storage::bram});
        CHECK(folding[2] == hass::folding{2, 2, 1, 1, hass::weight_storage::bram});
        CHECK(folding[3] == hass::folding{2, 8, 1, 5, hass::weight_storage::bram});
        CHECK(folding[6].weights == hass::weight_storage::off_chip);

        // write_folding gives the array form, which reads back to the same folding
        const json written = hass::io::write_folding(net, folding);
        CHECK(written["layers"].is_array());
        CHECK(hass::io::read_folding(written, net, "written.json") == folding);
    }
    SECTION("array form, with or without the layers key") {
        const json arr = json::parse(R"([{"name": "conv1", "coarse_out": 2}])");
        CHECK(hass::io::read_folding(arr, net, "f.json")[0].coarse_out == 2);
        CHECK(hass::io::read_folding(json{{"layers", arr}}, net, "f.json")[0].coarse_out == 2);
    }
    SECTION("errors name the file, the layer and the field") {
        auto err = [&](const char* text) {
            return error_of([&] { (void)hass::io::read_folding(json::parse(text), net, "f.json"); });
        };
        CHECK_THAT(err(R"({"layers": {"conv9": {"coarse_in": 1}}})"), Contains("f.json") && Contains("unknown layer 'conv9'"));
        CHECK_THAT(err(R"({"layers": {"conv2": {"coarse_in": 0}}})"),
                   Contains("layer 'conv2'") && Contains("field 'coarse_in'") && Contains("positive integer"));
        CHECK_THAT(err(R"({"layers": {"conv2": {"coarse_in": 1.5}}})"), Contains("expected an integer"));
        CHECK_THAT(err(R"({"layers": {"conv2": {"coarse_in": 3}}})"),
                   Contains("f.json: layer 'conv2'") && Contains("does not divide"));
        CHECK_THAT(err(R"({"layers": {"conv1": {"fine": 2}}})"), Contains("fine 2 does not divide the kernel size K = 9"));
        CHECK(err(R"({"layers": {"conv2": {"fine": 7}}})").empty()); // sparse layers take any fine in 1..K
        CHECK_THAT(err(R"({"layers": {"relu1": {"coarse_in": 2, "coarse_out": 4}}})"), Contains("must equal coarse_in"));
        CHECK_THAT(err(R"({"layers": {"relu1": {"weights": "uram"}}})"), Contains("only convolution and inner_product"));
        CHECK_THAT(err(R"({"layers": {"conv1": {"coarse": 2}}})"), Contains("takes coarse_in and coarse_out"));
        CHECK_THAT(err(R"({"layers": {"fc": {"weights": "dram"}}})"), Contains("unknown value \"dram\""));
        CHECK_THAT(err(R"({"layers": [{"name": "fc"}, {"name": "fc"}]})"), Contains("layers[1]") && Contains("given twice"));
        CHECK_THAT(err(R"({"layers": [{"coarse_in": 2}]})"), Contains("layers[0]") && Contains("missing field 'name'"));
        CHECK_THAT(err(R"({"layer": {}})"), Contains("unknown field 'layer'"));
        CHECK_THAT(err(R"(42)"), Contains("f.json"));
    }
}

TEST_CASE("read_board owns its strings", "[io][json]") {
    const json j = json::parse(R"({"name": "myboard", "part": "xczu3eg", "dsp": 360, "lut": 70560, "ff": 141120,
                                   "bram18": 432, "clock_mhz": 150, "bandwidth_gbps": 38.4})");
    hass::io::owned_board copy;
    {
        hass::io::owned_board b = hass::io::read_board(j, "board.json");
        CHECK(b.spec().name == "myboard");
        CHECK(b.spec().part == "xczu3eg");
        CHECK(b.spec().budget == hass::resources{360, 70560, 141120, 432, 0});
        CHECK(b.spec().clock_mhz == 150);
        CHECK(b.spec().reconf_time_s == Approx(0.08255));
        copy = b;
        hass::io::owned_board moved = std::move(b);
        CHECK(moved.spec().name == "myboard");
        CHECK(moved.spec().name.data() == moved.name().data());
    }
    // the source is gone: the copy's views point into its own strings
    CHECK(copy.spec().name == "myboard");
    CHECK(copy.spec().name.data() == copy.name().data());
    CHECK(copy.spec().part.data() == copy.part().data());

    // a catalogue board works as well, and evaluates a network
    const hass::io::owned_board u250(*hass::boards::find("u250"));
    const hass::network net = hass::io::read_network(tiny_with_histogram(), "tiny.json");
    const auto report = hass::evaluate(net, hass::unit_folding(net), u250.spec());
    CHECK(report.fits);

    auto err = [](const char* text) {
        return error_of([&] { (void)hass::io::read_board(json::parse(text), "b.json"); });
    };
    CHECK_THAT(err(R"({"name": "b", "dsp": 1, "lut": 1, "ff": 1, "bram18": 1, "bandwidth_gbps": 1})"),
               Contains("b.json") && Contains("missing field 'clock_mhz'"));
    CHECK_THAT(err(R"({"name": "b", "dsp": -1, "lut": 1, "ff": 1, "bram18": 1, "clock_mhz": 1, "bandwidth_gbps": 1})"),
               Contains("field 'dsp'"));
    CHECK_THAT(err(R"({"name": "b", "dsp": 1, "lut": 1, "ff": 1, "bram18": 1, "clock_mhz": 0, "bandwidth_gbps": 1})"),
               Contains("field 'clock_mhz'"));
    CHECK_THAT(err(R"({"name": "b", "dsp": 1, "lut": 1, "ff": 1, "bram18": 1, "clock_mhz": 1, "bandwidth_gbps": 1, "dsps": 2})"),
               Contains("unknown field 'dsps'"));
}

TEST_CASE("report_json and info_json", "[io][json]") {
    const hass::network net = hass::zoo::get("resnet18");
    const auto f = hass::unit_folding(net);
    const hass::board u250 = hass::boards::find("u250").value();
    const auto r = hass::evaluate(net, f, u250);
    const json j = hass::io::report_json(net, f, r, u250);
    CHECK(j["ii_cycles"] == 118013952); // the 7x7 stem convolution
    CHECK(j["model"] == "resnet18");
    CHECK(j["board"] == "u250");
    CHECK(j["layers"].size() == net.size());
    CHECK(j["layers"][0]["name"] == "conv1");
    CHECK(j["layers"][0]["share_of_ii"] == 1.0);
    CHECK(j["layers"][0]["weights"] == "bram");
    CHECK(j["layers"][1]["weights"].is_null());
    CHECK(j["fits"] == r.fits);
    CHECK(j["exceeded"].size() == r.exceeded().size());
    for (const char* key : {"compute_ii_cycles", "memory_ii_cycles", "throughput_fps", "latency_s", "pipeline_depth",
                            "bandwidth_gbps", "resources", "budget", "squeezes", "clock_mhz"})
        CHECK(j.contains(key));
    CHECK(j["budget"]["dsp"] == 12288);

    const json info = hass::io::info_json(net);
    CHECK(info["params"] == 11689512);
    CHECK(info["layers"][0]["output"]["channels"] == 64);
}

TEST_CASE("load_json_file errors", "[io][json]") {
    const auto dir = std::filesystem::temp_directory_path();
    const auto missing = dir / "hass_test_json_missing.json";
    std::filesystem::remove(missing);
    CHECK_THAT(error_of([&] { (void)hass::io::load_json_file(missing); }), Contains("cannot open"));
    const auto bad = dir / "hass_test_json_bad.json";
    {
        std::ofstream out(bad);
        out << "{\n  \"a\": 1,\n  \"b\": [1, 2\n}\n";
    }
    CHECK_THAT(error_of([&] { (void)hass::io::load_json_file(bad); }),
               Contains("hass_test_json_bad.json: line 4, column") && Contains("malformed JSON"));
    {
        std::ofstream out(bad);
        out << "// a comment\n{\"a\": 1, /* another */ \"b\": 2}\n";
    }
    CHECK(hass::io::load_json_file(bad)["b"] == 2);
    std::filesystem::remove(bad);
}
