#!/usr/bin/python3
"""Tests of python/hass_profile (ctest profiler.unit).

    /usr/bin/python3 test_hass_profile.py HASS_BINARY SCRATCH_DIR

The histograms against brute-force loops on tiny layers (one by hand), padding as zero
activations, hass's pruning thresholds against torch.nn.utils.prune, the layer names and
activation owners on tests/onnx's MobileNetV2-style network, and the files accepted by hass.
Exits 77 (skipped) without torch or onnx. Prints "N passed, M failed".
"""
import itertools
import json
import os
import subprocess
import sys
import traceback

try:
    import numpy as np
    import onnx  # noqa: F401
    import torch
    import torch.nn as nn
    import torch.nn.utils.prune  # noqa: F401
except ImportError as e:
    print("skipped: %s (needs python3-torch, python3-onnx, python3-numpy)" % e)
    sys.exit(77)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "onnx"))
import hass_profile as hp  # noqa: E402
import models  # noqa: E402

HASS, SCRATCH = sys.argv[1], sys.argv[2]
os.makedirs(SCRATCH, exist_ok=True)
torch.set_num_threads(1)
TESTS = []


def test(f):
    TESTS.append(f)
    return f


def brute_activation_hist(x, kh, kw, stride, pad):
    """Loops: per channel, the windows (image, output position) with a non-zeros; padding is zero."""
    n, c, h, w = x.shape
    ho, wo = (h + 2 * pad[0] - kh) // stride[0] + 1, (w + 2 * pad[1] - kw) // stride[1] + 1
    hist = np.zeros((c, kh * kw + 1), dtype=np.int64)
    for i, ch, oy, ox in itertools.product(range(n), range(c), range(ho), range(wo)):
        a = 0
        for ky, kx in itertools.product(range(kh), range(kw)):
            y, xx = oy * stride[0] - pad[0] + ky, ox * stride[1] - pad[1] + kx
            if 0 <= y < h and 0 <= xx < w and x[i, ch, y, xx] != 0:
                a += 1
        hist[ch, a] += 1
    return hist


def brute_product_hist(x, wm, stride, pad, groups):
    """Loops: per input channel c, the (image, output position, filter of c's group) triples with
    z zero products."""
    n, c, h, w = x.shape
    f, cg, kh, kw = wm.shape
    fg = f // groups
    ho, wo = (h + 2 * pad[0] - kh) // stride[0] + 1, (w + 2 * pad[1] - kw) // stride[1] + 1
    hist = np.zeros((c, kh * kw + 1), dtype=np.int64)
    for i, ch, oy, ox in itertools.product(range(n), range(c), range(ho), range(wo)):
        g = ch // cg
        for fi in range(g * fg, (g + 1) * fg):
            m = 0
            for ky, kx in itertools.product(range(kh), range(kw)):
                y, xx = oy * stride[0] - pad[0] + ky, ox * stride[1] - pad[1] + kx
                if 0 <= y < h and 0 <= xx < w and x[i, ch, y, xx] != 0 and wm[fi, ch - g * cg, ky, kx] != 0:
                    m += 1
            hist[ch, kh * kw - m] += 1
    return hist


@test
def padding_counts_as_zero_by_hand():
    # a 3x3 map of ones, 3x3 kernel, padding 1: 4 corner windows see 4 values, 4 edge windows 6,
    # the centre 9; the padding values are zero activations
    x = torch.ones(1, 1, 3, 3)
    h = hp.activation_window_histogram(x, 3, 3, (1, 1), (1, 1))
    want = [0] * 10
    want[4], want[6], want[9] = 4, 4, 1
    assert h.tolist() == [want], h.tolist()
    # no padding: one window, all 9 non-zero
    assert hp.activation_window_histogram(x, 3, 3, (1, 1), (0, 0)).tolist() == [[0] * 9 + [1]]
    # the product histogram of a kernel keeping only the 4 corners: corner windows hold 1 non-zero product
    wm = torch.zeros(1, 1, 3, 3)
    wm[0, 0, 0, 0] = wm[0, 0, 0, 2] = wm[0, 0, 2, 0] = wm[0, 0, 2, 2] = 1
    p = hp.product_zero_histogram(x, wm, (1, 1), (1, 1), 1).tolist()[0]
    # centre: 4 products; edges: 2; corners: 1 -> zeros 5, 7, 8
    assert p[5] == 1 and p[7] == 4 and p[8] == 4 and sum(p) == 9, p


