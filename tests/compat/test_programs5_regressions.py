"""Regressions found by the fifth round of public PyTorch programs run on tapegrad with their
imports rewritten (fast.ai course22p2's miniai, UvA tutorials, pytorch/tutorials, ...): each
test is the line that broke or gave another number, reduced."""

import pytest

import optimizers.lr_scheduler as lr_scheduler


def test_lr_scheduler_module_has_no_one_letter_public_names():
    # fast.ai's 12_accel_sgd lists the schedulers with
    # `' '.join(o for o in dir(lr_scheduler) if o[0].isupper() and o[1].islower())`: the module's
    # `schedules as S` alias made `o[1]` raise IndexError
    names = [o for o in dir(lr_scheduler) if o[0].isupper() and o[1].islower()]
    assert "OneCycleLR" in names and "CosineAnnealingLR" in names


@pytest.mark.torch_parity
def test_lr_scheduler_lists_torchs_scheduler_classes():
    torch = pytest.importorskip("torch")
    theirs = {o for o in dir(torch.optim.lr_scheduler) if o.endswith("LR") or o.endswith("Scheduler")}
    ours = set(dir(lr_scheduler))
    assert theirs - ours == set()
