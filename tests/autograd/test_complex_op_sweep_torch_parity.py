"""Every op in the op table with complex128 inputs: it refuses (forward, or backward with
NotImplementedError), or its value and its vector-Jacobian product for a random complex
cotangent are right. Right means: equal to central differences of the real loss
``Re(sum(conj(v) * f(z)))`` (PyTorch's convention, independent of any rule here), and where
the table's sample translates to PyTorch (it runs there on float64), equal to PyTorch 2.13's
values and gradients, and never numbers where PyTorch refuses complex inputs. Samples that do
not translate name a PyTorch call that must accept complex inputs (MANUAL)."""

import types
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import DECLS

SAMPLES = [(d, s) for d in DECLS.values() for s in d.samples]
REFUSALS = (NotImplementedError, RuntimeError, TypeError, ValueError)


def _shapes(s):
    return list(s.shapes) if s.shapes else [(3,) * max(s.min_ndim, 2)] * s.n_inputs


def _arrays(s, seed):
    rng = np.random.default_rng(seed)
    arrs = [rng.standard_normal(sh) + 1j * rng.standard_normal(sh) for sh in _shapes(s)]
    return [a + 2 for a in arrs] if s.domain == "positive" else arrs


def _outputs(r):
    if hasattr(r, "requires_grad"):
        return [r]
    if isinstance(r, (tuple, list)):
        return [t for x in r for t in _outputs(x)]
    return []


def _loss(fn, arrs, vs):
    with ag.no_grad():
        outs = _outputs(fn(*[ag.tensor(a) for a in arrs]))
    return sum(np.real(np.sum(np.conj(v) * o._data)) for o, v in zip(outs, vs) if v is not None)


def _numeric_vjp(fn, arrs, vs, eps=1e-6):
    """dL/dRe + i dL/dIm of each input by central differences."""
    grads = []
    for i, a in enumerate(arrs):
        g = np.zeros(a.shape, complex)
        for j in range(a.size):
            for unit in (1, 1j):
                b = [x.copy() for x in arrs]
                b[i].reshape(-1)[j] += eps * unit
                plus = _loss(fn, b, vs)
                b[i].reshape(-1)[j] -= 2 * eps * unit
                g.reshape(-1)[j] += unit * (plus - _loss(fn, b, vs)) / (2 * eps)
        grads.append(g)
    return grads


def _torch_twin(torch, decl, sample):
    """The sample's function with the table's ops replaced by PyTorch's of the same name (its
    private helpers translated the same way)."""
    F = torch.nn.functional

    def torch_fn(name):
        for mod, key in ((torch, name), (F, name), (torch.linalg, name.removeprefix("linalg.")),
                         (torch.special, name.removeprefix("special_"))):
            if getattr(mod, key, None) is not None:
                return getattr(mod, key)
        return None

    def translate(fn, depth=0):
        glob = dict(fn.__globals__)
        for k in fn.__code__.co_names:
            v = fn.__globals__.get(k)
            if v is ag:
                glob[k] = torch
            elif callable(v) and getattr(v, "__module__", "").startswith("autograd_core"):
                helper = k.startswith("_") and isinstance(v, types.FunctionType) and depth < 2
                glob[k] = translate(v, depth + 1) if helper else torch_fn(k)
        return types.FunctionType(fn.__code__, glob, fn.__name__, fn.__defaults__,
                                  fn.__closure__)

    return torch_fn(decl.name) if sample.fn is decl.fn else translate(sample.fn)


def _runs(fn, args):
    try:
        fn(*args)
        return True
    except Exception:  # noqa: BLE001 - any failure: the twin is not a translation
        return False


# samples whose functions do not translate mechanically: a PyTorch call of the same op on
# complex inputs, which must run (the gradient itself is held to finite differences)
MANUAL = {
    # its sample silences the deprecation warning (a wrapper the translation does not enter)
    "chain_matmul": lambda t, z: t.chain_matmul(z.reshape(1, -1), z.reshape(-1, 1)),
    "where": lambda t, z: t.where(z.real > 0, z, z * 2), "getitem": lambda t, z: z[z.real > 0],
    "cat": lambda t, z: t.cat([z, z]), "stack": lambda t, z: t.stack([z, z]),
    "split": lambda t, z: t.split(z, 1), "chunk": lambda t, z: t.chunk(z, 2),
    "unbind": lambda t, z: t.unbind(z), "cumsum": lambda t, z: t.cumsum(z, 0),
    "gather": lambda t, z: t.gather(z, 0, t.zeros_like(z, dtype=t.long)),
    "index_select": lambda t, z: t.index_select(z, 0, t.tensor([0])),
    "masked_fill": lambda t, z: z.masked_fill(z.real > 0, 1 + 1j),
    "index_put": lambda t, z: z.index_put((t.tensor([0]),), z[0]),
    "put": lambda t, z: z.put(t.tensor([-1]), z.reshape(-1)[:1]),
    "narrow": lambda t, z: z.narrow(0, 0, 1), "unflatten": lambda t, z: z.unflatten(0, (3, 1)),
    "tensor_split": lambda t, z: t.tensor_split(z, 2),
    "column_stack": lambda t, z: t.column_stack([z, z]),
    "take": lambda t, z: t.take(z, t.tensor([0, 1])),
    "take_along_dim": lambda t, z: t.take_along_dim(z, t.zeros_like(z, dtype=t.long), 0),
    "diff": lambda t, z: t.diff(z), "trace": lambda t, z: t.trace(z),
    "mv": lambda t, z: t.mv(z, z[0]), "addmv": lambda t, z: t.addmv(z[0], z, z[0]),
    "baddbmm": lambda t, z: t.baddbmm(z[None], z[None], z[None]),
    "repeat_interleave": lambda t, z: t.repeat_interleave(z, 2),
    "combinations": lambda t, z: t.combinations(z[0]), "block_diag": lambda t, z: t.block_diag(z, z),
    "pixel_shuffle": lambda t, z: t.nn.functional.pixel_shuffle(z.reshape(1, 4, 1, -1), 2),
    "pixel_unshuffle": lambda t, z: t.nn.functional.pixel_unshuffle(z.reshape(1, -1, 2, 2), 2),
    "select": lambda t, z: z.select(0, 1), "index_add": lambda t, z: z.index_add(0, t.tensor([0]), z[:1]),
    "index_copy": lambda t, z: z.index_copy(0, t.tensor([0]), z[:1]),
    "index_fill": lambda t, z: z.index_fill(0, t.tensor([0]), 2.0),
    "matrix_power": lambda t, z: t.linalg.matrix_power(z, 3),
    "cross": lambda t, z: t.linalg.cross(z, z * 1j), "trapezoid": lambda t, z: t.trapezoid(z, z),
    "scatter": lambda t, z: z.scatter(0, t.zeros_like(z, dtype=t.long)[:1], z[:1]),
    "scatter_add": lambda t, z: z.scatter_add(0, t.zeros_like(z, dtype=t.long), z),
}


