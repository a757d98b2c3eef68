// Sparsity statistics for the threshold search (MODEL.md "The sparsity search";
// assumptions and formulas in docs/sparsity.md).
//
// Two forms of statistics per convolution:
//
//  * product_histograms: the histogram MODEL.md's sparse convolution consumes
//    (per input channel c, the probability h[c][z] that a window holds z zero
//    products), measured at one or more threshold points (tau_w, tau_a).
//
//  * decomposed_histograms: per input channel, the histogram of the number a of
//    NON-zero activations in a window at a grid of activation thresholds tau_a,
//    and the histogram of the number b of NON-zero weights in a kernel (over
//    the filters that read the channel) at a grid of weight thresholds tau_w,
//    or the raw weight magnitudes from which that histogram is exact at any
//    tau_w. predict() composes them into product histograms at any
//    (tau_w, tau_a) inside the grids:
//
//        P(m | a, b) = C(a, m) C(K - a, b - m) / C(K, b)   (hypergeometric)
//        h[c][K - m]  = sum_a sum_b P_c(a; tau_a) P_c(b; tau_w) P(m | a, b)
//
//    (non-zero positions uniformly placed and independent; see docs/sparsity.md).
//
//   hass::sparsity::predictor p(stats, net);          // caches per-channel tables
//   const hass::sparsity_stats& s = p.predict(3, 0.01, 0.2);
//   p.apply(net, thresholds);                         // every layer's statistics
//
// Pruning conventions: a weight is zero when |w| < tau_w (or w == 0); an
// activation is zero when x <= tau_a (a thresholded ReLU); padding values are
// zero activations.
//
// Where each part lives (include/hass/sparsity/statistics/):
//
//   hypergeometric.hpp  binomials, the hypergeometric law, compose (one channel)
//   histograms.hpp      threshold_pair, product_histograms, decomposed_histograms,
//                       their network-wide sets, grid positions, threshold_for_sparsity
//   checks.hpp          check, check_against, activation_owner_of, set_magnitudes
//   predictor.hpp       predictor, predict, tabulate
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/core/text.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/network/network.hpp"
#include "hass/sparsity/statistics/checks.hpp"
#include "hass/sparsity/statistics/histograms.hpp"
#include "hass/sparsity/statistics/hypergeometric.hpp"
#include "hass/sparsity/statistics/predictor.hpp"
