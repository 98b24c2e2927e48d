"""Shared test set-up: hypothesis profiles and the optional PyTorch reference."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI runs every property at least 300 times, with the same examples every run (a red CI must
# be reproducible); locally a quicker, random default, overridable.
settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def torch():
    """PyTorch in float64; a clean skip when it is not installed, but a failure in CI, where
    the cross-checks must always run."""
    if os.environ.get("CI"):
        try:
            import torch
        except ImportError as missing:
            pytest.fail(f"CI must run the PyTorch cross-checks, but torch is missing: {missing}")
    else:
        torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    return torch
