"""The distributions' samplers, ``poisson``, ``binomial`` and ``WeightedRandomSampler`` draw
PyTorch's numbers for a seed: the torch ops PyTorch's samplers call, and PyTorch's CPU kernels
for the gamma (Marsaglia-Tsang), Poisson (product of uniforms / PTRS) and binomial (inversion /
BTRS) draws. Checked by hand (the kernels' steps redone on the generator's uniform and normal
draws, closed-form moments) and, with torch, bit for bit over seeds, shapes and dtypes."""

import math

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.distributions as D
from tests._cpu import assert_bits_equal_on_avx512
from nn.data import WeightedRandomSampler

F64 = ag.float64


# ---- hand checks (no torch) ----------------------------------------------------------------
def _u():
    return ag.rand(1, dtype=F64).item()  # PyTorch's uniform_real_distribution<double>


def _n():
    return ag.randn(1, dtype=F64).item()  # its normal_distribution<double> (cached pairs)


def test_poisson_small_rate_is_the_product_of_uniforms():
    lam = [0.5, 3.0, 9.5]
    ag.manual_seed(5)
    got = ag.poisson(ag.tensor(lam, dtype=F64)).tolist()
    ag.manual_seed(5)
    want = []
    for rate in lam:  # count uniforms while their running product stays above exp(-rate)
        k, prod = 0, _u()
        while prod > math.exp(-rate):
            k, prod = k + 1, prod * _u()
        want.append(float(k))
    assert got == want


def test_binomial_small_mean_sums_geometric_draws():
    ag.manual_seed(11)
    got = ag.binomial(ag.tensor([12.0, 7.0], dtype=F64), ag.tensor([0.3, 0.8], dtype=F64))
    ag.manual_seed(11)
    want = []
    for n, p in ((12.0, 0.3), (7.0, 0.2)):  # p > 1/2 draws n - Binomial(n, 1 - p)
        total, k = 0.0, 0
        while True:
            total += math.ceil(math.log(_u()) / math.log1p(-p))
            if total > n:
                break
            k += 1
        want.append(float(k))
    assert got.tolist() == [want[0], 7.0 - want[1]]


def test_gamma_is_marsaglia_tsang_on_double_normals_and_uniforms():
    alpha = [2.5, 0.4]
    ag.manual_seed(3)
    got = D.Gamma(ag.tensor(alpha, dtype=F64), ag.tensor(1.0, dtype=F64)).sample().tolist()
    ag.manual_seed(3)
    want = []
    for a in alpha:
        scale = 1.0
        if a < 1:  # boosted: Gamma(a + 1) * U ** (1 / a)
            scale, a = (1 - _u()) ** (1 / a), a + 1
        d = a - float(np.float32(1 / 3))  # the kernel's float constant 1.0f / 3.0f
        c = 1 / math.sqrt(9 * d)
        while True:
            x = _n()
            y = 1 + c * x
            if y <= 0:
                continue
            v, u = y ** 3, 1 - _u()
            if u < 1 - float(np.float32(0.0331)) * x * x * x * x or \
                    math.log(u) < x * x / 2 + d * (1 - v + math.log(v)):
                want.append(scale * d * v)
                break
    np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize("make, mean, var", [
    (lambda: D.Gamma(ag.tensor([0.3, 4.0], dtype=F64), 2.0), [0.15, 2.0], [0.075, 1.0]),
    (lambda: D.Poisson(ag.tensor([2.0, 40.0], dtype=F64)), [2.0, 40.0], [2.0, 40.0]),
    (lambda: D.Binomial(ag.tensor([20.0, 200.0], dtype=F64), ag.tensor([0.3, 0.6], dtype=F64)),
     [6.0, 120.0], [4.2, 48.0]),
    (lambda: D.Beta(ag.tensor([0.5, 3.0], dtype=F64), ag.tensor([2.0, 3.0], dtype=F64)),
     [0.2, 0.5], [0.0457142857, 1 / 28]),
])
def test_moments_match_the_closed_forms(make, mean, var):
    ag.manual_seed(0)
    x = make().sample((20000,)).numpy()
    assert np.all(np.abs(x.mean(0) - mean) < 5 * np.sqrt(var) / math.sqrt(20000))
    np.testing.assert_allclose(x.var(0), var, rtol=0.06)


