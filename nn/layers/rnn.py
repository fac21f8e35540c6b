"""Recurrent layers with PyTorch's names, shapes, gate order and initialisation.

Cells (one time step): ``RNNCell`` (tanh or relu), ``LSTMCell``, ``GRUCell``. Multi-step,
multi-layer: ``RNN``, ``LSTM``, ``GRU`` (``batch_first``, ``num_layers``, ``dropout`` between
layers, ``bidirectional``, LSTM ``proj_size``). Parameters are named as PyTorch names them
(``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``,
``weight_hr_l0``; cells: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``), so state
dicts move between the two libraries unchanged. Every parameter starts as
``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

The equations (``W_i*`` rows of ``weight_ih``, ``W_h*`` rows of ``weight_hh``, in this order)::

    RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)
    LSTM: i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh, 4)
          c' = sigmoid(f) * c + sigmoid(i) * tanh(g);   h' = sigmoid(o) * tanh(c')
          (with proj_size > 0: h' = W_hr h')
    GRU:  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr);  z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn));  h' = (1 - z) * n + z * h

The input projection of a whole layer is one matrix product over all time steps; per step run
the recurrent product and, for LSTM and GRU, one fused node for the gate activations and the
state update (plain backward: one Numba loop per step, ``kernels.gates``, the numpy formulas'
operations in their order; recorded tensor ops under ``create_graph``, so higher-order
gradients work). The gates' sigmoid and tanh are numpy's in forward.

A ``PackedSequence`` input (``nn.utils.rnn``) runs each step on the sequences still going and
gives a packed output. Deliberate difference from PyTorch: an unknown
``RNNCell`` nonlinearity is refused by the constructor (PyTorch accepts it and fails in
``forward``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.device import check_device
from autograd_core.kernels import gates as GK
from autograd_core.node import Node
from autograd_core.ops.registry import refuse_capture
from nn import functional as F
from nn import init
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]


def _chunk(x, n):
    """``n`` equal pieces of ``x`` along its last dimension (one node: ``split``)."""
    return ag.split(x, x.shape[-1] // n, -1)


def _unbind(x):
    """The slices ``x[0], x[1], ...`` along dimension 0 (one node: ``unbind``)."""
    return ag.unbind(x, 0)


def _affine(x, weight_t, bias):
    """``x @ weight.T + bias`` for an (N, in) ``x`` and a pre-transposed weight."""
    y = x.matmul(weight_t)
    return y if bias is None else y + bias


# ---- one time step, given the input projection ``gi = W_ih x + b_ih`` ----------------------
# The LSTM and GRU pointwise parts (gate activations and state update) are one node each: in
# plain backward their gradient is one loop (kernels.gates: lstm_cell_grad, gru_cell_grad, whose
# numpy twins are the formulas) over values saved in forward; under
# create_graph the same formulas run as recorded tensor ops on values recomputed from the
# node's inputs, so higher derivatives stay exact.

def _sigmoid(x):
    with np.errstate(over="ignore"):  # exp(-x) = inf for very negative x gives 0, as it should
        return 1 / (1 + np.exp(-x))


class _LSTMPointwise(Node):
    """``(gates, c) -> (h', c')`` with ``i, f, g, o = split(gates, 4)``."""

    n_outputs = 2

    def forward(self, gates, c):
        h, c_new, self.values = _lstm_cell_np(gates, c)
        self.save_for_backward(gates, c)
        return h, c_new

    def backward(self, grad_h, grad_c):
        gates, c = self.saved  # (refuses when either was modified in place since)
        if self.differentiable:  # create_graph: recorded ops on recomputed values
            i, f, g, o = _chunk(gates, 4)
            i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
            tc = (f * c + i * g).tanh()
            dc_new = grad_c + grad_h * o * (1 - tc * tc)
            d_gates = ag.cat([dc_new * g * i * (1 - i), dc_new * c * f * (1 - f),
                              dc_new * i * (1 - g * g), grad_h * tc * o * (1 - o)], -1)
            return d_gates, dc_new * f
        return _lstm_cell_grad_np(self.values, grad_h, grad_c)


class _GRUPointwise(Node):
    """``(gi, gh, h) -> h'`` with ``gi = W_ih x + b_ih`` and ``gh = W_hh h + b_hh``."""

    def forward(self, gi, gh, h):
        h_new, self.values = _gru_cell_np(gi, gh, h)
        self.save_for_backward(gi, gh, h)
        return h_new

    def backward(self, grad):
        gi, gh, h = self.saved
        if self.differentiable:  # create_graph: recorded ops on recomputed values
            i_r, i_z, i_n = _chunk(gi, 3)
            h_r, h_z, hn = _chunk(gh, 3)
            r, z = (i_r + h_r).sigmoid(), (i_z + h_z).sigmoid()
            n = (i_n + r * hn).tanh()
            d_n = grad * (1 - z) * (1 - n * n)
            d_r = d_n * hn * r * (1 - r)
            d_z = grad * (h - n) * z * (1 - z)
            return ag.cat([d_r, d_z, d_n], -1), ag.cat([d_r, d_z, d_n * r], -1), grad * z
        return _gru_cell_grad_np(self.values, grad)


