"""Regressions found running public PyTorch programs on tapegrad (round 15: hand-written
optimizers, attribution on a small CNN, torch.distributions programs, 2024-style scripts that
compile the model and switch AMP off on the CPU).

Harness and results: /work/progs_runs/progs15/ (RESULTS15.md).
"""
import copy

import pytest

import autograd_core as ag


@pytest.mark.torch_parity
def test_bfloat16_named_in_a_dtype_table():
    """p06 (nanoGPT train.py's configuration lines):
    ``ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]``
    raised AttributeError before anything ran. The dtype exists and compares, prints and
    hashes as PyTorch's; a tensor of it is refused with a TypeError naming it."""
    torch = pytest.importorskip("torch")
    table = {"float32": ag.float32, "bfloat16": ag.bfloat16, "float16": ag.float16}
    assert table["float32"] is ag.float32 and table["bfloat16"] is ag.bfloat16
    for ours, theirs in [(ag.bfloat16, torch.bfloat16)]:
        assert repr(ours).replace("autograd_core.", "torch.") == repr(theirs)
        assert ours.is_floating_point == theirs.is_floating_point
        assert ours.is_complex == theirs.is_complex and ours.itemsize == theirs.itemsize
    assert isinstance(ag.bfloat16, ag.dtype)
    assert (ag.bfloat16 == ag.float16) is (torch.bfloat16 == torch.float16) is False
    assert (ag.float32 == ag.bfloat16) is False and ag.float16 != ag.bfloat16
    assert ag.zeros(2).dtype != ag.bfloat16
    assert ag.bfloat16 not in (ag.float16, ag.float32)
    assert copy.deepcopy({"dtype": ag.bfloat16})["dtype"] is ag.bfloat16
    with pytest.raises(TypeError, match="no bfloat16 tensors"):
        ag.zeros(2, dtype=ag.bfloat16)
    with pytest.raises(TypeError, match="no bfloat16 tensors"):
        ag.tensor([1.0], dtype=ag.bfloat16)
    # the AMP-off path of such scripts takes the dtype without using it
    with ag.autocast(device_type="cpu", dtype=ag.bfloat16, enabled=False):
        assert ag.ones(2).sum().item() == 2.0


@pytest.mark.torch_parity
def test_global_average_pool_node_is_a_mean():
    """p03 (Grad-CAM on a small CNN, then a ``grad_fn`` walk printing node names): the global
    pool ``nn.AdaptiveAvgPool2d(1)`` (ResNet's avgpool) printed ``AdaptiveAvgPool2DBackward0``
    where PyTorch, which takes the mean over H and W for a 1x1 output, prints ``MeanBackward1``;
    other output sizes keep the pooling node's name, in both."""
    torch = pytest.importorskip("torch")
    import numpy as np

    import nn.functional as F
    a = np.random.RandomState(0).randn(2, 3, 4, 5)
    a3 = np.random.RandomState(1).randn(1, 2, 3, 4, 5)
    tF = torch.nn.functional
    cases = [(F.adaptive_avg_pool2d, tF.adaptive_avg_pool2d, a, 1),
             (F.adaptive_avg_pool2d, tF.adaptive_avg_pool2d, a, (1, 1)),
             (F.adaptive_avg_pool2d, tF.adaptive_avg_pool2d, a[0], 1),
             (F.adaptive_avg_pool2d, tF.adaptive_avg_pool2d, a, (1, 2)),
             (F.adaptive_avg_pool3d, tF.adaptive_avg_pool3d, a3, 1),
             (F.adaptive_avg_pool3d, tF.adaptive_avg_pool3d, a3, (1, 1, 2))]
    for ours, theirs, arr, size in cases:
        x, tx = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
        y, ty = ours(x, size), theirs(tx, size)
        assert y.grad_fn.name() == ty.grad_fn.name(), size
        assert len(y.grad_fn.next_functions) == len(ty.grad_fn.next_functions)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.torch_parity
