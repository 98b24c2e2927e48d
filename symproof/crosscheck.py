"""Reference numbers for numeric cross-checks: PyTorch when asked for, else symproof's own
vectorised layers (themselves cross-checked against PyTorch by the test suite).

PyTorch is imported only here and only on request: importing it costs seconds.
"""

from __future__ import annotations

from .errors import EvaluationError, ParameterError, ShapeError
from .layers import AvgPool2d, Conv2d, MaxPool2d
from .numeric import as_array, as_float
from .params import as_flag, to_python

__all__ = ["torch_module", "reference_name", "conv2d", "avg_pool2d", "max_pool2d",
           "torch_layer", "torch_evaluate"]


def torch_module():
    """The ``torch`` module, imported on first call (it costs seconds), or an
    :class:`~symproof.errors.EvaluationError` saying how to install it. Every PyTorch
    cross-check of symproof gets torch here."""
    try:
        import torch
    except ImportError as missing:
        raise EvaluationError(
            "the PyTorch cross-check needs PyTorch: pip install 'symproof[torch]' "
            "(CPU build: pip install torch==2.13.0)") from missing
    return torch


def reference_name(use_torch: bool) -> str:
    """The reference a numeric cross-check compares with, as a document names it."""
    return "PyTorch" if use_torch else "NumPy (PyTorch not requested)"


def _floats(name: str, value, ndims: tuple[int, ...]):
    """A real array as float64, read by the one rule of :mod:`symproof.numeric`."""

    return as_float(name, as_array(name, value, ndims, real=True))


def conv2d(x, weight, bias, *, stride=1, padding=0, dilation=1, use_torch: bool = False):
    """``F.conv2d`` on a (C, H, W) float array, as a NumPy array."""

    x, weight = _floats("x", x, (3,)), _floats("weight", weight, (4,))
    bias = None if bias is None else _floats("bias", bias, (1,))
    layer = Conv2d(weight.shape[1], weight.shape[0], weight.shape[2:], stride=stride,
                   padding=padding, dilation=dilation, bias=bias is not None)
    if as_flag("use_torch", use_torch):
        layer.output_shape(*x.shape)  # PyTorch gets only what symproof accepts
        torch = torch_module()
        out = torch.nn.functional.conv2d(
            torch.tensor(x[None]), torch.tensor(weight),
            None if bias is None else torch.tensor(bias), layer_tuple(layer.stride),
            layer_tuple(layer.padding), layer_tuple(layer.dilation))
        return out[0].numpy()
    return layer.evaluate(x, weight, bias)


def layer_tuple(pair) -> tuple[int, int]:
    """A layer's (rows, cols) parameter as Python ints, for PyTorch."""
    return tuple(int(v) for v in pair)


def _pool(kind: str, x, kernel_size, stride, use_torch: bool):
    """``F.avg_pool2d`` / ``F.max_pool2d`` (``kind``) on a (C, H, W) float array."""

    x = _floats("x", x, (3,))
    layer = {"avg": AvgPool2d, "max": MaxPool2d}[kind](kernel_size, stride)
    if as_flag("use_torch", use_torch):
        layer.output_shape(*x.shape)  # PyTorch gets only what symproof accepts
        torch = torch_module()
        function = getattr(torch.nn.functional, f"{kind}_pool2d")
        return function(torch.tensor(x[None]), layer_tuple(layer.kernel_size),
                        layer_tuple(layer.stride))[0].numpy()
    return layer.evaluate(x)


def avg_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    """Average pooling, from PyTorch or from symproof."""
    return _pool("avg", x, kernel_size, stride, use_torch)


def max_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    """Max pooling, from PyTorch or from symproof."""
    return _pool("max", x, kernel_size, stride, use_torch)


def torch_layer(layer):
    """The ``torch.nn`` module a symproof layer mirrors, built from the layer's spec with the
    same arguments (PyTorch's names are the spec's field names); float64, on the CPU.

    >>> from symproof import Conv2d
    >>> torch_layer(Conv2d(2, 4, 3, groups=2))  # doctest: +SKIP
    Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)
    """

    spec = getattr(layer, "spec", None)
    if spec is None or not spec.torch:
        raise EvaluationError(f"{layer!r} has no PyTorch counterpart to cross-check against")
    arguments = {}
    for field, value in spec.arguments(layer):
        if isinstance(value, tuple):
            value = tuple(to_python(v) for v in value)
        elif not isinstance(value, bool):
            value = to_python(value)
        if any(not isinstance(v, (int, bool)) for v in (
                value if isinstance(value, tuple) else (value,))):
            raise EvaluationError(f"the PyTorch cross-check needs a concrete {field.name}, "
                                  f"got {value}")
        arguments[field.name] = value
    torch = torch_module()
    return getattr(torch.nn, spec.torch)(**arguments).double()


def torch_evaluate(layer, x, *parameters):
    """PyTorch's output for the layer on ``x`` (float64), with ``parameters`` as the layer's
    ``evaluate`` takes them (``weight`` and ``bias``; none for pooling), as a NumPy array.
    They are checked as ``evaluate`` checks them: every parameter the layer has, each of its
    shape (PyTorch would broadcast a wrong one, or use its random initial weights).

    >>> from symproof import Conv2d
    >>> torch_evaluate(Conv2d(1, 1, 2, bias=False), [[[1.0, 2.0], [3.0, 4.0]]], [[[[1.0]]]])
    Traceback (most recent call last):
    ...
    symproof.errors.ShapeError: weight must have shape (1, 1, 2, 2), got (1, 1, 1, 1)
    """

    axes = len(layer.spec.axes)
    x = _floats("x", x, (axes + 1, axes + 2))
    layer.output_shape(*x.shape)  # PyTorch gets only what symproof accepts
    shapes = getattr(layer, "parameter_shapes", {})
    if len(parameters) != len(shapes):
        names = " and ".join(("weight", "bias")[:len(shapes)]) or "none"
        raise ParameterError("parameters", len(parameters),
                             f"must be the layer's parameters ({names})")
    arrays = []
    for name, value, shape in zip(("weight", "bias"), parameters, shapes.values()):
        value = _floats(name, value, (len(shape),))
        expected = tuple(int(n) for n in shape)
        if value.shape != expected:
            raise ShapeError(f"{name} must have shape {expected}, got {value.shape}")
        arrays.append(value)
    torch = torch_module()
    module = torch_layer(layer)
    with torch.no_grad():
        for name, value in zip(("weight", "bias"), arrays):
            getattr(module, name).copy_(torch.tensor(value))
        return module(torch.tensor(x)).numpy()
