"""The logarithms of 0 and of negative numbers give -inf and nan without numpy's
RuntimeWarning, as PyTorch's do (a causal mask built as ``log(tril(ones))`` printed "divide by
zero encountered in log", and stopped a program run with ``-W error``)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from tests._cpu import assert_bits_equal_on_avx512


@pytest.mark.parametrize("name, want", [("log", [-np.inf, np.nan, 0.0]),
                                        ("log2", [-np.inf, np.nan, 0.0]),
                                        ("log10", [-np.inf, np.nan, 0.0])])
def test_no_warning_and_torchs_values(name, want):
    x = ag.tensor([0.0, -1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = getattr(ag, name)(x).numpy()
    np.testing.assert_array_equal(got, want)


def test_log1p_and_the_mask_idiom():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.log1p(ag.tensor([-1.0, -2.0])).tolist()[0] == -np.inf
        mask = ag.log(ag.tril(ag.ones(3, 3)))
    assert mask.tolist() == [[0.0, -np.inf, -np.inf], [0.0, 0.0, -np.inf], [0.0, 0.0, 0.0]]


@pytest.mark.torch_parity
def test_equal_torch():
    """Bit for bit on AVX-512 CPUs (numpy's log1p there is Intel's SVML). Elsewhere numpy's
    log1p is libm's, whose log1p(2.0) is 1.0986122886681096, an ulp below ln 3 correctly
    rounded (PyTorch's on an AVX2 EPYC): there log1p may differ in that one element, by one
    ulp; log, log2 and log10 are still asserted exact."""
    torch = pytest.importorskip("torch")
    v = np.array([0.0, -1.0, 2.0, np.inf, np.nan])
    for name in ("log", "log2", "log10", "log1p"):
        got = getattr(ag, name)(ag.tensor(v)).numpy()
        want = getattr(torch, name)(torch.tensor(v)).numpy()
        assert_bits_equal_on_avx512(got, want, elsewhere_at_most=int(name == "log1p"),
                                    max_ulp=1, err_msg=name)
