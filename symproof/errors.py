"""The one error hierarchy of symproof.

Every public entry point raises a subclass of :class:`SymproofError` whose message names the
parameter, the value it got and the rule that value broke, so that the CLI can print it as one
readable line.

>>> from symproof import Conv2d
>>> Conv2d(1, 2, 3, stride=0)
Traceback (most recent call last):
...
symproof.errors.ParameterError: stride must be a positive integer, got 0
"""

from __future__ import annotations

__all__ = [
    "SymproofError",
    "ParameterError",
    "ShapeError",
    "TooLargeError",
    "EvaluationError",
    "NoSolutionError",
    "FileError",
    "ProblemFileError",
    "SnapshotError",
    "KernelError",
    "shown",
]


class SymproofError(Exception):
    """Root of every error symproof raises on purpose."""


class ParameterError(SymproofError, ValueError):
    """A layer or function parameter has a value its rule forbids."""

    def __init__(self, name: str, value: object, rule: str):
        self.name, self.value, self.rule = name, value, rule
        super().__init__(f"{name} {rule}, got {shown(value)}")

    def __reduce__(self):  # raised in a worker process, it crosses to the parent whole
        return type(self), (self.name, self.value, self.rule)


class ShapeError(SymproofError, ValueError):
    """An input, weight or index does not have the shape the layer needs."""


class TooLargeError(SymproofError):
    """A request whose expansion would be huge, refused before any work is done."""


class EvaluationError(SymproofError):
    """A formula cannot be evaluated numerically (e.g. an undefined activation)."""


class NoSolutionError(SymproofError):
    """What was asked for does not exist (e.g. weights for a stencil the window cannot reach)."""


class FileError(SymproofError):
    """A file could not be read, or could not be written safely (the old file is intact)."""


class KernelError(SymproofError):
    """A strong status was asked of something other than the kernel's rules, or an outcome
    breaks the kernel's own invariants (a refutation without its counterexample)."""


class ProblemFileError(SymproofError):
    """A user's problem file (``symproof prove path/to/problem.py``) could not be loaded or
    its derivation failed: the message names the file, the line and the Python error."""


class SnapshotError(SymproofError):
    """A snapshot file (untrusted input) does not follow the schema: the message names the
    file, the place in it (snapshot name, tree path) and the rule that was broken."""


def shown(value: object) -> str:
    """``value`` for a one-line message, never raising: long text is cut, an enormous integer
    is described (Python refuses to print one of over 4,300 digits), a long tuple elided.

    >>> shown(10**5000)
    'an integer of about 5,001 digits'
    >>> shown((1, 2))
    '(1, 2)'
    """
    if isinstance(value, tuple):
        return "(" + ", ".join(shown(v) for v in value[:8]) + (", …" if len(value) > 8 else "") \
            + ("," if len(value) == 1 else "") + ")"
    if getattr(value, "is_Integer", False) is True:  # a SymPy Integer: judge it as an int
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    try:
        text = repr(value) if isinstance(value, str) else str(value)
    except ValueError:  # a SymPy number too large to print
        return f"a number too large to print ({type(value).__name__})"
    return text if len(text) <= 120 else text[:100] + f"… ({len(text):,} characters)"
