"""PyTorch modules and the layers hass imports from their ONNX export.

`fuse_batchnorm` folds every BatchNorm2d into the convolution before it, so that the
weights PyTorch prunes are the weights hass reads from the ONNX file (hass folds
BatchNorm too, but pruning the unfolded weights would prune other weights).

`map_layers(model, onnx_path)` finds, for every nn.Conv2d and nn.Linear, the name of
the hass layer (the ONNX node, by hass's naming rule) and the activation layer that
owns its tau_a: the ReLU or ReLU6 module whose output reaches it through pooling,
flatten, reshape, pads, dropout or identity, as hass's `activation_owner_of` walks.
"""
import copy
import json
import subprocess
from dataclasses import dataclass, field

import onnx
import torch
import torch.nn as nn

from . import masks

PASS_THROUGH = {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Pad",
                "Identity", "Dropout", "Squeeze", "Unsqueeze"}
ACTIVATIONS = {"Relu", "Clip"}


@dataclass
class Activation:
    """An activation layer that owns a tau_a (a ReLU or ReLU6 module)."""
    name: str                 # hass layer name
    module_name: str
    module: nn.Module
    readers: list = field(default_factory=list)  # Layer objects that read it


@dataclass
class Layer:
    """A convolution or inner product with statistics."""
    name: str                 # hass layer name
    module_name: str
    module: nn.Module
    kind: str                 # "conv" or "linear"
    channels: int             # hass's input channels (inputs of an inner product)
    kernel: tuple             # (kh, kw)
    filters: int
    groups: int
    owner: Activation = None  # the activation layer that owns its tau_a (None: no threshold)
    source: str = "other"     # "relu" (an owner), "hardswish" or "other"
    permutation: torch.Tensor = None  # inner products: torch input index of each hass input (stream order)

    @property
    def K(self):
        return self.kernel[0] * self.kernel[1]


def fuse_batchnorm(model):
    """A copy of the model in eval mode with every Conv2d + BatchNorm2d pair (the BatchNorm
    registered right after the Conv2d in the same parent) fused into one Conv2d."""
    m = copy.deepcopy(model).eval()

    def visit(parent):
        names = list(parent._modules.keys())
        for a, b in zip(names, names[1:]):
            ca, cb = parent._modules[a], parent._modules[b]
            if isinstance(ca, nn.Conv2d) and isinstance(cb, nn.BatchNorm2d):
                parent._modules[a] = torch.nn.utils.fusion.fuse_conv_bn_eval(ca, cb)
                parent._modules[b] = nn.Identity()
        for child in parent._modules.values():
            if child is not None:
                visit(child)

    visit(m)
    return m


def export_onnx(model, path, input_shape, opset=13):
    """torch.onnx.export of an eval() model with batch 1 (what hass imports)."""
    model.eval()
    torch.onnx.export(model, torch.zeros(1, *input_shape), path, opset_version=opset,
                      input_names=["input"], output_names=["output"])


def valid_hass_name(s):
    """hass's rule for keeping an ONNX node name as the layer name (tools/onnx)."""
    if not s or len(s) > 79 or s == "input" or s.endswith(".split"):
        return False
    return all(0x20 < ord(ch) < 0x7f and ch not in "\"\\'" for ch in s)


def hass_node_names(graph):
    """The layer name hass gives each node: its name when valid and unique, else <op>_<index>."""
    count = {}
    for n in graph.node:
        count[n.name] = count.get(n.name, 0) + 1
    names, used = [None] * len(graph.node), set()
    for i, n in enumerate(graph.node):
        if valid_hass_name(n.name) and count[n.name] == 1:
            names[i] = n.name
            used.add(n.name)
    for i, n in enumerate(graph.node):
        if names[i] is None:
            op = "".join(ch for ch in n.op_type if ch.isalnum() or ch == "_")[:40] or "node"
            base = name = "%s_%d" % (op, i)
            k = 1
            while name in used:
                name, k = "%s_%d" % (base, k), k + 1
            names[i] = name
            used.add(name)
    return names


class _OnnxGraph:
    def __init__(self, path):
        model = onnx.shape_inference.infer_shapes(onnx.load(path))
        self.graph = model.graph
        self.names = hass_node_names(self.graph)
        self.producer = {}
        self.readers = {}
        for i, n in enumerate(self.graph.node):
            for o in n.output:
                self.producer[o] = i
            for t in n.input:
                self.readers.setdefault(t, []).append(i)
        self.init = {t.name: t for t in self.graph.initializer}
        self.shapes = {}
        for vi in list(self.graph.value_info) + list(self.graph.input) + list(self.graph.output):
            dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            self.shapes[vi.name] = dims
        for t in self.graph.initializer:
            self.shapes[t.name] = list(t.dims)

    def node(self, i):
        return self.graph.node[i]

    def layer_name(self, i):
        """The hass name of the layer made from node i: a Clip fused into the Relu before it
        (F.relu6) takes the Relu's name."""
        n = self.graph.node[i]
        if n.op_type == "Clip" and n.input[0] in self.producer:
            p = self.producer[n.input[0]]
            if self.graph.node[p].op_type == "Relu" and len(self.readers.get(n.input[0], [])) == 1:
                return self.names[p]
        return self.names[i]

    def owner_of(self, i):
        """(activation node index or None, the tensors passed through) for the input of node i."""
        t = self.graph.node[i].input[0]
        path = []
        while t in self.producer:
            p = self.producer[t]
            n = self.graph.node[p]
            if n.op_type in ACTIVATIONS:
                return p, path
            if n.op_type not in PASS_THROUGH:
                return None, path
            path.append(n.input[0])
            t = n.input[0]
        return None, path


