#!/usr/bin/python3
"""Compares torchvision's resnet18 imported from ONNX with hass's zoo resnet18.

    compare_resnet18.py HASS_BINARY RESNET18.onnx

Through the command line, as a user would: `hass info --json` of both must give
the same input, parameter count (11,689,512), MAC count and, layer by layer in
order, the same types, input and output shapes, parameters, MACs and producer
types; `hass eval --board u250 --json` the same initiation interval and
resources. Exits 77 (skipped) when the ONNX file was not generated.
"""
import json
import os
import subprocess
import sys


def hass(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: hass %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
        sys.exit(1)
    return json.loads(r.stdout)


def main():
    binary, model = sys.argv[1], sys.argv[2]
    if not os.path.exists(model):
        print("skipped: %s was not generated (python3-torch or python3-torchvision missing?)" % model)
        return 77
    zoo, onnx = hass(binary, "info", "resnet18", "--json"), hass(binary, "info", model, "--json")
    failures = []

    def check(what, a, b):
        if a != b:
            failures.append("%s: zoo %s, onnx %s" % (what, a, b))

    check("input", zoo["input"], onnx["input"])
    check("parameters", zoo["params"], onnx["params"])
    check("MACs", zoo["macs"], onnx["macs"])
    check("layers", len(zoo["layers"]), len(onnx["layers"]))
    check("parameters (torchvision)", 11689512, onnx["params"])

    def types(info):
        by_name = {l["name"]: l["type"] for l in info["layers"]}
        by_name["input"] = "input"
        return [(l["type"], l["input"], l["output"], l["params"], l["macs"], [by_name[i] for i in l["inputs"]])
                for l in info["layers"]]

    for k, (a, b) in enumerate(zip(types(zoo), types(onnx))):
        if a != b:
            failures.append("layer %d (zoo %s, onnx %s): zoo %s, onnx %s"
                            % (k, zoo["layers"][k]["name"], onnx["layers"][k]["name"], a, b))
    ez = hass(binary, "eval", "resnet18", "--board", "u250", "--json")
    eo = hass(binary, "eval", model, "--board", "u250", "--json")
    for key in ("ii_cycles", "pipeline_depth", "resources", "fits"):
        check("eval " + key, ez[key], eo[key])
    if failures:
        for f in failures[:20]:
            print("FAIL:", f)
        return 1
    print("resnet18 from ONNX = zoo resnet18: %d layers, %d parameters, %d MACs, II %d cycles on u250"
          % (len(onnx["layers"]), onnx["params"], onnx["macs"], eo["ii_cycles"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
