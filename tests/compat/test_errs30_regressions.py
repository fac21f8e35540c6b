"""errs30: leftovers of earlier error and edge sweeps, fixed toward PyTorch 2.13.

* ``x.T`` of a tensor that is not 2-D warned nothing; PyTorch warns (once per process) that it
  is deprecated, with one wording for 0-D tensors and another for the rest.
* ``copy.deepcopy`` of a tensor an op produced copied the graph behind it; PyTorch refuses it.
"""

import copy
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops import linalg_solvers

T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.")
T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
DEEPCOPY = ("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
            "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
            "because of a torch.nn.utils.weight_norm usage, see "
            "https://github.com/pytorch/pytorch/pull/103001")


def _t_warnings(lib, shape):
    """The warnings ``x.T`` gives for a tensor of ``shape`` (twice: PyTorch warns once)."""
    x = lib.ones(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = x.T
        x.T
    return tuple(first.shape), [str(w.message).split(" (Triggered internally")[0]
                                for w in caught]


@pytest.mark.parametrize("shape, message", [((3,), T_NOT_2D), ((2, 3, 4), T_NOT_2D), ((), T_0D)])
def test_T_of_a_tensor_not_2d_warns_pytorchs_deprecation_once(shape, message):  # noqa: N802
    linalg_solvers._WARNED.difference_update({"T", "T0"})  # as in a fresh process
    reversed_shape, caught = _t_warnings(ag, shape)
    assert reversed_shape == shape[::-1]
    assert caught == [message]
    assert _t_warnings(ag, (2, 3))[1] == []  # a matrix: no warning


@pytest.mark.torch_parity
def test_T_warnings_are_pytorchs():  # noqa: N802 - PyTorch's name
    torch = pytest.importorskip("torch")
    linalg_solvers._WARNED.difference_update({"T", "T0"})
    ours = [_t_warnings(ag, s)[1] for s in ((3,), (), (2, 3))]
    theirs = [_t_warnings(torch, s)[1] for s in ((3,), (), (2, 3))]
    # (PyTorch warns once per process: a test before this one may have had its warning)
    assert all(t in ([], o) for o, t in zip(ours, theirs)), (ours, theirs)
    assert {T_NOT_2D, T_0D} >= {m for t in theirs for m in t}


def test_deepcopy_of_a_non_leaf_is_refused_as_pytorch_refuses_it():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for made in (x * 2, x[:1], x.exp().sum()):
        with pytest.raises(RuntimeError) as info:
            copy.deepcopy(made)
        assert str(info.value) == DEEPCOPY
    with ag.no_grad():  # made under no_grad: a leaf, copied
        y = x * 2
    assert copy.deepcopy(y).tolist() == [2.0, 4.0]


def test_deepcopy_of_a_leaf_copies_values_grad_and_attributes():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.grad = ag.tensor([3.0, 4.0])
    x.note = "kept"
    c = copy.deepcopy(x)
    x.data.fill_(0.0)
    x.grad.fill_(0.0)
    assert c.tolist() == [1.0, 2.0] and c.grad.tolist() == [3.0, 4.0]
    assert c.requires_grad and c.is_leaf and c.note == "kept"
    pair = copy.deepcopy([c, c])  # the memo: one copy for one tensor
    assert pair[0] is pair[1]


def test_modules_optimizer_state_and_averaged_models_still_deepcopy():
    import nn
    import optimizers
    from optimizers.swa_utils import AveragedModel, get_ema_multi_avg_fn

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    opt = optimizers.Adam(model.parameters(), lr=0.1)
    model(ag.randn(5, 3)).sum().backward()
    opt.step()
    twin = copy.deepcopy(model)
    for a, b in zip(model.state_dict().values(), twin.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    state = copy.deepcopy(opt.state_dict())
    np.testing.assert_array_equal(state["state"][0]["exp_avg"].numpy(),
                                  opt.state_dict()["state"][0]["exp_avg"].numpy())
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
    ema.update_parameters(model)
    np.testing.assert_array_equal(ema.module[0].weight.detach().numpy(),
                                  model[0].weight.detach().numpy())


ELEMENTWISE_MEAN = "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead."


def _loss_cases(lib, F, nn):
    x = lib.tensor([[0.2, 0.8], [0.6, 0.4]])
    y = lib.tensor([[0.0, 1.0], [1.0, 0.0]])
    c = lib.tensor([1, 0])
    return {"mse_loss": lambda **k: F.mse_loss(x, y, **k),
            "cross_entropy": lambda **k: F.cross_entropy(x, c, **k),
            "binary_cross_entropy": lambda **k: F.binary_cross_entropy(x, y, **k),
            "kl_div": lambda **k: F.kl_div(x, y, **k),
            "multi_margin_loss": lambda **k: F.multi_margin_loss(x, c, **k),
            "MSELoss": lambda **k: nn.MSELoss(**k)(x, y),
            "KLDivLoss": lambda **k: nn.KLDivLoss(**k)(x, y),
            "poisson_nll_loss": lambda **k: F.poisson_nll_loss(x, y, **k),
            "multilabel_soft_margin_loss": lambda **k: F.multilabel_soft_margin_loss(x, y, **k)}


def _outcomes(lib, F, nn):
    """``{(loss, arguments): (values or error, warnings)}`` for the legacy reduction spellings."""
    out = {}
    for name, loss in _loss_cases(lib, F, nn).items():
        for kwargs in (dict(reduction="elementwise_mean"), dict(size_average=True, reduce=True),
                       dict(size_average=False), dict(reduction="bogus")):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    got = np.round(np.asarray(loss(**kwargs).tolist()), 4).tolist()
                except ValueError as e:
                    got = f"ValueError: {e}"
            out[name, str(kwargs)] = got, [str(w.message) for w in caught]
    return out


def test_elementwise_mean_is_mean_with_pytorchs_warning():
    import nn
    import nn.functional as F

    got = _outcomes(ag, F, nn)
    for name in ("mse_loss", "cross_entropy", "kl_div", "multi_margin_loss", "MSELoss",
                 "KLDivLoss"):  # PyTorch's get_enum: the warning, then 'mean'
        mean = _loss_cases(ag, F, nn)[name](reduction="mean").item()
        assert got[name, "{'reduction': 'elementwise_mean'}"] == (round(mean, 4),
                                                                   [ELEMENTWISE_MEAN]), name
    assert got["poisson_nll_loss", "{'reduction': 'elementwise_mean'}"][0] == \
        "ValueError: elementwise_mean is not a valid value for reduction"  # checked first
    assert got["multilabel_soft_margin_loss", "{'reduction': 'bogus'}"][0] == \
        "ValueError: bogus is not valid"
    # the legacy arguments: only their own warning (kl_div's 'mean' warning is for reduction=)
    assert got["kl_div", "{'size_average': True, 'reduce': True}"][1] == [
        "size_average and reduce args will be deprecated, please use reduction='mean' instead."]


@pytest.mark.torch_parity
def test_legacy_reductions_as_pytorchs():
    torch = pytest.importorskip("torch")
    import nn
    import nn.functional as F

    ours = _outcomes(ag, F, nn)
    theirs = _outcomes(torch, torch.nn.functional, torch.nn)
    assert ours == theirs


@pytest.mark.torch_parity
def test_a_pytorch_dicts_tensor_lr_is_copied_on_load():
    """fuzz29's cross.py (seeds 20056, 20084, 20101, 20113, 20120, 20125): a tensor lr in a
    PyTorch-made state dict was kept by reference, so the source's scheduler writing into it
    (``fill_``) moved ours too: one multiplication too many per step. PyTorch's load copies."""
    torch = pytest.importorskip("torch")
    import nn
    import optimizers

    def run(lib, optim, sched, param, steps, load=None):
        p = param(lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64))
        opt = optim.AdamW([p], lr=lib.tensor(0.015), betas=(0.5, 0.99))
        schedule = sched.MultiplicativeLR(opt, lambda epoch: 1.01)
        if load is not None:
            opt.load_state_dict(load[0])
            schedule.load_state_dict(load[1])
        for _ in range(steps):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
            schedule.step()
        return p, opt, schedule

    tparam, topt, tsched = run(torch, torch.optim, torch.optim.lr_scheduler, torch.nn.Parameter, 3)
    saved = topt.state_dict(), tsched.state_dict()  # (its lr: the live tensor)
    ours = run(ag, optimizers, optimizers.lr_scheduler, nn.Parameter, 0, saved)
    ours[0].data.copy_(ag.tensor(tparam.detach().numpy()))
    assert isinstance(ours[1].param_groups[0]["lr"], ag.Tensor)
    for _ in range(3):  # both go on, the source too (its scheduler fills its lr tensor)
        for p, opt, schedule in ((tparam, topt, tsched), ours):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
            schedule.step()
    assert float(ours[1].param_groups[0]["lr"]) == pytest.approx(0.015 * 1.01 ** 6, rel=1e-6)
    np.testing.assert_allclose(ours[0].detach().numpy(), tparam.detach().numpy(), rtol=1e-6)
