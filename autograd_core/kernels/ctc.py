"""Connectionist temporal classification (Graves et al. 2006): the log-space forward-backward
recursions of ``ctc_loss``, Numba loops with numpy twins.

Arrays: ``log_probs`` ``(T, N, C)`` float32/float64, C-contiguous; ``targets`` ``(N, S)`` int64
(padded); ``input_lengths``, ``target_lengths`` ``(N,)`` int64, checked against the shapes
before any loop runs (``ValueError`` naming the kernel), so no loop reads out of bounds. The
extended label sequence of sample ``n`` is ``blank, t_1, blank, t_2, ..., t_L, blank``.

    ctc_forward(log_probs, targets, input_lengths, target_lengths, blank)
        -> nll (N,) float64, log_alpha (N, T, 2 S + 1) float64
    ctc_backward(grad_out, log_probs, targets, input_lengths, target_lengths, nll,
                 log_alpha, blank, zero_infinity)
        -> (T, N, C) in log_probs' dtype: PyTorch's gradient with respect to log_probs,
           ``(exp(lp) - exp(log(sum of alpha * beta over the states of c) + nll - lp))
           * grad_out[n]`` for ``t < input_lengths[n]``, 0 after (and for a sample whose
           nll is infinite under ``zero_infinity``)

Sums are in float64 (PyTorch sums float32 inputs in float32). ``TAPEGRAD_KERNELS=numpy`` runs
the twins (``*_numpy``); the serial loop runs below :data:`PARALLEL_MIN_SIZE` elements of
``log_probs``, the samples are split across threads above. Importing this module does not import
numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["ctc_forward", "ctc_backward", "ctc_forward_numpy", "ctc_backward_numpy",
           "PARALLEL_MIN_SIZE"]

#: From this many elements of ``log_probs`` on, samples run on several threads. Measured on the
#: shared 2-core machine under load (load average ~4.6; T=100, C=20, S=20, float32, forward +
#: backward, 2 Numba threads): the parallel build gained nothing from N=4 to N=256 (8k to 512k
#: elements; serial 1.1 ms at N=4, 228 ms at N=256), so it is kept for larger batches only.
PARALLEL_MIN_SIZE = _jit.parallel_threshold(default=1 << 20)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NEG_INF = -math.inf


# ---- numpy twins (the specification) ------------------------------------------------------
def _primes(targets_n, length, blank):
    """The extended label sequence: blanks around and between the ``length`` labels."""
    ext = np.full(2 * length + 1, blank, dtype=np.int64)
    ext[1::2] = targets_n[:length]
    return ext


def _lse(*terms):
    """``log(sum(exp(terms)))`` elementwise, with PyTorch's guard: a max of -inf counts as 0."""
    m = np.maximum.reduce(terms)
    m = np.where(m == _NEG_INF, 0.0, m)
    with np.errstate(divide="ignore"):
        return np.log(sum(np.exp(t - m) for t in terms)) + m


def _can_skip(ext):
    """Whether state ``s`` may be reached from ``s - 2`` (a label unlike the one before)."""
    skip = np.zeros(len(ext), bool)
    skip[2:] = ext[2:] != ext[:-2]
    return skip


def ctc_forward_numpy(log_probs, targets, input_lengths, target_lengths, blank):
    T, N, _ = log_probs.shape
    width = 2 * targets.shape[1] + 1
    log_alpha = np.full((N, T, width), _NEG_INF)
    nll = np.zeros(N)
    for n in range(N):
        t_len, l_len = int(input_lengths[n]), int(target_lengths[n])
        ext = _primes(targets[n], l_len, blank)
        k = len(ext)
        lp = log_probs[:, n, :].astype(np.float64)
        la = log_alpha[n]
        if t_len > 0:
            la[0, 0] = lp[0, blank]
            if l_len > 0:
                la[0, 1] = lp[0, ext[1]]
        skip = _can_skip(ext)
        for t in range(1, t_len):
            prev = la[t - 1, :k]
            one, two = np.full(k, _NEG_INF), np.full(k, _NEG_INF)
            one[1:] = prev[:-1]
            two[2:] = prev[:-2]
            two = np.where(skip, two, _NEG_INF)
            la[t, :k] = _lse(prev, one, two) + lp[t, ext]
        if t_len == 0:
            nll[n] = 0.0 if l_len == 0 else math.inf
        elif l_len == 0:
            nll[n] = -la[t_len - 1, 0]
        else:
            nll[n] = -_lse(la[t_len - 1, k - 1], la[t_len - 1, k - 2])
    return nll, log_alpha


