#!/usr/bin/python3
"""Writes the ONNX test data of hass's importer (committed in tests/onnx/data/).

    /usr/bin/python3 tests/onnx/make_test_data.py [OUT_DIR]     (default: tests/onnx/data)

Needs python3-torch and python3-onnx (Debian). Everything is seeded: running it
again gives the same networks, weights and reference outputs (the .onnx bytes
can differ between PyTorch versions; the tests read the committed files).

Writes:
  vgg_small.onnx, mobilenet_small.onnx       28x28x1 networks exported by PyTorch (opset 13;
                                             PyTorch folds BatchNorm into the convolutions)
  vgg_small_bn.onnx, mobilenet_small_bn.onnx the same networks with the BatchNormalization
                                             nodes kept (do_constant_folding=False,
                                             TrainingMode.PRESERVE on an eval() model)
  ops_opset10.onnx, ops_opset14.onnx         OpsNet (16x16x3) at two opsets (attributes vs
                                             constant inputs, HardSigmoid*x vs HardSwish, a
                                             Pad computed by a shape sub-graph at opset 14)
  input_28x28.bin, input_ops.bin             the reference inputs (float32 little-endian, NCHW)
  <model>.output.bin                         PyTorch's output for the reference input
  maxpool_signed_padding.onnx                imports with a warning (max pooling padded on signed data)
  errors/*.onnx, errors/expected.txt         one small model per import error and the message
                                             parts it must produce ("file|part|part...")
"""
import os
import struct
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def write_floats(path, t):
    a = t.detach().numpy().astype("<f4").ravel()
    with open(path, "wb") as f:
        f.write(a.tobytes())


def export(model, x, path, opset, keep_bn=False):
    kwargs = {"opset_version": opset, "input_names": ["input"], "output_names": ["output"]}
    if keep_bn:
        kwargs["do_constant_folding"] = False
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, x, path, **kwargs)
    onnx.checker.check_model(onnx.load(path))


def torch_models(out):
    torch.manual_seed(2024)
    gen = torch.Generator().manual_seed(7)
    x28 = torch.randn(1, 1, 28, 28, generator=gen)
    x16 = torch.randn(1, 3, 16, 16, generator=gen)
    write_floats(os.path.join(out, "input_28x28.bin"), x28)
    write_floats(os.path.join(out, "input_ops.bin"), x16)
    nets = [("vgg_small", models.SmallVGG(), x28), ("mobilenet_small", models.SmallMobileNetV2(), x28)]
    for name, net, x in nets:
        models.randomize_batchnorm(net, gen)
        net.eval()
        with torch.no_grad():
            y = net(x)
        write_floats(os.path.join(out, name + ".output.bin"), y)
        write_floats(os.path.join(out, name + "_bn.output.bin"), y)
        export(net, x, os.path.join(out, name + ".onnx"), 13)
        export(net, x, os.path.join(out, name + "_bn.onnx"), 13, keep_bn=True)
    ops = models.OpsNet()
    models.randomize_batchnorm(ops, gen)
    ops.eval()
    with torch.no_grad():
        y = ops(x16)
    for opset in (10, 14):
        write_floats(os.path.join(out, "ops_opset%d.output.bin" % opset), y)
        export(ops, x16, os.path.join(out, "ops_opset%d.onnx" % opset), opset)


# --- hand-made models for the error messages -------------------------------------------------------

RNG = np.random.default_rng(11)


def init(name, shape, dtype=np.float32):
    return numpy_helper.from_array((RNG.standard_normal(shape) * 0.3).astype(dtype), name)


def model(nodes, inits, inputs=None, outputs=None, opset=13, extra_inputs=()):
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    g = helper.make_graph(nodes, "g", list(inputs) + list(extra_inputs), outputs, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="hass-tests")


def conv(x, y, w, name, **attrs):
    return helper.make_node("Conv", [x, w], [y], name=name, **attrs)