@test
def activation_histograms_match_brute_force():
    g = torch.Generator().manual_seed(3)
    for (c, h, w, kh, kw, stride, pad) in [(3, 6, 5, 3, 3, (1, 1), (1, 1)), (2, 7, 7, 3, 3, (2, 2), (1, 1)),
                                           (4, 4, 4, 1, 1, (1, 1), (0, 0)), (2, 6, 6, 2, 3, (2, 1), (0, 1))]:
        x = torch.relu(torch.randn(2, c, h, w, generator=g))
        got = hp.activation_window_histogram(x, kh, kw, stride, pad).numpy()
        want = brute_activation_hist(x.numpy(), kh, kw, stride, pad)
        assert (got == want).all(), (got, want)


@test
def product_histograms_match_brute_force():
    g = torch.Generator().manual_seed(5)
    for (c, f, groups, h, w, k, stride, pad) in [(4, 6, 2, 5, 5, 3, (1, 1), (1, 1)), (3, 3, 3, 6, 6, 3, (2, 2), (1, 1)),
                                                 (2, 5, 1, 4, 4, 1, (1, 1), (0, 0)), (4, 4, 1, 5, 4, 3, (1, 1), (0, 0))]:
        x = torch.relu(torch.randn(2, c, h, w, generator=g))
        wm = (torch.rand(f, c // groups, k, k, generator=g) < 0.6).float()
        got = hp.product_zero_histogram(x, wm, stride, pad, groups).numpy()
        want = brute_product_hist(x.numpy(), wm.numpy(), stride, pad, groups)
        assert (got == want).all(), (got, want)
        # batching the images (a small max_elements) gives the same counts
        assert (hp.product_zero_histogram(x, wm, stride, pad, groups, max_elements=1).numpy() == want).all()


@test
def linear_histograms_match_brute_force():
    g = torch.Generator().manual_seed(9)
    x = torch.relu(torch.randn(5, 6, generator=g))
    wm = (torch.rand(4, 6, generator=g) < 0.5).float()
    got = hp.linear_histograms(x, wm).numpy()
    for c in range(6):
        zero = sum(1 for n in range(5) for f in range(4) if x[n, c] == 0 or wm[f, c] == 0)
        assert got[c].tolist() == [20 - zero, zero], (c, got[c])
    a = hp.linear_histograms(x).numpy()
    assert a[:, 1].tolist() == (x != 0).sum(0).tolist()


@test
def sparsity_thresholds_prune_like_l1_unstructured():
    g = torch.Generator().manual_seed(11)
    for n in (7, 72, 1000):
        conv = nn.Conv2d(1, n, 1, bias=False)
        with torch.no_grad():
            conv.weight.copy_(torch.randn(n, 1, 1, 1, generator=g))
        for s in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
            tau = hp.threshold_for_sparsity(conv.weight.detach().numpy(), s)
            mine = hp.weight_mask(conv.weight, tau)
            ref = nn.Conv2d(1, n, 1, bias=False)
            ref.weight.data.copy_(conv.weight.data)
            torch.nn.utils.prune.l1_unstructured(ref, "weight", amount=s)
            assert torch.equal(mine, ref.weight_mask), (n, s, int(mine.sum()), int(ref.weight_mask.sum()))


@test
def threshold_activation_is_hass_thresholded_relu():
    x = torch.tensor([0.0, 0.1, 0.2, 0.3, 6.0])
    assert hp.threshold_activation(x, 0.2).tolist() == [0.0, 0.0, 0.0, x[3].item(), 6.0]


def mobilenet():
    torch.manual_seed(2024)
    net = models.SmallMobileNetV2()
    models.randomize_batchnorm(net, torch.Generator().manual_seed(7))
    net = hp.fuse_batchnorm(net)
    path = os.path.join(SCRATCH, "mobilenet_small.onnx")
    hp.export_onnx(net, path, (1, 28, 28))
    return net, path


@test
def fused_batchnorm_computes_the_same():
    torch.manual_seed(1)
    net = models.SmallMobileNetV2()
    models.randomize_batchnorm(net, torch.Generator().manual_seed(7))
    net.eval()
    x = torch.randn(4, 1, 28, 28)
    fused = hp.fuse_batchnorm(net)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
    assert torch.allclose(net(x), fused(x), atol=1e-5)


@test
def names_and_owners_are_hass_s():
    net, path = mobilenet()
    layers, owners = hp.map_layers(net, path, torch.zeros(1, 1, 28, 28), hass=HASS)
    # the names and activation owners of tests/onnx/make_sparsity_fixtures.py, which hass checks
    sys.path.insert(0, os.path.join(ROOT, "tests", "onnx"))
    import make_sparsity_fixtures as fx
    got = [(l.name, l.channels, l.K, l.owner.name if l.owner else None) for l in layers]
    assert got == [tuple(e) for e in fx.LAYERS], got
    assert [l.module_name for l in layers][:2] == ["features.0", "features.3.conv.0"]
    assert len(owners) == len({o for *_, o in fx.LAYERS if o})


def run(*args, want=0):
    r = subprocess.run([HASS, *args], capture_output=True, text=True)
    assert r.returncode == want, "hass %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr)
    return r


@test
def profiler_files_are_read_by_hass():
    net, path = mobilenet()
    g = torch.Generator().manual_seed(4)
    calib = [torch.randn(16, 1, 28, 28, generator=g) for _ in range(2)]
    xe = torch.randn(64, 1, 28, 28, generator=g)
    with torch.no_grad():
        ref = net(xe).argmax(1)

    def agreement(model):  # "accuracy": agreement with the unthresholded model, in percent
        return 100.0 * (model(xe).argmax(1) == ref).float().mean().item()

    p = hp.Profiler(net, path, calib, evaluate=agreement, hass=HASS)
    stats = p.decomposed(levels=(0.3, 0.6), weight_targets=[0, 0.5])
    # the first histogram of each layer is its input's at tau_a = 0, over all calibration images
    inputs = {}
    hooks = [l.module.register_forward_pre_hook(lambda m, i, n=l.name: inputs.setdefault(n, []).append(i[0]))
             for l in p.layers]
    with torch.no_grad():
        for x in calib:
            net(x)
    for h in hooks:
        h.remove()
    for l, e in zip(p.layers, stats["layers"]):
        if l.kind != "conv":
            continue
        kh, kw, stride, pad, _ = hp.masks.conv_geometry(l.module)
        x = torch.cat(inputs[l.name])
        want = brute_activation_hist(x[:1].numpy(), kh, kw, stride, pad)
        assert (hp.activation_window_histogram(x[:1], kh, kw, stride, pad).numpy() == want).all(), l.name
        full = hp.activation_window_histogram(x, kh, kw, stride, pad).double()
        rows = (full / full.sum(1, keepdim=True)).numpy()
        assert np.allclose(rows, np.array(e["activations"]["histogram"][0]), atol=1e-12), l.name
    # a larger tau_a zeroes more: the mean non-zero count falls along the grid
    for e in stats["layers"]:
        if len(e["activations"]["tau"]) > 1:
            means = [sum(c * q for row in h for c, q in enumerate(row)) for h in e["activations"]["histogram"]]
            assert all(a >= b - 1e-12 for a, b in zip(means, means[1:])), (e["name"], means)
    acc = p.accuracy_table(weight_sparsity=[0, 0.5], joint=[hp.Assignment(
        tau_w={"/features/features.0/Conv": p.sparsity_threshold("/features/features.0/Conv", 0.5)},
        tau_a={"/features/features.4/conv/conv.2/Clip": p.tau_grids["/features/features.4/conv/conv.2/Clip"][1]})])
    hp.write_json(stats, os.path.join(SCRATCH, "stats.json"))
    hp.write_json(acc, os.path.join(SCRATCH, "acc.json"))
    r = run("search", path, "--board", "zedboard", "--sparsity", os.path.join(SCRATCH, "stats.json"),
            "--accuracy", os.path.join(SCRATCH, "acc.json"), "--budget", "5", "--out", os.path.join(SCRATCH, "s"))
    assert "HASS co-search" in r.stdout and "measured by hass_profile" in r.stdout, r.stdout
    # products at the chosen thresholds, read back by hass eval
    with open(os.path.join(SCRATCH, "s", "thresholds.json")) as f:
        t = json.load(f)
    prod = p.products([t, hp.Assignment()])
    hp.write_json(prod, os.path.join(SCRATCH, "products.json"))
    convs = {l.name for l in p.layers if l.kind == "conv"}
    hp.write_json(dict(t, layers=[e for e in t["layers"] if e["name"] in convs]), os.path.join(SCRATCH, "t.json"))
    r = run("eval", path, "--board", "zedboard", "--folding", os.path.join(SCRATCH, "s", "folding.json"),
            "--stats", os.path.join(SCRATCH, "products.json"), "--thresholds", os.path.join(SCRATCH, "t.json"), "--json")
    assert json.loads(r.stdout)["throughput_fps"] > 0
    # with every threshold at its minimum the products equal the composition of the decomposed
    # histograms' zero-weight-free kernels: z = K - a for a dense kernel with no zero weight
    base = {e["name"]: e for e in prod["layers"]}
    for l, e in zip(p.layers, stats["layers"]):
        if l.kind != "conv" or (l.module.weight == 0).any():
            continue
        pt = [q for q in base[l.name]["points"] if q["tau_w"] == 0 and q["tau_a"] == 0][0]["histogram"]
        a0 = e["activations"]["histogram"][0]
        assert np.allclose(np.array(pt), np.array(a0)[:, ::-1], atol=1e-12), l.name
    # products with pruned weights and a thresholded owner against the brute-force loop: the
    # stem (pruned to half) and the depthwise convolution reading a thresholded ReLU6
    stem, dw = p.layers[0], p.layers[1]
    owner = dw.owner.name
    asg = hp.Assignment(tau_w={stem.name: p.sparsity_threshold(stem.name, 0.5),
                               dw.name: p.sparsity_threshold(dw.name, 0.25)},
                        tau_a={owner: p.tau_grids[owner][1]})
    got = {e["name"]: np.array(e["points"][0]["histogram"]) for e in p.products([asg])["layers"]}
    seen = {}
    with p.applied(asg), torch.no_grad():
        hooks = [l.module.register_forward_pre_hook(lambda m, i, n=l.name: seen.setdefault(n, []).append(i[0]))
                 for l in (stem, dw)]
        for x in calib:
            net(x)
        for h in hooks:
            h.remove()
        for l in (stem, dw):
            kh, kw, stride, pad, groups = hp.masks.conv_geometry(l.module)
            wm = (l.module.weight != 0).float()
            assert wm.mean() < 0.8, l.name  # the pruning is in effect
            want = sum(brute_product_hist(x[:4].numpy(), wm.numpy(), stride, pad, groups) for x in seen[l.name])
            mine = sum(hp.product_zero_histogram(x[:4], wm, stride, pad, groups).numpy() for x in seen[l.name])
            assert (mine == want).all(), l.name
            full = sum(hp.product_zero_histogram(x, wm, stride, pad, groups).numpy() for x in seen[l.name])
            assert np.allclose(full / full.sum(1, keepdims=True), got[l.name], atol=1e-12), l.name
    # magnitudes instead of the model's weights are accepted too
    hp.write_json(p.decomposed(tau_a=p.tau_grids, magnitudes=True), os.path.join(SCRATCH, "stats_m.json"))
    run("eval", path, "--board", "zedboard", "--stats", os.path.join(SCRATCH, "stats_m.json"))


@test
def flattened_maps_are_permuted_to_stream_order():
    torch.manual_seed(3)
    net = hp.fuse_batchnorm(models.SmallVGG())
    path = os.path.join(SCRATCH, "vgg_small.onnx")
    hp.export_onnx(net, path, (1, 28, 28))
    layers, owners = hp.map_layers(net, path, torch.zeros(1, 1, 28, 28), hass=HASS)
    fc = [l for l in layers if l.kind == "linear"]
    assert fc[0].permutation is not None and fc[0].channels == 72 and fc[1].permutation is None
    # hass's input j of the first linear layer is (row, col, channel) = torch's (channel, row, col)
    j = 1 * 3 * 8 + 2 * 8 + 5  # row 1, col 2, channel 5
    assert fc[0].permutation[j].item() == 5 * 9 + 1 * 3 + 2
    assert fc[0].owner is not None and fc[1].owner is not None


@test
def unnamed_nodes_map_by_execution_order():
    # an ONNX file whose nodes lost their scoped names: hass names them <op>_<index>, and the
    # modules map to them in execution order; hass info confirms every name
    net, path = mobilenet()
    m = onnx.load(path)
    for k, n in enumerate(m.graph.node):
        n.name = "" if k % 2 else "dup"
    bare = os.path.join(SCRATCH, "unnamed.onnx")
    onnx.save(m, bare)
    layers, owners = hp.map_layers(net, bare, torch.zeros(1, 1, 28, 28), hass=HASS)
    names = hp.hass_node_names(m.graph)
    assert all(n.startswith(op + "_") for n, op in zip(names, (x.op_type for x in m.graph.node))), names
    info = json.loads(run("info", bare, "--json").stdout)
    hass_names = {l["name"] for l in info["layers"]}
    assert all(l.name in hass_names for l in layers) and all(a.name in hass_names for a in owners)
    named, _ = hp.map_layers(net, path, torch.zeros(1, 1, 28, 28))
    assert [l.module_name for l in layers] == [l.module_name for l in named]
    assert [l.owner.module_name if l.owner else None for l in layers] == \
        [l.owner.module_name if l.owner else None for l in named]


def main():
    passed = failed = 0
    for t in TESTS:
        try:
            t()
            passed += 1
            print("ok   %s" % t.__name__, flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % t.__name__)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
