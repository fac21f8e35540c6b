"""``F.pad``'s reflect/replicate/circular modes (and the ReflectionPad/ReplicationPad/CircularPad
layers) went through ``index_select`` with a tensor of indices, which ``ag.compile`` refuses: a
step with one ran eagerly every time (``strict=True`` raised). They are slices and ``cat`` now;
the captured step gives PyTorch's values and gradients on every replay."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


@pytest.mark.torch_parity
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_compiled_padding_is_captured_with_torchs_numbers(mode):
    torch = pytest.importorskip("torch")
    pads = (2, 1, 0, 3)
    rng = np.random.default_rng(3)
    weight = rng.standard_normal((2, 3, 8, 7))

    def step(x):
        loss = (F.pad(x, pads, mode=mode) * ag.tensor(weight)).sum()
        loss.backward()
        return loss

    compiled = ag.compile(step, strict=True)
    for _ in range(3):  # the first call traces, the next ones replay
        a = rng.standard_normal((2, 3, 5, 4))
        x = ag.tensor(a, requires_grad=True)
        loss = compiled(x)
        t = torch.tensor(a, requires_grad=True)
        ref = (torch.nn.functional.pad(t, pads, mode=mode) * torch.tensor(weight)).sum()
        ref.backward()
        np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch_parity
def test_padding_by_every_amount_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    for mode in ("reflect", "replicate", "circular"):
        for n in (1, 2, 3, 6):
            for lo in range(n + 2):
                for hi in range(n + 2):
                    if (mode == "reflect" and max(lo, hi) >= n) or \
                            (mode == "circular" and max(lo, hi) > n):
                        continue
                    a, g = rng.standard_normal((1, 2, n)), rng.standard_normal((1, 2, n + lo + hi))
                    x = ag.tensor(a, requires_grad=True)
                    y = F.pad(x, (lo, hi), mode=mode)
                    y.backward(ag.tensor(g))
                    t = torch.tensor(a, requires_grad=True)
                    u = torch.nn.functional.pad(t, (lo, hi), mode=mode)
                    u.backward(torch.tensor(g))
                    np.testing.assert_array_equal(y.detach().numpy(), u.detach().numpy())
                    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-14,
                                               atol=1e-15)
