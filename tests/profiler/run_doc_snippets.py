#!/usr/bin/python3
"""Runs the code blocks of documentation pages, in order (ctest profiler.docs).

    /usr/bin/python3 run_doc_snippets.py HASS_BINARY SCRATCH_DIR PAGE.md...

Each page runs in its own directory SCRATCH_DIR/<page>: its ```python blocks share one
namespace, its ```sh blocks run with bash -e and `hass` on the PATH. A block right after
the line `<!-- not run -->` is skipped. Before the first block the namespace holds what
the pages assume exists:

  model        a trained network: the Fashion-MNIST example's short run when ctest ran it
               (profiler.fashion_mnist), else the example network with seeded random weights
  calibration  a list of input batches [N, 1, 28, 28]
  evaluate     evaluate(model) -> top-1 accuracy in percent (256 Fashion-MNIST validation images,
               or agreement with the unthresholded model when the dataset is missing)

Exits 77 (skipped) without torch or onnx. Prints "N passed, M failed" (one per block).
"""
import os
import re
import subprocess
import sys
import traceback

try:
    import onnx  # noqa: F401
    import torch
except ImportError as e:
    print("skipped: %s (needs python3-torch, python3-onnx)" % e)
    sys.exit(77)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EX = os.path.join(ROOT, "examples", "fashion_mnist")
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, EX)
import fmnist  # noqa: E402
from model import FashionMobileNet  # noqa: E402

BLOCK = re.compile(r"(<!-- not run -->\s*\n)?```(python|sh)\n(.*?)```", re.S)


def preamble(scratch):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    example = os.path.join(scratch, "..", "fashion_mnist", "model.pt")
    if os.path.exists(example):
        ck = torch.load(example)
        from hass_profile import fuse_batchnorm
        model = fuse_batchnorm(FashionMobileNet(ck["width"]))
        model.load_state_dict(ck["state"])
        model = model.eval()
    else:
        model = FashionMobileNet(0.5).eval()
    if fmnist.available():
        _, (xv, yv), _ = fmnist.splits()
        xv, yv = xv[-256:], yv[-256:]
    else:
        xv = torch.randn(256, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            yv = model(xv).argmax(1)
    calibration = [xv[:128]]

    def evaluate(m):
        with torch.no_grad():
            return 100.0 * (m(xv).argmax(1) == yv).float().mean().item()

    return {"model": model, "calibration": calibration, "evaluate": evaluate, "torch": torch}


def main():
    hass, scratch, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
    bindir = os.path.join(scratch, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "hass")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(hass), link)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               PYTHONPATH=os.path.join(ROOT, "python"))
    os.environ["PATH"] = env["PATH"]
    passed = failed = 0
    for page in pages:
        name = os.path.splitext(os.path.basename(page))[0]
        work = os.path.join(scratch, name)
        os.makedirs(work, exist_ok=True)
        ns = preamble(scratch)
        with open(page) as f:
            text = f.read()
        cwd = os.getcwd()
        os.chdir(work)
        try:
            for k, m in enumerate(BLOCK.finditer(text)):
                if m.group(1):
                    continue
                line = text[:m.start()].count("\n") + 1
                label = "%s:%d (%s)" % (os.path.basename(page), line, m.group(2))
                try:
                    if m.group(2) == "python":
                        exec(compile(m.group(3), label, "exec"), ns)
                    else:
                        r = subprocess.run(["bash", "-e", "-c", m.group(3)], env=env, capture_output=True, text=True)
                        if r.returncode != 0:
                            raise RuntimeError("exit %d\n%s%s" % (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
                    passed += 1
                    print("ok   " + label, flush=True)
                except Exception:
                    failed += 1
                    print("FAIL " + label)
                    traceback.print_exc()
        finally:
            os.chdir(cwd)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
