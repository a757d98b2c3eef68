#!/usr/bin/python3
"""The Fashion-MNIST example end to end: train, export, profile, co-search with hass,
measure the chosen design with PyTorch, refine, emit HLS.

    /usr/bin/python3 run_example.py WORK_DIR --hass build/default/tools/hass/hass [--quick]
        [--board zedboard] [--budget 1] [--rounds 4] [--cosearch greedy|tpe] [--epochs 2] [--width 1.0] [--reprofile]

Steps (each writes into WORK_DIR):
  1. train.py: a seeded MobileNetV2-style net, BatchNorm fused, model.pt and model.onnx
     (skipped when model.pt exists)
  2. hass_profile: stats.json (decomposed statistics on the calibration images) and
     acc.json (1-D sensitivity tables on the validation images); kept when they exist
  3. hass search --sparsity stats.json --accuracy acc.json --budget B   -> BOARD_budgetB/roundN/
  4. oracle (PyTorch on the test set): the measured drop of roundN/thresholds.json, and the
     product histograms measured at those thresholds (BOARD_budgetB/products_N.json), which hass eval
     turns into the measured throughput of the chosen folding
  5. measured drop over budget: the measured point is added to acc.json as a joint point
     (BOARD_budgetB/acc_N.json), or, when hass cannot fit it (the tables give at most one of
     its thresholds a non-zero drop), the unexplained drop is spread over the 1-D tables of the
     thresholds that moved; the search runs again, up to --rounds rounds
  6. hass emit-hls of the final design (the sparse folding; the dense design when
     emit-hls does not take it)
Prints predicted vs measured drop and throughput for every round and writes
BOARD_budgetB/summary.json (and a copy in WORK_DIR/summary.json).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pipeline  # noqa: E402
from hass_profile import Assignment, write_json  # noqa: E402
from oracle import Oracle  # noqa: E402

QUICK = {"epochs": 2, "width": 0.5, "train_images": 5000, "lr": 0.01, "calib_images": 256, "val_images": 1000,
         "test_images": 2000, "weight_sparsity": [0.0, 0.25, 0.5, 0.75], "levels": [0.2, 0.4, 0.6]}
FULL = {"epochs": 2, "width": 1.0, "train_images": 30000, "lr": 0.004, "calib_images": 512, "val_images": 2000,
        "test_images": None, "weight_sparsity": [round(0.1 * i, 1) for i in range(8)],
        "levels": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}


def spread_drop(acc, moved, excess, prof):
    """Raises the 1-D tables at the moved thresholds so that they add up to `excess` more: each
    moved threshold's drop, at its grid point and above, becomes at least its share."""
    if excess <= 0 or not moved:
        return
    share = excess / len(moved)
    tables = {e["name"]: e for e in acc["layers"]}
    for m in moved:
        e = tables.get(m["name"])
        if e is None:
            continue
        if "tau_a" in m:
            grid = e["tau_a"]
            k = min(range(len(grid)), key=lambda i: abs(grid[i] - m["tau_a"]))
        else:
            taus = [prof.sparsity_threshold(m["name"], x) for x in e["weight_sparsity"]]
            k = min(range(len(taus)), key=lambda i: abs(taus[i] - m["tau_w"]))
        for i in range(k, len(e["drop"])):
            e["drop"][i] = max(e["drop"][i], e["drop"][k] + share if i == k else e["drop"][i])
        for i in range(k + 1, len(e["drop"])):
            e["drop"][i] = max(e["drop"][i], e["drop"][i - 1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--hass", required=True)
    ap.add_argument("--quick", action="store_true", help="a narrow net trained briefly (the test)")
    ap.add_argument("--board", default="zedboard")
    ap.add_argument("--budget", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--cosearch", choices=("greedy", "tpe"), default="greedy", help="hass search --cosearch")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--width", type=float)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reprofile", action="store_true", help="measure stats.json and acc.json even if they exist")
    a = ap.parse_args()
    cfg = dict(QUICK if a.quick else FULL)
    for k in ("epochs", "width"):
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    w = a.work
    t_start = time.time()
    run_dir = os.path.join(w, "%s_budget%g%s" % (a.board, a.budget, "" if a.cosearch == "greedy" else "_" + a.cosearch))  # rounds, products, HLS of this run
    os.makedirs(run_dir, exist_ok=True)
    summary_path = os.path.join(run_dir, "summary.json")
    summary = {"config": cfg, "board": a.board, "budget": a.budget, "cosearch": a.cosearch, "rounds": [], "cpu_seconds": {}}

    def cpu():
        r = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        return sum(x.ru_utime + x.ru_stime for x in r)

    def phase(name, start):
        summary["cpu_seconds"][name] = round(cpu() - start, 1)
        return cpu()
    c = cpu()

    # 1. train
    if not os.path.exists(os.path.join(w, "model.pt")):
        subprocess.run([sys.executable, os.path.join(HERE, "train.py"), w, "--epochs", str(cfg["epochs"]),
                        "--width", str(cfg["width"]), "--train-images", str(cfg["train_images"]), "--lr", str(cfg["lr"]),
                        "--threads", str(a.threads)], check=True)
    with open(os.path.join(w, "train.json")) as f:
        summary["train"] = json.load(f)
    print("trained: test accuracy %.2f%%" % summary["train"]["test_accuracy"], flush=True)
    c = phase("train", c)

    # 2. profile (reused when stats.json and acc.json exist, unless --reprofile)
    t = time.time()
    if not a.reprofile and all(os.path.exists(os.path.join(w, f)) for f in ("stats.json", "acc.json")):
        print("reusing %s/stats.json and acc.json (--reprofile measures them again)" % w)
        prof = pipeline.make_profiler(w, a.hass, cfg["calib_images"], cfg["val_images"])
    else:
        prof = pipeline.profile(w, hass=a.hass, calib_images=cfg["calib_images"], val_images=cfg["val_images"],
                                weight_sparsity=cfg["weight_sparsity"], levels=cfg["levels"])
        print(prof.timing_table(), flush=True)
    summary["profile_seconds"] = round(time.time() - t, 1)
    summary["timings"] = prof.timings()
    c = phase("profile", c)

    # 3.-5. search, measure, refine
    onnx = os.path.join(w, "model.onnx")
    pipeline.run_hass(a.hass, "search", onnx, "--board", a.board, "--out", os.path.join(w, "dense"))
    with open(os.path.join(w, "dense", "report.json")) as f:
        dense_fps = json.load(f)["throughput_fps"]
    oracle = Oracle(w, "test", cfg["test_images"])
    summary["baseline_test_accuracy"] = oracle.baseline
    acc_path, budget = os.path.join(w, "acc.json"), a.budget
    best = None
    for r in range(1, a.rounds + 1):
        out = os.path.join(run_dir, "round%d" % r)
        res = pipeline.run_hass(a.hass, "search", onnx, "--board", a.board, "--sparsity", os.path.join(w, "stats.json"),
                                "--accuracy", acc_path, "--budget", "%g" % budget, "--cosearch", a.cosearch,
                                "--out", out)
        with open(os.path.join(out, "report.json")) as f:
            rep = json.load(f)
        thresholds = os.path.join(out, "thresholds.json")
        with open(thresholds) as f:
            tdoc = json.load(f)
        measured = oracle(tdoc)
        # the real histograms at the chosen thresholds, and the throughput hass computes from them
        products = os.path.join(run_dir, "products_%d.json" % r)
        write_json(prof.products([tdoc]), products)
        # hass models inner products dense and reads product histograms of convolutions only
        convs = {l.name for l in prof.layers if l.kind == "conv"}
        conv_thresholds = os.path.join(out, "thresholds_convolutions.json")
        write_json(dict(tdoc, layers=[e for e in tdoc["layers"] if e["name"] in convs]), conv_thresholds)
        ev = pipeline.run_hass(a.hass, "eval", onnx, "--board", a.board, "--folding", os.path.join(out, "folding.json"),
                               "--stats", products, "--thresholds", conv_thresholds, "--json", check=False)
        measured_fps, eval_error = None, None
        if ev.returncode == 0:
            measured_fps = json.loads(ev.stdout)["throughput_fps"]
        else:
            eval_error = (ev.stderr.strip().splitlines() or ["exit %d" % ev.returncode])[-1]
        row = {"round": r, "search_budget": budget, "predicted_drop": rep["cosearch"]["accuracy_drop"],
               "measured_drop": measured["drop"], "predicted_fps": rep["throughput_fps"],
               "measured_fps": measured_fps, "dense_fps": dense_fps, "dir": out}
        if eval_error:
            row["eval_error"] = eval_error
        summary["rounds"].append(row)
        fps_text = ("measured %.0f images/s (%.3f)" % (measured_fps, measured_fps / row["predicted_fps"])
                    if measured_fps else "not measured (%s)" % eval_error)
        print("round %d (search budget %.3g): drop predicted %.3f measured %.3f points; throughput predicted %.0f "
              "%s, dense %.0f" % (r, budget, row["predicted_drop"], row["measured_drop"], row["predicted_fps"],
                                  fps_text, dense_fps), flush=True)
        if measured["drop"] <= a.budget and measured_fps and (best is None or measured_fps > best["measured_fps"]):
            best = row
        if measured["drop"] <= a.budget:
            break
        # feed the measurement back: a joint point; when hass cannot fit one (the tables give at
        # most one of its thresholds a non-zero drop), the unexplained drop is spread over the 1-D
        # tables of the thresholds that moved
        asg = Assignment.from_thresholds(tdoc, prof)
        with open(acc_path) as f:
            acc = json.load(f)
        acc_path = os.path.join(run_dir, "acc_%d.json" % r)
        moved = asg.joint_layers()
        acc.setdefault("joint", []).append({"layers": moved, "drop": measured["drop"]})
        write_json(acc, acc_path)
        check = pipeline.run_hass(a.hass, "search", onnx, "--board", a.board, "--sparsity",
                                  os.path.join(w, "stats.json"), "--accuracy", acc_path, "--json", check=False)
        if check.returncode == 0:
            row["feedback"] = "joint point"
            continue
        acc["joint"].pop()
        if not acc["joint"]:
            del acc["joint"]
        spread_drop(acc, moved, measured["drop"] - row["predicted_drop"], prof)
        write_json(acc, acc_path)
        row["feedback"] = "1-D tables raised"

    summary["chosen"] = best
    c = phase("search_and_measure", c)
    if best is None:
        print("no round's design is within the budget when measured: the dense design stands")
    # 6. emit HLS: the sparse folding when emit-hls takes it, else the dense design
    hls = os.path.join(run_dir, "hls")
    shutil.rmtree(hls, ignore_errors=True)
    folding = os.path.join(best["dir"] if best else os.path.join(w, "dense"), "folding.json")
    e = pipeline.run_hass(a.hass, "emit-hls", onnx, "--board", a.board, "--folding", folding, "--out", hls, check=False)
    summary["emit_hls"] = "sparse" if best and e.returncode == 0 else None
    if summary["emit_hls"] is None:
        if best:
            print("emit-hls does not take the sparse folding (%s); emitting the dense design" %
                  (e.stderr.strip().splitlines() or ["?"])[-1])
        pipeline.run_hass(a.hass, "emit-hls", onnx, "--board", a.board, "--folding",
                          os.path.join(w, "dense", "folding.json"), "--out", hls)
        summary["emit_hls"] = "dense"
    print("HLS (%s design) in %s" % (summary["emit_hls"], hls))
    phase("emit_hls", c)
    summary["seconds"] = round(time.time() - t_start, 1)
    for path in (summary_path, os.path.join(w, "summary.json")):
        with open(path, "w") as f:
            json.dump(summary, f, indent=1)
    if best:
        print("chosen: round %d, measured drop %.3f points (budget %g), %.0f images/s measured, speed-up %.2fx over "
              "the dense design" % (best["round"], best["measured_drop"], a.budget, best["measured_fps"],
                                    best["measured_fps"] / dense_fps))


if __name__ == "__main__":
    main()
