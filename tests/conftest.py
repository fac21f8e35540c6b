"""Shared test settings: hypothesis profiles sized for a 2-core machine.

HYPOTHESIS_PROFILE=thorough runs many more examples (slow); the default "ci" profile keeps the
whole suite within a few minutes.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