def test_backends_queries_of_reproducibility_boilerplate():
    """p17 (the flags block at the top of 2024 training scripts):
    ``torch.backends.mkldnn.is_available()`` / ``torch.backends.mkldnn.enabled = False`` /
    ``torch.backends.opt_einsum.enabled`` raised AttributeError. The modules PyTorch has under
    ``backends`` for the CPU exist with its names and signatures; ``flags`` restores the
    settings after its block."""
    torch = pytest.importorskip("torch")
    import inspect

    import autograd_core.backends as ours
    for name in ("cpu", "mkl", "mkldnn", "openmp", "opt_einsum"):
        assert hasattr(torch.backends, name) and hasattr(ours, name), name
    tk = torch.backends.mkldnn
    for fn in ("flags", "set_flags"):
        mine, theirs = (inspect.signature(getattr(m, fn)).parameters for m in (ours.mkldnn, tk.m))
        assert [(p.name, p.default) for p in mine.values()] == [
            (p.name, p.default) for p in theirs.values()]
    assert ours.mkldnn.enabled is tk.enabled is True
    assert ours.mkldnn.deterministic is tk.deterministic is False
    with ours.mkldnn.flags(enabled=False, deterministic=True):
        assert ours.mkldnn.enabled is False and ours.mkldnn.deterministic is True
    assert ours.mkldnn.enabled is True and ours.mkldnn.deterministic is False
    ours.mkldnn.enabled = False  # a plain setting, as a script writes it
    assert ag.backends.mkldnn.enabled is False
    ours.mkldnn.enabled = True
    assert isinstance(ours.opt_einsum.enabled, bool) and ours.opt_einsum.is_available() is False
    assert ours.openmp.is_available() in (True, False) and ours.mkl.is_available() in (True, False)
    assert ours.cpu.get_cpu_capability() == "DEFAULT"
    assert torch.backends.cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512", "ZVECTOR",
                                                       "VSX", "NEON", "SVE256", "SVE128")


@pytest.mark.torch_parity
def test_support_of_uniform_categorical_binomial_independent():
    """p18 (ADVI by hand: ``biject_to(d.support)`` maps each latent from R^n): ``Uniform``,
    ``Categorical``, ``Binomial`` and ``Independent`` had no ``support`` (AttributeError).
    They are PyTorch's constraints: an interval of the (tensor) bounds, an integer interval,
    the base's support made independent over the reinterpreted dims; the checks and the
    bijection onto an interval agree with PyTorch's."""
    torch = pytest.importorskip("torch")
    import numpy as np

    from autograd_core import distributions as D
    lo, hi = np.array([0.0, 1.0], np.float32), np.array([2.0, 5.0], np.float32)
    pairs = [
        (D.Uniform(-1.0, 3.0), torch.distributions.Uniform(-1.0, 3.0)),
        (D.Uniform(ag.tensor(lo), ag.tensor(hi)),
         torch.distributions.Uniform(torch.tensor(lo), torch.tensor(hi))),
        (D.Categorical(probs=ag.tensor([0.2, 0.3, 0.5])),
         torch.distributions.Categorical(probs=torch.tensor([0.2, 0.3, 0.5]))),
        (D.Binomial(5, ag.tensor(0.3)), torch.distributions.Binomial(5, torch.tensor(0.3))),
        (D.Independent(D.Uniform(ag.zeros(2, 3), ag.ones(2, 3)), 2),
         torch.distributions.Independent(
             torch.distributions.Uniform(torch.zeros(2, 3), torch.ones(2, 3)), 2)),
    ]
    probe = np.array([[-0.5, 0.0, 0.5], [1.0, 2.0, 2.5]], np.float32)
    for ours, theirs in pairs:
        s, ts = ours.support, theirs.support
        assert repr(s).replace("autograd_core.", "torch.") == repr(ts)
        assert (s.event_dim, s.is_discrete) == (ts.event_dim, ts.is_discrete)
        shape = tuple(theirs.batch_shape + theirs.event_shape)
        v = probe.reshape(-1)[:int(np.prod(shape))].reshape(shape) if shape else probe[0, 1]
        np.testing.assert_array_equal(s.check(ag.tensor(v)).numpy(),
                                      ts.check(torch.tensor(v)).numpy())
    z = np.array([-1.0, 2.0], np.float32)
    b, tb = D.biject_to(pairs[1][0].support), torch.distributions.biject_to(pairs[1][1].support)
    np.testing.assert_allclose(b(ag.tensor(z)).numpy(), tb(torch.tensor(z)).numpy(), rtol=1e-6)


