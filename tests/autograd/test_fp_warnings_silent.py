"""numpy's floating-point warnings never reach the user from an op: PyTorch gives inf * 0,
0 / 0, log(0), an overflowing matmul or cast as NaN and inf silently. Every op-table sample runs
on special values forward, backward and double backward with RuntimeWarnings as errors; the
0 / 0 cases of nn.functional's losses and reductions too; and the user's own numpy error state
is as it was outside the ops (autograd_core/_quiet.py)."""

import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.ops.registry import OPS

INF, NAN = math.inf, math.nan


def _special(dtype):
    huge, tiny = (1e300, 1e-320) if dtype == np.float64 else (3.4e38, 1e-45)
    return np.array([0.0, -0.0, INF, -INF, NAN, huge, -huge, tiny, 1.0, -1.0, 0.5, 2.0],
                    dtype)


def _inputs(sample, dtype):
    values = _special(dtype)
    if sample.shapes:
        shapes = sample.shapes
    else:  # the values along the last dimension, at least min_ndim dimensions
        shapes = [(2,) * (max(sample.min_ndim, 1) - 1) + (values.size,)] * sample.n_inputs
    out = []
    for k, shape in enumerate(shapes):
        v = np.roll(np.resize(values, int(np.prod(shape))), 3 * k)  # inf * 0, inf - inf, ...
        out.append(ag.tensor(v.reshape(shape), requires_grad=True))
    return out


def _numpy_warnings(sample, dtype, twice):
    """The RuntimeWarnings the sample's forward and gradients raise on special values (as
    errors: the first stops the run), as text; an op that refuses these values (an error of
    its own, tested elsewhere) stops there with none."""
    inputs = _inputs(sample, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = sample.fn(*inputs)
            outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
                    if isinstance(o, ag.Tensor) and o.requires_grad]
            if not outs:
                return []
            grads = ag.autograd.grad(outs, inputs, [ag.ones_like(o) for o in outs],
                                     allow_unused=True, create_graph=twice)
            grads = [g for g in grads if g is not None and g.requires_grad]
            if twice and grads:
                ag.autograd.grad([g.sum() for g in grads], inputs, allow_unused=True)
        except RuntimeWarning as w:
            return [str(w)]
        except Exception:  # noqa: BLE001 - the op's refusal of inf/NaN/huge inputs
            return []
    return []


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_forward_and_backward_are_silent(sample, dtype):
    assert _numpy_warnings(sample, dtype, twice=False) == []


@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_double_backward_is_silent(sample):
    assert _numpy_warnings(sample, np.float64, twice=True) == []


