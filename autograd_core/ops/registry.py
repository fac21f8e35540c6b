"""The op table: every op is declared once, with ``@op``, beside its node class.

A declaration gives everything the rest of the system needs about an op:

* the functional form (``ag.<name>``), exported by ``autograd_core`` from this table;
* the Tensor method (``method=True``, or a method name), wired by ``autograd_core.methods``;
* how tests exercise it (``Sample``: arity, input domain, broadcasting, minimum rank, whether
  it is twice differentiable there), so gradcheck, gradgradcheck, the plain-vs-create_graph and
  the property tests iterate over the table and cover a new op without a test edit;
* the fused kernels it runs on (``kernels=``), for the kernel tests and the bench.

``@op`` decorates either a node class (the functional form is then ``cls.apply`` under the op's
name) or a function (the functional form itself, which builds its node through ``node=``).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograd_core._casts import type_name
from autograd_core.grad_mode import STATE
from autograd_core.tensor import Tensor

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_PACKAGES = tuple(os.path.join(_ROOT, name) + os.sep for name in ("autograd_core", "nn",
                                                                   "optimizers"))


def warn_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` pointing at the first frame outside tapegrad's packages: the user's
    line, however many of the project's frames (an op's wrappers) lie between."""
    frame: Any = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGES):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


@dataclass(frozen=True)
class Sample:
    """One way the generic tests call an op: ``fn`` takes ``n_inputs`` float64 Tensors.

    ``domain``: where inputs are drawn so finite differences stay away from kinks and poles:
    "real", "positive" (> 0.2), "away_from_zero" (|x| > 0.2), "away_from_clamp", "distinct" (no
    ties), "min2" (a last dimension of at least 2). ``broadcasts``: the inputs may have different
    broadcastable shapes. ``twice``: smooth enough for gradgradcheck where sampled.
    """

    name: str
    fn: Callable
    n_inputs: int = 1
    domain: str = "real"
    broadcasts: bool = False
    min_ndim: int = 0
    twice: bool = True
    aliases: tuple = field(default=())
    #: input shapes that fit together, for ops whose inputs cannot all share one shape
    shapes: tuple | None = None

    def draw(self, shape, rng, k=0):
        """Float64 values of ``shape`` for input ``k`` from this sample's ``domain`` (``rng``
        a numpy Generator): what the generic tests feed it. "distinct" keeps the second input
        0.11 away from the first."""
        n = 1
        for s in shape:
            n *= s
        domain = self.domain
        if domain == "positive":
            v = rng.uniform(0.2, 2.0, n)
        elif domain == "away_from_zero":
            v = rng.uniform(0.2, 1.5, n) * rng.choice([-1.0, 1.0], n)
        elif domain == "away_from_clamp":
            v = rng.choice([-1.0, 0.0, 1.0], n) + rng.uniform(-0.3, 0.3, n)
        elif domain == "distinct":  # spaced far apart relative to eps: no ties, no kink crossed
            v = rng.permutation(n) * 0.37 - n * 0.15 + 0.05 + (0.11 if k == 1 else 0.0)
        else:
            v = rng.standard_normal(n)
        return v.reshape(shape)


@dataclass(frozen=True)
class OpDecl:
    name: str
    fn: Callable                 # the functional form
    node: type | None            # its graph node class (None: composed of other ops)
    method: str | None           # Tensor method name, if PyTorch has one
    samples: tuple               # how the generic tests exercise it
    kernels: tuple = ()          # fused kernels (names in autograd_core.kernels.KERNELS)
    elementwise: bool = False    # broadcasts its tensor arguments (PyTorch's shape errors)
    aliases: tuple = ()          # further names of the functional form (and method)
    function: bool = True        # exported as ``autograd_core.<name>`` (False: a method only)


DECLS: dict[str, OpDecl] = {}


#: the user docstrings given with ``doc=`` (their examples run as doctests from here, as
#: ``autograd_core.ops.registry.__test__.<op>``: the generated functions live in no module)
__test__: dict[str, str] = {}


