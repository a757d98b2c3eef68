// What every hardware module provides (MODEL.md "Layers and their hardware").
//
// A module is a literal struct whose data members are its template parameters
// (declared with BOOST_HANA_DEFINE_STRUCT, so the HLS emitter and the reports
// can list them by name) and whose member functions give
//   latency()        cycles to process one image,
//   pipeline_depth() cycles from its first input to its first output,
//   cost(table)      the figure of one instance under a cost model's
//                    coefficient table (hass/cost/modules.hpp): the module's
//                    feature vectors evaluated with the regressions.
#pragma once

#include <concepts>
#include <string_view>

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>

#include "hass/core/math.hpp"
#include "hass/cost/modules.hpp"
#include "hass/cost/regression.hpp"
#include "hass/resources/memory.hpp"
#include "hass/resources/resources.hpp"

namespace hass {

template <class M>
concept hardware_module = requires(const M& m) {
    { M::name } -> std::convertible_to<std::string_view>;
    { m.latency() } -> std::convertible_to<double>;
    { m.pipeline_depth() } -> std::convertible_to<count_t>;
    { m.cost(cost::chisel_linear_regression) } -> std::convertible_to<cost::module_figure>;
};

/// Calls `f(name, value)` for every template parameter of module `m`.
template <class M, class F>
constexpr void for_each_parameter(const M& m, F&& f) {
    boost::hana::for_each(boost::hana::accessors<M>(), [&](auto accessor) {
        f(std::string_view(boost::hana::to<char const*>(boost::hana::first(accessor))),
          boost::hana::second(accessor)(m));
    });
}

namespace modules {
/// Pipeline stages of a DSP multiplier (input, multiply, output registers):
/// the depth hass's own latency model gives the dot products and multipliers.
inline constexpr count_t multiplier_latency = 3;
} // namespace modules

} // namespace hass
