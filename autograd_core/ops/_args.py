"""Argument normalisation shared by the ops' functional forms (dims, keepdim, corrections),
with PyTorch's error wording."""

from __future__ import annotations

import math

import numpy as np

from autograd_core._casts import half_number
from autograd_core._quiet import quiet
from autograd_core.tensor import CPP_NAMES, OVERLAP_ERROR, SCALAR_NAMES as _TORCH_NAMES  # noqa: F401
from autograd_core.tensor import DEFAULT_DTYPE, note_complex


def norm_dim(dim, ndim, op="op"):
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if dim < -n or dim >= n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def axis(dim, ndim, op):
    """A required single ``dim`` (softmax and friends)."""
    if dim is None:
        raise TypeError(f"{op}() missing required argument 'dim'")
    return norm_dim(dim, ndim, op)


def dims(dim, axis_, keepdim, keepdims, ndim):
    """``(dims tuple or None, keepdim)`` from PyTorch's (and numpy's) reduction arguments."""
    if axis_ is not None:
        dim = axis_
    if keepdims is not None:
        keepdim = keepdims
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None, bool(keepdim)  # dim=() reduces everything, as PyTorch's sum
    if ndim == 0:  # a 0-d tensor accepts dim 0 / -1 (as PyTorch) and reduces over nothing
        for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
            norm_dim(d, 0, "reduction")
        return (), bool(keepdim)
    if isinstance(dim, (tuple, list)):
        out = tuple(sorted(norm_dim(d, ndim, "reduction") for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"reduction: dim {tuple(dim)} appears multiple times in the list")
        return out, bool(keepdim)
    return (norm_dim(dim, ndim, "reduction"),), bool(keepdim)


def unbiased_in_dim(dim, unbiased):
    """``(dim, unbiased)`` with PyTorch's ``var(input, unbiased)`` overload: a bool where
    ``dim`` goes is ``unbiased`` (``x.var(False)`` reduces everything), not dim 0."""
    if isinstance(dim, (bool, np.bool_)):
        if unbiased is not None:
            raise TypeError("received an invalid combination of arguments: a bool dim and "
                            "unbiased (use dim=None, unbiased=...)")
        return None, bool(dim)
    return dim, unbiased


def correction(unbiased, correction_):
    if correction_ is not None:
        if unbiased is not None:
            raise TypeError("received an invalid combination of arguments: both unbiased "
                            "and correction")
        return correction_
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def shape_arg(shape):
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def int_seq(first, more):
    """The integers of a ``f(first, *more)`` call that PyTorch's methods take either way:
    ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(2)`` or ``f(dims=(2, 3))``; not converted."""
    if more:
        return (first, *more)
    return tuple(first) if isinstance(first, (tuple, list)) else (first,)




def torch_name(dt):
    """PyTorch's scalar type name of numpy dtype ``dt`` in messages (``Float``, ``Long``)."""
    dt = np.dtype(dt)
    return _TORCH_NAMES.get(dt.name, dt.name)


#: PyTorch's refusal of ``clamp`` (and of ``relu``, ``hardtanh``, ``relu6``, built on it) for a
#: complex tensor: complex numbers have no order (numpy's lexicographic one is not PyTorch's)
CLAMP_COMPLEX = "clamp is not supported for complex types"



def internal_overlap(a):
    """True when two elements of array ``a`` share memory (a stride-0 dim of size > 1)."""
    return any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


#: PyTorch's error for a write into a tensor whose input shares part of its memory
INPUT_OVERLAP_ERROR = ("unsupported operation: some elements of the input tensor and the "
                       "written-to tensor refer to a single memory location. Please clone() "
                       "the tensor before performing the operation.")


def _dense(a):
    """PyTorch's ``is_non_overlapping_and_dense`` of array ``a``: its elements fill one
    stretch of memory without gaps, in some order of its dimensions (no negative strides)."""
    step = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n != 1):
        if stride != step:
            return False
        step *= n
    return True