def test_multinomial_counts_categorical_draws():
    p = ag.tensor([0.2, 0.5, 0.3])
    ag.manual_seed(2)
    counts = D.Multinomial(10, p).sample((4,))
    ag.manual_seed(2)
    draws = D.Categorical(p).sample((10, 4)).numpy()
    want = np.stack([(draws == k).sum(0) for k in range(3)], -1)
    np.testing.assert_array_equal(counts.numpy(), want)


def test_dirichlet_clips_below_one_at_the_largest_float_below_it():
    # PyTorch's clip: [tiny, nextafter(1, 0)]; 1 - eps was one float too low for float32
    ag.manual_seed(0)
    x = D.Dirichlet(ag.tensor([1e3, 1e-3])).sample((200,)).numpy()
    assert x.max() == np.nextafter(np.float32(1), np.float32(0))


def test_laplace_and_gumbel_take_their_uniforms_as_pytorch():
    # Laplace: uniform_(eps - 1, 1), x * (high - low) + low with one rounding (it was rand()
    # scaled and shifted, two roundings); Gumbel: Uniform(tiny, 1 - eps), tiny + rand() *
    # (1 - eps - tiny) (it was rand() clamped into [tiny, 1 - eps])
    f32 = np.float32
    lo = f32(np.finfo(f32).eps - 1)
    ag.manual_seed(9)
    r = ag.rand(300).numpy().astype(np.float64)
    ag.manual_seed(9)
    got = D.Laplace(ag.tensor(0.5), ag.tensor(2.0)).sample((300,))
    u = ag.tensor((r * np.float64(f32(1) - lo) + np.float64(lo)).astype(f32))
    np.testing.assert_array_equal(got.numpy(), (0.5 - 2.0 * u.sign() * (-u.abs()).log1p()).numpy())
    ag.manual_seed(9)
    got = D.Gumbel(ag.tensor(0.5), ag.tensor(2.0)).sample((300,))
    tiny, top = np.finfo(f32).tiny, f32(1) - np.finfo(f32).eps
    u = ag.tensor(tiny) + ag.tensor(r.astype(f32)) * (top - tiny)
    np.testing.assert_array_equal(got.numpy(), (0.5 - 2.0 * (-u.log()).log()).numpy())


def test_samplers_end_on_nan_and_inf_parameters():
    # PyTorch's rejection loops never end on NaN; here NaN gives NaN. binomial(inf, p) is
    # PyTorch's [0, inf, nan] (printed by torch 2.13); poisson(inf) is inf (PyTorch's casts inf
    # to an integer: -9.2e18)
    nan, inf = math.nan, math.inf
    g = ag.Generator().manual_seed(0)
    np.testing.assert_array_equal(g.gamma_array(np.array([nan, inf, 2.0]), np.float64)[:2],
                                  [nan, inf])
    np.testing.assert_array_equal(g.poisson_array(np.array([nan, inf])), [nan, inf])
    got = g.binomial_array(np.array([nan, 5.0, inf, inf, inf]), np.array([0.3, nan, 0.0, 1.0, 0.7]))
    np.testing.assert_array_equal(got, [nan, nan, 0.0, inf, nan])
    x = D.Dirichlet(ag.tensor([nan, 1.0]), validate_args=False).sample()
    assert np.isnan(x.numpy()).all()


def test_weighted_sampler_is_multinomial_of_its_weights():
    w = [0.1, 0.9, 0.4, 2.0, 0.0]
    for replacement, n in ((True, 9), (False, 3)):
        ag.manual_seed(4)
        got = list(WeightedRandomSampler(w, n, replacement))
        ag.manual_seed(4)
        assert got == ag.multinomial(ag.tensor(w, dtype=F64), n, replacement).tolist()


