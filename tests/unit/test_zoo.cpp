// The zoo against torchvision: exact parameter counts (conv and linear weights
// and biases plus BatchNorm scale and shift) and multiply-accumulates within 1%
// of torchvision's published operation counts (its `_ops` metadata, in G).
#include <catch2/catch.hpp>

#include <hass/hass.hpp>
#include <hass/zoo/zoo.hpp>

#include <cmath>

namespace {
struct expected_counts {
    std::string_view model;
    hass::count_t params;
    double gmacs;
};
constexpr expected_counts torchvision[] = {
    {"resnet18", 11'689'512, 1.814},          {"resnet50", 25'557'032, 4.089},
    {"mobilenet_v2", 3'504'872, 0.301},       {"mobilenet_v3_large", 5'483'032, 0.217},
    {"mobilenet_v3_small", 2'542'856, 0.057}, {"vgg16", 138'357'544, 15.470},
    {"alexnet", 61'100'840, 0.714},
};
} // namespace

// The counts hold in constant expressions too.
static_assert(hass::zoo::resnet18().parameter_count() == 11'689'512);
static_assert(hass::zoo::mobilenet_v3_small().parameter_count() == 2'542'856);

TEST_CASE("zoo parameter counts equal torchvision's exactly", "[zoo]") {
    for (const auto& e : torchvision) {
        INFO(e.model);
        CHECK(hass::zoo::get(e.model).parameter_count() == e.params);
    }
}

TEST_CASE("zoo MACs are within 1% of torchvision's operation counts", "[zoo]") {
    for (const auto& e : torchvision) {
        INFO(e.model);
        const double gmacs = static_cast<double>(hass::zoo::get(e.model).macs()) / 1e9;
        CHECK(std::abs(gmacs - e.gmacs) / e.gmacs < 0.01);
    }
}

TEST_CASE("every zoo network is well formed and takes 224x224x3", "[zoo]") {
    for (auto name : hass::zoo::model_names) {
        INFO(name);
        const auto net = hass::zoo::get(name);
        CHECK(hass::network_problem(net).empty());
        CHECK(net.input == hass::tensor_shape{224, 224, 3});
        CHECK(net.outputs().size() == 1);
        CHECK(net.layers[static_cast<std::size_t>(net.outputs().front())].out.channels == 1000);
    }
}

TEST_CASE("unknown zoo model names the known ones", "[zoo]") {
    CHECK_FALSE(hass::zoo::by_name("resnet19").has_value());
    CHECK_THROWS_WITH(hass::zoo::get("resnet19"), Catch::Contains("unknown model 'resnet19'") &&
                                                      Catch::Contains("resnet18"));
}

TEST_CASE("resnet18 with every factor 1 on u250", "[zoo][eval]") {
    const auto net = hass::zoo::resnet18();
    const auto r = hass::evaluate(net, hass::unit_folding(net), hass::boards::u250::spec);
    // conv1: 224x224x3 -> 112x112x64, 7x7 stride 2 pad 3: 112*112 * (3*49) * 64 = 118,013,952
    CHECK(r.ii == 118'013'952);
    CHECK(r.bottleneck == net.find("conv1"));
    // 250e6 / 118,013,952 = 2.1184 images/s
    CHECK(r.throughput() == Approx(2.1184).epsilon(1e-4));
    // every conv and the fc have one multiplier: 20 convs + 1 fc = 21 DSP from the
    // dot products, plus the average of the global pooling (32x16 bits: 2 DSP)
    CHECK(r.used.dsp == 21 + 2);
}

TEST_CASE("resnet50 all-ones does not fit a zcu102: its weights overflow BRAM", "[zoo][eval]") {
    const auto net = hass::zoo::resnet50();
    const auto r = hass::evaluate(net, hass::unit_folding(net), hass::boards::zcu102::spec);
    CHECK_FALSE(r.fits);
    const auto over = r.exceeded();
    CHECK(std::find(over.begin(), over.end(), hass::resource_kind::bram18) != over.end());
    // 25.5M 16-bit weights need more than 25.5e6*16/18432 = 22,180 BRAM18 > 1,824
    CHECK(r.used.bram18 > 22'000);
}
