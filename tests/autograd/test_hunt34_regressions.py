"""Silent differences from PyTorch found by the differential hunts of 2026-12-07 (second
session), each fixed toward PyTorch; expected values are hand-worked (IEEE rules for infinities
and NaN, closed forms), and each test failed before its fix."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.creation import _fma
from autograd_core.kernels.optim import numpy_fma

INF = math.inf


@pytest.mark.parametrize("a, b, c, want", [
    (2.0, 3.0, INF, INF), (2.0, 3.0, -INF, -INF), (INF, 2.0, 1.0, INF), (-INF, 2.0, 1.0, -INF),
    (INF, 0.0, 1.0, math.nan), (INF, 1.0, -INF, math.nan), (math.nan, 1.0, 1.0, math.nan),
    (1e300, 1e300, -INF, -INF),  # the exact product is finite: c wins (a*b + c would be NaN)
    (2.0, 3.0, 1.0, 7.0),
])
def test_the_float64_fused_multiply_add_twin_follows_ieee_at_infinities(a, b, c, want):
    got = _fma(np.array([a]), np.array([b]), np.array([c]))[0]
    assert (math.isnan(got) and math.isnan(want)) or got == want
    got = numpy_fma(a, np.array([b]), np.array([c]))[0]
    assert (math.isnan(got) and math.isnan(want)) or got == want


def test_add_with_alpha_keeps_infinities_of_broadcast_float64_operands():
    x = ag.tensor([-INF, INF, 1e308, 1.0], dtype=ag.float64)
    assert ag.add(x, 2.0, alpha=3).tolist() == [-INF, INF, 1e308, 7.0]
    assert ag.sub(x, ag.tensor(1), alpha=2).tolist() == [-INF, INF, 1e308, -1.0]
    y = ag.tensor([[-INF, 1.0], [1e300, 2.0]], dtype=ag.float64)
    assert ag.add(y.t(), y, alpha=2).tolist() == [[-INF, 1e300], [2e300, 6.0]]
    # lerp with weight >= 0.5 is end - (end - start) * (1 - weight): -inf stays -inf
    got = ag.lerp(ag.tensor([1.0, -INF, 2.0], dtype=ag.float64), ag.tensor(5.0, dtype=ag.float64),
                  0.7).tolist()
    assert got[1] == -INF and got[0] == pytest.approx(3.8) and got[2] == pytest.approx(4.1)


def test_float_arange_takes_aten_s_vector_bases():
    # ATen's loop computes 8 float32 (4 float64) values from a base rounded to the dtype:
    # element 9 of arange(0, 2.2, 0.1) is float32(float32(0.8) + 0.1) = 0.9000000358 (start +
    # 9 * step rounded once is 0.8999999762); element 5 of the float64 arange(-1, 1, 0.2) is
    # (-1 + 4 * 0.2) + 0.2 = 5.55e-17, not 0
    assert ag.arange(0, 2.2, 0.1).numpy()[9] == np.float32(np.float64(np.float32(0.8)) + 0.1)
    assert ag.arange(0, 2.2, 0.1).numpy()[9] != np.float32(0.9)
    assert ag.arange(-1, 1, 0.2, dtype=ag.float64).numpy()[5] == (-1 + 4 * 0.2) + 0.2 != 0.0
    # the elements after the last pair of vectors: start + i * step, one fused rounding
    assert ag.arange(0, 2.2, 0.1).numpy()[17] == np.float32(1.7000000000000002)


@pytest.mark.torch_parity
def test_float_arange_equals_torch_bit_for_bit():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(34)
    for _ in range(400):
        dt = ["float32", "float64"][rng.integers(2)]
        start = float(rng.choice([0.0, -1.0, 0.5, rng.uniform(-10, 10)]))
        step = float(rng.choice([0.1, 0.3, 1 / 3, -0.7, rng.uniform(1e-3, 2)]))
        n = int(rng.integers(1, 400))
        end = start + step * (n - 0.5)
        theirs = torch.arange(start, end, step, dtype=getattr(torch, dt)).numpy()
        ours = ag.arange(start, end, step, dtype=getattr(ag, dt)).numpy()
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), (start, step, n)


def test_clamp_with_tensor_bounds_propagates_nan_and_promotes_together():
    nan = math.nan
    x = ag.tensor([1.0, 2.0, 3.0])
    lo, hi = ag.tensor([nan, 0.0, nan]), ag.tensor([nan, 5.0, 2.5])
    assert np.array_equal(ag.clamp_min(x, lo).numpy(), [nan, 2.0, nan], equal_nan=True)
    assert np.array_equal(ag.clamp(x, max=hi).numpy(), [nan, 2.0, 2.5], equal_nan=True)
    assert np.array_equal(x.clone().clamp_(lo, hi).numpy(), [nan, 2.0, nan], equal_nan=True)
    # int8 with a 0-d uint8 min and a uint8 max: int16 (the two with dims), every value 150
    y = ag.clamp(ag.tensor([-106, 127, 0, -1], dtype=ag.int8), ag.tensor(150, dtype=ag.uint8),
                 ag.tensor([200] * 4, dtype=ag.uint8))
    assert y.dtype == ag.int16 and y.tolist() == [150] * 4
    b = ag.tensor([True, False, True])
    assert ag.clamp(b, ag.tensor(0, dtype=ag.uint8), ag.tensor([1, 1, 0], dtype=ag.int8)).dtype \
        == ag.int8


def test_clamp_tensor_bound_gradients_follow_pytorch_s_formulas():
    x = ag.tensor([-1.0, 0.5, 3.0, 1.0, math.nan], dtype=ag.float64, requires_grad=True)
    lo = ag.tensor([0.0, 0.0, 0.0, 1.0, 0.0], dtype=ag.float64, requires_grad=True)
    hi = ag.tensor([2.0, 2.0, 2.0, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = ag.clamp(x, lo, hi)
    assert y.grad_fn.name() == "ClampBackward0"
    y.backward(ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=ag.float64))
    assert x.grad.tolist() == [0.0, 2.0, 0.0, 4.0, 0.0]  # lo <= x <= hi; NaN: 0
    assert lo.grad.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]  # x < lo and lo < hi
    assert hi.grad.tolist() == [0.0, 0.0, 3.0, 0.0, 0.0]  # x > hi or hi < lo


def test_cross_entropy_with_probabilities_and_a_float64_weight_is_float64():
    import nn.functional as F

    rng = np.random.RandomState(3)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    q = rng.rand(3, 4).astype(np.float32)
    w = rng.rand(4) + 1  # float64, as PyTorch multiplies by it: the loss is float64
    logp = x.astype(np.float64) - np.log(np.exp(x.astype(np.float64)).sum(1, keepdims=True))
    want = -(logp * q * w).sum(1)
    for reduction, expected in (("none", want), ("sum", want.sum()), ("mean", want.mean())):
        got = F.cross_entropy(ag.tensor(x), ag.tensor(q), weight=ag.tensor(w),
                              reduction=reduction)
        assert got.dtype == ag.float64
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_tie_shares_are_float64_under_create_graph(reduce):
    # out[0] ties x[0] with both sources: each gets a third of g[0] = 0.1
    for create_graph in (False, True):
        x = ag.tensor(np.ones(2), requires_grad=True)
        s = ag.tensor(np.ones(2), requires_grad=True)
        out = ag.scatter_reduce(x * 1, 0, ag.tensor([0, 0]), s, reduce, include_self=True)
        gx, gs = ag.grad(out, [x, s], ag.tensor(np.array([0.1, 0.7])),
                         create_graph=create_graph)
        assert gx.tolist() == [0.1 / 3, 0.7] and gs.tolist() == [0.1 / 3, 0.1 / 3]


def test_nanmean_returns_the_dtype_asked_for():
    x = ag.tensor(np.array([[1.0, math.nan, 2.0], [3.0, 4.0, 5.0]]))
    assert ag.nanmean(x, 1, dtype=ag.float32).dtype == ag.float32
    y = ag.nanmean(x, 1, dtype=ag.float16)
    assert y.dtype == ag.float16 and y.tolist() == [1.5, 4.0]
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point"):
        ag.nanmean(x, 1, dtype=ag.int64)


def test_float16_round_with_decimals_computes_in_float32():
    x = ag.tensor([60000.0, 1000.55, -1.292, 0.0387], dtype=ag.float16)
    # float16 * 10 overflowed (60000 -> inf) and 10 ** 5 is beyond float16 (NaN everywhere)
    assert ag.round(x, decimals=1).tolist() == [60000.0, 1000.5, -1.2998046875, 0.0]
    assert ag.round(x, decimals=5).tolist() == x.tolist()
    # 21170 / 10 = 2117 in float32, * 10 = 21170, nearest float16 21168 (float16's / 10 was
    # 2116 -> 21152)
    assert ag.round(ag.tensor([21170.0], dtype=ag.float16), decimals=-1).tolist() == [21168.0]
    # 10 ** 400 is inf: NaN, as PyTorch's (Python's 10.0 ** 400 raised OverflowError)
    assert np.isnan(ag.round(ag.tensor([1.25, 3.0]), decimals=400).numpy()).all()
    assert np.isnan(ag.round(ag.tensor([1.25, 3.0]), decimals=-400).numpy()).all()


def test_integer_alpha_and_addcdiv_scale_in_the_result_dtype():
    a, b = ag.tensor([-128, 100], dtype=ag.int8), ag.tensor([200, 10], dtype=ag.uint8)
    # int8 + 2 * uint8 is int16: 2 * 200 = 400 there (uint8's 2 * 200 wrapped to 144)
    assert ag.add(a, b, alpha=2).tolist() == [272, 120]
    assert ag.sub(a, b, alpha=2).tolist() == [-528, 80]
    assert ag.add(ag.tensor([0], dtype=ag.int32), ag.tensor([100], dtype=ag.int8),
                  alpha=3).tolist() == [300]
    y = ag.add(ag.tensor([1, 2], dtype=ag.uint8), ag.tensor([True, False]), alpha=2)
    assert y.dtype == ag.uint8 and y.tolist() == [3, 2]  # bool * 2 was int64
    z = ag.addcdiv(ag.tensor([0.0, 0.0]), ag.tensor([200, 100], dtype=ag.uint8),
                   ag.tensor([1.0, 1.0]), value=2)
    assert z.tolist() == [400.0, 200.0]
    h = ag.addcdiv(ag.tensor([1.0, 2.0], dtype=ag.float16), ag.tensor(3.0),
                   ag.tensor([2, 4], dtype=ag.int8))
    assert h.dtype == ag.float16 and h.tolist() == [2.5, 2.75]


def test_dtype_info_and_conversions_as_pytorch():
    assert ag.finfo(ag.complex64).eps == ag.finfo(ag.float32).eps
    assert ag.finfo(ag.complex128).dtype == "float64"
    assert ag.finfo(ag.float16).resolution == 0.001  # 10 ** -3, not float16(0.001)
    with pytest.raises(TypeError, match="torch.bool is not supported by torch.iinfo"):
        ag.iinfo(ag.bool)
    assert ag.complex64.to_real() == ag.float32 and ag.float64.to_complex() == ag.complex128
    assert ag.int64.to_real() == ag.int64
    with pytest.raises(RuntimeError, match="Unknown Complex ScalarType for Long"):
        ag.int64.to_complex()
    assert float(ag.tensor(1 + 0j)) == 1.0 and int(ag.tensor(2 + 0j)) == 2
    with pytest.raises(RuntimeError, match="cannot be converted to type double"):
        float(ag.tensor(1 + 1j))
    assert ag.result_type(ag.tensor([1]), np.int64(2)) == ag.int64
    assert ag.result_type(ag.tensor([1]), np.float32(2.0)) == ag.float32


def test_lcm_in_c_arithmetic():
    # int32: 2147483647 * 4 wraps to -4 before the absolute value: 4 (numpy's lcm: -4)
    assert ag.lcm(ag.tensor([2147483647, -6, 0], dtype=ag.int32),
                  ag.tensor([4, 4, 5], dtype=ag.int32)).tolist() == [4, 12, 0]
    # int8: |50 * 3| = 150 in C's int, stored as int8: -106 (numpy wraps the product first,
    # -106, and takes its absolute value: 106)
    assert ag.lcm(ag.tensor([50], dtype=ag.int8), ag.tensor([3], dtype=ag.int8)).tolist() == [-106]


def test_logspace_as_aten_computes_it():
    # integer dtypes truncate start and end first: 10 ** 0 everywhere
    assert ag.logspace(0.1, 0.9, 9, dtype=ag.int64).tolist() == [1] * 9
    assert ag.logspace(0, 3, 4, dtype=ag.int32).tolist() == [1, 10, 100, 1000]
    # float64: C's pow of start + step * i (numpy's float64 power differs by an ulp in places)
    got = ag.logspace(0, 1, 5, dtype=ag.float64).numpy()
    assert got.tolist() == [math.pow(10.0, 0.25 * i) for i in range(3)] + [
        math.pow(10.0, 1.0 - 0.25), 10.0]


@pytest.mark.torch_parity
def test_logspace_equals_torch_bit_for_bit():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    for _ in range(300):
        dt = ["float32", "float64", "float16", "int64", "int32", "uint8"][rng.integers(6)]
        start, end = (float(rng.choice([0.0, 0.1, 2.0, rng.uniform(-3, 3)])) for _ in range(2))
        if dt == "uint8":
            start, end = abs(start), abs(end)
        steps, base = int(rng.integers(0, 50)), float(rng.choice([10.0, 2.0, rng.uniform(0.5, 5)]))
        theirs = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dt)).numpy()
        ours = ag.logspace(start, end, steps, base=base, dtype=getattr(ag, dt)).numpy()
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs, equal_nan=True), \
            (dt, start, end, steps, base)


def test_searchsorted_with_nan_follows_aten_s_binary_search():
    # ATen goes right while !(boundary >= value): a NaN boundary is below every value, a NaN
    # value lands at the end (numpy's searchsorted sorts NaN last: 2, not 3)
    b = ag.sort(ag.tensor([math.nan, 2.0, 1.0]))[0]  # [1, 2, nan]
    v = ag.tensor([0.5, 1.5, 3.0, math.nan])
    assert ag.searchsorted(b, v).tolist() == [0, 1, 3, 3]
    assert ag.searchsorted(b, v, right=True).tolist() == [0, 1, 3, 3]
    assert ag.bucketize(v, b).tolist() == [0, 1, 3, 3]
    assert ag.searchsorted(ag.tensor([math.nan]), ag.tensor([0.0])).tolist() == [1]
    # batched, an empty last dim (numpy's reshape(-1, 0) refused)
    assert ag.searchsorted(ag.zeros(2, 0), ag.ones(2, 2)).tolist() == [[0, 0], [0, 0]]
    assert ag.searchsorted(ag.ones(2, 3), ag.zeros(2, 0)).shape == (2, 0)


def test_ldexp_of_an_integer_input_is_input_times_a_float32_power():
    # pow(2.0, 200) is inf in float32: 0 * inf = NaN, as PyTorch's (np.ldexp gave 0)
    assert math.isnan(ag.ldexp(ag.tensor([0], dtype=ag.int16), ag.tensor([200])).item())
    assert math.isnan(ag.ldexp(ag.tensor([False]), ag.tensor([200], dtype=ag.uint8)).item())
    y = ag.ldexp(ag.tensor([3, -5]), ag.tensor([2, -1]))
    assert y.dtype == ag.float32 and y.tolist() == [12.0, -2.5]


def test_gather_and_scatter_treat_a_0d_input_as_one_element():
    x = ag.tensor(np.array(3.0), requires_grad=True)
    y = ag.gather(x, 0, ag.tensor([0, 0]))
    assert y.shape == (2,) and y.tolist() == [3.0, 3.0]
    y.sum().backward()
    assert x.grad.item() == 2.0  # read twice
    z = ag.tensor(np.array(1.0), requires_grad=True)
    s = ag.scatter_add(z, 0, ag.tensor([0, 0]), ag.tensor(np.array([2.0, 3.0])))
    assert s.shape == () and s.item() == 6.0
    s.backward()
    assert z.grad.item() == 1.0
    assert ag.scatter(ag.tensor(1.0), 0, ag.tensor([0]), ag.tensor([2.0])).item() == 2.0


def test_negative_norms_of_empty_tensors_refuse_only_an_empty_reduced_dim():
    x = ag.zeros(0, 4, dtype=ag.float64)
    for p in (-1, -0.5, -math.inf):
        assert ag.linalg.vector_norm(x, p, dim=1).shape == (0,)  # the empty dim is kept
        with pytest.raises(RuntimeError, match="on the dimension 0 because this dimension is"):
            ag.linalg.vector_norm(x, p, dim=0)
        with pytest.raises(RuntimeError, match="on an empty tensor because"):
            ag.linalg.vector_norm(x, p)


def test_a_gradient_a_leaf_hook_kept_is_not_changed_by_later_accumulation():
    # a gradient log: the leaf's .grad adopted the array the hook was given, and the later
    # backward passes added into it in place (the first entry became [9, 9])
    saved = []
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(saved.append)
    for k in (2.0, 3.0, 4.0):
        (x * k).sum().backward()
    assert [s.tolist() for s in saved] == [[2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]
    assert x.grad.tolist() == [9.0, 9.0]


def test_a_gradient_a_non_leaf_hook_kept_is_not_changed_when_it_reaches_a_leaf():
    saved = []
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x + 0  # its gradient passes to x unchanged (the same array)
    h.register_hook(saved.append)
    (h * 2.0).sum().backward()
    (x * 3.0).sum().backward()
    assert [s.tolist() for s in saved] == [[2.0, 2.0]] and x.grad.tolist() == [5.0, 5.0]


def test_inference_mode_false_turns_recording_on_as_pytorch():
    x = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        assert ag.is_inference_mode_enabled() and not (x * 2).requires_grad
        with ag.inference_mode(False):
            assert (x * 2).requires_grad and not ag.is_inference_mode_enabled()
    with ag.no_grad():
        assert not ag.is_inference_mode_enabled()  # plain no_grad is not inference mode
        with ag.inference_mode(False):
            assert (x * 2).requires_grad

    @ag.inference_mode(False)
    def f(t):
        return t * 2

    with ag.no_grad():
        assert f(x).requires_grad


def test_trapezoid_refuses_a_dim_out_of_range():
    y = ag.arange(6.0).reshape(2, 3)
    for dim in (2, -3):  # wrapped, it integrated another dim: [1.5, 2.5, 3.5] for dim=2
        with pytest.raises(IndexError, match="dimension out of range"):
            ag.trapezoid(y, dim=dim)


def test_cumsum_with_a_narrower_dtype_sums_its_gradient_in_the_input_s_dtype():
    # the gradient of sum(g * cumsum(x, dtype=float32)) is the reversed running sum of g, cast
    # to float64 first (PyTorch's cumsum_backward(grad.to(self.scalar_type()))): with g of
    # 1 + 2**-20 everywhere the float64 sums are exact, float32's round from element 17 on
    n = 40
    g = np.full(n, np.float32(1 + 2.0 ** -20))
    x = ag.tensor(np.ones(n), requires_grad=True)
    y = ag.cumsum(x, 0, dtype=ag.float32)
    assert y.dtype == ag.float32
    y.backward(ag.tensor(g))
    assert x.grad.dtype == ag.float64
    want = np.cumsum(g.astype(np.float64)[::-1])[::-1]
    assert np.array_equal(x.grad.numpy(), want)


def test_backward_with_inputs_runs_post_accumulate_grad_hooks():
    log = []
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: log.append(("x", t.grad.tolist())))
    w.register_post_accumulate_grad_hook(lambda t: log.append(("w", t.grad.tolist())))
    (x * w).sum().backward(inputs=[x])
    ag.autograd.backward([(x * w).sum()], inputs=[x, w])
    assert log == [("x", [3.0, 4.0]), ("x", [6.0, 8.0]), ("w", [1.0, 2.0])]


def test_a_checkpointed_function_that_writes_its_input_gives_the_plain_gradient():
    from autograd_core.utils.checkpoint import checkpoint

    def fn(a):
        a.add_(1.0)
        return a * a

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = checkpoint(fn, h, use_reentrant=False)
    y.sum().backward()
    # d/dx (x + 1)^2 = 2 (x + 1) = [4, 6]; the second run started from h + 1 and gave [6, 8]
    assert x.grad.tolist() == [4.0, 6.0] and h.tolist() == [2.0, 3.0] and y.tolist() == [4.0, 9.0]


def test_clone_takes_a_memory_format():
    x = ag.randn(3, 4, requires_grad=True)
    y = x.t().clone(memory_format=ag.contiguous_format)
    assert y.stride() == (3, 1) and y.is_contiguous()
    assert x.t().clone().stride() == (1, 4)  # preserve_format, the default
    assert ag.clone(x.t(), memory_format=ag.preserve_format).stride() == (1, 4)
    assert ag.zeros(2, 3, 4, 5).clone(memory_format=ag.channels_last).stride() == (60, 1, 15, 3)
    y.sum().backward()
    assert x.grad.tolist() == np.ones((3, 4)).tolist()


def test_split_into_no_pieces_while_recording():
    x = ag.zeros(2, 0, 3, requires_grad=True)
    assert ag.split(x, [], 1) == ()  # an op with no output recorded nothing (IndexError)


def test_pytorch_s_keyword_spellings_of_swapaxes_and_new_tensors():
    x = ag.zeros(2, 3, dtype=ag.float64)
    assert ag.swapaxes(x, axis0=0, axis1=1).shape == (3, 2)
    assert x.swapaxes(axis0=1, axis1=0).shape == (3, 2)
    for make in (x.new_zeros, x.new_ones, x.new_empty):
        y = make(size=(4,))
        assert y.shape == (4,) and y.dtype == ag.float64


def test_like_factories_keep_a_transposed_input_s_layout():
    x = ag.zeros(4, 3).t()  # shape (3, 4), strides (1, 3)
    for y in (ag.zeros_like(x), ag.ones_like(x), ag.full_like(x, 7.0)):
        assert y.stride() == (1, 3) and not y.is_contiguous() and y.shape == (3, 4)
    assert ag.ones_like(x).tolist() == np.ones((3, 4)).tolist()
    assert ag.zeros_like(x, memory_format=ag.contiguous_format).is_contiguous()


def test_a_function_may_define_vjp_instead_of_backward():
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2

    x = ag.tensor([1.0, 3.0], requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]

    class Both(Double):
        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="Implementing both 'backward' and 'vjp'"):
        Both.apply(x).sum().backward()


def test_autograd_api_details_as_pytorch():
    import warnings

    class Scale(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ag.tensor([1.0, 1.0], requires_grad=True)
    y = Scale.apply(x)
    assert y.grad_fn.saved_tensors[0].tolist() == [1.0, 1.0]  # AttributeError before
    # backward(inputs=[non-leaf]) keeps its .grad as retained (no "not a leaf" warning), and
    # refuses an input that does not require grad
    h = x * 2
    (h * h).sum().backward(inputs=[h])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert h.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad"):
        (x * 2).sum().backward(inputs=[ag.ones(2)])
    # a post-accumulate-grad hook returning a Tensor: PyTorch's RuntimeError
    w = ag.tensor([1.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: t)
    with pytest.raises(RuntimeError, match="post accumulate grad hooks should return None"):
        (w * 2).sum().backward()
    with ag.detect_anomaly(check_nan=False):
        assert ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
    assert not ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
