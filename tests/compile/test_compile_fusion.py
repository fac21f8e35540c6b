"""Fusion of elementwise runs in a compiled step (autograd_core/fusion.py): a replay that runs
a chain of add/sub/mul/div/neg/sqrt/relu/reciprocal as one generated Numba kernel must give eager's numbers
bit for bit (values, NaN positions, signed zeros, infinities), the same as the op-by-op replay
(the kernels' twin), with the gradients that the chain's nodes compute from what the kernel
stored; kernels are cached on disk and reused by a second process."""

import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import fusion
from autograd_core.replay import _generate

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-42, -1e-42, 3e38, -3e38, 1.0, -1.0]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rsub": lambda a, b: b - a,
    "rdiv": lambda a, b: b / a,
}
UNARY = {"neg": lambda a: -a, "sqrt": lambda a: a.sqrt(), "relu": lambda a: a.relu(),
         "reciprocal": lambda a: a.reciprocal()}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TAPEGRAD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "fused"))
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)


def _assert_same_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    uint = {4: np.uint32, 8: np.uint64}[want.dtype.itemsize]
    np.testing.assert_array_equal(got[~nan].view(uint), want[~nan].view(uint))


def _values(rng, shape, dtype, specials):
    a = rng.standard_normal(shape).astype(dtype)
    if specials and a.size:
        flat = a.reshape(-1)
        for k in rng.choice(flat.size, size=min(specials, flat.size), replace=False):
            flat[k] = SPECIAL[rng.integers(len(SPECIAL))]
    return a


def _chain(steps, w, b, x, scalars):
    """The step's elementwise chain: each step combines the last value with an operand."""
    vals = [w * x + b]
    for kind, name, which in steps:
        last = vals[-1]
        if kind == "unary":
            vals.append(UNARY[name](last))
            continue
        other = (x, w, b, scalars[which % len(scalars)], vals[which % len(vals)])[which % 5]
        vals.append(BINARY[name](last, other))
    return vals


def _run(compiled, x, w, b, n):
    out = []
    for _ in range(n):
        loss, *vals = compiled(x)
        out.append((loss.detach().numpy().copy(), [v.detach().numpy().copy() for v in vals],
                    w.grad.detach().numpy().copy(), b.grad.detach().numpy().copy()))
    return out


def _program(compiled):
    (program, verified), = compiled._cache.values()
    assert verified
    return program


step_st = st.one_of(
    st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), st.integers(0, 50)),
    st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY)), st.just(0)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step_st, min_size=1, max_size=6),
       dtype=st.sampled_from([np.float32, np.float64]),
       n=st.integers(1, 4), m=st.integers(1, 5),
       bshape=st.sampled_from(["row", "col", "full", "vector", "scalar"]),
       specials=st.integers(0, 4), seed=st.integers(0, 2**16))
