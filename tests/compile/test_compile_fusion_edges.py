"""Edge cases of ag.compile's fused elementwise runs (autograd_core/fusion.py, replay.py): each
step is built twice from the same numbers, one copy compiled and one run eagerly, and every
call's outputs, gradients and parameters must agree bit for bit (NaN positions, signed zeros)
and in memory order (a reduction's rounding follows it)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import optimizers
from autograd_core import fusion


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TAPEGRAD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "fused"))
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)


def _assert_same_bits(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, what
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg=what)
    uint = {4: np.uint32, 8: np.uint64}[want.dtype.itemsize]
    np.testing.assert_array_equal(got[~nan].view(uint), want[~nan].view(uint), err_msg=what)


def _flat(out):
    if out is None:
        return []
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in _flat(o)]
    return [out]


def _assert_replay_matches_eager(make, calls=4, kernels=2, between=None):
    """``make()`` -> ``(step, params, args)``, called twice for two identical copies; the
    compiled copy (traced twice, then replayed) must equal the eager one at every call, and
    its program must hold at least ``kernels`` fused kernel calls."""
    step, params, args = make()
    eager_step, eager_params, eager_args = make()
    compiled = ag.compile(step, strict=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for call in range(calls):
            if between is not None:
                between(call, params)
                between(call, eager_params)
            got, want = _flat(compiled(*args)), _flat(eager_step(*eager_args))
            assert len(got) == len(want)
            for k, (g, w) in enumerate(zip(got, want)):
                _assert_same_bits(g.detach().numpy(), w.detach().numpy(), f"call {call} out {k}")
            for k, (p, q) in enumerate(zip(params, eager_params)):
                _assert_same_bits(p.detach().numpy(), q.detach().numpy(), f"call {call} p{k}")
                assert (p.grad is None) == (q.grad is None), f"call {call} p{k}.grad"
                if p.grad is not None:
                    g, w = p.grad._data, q.grad._data
                    _assert_same_bits(g, w, f"call {call} p{k}.grad")
                    assert g.flags.c_contiguous == w.flags.c_contiguous, f"p{k}.grad order"
    sources = [prog.source or "" for prog, _ in compiled._cache.values()]
    assert sum(line.strip().startswith("K") for s in sources
               for line in s.splitlines()) >= kernels
    return compiled


def _rand(seed, *shape, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_transposed_gradient_into_a_fused_run_keeps_eagers_order():
    """The gradient entering the run is a transpose's (Fortran-ordered); eager's add passes it
    on as it is and sums the bias's broadcast over its contiguous axis (numpy's pairwise sum),
    so a C-ordered kernel output summed row by row differed in the last bit."""
    x, w0, b0 = _rand(0, 40, 30), _rand(1, 40, 30), _rand(2, 30)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        b = ag.tensor(b0.copy(), requires_grad=True)

        def step(x):
            w.grad = b.grad = None
            y = (x * w + b) * 1.5 - 0.25
            loss = y.T.exp().sum()
            loss.backward()
            return loss

        return step, [w, b], (ag.tensor(x),)

    _assert_replay_matches_eager(make)


def _chain_make(x0, w_shape=None, extra=None):
    """A step ``((x * w + x) * w - 0.5) / (w + 3.0)`` with its loss's backward."""
    w0 = np.linspace(-1, 1, int(np.prod(w_shape or x0.shape))).reshape(
        w_shape or x0.shape).astype(x0.dtype)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)

        def step(x):
            w.grad = None
            y = ((x * w + x) * w - 0.5) / (w + 3.0)
            y.sum().backward()
            return y

        x = ag.tensor(x0)
        return step, [w], (extra(x) if extra else x,)

    return make


@pytest.mark.parametrize("case", ["empty", "slice", "expand", "float64"])
def test_inputs_of_unusual_shape_or_layout(case):
    if case == "empty":
        make = _chain_make(np.zeros((0, 3), np.float32))
    elif case == "slice":  # a non-contiguous input
        make = _chain_make(_rand(3, 6, 10), w_shape=(6, 5), extra=lambda x: x[:, ::2])
    elif case == "expand":  # a broadcast view (stride 0)
        make = _chain_make(_rand(4, 1, 5), w_shape=(4, 5), extra=lambda x: x.expand(4, 5))
    else:
        make = _chain_make(_rand(5, 3, 4, dtype=np.float64))
    # a backward run that reads a saved input not C-contiguous runs op by op
    _assert_replay_matches_eager(make, kernels=1 if case in ("slice", "expand") else 2)


