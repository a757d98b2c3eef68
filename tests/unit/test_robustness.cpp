// Robustness of the readers and the arithmetic against hostile input: nesting
// depth, duplicate keys, number overflow, non-regular and oversized files,
// saturating float-to-integer conversions, bounded loops, split widths. Each
// error message must name the file, the place and what is allowed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <hass/hass.hpp>
#include <hass/io/json.hpp>
#include <hass/search/search.hpp>

namespace {

using Catch::Matchers::Contains;

std::string parse_error(const std::string& text) {
    try {
        (void)hass::io::parse_json_text(text, "in.json");
    } catch (const hass::error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("JSON nesting deeper than the limit is an error with its place, at any depth", "[robustness][json]") {
    const std::string ok = std::string(64, '[') + std::string(64, ']');
    CHECK_NOTHROW(hass::io::parse_json_text(ok, "in.json"));
    for (std::size_t depth : {65, 100000}) {
        const std::string deep = "{\"a\":\n " + std::string(depth, '[') + std::string(depth, ']') + "}";
        const std::string e = parse_error(deep);
        CHECK_THAT(e, Contains("in.json: line 2, column 65") && Contains("nested deeper than 64 levels"));
    }
    // brackets inside strings and comments do not count
    CHECK_NOTHROW(hass::io::parse_json_text("{\"a\": \"" + std::string(100, '[') + "\" /* [[[[ */}", "in.json"));
}

TEST_CASE("duplicate keys name the key and the object's place", "[robustness][json]") {
    CHECK_THAT(parse_error(R"({"layers": [{"name": "a"}, {"name": "b", "sparsity": {"k": 1, "k": 2}}]})"),
               Contains("in.json: malformed JSON: duplicate key 'k' in the object at layers[1].sparsity"));
    CHECK_THAT(parse_error(R"({"a": 1, "a": 2})"), Contains("duplicate key 'a' in the object at the top level"));
    // the same key in sibling objects is fine
    CHECK_NOTHROW(hass::io::parse_json_text(R"([{"a": 1}, {"a": 2}])", "in.json"));
}

TEST_CASE("number overflow and syntax errors name the file, line and column", "[robustness][json]") {
    CHECK_THAT(parse_error("{\n  \"x\": 1e999}"),
               Contains("in.json: line 2, column") && Contains("number overflow parsing '1e999'") &&
                   Contains("finite"));
    CHECK_THAT(parse_error("{\"x\": }"), Contains("in.json: line 1, column") && Contains("malformed JSON"));
}

TEST_CASE("values in messages are described without dumping containers", "[robustness][json]") {
    nlohmann::json deep = 0;
    for (int i = 0; i < 100; ++i) deep = nlohmann::json::array({deep});
    CHECK(hass::io::detail::describe(deep) == "an array of 1 elements (array)");
    CHECK(hass::io::detail::describe(nlohmann::json::object()) == "an object with 0 keys (object)");
    CHECK(hass::io::detail::describe(std::string(1000, 'x')).size() < 80);
    CHECK_NOTHROW(hass::io::detail::describe(std::string(47, 'x') + "\xc3\xa9")); // a cut through a UTF-8 character
}

TEST_CASE("readers refuse directories, devices and oversized files", "[robustness][json]") {
    const auto dir = std::filesystem::temp_directory_path() / "hass_robustness_test";
    std::filesystem::create_directories(dir);
    try {
        hass::io::load_json_file(dir);
        FAIL("no error");
    } catch (const hass::error& e) {
        CHECK_THAT(std::string(e.what()), Contains(dir.string()) && Contains("it is a directory, not a file"));
    }
    if (std::filesystem::exists("/dev/zero")) {
        CHECK_THROWS_WITH(hass::io::load_json_file("/dev/zero"), Contains("/dev/zero: not a regular file"));
    }
    const auto big = dir / "big.json";
    {
        std::ofstream out(big, std::ios::binary);
        out << "[0]";
    }
    CHECK_THROWS_WITH(hass::io::read_bounded_file(big, 2, "a test file"),
                      Contains("big.json: 3 bytes, more than the 2 bytes limit for a test file"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("board clock and bandwidth outside their ranges name the field and the range", "[robustness][boards]") {
    const std::string base = R"("name": "b", "dsp": 1, "lut": 1, "ff": 1, "bram18": 1)";
    auto err = [&](const std::string& rest) {
        try {
            (void)hass::io::read_board(hass::io::parse_json_text("{" + base + ", " + rest + "}", "b.json"), "b.json");
        } catch (const hass::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(err(R"("clock_mhz": 100, "bandwidth_gbps": 1e-20)"),
               Contains("b.json: field 'bandwidth_gbps': must be in [0.001, 100000] Gbit/s, got 1e-20"));
    CHECK_THAT(err(R"("clock_mhz": 5e38, "bandwidth_gbps": 1)"),
               Contains("b.json: field 'clock_mhz': must be in [1, 10000] MHz, got 5e+38"));
    CHECK_THAT(err(R"("clock_mhz": 100, "bandwidth_gbps": 1, "reconf_time_s": 1e300)"),
               Contains("field 'reconf_time_s'"));
}

TEST_CASE("float-to-integer conversions saturate instead of overflowing", "[robustness][math]") {
    using hass::ceil_to_count;
    using hass::count_saturation;
    CHECK(ceil_to_count(1e30) == count_saturation);
    CHECK(ceil_to_count(-1e30) == -count_saturation);
    CHECK(ceil_to_count(std::numeric_limits<double>::quiet_NaN()) == count_saturation);
    CHECK(ceil_to_count(2.5) == 3);
    CHECK(hass::round_to_count(1e300) == count_saturation);
    CHECK(hass::checked_product(count_saturation, 2) == -1);
    CHECK(hass::checked_product(1 << 20, 1 << 20) == (hass::count_t{1} << 40));
}

TEST_CASE("bits_within terminates for extreme bits per cycle", "[robustness][search]") {
    for (double bpc : {1e-35, 1e-17, 1e-4, 0.3, 1.0, 7.7, 1e10})
        for (hass::count_t T : {hass::count_t{0}, hass::count_t{1}, hass::count_t{1000}, hass::count_t{1} << 50}) {
            const hass::count_t x = hass::detail::fold_search::bits_within(T, bpc);
            CHECK(x >= 0);
        }
}

TEST_CASE("an inserted split carries its tensor's data width", "[robustness][network]") {
    const auto nf = hass::io::read_network_file(hass::io::parse_json_text(R"({
        "name": "w8", "input": {"rows": 4, "cols": 4, "channels": 2}, "widths": {"data": 8, "weight": 8, "acc": 24},
        "layers": [{"name": "a", "type": "convolution", "filters": 2, "kernel": 1, "inputs": ["input"]},
                   {"name": "b", "type": "convolution", "filters": 2, "kernel": 1, "inputs": ["input"]},
                   {"name": "add", "type": "eltwise", "inputs": ["a", "b"]}]})", "w8.json"), "w8.json");
    const int s = nf.net.find("input.split");
    REQUIRE(s >= 0);
    CHECK(nf.net.layers[static_cast<std::size_t>(s)].width.data == 8);
    CHECK(nf.net.layers[static_cast<std::size_t>(s)].width.output == 8);
}
