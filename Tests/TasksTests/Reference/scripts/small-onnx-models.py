"""Writes two small ONNX models for accomake's ONNX reader tests, built with onnx.helper (onnx
1.23): unlike ZigZag's shipped models they carry their weights inline and have no value_info, so
every shape is inferred by accomake itself.

- onnx-audio-1d.onnx: a streaming audio CNN over [N=1, C=16, L=64] (L is time): a strided 1-D
  convolution, ReLU, a dilated 1-D convolution, max pooling along time, a residual Add of a 1x1
  convolution, then a 1-D convolution down to 8 channels.
- onnx-wide-2d.onnx: a 2-D network over a non-square [1, 3, 40, 24] input with a non-square
  kernel (3x5), non-square strides (2x1) and asymmetric padding, so that the time-axis choice
  and the padding order are visible.

    python3 small-onnx-models.py   # writes both files into ../
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261130)


def weights(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="accomake-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "..", name))


audio = helper.make_graph(
    [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3], strides=[2], pads=[1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", kernel_shape=[3], dilations=[2], pads=[2, 2]),
        helper.make_node("MaxPool", ["c2"], ["p2"], name="pool2", kernel_shape=[2], strides=[2]),
        helper.make_node("Conv", ["p2", "w3"], ["c3"], name="skip", kernel_shape=[1]),
        helper.make_node("Add", ["p2", "c3"], ["a3"], name="residual"),
        helper.make_node("Conv", ["a3", "w4", "b4"], ["y"], name="head", kernel_shape=[3]),
    ],
    "audio",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8, "time"])],
    [weights("w1", 32, 16, 3), weights("w2", 32, 32, 3), weights("w3", 32, 32, 1), weights("w4", 8, 32, 3),
     weights("b4", 8)],
)
save(audio, "onnx-audio-1d.onnx")

wide = helper.make_graph(
    [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 5], strides=[2, 1],
                         pads=[1, 2, 0, 1]),
        helper.make_node("BatchNormalization", ["c1", "s", "b", "m", "v"], ["n1"], name="bn1"),
        helper.make_node("Clip", ["n1"], ["r1"], name="clip1"),
        helper.make_node("AveragePool", ["r1", ], ["p1"], name="pool1", kernel_shape=[2, 3], strides=[2, 3],
                         ceil_mode=1),
        helper.make_node("GlobalAveragePool", ["p1"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ],
    "wide",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 40, 24])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
    [weights("w1", 12, 3, 3, 5), weights("s", 12), weights("b", 12), weights("m", 12),
     numpy_helper.from_array(np.ones(12, np.float32), "v"), weights("wf", 10, 12), weights("bf", 10)],
)
save(wide, "onnx-wide-2d.onnx")
