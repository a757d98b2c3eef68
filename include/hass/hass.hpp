// hass: a compile-time model of sparse dataflow DNN accelerators on FPGAs.
// The umbrella header: configuration first, then the parts in reading order.
// Optional integrations (JSON input/output, the CLI) are not included here.
#pragma once

#include "hass/version.hpp"

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/core/text.hpp"

#include "hass/resources/memory.hpp"
#include "hass/resources/resources.hpp"

#include "hass/cost/modules.hpp"
#include "hass/cost/regression.hpp"
#include "hass/cost/weights.hpp"

#include "hass/modules/all.hpp"

#include "hass/layers/hardware.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/layers/validity.hpp"

#include "hass/cost/hass_layer.hpp"
#include "hass/cost/policy.hpp"
#include "hass/cost/reference_layer.hpp"

#include "hass/network/builder.hpp"
#include "hass/network/evaluate.hpp"
#include "hass/network/network.hpp"

#include "hass/boards/board.hpp"
#include "hass/boards/catalog.hpp"
