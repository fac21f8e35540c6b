"""Module behaviours found different from PyTorch by the module-API hunt of 2026-12-07, fixed
toward PyTorch: each test failed before its fix."""

import copy
import pickle

import numpy as np

import autograd_core as ag
import nn


def test_train_and_eval_call_each_child_s_own_train():
    class FrozenNorm(nn.Module):  # the fine-tuning pattern: a child that stays in eval
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(2)

        def train(self, mode=True):
            super().train(mode)
            self.bn.eval()
            return self

    net = nn.Sequential(nn.Linear(2, 2), FrozenNorm())
    net.train()
    assert net.training and net[0].training and net[1].training
    assert not net[1].bn.training  # set directly on every module, it was True
    net.eval()
    assert not net[1].training and not net[1].bn.training


def test_a_deep_copy_or_pickle_of_a_parameter_has_no_grad():
    m = nn.Linear(2, 1)
    m(ag.ones(1, 2)).sum().backward()
    assert m.weight.grad is not None
    c = copy.deepcopy(m)
    assert c.weight.grad is None and c.bias.grad is None
    assert np.array_equal(c.weight.detach().numpy(), m.weight.detach().numpy())
    assert c.weight.requires_grad and c.weight is not m.weight
    p = pickle.loads(pickle.dumps(m.weight))
    assert isinstance(p, nn.Parameter) and p.grad is None and p.requires_grad
    t = ag.ones(2, requires_grad=True)  # a plain tensor keeps it, as PyTorch's
    t.grad = ag.ones(2)
    assert copy.deepcopy(t).grad is not None


def test_parameters_without_recursion_give_a_parameter_registered_twice_once():
    m = nn.Module()
    w = nn.Parameter(ag.ones(2))
    m.a = w
    m.b = w
    assert len(list(m.parameters(recurse=False))) == 1
    assert len(list(m.parameters())) == 1


def test_a_data_loader_exposes_pytorch_s_default_samplers():
    from nn.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                         TensorDataset)

    ds = TensorDataset(ag.arange(10))
    dl = DataLoader(ds, batch_size=3, shuffle=True)
    assert isinstance(dl.sampler, RandomSampler) and len(dl.sampler) == 10
    assert isinstance(dl.batch_sampler, BatchSampler) and dl.batch_sampler.batch_size == 3
    assert len(dl.batch_sampler) == len(dl) == 4
    plain = DataLoader(ds, batch_size=None)
    assert isinstance(plain.sampler, SequentialSampler) and plain.batch_sampler is None
    assert list(plain.sampler) == list(range(10))


def test_a_child_s_state_dict_override_runs_and_unexpected_keys_come_module_by_module():
    class WithExtra(nn.Linear):
        def state_dict(self, *args, **kwargs):
            d = super().state_dict(*args, **kwargs)
            d[kwargs.get("prefix", "") + "extra"] = ag.zeros(1)
            return d

    net = nn.Sequential(WithExtra(2, 2), nn.Linear(2, 2))
    assert list(net.state_dict()) == ["0.weight", "0.bias", "0.extra", "1.weight", "1.bias"]
    plain = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    sd = dict(plain.state_dict())
    sd["1.extra"], sd["0.extra"], sd["top"] = ag.zeros(1), ag.zeros(1), ag.zeros(1)
    result = plain.load_state_dict(sd, strict=False)
    assert result.unexpected_keys == ["top", "0.extra", "1.extra"]  # PyTorch's walk order


