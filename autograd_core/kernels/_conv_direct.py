"""Numba loops of the direct convolution in ``autograd_core.kernels.conv`` (imported on first
use; that module checks every argument first and holds the numpy twins).

im2col + BLAS is slow for the thin layers of small CNNs: a 16-channel 3x3 layer is a product
16 deep or 16 wide, which OpenBLAS runs at 35-60% of its peak here, and the columns are nine
copies of the input. These loops compute the convolution in place, channels-last, with the
output channels in SIMD vectors (64 bytes: 16 float32 or 8 float64) and a block of output
positions (8 with one or two vectors of channels, 4 with four; for the weight gradient, of
kernel rows: 16 / vb, so 16 accumulating vectors) held in a small stack array that LLVM keeps in registers (ResNet-8's layers run at 85-113 GFLOP/s on one core here, next to
OpenBLAS's 35-65 GFLOP/s on the same products):

* ``forward``: ``out[n, oy0 + y*osh, ox0 + x*osw, o] = bias[o] + sum_{t, c} wt[t, c, o] *
  xp[n, y*sh + dy_t, x*sw + dx_t, c]``: a convolution from the zero-padded channels-last
  input ``xp`` (N, Hp, Wp, C) with the taps ``(dy, dx) = (i*dh, j*dw)``, given as runs of
  neighbouring taps (a row of a dilation-1 kernel: one stretch of ``kw*C`` inputs); the input
  gradient is the same loop on the padded output gradient, once per phase ``(y % sh,
  x % sw)`` of the input positions with the taps that reach that phase (the kernel
  transposed), written ``sh``/``sw`` apart.
* ``weight grad``: ``gw[(i, j, c), o] = sum_{n, y, x} xp[n, y*sh + i*dh, x*sw + j*dw, c] *
  gt[n, y, x, o]`` with the output gradient channels-last ``gt`` (N, oh, ow, O).

The vector width and the number of vectors per block (``vb``: 1, 2 or 4) are compile-time
constants of each build (``build``'s closures; Numba keys its cache on their values), so the
accumulators stay in registers: with a run-time channel count the same loop ran 7x slower, and
an element-by-element copy out of the accumulators 2x slower. Each step is one multiply-add
(``llvm.fmuladd``: fused where the CPU has FMA), so the sums are taken in the order
``(tap, c)`` (forward, input gradient) or sample by sample and position by position (weight
gradient), an order that differs from the im2col path's BLAS products.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from autograd_core.kernels._jit import jit

#: bytes per SIMD vector (one AVX-512 register, two AVX2 ones); read at each call (the tests
#: shrink it so that tiny channel counts take these loops)
VECTOR_BYTES = 64


@intrinsic
def _stack(typingctx, like, n):
    """A pointer to ``n`` (a literal) elements of ``like``'s dtype on the stack of the calling
    function (allocated once, in its entry block)."""
    if not isinstance(n, types.IntegerLiteral):
        return None
    size, dtype = n.literal_value, like.dtype
    sig = types.CPointer(dtype)(like, n)

    def codegen(context, builder, signature, args):
        lty = context.get_data_type(dtype)
        with builder.goto_entry_block():
            p = builder.alloca(ir.ArrayType(lty, size))
        return builder.bitcast(p, lty.as_pointer())

    return sig, codegen


@intrinsic
def _ld(typingctx, arr, i):
    """``arr[i]`` of a 1-D C-contiguous array, without the negative-index wraparound (the
    callers' indices are in range)."""
    sig = arr.dtype(arr, i)

    def codegen(context, builder, signature, args):
        a = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load(builder.gep(a.data, [args[1]]))

    return sig, codegen


def _pointer(context, builder, aty, arr, index, lanes):
    """A pointer to ``lanes`` elements of the 1-D array ``arr`` from ``index``, and their
    vector type."""
    vty = ir.VectorType(context.get_data_type(aty.dtype), lanes)
    data = context.make_array(aty)(context, builder, arr).data
    return vty, builder.bitcast(builder.gep(data, [index]), vty.as_pointer())


@intrinsic
def _vmov(typingctx, dst, di, src, si, lanes):
    """``dst[di:di+lanes] = src[si:si+lanes]`` (1-D C-contiguous arrays of one dtype,
    ``lanes`` a literal). Whole-vector moves keep the stack accumulators promotable to
    registers (an element loop there was vectorised into gathers and kept them in memory)."""
    if dst.dtype != src.dtype or not isinstance(lanes, types.IntegerLiteral):
        return None
    sig = types.void(dst, di, src, si, lanes)

    def codegen(context, builder, signature, args):
        n = signature.args[4].literal_value
        _, pd = _pointer(context, builder, signature.args[0], args[0], args[1], n)
        _, ps = _pointer(context, builder, signature.args[2], args[2], args[3], n)
        builder.store(builder.load(ps, align=1), pd, align=1)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _vfma(typingctx, acc, ai, a, src, si, lanes):
    """``acc[ai:ai+lanes] += a * src[si:si+lanes]``: one vector multiply-add (1-D C-contiguous
    arrays of one dtype, ``lanes`` a literal; no bounds checks: the callers' indices are in
    range)."""
    if acc.dtype != src.dtype or not isinstance(lanes, types.IntegerLiteral):
        return None
    sig = types.void(acc, ai, a, src, si, lanes)

    def codegen(context, builder, signature, args):
        n = signature.args[5].literal_value
        vty, pa = _pointer(context, builder, signature.args[0], args[0], args[1], n)
        _, ps = _pointer(context, builder, signature.args[3], args[3], args[4], n)
        a = context.cast(builder, args[2], signature.args[2], acc.dtype)
        va, vs = builder.load(pa, align=1), builder.load(ps, align=1)
        vb = builder.insert_element(ir.Constant(vty, ir.Undefined), a,
                                    ir.Constant(ir.IntType(32), 0))
        vb = builder.shuffle_vector(vb, ir.Constant(vty, ir.Undefined),
                                    ir.Constant(ir.VectorType(ir.IntType(32), n), [0] * n))
        bits = 8 * context.get_abi_sizeof(vty.element)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vty, [vty] * 3),
                                            f"llvm.fmuladd.v{n}f{bits}")
        builder.store(builder.call(fn, [vb, vs, va]), pa, align=1)
        return context.get_dummy_value()

    return sig, codegen


