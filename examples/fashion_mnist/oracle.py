#!/usr/bin/python3
"""Accuracy oracle: threshold assignments in, the measured accuracy drop out (JSON).

    /usr/bin/python3 oracle.py WORK_DIR [--split test|val] [--images N] [--thresholds FILE]

Loads WORK_DIR/model.pt (the BatchNorm-fused model) and WORK_DIR/model.onnx (for the
layer names). Without --thresholds it reads JSON documents from standard input, one
after the other (one per line, or pretty-printed), and answers each with one line:

    in:  {"format": "hass.sparsity.thresholds", "layers": [{"name": ..., "tau_w": ..., "tau_a": ...}, ...]}
         (or {"thresholds": <that document>})
    out: {"drop": 0.42, "accuracy": 90.71, "baseline": 91.13, "split": "test", "images": 10000}

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
    def __init__(self, work, split="test", images=None):
        (xv, yv), (xs, ys) = pipeline.data(test_images=images if split == "test" else None)
        x, y = (xs, ys) if split == "test" else (xv, yv)
        if images:
            x, y = x[:images], y[:images]
        self.split, self.images = split, len(x)
        model = load_fused(os.path.join(work, "model.pt"))
        self.profiler = Profiler(model, os.path.join(work, "model.onnx"), [x[:1]], evaluate=pipeline.accuracy_fn(x, y))
        self.baseline = self.profiler.accuracy()

    def __call__(self, thresholds):
        if "thresholds" in thresholds:
            thresholds = thresholds["thresholds"]
        acc = self.profiler.accuracy(Assignment.from_thresholds(thresholds, self.profiler))
        return {"drop": round(self.baseline - acc, 4), "accuracy": acc, "baseline": self.baseline,
                "split": self.split, "images": self.images}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--split", choices=("test", "val"), default="test")
    ap.add_argument("--images", type=int, default=None)
    ap.add_argument("--thresholds", default=None)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    oracle = Oracle(a.work, a.split, a.images)
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
