"""A synthesised kernel as a ``Proof``: the weights found, why they are the only ones, that the
layer then computes the targets at every position, what happens at the boundary, and checks
on a concrete instance."""

from __future__ import annotations

import sympy as sp

from . import notation as nt
from .crosscheck import conv2d, reference_name
from .errors import ParameterError
from .figures.conv import synthesis_figure
from .figures.figure import attach
from .kernel import (
    Context,
    coefficient_matching,
    distinct_taps,
    exhaustive,
    exhaustive_linear,
    expand_sums,
    identity,
    spot_check,
    substitution,
    tap_matching,
    unreachable,
)
from .layers.window import size_pair, zero_padded
from .limits import check, check_share
from .params import as_flag
from .proof import Outcome, Proof, Status
from .prose import Prose, layer_prose
from .prose import size as size_of
from .synthesis import Synthesis

__all__ = ["synthesis_proof", "uniqueness"]


def uniqueness(found: Synthesis, *, structured: bool = True) -> Outcome:
    """The kernel's verdict on the synthesised weights being the only ones.

    For concrete kernels the coefficient-matching system is one equation per input entry the
    window reads, at a generic interior position, and one for the constant term. It is read
    off the taps' affine indices (:func:`~symproof.kernel.tap_matching`: integer arithmetic
    per tap, linear in taps × channels) or, when a target is not of that form or
    ``structured`` is False, written out and solved
    (:func:`~symproof.kernel.coefficient_matching`). For symbolic kernels it rests on distinct
    taps reading distinct entries (:func:`~symproof.kernel.distinct_taps`).
    """
    layer = found.layer
    structured = as_flag("structured", structured)
    unread = _padding_only_tap(found)
    if unread:
        return Outcome(Status.UNKNOWN, "coefficient matching", f"{unread}: its weight is not "
                       "determined by the outputs, and the system at an interior position "
                       "does not apply")
    if not _concrete(layer):
        return distinct_taps(layer.dilation)
    if not _numbered_taps(found):  # X[1, i + k, j]: which entry it is depends on k
        return Outcome(Status.UNKNOWN, "coefficient matching", "a tap's position is symbolic: "
                       "the target's entries do not match the layer's entry by entry")
    channels = range(1, len(found.targets) + 1)
    expected = _expected(found) if structured else None
    if expected is not None:  # the system read off the taps' affine indices, not written out
        read_off = tap_matching([(layer.element(l), found.target(l)) for l in channels],
                                nt.X, (nt.i, nt.j), expected)
        if read_off is not None:
            return read_off
    f1, f2 = layer.kernel_size
    check("expanded_terms", "the coefficient-matching system (a term per weight)",
          len(channels) * (int(layer.in_channels) * int(f1) * int(f2) + 1))
    elements = {l: expand_sums(layer.element(l)) for l in channels}
    unknowns = sorted({e for element in elements.values() for e in element.atoms(sp.Indexed)
                       if e.base in (nt.w, nt.b)}, key=str)
    equations = []
    for l, element in elements.items():
        # One pass over the terms: the coefficient of each entry of X, and the constant part
        # (the layer and the targets are linear in X).
        by_entry: dict = {}
        # a target written as a sum (Σ_a X[1, i+a, j]) is written out too: its terms are entries
        for term in sp.Add.make_args(sp.expand(element - expand_sums(found.target(l)))):
            factors = sp.Mul.make_args(term)
            entry = [f for f in factors if isinstance(f, sp.Indexed) and f.base == nt.X]
            if len(entry) > 1:
                raise ParameterError("targets", found.target(l), "must be linear in X")
            key = entry[0] if entry else None
            if key is None and term.has(nt.X):  # X inside a sum left whole: not a constant
                return Outcome(Status.UNKNOWN, "coefficient matching", f"channel {l}: the "
                               f"target's part {term} could not be written out as entries of X")
            by_entry[key] = by_entry.get(key, 0) + (term / key if entry else term)
        equations += [by_entry.pop(None, sp.S.Zero), *by_entry.values()]
    expected = {u: found.weight(*u.indices) if u.base == nt.w else found.bias(*u.indices)
                for u in unknowns}
    return coefficient_matching(equations, unknowns, expected)


def _expected(found: Synthesis) -> dict | None:
    """The synthesised weights and biases as ``(base, indices) → value`` (taps read by no
    target are 0), or None when a tap is not a number (then the system is written out)."""
    expected: dict = {}
    for l, taps in enumerate(found.taps, 1):
        for tap in taps:
            if not all(v.is_Integer for v in (tap.channel, tap.alpha, tap.beta)):
                return None
            key = (nt.w, (l, int(tap.channel), int(tap.alpha), int(tap.beta)))
            expected[key] = expected.get(key, sp.S.Zero) + tap.coefficient
        if found.layer.bias:
            expected[nt.b, (l,)] = found.biases[l - 1]
    return expected


