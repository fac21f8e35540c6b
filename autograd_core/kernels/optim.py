"""Fused optimizer update kernels: one loop, two Numba builds, a numpy twin, checked arguments.

An update rule is written once, as a Python function whose body is an elementwise loop
``for i in prange(param.shape[0]):``, and declared with :func:`kernel`::

    @kernel("exp_avg", "exp_avg_sq")                 # the state arrays, in argument order
    def adam(param, grad, exp_avg, exp_avg_sq, beta2, eps, ...):   # then the scalars
        for i in prange(param.shape[0]):
            ...

    @adam.numpy                                      # the whole-array numpy twin, same signature
    def adam_numpy(param, grad, exp_avg, exp_avg_sq, beta2, eps, ...):
        ...

From the one loop come three Numba builds, each compiled lazily with ``cache=True``: a serial one
(``prange`` bound to ``range``) and a parallel one (``prange`` bound to ``numba.prange``), used
from :data:`PARALLEL_MIN_SIZE` elements on. Numba's on-disk cache ignores compile options and keys
on the function's qualified name, so the two builds are two *copies* of the function
(``<name>_serial`` and ``<name>_parallel``), each with its own cache entry. The third, the
*multi-tensor* build (``<name>_multi_<hash of the loop's code>_<width>x<used>``, generated for
each number of parameters up to :data:`MULTI_WIDTH`), runs the serial build over that many
parameters in one call (``FusedKernel.call_many``): on small parameters the cost of a call
(unboxing ~19 arguments) is most of the step, so one call per group and dtype instead of one per
parameter is the optimizers' steady-state path. Its cache entries live with this module; the hash
in its name gives it new ones whenever the loop it calls changes.

Calling conventions (shared by every kernel and its twin):

* arrays first: ``param``, ``grad``, then the state arrays, all 1-D, C-contiguous and of the
  parameter's dtype (float32 or float64), all of the parameter's length, except that an
  *optional* state array (``optional={"max_exp_avg_sq": "amsgrad"}``: used only when that
  scalar argument is true) may be empty when its flag is false;
* then the scalars (``FusedKernel.Coefficients``, a named tuple built from the signature); every
  floating scalar is already cast to the parameter's dtype, so float32 is updated in float32
  arithmetic (a float64 scalar would silently promote it), flags are bools or small ints;
* lerp follows ATen: ``a + w*(b-a)`` if ``|w| < 0.5`` else ``b - (b-a)*(1-w)`` (see
  :func:`lerp_weight`).

Every call checks the arrays' shapes and dtypes first and raises ``ValueError`` naming the
kernel and the array, so a mismatch can never become an out-of-bounds write. Importing this
module does not import numba; ``TAPEGRAD_KERNELS=numpy`` selects the twins.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import threading
import types
import warnings
from collections import namedtuple

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels._jit import fma  # for the loops: ``a*b + c`` rounded once

__all__ = ["kernel", "FusedKernel", "PARALLEL_MIN_SIZE", "MULTI_WIDTH", "MULTI_MIN", "prange",
           "lerp_weight", "fma", "numpy_fma",
           "wd_mode", "eps_split", "numpy_grad", "numpy_lerp_"]

#: Arrays at least this long use the parallel build: below it thread dispatch costs more than
#: a second core gains (the crossover ``tapegrad-bench optim`` measures; README, Performance).
PARALLEL_MIN_SIZE = 1 << 18

#: Most parameters per call of the multi-tensor build (longer runs are split): a build is
#: generated and compiled for each number of parameters in use (flat positional arguments, no
#: padding). 8 covers the usual small model's group in one call.
MULTI_WIDTH = 8

#: Fewest parameters worth a multi-tensor call (a build of its own for each width): shorter runs
#: are called one by one.
MULTI_MIN = 4

#: What kernel loops iterate with. ``range`` here (so the source reads and lints as Python); each
#: build binds its own: ``range`` for the serial build, ``numba.prange`` for the parallel one.
prange = range

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_BUILD_LOCK = threading.Lock()
_NONE = (0,)
_EMPTY: dict = {}
_ZEROS: dict = {}


def empty(dtype) -> np.ndarray:
    """A shared 0-length array standing in for an unused optional state array."""
    a = _EMPTY.get(dtype)
    if a is None:
        a = _EMPTY[dtype] = np.empty(0, dtype)
    return a


def lerp_weight(t, w):
    """ATen's lerp with a scalar weight: ``(w, 1 - w, |w| < 0.5)`` in the scalar type ``t``."""
    tw = t(w)
    return tw, t(1) - tw, bool(abs(tw) < 0.5)


