"""Claims about the gradient of a loss on a vector output (softmax cross-entropy, MSE), judged.

Under ``%! symproof softmax-cross-entropy classes=n [target=onehot|probability|any] [loss=L]``
(or ``mse classes=n …``), a claim ``\\frac{\\partial L}{\\partial z_j} = p_j - t_j`` (``∂L/∂y_j``
for the MSE) is measured against the one definition of the loss,
:func:`symproof.backprop.losses.loss_definition`, differentiated by the kernel in ``z_j``
(``y_j``). The names the directive binds: the logits ``z`` (the output ``y`` for the MSE), the
target ``t``, the softmax ``p_k = e^{z_k}/Σ_m e^{z_m}`` (cross-entropy only), the number of
classes (``classes=n`` binds n, or gives a number) and the loss's names. Any other name leaves
the claim UNKNOWN, naming it; never REFUTED.

``target=probability`` assumes ``Σ_k t_k = 1``; ``target=onehot`` reads ``t_k`` as
``δ_{k,c}`` (a class ``c`` in range); ``target=any`` (the default) assumes nothing of ``t``.

The document's letters: ``logits=a probs=q target-name=y`` (cross-entropy) and ``output=o
target-name=y`` (MSE) name the vectors (one ASCII letter each, all different, none the loss's,
the classes' or a name of the definition); a softmax the document defines,
``q_i = \\frac{e^{a_i}}{\\sum_k e^{a_k}}``, names the logits and the softmax the directive
leaves unnamed (:func:`with_defined_letters`). An accented letter (``\\hat{y}_j``) is read as
its letter, so a claim writing one is UNKNOWN, never judged as another vector.

When the kernel's rules decide nothing, wrong claims are searched for at admissible points
only (:func:`_instances`, checked again by
:func:`~symproof.kernel.instances.instance_counterexample`): 2, 3, 4 classes for a symbolic
number, every entry index, logits small integers, targets exactly on the simplex (rationals
≥ 0 summing to 1) or one-hot with a class in range; the counterexample shows the number of
classes, the index, every entry and both sides' values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import sympy as sp

from ..backprop.losses import (
    LOSSES,
    c,
    k,
    loss_definition,
    m,
    p_base,
    softmax_entry,
    t_base,
    variable,
    width,
    y_base,
    z_base,
)
from ..errors import ParameterError, TooLargeError
from ..kernel import (
    Context,
    case_split,
    derivative,
    differentiated,
    expand_sums,
    instance_counterexample,
    prove,
)
from ..params import size_from_text, symbols
from ..proof import Outcome, Status
from .vocabulary import bare_sum_bounds, directive_fields, settled, unbounded_sums

__all__ = ["LOSS_KINDS", "LETTER_FIELDS", "LossDirective", "is_loss_directive",
           "loss_from_words", "letters_problem", "with_defined_letters", "judge_loss_claim"]

#: The directive kinds of loss contexts, and the loss of :mod:`symproof.backprop.losses`.
LOSS_KINDS = {"softmax-cross-entropy": "cross_entropy", "mse": "mse"}
#: The fields that name the document's letters for the loss's vectors, with the model's own
#: letter, and the losses that have that vector.
LETTER_FIELDS = {"logits": ("z", ("cross_entropy",)), "probs": ("p", ("cross_entropy",)),
                 "target-name": ("t", ("cross_entropy", "mse")), "output": ("y", ("mse",))}
_FIELDS = ("classes", "target", "loss", *LETTER_FIELDS)
_TARGETS = ("any", "probability", "onehot")
#: Names the loss's definition uses (its sums' indices, the one-hot class, the width n_L): an
#: entry's index named so would be captured by them.
_RESERVED = frozenset(s.name for s in (k, m, c, *width.free_symbols) if isinstance(s, sp.Symbol))
#: The model's vector of each letter field.
_BASES = {"logits": z_base, "probs": p_base, "target-name": t_base, "output": y_base}


@dataclass(frozen=True)
class LossDirective:
    """What a loss directive binds: the loss, the number of classes (a number, or the
    document's name for it), the target model, the loss's names and the document's letters
    for the vectors (``(field, letter)`` pairs; a field not named keeps the model's letter:
    logits z, probs p, target t, output y)."""

    loss: str
    classes: sp.Basic
    target: str = "any"
    names: tuple[str, ...] = ("L", "E")
    letters: tuple[tuple[str, str], ...] = ()
    #: the letter fields read off a softmax the document defines (not named by the directive)
    inferred: tuple[str, ...] = ()

    def letter(self, field: str) -> str:
        """The document's letter for the vector of a letter field."""
        return dict(self.letters).get(field, LETTER_FIELDS[field][0])

    @property
    def arrays(self) -> dict[str, sp.IndexedBase]:
        """The vectors a claim may name, by the document's letter."""
        return {self.letter(field): _BASES[field] for field, (_, losses) in
                LETTER_FIELDS.items() if self.loss in losses}

    @property
    def variable_letter(self) -> str:
        """The letter of what the loss is differentiated in: the logits, or the output."""
        return self.letter("logits" if self.loss == "cross_entropy" else "output")

    @property
    def size(self) -> sp.Basic:
        """The width of the vectors: the number given, or the model's ``n_L``."""
        return self.classes if isinstance(self.classes, sp.Integer) else width


def is_loss_directive(words: tuple[str, ...]) -> bool:
    """Whether a directive's words name a loss context."""
    return bool(words) and words[0].lower() in LOSS_KINDS


def loss_from_words(words: tuple[str, ...]) -> LossDirective:
    """``softmax-cross-entropy classes=n target=onehot loss=L logits=a probs=q`` as a
    :class:`LossDirective`; a field it does not take, a repeated field or a value outside its
    grammar is refused."""
    given, _ = directive_fields(words[0], words[1:], _FIELDS)
    if "classes" not in given:
        raise ParameterError("classes", None, f"must be given: {words[0]} classes=n (the "
                                              "number of outputs)")
    classes = size_from_text("classes", given["classes"], bounded=True)
    if isinstance(classes, int) and classes < 1:  # no entry j ≤ 0: every claim vacuous
        raise ParameterError("classes", classes, "must be a positive integer")
    classes = sp.Integer(classes) if isinstance(classes, int) else classes
    target = given.get("target", "any")
    if target not in _TARGETS:
        raise ParameterError("target", target, f"must be one of {', '.join(_TARGETS)}")
    names = LossDirective.names
    if "loss" in given:
        names = tuple(given["loss"].split(","))
        for name in names:
            if not re.fullmatch(r"[A-Za-z]", name):
                raise ParameterError("loss", name, "must be one letter (comma-separated)")
    if str(classes) in names:
        raise ParameterError("classes", classes, "must differ from the loss's names ("
                             f"{', '.join(names)}): one letter, two meanings")
    loss = LOSS_KINDS[words[0].lower()]
    letters = tuple((field, given[field]) for field in LETTER_FIELDS if field in given)
    directive = LossDirective(loss, classes, target, names, letters)
    own = [field for field, (_, losses) in LETTER_FIELDS.items() if loss in losses]
    problem = letters_problem(directive, dict.fromkeys([f for f, _ in letters] + own))
    if problem:
        raise ParameterError(*problem)
    return directive


def letters_problem(directive: LossDirective, fields) -> tuple[str, str, str] | None:
    """``(field, letter, rule)`` for the first of ``fields`` whose letter the directive
    cannot take (not one ASCII letter, a vector this loss does not have, the letter of
    another vector, of the loss, of the classes or of a name the definition uses), or
    None."""
    arrays = [directive.letter(f) for f, (_, losses) in LETTER_FIELDS.items()
              if directive.loss in losses]
    for field in fields:
        letter = directive.letter(field)
        if directive.loss not in LETTER_FIELDS[field][1]:
            return field, letter, f"names a vector {_kind(directive)} does not have (its " \
                "fields: " + ", ".join(f for f, (_, losses) in LETTER_FIELDS.items()
                                       if directive.loss in losses) + ")"
        if not re.fullmatch(r"[A-Za-z]", letter, flags=re.ASCII):
            return field, letter, "must be one letter"
        if arrays.count(letter) > 1:
            return field, letter, "must differ from the letters of the other vectors (" + \
                ", ".join(f"{f}={directive.letter(f)}" for f, (_, losses) in
                          LETTER_FIELDS.items() if directive.loss in losses) + ")"
        if letter in directive.names or letter == str(directive.classes) or \
                letter in _RESERVED:
            return field, letter, ("must differ from the loss's names, the number of classes "
                                   "and the names the definition uses ("
                                   f"{', '.join(sorted(_RESERVED))})")
    return None


# a softmax written out: q_i = \frac{e^{a_i}}{\sum_k e^{a_k}} (or \exp(a_i), \exp{a_i}). No
# two neighbouring parts can match the same spaces: a document's long run of them costs a
# linear scan, not a quadratic one.
_EXP = r"(?:e\s*\^\s*(?:\{\s*)?|\\exp\s*(?:\\left\s*)?[({]\s*)"
_SOFTMAX = re.compile(
    r"(?<![A-Za-z\\])(?P<probs>[A-Za-z])\s*_\s*(?:\{\s*)?(?P<i>[A-Za-z])(?:\s*\})?\s*=\s*"
    r"\\frac\s*\{\s*" + _EXP + r"(?P<logits>[A-Za-z])\s*_\s*(?:\{\s*)?(?P=i)(?:\s*\})?"
    r"[^{}]*\}\s*\{\s*\\sum[^{}]*(?:\{[^{}]*\}[^{}]*)*?" + _EXP + r"(?P=logits)\s*_")


def _decorated(text: str, start: int) -> bool:
    """Whether the letter at ``start`` is an argument (``\\hat y_j``, ``\\hat{y}_j``): the reader
    drops such accents, so ŷ and y would pass for one letter; not inferred from."""
    before = text[:start].rstrip()
    return before.endswith("{") or re.search(r"\\[A-Za-z]+$", before) is not None


def with_defined_letters(directive: LossDirective, text: str) -> LossDirective:
    """The directive with the letters of a softmax the document defines
    (``q_i = \\frac{e^{a_i}}{\\sum_k e^{a_k}}``: probs q, logits a) for the fields it does not
    name itself; unchanged when there is none, or when those letters do not fit
    (:func:`letters_problem`: claims naming them then stay UNKNOWN, naming them)."""
    if directive.loss != "cross_entropy":
        return directive
    found = next((f for f in _SOFTMAX.finditer(text) if not _decorated(text, f.start())), None)
    if found is None:
        return directive
    named = dict(directive.letters)
    inferred = {field: found.group(field) for field in ("probs", "logits")
                if field not in named}
    if not inferred:
        return directive
    # a letter the model already uses gives the definition no meaning it did not have
    renamed = tuple(f for f, letter in inferred.items() if letter != LETTER_FIELDS[f][0])
    candidate = replace(directive, letters=(*directive.letters, *inferred.items()),
                        inferred=renamed)
    return directive if letters_problem(candidate, inferred) else candidate


# --- judging ---------------------------------------------------------------------------------

Reader = Callable[[str], sp.Basic]
# an entry written with one subscript, as the reader names it: p_j, t_{k}, z_1
_SUBSCRIPTED = re.compile(r"(?P<base>[A-Za-z]+)_\{?(?P<index>[A-Za-z]|[0-9]+)\}?")


# an accented letter (ŷ, ỹ, ȳ): the reader drops the accent
_ACCENTED = re.compile(r"\\(?P<accent>hat|widehat|tilde|widetilde|bar|overline|check|breve|"
                       r"dot|ddot)\s*(?:\{\s*)?(?P<letter>[A-Za-z])")


def judge_loss_claim(found: tuple[str, str] | None, lhs: str, rhs: str,
                     directive: LossDirective, read: Reader) -> tuple[Outcome, str, dict]:
    """The kernel's outcome on a claim under a loss directive, the reason, and evidence:
    ``∂L/∂z_j = …`` (``found``: the loss and entry its left side differentiates, read by
    :func:`~symproof.claims.backward.loss_derivative`) against the derivative of the loss's
    definition, ``p_j = …`` against the softmax; anything else is UNKNOWN (the directive
    reads only these)."""
    accented = _ACCENTED.search(f"{lhs} = {rhs}")
    if accented:
        written = f"\\{accented.group('accent')}{{{accented.group('letter')}}}"
        return _unknown(f"{written} is read as {accented.group('letter')} (the accent "
                        "is dropped), which may be another vector: write it with a letter of its "
                        "own and name it in the directive (logits=, probs=, target-name=, "
                        "output=)")
    if found is None:
        return _softmax_definition(lhs, rhs, directive, read)
    loss, wrt = found
    if loss not in (*directive.names, "\\mathcal{L}"):
        return _unknown(f"the loss {loss} is not bound (the directive's loss is "
                        f"{', '.join(directive.names)}; name it with loss=…)")
    wanted = directive.variable_letter
    index, why = _entry_index(wrt, wanted, directive, f"∂{loss}/∂{wrt}: under "
                              f"{_kind(directive)} only the gradient in an entry {wanted}_j "
                              "(an index name) is read")
    if why:
        return _unknown(why)
    # the document's own index letter: another (the model's j) could clash with a sum's
    j = _index_symbol(index)
    claimed, why = _entries(read(rhs), directive, {index: j})
    if why:
        return _unknown(why)
    try:
        outcome = _decided(directive, j, claimed)
    except TooLargeError as error:
        return _unknown(f"not decided: {error}", "size limit")
    reason = (f"against the derivative in {wanted}_{index} of the {LOSSES[directive.loss]}, "
              f"{directive.classes} classes (target: {directive.target})")
    if directive.target == "probability" and directive.size.is_Integer:
        reason += f" with t_{directive.size} = 1 − Σ_(k<{directive.size}) t_k"
    if directive.letters:
        reason += " (the document's " + ", ".join(
            f"{letter} for {LETTER_FIELDS[field][0]}" for field, letter in directive.letters) + ")"
    return _reported(outcome, reason)


def _decided(directive: LossDirective, j: sp.Symbol, claimed: sp.Expr
             ) -> Outcome:
    """The kernel's outcome on ``∂L/∂v_j = claimed`` (v = z or y) under the directive's
    target model; unless its rules prove it, its search over admissible instances
    (:func:`_instances`), whose counterexample (the number of classes, every entry and both
    sides' values) is shown rather than the general search's."""
    outcome = _kernel_decided(directive, j, claimed)
    if outcome.status in (Status.PROVED, Status.VERIFIED):
        return outcome
    outcome = _admissible(outcome, directive)
    defined = loss_definition(directive.loss, directive.target).xreplace({width: directive.size})
    return _searched(directive, j, differentiated(defined, variable(directive.loss)[j]),
                     claimed, outcome)


def _searched(directive: LossDirective, j: sp.Symbol, lhs: sp.Expr, claimed: sp.Expr,
              outcome: Outcome) -> Outcome:
    """``outcome`` (the kernel's rules on ``lhs = claimed``), or the counterexample the
    kernel confirms at one of the admissible instances (:func:`_instances`), shown in the
    document's letters."""
    found = instance_counterexample(
        lhs, claimed, _target_context(directive, j, summed=True), _instances(directive, j),
        nonnegative=(t_base,) if directive.target == "probability" else (),
        shown_as={width: str(directive.classes), j: _written_index(j),
                  **{_BASES[field]: letter for field, letter in directive.letters}})
    return found if found.status is Status.REFUTED else outcome


def _admissible(outcome: Outcome, directive: LossDirective) -> Outcome:
    """``outcome``, except a refutation by the kernel's general search for a probability
    target: that search knows ``Σ_k t_k = 1`` but not ``t_k ≥ 0``, so its counterexample may
    be no probability vector (``p_j − |t_j|`` was refuted at t = (4, −3)). Refutations then
    come from the admissible instances only (:func:`_searched`)."""
    if outcome.status is not Status.REFUTED or directive.target != "probability":
        return outcome
    return Outcome(Status.UNKNOWN, outcome.tactic, "the kernel's counterexample search does "
                   "not keep the target's entries ≥ 0; no admissible counterexample found")


def _target_context(directive: LossDirective, j: sp.Symbol, summed: bool = False) -> Context:
    """The entry's index in range, the one-hot class in range, and ``Σ_k t_k = 1`` for a
    probability target (for a number of classes only with ``summed``: the kernel's rules
    get it written out instead, :func:`_summing_to_one`)."""
    size = directive.size
    relations = [sp.Le(j, size)]
    if directive.target == "onehot":
        relations.append(sp.Le(c, size))
    if directive.target == "probability" and (summed or not size.is_Integer):
        relations.append(sp.Eq(sp.Sum(t_base[k], (k, 1, size)), 1))
    return Context(relations)


def _kernel_decided(directive: LossDirective, j: sp.Symbol, claimed: sp.Expr) -> Outcome:
    """The kernel's rules on the claim: its derivative, then its search."""
    defined = loss_definition(directive.loss, directive.target).xreplace({width: directive.size})
    entry, size = variable(directive.loss)[j], directive.size
    context = _target_context(directive, j)
    if directive.target == "probability" and size.is_Integer:  # Σ_k t_k = 1 written out
        return _summing_to_one_decided(differentiated(defined, entry), claimed, j, size,
                                       context)
    outcome = derivative(defined, entry, claimed, context)
    if outcome.status is not Status.UNKNOWN:
        return outcome
    lhs, rhs = differentiated(defined, entry), claimed
    # the kernel's search, a counterexample too (one that respects every assumption)
    return prove(sp.Eq(lhs, rhs, evaluate=False), context=context)


#: The numbers of classes tried when the directive names them by a letter, the draws per
#: number and entry index, and the largest number of classes given as a number that is
#: tried: small, so that writing the sums out (every entry index, every draw) stays cheap.
_SIZES, _DRAWS, _LARGEST = (2, 3, 4), 3, 6


def _instances(directive: LossDirective, j: sp.Symbol) -> Iterator[tuple[dict, dict]]:
    """Points the claim is tried at, each admissible by construction (the kernel checks them
    again): N classes (the directive's number, else 2, 3, 4), every entry index j ≤ N, the
    logits (outputs) small integers (all 0 first: the softmax is then 1/N exactly) and the
    target as the directive assumes it: exact rationals ≥ 0 summing to 1 (probability), a
    class c ≤ N (one-hot), anything (any)."""
    rng = random.Random(0)
    if directive.size.is_Integer:  # larger numbers of classes: the kernel's rules only
        sizes = (int(directive.size),) if directive.size <= _LARGEST else ()
    else:
        sizes = _SIZES
    inputs = variable(directive.loss)
    for size in sizes:
        for draw in range(_DRAWS):
            for index in range(1, size + 1):
                scalars = {j: sp.Integer(index)}
                if not directive.size.is_Integer:
                    scalars[width] = sp.Integer(size)
                entries = {inputs[i]: sp.Integer(0 if draw == 0 else rng.randint(-2, 2))
                           for i in range(1, size + 1)}
                if directive.target == "onehot":
                    scalars[c] = sp.Integer(rng.randint(1, size))
                else:
                    entries.update(zip((t_base[i] for i in range(1, size + 1)),
                                       _target(directive.target, size, draw, rng)))
                yield scalars, entries


def _target(target: str, size: int, draw: int, rng: random.Random) -> list[sp.Rational]:
    """A target of ``size`` entries: for a probability, exact rationals ≥ 0 summing to 1
    (one-hot at the first class in the first draw, then random weights normalised); else
    small integers."""
    if target != "probability":
        return [sp.Integer(rng.randint(-2, 2)) for _ in range(size)]
    weights = [int(i == 0) for i in range(size)] if draw == 0 else [
        rng.randint(0, 3) for _ in range(size)]
    if not any(weights):
        weights[rng.randrange(size)] = 1
    total = sum(weights)
    values = [sp.Rational(w, total) for w in weights]
    assert all(v >= 0 for v in values) and sum(values) == 1  # on the simplex, exactly
    return values


def _summing_to_one_decided(lhs: sp.Expr, rhs: sp.Expr, j: sp.Symbol, size: sp.Integer,
                            context: Context) -> Outcome:
    """``lhs = rhs`` for every target of N = ``size`` entries summing to 1: PROVED by the
    kernel's case split j = N / j ≠ N (``t_N`` written out where the index is N); else the
    kernel's search (``t_N`` written out, so its counterexample is such a target)."""
    lhs, rhs = _summing_to_one(lhs, size), _summing_to_one(rhs, size)
    split = case_split(lhs, rhs, sp.Eq(j, size), context)
    if split.status is Status.PROVED:
        return split
    return prove(sp.Eq(lhs, rhs, evaluate=False), context=context)


def _summing_to_one(expr: sp.Expr, size: sp.Integer) -> sp.Expr:
    """``expr`` for a probability target of N = ``size`` classes: ``t_N = 1 − Σ_{k<N} t_k``
    written in (the targets summing to 1 are exactly these, so every counterexample the
    kernel finds is one); an entry ``t_i`` at an index that may be N is ``t_N`` there."""
    rest = 1 - sum(t_base[i] for i in range(1, int(size)))

    def last(entry: sp.Indexed) -> sp.Expr:
        index = entry.indices[0]
        if index.is_Integer:
            return rest if index == size else entry
        return sp.Piecewise((rest, sp.Eq(index, size)), (entry, True))

    return expand_sums(expr).replace(lambda e: isinstance(e, sp.Indexed) and e.base == t_base,
                                     last)


def _entry_index(text: str, letter: str, directive: LossDirective, unread: str
                 ) -> tuple[str, str]:
    """The index name of an entry ``letter_j`` written ``text`` (a derivative's entry, the
    softmax's left side), or why it is not read: ``unread`` for another entry or a number,
    an index named like the classes or a name the definition uses (which would capture it)."""
    entry = _SUBSCRIPTED.fullmatch(text.replace(" ", ""))
    if entry is None or entry.group("base") != letter or entry.group("index").isdigit():
        return "", unread
    index = entry.group("index")
    if index == str(directive.classes):
        return "", f"{index} names both the number of classes and the entry's index"
    return index, ""


def _written_index(j: sp.Symbol) -> str:
    """The index as the document writes it (k for the primed k' of :func:`_index_symbol`)."""
    return j.name.rstrip("'")


def _index_symbol(index: str) -> sp.Symbol:
    """The entry's index as a positive integer symbol. A letter the loss's definition uses
    (its sums' k and m, the one-hot class c, the L of n_L: Bishop writes ∂E/∂a_k) is primed
    (k'), so that the definition's own k can never capture it."""
    if index in _RESERVED:
        return sp.Symbol(f"{index}'", integer=True, positive=True)
    return symbols(index)


def _softmax_definition(lhs: str, rhs: str, directive: LossDirective, read: Reader
                        ) -> tuple[Outcome, str, dict]:
    """``p_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}``: the document's softmax against the
    directive's (PROVED when they agree); another claim is not read here."""
    probs = directive.letter("probs")
    index, why = _entry_index(lhs, probs, directive, f"under {_kind(directive)} only gradient "
                              f"claims ∂L/∂{directive.variable_letter}_j" + (
                                  f" and the softmax {probs}_j" if directive.loss ==
                                  "cross_entropy" else "") + " are read")
    if why or directive.loss != "cross_entropy":
        return _unknown(why)
    j = _index_symbol(index)
    claimed, why = _entries(read(rhs), directive, {index: j})
    if why:
        return _unknown(why)
    softmax = softmax_entry(j).xreplace({width: directive.size})
    # the target model too: a claim may write t (p_j = softmax_j · Σ_k t_k, a probability's)
    outcome = prove(sp.Eq(softmax, claimed, evaluate=False),
                    context=_target_context(directive, j, summed=True))
    if outcome.status not in (Status.PROVED, Status.VERIFIED):
        outcome = _searched(directive, j, softmax, claimed, _admissible(outcome, directive))
    logits = directive.letter("logits")
    if directive.inferred and outcome.status is Status.PROVED:
        # the document's own definition gave its letters the softmax's meaning: proving it
        # against that meaning would be circular
        reason = (f"the document's definition of the softmax: {probs} = softmax({logits}), "
                  "the letters the loss claims are read in")
        return Outcome(Status.GIVEN, "definition", reason), reason, {}
    return _reported(outcome, f"against the softmax {probs}_j = exp({logits}_j)/Σ_m "
                              f"exp({logits}_m) the directive binds {probs} to")


def _entries(expr: sp.Basic, directive: LossDirective, free: dict[str, sp.Symbol]
             ) -> tuple[sp.Basic, str]:
    """The claim's right side in the model's terms (``p_k`` → the softmax, ``t_k`` →
    ``δ_{k,c}`` for one-hot targets, bare sums over 1 … classes, the classes' name as the
    width), or why not: a name nothing binds."""
    expr = _rebound(expr, set(free))
    by_name = {s.name: s for s in expr.atoms(sp.Symbol)}
    indices = {name: free.get(name, by_name.get(name)) for name in by_name}
    swap, unbound = {}, []
    for symbol in expr.free_symbols | {s for s in expr.atoms(sp.Symbol)}:
        written = _SUBSCRIPTED.fullmatch(symbol.name)
        if written is None:
            continue
        base = directive.arrays.get(written.group("base"))
        if base is None:
            unbound.append(symbol.name)
            continue
        index = written.group("index")
        value = sp.Integer(index) if index.isdigit() else (indices.get(index)
                                                          or sp.Symbol(index, integer=True))
        swap[symbol] = base[value]
    if unbound:
        return sp.S.Zero, (f"{', '.join(sorted(unbound))} {'is' if len(unbound) == 1 else 'are'}"
                           " not bound by the directive")
    # the classes, while the claim is read, as a positive integer of their own (the model's
    # n_L has symbols of its own, which the document's letters must not pass for)
    classes = sp.Dummy("classes", integer=True, positive=True)
    expr = expr.xreplace(swap).xreplace({s: classes for s in expr.free_symbols if isinstance(
        s, sp.Symbol) and s.name == str(directive.classes)})
    expr = expr.xreplace({s: free[s.name] for s in expr.free_symbols
                          if isinstance(s, sp.Symbol) and s.name in free})
    shapes = {base: (classes,) for base in directive.arrays.values()}
    expr = settled(bare_sum_bounds(expr, shapes))
    if unbounded_sums(expr):
        return sp.S.Zero, unbounded_sums(expr)
    allowed = {classes, *free.values(), *(base.label for base in directive.arrays.values())}
    loose = sorted(s.name for s in expr.free_symbols
                   if isinstance(s, sp.Symbol) and s not in allowed)
    if loose:
        return sp.S.Zero, (f"{', '.join(loose[:3])} {'is' if len(loose) == 1 else 'are'} not "
                           "bound (neither the entry's index nor a name the directive binds)")
    outside = _outside(expr, classes, directive.size)
    if outside:
        return sp.S.Zero, outside
    expr = expr.xreplace({classes: directive.size})
    calls = sorted({f.func.__name__ for f in expr.atoms(sp.core.function.AppliedUndef)})
    if calls:
        return sp.S.Zero, f"{', '.join(calls)} is not bound by the directive"
    return expr.replace(lambda e: isinstance(e, sp.Indexed), lambda e: _unfolded(e, directive)
                        ), ""


def _rebound(expr: sp.Basic, names: set[str]) -> sp.Basic:
    """``expr`` with every sum that binds one of ``names`` (the entry's free index) over a
    letter of its own, its body's entries renamed with it: ``p_j \\sum_{j} t_j - t_j`` reads
    ``p_j Σ_a t_a − t_j``. The reader writes ``t_j`` as one symbol, which the free index's
    name would otherwise claim inside the sum too (``n t_j``: a true claim refuted)."""
    used = {letter for s in expr.atoms(sp.Symbol) for letter in re.findall(r"[A-Za-z]", s.name)}
    spare = [letter for letter in "abdefghiqrsuvwxyzABDFHIJKMNOQRSUVWXYZ"
             if letter not in used | names | _RESERVED]

    def renamed(total: sp.Sum) -> sp.Sum:
        body, limits_ = total.function, []
        for variable_, low, high in total.limits:
            if variable_.name not in names or not spare:
                limits_.append((variable_, low, high))
                continue
            letter = spare.pop(0)
            fresh = sp.Symbol(letter, **variable_.assumptions0)
            body = body.xreplace({variable_: fresh, **{
                s: sp.Symbol(f"{found.group('base')}_{letter}", **s.assumptions0)
                for s in body.atoms(sp.Symbol)
                for found in [_SUBSCRIPTED.fullmatch(s.name)]
                if found and found.group("index") == variable_.name}})
            # the limits inside this one (listed before it) may run up to it
            limits_ = [(v, lo.xreplace({variable_: fresh}), hi.xreplace({variable_: fresh}))
                       for v, lo, hi in limits_]
            limits_.append((fresh, low, high))
        return sp.Sum(body, *limits_)

    return expr.replace(lambda e: isinstance(e, sp.Sum), renamed)


def _outside(expr: sp.Basic, classes: sp.Symbol, size: sp.Basic) -> str:
    """Why ``expr`` may name an entry that does not exist (a sum over other than 1 …
    classes, an entry ``t_0``; ``classes`` stands for their number, ``size`` is it), or "":
    such a claim is about something the directive does not define, so neither proved nor
    refuted."""
    for total in expr.atoms(sp.Sum):
        # up to the classes' name, or to their number when the directive gives one
        if any(low != 1 or high not in (classes, size) for _, low, high in total.limits):
            return ("a sum runs over other than 1 … the number of classes: it names entries "
                    "the directive does not define")
    for entry in expr.atoms(sp.Indexed):
        index = entry.indices[0]
        if index.is_Integer and (index < 1 or (size.is_Integer and index > size)):
            return f"{entry} is not an entry of a vector of the classes (1-based)"
    return ""


def _unfolded(e: sp.Indexed, directive: LossDirective) -> sp.Basic:
    """``p_i`` as the softmax, ``t_i`` as ``δ_{i,c}`` for a one-hot target."""
    if e.base == p_base:
        return softmax_entry(e.indices[0]).xreplace({width: directive.size})
    if e.base == t_base and directive.target == "onehot":
        return sp.KroneckerDelta(e.indices[0], c)
    return e


def _kind(directive: LossDirective) -> str:
    return next(kind for kind, loss in LOSS_KINDS.items() if loss == directive.loss)


def _reported(outcome: Outcome, reason: str) -> tuple[Outcome, str, dict]:
    evidence = outcome.evidence()
    if outcome.status is Status.UNKNOWN:
        reason += f"; not decided: {outcome.detail}"
    return outcome, reason, evidence


def _unknown(reason: str, tactic: str = "undefined names") -> tuple[Outcome, str, dict]:
    return Outcome(Status.UNKNOWN, tactic, reason), reason, {}
