#!/usr/bin/env python3
"""Writes the sparsity fixtures of mobilenet_small.onnx (standard library only):

  data/mobilenet_small.stats.json     decomposed statistics in the real-network form:
                                      activation thresholds owned by the ReLU6 layers
                                      (one feeds a residual add, one a global pool and
                                      the classifier), the classifier (Gemm) included,
                                      no weight statistics (hass reads the .onnx weights)
  data/mobilenet_small.accuracy.json  1-D sensitivity tables (weights by weight
                                      sparsity, activations by tau_a), joint points and
                                      a small negative drop within the noise

Both are labelled synthetic: the numbers are made up by the formulas below to
exercise the formats and the commands, not measured on data.

  python3 make_sparsity_fixtures.py [OUT_DIR]   (default: data/ beside this file)
"""
import json
import math
import os
import sys

# name, input channels C, kernel K, activation layer it reads (None: none)
F = "/features/features."
LAYERS = [
    (F + "0/Conv", 1, 9, None),
    (F + "3/conv/conv.0/Conv", 8, 9, F + "2/Clip"),  # through a split; the Clip also feeds the Add
    (F + "3/conv/conv.3/Conv", 8, 1, F + "3/conv/conv.2/Clip"),
    (F + "4/conv/conv.0/Conv", 8, 1, None),  # reads the Add
    (F + "4/conv/conv.3/Conv", 32, 9, F + "4/conv/conv.2/Clip"),
    (F + "4/conv/conv.6/Conv", 32, 1, F + "4/conv/conv.5/Clip"),
    (F + "5/conv/conv.0/Conv", 12, 1, None),
    (F + "5/conv/conv.3/Conv", 48, 9, F + "5/conv/conv.2/Clip"),
    (F + "5/conv/conv.6/Conv", 48, 1, F + "5/conv/conv.5/Clip"),
    (F + "6/Conv", 12, 1, None),  # reads the Add
    ("/classifier/classifier.1/Gemm", 32, 1, F + "8/Clip"),  # through the global pool
]
TAU_A = [0.0, 0.1, 0.2, 0.4]
SPARSITY = [round(0.1 * i, 1) for i in range(10)]


def binomial(k, p):
    return [math.comb(k, a) * p**a * (1 - p) ** (k - a) for a in range(k + 1)]


def zero_fraction(c, tau):
    z0 = 0.3 + 0.4 * ((7 * c) % 10) / 10
    return z0 + (1 - z0) * (1 - math.exp(-tau / 0.5))


def stats():
    layers = []
    for name, C, K, owner in LAYERS:
        taus = TAU_A if owner else [0.0]
        hist = [[[round(x, 12) for x in binomial(K, 1 - (zero_fraction(c, t) if owner else 0.0))] for c in range(C)]
                for t in taus]
        # rows sum to 1 within the reader's 1e-6
        e = {"name": name, "source": "relu" if owner else "other"}
        if owner:
            e["activation_layer"] = owner
        e["activations"] = {"tau": taus, "histogram": hist}
        layers.append(e)
    return {"format": "hass.sparsity.decomposed", "version": 1, "network": "mobilenet_small", "synthetic": True,
            "provenance": "SYNTHETIC test fixture (tests/onnx/make_sparsity_fixtures.py): binomial windows, made-up zero fractions",
            "layers": layers}


def accuracy():
    layers = []
    for i, (name, C, K, owner) in enumerate(LAYERS):
        alpha = 0.02 * (3 if i == 0 else 1) * (1 + 0.5 * (len(LAYERS) - i) / len(LAYERS))
        layers.append({"name": name, "weight_sparsity": SPARSITY,
                       "drop": [round(alpha * s * s / (1 - s), 4) for s in SPARSITY]})
    owners = []
    for _, _, _, owner in LAYERS:
        if owner and owner not in owners:
            owners.append(owner)
    for k, owner in enumerate(owners):
        drop = [round(0.5 * (1 + k / 4) * t * t / 0.16, 4) for t in TAU_A]
        if k == 0:
            drop[1] = -0.02  # measurement noise: read as 0 with a note
        layers.append({"name": owner, "tau_a": TAU_A, "drop": drop})
    # measured with two activations thresholded at once: the tables give 0.1875 + 0.25
    joint = [{"layers": [{"name": F + "4/conv/conv.2/Clip", "tau_a": 0.2},
                         {"name": F + "5/conv/conv.2/Clip", "tau_a": 0.2}], "drop": 0.6}]
    return {"format": "hass.accuracy.table", "version": 1, "network": "mobilenet_small", "synthetic": True,
            "provenance": "SYNTHETIC test fixture (tests/onnx/make_sparsity_fixtures.py)",
            "metric": "top-1 accuracy drop, percentage points", "baseline": 90.0, "noise": 0.05,
            "layers": layers, "joint": joint}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    for name, doc in (("mobilenet_small.stats.json", stats()), ("mobilenet_small.accuracy.json", accuracy())):
        with open(os.path.join(out, name), "w") as f:
            json.dump(doc, f, indent=None, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
