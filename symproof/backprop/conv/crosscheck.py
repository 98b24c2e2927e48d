"""The backward formulas of ``Conv2d`` against PyTorch: :func:`autograd` (its gradients,
torch imported only when called) and :func:`autograd_check` (SPOT_CHECKED agreement of
:func:`~.numeric.conv2d_backward` with autograd, or with the formulas compiled entry by entry).
"""

from __future__ import annotations

from ...crosscheck import layer_tuple, torch_module
from ...kernel import Outcome, spot_check
from ...prose import Prose
from ...prose import size as size_of
from .numeric import conv2d_backward, formula_function
from .spec import checked
from .wording import layer_prose

__all__ = ["autograd", "autograd_check"]


def autograd(layer, x, weight, bias, grad_output):
    """``(grad_input, grad_weight, grad_bias)`` from ``torch.autograd`` (float64) for the
    layer's ``torch.nn.functional.conv2d``, as NumPy arrays."""
    torch = torch_module()
    layer = checked(layer)
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for a in (x, weight, bias)]
    out = torch.nn.functional.conv2d(
        tensors[0], tensors[1], tensors[2] if layer.bias else None,
        *(layer_tuple(pair) for pair in (layer.stride, layer.padding, layer.dilation)))
    grads = torch.autograd.grad(out, tensors if layer.bias else tensors[:2],
                                torch.tensor(grad_output, dtype=torch.float64))
    return tuple(g.numpy() for g in grads) + ((None,) if not layer.bias else ())


def autograd_check(layer, H: int, W: int, *, batch: int = 2, samples: int = 5, seed: int = 0,
                   use_torch: bool = False) -> Outcome:
    """SPOT_CHECKED when :func:`conv2d_backward` agrees with ``torch.autograd`` (or, without
    torch, with :func:`formula_values`, the formulas compiled entry by entry) on random
    ``x``, ``w``, ``b`` and ``G`` (tolerance 1e-9)."""
    import numpy as np

    layer = checked(layer)
    c_in, c_out = (int(layer.in_channels), int(layer.out_channels))
    kernel = tuple(int(v) for v in layer.kernel_size)
    shape = tuple(int(v) for v in layer.output_shape(batch, c_in, H, W))

    def sample(rng):
        return (rng.standard_normal((batch, c_in, H, W)),
                rng.standard_normal((c_out, c_in, *kernel)), rng.standard_normal(c_out),
                rng.standard_normal(shape))

    formulas = None if use_torch else formula_function(layer, H, W)

    def compare(x, weight, bias, grad):
        ours = conv2d_backward(layer, x, weight, grad)
        theirs = (autograd(layer, x, weight, bias, grad) if use_torch
                  else formulas(x, weight, grad))
        flat = [np.concatenate([a.ravel() for a in grads if a is not None])
                for grads in (ours, theirs)]
        return flat[0], flat[1]

    reference = "torch.autograd" if use_torch else "the formulas written out entry by entry"
    return spot_check(sample, compare, samples=samples, seed=seed, tolerance=1e-9,
                      description=Prose(f"the gradients computed tap by tap against {reference}"
                                        ", ", *layer_prose(layer).parts, ", on ",
                                        size_of(batch, c_in, H, W)),
                      cost=2 * batch * c_out * c_in * kernel[0] * kernel[1] * shape[2]
                      * shape[3])