def wd_mode(weight_decay: float, decoupled: bool) -> int:
    """0: no weight decay, 1: L2 added to the gradient, 2: decoupled (param *= 1 - lr*wd)."""
    if weight_decay == 0:
        return 0
    return 2 if decoupled else 1


def eps_split(t, eps: float, inside: bool, scale: float = 1.0):
    """``(eps_in, eps_out)`` for a denominator ``sqrt(v + eps_in) + eps_out``: ``(0, eps)``
    (PyTorch's ``sqrt(v) + eps``, bit for bit: adding 0 is exact) or ``(eps * scale, 0)``
    (the lectures' ``sqrt(v + eps)``; ``scale`` moves eps through a factor taken out of the
    root, as Adam's ``sqrt(v / bc2 + eps) = sqrt(v + eps*bc2) / sqrt(bc2)``)."""
    zero = _ZEROS.get(t)
    if zero is None:
        zero = _ZEROS[t] = t(0)  # a step's coefficients are made at every step: ~0.15 us saved
    return (t(eps * scale), zero) if inside else (zero, t(eps))


def scalar_dtype() -> type:
    """PyTorch's ``_get_scalar_dtype()``, the dtype of an optimizer's 0-d scalar state (ASGD's
    ``eta``, NAdam's ``mu_product``): float64 if the default dtype is float64, else float32."""
    try:
        import autograd_core

        if np.dtype(autograd_core.get_default_dtype()) == np.float64:
            return np.float64
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - kernels alone
        pass
    return np.float32


# Helpers for numpy twins (whole-array forms of the steps most loops begin with).


def numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode, fused=False):
    """The gradient after ``maximize`` and weight decay (``param *= decay`` in place if
    decoupled), as the loops compute it element by element (``fused``: ``g + wd * p`` rounded
    once, PyTorch's ``grad.add(param, alpha=wd)`` on CPU)."""
    g = -grad if maximize else grad
    if wd_mode == 2:
        param *= decay
    elif wd_mode == 1:
        g = numpy_fma(weight_decay, param, g) if fused else g + weight_decay * param
    return g


def numpy_fma(a, b, c):
    """``a * b + c`` rounded once, as the loops' ``fma`` (PyTorch's ``c.add_(b, alpha=a)``):
    float32 through float64 (the product is exact there), float64 by Dekker's product.
    ``a`` a number or an array of ``b``'s dtype; the three broadcast."""
    b = np.asarray(b)
    if b.dtype == np.float32:
        return (np.asarray(a, np.float64) * b.astype(np.float64)
                + np.asarray(c, np.float64)).astype(np.float32)
    if b.dtype == np.float64:
        from autograd_core.creation import _fma  # (not at import: kernels load before creation)
        a, b = np.broadcast_arrays(np.asarray(a, np.float64), b)
        return _fma(a, b, np.asarray(c, np.float64))
    return a * b + c


def numpy_lerp_(a, b, w, wc, w_small, fused=False):
    """``a <- lerp(a, b, w)`` in place, ATen's two-branch formula (``fused``: each branch one
    fused multiply-add, as ATen's CPU ``lerp_``)."""
    if fused:
        a[...] = numpy_fma(w, b - a, a) if w_small else numpy_fma(-wc, b - a, b)
    elif w_small:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * wc


