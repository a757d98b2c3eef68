"""Measures what hass's co-search reads from a real PyTorch model (docs/profiler.md)."""
import contextlib
import json
import os
import time

import torch

from . import masks
from .layers import map_layers

WEIGHT_SPARSITY = tuple(round(0.1 * i, 1) for i in range(10))
TAU_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


class _Stop(Exception):
    """Ends a forward pass once every layer of interest has run."""


def _round_sig(x, digits=3):
    return float("%.*g" % (digits, x))


def _rows(counts):
    """int64 [C, B] -> list of probability rows."""
    c = counts.to(torch.float64)
    return (c / c.sum(1, keepdim=True)).tolist()


class Assignment:
    """A joint threshold assignment: tau_w per layer, tau_a per activation layer (hass names)."""

    def __init__(self, tau_w=None, tau_a=None):
        self.tau_w = dict(tau_w or {})
        self.tau_a = dict(tau_a or {})

    @staticmethod
    def from_thresholds(doc, profiler):
        """From a `hass.sparsity.thresholds` document (or its path), as hass reads it: an entry
        naming a layer sets its tau_w and the tau_a of the activation layer it reads; an entry
        naming an activation layer sets its tau_a."""
        if isinstance(doc, str):
            with open(doc) as f:
                doc = json.load(f)
        layers = {l.name: l for l in profiler.layers}
        owners = {a.name: a for a in profiler.owners}
        a = Assignment()
        for e in doc.get("layers", []):
            name = e["name"]
            if name in layers:
                if "tau_w" in e:
                    a.tau_w[name] = float(e["tau_w"])
                owner = e.get("activation_layer") or (layers[name].owner.name if layers[name].owner else None)
                if "tau_a" in e and owner:
                    a.tau_a[owner] = max(a.tau_a.get(owner, 0.0), float(e["tau_a"]))
            elif name in owners:
                if "tau_a" in e:
                    a.tau_a[name] = float(e["tau_a"])
            else:
                raise ValueError("thresholds: unknown layer '%s'" % name)
        return a

    def to_thresholds(self, network=None):
        doc = {"format": "hass.sparsity.thresholds", "version": 1}
        if network:
            doc["network"] = network
        doc["layers"] = ([{"name": n, "tau_w": t} for n, t in self.tau_w.items()] +
                         [{"name": n, "tau_a": t} for n, t in self.tau_a.items()])
        return doc

    def joint_layers(self):
        """The non-minimal thresholds, as a joint point's "layers"."""
        return ([{"name": n, "tau_w": t} for n, t in self.tau_w.items() if t > 0] +
                [{"name": n, "tau_a": t} for n, t in self.tau_a.items() if t > 0])


