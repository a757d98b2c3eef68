// Every hardware module of MODEL.md.
#pragma once

#include "hass/modules/accumulator.hpp"
#include "hass/modules/activation.hpp"
#include "hass/modules/bias.hpp"
#include "hass/modules/concat.hpp"
#include "hass/modules/eltwise.hpp"
#include "hass/modules/fork.hpp"
#include "hass/modules/global_pool.hpp"
#include "hass/modules/glue.hpp"
#include "hass/modules/pad.hpp"
#include "hass/modules/pool.hpp"
#include "hass/modules/sliding_window.hpp"
#include "hass/modules/sparse_vector_dot.hpp"
#include "hass/modules/squeeze.hpp"
#include "hass/modules/vector_dot.hpp"
