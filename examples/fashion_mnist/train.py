#!/usr/bin/python3
"""Trains the example network on Fashion-MNIST (seeded) and exports it for hass.

    /usr/bin/python3 train.py OUT_DIR [--epochs 4] [--width 1.0] [--train-images 58000]
        [--lr 0.004] [--seed 1]

Writes OUT_DIR/model.pt (the BatchNorm-fused model's state and its width) and
OUT_DIR/model.onnx (the same fused model, batch 1, opset 13): the weights hass reads
are the weights the profiler and the oracle prune. Prints the test accuracy.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)
import fmnist  # noqa: E402
from hass_profile import export_onnx, fuse_batchnorm  # noqa: E402
from model import FashionMobileNet  # noqa: E402


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return 100.0 * correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--train-images", type=int, default=58000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=4e-3, help="the one-cycle peak learning rate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)

    (xt, yt), _, (xs, ys) = fmnist.splits()
    xt, yt = xt[:a.train_images], yt[:a.train_images]
    model = FashionMobileNet(a.width)
    steps = a.epochs * ((len(xt) + a.batch - 1) // a.batch)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.time()
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), a.batch):
            idx = perm[i:i + a.batch]
            xb = xt[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5  # horizontal flips
            xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print("epoch %d: loss %.4f (%.0f s)" % (epoch + 1, total / len(xt), time.time() - t0), flush=True)

    fused = fuse_batchnorm(model)
    acc = accuracy(fused, xs, ys)
    print("test accuracy %.2f%% (%d parameters, %.0f s)" % (acc, sum(p.numel() for p in fused.parameters()),
                                                          time.time() - t0))
    torch.save({"width": a.width, "state": fused.state_dict(), "test_accuracy": acc}, os.path.join(a.out, "model.pt"))
    export_onnx(fused, os.path.join(a.out, "model.onnx"), (1, 28, 28))
    with open(os.path.join(a.out, "train.json"), "w") as f:
        json.dump({"epochs": a.epochs, "width": a.width, "lr": a.lr, "train_images": len(xt), "seed": a.seed,
                   "test_accuracy": acc, "seconds": round(time.time() - t0, 1)}, f, indent=1)


if __name__ == "__main__":
    main()