def op(name, *, node=None, method=False, function=True, samples=None, kernels=(), aliases=(),
       doc=None, reads_values=False, grad_fn=None, opmath=False, elementwise=None, **sample_kw):
    """Declare op ``name``; see the module docstring. Without ``samples``, one sample calls the
    functional form on ``n_inputs`` tensors, with the remaining keywords as its metadata.

    ``doc``: the user's docstring of the functional form and the method, when ``@op`` decorates
    a node class (whose own docstring is about the node). A decorated function's docstring is
    its own.

    ``reads_values``: the functional form reads its inputs' values in Python to build what it
    records (indices from a sort or a max, a mask from a condition), constants that a replay
    of a captured step would not recompute. Called while ``ag.compile`` traces, it makes the
    step run eagerly (with its warning, or the error under ``strict=True``), whatever the
    first calls' data: a baked index would be silently wrong on later data.

    ``grad_fn``: PyTorch's name of the node (``grad_fn.name()``), where it is not the node
    class's name followed by ``Backward0`` (``LogsumexpBackward0`` for ``LogSumExp``).

    ``opmath``: on float16 inputs the op's value is computed in float32 and rounded once to
    float16, as ATen's CPU kernel of the op computes it (its opmath type): the node's forward
    (``opmath_node``), or for a function without ``node=`` (composed of other ops) its value
    (``in_float32_composite``); ``opmath="grad"``: the node's plain backward too
    (``grad_in_float32``).

    ``elementwise``: the op broadcasts its tensor arguments together (PyTorch's TensorIterator
    ops): tensor arguments whose shapes do not broadcast raise PyTorch's RuntimeError, naming
    the op and the first pair of sizes that fails in argument order (also through the method,
    ``out=`` and in-place forms, which call the functional form). Default: whether every
    sample of the op ``broadcasts``."""

    def declare(obj):
        if name in DECLS:
            raise ValueError(f"op {name!r} is declared twice")
        broadcasts = elementwise
        if broadcasts is None:
            broadcasts = sample_kw.get("broadcasts", False) if samples is None else bool(
                samples) and all(s.broadcasts for s in samples)
        if isinstance(obj, type):
            node_cls, fn = obj, _frontend(obj, name, broadcasts)
            if doc is not None:
                fn.__doc__ = __test__[name] = inspect.cleandoc(doc)
        else:
            if doc is not None:
                raise TypeError(f"op {name!r}: a function op's docstring is its own, not doc=")
            node_cls, fn = node, obj
            if reads_values:
                fn = obj = _refused_by_capture(obj, name)
            if opmath and node_cls is None:
                fn = obj = in_float32_composite(obj)
            if broadcasts:
                fn = _broadcast_checked(fn, name)
        fn = _numpy_names(fn, name)
        if samples is None:
            n = sample_kw.pop("n_inputs", 1)
            own = (Sample(name, fn, n, **sample_kw),)
        else:
            if sample_kw:
                raise TypeError(f"op {name!r}: give metadata on its samples, not both")
            own = tuple(samples)
        meth = (name if method is True else method) or None
        if node_cls is not None and "_op_name" not in node_cls.__dict__:
            node_cls._op_name = name  # what a refusal names (Node.op_name)
        if grad_fn is not None:
            _name_node(node_cls, grad_fn)
        if opmath and node_cls is not None:
            opmath_node(node_cls, grad=opmath == "grad")
        DECLS[name] = OpDecl(name, fn, node_cls, meth, own, tuple(kernels), bool(broadcasts),
                             tuple(aliases), function)
        return obj

    return declare


_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)
_ndarray = np.ndarray


def in_float32(forward):
    """A node's ``forward`` that, given float16 arrays (and no floating array of another
    dtype), computes on float32 copies of them and rounds the result once to float16, as
    ATen's CPU kernels compute float16 (opmath). numpy computes float16 in float16, rounding
    every step: softmax, lerp and addcmul were an ulp off in a third to half of the elements.
    What forward saves is mapped back: an input's copy to the input (so backward sees the
    input, and an in-place change of it is still caught), the float32 result to the float16
    one, another float32 array to float16: backward runs on float16 arrays, as before.

    The wrapper has ``forward``'s own signature (generated), so that the float32/float64 path
    costs a call and an identity check per argument, not ``*args``/``**kwargs`` packing."""

    def half(self, *args, **kwargs):
        for a in (*args, *kwargs.values()):
            if type(a) is _ndarray and a.dtype.kind in "fc" and a.dtype != _F16:
                return forward(self, *args, **kwargs)
        copies = {}

        def up(a):
            if type(a) is _ndarray and a.dtype == _F16:
                if id(a) not in copies:
                    copies[id(a)] = (a.astype(_F32), a)
                return copies[id(a)][0]
            return a

        out = kwargs.pop("out", None)
        raw = forward(self, *map(up, args), **{k: up(v) for k, v in kwargs.items()})
        result = np.asarray(raw)
        rounded = result.astype(_F16) if result.dtype == _F32 else result
        if out is not None:
            np.copyto(out, rounded)
            rounded = out
        originals = {id(c): a for c, a in copies.values()}
        self._to_save = tuple(
            rounded if x is result or x is raw else originals[id(x)] if id(x) in originals
            else x.astype(_F16) if type(x) is _ndarray and x.dtype == _F32 else x
            for x in self._to_save)
        return rounded

    params = list(inspect.signature(forward).parameters.values())[1:]
    kinds = inspect.Parameter
    if any(p.kind not in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY) for p in params):
        def opmath(self, *args, **kwargs):
            for a in (*args, *kwargs.values()):
                if type(a) is _ndarray and a.dtype is _F16:
                    return half(self, *args, **kwargs)
            return forward(self, *args, **kwargs)
    else:
        pos = [p.name for p in params if p.kind is kinds.POSITIONAL_OR_KEYWORD]
        kw = [p.name for p in params if p.kind is kinds.KEYWORD_ONLY]
        names = pos + kw
        call = ", ".join(["self", *pos, *(f"{k}={k}" for k in kw)])
        half_call = ", ".join(["self", *(n if n != "out" else "out=out" for n in pos),
                               *(f"{k}={k}" for k in kw)])
        test = " or ".join(f"({n}.__class__ is _ndarray and {n}.dtype is _F16)" for n in names)
        source = (f"def opmath({', '.join(['self', *pos, *(['*', *kw] if kw else [])])}):\n"
                  f"    if {test or 'False'}:\n        return half({half_call})\n"
                  f"    return forward({call})\n")
        space = {"_ndarray": _ndarray, "_F16": _F16, "half": half, "forward": forward}
        exec(source, space)  # noqa: S102 - a signature, built from forward's parameter names
        opmath = space["opmath"]
        opmath.__defaults__ = forward.__defaults__
        opmath.__kwdefaults__ = forward.__kwdefaults__
    return functools.wraps(forward)(opmath)


