// The optimal folding of a small network, found in a constant expression for a
// board given as a type.
#include <hass/hass.hpp>
#include <hass/search/static_search.hpp>

namespace {

constexpr hass::network two_convs() {
    hass::network_builder b{"two_convs", {8, 8, 4}};
    auto x = b.conv(b.input(), "conv1", {.filters = 8, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu1");
    b.conv(x, "conv2", {.filters = 8, .kernel = 3, .pad = 1});
    return std::move(b).build();
}

// A board type with a tiny budget, so the search has to trade DSP against BRAM.
struct tiny_board {
    static constexpr hass::board spec{"tiny", "none", {20, 6000, 12000, 10, 0}, 100, 10};
};

constexpr hass::count_t searched_ii() { return hass::static_optimal_folding<tiny_board>(two_convs()).ii; }
constexpr bool searched_design_fits() {
    const auto net = two_convs();
    const auto r = hass::static_optimal_folding<tiny_board>(net);
    const auto report = hass::evaluate(net, r.folding, tiny_board::spec);
    return r.found && report.fits && report.ii == r.ii;
}

// conv2 does 8*8 * (8*9) * 8 = 36,864 multiply-accumulates; 4,096 cycles need 9
// multipliers on it (ci*co*f = 9: f = 9) and conv1 (18,432 MACs) needs >= 4.5, so
// 15 or more of the 20 DSPs; the BRAM18 budget of 10 rules out the faster designs
// (the run-time optimal search finds the same II, tests/unit/test_search.cpp).
static_assert(searched_ii() == 4096);
static_assert(searched_design_fits());

// With every budget doubled the design gets faster.
struct double_board {
    static constexpr hass::board spec{"double", "none", {40, 12000, 24000, 20, 0}, 100, 10};
};
static_assert(hass::static_optimal_folding<double_board>(two_convs()).ii < 4096);

// Nothing fits a board without DSPs: the search says so.
struct no_dsp_board {
    static constexpr hass::board spec{"no_dsp", "none", {0, 6000, 12000, 10, 0}, 100, 10};
};
static_assert(!hass::static_optimal_folding<no_dsp_board>(two_convs()).found);

} // namespace
