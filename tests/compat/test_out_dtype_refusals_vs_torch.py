"""out= of a dtype PyTorch refuses for the op (it was accepted and cast): ops whose out= must
hold the result's own dtype (conj_physical, inner, masked_select, take, histc,
view_as_real_copy, float_power, heaviside, searchsorted), a mean into a dtype its input
cannot be cast to (a complex mean into a real out= gave the real part's mean), nansum/nanmean
of floats into other dtypes. Each refused with PyTorch's error, before anything is written."""

import numpy as np
import pytest

import autograd_core as ag

DTYPES = ["bool", "uint8", "int64", "float32", "float64", "complex64"]


def _input(lib, dtype, k):
    base = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]]) + k
    arr = base > 1.6 if dtype == "bool" else (base + 0.5j).astype(dtype) \
        if dtype.startswith("complex") else base.astype(dtype)
    return lib.tensor(arr)


CALLS = {name: n for n, names in ((1, "conj_physical histc mean nanmean nansum "
                                      "view_as_real_copy"),
                                  (2, "float_power heaviside inner masked_select searchsorted "
                                      "take")) for name in names.split()}


def _outcome(lib, name, in_dtype, out_dtype):
    args = [_input(lib, in_dtype, k) for k in range(CALLS[name])]
    out = lib.full((1,), 7, dtype=getattr(lib, out_dtype))
    before = out.tolist()
    try:
        getattr(lib, name)(*args, out=out)
    except (RuntimeError, NotImplementedError) as exc:
        return type(exc).__name__, str(exc), out.tolist() == before
    return "ok", None, None


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_dtypes_refused_and_accepted_as_torch(name):
    torch = pytest.importorskip("torch")
    refused = 0
    for in_dtype in ["float32", "int64", "bool", "complex64"]:
        if name == "view_as_real_copy" and in_dtype != "complex64":
            continue  # complex input only
        theirs_all = {d: _outcome(torch, name, in_dtype, d) for d in DTYPES}
        if all(t[0] != "ok" for t in theirs_all.values()):
            continue  # the input itself is refused (checked elsewhere)
        for out_dtype, theirs in theirs_all.items():
            ours = _outcome(ag, name, in_dtype, out_dtype)
            assert ours[:2] == theirs[:2], (in_dtype, out_dtype)
            if theirs[0] != "ok":
                assert ours[2]  # nothing written
                refused += 1
    assert refused


def test_complex_mean_into_a_real_out_is_refused():
    out = ag.zeros(())
    with pytest.raises(RuntimeError, match="mean.dtype_out\\(\\): input types can't be cast to "
                                           "the desired output type Float"):
        ag.mean(ag.tensor([1 + 2j, 3j]), out=out)
    assert out.item() == 0.0
    ok = ag.zeros((), dtype=ag.complex64)
    ag.mean(ag.tensor([1 + 2j, 3j]), out=ok)
    assert ok.item() == 0.5 + 2.5j


# products, scatters, quantiles and logcumsumexp whose out= must hold the result's own dtype
# (accepted and cast: mv of float32 into an int64 out= truncated the products, silently)
PRODUCT_CALLS = {
    "mv": lambda lib, a, out: lib.mv(a, a[0], out=out),
    "addmv": lambda lib, a, out: lib.addmv(a[:, 0], a, a[0], out=out),
    "baddbmm": lambda lib, a, out: lib.baddbmm(a[None], a[None], a[None], out=out),
    "addbmm": lambda lib, a, out: lib.addbmm(a, a[None], a[None], out=out),
    "scatter": lambda lib, a, out: lib.scatter(a, 1, lib.zeros(3, 2, dtype=lib.int64), a,
                                               out=out),
    "scatter_add": lambda lib, a, out: lib.scatter_add(a, 1, lib.zeros(3, 2, dtype=lib.int64),
                                                       a, out=out),
    "quantile": lambda lib, a, out: lib.quantile(a.double() * 1, 0.3, out=out),
    "nanquantile": lambda lib, a, out: lib.nanquantile(a.float() * 1, 0.3, out=out),
    "logcumsumexp": lambda lib, a, out: lib.logcumsumexp(a.float() * 1, 0, out=out),
}


def _product_outcome(lib, name, in_dtype, out_dtype, n_out):
    a = lib.tensor((np.arange(9.0).reshape(3, 3) * 0.7 - 2).astype(in_dtype))
    out = lib.full((n_out,), 7, dtype=getattr(lib, out_dtype))
    before = out.tolist()
    try:
        PRODUCT_CALLS[name](lib, a, out)
    except (RuntimeError, NotImplementedError) as exc:
        return type(exc).__name__, str(exc), out.tolist() == before
    return "ok", np.round(out.numpy().astype(np.float64), 4).tolist(), None


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(PRODUCT_CALLS))
@pytest.mark.parametrize("in_dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("n_out", [0, 1])  # (mv's words depend on it)
def test_products_and_scatters_refuse_another_out_dtype_as_torch(name, in_dtype, n_out):
    torch = pytest.importorskip("torch")
    for out_dtype in DTYPES:
        theirs = _product_outcome(torch, name, in_dtype, out_dtype, n_out)
        ours = _product_outcome(ag, name, in_dtype, out_dtype, n_out)
        assert ours[:2] == theirs[:2], out_dtype
        if theirs[0] != "ok":
            assert ours[2]  # nothing written