class Profiler:
    """Statistics and accuracy tables of a PyTorch model for hass.

    model        the nn.Module whose ONNX export is `onnx_path`, in eval mode. Fuse BatchNorm
                 first (`fuse_batchnorm`) and export that model, so that the pruned weights are
                 the ones hass reads.
    calibration  an iterable of input batches (tensors [N, C, H, W], or (input, label) pairs)
    evaluate     evaluate(model) -> accuracy in percent (for the accuracy tables)
    hass         the hass binary: checks the layer names with `hass info --json`
    """

    def __init__(self, model, onnx_path, calibration, evaluate=None, hass=None, network=None, log=None):
        self.model = model.eval()
        self.onnx_path = onnx_path
        self.batches = [b[0] if isinstance(b, (tuple, list)) else b for b in calibration]
        if not self.batches:
            raise ValueError("the calibration data is empty")
        self.evaluate = evaluate
        self.network = network or os.path.splitext(os.path.basename(onnx_path))[0]
        self.log = log or (lambda *a: None)
        self.layers, self.owners = map_layers(model, onnx_path, example_input=self.batches[0][:1], hass=hass)
        self.tau_grids = {}
        self.baseline = None
        self.times = {l.name: {"forward": 0.0, "histogram": 0.0, "accuracy": 0.0, "passes": 0} for l in self.layers}
        self.times.update({a.name: {"forward": 0.0, "histogram": 0.0, "accuracy": 0.0, "passes": 0}
                           for a in self.owners})
        self.images = sum(len(b) for b in self.batches)

    # ------------------------------------------------------------------ thresholds on the model
    def assignment(self, thresholds):
        """An Assignment from a `hass.sparsity.thresholds` document, its path, or an Assignment."""
        if isinstance(thresholds, Assignment):
            return thresholds
        return Assignment.from_thresholds(thresholds, self)

    @contextlib.contextmanager
    def applied(self, assignment):
        """Within the block the model computes with the assignment (an Assignment or a thresholds
        document): weights |w| < tau_w are zero, activations x <= tau_a of the activation layers
        are zero."""
        assignment = self.assignment(assignment)
        layers = {l.name: l for l in self.layers}
        owners = {a.name: a for a in self.owners}
        saved, hooks = [], []
        try:
            for name, tau in assignment.tau_w.items():
                if name not in layers:
                    raise ValueError("unknown layer '%s'" % name)
                w = layers[name].module.weight
                saved.append((w, w.data.clone()))
                w.data.mul_(masks.weight_mask(w, tau))
            for name, tau in assignment.tau_a.items():
                if name not in owners:
                    raise ValueError("unknown activation layer '%s'" % name)
                if tau > 0:
                    hooks.append(owners[name].module.register_forward_hook(
                        lambda m, i, o, tau=tau: masks.threshold_activation(o, tau)))
            yield self.model
        finally:
            for h in hooks:
                h.remove()
            for w, data in saved:
                w.data.copy_(data)

    def _pass(self, readers, on_input, assignment=None, owner_hook=None):
        """Runs the calibration data; on_input(layer, x) for each reader's input; stops a batch
        once every reader has run."""
        todo = set(l.name for l in readers)
        hooks = []
        done = []

        def pre(layer):
            def hook(m, inputs):
                x = inputs[0].detach()
                t = time.perf_counter()
                on_input(layer, x)
                self.times[layer.name]["histogram"] += time.perf_counter() - t
                done.append(layer.name)
                if todo.issubset(done):
                    raise _Stop()
            return hook

        for l in readers:
            hooks.append(l.module.register_forward_pre_hook(pre(l)))
        if owner_hook is not None:
            hooks.append(owner_hook[0].module.register_forward_hook(owner_hook[1]))
        try:
            with self.applied(assignment or Assignment()), torch.no_grad():
                for x in self.batches:
                    done.clear()
                    try:
                        self.model(x)
                    except _Stop:
                        pass
        finally:
            for h in hooks:
                h.remove()

    # ------------------------------------------------------------------ decomposed statistics
    def _grids(self, levels, samples):
        for a in self.owners:
            v = samples[a.name]
            grid = [0.0]
            if v.numel():
                q = torch.quantile(v, torch.tensor(levels, dtype=v.dtype)).tolist()
                for t in q:
                    t = _round_sig(t)
                    if t > grid[-1]:
                        grid.append(t)
            self.tau_grids[a.name] = grid

    def decomposed(self, tau_a=None, levels=TAU_LEVELS, weight_targets=None, magnitudes=False):
        """The `hass.sparsity.decomposed` document.

        tau_a          {activation layer: grid} (default: 0 and the quantiles `levels` of the
                       activation layer's positive outputs on the calibration data)
        weight_targets the weight sparsities the search steps through ("weights": {"targets"});
                       None leaves "weights" out: hass takes the magnitudes from the model
        magnitudes     write the weight magnitudes (F x C/G x K, hass's order) instead
        """
        counts = {}

        def record(layer, x):
            if layer.kind == "conv":
                kh, kw, stride, padding, _ = masks.conv_geometry(layer.module)
                h = masks.activation_window_histogram(x, kh, kw, stride, padding)
            else:
                x = x.flatten(1)
                if layer.permutation is not None:
                    x = x[:, layer.permutation]
                h = masks.linear_histograms(x)
            counts[layer.name] = counts[layer.name] + h if layer.name in counts else h

        # tau_a = 0 for every layer, and samples of the owners' positive outputs for the grids
        samples = {a.name: [] for a in self.owners}
        hooks = []
        for a in self.owners:
            def keep(m, i, o, name=a.name):
                v = o.detach().flatten()
                v = v[v > 0]
                if v.numel() > 20000:
                    v = v[torch.linspace(0, v.numel() - 1, 20000).long()]
                samples[name].append(v)
            hooks.append(a.module.register_forward_hook(keep))
        t = time.perf_counter()
        try:
            self._pass(self.layers, record)
        finally:
            for h in hooks:
                h.remove()
        elapsed = time.perf_counter() - t
        for l in self.layers:
            self.times[l.name]["forward"] += elapsed / len(self.layers)
            self.times[l.name]["passes"] += 1
        base = dict(counts)
        if tau_a is None:
            self._grids(levels, {k: torch.cat(v) if v else torch.zeros(0) for k, v in samples.items()})
        else:
            self.tau_grids = {a.name: sorted(float(t) for t in tau_a[a.name]) for a in self.owners}
            for a in self.owners:
                if self.tau_grids[a.name][0] != 0:
                    self.tau_grids[a.name].insert(0, 0.0)

        hist = {l.name: [_rows(base[l.name])] for l in self.layers}
        for a in self.owners:
            for tau in self.tau_grids[a.name][1:]:
                counts.clear()
                t = time.perf_counter()
                self._pass(a.readers, record, Assignment(tau_a={a.name: tau}))
                self.times[a.name]["forward"] += time.perf_counter() - t
                self.times[a.name]["passes"] += 1
                for l in a.readers:
                    hist[l.name].append(_rows(counts[l.name]))
            self.log("  %-40s tau_a grid %s" % (a.name, self.tau_grids[a.name]))

        entries = []
        for l in self.layers:
            e = {"name": l.name, "channels": l.channels, "kernel": list(l.kernel) if l.kernel[0] != l.kernel[1] else l.K,
                 "filters": l.filters, "groups": l.groups, "source": l.source}
            if l.owner:
                e["activation_layer"] = l.owner.name
                e["activations"] = {"tau": self.tau_grids[l.owner.name], "histogram": hist[l.name]}
            else:
                e["activations"] = {"tau": [0.0], "histogram": hist[l.name]}
            if magnitudes:
                e["weights"] = {"magnitudes": self._magnitudes(l)}
            elif weight_targets is not None:
                e["weights"] = {"targets": list(weight_targets)}
            entries.append(e)
        return {"format": "hass.sparsity.decomposed", "version": 1, "network": self.network, "synthetic": False,
                "provenance": "measured by hass_profile on %d calibration images" % self.images,
                "layers": entries, "_timings": self.timings()}

    def _magnitudes(self, layer):
        w = layer.module.weight.detach().abs()
        if layer.kind == "linear" and layer.permutation is not None:
            w = w[:, layer.permutation]
        return w.flatten().tolist()

    # ------------------------------------------------------------------ product histograms
    def products(self, assignments):
        """The `hass.sparsity.products` document: for each assignment (an Assignment, a thresholds
        document or its path), every convolution's zero-product histogram measured with all the
        assignment's thresholds applied at once. A layer gets one point per distinct (tau_w, tau_a).
        Inner products are left out: hass models them dense and its products reader takes
        convolutions only (`linear_histograms(x, weight_mask)` measures them)."""
        convs = [l for l in self.layers if l.kind == "conv"]
        points = {l.name: [] for l in convs}
        for asg in assignments:
            if not isinstance(asg, Assignment):
                asg = Assignment.from_thresholds(asg, self)
            counts = {}

            def record(layer, x):
                wm = masks.weight_mask(layer.module.weight, 0.0)  # the weights are already pruned
                if layer.kind == "conv":
                    _, _, stride, padding, groups = masks.conv_geometry(layer.module)
                    h = masks.product_zero_histogram(x, wm, stride, padding, groups)
                else:
                    x = x.flatten(1)
                    if layer.permutation is not None:
                        x, wm = x[:, layer.permutation], wm[:, layer.permutation]
                    h = masks.linear_histograms(x, wm)
                counts[layer.name] = counts[layer.name] + h if layer.name in counts else h

            t = time.perf_counter()
            self._pass(convs, record, asg)
            elapsed = time.perf_counter() - t
            for l in convs:
                tau = (asg.tau_w.get(l.name, 0.0), asg.tau_a.get(l.owner.name, 0.0) if l.owner else 0.0)
                self.times[l.name]["forward"] += elapsed / len(convs)
                self.times[l.name]["passes"] += 1
                if any(p["tau_w"] == tau[0] and p["tau_a"] == tau[1] for p in points[l.name]):
                    continue
                points[l.name].append({"tau_w": tau[0], "tau_a": tau[1], "histogram": _rows(counts[l.name])})
        return {"format": "hass.sparsity.products", "version": 1, "network": self.network, "synthetic": False,
                "provenance": "measured by hass_profile on %d calibration images" % self.images,
                "layers": [{"name": l.name, "channels": l.channels, "kernel": l.K, "points": points[l.name]}
                           for l in convs]}

    # ------------------------------------------------------------------ accuracy
    def accuracy(self, assignment=None):
        """evaluate(model) with the assignment applied."""
        if self.evaluate is None:
            raise ValueError("the profiler has no evaluate function")
        with self.applied(assignment or Assignment()) as m, torch.no_grad():
            return float(self.evaluate(m))

    def drop(self, assignment):
        """The accuracy drop in points at the assignment (against the unthresholded model)."""
        if self.baseline is None:
            self.baseline = self.accuracy()
        return self.baseline - self.accuracy(assignment)

    def measure(self, thresholds):
        """One measurement of a joint assignment (a thresholds document, its path or an
        Assignment), as `hass.cosearch(..., verify=profiler.measure)` and the answer to a
        `{"measure": true}` request of `hass search --oracle-cmd` take it: the real accuracy drop
        (evaluate, every threshold applied at once) and the product histograms of every
        convolution on the calibration images."""
        asg = self.assignment(thresholds)
        return {"drop": self.drop(asg), "products": self.products([asg])}

    def sparsity_threshold(self, layer_name, s):
        l = next(l for l in self.layers if l.name == layer_name)
        return masks.threshold_for_sparsity(l.module.weight.detach().numpy(), s)

    def accuracy_table(self, weight_sparsity=WEIGHT_SPARSITY, joint=(), noise=None, layers=None):
        """The `hass.accuracy.table` document: a 1-D weight table per layer (only it pruned, by
        weight sparsity, as torch.nn.utils.prune.l1_unstructured counts), a 1-D activation table
        per activation layer (only it thresholded, on the tau_a grid of `decomposed`), and the
        joint points `joint` (Assignments or thresholds documents) measured at once."""
        if not self.tau_grids:
            raise ValueError("call decomposed() first: the activation tables use its tau_a grids")
        t = time.perf_counter()
        self.baseline = self.accuracy()
        base_s = time.perf_counter() - t
        entries, drops = [], []
        for l in self.layers:
            if layers is not None and l.name not in layers:
                continue
            t = time.perf_counter()
            d = [0.0 if s == 0 else self.drop(Assignment(tau_w={l.name: self.sparsity_threshold(l.name, s)}))
                 for s in weight_sparsity]
            self.times[l.name]["accuracy"] += time.perf_counter() - t
            entries.append({"name": l.name, "weight_sparsity": list(weight_sparsity), "drop": [round(x, 4) for x in d]})
            drops += d
            self.log("  %-40s weight drops %s" % (l.name, [round(x, 2) for x in d]))
        for a in self.owners:
            t = time.perf_counter()
            grid = self.tau_grids[a.name]
            d = [0.0 if tau == 0 else self.drop(Assignment(tau_a={a.name: tau})) for tau in grid]
            self.times[a.name]["accuracy"] += time.perf_counter() - t
            entries.append({"name": a.name, "tau_a": grid, "drop": [round(x, 4) for x in d]})
            drops += d
            self.log("  %-40s activation drops %s" % (a.name, [round(x, 2) for x in d]))
        joints = []
        for asg in joint:
            if not isinstance(asg, Assignment):
                asg = Assignment.from_thresholds(asg, self)
            d = self.drop(asg)
            drops.append(d)
            joints.append({"layers": asg.joint_layers(), "drop": round(d, 4)})
        if noise is None:
            noise = max(0.1, _round_sig(-min(drops + [0.0]) + 0.005, 2))
        doc = {"format": "hass.accuracy.table", "version": 1, "network": self.network, "synthetic": False,
               "provenance": "measured by hass_profile: evaluate() of the model with one layer's thresholds "
                             "applied at a time",
               "metric": "top-1 accuracy drop, percentage points", "baseline": round(self.baseline, 4),
               "noise": noise, "layers": entries, "_baseline_seconds": round(base_s, 3)}
        if joints:
            doc["joint"] = joints
        return doc

    # ------------------------------------------------------------------ timings
    def timings(self):
        """Seconds per layer: forward passes (shared passes split evenly), histogram computation
        and accuracy evaluations; activation layers carry the passes of their tau_a grid."""
        out = []
        for name, t in self.times.items():
            out.append({"name": name, "passes": t["passes"], "forward": round(t["forward"], 4),
                        "histogram": round(t["histogram"], 4), "accuracy": round(t["accuracy"], 4)})
        return {"unit": "seconds", "images": self.images, "layers": out}

    def timing_table(self):
        lines = ["%-44s %6s %9s %9s %9s" % ("layer", "passes", "forward", "histogram", "accuracy")]
        for e in self.timings()["layers"]:
            lines.append("%-44s %6d %9.3f %9.3f %9.3f" % (e["name"], e["passes"], e["forward"], e["histogram"],
                                                         e["accuracy"]))
        return "\n".join(lines)


def write_json(doc, path):
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