def overlap(a, b):
    """PyTorch's overlap status of arrays ``a`` and ``b``: "full" (the same elements in the
    same layout), "partial" (some memory in common otherwise), or None (none, or one of them
    not dense: PyTorch does not tell then, and writes element by element)."""
    if not a.size or not b.size or not _dense(a) or not _dense(b):
        return None
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a1, b1 = a0 + a.size * a.itemsize, b0 + b.size * b.itemsize
    if (a0, a1) == (b0, b1):  # (a dimension of size 1 has any stride: broadcast_to gives 0)
        same = a.shape == b.shape and all(
            sa == sb for sa, sb, n in zip(a.strides, b.strides, a.shape) if n != 1)
        return "full" if same else "partial"
    return "partial" if a0 < b1 and b0 < a1 else None


def check_input_overlap(out, inputs, full=False):
    """PyTorch's refusal of a write into array ``out`` from an input (Tensors or arrays among
    ``inputs``; others are skipped) that shares part of its memory (``full``: any of it, as
    ``index_add_``/``scatter_``/``index_put_`` refuse), raised before anything is written.
    An input that is ``out`` itself (``x.mul_(x)``) is allowed, as PyTorch allows it."""
    for t in inputs:
        data = t if isinstance(t, np.ndarray) else getattr(t, "_data", None)
        if isinstance(data, np.ndarray) and np.may_share_memory(out, data):
            status = overlap(out, data)  # (may_share_memory: the cheap test of the extents)
            if status == "partial" or (full and status == "full"):
                raise RuntimeError(INPUT_OVERLAP_ERROR)