@pytest.mark.parametrize("how", ["accumulation", "broadcast"])
def test_engine_sums_are_silent(how):
    x = _t([1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        if how == "accumulation":  # x's gradient: inf + -inf
            (x * _t([INF]) + x * _t([-INF])).sum().backward()
        else:  # x's gradient: sum([inf, -inf]) over the broadcast dimension
            (x * _t([INF, -INF])).sum().backward()
    assert math.isnan(x.grad.item())


def _t(v, **kw):
    return ag.tensor(v, dtype=ag.float64, **kw)


# hand-worked: 0 / 0 means, log clamped at -100 in binary_cross_entropy (PyTorch's)
FUNCTIONAL = {
    "nll_loss, every target ignored": (
        lambda: F.nll_loss(_t([[0.0, -1.0]], requires_grad=True), ag.tensor([-100])), NAN),
    "cross_entropy, every target ignored": (
        lambda: F.cross_entropy(_t([[0.0, 1.0]], requires_grad=True), ag.tensor([-100])), NAN),
    "mse_loss, empty": (lambda: F.mse_loss(_t([], requires_grad=True), _t([])), NAN),
    "l1_loss, empty": (lambda: F.l1_loss(_t([], requires_grad=True), _t([])), NAN),
    "smooth_l1_loss, empty": (lambda: F.smooth_l1_loss(_t([], requires_grad=True), _t([])), NAN),
    "mean, empty": (lambda: _t([], requires_grad=True).mean(), NAN),
    "binary_cross_entropy at 0 and 1": (
        lambda: F.binary_cross_entropy(_t([0.0, 1.0, 0.0], requires_grad=True),
                                       _t([1.0, 0.0, 0.0])), 200.0 / 3.0),
    "softmax of inf": (lambda: F.softmax(_t([INF, 1.0], requires_grad=True), dim=0).sum(), NAN),
    "normalize of 0": (lambda: F.normalize(_t([[0.0, 0.0]], requires_grad=True)).sum(), 0.0),
    "matmul chain overflowing": (
        lambda: (_t([[1e300]], requires_grad=True) @ _t([[1e300]]) @ _t([[0.0]])).sum(), NAN),
    "float cast overflowing": (lambda: _t([1e300], requires_grad=True).float().sum(), INF),
    "half cast overflowing": (lambda: _t([1e10], requires_grad=True).half().sum(), INF),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_zero_by_zero_is_silent(name):
    fn, expected = FUNCTIONAL[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn()
        out.sum().backward()
    np.testing.assert_allclose(out.item(), expected, rtol=1e-15)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_values_equal_torch(name):
    torch = pytest.importorskip("torch")
    ours = FUNCTIONAL[name][0]().item()
    theirs = _torch_value(torch, name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)


def _torch_value(torch, name):
    tf = torch.nn.functional

    def t(v, **kw):
        return torch.tensor(v, dtype=torch.float64, **kw)

    return {
        "nll_loss, every target ignored": lambda: tf.nll_loss(t([[0.0, -1.0]]),
                                                             torch.tensor([-100])),
        "cross_entropy, every target ignored": lambda: tf.cross_entropy(t([[0.0, 1.0]]),
                                                                       torch.tensor([-100])),
        "mse_loss, empty": lambda: tf.mse_loss(t([]), t([])),
        "l1_loss, empty": lambda: tf.l1_loss(t([]), t([])),
        "smooth_l1_loss, empty": lambda: tf.smooth_l1_loss(t([]), t([])),
        "mean, empty": lambda: t([]).mean(),
        "binary_cross_entropy at 0 and 1": lambda: tf.binary_cross_entropy(
            t([0.0, 1.0, 0.0]), t([1.0, 0.0, 0.0])),
        "softmax of inf": lambda: tf.softmax(t([INF, 1.0]), dim=0).sum(),
        "normalize of 0": lambda: tf.normalize(t([[0.0, 0.0]])).sum(),
        "matmul chain overflowing": lambda: (t([[1e300]]) @ t([[1e300]]) @ t([[0.0]])).sum(),
        "float cast overflowing": lambda: t([1e300]).float().sum(),
        "half cast overflowing": lambda: t([1e10]).half().sum(),
    }[name]().item()


@pytest.mark.parametrize("correction", [1, 2])
def test_var_without_degrees_of_freedom_warns_torchs_user_warning(correction):
    x = _t([1.0, 3.0][:correction], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's own is not given
        with pytest.warns(UserWarning, match=r"^var\(\): degrees of freedom is <= 0"):
            v = x.var(correction=correction)
        with pytest.warns(UserWarning, match=r"^std\(\): degrees of freedom is <= 0"):
            s = x.std(correction=correction)
    # one element: 0 / 0; two with correction 2: 2 / 0
    expected = NAN if correction == 1 else INF
    np.testing.assert_equal([v.item(), s.item()], [expected, expected])


@pytest.mark.torch_parity
def test_polygamma_at_huge_negative_and_minus_inf_equals_torch():
    """The Hurwitz zeta summed its first terms up to q + k > 9: ~1e300 of them at q = -1e300
    (a pole, as every float below -2**52), which hung the double backward of digamma."""
    torch = pytest.importorskip("torch")
    values = [-1e300, -INF, -4.0, -2.5]
    for n in (2, 3):
        ours = ag.polygamma(n, _t(values)).numpy()
        theirs = torch.polygamma(n, torch.tensor(values, dtype=torch.float64)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_the_users_numpy_error_state_is_kept():
    before = np.geterr()
    x = _t([INF, 0.0], requires_grad=True)
    (x * _t([0.0, 0.0]) / 0.0).sum().backward()
    with pytest.raises(RuntimeError):  # an op that fails inside the quiet scope
        ag.matmul(_t([[1.0, 2.0]]), _t([[1.0, 2.0]]))
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="divide by zero"):  # the user's numpy still warns
        np.array([1.0]) / 0.0
    with np.errstate(divide="raise"):  # and raises where the user asked it to, outside ops
        with pytest.raises(FloatingPointError):
            np.array([1.0]) / 0.0
        assert np.isinf(ag.log(_t([0.0])).item())


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [None, "float32", "float16"])
def test_tensor_of_numbers_beyond_the_dtype_is_inf_silently_as_torch(dtype):
    torch = pytest.importorskip("torch")
    data = [1e300, -1e300, 1e-320, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ours = ag.tensor(data, dtype=None if dtype is None else getattr(ag, dtype))
    theirs = torch.tensor(data, dtype=None if dtype is None else getattr(torch, dtype))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


def test_var_std_warning_points_at_the_callers_line():
    x = _t([1.0])
    for call in (lambda: x.var(), lambda: ag.var(x), lambda: ag.std(x)):
        with pytest.warns(UserWarning, match="degrees of freedom") as record:
            call()
        assert record[0].filename == __file__


QUIET_SCRIPT = """
import warnings, numpy as np
with warnings.catch_warnings():  # as pytest's collection: the block drops filters added in it
    import autograd_core as ag
x = ag.tensor([0.0, 1.0], requires_grad=True)
ag.log(x).sum().backward()  # a backward pass puts the filter back
ag.tensor([np.inf]) * ag.tensor([0.0])  # inf * 0 (another line of tapegrad's): silent
np.log(np.zeros(1))  # the user's own numpy still warns
"""


def test_the_filter_comes_back_after_an_import_inside_catch_warnings():
    import subprocess
    import sys

    err = subprocess.run([sys.executable, "-c", QUIET_SCRIPT], capture_output=True, text=True,
                         check=True).stderr
    # the first log(0) (before any backward) warns once; after the pass, only the user's does
    assert err.count("RuntimeWarning") == 2, err
    assert "<string>:8: RuntimeWarning: divide by zero encountered in log" in err


# ---- a user with Python's default filters (not errors) ---------------------------------------
# Under "error" filters an op that warns runs again quietly (above); with the default filters
# nothing is raised and the project's filter must catch each warning by the line that raised
# it. numpy's reductions that run through its own Python wrappers (ndarray.sum/mean, np.var,
# np.prod, np.cumsum, np.sinc, np.linalg.det) raised theirs from numpy's files, so a sum of
# [inf, -inf] printed "invalid value encountered in reduce" where PyTorch is silent.

def _printed_warnings(fn):
    from autograd_core import _quiet

    with warnings.catch_warnings(record=True) as seen:
        warnings.resetwarnings()
        _quiet.install()  # the project's filter, as at import ...
        warnings.simplefilter("always", append=True)  # ... and then Python's default: shown
        try:
            fn()
        except Exception:  # noqa: BLE001 - an op's own refusal of these values
            pass
    return [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in seen
            if issubclass(w.category, RuntimeWarning)]


def _forward_backward(sample, dtype):
    def run():
        out = sample.fn(*_inputs(sample, dtype))
        outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
                if isinstance(o, ag.Tensor) and o.requires_grad]
        if outs:
            sum(o.sum() for o in outs).backward()
    return run


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_nothing_printed_with_the_default_filters(sample, dtype):
    assert _printed_warnings(_forward_backward(sample, dtype)) == []


def _lbfgs_diverging():
    import optimizers

    w = _t([1e200, -1e200], requires_grad=True)
    opt = optimizers.LBFGS([w])

    def closure():
        opt.zero_grad()
        loss = (w * _t([INF, 1e300])).sum()
        loss.backward()
        return loss
    opt.step(closure)


LAYERS = {
    "sum of inf and -inf": lambda: _t([INF, -INF], requires_grad=True).sum(),
    "mean": lambda: _t([INF, -INF], requires_grad=True).mean(),
    "var": lambda: _t([INF, -INF], requires_grad=True).var(),
    "prod overflowing": lambda: _t([1e300, 1e300], requires_grad=True).prod(0),
    "cumsum": lambda: _t([INF, -INF], requires_grad=True).cumsum(0),
    "layer_norm": lambda: F.layer_norm(_t([[INF, -INF]], requires_grad=True), (2,)),
    "group_norm": lambda: F.group_norm(_t([[[INF, -INF]]], requires_grad=True), 1),
    "nll_loss": lambda: F.nll_loss(_t([[INF, 0.0], [-INF, 0.0]], requires_grad=True),
                                   ag.tensor([0, 0])),
    "cross_entropy with label smoothing": lambda: F.cross_entropy(
        _t([[INF, -INF]], requires_grad=True), ag.tensor([0]), label_smoothing=0.1),
    "adaptive_avg_pool1d": lambda: F.adaptive_avg_pool1d(
        _t([[[INF, -INF, 1.0]]], requires_grad=True), 2),
    "det": lambda: ag.linalg.det(_t([[INF, INF], [INF, INF]], requires_grad=True)),
    "sinc": lambda: ag.sinc(_t([INF, 1e308], requires_grad=True)),
    "LBFGS's first step length": _lbfgs_diverging,
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_reductions_through_numpys_wrappers_print_nothing(name):
    def run():
        out = LAYERS[name]()
        if isinstance(out, ag.Tensor):
            out.sum().backward()
    assert _printed_warnings(run) == []