def test_aliased_inputs_zero_d_leaf_and_python_numbers():
    x0, w0 = _rand(6, 5, 4), _rand(7, 5, 4)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        s = ag.tensor(np.float32(1.5), requires_grad=True)

        def step(x, y, k):
            w.grad = s.grad = None
            z = ((x * y + w) * s - k) / s + 3 - (2 - w) * 0.1
            z.sum().backward()
            return z

        x = ag.tensor(x0)
        return step, [w, s], (x, x, 7)

    _assert_replay_matches_eager(make)


def test_mixed_dtypes_and_integer_inputs_do_not_fuse_across_dtypes():
    w0 = _rand(8, 5, 4)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)

        def step(x):
            w.grad = None
            y = (w * 2 + 1) * x - w * 0.1  # float32 with float64 or int64 x: promoted
            z = (w - 1) * (w + 2.5)
            (y.sum() + z.sum()).backward()
            return y, z

        return step, [w], (ag.tensor(np.arange(20).reshape(5, 4)),)

    _assert_replay_matches_eager(make)
    make64 = make

    def make():
        step, params, _ = make64()
        return step, params, (ag.tensor(_rand(9, 5, 4, dtype=np.float64)),)

    _assert_replay_matches_eager(make)


def test_two_backward_passes_and_accumulation_without_zero_grad():
    x0 = _rand(10, 3, 4)

    def make():
        w = ag.tensor(np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32),
                      requires_grad=True)
        c = ag.tensor(np.linspace(-2, 1, 4).astype(np.float32), requires_grad=True)

        def step(x):  # .grad is never cleared: each call adds to it
            a = (x * w + c) * w
            a.sum().backward()
            b = (x - w) * (w + 2.0) * c
            b.sum().backward()
            return a, b

        return step, [w, c], (ag.tensor(x0),)

    _assert_replay_matches_eager(make, calls=6, kernels=4)


def test_chain_longer_than_max_ops_splits_into_runs():
    x0, w0 = _rand(11, 5, 7), _rand(12, 5, 7) * 0.1 + 1
    n = 2 * fusion.MAX_OPS + 10

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)

        def step(x):
            w.grad = None
            z = x
            for k in range(n // 2):
                z = z * w + 0.01 if k % 2 else z - w * 0.5
            loss = z.sum()
            loss.backward()
            return loss, z

        return step, [w], (ag.tensor(x0),)

    _assert_replay_matches_eager(make, calls=3, kernels=6)


def test_no_grad_inside_in_place_after_and_a_later_op_saving_the_result():
    x0, w0 = _rand(13, 6, 5), _rand(14, 6, 5)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)

        def step(x):
            w.grad = None
            with ag.no_grad():
                m = (w * 2.0 + 1.0) * x
            y = (w * m - x) / (m + 5.0)
            z = y.tanh() * (y - 2.0)  # tanh saves its output; the mul saves y
            (z @ w.T).sum().backward()
            with ag.no_grad():
                y.mul_(3.0)
            return y, m, z

        return step, [w], (ag.tensor(x0),)

    _assert_replay_matches_eager(make)


def test_requires_grad_toggled_between_calls_retraces():
    x0, w0 = _rand(15, 6, 5), _rand(16, 6, 5)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        c = ag.tensor(w0 + 1, requires_grad=True)

        def step(x):
            w.grad = c.grad = None
            y = (w * c + x) * c - w
            y.sum().backward()
            return y

        return step, [w, c], (ag.tensor(x0),)

    def between(call, params):
        if call == 3:
            params[1].requires_grad_(False)

    compiled = _assert_replay_matches_eager(make, calls=6, between=between)
    assert compiled.traces == 2


def test_sgd_momentum_over_twenty_steps():
    x0, w0, b0 = _rand(17, 8, 6), _rand(18, 8, 6), _rand(19, 6)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        b = ag.tensor(b0.copy(), requires_grad=True)
        opt = optimizers.SGD([w, b], lr=0.01, momentum=0.9)

        def step(x):
            opt.zero_grad()
            y = ((x * w + b).relu() - 0.5) * (w + 1.0)
            loss = (y * y).sum()
            loss.backward()
            opt.step()
            return loss

        return step, [w, b], (ag.tensor(x0),)

    _assert_replay_matches_eager(make, calls=20)


