// What every hardware module provides (MODEL.md "Layers and their hardware").
//
// A module is a literal struct whose data members are its template parameters
// (declared with BOOST_HANA_DEFINE_STRUCT, so the HLS emitter and the reports
// can list them by name) and whose member functions give
//   latency()        cycles to process one image,
//   pipeline_depth() cycles from its first input to its first output,
//   resources()      DSP, LUT, FF, BRAM18 and URAM of one instance.
#pragma once

#include <concepts>
#include <string_view>

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>

#include "hass/core/math.hpp"
#include "hass/resources/cost_model.hpp"
#include "hass/resources/memory.hpp"
#include "hass/resources/resources.hpp"

namespace hass {

template <class M>
concept hardware_module = requires(const M& m) {
    { M::name } -> std::convertible_to<std::string_view>;
    { m.latency() } -> std::convertible_to<double>;
    { m.pipeline_depth() } -> std::convertible_to<count_t>;
    { m.resources() } -> std::convertible_to<resources>;
};

/// Calls `f(name, value)` for every template parameter of module `m`.
template <class M, class F>
constexpr void for_each_parameter(const M& m, F&& f) {
    boost::hana::for_each(boost::hana::accessors<M>(), [&](auto accessor) {
        f(std::string_view(boost::hana::to<char const*>(boost::hana::first(accessor))),
          boost::hana::second(accessor)(m));
    });
}

namespace detail {
/// LUT and FF of the control logic of a module with loop counters of these bounds.
template <class... Bounds>
constexpr resources control_logic(Bounds... loop_bounds) noexcept {
    const count_t counter_bits = (count_t{0} + ... + bits(loop_bounds));
    return {0, cost::control_lut + cost::counter_lut_per_bit * counter_bits,
            cost::control_ff + cost::counter_ff_per_bit * counter_bits, 0, 0};
}
} // namespace detail

} // namespace hass
