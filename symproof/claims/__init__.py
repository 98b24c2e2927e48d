"""Reading mathematics written in LaTeX back into symproof objects (claims)."""

from .parse import ParseError, parse_latex

__all__ = ["parse_latex", "ParseError"]