# ---- PyTorch's numbers ------------------------------------------------------------------------
def _families(torch):
    t = torch.tensor
    return {
        "Normal": ("Normal", (t([0.5, -1.0, 2.0]), t([1.0, 2.0, 0.5]))),
        "Uniform": ("Uniform", (t([0.5, -1.0, 2.0]), t([1.0, 2.0, 3.5]))),
        "Bernoulli": ("Bernoulli", (t([0.3, 0.5, 0.9]),)),
        "Categorical": ("Categorical", (t([[0.3, 0.5, 0.2], [0.1, 0.1, 0.8]]),)),
        "OneHotCategorical": ("OneHotCategorical", (t([[0.3, 0.5, 0.2], [0.1, 0.1, 0.8]]),)),
        "Exponential": ("Exponential", (t([0.5, 1.0, 3.0]),)),
        "Cauchy": ("Cauchy", (t([0.5, -1.0, 2.0]), t([1.0, 2.0, 0.5]))),
        "HalfCauchy": ("HalfCauchy", (t([1.0, 2.0, 0.5]),)),
        "HalfNormal": ("HalfNormal", (t([1.0, 2.0, 0.5]),)),
        "Geometric": ("Geometric", (t([0.3, 0.5, 0.9]),)),
        "Gamma": ("Gamma", (t([0.5, 1.0, 3.0]), t([1.0, 2.0, 0.5]))),
        "Chi2": ("Chi2", (t([0.5, 1.0, 3.0]),)),
        "Beta": ("Beta", (t([0.5, 1.0, 3.0]), t([1.0, 2.0, 0.5]))),
        "Dirichlet": ("Dirichlet", (t([0.5, 1.0, 3.0]),)),
        "StudentT": ("StudentT", (t([0.5, 1.0, 3.0]),)),
        "FisherSnedecor": ("FisherSnedecor", (t([1.0, 2.0, 5.0]), t([3.0, 5.0, 9.0]))),
        "Poisson": ("Poisson", (t([0.5, 4.0, 30.0]),)),
        "Binomial": ("Binomial", (t([5.0, 20.0, 100.0]), t([0.3, 0.5, 0.9]))),
        "NegativeBinomial": ("NegativeBinomial", (t([1.0, 2.0, 5.0]), t([0.3, 0.5, 0.9]))),
        "Multinomial": ("Multinomial", (10, t([0.3, 0.5, 0.2]))),
        "VonMises": ("VonMises", (t([1.0, 2.0, 0.5]), t([0.5, 1.0, 3.0]))),
    }


_EXACT = ["Normal", "Uniform", "Bernoulli", "Categorical", "OneHotCategorical", "Exponential",
          "Cauchy", "HalfCauchy", "HalfNormal", "Geometric", "Gamma", "Chi2", "Beta",
          "Dirichlet", "StudentT", "FisherSnedecor", "Poisson", "Binomial", "NegativeBinomial",
          "Multinomial", "VonMises"]

# the same draws, then log/pow/sigmoid/matmul: this project's functions round differently
# from PyTorch's vectorised ones in the last bit now and then (see DIFFERENCES.md)
_ROUNDED = {
    "Laplace": ("Laplace", ("loc", "scale")), "Gumbel": ("Gumbel", ("loc", "scale")),
    "LogNormal": ("LogNormal", ("loc", "scale")), "Weibull": ("Weibull", ("pos", "pos")),
    "Pareto": ("Pareto", ("pos", "pos")), "Kumaraswamy": ("Kumaraswamy", ("pos", "pos")),
    "InverseGamma": ("InverseGamma", ("pos", "pos")),
    "ContinuousBernoulli": ("ContinuousBernoulli", ("prob",)),
    "RelaxedBernoulli": ("RelaxedBernoulli", ("temp", "prob")),
}