_UNARY = ("abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p "
          "log2 neg reciprocal round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc").split()


@pytest.mark.torch_parity
def test_foreach_functions_as_torch():
    """p24 (hand-written optimizers on the multi-tensor path: schedule-free's and timm's
    ``torch._foreach_mul_(exp_avg_sq, beta2)``, ``_foreach_addcmul_``, ``_foreach_lerp_``, ...):
    every ``torch._foreach_*`` raised AttributeError. Each now applies the tensor method to each
    list entry, with per-tensor lists, scalar lists or one value, and returns what PyTorch's
    returns (a tuple; in place the list given)."""
    torch = pytest.importorskip("torch")
    import numpy as np
    r = np.random.RandomState(0)
    arrs = [[r.rand(2, 3) * 0.8 + 0.1, r.rand(4) * 0.8 + 0.1] for _ in range(3)]

    def lists(lib):
        return [[lib.tensor(x) for x in group] for group in arrs]

    def same(ours, theirs):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-15)

    calls = [(u, ()) for u in _UNARY]
    for name in "add sub mul div pow clamp_min clamp_max maximum minimum".split():
        calls += [(name, (1.5,)), (name, ([0.5, 2.0],)), (name, ("b",))]
    calls += [("lerp", ("b", 0.25)), ("lerp", ("b", "c")),
              ("addcmul", ("b", "c", 0.5)), ("addcdiv", ("b", "c", [0.1, 0.2]))]
    for name, args in calls:
        (a, b, c), (ta, tb, tc) = lists(ag), lists(torch)
        pick = {"b": (b, tb), "c": (c, tc)}
        ours_args = [pick[x][0] if isinstance(x, str) else x for x in args]
        their_args = [pick[x][1] if isinstance(x, str) else x for x in args]
        out = getattr(ag, f"_foreach_{name}")(a, *ours_args)
        assert isinstance(out, tuple)
        same(out, getattr(torch, f"_foreach_{name}")(ta, *their_args))
        assert getattr(ag, f"_foreach_{name}_")(a, *ours_args) is a
        getattr(torch, f"_foreach_{name}_")(ta, *their_args)
        same(a, ta)
    (a, b, c), (ta, tb, tc) = lists(ag), lists(torch)
    same(ag._foreach_add(a, b, alpha=0.3), torch._foreach_add(ta, tb, alpha=0.3))
    same(ag._foreach_addcdiv(a, b, c, value=-2.0), torch._foreach_addcdiv(ta, tb, tc, value=-2.0))
    same(ag._foreach_addcmul(a, b, c, ag.tensor([1.0, 3.0])),
         torch._foreach_addcmul(ta, tb, tc, torch.tensor([1.0, 3.0])))
    same(ag._foreach_pow(2.0, a), torch._foreach_pow(2.0, ta))
    for ord in (2, 1, float("inf")):
        same(ag._foreach_norm(a, ord), torch._foreach_norm(ta, ord))
    same(ag._foreach_max(a), torch._foreach_max(ta))
    ag._foreach_zero_(a)
    ag._foreach_copy_(a, b)
    same(a, tb)
    with pytest.raises(RuntimeError, match="at least one tensor"):
        ag._foreach_mul_([], 2.0)
    with pytest.raises(RuntimeError, match="same number of tensors, got 2 and 1"):
        ag._foreach_add(a, [b[0]])
    w = [ag.tensor([1.0, 2.0], requires_grad=True)]
    ag._foreach_mul(w, 3.0)[0].sum().backward()
    assert w[0].grad.tolist() == [3.0, 3.0]
