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


def pytest_configure(config):
    # CI's second phase installs torch and runs `-m torch_parity` with TAPEGRAD_REQUIRE_TORCH=1:
    # there a missing torch must fail the run, not skip every parity test.
    if os.environ.get("TAPEGRAD_REQUIRE_TORCH") == "1":
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise RuntimeError(
                "TAPEGRAD_REQUIRE_TORCH=1 but torch is not importable: pip install torch==2.13.0"
            ) from exc


def pytest_ignore_collect(collection_path, config):
    """With ``--doctest-modules`` (pyproject) pytest would import every module under tests/ to
    look for doctests; the doctests are the packages'. Only ``test_*.py`` files are collected
    here, so helper modules and the scripts that tests run in subprocesses (an MPI job's
    script, say) are never imported by the collector."""
    if (collection_path.suffix == ".py" and not collection_path.name.startswith("test_")
            and collection_path.name != "conftest.py"):
        return True
    return None