def not_implemented(kernel, dt):
    """PyTorch's refusal of a kernel without a loop for dtype ``dt``, e.g. ``"lt_cpu" not
    implemented for 'ComplexFloat'`` (an ordering op given a complex tensor)."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{torch_name(dt)}\'')


def no_complex(x, kernel, error=None):
    """Refuse a complex ``x`` (a Tensor, an array or a number) as PyTorch does: with
    ``error`` (a message, RuntimeError) when given, else ``not_implemented(kernel, dtype)``'s
    message. For the ordering ops, which complex numbers do not support (``refuse_complex``
    with a kernel's name)."""
    if error:
        refuse_complex(error.replace("{", "{{").replace("}", "}}"), x)
    else:
        refuse_complex(f'"{kernel}" not implemented for \'{{dtype}}\'', x,
                       error=NotImplementedError)


_COMPLEX128 = np.dtype(np.complex128)


def refuse_complex(message, *xs, error=RuntimeError, **words):
    """Raise PyTorch's refusal of complex inputs (``message``; ``{dtype}`` becomes the scalar
    type name, other fields ``words``) when one of ``xs`` (Tensors or arrays; None skipped)
    is complex: an op that orders or compares values has no complex meaning, and numpy's
    lexicographic order would give numbers and gradients where PyTorch gives an error."""
    for x in xs:
        dt = getattr(getattr(x, "_data", x), "dtype", None)
        if dt is None and isinstance(x, complex):
            dt = _COMPLEX128  # a Python complex number, as numpy reads it
        if dt is not None and dt.kind == "c":
            raise error(message.format(dtype=torch_name(dt), **words))


_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "int64_t",
            "int32": "int", "int16": "short", "int8": "int8_t", "uint8": "uint8_t", "bool": "bool",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def c_type(dtype):
    """PyTorch's C++ name of ``dtype`` in its messages (``float``, ``c10::Half``)."""
    name = np.dtype(dtype).name
    return _C_TYPES.get(name, name)


def demangled_type(dtype):
    """PyTorch's demangled C++ name of ``dtype`` in some of its messages (``long int``)."""
    name = np.dtype(dtype).name
    return CPP_NAMES.get(name, name)


def int_c_type(dtype):
    """PyTorch's name of integer ``dtype`` in its "value cannot be converted to type ... without
    overflow" (``uint8_t``, ``int`` for int32)."""
    dt = np.dtype(dtype)
    return "int" if dt == np.int32 else f"{dt.name}_t"


def into_integers(data, dt, ctype):
    """Python numbers ``data`` converted to integer dtype ``dt`` as PyTorch converts them: a
    float toward zero, a value outside the dtype refused (``ctype``: the type's name in
    PyTorch's message), except a negative int into an unsigned type, which wraps
    (``tensor([-1], dtype=uint8)`` is 255; numpy raised OverflowError, and wrapped 1e10 into
    int32 silently)."""
    arr = np.asarray(data)
    if arr.dtype.kind not in "iuf":  # bools, complex numbers: numpy's cast
        return quiet(np.array)(data, dtype=dt)  # a cast that overflows gives inf, as PyTorch
    info = np.iinfo(dt)
    with np.errstate(invalid="ignore", over="ignore"):
        bad = (arr > info.max) | (arr < info.min) | (arr != arr)  # NaN: no integer (PyTorch's)
        if info.min == 0 and arr.dtype.kind in "iu":
            bad &= ~((arr < 0) & (-arr <= info.max))
    if bad.any():
        raise RuntimeError(f"value cannot be converted to type {ctype} without overflow")
    return arr.astype(dt)


def python_int(value):
    """``value`` checked as PyTorch reads a Python int into a Scalar: one in int64 or uint64
    range, else its OverflowError (numpy's words differed, or a float tensor took it)."""
    if type(value) is int and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError("can't convert negative int to unsigned" if value < 0
                            else "int too big to convert")
    return value


_F32_MAX = float(np.finfo(np.float32).max)
_I64 = 2 ** 63


def scalar_for(value, dtype, overflow=True):
    """``value`` to write into a tensor of ``dtype``: a complex number into a real tensor is
    its real part when its imaginary part is 0, else PyTorch's error (``x[i] = 1j``,
    ``masked_fill``, ``fill_``, ``full``: numpy's cast would drop the imaginary part
    silently). A Python int or float into an integer dtype is converted as PyTorch converts
    it (toward zero; beyond the dtype refused, a negative int wrapping into an unsigned one),
    where numpy would wrap 300 into uint8 silently. A finite number beyond a floating dtype's
    range is refused too (``fill_(1e40)`` of float32: numpy wrote inf), unless ``overflow`` is
    False (PyTorch's ``x[i] = 70000.0`` of float16 writes inf). Anything else is returned as
    it is (a float for float16 made float16 as PyTorch's casts make it: ``half_number``)."""
    dt = np.dtype(dtype)
    if dt.kind == "f" and dt.itemsize > 2:  # the common cases first: nothing to do for a
        t = type(value)  # float or an int64 that fits float32/float64
        if (t is float and (dt.itemsize == 8 or not abs(value) > _F32_MAX)) or (
                t is int and -_I64 <= value < _I64):
            return value
    python_int(value)
    if overflow and dt.kind in "fc" and _beyond(value, np.finfo(dt).max):
        raise RuntimeError(f"value cannot be converted to type {c_type(dtype)} without overflow")
    if isinstance(value, (complex, np.complexfloating)) and dt.kind != "c":
        if value.imag != 0:
            raise RuntimeError(
                f"value cannot be converted to type {c_type(dtype)} without overflow")
        value = value.real
    if dt.kind in "iu" and type(value) in (int, float):
        return into_integers(value, dt, int_c_type(dt))[()]
    return half_number(value, dt)  # a float into float16 through float32, as PyTorch's


def _beyond(value, limit):
    """Whether the number ``value`` (a part of a complex one) is finite and beyond ``limit``
    in magnitude, compared exactly (an int of any size too); False for anything else."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, complex,
                                                                     np.number)):
        return False
    parts = (value.real, value.imag) if isinstance(value, (complex, np.complexfloating)) \
        else (value,)
    return any(abs(p) > float(limit) and (isinstance(p, (int, np.integer)) or math.isfinite(p))
               for p in parts)


def check_added_input(name, input_shape, product_shape):
    """PyTorch's rule for the tensor ``addmm``/``addmv``/``baddbmm`` add to a product: it
    broadcasts to the product's shape, the result's (the product is not broadcast to it)."""
    input_shape, product_shape = tuple(input_shape), tuple(product_shape)
    try:
        fits = np.broadcast_shapes(input_shape, product_shape) == product_shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{name}: input of shape {input_shape} cannot be broadcast to the "
                           f"product's shape {product_shape}")


def unique_dim_empty(shape, d):
    """Whether ``unique(dim=d)`` / ``unique_consecutive(dim=d)`` of an empty tensor is the
    empty result (the selected dim is the zero-sized one); PyTorch's refusals otherwise."""
    zeros = sum(n == 0 for n in shape)
    if zeros > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot "
                           "be applied ")
    if zeros and shape[d] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    return zeros == 1


