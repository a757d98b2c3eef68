// Catch2 v2 runner of the hass HLS kernel tests (C simulation on the host stand-ins).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
