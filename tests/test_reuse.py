"""Fingerprints of what a verdict depends on (claims/reuse.py): equal only for equal values,
and blind to caches that only speed up evaluation."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symproof import AvgPool2d, Conv2d, MaxPool2d, ReLU
from symproof.claims.reuse import fingerprint


def test_an_evaluated_layer_keeps_its_fingerprint():
    """Numeric plans kept on a layer after evaluate() are not part of what it is: a claim
    judged under it is reused under an equal layer, evaluated or not."""
    for make, x in ((lambda: AvgPool2d(2), np.ones((1, 4, 4))),
                    (lambda: MaxPool2d(3, stride=2, padding=1), np.ones((2, 7, 7))),
                    (lambda: ReLU(), np.ones(3))):
        used, fresh = make(), make()
        used.evaluate(x)
        assert fingerprint(used) is not None
        assert fingerprint(used) == fingerprint(fresh)
    conv = Conv2d(1, 1, 3, padding=1)
    conv.evaluate(np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), np.zeros(1))
    assert fingerprint(conv) == fingerprint(Conv2d(1, 1, 3, padding=1))


def test_different_layers_and_assumptions_never_share_a_fingerprint():
    assert fingerprint(AvgPool2d(2)) != fingerprint(AvgPool2d(3))
    assert fingerprint(AvgPool2d(2)) != fingerprint(AvgPool2d(2, count_include_pad=False,
                                                              padding=1))
    assert fingerprint(Conv2d(1, 1, 3)) != fingerprint(Conv2d(1, 1, 3, padding=1))
    assert fingerprint(sp.Symbol("k", positive=True)) != fingerprint(
        sp.Symbol("k", nonnegative=True))
    assert fingerprint(object()) is None
