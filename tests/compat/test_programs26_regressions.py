"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 26: a small ResNet with BatchNorm, mixup and label
smoothing, nn.Transformer with padding and causal masks, DQN and knowledge distillation,
GradScaler / AveragedModel / SWALR / update_bn / pruning, PINN, MAML and Hessian-vector
products, GNN message passing and Siamese/triplet losses, TCN and packed LSTMs, a mixture
density network, a GP, a sparse matrix-factorisation recommender and a neural ODE, plus a sweep
of these programs' losses and distances at their edges).

Harness and results: /work/progs_runs/progs26/ (RESULTS26.md).
"""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def test_cosine_embedding_loss_zero_vector_gradient_uses_float32_epsilon():
    """q10 (Siamese losses at their edges): at a zero embedding the cosine's gradient is
    ``b / sqrt(eps * (|b|^2 + eps))``; PyTorch's ``EPSILON`` is the float32 ``1e-12``
    (9.99999996e-13), ours the float64 one, so the float64 gradient was 2e-9 (relative) off
    PyTorch's. Hand-worked value with the float32 constant."""
    b = np.array([[0.3, -0.7, 1.1]])
    a = ag.zeros(1, 3, dtype=ag.float64, requires_grad=True)
    F.cosine_embedding_loss(a, ag.tensor(b), ag.tensor([-1]), margin=-0.2).backward()
    eps = float(np.float32(1e-12))
    want = b / np.sqrt(eps * ((b * b).sum() + eps))
    np.testing.assert_allclose(a.grad.numpy(), want, rtol=1e-15)


def test_pairwise_distance_p0_is_on_the_graph_with_no_gradient():
    """q10: ``pairwise_distance(a, b, p=0)`` (a count of differing coordinates) came off the
    graph, so ``loss.backward()`` raised "element 0 of tensors does not require grad"; in
    PyTorch it has a grad_fn whose gradient is undefined (the leaves' ``.grad`` stays None)."""
    a = ag.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], requires_grad=True)
    b = ag.tensor([[1.0, 0.0, 3.0]])
    d = F.pairwise_distance(a, b, p=0, eps=0.0)
    assert d.tolist() == [1.0, 2.0]
    assert d.requires_grad
    d.sum().backward()
    assert a.grad is None


def test_cdist_p0_is_on_the_graph_with_zero_gradient():
    """q10: ``cdist(a, b, p=0)`` came off the graph too (backward raised); PyTorch's has
    CdistBackward0 and gives zero gradients. A NaN difference counts as NaN, as PyTorch's."""
    a = ag.tensor([[1.0, 2.0], [0.0, float("nan")]], requires_grad=True)
    b = ag.tensor([[1.0, 0.0], [5.0, 2.0], [0.0, 0.0]], requires_grad=True)
    d = ag.cdist(a, b, p=0)
    got = d.detach().numpy()
    assert np.array_equal(got[0], [1.0, 1.0, 2.0])
    assert np.isnan(got[1]).all()
    d[0].sum().backward()
    assert np.array_equal(a.grad.numpy(), np.zeros((2, 2)))
    assert np.array_equal(b.grad.numpy(), np.zeros((3, 2)))


