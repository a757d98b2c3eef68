// Must NOT compile: coarse_in = 2 does not divide the 3 input channels of
// resnet18's conv1. The test checks that the compiler reports the message.
#include <hass/hass.hpp>
#include <hass/zoo/zoo.hpp>

constexpr bool conv1_folding_ok() {
    const auto net = hass::zoo::resnet18();
    return hass::is_valid_folding(net[0], {.coarse_in = 2});
}
static_assert(conv1_folding_ok(), "conv1: coarse_in must divide the input channels per group");

int main() {}
