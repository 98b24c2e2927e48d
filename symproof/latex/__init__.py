"""LaTeX in the course's notation."""

from .printer import SymproofLatexPrinter, latex

__all__ = ["SymproofLatexPrinter", "latex"]