class FusedKernel:
    """An update rule: the loop (``py_func``), its numpy twin and its two Numba builds.

    ``kern(param, grad, *state, *coefficients)`` checks the arrays, then runs the twin
    (``TAPEGRAD_KERNELS=numpy``) or the serial or parallel build, by the parameter's length.
    ``arrays`` names the array arguments, ``Coefficients`` is the named tuple of the scalars.
    """

    def __init__(self, fn, state, optional):
        names = list(inspect.signature(fn).parameters)
        arrays = ("param", "grad", *state)
        if tuple(names[: len(arrays)]) != arrays:
            raise TypeError(f"kernel {fn.__name__}: arguments must start with {arrays}, "
                            f"got {tuple(names)}")
        scalars = names[len(arrays):]
        for array, flag in optional.items():
            if array not in state or flag not in scalars:
                raise TypeError(f"kernel {fn.__name__}: optional {array!r}: {flag!r} must be "
                                "one of its scalar arguments and the array a state argument")
        self.name = fn.__name__
        self.py_func = fn
        self.__doc__ = fn.__doc__
        self.arrays = arrays
        self.state = tuple(state)
        self.optional = dict(optional)
        self.Coefficients = namedtuple(f"{fn.__name__}_coefficients", scalars)
        self._optional_index = tuple((arrays.index(a), len(arrays) + scalars.index(f))
                                     for a, f in optional.items())
        self._n_args = len(arrays) + len(scalars)
        #: ``check(args)``: raise ``ValueError`` (``TypeError`` for a wrong argument count)
        #: unless ``args`` may be passed to this kernel: every array 1-D, C-contiguous or not,
        #: of the parameter's length and float dtype (optional ones empty when unused).
        self.check = self._make_fast_check()
        self.twin = None
        self._builds = None
        self._multi: dict = {}  # (width, used): the multi-tensor build

    def numpy(self, fn):
        """Decorator: register ``fn`` (same signature) as the whole-array numpy twin."""
        if list(inspect.signature(fn).parameters) != list(
                inspect.signature(self.py_func).parameters):
            raise TypeError(f"the numpy twin {fn.__name__} must have the signature of "
                            f"kernel {self.name}")
        self.twin = fn
        return fn

    # -- builds -----------------------------------------------------------------------------

    def build_function(self, parallel: bool):
        """The copy of the loop that the serial or parallel build compiles, named
        ``<name>_serial`` / ``<name>_parallel`` (its own Numba cache entry)."""
        fn = self.py_func
        name = f"{fn.__name__}_{'parallel' if parallel else 'serial'}"
        loop = _jit.numba_module().prange if parallel else range
        copy = types.FunctionType(fn.__code__, dict(fn.__globals__, prange=loop), name,
                                  fn.__defaults__, fn.__closure__)
        copy.__qualname__ = fn.__qualname__.rsplit(".", 1)[0] + "." + name \
            if "." in fn.__qualname__ else name
        copy.__module__ = fn.__module__
        copy.__doc__ = fn.__doc__
        return copy

    def builds(self):
        """``(serial, parallel)`` Numba dispatchers, compiled or loaded from cache on first use."""
        with _BUILD_LOCK:  # two threads' first steps must not compile twice
            if self._builds is None:
                self._builds = (_compile(self.build_function(False), False),
                                _compile(self.build_function(True), True))
        return self._builds

    def multi_build_function(self, width: int, used: int):
        """The multi-tensor build's function for ``width`` parameters passing their first
        ``used`` state arrays (see :meth:`multi_implementation`): generated straight-line code,
        one call of this kernel's serial build per parameter, named
        ``<name>_multi_<hash>_<width>x<used>`` (the hash of the loop's code: Numba's cache does
        not notice a change in a called function, so a changed loop must get a new entry). Its
        code claims this module's file so that Numba's cache can hold it."""
        digest = hashlib.sha1(_code_bytes(self.py_func.__code__)).hexdigest()[:12]
        name = f"{self.name}_multi_{digest}_{width}x{used}"
        n_tail = len(self.state) - used
        n_co = len(self.Coefficients._fields)
        rest = [f"t{k}" for k in range(n_tail)] + [f"c{k}" for k in range(n_co)]
        state = [[f"s{j}_{k}" for k in range(used)] for j in range(width)]
        fixed = [a for j in range(width) for a in (f"p{j}", *state[j])]
        calls = [f"    _serial(p{j}, g{j}, {', '.join([*state[j], *rest])})" for j in range(width)]
        src = (f"def {name}({', '.join([*(f'g{j}' for j in range(width)), *fixed, *rest])}):\n"
               + "\n".join(calls) + "\n")
        namespace = {"_serial": self.builds()[0]}
        exec(compile(src, __file__, "exec"), namespace)
        fn = namespace.pop(name)  # no cycle through its own globals
        fn.__module__ = __name__
        return fn

    def multi_implementation(self, width: int, used: int | None = None):
        """The multi-tensor call for ``width`` parameters of one dtype, on the active backend:
        ``run(*grads, *fixed, *tail, *coefficients)`` with ``grads`` the ``width`` gradients
        (the arrays that change at every step, first), ``fixed`` each parameter's ``(param,
        *state[:used])`` in turn (packed once by the optimizer's plan), ``tail`` the last
        ``len(state) - used`` state arrays (unused optional ones, empty, shared by every
        parameter: each array argument costs ~0.1 us to pass), all already checked (see
        :meth:`call_many`). Flat positional arguments: Numba types a tuple argument through a
        slower path than an array or a scalar. The Numba build (compiled for each width, on
        first use, ``cache=True``), or the twin in a loop."""
        used = len(self.state) if used is None else used
        if _jit.use_numba():
            multi = self._multi.get((width, used))
            if multi is None:
                loop = self.multi_build_function(width, used)  # builds() takes the lock itself
                with _BUILD_LOCK:
                    multi = self._multi.get((width, used))
                    if multi is None:
                        multi = self._multi[width, used] = _compile(loop, False)
            return multi
        if self.twin is None:
            raise NotImplementedError(f"kernel {self.name} has no numpy twin")
        return functools.partial(_twin_loop, self.twin, width, used)

    def implementations(self):
        """``(serial, parallel)`` for the active backend (``TAPEGRAD_KERNELS``; the twin twice
        under ``numpy``). Raises ``ValueError`` for an unknown backend name."""
        if _jit.use_numba():
            return self._builds or self.builds()
        if self.twin is None:
            raise NotImplementedError(f"kernel {self.name} has no numpy twin")
        return self.twin, self.twin

    # -- calls ------------------------------------------------------------------------------

    def _make_fast_check(self):
        """A straight-line check for this kernel's arguments (a loop over the arrays cost
        ~0.8 us per call, as much as the kernel call itself on small tensors). It only
        accepts; anything unusual goes to ``_explain``, which raises or accepts exactly."""
        n = len(self.arrays)
        flags = dict(self._optional_index)
        conds = []
        for i in range(1, n):
            shape = f"a{i}.shape == s" if i not in flags else \
                f"(a{i}.shape == s or (a{i}.shape == NONE and not args[{flags[i]}]))"
            conds.append(f"{shape} and a{i}.dtype is d")
        names = ", ".join(f"a{i}" for i in range(n))
        src = (f"def fast_check(args):\n"
               f"    try:\n"
               f"        {names}, = args[:{n}]\n"
               f"        s = a0.shape\n"
               f"        d = a0.dtype\n"
               f"        if (len(args) == {self._n_args} and type(a0) is ndarray and len(s) == 1\n"
               f"                and (d is F32 or d is F64)\n"
               f"                and {' and '.join(conds)}):\n"
               f"            return\n"
               f"    except (AttributeError, TypeError, ValueError):\n"
               f"        pass\n"
               f"    explain(args)\n")
        namespace = {"ndarray": np.ndarray, "F32": _FLOATS[0], "F64": _FLOATS[1],
                     "NONE": _NONE, "explain": self._explain}
        exec(compile(src, f"<check of kernel {self.name}>", "exec"), namespace)
        return namespace["fast_check"]

    def _explain(self, args):
        n_arrays = len(self.arrays)
        if len(args) != self._n_args:
            raise TypeError(f"kernel {self.name} takes {n_arrays} arrays and "
                            f"{self._n_args - n_arrays} scalars, got {len(args)} arguments")
        param = args[0]
        if not (isinstance(param, np.ndarray) and param.ndim == 1 and param.dtype in _FLOATS):
            raise ValueError(f"kernel {self.name}: param must be a 1-D float32 or float64 "
                             f"array, got {_describe(param)}")
        flags = dict(self._optional_index)
        for i in range(1, n_arrays):
            a = args[i]
            if not isinstance(a, np.ndarray) or a.dtype != param.dtype or (
                    a.shape != param.shape and (i not in flags or args[flags[i]]
                                                or a.shape != _NONE)):
                raise ValueError(f"kernel {self.name}: {self.arrays[i]} is {_describe(a)}, but "
                                 f"param is {_describe(param)}; every array must have the "
                                 "parameter's shape and dtype")

    def __call__(self, *args):
        """Check the arguments, then run the update in place (see the class docstring)."""
        self.check(args)
        serial, parallel = self.implementations()
        (parallel if args[0].shape[0] >= PARALLEL_MIN_SIZE else serial)(*args)

    def call_many(self, arrays, coefficients):
        """Update several parameters with the same coefficients: ``arrays`` a sequence of
        ``(param, grad, *state)`` tuples (one per parameter, arrays as for a single call, all of
        one dtype), checked first, then run in order as :func:`multi_runs` splits them.

        Example::

            >>> import numpy as np
            >>> from optimizers.sgd import sgd
            >>> ps = [np.ones(n) for n in (1, 2, 3, 4)]
            >>> co = sgd.Coefficients(lr=0.5, velocity_lr=1.0, weight_decay=0.0, momentum=0.0,
            ...                       one_minus_dampening=1.0, use_momentum=False,
            ...                       first_step=False, nesterov=False, maximize=False)
            >>> sgd.call_many([(p, np.ones_like(p), np.empty(0)) for p in ps], co)
            >>> [p.tolist() for p in ps]
            [[0.5], [0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]
        """
        coefficients = tuple(coefficients)
        arrays = [tuple(a) for a in arrays]
        for a in arrays:
            self.check(a + coefficients)
        if len({a[0].dtype for a in arrays}) > 1:
            raise ValueError(f"kernel {self.name}: call_many needs arrays of one dtype, got "
                             f"{sorted({str(a[0].dtype) for a in arrays})}")
        if not arrays:
            return
        serial, parallel = self.implementations()
        for run in multi_runs([a[0].shape[0] >= PARALLEL_MIN_SIZE for a in arrays]):
            if isinstance(run, int):
                big = arrays[run][0].shape[0] >= PARALLEL_MIN_SIZE
                (parallel if big else serial)(*arrays[run], *coefficients)
            else:
                lo, hi = run
                self.multi_implementation(hi - lo)(
                    *(a[1] for a in arrays[lo:hi]),
                    *(x for a in arrays[lo:hi] for x in (a[0], *a[2:])), *coefficients)

    def __repr__(self):
        return f"<FusedKernel {self.name}{self.arrays}>"


