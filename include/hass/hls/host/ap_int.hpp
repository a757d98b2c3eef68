// Host stand-in for <ap_int.h>: ap_int<W> and ap_uint<W> share one
// implementation with ap_fixed (see ap_fixed.hpp for what is modelled).
#pragma once

#include "hass/hls/host/ap_fixed.hpp"
