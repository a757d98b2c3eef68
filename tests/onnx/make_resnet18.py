#!/usr/bin/python3
"""Exports torchvision's resnet18 with seeded random weights to ONNX (1x3x224x224).

    /usr/bin/python3 tests/onnx/make_resnet18.py OUT.onnx

Used by the ctest fixture onnx.resnet18.export (the file is 45 MB, so it is made
at test time, not committed). The BatchNormalization nodes are kept
(do_constant_folding=False, TrainingMode.PRESERVE on an eval() model): hass
folds them and counts their parameters as torchvision does, 11,689,512 in all.
Exits 77 (skipped) when python3-torch or python3-torchvision is missing.
"""
import os
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: make_resnet18.py OUT.onnx", file=sys.stderr)
        return 2
    out = sys.argv[1]
    try:
        import torch
        import torchvision
    except ImportError as e:
        print("skipped: %s (install python3-torch and python3-torchvision)" % e)
        return 77
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(os.path.abspath(__file__)):
        print("%s is up to date" % out)
        return 0
    torch.manual_seed(18)
    model = torchvision.models.resnet18(weights=None)
    model.eval()
    x = torch.randn(1, 3, 224, 224)
    tmp = out + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, input_names=["input"], output_names=["logits"])
    os.replace(tmp, out)
    print("wrote %s (torch %s, torchvision %s)" % (out, torch.__version__, torchvision.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