def like_layout(a):
    """The dims of array ``a``, outermost first, of the tensor PyTorch's ``empty_like`` (its
    ``preserve_format``) makes like ``a``: ``a``'s own stride order when ``a`` is a dense,
    non-overlapping view that is not row-major (a transposed or permuted tensor), else None
    (row-major). ``rand_like``/``randn_like``/``randint_like`` and dropout's mask fill such a
    tensor in memory order."""
    if a.ndim < 2 or a.flags.c_contiguous:
        return None
    perm = sorted(range(a.ndim), key=lambda d: -a.strides[d] if a.shape[d] > 1 else 0)
    step = a.itemsize
    for d in reversed(perm):
        if a.shape[d] > 1 and a.strides[d] != step:
            return None  # not dense (a slice) or overlapping: PyTorch's result is row-major
        step *= a.shape[d]
    return perm




def in_layout_of(y, x):
    """``y`` (a new row-major array) laid out in memory as ``x`` where ``x`` is a dense array
    of ``y``'s shape in another order (a transposed input): PyTorch's elementwise result follows
    its input's order, which ``as_strided``, ``view`` and ``stride()`` see; else ``y``."""
    if type(y) is not np.ndarray or y.shape != x.shape or like_layout(x) is None:
        return y
    out = np.empty_like(x, dtype=y.dtype)  # (order "K": x's strides)
    np.copyto(out, y)
    return out


def check_random_bounds(dt, a, b):
    """PyTorch's refusal of ``random_(a, b)`` bounds a dtype cannot hold (int8 wrapped 200)."""
    if dt.kind == "c":
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")
    if dt.kind in "biuf":
        info = np.finfo(dt) if dt.kind == "f" else np.iinfo(dt) if dt.kind != "b" else None
        lo, hi = (0, 1) if info is None else (int(info.min), int(info.max))
        name = CPP_NAMES.get(dt.name, dt.name)
        if not lo <= a <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= b - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")


class BroadcastError(RuntimeError, ValueError):
    """Shapes that do not broadcast: PyTorch's RuntimeError, and a ValueError as before."""


def broadcast_error(op_name, a, b):
    """PyTorch's message (the first mismatching dimension from the right, numbered in the
    broadcast result), then the op and both shapes."""
    return shapes_error(op_name, tuple(np.shape(a)), tuple(np.shape(b)))


def broadcast_in_order(op_name, shapes):
    """The shape an elementwise op broadcasts its operands' ``shapes`` to, each against the
    broadcast of those before it (ATen's TensorIterator order, which PyTorch's message
    follows: ``where(c, x, y)`` names ``c`` then ``x``), else PyTorch's RuntimeError naming
    the first pair that fails."""
    out = tuple(shapes[0])
    for s in shapes[1:]:
        if s != out:
            s = tuple(s)
            n = len(out) - len(s)
            merged = list(out[:n]) if n > 0 else list(s[:-n])
            for a, b in zip(out[-len(s):] if n > 0 else out, s[-n:] if n < 0 else s):
                if a == b or b == 1:
                    merged.append(a)
                elif a == 1:
                    merged.append(b)
                else:
                    raise shapes_error(op_name, out, s)
            out = tuple(merged)
    return out