def _scope_module(node_name):
    """The module path in PyTorch's scoped node name '/features/features.3/conv/conv.0/Conv'."""
    parts = node_name.split("/")
    return parts[-2] if len(parts) >= 3 else ""


def map_layers(model, onnx_path, example_input=None, hass=None):
    """(layers, activations) of a model and its ONNX export, in network order.

    Convolutions and inner products map to ONNX Conv / Gemm / MatMul nodes by PyTorch's
    scope names, else by execution order; weight shapes must agree. With `hass` (the
    path of the hass binary), the names are checked against `hass info --json`."""
    g = _OnnxGraph(onnx_path)
    modules = dict(model.named_modules())
    by_scope = {}
    for i, n in enumerate(g.graph.node):
        by_scope.setdefault((_scope_module(n.name), n.op_type), []).append(i)
    weight_nodes = [i for i, n in enumerate(g.graph.node) if n.op_type in ("Conv", "Gemm", "MatMul")]
    act_nodes = [i for i, n in enumerate(g.graph.node) if n.op_type in ACTIVATIONS and
                 not (n.op_type == "Clip" and g.layer_name(i) != g.names[i])]

    order = _execution_order(model, example_input)
    weighted = [name for name in order if isinstance(modules[name], (nn.Conv2d, nn.Linear))]
    acts = [name for name in order if isinstance(modules[name], (nn.ReLU, nn.ReLU6))]

    def match(names, ops, candidates):
        found = {}
        for name in names:
            hits = [i for op in ops for i in by_scope.get((name, op), [])]
            if len(hits) == 1:
                found[name] = hits[0]
        if len(found) == len(names):
            return found
        if len(names) != len(candidates):
            raise ValueError("cannot map the modules to ONNX nodes: %d modules, %d nodes (%s); export with "
                             "torch.onnx.export's scoped names or use one module per %s" %
                             (len(names), len(candidates), "/".join(ops), "/".join(ops)))
        return dict(zip(names, candidates))

    wmap = match(weighted, ("Conv", "Gemm", "MatMul"), weight_nodes)
    amap = match(acts, ("Relu", "Clip"), act_nodes)

    activations = {}
    for name in acts:
        i = amap[name]
        activations[i] = Activation(g.layer_name(i), name, modules[name])
    # a Relu + Clip pair maps both nodes to one activation
    layers = []
    for name in sorted(weighted, key=lambda n: wmap[n]):
        i = wmap[name]
        mod = modules[name]
        node = g.node(i)
        wshape = g.shapes.get(node.input[1])
        if isinstance(mod, nn.Conv2d):
            if wshape is not None and list(wshape) != list(mod.weight.shape):
                raise ValueError("module %s: weight %s but ONNX node %s has %s" %
                                 (name, list(mod.weight.shape), node.name, wshape))
            kh, kw, _, _, groups = masks.conv_geometry(mod)
            layer = Layer(g.layer_name(i), name, mod, "conv", mod.in_channels, (kh, kw), mod.out_channels, groups)
        else:
            layer = Layer(g.layer_name(i), name, mod, "linear", mod.in_features, (1, 1), mod.out_features, 1)
        a, path = g.owner_of(i)
        if a is not None:
            owner_idx = a
            if owner_idx not in activations:  # the Relu of a Relu + Clip pair
                for k, act in activations.items():
                    if act.name == g.layer_name(a):
                        owner_idx = k
            if owner_idx not in activations:
                raise ValueError("layer %s reads activation node %s, which is not an nn.ReLU / nn.ReLU6 module: "
                                 "use activation modules so that their thresholds can be applied" %
                                 (layer.name, g.node(a).name))
            layer.owner = activations[owner_idx]
            layer.source = "relu"
            layer.owner.readers.append(layer)
        if layer.kind == "linear":
            layer.permutation = _stream_permutation(g, path, layer.channels)
        layers.append(layer)
    if hass:
        check_with_hass(hass, onnx_path, layers, activations.values())
    owners = [activations[i] for i in sorted(activations) if activations[i].readers]
    return layers, owners


def _execution_order(model, example):
    """Module names in the order their forward runs (with an example input), else in the
    order of named_modules()."""
    names = [n for n, _ in model.named_modules()]
    if example is None:
        return names
    seen, hooks = [], []
    for n, m in model.named_modules():
        hooks.append(m.register_forward_hook(lambda mod, i, o, n=n: seen.append(n)))
    try:
        with torch.no_grad():
            model(example)
    finally:
        for h in hooks:
            h.remove()
    order = []
    for n in seen:
        if n not in order:
            order.append(n)
    return order + [n for n in names if n not in order]


def _stream_permutation(g, path, n):
    """hass streams a flattened map (H, W, C); PyTorch flattens (C, H, W). For an inner product
    reading a flattened [1, C, H, W] map, the torch index of each hass input."""
    for t in path:
        s = g.shapes.get(t)
        if s is not None and len(s) == 4:
            _, c, h, w = s
            if h * w > 1 and c * h * w == n:
                return torch.arange(n).view(c, h, w).permute(1, 2, 0).reshape(-1)
            return None
    return None


def hass_info(hass, onnx_path):
    out = subprocess.run([hass, "info", onnx_path, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def check_with_hass(hass, onnx_path, layers, activations):
    info = hass_info(hass, onnx_path)
    types = {l["name"]: l.get("type") for l in info["layers"]}
    for l in layers:
        want = "convolution" if l.kind == "conv" else "inner_product"
        if types.get(l.name) != want:
            raise ValueError("hass has no %s layer named %s (hass info: %s)" % (want, l.name, types.get(l.name)))
    for a in activations:
        if types.get(a.name) not in ("relu", "relu6"):
            raise ValueError("hass has no relu/relu6 layer named %s (hass info: %s)" % (a.name, types.get(a.name)))