def _block(lanes, vb):
    """Channels per block, positions (or kernel rows) per block and the accumulator size
    (elements): 8 positions with one or two vectors of channels (16 accumulating vectors ran
    8-20% faster than 4 on 16-channel layers; with two vectors 8 positions ran ResNet's 16->32
    3x3 layer 15% faster than 4; 16 positions of one vector were slower), else 4 (32 would
    spill)."""
    OB = lanes * vb
    P = 8 if vb <= 2 else 4
    return OB, P, P * OB


def _forward_loops(lanes, vb, parallel):
    OB, P, S = _block(lanes, vb)
    rng = prange if parallel else range

    def loops(xp, wt, runs, bias, out, oh, ow, sh, sw, oy0, ox0, osh, osw):
        """``out[n, oy0 + y*osh, ox0 + x*osw, o] = bias[o] + sum_{t, c} wt[t, c, o] *
        xp[n, y*sh + dy_t, x*sw + dx_t, c]`` for ``y < oh``, ``x < ow`` (every array
        channels-last and C-contiguous), the taps ``t`` given as runs ``(dy, dx, count, first)``
        of ``count`` taps ``first, first + 1, ...`` at ``(dy, dx), (dy, dx + 1), ...``: a run's
        inputs and weights are one contiguous stretch of ``count * C`` channels."""
        N, Hp, Wp, C = xp.shape
        T, O = runs.shape[0], wt.shape[2]
        OH, OW = out.shape[1], out.shape[2]
        xf, wf, of = xp.reshape(-1), wt.reshape(-1), out.reshape(-1)
        for n in rng(N):
            acc = numba.carray(_stack(xf, S), (S,))
            for o0 in range(0, O, OB):
                for oy in range(oh):
                    for bx in range(0, ow, P):
                        for r in range(P):
                            for v in range(vb):
                                _vmov(acc, r * OB + v * lanes, bias, o0 + v * lanes, lanes)
                        for t in range(T):
                            p = ((n * Hp + oy * sh + runs[t, 0]) * Wp + runs[t, 1]) * C
                            wb = runs[t, 3] * C * O + o0
                            for c in range(runs[t, 2] * C):
                                for r in range(P):
                                    # a partial last block repeats its last position
                                    a = _ld(xf, p + min(bx + r, ow - 1) * sw * C)
                                    for v in range(vb):
                                        _vfma(acc, r * OB + v * lanes, a, wf, wb + v * lanes, lanes)
                                p += 1
                                wb += O
                        y = oy0 + oy * osh
                        for r in range(P):  # constant bounds: acc stays in registers
                            if bx + r < ow:
                                at = ((n * OH + y) * OW + ox0 + (bx + r) * osw) * O + o0
                                for v in range(vb):
                                    _vmov(of, at + v * lanes, acc, r * OB + v * lanes, lanes)

    return loops


