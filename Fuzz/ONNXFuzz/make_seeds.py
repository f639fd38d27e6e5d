#!/usr/bin/env python3
"""Writes the ONNXFuzz seed corpus: small graphs of the operators whose attributes and shape inputs come
from the file (Slice, Range, Conv, Reshape, Expand, Tile, Gather, Resize, Pad, Split, ...), many of them
with extreme values already in place. Each seed loads; most fail with an ONNXError when run, which is the
point. Run from the repository root: python3 Fuzz/ONNXFuzz/make_seeds.py (field numbers from onnx.proto)."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Seeds")
I64_MAX, I64_MIN = 2**63 - 1, -(2**63)


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, body):
    return tag(field, 2) + varint(len(body)) + body


def vint(field, v):
    return tag(field, 0) + varint(v)


def s(field, text):
    return ld(field, text.encode())


def tensor(name, dims, type_, ints=None, floats=None):
    b = ld(1, b"".join(varint(d) for d in dims)) + vint(2, type_) + s(8, name)
    if ints is not None:
        b += ld(7, b"".join(varint(v) for v in ints))
    if floats is not None:
        b += ld(9, struct.pack("<%df" % len(floats), *floats))
    return b


def ints_attr(name, values):
    return s(1, name) + vint(20, 7) + ld(8, b"".join(varint(v) for v in values))


def int_attr(name, value):
    return s(1, name) + vint(20, 2) + vint(3, value)


def float_attr(name, value):
    return s(1, name) + vint(20, 1) + tag(2, 5) + struct.pack("<f", value)


def str_attr(name, value):
    return s(1, name) + vint(20, 3) + ld(4, value.encode())


def node(op, inputs, outputs, attrs=()):
    return (b"".join(s(1, i) for i in inputs) + b"".join(s(2, o) for o in outputs) + s(3, op.lower())
            + s(4, op) + b"".join(ld(5, a) for a in attrs))


def value_info(name, type_, dims):
    shape = b"".join(ld(1, vint(1, d) if isinstance(d, int) else s(2, d)) for d in dims)
    return s(1, name) + ld(2, ld(1, vint(1, type_) + ld(2, shape)))


def model(nodes, inits, inputs, outputs, opset=17):
    graph = (b"".join(ld(1, n) for n in nodes) + s(2, "g") + b"".join(ld(5, t) for t in inits)
             + b"".join(ld(11, v) for v in inputs) + b"".join(ld(12, v) for v in outputs))
    return vint(1, 8) + s(2, "seed") + ld(7, graph) + ld(8, vint(2, opset))


F, I64 = 1, 7
X4 = [value_info("x", F, [1, 1, 4, 4])]
Y = [value_info("y", F, ["n"])]
seeds = {
    "slice_step_max": model([node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
                            [tensor("st", [1], I64, [0]), tensor("en", [1], I64, [I64_MAX]),
                             tensor("ax", [1], I64, [-1]), tensor("sp", [1], I64, [I64_MAX])], X4, Y),
    "slice_step_min": model([node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
                            [tensor("st", [1], I64, [-1]), tensor("en", [1], I64, [I64_MIN]),
                             tensor("ax", [1], I64, [2]), tensor("sp", [1], I64, [I64_MIN])], X4, Y),
    "range_float_huge": model([node("Range", ["a", "b", "d"], ["y"])],
                              [tensor("a", [], F, floats=[0.0]), tensor("b", [], F, floats=[3e38]),
                               tensor("d", [], F, floats=[1e-30])], [], Y),
    "range_int_span": model([node("Range", ["a", "b", "d"], ["y"])],
                            [tensor("a", [], I64, [I64_MIN]), tensor("b", [], I64, [I64_MAX]),
                             tensor("d", [], I64, [1])], [], [value_info("y", I64, ["n"])]),
    "conv_big_kernel": model([node("Conv", ["x", "w"], ["y"], [ints_attr("strides", [1, 65536]),
                                                               ints_attr("dilations", [3, 1]),
                                                               ints_attr("pads", [0, 0, 0, 0])])],
                             [tensor("w", [1, 1, 2, 2], F, floats=[1.0] * 4)], X4, Y),
    "maxpool_pads": model([node("MaxPool", ["x"], ["y"], [ints_attr("kernel_shape", [3, 3]),
                                                          ints_attr("pads", [65536, 0, 0, 1]),
                                                          int_attr("ceil_mode", 1)])], [], X4, Y),
    "reshape_zero_huge": model([node("Reshape", ["x", "s"], ["y"], [int_attr("allowzero", 1)])],
                               [tensor("s", [3], I64, [-1, 2**32, 2**32])], X4, Y),
    "expand_huge": model([node("Expand", ["x", "s"], ["y"])],
                         [tensor("s", [4], I64, [2**31, 1, 4, 4])], X4, Y),
    "tile_max": model([node("Tile", ["x", "r"], ["y"])],
                      [tensor("r", [4], I64, [1, 1, 2, I64_MAX])], X4, Y),
    "gather_axis": model([node("Gather", ["x", "i"], ["y"], [int_attr("axis", -4)])],
                         [tensor("i", [2], I64, [I64_MIN, 3])], X4, Y),
    "resize_scales": model([node("Resize", ["x", "", "sc"], ["y"], [str_attr("mode", "cubic"),
                                                                     str_attr("coordinate_transformation_mode",
                                                                              "tf_crop_and_resize")])],
                           [tensor("sc", [4], F, floats=[1.0, 1.0, 1e30, 0.5])], X4, Y),
    "pad_extreme": model([node("Pad", ["x", "p"], ["y"], [str_attr("mode", "reflect")])],
                         [tensor("p", [8], I64, [0, 0, I64_MIN, 1, 0, 0, I64_MAX, 1])], X4, Y),
    "split_sizes": model([node("Split", ["x", "s"], ["y", "z"], [int_attr("axis", 3)])],
                         [tensor("s", [2], I64, [I64_MAX, I64_MAX])], X4, Y + [value_info("z", F, ["m"])]),
    "concat_transpose": model([node("Concat", ["x", "x"], ["c"], [int_attr("axis", I64_MAX)]),
                               node("Transpose", ["c"], ["y"], [ints_attr("perm", [3, 2, 1, 0])])], [], X4, Y),
    "constant_of_shape": model([node("ConstantOfShape", ["s"], ["y"])],
                               [tensor("s", [3], I64, [2**62, 4, 0])], [], Y),
    "reduce_gemm": model([node("ReduceSum", ["x", "a"], ["r"], [int_attr("keepdims", 0)]),
                          node("Gemm", ["r", "r"], ["y"], [int_attr("transA", 1)])],
                         [tensor("a", [2], I64, [0, 1])], X4, Y),
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT))