def ctc_backward_numpy(grad_out, log_probs, targets, input_lengths, target_lengths, nll,
                       log_alpha, blank, zero_infinity):
    T, N, C = log_probs.shape
    grad = np.zeros((T, N, C))
    for n in range(N):
        t_len, l_len = int(input_lengths[n]), int(target_lengths[n])
        if t_len == 0 or (zero_infinity and nll[n] == math.inf):
            continue
        ext = _primes(targets[n], l_len, blank)
        k = len(ext)
        lp = log_probs[:, n, :].astype(np.float64)
        la = log_alpha[n][:, :k]
        lb = np.full((T, k), _NEG_INF)
        lb[t_len - 1, k - 1] = lp[t_len - 1, blank]
        if l_len > 0:
            lb[t_len - 1, k - 2] = lp[t_len - 1, ext[k - 2]]
        skip_next = np.zeros(k, bool)
        skip_next[:-2] = ext[:-2] != ext[2:]
        for t in range(t_len - 2, -1, -1):
            nxt = lb[t + 1]
            one, two = np.full(k, _NEG_INF), np.full(k, _NEG_INF)
            one[:-1] = nxt[1:]
            two[:-2] = nxt[2:]
            two = np.where(skip_next, two, _NEG_INF)
            lb[t] = _lse(nxt, one, two) + lp[t, ext]
        ab = la[:t_len] + lb[:t_len]  # (t_len, k): log(alpha * beta), lp counted twice
        lcab = np.full((t_len, C), _NEG_INF)
        for s in range(k):  # states in order, as PyTorch accumulates them
            c = ext[s]
            cur = lcab[:, c]
            m = np.maximum(cur, ab[:, s])
            with np.errstate(invalid="ignore"):
                both = np.log(np.exp(cur - m) + np.exp(ab[:, s] - m)) + m
            lcab[:, c] = np.where(cur == _NEG_INF, ab[:, s], both)
        with np.errstate(over="ignore", invalid="ignore"):
            grad[:t_len, n] = (np.exp(lp[:t_len]) - np.exp(lcab + nll[n] - lp[:t_len])) * \
                grad_out[n]
    return grad.astype(log_probs.dtype)


# ---- Numba loops (serial and parallel builds are separate functions: see _jit) --------------
def _lse3(a, b, c):
    # the twin's log(exp(a - m) + exp(b - m) + exp(c - m)) + m, bit for bit: a -inf term
    # adds an exact 0, so its exp is skipped, and a single finite term m gives log(1) + m = m
    m = max(a, max(b, c))
    if m == _NEG_INF:  # (max can drop a NaN beside -inf: the twin's np.maximum keeps it)
        return a + b + c if a != a or b != b or c != c else _NEG_INF
    s = 0.0
    if a != _NEG_INF:
        s += math.exp(a - m)
    if b != _NEG_INF:
        s += math.exp(b - m)
    if c != _NEG_INF:
        s += math.exp(c - m)
    return math.log(s) + m


