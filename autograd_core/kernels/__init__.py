"""Elementwise activation kernels, the lowest layer of autograd_core (numpy + Numba only).

Each public function dispatches on ``_jit.backend()``, read at every call: the fused Numba
kernel (built by ``activations_numba.py`` from the loops in ``activations.py``, default) or its
pure-numpy twin (in ``activations.py`` too, ``TAPEGRAD_KERNELS=numpy``). Both take
float32/float64 arrays of any shape and layout and return a new array of the same shape and
dtype; inputs are never written. A backward kernel's two arrays
must have the same shape (no broadcasting: the engine sums broadcast gradients down to the
input's shape first); a mismatch raises ValueError naming the kernel and both shapes.

    sigmoid_forward(x)                        sigmoid_backward(y, g) = g * (1 - y) * y
    tanh_forward(x)                           tanh_backward(y, g)    = g * (1 - y*y)
    relu_forward(x)                           relu_backward(x, g)    = 0 where x <= 0 else g
    leaky_relu_forward(x, negative_slope)     leaky_relu_backward(x, g, negative_slope)
    gelu_forward(x, approximate)              gelu_backward(x, g, approximate)  # "none"|"tanh"
    softplus_forward(x, beta, threshold)      softplus_backward(x, g, beta, threshold)
                                              logsigmoid_backward(x, g)
                                              elu_backward(x, g, neg, pos, inner)

(``y`` is the forward output, ``g`` the incoming gradient; semantics are PyTorch's.)

Importing this package does not import numba: the first call that uses the Numba backend
compiles the kernel (or loads it from Numba's cache), importing numba then (see ``_jit``).

Every kernel also takes ``out=`` (write into a preallocated array of the result's shape and
dtype), the form a captured step replays.

The table is read off the twins, so a new kernel is its twin and its Numba loops, side by side
in ``activations.py`` (the twin listed in its ``__all__``, the loops in its ``LOOPS``), nothing
here: ``KERNELS`` maps every kernel name to ``(numba_impl, numpy_impl)``; ``ARGS`` describes its
arguments, taken from the twin's signature (arguments without a default are arrays: ``x`` an
input, ``g`` the incoming gradient, ``y`` the output of the matching ``*_forward`` kernel;
defaulted ones are parameters, with ``activations.CHOICES`` naming the values of non-numeric
ones); ``example_args`` builds valid arguments, for tests and the benchmark tool.
"""

from __future__ import annotations

import inspect
from typing import NamedTuple

import numpy as np

from . import _jit
from . import activations as _ref

_nb = None


def _numba():
    """The Numba kernels' module, imported on first use."""
    global _nb
    if _nb is None:
        from . import activations_numba

        _nb = activations_numba
    return _nb


class ArgSpec(NamedTuple):
    """How to call a kernel: array arguments, then scalar parameters (positional, in order).

    ``arrays``: names of the array arguments, in order: ``"x"`` an input, ``"g"`` an incoming
    gradient, ``"y"`` the output of ``output_of`` (a forward kernel) applied to an input.
    ``params``: the scalar parameters and their default values; ``choices``: allowed values of
    non-numeric parameters (variants worth benchmarking separately).
    """

    arrays: tuple
    params: dict
    output_of: str | None = None
    choices: dict | None = None


def _spec(name, ref):
    arrays, params = [], {}
    for p in inspect.signature(ref).parameters.values():
        if p.default is inspect.Parameter.empty:
            arrays.append(p.name)
        else:
            params[p.name] = p.default
    output_of = name.replace("_backward", "_forward") if "y" in arrays else None
    choices = {k: v for k, v in _ref.CHOICES.items() if k in params} or None
    return ArgSpec(tuple(arrays), params, output_of, choices)


def _dispatcher(name, ref):
    """``name`` as one function: the Numba kernel or, with TAPEGRAD_KERNELS=numpy, its twin
    (read at every call)."""
    if len(ARGS[name].arrays) in (1, 2) and not ARGS[name].params:
        return _dispatcher_fast(name, ref, len(ARGS[name].arrays))
    impl = []
    read_backend = _jit._read_backend

    def kernel(*args, out=None, **kwargs):
        if read_backend() is None or _jit.use_numba():  # unset: Numba, without a call more
            if not impl:
                impl.append(getattr(_numba(), name))
            if out is None:
                return impl[0](*args, **kwargs) if kwargs else impl[0](*args)
            return impl[0](*args, out=out, **kwargs)
        return _twin(name, args, kwargs, out)

    return _named(kernel, name, ref)


