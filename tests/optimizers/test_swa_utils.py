"""optimizers.swa_utils (torch.optim.swa_utils): averaged models, SWALR, update_bn, against
closed forms, hand-worked values and a live torch."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from optimizers import swa_utils
from optimizers.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                  get_swa_avg_fn, get_swa_multi_avg_fn, update_bn)


def _set(model, value):
    with ag.no_grad():
        for p in model.parameters():
            p.fill_(value)


def test_reachable_as_torch_optim_swa_utils():
    import importlib

    assert ag.optim.swa_utils is swa_utils
    assert importlib.import_module("autograd_core.optim.swa_utils") is swa_utils
    assert optim.swa_utils.AveragedModel is AveragedModel


@pytest.mark.parametrize("avg", [{}, {"avg_fn": get_swa_avg_fn()},
                                 {"multi_avg_fn": get_swa_multi_avg_fn()}])
def test_swa_is_the_mean_of_the_models_seen(avg):
    model = nn.Linear(2, 1, dtype=ag.float64)
    swa = AveragedModel(model, **avg)
    values = [1.0, 2.0, 6.0, -3.0]
    for v in values:
        _set(model, v)
        swa.update_parameters(model)
    assert swa.n_averaged.item() == 4 and swa.n_averaged.dtype == ag.int64
    # (multi_avg_fn: PyTorch's lerp weight 1 / (n + 1) is a float32 number, so is ours)
    for p in swa.module.parameters():
        np.testing.assert_allclose(p.detach().numpy(), np.mean(values), rtol=1e-7)
    # the averaged copy is separate from the model, and calling it runs the copy
    assert model.weight.detach().numpy()[0, 0] == -3.0
    np.testing.assert_allclose(swa(ag.ones(1, 2, dtype=ag.float64)).detach().numpy(), [[1.5 * 3]])


@pytest.mark.parametrize("avg", [{"avg_fn": get_ema_avg_fn(0.9)},
                                 {"multi_avg_fn": get_ema_multi_avg_fn(0.9)}])
def test_ema_closed_form(avg):
    model = nn.Linear(1, 1, bias=False, dtype=ag.float64)
    ema = AveragedModel(model, **avg)
    values = [3.0, 1.0, 4.0, 1.0, 5.0]
    for v in values:
        _set(model, v)
        ema.update_parameters(model)
    # the first call copies; then e <- 0.9 e + 0.1 v
    expected = values[0]
    for v in values[1:]:
        expected = 0.9 * expected + 0.1 * v
    np.testing.assert_allclose(ema.module.weight.detach().numpy(), [[expected]], rtol=1e-14)


def test_buffers_copied_or_averaged():
    model = nn.BatchNorm1d(1, dtype=ag.float64)
    synced, averaged = AveragedModel(model), AveragedModel(model, use_buffers=True)
    for mean in (2.0, 4.0):
        model.running_mean.fill_(mean)
        synced.update_parameters(model)
        averaged.update_parameters(model)
    assert synced.module.running_mean.numpy()[0] == 4.0
    assert averaged.module.running_mean.numpy()[0] == 3.0


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
        get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match=r"Invalid decay value -0.1 provided"):
        get_ema_avg_fn(-0.1)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        AveragedModel(nn.Linear(1, 1), avg_fn=get_swa_avg_fn(),
                      multi_avg_fn=get_swa_multi_avg_fn())
    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', "
                                         "instead got exp"):
        SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        SWALR(opt, 0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr must have the same length"):
        SWALR(opt, [0.1, 0.2])


def _lrs(sched, opt, n):
    out = [sched.get_last_lr()[0]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def test_swalr_cosine_anneals_to_swa_lr():
    # from a constant lr the recursion gives lr_t = swa + (lr0 - swa) (1 + cos(pi t / T)) / 2
    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    lrs = _lrs(SWALR(opt, swa_lr=0.2, anneal_epochs=4), opt, 6)
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * min(t, 4) / 4)) / 2 for t in range(7)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert opt.param_groups[0]["swa_lr"] == 0.2


def test_swalr_zero_anneal_epochs_jumps_at_once():
    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    assert _lrs(SWALR(opt, swa_lr=0.3, anneal_epochs=0), opt, 2) == [0.3, 0.3, 0.3]


def test_swalr_state_dict_resumes():
    def make():
        opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
        return opt, SWALR(opt, swa_lr=0.1, anneal_epochs=5, anneal_strategy="linear")

    opt, sched = make()
    _lrs(sched, opt, 2)
    state = sched.state_dict()
    assert "anneal_func" not in state and state["_anneal_strategy"] == "linear"
    opt2, sched2 = make()
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    sched2.load_state_dict(state)
    assert _lrs(sched2, opt2, 4) == _lrs(sched, opt, 4)


def test_update_bn_is_the_cumulative_average_and_restores_state():
    model = nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1, momentum=0.3))
    with ag.no_grad():
        model[0].weight.fill_(1.0)
        model[0].bias.fill_(0.0)
    model.eval()
    batches = [ag.tensor([[1.0], [3.0]]), ag.tensor([[5.0], [9.0], [10.0]])]
    update_bn([(b, "label") for b in batches], model)
    bn = model[1]
    # mean of the batch means, mean of the unbiased batch variances: (2 + 8) / 2, (2 + 7) / 2
    np.testing.assert_allclose(bn.running_mean.numpy(), [5.0], rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), [4.5], rtol=1e-6)
    assert bn.num_batches_tracked.item() == 2
    assert bn.momentum == 0.3 and not model.training


def _mlp(lib, bn=False):
    layers = [lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2)]
    if bn:
        layers.insert(1, lib.nn.BatchNorm1d(8))
    return lib.nn.Sequential(*layers).double()


def _torch_twin(torch, ours, bn=False):
    theirs = _mlp(torch, bn)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return theirs


def _run(lib, model, averaged, xs, ys, swa_start):
    opt = lib.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    sched = lib.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
    lrs, counts = [], []
    for i, (x, y) in enumerate(zip(xs, ys)):
        opt.zero_grad()
        loss = ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        if i >= swa_start:
            averaged.update_parameters(model)
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        counts.append(int(averaged.n_averaged))
    return lrs, counts, {k: np.asarray(v.detach().numpy())
                         for k, v in averaged.state_dict().items()}


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind", ["swa", "ema", "ema_single", "swa_buffers"])
def test_averaged_run_matches_torch(kind):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(12, 5, 3))
    ys = rng.normal(size=(12, 5, 2))
    ag.manual_seed(0)
    bn = kind == "swa_buffers"
    ours = _mlp(ag, bn)
    theirs = _torch_twin(torch, ours, bn)
    kwargs = {"swa": {}, "swa_buffers": {"use_buffers": True},
              "ema": {"multi_avg_fn": "get_ema_multi_avg_fn"},
              "ema_single": {"avg_fn": "get_ema_avg_fn"}}[kind]

    def build(lib, model):
        kw = {k: getattr(lib.optim.swa_utils, v)(0.8) if isinstance(v, str) else v
              for k, v in kwargs.items()}
        return lib.optim.swa_utils.AveragedModel(model, **kw)

    got = _run(ag, ours, build(ag, ours), xs, ys, swa_start=4)
    want = _run(torch, theirs, build(torch, theirs), xs, ys, swa_start=4)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    assert got[1] == want[1]
    assert got[2].keys() == want[2].keys()
    for key in want[2]:
        np.testing.assert_allclose(got[2][key], want[2][key], rtol=1e-9, atol=1e-12,
                                   err_msg=key)


@pytest.mark.torch_parity
def test_float32_swa_and_ema_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    seen = rng.normal(size=(5, 4, 3)).astype(np.float32)
    for make in ("get_swa_multi_avg_fn", "get_ema_multi_avg_fn"):
        args = () if "swa" in make else (0.99,)
        results = []
        for lib in (ag, torch):
            model = lib.nn.Linear(3, 4, bias=False)
            avg = lib.optim.swa_utils.AveragedModel(
                model, multi_avg_fn=getattr(lib.optim.swa_utils, make)(*args))
            for w in seen:
                with lib.no_grad():
                    model.weight.copy_(lib.tensor(w))
                avg.update_parameters(model)
            results.append(avg.module.weight.detach().numpy())
        # to the last bit but one: ATen's vectorized lerp rounds once (a fused multiply-add)
        np.testing.assert_allclose(results[0], results[1], rtol=2e-7, atol=0, err_msg=make)


@pytest.mark.torch_parity
def test_update_bn_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    batches = [rng.normal(size=(n, 3)) for n in (4, 7, 5)]
    ag.manual_seed(0)
    ours = _mlp(ag, bn=True)
    theirs = _torch_twin(torch, ours, bn=True)
    update_bn([ag.tensor(b) for b in batches], ours)
    torch.optim.swa_utils.update_bn([torch.tensor(b) for b in batches], theirs)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].detach().numpy(), value.numpy(), rtol=1e-12,
                                   err_msg=key)
