#!/usr/bin/env python3
"""A scripted accuracy oracle for `hass search --oracle-cmd` tests (run_onnx_cli_tests.sh).

    scripted_oracle.py SCALE [PRODUCTS_FILE]

Answers each request line with {"drop": SCALE x the sum of the layers' weight_sparsity}
(a stand-in for a real model); a {"measure": true} request also gets the product
histograms of PRODUCTS_FILE when given; a {"batch": [thresholds, ...]} request
(--oracle-batch) gets {"drops": [...]}, one per candidate in order. A request it
cannot read gets {"error": ...}.
"""
import json
import sys

scale = float(sys.argv[1])
products = None
if len(sys.argv) > 2:
    with open(sys.argv[2]) as f:
        products = json.load(f)


def drop(t):
    return scale * sum(e.get("weight_sparsity", 0.0) for e in t["layers"])


for line in sys.stdin:
    try:
        req = json.loads(line)
        if "batch" in req:
            answer = {"drops": [drop(t) for t in req["batch"]]}
        else:
            answer = {"drop": drop(req.get("thresholds", req))}
            if req.get("measure") and products is not None:
                answer["products"] = products
    except (ValueError, KeyError, TypeError) as e:
        answer = {"error": "cannot read the request: %s" % e}
    print(json.dumps(answer), flush=True)