def _weight_grad_loops(lanes, vb, parallel):
    # R kernel rows per block: 16 accumulating vectors whatever vb (8 with vb = 2 ran ResNet's
    # 16->32 3x3 weight gradient at 47 GMAC/s, 16 at 73; 32 spill); each element's sum keeps
    # its order (samples, then positions), so the bits do not depend on R
    OB = lanes * vb
    R = 16 // vb
    S = R * OB
    rng = prange if parallel else range

    def loops(xp, gt, gw, kh, kw, sh, sw, dh, dw):
        """``gw[t]`` (kh*kw*C, O), zeros on entry: the sum over the ``t``-th of ``len(gw)``
        runs of samples and every output position (the caller sums over ``t``)."""
        N, Hp, Wp, C = xp.shape
        oh, ow, O = gt.shape[1], gt.shape[2], gt.shape[3]
        K = kh * kw * C
        T = gw.shape[0]
        xf, gf = xp.reshape(-1), gt.reshape(-1)
        for t in rng(T):
            acc = numba.carray(_stack(xf, S), (S,))
            offs = np.empty(R, np.int64)
            gwf = gw[t].reshape(-1)
            for n in range(t * N // T, (t + 1) * N // T):
                base = n * Hp * Wp * C
                for o0 in range(0, O, OB):
                    for k0 in range(0, K, R):
                        # the R kernel rows (i, j, c) of this block as offsets into the
                        # sample; a partial last block repeats its last row (not stored)
                        for r in range(R):
                            offs[r] = base + _offset(min(k0 + r, K - 1), C, kw, dh, dw, Wp)
                            for v in range(vb):
                                _vmov(acc, r * OB + v * lanes, gwf,
                                      min(k0 + r, K - 1) * O + o0 + v * lanes, lanes)
                        gb = n * oh * ow * O + o0
                        for oy in range(oh):
                            p = oy * sh * Wp * C
                            for ox in range(ow):
                                for r in range(R):
                                    a = _ld(xf, p + offs[r])
                                    for v in range(vb):
                                        _vfma(acc, r * OB + v * lanes, a, gf, gb + v * lanes,
                                              lanes)
                                p += sw * C
                                gb += O
                        for r in range(R):  # constant bounds: acc stays in registers
                            if k0 + r < K:
                                for v in range(vb):
                                    _vmov(gwf, (k0 + r) * O + o0 + v * lanes, acc,
                                          r * OB + v * lanes, lanes)

    return loops


@numba.extending.register_jitable
def _offset(k, C, kw, dh, dw, Wp):
    """Kernel row ``k`` = ``(i, j, c)`` as an offset into a sample of the padded input."""
    t, c = k // C, k % C
    return ((t // kw) * dh * Wp + (t % kw) * dw) * C + c


_builds: dict = {}


def build(kind, lanes, vb, parallel=False):
    """The jitted loop ``kind`` ("forward" / "weight_grad") for ``lanes`` lanes (16: float32,
    8: float64) and ``vb`` vectors per block, built once per process (cached on disk)."""
    key = (kind, lanes, vb, parallel)
    fn = _builds.get(key)
    if fn is None:
        make = _forward_loops if kind == "forward" else _weight_grad_loops
        loops = make(lanes, vb, parallel)
        loops.__name__ = loops.__qualname__ = f"conv_{kind}_{lanes}x{vb}" + (
            "_parallel" if parallel else "")
        fn = _builds[key] = jit(loops, parallel=parallel, fastmath={"contract"})
    return fn
