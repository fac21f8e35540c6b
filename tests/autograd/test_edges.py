"""Gradients and values at the edges, as PyTorch defines them (each case worked by hand; the
torch_parity test at the end runs the same cases against a live PyTorch). Each case was wrong
on the landed main before this file: NaN, inf, a crash, or silently another answer."""

import numpy as np
import pytest

import autograd_core as ag


def grads(fn, *values, dtype=ag.float64):
    xs = [ag.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    fn(*xs).sum().backward()
    return [x.grad.numpy().tolist() for x in xs]


INF = float("inf")
NAN = float("nan")

CASES = {
    # division's backward must not form b*b (float32 1e-23**2 underflows to 0 -> -inf)
    "div_tiny": (lambda a, b: a / b, ([1e-23], [1e-23]), ag.float32,
                 [[np.float32(1) / np.float32(1e-23)], [-(np.float32(1) / np.float32(1e-23))]]),
    "norm_at_zero": (lambda a: a.norm(), ([0.0, 0.0],), ag.float64, [[0.0, 0.0]]),
    "norm_inf": (lambda a: a.norm(p=INF), ([1.0, -3.0],), ag.float64, [[0.0, -1.0]]),
    "norm_minus_inf": (lambda a: a.norm(p=-INF), ([1.0, -3.0],), ag.float64, [[1.0, 0.0]]),
    "norm_inf_tie": (lambda a: a.norm(p=INF), ([2.0, -2.0],), ag.float64, [[0.5, -0.5]]),
    "std_of_constant": (lambda a: a.std(), ([2.0, 2.0, 2.0],), ag.float64, [[0.0, 0.0, 0.0]]),
    "pow_zero_zero": (lambda a, b: a ** b, ([0.0], [0.0]), ag.float64, [[0.0], [0.0]]),
    "max_with_nan": (lambda a: a.max(), ([NAN, 1.0],), ag.float64, [[1.0, 0.0]]),
    "maximum_with_nan": (lambda a, b: ag.maximum(a, b), ([NAN, 1.0], [1.0, 2.0]), ag.float64,
                         [[1.0, 0.0], [1.0, 1.0]]),
    "minimum_tie_and_nan": (lambda a, b: ag.minimum(a, b), ([NAN, 2.0], [1.0, 2.0]),
                            ag.float64, [[1.0, 0.5], [1.0, 0.5]]),
    "clamp_tensor_bounds": (lambda a, lo: a.clamp(lo, None), ([0.0, 2.0], [1.0, 1.0]),
                            ag.float64, [[0.0, 1.0], [1.0, 0.0]]),
    "clamp_tensor_both": (lambda a, lo, hi: a.clamp(lo, hi), ([0.0, 2.0, 5.0], [1.0, 1.0, 1.0],
                                                               [3.0, 3.0, 3.0]),
                          ag.float64, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
}


@pytest.mark.parametrize("name", CASES)
def test_edge_gradient(name):
    fn, values, dtype, want = CASES[name]
    with np.errstate(all="ignore"):
        got = grads(fn, *values, dtype=dtype)
    np.testing.assert_array_equal(np.array(got, dtype=object).tolist(), want)


def test_grad_of_the_same_input_twice_returns_it_twice():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    g1, g2 = ag.grad((x * x).sum(), [x, x])
    np.testing.assert_array_equal(g1.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(g2.numpy(), [2.0, 4.0])


def test_cast_to_integer_or_bool_does_not_require_grad():
    x = ag.tensor([1.5, -2.0], requires_grad=True)
    assert not x.long().requires_grad and not x.bool().requires_grad
    assert x.double().requires_grad


def test_reductions_of_zero_dim_and_empty_tensors():
    assert ag.tensor(3.0).max(0).values.item() == 3.0
    assert ag.tensor(3.0).max(0).indices.item() == 0
    assert ag.zeros(2, 0).softmax(1).shape == (2, 0)
    np.testing.assert_array_equal(ag.zeros(2, 0).logsumexp(1).numpy(), [-INF, -INF])
    assert ag.zeros(0, 3).amax(1).shape == (0,)
    with pytest.raises(IndexError, match="^amax\\(\\): Expected reduction dim 0 to have non-zero "
                                         "size.$"):  # PyTorch's type and words
        ag.zeros(0, 3).amax(0)
    np.testing.assert_array_equal(ag.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=()).numpy(), 10.0)


def test_refusals_with_pytorchs_messages():
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 0\\)"):
        ag.cat([ag.tensor(1.0), ag.tensor(2.0)])
    with pytest.raises(TypeError, match="invalid data type 'str'"):
        ag.tensor("abc")
    with pytest.raises(TypeError, match="cannot make a tensor"):
        ag.tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="cannot make a tensor"):
        ag.tensor(np.array(["2024-01-01"], dtype="datetime64[D]"))
    with pytest.raises(IndexError, match="out of bounds"):
        ag.tensor([1.0, 2.0])[np.array([2**64 - 1], dtype=np.uint64)]