def _prime(targets, n, s, blank):
    return blank if s % 2 == 0 else targets[n, s // 2]


def _forward_one(n, log_probs, targets, input_lengths, target_lengths, blank, nll, log_alpha):
    t_len, l_len = input_lengths[n], target_lengths[n]
    k = 2 * l_len + 1
    la = log_alpha[n]
    if t_len > 0:
        la[0, 0] = log_probs[0, n, blank]
        if l_len > 0:
            la[0, 1] = log_probs[0, n, targets[n, 0]]
    for t in range(1, t_len):
        for s in range(k):
            c = _prime(targets, n, s, blank)
            a1 = la[t - 1, s]
            a2 = la[t - 1, s - 1] if s > 0 else _NEG_INF
            a3 = _NEG_INF
            if s > 1 and _prime(targets, n, s - 2, blank) != c:
                a3 = la[t - 1, s - 2]
            la[t, s] = _lse3(a1, a2, a3) + log_probs[t, n, c]
    if t_len == 0:
        nll[n] = 0.0 if l_len == 0 else math.inf
    elif l_len == 0:
        nll[n] = -la[t_len - 1, 0]
    else:
        nll[n] = -_lse3(la[t_len - 1, k - 1], la[t_len - 1, k - 2], _NEG_INF)


def _backward_one(n, grad_out, log_probs, targets, input_lengths, target_lengths, nll,
                  log_alpha, blank, zero_infinity, log_beta, lcab, grad):
    t_len, l_len = input_lengths[n], target_lengths[n]
    if t_len == 0 or (zero_infinity and nll[n] == math.inf):
        return
    k = 2 * l_len + 1
    C = log_probs.shape[2]
    la, lb, lc = log_alpha[n], log_beta[n], lcab[n]
    lb[t_len - 1, k - 1] = log_probs[t_len - 1, n, blank]
    if l_len > 0:
        lb[t_len - 1, k - 2] = log_probs[t_len - 1, n, targets[n, l_len - 1]]
    for t in range(t_len - 2, -1, -1):
        for s in range(k):
            c = _prime(targets, n, s, blank)
            b1 = lb[t + 1, s]
            b2 = lb[t + 1, s + 1] if s < k - 1 else _NEG_INF
            b3 = _NEG_INF
            if s < k - 2 and _prime(targets, n, s + 2, blank) != c:
                b3 = lb[t + 1, s + 2]
            lb[t, s] = _lse3(b1, b2, b3) + log_probs[t, n, c]
    for t in range(t_len):
        for c in range(C):
            lc[t, c] = _NEG_INF
        for s in range(k):
            c = _prime(targets, n, s, blank)
            ab = la[t, s] + lb[t, s]
            cur = lc[t, c]
            if cur == _NEG_INF:
                lc[t, c] = ab
            else:
                m = max(cur, ab)
                lc[t, c] = math.log(math.exp(cur - m) + math.exp(ab - m)) + m
        g = grad_out[n]
        finite = nll[n] != math.inf
        for c in range(C):
            lp = np.float64(log_probs[t, n, c])
            occupied = lc[t, c]  # -inf for a class no state carries: exp gives exactly 0
            skip = occupied == _NEG_INF and finite  # (with an infinite nll, NaN as PyTorch)
            gamma = 0.0 if skip else math.exp(occupied + nll[n] - lp)
            grad[t, n, c] = (math.exp(lp) - gamma) * g


def _forward_loop(log_probs, targets, input_lengths, target_lengths, blank, nll, log_alpha):
    for n in _range(log_probs.shape[1]):
        _forward_one(n, log_probs, targets, input_lengths, target_lengths, blank, nll,
                     log_alpha)


def _backward_loop(grad_out, log_probs, targets, input_lengths, target_lengths, nll, log_alpha,
                   blank, zero_infinity, log_beta, lcab, grad):
    for n in _range(log_probs.shape[1]):
        _backward_one(n, grad_out, log_probs, targets, input_lengths, target_lengths, nll,
                      log_alpha, blank, zero_infinity, log_beta, lcab, grad)


_range = range
_BUILDS: dict = {}


def _builds(name):
    """(serial, parallel) Numba builds of loop ``name`` (the parallel one with ``_range``
    bound to ``numba.prange``) and of the per-sample helpers they call."""
    pair = _BUILDS.get(name)
    if pair is None:
        numba = _jit.numba_module()
        helpers = {h: numba.njit(cache=True, **_jit.BASE_OPTIONS)(globals()[h])
                   for h in ("_lse3", "_prime")}
        glb_one = dict(globals(), **helpers)
        one = {h: numba.njit(cache=True, **_jit.BASE_OPTIONS)(_copy(globals()[h], glb_one, h))
               for h in ("_forward_one", "_backward_one")}
        _BUILDS[name] = pair = _jit.serial_parallel(globals()[name],
                                                    dict(globals(), **helpers, **one))
    return pair


def _copy(fn, glb, name):
    import types

    copy = types.FunctionType(fn.__code__, glb, name)
    copy.__qualname__ = name
    return copy


def _run(name, size, *args):
    serial, parallel = _builds(name)
    big = size >= PARALLEL_MIN_SIZE and _jit.parallel_enabled()
    (parallel if big else serial)(*args)


def _check(kernel, log_probs, targets, input_lengths, target_lengths, blank):
    if not isinstance(log_probs, np.ndarray) or log_probs.ndim != 3 or \
            log_probs.dtype not in _FLOATS or not log_probs.flags.c_contiguous:
        raise ValueError(f"{kernel}: log_probs must be a C-contiguous 3-D float32/float64 array "
                         f"(T, N, C), got {getattr(log_probs, 'dtype', type(log_probs))} of "
                         f"shape {getattr(log_probs, 'shape', None)}")
    T, N, C = log_probs.shape
    if targets.dtype != np.int64 or targets.ndim != 2 or targets.shape[0] != N or \
            not targets.flags.c_contiguous:
        raise ValueError(f"{kernel}: targets must be a C-contiguous int64 array ({N}, S), got "
                         f"{targets.dtype} {targets.shape}")
    for what, arr in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if arr.dtype != np.int64 or arr.shape != (N,):
            raise ValueError(f"{kernel}: {what} must be an int64 array ({N},), got {arr.dtype} "
                             f"{arr.shape}")
    if N and (input_lengths.min() < 0 or input_lengths.max() > T or target_lengths.min() < 0
              or target_lengths.max() > targets.shape[1]):
        raise ValueError(f"{kernel}: lengths out of range (T={T}, S={targets.shape[1]})")
    if not 0 <= blank < C:
        raise ValueError(f"{kernel}: blank {blank} is not a class in [0, {C})")
    if targets.size and N and (targets.min() < 0 or targets.max() >= C):
        for n in range(N):  # only the labels within each target length are read
            used = targets[n, :target_lengths[n]]
            if used.size and (used.min() < 0 or used.max() >= C):
                raise ValueError(f"{kernel}: a target label is not a class in [0, {C})")


def ctc_forward(log_probs, targets, input_lengths, target_lengths, blank):
    """``(nll, log_alpha)``: the negative log-likelihood of each sample's target and the
    forward variables (float64)."""
    _check("ctc_forward", log_probs, targets, input_lengths, target_lengths, blank)
    if not _jit.use_numba():
        return ctc_forward_numpy(log_probs, targets, input_lengths, target_lengths, blank)
    T, N, _ = log_probs.shape
    nll = np.zeros(N)
    log_alpha = np.full((N, T, 2 * targets.shape[1] + 1), _NEG_INF)
    _run("_forward_loop", log_probs.size, log_probs, targets, input_lengths, target_lengths,
         int(blank), nll, log_alpha)
    return nll, log_alpha


def ctc_backward(grad_out, log_probs, targets, input_lengths, target_lengths, nll, log_alpha,
                 blank, zero_infinity):
    """PyTorch's gradient of the per-sample ``nll`` with respect to ``log_probs``, scaled by
    ``grad_out`` (N,)."""
    _check("ctc_backward", log_probs, targets, input_lengths, target_lengths, blank)
    T, N, C = log_probs.shape
    grad_out = np.ascontiguousarray(grad_out, dtype=np.float64)
    if grad_out.shape != (N,) or nll.shape != (N,) or \
            log_alpha.shape != (N, T, 2 * targets.shape[1] + 1):
        raise ValueError(f"ctc_backward: grad_out and nll must be ({N},), log_alpha "
                         f"({N}, {T}, {2 * targets.shape[1] + 1}); got {grad_out.shape}, "
                         f"{nll.shape}, {log_alpha.shape}")
    if not _jit.use_numba():
        return ctc_backward_numpy(grad_out, log_probs, targets, input_lengths, target_lengths,
                                  nll, log_alpha, blank, zero_infinity)
    grad = np.zeros((T, N, C), dtype=log_probs.dtype)
    log_beta = np.full(log_alpha.shape, _NEG_INF)
    lcab = np.empty((N, T, C))
    _run("_backward_loop", log_probs.size, grad_out, log_probs, targets, input_lengths,
         target_lengths, np.ascontiguousarray(nll, dtype=np.float64), log_alpha, int(blank),
         bool(zero_infinity), log_beta, lcab, grad)
    return grad
