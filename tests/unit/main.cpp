// Catch2 v2 test runner of the hass unit tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
