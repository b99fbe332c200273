"""Writes zigzag-onnx-layers.json: the layers ZigZag 3.9.1's own ONNX parser makes of the three
models its package ships, the data ONNXWorkloadTests compares accomake's ONNX reader with.

    pip install zigzag-dse==3.9.1   # brings onnx
    python3 zigzag-onnx-layers.py > ../zigzag-onnx-layers.json

Only Conv and Gemm/MatMul become layers in ZigZag (every other node is a zero-cost dummy), so
only those are recorded: per layer its ONNX node index (ZigZag's id), name, operator, loop sizes,
dimension relations (strides and dilations) and padding.
"""
import json
import os
import sys

import onnx
from zigzag.parser.onnx.onnx_model_parser import ONNXModelParser
from zigzag.workload.layer_node import LayerNode

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "..", "zigzag-3.9.1")

result = {"source": "zigzag-dse 3.9.1 (PyPI), zigzag.parser.onnx.onnx_model_parser.ONNXModelParser "
                    "with mapping/default.yaml; onnx " + onnx.__version__,
          "models": {}}
for name in ["alexnet", "resnet18", "mobilenetv2"]:
    model = onnx.load(os.path.join(PACKAGE, "workload", name + ".onnx"), load_external_data=False)
    workload = ONNXModelParser(model, os.path.join(PACKAGE, "mapping", "default.yaml")).run()
    layers = []
    for node in sorted(workload.node_list, key=lambda n: n.id):
        if not isinstance(node, LayerNode):
            continue
        layers.append({
            "id": node.id,
            "name": node.name,
            "type": node.type,
            "loop_sizes": {str(k): int(v) for k, v in node.layer_dim_sizes.items()},
            "relations": [str(r).replace(" ", "").lower() for r in node.dimension_relations],
            "padding": {str(k): list(v) for k, v in node.padding.data.items()},
            "sources": {str(k): v for k, v in node.input_operand_source.items()},
        })
    result["models"][name] = layers
json.dump(result, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
