"""CONTRIBUTING.md's "Recipe: add an optimizer" stays true: every code block stands verbatim in
the file the recipe names for it, the optimizer is in the table the generic tests read, and the
generic checks pass on a variant the table's entry does not reach (averaging from step 1)."""

from __future__ import annotations

import re
from pathlib import Path

import generic_checks as G
import pytest

from optimizers.registry import ALGORITHMS, AlgorithmSpec

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## Recipe: add an optimizer"


def _blocks():
    """(file named by the step, code) for each python block of the recipe."""
    section = (ROOT / "CONTRIBUTING.md").read_text().split(HEADING, 1)[1].split("\n## ", 1)[0]
    current, out = None, []
    for part in re.split(r"(```python\n.*?```)", section, flags=re.S):
        if part.startswith("```python"):
            out.append((current, part[len("```python\n"):-3]))
        else:
            named = re.findall(r"\(`([\w/]+\.py)`", part)
            if named:
                current = named[-1]
    return out


def test_recipe_code_is_in_the_repository():
    blocks = _blocks()
    assert [path for path, _ in blocks] == ["optimizers/asgd.py", "optimizers/__init__.py",
                                            "optimizers/registry.py"]
    for path, code in blocks:
        source = (ROOT / path).read_text()
        assert code.strip() in source, f"CONTRIBUTING.md's block for {path} is not in it:\n{code}"
    assert "from optimizers.asgd import ASGD" in (ROOT / "optimizers/registry.py").read_text()
    assert (ROOT / "optimizers/asgd.py").read_text() == blocks[0][1]  # the whole file
    # short: ~75 lines of algorithm (with PyTorch's eta/mu state and the loading of checkpoints
    # saved without it) plus the class docstring (Args and a runnable example) that every public
    # name carries
    assert len(blocks[0][1].splitlines()) <= 110


def test_the_recipe_optimizer_is_in_the_generic_table():
    import optimizers

    assert ALGORITHMS["asgd"].cls is optimizers.ASGD and "ASGD" in optimizers.__all__


AVERAGING = dict(lr=0.05, t0=0, weight_decay=0.1, maximize=True)


def test_generic_checks_on_the_averaging_branch(monkeypatch):
    """The table's entry keeps PyTorch's t0=1e6, so it never averages; t0=0 averages at once."""
    spec = AlgorithmSpec(ALGORITHMS["asgd"].cls, AVERAGING, 1)
    G.check_kernel_matches_twin(spec, monkeypatch)
    G.check_state_round_trip(spec)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kwargs", [AVERAGING, dict(lr=0.05, t0=3, lambd=0.01, alpha=0.5)])
def test_the_averaging_branch_matches_torch(kwargs):
    G.check_torch_parity(ALGORITHMS["asgd"], kwargs)
