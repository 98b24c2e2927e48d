"""The trusted kernel: the only code that grants PROVED, VERIFIED, SPOT_CHECKED or REFUTED.

Everything that earns a strong status runs one of the rules below on the claim itself:
symbolic ones (:mod:`.symbolic`, :mod:`.sums`, :mod:`.rules`) may PROVE; finite ones
(:mod:`.finite`, :mod:`.linear`) VERIFY, SPOT-CHECK or REFUTE, never prove a statement about all
values. :func:`prove` searches them. Each module documents why its rules are sound. What the
kernel trusts: SymPy's exact arithmetic, its ``expand``/``simplify`` returning 0 only for an
expression that is 0, its ``diff``, and its assumptions system; what it does not: SymPy's
summation where it errs (see :func:`safe_doit`), a ``simplify`` that does not reach 0 (never a
refutation by itself), floating point (never more than SPOT_CHECKED).

What a rule returns, by kind:

* a *decision* (:func:`prove`, :func:`identity`, :func:`counterexample`, :func:`exhaustive`,
  :func:`coefficient_matching`…) always returns an :class:`Outcome`, UNKNOWN when it decides
  nothing (a search that finds no counterexample says so; it never returns ``None``);
* a *fast path* returns an :class:`Outcome` or ``None`` when it does not apply, so that the
  caller takes the general path: :func:`exhaustive_linear` (``None``: not linear with affine
  indices, check case by case with :func:`exhaustive`; an UNKNOWN outcome there means "too
  large to run", which must not fall back), :func:`same_shape` (``None``: the shapes agree,
  go on to the entries) and :func:`tap_matching` (``None``: not read off affine indices, write
  the system out for :func:`coefficient_matching`);
* a *rewrite* (:func:`collapse_deltas`, :func:`reindex`, :func:`split_sum`,
  :func:`merge_sums`) returns ``(new expression, Outcome)``: the term it produced and the
  outcome that justifies the step to it.

Every result symproof hands back (these outcomes, proof steps, claim verdicts, syntheses,
solution sets) exposes the same :class:`Result` interface: ``outcome``, ``status``, ``ok``.
"""

import importlib

from .outcome import LEGEND, STANDS, STRONG, Outcome, Result, Status, weakest

# The rules load on first use: ``import symproof`` must stay as cheap as ``import sympy``, and
# most of it never needs the kernel's machinery.
_WHERE = {
    "Context": "context",
    **dict.fromkeys(("certainly_nonzero", "counterexample", "differs", "exhaustive",
                     "spot_check", "entry_of", "entries_of", "valued_entries"), "finite"),
    "instance_counterexample": "instances",
    "exhaustive_linear": "linear",
    "routed_derivative": "maxima",
    "reflected_derivative": "reflection",
    **dict.fromkeys(("coefficient_matching", "derivative", "differ", "differentiated",
                     "distinct_taps", "fails", "induction", "instantiate", "max_commutes",
                     "same_shape", "substituted", "substitution", "unreachable",
                     "write_primes"), "rules"),
    **dict.fromkeys(("divides", "prove"), "search"),
    **dict.fromkeys(("expand_sums", "safe_doit"), "sums"),
    "tap_matching": "taps",
    **dict.fromkeys(("case_split", "collapse_deltas", "divisible_floor", "identity",
                     "merge_sums", "normalize", "reindex", "split_sum"), "symbolic"),
}

__all__ = ["Status", "Outcome", "Result", "STRONG", "STANDS", "LEGEND", "weakest", *_WHERE]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
