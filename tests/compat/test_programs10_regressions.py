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


def test_load_state_dict_runs_pre_hooks_and_load_from_state_dict_overrides_and_extra_state():
    # checkpoint-compatibility shims of model repositories (a load pre-hook renaming "fc." to
    # "proj.", a `_load_from_state_dict` override trimming a tensor, get/set_extra_state, the
    # `_metadata` versions): `sd._metadata` raised AttributeError and neither hook nor override
    # was ever called, so a renamed checkpoint loaded with strict=False silently left the
    # renamed layer at its initial weights. Expected values are PyTorch 2.13's behaviour.
    import io
    from collections import OrderedDict

    import nn

    class Old(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

    class New(nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(3, 2)
            self.scale = 1.0
            self.seen = []
            self._register_load_state_dict_pre_hook(self._rename)

        def _rename(self, state_dict, prefix, local_metadata, strict, missing_keys,
                    unexpected_keys, error_msgs):
            self.seen.append(local_metadata.get("version"))
            for k in list(state_dict):
                if k.startswith(prefix + "fc."):
                    state_dict[prefix + "proj." + k[len(prefix) + 3:]] = state_dict.pop(k)

        def get_extra_state(self):
            return {"scale": self.scale}

        def set_extra_state(self, state):
            self.scale = state["scale"]

    old = Old()
    with ag.no_grad():
        old.fc.weight.copy_(ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    sd = old.state_dict()
    assert sd._metadata == OrderedDict([("", {"version": 1}), ("fc", {"version": 1})])
    new = New()
    res = new.load_state_dict(sd, strict=False)
    assert list(sd) == ["fc.weight", "fc.bias"]  # the caller's dict is not renamed
    assert res.missing_keys == ["_extra_state"] and res.unexpected_keys == []
    assert new.proj.weight.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert new.seen == [1]
    new.scale = 3.0
    sd2 = new.state_dict()
    assert list(sd2)[0] == "_extra_state" and sd2["_extra_state"] == {"scale": 3.0}
    buf = io.BytesIO()
    ag.save(sd2, buf)
    buf.seek(0)
    new2 = New()
    assert repr(new2.load_state_dict(ag.load(buf))) == "<All keys matched successfully>"
    assert new2.scale == 3.0 and new2.seen == [2]  # the saved _metadata came back

    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = New()
            self.head = nn.Linear(2, 1)

    w = Wrapper()
    hits = []
    w.register_load_state_dict_post_hook(
        lambda m, keys: hits.append((type(m).__name__, list(keys.missing_keys))))
    w.load_state_dict({"head.weight": ag.zeros(1, 2)}, strict=False)
    assert hits == [("Wrapper", ["backbone._extra_state", "backbone.proj.weight",
                                 "backbone.proj.bias", "head.bias"])]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: '
                                           '"backbone._extra_state", "backbone.proj.weight"'):
        w.load_state_dict({"head.weight": ag.zeros(1, 2)})

    class Trim(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def _load_from_state_dict(self, state_dict, prefix, *args):
            key = prefix + "lin.weight"
            if key in state_dict and tuple(state_dict[key].shape) != (2, 2):
                state_dict[key] = state_dict[key][:2, :2]
            super()._load_from_state_dict(state_dict, prefix, *args)

    t = Trim()
    t.load_state_dict({"lin.weight": ag.arange(9.0).view(3, 3), "lin.bias": ag.ones(2)})
    assert t.lin.weight.tolist() == [[0.0, 1.0], [3.0, 4.0]]


def test_clip_grads_with_norm_is_the_second_half_of_clip_grad_norm():
    # torchtitan/HF-style split clipping: `total = get_total_norm(grads)` then
    # `clip_grads_with_norm_(params, max_norm, total)` raised AttributeError. Grads [3, 4] and
    # [12] (total 13) scaled by 1 / (13 + 1e-6); a larger max_norm leaves them unchanged.
    import nn

    a = ag.tensor([1.0, 1.0], requires_grad=True)
    b = ag.tensor([1.0], requires_grad=True)
    (a * ag.tensor([3.0, 4.0])).sum().backward()
    (b * 12.0).sum().backward()
    total = nn.utils.get_total_norm([a.grad, b.grad])
    assert total.item() == 13.0
    assert nn.utils.clip_grads_with_norm_([a, b], 1.0, total) is None
    c = 1.0 / (13.0 + 1e-6)
    assert a.grad.tolist() == pytest.approx([3 * c, 4 * c], rel=1e-6)
    assert b.grad.tolist() == pytest.approx([12 * c], rel=1e-6)
    nn.utils.clip_grads_with_norm_([a, b], 5.0, ag.tensor(1.0))  # coefficient clamped to 1
    assert b.grad.tolist() == pytest.approx([12 * c], rel=1e-6)
    with pytest.raises(TypeError):  # PyTorch's clamp refuses a Python number as total_norm
        nn.utils.clip_grads_with_norm_([a, b], 5.0, 1.0)


def test_func_replace_all_batch_norm_modules_drops_running_stats():
    # torch.func docs ("Patching Batch Norm") and per-sample-gradient programs: `from torch.func
    # import replace_all_batch_norm_modules_` raised ImportError. After it, batch norm uses the
    # batch's statistics in eval mode too: for x = [[0], [2]] the output is [[-1], [1]] up to eps.
    import nn
    from autograd_core.func import replace_all_batch_norm_modules_

    net = nn.Sequential(nn.BatchNorm1d(1), nn.Sequential(nn.BatchNorm1d(1)))
    assert replace_all_batch_norm_modules_(net) is net
    for bn in (net[0], net[1][0]):
        assert bn.running_mean is None and bn.running_var is None
        assert bn.num_batches_tracked is None and bn.track_running_stats is False
    assert sorted(net.state_dict()) == ["0.bias", "0.weight", "1.0.bias", "1.0.weight"]
    net.eval()
    out = net[0](ag.tensor([[0.0], [2.0]]))
    assert out.flatten().tolist() == pytest.approx([-1.0, 1.0], abs=1e-5)
