"""``dir(optimizers.lr_scheduler)`` shows PyTorch's capitalised names (fast.ai's notebook 12
prints them) and the three documented additions, no helper of tapegrad's own."""

from pathlib import Path

import pytest

import optimizers.lr_scheduler as lr_scheduler

ADDITIONS = {"InverseTimeLR", "InverseSqrtLR", "HarmonicLR"}
DIFFERENCES = Path(__file__).resolve().parents[2] / "autograd_core" / "DIFFERENCES.md"


def _capitalised(module):
    return {n for n in dir(module) if n[:1].isupper()}


@pytest.mark.torch_parity
def test_capitalised_names_are_torchs_and_the_additions():
    torch_sched = pytest.importorskip("torch.optim.lr_scheduler")
    ours, theirs = _capitalised(lr_scheduler), _capitalised(torch_sched)
    assert ours - theirs == ADDITIONS
    # every scheduler class of torch's is here
    classes = {n for n in theirs if isinstance(getattr(torch_sched, n), type)
               and n.endswith(("LR", "Scheduler", "Plateau", "Restarts"))}
    assert classes <= ours


def test_additions_are_public_and_listed_in_differences():
    text = DIFFERENCES.read_text()
    for name in ADDITIONS:
        assert name in lr_scheduler.__all__ and f"`{name}`" in text
