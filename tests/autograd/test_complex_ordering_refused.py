"""Ops that need an order refuse complex tensors with PyTorch's error type and wording:
numpy orders complex numbers lexicographically, a result PyTorch never gives. Each case is
written against a module namespace (``mod``, its functional ``F``); the torch_parity test
checks that torch 2.13 raises the same error for the same program."""

import re

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as agF

CLAMP = (NotImplementedError, "clamp is not supported for complex types")


def _ni(kernel):
    return NotImplementedError, f"\"{kernel}\" not implemented for 'ComplexFloat'"


CASES = {
    "clamp": (lambda mod, F, z: mod.clamp(z, -1.0, 1.0), CLAMP),
    "clamp_min": (lambda mod, F, z: z.clamp_min(0.0), CLAMP),
    "clamp_max": (lambda mod, F, z: mod.clamp_max(z, 0.0), CLAMP),
    "clip": (lambda mod, F, z: z.clip(max=1.0), CLAMP),
    "clamp tensor bounds": (lambda mod, F, z: z.clamp(z, z), CLAMP),
    "relu": (lambda mod, F, z: mod.relu(z), CLAMP),
    "F.relu": (lambda mod, F, z: F.relu(z), CLAMP),
    "relu6": (lambda mod, F, z: F.relu6(z), CLAMP),
    "hardtanh": (lambda mod, F, z: F.hardtanh(z), CLAMP),
    "leaky_relu": (lambda mod, F, z: F.leaky_relu(z), _ni("leaky_relu_cpu")),
    "gelu": (lambda mod, F, z: F.gelu(z), _ni("GeluKernelImpl")),
    "softplus": (lambda mod, F, z: F.softplus(z), _ni("softplus_cpu")),
    "max": (lambda mod, F, z: z.max(), _ni("max_all")),
    "min": (lambda mod, F, z: mod.min(z), _ni("min_all")),
    "max dim": (lambda mod, F, z: z.max(0), (RuntimeError, "max(): does not support complex input")),
    "min dim": (lambda mod, F, z: z.min(dim=0), (RuntimeError, "min(): does not support complex input")),
    "amax": (lambda mod, F, z: z.amax(), _ni("max_values_cpu")),
    "amin": (lambda mod, F, z: mod.amin(z, 0), _ni("min_values_cpu")),
    "aminmax": (lambda mod, F, z: z.aminmax(), _ni("aminmax_cpu")),
    "argmax": (lambda mod, F, z: z.argmax(), (RuntimeError, "argmax(): does not support complex input")),
    "argmin": (lambda mod, F, z: mod.argmin(z, 0), (RuntimeError, "argmin(): does not support complex input")),
    "maximum": (lambda mod, F, z: mod.maximum(z, z), (RuntimeError, "maximum not implemented for complex tensors.")),
    "minimum": (lambda mod, F, z: z.minimum(z), (RuntimeError, "minimum not implemented for complex tensors.")),
    "max of two": (lambda mod, F, z: mod.max(z, z), (RuntimeError, "maximum not implemented for complex tensors.")),
    "fmax": (lambda mod, F, z: mod.fmax(z, z), (RuntimeError, "fmax not implemented for complex tensors.")),
    "fmin": (lambda mod, F, z: mod.fmin(z, z), (RuntimeError, "fmin not implemented for complex tensors.")),
    "sort": (lambda mod, F, z: z.sort(), (RuntimeError, " Sort does not support complex dtypes on CPU")),
    "sort 0-d": (lambda mod, F, z: z[0].sort(), (RuntimeError, " Sort does not support complex dtypes on CPU")),
    "argsort": (lambda mod, F, z: mod.argsort(z), (RuntimeError, " Sort does not support complex dtypes on CPU")),
    "msort": (lambda mod, F, z: mod.msort(z), (RuntimeError, " Sort does not support complex dtypes on CPU")),
    "topk": (lambda mod, F, z: z.topk(2), (RuntimeError, " topk does not support complex dtypes on CPU")),
    "kthvalue": (lambda mod, F, z: z.kthvalue(1), _ni("kthvalue_cpu")),
    "median": (lambda mod, F, z: z.median(), _ni("median_cpu")),
    "median dim": (lambda mod, F, z: z.median(0), _ni("median_out")),
    "nanmedian": (lambda mod, F, z: z.nanmedian(), _ni("median_cpu")),
    "mode": (lambda mod, F, z: z.mode(), _ni("mode_cpu")),
    "cummax": (lambda mod, F, z: z.cummax(0), _ni("cummax_cpu")),
    "cummin": (lambda mod, F, z: mod.cummin(z, 0), _ni("cummin_cpu")),
    "lt": (lambda mod, F, z: mod.lt(z, z), _ni("lt_cpu")),
    "le": (lambda mod, F, z: z.le(z), _ni("le_cpu")),
    "gt": (lambda mod, F, z: z > 0, _ni("gt_cpu")),
    ">= real tensor": (lambda mod, F, z: mod.ones(3) >= z, _ni("ge_cpu")),
    "< complex number": (lambda mod, F, z: mod.ones(3) < 1j, _ni("lt_cpu")),
    "floor": (lambda mod, F, z: z.floor(), (NotImplementedError, "floor is not supported for complex inputs")),
    "ceil": (lambda mod, F, z: mod.ceil(z), (NotImplementedError, "ceil is not supported for complex inputs")),
    "trunc": (lambda mod, F, z: z.trunc(), (NotImplementedError, "trunc is not supported for complex inputs")),
    "fix": (lambda mod, F, z: mod.fix(z), (NotImplementedError, "trunc is not supported for complex inputs")),
    "round": (lambda mod, F, z: z.round(), _ni("round_vml_cpu")),
    "round decimals": (lambda mod, F, z: z.round(decimals=1), _ni("round_cpu")),
    "frac": (lambda mod, F, z: z.frac(), _ni("frac_cpu")),
    "sign": (lambda mod, F, z: z.sign(), (NotImplementedError, "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn instead.")),
    "heaviside": (lambda mod, F, z: z.heaviside(z), (RuntimeError, "heaviside is not yet implemented for complex tensors.")),
    "remainder": (lambda mod, F, z: z.remainder(2), _ni("remainder_cpu")),
    "%": (lambda mod, F, z: z % z, _ni("remainder_cpu")),
    "fmod": (lambda mod, F, z: mod.fmod(z, 2.0), _ni("fmod_cpu")),
    "hypot": (lambda mod, F, z: z.hypot(z), _ni("hypot_cpu")),
    "atan2": (lambda mod, F, z: mod.atan2(z, z), _ni("atan2_cpu")),
    "copysign": (lambda mod, F, z: mod.ones(3).copysign(z), _ni("copysign_cpu")),
    "searchsorted": (lambda mod, F, z: mod.searchsorted(z, z), _ni("searchsorted_out_cpu")),
    "bucketize": (lambda mod, F, z: mod.bucketize(z, mod.ones(2)), _ni("searchsorted_out_cpu")),
    "elu": (lambda mod, F, z: F.elu(z), _ni("elu_cpu")),
    "selu": (lambda mod, F, z: F.selu(z), _ni("elu_cpu")),
    "celu": (lambda mod, F, z: F.celu(z), _ni("elu_cpu")),
    "prelu": (lambda mod, F, z: F.prelu(z, mod.ones(1, dtype=z.dtype)), _ni("prelu_cpu")),
    "mish": (lambda mod, F, z: F.mish(z), _ni("mish_cpu")),
    "hardsigmoid": (lambda mod, F, z: F.hardsigmoid(z), _ni("hardsigmoid_cpu")),
    "hardswish": (lambda mod, F, z: F.hardswish(z), _ni("hardswish_cpu")),
    "glu": (lambda mod, F, z: F.glu(mod.stack([z, z]), 0), _ni("glu_cpu")),
    "hardshrink": (lambda mod, F, z: F.hardshrink(z), _ni("hardshrink_cpu")),
    "softshrink": (lambda mod, F, z: F.softshrink(z), _ni("softshrink_check")),
    "threshold": (lambda mod, F, z: F.threshold(z, 0.1, 0.0), _ni("threshold_cpu")),
    "rrelu": (lambda mod, F, z: F.rrelu(z), _ni("leaky_relu_cpu")),
    "rrelu training": (lambda mod, F, z: F.rrelu(z, training=True), _ni("rrelu_with_noise_out_cpu")),
    "hinge_embedding_loss": (lambda mod, F, z: F.hinge_embedding_loss(z, z), CLAMP),
    "softmax": (lambda mod, F, z: z.softmax(0), _ni("softmax_lastdim_kernel_impl")),
    "softmax not last": (lambda mod, F, z: mod.stack([z, z]).softmax(0), _ni("softmax_kernel_impl")),
    "log_softmax": (lambda mod, F, z: F.log_softmax(z, -1), _ni("log_softmax_lastdim_kernel_impl")),
    "nansum": (lambda mod, F, z: z.nansum(), (RuntimeError, "nansum on CPU does not support complex inputs")),
    "nanmean": (lambda mod, F, z: mod.nanmean(z, 0), (RuntimeError, "nansum on CPU does not support complex inputs")),
    "unique": (lambda mod, F, z: z.unique(), _ni("unique")),
    "unique dim": (lambda mod, F, z: mod.unique(z, dim=0), _ni("unique_dim")),
    "unique_consecutive": (lambda mod, F, z: mod.unique_consecutive(z), _ni("unique")),
    # computed in float64 from the real part only (a number PyTorch never gives): refused too
    "erf": (lambda mod, F, z: z.erf(), _ni("erf_vml_cpu")),
    "erfc": (lambda mod, F, z: mod.erfc(z), _ni("erfc_vml_cpu")),
    "erfinv": (lambda mod, F, z: z.erfinv(), _ni("erfinv_vml_cpu")),
    "lgamma": (lambda mod, F, z: z.lgamma(), _ni("lgamma_vml_cpu")),
    "digamma": (lambda mod, F, z: mod.digamma(z), _ni("digamma")),
    "polygamma 1": (lambda mod, F, z: mod.polygamma(1, z), _ni("trigamma")),
    "polygamma 2": (lambda mod, F, z: z.polygamma(2), _ni("polygamma")),
    "i0": (lambda mod, F, z: z.i0(), _ni("i0_vml_cpu")),
    "special.i1": (lambda mod, F, z: mod.special.i1(z), _ni("i1_cpu")),
    "special.i0e": (lambda mod, F, z: mod.special.i0e(z), _ni("i0e_cpu")),
    "special.i1e": (lambda mod, F, z: mod.special.i1e(z), _ni("i1e_cpu")),
    "special.ndtr": (lambda mod, F, z: mod.special.ndtr(z), _ni("erf_vml_cpu")),
    "special.log_ndtr": (lambda mod, F, z: mod.special.log_ndtr(z), _ni("log_ndtr_cpu")),
    "special.ndtri": (lambda mod, F, z: mod.special.ndtri(z), _ni("ndtri_cpu")),
    "special.bessel_j0": (lambda mod, F, z: mod.special.bessel_j0(z), _ni("bessel_j0_cpu")),
    "special.bessel_j1": (lambda mod, F, z: mod.special.bessel_j1(z), _ni("bessel_j1_cpu")),
    "special.spherical_bessel_j0": (lambda mod, F, z: mod.special.spherical_bessel_j0(z),
                                    _ni("spherical_bessel_j0_cpu")),
    "special.zeta": (lambda mod, F, z: mod.special.zeta(z, z), _ni("zeta_cpu")),
    "special.entr": (lambda mod, F, z: mod.special.entr(z), _ni("entr_cpu")),
    "xlogy": (lambda mod, F, z: z.xlogy(z), _ni("xlogy_cpu")),
    "special.xlog1py": (lambda mod, F, z: mod.special.xlog1py(z, z), _ni("xlog1py_cpu")),
    "logit": (lambda mod, F, z: z.logit(), _ni("logit_cpu")),
    "mse_loss": (lambda mod, F, z: F.mse_loss(z, z), _ni("mse_cpu")),
}

_Z = np.array([1 + 2j, -3 + 0.5j, 2 - 1j], dtype=np.complex64)


@pytest.mark.parametrize("name", CASES)
def test_refused_with_pytorch_error(name):
    fn, (error, message) = CASES[name]
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        fn(ag, agF, ag.tensor(_Z))


@pytest.mark.parametrize("name", ["clamp", "relu", "max", "sort", "lt", "floor", "maximum"])
def test_real_inputs_unchanged(name):
    """The refusal is a dtype test only: the same program on a real tensor runs (value checked
    by hand for two of them)."""
    x = ag.tensor([1.0, -3.0, 2.0])
    CASES[name][0](ag, agF, x)
    assert ag.relu(x).tolist() == [1.0, 0.0, 2.0]
    assert ag.clamp(x, -1.0, 1.0).tolist() == [1.0, -1.0, 1.0]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", CASES)
def test_pytorch_raises_the_same(name):
    torch = pytest.importorskip("torch")
    fn, (error, message) = CASES[name]
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        fn(torch, torch.nn.functional, torch.tensor(_Z))
