"""checkpoint(use_reentrant=False) edges, as PyTorch: an argument changed in place before
backward is refused (the recomputation would use its new values: a silently wrong gradient),
and outputs that do not require grad (detached, integer) stay so."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.utils.checkpoint import checkpoint


def test_an_argument_changed_in_place_before_backward_is_refused():
    w = ag.tensor([0.5, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    x = w * 1
    y = checkpoint(lambda t: t.exp(), x, use_reentrant=False).sum()
    with ag.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_unchanged_arguments_give_the_closed_form_gradient():
    w = ag.tensor([0.5, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    checkpoint(lambda t: t.exp(), w * 1, use_reentrant=False).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.exp([0.5, 1.0, 2.0]))


def test_outputs_that_do_not_require_grad_stay_so():
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y, detached, count = checkpoint(lambda t: (t.sin(), t.detach() * 2, (t > 0).sum()), x,
                                    use_reentrant=False)
    assert y.requires_grad and not detached.requires_grad and not count.requires_grad
    assert count.item() == 2
    np.testing.assert_array_equal(detached.numpy(), [1.0, -2.0, 4.0])
    (y.sum() + detached.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([0.5, -1.0, 2.0]))


def test_a_second_output_alone_gets_its_gradient():
    x = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    _, flag, sq = checkpoint(lambda t: (t.detach(), (t > 0).any(), t * t), x,
                             use_reentrant=False)
    assert not flag.requires_grad
    sq.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -2.0])


@pytest.mark.torch_parity
def test_batchnorm_running_stats_updated_by_the_recomputation_as_torch():
    # PyTorch's recomputation runs BatchNorm's forward again: running stats move twice
    torch = pytest.importorskip("torch")
    import torch.utils.checkpoint as tcp

    arr = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    checkpoint(ours, x, use_reentrant=False).pow(2).sum().backward()
    tcp.checkpoint(theirs, t, use_reentrant=False).pow(2).sum().backward()
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 2
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)
