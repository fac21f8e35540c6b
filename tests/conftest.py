"""Shared test settings: hypothesis profiles sized for a 2-core machine.

HYPOTHESIS_PROFILE=thorough runs many more examples (slow); the default "ci" profile keeps the
whole suite within a few minutes.
"""

import os
import sys

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


def pytest_collection_finish(session):
    """Under xdist (``-n auto``: one worker per core) torch's own pool of a thread per core in
    every worker oversubscribed the machine: its idle threads spin, and the parity tests of
    test_option_sweep_vs_torch.py took 116 s of CPU with torch's 2 threads against 101 s with
    1 (2 cores, 2 workers). torch is imported by collecting the parity modules, if at all."""
    torch = sys.modules.get("torch")
    if torch is not None and os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)


def pytest_ignore_collect(collection_path, config):
    """With ``--doctest-modules`` (pyproject) pytest would import every module under tests/ to
    look for doctests; the doctests are the packages'. Only ``test_*.py`` files are collected
    here, so helper modules and the scripts that tests run in subprocesses (an MPI job's
    script, say) are never imported by the collector."""
    if (collection_path.suffix == ".py" and not collection_path.name.startswith("test_")
            and collection_path.name != "conftest.py"):
        return True
    return None