@pytest.mark.parametrize("call", ["method_", "method", "function"])
def test_scatter_reduce_argument_warning_points_at_the_callers_line(call):
    """q09 (GNN message passing with ``scatter_(..., reduce="add")``): PyTorch's deprecation
    warning names the user's line; ours named a line inside tapegrad (scatter.py's in-place
    wrapper), so it could not be found or filtered by module."""
    import warnings
    idx, src = ag.tensor([[0, 1], [2, 2]]), ag.ones(2, 2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        if call == "method_":
            ag.zeros(2, 3).scatter_(1, idx, src, reduce="add")
        elif call == "method":
            ag.zeros(2, 3).scatter(1, idx, src, reduce="add")
        else:
            ag.scatter(ag.zeros(2, 3), 1, idx, src, reduce="add")
    assert [x.filename for x in w] == [__file__]
    assert "reduce argument of torch.scatter" in str(w[0].message)


def test_cosine_embedding_loss_2d_target_message_is_pytorchs():
    """q15 (common mistakes in Siamese programs): a ``(N, 1)`` target gave "2D target tensor
    expected, multi-target not supported", which asks for the very shape that was passed;
    PyTorch's message says a 0-d or 1-d target is expected."""
    with pytest.raises(RuntimeError, match=r"^0D or 1D target tensor expected, multi-target not "
                                           r"supported$"):
        F.cosine_embedding_loss(ag.randn(4, 3), ag.randn(4, 3), ag.ones(4, 1))


def test_scheduler_resume_without_initial_lr_gives_pytorchs_two_hints():
    """q16 (resuming a ResNet run from a checkpoint without the optimizer's state): PyTorch's
    KeyError goes on to say the two usual causes (optimizer state not loaded, ``last_epoch``
    set on a fresh run); ours stopped after the first sentence."""
    import optimizers
    from optimizers.lr_scheduler import StepLR
    opt = optimizers.SGD([ag.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError) as info:
        StepLR(opt, 2, last_epoch=3)
    msg = info.value.args[0]
    assert msg.startswith("param 'initial_lr' is not specified in param_groups[0] when "
                          "resuming scheduler with last_epoch >= 0.\nThis typically happens when:")
    assert "haven't properly loaded the optimizer state" in msg
    assert "for a fresh training run (not recommended)" in msg


def test_grad_scaler_factor_and_interval_getters_and_setters():
    """q17 (a GradScaler loop that logs and tunes the scaler): ``get_growth_factor``,
    ``set_growth_factor``, ``get_backoff_factor``, ``set_backoff_factor``,
    ``get_growth_interval`` and ``set_growth_interval`` were missing (AttributeError). The
    setters act on the next ``update()``: 2 clean steps grow 8 by 3, an inf step backs off by 1/4."""
    import nn
    import optimizers
    s = ag.amp.GradScaler("cpu", init_scale=8.0)
    assert (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == (2.0, 0.5, 2000)
    s.set_growth_factor(3.0)
    s.set_backoff_factor(0.25)
    s.set_growth_interval(2)
    w = nn.Parameter(ag.tensor([1.0]))
    opt = optimizers.SGD([w], lr=0.1)
    scales = []
    for bad in (False, False, True):
        opt.zero_grad()
        s.scale(w.sum() * (float("inf") if bad else 1.0)).backward()
        s.step(opt)
        s.update()
        scales.append(s.get_scale())
    assert scales == [8.0, 24.0, 6.0]
    assert s.state_dict()["growth_factor"] == 3.0 and s.state_dict()["growth_interval"] == 2


def test_grad_scaler_scales_a_0d_float16_loss_in_float32():
    """q17: PyTorch's scale is a 0-d float32 tensor, so a 0-d float16 loss comes back float32
    (60000 * 2**16 = 3.93e9, no overflow) while a batched float16 output stays float16; ours
    multiplied by a Python float and a 0-d float16 loss overflowed to inf (every step skipped)."""
    s = ag.amp.GradScaler("cpu")
    r = s.scale(ag.tensor(60000.0, dtype=ag.float16))
    assert r.dtype == ag.float32 and r.item() == 60000.0 * 2.0**16
    assert s.scale(ag.tensor([0.25, 0.5], dtype=ag.float16)).dtype == ag.float16
    r64 = s.scale(ag.tensor(0.1, dtype=ag.float64))
    assert r64.dtype == ag.float64 and r64.item() == 0.1 * 2.0**16


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("scalar_dtype", [ag.float32, ag.float64])
def test_float16_times_and_over_a_0d_float32_tensor_compute_in_float32(scalar_dtype):
    """q17 (GradScaler on a float16 output): ATen's CPU ``mul``/``div`` read a one-element
    second operand of another dtype as a float32 number (``x * t``, ``x / t``), while ours
    rounded it to float16 first: ``x * tensor(65536.)`` was inf (PyTorch: 16384 for 0.25),
    ``x / tensor(65536.)`` 0, and ``x * tensor(1/3)``, ``x / tensor(0.1)`` a last bit off. A
    0-d tensor as the *first* operand is cast, as ATen's (``tensor(65536.) * x`` is inf).
    The divisor's gradient rounds its two quotients to float16 as ATen's. Hand-worked with
    numpy's float32 arithmetic rounded once."""
    x = np.array([0.25, 0.5, 3.3, 1000.0], np.float16)
    tx = ag.tensor(x)
    f32 = x.astype(np.float32)
    for v in (65536.0, 1 / 3, 0.1):
        t = ag.tensor(v, dtype=scalar_dtype)
        assert np.array_equal((tx * t).numpy(), (f32 * np.float32(v)).astype(np.float16))
        assert np.array_equal((tx / t).numpy(), (f32 / np.float32(v)).astype(np.float16))
    assert (tx * ag.tensor(65536.0, dtype=scalar_dtype)).tolist() == [16384.0, 32768.0, float("inf"),
                                                                       float("inf")]
    assert np.isinf((ag.tensor(65536.0, dtype=scalar_dtype) * tx).numpy()).all()
    b = ag.tensor(0.1, dtype=scalar_dtype, requires_grad=True)
    (tx / b).sum().backward()
    q = ((f32 / np.float32(0.1)).astype(np.float16).astype(np.float32) / np.float32(0.1)).astype(np.float16)
    assert b.grad.item() == float(-(q.astype(np.float32)).sum().astype(np.float16))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("p", [1 / 3, 0.1, 1.7, -1.3, 11.3])
def test_float16_pow_casts_a_float_exponent_to_float16_first(p):
    """q18 (float16 arithmetic with 0-d tensors and numbers, after the mul/div fix): ATen's
    Half ``pow(Tensor, Scalar)`` kernel casts the exponent to float16 before the float32
    power (``x ** (1/3)`` is ``x ** 0.333251953125``); ours used the exact exponent, so
    ``x ** 1.7`` was an ulp off PyTorch in a third of the elements. The gradient keeps the
    exponent as given (PyTorch's ``grad * (p * x ** (p - 1))``). Hand-worked with numpy."""
    x = np.linspace(0.01, 6.0, 301).astype(np.float16)
    want = np.power(x.astype(np.float32), np.float32(np.float16(p))).astype(np.float16)
    t = ag.tensor(x, requires_grad=True)
    y = t ** p
    assert np.array_equal(y.detach().numpy(), want)
    assert np.array_equal(ag.pow(ag.tensor(x), p).numpy(), want)
    y.backward(ag.ones_like(y))
    # the derivative: x ** (p - 1) in float16 (p - 1 cast too), times p in float32, rounded
    inner = np.power(x.astype(np.float32), np.float32(np.float16(p - 1))).astype(np.float16)
    assert np.array_equal(t.grad.numpy(), (inner.astype(np.float32) * np.float32(p)).astype(np.float16))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("mode", ["floor", "trunc"])
@pytest.mark.parametrize("divisor", [0.1, 1 / 3, 1e-4])
def test_float16_rounded_division_by_a_number_rounds_the_float32_quotient(mode, divisor):
    """q18: for a float16 tensor divided by a number or a one-element tensor, ATen's
    ``div_floor``/``div_trunc`` take the floor/trunc of the float32 quotient and round once;
    ours rounded the quotient to float16 first (``3.3 / 0.1`` -> 33.0 -> 33, PyTorch's 32):
    2-12% of 2000 elements differed, for ``x // 0.1`` and ``torch.div(x, t, rounding_mode=...)``
    with a 0-d float16/float32/float64 ``t``. Hand-worked with numpy: trunc of the float32
    quotient, and the exact floor (ATen's fmod-corrected one; float64 here) of ``x / b32``."""
    x = np.linspace(-60.0, 60.0, 997).astype(np.float16)

    def expected(b32):
        if mode == "trunc":
            return np.trunc(x.astype(np.float32) / b32).astype(np.float16)
        return np.floor(x.astype(np.float64) / np.float64(b32)).astype(np.float16)

    want = expected(np.float32(divisor))
    for d in (divisor, ag.tensor(divisor), ag.tensor(divisor, dtype=ag.float64)):
        got = ag.div(ag.tensor(x), d, rounding_mode=mode).numpy()
        assert np.array_equal(got, want)
    want16 = expected(np.float32(np.float16(divisor)))
    got16 = ag.div(ag.tensor(x), ag.tensor(divisor, dtype=ag.float16), rounding_mode=mode).numpy()
    assert np.array_equal(got16, want16)
