"""``LBFGS``: limited-memory BFGS with PyTorch's closure protocol and optional strong-Wolfe line
search, giving the same iterates as ``torch.optim.LBFGS``.

Algorithm (Nocedal & Wright, *Numerical Optimization*, 2nd ed., alg. 7.4 and 3.5/3.6; the step
logic follows minFunc as PyTorch's does). With ``s_k = x_{k+1} - x_k``, ``y_k = g_{k+1} - g_k``
kept for the last ``history_size`` iterations where ``y_k . s_k > 1e-10``, the direction is
``d = -H g`` by the two-loop recursion with initial scaling ``H_0 = (y.s)/(y.y)`` of the newest
pair. The first iteration of the first ``step`` uses ``d = -g`` and the step length
``min(1, 1/||g||_1) * lr``; later ones ``lr``. Without a line search the parameters move by
``t d``; with ``line_search_fn="strong_wolfe"`` ``t`` is chosen to satisfy the strong Wolfe
conditions (``c1 = 1e-4``, ``c2 = 0.9``) by bracketing and cubic-interpolation zoom.

One ``step(closure)`` runs up to ``max_iter`` iterations and ``max_eval`` closure evaluations; it
stops early when ``max|g| <= tolerance_grad``, when ``max|t d| <= tolerance_change``, when the
loss changes by less than ``tolerance_change``, or when the directional derivative
``g . d > -tolerance_change``.

The vector algebra runs in numpy on one flat float vector (the parameters' dtype), so, as in
PyTorch, the line-search scalars of float32 parameters are float32. The parameters themselves
are read through ``p.detach().numpy()`` and written with ``add_``/``copy_`` under ``no_grad``.

Differences from PyTorch, on purpose: an unknown ``line_search_fn`` and a second parameter
group are refused when they are given (PyTorch refuses them only in ``step``); ``step()``
without a closure raises a ``TypeError`` that says a closure is required;
``load_state_dict`` checks the shapes of the flat history vectors before changing anything.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any, TypeGuard

import numpy as np

import autograd_core as ag
from autograd_core.creation import _fma
from autograd_core._quiet import quiet
from optimizers.optimizer import (
    REAL_OF, Optimizer, _as_array, _loss_value, real_view, state_tensor)

__all__ = ["LBFGS"]

_LINE_SEARCHES = (None, "strong_wolfe")


def _axpy(y: np.ndarray, a: Any, x: np.ndarray) -> np.ndarray:
    """``y + a * x`` rounded once, as PyTorch's ``y.add_(x, alpha=a)`` gives it on CPU (a fused
    multiply-add with ``a`` in the dtype); rounding ``a * x`` first moved float32 iterates by
    an ulp, which LBFGS without a line search can grow into another minimum."""
    if y.dtype == np.float32:
        return (y.astype(np.float64) + x.astype(np.float64) * np.float64(np.float32(a))).astype(y.dtype)
    if y.dtype == np.float64:
        return _fma(x, np.full_like(x, a), y)
    return y + x * a


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, slope g1) and (x2, f2, slope g2), clamped to
    ``bounds`` (default: the interval between x1 and x2); the midpoint if the cubic has no
    real minimiser."""
    if bounds is not None:
        lo, hi = bounds
    else:
        lo, hi = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Step length ``t`` along ``d`` satisfying the strong Wolfe conditions
    ``f(x + t d) <= f + c1 t g.d`` and ``|g(x + t d).d| <= -c2 g.d``.

    ``obj_func(x, t, d)`` returns ``(loss, flat gradient)`` at ``x + t d``. Returns
    ``(f_new, g_new, t, evaluations)``.
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)

    # bracketing phase: grow t until [t_prev, t] contains an acceptable point
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: the cubic's minimiser within [t + 0.01 (t - t_prev), 10 t]
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    # out of evaluations while bracketing (PyTorch tests ``==``; ``>=`` also covers a
    # non-positive budget, where PyTorch fails with an unbound variable)
    if ls_iter >= max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: shrink the bracket by cubic interpolation until a point satisfies both
    # conditions
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial point too close to an end of the bracket makes little progress: after two
        # such trials in a row (or one outside the bracket) move it to 10% inside
        hi_t, lo_t = max(bracket), min(bracket)
        eps = 0.1 * (hi_t - lo_t)
        if min(hi_t - t, t - lo_t) < eps:
            if insufficient_progress or t >= hi_t or t <= lo_t:
                t = hi_t - eps if abs(t - hi_t) < abs(t - lo_t) else lo_t + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # sufficient decrease fails, or no better than the low end: new high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the minimum lies on the other side of t: the old low end becomes the high
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new

    return bracket_f[low], bracket_g[low], bracket[low], evals


def _check_number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"LBFGS: {name} must be a number, got {type(value).__name__}")


def _is_tensor(value: object) -> TypeGuard[ag.Tensor]:
    return ag.is_tensor(value)


