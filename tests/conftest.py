"""Test configuration: hypothesis profiles chosen by FUNCGRAD_PROFILE.

``ci`` (the default): bounded and deterministic, for the 10-minute budget.
``dev``: more examples for local work; ``thorough``: many more, for nightly runs.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                          print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("FUNCGRAD_PROFILE", "ci"))