def opmath_node(cls, grad=False):
    """Node class ``cls`` with its forward through ``in_float32`` (float16 computed in float32,
    rounded once), as ``@op(..., opmath=True)`` declares it; a class decorator for a node that
    is not the declared one (``lerp``'s). ``grad``: plain backward too (``grad_in_float32``),
    for an op whose PyTorch derivative is one kernel (``_softmax_backward_data``)."""
    if "_opmath" not in cls.__dict__:
        cls.forward = in_float32(cls.forward)
        cls._opmath = True
        if grad:
            grad_in_float32(cls)
    return cls


def grad_in_float32(cls):
    """``cls``'s plain backward, given a float16 gradient, run on it and on what forward saved
    as float32 (``saved`` gives float32 copies of float16 arrays while it runs), its float32
    gradients rounded once to float16: ATen's backward kernels compute float16 in float32.
    Under ``create_graph`` (Tensors) the rule runs as it is."""
    plain, saved = cls.plain_backward, inspect.getattr_static(cls, "saved").fget

    def saved_in_float32(self):  # (an attribute read in backward only)
        values = saved(self)
        if not self._widened:
            return values
        return tuple(a.astype(_F32) if type(a) is _ndarray and a.dtype == _F16 else a
                     for a in values)

    @functools.wraps(plain)
    def plain_backward(self, g):
        if type(g) is not _ndarray or g.dtype != _F16:
            return plain(self, g)
        self._widened = True
        try:
            grads = plain(self, g.astype(_F32))
        finally:
            self._widened = False
        return tuple(r.astype(_F16) if type(r) is _ndarray and r.dtype == _F32 else r
                     for r in grads)

    cls._widened = False
    cls.saved = property(saved_in_float32, doc=inspect.getattr_static(cls, "saved").__doc__)
    if cls.fused_backward is not None:  # (a subclass's plain backward is its fused one)
        cls.fused_backward = plain_backward
    cls.plain_backward = plain_backward


def in_float32_composite(fn=None, *, grad=False):
    """An op composed of other ops (``input + value * (tensor1 * tensor2)``) that, given
    float16 tensors (and no floating tensor of another dtype), gives the value of the same
    composition on float32 copies, rounded once to float16, as ATen's single kernel computes
    it; the gradient is the float16 composition's, as PyTorch's derivative formulas run in
    float16 steps (``grad * tensor2 * value``). ``grad=True``, for an op whose derivative is a
    kernel too (``hardswish_backward``): the composition runs on float32 copies, recorded, and
    its result is rounded (``.half()``), so the gradient is computed in float32 and rounded
    once too. Usable as a decorator, with or without arguments."""
    if fn is None:
        return functools.partial(in_float32_composite, grad=grad)

    @functools.wraps(fn)
    def opmath(*args, **kwargs):
        for a in (*args, *kwargs.values()) if kwargs else args:  # (float32/float64: one pass)
            if isinstance(a, Tensor) and a._data.dtype is _F16:
                break
        else:
            return fn(*args, **kwargs)
        for a in (*args, *kwargs.values()):
            if isinstance(a, Tensor) and a._data.dtype.kind in "fc" and a._data.dtype != _F16:
                return fn(*args, **kwargs)

        def up(a):
            return a.float() if isinstance(a, Tensor) and a._data.dtype == _F16 else a

        if grad:
            result = fn(*map(up, args), **{k: up(v) for k, v in kwargs.items()})
            return result.half() if isinstance(result, Tensor) and \
                result._data.dtype == _F32 else result
        result = fn(*args, **kwargs)
        if not isinstance(result, Tensor) or result._data.dtype != _F16:
            return result
        from autograd_core.ops._xp import with_value

        refuse_capture("a float16 op computed in float32")  # (see with_value)
        enabled, STATE.enabled = STATE.enabled, False
        try:
            exact = fn(*map(up, args), **{k: up(v) for k, v in kwargs.items()})
        finally:
            STATE.enabled = enabled
        return with_value(result, exact._data.astype(_F16))

    return opmath


