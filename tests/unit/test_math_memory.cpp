// Integer helpers, resource vectors and the memory-mapping rules of MODEL.md
// ("Notation", "Resources: memory blocks", "DSP of a multiplier").
// Every expected value is computed by hand from the formula in the comment.
#include <catch2/catch.hpp>

#include "hass/core/math.hpp"
#include "hass/resources/memory.hpp"
#include "hass/resources/resources.hpp"

using hass::buffer_kind;
using hass::count_t;
using hass::weight_storage;

TEST_CASE("bits is ceil(log2(n)) with bits(1) = 0", "[math]") {
    CHECK(hass::bits(0) == 0);     // defined as 0
    CHECK(hass::bits(1) == 0);     // 2^0 = 1
    CHECK(hass::bits(2) == 1);     // 2^1 = 2
    CHECK(hass::bits(3) == 2);     // 2^1 = 2 < 3 <= 4 = 2^2
    CHECK(hass::bits(4) == 2);     // 2^2 = 4
    CHECK(hass::bits(5) == 3);     // 4 < 5 <= 8
    CHECK(hass::bits(9) == 4);     // 8 < 9 <= 16
    CHECK(hass::bits(1000) == 10); // 512 < 1000 <= 1024
    CHECK(hass::bits(1024) == 10); // 2^10
    CHECK(hass::bits(1025) == 11); // 1024 < 1025 <= 2048
}

TEST_CASE("ceil_div, divides, gcd and lcm", "[math]") {
    CHECK(hass::ceil_div(0, 5) == 0);   // 0/5
    CHECK(hass::ceil_div(1, 5) == 1);   // ceil(0.2)
    CHECK(hass::ceil_div(7, 2) == 4);   // ceil(3.5)
    CHECK(hass::ceil_div(8, 2) == 4);   // 8/2 exactly
    CHECK(hass::ceil_div(512, 36) == 15); // 36*14 = 504 < 512 <= 540 = 36*15

    CHECK(hass::divides(3, 9));
    CHECK_FALSE(hass::divides(2, 9)); // 9 = 2*4 + 1
    CHECK_FALSE(hass::divides(0, 9)); // 0 is not a positive divisor
    CHECK_FALSE(hass::divides(-3, 9));

    CHECK(hass::gcd(12, 18) == 6); // 12 = 2^2*3, 18 = 2*3^2
    CHECK(hass::gcd(9, 4) == 1);
    CHECK(hass::lcm(4, 6) == 12); // 4/2*6
    CHECK(hass::lcm(9, 3) == 9);
    CHECK(hass::lcm(9, 4) == 36);
}

TEST_CASE("ceil_to_count and round_to_count", "[math]") {
    CHECK(hass::ceil_to_count(0.0) == 0);
    CHECK(hass::ceil_to_count(2.0) == 2);
    CHECK(hass::ceil_to_count(2.25) == 3);
    CHECK(hass::ceil_to_count(67.5) == 68);
    CHECK(hass::round_to_count(2.4) == 2);
    CHECK(hass::round_to_count(2.5) == 3);   // half away from zero
    CHECK(hass::round_to_count(-2.5) == -3); // half away from zero
}

TEST_CASE("resource vectors add, subtract, scale and compare", "[resources]") {
    const hass::resources a{1, 2, 3, 4, 5};
    const hass::resources b{10, 20, 30, 40, 50};
    CHECK(a + b == hass::resources{11, 22, 33, 44, 55});
    CHECK(b - a == hass::resources{9, 18, 27, 36, 45});
    CHECK(a * 3 == hass::resources{3, 6, 9, 12, 15});
    CHECK(a[hass::resource_kind::dsp] == 1);
    CHECK(a[hass::resource_kind::lut] == 2);
    CHECK(a[hass::resource_kind::ff] == 3);
    CHECK(a[hass::resource_kind::bram18] == 4);
    CHECK(a[hass::resource_kind::uram] == 5);
    CHECK(hass::within(a, b));
    CHECK(hass::within(a, a));
    CHECK_FALSE(hass::within(b, a));
    CHECK_FALSE(hass::within(hass::resources{1, 2, 3, 4, 6}, a)); // uram 6 > 5
    CHECK(hass::to_string(hass::resource_kind::bram18) == "bram18");
}

