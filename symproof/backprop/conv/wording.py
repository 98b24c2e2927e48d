"""The backward pass of ``Conv2d`` in words, for worked problems and check descriptions: the
layer's sizes (:func:`layer_prose`) and the steps showing that the transposed layer's output
padding restores the input size (:func:`restore_steps`).
"""

from __future__ import annotations

import sympy as sp

from ... import notation as nt
from ...kernel.floors import remainder_bounds
from ...prose import Prose
from ...prose import size as size_of
from .formulas import output_padding
from .proofs import prove_output_size
from .spec import checked, output_size

__all__ = ["layer_prose", "restore_steps"]


def layer_prose(layer) -> Prose:
    """The layer's sizes in words: ``C_in`` input and ``C_out`` output channels, an
    ``f1 × f2`` kernel, stride, padding and dilation (as symbols or numbers)."""
    layer = checked(layer)
    win = layer.window
    pair = [v[0] if v[0] == v[1] else size_of(*v) for v in (win.stride, win.padding,
                                                          win.dilation)]
    return Prose(layer.in_channels, " input and ", layer.out_channels, " output channels, a "
                 "kernel of size ", size_of(*win.kernel_size), ", stride ", pair[0],
                 ", padding ", pair[1], " and dilation ", pair[2])


def restore_steps(proof, layer, names: tuple) -> None:
    """Append to ``proof``, per axis: the output padding ``o = n mod S`` (GIVEN, its
    definition), the size rule of the transposed layer restoring the input size (PROVED,
    :func:`prove_output_size`) and ``0 ≤ o ≤ S − 1`` (PROVED, the kernel's remainder bounds).
    ``names`` are the symbols the proof writes the output sizes with (H_out, W_out)."""
    layer = checked(layer)
    win = layer.window
    sizes = output_size(layer)
    for axis, (pad, outcome, n) in enumerate(zip(output_padding(layer),
                                                 prove_output_size(layer), (nt.H, nt.W))):
        out, op = names[axis], sp.Symbol(f"o_{axis + 1}", integer=True)
        f, s, p_, d = (win.kernel_size[axis], win.stride[axis], win.padding[axis],
                       win.dilation[axis])
        span = n + 2 * p_ - d * (f - 1) - 1
        proof.given(sp.Eq(op, span - s * sp.floor(span / s), evaluate=False),
                    Prose("the output padding along the ", ("rows", "columns")[axis],
                          ": the remainder of ", span, " by ", s),
                    short_reason="the output padding")
        proof.add(sp.Eq((out - 1) * s - 2 * p_ + d * (f - 1) + op + 1, n, evaluate=False),
                  Prose("the transposed layer's size rule (PyTorch's) with ", op, " and ",
                        sp.Eq(out, sizes[axis], evaluate=False), " restores ", n),
                  outcome, short_reason="the output size is restored")
        proof.add(sp.Le(op, s - 1),
                  Prose("a remainder by ", s, " lies in ", sp.Le(0, op), " and below ", s,
                        ", as the transposed layer requires"),
                  remainder_bounds(pad, s), short_reason="a remainder")
