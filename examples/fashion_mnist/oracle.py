#!/usr/bin/python3
"""Accuracy oracle: threshold assignments in, the measured accuracy drop out (JSON); the
command `hass search --oracle-cmd` runs.

    /usr/bin/python3 oracle.py WORK_DIR [--split test|val] [--images N] [--calib-images N]
        [--val-images N] [--thresholds FILE]

Loads WORK_DIR/model.pt (the BatchNorm-fused model) and WORK_DIR/model.onnx (for the
layer names). Without --thresholds it reads JSON documents from standard input, one
after the other (one per line, or pretty-printed), and answers each with one line:

    in:  {"format": "hass.sparsity.thresholds", "layers": [{"name": ..., "tau_w": ..., "tau_a": ...}, ...]}
         (or {"thresholds": <that document>})
    out: {"drop": 0.42, "accuracy": 90.71, "baseline": 91.13, "split": "test", "images": 10000}

    in:  {"measure": true, "thresholds": <a thresholds document>}      (hass search --verify)
    out: the same, plus "products": the product histograms of every convolution with all the
         thresholds applied at once, measured on the calibration images the statistics came
         from (the first --calib-images of the last --val-images validation images)

Weights with |w| < tau_w are zeroed and activations x <= tau_a of the named activation
layers (an entry's "activation_layer", or the layer itself) are zeroed, exactly as hass
reads the file. The drop is baseline - accuracy, in percentage points.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pipeline  # noqa: E402
from hass_profile import Assignment, Profiler  # noqa: E402
from model import load_fused  # noqa: E402


class Oracle:
    def __init__(self, work, split="test", images=None, calib_images=512, val_images=2000):
        (xv, yv), (xs, ys) = pipeline.data(val_images=val_images, test_images=images if split == "test" else None)
        x, y = (xs, ys) if split == "test" else (xv, yv)
        if images:
            x, y = x[:images], y[:images]
        self.split, self.images = split, len(x)
        model = load_fused(os.path.join(work, "model.pt"))
        # the calibration batches of pipeline.make_profiler: the product histograms are measured
        # on the images the decomposed statistics came from
        calib = [xv[i:i + 128] for i in range(0, min(calib_images, len(xv)), 128)]
        self.profiler = Profiler(model, os.path.join(work, "model.onnx"), calib, evaluate=pipeline.accuracy_fn(x, y))
        self.baseline = self.profiler.accuracy()

    def __call__(self, request):
        thresholds = request.get("thresholds", request)
        asg = Assignment.from_thresholds(thresholds, self.profiler)
        acc = self.profiler.accuracy(asg)
        out = {"drop": round(self.baseline - acc, 4), "accuracy": acc, "baseline": self.baseline,
               "split": self.split, "images": self.images}
        if request.get("measure"):
            out["products"] = self.profiler.products([asg])
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--split", choices=("test", "val"), default="test")
    ap.add_argument("--images", type=int, default=None)
    ap.add_argument("--calib-images", type=int, default=512)
    ap.add_argument("--val-images", type=int, default=2000)
    ap.add_argument("--thresholds", default=None)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    oracle = Oracle(a.work, a.split, a.images, a.calib_images, a.val_images)
    if a.thresholds:
        with open(a.thresholds) as f:
            print(json.dumps(oracle(json.load(f))), flush=True)
        return
    buf = ""
    for line in sys.stdin:
        buf += line
        if not buf.strip():
            buf = ""
            continue
        try:
            doc = json.loads(buf)
        except json.JSONDecodeError:
            continue  # a document spread over several lines
        buf = ""
        try:
            print(json.dumps(oracle(doc)), flush=True)
        except (ValueError, KeyError) as e:
            print(json.dumps({"error": str(e)}), flush=True)
    if buf.strip():
        print(json.dumps({"error": "incomplete JSON document on standard input"}), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