# The engine's usual call of a kernel without parameters (relu_forward(x), relu_backward(x, g)):
# small C-contiguous float32/float64 arrays of one shape and dtype, a new result, the Numba
# backend. One Python frame from the caller to Numba's dispatcher, where the general path takes
# three (this one, the public kernel of activations_numba, _jit's lazy wrapper): ~0.9 us less a
# call, a twentieth of the tiny MLP's captured step. Anything else takes the general path.
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_ndarray = np.ndarray
_empty = np.empty


def _bind_loop(name, fast):
    """``fast[:] = [public kernel, serial Numba dispatcher, THRESHOLDS]`` of ``name``."""
    nb = _numba()
    fast[:] = [getattr(nb, name), nb.LOOPS[name][0].dispatcher(), nb.THRESHOLDS]
    return fast


def _dispatcher_fast(name, ref, n_arrays):
    fast = []  # [public kernel, serial Numba dispatcher, THRESHOLDS], bound on first use
    env_get, key = _jit.backend_env_get, _jit.BACKEND_ENV_KEY
    one = n_arrays == 1

    def kernel(*args, out=None, **kwargs):
        if env_get(key) is None or _jit.use_numba():
            public, loop, thresholds = fast or _bind_loop(name, fast)
            if out is None and not kwargs and len(args) == n_arrays:
                x, g = args[0], args[-1]  # (g is x for a one-array kernel)
                if (type(x) is _ndarray and x.dtype in _FAST_DTYPES and x.flags.c_contiguous
                        and (one or (type(g) is _ndarray and g.dtype is x.dtype
                                     and g.shape == x.shape and g.flags.c_contiguous))):
                    n = x.size
                    if n < thresholds[name]:
                        out = _empty(x.shape, x.dtype)
                        if n:  # (ravel: a view of a C-contiguous array, cheaper than reshape)
                            if one:
                                loop(x.ravel(), out.ravel())
                            else:
                                loop(x.ravel(), g.ravel(), out.ravel())
                        return out
            return public(*args, out=out, **kwargs)
        return _twin(name, args, kwargs, out)

    return _named(kernel, name, ref)


def _twin(name, args, kwargs, out):
    """The numpy twin's result (``TAPEGRAD_KERNELS=numpy``), written into ``out`` if given."""
    twin = getattr(_ref, name)  # looked up per call: tests replace twins
    n = len(ARGS[name].arrays)
    if (len(args) >= n and np.result_type(*map(np.asarray, args[:n])) == np.float16  # opmath
            and name not in _ref.IN_FLOAT16):
        return _ref.in_float32(lambda *a: twin(*a, **kwargs), args[:n], args[n:], name, out)
    result = twin(*args, **kwargs)
    if out is None:
        return result
    if out.shape != result.shape or out.dtype != result.dtype:
        raise ValueError(f"{name}: out must be a {result.dtype} array of shape "
                         f"{result.shape}, got {out.dtype} {out.shape}")
    np.copyto(out, result)
    return out


def _named(kernel, name, ref):
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = ref.__doc__
    kernel.__signature__ = inspect.signature(ref)  # type: ignore[attr-defined]
    return kernel


def _lazy_numba(name):
    def call(*args, **kwargs):
        return getattr(_numba(), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Numba kernel {name} (imports numba on first call)."
    return call


_NAMES = [n for n in _ref.__all__ if n.endswith(("_forward", "_backward"))]

#: name -> how to call it
ARGS = {name: _spec(name, getattr(_ref, name)) for name in _NAMES}
#: name -> (numba implementation, numpy twin); same signature, same results up to rounding
KERNELS = {name: (_lazy_numba(name), getattr(_ref, name)) for name in _NAMES}

globals().update({name: _dispatcher(name, getattr(_ref, name)) for name in _NAMES})

__all__ = [*_NAMES, "KERNELS", "ARGS", "ArgSpec", "example_args"]


def example_args(name, shape, dtype=np.float32, rng=None, **params):
    """Positional arguments for kernel ``name``: standard-normal arrays of ``shape``/``dtype``
    (``y`` computed by the twin of ``output_of``), then the parameters (defaults overridden by
    ``params``). ``KERNELS[name][0](*example_args(name, (1000,)))`` runs the Numba kernel."""
    spec = ARGS[name]
    rng = np.random.default_rng(0) if rng is None else rng
    args = []
    for role in spec.arrays:
        a = rng.standard_normal(shape).astype(dtype)
        if role == "y":
            a = getattr(_ref, spec.output_of)(a)
        args.append(np.asarray(a))
    unknown = set(params) - set(spec.params)
    if unknown:
        raise TypeError(f"{name} has no parameter(s) {sorted(unknown)}")
    args.extend(params.get(k, v) for k, v in spec.params.items())
    return tuple(args)