def _sweep(torch, tname, aname, args, check):
    import torch.distributions as TD
    for dtype in (torch.float32, torch.float64):
        for shape in ((), (5,), (7, 3)):
            for seed in (0, 1, 123):
                a = tuple(x.to(dtype) if isinstance(x, torch.Tensor) else x for x in args)
                torch.manual_seed(seed)
                td = getattr(TD, tname)(*a)
                want = [td.sample(shape).numpy(), td.sample(shape).numpy()]
                ag.manual_seed(seed)
                ad = getattr(D, aname)(*(ag.tensor(x.numpy()) if isinstance(x, torch.Tensor)
                                         else x for x in a))
                got = [ad.sample(shape).numpy(), ad.sample(shape).numpy()]
                for g, w in zip(got, want):
                    assert g.dtype == w.dtype and g.shape == w.shape, (tname, dtype, shape)
                    check(g, w, (tname, dtype, shape, seed))


def _assert_draws_equal(name):
    """Bit for bit; but for VonMises's float64 draws off AVX-512 CPUs: its ``acos`` is numpy's,
    on AVX-512 Intel's SVML (PyTorch's bits there), elsewhere libm's, an ulp off PyTorch's
    vectorised one in 7 of 60 arguments on an AVX2 EPYC. Measured there: at most 2 of 63 draws
    differ (1 of 3 or 15), by at most 8.9e-16 (2 ulp of pi); allowed: 2 + size // 16 draws,
    2 * spacing(4.0) apart (acos's ulp, below spacing(2.0), and the rounding of ``x + pi +
    loc``, below 7.0, that ``% (2 pi) - pi`` keeps)."""
    def check(g, w, where):
        if name != "VonMises" or g.dtype != np.float64:
            np.testing.assert_array_equal(g, w, err_msg=str(where))
            return
        assert_bits_equal_on_avx512(g, w, elsewhere_at_most=2 + g.size // 16,
                                    atol=2 * np.spacing(4.0), err_msg=str(where))
    return check


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", _EXACT)
def test_samplers_draw_pytorchs_numbers(name):
    torch = pytest.importorskip("torch")
    tname, args = _families(torch)[name]
    _sweep(torch, tname, tname, args, _assert_draws_equal(name))


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", list(_ROUNDED))
def test_samplers_through_functions_draw_pytorchs_draws(name):
    torch = pytest.importorskip("torch")
    vals = {"loc": torch.tensor([0.5, -1.0, 2.0]), "scale": torch.tensor([1.0, 2.0, 0.5]),
            "pos": torch.tensor([1.0, 2.0, 0.5]), "prob": torch.tensor([0.3, 0.5, 0.9]),
            "temp": torch.tensor(0.7)}
    tname, kinds = _ROUNDED[name]

    def close(g, w, where):
        rtol = 1e-4 if g.dtype == np.float32 else 1e-11
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-30, err_msg=str(where))
    _sweep(torch, tname, tname, tuple(vals[k] for k in kinds), close)


@pytest.mark.torch_parity
def test_poisson_binomial_gamma_ops_match_pytorch_bit_for_bit():
    torch = pytest.importorskip("torch")
    for dt, tdt in ((np.float32, torch.float32), (np.float64, torch.float64)):
        for seed in range(4):
            rng = np.random.default_rng(seed)
            lam = np.concatenate([rng.uniform(0, 10, 40), rng.uniform(10, 1e3, 40),
                                  [0.0, 10.0, 1e6]]).astype(dt)
            torch.manual_seed(seed)
            want = torch.poisson(torch.tensor(lam)).numpy()
            ag.manual_seed(seed)
            np.testing.assert_array_equal(ag.poisson(ag.tensor(lam)).numpy(), want)
            n = np.floor(np.concatenate([rng.uniform(0, 30, 40), rng.uniform(30, 3e3, 40),
                                         [0.0, -2.0, 2.5]])).astype(dt)
            p = np.concatenate([rng.uniform(0, 1, 78), [0.0, 1.0, 0.5, 1e-7, 1 - 1e-7]])
            p = p.astype(dt)
            torch.manual_seed(seed)
            want = torch.binomial(torch.tensor(n), torch.tensor(p)).numpy()
            ag.manual_seed(seed)
            np.testing.assert_array_equal(ag.binomial(ag.tensor(n), ag.tensor(p)).numpy(), want)
            alpha = np.concatenate([rng.uniform(0, 1, 40), rng.uniform(1, 50, 40),
                                    [0.0, 1e-30, 1e-3]]).astype(dt)
            g = torch.Generator().manual_seed(seed)
            want = [torch._standard_gamma(torch.tensor(alpha), generator=g).numpy(),
                    torch.randn(3, dtype=tdt, generator=g).numpy()]  # the cached normal too
            gen = ag.Generator().manual_seed(seed)
            got = [gen.gamma_array(alpha, dt), ag.randn(3, dtype=ag.tensor(alpha).dtype,
                                                         generator=gen).numpy()]
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])
            np.testing.assert_array_equal(gen.get_state().numpy(), g.get_state().numpy())