# ---- a whole layer direction in one node -------------------------------------------------
# Per step, the recorded path costs a matmul node, an add node and the pointwise node, each with
# its engine bookkeeping in backward (LSTM 256x256, 64 steps: ~3x torch). ``_Sequence`` runs
# the same numpy expressions over all steps in one node (forward bit-identical to the per-step
# nodes) and a fused backward through time: per step only the recurrent product, then one
# product for the weight gradient of all steps. Under create_graph its backward re-runs the
# per-step nodes and differentiates them (recorded), so higher derivatives stay exact.

def _lstm_cell_np(a, c, scratch=False):
    """The LSTM pointwise step on arrays: ``(h', c', saved values)``. ``scratch``: ``a`` may
    be overwritten (its sigmoid is then computed in place: the same operations)."""
    n = a.shape[-1] // 4
    g = np.tanh(a[:, 2 * n:3 * n])
    with np.errstate(over="ignore"):  # sigmoid, 1 / (1 + exp(-a)), step by step as _sigmoid
        s = np.negative(a, out=a if scratch else None)
        np.exp(s, out=s)
        np.add(1, s, out=s)
        np.divide(1, s, out=s)
    i, f, o = s[:, :n], s[:, n:2 * n], s[:, 3 * n:]
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    return o * tc, c_new, (s, g, tc, c)


def _lstm_cell_grad_np(values, gh, gc, out=None):
    """``(d_gates, d_c)`` of the LSTM pointwise step (``d_gates`` written into ``out`` if
    given)."""
    return GK.lstm_cell_grad(*values, gh, gc, out=out)


def _gru_cell_np(a, b, h):
    """The GRU pointwise step on arrays (``a = gi``, ``b = gh``): ``(h', saved values)``."""
    k = a.shape[-1] // 3
    rz = _sigmoid(a[:, :2 * k] + b[:, :2 * k])
    r, z = rz[:, :k], rz[:, k:]
    hn = b[:, 2 * k:]
    n = np.tanh(a[:, 2 * k:] + r * hn)
    return n + z * (h - n), (rz, n, b, h)


def _gru_cell_grad_np(values, g, out_gi=None, out_gh=None):
    """``(d_gi, d_gh, d_h)`` of the GRU pointwise step (the first two written into ``out_gi``,
    ``out_gh`` if given)."""
    return GK.gru_cell_grad(*values, g, out_gi, out_gh)


def _add_into(x, y):
    """``x + y``, written into ``x`` when that keeps the sum's dtype (the same sums, one
    allocation less)."""
    return np.add(x, y, out=x if np.result_type(x, y) == x.dtype else None)


def _steps(seq, reverse):
    return range(seq - 1, -1, -1) if reverse else range(seq)


def _sequence_composite(gi, h0, c0, w_hh, b_hh, mode, reverse):
    """``_Sequence``'s outputs through the per-step nodes (recorded: create_graph's path)."""
    w_hh_t = w_hh.T
    h, c = h0, c0
    gis = _unbind(gi)
    out = [None] * gi.shape[0]
    for t in _steps(gi.shape[0], reverse):
        if mode == "LSTM":
            h, c = _lstm_step(gis[t], h, c, w_hh_t, b_hh)
        elif mode == "GRU":
            h = _gru_step(gis[t], h, w_hh_t, b_hh)
        else:
            h = _rnn_step(gis[t], h, w_hh_t, b_hh, "tanh" if mode == "RNN_TANH" else "relu")
        out[t] = h
    return (ag.stack(out, 0), h) + ((c,) if mode == "LSTM" else ())


