"""Regressions found by running the op table on the inputs training code meets besides
ordinary floats (integer, bool and float16 tensors; inf, NaN, empty, values near the ends of
float32's range) in tapegrad and PyTorch 2.13 side by side (the sweep is
tests/compat/test_edge_inputs_vs_torch.py). Each was a different number, a different dtype,
or a result where PyTorch refuses; the expected values are worked by hand."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

INF, NAN = math.inf, math.nan


def test_adaptive_avg_pool_keeps_an_inf_or_nan_in_its_own_window():
    # the averaging matrices spread it to every output of its row as inf * 0 = NaN
    x = ag.tensor([[1.0, INF, 2.0, 3.0]], requires_grad=True)
    y = F.adaptive_avg_pool1d(x, 2)
    assert y.tolist() == [[INF, 2.5]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.5, 0.5, 0.5, 0.5]]
    y = F.adaptive_avg_pool1d(ag.tensor([[NAN, 1.0, 2.0, 3.0, 4.0]]), 3)  # windows overlap
    assert math.isnan(y[0, 0].item()) and y[0, 1:].tolist() == [2.0, 3.5]
    img = ag.arange(16.0).reshape(1, 4, 4)
    img[0, 0, 0] = -INF
    out = F.adaptive_avg_pool2d(img, 2)
    assert out.tolist() == [[[-INF, 4.5], [10.5, 12.5]]]
    vol = ag.ones(1, 2, 2, 2)
    vol[0, 1, 1, 1] = NAN
    assert F.adaptive_avg_pool3d(vol, (2, 1, 1)).flatten().tolist()[0] == 1.0


def test_sum_of_small_unsigned_integers_is_int64():
    # numpy sums uint8 into uint64 (a later subtraction wraps around); PyTorch gives int64
    t = ag.tensor([255, 255], dtype=ag.uint8)
    for s in (t.sum(), ag.nansum(t), t.sum(0), ag.trace(t.reshape(1, 2))):
        assert s.dtype == ag.int64
    assert (t.sum() - 511).item() == -1


def test_dot_of_integers_keeps_their_dtype():
    a = ag.tensor([100, 100, 3], dtype=ag.int8)
    d = ag.dot(a, a)  # 20009 wraps to 20009 - 78 * 256 = 41 in int8, as PyTorch's
    assert d.dtype == ag.int8 and d.item() == 41
    assert ag.vdot(a.int(), a.int()).dtype == ag.int32
    with pytest.raises(NotImplementedError, match="\"dot\" not implemented for 'Bool'"):
        ag.dot(a > 0, a > 0)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_of_integers_is_refused(fn):
    # gave float64 for int64 and a float16 of NaNs for uint8
    for dt, name in ((ag.int64, "Long"), (ag.uint8, "Byte"), (ag.bool, "Bool")):
        with pytest.raises(NotImplementedError, match=f"kernel_impl\" not implemented for '{name}'"):
            fn(ag.ones(2, 3, dtype=dt), 1)
    assert fn(ag.ones(2, 3, dtype=ag.int64), 1, dtype=ag.float32).dtype == ag.float32


def test_lerp_at_weight_one_is_the_end_exactly():
    # input + w * (end - input) lost the end: 1e8 + 1.0 * (1 - 1e8) is 0 in float32
    x, end = ag.tensor([1e8]), ag.tensor([1.0])
    assert ag.lerp(x, end, 1.0).item() == 1.0
    assert ag.lerp(x, end, ag.tensor([1.0])).item() == 1.0
    # weights from 0.5 up: end - (end - input) * (1 - w), 1 - w in the tensors' dtype
    w = np.float32(0.9)
    want = np.float32(1.0) - np.float32(1.0 - 1e8) * (np.float32(1) - w)
    assert ag.lerp(x, end, 0.9).item() == want
    a, b, wt = (ag.tensor([0.0, 2.0], requires_grad=True) for _ in range(3))
    ag.lerp(a, b, wt * 0 + ag.tensor([0.25, 0.75])).sum().backward()
    assert a.grad.tolist() == [0.75, 0.25] and b.grad.tolist() == [0.25, 0.75]


def test_lerp_refuses_integers_and_mixed_dtypes():
    i = ag.ones(2, dtype=ag.int64)
    with pytest.raises(NotImplementedError, match="lerp_kernel_scalar\" not implemented for 'Long'"):
        ag.lerp(i, i, 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        ag.lerp(ag.ones(2), ag.ones(2, dtype=ag.float64), 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float for `weight` but got dtype double"):
        ag.lerp(ag.ones(2), ag.ones(2), ag.ones(2, dtype=ag.float64))


def test_hypot_does_not_square_into_overflow_or_underflow():
    for v in (1e30, 1e-30):
        x = ag.tensor([v, 3.0], requires_grad=True)
        y = ag.tensor([v, -4.0], requires_grad=True)
        h = ag.hypot(x, y)  # sqrt(x*x + y*y) was inf and 0 in float32
        assert h[0].item() == pytest.approx(v * math.sqrt(2), rel=1e-6) and h[1].item() == 5.0
        h.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [math.sqrt(0.5), 0.6], rtol=1e-6)
        np.testing.assert_allclose(y.grad.numpy(), [math.sqrt(0.5), -0.8], rtol=1e-6)
    with pytest.raises(NotImplementedError, match="\"hypot_cpu\" not implemented for 'Long'"):
        ag.hypot(ag.ones(2, dtype=ag.int64), ag.ones(2, dtype=ag.int64))


def test_abs_slope_at_nan_is_zero():
    # sign(NaN) is 0 in PyTorch: a NaN masked out after abs leaves the gradient finite
    x = ag.tensor([NAN, -1.0, 0.0, 2.0], requires_grad=True)
    ag.where(ag.isnan(x), 0.0, x.abs()).sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 0.0, 1.0]
    for f in (lambda x: x.abs().sum(), lambda x: x.norm(1), lambda x: F.l1_loss(x, ag.zeros(4))):
        x.grad = None
        f(x).backward()
        assert x.grad[0].item() == 0.0


def test_float32_std_does_not_overflow_or_underflow_in_its_variance():
    # the float32 variance of +-1e30 is 2e60 (inf in float32), its root 1.4142e30 is not
    for v in (1e30, 1e-30):
        x = ag.tensor([v, -v], requires_grad=True)
        s = x.std()
        assert s.dtype == ag.float32
        assert s.item() == pytest.approx(v * math.sqrt(2), rel=1e-6)
        s.backward()  # d std / dx = (x - mean) / ((n - 1) std) = +-1/sqrt(2)
        np.testing.assert_allclose(x.grad.numpy(), [math.sqrt(0.5), -math.sqrt(0.5)], rtol=1e-6)
    assert math.isinf(ag.tensor([1e30, -1e30]).var().item())  # the variance itself: inf


def test_float32_var_is_the_float64_variance_rounded():
    # PyTorch's CPU kernel accumulates float32 in float64; summed in float32, about half the
    # results were an ulp or more away
    rng = np.random.default_rng(3)
    for _ in range(20):
        x = (rng.standard_normal(37) * 3 + 5).astype(np.float32)
        want = np.var(x.astype(np.float64), ddof=1)
        assert ag.tensor(x).var().item() == np.float32(want)
        assert ag.tensor(x).std().item() == np.float32(np.sqrt(want))
        m = x.reshape(1, -1).repeat(2, 0)
        assert ag.tensor(m).var(1, correction=0).tolist() == [np.float32(np.var(
            x.astype(np.float64)))] * 2


def test_float32_running_sums_accumulate_in_float64():
    # numpy's float32 cumsum adds in float32, one element after another: a million 0.1s
    # summed to 100958.34 (1% off); PyTorch accumulates in float64 and rounds each result
    x = np.full(10**6, 0.1, np.float32)
    want = np.cumsum(x.astype(np.float64)).astype(np.float32)
    got = ag.tensor(x).cumsum(0).numpy()
    assert got[-1] == 100000.0 and np.array_equal(got, want)
    y = (np.random.default_rng(0).standard_normal((3, 500)) * 0.1 + 1).astype(np.float32)
    np.testing.assert_array_equal(ag.tensor(y).cumprod(1).numpy(),
                                  np.cumprod(y.astype(np.float64), 1).astype(np.float32))
    np.testing.assert_array_equal(
        ag.tensor(y).logcumsumexp(1).numpy(),
        np.logaddexp.accumulate(y.astype(np.float64), 1).astype(np.float32))
    t = ag.tensor(x[:1000], requires_grad=True)
    t.cumsum(0).sum().backward()  # the gradient is the reversed running sum of ones: exact
    assert t.grad[0].item() == 1000.0 and t.grad[-1].item() == 1.0


def test_inf_norm_of_an_empty_slice_is_refused():
    # max/min have no identity: ours gave 0, PyTorch refuses
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        ag.ones(0, 3).norm(INF)
    with pytest.raises(RuntimeError, match="cannot compute the -inf norm on the dimension 0"):
        ag.ones(0, 3).norm(-INF, dim=0)
    assert ag.ones(0, 3).norm(INF, dim=1).shape == (0,)  # nothing reduced over an empty dim


def test_logaddexp_of_two_integer_tensors_is_refused():
    i = ag.ones(2, dtype=ag.int64)
    with pytest.raises(NotImplementedError, match="\"logaddexp_cpu\" not implemented for 'Long'"):
        ag.logaddexp(i, i)
    with pytest.raises(NotImplementedError, match="\"logaddexp2_cpu\" not implemented for 'Long'"):
        ag.logaddexp2(i, i)
    mixed = ag.logaddexp(i, ag.zeros(2))  # an integer and a float tensor: float32, as there
    assert mixed.dtype == ag.float32 and mixed.tolist() == pytest.approx([math.log(1 + math.e)] * 2)


def test_half_convolutions_and_pools_compute_in_float32():
    # the float32/float64 kernels refused float16 with their own message ("im2col: x must
    # be a float32/float64 array"); PyTorch's CPU ops compute half in float32 and round
    x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4), dtype=ag.float16, requires_grad=True)
    w = ag.ones(1, 1, 2, 2, dtype=ag.float16)
    y = F.conv2d(x, w)
    assert y.dtype == ag.float16 and y[0, 0, 0].tolist() == [10.0, 14.0, 18.0]
    y.sum().backward()
    assert x.grad.dtype == ag.float16 and x.grad[0, 0, 1].tolist() == [2.0, 4.0, 4.0, 2.0]
    assert F.conv_transpose2d(y, w).dtype == ag.float16
    p, idx = F.max_pool2d(x, 2, return_indices=True)
    assert p.dtype == ag.float16 and idx.dtype == ag.int64 and p.flatten().tolist() == [5, 7, 13, 15]
    assert F.avg_pool2d(x, 2).flatten().tolist() == [2.5, 4.5, 10.5, 12.5]
    assert F.adaptive_avg_pool2d(x, 1).item() == 7.5
    assert F.adaptive_max_pool2d(x, 1).dtype == ag.float16


def test_lerp_gradients_at_an_infinite_end_are_pytorchs():
    # PyTorch's rules g * (1 - w), g * w, g * (end - input): a composite of the two formulas
    # gave NaN where its unused branch met inf (0 * inf)
    a = ag.tensor([0.0, 1.0], requires_grad=True)
    b = ag.tensor([INF, 2.0], requires_grad=True)
    w = ag.tensor([0.25, 0.75], requires_grad=True)
    ag.lerp(a, b, w).sum().backward()
    assert a.grad.tolist() == [0.75, 0.25] and b.grad.tolist() == [0.25, 0.75]
    assert w.grad.tolist() == [INF, 1.0]


def test_prelu_weight_gradient_at_an_infinite_input():
    # where(x > 0, x, w * x): the branch not taken still gave w's gradient inf * 0 = NaN
    x = ag.tensor([INF, -2.0], requires_grad=True)
    w = ag.tensor([0.25], requires_grad=True)
    y = F.prelu(x, w)
    assert y.tolist() == [INF, -0.5]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.25] and w.grad.tolist() == [-2.0]


def test_margin_losses_leave_out_a_nan_term_as_pytorchs_kernels():
    # PyTorch's loops add a term only where it is > 0: a NaN term is left out (ours was NaN)
    x = ag.tensor([[NAN, 0.2, 0.5]], requires_grad=True)
    loss = F.multi_margin_loss(x, ag.tensor([1]))  # terms 1 - 0.2 + nan (out), 1 - 0.2 + 0.5
    assert loss.item() == pytest.approx(1.3 / 3)
    loss.backward()
    assert x.grad[0].tolist() == pytest.approx([0.0, -1 / 3, 1 / 3])
    x = ag.tensor([[0.1, 0.2, NAN, 0.4]], requires_grad=True)
    # targets {3, 0}, others {1, 2}: (1 - 0.4 + 0.2) + (1 - 0.1 + 0.2), the NaN terms out
    loss = F.multilabel_margin_loss(x, ag.tensor([[3, 0, -1, 1]]))
    assert loss.item() == pytest.approx((0.8 + 1.1) / 4)
    x2 = ag.tensor([[0.1, INF, 0.3, 0.4]], requires_grad=True)
    loss = F.multilabel_margin_loss(x2, ag.tensor([[1, -1, 0, 0]]))  # inf only as a target
    assert loss.item() == 0.0  # 1 - inf + x: below 0 everywhere


def test_ctc_loss_of_a_nan_frame_is_nan():
    # the Numba kernel's max(-inf, NaN) dropped the NaN: the loss came out inf, and with
    # zero_infinity=True a silent 0 (PyTorch's and the numpy twin's: NaN)
    from autograd_core.kernels import ctc

    lp = np.log(np.full((5, 1, 4), 0.25, np.float32))
    lp[0] = np.nan
    args = (np.array([[1, 2]]), np.array([5]), np.array([2]), 0)
    assert np.isnan(ctc.ctc_forward(lp, *args)[0][0])
    assert np.isnan(ctc.ctc_forward_numpy(lp, *args)[0][0])
    for zero_infinity in (False, True):
        loss = F.ctc_loss(ag.tensor(lp), ag.tensor([[1, 2]]), [5], [2],
                          zero_infinity=zero_infinity)
        assert math.isnan(loss.item())


def test_svd_family_refuses_inf_and_nan_instead_of_hanging():
    # numpy's LAPACK SVD with singular vectors never returned on a matrix holding inf
    # (svd, svdvals, pinv, lstsq, matrix_rank, norms 2/'nuc' hung); in a subprocess, so a
    # regression fails here instead of hanging the suite
    import subprocess
    import sys

    code = """
