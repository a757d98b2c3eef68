#include <hass/hass.hpp>
#include <hass/version.hpp>

int main()
{
    return hass::version_string.size() > 0 ? 0 : 1;
}
