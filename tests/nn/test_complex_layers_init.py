"""Complex layers and initialisation as PyTorch's: ``nn.Linear(dtype=complex)`` has complex
parameters drawn in both parts within the real layer's bounds, trains with the verified
complex gradients, and matches PyTorch's outputs and gradients for the same weights;
``init.uniform_``/``normal_`` (and the inits built on them, and ``Tensor.uniform_``/
``normal_``) fill both parts, ``normal_`` with variance ``std**2 / 2`` per part;
``trunc_normal_`` and ``orthogonal_`` refuse complex tensors with PyTorch's errors."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import init


@pytest.mark.parametrize("dtype", [ag.complex64, ag.complex128])
def test_complex_linear_parameters_fill_both_parts_within_the_bound(dtype):
    ag.manual_seed(0)
    layer = nn.Linear(400, 300, dtype=dtype)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) and the bias's: 1/sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert p.dtype == dtype and p.requires_grad
        a = p.detach().numpy()
        for part in (a.real, a.imag):
            assert np.abs(part).max() <= bound
            assert np.abs(part).max() > 0.95 * bound  # spread over the whole interval
    # independent parts: their correlation is near 0
    w = layer.weight.detach().numpy().ravel()
    assert abs(np.corrcoef(w.real, w.imag)[0, 1]) < 0.02


def test_complex_linear_gradcheck():
    ag.manual_seed(1)
    layer = nn.Linear(3, 2, dtype=ag.complex128)
    x = ag.randn(4, 3, dtype=ag.complex128, requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: nn.functional.linear(x, w, b),
                        [x, layer.weight, layer.bias])
    assert ag.gradgradcheck(lambda x, w, b: nn.functional.linear(x, w, b),
                            [x, layer.weight, layer.bias])


@pytest.mark.parametrize("fill,std", [(lambda w: init.normal_(w, 1.0, 2.0), 2.0),
                                      (lambda w: w.normal_(1.0, 2.0), 2.0)])
def test_normal_fills_both_parts_with_half_the_variance(fill, std):
    ag.manual_seed(2)
    w = fill(ag.empty(400, 500, dtype=ag.complex128)).detach().numpy()
    for part in (w.real, w.imag):  # 200000 draws: the moments within a few standard errors
        assert abs(part.mean() - 1.0) < 0.02
        assert abs(part.std() - std / math.sqrt(2)) < 0.01


@pytest.mark.parametrize("fill", [lambda w: init.uniform_(w, -1.0, 3.0),
                                  lambda w: w.uniform_(-1.0, 3.0)])
def test_uniform_fills_both_parts(fill):
    ag.manual_seed(3)
    w = fill(ag.empty(200, 500, dtype=ag.complex64)).detach().numpy()
    for part in (w.real, w.imag):
        assert part.min() >= -1.0 and part.max() <= 3.0
        assert abs(part.mean() - 1.0) < 0.02  # U(-1, 3): mean 1, std 4/sqrt(12)
        assert abs(part.std() - 4 / math.sqrt(12)) < 0.01


def test_kaiming_and_xavier_normal_per_part_std():
    ag.manual_seed(4)
    w = ag.empty(500, 400, dtype=ag.complex128)
    a = init.kaiming_normal_(w).detach().numpy()  # std sqrt(2 / fan_in), halved variance
    assert abs(a.imag.std() - math.sqrt(2 / 400) / math.sqrt(2)) < 1e-3
    a = init.xavier_normal_(w).detach().numpy()
    assert abs(a.real.std() - math.sqrt(2 / 900) / math.sqrt(2)) < 1e-3


def test_real_draws_are_the_generators_uniforms():
    # the real path maps each of the generator's double uniforms u to a + u * (b - a)
    ag.manual_seed(5)
    got = init.uniform_(ag.empty(2, 3, dtype=ag.float64), -1.0, 1.0).detach().numpy()
    ag.manual_seed(5)
    u = ag.rand(2, 3, dtype=ag.float64).numpy()
    np.testing.assert_allclose(got, -1.0 + u * 2.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("fn,error,message", [
    (init.trunc_normal_, NotImplementedError, "\"lt_cpu\" not implemented for 'ComplexFloat'"),
    (init.orthogonal_, NotImplementedError, "torch.sign is not intended to support complex"),
])
def test_inits_pytorch_refuses_for_complex_are_refused(fn, error, message):
    w = ag.zeros(3, 4, dtype=ag.complex64)
    with pytest.raises(error, match=message):
        fn(w)
    assert not w.detach().numpy().any()  # nothing written


@pytest.mark.torch_parity
def test_complex_linear_matches_torch():
    torch = pytest.importorskip("torch")
    ag.manual_seed(6)
    ours = nn.Linear(3, 2, dtype=ag.complex128)
    theirs = torch.nn.Linear(3, 2, dtype=torch.complex128)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    v = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xa), theirs(xt)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    out.backward(ag.tensor(v))
    tout.backward(torch.tensor(v))
    for a, t in ((xa, xt), (ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-14)
    # and the per-part variance of torch's complex normal_ is the one tested above
    w = torch.empty(400, 500, dtype=torch.complex128).normal_(1.0, 2.0)
    assert abs(w.real.std().item() - 2 / math.sqrt(2)) < 0.01


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["trunc_normal_", "orthogonal_"])
def test_complex_init_refusals_match_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError) as theirs:
        getattr(torch.nn.init, name)(torch.zeros(3, 4, dtype=torch.complex64))
    with pytest.raises(NotImplementedError) as ours:
        getattr(init, name)(ag.zeros(3, 4, dtype=ag.complex64))
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_norm_of_complex_gradients_is_the_norm_of_the_moduli():
    # grads [3+4i] and [0, 1j]: moduli 5, 0, 1; 2-norm sqrt(26) (real), 1-norm 6
    for norm_type, total in ((2.0, np.sqrt(26)), (1.0, 6.0), (float("inf"), 5.0)):
        a = ag.zeros(1, dtype=ag.complex128, requires_grad=True)
        b = ag.zeros(2, dtype=ag.complex128, requires_grad=True)
        a.grad = ag.tensor(np.array([3 + 4j]))
        b.grad = ag.tensor(np.array([0, 1j]))
        got = nn.utils.clip_grad_norm_([a, b], max_norm=1.0, norm_type=norm_type)
        assert got.dtype == ag.float64 and float(got) == pytest.approx(total)
        np.testing.assert_allclose(a.grad.numpy(), [(3 + 4j) / (total + 1e-6)])


def test_cosine_similarity_refuses_complex_as_pytorch():
    with pytest.raises(RuntimeError, match="common dtype is ComplexDouble"):
        nn.functional.cosine_similarity(ag.ones(2, dtype=ag.complex128),
                                        ag.ones(2, dtype=ag.complex128))


@pytest.mark.torch_parity
def test_clip_grad_norm_of_complex_gradients_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    gs = [(rng.standard_normal(s) + 1j * rng.standard_normal(s)).astype(np.complex64)
          for s in ((3, 2), (4,))]
    ours = [ag.zeros(g.shape, dtype=ag.complex64, requires_grad=True) for g in gs]
    theirs = [torch.zeros(g.shape, dtype=torch.complex64, requires_grad=True) for g in gs]
    for p, t, g in zip(ours, theirs, gs):
        p.grad, t.grad = ag.tensor(g.copy()), torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type=3.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=3.0)
    assert str(ttotal.dtype) == "torch." + total.dtype.name
    np.testing.assert_allclose(float(total), float(ttotal), rtol=1e-6)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
