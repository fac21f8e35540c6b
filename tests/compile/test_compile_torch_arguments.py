"""``ag.compile`` takes ``torch.compile``'s arguments, and a module comes back wrapped as
PyTorch's ``OptimizedModule`` (``model = torch.compile(model)`` then ``model.parameters()``,
``model.state_dict()``, ``model.train()``: 2024+ training scripts' first lines)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim


def test_a_compiled_module_is_a_module_over_the_same_parameters():
    ag.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    c = ag.compile(m)
    assert isinstance(c, nn.Module)
    assert c._orig_mod is m
    assert [p is q for p, q in zip(c.parameters(), m.parameters())] == [True] * 4
    assert list(c.state_dict()) == ["_orig_mod.0.weight", "_orig_mod.0.bias",
                                    "_orig_mod.2.weight", "_orig_mod.2.bias"]
    x = ag.randn(5, 3)
    np.testing.assert_array_equal(c(x).detach().numpy(), m(x).detach().numpy())
    c.eval()
    assert not m.training and not m[0].training
    assert c._modules["_orig_mod"] is m and ag.compile(nn.Linear(2, 3)).out_features == 3
    # it trains as the module does
    opt = optim.SGD(c.parameters(), lr=0.1)
    before = m[0].weight.detach().numpy().copy()
    c(x).sum().backward()
    opt.step()
    assert not np.array_equal(before, m[0].weight.detach().numpy())


def test_torch_compile_keywords_are_taken():
    f = ag.compile(lambda x: x * 2, mode="max-autotune", fullgraph=True, dynamic=False,
                   backend="inductor")
    assert float(f(ag.tensor([1.5]))[0]) == 3.0
    g = lambda x: x  # noqa: E731
    assert ag.compile(g, disable=True) is g
    m = nn.Linear(1, 1)
    assert ag.compile(m, disable=True) is m
    assert ag.compile(disable=True)(g) is g
    deco = ag.compile(mode="reduce-overhead", recompile_limit=3)
    step = deco(lambda x: x + 1)
    assert step.cache_limit == 3


def test_bad_mode_refused_in_pytorchs_words():
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast, should be one of: default"):
        ag.compile(lambda x: x, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        ag.compile(lambda x: x, mode="default", options={})


@pytest.mark.torch_parity
def test_state_dict_keys_and_errors_as_torchs():
    torch = pytest.importorskip("torch")
    tm = torch.compile(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1)))
    m = ag.compile(nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)))
    assert list(m.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    m.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(m(ag.tensor(x)).detach().numpy(),
                               tm._orig_mod(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)  # float32 sums: a few ulps apart
    for kwargs in ({"mode": "fast"}, {"mode": "default", "options": {}}):
        with pytest.raises(RuntimeError) as ours:
            ag.compile(lambda x: x, **kwargs)
        with pytest.raises(RuntimeError) as theirs:
            torch.compile(lambda x: x, **kwargs)
        assert str(ours.value) == str(theirs.value)


def test_a_replayed_in_place_write_casts_as_eager():
    """``uint8 += int16`` (PyTorch's canCast allows it within the integers; eager wraps): the
    captured step's replay copied with numpy's same_kind rule and raised TypeError on the third
    call."""
    x = ag.zeros(3, dtype=ag.uint8)
    y = ag.tensor([300, 2, 3], dtype=ag.int16)
    step = ag.compile(lambda x, y: x.add_(y), strict=True)
    got = [step(x, y).tolist() for _ in range(3)]
    assert got == [[44, 2, 3], [88, 4, 6], [132, 6, 9]]  # 300 wraps to 44 in uint8


@pytest.mark.torch_parity
def test_is_floating_point_of_complex_is_false_as_torchs():
    torch = pytest.importorskip("torch")
    for dt in ("float16", "float32", "float64", "complex64", "complex128", "int32", "bool"):
        assert ag.zeros(1, dtype=getattr(ag, dt)).is_floating_point() == \
            torch.zeros(1, dtype=getattr(torch, dt)).is_floating_point()
