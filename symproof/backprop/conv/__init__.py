"""Backpropagation through ``Conv2d``: the three gradients, the theorem that the input's is a
``ConvTranspose2d`` of ``G``, the adjoint identity, and numbers from those formulas.

With the upstream gradient ``G = ∂L/∂Y`` (:mod:`.upstream`), for a ``Conv2d`` with any
``C_in``, ``C_out``, ``f1 × f2``, ``S``, ``P``, ``D`` (symbols or numbers; ``groups = 1``), in
the DESIGN convention (1-based, X is 0 outside its index range):

* ``∂L/∂b_l = Σ_{i,j} G_{l,i,j}``;
* ``∂L/∂w_{l,γ,α,β} = Σ_{i,j} G_{l,i,j} X_{γ, S(i−1)+D(α−1)+1−P, S(j−1)+D(β−1)+1−P}``;
* ``∂L/∂X_{γ,p,q} = Σ_{l,i,j,α,β} G_{l,i,j} w_{l,γ,α,β} δ_{p, S(i−1)+D(α−1)+1−P}
  δ_{q, S(j−1)+D(β−1)+1−P}`` for ``1 ≤ p ≤ H``, ``1 ≤ q ≤ W``;

each PROVED by the kernel's differentiation of ``Σ G·Y`` (:func:`prove`). The input gradient is
the element formula of ``ConvTranspose2d(C_out, C_in, (f1, f2), S, P, D, output_padding=op)``
with the same weights applied to ``G`` (:func:`prove_transposed`), ``op`` restoring the input
size (:func:`output_padding`); for ``S = 1`` it is the full correlation of ``G`` with the
flipped kernel (:func:`prove_full_correlation`). :func:`conv2d_backward` computes the numbers
from these formulas (the transposed layer for the input, one contraction per tap for the
weights).

>>> from symproof import Conv2d
>>> prove(Conv2d(2, 3, (2, 3), stride=2), "b").status.name
'PROVED'

One module per concern, the dependencies pointing one way (spec ← formulas ← proofs ← wording;
formulas ← written ← exact, numeric ← crosscheck):

* :mod:`.spec` — the layer (one group), the gradients' names and entries, the output size, the
  ``--set`` table of the convolution (:data:`PARAMETERS`);
* :mod:`.formulas` — the formulas as expressions: the three gradients, the transposed layer and
  its output padding, the full correlation, the two sides of the adjoint identity;
* :mod:`.proofs` — the kernel's verdicts on them, and what they assume (:func:`context`);
* :mod:`.wording` — the layer and the size-restoring steps in words, for worked problems;
* :mod:`.written` — the formulas written out exactly on a concrete layer (:func:`instantiated`);
* :mod:`.exact` — VERIFIED on a concrete layer against the derivative written out
  (:func:`verify_exact`);
* :mod:`.numeric` — numbers: :func:`conv2d_backward`, and the formulas compiled
  (:func:`formula_values`, :func:`formula_function`);
* :mod:`.crosscheck` — against ``torch.autograd`` (:func:`autograd`, :func:`autograd_check`).

Every public name is re-exported here: ``from symproof.backprop.conv import prove``.
"""

from .crosscheck import autograd, autograd_check
from .exact import verify_exact
from .formulas import (
    adjoint_sides,
    formula,
    formulas,
    full_correlation,
    output_padding,
    sizes_with_output,
    transposed,
    transposed_gradient,
)
from .numeric import conv2d_backward, formula_function, formula_values
from .proofs import (
    context,
    prove,
    prove_adjoint,
    prove_full_correlation,
    prove_output_size,
    prove_transposed,
)
from .spec import NAMES, PARAMETERS, entry, output_size
from .spec import p as p  # the entry X_{γ,p,q}: public, as before the split
from .spec import q as q
from .wording import layer_prose, restore_steps
from .written import instantiated

__all__ = ["NAMES", "entry", "formula", "formulas", "context", "prove", "output_size",
           "output_padding", "transposed", "transposed_gradient", "prove_transposed",
           "prove_output_size", "layer_prose", "restore_steps", "full_correlation",
           "prove_full_correlation", "PARAMETERS",
           "adjoint_sides", "prove_adjoint", "sizes_with_output", "instantiated",
           "verify_exact", "formula_values", "formula_function", "autograd", "autograd_check",
           "conv2d_backward"]