def test_module_to_a_real_dtype_casts_complex_parameters_as_pytorch():
    import warnings

    m = nn.Module()
    m.p = nn.Parameter(ag.tensor([1 + 2j]))
    m.register_buffer("i", ag.tensor([1]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.to(ag.float32)
    assert m.p.dtype == ag.float32 and m.p.tolist() == [1.0] and m.i.dtype == ag.int64
    assert any("discards the imaginary part" in str(w.message) for w in caught)
    k = nn.Module()
    k.p = nn.Parameter(ag.tensor([1 + 2j]))
    k.float()  # float()/double()/half() leave complex tensors as they are
    assert k.p.dtype == ag.complex64


def test_a_one_element_value_loads_into_a_0d_buffer_as_pytorch_s_legacy_rule():
    m = nn.Module()
    m.register_buffer("n", ag.tensor(0))
    m.p = nn.Parameter(ag.tensor(1.5))
    m.load_state_dict({"n": ag.tensor([7]), "p": ag.tensor([2.5])})
    assert m.n.shape == () and m.n.item() == 7 and m.p.shape == () and m.p.item() == 2.5


def test_always_call_forward_hooks_run_as_pytorch_s_after_any_error():
    import warnings

    import pytest

    log = []

    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Bad()
    m.register_forward_hook(lambda mod, a, o: log.append("h1"), always_call=True)
    m.register_forward_hook(lambda mod, a, o: log.append("h2"), always_call=True, prepend=True)
    with pytest.raises(ValueError):
        m(ag.ones(1))
    r = nn.ReLU()  # a pre-hook that raises: the always_call hook still runs
    r.register_forward_pre_hook(lambda mod, a: (_ for _ in ()).throw(ValueError("pre")))
    r.register_forward_hook(lambda mod, a, o: log.append("after pre"), always_call=True)
    with pytest.raises(ValueError):
        r(ag.ones(1))
    r2 = nn.ReLU()  # an earlier ordinary hook that raises: likewise
    r2.register_forward_hook(lambda mod, a, o: (_ for _ in ()).throw(ValueError("h")))
    r2.register_forward_hook(lambda mod, a, o: log.append("after hook"), always_call=True)
    with pytest.raises(ValueError):
        r2(ag.ones(1))
    assert log == ["h2", "h1", "after pre", "after hook"]  # prepend's order kept
    m3 = Bad()
    m3.register_forward_hook(lambda mod, a, o: {}["missing"], always_call=True)
    with warnings.catch_warnings(record=True) as caught, pytest.raises(ValueError):
        warnings.simplefilter("always")
        m3(ag.ones(1))
    assert any("always_call=True" in str(w.message) for w in caught)


def test_parameter_containers_have_pytorch_s_dict_and_list_operations():
    d = nn.ParameterDict({"b": ag.zeros(1), "a": ag.ones(1)})  # a plain dict: sorted keys
    assert list(reversed(d)) == ["b", "a"]
    assert list((d | {"z": ag.ones(1)}).keys()) == ["a", "b", "z"]
    assert type(d.copy()).__name__ == "ParameterDict" and d.copy()["a"] is d["a"]
    assert list(d.fromkeys(["x"], ag.ones(1)).keys()) == ["x"]
    assert d.setdefault("c", ag.ones(2)).shape == (2,) and d.setdefault("c").shape == (2,)
    assert d.popitem()[0] == "c" and list(d.keys()) == ["a", "b"]
    d |= {"y": ag.zeros(1)}
    assert "y" in d
    p = nn.ParameterList([ag.zeros(1)])
    p += [ag.ones(1)]
    assert len(p) == 2 and isinstance(p[1], nn.Parameter)


def test_load_takes_mmap_false():
    import io

    buf = io.BytesIO()
    ag.save({"a": ag.ones(1)}, buf)
    buf.seek(0)
    assert ag.load(buf, mmap=False)["a"].tolist() == [1.0]


def test_get_submodule_follows_a_property_that_returns_a_module():
    import pytest

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self._enc = nn.ReLU()

        @property
        def enc(self):
            return self._enc

    assert isinstance(M().get_submodule("enc"), nn.ReLU)
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        nn.Sequential(nn.Linear(2, 2)).get_submodule("0.weight")


def test_max_pooling_refuses_padding_beyond_half_the_kernel_as_aten():
    import pytest

    import nn.functional as F

    # within half the dilated kernel (2 <= 5 // 2) but beyond half the kernel (3 // 2 = 1):
    # ATen's max pooling kernels refuse it (an output window could be all padding)
    with pytest.raises(RuntimeError, match="padW = 2, padH = 2, kW = 3, kH = 3"):
        F.max_pool2d(ag.randn(1, 1, 9, 9), 3, 1, 2, 2)
    with pytest.raises(RuntimeError, match="padding=2 and kernel_size=3"):
        F.max_pool1d(ag.randn(1, 1, 9), 3, 1, 2, 2)
    with pytest.raises(RuntimeError, match="kT: 3 kW: 3 kH: 3 padT: 2 padW: 2 padH: 2"):
        F.max_pool3d(ag.randn(1, 1, 9, 9, 9), 3, 1, 2, 2)
    assert F.max_pool2d(ag.randn(1, 1, 9, 9), 3, 1, 1, 2).shape == (1, 1, 7, 7)
