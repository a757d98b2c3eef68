// The model in constant expressions: a zoo network on a board *type*, and the
// validity rules as static_assert-able predicates.
#include <hass/hass.hpp>
#include <hass/zoo/zoo.hpp>

#include <boost/hana/for_each.hpp>

#include <cstdio>

// resnet18 with every factor 1: the 7x7 stem convolution is the bottleneck,
// 112*112 * (3*49) * 64 = 118,013,952 cycles per image.
template <hass::board_type Board>
constexpr hass::count_t resnet18_unit_ii() {
    const auto net = hass::zoo::resnet18();
    return hass::evaluate(net, hass::unit_folding(net), Board::spec).ii;
}
static_assert(resnet18_unit_ii<hass::boards::u250>() == 118'013'952);

// A validity rule as a named predicate: coarse_in must divide C/G.
constexpr bool conv1_takes(hass::count_t coarse_in) {
    const auto net = hass::zoo::resnet18();
    return hass::is_valid_folding(net[0], {.coarse_in = coarse_in});
}
static_assert(conv1_takes(3), "3 divides the 3 input channels of conv1");
static_assert(!conv1_takes(2), "2 does not divide 3 input channels");

int main() {
    // Iterate the board types at compile time and print the throughput of the
    // unit folding on each.
    boost::hana::for_each(hass::boards::all, [](auto board) {
        using B = typename decltype(board)::type;
        constexpr double fps = B::spec.clock_hz() / static_cast<double>(resnet18_unit_ii<hass::boards::u250>());
        std::printf("%-9s %.2f images/s\n", B::spec.name.data(), fps);
    });
}
