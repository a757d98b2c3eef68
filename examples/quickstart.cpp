// The README example: describe a small network, check its initiation interval at
// compile time, then evaluate a folding on a board at run time.
#include <hass/hass.hpp>

#include <cstdio>

constexpr hass::network small_net() {
    hass::network_builder b{"small", {32, 32, 3}};
    auto x = b.conv(b.input(), "conv1", {.filters = 16, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu1");
    x = b.max_pool(x, "pool1", 2, 2);
    x = b.conv(x, "conv2", {.filters = 32, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu2");
    x = b.global_avg_pool(x, "gap");
    b.inner_product(x, "fc", 10);
    return std::move(b).build();
}

// With every factor 1 the slowest layer is conv2: 16*16 * (16*9) * 32 cycles.
constexpr hass::count_t unit_ii() {
    const auto net = small_net();
    return hass::evaluate(net, hass::unit_folding(net), hass::boards::zedboard::spec).ii;
}
static_assert(unit_ii() == 16 * 16 * (16 * 9) * 32);

int main() {
    const hass::network net = small_net();
    auto folding = hass::unit_folding(net);
    folding[static_cast<std::size_t>(net.find("conv1"))] = {.coarse_in = 1, .coarse_out = 4, .fine = 3};
    folding[static_cast<std::size_t>(net.find("conv2"))] = {.coarse_in = 4, .coarse_out = 4, .fine = 9};

    const auto report = hass::evaluate(net, folding, hass::boards::zedboard::spec);
    for (std::size_t i = 0; i < net.size(); ++i)
        std::printf("%-8s %10lld cycles %4lld DSP %5lld BRAM18\n", net[i].name.c_str(),
                    static_cast<long long>(report.layers[i].latency),
                    static_cast<long long>(report.layers[i].used.dsp),
                    static_cast<long long>(report.layers[i].used.bram18));
    std::printf("II %lld cycles, %.1f images/s, fits the zedboard: %s\n",
                static_cast<long long>(report.ii), report.throughput(), report.fits ? "yes" : "no");
    return report.fits ? 0 : 1;
}