def _code_bytes(code) -> bytes:
    """What a function's code computes, as bytes that are the same in every process (its
    bytecode, names and constants; ``marshal`` output varies with reference counts)."""
    parts = [code.co_code, repr((code.co_names, code.co_varnames)).encode()]
    for c in code.co_consts:
        parts.append(_code_bytes(c) if isinstance(c, types.CodeType) else repr(c).encode())
    return b"\0".join(parts)


def _twin_loop(twin, width, used, *args):
    """The numpy backend's multi-tensor call: the twin over each parameter (arguments as the
    multi-tensor build's)."""
    grads, n = args[:width], 1 + used
    fixed, rest = args[width:width + width * n], args[width + width * n:]
    for j, g in enumerate(grads):
        a = fixed[j * n:(j + 1) * n]
        twin(a[0], g, *a[1:], *rest)


def multi_runs(big):
    """How a list of parameters (one dtype) is run, in order: ``(lo, hi)`` for each run of
    :data:`MULTI_MIN` to :data:`MULTI_WIDTH` parameters that are not ``big`` (one call of the
    multi-tensor build), the index of every other parameter (a call of its own: the parallel
    build if it is big, else the serial one).

    Example::

        >>> multi_runs([False] * 5 + [True, False])
        [(0, 5), 5, 6]
    """
    out: list = []
    lo = None
    for i, b in enumerate([*big, True]):
        if lo is not None and (b or i - lo == MULTI_WIDTH):
            out.extend([(lo, i)] if i - lo >= MULTI_MIN else range(lo, i))
            lo = None
        if b:
            out.append(i)
        elif lo is None:
            lo = i
    return out[:-1]


def kernel(*state, optional=None):
    """Decorator declaring an update rule; see the module docstring.

    ``state``: the names of the state-array arguments after ``param`` and ``grad``;
    ``optional``: ``{state array: scalar flag}`` for arrays used only when the flag is true.
    """

    def decorate(fn):
        return FusedKernel(fn, state, optional or {})

    return decorate


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return f"an array of shape {a.shape} and dtype {a.dtype}"
    return f"a {type(a).__name__}"


def _compile(fn, parallel):
    numba = _jit.numba_module()
    _jit.bind()  # the loops may call _jit's Numba-only declarations (``fma``)
    if parallel:
        _jit.start_threads()
    opts = dict(_jit.BASE_OPTIONS, parallel=parallel)
    try:
        return numba.njit(cache=True, **opts)(fn)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available"
        warnings.warn(f"tapegrad: no writable Numba cache for {fn.__name__} ({exc}); compiling "
                      "without a cache (set NUMBA_CACHE_DIR to a writable folder)",
                      RuntimeWarning, stacklevel=3)
        return numba.njit(cache=False, **opts)(fn)
