"""Weight normalisation, both forms: w = g v / ||v|| by hand for weights of 2-4 axes and every
dim, float64 gradcheck/gradgradcheck of g and v, registration and removal, state_dict keys and
values against PyTorch, and the paper's data-dependent initialisation."""

import copy
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor
from nn.utils import parametrize
from nn.utils.weight_norm import norm_except_dim


class _AnyWeight(nn.Module):
    """A stand-in layer with a weight of any shape (convolutions are not in nn yet):
    ``y = x @ weight.reshape(out, -1).T + bias``."""

    def __init__(self, shape):
        super().__init__()
        self.weight = nn.Parameter(np.random.default_rng(0).standard_normal(shape))
        self.bias = nn.Parameter(np.zeros(shape[0]))

    def forward(self, x):
        return x @ self.weight.reshape(self.weight.shape[0], -1).T + self.bias


def _hand(v, g, dim):
    if dim is None or dim == -1:
        return g * v / np.sqrt((v * v).sum())
    axes = tuple(i for i in range(v.ndim) if i != dim % v.ndim)
    return g * v / np.sqrt((v * v).sum(axis=axes, keepdims=True))


@pytest.mark.parametrize("shape", [(4, 3), (4, 2, 3), (4, 2, 3, 2)])
@pytest.mark.parametrize("dim", [0, 1, -2, None, -1])
@pytest.mark.parametrize("form", ["legacy", "parametrization"])
def test_weight_is_g_v_over_norm_and_unchanged_at_registration(shape, dim, form):
    m = _AnyWeight(shape)
    w0 = m.weight._data.copy()
    if form == "legacy":
        nn.utils.weight_norm(m, dim=dim)
        g, v = m.weight_g, m.weight_v
        m(ag.zeros(1, int(np.prod(shape[1:])), dtype=ag.float64))  # the pre-hook recomputes the weight
    else:
        nn.utils.parametrizations.weight_norm(m, dim=dim)
        g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
    np.testing.assert_allclose(m.weight._data, w0, rtol=1e-12)
    keep = [1] * len(shape)
    if dim not in (None, -1):
        keep[dim % len(shape)] = shape[dim % len(shape)]
    assert tuple(g.shape) == (() if dim in (None, -1) else tuple(keep))
    rng = np.random.default_rng(1)
    g._data[...] = rng.random(g.shape) + 0.5
    v._data[...] = rng.standard_normal(shape)
    if form == "legacy":
        m(ag.zeros(1, int(np.prod(shape[1:])), dtype=ag.float64))
    np.testing.assert_allclose(m.weight._data, _hand(v._data, g._data, dim), rtol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_gradcheck_and_gradgradcheck_in_g_and_v(dim):
    rng = np.random.default_rng(2)
    v = Tensor._wrap(rng.standard_normal((3, 2, 2)), requires_grad=True)
    g = Tensor._wrap(norm_except_dim(v.detach(), 2, dim)._data * 1.3, requires_grad=True)
    x = Tensor._wrap(rng.standard_normal((5, 4)))
    from nn.utils.weight_norm import _weight_norm

    fn = lambda gg, vv: (x @ _weight_norm(vv, gg, -1 if dim is None else dim)  # noqa: E731
                         .reshape(3, 4).T).tanh()
    assert ag.gradcheck(fn, (g, v))
    assert ag.gradgradcheck(fn, (g, v))


def test_gradients_through_the_module_in_both_forms():
    rng = np.random.default_rng(3)
    x = Tensor._wrap(rng.standard_normal((6, 3)))
    for apply in (nn.utils.weight_norm, nn.utils.parametrizations.weight_norm):
        m = apply(nn.Linear(3, 2, dtype=np.float64))
        params = list(m.parameters())
        assert ag.gradcheck(lambda *p: m(x).sin(), tuple(params))


def test_register_remove_and_errors():
    m = nn.utils.weight_norm(nn.Linear(3, 2))
    assert sorted(n for n, _ in m.named_parameters()) == ["bias", "weight_g", "weight_v"]
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the "
                                           "same parameter weight"):
        nn.utils.weight_norm(m)
    w = m.weight._data.copy()
    nn.utils.remove_weight_norm(m)
    assert sorted(n for n, _ in m.named_parameters()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter) and not m._forward_pre_hooks
    np.testing.assert_allclose(m.weight._data, w, rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Linear"):
        nn.utils.remove_weight_norm(m)

    p = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    assert parametrize.is_parametrized(p) and parametrize.is_parametrized(p, "weight")
    assert not parametrize.is_parametrized(p, "bias")
    c = copy.deepcopy(p)
    assert type(c).__name__ == "ParametrizedLinear"
    np.testing.assert_array_equal(c.weight._data, p.weight._data)
    with pytest.raises(ValueError, match="leave_parametrized=False"):
        parametrize.remove_parametrizations(p, "weight", leave_parametrized=False)
    w = p.weight._data.copy()
    parametrize.remove_parametrizations(p, "weight")
    assert type(p) is nn.Linear and "parametrizations" not in dict(p.named_children())
    np.testing.assert_allclose(p.weight._data, w)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(p, "weight")


def test_assigning_the_parametrized_weight_goes_through_right_inverse():
    m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2, dtype=np.float64))
    target = np.arange(6.0).reshape(2, 3) - 2
    m.weight = Tensor._wrap(target)
    np.testing.assert_allclose(m.weight._data, target, rtol=1e-12)
    np.testing.assert_allclose(m.parametrizations.weight.original0._data.ravel(),
                               np.linalg.norm(target, axis=1))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dim", [0, 1, None])
