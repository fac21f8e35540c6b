"""``out=`` dtype rules of PyTorch: the sum-like reductions compute in ``out``'s dtype (as
their ``dtype=``; a float32 sum into a float64 ``out`` was summed in float32, 1e-7 off), and
the ops PyTorch takes only an ``out`` of the result's dtype refuse another with its message
(they cast into it)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag

X32 = np.array([[0.1, 0.2, 0.3], [0.6, 0.6, 0.7]], dtype=np.float32)


def test_sum_like_reductions_compute_in_outs_dtype():
    exact = X32.astype(np.float64)
    out = ag.empty(0, dtype=ag.float64)
    ag.sum(ag.tensor(X32), 1, out=out)
    np.testing.assert_array_equal(out.numpy(), exact.sum(1))  # summed in float64
    ag.mean(ag.tensor(X32), 1, out=out)
    np.testing.assert_array_equal(out.numpy(), exact.mean(1))
    out = ag.empty(0, dtype=ag.float64)
    ag.cumsum(ag.tensor(X32), 1, out=out)
    np.testing.assert_array_equal(out.numpy(), exact.cumsum(1))
    n = ag.zeros(2, dtype=ag.int64)
    ag.sum(ag.tensor(X32), 1, out=n)  # the values truncated first, as sum(dtype=int64)
    assert n.tolist() == [0, 0]
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired "
                                           "output type Long$"):
        ag.mean(ag.tensor(X32), 1, out=n)


@pytest.mark.parametrize("call,message", [
    (lambda o: ag.abs(ag.tensor(X32), out=o), "^Found dtype Double but expected Float$"),
    (lambda o: ag.floor(ag.tensor(X32), out=o), "^Found dtype Double but expected Float$"),
    (lambda o: ag.mm(ag.tensor(X32), ag.tensor(X32).t(), out=o),
     "^Expected out tensor to have dtype float, but got double instead$"),
    (lambda o: ag.tril(ag.tensor(X32), out=o),
     "^Expected out tensor to have dtype float, but got double instead$"),
    (lambda o: ag.argmax(ag.tensor(X32), 1, out=o),
     "^Expected out tensor to have dtype long int, but got double instead$"),
    (lambda o: ag.amax(ag.tensor(X32), 1, out=o), "^Expected the dtype for input and out to "
     "match, but got Float for input's dtype and Double for out's dtype.$"),
    (lambda o: ag.index_select(ag.tensor(X32), 1, ag.tensor([0]), out=o),
     "^index_select\\(\\): self and result must have the same scalar type$"),
    (lambda o: ag.any(ag.tensor(X32), 1, out=o),
     "^any only supports bool tensor for result, got: Double$"),
])
def test_ops_taking_only_the_results_dtype_refuse_another(call, message):
    out = ag.zeros(0, dtype=ag.float64)
    with pytest.raises(RuntimeError, match=message):
        call(out)
    assert out.shape == (0,) and out._version == 0


def test_cat_and_logsumexp_refuse_an_out_of_a_lower_category_in_pytorchs_words():
    n = ag.zeros(0, dtype=ag.int64)
    with pytest.raises(TypeError, match="^torch.cat\\(\\): input types can't be cast to the "
                                        "desired output type Long$"):
        ag.stack([ag.tensor(X32)], out=n)
    with pytest.raises(RuntimeError, match="^logsumexp\\(\\): Expected floating point type for "
                                           "result tensor, but got: Long$"):
        ag.logsumexp(ag.tensor(X32), 1, out=n)


CALLS = {
    "sum": lambda L, a, o: L.sum(a, 1, out=o), "nansum": lambda L, a, o: L.nansum(a, 0, out=o),
    "mean": lambda L, a, o: L.mean(a, 1, out=o), "prod": lambda L, a, o: L.prod(a, 1, out=o),
    "cumsum": lambda L, a, o: L.cumsum(a, 1, out=o),
    "cumprod": lambda L, a, o: L.cumprod(a, 0, out=o),
    "abs": lambda L, a, o: L.abs(a, out=o), "neg": lambda L, a, o: L.neg(a, out=o),
    "round": lambda L, a, o: L.round(a, out=o), "sign": lambda L, a, o: L.sign(a, out=o),
    "matmul": lambda L, a, o: L.matmul(a, a.t(), out=o),
    "bmm": lambda L, a, o: L.bmm(a[None], a.t()[None], out=o),
    "triu": lambda L, a, o: L.triu(a, out=o), "argmin": lambda L, a, o: L.argmin(a, 1, out=o),
    "amin": lambda L, a, o: L.amin(a, 0, out=o), "all": lambda L, a, o: L.all(a, 1, out=o),
    "cat": lambda L, a, o: L.cat([a, a], out=o), "logsumexp": lambda L, a, o: L.logsumexp(a, 1, out=o),
    "clamp_tensor": lambda L, a, o: L.clamp(a, a * 0.5, out=o),
    "clamp_number": lambda L, a, o: L.clamp(a, -0.1, 0.2, out=o),
    "sum_dtype64": lambda L, a, o: L.sum(a, 1, dtype=L.float64, out=o),
    "mean_int": lambda L, a, o: L.mean((a * 10).long(), 1, out=o),
    "exp": lambda L, a, o: L.exp(a, out=o),
}


SUMS = {"sum", "nansum", "mean", "prod", "cumsum", "cumprod"}  # computed in out's dtype


@pytest.mark.torch_parity
@pytest.mark.parametrize("op,dtype", [
    (op, dtype) for op in sorted(CALLS)
    for dtype in ("float64", "float32", "float16", "int64", "bool", "complex64")
    if op != "nansum" or dtype.startswith("float")])  # PyTorch has no integer nansum kernel
def test_out_dtype_rules_match_torch(op, dtype):
    torch = pytest.importorskip("torch")
    res = []
    for L in (torch, ag):
        o = L.empty(0, dtype=getattr(L, dtype))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # complex into real casts: checked elsewhere
                CALLS[op](L, L.tensor(X32 - 0.4), o)
            res.append(("ok", o.numpy().astype(np.complex128)))
        except (RuntimeError, TypeError) as e:
            res.append((type(e).__name__, str(e).split("\n")[0]))
    (tk, tv), (ak, av) = res
    assert ak == tk
    if tk == "ok":
        tol = (1e-3 if dtype == "float16" else 1e-12 if dtype == "int64"
               or (dtype == "float64" and op in SUMS) else 2e-7)  # others: float32, cast
        np.testing.assert_allclose(av, tv, rtol=tol, atol=tol * 1e-3)
    else:
        assert av == tv


def test_reduction_dtype_must_match_out_and_means_refuse_integers():
    a = ag.tensor(X32)
    with pytest.raises(RuntimeError, match="^Expected out tensor to have dtype double, but got "
                                           "float instead$"):
        ag.sum(a, 1, dtype=ag.float64, out=ag.zeros(2))
    with pytest.raises(RuntimeError, match="^nansum: provided dtype must match dtype of result. "
                                           "Got Float and Double.$"):
        ag.nansum(a, 1, dtype=ag.float64, out=ag.zeros(2))
    with pytest.raises(RuntimeError, match="^mean\\(\\): could not infer output dtype. Input "
                                           "dtype must be either a floating point"):
        ag.mean(ag.tensor([[1, 2]]), 1, out=ag.zeros(1))  # an integer input, a float out


def test_clamp_with_number_bounds_takes_only_the_results_dtype():
    a = ag.tensor(X32)
    with pytest.raises(RuntimeError, match="^Found dtype Double but expected Float$"):
        ag.clamp(a, 0.2, 0.5, out=ag.zeros(2, 3, dtype=ag.float64))
    out = ag.zeros(2, 3, dtype=ag.float64)  # tensor bounds: cast, as PyTorch's
    ag.clamp(a, min=a * 0 + 0.2, out=out)
    np.testing.assert_array_equal(out.numpy(), np.maximum(X32, np.float32(0.2)).astype(np.float64))