class _Sequence(Node):
    """``(gi, h0, c0, w_hh, b_hh) -> (output, h_n[, c_n])`` for one layer direction: ``gi``
    ``(T, B, G)`` the input projection of every step, ``output`` ``(T, B, H)`` the states.
    A graph node (not a user Function), so ``ag.compile`` captures and replays it."""

    n_outputs = 0  # per node: 3 for LSTM (c_n too), else 2; set by forward

    def forward(self, gi, h0, c0, w_hh, b_hh, mode, reverse):
        from autograd_core import kernels as K

        a, h, w, c, b = gi, h0, w_hh, c0, b_hh
        w_t = np.ascontiguousarray(w.T)  # (the same products as the transposed view, 2x faster)
        seq = a.shape[0]
        out = np.empty((seq,) + h.shape, np.result_type(a.dtype, h.dtype))
        values = [None] * seq
        for t in _steps(seq, reverse):
            gh = h @ w_t
            if b is not None:
                gh = _add_into(gh, b)
            if mode == "LSTM":
                pre = np.add(a[t], gh, out=gh if np.result_type(a, gh) == gh.dtype else None)
                h, c, values[t] = _lstm_cell_np(pre, c, scratch=pre is gh)
            elif mode == "GRU":
                h, values[t] = _gru_cell_np(a[t], gh, h)
            elif mode == "RNN_TANH":
                h = K.tanh_forward(a[t] + gh)
                values[t] = h
            else:
                h = K.relu_forward(a[t] + gh)
                values[t] = h
            out[t] = h
        self.save_for_backward(gi, h0, c0, w_hh, b_hh)
        self.mode, self.reverse, self.values, self.out = mode, reverse, values, out
        self.n_outputs = 3 if mode == "LSTM" else 2
        # the caller's own copies: backward reads ``out`` (each step's state), which an
        # in-place change of the output must not reach
        outs = (out.copy(), out[seq - 1 if not reverse else 0].copy())
        return outs + ((c,) if mode == "LSTM" else ())

    def backward(self, grad_out, grad_h, *grad_c):
        from autograd_core import kernels as K

        gi, h0, c0, w_hh, b_hh = self.saved  # (refuses after an in-place change of one)
        mode, reverse = self.mode, self.reverse
        need = self.needs_input_grad
        if self.differentiable:  # create_graph: the per-step nodes, differentiated (recorded)
            args = [gi, h0, c0, w_hh, b_hh]
            wrt = [k for k, v in enumerate(args) if v is not None and need[k]]
            outs = _sequence_composite(gi, h0, c0, w_hh, b_hh, mode, reverse)
            got = ag.autograd.grad(outs, [args[k] for k in wrt],
                                   (grad_out, grad_h) + tuple(grad_c), create_graph=True,
                                   allow_unused=True)
            res: list = [None] * 5
            for k, g in zip(wrt, got):
                res[k] = g
            return tuple(res)
        go, dh, w, out = grad_out, grad_h, w_hh, self.out
        dc = grad_c[0] if mode == "LSTM" else None
        seq = go.shape[0]
        d_gi = np.empty(go.shape[:2] + (w.shape[0],), np.result_type(go.dtype, w.dtype))
        d_gh = d_gi if mode != "GRU" else np.empty_like(d_gi)
        # the state each step read: h0, then the outputs in the order of the steps
        def h_prev(t):
            first = t == (seq - 1 if reverse else 0)
            return h0 if first else out[t + 1 if reverse else t - 1]

        # the weight and bias gradients accumulate per step in backward's order, as the
        # per-step nodes (and PyTorch's) do: h^T @ d_gh, then transposed
        gwt = gb = step_w = None
        dz = None  # GRU: the gradient through z * h, added before the product's (as the
        for t in _steps(seq, not reverse):  # engine summed them: the same numbers)
            gh_t = go[t] + dh if dz is None else (go[t] + dz) + dh
            if mode == "LSTM":
                dc = _lstm_cell_grad_np(self.values[t], gh_t, dc, out=d_gi[t])[1]
                dh = d_gi[t] @ w
            elif mode == "GRU":
                dz = _gru_cell_grad_np(self.values[t], gh_t, d_gi[t], d_gh[t])[2]
                dh = d_gh[t] @ w
            else:
                y = self.values[t]
                d_gi[t] = (K.tanh_backward(y, gh_t) if mode == "RNN_TANH"
                           else K.relu_backward(y, gh_t))
                dh = d_gi[t] @ w
            if need[3]:  # (each step's product into one buffer, added in place)
                hp = h_prev(t)
                if gwt is None:
                    gwt = hp.T @ d_gh[t]
                else:
                    if step_w is None or step_w.dtype != np.result_type(hp, d_gh):
                        step_w = hp.T @ d_gh[t]
                    else:
                        np.matmul(hp.T, d_gh[t], out=step_w)
                    gwt = _add_into(gwt, step_w)
            if b_hh is not None and need[4]:
                step = d_gh[t].sum(0)
                gb = step if gb is None else _add_into(gb, step)
        gw = None if gwt is None else np.ascontiguousarray(gwt.T)
        if dz is not None:
            dh = dz + dh
        return (d_gi if need[0] else None,
                np.ascontiguousarray(dh) if need[1] else None,
                np.ascontiguousarray(dc) if mode == "LSTM" and need[2] else None,
                gw, gb)


