"""Reference numbers for numeric cross-checks: PyTorch when asked for, else symproof's own
vectorised layers (themselves cross-checked against PyTorch by the test suite).

PyTorch is imported only here and only on request: importing it costs seconds.
"""

from __future__ import annotations

from .errors import EvaluationError

__all__ = ["reference_name", "conv2d", "avg_pool2d", "max_pool2d"]


def _torch():
    try:
        import torch
    except ImportError as missing:
        raise EvaluationError(
            "the PyTorch cross-check needs PyTorch: pip install 'symproof[torch]' "
            "(CPU build: pip install torch==2.13.0)") from missing
    return torch


def reference_name(use_torch: bool) -> str:
    return "PyTorch" if use_torch else "symproof's vectorised layer (PyTorch not requested)"


def conv2d(x, weight, bias, *, stride=1, padding=0, dilation=1, use_torch: bool = False):
    """``F.conv2d`` on a (C, H, W) float array, as a NumPy array."""
    import numpy as np

    weight = np.asarray(weight, dtype=float)
    if use_torch:
        torch = _torch()
        out = torch.nn.functional.conv2d(
            torch.tensor(np.asarray(x, float)[None]), torch.tensor(weight),
            None if bias is None else torch.tensor(np.asarray(bias, float)),
            stride, padding, dilation)
        return out[0].numpy()
    from .layers import Conv2d

    layer = Conv2d(weight.shape[1], weight.shape[0], weight.shape[2:], stride=stride,
                   padding=padding, dilation=dilation, bias=bias is not None)
    return layer.evaluate(np.asarray(x, float), weight, bias)


def _pool(kind: str, x, kernel_size, stride, use_torch: bool):
    """``F.avg_pool2d`` / ``F.max_pool2d`` (``kind``) on a (C, H, W) float array."""
    import numpy as np

    x = np.asarray(x, float)
    if use_torch:
        torch = _torch()
        function = getattr(torch.nn.functional, f"{kind}_pool2d")
        return function(torch.tensor(x[None]), kernel_size, stride)[0].numpy()
    from .layers import AvgPool2d, MaxPool2d

    layer = {"avg": AvgPool2d, "max": MaxPool2d}[kind]
    return layer(kernel_size, stride).evaluate(x)


def avg_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    """Average pooling, from PyTorch or from symproof."""
    return _pool("avg", x, kernel_size, stride, use_torch)


def max_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    """Max pooling, from PyTorch or from symproof."""
    return _pool("max", x, kernel_size, stride, use_torch)