import numpy as np, autograd_core as ag
calls = [lambda x: ag.linalg.svdvals(x), lambda x: ag.linalg.svd(x), ag.svd, ag.linalg.pinv,
         lambda x: ag.linalg.lstsq(x, ag.ones(3, 1, dtype=ag.float64)),
         ag.linalg.matrix_rank, lambda x: ag.linalg.matrix_norm(x, "nuc"),
         lambda x: ag.linalg.matrix_norm(x, 2), ag.linalg.cond]
for bad in (np.inf, np.nan):
    a = np.arange(12.0).reshape(3, 4)
    a[0, 1] = bad
    for f in calls:
        try:
            f(ag.tensor(a))
        except ag.linalg.LinAlgError as e:
            assert "contained non-finite values" in str(e), e
        else:
            raise AssertionError(f"{f} took a non-finite matrix")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_linalg_svd_and_cond():
    # torch.linalg.svd was missing (only the older torch.svd): (U, S, Vh), full by default
    a = ag.tensor([[3.0, 0.0, 0.0], [0.0, -2.0, 0.0]], dtype=ag.float64, requires_grad=True)
    U, S, Vh = ag.linalg.svd(a)
    assert S.tolist() == [3.0, 2.0] and U.shape == (2, 2) and Vh.shape == (3, 3)
    np.testing.assert_allclose((U @ ag.diag(S) @ Vh[:2]).detach().numpy(), a.detach().numpy(),
                               atol=1e-12)
    np.testing.assert_allclose((Vh @ Vh.mT).detach().numpy(), np.eye(3), atol=1e-12)
    S.sum().backward()  # d(sum of singular values)/dA = U Vh (reduced): diag(1, -1) here
    np.testing.assert_allclose(a.grad.numpy(), [[1, 0, 0], [0, -1, 0]], atol=1e-12)
    assert ag.linalg.svd(a, full_matrices=False).Vh.shape == (2, 3)
    m = ag.tensor([[3.0, 0.0], [0.0, 0.5]], dtype=ag.float64)
    assert ag.linalg.cond(m).item() == pytest.approx(6.0)
    assert ag.linalg.cond(m, -2).item() == pytest.approx(1 / 6)
    assert ag.linalg.cond(m, 1).item() == pytest.approx(3.0 * 2.0)  # ||A||_1 ||A^-1||_1


def test_scalar_first_add_and_mul_record_the_tensor_first():
    # progs8 (the introyt autograd tutorial walks d.grad_fn.next_functions[0][0]...): PyTorch
    # records 2 * b as b.mul(2), so next_functions[0] is b's node; ours had (None, b's node)
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = a.sin()
    for c in (2 * b, 3 + b, 2.5 * b + 1):
        first, second = c.grad_fn.next_functions
        assert first[0] is not None and second[0] is None
    assert (2 * b).grad_fn.next_functions[0][0] is b.grad_fn
    assert (2 * b).grad_fn.next_functions[0][0].next_functions[0][0].variable is a


def test_tensor_type_without_arguments_is_its_type_name():
    # "type": to made x.type() return the tensor; PyTorch's gives 'torch.FloatTensor'
    x = ag.ones(2)
    assert x.type() == "autograd_core.FloatTensor" and x.long().type() == "autograd_core.LongTensor"
    assert x.type(ag.float64).dtype == ag.float64
    assert x.type("torch.DoubleTensor").dtype == ag.float64


def test_reading_grad_of_a_non_leaf_warns_as_pytorch():
    x = ag.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    y.retain_grad()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None and x.grad is None  # a leaf, or a non-leaf that retains: silent