def test_parameter_given_a_fortran_ordered_array_retraces():
    """Eager's elementwise results follow their inputs' memory order and the loss's sum rounds
    by it; a kernel traced for a C-ordered parameter writes C order, so a parameter whose
    array becomes Fortran-ordered (``w.data = ...``) must re-trace, not replay."""
    x0, w0, b0 = _rand(20, 40, 30), _rand(21, 40, 30), _rand(22, 30)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        b = ag.tensor(b0.copy(), requires_grad=True)

        def step(x):
            w.grad = b.grad = None
            y = (-w) * 2.0 + 1.0  # each op takes w's memory order in eager
            loss = (y * b).exp().sum() + x.sum()
            loss.backward()
            return loss

        return step, [w, b], (ag.tensor(x0),)

    def between(call, params):
        if call == 3:
            params[0].data = ag.tensor(np.asfortranarray(params[0]._data))
            assert params[0]._data.flags.f_contiguous

    compiled = _assert_replay_matches_eager(make, calls=6, kernels=0, between=between)
    assert compiled.traces == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_fusable_op_behind_a_permuted_gradient(dtype):
    """Each fusable op's backward, run op by op when the gradient reaching the run is not
    C-ordered (a permute's), with NaN, infinities and signed zeros in the values."""
    x0, w0 = _rand(23, 4, 6, 10, dtype=dtype), np.abs(_rand(24, 4, 6, 10, dtype=dtype))
    x0.reshape(-1)[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30]

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)

        def step(x):
            w.grad = None
            y = (-(x - w) * w + 2.0).relu().sqrt() / (w + 0.5) + (1.5 - w).reciprocal()
            loss = y.permute(2, 0, 1).exp().sum(dim=0).sum()
            loss.backward()
            return loss, y

        return step, [w], (ag.tensor(x0),)

    _assert_replay_matches_eager(make)


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_a_node_in_two_backward_passes_is_kept_for_the_second(kernels, monkeypatch):
    """Add, sub and neg save nothing, so eager (as PyTorch) runs their nodes again in a second
    pass through another loss; the replay dropped each node after its first pass (the second
    then failed op by op: with the numpy backend, or when its gradient is not C-ordered)."""
    if kernels == "numpy":
        monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    x0, w0, c0 = _rand(25, 30, 40), _rand(26, 30, 40), _rand(27, 30, 40)

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        c = ag.tensor(c0.copy(), requires_grad=True)

        def step(x):
            w.grad = c.grad = None
            a = -((w + c) - 1.0)
            (a * x).sum().backward()
            (a.T * 3.0).exp().sum().backward()  # through a's nodes again
            a.sum().backward()  # and a third time, from a seed on a itself
            return a

        return step, [w, c], (ag.tensor(x0),)

    _assert_replay_matches_eager(make, kernels=2 if kernels == "numba" else 0)


def test_input_shapes_changing_between_calls_retrace_with_their_own_kernels():
    w0, b0 = _rand(28, 5, 4), _rand(29, 4)
    shapes = [(5, 4)] * 3 + [(1, 4)] * 3 + [(5, 4)] + [(4,)] * 3
    xs = [_rand(30 + k, *s) for k, s in enumerate(shapes)]

    def make():
        w = ag.tensor(w0.copy(), requires_grad=True)
        b = ag.tensor(b0.copy(), requires_grad=True)

        def step(x):
            w.grad = b.grad = None
            y = ((x * w + b) * x - w) / (b + 4.0)  # x broadcast against w, or not
            loss = y.sum()
            loss.backward()
            return loss, y

        return step, (w, b)

    step, params = make()
    eager_step, eager_params = make()
    compiled = ag.compile(step, strict=True)
    for k, x in enumerate(xs):
        got, want = compiled(ag.tensor(x)), eager_step(ag.tensor(x))
        for g, w in zip(got, want):
            _assert_same_bits(g.detach().numpy(), w.detach().numpy(), f"call {k}")
        for p, q in zip(params, eager_params):
            _assert_same_bits(p.grad._data, q.grad._data, f"call {k} grad")
    assert compiled.traces == 3
    sources = [prog.source for prog, _ in compiled._cache.values()]
    assert all(sum(line.strip().startswith("K") for line in s.splitlines()) == 2
               for s in sources)