def check_output_shape(shape, full):
    """PyTorch's refusal of an in-place write of a result of broadcast shape ``full`` into a
    tensor of ``shape``."""
    if tuple(full) != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(full)}")


def shapes_error(op_name, sa, sb):
    """``broadcast_error`` of two shapes."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    dim = next((d for d in range(n - 1, -1, -1) if pa[d] != pb[d] and 1 not in (pa[d], pb[d])),
               n - 1)
    return BroadcastError(
        f"The size of tensor a ({pa[dim]}) must match the size of tensor b ({pb[dim]}) at "
        f"non-singleton dimension {dim} ({op_name}: shapes {sa} and {sb} cannot be broadcast "
        "together)"
    )


#: PyTorch's dtype categories, in promotion order: bool < integers < floating point < complex
CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_pair(a, b):
    """PyTorch's promotion of two numpy dtypes: within a category numpy's (int32 + int64 ->
    int64), across categories the higher category's dtype (float32 + int64 -> float32, not
    numpy's float64), except float64 with complex64, which is complex128 (no precision lost)."""
    ca, cb = CATEGORY[a.kind], CATEGORY[b.kind]
    if ca == cb or (ca >= 2 and cb >= 2):
        return np.promote_types(a, b)
    return a if ca > cb else b


# ---- PyTorch's type promotion ------------------------------------------------------------------
# Operands are ranked: tensors with dimensions, then 0-d tensors, then Python numbers. A lower
# rank changes the result's dtype only when it is of a higher *category* (bool < integer <
# floating); a Python float then gives the default dtype (float32 unless set_default_dtype
# changed it; a complex the matching complex dtype), a Python int int64. So float32 * 0-d
# float64 stays float32, float16 * 0-d float32 stays float16, int64 * 1.5 is float32, and
# int / int (true division) is float32.

def wrapped_dtype(x):
    if isinstance(x, bool):
        return np.dtype(np.bool_)
    if isinstance(x, int):
        python_int(x)  # beyond int64 and uint64: PyTorch's OverflowError
        return np.dtype(np.int64)
    default = DEFAULT_DTYPE[0]  # ag.set_default_dtype's
    if isinstance(x, complex):
        return np.dtype(np.complex128 if default == np.float64 else np.complex64)
    return default


def promote_types(a, b):
    """PyTorch's promotion of two dtypes: within a category numpy's (int32 + int64 -> int64),
    across categories the higher category's dtype (float32 + int64 -> float32, not float64)."""
    if a.kind == "c" or b.kind == "c":
        note_complex(np.complex64)  # cat/stack of real and complex tensors, too
    return promote_pair(a, b)


def combine(higher, lower):
    """ATen's combine_categories: the dtype of the higher-ranked operands unless the lower-ranked
    ones are of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if CATEGORY[higher.kind] >= CATEGORY[lower.kind]:
        return higher
    if lower.kind == "c" and higher.kind == "f":  # float64 * 1j: complex128, as ATen's
        return np.promote_types(higher, np.complex64)
    return promote_types(higher, lower)


_ndarray = np.ndarray


def result_type(*operands):
    """PyTorch's result dtype of an elementwise op on arrays and Python numbers."""
    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, _ndarray):
            if x.ndim:
                dim = x.dtype if dim is None else promote_types(dim, x.dtype)
            else:
                zero = x.dtype if zero is None else promote_types(zero, x.dtype)
        elif x is not None:  # a Python number, or a numpy scalar (PyTorch reads it as one)
            d = wrapped_dtype(x.item() if isinstance(x, np.generic) else x)
            wrapped = d if wrapped is None else (
                d if CATEGORY[d.kind] > CATEGORY[wrapped.kind] else wrapped)
    dt = combine(dim, combine(zero, wrapped))
    if dt is not None and dt.kind == "c":
        note_complex(dt)  # a complex result from real operands: backward checks complex nodes
    return dt