def _rnn_step(gi, h, w_hh_t, b_hh, nonlinearity):
    pre = gi + _affine(h, w_hh_t, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def _lstm_step(gi, h, c, w_hh_t, b_hh, w_hr_t=None):
    h, c = _LSTMPointwise.apply(gi + _affine(h, w_hh_t, b_hh), c)
    if w_hr_t is not None:
        h = h.matmul(w_hr_t)
    return h, c


def _gru_step(gi, h, w_hh_t, b_hh):
    return _GRUPointwise.apply(gi, _affine(h, w_hh_t, b_hh), h)


def _check_tensor(module, name, value):
    if not ag.is_tensor(value):
        raise TypeError(f"{module}: {name} must be a Tensor, got {type(value).__name__}")


def _new_weight(shape, dtype):
    return Parameter(np.empty(shape, dtype=dtype))


def _resolve_dtype(dtype):
    return np.dtype(dtype) if dtype is not None else ag.get_default_dtype()


# ---- cells ----------------------------------------------------------------------------------

class RNNCellBase(Module):
    """Base of :class:`RNNCell`, :class:`LSTMCell` and :class:`GRUCell`: their parameters,
    initialisation and input checks.

    Parameters: ``weight_ih`` (num_chunks*hidden, input), ``weight_hh`` (num_chunks*hidden,
    hidden) and, with ``bias``, ``bias_ih``/``bias_hh`` (num_chunks*hidden,), all from
    ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        bias (bool): use ``bias_ih`` and ``bias_hh``. Default: ``True``.
        num_chunks (int): gates stacked in the weights' rows (1 RNN, 4 LSTM, 3 GRU).
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> cell = nn.GRUCell(4, 5)
        >>> isinstance(cell, nn.RNNCellBase), tuple(cell.weight_ih.shape)
        (True, (15, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        check_device(device, type(self).__name__)
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if value < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {value}: "
                                   f"{name} must not be negative")
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.bias = bias
        dtype = _resolve_dtype(dtype)
        rows = num_chunks * self.hidden_size
        self.weight_ih = _new_weight((rows, self.input_size), dtype)
        self.weight_hh = _new_weight((rows, self.hidden_size), dtype)
        if bias:
            self.bias_ih = _new_weight((rows,), dtype)
            self.bias_hh = _new_weight((rows,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, n_states):
        """Validate; return (batched input, list of batched states or None, is_batched)."""
        name = type(self).__name__
        _check_tensor(name, "input", input)
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        states = None
        if hx is not None:
            if n_states == 2 and not isinstance(hx, (tuple, list)):  # PyTorch's type and wording
                raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of "
                                f"Tensors, not {type(hx).__name__}")
            states = [hx] if n_states == 1 else list(hx)
            if n_states == 2 and len(states) != 2:
                raise RuntimeError("lstm_cell expects two hidden states")
            for idx, value in enumerate(states):
                _check_tensor(name, "hx" if n_states == 1 else f"hx[{idx}]", value)
                if value.ndim not in (1, 2):
                    what = "hidden" if n_states == 1 else f"hx[{idx}]"
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got "
                                     f"{value.ndim}D instead")
        is_batched = input.ndim == 2
        if not is_batched:
            input = input.unsqueeze(0)
            if states is not None:
                states = [s.unsqueeze(0) for s in states]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        if input.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"{name}: input dtype ({input.dtype}) does not match weight "
                               f"dtype ({self.weight_ih.dtype})")
        if states is not None:
            for idx, s in enumerate(states):
                if s.ndim != 2:
                    raise RuntimeError(f"{name}: input of shape {tuple(input.shape)} needs "
                                       f"hidden states of shape (batch, {self.hidden_size}), "
                                       f"got hidden{idx} of shape {tuple(s.shape)}")
                if s.shape[0] != input.shape[0]:
                    raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                       f"hidden{idx} batch size {s.shape[0]}")
                if s.shape[1] != self.hidden_size:
                    raise RuntimeError(f"hidden{idx} has inconsistent hidden_size: got "
                                       f"{s.shape[1]}, expected {self.hidden_size}")
        return input, states, is_batched

    def _zeros(self, input):
        return ag.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)

    def _input_gates(self, input):
        return _affine(input, self.weight_ih.T, self.bias_ih)


class RNNCell(RNNCellBase):
    """Elman cell: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    ``forward(input, hx=None)``: input (batch, input_size) or (input_size,); ``hx`` of the
    matching (batch, hidden_size) / (hidden_size,) shape, zeros if omitted. Returns ``h'``.
    Differs from PyTorch: an unknown ``nonlinearity`` is refused here, not in ``forward``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        bias (bool): use ``bias_ih`` and ``bias_hh``. Default: ``True``.
        nonlinearity (str): ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(N, input_size)`` or ``(input_size)``
        - hx: ``(N, hidden_size)`` or ``(hidden_size)``; output: the same.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> cell = nn.RNNCell(10, 20)
        >>> x, hx = ag.randn(6, 3, 10), ag.randn(3, 20)
        >>> for t in range(6):
        ...     hx = cell(x[t], hx)
        >>> hx.shape
        autograd_core.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, states, is_batched = self._prepare(input, hx, 1)
        h = self._zeros(input) if states is None else states[0]
        out = _rnn_step(self._input_gates(input), h, self.weight_hh.T, self.bias_hh,
                        self.nonlinearity)
        return out if is_batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """Long short-term memory cell (gates i, f, g, o in this order in the weights' rows).

    ``forward(input, hx=None)`` with ``hx = (h, c)`` (zeros if omitted); returns ``(h', c')``.
    The gate activations and state update are one fused graph node.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        bias (bool): use ``bias_ih`` and ``bias_hh``. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(N, input_size)`` or ``(input_size)``
        - h, c (in and out): ``(N, hidden_size)`` or ``(hidden_size)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(ag.randn(3, 10))
        >>> h.shape, c.shape
        (autograd_core.Size([3, 20]), autograd_core.Size([3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor,
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        input, states, is_batched = self._prepare(input, hx, 2)
        if states is None:
            states = [self._zeros(input), self._zeros(input)]
        h, c = _lstm_step(self._input_gates(input), states[0], states[1], self.weight_hh.T,
                          self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """Gated recurrent unit cell (gates r, z, n in this order in the weights' rows; PyTorch's
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``).

    ``forward(input, hx=None)``; returns ``h'``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        bias (bool): use ``bias_ih`` and ``bias_hh``. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(N, input_size)`` or ``(input_size)``
        - hx: ``(N, hidden_size)`` or ``(hidden_size)``; output: the same.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> cell = nn.GRUCell(10, 20)
        >>> cell(ag.randn(10)).shape
        autograd_core.Size([20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, states, is_batched = self._prepare(input, hx, 1)
        h = self._zeros(input) if states is None else states[0]
        out = _gru_step(self._input_gates(input), h, self.weight_hh.T, self.bias_hh)
        return out if is_batched else out.squeeze(0)


# ---- multi-layer, multi-step ----------------------------------------------------------------

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_int(name, value):
    if not isinstance(value, int):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")


class RNNBase(Module):
    """Parameters, validation and the layer/direction/time loop shared by RNN, LSTM and GRU.

    Input (seq, batch, input_size), or (batch, seq, input_size) with ``batch_first``, or
    unbatched (seq, input_size); hidden states (num_layers * num_directions, batch, hidden),
    or without the batch dimension for unbatched input. Use :class:`RNN`, :class:`LSTM` or
    :class:`GRU`.

    Args:
        mode (str): ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``.
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            as in :class:`LSTM`.
        proj_size (int): LSTM only: project ``h`` to this size (``0``: no projection).
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> rnn = nn.GRU(4, 8, num_layers=2)
        >>> isinstance(rnn, nn.RNNBase), len(rnn.all_weights)
        (True, 2)
        >>> [p.shape[0] for p in rnn.all_weights[0]]
        [24, 24, 24, 24]
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        check_device(device, type(self).__name__)
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        _check_int("input_size", input_size)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_int("hidden_size", hidden_size)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        _check_int("num_layers", num_layers)
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        _check_int("proj_size", proj_size)
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = proj_size
        dtype = _resolve_dtype(dtype)
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if self.bidirectional else 1
        out_size = proj_size if proj_size > 0 else hidden_size
        self._all_weights = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"l{layer}" + ("_reverse" if direction == 1 else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    (f"weight_ih_{suffix}", (gate_size, layer_input)),
                    (f"weight_hh_{suffix}", (gate_size, out_size))]
                if bias:
                    shapes += [(f"bias_ih_{suffix}", (gate_size,)),
                               (f"bias_hh_{suffix}", (gate_size,))]
                if proj_size > 0:
                    shapes.append((f"weight_hr_{suffix}", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name, _new_weight(shape, dtype))
                self._all_weights.append([name for name, _ in shapes])
        self._flat_weights_names = [n for names in self._all_weights for n in names]
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per (layer, direction), in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """No-op (PyTorch uses it for cuDNN's packed weights)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward -------------------------------------------------------------------------------

    _n_states = 1

    def _states(self, hx, is_batched):
        """``hx`` validated and as a list of its tensors (one, or ``(h_0, c_0)``), or None."""
        if hx is None:
            return None
        name = type(self).__name__
        want = 3 if is_batched else 2
        kind = "batched 3-D" if is_batched else "unbatched 2-D"
        if self._n_states == 1:
            _check_tensor(name, "hx", hx)
            if hx.ndim != want:
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                                   f"{hx.ndim}-D tensor")
            return [hx]
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise RuntimeError(f"{name}: hx must be a tuple (h_0, c_0) of two tensors, "
                               f"got {type(hx).__name__}")
        for idx, value in enumerate(hx):
            _check_tensor(name, f"hx[{idx}]", value)
        if hx[0].ndim != want or hx[1].ndim != want:
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D "
                               f"but got ({hx[0].ndim}-D, {hx[1].ndim}-D) tensors")
        return list(hx)

    def _check_input(self, input, batch, states):
        """The input's dtype and features, and the states' shapes, against the module."""
        name = type(self).__name__
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"{name} input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        rows = self.num_layers * (2 if self.bidirectional else 1)
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if states is not None:
            expected = [(rows, batch, out_size), (rows, batch, self.hidden_size)]
            for idx, s in enumerate(states):
                what = "hidden" if self._n_states == 1 else f"hidden[{idx}]"
                if tuple(s.shape) != expected[idx]:
                    raise RuntimeError(f"Expected {what} size {expected[idx]}, got "
                                       f"{list(s.shape)}")
                if s.dtype != input.dtype:  # PyTorch refuses it too (its matmul's words)
                    raise RuntimeError(f"{name}: {what} dtype ({s.dtype}) does not match "
                                       f"input dtype ({input.dtype})")

    def _prepare(self, input, hx):
        """Validate; return (time-major 3-D input, list of per-state 3-D tensors or None,
        is_batched)."""
        name = type(self).__name__
        _check_tensor(name, "input", input)
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                             + ("tensor instead" if name == "RNN" else "instead"))
        is_batched = input.ndim == 3
        states = self._states(hx, is_batched)
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
            if states is not None:
                states = [s.unsqueeze(1) for s in states]
        self._check_input(input, input.shape[0] if self.batch_first else input.shape[1], states)
        if (input.shape[1] if self.batch_first else input.shape[0]) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if self.batch_first:
            input = input.transpose(0, 1)
        return input, states, is_batched

    def _run(self, input, hx):
        """``(output, [h_n] or [h_n, c_n])``; a ``PackedSequence`` input gives a packed
        output, each sequence's last state taken at its own last step."""
        from nn.utils.rnn import PackedSequence  # (nn.utils imports the layers)

        packed = isinstance(input, PackedSequence)
        if packed:
            refuse_capture(f"{type(self).__name__} of a PackedSequence")  # reads batch_sizes
            data = input.data
            _check_tensor(type(self).__name__, "input", data)
            if data.ndim != 2:
                raise ValueError(f"{type(self).__name__}: a PackedSequence's data must be 2-D "
                                 f"(steps' rows, features), got {data.ndim}-D")
            sizes = [int(b) for b in input.batch_sizes._data]
            batch = sizes[0] if sizes else 0
            states = self._states(hx, True)
            self._check_input(data, batch, states)
            if states is not None and input.sorted_indices is not None:  # rows in batch order
                states = [s.index_select(1, input.sorted_indices) for s in states]
            x, seq, is_batched = data, len(sizes), True
        else:
            x, states, is_batched = self._prepare(input, hx)
            seq, batch = x.shape[0], x.shape[1]
            sizes = [batch] * seq
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if states is None:
            h0 = [ag.zeros((batch, out_size), dtype=x.dtype)] * (self.num_layers * directions)
            c0 = [ag.zeros((batch, self.hidden_size), dtype=x.dtype)] * len(h0)
        else:
            h0 = list(_unbind(states[0]))
            c0 = list(_unbind(states[1])) if lstm else None
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                params = [getattr(self, name) for name in self._all_weights[k]]
                w_ih, w_hh = params[0], params[1]
                b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
                w_hr_t = params[-1].T if self.proj_size > 0 else None
                if not packed and w_hr_t is None:  # the whole direction in one node
                    gi = _affine(x.reshape(seq * batch, x.shape[2]), w_ih.T, b_ih)
                    res = _Sequence.apply(gi.reshape(seq, batch, gi.shape[-1]), h0[k],
                                          c0[k] if lstm else None, w_hh, b_hh,
                                          mode=self.mode, reverse=direction == 1)
                    outputs.append(res[0])
                    h_n.append(res[1])
                    c_n.append(res[2] if lstm else None)
                    continue
                if packed:  # the steps' rows, one after the other
                    gi = _affine(x, w_ih.T, b_ih)
                    gi = ag.split(gi, sizes, 0)
                else:
                    gi = _affine(x.reshape(seq * batch, x.shape[2]), w_ih.T, b_ih)
                    gi = _unbind(gi.reshape(seq, batch, gi.shape[-1]))
                w_hh_t = w_hh.T
                h = h0[k]
                c = c0[k] if lstm else None
                out = [None] * seq
                for t in (range(seq) if direction == 0 else range(seq - 1, -1, -1)):
                    # a packed batch runs its first sizes[t] rows (the sequences still going);
                    # the others keep their state (forward: their last; backward: h_0 until
                    # their own last step comes)
                    n = sizes[t]
                    whole = n == h.shape[0]
                    h_t = h if whole else h[:n]
                    c_t = None if not lstm else c if whole else c[:n]
                    if lstm:
                        h_t, c_t = _lstm_step(gi[t], h_t, c_t, w_hh_t, b_hh, w_hr_t)
                    elif self.mode == "GRU":
                        h_t = _gru_step(gi[t], h_t, w_hh_t, b_hh)
                    else:
                        h_t = _rnn_step(gi[t], h_t, w_hh_t, b_hh,
                                        "tanh" if self.mode == "RNN_TANH" else "relu")
                    out[t] = h_t
                    h = h_t if whole else ag.cat([h_t, h[n:]], 0)
                    if lstm:
                        c = c_t if whole else ag.cat([c_t, c[n:]], 0)
                outputs.append((ag.cat if packed else ag.stack)(out, 0))
                h_n.append(h)
                c_n.append(c)
            x = outputs[0] if directions == 1 else ag.cat(outputs, x.ndim - 1 if packed else 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        hidden = [ag.stack(h_n, 0)] + ([ag.stack(c_n, 0)] if lstm else [])
        if packed:
            if input.unsorted_indices is not None:  # back to the batch's order
                hidden = [s.index_select(1, input.unsorted_indices) for s in hidden]
            return PackedSequence(x, *input[1:]), hidden
        output = x.transpose(0, 1) if self.batch_first else x
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = [s.squeeze(1) for s in hidden]
        return output, hidden


class RNN(RNNBase):
    """Multi-layer Elman RNN: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, act tanh
    or relu; each layer's output sequence is the next layer's input (with ``dropout`` between
    layers in training).

    ``forward(input, hx=None)`` returns ``(output, h_n)``: ``output`` holds the last layer's
    ``h_t`` for every t (both directions concatenated), ``h_n`` every layer's final state.
    A ``PackedSequence`` input gives a packed ``output``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        num_layers (int): stacked layers. Default: ``1``.
        nonlinearity (str): ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        bias (bool): use the ``b_ih`` and ``b_hh`` biases. Default: ``True``.
        batch_first (bool): input and output are ``(batch, seq, feature)``. Default: ``False``.
        dropout (float): dropout on each layer's output but the last, in training.
            Default: ``0.0``.
        bidirectional (bool): also run each layer backwards in time. Default: ``False``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first``, or ``(L, H_in)``.
        - hx, h_n: ``(D * num_layers, N, H_out)`` or ``(D * num_layers, H_out)``; D = 2 if
          bidirectional else 1.
        - output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(ag.randn(5, 3, 10), ag.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (autograd_core.Size([5, 3, 20]), autograd_core.Size([2, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, hidden = self._run(input, hx)
        return output, hidden[0]


class LSTM(RNNBase):
    """Multi-layer LSTM (gates i, f, g, o); ``proj_size > 0`` projects each ``h_t`` with
    ``weight_hr_l{k}`` (shape (proj_size, hidden_size)).

    ``forward(input, hx=None)`` with ``hx = (h_0, c_0)`` returns ``(output, (h_n, c_n))``.
    A ``PackedSequence`` input gives a packed ``output``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        num_layers (int): stacked layers. Default: ``1``.
        bias (bool): use the ``b_ih`` and ``b_hh`` biases. Default: ``True``.
        batch_first (bool): input and output are ``(batch, seq, feature)``. Default: ``False``.
        dropout (float): dropout on each layer's output but the last, in training.
            Default: ``0.0``.
        bidirectional (bool): also run each layer backwards in time. Default: ``False``.
        proj_size (int): if > 0, project each ``h_t`` to this size. Default: ``0``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first``, or ``(L, H_in)``.
        - h_0, h_n: ``(D * num_layers, N, H_out)``; c_0, c_n: ``(D * num_layers, N,
          hidden_size)``; ``H_out = proj_size`` if > 0 else ``hidden_size``; D = 2 if
          bidirectional else 1. Unbatched: without the N dim.
        - output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> lstm = nn.LSTM(10, 20, 2, batch_first=True, bidirectional=True)
        >>> output, (hn, cn) = lstm(ag.randn(3, 5, 10))
        >>> output.shape
        autograd_core.Size([3, 5, 40])
        >>> hn.shape, cn.shape
        (autograd_core.Size([4, 3, 20]), autograd_core.Size([4, 3, 20]))
    """

    _n_states = 2

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, hidden = self._run(input, hx)
        return output, (hidden[0], hidden[1])


class GRU(RNNBase):
    """Multi-layer GRU (gates r, z, n; PyTorch's ``n = tanh(W_in x + b_in + r * (W_hn h +
    b_hn))``). ``forward(input, hx=None)`` returns ``(output, h_n)``; a ``PackedSequence``
    input gives a packed ``output``.

    Args:
        input_size (int): features of the input ``x``.
        hidden_size (int): features of the hidden state ``h``.
        num_layers (int): stacked layers. Default: ``1``.
        bias (bool): use the ``b_ih`` and ``b_hh`` biases. Default: ``True``.
        batch_first (bool): input and output are ``(batch, seq, feature)``. Default: ``False``.
        dropout (float): dropout on each layer's output but the last, in training.
            Default: ``0.0``.
        bidirectional (bool): also run each layer backwards in time. Default: ``False``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Shape:
        - input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first``, or ``(L, H_in)``.
        - hx, h_n: ``(D * num_layers, N, H_out)`` or ``(D * num_layers, H_out)``; D = 2 if
          bidirectional else 1.
        - output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> gru = nn.GRU(10, 20, 2)
        >>> output, hn = gru(ag.randn(5, 3, 10))
        >>> output.shape, hn.shape
        (autograd_core.Size([5, 3, 20]), autograd_core.Size([2, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, hidden = self._run(input, hx)
        return output, hidden[0]
