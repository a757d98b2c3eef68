// Partitions as networks of their own (hass/network/subnetwork.hpp) and the
// partitions and batch a folding file carries (hass/io/folding_plan.hpp).
#include <catch2/catch.hpp>

#include <hass/hass.hpp>
#include <hass/io/folding_plan.hpp>
#include <hass/io/json.hpp>
#include <hass/network/subnetwork.hpp>

using namespace hass;
using nlohmann::json;

namespace {

// conv1 -> relu1 -> fork(split) -> conv2 -> add(conv2, fork) -> fc
network small_residual() {
    return io::read_network_file(json::parse(R"({
        "name": "res", "input": {"rows": 8, "cols": 8, "channels": 4},
        "layers": [
          {"name": "conv1", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1},
          {"name": "relu1", "type": "relu"},
          {"name": "fork", "type": "split"},
          {"name": "conv2", "type": "convolution", "inputs": ["fork"], "filters": 8, "kernel": 3, "pad": 1},
          {"name": "add", "type": "eltwise", "op": "add", "inputs": ["conv2", "fork"]},
          {"name": "fc", "type": "inner_product", "features": 10}
        ]})"),
                                 "res.json")
        .net;
}

} // namespace

TEST_CASE("partition_network: the layers of a range, reading the tensor at the cut", "[partition_plan]") {
    const network net = small_residual();
    REQUIRE(net.size() == 6);
    SECTION("a middle range: input is relu1's output, inputs renumbered") {
        const network p = partition_network(net, 2, 5, "res_p2");
        CHECK(p.name.str() == "res_p2");
        REQUIRE(p.size() == 3);
        CHECK(p.input == net.layers[1].out); // 8x8x8
        CHECK(p.input.channels == 8);
        CHECK(p.layers[0].name.str() == "fork");
        CHECK(p.layers[0].inputs == std::vector<int>{network_input});
        CHECK(p.layers[1].inputs == std::vector<int>{0});
        CHECK(p.layers[2].inputs == std::vector<int>{1, 0}); // add(conv2, fork)
        CHECK(p.outputs() == std::vector<int>{2});
        CHECK(network_problem(p).empty());
    }
    SECTION("the whole network is itself") {
        const network p = partition_network(net, 0, 6, "res");
        CHECK(p.size() == 6);
        CHECK(p.input == net.input);
    }
    SECTION("a cut inside the residual block: two tensors cross") {
        // layers 3..5 read fork (before 3) and conv2 is inside; [4, 6) reads conv2 and fork: 2 tensors
        REQUIRE_THROWS_WITH(partition_network(net, 4, 6, "res_p2"),
                            Catch::Contains("reads 2 tensors from before its first layer ('conv2', 'fork')"));
        // [0, 4) leaves conv2 and fork to the add: 2 tensors out
        REQUIRE_THROWS_WITH(partition_network(net, 0, 4, "res_p1"),
                            Catch::Contains("leaves 2 tensors to the layers after it"));
    }
    SECTION("a cut right after a split: the input would be read by two layers") {
        REQUIRE_THROWS_WITH(partition_network(net, 3, 6, "res_p2"),
                            Catch::Contains("reads its input 'fork' in 2 layers"));
    }
    SECTION("an empty or out-of-range partition") {
        REQUIRE_THROWS_WITH(partition_network(net, 3, 3, "x"), Catch::Contains("is not a non-empty range"));
        REQUIRE_THROWS_WITH(partition_network(net, 0, 7, "x"), Catch::Contains("is not a non-empty range"));
    }
}

TEST_CASE("folding files carry the partitions and the batch", "[partition_plan]") {
    const network net = small_residual();
    SECTION("written and read back") {
        json j = io::write_folding(net, unit_folding(net));
        io::add_folding_plan(j, net, {2, 5}, 64);
        CHECK(j["partitions"] == json::parse(R"([{"first": "conv1", "last": "relu1"},
                                                 {"first": "fork", "last": "add"},
                                                 {"first": "fc", "last": "fc"}])"));
        CHECK(j["batch"] == 64);
        const io::folding_plan p = io::read_folding_plan(j, net, "f.json");
        CHECK(p.has_partitions);
        CHECK(p.cuts == std::vector<int>{2, 5});
        CHECK(p.batch == 64);
        CHECK_NOTHROW(io::read_folding(j, net, "f.json")); // the factors' reader accepts the new fields
        // a network file with its folding inline carries them the same way
        json nf = io::write_network(net, unit_folding(net));
        io::add_folding_plan(nf, net, {2, 5}, 64);
        const io::network_file back = io::read_network_file(nf, "design.json");
        CHECK(back.plan.cuts == std::vector<int>{2, 5});
        CHECK(back.plan.batch == 64);
    }
    SECTION("one partition: no field; an array-form file has none") {
        json j = io::write_folding(net, unit_folding(net));
        io::add_folding_plan(j, net, {}, 0);
        CHECK_FALSE(j.contains("partitions"));
        CHECK_FALSE(j.contains("batch"));
        CHECK_FALSE(io::read_folding_plan(j, net, "f.json").has_partitions);
        CHECK(io::read_folding_plan(json::array(), net, "f.json").cuts.empty());
    }
    auto plan_error = [&](const char* parts) {
        json j = {{"layers", json::object()}};
        j["partitions"] = json::parse(parts);
        try {
            io::read_folding_plan(j, net, "f.json");
        } catch (const hass::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(plan_error(R"([{"first": "conv1", "last": "relu1"}, {"first": "conv2", "last": "fc"}])"),
               Catch::Contains("field 'partitions[1].first': partition 2 must start at layer 'fork' (#2), where "
                               "partition 1 ends"));
    CHECK_THAT(plan_error(R"([{"first": "relu1", "last": "fc"}])"),
               Catch::Contains("partition 1 must start at layer 'conv1' (#0), where the network starts"));
    CHECK_THAT(plan_error(R"([{"first": "conv1", "last": "add"}])"),
               Catch::Contains("the last partition ends at layer #4 but network 'res' has 6 layers"));
    CHECK_THAT(plan_error(R"([{"first": "conv1", "last": "nope"}])"),
               Catch::Contains("field 'partitions[0].last': unknown layer 'nope'"));
    CHECK_THAT(plan_error(R"([{"first": "conv1", "last": "fc", "end": 3}])"),
               Catch::Contains("unknown field 'partitions[0].end'"));
    CHECK_THAT(plan_error(R"([{"first": "fork", "last": "relu1"}])"), Catch::Contains("must start at layer 'conv1'"));
    CHECK_THAT(plan_error(R"([])"), Catch::Contains("expected a non-empty array"));
    CHECK_THAT(plan_error(R"({"first": "conv1"})"), Catch::Contains("expected a non-empty array"));
    json bad_batch = {{"layers", json::object()}, {"batch", 0}};
    CHECK_THROWS_WITH(io::read_folding_plan(bad_batch, net, "f.json"), Catch::Contains("field 'batch'"));
}
