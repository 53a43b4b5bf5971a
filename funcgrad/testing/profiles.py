"""Hypothesis profiles for gradient tests, selected by ``FUNCGRAD_PROFILE``.

Importing this module registers three profiles with hypothesis (it does not
load any of them):

* ``ci`` (the default): bounded and deterministic (``derandomize=True``, no
  example database), 15 examples per test, no deadline: CI runs are
  repeatable and fit a time budget.
* ``dev``: 60 random examples per test, for local work.
* ``thorough``: 400 random examples per test, for nightly runs.

A test suite's ``conftest.py`` selects one with :func:`load_profile`:

>>> from funcgrad.testing.profiles import load_profile
>>> load_profile("ci").max_examples
15
"""
from __future__ import annotations

import os
from typing import Optional

from hypothesis import HealthCheck, settings

ENV_VAR = "FUNCGRAD_PROFILE"
DEFAULT = "ci"
PROFILES = ("ci", "dev", "thorough")

# Gradient tests draw arrays and matrices (large data) and run finite
# differences (slow examples): those health checks are expected, not bugs.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]


def register_profiles() -> None:
    """Register the ``ci``, ``dev`` and ``thorough`` profiles (idempotent).

    >>> register_profiles()
    >>> from hypothesis import settings
    >>> settings.get_profile("thorough").max_examples
    400
    """
    settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True,
                              database=None, suppress_health_check=_SUPPRESSED,
                              print_blob=True)
    settings.register_profile("dev", max_examples=60, deadline=None,
                              suppress_health_check=_SUPPRESSED)
    settings.register_profile("thorough", max_examples=400, deadline=None,
                              suppress_health_check=_SUPPRESSED)


def load_profile(name: Optional[str] = None) -> settings:
    """Load profile ``name`` (default: ``$FUNCGRAD_PROFILE``, else ``ci``) and
    return its settings. An unknown name raises ``ValueError`` listing the
    known ones.

    >>> load_profile("dev").derandomize
    False
    """
    if name is None:
        name = os.environ.get(ENV_VAR, "") or DEFAULT
    if name not in PROFILES:
        try:
            settings.get_profile(name)  # a profile the user registered themselves
        except Exception:
            raise ValueError(
                f"Unknown hypothesis profile {name!r} (from {ENV_VAR} or the argument); "
                f"funcgrad.testing registers {', '.join(PROFILES)}.") from None
    settings.load_profile(name)
    return settings.get_profile(name)


register_profiles()
