"""Regressions found by the tenth round of public PyTorch programs run on tapegrad with their
imports rewritten (custom autograd Functions from PyTorch's "Extending torch.autograd" notes,
torch.func per-sample gradients and ensembling, checkpointing, lr schedulers, parametrizations
and pruning, SWA/EMA, ...): each test is the line that broke or gave another number, reduced."""

import pytest

import autograd_core as ag
from autograd_core.autograd import Function


class _InplaceRelu(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.mark_dirty(x)
        x.clamp_(min=0)
        ctx.save_for_backward(x)  # the dirty output itself, saved after the in-place change
        return x

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0).to(g.dtype)


def test_function_saving_its_mark_dirty_output_can_run_backward():
    # the in-place ReLU Function pattern (mark_dirty + save_for_backward of the modified input):
    # backward raised "one of the variables needed for gradient computation has been modified
    # by an inplace operation ... is at version 2; expected version 1": the saved versions were
    # taken inside forward, before apply bumps the dirty input. PyTorch takes them at the end of
    # forward, so the saved tensor is current; d/da relu(a) * [0..5] = [0, 1, 2, 0, 4, 0] here.
    a = ag.tensor([-1.0, 0.5, 2.0, -3.0, 1.5, -0.5], requires_grad=True)
    t = a * 1.0
    u = _InplaceRelu.apply(t)
    assert u is t and u.grad_fn is not None
    assert u.tolist() == [0.0, 0.5, 2.0, 0.0, 1.5, 0.0]
    (u * ag.arange(6.0)).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 2.0, 0.0, 4.0, 0.0]


def test_function_saved_tensor_modified_after_backward_graph_still_refused():
    # the version check itself still works once forward is over
    a = ag.tensor([-1.0, 2.0], requires_grad=True)
    t = a * 1.0
    u = _InplaceRelu.apply(t)
    loss = (u * 2).sum()
    with ag.no_grad():
        u.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_register_parametrization_refuses_a_shape_or_dtype_change_as_pytorch():
    # pytorch/tutorials parametrizations.py: PyTorch evaluates the parametrization once when it
    # is registered (the tutorial's NoisyParametrization prints "Computing the Parametrization"
    # there) and refuses one that changes the tensor's shape or dtype unless unsafe=True. Ours
    # accepted `X[:1]` silently, and Linear then computed with a (1, 2) weight.
    import nn
    from nn.utils import parametrize

    class FirstRow(nn.Module):
        def forward(self, x):
            return x[:1]

    class ToDouble(nn.Module):
        def forward(self, x):
            return x.double()

    calls = []

    class Noisy(nn.Module):
        def forward(self, x):
            calls.append(tuple(x.shape))
            return x

    lin = nn.Linear(2, 2)
    before = lin.weight.detach().clone()
    with pytest.raises(ValueError, match="may not change the shape of the tensor, unless "
                                         "`unsafe` flag is enabled"):
        parametrize.register_parametrization(lin, "weight", FirstRow())
    assert not parametrize.is_parametrized(lin) and type(lin) is nn.Linear
    assert lin.weight.tolist() == before.tolist()
    with pytest.raises(ValueError, match="may not change the dtype"):
        parametrize.register_parametrization(lin, "weight", ToDouble())
    parametrize.register_parametrization(lin, "weight", Noisy())
    assert calls == [(2, 2)]
    with pytest.raises(ValueError, match=r"unless the `unsafe` flag is enabled\.\n"
                                         r"module\.weight\.shape"):
        parametrize.register_parametrization(lin, "weight", FirstRow())
    assert len(lin.parametrizations.weight) == 1
    parametrize.register_parametrization(lin, "weight", FirstRow(), unsafe=True)
    assert lin.weight.shape == (1, 2)


def test_concat_dataset_has_cumulative_sizes():
    # variable-length sequence DataLoader program: `cd.cumulative_sizes` (PyTorch's public list
    # of running lengths, bisected by user code to find an index's dataset) raised AttributeError
    from nn.data import ConcatDataset, Subset, TensorDataset

    td = TensorDataset(ag.arange(12.0).view(6, 2), ag.arange(6))
    cd = ConcatDataset([td, Subset(td, [5, 0]), [7, 8, 9]])
    assert cd.cumulative_sizes == [6, 8, 11]
    assert all(type(c) is int for c in cd.cumulative_sizes)
    assert cd[7][0].tolist() == [0.0, 1.0] and cd[8] == 7


def test_state_dict_entries_share_memory_so_an_ema_written_through_them_updates_the_model():
    # timm ModelEmaV2 / YOLOv5 ModelEMA / SWA-EMA programs: `for e, m in zip(ema.state_dict()
    # .values(), model.state_dict().values()): e.copy_(d * e + (1 - d) * m)` left the EMA model
    # at its initial weights (state_dict() returned copies); PyTorch's entries share memory with
    # the parameters and buffers, so the in-place write is the update.
    import copy

    import nn

    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    with ag.no_grad():
        model[0].weight.copy_(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    ema = copy.deepcopy(model)
    with ag.no_grad():
        model[0].weight.mul_(3.0)
        model[1].running_mean.fill_(2.0)
        for e, m in zip(ema.state_dict().values(), model.state_dict().values()):
            if e.dtype.is_floating_point:
                e.copy_(0.5 * e + 0.5 * m)
    assert ema[0].weight.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    assert ema[1].running_mean.tolist() == [1.0, 1.0]
    sd = model.state_dict()
    assert not sd["0.weight"].requires_grad and type(sd["0.weight"]) is ag.Tensor
    snapshot = copy.deepcopy(sd)  # what PyTorch code keeps as "best weights"
    with ag.no_grad():
        model[0].weight.zero_()
    assert sd["0.weight"].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert snapshot["0.weight"].tolist() == [[3.0, 6.0], [9.0, 12.0]]
