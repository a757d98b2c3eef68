// Must NOT compile: a network whose layer reads a later layer is rejected while
// the network is built in a constant expression (hass::validate throws, which
// stops constant evaluation at the check that failed).
#include <hass/hass.hpp>

constexpr hass::count_t broken() {
    hass::network net{"broken", {8, 8, 4}, {}};
    hass::layer a;
    a.name = "a";
    a.type = hass::layer_type::relu;
    a.in = a.out = {8, 8, 4};
    a.inputs = {1}; // a later layer: not topological
    net.layers.push_back(a);
    hass::validate(net);
    return 1;
}
static_assert(broken() == 1);

int main() {}