def _unreachable(found: Synthesis) -> Outcome:
    """The kernel's verdict that no weights realise the targets: the channel synthesis failed
    on first, then the others, until one is PROVED unreachable (each is written out, so its
    size is limited before)."""
    layer = found.layer
    sizes = (layer.in_channels, *layer.kernel_size)
    if all(v.is_Integer for v in sizes):
        check("expanded_terms", "a channel's element formula written out (to show a target "
              "unreachable)", int(sizes[0]) * int(sizes[1]) * int(sizes[2]))
    channels = sorted(range(1, len(found.targets) + 1), key=lambda c: c != found.failed)
    first = None
    for channel in channels:
        verdict = unreachable(layer.element(channel), found.targets[channel - 1], nt.X,
                              (nt.i, nt.j))
        if verdict.status is Status.PROVED:
            return verdict
        first = first or verdict
    return first


def _padding_only_tap(found: Synthesis) -> str:
    """A kernel tap that reads only the padding at every output position of the concrete
    input size (a 1×1 input under a 3×3 window with padding 1), said in words; "" when every
    tap reads an entry of X somewhere, or the sizes or the window are symbolic. Only then does
    matching coefficients pin every weight (a tap inside the input at some position has its
    own equation there)."""
    window = found.layer.window
    sizes = tuple(found.input_size)
    if not all(isinstance(n, (int, sp.Integer)) for n in sizes) or not all(
            v.is_Integer for v in (*window.kernel_size, *window.stride, *window.padding,
                                   *window.dilation)):
        return ""
    outputs = window.output_size(*sizes)
    for axis, (n, n_out) in enumerate(zip(sizes, outputs)):
        if not isinstance(n_out, (int, sp.Integer)) or int(n_out) < 1:
            return ""
        for tap in range(1, int(window.kernel_size[axis]) + 1):
            first = int(window.index(axis, 1, tap))  # the index grows with the position
            last = int(window.index(axis, int(n_out), tap))
            step = int(window.stride[axis])
            # some position's index in 1 … n: the first index ≥ 1 on the tap's progression
            start = first if first >= 1 else first + -(-(1 - first) // step) * step
            if not (start <= last and start <= int(n)):
                name = "α" if axis == 0 else "β"
                return (f"the tap {name} = {tap} reads only the padding of a "
                        f"{sizes[0]}×{sizes[1]} input")
    return ""


def _numbered_taps(found: Synthesis) -> bool:
    """Whether every tap's channel and kernel position are numbers (not ``α = k + 1``)."""
    return all(v.is_Integer for taps in found.taps for tap in taps
               for v in (tap.channel, tap.alpha, tap.beta))


def _concrete(layer) -> bool:
    """Whether the layer's kernel, channels and window are numbers: only then is the system
    written out (with a symbolic padding, the entries a tap reads are symbolic too, and the
    target's entries would never match them structurally)."""
    window = layer.window
    sizes = (*window.kernel_size, *window.stride, *window.padding, *window.dilation,
             layer.in_channels)
    return all(v.is_Integer for v in sizes)


#: Per term, a boundary step compares and a substitution sums out a Kronecker delta: this
#: many times cheaper than a term SymPy expands (the unit of ``expanded_terms``).
BOUNDARY_SHARE, SUBSTITUTION_SHARE = 10, 100


def _check_size(found: Synthesis) -> None:
    """Refuse, before any work, a proof whose steps would write out too much: each boundary
    step writes out its channel (so a dense stencil's boundaries cost the square of its size),
    and each substitution step sums the weights' Kronecker deltas (a term per tap of the
    window and per synthesised tap). ``uniqueness`` alone stays linear and is not limited
    here."""
    terms = [len(sp.Add.make_args(target)) for target in found.targets]
    check_share("expanded_terms", f"the boundary steps of the synthesis proof "
                f"({len(found.boundary):,} boundaries, each writing out its channel)",
                sum(terms[b.channel - 1] for b in found.boundary), BOUNDARY_SHARE,
                "a boundary step compares the terms")
    layer = found.layer
    sizes = (layer.in_channels, *layer.kernel_size)
    if all(v.is_Integer for v in sizes):
        window = int(sizes[0]) * int(sizes[1]) * int(sizes[2])
        check_share("expanded_terms", "the substitution steps of the synthesis proof (a "
                    "Kronecker delta per tap of each window and per synthesised tap)",
                    len(found.targets) * window * sum(map(len, found.taps)),
                    SUBSTITUTION_SHARE, "a substitution sums out Kronecker deltas")


def _zero_rule(expr: sp.Expr, size) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == nt.X,
                        lambda e: zero_padded(e, size))


