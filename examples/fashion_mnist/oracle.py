#!/usr/bin/python3
"""Accuracy oracle: threshold assignments in, the measured accuracy drop out (JSON); the
command `hass search --oracle-cmd` runs.

    /usr/bin/python3 oracle.py WORK_DIR [--split test|val] [--images N] [--calib-images N]
        [--val-images N] [--thresholds FILE] [--cache FILE]

Loads WORK_DIR/model.pt (the BatchNorm-fused model) and WORK_DIR/model.onnx (for the
layer names). Without --thresholds it reads JSON documents from standard input, one
after the other (one per line, or pretty-printed), and answers each with one line:

    in:  {"format": "hass.sparsity.thresholds", "layers": [{"name": ..., "tau_w": ..., "tau_a": ...}, ...]}
         (or {"thresholds": <that document>})
    out: {"drop": 0.42, "accuracy": 90.71, "baseline": 91.13, "split": "test", "images": 10000}

    in:  {"batch": [<a thresholds document>, ...]}                      (hass search --oracle-batch)
    out: {"drops": [0.42, 0.1, ...], "accuracies": [...], "baseline": 91.13, "split": "test", "images": 10000}
         one drop per document, in order

    in:  {"measure": true, "thresholds": <a thresholds document>}      (hass search --verify)
    out: the same, plus "products": the product histograms of every convolution with all the
         thresholds applied at once, measured on the calibration images the statistics came
         from (the first --calib-images of the last --val-images validation images)

Weights with |w| < tau_w are zeroed and activations x <= tau_a of the named activation
layers (an entry's "activation_layer", or the layer itself) are zeroed, exactly as hass
reads the file. The drop is baseline - accuracy, in percentage points, clipped at 0 except
in the answer to a measurement (a candidate that raises the accuracy is noise to the search).

--cache FILE keeps the accuracies measured (one JSON line per thresholds document, for the
same model, split and images): a document seen before, in this run or an earlier one, is
not evaluated again (hass search --random-baseline scores the same random assignments on
every board and budget).
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
    def __init__(self, work, split="test", images=None, calib_images=512, val_images=2000, cache=None):
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
        self.cache_file, self.cache = cache, {}
        if cache and os.path.exists(cache):
            with open(cache) as f:
                for line in f:
                    if line.strip():
                        e = json.loads(line)
                        self.cache[e["key"]] = e["accuracy"]

    def accuracy(self, thresholds):
        """The accuracy (percent) with `thresholds` applied, from the cache when it has them."""
        asg = Assignment.from_thresholds(thresholds, self.profiler)
        if self.cache_file is None:
            return self.profiler.accuracy(asg)
        layers = sorted((e["name"], e.get("tau_w"), e.get("tau_a")) for e in thresholds.get("layers", []))
        key = json.dumps([self.split, self.images, layers])
        if key not in self.cache:
            self.cache[key] = self.profiler.accuracy(asg)
            with open(self.cache_file, "a") as f:
                f.write(json.dumps({"key": key, "accuracy": self.cache[key]}) + "\n")
        return self.cache[key]

    def __call__(self, request):
        if "batch" in request:
            if not isinstance(request["batch"], list):
                raise ValueError("'batch' must be a list of thresholds documents")
            accs = [self.accuracy(t) for t in request["batch"]]
            return {"drops": [max(0.0, round(self.baseline - a, 4)) for a in accs], "accuracies": accs,
                    "baseline": self.baseline, "split": self.split, "images": self.images}
        thresholds = request.get("thresholds", request)
        acc = self.accuracy(thresholds)
        drop = round(self.baseline - acc, 4)
        # a candidate's drop is clipped at 0: pruning that happens to raise the test accuracy is noise the
        # search must not chase (hass rejects negative drops); a measurement reports the difference as it is
        out = {"drop": drop if request.get("measure") else max(0.0, drop), "accuracy": acc, "baseline": self.baseline,
               "split": self.split, "images": self.images}
        if request.get("measure"):
            out["products"] = self.profiler.products([Assignment.from_thresholds(thresholds, self.profiler)])
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
    ap.add_argument("--cache", default=None, help="a file of measured accuracies: read, and appended to")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    oracle = Oracle(a.work, a.split, a.images, a.calib_images, a.val_images, a.cache)
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