@pytest.mark.torch_parity
def test_float32_binomial_btrs_matches_pytorch_on_a_large_sweep():
    # the float kernel's BTRS keeps its coefficients in double: one step rounded to float32
    # accepted another draw here and then every later element differed (179 of 100000)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for seed in (0, 1):
        n = np.floor(np.exp(rng.uniform(0, 9, 100000))).astype(np.float32)
        p = rng.uniform(0, 1, 100000).astype(np.float32)
        torch.manual_seed(seed)
        want = torch.binomial(torch.tensor(n), torch.tensor(p)).numpy()
        ag.manual_seed(seed)
        np.testing.assert_array_equal(ag.binomial(ag.tensor(n), ag.tensor(p)).numpy(), want)


@pytest.mark.torch_parity
def test_weighted_random_sampler_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import WeightedRandomSampler as TW
    for seed in range(3):
        for w in ([0.1, 0.9, 0.4, 2.0, 0.0], [1, 2, 3]):
            for replacement, n in ((True, 7), (False, 3)):
                torch.manual_seed(seed)
                want = list(TW(w, n, replacement))
                ag.manual_seed(seed)
                assert list(WeightedRandomSampler(w, n, replacement)) == want
                want = list(TW(w, n, replacement,
                               generator=torch.Generator().manual_seed(seed + 9)))
                got = list(WeightedRandomSampler(w, n, replacement,
                                                 generator=ag.Generator().manual_seed(seed + 9)))
                assert got == want


@pytest.mark.torch_parity
def test_wishart_and_mixture_match_pytorch():
    torch = pytest.importorskip("torch")
    import torch.distributions as TD
    s = [[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]]
    for dt in (torch.float32, torch.float64):
        for seed in range(3):
            torch.manual_seed(seed)
            with pytest.warns(UserWarning):  # PyTorch 2.13 warns on every draw
                want = TD.Wishart(torch.tensor(4.5, dtype=dt), torch.tensor(s, dtype=dt)) \
                    .sample((2,)).numpy()
            ag.manual_seed(seed)
            got = D.Wishart(ag.tensor(4.5, dtype=want.dtype), ag.tensor(np.array(s, want.dtype))) \
                .sample((2,)).numpy()
            np.testing.assert_allclose(got, want, rtol=1e-4 if dt == torch.float32 else 1e-12)
            mix = [0.2, 0.5, 0.3]
            c = [0.5, 2.0, 1.5]
            torch.manual_seed(seed)
            want = TD.MixtureSameFamily(TD.Categorical(torch.tensor(mix, dtype=dt)),
                                        TD.Gamma(torch.tensor(c, dtype=dt),
                                                 torch.tensor(c, dtype=dt))).sample((6,))
            ag.manual_seed(seed)
            got = D.MixtureSameFamily(D.Categorical(ag.tensor(np.array(mix, want.numpy().dtype))),
                                      D.Gamma(ag.tensor(np.array(c, want.numpy().dtype)),
                                              ag.tensor(np.array(c, want.numpy().dtype))))
            np.testing.assert_array_equal(got.sample((6,)).numpy(), want.numpy())