def error_models():
    """(file name, model or raw bytes, expected message parts)."""
    w = init("w", [4, 3, 3, 3])
    cases = []

    def add(name, m, *parts):
        cases.append((name, m, parts))

    add("leaky_relu.onnx",
        model([conv("x", "c", "w", "conv", pads=[1, 1, 1, 1]), helper.make_node("LeakyRelu", ["c"], ["y"], name="act")],
              [w]),
        "node 'act' (#1, LeakyRelu)", "operator 'LeakyRelu' is not supported by hass", "no leaky",
        "supported operators: Add, AveragePool")
    add("dilated_conv.onnx",
        model([conv("x", "y", "w", "dil", dilations=[2, 2])], [w]),
        "node 'dil' (#0, Conv)", "dilations [2, 2] are not supported")
    add("clip_0_4.onnx",
        model([conv("x", "c", "w", "conv"), helper.make_node("Clip", ["c", "lo", "hi"], ["y"], name="clip")],
              [w, numpy_helper.from_array(np.array(0, np.float32), "lo"),
               numpy_helper.from_array(np.array(4, np.float32), "hi")]),
        "node 'clip' (#1, Clip)", "Clip(0, 4) is not supported", "Clip(0, 6) as relu6")
    add("missing_initializer.onnx",
        model([conv("x", "y", "w_missing", "conv")], []),
        "node 'conv' (#0, Conv)", "input 1 (W) 'w_missing'", "missing initializer")
    add("float64_weights.onnx",
        model([conv("x", "y", "w64", "conv")], [init("w64", [4, 3, 3, 3], np.float64)]),
        "initializer 'w64'", "data type DOUBLE (float64)", "FLOAT (float32), FLOAT16, BFLOAT16 or INT8")
    add("batch2.onnx",
        model([conv("x", "y", "w", "conv")], [w],
              inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8, 8])]),
        "graph input 'x' has batch size 2", "one image at a time")
    add("rank3_input.onnx",
        model([helper.make_node("Relu", ["x"], ["y"], name="r")], [],
              inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8])]),
        "graph input 'x' has rank 3 [1, 8, 8]", "[1, C, H, W]")
    add("conv1d.onnx",
        model([conv("x", "y", "w1", "conv")], [init("w1", [4, 3, 3])]),
        "node 'conv' (#0, Conv)", "have shape [4, 3, 3]", "2-D convolutions")
    add("bn_after_relu.onnx",
        model([conv("x", "c", "w", "conv"), helper.make_node("Relu", ["c"], ["r"], name="relu"),
               helper.make_node("BatchNormalization", ["r", "s", "b", "m", "v"], ["y"], name="bn")],
              [w] + [numpy_helper.from_array(np.ones(4, np.float32), n) for n in ("s", "b", "m", "v")]),
        "node 'bn' (#2, BatchNormalization)", "comes from node 'relu' (Relu), not from a Conv")
    add("bn_shared.onnx",
        model([conv("x", "c", "w", "conv"), helper.make_node("Relu", ["c"], ["r"], name="relu"),
               helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"], name="bn"),
               helper.make_node("Add", ["r", "n"], ["y"], name="add")],
              [w] + [numpy_helper.from_array(np.ones(4, np.float32), n) for n in ("s", "b", "m", "v")]),
        "node 'bn' (#2, BatchNormalization)", "is also read by node 'relu' (Relu)")
    add("avgpool_exclude_pad.onnx",
        model([helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1])], []),
        "node 'pool' (#0, AveragePool)", "count_include_pad 0", "padding zeros included")
    add("reshape_4d.onnx",
        model([helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
              [numpy_helper.from_array(np.array([1, 6, 4, 8], np.int64), "shape")]),
        "node 'reshape' (#0, Reshape)", "reshapes [1, 3, 8, 8] to [1, 6, 4, 8]", "no reshape layer")
    add("pad_reflect.onnx",
        model([helper.make_node("Pad", ["x", "pads"], ["p"], name="pad", mode="reflect"), conv("p", "y", "w", "conv")],
              [w, numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")]),
        "node 'pad' (#0, Pad)", "mode 'reflect'", "constant zero padding only")
    add("pad_into_add.onnx",
        model([helper.make_node("Pad", ["x", "pads"], ["p"], name="pad"), helper.make_node("Relu", ["x"], ["r"], name="relu"),
               conv("r", "c", "w", "conv", pads=[1, 1, 1, 1]), conv("p", "d", "w", "conv2"),
               helper.make_node("Add", ["c", "p"], ["y"], name="add")],
              [w, numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")]),
        "node 'pad' (#0, Pad)", "is read by node 'add' (Add)", "folds a Pad into the Conv, MaxPool or AveragePool")
    add("hardsigmoid_alpha.onnx",
        model([helper.make_node("HardSigmoid", ["x"], ["y"], name="hsig")], []),
        "node 'hsig' (#0, HardSigmoid)", "alpha 0.200000003", "alpha 1/6, beta 0.5")
    add("mul_constant.onnx",
        model([helper.make_node("Mul", ["x", "k"], ["y"], name="scale")],
              [numpy_helper.from_array(np.array(2, np.float32), "k")]),
        "node 'scale' (#0, Mul)", "no scaling layer")
    ext = numpy_helper.from_array(np.zeros([4, 3, 3, 3], np.float32), "w_ext")
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key="location", value="weights.bin")
    add("external_data.onnx", model([conv("x", "y", "w_ext", "conv")], [ext]),
        "initializer 'w_ext'", "external file")
    add("ceil_mode.onnx",
        model([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)],
              [], inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 7, 7])]),
        "node 'pool' (#0, MaxPool)", "ceil_mode 1 gives a 4x4 output", "floor (3x3)")
    add("symbolic_height.onnx",
        model([helper.make_node("Relu", ["x"], ["y"], name="r")], [],
              inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "height", 8])]),
        "graph input 'x': dimension 2 is symbolic ('height')", "fixed input shape")
    add("two_inputs.onnx",
        model([helper.make_node("Add", ["x", "x2"], ["y"], name="add")], [],
              extra_inputs=[helper.make_tensor_value_info("x2", TensorProto.FLOAT, [1, 3, 8, 8])]),
        "more than one input ('x', 'x2')", "one input image")
    add("concat_axis2.onnx",
        model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
               helper.make_node("Concat", ["x", "r"], ["y"], name="cat", axis=2)], []),
        "node 'cat' (#1, Concat)", "along the channels only (axis 1)")
    add("unknown_attribute.onnx",
        model([helper.make_node("Relu", ["x"], ["y"], name="relu", slope=0.1)], []),
        "node 'relu' (#0, Relu)", "unknown attribute 'slope' for Relu (it takes none)")
    add("custom_domain.onnx",
        model([helper.make_node("FusedConv", ["x", "w"], ["y"], name="fused", domain="com.microsoft")], [w]),
        "node 'fused' (#0, FusedConv)", "of domain 'com.microsoft' is not supported")
    short = numpy_helper.from_array(np.zeros([4, 3, 3, 3], np.float32), "w_short")
    short.raw_data = short.raw_data[:40]
    add("wrong_weight_count.onnx", model([conv("x", "y", "w_short", "conv")], [short]),
        "initializer 'w_short' has 10 values in raw_data", "need 108")
    add("not_topological.onnx",
        model([helper.make_node("Relu", ["c"], ["y"], name="relu"), conv("x", "c", "w", "conv")], [w]),
        "node 'relu' (#0, Relu)", "produced by a later node (#1)", "topological order")
    add("opset5.onnx", model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [], opset=5),
        "opset 5 of the default domain is outside the range hass reads (7 to 18)")
    nan = np.full([4, 3, 3, 3], 0.5, np.float32)
    nan[1, 2, 0, 0] = np.nan
    add("nan_weights.onnx", model([conv("x", "y", "w_nan", "conv")], [numpy_helper.from_array(nan, "w_nan")]),
        "layer 'conv' has a weight that is not finite")
    add("gemm_on_map.onnx",
        model([helper.make_node("Gemm", ["x", "fc"], ["y"], name="fc", transB=1)], [init("fc", [10, 192])]),
        "node 'fc' (#0, Gemm)", "input A 'x' is [1, 3, 8, 8]", "flatten the feature map first")
    add("sub.onnx", model([helper.make_node("Sub", ["x", "x"], ["y"], name="sub")], []),
        "node 'sub' (#0, Sub)", "operator 'Sub' is not supported", "input normalisation")
    add("batchnorm_training.onnx",
        model([conv("x", "c", "w", "conv"),
               helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["y"], name="bn", training_mode=1)],
              [w] + [numpy_helper.from_array(np.ones(4, np.float32), n) for n in ("s", "b", "m", "v")], opset=15),
        "node 'bn' (#1, BatchNormalization)", "training_mode 1", "model.eval()")
    add("no_layers.onnx", model([helper.make_node("Identity", ["x"], ["y"], name="id")], []),
        "graph output 'y' is the graph input itself")
    add("transpose_map.onnx", model([helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 1, 3, 2])], []),
        "node 't' (#0, Transpose)", "is a feature map", "on constants only")
    add("malformed.onnx", b"this is not an ONNX model, just text\n",
        "not a valid ONNX model")
    add("empty.onnx", b"", "the file is empty")
    return cases


def warning_models(out):
    """Models that import with a warning."""
    m = model([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1])], [])
    with open(os.path.join(out, "maxpool_signed_padding.onnx"), "wb") as f:
        f.write(m.SerializeToString())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data")
    errors = os.path.join(out, "errors")
    os.makedirs(errors, exist_ok=True)
    torch_models(out)
    warning_models(out)
    lines = ["# file|message part|message part... (tests/onnx/make_test_data.py)"]
    for name, m, parts in error_models():
        path = os.path.join(errors, name)
        with open(path, "wb") as f:
            f.write(m if isinstance(m, bytes) else m.SerializeToString())
        lines.append("|".join([name] + list(parts)))
    with open(os.path.join(errors, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote the test data to", out)


if __name__ == "__main__":
    main()
