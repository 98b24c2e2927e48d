"""Tactics: the ways a step gets its status. Symbolic ones may PROVE; finite ones VERIFY,
SPOT-CHECK or REFUTE, never prove a statement about all values."""

from .context import Context
from .finite import counterexample, exhaustive, spot_check
from .linear import exhaustive_linear
from .sums import expand_sums
from .symbolic import (
    case_split,
    collapse_deltas,
    divisible_floor,
    identity,
    merge_sums,
    normalize,
    reindex,
    split_sum,
)

__all__ = ["Context", "identity", "normalize", "collapse_deltas", "divisible_floor",
           "case_split", "reindex", "split_sum", "merge_sums", "counterexample", "exhaustive",
           "exhaustive_linear", "expand_sums", "spot_check"]