def test_fused_replay_equals_eager_and_unfused(steps, dtype, n, m, bshape, specials, seed):
    rng = np.random.default_rng(seed)
    shape_b = {"row": (1, m), "col": (n, 1), "full": (n, m), "vector": (m,), "scalar": ()}[bshape]
    w = ag.tensor(_values(rng, (n, m), dtype, specials), requires_grad=True)
    b = ag.tensor(_values(rng, shape_b, dtype, specials), requires_grad=True)
    scalars = [float(v) for v in rng.standard_normal(3)] + [2, 0.0, -0.0]

    def step(x):
        w.grad = b.grad = None
        vals = _chain(steps, w, b, x, scalars)
        loss = (vals[-1] * vals[-1]).sum()
        loss.backward()
        return (loss, *vals)

    xs = [ag.tensor(_values(rng, (n, m), dtype, specials)) for _ in range(2)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        compiled = ag.compile(step, strict=True)
        _run(compiled, xs[0], w, b, 2)  # traced twice
        program = _program(compiled)
        fused = _run(compiled, xs[1], w, b, 1)[0]
        eager = _run(step_as_compiled(step), xs[1], w, b, 1)[0]
        # the kernels' twin: the same program replayed op by op
        program._replay, _ = _generate(program, (xs[1],), fuse=False)
        unfused = _run(compiled, xs[1], w, b, 1)[0]
    # the whole chain, w * x + b through the loss's square, is one kernel, its backward another
    assert program.source.count("fused_shape_error(") >= 2
    assert sum(line.strip().startswith("K") for line in program.source.splitlines()) == 2
    for other in (eager, unfused):
        _assert_same_bits(fused[0], other[0])
        for got, want in zip(fused[1], other[1]):
            _assert_same_bits(got, want)
        _assert_same_bits(fused[2], other[2])
        _assert_same_bits(fused[3], other[3])


def step_as_compiled(step):
    """The eager step, called like a compiled one."""
    return lambda *args: step(*args)


def test_intermediates_stay_in_registers_and_saved_values_are_written():
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)

    def step(x):
        w.grad = None
        a = w * x        # saved by the mul (x needs no grad: w's gradient needs x)
        c = a + 1.0      # read only by the next op: never written to memory
        d = c * c        # saves c (both operands): c must be written
        e = (d - 2.0).exp()  # exp does not fuse: ends the run, reads d - 2.0
        loss = e.sum()
        loss.backward()
        return loss

    compiled = ag.compile(step, strict=True)
    x = ag.tensor([[0.5, -0.5], [0.25, 0.0]])
    for _ in range(3):
        compiled(x)
    got = w.grad.detach().numpy().copy()
    src = _program(compiled).source
    kernel_call = next(line for line in src.splitlines() if line.strip().startswith("K"))
    # inputs x, w; outputs c (saved by the square), d - 2.0 (read by exp); no a, no d
    assert kernel_call.count(", s") == 2, kernel_call
    # backward: exp's gradient enters, sub, square, add and mul run as one kernel
    assert sum(line.strip().startswith("K") for line in src.splitlines()) == 2
    step(x)
    _assert_same_bits(got, w.grad.detach().numpy())
    # by hand: d/dw exp((wx + 1)^2 - 2) = exp(.) * 2 (wx + 1) * x
    wx = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32) * np.array([[0.5, -0.5], [0.25, 0.0]],
                                                                    np.float32)
    want = np.exp((wx + 1) ** 2 - 2) * 2 * (wx + 1) * np.array([[0.5, -0.5], [0.25, 0.0]])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _chain_step():
    w = ag.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)

    def step(x):
        w.grad = None
        loss = ((x - w) * 0.5 / (w + 3.0)).sum()
        loss.backward()
        return loss

    return w, step


def test_numpy_backend_replays_op_by_op(monkeypatch):
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    w, step = _chain_step()
    compiled = ag.compile(step, strict=True)
    x = ag.tensor(np.ones((2, 3)))
    got = [float(compiled(x).detach()) for _ in range(3)]
    assert "fused_shape_error" not in _program(compiled).source
    assert got[2] == float(step(x).detach())


def test_unwritable_cache_replays_op_by_op(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("TAPEGRAD_CACHE_DIR", str(blocker / "sub"))  # below a file: unwritable
    w = ag.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)

    def step(x):  # a chain no other test fuses (a kernel loaded earlier would be reused)
        w.grad = None
        loss = ((x + w) * 0.75 - w / 5.0 - x).sum()
        loss.backward()
        return loss

    compiled = ag.compile(step, strict=True)
    x = ag.tensor(np.full((2, 3), 2.0))
    got = [float(compiled(x).detach()) for _ in range(3)]
    assert "fused_shape_error" not in _program(compiled).source
    assert got[2] == float(step(x).detach())


def test_kernel_source_depends_on_broadcasting_not_sizes():
    a, name_a = fusion.kernel_source(2, (((0,), 2), ((), 1)), 1, ("t0 = a0 * a1 + c0",
                                                                   "o0[IDX] = t0"), 1)
    b, name_b = fusion.kernel_source(2, (((0,), 2), ((), 1)), 1, ("t0 = a0 * a1 + c0",
                                                                  "o0[IDX] = t0"), 1)
    c, name_c = fusion.kernel_source(2, (((), 2), ((), 1)), 1, ("t0 = a0 * a1 + c0",
                                                                 "o0[IDX] = t0"), 1)
    assert (a, name_a) == (b, name_b) and name_c != name_a
    assert "x0[0, i1]" in a and "x0[i0, i1]" in c and "x1[i1]" in a
    assert fusion.broadcast_pattern((1, 5), (4, 5)) == (0,)
    assert fusion.broadcast_pattern((4, 1), (4, 5)) == (1,)
    assert fusion.broadcast_pattern((5,), (4, 5)) == ()
    assert fusion.broadcast_pattern((1, 1), (1, 1)) == ()


