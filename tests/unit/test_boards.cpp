// The board catalogue (MODEL.md "Boards"), with hass's corrections from the
// vendor data sheets: vc707 (XC7VX485T: 1,030 BRAM36 = 2,060 BRAM18) and kv260
// (K26 SOM: 1,248 DSP, 117,120 LUT, 234,240 FF).
#include <catch2/catch.hpp>

#include <string_view>

#include <boost/hana/for_each.hpp>

#include "hass/boards/board.hpp"
#include "hass/boards/catalog.hpp"

using hass::board;
using hass::count_t;

namespace {

struct row {
    std::string_view name;
    count_t dsp, bram18, ff, lut, uram;
    double mhz, gbps;
};

// MODEL.md's table (columns in its order: DSP, BRAM18, FF, LUT, URAM, MHz, Gbps),
// vc707 and kv260 corrected as above.
constexpr row expected[] = {
    {"zedboard", 220, 280, 106400, 53200, 0, 200, 34.112},
    {"zc706", 900, 1090, 437200, 218600, 0, 200, 102.4},
    {"zcu102", 2520, 1824, 548160, 274080, 0, 200, 153.6},
    {"zcu104", 1728, 624, 460800, 230400, 96, 200, 153.6},
    {"vc707", 2800, 2060, 607200, 303600, 0, 200, 102.4},
    {"vc709", 3600, 2940, 866000, 433000, 0, 200, 204.8},
    {"vcu1525", 6840, 4320, 2364480, 1182240, 960, 200, 320},
    {"u200", 6840, 4320, 2364000, 1182000, 960, 250, 614.4},
    {"u250", 12288, 5376, 3456000, 1728000, 1280, 250, 614.4},
    {"u50", 5952, 2688, 1743360, 871680, 640, 250, 1608},
    {"kv260", 1248, 288, 234240, 117120, 64, 200, 100},
    {"zybo", 80, 120, 35200, 17600, 0, 200, 33.6},
    {"coraz7", 66, 100, 28800, 14400, 0, 200, 16.8},
};

} // namespace

TEST_CASE("the 13 catalogue boards", "[boards]") {
    REQUIRE(hass::boards::catalog.size() == 13);
    for (std::size_t i = 0; i < 13; ++i) {
        const row& e = expected[i];
        const board& b = hass::boards::catalog[i];
        INFO("board " << e.name);
        CHECK(b.name == e.name);
        CHECK(b.budget.dsp == e.dsp);
        CHECK(b.budget.bram18 == e.bram18);
        CHECK(b.budget.ff == e.ff);
        CHECK(b.budget.lut == e.lut);
        CHECK(b.budget.uram == e.uram);
        CHECK(b.clock_mhz == Approx(e.mhz));
        CHECK(b.clock_hz() == Approx(e.mhz * 1e6));
        CHECK(b.bandwidth_gbps == Approx(e.gbps));
        CHECK(b.reconf_time_s == Approx(0.08255));
        CHECK_FALSE(b.part.empty());
        // every board found by name is the same board
        const auto found = hass::boards::find(e.name);
        REQUIRE(found.has_value());
        CHECK(found->budget == b.budget);
    }
}

TEST_CASE("corrected vc707 and kv260 figures", "[boards]") {
    // XC7VX485T: 1,030 36 Kb blocks = 2,060 BRAM18 (not 1,030)
    CHECK(hass::boards::vc707::spec.budget.bram18 == 2060);
    CHECK(hass::boards::vc707::spec.part == "xc7vx485tffg1761-2");
    // K26: 1,248 DSP, 117,120 LUT, 234,240 FF, 144 BRAM36 = 288 BRAM18, 64 URAM
    CHECK(hass::boards::kv260::spec.budget == hass::resources{1248, 117120, 234240, 288, 64});
    CHECK(hass::boards::zedboard::spec.part == "xc7z020clg484-1");
}

TEST_CASE("find a board by name", "[boards]") {
    const auto u250 = hass::boards::find("u250");
    REQUIRE(u250.has_value());
    CHECK(u250->name == "u250");
    CHECK(u250->budget == hass::resources{12288, 1728000, 3456000, 5376, 1280});
    CHECK(u250->clock_mhz == Approx(250));
    CHECK(u250->bandwidth_gbps == Approx(614.4));
    CHECK_FALSE(hass::boards::find("u280").has_value());
    CHECK_FALSE(hass::boards::find("").has_value());
    CHECK_FALSE(hass::boards::find("U250").has_value()); // names are case-sensitive
}

TEST_CASE("capped budget", "[boards]") {
    const board& b = hass::boards::u250::spec;
    // default cap 1.0: the full budget
    CHECK(b.capped({}) == b.budget);
    hass::utilisation_cap cap;
    cap.dsp = 0.5;
    cap.lut = 0.8;
    cap.ff = 0.8;
    cap.ram = 0.9;
    // DSP 12288*0.5 = 6144; LUT 1728000*0.8 = 1,382,400; FF 3456000*0.8 = 2,764,800;
    // BRAM18 5376*0.9 = 4838.4 -> 4838; URAM 1280*0.9 = 1152
    CHECK(b.capped(cap) == hass::resources{6144, 1382400, 2764800, 4838, 1152});
    // zedboard at 0.7: DSP 220*0.7 = 154, LUT 53200*0.7 = 37240, FF 106400*0.7 = 74480,
    // BRAM18 280*0.7 = 196 (exact products must not round down to 153, 195, ...)
    const hass::utilisation_cap c7{0.7, 0.7, 0.7, 0.7};
    CHECK(hass::boards::zedboard::spec.capped(c7) == hass::resources{154, 37240, 74480, 196, 0});
    // coraz7 at 0.33: DSP 66*0.33 = 21.78 -> 21; BRAM18 100*0.33 = 33
    const hass::utilisation_cap c33{0.33, 1.0, 1.0, 0.33};
    CHECK(hass::boards::coraz7::spec.capped(c33).dsp == 21);
    CHECK(hass::boards::coraz7::spec.capped(c33).bram18 == 33);
}

TEST_CASE("boards as types", "[boards]") {
    static_assert(hass::board_type<hass::boards::zcu104>);
    static_assert(hass::boards::zcu104::spec.budget.uram == 96);
    int n = 0;
    count_t dsp = 0;
    boost::hana::for_each(hass::boards::all, [&](auto t) {
        using B = typename decltype(t)::type;
        static_assert(hass::board_type<B>);
        ++n;
        dsp += B::spec.budget.dsp;
    });
    CHECK(n == 13);
    // 220 + 900 + 2520 + 1728 + 2800 + 3600 + 6840 + 6840 + 12288 + 5952 + 1248 + 80 + 66 = 45,082
    CHECK(dsp == 45082);
}