def _name_node(cls, grad_fn):
    """Give node class ``cls`` PyTorch's node name ``grad_fn`` (its ``name()``)."""
    given = cls.__dict__.get("_grad_fn")
    if given is not None and given != grad_fn:
        raise ValueError(f"{cls.__name__} is named {given!r} by one op and {grad_fn!r} by "
                         "another: give one of them a subclass")
    cls._grad_fn = grad_fn  # Node.name() reads it


def refuse_capture(what):
    """Called where an op reads its inputs' values in Python (``reads_values`` ops, and the
    value-reading paths of others: ``max`` with a dim, ``clamp`` with tensor bounds, indexing
    with a boolean mask): while ``ag.compile`` traces, the step runs eagerly instead."""
    tracer = STATE.anomaly
    if tracer and tracer is not True:  # ag.compile is tracing this step
        tracer.fail(f"{what} reads its inputs' values in Python (indices, a mask, a check "
                    "of the values), which a replay would not redo")


def _refused_by_capture(fn, name):
    @functools.wraps(fn)
    def reads_values(*args, **kwargs):
        refuse_capture(f"{name}()")
        return fn(*args, **kwargs)

    return reads_values


def _broadcast_checked(fn, name):
    """``fn`` (an elementwise op) raising PyTorch's RuntimeError, naming the op and both sizes,
    where its tensor arguments' shapes do not broadcast: numpy's refusal, a ValueError from
    whichever call met it first, is replaced (nothing is recorded or written by then), and so
    is a kernel's refusal of the dtype (NotImplementedError: ATen's TensorIterator checks the
    shapes before its kernel sees the dtype). Free when the shapes broadcast: a frame, no
    check (a node class's frontend: not even that)."""
    refuse = _refuse_broadcast  # (held in the closure: the wrapper reads no module global)

    @functools.wraps(fn)
    def broadcasts(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, NotImplementedError) as e:
            if not getattr(e, "before_shapes", False):  # (as the node-class frontend's)
                refuse(name, args, kwargs)
            raise

    return broadcasts


def before_shapes(error: Exception) -> Exception:
    """``error`` marked as a refusal PyTorch makes before an elementwise op compares its
    operands' shapes (a check of the op's own, ahead of TensorIterator: ``clamp`` of complex
    numbers), which ``_broadcast_checked`` lets through."""
    error.before_shapes = True  # type: ignore[attr-defined]
    return error


#: the annotations of a parameter that must be a Tensor (``None`` allowed by the second)
_TENSOR_PARAMS = ("Tensor", "Tensor | None")


def not_a_tensor(name, fn, args, kwargs, labels=None):
    """Raise PyTorch's TypeError where an argument of ``fn`` (op ``name``) that must be a
    Tensor is not one: the parameters annotated ``Tensor``, or else a node's (or a method's)
    first input; ``labels`` maps a parameter to PyTorch's name of it, where they differ.
    Called only after the op failed with an AttributeError, so what runs is unchanged:
    ``ag.exp(2.0)``, ``ag.sum([1, 2])``, ``ag.max(array)`` raised "'float' object has no
    attribute 'dtype'" from inside the op. Returns where every such argument is a Tensor (the
    caller re-raises its error)."""
    error = _not_a_tensor(name, fn, args, kwargs, labels or {})
    if error is not None:
        raise error from None


def _not_a_tensor(name, fn, args, kwargs, labels):
    try:
        sig = inspect.signature(fn)
        bound = sig.bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    for p in params:  # sequences of tensors (cat's list, meshgrid's *tensors), as PyTorch's
        if p.annotation == "Sequence[Tensor]" or (p.kind is p.VAR_POSITIONAL and p.name in (
                "tensors", "matrices")):
            seq = bound.get(p.name, ())
            if name == "meshgrid" and len(seq) == 1 and isinstance(seq[0], (list, tuple)):
                seq = seq[0]  # (meshgrid([a, b]) as meshgrid(a, b))
            for i, value in enumerate(seq if isinstance(seq, (list, tuple)) else (seq,)):
                if not isinstance(value, Tensor):
                    return TypeError(f"expected Tensor as element {i} in argument 0, but got "
                                     f"{type_name(value)}")
    wanted = [p for p in params if p.annotation in _TENSOR_PARAMS and p.kind is not
              p.VAR_POSITIONAL]
    if not wanted and params and params[0].name in ("input", "x", "a", "a_in", "self"):
        wanted = params[:1]  # (a node's forward names its input as it likes; PyTorch: input)
    for p in wanted:
        value = bound.get(p.name, p.default)
        if isinstance(value, Tensor) or value is p.empty or (
                value is None and p.annotation == "Tensor | None"):
            continue
        label = labels.get(p.name, p.name) if p.annotation in _TENSOR_PARAMS else "input"
        return TypeError(f"{name}(): argument '{label}' (position {params.index(p) + 1}) must "
                         f"be Tensor, not {type_name(value)}")
    return None