def test_state_dict_and_outputs_match_torch(dim):
    torch = pytest.importorskip("torch")
    ours = nn.Linear(4, 3, dtype=np.float64)
    theirs = torch.nn.Linear(4, 3, dtype=torch.float64)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((5, 4))
    for mine, ref in ((nn.utils.weight_norm, torch.nn.utils.weight_norm),
                      (nn.utils.parametrizations.weight_norm,
                       torch.nn.utils.parametrizations.weight_norm)):
        a, b = copy.deepcopy(ours), copy.deepcopy(theirs)
        mine(a, dim=dim)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            ref(b, dim=dim)
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb)
        for k in sa:
            np.testing.assert_allclose(sa[k].numpy(), sb[k].numpy(), rtol=1e-12)
        ya, yb = a(Tensor._wrap(x)), b(torch.from_numpy(x))
        np.testing.assert_allclose(ya._data, yb.detach().numpy(), rtol=1e-12)
        ya.sum().backward()
        yb.sum().backward()
        for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
            assert na == nb
            np.testing.assert_allclose(pa.grad.numpy(), pb.grad.numpy(), rtol=1e-10,
                                       atol=1e-12)
        # torch's weights load into ours under the same keys
        a.load_state_dict({k: v.detach().numpy() for k, v in sb.items()})


@pytest.mark.parametrize("form", ["legacy", "parametrization"])
def test_data_dependent_init_gives_zero_mean_unit_variance(form):
    ag.manual_seed(0)
    m = nn.Linear(5, 4, dtype=np.float64)
    apply = nn.utils.weight_norm if form == "legacy" else nn.utils.parametrizations.weight_norm
    apply(m)
    x = Tensor._wrap(np.random.default_rng(5).standard_normal((200, 5)) * [1, 2, 3, 4, 5] + 3)
    direction = m.weight._data / np.linalg.norm(m.weight._data, axis=1, keepdims=True)
    nn.utils.weight_norm_init_(m, x)
    y = m(x)._data
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-10)
    np.testing.assert_allclose(y.std(0), 1, rtol=1e-10)
    # the paper's closed form: t = v.x/||v||, g = 1/sigma[t], b = -mu[t]/sigma[t]
    t = x._data @ direction.T
    g = m.weight_g if form == "legacy" else m.parametrizations.weight.original0
    np.testing.assert_allclose(g._data.ravel(), 1 / t.std(0), rtol=1e-10)
    np.testing.assert_allclose(m.bias._data, -t.mean(0) / t.std(0), rtol=1e-10)
    # v (the direction) is untouched
    np.testing.assert_allclose(m.weight._data / np.linalg.norm(m.weight._data, axis=1,
                                                             keepdims=True), direction)


def test_data_dependent_init_on_a_conv_shaped_weight_and_errors():
    m = nn.utils.weight_norm(_AnyWeight((3, 2, 2)))
    x = Tensor._wrap(np.random.default_rng(6).standard_normal((50, 4)) * 2 - 1)
    nn.utils.weight_norm_init_(m, x, unit_dim=-1)
    y = m(x)._data
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(0), 1, rtol=1e-10)
    with pytest.raises(ValueError, match="no weight norm on 'weight'"):
        nn.utils.weight_norm_init_(nn.Linear(2, 2), ag.zeros(3, 2))
    scalar = nn.utils.weight_norm(nn.Linear(2, 3), dim=None)
    g_before = scalar.weight_g._data.copy()
    with pytest.raises(ValueError, match="3 output units on axis 1 but g has 1 entries"):
        nn.utils.weight_norm_init_(scalar, ag.randn(4, 2))
    np.testing.assert_array_equal(scalar.weight_g._data, g_before)  # restored


def test_parametrize_errors_are_pytorchs():
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'foo'"):
        parametrize.register_parametrization(nn.Linear(2, 2), "foo", nn.Identity())
    with pytest.raises(ValueError, match=r"Module Linear\(in_features=2, out_features=2, "
                                         r"bias=True\) does not have a parametrization on weight"):
        parametrize.remove_parametrizations(nn.Linear(2, 2), "weight")