TEST_CASE("bram18_blocks of memories", "[memory]") {
    // below 1024 bits: no block (LUTRAM)
    CHECK(hass::bram18_blocks(1000, 1) == 0); // 1000 bits < 1024
    CHECK(hass::bram18_blocks(32, 31) == 0);  // 992 bits < 1024
    CHECK(hass::bram18_blocks(0, 16) == 0);
    // exactly 1024 bits is a block: width 1 -> aspect 1x16384: 1 * ceil(1024/16384) = 1
    CHECK(hass::bram18_blocks(1024, 1) == 1);
    // 1024 x 16: narrowest aspect >= 16 is 18x1024: ceil(16/18) * ceil(1024/1024) = 1 * 1 = 1
    CHECK(hass::bram18_blocks(1024, 16) == 1);
    // 2048 x 16: 18x1024: 1 * ceil(2048/1024) = 2
    CHECK(hass::bram18_blocks(2048, 16) == 2);
    // 512 x 512: min(512, 36) = 36 -> 36x512: ceil(512/36) = 15 * ceil(512/512) = 1 -> 15
    CHECK(hass::bram18_blocks(512, 512) == 15);
    // 4096 x 9: 9x2048: ceil(9/9) = 1 * ceil(4096/2048) = 2 -> 2
    CHECK(hass::bram18_blocks(4096, 9) == 2);
    // 4096 x 4: 4x4096: 1 * 1 = 1
    CHECK(hass::bram18_blocks(4096, 4) == 1);
    // 16384 x 1 -> 1; 16385 x 1 -> ceil(16385/16384) = 2
    CHECK(hass::bram18_blocks(16384, 1) == 1);
    CHECK(hass::bram18_blocks(16385, 1) == 2);
    // 100 x 72 (7200 bits): 36x512: ceil(72/36) = 2 * ceil(100/512) = 1 -> 2
    CHECK(hass::bram18_blocks(100, 72) == 2);
    // 2000 x 10: narrowest >= 10 is 18x1024: 1 * ceil(2000/1024) = 2
    CHECK(hass::bram18_blocks(2000, 10) == 2);
    // 9408 x 16 (resnet18 conv1 weights): 18x1024: 1 * ceil(9408/1024) = 10 (9*1024 = 9216)
    CHECK(hass::bram18_blocks(9408, 16) == 10);
    // 192 x 384: 36x512: ceil(384/36) = 11 (36*10 = 360) * 1 = 11
    CHECK(hass::bram18_blocks(192, 384) == 11);
    // 3712 x 32: 36x512: 1 * ceil(3712/512) = 8 (512*7 = 3584)
    CHECK(hass::bram18_blocks(3712, 32) == 8);
}

TEST_CASE("bram18_blocks of FIFOs", "[memory]") {
    // depth <= 32: never a block, however wide
    CHECK(hass::bram18_blocks(32, 64, buffer_kind::fifo) == 0); // 2048 bits but depth 32
    CHECK(hass::bram18_blocks(32, 512, buffer_kind::fifo) == 0);
    // depth * width <= 1024: no block
    CHECK(hass::bram18_blocks(64, 16, buffer_kind::fifo) == 0);   // 1024 bits
    CHECK(hass::bram18_blocks(1024, 1, buffer_kind::fifo) == 0);  // 1024 bits
    // 64 x 17 = 1088 > 1024 and depth 64 > 32: 18x1024: ceil(17/18) * ceil(64/1024) = 1
    CHECK(hass::bram18_blocks(64, 17, buffer_kind::fifo) == 1);
    // the same sizes as memories
    CHECK(hass::bram18_blocks(32, 64) == 2);   // 2048 bits >= 1024: ceil(64/36) = 2 * 1
    CHECK(hass::bram18_blocks(1024, 1) == 1);  // 1024 bits is not < 1024
    CHECK(hass::bram18_blocks(64, 16) == 1);   // 18x1024: 1 * 1
    CHECK(hass::fits_in_lutram(32, 64, buffer_kind::fifo));
    CHECK_FALSE(hass::fits_in_lutram(32, 64, buffer_kind::memory));
    CHECK(hass::fits_in_lutram(31, 33)); // 1023 bits
}

TEST_CASE("uram_blocks", "[memory]") {
    // 4096 x 72: 72x4096: 1 * 1 = 1
    CHECK(hass::uram_blocks(4096, 72) == 1);
    // 8192 x 72: 1 * ceil(8192/4096) = 2
    CHECK(hass::uram_blocks(8192, 72) == 2);
    // 4096 x 144: ceil(144/72) = 2 * 1 = 2
    CHECK(hass::uram_blocks(4096, 144) == 2);
    // 8192 x 36: 36x8192: 1 * 1 = 1
    CHECK(hass::uram_blocks(8192, 36) == 1);
    // 1000 x 8 (8000 bits): narrowest >= 8 is 9x32768: 1 * 1 = 1
    CHECK(hass::uram_blocks(1000, 8) == 1);
    // 192 x 384: 72x4096: ceil(384/72) = 6 (72*5 = 360) * 1 = 6
    CHECK(hass::uram_blocks(192, 384) == 6);
    // 100 x 8 = 800 bits < 1024: none
    CHECK(hass::uram_blocks(100, 8) == 0);
    // 262144 x 1: 1x262144 -> 1; 262145 x 1 -> 2
    CHECK(hass::uram_blocks(262144, 1) == 1);
    CHECK(hass::uram_blocks(262145, 1) == 2);
}

TEST_CASE("lutram_luts: one LUT per 64 x 1 bit", "[memory]") {
    CHECK(hass::lutram_luts(100, 8) == 16); // ceil(100/64) = 2 * 8
    CHECK(hass::lutram_luts(64, 3) == 3);   // 1 * 3
    CHECK(hass::lutram_luts(65, 1) == 2);   // ceil(65/64) = 2 * 1
    CHECK(hass::lutram_luts(4, 128) == 128); // 1 * 128
    CHECK(hass::lutram_luts(0, 5) == 0);
    CHECK(hass::lutram_luts(5, 0) == 0);
}

