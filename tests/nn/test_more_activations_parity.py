"""nn additions of issue 12 (ELU ... Tanhshrink, KLDivLoss, CosineSimilarity,
PairwiseDistance, the padding modules) against PyTorch 2.13, and float64 gradchecks of the
functional forms (they are compositions of ops, so the op table does not list them)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

X = np.array([[-3.5, -1.2, -0.3, 0.4], [0.9, 2.7, 3.6, -5.0]])
P = np.array([[0.2, 0.3, 0.4, 0.1], [0.1, 0.1, 0.4, 0.4]])
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (a float literal in
# ATen) even in float64; here the slope is 1/6 in the input's dtype
GRAD_RTOL = {"hardsigmoid": 1e-7}

# (name, fn(F, *inputs), inputs)
CASES = [
    ("elu", lambda f, x: f.elu(x), [X]),
    ("elu_alpha", lambda f, x: f.elu(x, alpha=0.5), [X]),
    ("selu", lambda f, x: f.selu(x), [X]),
    ("celu", lambda f, x: f.celu(x, alpha=2.0), [X]),
    ("prelu", lambda f, x, w: f.prelu(x, w), [X.reshape(2, 2, 2), np.array([0.25, -0.5])]),
    ("prelu_one", lambda f, x, w: f.prelu(x, w), [X, np.array([0.1])]),
    ("mish", lambda f, x: f.mish(x), [X]),
    ("hardtanh", lambda f, x: f.hardtanh(x, min_val=-2.0, max_val=3.0), [X]),
    ("relu6", lambda f, x: f.relu6(x * 2), [X]),
    ("hardsigmoid", lambda f, x: f.hardsigmoid(x), [X]),
    ("hardswish", lambda f, x: f.hardswish(x), [X]),
    ("logsigmoid", lambda f, x: f.logsigmoid(x * 10), [X]),
    ("softsign", lambda f, x: f.softsign(x), [X]),
    ("tanhshrink", lambda f, x: f.tanhshrink(x), [X]),
    ("cosine_similarity", lambda f, a, b: f.cosine_similarity(a, b), [X, X[::-1] + 0.1]),
    ("cosine_similarity_dim", lambda f, a, b: f.cosine_similarity(a, b, dim=-1, eps=1e-6),
     [X, X[:1] * 2]),
    ("pairwise_distance", lambda f, a, b: f.pairwise_distance(a, b), [X, X[::-1]]),
    ("pairwise_distance_p1", lambda f, a, b: f.pairwise_distance(a, b, p=1, keepdim=True),
     [X, X[::-1]]),
    ("pairwise_distance_p3", lambda f, a, b: f.pairwise_distance(a, b, p=3.0), [X, X[::-1]]),
    ("interpolate_nearest", lambda f, x: f.interpolate(x, scale_factor=0.6), [X[None]]),
    ("interpolate_linear", lambda f, x: f.interpolate(x, size=7, mode="linear"), [X[None]]),
    ("interpolate_bilinear", lambda f, x: f.interpolate(x, size=(5, 3), mode="bilinear",
                                                        align_corners=False),
     [X.reshape(2, 1, 2, 2)]),
    ("interpolate_bilinear_corners", lambda f, x: f.interpolate(
        x, scale_factor=2, mode="bilinear", align_corners=True), [X.reshape(1, 2, 2, 2)]),
    ("kl_div_batchmean", lambda f, x, t: f.kl_div(x, t, reduction="batchmean"), [X, P]),
    ("kl_div_none", lambda f, x, t: f.kl_div(x, t, reduction="none"), [X, P]),
    ("kl_div_sum_log", lambda f, x, t: f.kl_div(x, t, reduction="sum", log_target=True),
     [X, np.log(P + 0.1)]),
]


def _torch_f(torch):
    return torch.nn.functional


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_values_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, fn, arrays = case
    mine = [ag.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    ref = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out, rout = fn(F, *mine), fn(_torch_f(torch), *ref)
    assert out.shape == tuple(rout.shape)
    np.testing.assert_allclose(out._data, rout.detach().numpy(), rtol=1e-12, atol=1e-12,
                               err_msg=name)
    w = np.random.default_rng(2).standard_normal(tuple(rout.shape))
    (out * ag.tensor(w)).sum().backward()
    (rout * torch.tensor(w)).sum().backward()
    for t, r in zip(mine, ref):
        np.testing.assert_allclose(t.grad._data, r.grad.numpy(), rtol=GRAD_RTOL.get(name, 1e-11),
                                   atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", [c for c in CASES if "kl_div" not in c[0]],
                         ids=lambda c: c[0])
def test_gradcheck(case):
    _, fn, arrays = case
    xs = [ag.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    assert ag.gradcheck(lambda *t: fn(F, *t), tuple(xs))


def test_kl_div_gradcheck_in_input_and_target():
    x = ag.tensor(X, requires_grad=True)
    t = ag.tensor(P + 0.05, requires_grad=True)
    assert ag.gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean"), (x, t))


def test_closed_forms():
    x = ag.tensor([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(F.elu(x)._data, [np.exp(-1) - 1, 0, 2])
    np.testing.assert_allclose(F.softsign(x)._data, [-0.5, 0, 2 / 3])
    np.testing.assert_allclose(F.hardswish(x)._data, [-1 * 2 / 6, 0, 2 * 5 / 6])
    # a zero target contributes 0 (0 log 0 = 0), whatever the input
    assert F.kl_div(ag.tensor([-5.0, -1.0]), ag.tensor([0.0, 1.0]), reduction="sum").item() == 1.0
    # no inf reaches the gradient from the exponential of a large positive input
    big = ag.tensor([1000.0], requires_grad=True)
    F.elu(big).sum().backward()
    assert big.grad.tolist() == [1.0]


def test_kl_div_mean_warns_as_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ag.tensor(X), ag.tensor(P))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.kl_div(ag.tensor(X), ag.tensor(P), reduction="avg")


# (name, build(nn_module_namespace), inputs)
MODULES = [
    ("ELU", lambda m: m.ELU(alpha=0.7), [X]),
    ("CELU", lambda m: m.CELU(alpha=1.5), [X]),
    ("SELU", lambda m: m.SELU(), [X]),
    ("Mish", lambda m: m.Mish(), [X]),
    ("Hardswish", lambda m: m.Hardswish(), [X]),
    ("ReLU6", lambda m: m.ReLU6(), [X * 2]),
    ("Hardtanh", lambda m: m.Hardtanh(min_val=-0.5, max_val=2.0), [X]),
    ("LogSigmoid", lambda m: m.LogSigmoid(), [X]),
    ("Softsign", lambda m: m.Softsign(), [X]),
    ("Tanhshrink", lambda m: m.Tanhshrink(), [X]),
    ("PReLU", lambda m: m.PReLU(num_parameters=2, init=0.1), [X.reshape(2, 2, 2)]),
    ("KLDivLoss", lambda m: m.KLDivLoss(reduction="batchmean", log_target=True),
     [X, np.log(P)]),
    ("CosineSimilarity", lambda m: m.CosineSimilarity(dim=0, eps=1e-6), [X, X[::-1]]),
    ("PairwiseDistance", lambda m: m.PairwiseDistance(p=1.0, keepdim=True), [X, X[::-1]]),
    ("ZeroPad2d", lambda m: m.ZeroPad2d((1, 2, 0, 1)), [X.reshape(1, 2, 4)]),
    ("ConstantPad1d", lambda m: m.ConstantPad1d(2, 3.5), [X]),
    ("ConstantPad2d", lambda m: m.ConstantPad2d((0, 1, 2, 0), -1.0), [X.reshape(1, 2, 4)]),
    ("ReflectionPad1d", lambda m: m.ReflectionPad1d((3, 1)), [X.reshape(1, 2, 4)]),
    ("ReflectionPad2d", lambda m: m.ReflectionPad2d(1), [X.reshape(1, 2, 4)]),
    ("ReplicationPad1d", lambda m: m.ReplicationPad1d((0, 2)), [X.reshape(1, 2, 4)]),
    ("ReplicationPad2d", lambda m: m.ReplicationPad2d((1, 1, 2, 0)), [X.reshape(1, 1, 2, 4)]),
    ("Upsample_nearest", lambda m: m.Upsample(scale_factor=2.3), [X.reshape(1, 2, 2, 2)]),
    ("Upsample_nearest_size", lambda m: m.Upsample(size=(3, 5)), [X.reshape(1, 2, 2, 2)]),
    ("Upsample_bilinear", lambda m: m.Upsample(size=(3, 7), mode="bilinear"),
     [X.reshape(1, 2, 2, 2)]),
    ("Upsample_bilinear_corners", lambda m: m.Upsample(scale_factor=(1.5, 2.5), mode="bilinear",
                                                       align_corners=True),
     [X.reshape(1, 2, 2, 2)]),
    ("Upsample_linear", lambda m: m.Upsample(scale_factor=1.7, mode="linear"), [X[None]]),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", MODULES, ids=lambda c: c[0])
def test_modules_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, build, arrays = case
    mine_mod, ref_mod = build(nn), build(torch.nn)
    if name == "PReLU":
        assert mine_mod.weight.dtype == np.float32
        mine_mod.double()
        ref_mod.double()
    mine = [ag.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    ref = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out, rout = mine_mod(*mine), ref_mod(*ref)
    np.testing.assert_allclose(out._data, rout.detach().numpy(), rtol=1e-12, atol=1e-12,
                               err_msg=name)
    assert repr(mine_mod) == repr(ref_mod)
    w = np.random.default_rng(4).standard_normal(tuple(rout.shape))
    (out * ag.tensor(w)).sum().backward()
    (rout * torch.tensor(w)).sum().backward()
    for t, r in zip(mine, ref):
        np.testing.assert_allclose(t.grad._data, r.grad.numpy(), rtol=1e-11, atol=1e-12,
                                   err_msg=name)
    if name == "PReLU":
        np.testing.assert_allclose(mine_mod.weight.grad._data, ref_mod.weight.grad.numpy(),
                                   rtol=1e-11)


def test_parameter_dict_registers_wraps_and_forgets():
    params = nn.ParameterDict([("w", ag.ones(2))])
    params.update({"b": np.zeros(3, dtype=np.float32)})
    assert list(params.keys()) == ["w", "b"]
    assert isinstance(params["b"], nn.Parameter) and params["b"].requires_grad
    assert [n for n, _ in params.named_parameters()] == ["w", "b"]
    assert list(params.state_dict()) == ["w", "b"]
    popped = params.pop("w")
    assert tuple(popped.shape) == (2,) and "w" not in params and len(params) == 1
    assert [n for n, _ in params.named_parameters()] == ["b"]
    assert params.get("w") is None
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        params.update([("a", ag.ones(1), 1)])
    assert len(params) == 1  # nothing changed
    model = nn.Module()
    model.extra = nn.ParameterDict({"scale": ag.ones(1)})
    assert [n for n, _ in model.named_parameters()] == ["extra.scale"]
