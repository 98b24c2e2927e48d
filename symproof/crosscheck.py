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


def avg_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    import numpy as np

    if use_torch:
        torch = _torch()
        return torch.nn.functional.avg_pool2d(torch.tensor(np.asarray(x, float)[None]),
                                              kernel_size, stride)[0].numpy()
    from .layers import AvgPool2d

    return AvgPool2d(kernel_size, stride).evaluate(np.asarray(x, float))


def max_pool2d(x, kernel_size, stride=None, *, use_torch: bool = False):
    import numpy as np

    if use_torch:
        torch = _torch()
        return torch.nn.functional.max_pool2d(torch.tensor(np.asarray(x, float)[None]),
                                              kernel_size, stride)[0].numpy()
    from .layers import MaxPool2d

    return MaxPool2d(kernel_size, stride).evaluate(np.asarray(x, float))
