"""Muon by hand (its PyTorch parity over the options is in test_option_sweep_vs_torch.py): the
bfloat16 rounding, the Newton-Schulz iteration on a diagonal matrix (it acts on each singular
value alone), the first step worked out, and PyTorch's refusals, made before any change."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
import optimizers
from optimizers.muon import _bf16, _newton_schulz

COEFFS = (3.4445, -4.7750, 2.0315)


def _param(values, dtype=np.float64):
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_bfloat16_rounding_is_nearest_even_through_float32():
    ulp = 2.0 ** -7  # bfloat16 keeps 7 fraction bits
    values = [1 + ulp / 2, 1 + 3 * ulp / 2, 1 + ulp / 2 + 2.0 ** -30, -(1 + 0.6 * ulp), 1e-45,
              3.5e38, np.inf]
    # ties go to the even neighbour; a float64 just above a tie is first rounded to float32 (the
    # tie itself), as ATen converts double -> float -> bfloat16; 1e-45 is below bfloat16's
    # smallest subnormal (2**-133); 3.5e38 is past float32's range
    expected = [1.0, 1 + 2 * ulp, 1.0, -(1 + ulp), 0.0, np.inf, np.inf]
    np.testing.assert_array_equal(_bf16(np.array(values)), expected)
    assert np.isnan(_bf16(np.array([np.nan]))).all()


def test_bfloat16_rounding_of_every_kind_of_float32():
    """Random float32 bit patterns (both signs, subnormals, the largest finite values, inf and
    NaNs with any payload): each result is the nearer of the value's two bfloat16 neighbours
    (the truncation and the next one up in magnitude), measured in float64, a tie going to
    the one whose last kept bit is 0; NaNs stay NaN (uint32 sums wrap only for their bits)."""
    rng = np.random.default_rng(5)
    bits = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)
    edges = [0x00008000, 0x00018000, 0x7F7F7FFF, 0x7F7F8000, 0x7F7FFFFF, 0x7F800000, 0xFF7F8000,
             0x3F808000, 0x3F818000, 0x7FC00000, 0x7FFF8000, 0xFFFF8000, 0xFFFFFFFF]
    bits[:len(edges)] = edges
    x = bits.view(np.float32)
    got = _bf16(x)
    nan = np.isnan(x)
    assert np.isnan(got[nan]).all()
    x, got = x[~nan].astype(np.float64), got[~nan].astype(np.float64)
    low = (bits[~nan] & 0xFFFF0000).view(np.float32).astype(np.float64)
    high = (bits[~nan] & 0xFFFF0000) + np.uint32(0x10000)  # the next bfloat16 outward
    inf = np.isinf(x)
    with np.errstate(invalid="ignore"):  # inf's next pattern is a (signalling) NaN's: unused
        high = high.view(np.float32).astype(np.float64)
        d_low, d_high = np.abs(x - low), np.abs(high - x)
    even_low = ((bits[~nan] >> 16) & 1) == 0
    # past the largest bfloat16 the next one up is inf: a distance of inf
    want = np.where(inf, x, np.where(d_low < d_high, low, np.where(d_high < d_low, high,
                                                                     np.where(even_low, low, high))))
    top = ~inf & np.isinf(high)  # from 0x7F7F0000 up: halfway to the next power is the tie
    tie_up = (bits[~nan][top] & 0xFFFF) >= 0x8000
    want[top] = np.where(tie_up, np.copysign(np.inf, x[top]), low[top])
    np.testing.assert_array_equal(got, want)


def _quintic_bf16(s, steps=5):
    """One singular value through the iteration, rounded where PyTorch's bfloat16 rounds:
    ``A = s*s``, ``U = b*A + c*A*A`` (``c*A*A`` rounded to float32 first), ``a*s + U*s``."""
    a, b, c = (float(np.float32(v)) for v in COEFFS)
    r = lambda v: float(_bf16(v))  # noqa: E731
    for _ in range(steps):
        gram = r(s * s)
        update = r(float(np.float32(c * gram * gram)) + b * gram)
        s = r(a * s + update * s)
    return s


def test_newton_schulz_maps_each_singular_value_by_the_quintic():
    # diag(3, 4): normalised to diag(0.6, 0.8) (rounded to bfloat16); every step maps each
    # diagonal entry s to a s + b s^3 + c s^5
    out = _newton_schulz(np.diag([3.0, 4.0]), COEFFS, 5, 1e-7)
    assert out.dtype == np.float32 and out[0, 1] == 0 and out[1, 0] == 0
    np.testing.assert_array_equal(np.diag(out), [_quintic_bf16(float(_bf16(0.6))),
                                                 _quintic_bf16(float(_bf16(0.8)))])
    a, b, c = COEFFS
    exact = []
    for s in (0.6, 0.8):
        for _ in range(5):
            s = a * s + b * s ** 3 + c * s ** 5
        exact.append(s)
    np.testing.assert_allclose(np.diag(out), exact, rtol=0.05)  # bfloat16's few digits
    # a tall matrix is orthogonalised through its transpose: the same values, transposed
    g = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    np.testing.assert_array_equal(_newton_schulz(g, COEFFS, 5, 1e-7),
                                  _newton_schulz(g.T, COEFFS, 5, 1e-7).T)


def test_first_step_worked_out():
    # step 1 without nesterov: buffer = (1 - mu) g; NS of a 1 x 1 matrix is sign(g) times the
    # quintic applied five times to 1; then decoupled weight decay and the step
    w = _param([[2.0]])
    opt = optimizers.Muon([w], lr=0.1, weight_decay=0.5, momentum=0.9, nesterov=False)
    w.grad = ag.tensor([[-3.0]], dtype=ag.float64)
    opt.step()
    assert w.data[0, 0] == 2.0 * (1 - 0.1 * 0.5) + 0.1 * _quintic_bf16(1.0)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], [[-0.3]], rtol=1e-15)
    # the learning rate of a 1 x 3 (wide) parameter is not adjusted, of a 3 x 1 one it is
    # sqrt(3) times; "match_rms_adamw": 0.2 sqrt(max(A, B)) times
    for shape, ratio, fn in (((1, 3), 1.0, None), ((3, 1), math.sqrt(3), "original"),
                             ((2, 8), 0.2 * math.sqrt(8), "match_rms_adamw")):
        w = _param(np.zeros(shape))
        opt = optimizers.Muon([w], lr=0.1, weight_decay=0.0, momentum=0.0, nesterov=False,
                              adjust_lr_fn=fn)
        g = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
        w.grad = ag.tensor(g)
        opt.step()  # without momentum the buffer is g itself
        ortho = _newton_schulz(g, COEFFS, 5, 1e-7).astype(np.float64)
        np.testing.assert_allclose(w.data, -0.1 * ratio * ortho, rtol=1e-15)


def test_a_float32_parameter_stays_float32():
    w = _param(np.ones((2, 3)), np.float32)
    opt = optimizers.Muon([w])
    w.grad = ag.ones(2, 3)
    opt.step()
    assert w.data.dtype == np.float32 and opt.state[w]["momentum_buffer"].dtype == np.float32


def test_refusals_are_pytorchs_and_come_first():
    m = _param(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"Muon only supports 2D parameters whereas we found "
                                         r"a parameter with size: .*Size\(\[3\]\)"):
        optimizers.Muon([m, _param(np.ones(3))])
    opt = optimizers.Muon([m])
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        opt.add_param_group({"params": [_param(np.ones((2, 2, 2)))]})
    assert len(opt.param_groups) == 1
    for kw, message in [(dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
                        (dict(momentum=-0.1), "momentum should be >= 0 but is: -0.1"),
                        (dict(weight_decay=-1), "weight decay should be >= 0 but is: -1"),
                        (dict(adjust_lr_fn="cube"),
                         "Adjust learning rate function cube is not supported"),
                        (dict(ns_steps=100), "Number of steps must be less than 100"),
                        (dict(ns_coefficients=(1.0, 2.0)),
                         "Coefficients must be a tuple of exactly 3 values"),
                        (dict(lr=ag.ones(2)), "Tensor lr must be 1-element")]:
        with pytest.raises(ValueError, match=message):
            optimizers.Muon([_param(np.ones((2, 2)))], **kw)
    c = ag.zeros(2, 2, dtype=ag.complex64, requires_grad=True)
    c.grad = ag.zeros(2, 2, dtype=ag.complex64)
    w = _param(np.ones((2, 2)))
    w.grad = ag.ones(2, 2, dtype=ag.float64)
    opt = optimizers.Muon([w, c])
    with pytest.raises(RuntimeError, match="Muon does not support complex parameters"):
        opt.step()
    np.testing.assert_array_equal(w.data, np.ones((2, 2)))  # nothing stepped
    assert not opt.state


def test_load_state_dict_checks_the_buffer_first():
    w = _param(np.ones((2, 3)))
    opt = optimizers.Muon([w])
    w.grad = ag.ones(2, 3, dtype=ag.float64)
    opt.step()
    saved = opt.state_dict()
    assert list(saved["state"][0]) == ["momentum_buffer"]
    bad = {"state": {0: {"momentum_buffer": np.zeros((3, 2))}},
           "param_groups": saved["param_groups"]}
    before = opt.state[w]["momentum_buffer"].numpy().copy()
    with pytest.raises(ValueError, match=r"state\[0\]\['momentum_buffer'\] has shape \(3, 2\)"):
        opt.load_state_dict(bad)
    np.testing.assert_array_equal(opt.state[w]["momentum_buffer"].numpy(), before)
    v = _param(np.ones((2, 3)), np.float32)
    opt32 = optimizers.Muon([v])
    opt32.load_state_dict(saved)
    assert opt32.state[v]["momentum_buffer"].numpy().dtype == np.float32


def _steps(opt, params, steps, start=0):
    for s in range(start, start + steps):
        for p in params:
            x = p.detach().numpy()
            p.grad = ag.tensor(np.sin(3 * x + s) + 0.3 * x)
        opt.step()


def test_state_dict_saved_mid_run_resumes_the_same_trajectory():
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s) for s in ((3, 4), (5, 2))]
    a = [_param(x) for x in init]
    opt = optimizers.Muon([{"params": a[:1]}, {"params": a[1:], "lr": 0.05, "nesterov": False}],
                          lr=0.02)
    _steps(opt, a, 4)
    saved, values = opt.state_dict(), [p.detach().numpy().copy() for p in a]
    _steps(opt, a, 4, start=4)
    b = [_param(v) for v in values]
    again = optimizers.Muon([{"params": b[:1]}, {"params": b[1:]}], lr=0.5)
    again.load_state_dict(saved)
    assert again.param_groups[1]["lr"] == 0.05 and again.param_groups[1]["nesterov"] is False
    _steps(again, b, 4, start=4)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
