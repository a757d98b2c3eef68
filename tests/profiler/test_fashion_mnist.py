#!/usr/bin/python3
"""The Fashion-MNIST example end to end, short (ctest profiler.fashion_mnist).

    /usr/bin/python3 test_fashion_mnist.py HASS_BINARY SCRATCH_DIR

Runs examples/fashion_mnist/run_example.py --quick (a narrow net trained on 5,000 images,
profiled, co-searched on the zedboard with a 1-point budget by `hass search --oracle-cmd
oracle.py --verify`, every round's design measured with PyTorch, HLS emitted), then checks: the
measured drop is within the budget, the measured speed-up over the dense design is above 1,
the throughput from the re-measured histograms is within 2% of the prediction when the loop
verified, the oracle over stdin/stdout gives the same drop, and the files round-trip
through hass (the magnitudes hass takes from the ONNX file are the PyTorch weights, its
weight-sparsity thresholds are the profiler's, its copy of the histograms is ours).
Exits 77 (skipped) without torch, onnx or the dataset. Prints "N passed, M failed".
"""
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import onnx  # noqa: F401
    import torch
except ImportError as e:
    print("skipped: %s (needs python3-torch, python3-onnx, python3-numpy)" % e)
    sys.exit(77)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EX = os.path.join(ROOT, "examples", "fashion_mnist")
sys.path.insert(0, EX)
sys.path.insert(0, os.path.join(ROOT, "python"))
import fmnist  # noqa: E402

if not fmnist.available():
    print("skipped: no Fashion-MNIST in %s (Debian dataset-fashion-mnist)" % fmnist.data_dir())
    sys.exit(77)

import hass_profile as hp  # noqa: E402
from model import load_fused  # noqa: E402

HASS, W = sys.argv[1], sys.argv[2]
BUDGET = 1.0
shutil.rmtree(W, ignore_errors=True)
subprocess.run([sys.executable, os.path.join(EX, "run_example.py"), W, "--hass", HASS, "--quick",
                "--budget", str(BUDGET)], check=True)
with open(os.path.join(W, "summary.json")) as f:
    summary = json.load(f)

passed, failed = 0, 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


best = summary["chosen"]
check("a design is within the budget when measured", best is not None, summary["rounds"])
if best:
    check("measured drop %.3f <= budget %g" % (best["measured_drop"], BUDGET), best["measured_drop"] <= BUDGET)
    check("measured speed-up %.3f over the dense design > 1" % (best["measured_fps"] / best["dense_fps"]),
          best["measured_fps"] > best["dense_fps"])
    ratio = best["measured_fps"] / best["predicted_fps"]
    if summary["verify"]["verified"]:
        check("verified: measured / predicted throughput %.4f within 2%%" % ratio, 0.98 <= ratio <= 1.02)
    else:
        check("not verified (%s): measured / predicted throughput %.3f within 10%%" %
              (summary["verify"]["stop_reason"], ratio), 0.9 <= ratio <= 1.1)
    check("every round has a predicted and a measured drop and throughput",
          all(r["measured_fps"] and r["predicted_fps"] and r["measured_drop"] is not None for r in summary["rounds"]),
          summary["rounds"])
    check("rounds before the chosen one were fed back",
          all(r["feedback"] for r in summary["rounds"][:best["round"] - 1]), summary["rounds"])
    check("the sparse design is emitted", summary["emit_hls"] == "sparse", summary["emit_hls"])
    # the oracle over stdin/stdout: three documents (the last a batch), one per line, answered in order
    with open(os.path.join(best["dir"], "thresholds.json")) as f:
        t = json.load(f)
    none = {"format": "hass.sparsity.thresholds", "version": 1, "layers": []}
    r = subprocess.run([sys.executable, os.path.join(EX, "oracle.py"), W, "--images",
                        str(summary["config"]["test_images"])],
                       input=json.dumps(t) + "\n" + json.dumps({"thresholds": none}) + "\n" +
                       json.dumps({"batch": [t, none]}) + "\n",
                       capture_output=True, text=True, check=True)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    check("oracle answers each document", len(lines) == 3, r.stdout)
    # a candidate's drop is clipped at 0 (a measurement's is not)
    check("oracle reproduces the measured drop", abs(lines[0]["drop"] - max(0.0, best["measured_drop"])) < 1e-9, lines)
    check("oracle: no thresholds, no drop", lines[1]["drop"] == 0, lines)
    check("oracle: a batch is answered by the drops in order", lines[2].get("drops") == [lines[0]["drop"], 0.0], lines)
check("HLS emitted", os.path.exists(os.path.join(W, "zedboard_budget1", "hls", "weights.hpp")) and summary["emit_hls"] in ("sparse", "dense"))

# files through hass: the statistics and accuracy hass wrote back in round1/
model = load_fused(os.path.join(W, "model.pt"))
with open(os.path.join(W, "stats.json")) as f:
    ours = json.load(f)
round1 = summary["rounds"][0]["dir"]
with open(os.path.join(round1, "statistics.json")) as f:
    theirs = json.load(f)
with open(os.path.join(round1, "accuracy.json")) as f:
    acc = json.load(f)
layers, _ = hp.map_layers(model, os.path.join(W, "model.onnx"), torch.zeros(1, 1, 28, 28))
by_name = {l.name: l for l in layers}
same_hist = all(np.array_equal(np.array(a["activations"]["histogram"]), np.array(b["activations"]["histogram"]))
                and a["activations"]["tau"] == b["activations"]["tau"] for a, b in zip(ours["layers"], theirs["layers"]))
check("hass's copy of the histograms is ours", same_hist and len(ours["layers"]) == len(theirs["layers"]))
mag_ok = True
for e in theirs["layers"]:
    l = by_name[e["name"]]
    w = l.module.weight.detach().abs()
    if l.permutation is not None:
        w = w[:, l.permutation]
    mag_ok &= np.array_equal(np.array(e["weights"]["magnitudes"], dtype=np.float32), w.flatten().numpy())
check("the magnitudes hass reads from the ONNX file are the PyTorch weights (BatchNorm fused)", mag_ok)
tau_ok = True
for e in acc["layers"]:
    if "tau_w" in e and e["name"] in by_name:
        w = by_name[e["name"]].module.weight.detach().numpy()
        want = [hp.threshold_for_sparsity(w, s) for s in summary["config"]["weight_sparsity"]]
        tau_ok &= np.allclose(e["tau_w"], want, rtol=1e-7, atol=0)
check("hass's weight-sparsity thresholds are the profiler's", tau_ok)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
