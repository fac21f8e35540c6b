"""The generic optimizer checks (generic_checks.py) for every entry of
``optimizers.registry.ALGORITHMS``: adding an entry there is all a new optimizer needs to be
tested for kernel = twin, state round trips, its memory figure, PyTorch parity and refusing a
rebound parameter."""

from __future__ import annotations

import generic_checks as G
import pytest

from optimizers.registry import ALGORITHMS

NAMES = sorted(ALGORITHMS)


@pytest.mark.parametrize("name", NAMES)
def test_declaration(name):
    G.check_declaration(ALGORITHMS[name])


@pytest.mark.parametrize("name", NAMES)
def test_kernel_matches_twin(name, monkeypatch):
    G.check_kernel_matches_twin(ALGORITHMS[name], monkeypatch)


@pytest.mark.parametrize("name", NAMES)
def test_state_round_trip(name):
    G.check_state_round_trip(ALGORITHMS[name])


@pytest.mark.parametrize("name", NAMES)
def test_memory_figure(name):
    G.check_memory(ALGORITHMS[name])


@pytest.mark.parametrize("name", NAMES)
def test_rebinding_a_parameter_is_refused(name):
    G.check_rebinding_is_refused(ALGORITHMS[name])


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", NAMES)
def test_torch_parity(name):
    spec = ALGORITHMS[name]
    G.check_torch_parity(spec, dict(spec.kwargs, lr=0.05) if name != "adadelta" else None)


@pytest.mark.parametrize("name", NAMES)
def test_step_hooks(name):
    G.check_step_hooks(ALGORITHMS[name])