def _refuse_broadcast(name, args, kwargs):
    """PyTorch's error where the tensors among an elementwise op's arguments do not broadcast
    (in argument order); nothing where they do."""
    from autograd_core.ops._args import BroadcastError, broadcast_in_order

    shapes = [a._data.shape for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
    try:
        if shapes:
            broadcast_in_order(name, shapes)
    except BroadcastError as e:
        raise e from None  # (not numpy's error as its context)


def _numpy_names(fn, name):
    """PyTorch's functions and methods take numpy's ``axis=`` for ``dim=`` and ``keepdims=``
    for ``keepdim=`` (d2l writes ``argmax(axis=1)``): ``fn`` with those spellings, if it has
    a ``dim`` and no ``axis`` of its own."""
    params = inspect.signature(fn).parameters
    if "dim" not in params or "axis" in params:
        return fn
    keepdim = "keepdim" in params

    @functools.wraps(fn)
    def numpy_names(*args, **kwargs):
        if "axis" in kwargs or (keepdim and "keepdims" in kwargs):
            if "axis" in kwargs:
                if "dim" in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument 'axis'")
                kwargs["dim"] = kwargs.pop("axis")
            if keepdim and "keepdims" in kwargs:
                if "keepdim" in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument 'keepdims'")
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return numpy_names


def _frontend(cls, name, elementwise=False):
    apply = cls.apply
    # Python names the forward by its qualified name: an inherited one by its base's
    wrong_keyword = f"{cls.forward.__qualname__}() got an unexpected keyword argument "
    # a forward's own out= is the array form a captured step replays into (forward_out), not
    # the user's: given here (x.exp(out=t), F.silu(x, out=t)) it wrote into t's buffer or
    # failed inside a kernel; the public out= is registry.functions()'s
    internal_out = "out" in inspect.signature(cls.forward).parameters
    refuse = _refuse_broadcast if elementwise else None  # (a closure cell, not a global read)
    wrong_type = not_a_tensor

    def fn(*args, **kwargs):
        if internal_out and "out" in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
        try:
            return apply(*args, **kwargs)
        except TypeError as e:  # a keyword the op lacks (e.g. out=): named as the user wrote it
            if str(e).startswith(wrong_keyword):
                raise TypeError(f"{name}() got an unexpected keyword argument "
                                f"{str(e)[len(wrong_keyword):]}") from None
            raise
        except (ValueError, NotImplementedError) as e:  # (elementwise: shapes that do not
            # broadcast, refused before a dtype the kernel lacks, as PyTorch's, unless the
            # error is marked before_shapes: the shared wrapper's rule; no global named here,
            # so the op-table parity test can read the frontend as PyTorch's call)
            if refuse is not None and not getattr(e, "before_shapes", False):
                refuse(name, args, kwargs)
            raise
        except AttributeError:  # a number or an array where the op takes a Tensor
            wrong_type(name, fn, args, kwargs)
            raise

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = cls.__doc__
    sig = inspect.signature(cls.forward)  # forward's arguments, less the node and out=
    fn.__signature__ = sig.replace(parameters=[
        p for p in list(sig.parameters.values())[1:] if p.name != "out"])
    return fn


def _cannot_cast(src: str, dst: str) -> bool:
    """PyTorch's rule for writing a result of numpy kind ``src`` into an ``out=`` of kind
    ``dst``: no complex into real, no float into an integer or bool, no integer into bool."""
    return ((src == "c" and dst != "c") or (src == "f" and dst in "iub")
            or (src in "iu" and dst == "b"))


#: ops whose ``out=`` PyTorch refuses when an input shares part of ``out``'s memory (its
#: elementwise ops: False), or any of it (True)
_OUT_OVERLAP = {
    **dict.fromkeys((
        "exp log sin cos tan tanh sigmoid abs neg sqrt rsqrt ceil floor round trunc frac erf "
        "erfc erfinv expm1 log1p log2 log10 exp2 lgamma digamma reciprocal sign sgn i0 sinc "
        "logit nan_to_num deg2rad rad2deg asin acos atan sinh cosh asinh acosh atanh square add "
        "sub mul div pow atan2 hypot copysign fmod remainder maximum minimum fmax fmin xlogy "
        "heaviside eq ne lt le gt ge logical_and logical_or logical_xor logical_not "
        "floor_divide true_divide float_power clamp lerp addcmul addcdiv where cumsum cumprod "
        "outer bitwise_and bitwise_or bitwise_xor bitwise_not negative "
        "logaddexp logaddexp2 gcd lcm bitwise_left_shift bitwise_right_shift").split(), False),
    **dict.fromkeys(("cat", "stack", "index_select", "gather"), True),
}


#: public functions whose PyTorch form takes no ``out=`` (torch 2.13's signatures: views,
#: predicates, composites, ops without an out variant): refused with PyTorch's TypeError
_NO_OUT = frozenset((
    "adaptive_avg_pool1d adjoint allclose argwhere as_strided atleast_1d atleast_2d "
    "atleast_3d avg_pool1d bilinear bincount binomial block_diag broadcast_shapes "
    "broadcast_tensors broadcast_to cartesian_prod cdist chunk clone combinations conj "
    "constant_pad_nd conv1d conv2d conv3d conv_transpose1d conv_transpose2d "
    "conv_transpose3d corrcoef count_nonzero cov cumulative_trapezoid det diag_embed "
    "diagflat diagonal diagonal_scatter dist dsplit einsum equal "
    "fake_quantize_per_channel_affine fake_quantize_per_tensor_affine flatten flip fliplr "
    "flipud gradient histogramdd hsplit imag index_fill index_put is_complex is_conj "
    "is_floating_point is_inference is_neg is_nonzero is_same_size isclose isfinite "
    "isinf isnan isreal istft leaky_relu logdet masked_fill masked_scatter matrix_exp "
    "max_pool1d max_pool2d max_pool3d meshgrid moveaxis movedim narrow permute pinverse "
    "pixel_shuffle pixel_unshuffle positive prelu put ravel real relu repeat_interleave "
    "reshape resolve_conj resolve_neg roll rot90 rsub select select_scatter silu split "
    "split_with_sizes squeeze std_mean stft swapaxes swapdims t tensor_split tile trace "
    "transpose trapezoid trapz tril_indices triu_indices unbind unflatten unique "
    "unique_consecutive unravel_index unsafe_chunk unsafe_split unsafe_split_with_sizes "
    "unsqueeze vander "
    "var_mean view_as_complex view_as_real vsplit").split())


#: ops whose ``out=`` PyTorch takes only in the result's dtype, and its message for another
#: (``res``/``out``: the dtypes' names, ``res_c``/``out_c``: their C++ names, ``name``: the op's)
_SAME_DTYPE_OUT = {
    **dict.fromkeys((
        "abs absolute bitwise_not ceil conj_physical fix floor frac hardshrink neg negative "
        "round sgn sign trunc").split(),
        "Found dtype {out} but expected {res}"),
    **dict.fromkeys((
        "addmm addmv alias_copy argmax argmin baddbmm bmm cross detach_copy diag "
        "diagonal_copy gather isin log_softmax matmul mm msort mv norm scatter scatter_add "
        "slice_copy slice_scatter softmax squeeze_copy t_copy take_along_dim tril triu "
        "unsqueeze_copy view_as_real_copy").split(),
        "Expected out tensor to have dtype {res_c}, but got {out_c} instead"),
    **dict.fromkeys(("amax", "amin"), "Expected the dtype for input and out to match, but got "
                    "{res} for input's dtype and {out} for out's dtype."),
    **dict.fromkeys(("dot", "vdot"), "result dtype {out} does not match input dtype {res}"),
    **dict.fromkeys(("any", "all"), "{name} only supports bool tensor for result, got: {out}"),
    "addbmm": "self and mat2 must have the same dtype, but got {out} and {res}",
    "index_select": "index_select(): self and result must have the same scalar type",
    **dict.fromkeys(("quantile", "nanquantile"),
                    "quantile() out tensor must be same dtype as the input tensor"),
    "logcumsumexp": "expected scalar_type {res} but found {out}",
    "nan_to_num": "nan_to_num: dtype of out: {out} should be same as input: {res}",
    "nonzero": "nonzero: Expected out tensor to have scalar type Long but got scalar type{out}",
    "inner": "tensordot: Expected the output tensor to have dtype {res}, but got an output "
             "tensor with dtype {out}",
    "masked_select": "masked_select(): self and result must have the same scalar type",
    "take": "take(): self and out expected to have the same dtype, but got self.dtype = {res} "
            "and out.dtype = {out}",
    "histc": "torch.histogram: input tensor and hist tensor should have the same dtype, but got "
             "input {res_c} and hist {out_c}",
    "float_power": "the output given to float_power has dtype {out} but the operation's result "
                   "requires dtype {res}",
    "heaviside": "heaviside is not yet implemented for {heaviside}.",
    "searchsorted": "torch.searchsorted(): output tensor's dtype is wrong, it can only be "
                    "Int(int32) or Long(int64) depending on whether out_int32 flag is True, but "
                    "we got output tensor's dtype {out} and out_int32 flag is {out_int32}",
}


#: ops that take only an ``out=`` of the result's dtype with number bounds (with tensor bounds
#: they cast into another, as the binary ops)
_CLAMPS = frozenset(("clamp", "clip", "clamp_min", "clamp_max"))


#: reductions whose ``out=`` PyTorch computes in ``out``'s dtype (as their ``dtype=``): the sum
#: of float32 values into a float64 ``out`` is summed in float64, into an int64 one truncated
#: (not the means: an integer ``out`` is refused as a result that cannot be cast)
_OUT_IS_DTYPE = frozenset("sum nansum mean nanmean prod cumsum cumprod".split())


#: ops whose ``out=`` PyTorch takes only as a bool tensor
_BOOL_OUT = frozenset(("signbit", "isneginf", "isposinf"))


def _check_where_out(args, kwargs):
    """PyTorch's ``where(..., out=)`` takes tensors only (a number is refused there, not
    without ``out=``)."""
    from autograd_core.tensor import Tensor

    given = {**dict(zip(("condition", "input", "other"), args)), **kwargs}
    for pos, arg in enumerate(("condition", "input", "other"), 1):
        if arg in given and not isinstance(given[arg], Tensor):
            raise TypeError(f"where(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(given[arg]).__name__}")


def _out_as_dtype(name, args, kwargs, out):
    """PyTorch's refusal of a reduction's ``dtype=`` other than its ``out=``'s dtype."""
    from autograd_core.ops._args import demangled_type, torch_name

    want = kwargs.get("dtype")
    if want is None or np.dtype(want) == out._data.dtype:
        return
    if name == "nansum":
        raise RuntimeError(f"nansum: provided dtype must match dtype of result. Got "
                           f"{torch_name(out._data.dtype)} and {torch_name(np.dtype(want))}.")
    raise RuntimeError(f"Expected out tensor to have dtype {demangled_type(want)}, but got "
                       f"{demangled_type(out._data.dtype)} instead")


def _out_of_mean(name, args, kwargs, out):
    """PyTorch's refusals of a mean's or nansum's ``out=``: a mean over all elements into a
    dtype its input cannot be cast to (a complex mean into a real one gave the real parts'
    mean; PyTorch's mean over a ``dim`` computes in ``out``'s dtype, as here), nansum/nanmean
    of floats into other than floats."""
    from autograd_core.ops._args import torch_name
    from autograd_core.tensor import Tensor

    dst = out._data.dtype
    src = args[0]._data.dtype if args and isinstance(args[0], Tensor) else None
    if name in ("nansum", "nanmean") and src is not None and src.kind == "f" and dst.kind != "f":
        raise NotImplementedError(f'"nansum_cpu" not implemented for \'{torch_name(dst)}\'')
    if name == "mean" and src is not None and _cannot_cast(src.kind, dst.kind) and \
            len(args) == 1 and kwargs.get("dim") is None:  # (with a dim: computed in out's)
        raise RuntimeError(f"{name}.dtype_out(): input types can't be cast to the desired "
                           f"output type {torch_name(dst)}")


def _with_out(fn, name, public=None):
    """``fn`` taking PyTorch's ``out=``: the result is written into ``out`` (of the result's
    shape, of a dtype the result casts to) and ``out`` is returned. As in PyTorch, refused when
    autograd would have to record the write (an input or ``out`` requires grad in grad mode),
    and, for the ops in ``_OUT_OVERLAP``, when an input overlaps ``out``. ``public``: the
    name called, when an alias (``conj_physical``) has a rule of its own."""
    overlap_rule = _OUT_OVERLAP.get(name)

    @functools.wraps(fn)
    def with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            try:
                return fn(*args, **kwargs)
            except AttributeError:
                not_a_tensor(public or name, fn, args, kwargs)
                raise
        from autograd_core.tensor import Tensor

        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if name in _BOOL_OUT and out._data.dtype.kind != "b":
            raise RuntimeError(f"{name} does not support non-boolean outputs.")
        if name == "where":
            _check_where_out(args, kwargs)
        if STATE.enabled or overlap_rule is not None:
            flat = [a for v in (*args, *kwargs.values())
                    for a in (v if isinstance(v, (list, tuple)) else (v,))]
        if STATE.enabled:
            if out.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in flat):
                raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                                   "automatic differentiation, but one of the arguments "
                                   "requires grad.")
        if overlap_rule is not None:
            from autograd_core.ops._args import check_input_overlap

            check_input_overlap(out._data, flat, full=overlap_rule)
        if name in _OUT_IS_DTYPE:
            _out_as_dtype(name, args, kwargs, out)
            _out_of_mean(name, args, kwargs, out)
            if kwargs.get("dtype") is None and (not name.endswith("mean") or (
                    out._data.dtype.kind in "fc" and args and isinstance(args[0], Tensor)
                    and args[0]._data.dtype.kind in "fc")):  # a mean refuses integers
                kwargs = {**kwargs, "dtype": out.dtype}
        result = fn(*args, **kwargs)
        if not isinstance(result, Tensor):  # several results (max with a dim, sort, ...)
            raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
        from autograd_core.ops._args import demangled_type, torch_name

        src, dst = result._data.dtype, out._data.dtype
        if src != dst and name in _CLAMPS and not any(
                isinstance(b, Tensor) for b in (*args[1:], *kwargs.values())):
            raise RuntimeError(f"Found dtype {torch_name(dst)} but expected {torch_name(src)}")
        rule = _SAME_DTYPE_OUT.get(public, _SAME_DTYPE_OUT.get(name))
        if name == "mv" and out._data.size:  # PyTorch's mv passes a non-empty out= to addmv
            rule = "addmv input tensors must have the same dtype, but got {out}, {res}, and {res}"
        if src != dst and rule is not None:
            raise RuntimeError(rule.format(
                name=name, res=torch_name(src), out=torch_name(dst), res_c=demangled_type(src),
                out_c=demangled_type(dst), out_int32=bool(kwargs.get("out_int32", False)),
                heaviside="complex tensors" if dst.kind == "c"
                else "tensors with different dtypes"))
        if name == "where" and src != dst:  # no cast: the result's dtype exactly
            raise RuntimeError(f"Expected out type to be {torch_name(src)} but got "
                               f"{torch_name(dst)}")
        if _cannot_cast(src.kind, dst.kind):
            if name in ("cat", "concat", "concatenate", "stack"):  # PyTorch's words and type
                raise TypeError(f"torch.cat(): input types can't be cast to the desired output "
                                f"type {torch_name(dst)}")
            if name == "logsumexp":
                raise RuntimeError("logsumexp(): Expected floating point type for result tensor, "
                                   f"but got: {torch_name(dst)}")
            raise RuntimeError(f"result type {torch_name(src)} can't be cast to the desired "
                               f"output type {torch_name(dst)}")
        from autograd_core.creation import write_out

        return write_out(name, result, out)

    return with_out