def test_hook_returning_a_wrong_shape_is_refused_naming_the_hook():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2

    def widen(g):
        return ag.ones(3)

    y.register_hook(widen)
    with pytest.raises(RuntimeError, match="hook 'widen' has changed the size of value"):
        y.sum().backward()


def test_function_backward_of_a_wrong_shape_is_refused_naming_it():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return ag.ones(3)

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="BadBackward returned an invalid gradient"):
        Bad.apply(x).sum().backward()


def test_numpy_ufunc_on_a_tensor_records_or_refuses():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = np.exp(x)  # an op here: recorded
    assert isinstance(y, ag.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)
    with pytest.raises(RuntimeError, match="cannot record a gradient"):
        np.isfinite(x)  # no op here: refused rather than silently cut from the graph
    assert np.isfinite(x.detach()).all()


@pytest.mark.torch_parity
def test_edge_gradients_equal_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    tdt = {ag.float32: torch.float32, ag.float64: torch.float64}
    for name, (fn, values, dtype, _) in CASES.items():
        ts = [torch.tensor(v, dtype=tdt[np.dtype(dtype).type] if np.dtype(dtype).type in tdt
                           else torch.float64, requires_grad=True) for v in values]
        tfn = {"maximum_with_nan": lambda a, b: torch.maximum(a, b),
               "minimum_tie_and_nan": lambda a, b: torch.minimum(a, b)}.get(name, fn)
        tfn(*ts).sum().backward()
        with np.errstate(all="ignore"):
            ours = grads(fn, *values, dtype=dtype)
        for o, t in zip(ours, ts):
            np.testing.assert_allclose(o, t.grad.numpy(), rtol=1e-6, err_msg=name)


def test_detect_anomaly_names_the_op_that_made_the_nan_not_one_fed_it():
    x = ag.tensor([-1.0, 4.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match="'Sqrt' produced nan"):
            with np.errstate(invalid="ignore"):
                (x * 2.0).sqrt().exp()  # sqrt makes the NaN; exp only receives it
        nan_in = ag.tensor([float("nan"), 1.0], requires_grad=True)
        y = nan_in * 2.0  # NaN from the user's data: no op made it, nothing to name
        assert np.isnan(y.detach().numpy()[0])


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_with_every_target_ignored_has_a_zero_gradient(smoothing):
    import nn.functional as F

    x = ag.tensor([[1.0, 2.0], [0.5, 0.1]], requires_grad=True)
    with np.errstate(all="ignore"):
        loss = F.cross_entropy(x, ag.tensor([-100, -100]), label_smoothing=smoothing)
        loss.backward()
    assert np.isnan(loss.item())  # 0 / 0, as PyTorch
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 2)))
    y = ag.tensor([[1.0, 2.0]], requires_grad=True)
    with np.errstate(all="ignore"):
        F.nll_loss(y.log_softmax(1), ag.tensor([-100])).backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.zeros((1, 2)))


@pytest.mark.parametrize("scale", [1e2, 1e4, 1e8, 1e20, 1e37])
def test_float32_log_softmax_and_cross_entropy_stay_accurate_at_large_logits(scale):
    import nn.functional as F

    rng = np.random.default_rng(0)
    x = (rng.standard_normal((6, 5)) * scale).astype(np.float32)
    y = rng.integers(0, 5, 6)
    ref = x.astype(np.float64) - np.log(np.sum(np.exp(
        x.astype(np.float64) - x.max(1, keepdims=True)), 1, keepdims=True)) - x.max(
        1, keepdims=True).astype(np.float64)
    got = ag.tensor(x).log_softmax(1).numpy().astype(np.float64)
    # within a few float32 ulps of the row's largest logit (x - max is exact, the log term
    # carries float32 rounding): PyTorch's float32 kernel is at this bound too
    ulp = np.spacing(np.float32(np.abs(x).max())).astype(np.float64)
    np.testing.assert_allclose(got, ref, rtol=2e-7, atol=4 * ulp)
    t = ag.tensor(x, requires_grad=True)
    loss = F.cross_entropy(t, ag.tensor(y))
    want = -ref[np.arange(6), y].mean()
    assert abs(loss.item() - want) <= 1e-6 * abs(want)
    loss.backward()
    p = np.exp(ref)
    p[np.arange(6), y] -= 1
    np.testing.assert_allclose(t.grad.numpy(), p / 6, atol=1e-6)


def test_log_softmax_at_float32_max_is_finite_where_pytorch_is():
    x = ag.tensor([[3e38, 0.0], [3e38, 3e38]], requires_grad=True)
    y = x.log_softmax(1)
    np.testing.assert_allclose(y.detach().numpy(), [[0.0, -3e38], [-np.log(2), -np.log(2)]],
                               rtol=1e-6)
    y[:, 0].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.0], [0.5, -0.5]], atol=1e-7)


def test_assigning_requires_grad_checks_what_pytorch_checks():
    t = ag.tensor([1, 2])
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        t.requires_grad = True
    assert not t.requires_grad
    x = ag.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False
    x.requires_grad = False  # a leaf may switch it off
    assert not x.requires_grad
