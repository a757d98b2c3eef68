// The model zoo: torchvision networks built in constant expressions.
//
//   static_assert(hass::zoo::resnet18().parameter_count() == 11'689'512);
//   auto net = hass::zoo::by_name("mobilenet_v2");   // std::optional<network>
//   auto net = hass::zoo::get("vgg16");               // throws hass::error if unknown
//   boost::hana::for_each(hass::zoo::all, [](auto t) {
//       using model = typename decltype(t)::type;      // model::name, model::build()
//   });
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include "hass/core/error.hpp"
#include "hass/core/text.hpp"
#include "hass/network/network.hpp"
#include "hass/zoo/alexnet.hpp"
#include "hass/zoo/mobilenet.hpp"
#include "hass/zoo/resnet.hpp"
#include "hass/zoo/vgg.hpp"

namespace hass::zoo {

inline constexpr std::array<std::string_view, 7> model_names{
    "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "vgg16", "alexnet"};

/// The zoo network of that name, or nothing.
constexpr std::optional<network> by_name(std::string_view name) {
    if (name == "resnet18") return resnet18();
    if (name == "resnet50") return resnet50();
    if (name == "mobilenet_v2") return mobilenet_v2();
    if (name == "mobilenet_v3_small") return mobilenet_v3_small();
    if (name == "mobilenet_v3_large") return mobilenet_v3_large();
    if (name == "vgg16") return vgg16();
    if (name == "alexnet") return alexnet();
    return std::nullopt;
}

/// The zoo network of that name; throws hass::error naming the known models otherwise.
constexpr network get(std::string_view name) {
    if (auto net = by_name(name)) return *std::move(net);
    std::string known;
    for (std::string_view n : model_names) known = known.empty() ? std::string(n) : hass::detail::cat(known, ", ", n);
    hass::detail::fail(hass::detail::cat("unknown model '", name, "'; known models: ", known));
}

// One type per model, for templates: `Model::name`, `Model::build()`.
struct resnet18_t {
    static constexpr std::string_view name = "resnet18";
    static constexpr network build() { return resnet18(); }
};
struct resnet50_t {
    static constexpr std::string_view name = "resnet50";
    static constexpr network build() { return resnet50(); }
};
struct mobilenet_v2_t {
    static constexpr std::string_view name = "mobilenet_v2";
    static constexpr network build() { return mobilenet_v2(); }
};
struct mobilenet_v3_small_t {
    static constexpr std::string_view name = "mobilenet_v3_small";
    static constexpr network build() { return mobilenet_v3_small(); }
};
struct mobilenet_v3_large_t {
    static constexpr std::string_view name = "mobilenet_v3_large";
    static constexpr network build() { return mobilenet_v3_large(); }
};
struct vgg16_t {
    static constexpr std::string_view name = "vgg16";
    static constexpr network build() { return vgg16(); }
};
struct alexnet_t {
    static constexpr std::string_view name = "alexnet";
    static constexpr network build() { return alexnet(); }
};

/// Every zoo model as a hana tuple of types, in the order of `model_names`.
inline constexpr auto all = boost::hana::tuple_t<resnet18_t, resnet50_t, mobilenet_v2_t, mobilenet_v3_small_t,
                                                 mobilenet_v3_large_t, vgg16_t, alexnet_t>;

} // namespace hass::zoo