def functions() -> dict:
    """``{name: functional form}`` for every declared op and alias; those without an ``out``
    of their own (and not in place) take PyTorch's ``out=`` (``torch.mul(a, b, out=c)``),
    but for the names in ``_NO_OUT``, which refuse it as PyTorch's do."""
    out = {}
    for d in DECLS.values():
        if not d.function:
            continue
        fn = d.fn
        wrap = not d.name.endswith("_") and "out" not in inspect.signature(fn).parameters
        fn = _with_out(fn, d.name) if wrap else typed(fn, d.name)
        for public in (d.name, *d.aliases):  # an alias may differ (conj_physical takes out=)
            if public in _NO_OUT:
                out[public] = _without_out(d.fn, public)
            elif wrap and public != d.name and public in _SAME_DTYPE_OUT:
                out[public] = _with_out(d.fn, d.name, public)
            else:
                out[public] = fn
    return out


def typed(fn, name, labels=None):
    """``fn`` (an op with an ``out`` of its own, an in-place one, a public function outside the
    op table: ``fft``'s) raising PyTorch's TypeError for a non-Tensor argument where it failed
    inside (``not_a_tensor``, op ``name``, ``labels``), as ``_with_out`` does."""

    @functools.wraps(fn)
    def typed(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AttributeError:
            not_a_tensor(name, fn, args, kwargs, labels)
            raise

    return typed


def _without_out(fn, name):
    """``fn`` refusing ``out=`` as PyTorch's ``name`` does (which has no out variant), and
    naming a non-Tensor argument as ``typed`` does."""
    checked = typed(fn, name)

    @functools.wraps(fn)
    def without_out(*args: Any, **kwargs: Any) -> Any:
        if "out" in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
        return checked(*args, **kwargs)

    return without_out


def samples() -> list:
    """Every sample of every op, in declaration order (the table the generic tests read)."""
    return [s for d in DECLS.values() for s in d.samples]


def __getattr__(attr):
    # OPS / BY_NAME: the sample table, read when asked (after every op module has declared)
    if attr == "OPS":
        return samples()
    if attr == "BY_NAME":
        return {s.name: s for s in samples()}
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
