"""The steps of the Fashion-MNIST example (run_example.py), importable by the tests.

Data splits: the network trains on the first 58,000 training images; the last 2,000
(the validation split) are the calibration data and measure the accuracy tables; the
oracle measures the real accuracy on the 10,000 test images.
"""
import json
import os
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)
import fmnist  # noqa: E402
import hass_profile  # noqa: E402
from model import load_fused  # noqa: E402


def accuracy_fn(x, y, batch=1000):
    """evaluate(model) -> top-1 accuracy in percent on (x, y)."""
    def evaluate(model):
        correct = 0
        with torch.no_grad():
            for i in range(0, len(x), batch):
                correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
        return 100.0 * correct / len(x)
    return evaluate


def data(val_images=2000, test_images=None):
    _, (xv, yv), (xs, ys) = fmnist.splits()
    xv, yv = xv[-val_images:], yv[-val_images:]
    if test_images:
        xs, ys = xs[:test_images], ys[:test_images]
    return (xv, yv), (xs, ys)


def make_profiler(work, hass=None, calib_images=512, val_images=2000, log=print):
    (xv, yv), _ = data(val_images)
    model = load_fused(os.path.join(work, "model.pt"))
    calib = [xv[i:i + 128] for i in range(0, min(calib_images, len(xv)), 128)]
    return hass_profile.Profiler(model, os.path.join(work, "model.onnx"), calib, evaluate=accuracy_fn(xv, yv),
                                 hass=hass, network="fashion_mobilenet", log=log)


def profile(work, hass=None, calib_images=512, val_images=2000, weight_sparsity=hass_profile.WEIGHT_SPARSITY,
            levels=hass_profile.TAU_LEVELS, log=print):
    """Writes work/stats.json and work/acc.json; returns the profiler."""
    p = make_profiler(work, hass, calib_images, val_images, log)
    t = time.perf_counter()
    stats = p.decomposed(levels=levels, weight_targets=weight_sparsity)
    log("decomposed statistics: %.1f s" % (time.perf_counter() - t))
    t = time.perf_counter()
    acc = p.accuracy_table(weight_sparsity=weight_sparsity)
    log("accuracy tables: %.1f s (baseline %.2f%% on %d validation images)" %
        (time.perf_counter() - t, acc["baseline"], val_images))
    stats["_timings"] = p.timings()
    hass_profile.write_json(stats, os.path.join(work, "stats.json"))
    hass_profile.write_json(acc, os.path.join(work, "acc.json"))
    return p


def run_hass(hass, *args, check=True):
    r = subprocess.run([hass, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("hass %s failed (%d):\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r