def test_second_process_loads_the_kernel_from_disk(tmp_path):
    script = textwrap.dedent("""
        import numpy as np, autograd_core as ag
        from autograd_core import fusion
        w = ag.tensor(np.ones((3, 4), np.float32), requires_grad=True)
        def step(x):
            w.grad = None
            loss = ((x * w - 0.25) / (w + 7.0)).sum()
            loss.backward()
            return loss
        c = ag.compile(step, strict=True)
        x = ag.tensor(np.full((3, 4), 2.0, np.float32))
        vals = [float(c(x).detach()) for _ in range(3)]
        fns = fusion._LOADED.values()
        print(sum(sum(f.stats.cache_hits.values()) for f in fns),
              sum(sum(f.stats.cache_misses.values()) for f in fns), vals[2])
    """)
    env = dict(os.environ, TAPEGRAD_CACHE_DIR=str(tmp_path), PYTHONPATH=os.getcwd())
    env.pop("TAPEGRAD_KERNELS", None)
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][:2] == ["0", "2"]  # forward and backward kernels compiled
    assert runs[1][:2] == ["2", "0"]  # loaded from the on-disk cache
    assert runs[0][2] == runs[1][2] == repr(float(np.float32(12 * (2 - 0.25) / 8)))
    assert len(list(tmp_path.glob("fused/fused_*.py"))) == 2


@pytest.mark.parametrize("where, links", [("before", 6), ("after", 6), ("both", 6),
                                          ("both", 70)])
def test_leaf_sums_keep_the_engines_order(where, links):
    """A leaf that the fused chain feeds many times gets the run's contributions summed in
    registers only when nothing reached it before the run (its buffer is then that sum, and
    later contributions add to it, as in eager); otherwise each contribution is added in the
    engine's order. Float32 sums of 1,000 random values differ in the last bit whenever the
    association changes, so a wrong order shows. 70 links: the run is split at
    ``fusion.MAX_OPS``, and the later kernels continue the sums from the buffers the earlier
    ones filled."""
    rng = np.random.default_rng(7)
    x, c, d = (ag.tensor(rng.standard_normal(1000).astype(np.float32), requires_grad=True)
               for _ in range(3))

    def step():
        x.grad = c.grad = d.grad = None
        z = x
        if where in ("after", "both"):  # made first: its backward runs after the chain's
            z = z * c.exp()
        for _ in range(links):
            z = z * c + d
        loss = z.sum()
        if where in ("before", "both"):  # made last: its backward runs before the chain's
            loss = loss + (c.exp() * d.exp()).sum()
        loss.backward()
        return loss

    compiled = ag.compile(step, strict=True)
    for _ in range(3):
        compiled()
    got = [t.grad.detach().numpy().copy() for t in (x, c, d)]
    kernels = [line.strip() for line in _program(compiled).source.splitlines()
               if line.strip().startswith("K")]
    # one forward kernel per 64 ops; a backward kernel per run, two (continuing the sums, and
    # not) where something reached the leaves before the run
    want = {("before", 6): 3, ("after", 6): 2, ("both", 6): 3, ("both", 70): 9}
    assert len(kernels) == want[where, links], kernels
    step()
    for g, t in zip(got, (x, c, d)):
        _assert_same_bits(g, t.grad.detach().numpy())


def test_a_grad_read_as_a_value_is_not_fused():
    """A ``.grad`` read inside the step (a manual update) is not guarded like parameters are:
    the user may replace it between calls by an array of another dtype or memory order, which
    eager follows (float64 promotion, Fortran order) and a kernel typed at the trace would
    not. Such runs replay op by op, with eager's numbers."""
    w = ag.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)

    def step(x):
        with ag.no_grad():
            upd = w.grad * 0.5 + x  # two fusable ops reading w.grad
        return (upd * 2.0).sum()

    compiled = ag.compile(step, strict=True)
    x = ag.tensor(np.ones((2, 3), np.float32))
    w.grad = ag.tensor(np.full((2, 3), 0.25, np.float32))
    for _ in range(3):
        compiled(x)
    assert "fused_shape_error" not in _program(compiled).source
    # (through .data: assigning .grad itself a float64 tensor is refused, as PyTorch's)
    w.grad.data = ag.tensor(np.asfortranarray(np.full((2, 3), 1 / 3, np.float64)))
    got, want = compiled(x), step(x)
    assert got.dtype == want.dtype
    _assert_same_bits(got.numpy(), want.numpy())