def synthesis_proof(found: Synthesis, name: str, title: str, statement: str, *,
                    check_size: tuple[int, int] = (5, 6), use_torch: bool = False,
                    seed: int = 0, parameters: dict | None = None,
                    channel_names: tuple[str, ...] = ()) -> Proof:
    """The proof that ``found`` realises its targets (or that no weights can).

    ``check_size`` is the (H, W) of the exhaustive and numeric checks on a concrete layer;
    a concrete kernel is drawn on its padded window (input channels named by
    ``channel_names`` in the picture)."""

    if not isinstance(found, Synthesis):
        raise ParameterError("found", found, "must be what synthesize() returned")
    for label, value in (("name", name), ("title", title)):
        if not isinstance(value, str):
            raise ParameterError(label, value, "must be text (a str)")
    if not isinstance(statement, (str, Prose)):
        raise ParameterError("statement", statement, "must be text (a str or a Prose)")
    check_size = tuple(int(v) for v in size_pair("check_size", check_size))
    use_torch = as_flag("use_torch", use_torch)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ParameterError("seed", seed, "must be an integer from 0 to 2^32 - 1")
    if parameters is not None and not isinstance(parameters, dict):
        raise ParameterError("parameters", parameters, "must be a dict of the problem's "
                                                       "parameters")
    if found.ok:
        _check_size(found)
    layer = found.layer
    height, width = found.input_size
    out_h, out_w = layer.window.output_size(height, width)
    ranges = [sp.Le(nt.i, out_h), sp.Le(nt.j, out_w)]
    proof = Proof(name, title, statement, assumptions=[
        Prose(sp.Symbol("X"), " is 0 outside its index range (zero padding)"), *ranges,
        *found.conditions],
        parameters=dict(parameters or {}))
    proof.given(layer.equation(), Prose("the element formula of ") + layer_prose(layer),
                short_reason="the convolution")
    for channel, target in enumerate(found.targets, 1):
        proof.given(sp.Eq(nt.Y[channel, nt.i, nt.j], target, evaluate=False),
                    f"channel {channel} must compute", "target",
                    short_reason=f"target of channel {channel}")
    if not found.ok:
        decided = _unreachable(found)
        proof.add(None, found.outcome.detail, decided, statement="no weights realise the targets")
        proof.summary = "no solution"
        return proof
    concrete = _concrete(layer) and _numbered_taps(found)
    if concrete:
        kernels = {(l, g): found.kernel(l, g) for l in range(1, len(found.targets) + 1)
                   for g in range(1, int(layer.in_channels) + 1)}
        claims = [sp.Eq(sp.MatrixSymbol(f"w_{l},{g}", *k.shape), k, evaluate=False)
                  for (l, g), k in kernels.items()]
        proof.result = sp.Tuple(*claims) if len(claims) > 1 else claims[0]
        attach(proof, lambda: synthesis_figure(found, channel_names=channel_names))
    else:
        proof.result = sp.Eq(nt.w[nt.l, nt.gamma, nt.alpha, nt.beta], found.weight(),
                             evaluate=False)
    proof.add(proof.result, Prose("match the coefficient of every entry of ", sp.Symbol("X")),
              uniqueness(found), assumptions=tuple(found.conditions),
              short_reason="match coefficients")
    if layer.bias:
        for channel, target in enumerate(found.targets, 1):
            # at X = 0 the layer gives b_l, the target its constant term: they must agree
            constant = target.replace(lambda e: isinstance(e, sp.Indexed) and e.base == nt.X,
                                      lambda e: sp.S.Zero)
            proof.add(sp.Eq(nt.b[channel], found.bias(channel), evaluate=False),
                      Prose("match the constant terms (", sp.Eq(sp.Symbol("X"), 0), ")"),
                      identity(found.bias(channel), constant),
                      short_reason="match constant terms")
    ctx = Context([*ranges, *found.conditions])
    # the kernel substitutes the weights itself (the result above, as a definition)
    weights = [sp.Eq(nt.w[nt.l, nt.gamma, nt.alpha, nt.beta], found.weight(), evaluate=False),
               sp.Eq(nt.b[nt.l], found.bias(), evaluate=False)]
    for channel, target in enumerate(found.targets, 1):
        proof.add(sp.Eq(nt.Y[channel, nt.i, nt.j], target, evaluate=False),
                  "substitute the weights into the element formula; sum out the Kronecker deltas",
                  substitution(layer.element(channel), target, weights, ctx),
                  assumptions=tuple(ranges), short_reason="substitute the weights")
    # the padding rule as the kernel's knowledge of X, rather than a Piecewise per entry
    padded = Context([*ranges, *found.conditions],
                     zero_outside={nt.X: (layer.in_channels, height, width)})
    written = {}  # each channel written out once, then placed at each boundary position
    for boundary in found.boundary:
        position = ({boundary.where.lhs: boundary.where.rhs}
                    if isinstance(boundary.where, sp.Equality) else {})
        if boundary.channel not in written:
            written[boundary.channel] = expand_sums(found.realised(boundary.channel))
        lhs = written[boundary.channel].xreplace(position)
        rhs = boundary.rest.xreplace(position)
        index = nt.Y[boundary.channel, nt.i, nt.j].xreplace(position)
        proof.add(sp.Eq(index, rhs, evaluate=False),
                  Prose(boundary.entry, " lies in the zero padding"),
                  identity(lhs, rhs, padded.extended(boundary.where), search=False),
                  assumptions=(boundary.where,), short_reason=Prose(boundary.entry, " is padding"))
        proof.notes.append(boundary.said())
    if not found.boundary:
        proof.notes.append("the window never reaches the padding for these targets")
    numbers = all(t.coefficient.is_number for taps in found.taps for t in taps) and all(
        b.is_number for b in found.biases)
    if concrete and numbers and all(v.is_Integer for v in (*layer.stride, *layer.padding,
                                                            *layer.dilation)):
        _checks(proof, found, check_size, use_torch, seed)
    proof.summary = (f"{len(found.targets)} kernel{'s' * (len(found.targets) > 1)} "
                     f"synthesised" + (", boundary stated" if found.boundary else ""))
    return proof