TEST_CASE("dsp_per_multiplier is ceil(a/18)*ceil(b/27)", "[dsp]") {
    CHECK(hass::dsp_per_multiplier(16, 16) == 1); // 1 * 1
    CHECK(hass::dsp_per_multiplier(18, 27) == 1); // 1 * 1
    CHECK(hass::dsp_per_multiplier(19, 16) == 2); // ceil(19/18) = 2 * 1
    CHECK(hass::dsp_per_multiplier(32, 16) == 2); // 2 * 1
    CHECK(hass::dsp_per_multiplier(16, 28) == 2); // 1 * ceil(28/27) = 2
    CHECK(hass::dsp_per_multiplier(36, 54) == 4); // 2 * 2
    CHECK(hass::dsp_per_multiplier(32, 32) == 4); // 2 * 2
}

TEST_CASE("multiplier_dsps packs 8-bit pairs and 4-bit quads", "[dsp]") {
    CHECK(hass::multiplier_dsps(10, 16, 16) == 10); // 10 * 1
    CHECK(hass::multiplier_dsps(4, 32, 16) == 8);   // 4 * 2
    CHECK(hass::multiplier_dsps(10, 8, 8) == 5);    // ceil(10/2)
    CHECK(hass::multiplier_dsps(9, 8, 8) == 5);     // ceil(9/2)
    CHECK(hass::multiplier_dsps(5, 8, 4) == 3);     // both <= 8, not both <= 4: ceil(5/2)
    CHECK(hass::multiplier_dsps(8, 4, 4) == 2);     // 8/4
    CHECK(hass::multiplier_dsps(9, 4, 4) == 3);     // ceil(9/4)
    CHECK(hass::multiplier_dsps(1, 4, 4) == 1);     // ceil(1/4)
    CHECK(hass::multiplier_dsps(3, 8, 16) == 3);    // 16 > 8: no packing, 3 * 1
    CHECK(hass::multiplier_dsps(0, 16, 16) == 0);
    // the boundaries: quads only up to 4 bits, pairs from 5 to 8 bits
    CHECK(hass::multiplier_dsps(8, 5, 5) == 4);
    CHECK(hass::multiplier_dsps(8, 7, 7) == 4);
    CHECK(hass::multiplier_dsps(8, 4, 5) == 4);
    CHECK(hass::multiplier_dsps(8, 9, 8) == 8);
}

TEST_CASE("buffer_resources places a buffer in BRAM, URAM, LUTRAM or off chip", "[memory]") {
    // 1024 x 16 in BRAM: 1 BRAM18 (see above)
    CHECK(hass::buffer_resources(1024, 16) == hass::resources{0, 0, 0, 1, 0});
    CHECK(hass::buffer_resources(1024, 16, weight_storage::bram) == hass::resources{0, 0, 0, 1, 0});
    // in URAM: narrowest URAM aspect >= 16 is 18x16384: 1 * 1 = 1 URAM
    CHECK(hass::buffer_resources(1024, 16, weight_storage::uram) == hass::resources{0, 0, 0, 0, 1});
    // 4096 x 72 in URAM: 1
    CHECK(hass::buffer_resources(4096, 72, weight_storage::uram) == hass::resources{0, 0, 0, 0, 1});
    // 8192 x 72 in URAM: 2; in BRAM: ceil(72/36) = 2 * ceil(8192/512) = 16 -> 32
    CHECK(hass::buffer_resources(8192, 72, weight_storage::uram) == hass::resources{0, 0, 0, 0, 2});
    CHECK(hass::buffer_resources(8192, 72, weight_storage::bram) == hass::resources{0, 0, 0, 32, 0});
    // 100 x 8 = 800 bits: LUTRAM, ceil(100/64) * 8 = 16 LUTs, whichever RAM was asked for
    CHECK(hass::buffer_resources(100, 8) == hass::resources{0, 16, 0, 0, 0});
    CHECK(hass::buffer_resources(100, 8, weight_storage::uram) == hass::resources{0, 16, 0, 0, 0});
    // off chip: nothing on chip
    CHECK(hass::buffer_resources(1024, 16, weight_storage::off_chip) == hass::resources{});
    CHECK(hass::buffer_resources(100, 8, weight_storage::off_chip) == hass::resources{});
    // a 64 x 16 FIFO (1024 bits) is LUTRAM: 1 * 16 LUTs; as a memory it is 1 BRAM18
    CHECK(hass::buffer_resources(64, 16, weight_storage::bram, buffer_kind::fifo) ==
          hass::resources{0, 16, 0, 0, 0});
    CHECK(hass::buffer_resources(64, 16, weight_storage::bram, buffer_kind::memory) ==
          hass::resources{0, 0, 0, 1, 0});
    CHECK(hass::to_string(weight_storage::off_chip) == "off_chip");
}