class LBFGS(Optimizer):
    """L-BFGS (see the module docstring for the algorithm), as ``torch.optim.LBFGS``.

    Args:
        params (iterable): the parameters (one group only: L-BFGS keeps one global history).
        lr (float or Tensor): step length multiplier (a 1-element Tensor is accepted).
            Default: ``1``.
        max_iter (int): iterations per ``step``. Default: ``20``.
        max_eval (int, optional): closure evaluations per ``step``. Default:
            ``max_iter * 5 // 4``.
        tolerance_grad (float): stop when ``max|g| <= tolerance_grad``. Default: ``1e-7``.
        tolerance_change (float): stop when the step, the loss change or ``g.d`` is this
            small. Default: ``1e-9``.
        history_size (int): number of ``(s, y)`` pairs kept; memory
            ``(2 * history_size + 2) * numel`` floats. Default: ``100``.
        line_search_fn (str, optional): ``None`` (fixed step ``t``) or ``"strong_wolfe"``.

    ``step(closure)`` needs a closure that zeroes the gradients, recomputes the loss, calls
    ``backward`` and returns the loss; it may be called up to ``max_eval`` times per step. The
    state (``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss``, ``al``) is kept under the first parameter,
    as PyTorch does; vectors are flat numpy arrays over all parameters.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - ag.tensor([3.0, 4.0])) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure)  # the loss at the start of the step
        tensor(40., grad_fn=<SumBackward0>)
        >>> w
        tensor([3., 4.], requires_grad=True)
    """

    def __init__(self, params: Iterable[Any], lr: float | ag.Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if _is_tensor(lr) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if max_eval is None:
            _check_number("max_iter", max_iter)
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    # -- groups and validation -------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Only the constructor's group is allowed (L-BFGS keeps one global history)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _validate_group(self, group):
        lr = group["lr"]
        if _is_tensor(lr):
            lr = lr.item()
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if group["line_search_fn"] not in _LINE_SEARCHES:
            raise RuntimeError("only 'strong_wolfe' is supported")
        for key in ("max_iter", "max_eval", "history_size"):
            _check_number(key, group[key])
        if group["history_size"] < 1:
            raise ValueError(f"LBFGS: history_size must be at least 1, got "
                             f"{group['history_size']}")

    # -- flat views of the parameters --------------------------------------------------------

    def _numel(self):
        if self._numel_cache is None:
            # a complex parameter counts twice: the flat vector holds its real view
            self._numel_cache = sum(real_view(p.detach().numpy()).size for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self):
        pieces = []
        for p in self._params:
            if p.grad is None:
                a = real_view(p.detach().numpy())
                pieces.append(np.zeros(a.size, dtype=a.dtype))
            else:
                g = p.grad.to_dense() if p.grad.is_sparse else p.grad  # as PyTorch's
                pieces.append(real_view(g.detach().numpy()).reshape(-1))
        return np.concatenate(pieces)

    def _add_grad(self, step_size, update):
        """``p += step_size * update`` for every parameter (update is flat)."""
        offset = 0
        with ag.no_grad():
            for p in self._params:
                dtype = p.detach().numpy().dtype
                real = REAL_OF.get(dtype)
                n = int(p.numel()) * (1 if real is None else 2)
                piece = update[offset:offset + n]
                if real is not None:  # complex: the flat vector holds its real view
                    piece = np.ascontiguousarray(piece, dtype=real).view(dtype)
                piece = piece.reshape(tuple(p.shape))
                if real is None:  # real dtypes: one rounding, as PyTorch's add_(alpha)
                    p.copy_(ag.from_numpy(np.asarray(_axpy(p.detach().numpy(), step_size, piece))))
                else:
                    p.add_(ag.from_numpy(piece), alpha=step_size)
                offset += n

    def _clone_param(self):
        return [p.detach().numpy().copy() for p in self._params]

    def _set_param(self, arrays):
        with ag.no_grad():
            for p, a in zip(self._params, arrays):
                p.copy_(ag.from_numpy(a))

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = _loss_value(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # -- the step ----------------------------------------------------------------------------

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Up to ``max_iter`` L-BFGS iterations; returns the loss of the first closure call."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step requires a closure that reevaluates the model and "
                            "returns the loss, e.g. optimizer.step(closure)")
        group = self.param_groups[0]
        self._validate_group_but_lr(group)
        user_state = np.geterr()

        def evaluate():
            # the user's numpy error state in the closure; the iterations' own inf and NaN
            # are silent, as PyTorch's (autograd_core/_quiet.py)
            with ag.enable_grad(), np.errstate(**user_state):
                return closure()
        return self._iterate(group, evaluate)

    @quiet
    def _iterate(self, group, evaluate):
        lr = group["lr"].item() if _is_tensor(group["lr"]) else group["lr"]
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        line_search_fn = group["line_search_fn"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = _loss_value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max(initial=0) <= tolerance_grad:
            return orig_loss

        d = _kept(state.get("d"))
        t = _kept(state.get("t"))
        old_dirs, old_stps, ro = (_kept_list(state.get(k)) for k in ("old_dirs", "old_stps", "ro"))
        h_diag = _kept(state.get("H_diag"))
        prev_flat_grad = _kept(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # -- direction -------------------------------------------------------------------
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # curvature condition: keep the pair
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                al = _kept_list(state.get("al")) or [None] * history_size
                # two-loop recursion: d = -H g
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q[...] = _axpy(q, -al[i], old_dirs[i])
                d = r = q * h_diag
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r[...] = _axpy(r, al[i] - be_i, old_stps[i])
                state["al"] = list(map(_shown, al))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # -- step length ------------------------------------------------------------------
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.add.reduce(np.abs(flat_grad), axis=None)) * lr  # (= .sum(), quiet)
            else:
                t = lr

            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # re-evaluate only if another iteration follows (no use in a stochastic
                    # setting otherwise)
                    loss = _loss_value(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # -- stopping tests ----------------------------------------------------------------
            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _shown(d)
        state["t"] = _shown(t)
        state["old_dirs"], state["old_stps"], state["ro"] = (
            None if v is None else list(map(_shown, v)) for v in (old_dirs, old_stps, ro))
        state["H_diag"] = _shown(h_diag)
        state["prev_flat_grad"] = _shown(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss

    # -- state dict ---------------------------------------------------------------------------

    def _load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict from ``state_dict()``: the groups are checked by the base class, the
        flat history vectors here (floating, ``numel`` long); nothing changes on failure."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError("optimizer state dict must be a dict with keys 'state' and "
                             "'param_groups'")
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):  # ValueError, as the base class
            raise ValueError("'param_groups' must be a list and 'state' a dict")  # noqa: TRY004
        groups = state_dict["param_groups"]
        first = None
        if isinstance(groups, (list, tuple)) and groups and isinstance(groups[0], dict):
            first = (groups[0].get("params") or [None])[0]
        loaded = {}
        for idx, entry in saved_state.items():
            if idx != first:
                raise ValueError(f"LBFGS keeps its state under the first parameter (index "
                                 f"{first!r}); got state for index {idx!r}")
            if not isinstance(entry, dict):
                raise ValueError(f"state[{idx!r}] must be a dict")  # noqa: TRY004
            loaded = {key: self._load_state_value(key, value) for key, value in entry.items()}
            loaded = {key: v if key not in _TENSORS else [_shown(x) for x in v]
                      if isinstance(v, list) else _shown(v) for key, v in loaded.items()}
        super()._load_state_dict({**state_dict, "state": {}})
        self._params = self.param_groups[0]["params"]
        if loaded:
            self.state[self._params[0]] = loaded

    def _load_state_value(self, key, value):
        n = self._numel()
        dtype = np.result_type(*[real_view(p.detach().numpy()).dtype for p in self._params])

        def vector(v, where):
            v = _as_array(v)  # a Tensor's array, or a torch.Tensor's (a PyTorch checkpoint)
            if not isinstance(v, np.ndarray) or v.dtype.kind != "f" or v.shape != (n,):
                shape = getattr(v, "shape", None)
                raise ValueError(f"LBFGS state {where} must be a floating array of shape "
                                 f"({n},), got {type(v).__name__} of shape {shape}")
            return np.array(v, dtype=dtype, copy=True)

        if key in ("d", "prev_flat_grad"):
            return None if value is None else vector(value, repr(key))
        if key in ("old_dirs", "old_stps"):
            if value is None:
                return None
            return [vector(v, f"{key!r}[{i}]") for i, v in enumerate(value)]
        if key in ("ro", "al"):
            return None if value is None else [_scalar(v, dtype) for v in value]
        if key == "t" and isinstance(value, float):  # a step length: a Python float, as kept
            return value
        if key in ("t", "H_diag"):
            return _scalar(value, dtype)
        if isinstance(value, np.generic):
            return value.item()
        return value


def _scalar(value, dtype):
    """A saved 0-d value back as a numpy scalar of the parameters' dtype (Python ints, such as
    the initial ``H_diag = 1``, and None stay as they are)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if ag.is_tensor(value):
        value = value.detach().numpy()
    return np.asarray(value, dtype=dtype)[()]


#: the state PyTorch keeps as tensors (or lists of them); ``t`` is one where it was computed
#: from the gradient (a Python float where it is ``lr``), ``prev_loss`` and the counters are
#: numbers
_TENSORS = frozenset(("d", "prev_flat_grad", "H_diag", "old_dirs", "old_stps", "ro", "al", "t"))


def _shown(value):
    """A history value as the state shows it (PyTorch keeps Tensors): an array as a Tensor
    sharing it, a numpy scalar as a 0-d Tensor; Python numbers and None unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        return state_tensor(np.asarray(value))
    return value


def _kept(value):
    """A state value as the step computes with it: a Tensor's array (shared; a 0-d one as a
    numpy scalar); anything else unchanged."""
    if ag.is_tensor(value):
        data = value._data
        return data[()] if data.ndim == 0 else data
    return value


def _kept_list(value) -> Any:
    """A state list (``old_dirs``...) as the step computes with it (None stays None)."""
    return None if value is None else [_kept(v) for v in value]