#: PyTorch refuses complex inputs to these; ours compute the plain complex extension (numpy's
#: rounding of both parts, sign z/|z|, complex logs and exps) but refuse their gradients. Any
#: other op must refuse where PyTorch does: an ordering (max, relu, sort) or a float64 kernel
#: (erf, lgamma, zeta) gives silently wrong numbers for complex values
COMPLEX_EXTENSIONS = {"round", "sign", "nansum", "nanmean", "xlogy", "logit", "softmax",
                      "log_softmax", "special_entr", "special_xlog1py"}
#: PyTorch 2.13 computes these for complex inputs but fails their backward (bilinear's
#: _trilinear refuses; vander's in-place cumprod trips its version check; the view scatters
#: "do not support automatic differentiation for outputs with complex dtype")
TORCH_BACKWARD_FAILS = {"bilinear", "vander", "select_scatter", "slice_scatter",
                        "diagonal_scatter"}


@pytest.mark.torch_parity
@pytest.mark.parametrize("decl,sample", SAMPLES, ids=[f"{d.name}-{s.name}" for d, s in SAMPLES])
def test_complex_inputs_refused_or_right(decl, sample):
    torch = pytest.importorskip("torch")
    arrs = _arrays(sample, 0)
    xs = [ag.tensor(a.copy(), requires_grad=True) for a in arrs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outs = _outputs(sample.fn(*xs))
        except REFUSALS:
            return  # refused in forward
    twin = _torch_twin(torch, decl, sample)
    translated = twin is not None and _runs(twin, [torch.tensor(a.real.copy()) for a in arrs])
    torch_refuses = False
    if translated:
        try:
            with torch.no_grad():
                touts = _outputs(twin(*[torch.tensor(a.copy()) for a in arrs]))
        except REFUSALS:
            torch_refuses = True
            assert decl.name in COMPLEX_EXTENSIONS, (
                f"{decl.name}: values where PyTorch refuses complex inputs")
        else:  # the values, also where our backward refuses
            assert len(touts) == len(outs)
            for o, t in zip(outs, touts):
                assert isinstance(t, torch.Tensor)
                assert o.dtype.name == str(t.dtype).removeprefix("torch."), decl.name
                np.testing.assert_allclose(o.detach().numpy(), t.resolve_conj().numpy(),
                                           rtol=1e-10, atol=1e-12)
    rng = np.random.default_rng(1)
    vs = [rng.standard_normal(o.shape) + 1j * rng.standard_normal(o.shape)
          if o.requires_grad and o.dtype.is_complex else
          rng.standard_normal(o.shape) if o.requires_grad and o.dtype.is_floating_point else None
          for o in outs]
    used = [(o, v) for o, v in zip(outs, vs) if v is not None]
    assert used, "complex inputs that require grad give no differentiable output"
    try:
        grads = ag.autograd.grad([o for o, _ in used],
                                 xs, [ag.tensor(v.astype(o._data.dtype)) for o, v in used],
                                 allow_unused=True)
    except NotImplementedError:
        return  # refused in backward
    # numbers: PyTorch must accept the op, and they must be the right ones
    assert not torch_refuses, f"{decl.name}: gradients where PyTorch refuses complex inputs"
    expected = _numeric_vjp(sample.fn, arrs, vs)
    for k, (g, e) in enumerate(zip(grads, expected)):
        got = np.zeros_like(e) if g is None else g._data
        np.testing.assert_allclose(got, e, rtol=1e-5, atol=1e-6, err_msg=f"input {k}")
    if not translated:
        assert decl.name in MANUAL, f"{decl.name}: no PyTorch call checks complex support"
        MANUAL[decl.name](torch, torch.tensor(arrs[0]))  # PyTorch accepts complex too
        return
    if decl.name in TORCH_BACKWARD_FAILS:
        return  # PyTorch 2.13 has no complex backward here: ours held to finite differences
    ts = [torch.tensor(a.copy(), requires_grad=True) for a in arrs]
    touts = _outputs(twin(*ts))
    tused = [(t, v) for t, v in zip(touts, vs) if v is not None]
    tgrads = torch.autograd.grad([t for t, _ in tused], ts,
                                 [torch.tensor(v.astype(str(t.dtype)[6:])) for t, v in tused],
                                 allow_unused=True)
    for k, (g, tg) in enumerate(zip(grads, tgrads)):
        if tg is None:
            assert g is None or not g._data.any(), f"input {k}"
            continue
        np.testing.assert_allclose(g._data, tg.resolve_conj().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"input {k}")