def _checks(proof: Proof, found: Synthesis, size, use_torch: bool, seed: int) -> None:
    import numpy as np

    layer = found.layer
    height, width = size
    shape = layer.output_shape(layer.in_channels, height, width)
    description = f"a {layer.in_channels}×{height}×{width} input"
    # Vectorised and exact, the padding rule as array bounds: channel l's target where l is.
    channels = range(1, shape[0] + 1)
    target = sp.Add(*(sp.KroneckerDelta(nt.l, c) * found.target(c) for c in channels))
    outcome = exhaustive_linear(
        found.realised(), target,
        {nt.l: channels, nt.i: range(1, shape[1] + 1), nt.j: range(1, shape[2] + 1)},
        description, zero_outside={nt.X: (int(layer.in_channels), height, width)})
    if outcome is None:  # not linear with affine indices: one case at a time
        check("expanded_terms", f"the exhaustive check on a {height}×{width} input (one case "
              "per output entry)", shape[0] * shape[1] * shape[2])
        general = {l: (found.realised(l, input_size=size).doit(),
                       _zero_rule(found.target(l), size).doit()) for l in channels}

        def case(c):
            at = {nt.i: sp.Integer(c["i"]), nt.j: sp.Integer(c["j"])}
            lhs, rhs = general[c["l"]]
            return lhs.xreplace(at), rhs.xreplace(at)

        cases = ({"l": l, "i": i, "j": j} for l in channels
                 for i in range(1, shape[1] + 1) for j in range(1, shape[2] + 1))
        outcome = exhaustive(case, cases, description)
    proof.check(None, "the element formula at every output index, symbolic X", outcome,
                statement=f"every (l, i, j) of a {height}×{width} input")
    weights = found.weight_array().astype(float)
    bias = np.array([float(b) for b in found.biases]) if layer.bias else None
    c_in = int(layer.in_channels)

    def compare(x):
        ours = conv2d(x, weights, bias, stride=tuple(int(s) for s in layer.stride),
                      padding=tuple(int(p) for p in layer.padding),
                      dilation=tuple(int(d) for d in layer.dilation), use_torch=use_torch)
        return ours, found.evaluate_target(x)

    proof.check(None, f"the synthesised weights in {reference_name(use_torch)}",
                spot_check(lambda rng: (rng.standard_normal((c_in, 9, 11)),), compare,
                           samples=20, seed=seed, tolerance=1e-9,
                           description=Prose("the convolution against the targets on "
                                             "random ", size_of(9, 11), " inputs")),
                statement="numeric agreement on random inputs")
