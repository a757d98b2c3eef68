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
  3.-5. hass search --sparsity stats.json --accuracy acc.json --budget B --oracle-cmd "oracle.py ..."
     --verify -> BOARD_budgetB/search/: the co-search on the composed statistics and the accuracy
     tables; each round's chosen design is measured by oracle.py (the real drop on the test
     images, the real product histograms on the calibration images, every threshold applied at
     once), hass feeds the measurement back (a measured accuracy point, corrected statistics) and
     searches again, up to --rounds rounds, until the measured drop is within the budget and the
     measured throughput within 2% of the prediction
  6. hass emit-hls --cosearch BOARD_budgetB/search (the verified sparse design, its measured
     statistics and thresholds), or the dense design when no round was within the budget
Prints predicted vs measured drop and throughput for every round and writes
BOARD_budgetB/summary.json (and a copy in WORK_DIR/summary.json).
"""
import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pipeline  # noqa: E402

QUICK = {"epochs": 2, "width": 0.5, "train_images": 5000, "lr": 0.01, "calib_images": 256, "val_images": 1000,
         "test_images": 2000, "weight_sparsity": [0.0, 0.25, 0.5, 0.75], "levels": [0.2, 0.4, 0.6]}
FULL = {"epochs": 2, "width": 1.0, "train_images": 30000, "lr": 0.004, "calib_images": 512, "val_images": 2000,
        "test_images": None, "weight_sparsity": [round(0.1 * i, 1) for i in range(8)],
        "levels": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}


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

    # 3.-5. search, measure, refine: hass search --verify runs the loop, the oracle command
    # measures each round's design (real drop on the test images, real product histograms on the
    # calibration images) and hass feeds the measurement back
    onnx = os.path.join(w, "model.onnx")
    pipeline.run_hass(a.hass, "search", onnx, "--board", a.board, "--out", os.path.join(w, "dense"))
    oracle_cmd = " ".join(shlex.quote(x) for x in [sys.executable, os.path.join(HERE, "oracle.py"), w, "--threads", str(a.threads),
                           "--calib-images", str(cfg["calib_images"]), "--val-images", str(cfg["val_images"])] +
                          (["--images", str(cfg["test_images"])] if cfg["test_images"] else []))
    out = os.path.join(run_dir, "search")
    res = pipeline.run_hass(a.hass, "search", onnx, "--board", a.board, "--sparsity", os.path.join(w, "stats.json"),
                            "--accuracy", os.path.join(w, "acc.json"), "--budget", "%g" % a.budget,
                            "--cosearch", a.cosearch, "--oracle-cmd", oracle_cmd, "--verify",
                            "--rounds", str(a.rounds), "--out", out)
    print(res.stdout, flush=True)
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    ver = rep["cosearch"]["verify"]
    summary["oracle_cmd"] = oracle_cmd
    summary["verify"] = {k: ver[k] for k in ("chosen_round", "verified", "stop_reason", "batch")}
    best = None
    for v in ver["rounds"]:
        row = {"round": v["round"], "predicted_drop": v["predicted_drop"], "measured_drop": v["measured_drop"],
               "predicted_fps": v["predicted_batch_fps"], "measured_fps": v["measured_batch_fps"],
               "dense_fps": v["dense_batch_fps"], "feedback": v["feedback"], "dir": out}
        summary["rounds"].append(row)
        if v["round"] == ver["chosen_round"]:
            best = row
    summary["chosen"] = best
    c = phase("search_and_measure", c)
    if best is None:
        print("no round's design is within the budget when measured: the dense design stands")
    # 6. emit HLS: the verified design (its folding, measured statistics and thresholds), or the
    # dense design when no round was within the budget
    hls = os.path.join(run_dir, "hls")
    shutil.rmtree(hls, ignore_errors=True)
    if best:
        pipeline.run_hass(a.hass, "emit-hls", onnx, "--board", a.board, "--cosearch", out, "--out", hls)
        summary["emit_hls"] = "sparse"
    else:
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
                                    best["measured_fps"] / best["dense_fps"]))


if __name__ == "__main__":
    main()
