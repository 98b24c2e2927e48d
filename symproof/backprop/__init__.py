"""MLP Jacobians and backpropagation for a general depth L and symbolic widths n_0 … n_L.

One module per concern, the dependencies pointing one way (formulas, arguments ← numeric ←
crosscheck):

* :mod:`.formulas` — the six matrix-level Jacobian formulas (:func:`derive`), the network's
  symbols and defining entries, and the kernel's index-level proof of a claimed formula
  (:func:`check_formula`);
* :mod:`.arguments` — what the numeric Jacobians take, by layer index: ``wrt`` as a
  :class:`Wrt` (``("A", ℓ)``, ``("b", ℓ)``, ``("y", ℓ)`` or ``"x"``) and the arrays ``x``,
  ``weights=[A_1, …, A_L]``, ``biases=[b_1, …, b_L]``; and the one adapter from the deprecated
  form (``wrt="A_2"``, one dict ``values``), which warns;
* :mod:`.numeric` — numbers from those formulas: :func:`jacobian` of an MLP on concrete arrays
  (the backward recursion, vectorised), and :func:`expression_jacobian` of a SymPy expression;
* :mod:`.upstream` — the chain rule through a windowed layer with an upstream gradient
  ``G = ∂L/∂Y``: :func:`through` (``Σ G·Y``) and :func:`gradient` (its derivative in an entry);
* :mod:`.conv` — backpropagation through ``Conv2d``: the three gradients and the
  transposed-convolution theorem proved by the kernel, the adjoint identity, and
  :func:`conv2d_backward` (numbers from those formulas);
* :mod:`.pool` — backpropagation through average and max pooling: the formulas, the kernel's
  proofs of them, and their numbers (:func:`avg_pool2d_backward`, :func:`max_pool2d_backward`);
* :mod:`.losses` — a scalar loss of a vector output (any n_L): the six backward formulas with
  ``g = ∂L/∂y_L`` (:func:`loss_formulas`, :func:`check_loss_formula`), mean squared error and
  softmax cross-entropy with their proved gradients (:func:`check_loss_gradient`), and their
  numbers (``jacobian(…, loss="mse" | "cross_entropy", target=…)``);
* :mod:`.crosscheck` — the evidence about the formulas: :func:`verify_exact` (exact, on small
  widths), :func:`finite_differences` and :func:`numeric_check` (against central differences or
  ``torch.autograd``).

Every name is re-exported here: ``from symproof.backprop import derive`` is the way to use them.

>>> from symproof import MLP
>>> from symproof.text import text
>>> print(text(derive()["dyl/dyl-1"].formula))
diag(σ'(A_ℓ·y_{ℓ-1} + b_ℓ))·A_ℓ
>>> jacobian(MLP((2, 1), "relu"), ("b", 1), x=[1.0, 2.0], weights=[[[3.0, 4.0]]], biases=[[0.5]])
array([[1.]])
"""

from .arguments import Wrt
from .conv import conv2d_backward
from .crosscheck import (
    finite_differences,
    loss_check,
    numeric_check,
    verify_exact,
    verify_loss_exact,
)
from .formulas import (
    Formula,
    L,
    Network,
    check_formula,
    defining_entries,
    derive,
    differentiated,
    ell,
    index_derivative,
    n,
    network_symbols,
    ranges,
)
from .losses import (
    LOSSES,
    check_loss_formula,
    check_loss_gradient,
    loss_definition,
    loss_formulas,
    loss_gradient,
    loss_gradients,
    loss_value,
)
from .numeric import activation_derivative, expression_jacobian, jacobian
from .pool import (
    avg_backward_formula,
    avg_pool2d_backward,
    max_backward_formula,
    max_pool2d_backward,
    prove_avg_backward,
    prove_max_backward,
)
from .upstream import G, gradient, through

__all__ = ["Formula", "Network", "derive", "network_symbols", "defining_entries",
           "differentiated", "index_derivative", "ranges", "check_formula", "n", "ell", "L",
           "Wrt", "jacobian", "expression_jacobian", "activation_derivative",
           "verify_exact", "finite_differences", "numeric_check", "G", "through", "gradient",
           "LOSSES", "loss_formulas", "check_loss_formula", "loss_definition", "loss_gradients",
           "check_loss_gradient", "loss_value", "loss_gradient", "verify_loss_exact",
           "loss_check", "conv2d_backward", "avg_backward_formula", "max_backward_formula",
           "prove_avg_backward", "prove_max_backward", "avg_pool2d_backward",
           "max_pool2d_backward"]
