"""Whole-step capture: ``ag.compile(step)`` traces an eager training step and replays it.

The first call with a new input signature runs ``step`` eagerly while a tracer watches: every
op's forward (through ``Node.apply``'s one hook, which costs eager nothing: it rides on the
anomaly flag that ``apply`` reads anyway), the engine's backward order and gradient
accumulations, in-place writes, and the calls that change training state (``zero_grad``,
``.grad = None``, ``optimizer.step()``, ``scheduler.step()``, gradient clipping). The second
call traces again; when the two traces agree (a value read in Python, a mask made from
``.data``, indices computed in numpy show up as constants that differ), later calls replay the
program through a generated straight-line function on arrays: no Tensor, no graph, no heap;
each op's forward and fused backward run in the order eager ran them, with the same
accumulation order, so results equal eager bit for bit. ``optimizer.step()`` replays as its
kernel calls.

What a replay reads afresh, never baked in: parameters, buffers and gradients (live ``.data``
and ``.grad``), the optimizer's ``param_groups`` and ``state`` (the learning rate, schedules,
Adam's step count and bias corrections are current), and random numbers (an op that draws,
dropout, draws again from the project's generator).

Guards, checked at every call; a failing one re-traces: each input's type, shape, dtype, strides
and requires_grad, whether it has hooks; grad mode; the shape, dtype, strides and requires_grad
of every tensor read from outside the step (parameters, buffers), whether the ``.grad`` the
step reads before any backward is None, that none of them got a hook
(post-accumulate-grad hooks included); for each module the step calls or names
(``model.forward(x)``, ``F.linear(x, layer.weight)``): its training flag, the identity of its
parameters, buffers and submodules (and how many submodules; how many of each for a container
the step does not call: a ``ModuleList``, a ``ParameterList``), its public attributes (numbers
by value: a dropout's ``p``), and that it got no forward or backward hook (nor a global
forward hook); what the step function reads from its closure, from the globals it names or
sets and from the attributes of the objects passed to it (a compiled bound method's ``self``
and a ``functools.partial``'s arguments too, with what their methods read) and of their
objects in turn:
numbers and strings by value (a trace bakes them in: an annealed loss weight, a counter that
decides whether the step calls ``optimizer.step()``), other objects by identity (a new
optimizer, model or loss function bound to the same name), and the same for the user's functions
it names (two levels down); the attributes of the user's objects (instances of the user's
classes, namespaces, the user's Python modules) that this code or their class's methods,
properties and special methods name (also as strings: ``getattr(cfg, "w")``; class attributes
too), and what those methods read (``cfg.beta``, a loss object's ``self.weight``; a module's
``forward`` reading a global or ``self._scale``); short lists and dicts of numbers by their
items (changed in place or not), numpy arrays of up to 1024 numbers by value, other short
lists, deques and dicts by their items' identity; the attributes set on an optimizer the step
names or is passed (``opt.scale``); the default dtype. Other Python state (a long list, a large
array, what the library's own objects hold besides the module and optimizer attributes above)
is fixed at the trace.

What cannot be captured runs eagerly, with one warning naming the reason and the op (``strict``
raises instead): hooks, ``retain_graph``/``create_graph``/``autograd.grad``, a user ``Function``,
reading values in Python (``.item()``, ``bool()``, ``float()``, ``.tolist()``, ``.numpy()``,
``np.asarray``, printing), tensors made outside the ops from other tensors' values (a
comparison, ``argmax``, an integer conversion), traces that differ (values read through
``.data``, data-dependent shapes), a write through numpy to an array the step uses between
recorded events, an in-place op on a tensor that requires grad while recording, random numbers
drawn outside an op or in Python (``random``, ``numpy.random``, a numpy ``Generator`` the step
reads), seeding the default generator inside the step, ``saved_tensors_hooks`` inside the step
(a call under them runs eagerly), ``print`` from the user's code, a ``logging`` record,
switching anomaly mode inside the step, an optimizer step with a closure, changing in Python a
value the step reads or a list, dict, set, deque or numpy array it writes to (a log of losses),
a global it sets, a public attribute of a module it calls or of its optimizer,
``param_groups``, ``get_last_lr()`` or a scheduler's ``last_epoch`` used in Python (a learning
rate read or set there), returning a tensor whose graph reaches a parameter through ops no
backward inside the step ran (a compiled forward whose result the caller backpropagates: a
replay's results are detached).
"""

from __future__ import annotations

import builtins
import collections
import dis
import functools
import logging
import random
import sys
import threading
import types
import warnings
from typing import Callable

import numpy as np

from autograd_core import fusion
from autograd_core.autograd import forward_ad as _forward_ad
from autograd_core.grad_mode import STATE
from autograd_core.node import edges_of
from autograd_core.replay import (
    _MISSING,
    _array_value,
    _first_difference,
    _guarded_modules,
    _module_hook,
    _plain,
    _Program,
    _python_value_holds,
    _same_attributes,
)
from autograd_core.tensor import DEFAULT_DTYPE, Tensor

__all__ = ["compile", "CompileFallback"]

ndarray = np.ndarray


class CompileFallback(RuntimeError):
    """Raised by a step compiled with ``strict=True`` when it cannot be captured; the message
    says why (without ``strict`` the step runs eagerly after one warning).

    Example::

        >>> import autograd_core as ag
        >>> @ag.compile(strict=True)
        ... def step(x):
        ...     return x * x.sum().item()
        >>> step(ag.tensor([1.0, 2.0]))
        Traceback (most recent call last):
        ...
        autograd_core.capture.CompileFallback: ag.compile: cannot capture the step: reading a tensor's value in Python (item on a tensor of shape ())
    """


class _Fallback(Exception):
    """Internal: stop recording (the step keeps running eagerly)."""


# ---- the tracer -----------------------------------------------------------------------------

class _Tracer:
    """Records one eager step. Installed as ``STATE.anomaly`` while the step runs (truthy, so
    ``Node.apply`` and the engine call it); ``anomaly`` is the real anomaly flag."""

    def __init__(self, inputs, strict):
        self.anomaly = STATE.anomaly
        self.strict = strict
        self.inputs = inputs
        self.events = []          # replay program, in order: ("op"|"copy"|"call"|"backward", ...)
        self.slots = {}           # id(array) -> slot index of an array made inside the step
        self.keep = []            # every array (and node) seen, so that ids stay unique
        self.n_slots = 0
        self.node_event = {}      # id(traced node) -> index of its op event
        self.external = {}        # id(tensor) -> tensor read from outside (parameters, ...)
        self.grad_of = {}         # id(grad tensor) -> the leaf whose .grad it was
        self.modules = {}         # id(module) -> module called inside the step
        self.reason = None
        self.depth = 0            # > 0 inside a recorded call (its own work is not recorded)
        self.rng_state = _rng_state()
        self.snapshot = {}        # id(array) -> (array, copy): values at the last checkpoint
        self.made = {}            # id(tensor) -> (tensor, maker): made outside the ops
        self.fuse_infos = {}      # op event index -> fusion.fuse_info (elementwise ops that a
        #                           replay may run inside a generated kernel)
        self.groups = {}          # id(optimizer) -> (optimizer, its hyperparameters)
        self.attrs = {}           # id(object) -> (object, a copy of its __dict__)
        self.grad_reads = {}      # id(leaf) -> (leaf, its .grad is None): read in Python by
        #                           the step before it set any gradient (a guard)
        self.grads_set = False    # (see _grads_set)
        self.kw_arrays = {}       # id(array) -> (tensor, array): a tensor's array passed to an
        #                           op by keyword (batch norm's running statistics, updated in
        #                           place by the op): a replay needs the tensor to still hold it
        for i, t in enumerate(inputs):
            if isinstance(t, Tensor):
                self.slots[id(t._data)] = ("in", i)
                self.keep.append(t._data)

    def __bool__(self):
        return True

    @property
    def recording(self):
        """In the traced thread (the patched methods are shared by every thread; the grad
        mode state that holds the tracer is per thread), outside a recorded call."""
        return STATE.anomaly is self and not self.depth

    # -- failure ---------------------------------------------------------------------------
    def fail(self, reason):
        """Not capturable: under strict raise now, else remember the first reason."""
        if self.strict:
            raise CompileFallback(f"ag.compile: cannot capture the step: {reason}")
        if self.reason is None:
            self.reason = reason

    # -- writes nobody recorded --------------------------------------------------------------
    def _watched(self):
        """The arrays a replay reads or writes that live outside it: the data and gradients
        of external tensors and of inputs."""
        out = []
        for t in (*self.external.values(), *(x for x in self.inputs if isinstance(x, Tensor)),
                  *_module_tensors(self.modules.values())):
            out.append(t._data)
            if t._grad is not None:
                out.append(t._grad._data)
        return out

    def enter_module(self, m):
        """A module is called: watch its parameters and buffers from now on."""
        if id(m) not in self.modules:
            self.modules[id(m)] = m
            self.watch(m)
            for t in _module_tensors((m,)):
                for a in (t._data, None if t._grad is None else t._grad._data):
                    if a is not None and id(a) not in self.snapshot:
                        self.snapshot[id(a)] = (a, a.copy())

    def checkpoint(self, where, verify=True, allowed=()):
        """Between recorded events the watched arrays must not change: a write through numpy
        (``p.data -= ...``, ``nn.utils.clip_grad_norm_``) would be lost at replay. Verify the
        values saved at the last checkpoint (``allowed``: ids of arrays the current event may
        write), then save them afresh."""
        if self.reason is not None:
            return
        if verify:
            for key, (arr, old) in self.snapshot.items():
                if key in allowed:
                    continue
                if arr.shape != old.shape or arr.tobytes() != old.tobytes():
                    self.fail(f"an array changed outside the captured ops before {where} (a "
                              "write through numpy, e.g. on ._data or .grad)")
                    return
        self.snapshot = {id(a): (a, a.copy()) for a in self._watched()}

    # -- hyperparameters set in Python -----------------------------------------------------
    def watch_optimizer(self, opt):
        """Watch the numbers of ``opt.param_groups`` (read by every replay of its step) and
        the optimizer's attributes from now on: the step may change them only through recorded
        calls (a scheduler's step)."""
        if id(opt) not in self.groups:
            self.groups[id(opt)] = (opt, _hyperparameters(opt))
            self.watch(opt)

    def watch(self, obj):
        """Watch the attributes of a library object the step uses (a module it calls, an
        optimizer): the step may not set them in Python (``model.out = h`` kept for a plot,
        ``opt.last_loss = loss``), as a replay would not."""
        if id(obj) not in self.attrs:
            self.attrs[id(obj)] = (obj, dict(vars(obj)))

    def check_groups(self, where, verify=True):
        """The watched optimizers' hyperparameters and the watched objects' attributes are as
        at the last check (else the step set one in Python, ``group["lr"] = ...``: a replay
        would not), then save them afresh."""
        for key, (opt, old) in self.groups.items():
            now = _hyperparameters(opt)
            if verify and now != old and self.reason is None:
                self.fail(f"the step sets a hyperparameter of {type(opt).__name__}'s "
                          f"param_groups in Python (before {where}): a replay runs no Python, "
                          "so it would not (use a scheduler, or set it outside the step)")
            self.groups[key] = (opt, now)
        for key, (obj, old) in self.attrs.items():
            now = vars(obj)
            if verify and self.reason is None:
                # public ones (private ones are the library's caches; a user's class has
                # its own guards); the training flag is guarded, and a step setting it
                # (model.train()) sets what the guard then requires
                # (a number set to the value it had is no change: model.drop.p = cfg.p)
                changed = [k for k in now.keys() | old.keys() if k[0] != "_" and
                           k != "training" and not _same_attributes(
                               (now.get(k, _MISSING),), (old.get(k, _MISSING),))]
                if changed:
                    self.fail(f"the step changes {sorted(changed)[0]!r} of a "
                              f"{type(obj).__name__} in Python (before {where}): a replay "
                              "runs no Python, so it would not")
            self.attrs[key] = (obj, dict(now))

    # -- where an array comes from ---------------------------------------------------------
    def source(self, a, op=""):
        """How a replay gets argument ``a`` of ``op``: ("slot", k), ("in", i), ("ext", tensor),
        ("grad", leaf) or ("const", value)."""
        if isinstance(a, Tensor):
            s = self.slots.get(id(a._data))
            if s is not None:
                return s
            leaf = self.grad_of.get(id(a))
            if leaf is not None and leaf._grad is a:
                return ("grad", leaf)
            made = self.made.get(id(a))
            if made is not None and made[0] is a:
                self.fail(f"a tensor made outside the ops by {made[1]}() (an index, a "
                          "comparison, a dtype conversion: values a replay would not "
                          "recompute) is used by the step")
            self.external[id(a)] = a
            return ("ext", a)
        if isinstance(a, ndarray):
            s = self.slots.get(id(a))
            if s is not None:
                return s
            if a.base is not None and self.views_a_tensor(a):
                self.fail(f"{op or 'an op'} is given a numpy view of a tensor's array (a "
                          "reshape or a slice made in numpy: values a replay would not read "
                          "afresh)")
        elif isinstance(a, (list, tuple)) and any(isinstance(x, (Tensor, ndarray)) for x in a):
            if any(isinstance(x, Tensor) or id(x) in self.slots for x in a):
                return ("seq", type(a), tuple(self.source(x) for x in a))
        return ("const", a)

    def holds_tensor(self, v):
        """Whether an op's keyword argument ``v`` is a tensor or holds the array of one the
        step computes or is given, or a numpy view of a tensor's array, directly or in a
        tuple or list (``index_put``'s indices): a replay would pass the traced values."""
        if isinstance(v, Tensor):
            return True
        if isinstance(v, ndarray):
            return id(v) in self.slots or v.base is not None and self.views_a_tensor(v)
        return isinstance(v, (tuple, list)) and any(self.holds_tensor(x) for x in v)

    def views_a_tensor(self, a):
        """Whether ndarray ``a`` is a numpy view of the array of a tensor the step is given or
        computes: a constant of the trace that would hold the traced call's values
        (``target._data.reshape(-1)`` given to an op). A view of a parameter's or buffer's
        array (batch norm's running statistics in eval mode) shares its memory, so a replay
        reads its current values; it is guarded like an array passed by keyword."""
        held = None
        base = a.base
        while isinstance(base, ndarray):
            if id(base) in self.slots:
                return True
            if held is None:
                held = {id(t._data): t for t in (*self.external.values(),
                                                 *_module_tensors(self.modules.values()))}
            t = held.get(id(base))
            if t is not None:
                self.kw_arrays[id(base)] = (t, base)
                return False
            base = base.base
        return False

    def note_made(self, t, frame):
        """A Tensor made by ``Tensor._make``/``Tensor()`` outside an op's recording: from
        Python values (the creation functions: a constant) or from another tensor's values
        (``argmax``, comparisons, ``.long()``...: not recomputed by a replay)."""
        module, name = frame.f_globals.get("__name__"), frame.f_code.co_name
        if module not in _CONSTANT_MAKERS:
            self.made[id(t)] = (t, name)

    def leaf(self, t):
        """A tensor whose ``.grad`` the step writes: ("in", i) or ("ext", tensor)."""
        for i, x in enumerate(self.inputs):
            if x is t:
                return ("in", i)
        self.external[id(t)] = t
        return ("ext", t)

    def new_slot(self, arr):
        k = self.n_slots
        self.n_slots += 1
        self.slots[id(arr)] = ("slot", k)
        self.keep.append(arr)
        return k

    # -- hooks called by the core ----------------------------------------------------------
    def on_forward(self, node, args, kwargs, outs):
        """``Node.apply`` ran ``node.forward`` on ``args`` (``outs``: the output arrays)."""
        if self.anomaly:
            from autograd_core.node import check_forward

            check_forward(node, outs, [a._data if isinstance(a, Tensor) else a for a in args])
        if self.depth or self.reason is not None:
            return
        if STATE.saved_hooks:
            self.fail(f"saved_tensors_hooks inside the step (around {node.name()}): a replay "
                      "saves no tensors through them")
            return
        cls = type(node)
        state = _rng_state()
        if state != self.rng_state and not getattr(cls, "draws_random", False):
            self.fail(f"random numbers drawn outside an op (before {node.name()})")
            return
        self.rng_state = state
        for v in kwargs.values():
            if self.holds_tensor(v):
                self.fail(f"a tensor (or its array) passed by keyword to {node.name()}")
                return
        srcs = tuple(self.source(a, node.name()) for a in args)
        kw_ids = _array_ids(kwargs.values())
        if kw_ids:
            for t in (*self.external.values(), *_module_tensors(self.modules.values())):
                if id(t._data) in kw_ids:
                    self.kw_arrays[id(t._data)] = (t, t._data)
        self.checkpoint(node.name(), allowed=_array_ids(args) | kw_ids)
        self.keep.append(node)
        self.node_event[id(node)] = len(self.events)
        out_slots = tuple(self.new_slot(o) for o in outs)
        if not kwargs and getattr(cls, "fuse", None) is not None:
            info = fusion.fuse_info(node, args, outs)
            if info is not None:
                self.fuse_infos[len(self.events)] = info
        self.events.append(("op", cls, srcs, dict(kwargs), out_slots,
                            tuple((o.shape, o.dtype) for o in outs), node))

    def on_function(self, cls):
        """A user ``autograd.Function`` ran (replay would need an out= form of it)."""
        if not self.depth:
            self.fail(f"a user autograd.Function ({cls.__name__})")

    def on_inplace(self, t, result):
        """``inplace`` wrote ``result`` into ``t`` (and bumped its version)."""
        if self.depth or self.reason is not None:
            return
        if result.requires_grad:
            self.fail("an in-place op on a tensor that requires grad while recording")
            return
        dest = self.source(t)
        self.events.append(("copy", dest, self.source(result), t if dest[0] == "ext" else None))
        self.checkpoint("an in-place op", allowed={id(t._data)})

    def on_backward(self, tensors, grad_tensors, retain_graph, create_graph, inputs):
        """The engine starts a pass: plan its replay (order, accumulations, leaves). Ops a
        backward rule runs are part of its node's backward, not recorded (``depth``, until
        ``after_backward``)."""
        nested = self.depth
        if inputs is None:
            self.depth += 1
        if nested or self.reason is not None:
            return self.anomaly
        if create_graph:
            self.fail("backward with create_graph=True")
        elif retain_graph:
            self.fail("backward with retain_graph=True")
        elif inputs is not None:
            self.fail("autograd.grad / backward(inputs=...)")
        else:
            self.checkpoint("backward")
            try:
                self.events.append(("backward", self._plan_backward(tensors, grad_tensors)))
            except _Fallback as exc:
                self.fail(str(exc))
        return self.anomaly

    def after_backward(self):
        """The engine finished a pass: the gradients it wrote are the new reference."""
        self.depth -= 1
        if not self.depth:
            self.checkpoint("backward", verify=False)

    def _plan_backward(self, tensors, grad_tensors):
        """The engine's pass as data: seeds, nodes in the order the engine runs them
        (decreasing creation order), each with its edges to node events or leaves."""
        seeds, roots, leaves, leaf_index = [], [], [], {}

        def leaf_key(t):
            k = leaf_index.get(id(t))
            if k is None:
                if t._hooks or t._post_acc_hooks:
                    raise _Fallback(f"a hook on a leaf tensor (shape {tuple(t.shape)})")
                k = leaf_index[id(t)] = len(leaves)
                leaves.append(self.leaf(t))
            return k

        for t, g in zip(tensors, grad_tensors):
            g = g._data if isinstance(g, Tensor) else g
            src = self.source(g)
            if src[0] == "const":
                src = ("const", np.array(g, copy=True))
            if t.grad_fn is None:
                seeds.append((True, leaf_key(t), 0, src))
            else:
                roots.append(t.grad_fn)
                seeds.append((False, self._event_of(t.grad_fn), t._out_idx, src))
        seen = {id(n): n for n in roots}
        stack = list(roots)
        while stack:
            for t in stack.pop().next:
                if t is not None and not t._leaf_edge and id(t) not in seen:
                    seen[id(t)] = t
                    stack.append(t)
        order = []
        for node in sorted(seen.values(), key=lambda n: -n._seq):
            if node._pre_hooks is not None or node._retained is not None or node._post_hooks:
                raise _Fallback(f"a hook or retain_grad on the output of {node.name()}")
            edges = []
            for e in edges_of(node):
                if e is None:
                    edges.append(None)
                elif e[1] < 0:
                    edges.append((True, leaf_key(e[0]), 0, e[2], e[3]))
                else:
                    edges.append((False, self._event_of(e[0]), e[1], e[2], e[3]))
            order.append((self._event_of(node), tuple(edges),
                          node.n_outputs > 1 and node.materialize_grads))
        return seeds, tuple(order), tuple(leaves)

    def _event_of(self, node):
        k = self.node_event.get(id(node))
        if k is None:
            raise _Fallback(f"backward through {node.name()}, made outside the step or not "
                            "capturable")
        return k

    # -- calls that change training state --------------------------------------------------
    def wrap_call(self, fn, what):
        """``fn`` (an unbound method) recorded as a call replayed as it is."""
        tracer = self

        @functools.wraps(fn)
        def traced(obj, *args, **kwargs):
            if not tracer.recording or tracer.reason is not None:
                return fn(obj, *args, **kwargs)
            if what == "optimizer.step" and (args or kwargs.get("closure") is not None):
                tracer.fail(f"{type(obj).__name__}.step with a closure")
            elif any(isinstance(a, Tensor) for a in (*args, *kwargs.values())):
                tracer.fail(f"{type(obj).__name__}.{fn.__name__} given a tensor")
            where = f"{type(obj).__name__}.{fn.__name__}"
            if what.startswith("optimizer."):
                tracer.watch_optimizer(obj)
            else:
                tracer.watch(obj)
            tracer.events.append(("call", fn, obj, args, kwargs, None))
            tracer.checkpoint(where)
            tracer.check_groups(where)
            tracer.depth += 1
            try:
                return fn(obj, *args, **kwargs)
            finally:
                tracer.depth -= 1
                tracer.checkpoint("", verify=False)
                tracer.check_groups("", verify=False)  # a scheduler's changes are replayed

        return traced

    def wrap_clip(self, fn):
        """Gradient clipping (numpy on the gradients, in place) recorded as a call; the total
        norm it returns (``clip_grad_norm_``) is the call's result slot, fresh at each replay
        (a step returning it or using it in ops is captured)."""
        tracer = self

        @functools.wraps(fn)
        def traced(parameters, *args, **kwargs):
            if not tracer.recording or tracer.reason is not None:
                return fn(parameters, *args, **kwargs)
            params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
            for p in params:
                tracer.external[id(p)] = p
            index = len(tracer.events)
            tracer.events.append(("call", fn, params, args, kwargs, None))
            tracer.checkpoint(fn.__name__)
            tracer.depth += 1
            try:
                out = fn(params, *args, **kwargs)
            finally:
                tracer.depth -= 1
                tracer.checkpoint("", verify=False)
            if isinstance(out, Tensor):  # clip_grad_norm_'s total norm: a slot of the replay
                k = tracer.new_slot(out._data)
                tracer.events[index] = ("call", fn, params, args, kwargs, (k, out._data.shape))
            return out

        return traced

    def build(self, result):
        """The compiled program, or None after a fallback."""
        self.checkpoint("the end of the step")
        self.check_groups("the end of the step")
        if self.reason is not None:
            return None
        if _rng_state() != self.rng_state:
            self.fail("random numbers drawn outside an op")
            return None
        try:
            self._check_returned_graphs(result)
            out = _output_spec(self, result)
        except _Fallback as exc:
            self.fail(str(exc))
        if self.reason is not None:
            return None
        return _Program(self, out)

    def _check_returned_graphs(self, result):
        """Refuse a returned tensor through whose graph a backward after the step would reach
        a leaf (a parameter) by nodes that no backward inside the step ran: eager's caller
        could do it, a replay's result is detached (the gradients would silently stay as they
        are)."""
        if isinstance(result, (tuple, list)):
            for r in result:
                self._check_returned_graphs(r)
            return
        if not isinstance(result, Tensor) or result.grad_fn is None:
            return
        ran = set()
        for ev in self.events:
            if ev[0] == "backward":
                seeds, order, _ = ev[1]
                ran.update(key for is_leaf, key, _, _ in seeds if not is_leaf)
                ran.update(key for key, _, _ in order)
        seen, stack = set(), [result.grad_fn]
        while stack:
            node = stack.pop()
            if id(node) in seen or self.node_event.get(id(node)) in ran:
                continue
            seen.add(id(node))
            for e in node.next:
                if e is None:
                    continue
                if e._leaf_edge:
                    raise _Fallback(
                        f"the step returns a tensor that requires grad (shape "
                        f"{tuple(result._data.shape)}, from {result.grad_fn.name()}) whose "
                        "graph reaches a leaf that no backward inside the step went "
                        "through; a replay's result is detached, so a backward after the "
                        "step would not reach it (call backward inside the step, or return "
                        ".detach())")
                stack.append(e)


def _hyperparameters(opt):
    """The numbers of ``opt.param_groups``, group by group (read from the instance: not through
    the tracer's ``param_groups`` property)."""
    return tuple(tuple((k, v) for k, v in g.items() if _plain(v))
                 for g in vars(opt)["param_groups"])


def _module_tensors(modules):
    return [t for m in modules for store in (m._parameters, m._buffers)
            for t in store.values() if isinstance(t, Tensor)]


def _array_ids(args):
    out = set()
    for a in args:
        if isinstance(a, Tensor):
            out.add(id(a._data))
        elif isinstance(a, ndarray):
            out.add(id(a))
        elif isinstance(a, (list, tuple)):
            out |= _array_ids(a)
    return out


def _rng_state():
    """A comparable snapshot of the default generator (MT19937's position and words, the cached
    normal draw): a draw outside an op changes it."""
    from autograd_core.random import default_generator as g

    st = g._bits.state["state"]
    return st["pos"], st["key"].tobytes(), g._normal64


def _output_spec(tracer, result):
    if result is None:
        return ("none",)
    if isinstance(result, Tensor):
        return ("tensor", tracer.source(result))
    if isinstance(result, (tuple, list)):
        return ("seq", type(result), tuple(_output_spec(tracer, r) for r in result))
    raise _Fallback(f"the step returns a {type(result).__name__} (return tensors)")


# ---- what the tracer watches besides ops ----------------------------------------------------

# where tensors are made from Python values or shapes, not from other tensors' values: the
# creation functions (ag.tensor, zeros, arange, ...), an op's scalar operand, diag's scatter
# of a vector into zeros (a module name, or a module and function name)
_CONSTANT_MAKERS = {"autograd_core.creation", "autograd_core.ops._xp"}

_VALUE_READS = ("item", "tolist", "numpy", "__array__", "__bool__", "__float__", "__int__",
                "__index__", "__repr__", "__str__", "__format__")


def _patches(tracer):
    """(owner, name, replacement) for every attribute swapped while tracing."""
    out = []

    def reader(name, orig):
        @functools.wraps(orig)
        def read(self, *a, **k):
            if tracer.recording:
                what = "printing" if name in ("__repr__", "__str__", "__format__") else name
                tracer.fail(f"reading a tensor's value in Python ({what} on a tensor of shape "
                            f"{tuple(self._data.shape)})")
            return orig(self, *a, **k)
        return read

    for name in _VALUE_READS:
        out.append((Tensor, name, reader(name, Tensor.__dict__[name])))
    make = Tensor.__dict__["_make"].__func__
    init = Tensor.__dict__["__init__"]

    def traced_make(cls, data, grad_fn, requires_grad):
        t = make(cls, data, grad_fn, requires_grad)
        if tracer.recording:
            tracer.note_made(t, sys._getframe(1))
        return t

    def traced_init(self, *a, **k):
        init(self, *a, **k)
        if tracer.recording:
            tracer.note_made(self, sys._getframe(1))

    wrap = Tensor.__dict__["_wrap"].__func__

    def traced_wrap(cls, data, requires_grad=False):
        t = wrap(cls, data, requires_grad)
        if tracer.recording:
            tracer.note_made(t, sys._getframe(1))
        return t

    out.append((Tensor, "_make", classmethod(traced_make)))
    out.append((Tensor, "_wrap", classmethod(traced_wrap)))
    out.append((Tensor, "__init__", functools.wraps(init)(traced_init)))
    grad_prop = Tensor.__dict__["grad"]

    def get_grad(self):
        g = self._grad
        if tracer.recording and self._requires_grad and self.grad_fn is None and \
                id(self) not in tracer.grad_reads and not _grads_set(tracer):
            # read by the step's code before anything in it set the gradients: whether it is
            # None is the caller's state (``if p.grad is None`` in an accumulation step)
            tracer.grad_reads[id(self)] = (self, g is None)
        if g is not None and STATE.anomaly is tracer:
            tracer.grad_of[id(g)] = self
            tracer.keep.append(g)
        return g

    def set_grad(self, value):
        if tracer.recording:
            if value is not None:
                tracer.fail("assigning a tensor to .grad inside the step")
            else:
                tracer.events.append(("setgrad", tracer.leaf(self)))
                tracer.checkpoint(".grad = None")
        grad_prop.fset(self, value)
        if tracer.recording:
            tracer.checkpoint("", verify=False)

    out.append((Tensor, "grad", property(get_grad, set_grad)))

    def hook_refused(orig, what):
        @functools.wraps(orig)
        def refuse(self, *a, **k):
            if tracer.recording:
                tracer.fail(what)
            return orig(self, *a, **k)
        return refuse

    out.append((Tensor, "register_hook",
                hook_refused(Tensor.register_hook, "a tensor hook registered inside the step")))
    out.append((Tensor, "retain_grad",
                hook_refused(Tensor.retain_grad, "retain_grad inside the step")))
    from autograd_core import random as random_mod

    def reseed_refused(orig):
        @functools.wraps(orig)
        def refuse(self, *a, **k):
            if tracer.recording and self is random_mod.default_generator:
                tracer.fail(f"{orig.__name__} of the default random generator inside the step "
                            "(manual_seed, seed, set_rng_state): a replay's random ops would "
                            "draw on without it")
            return orig(self, *a, **k)
        return refuse

    for name in ("manual_seed", "seed", "set_state"):
        out.append((random_mod.Generator, name,
                    reseed_refused(random_mod.Generator.__dict__[name])))
    orig_print = builtins.print

    @functools.wraps(orig_print)
    def traced_print(*a, **k):
        # the user's code printing to the terminal (not a library formatting text, such as
        # Numba compiling a kernel at its first call)
        if tracer.recording and k.get("file") in (None, sys.stdout, sys.stderr) and \
                _users_frame(sys._getframe(1)):
            tracer.fail("printing inside the step (print): a replay runs no Python, so it "
                        "would not print")
        return orig_print(*a, **k)

    out.append((builtins, "print", traced_print))
    handle = logging.Logger.handle

    @functools.wraps(handle)
    def traced_handle(self, record):  # a record that passed the logger's level
        if tracer.recording:
            tracer.fail(f"logging inside the step ({record.name}: {record.getMessage()[:40]!r}): "
                        "a replay runs no Python, so it would not log")
        return handle(self, record)

    out.append((logging.Logger, "handle", traced_handle))
    from autograd_core import anomaly as anomaly_mod

    enter = anomaly_mod.detect_anomaly.__enter__
    out.append((anomaly_mod.detect_anomaly, "__enter__",
                hook_refused(enter, "anomaly mode switched inside the step")))

    opt_mod = sys.modules.get("optimizers.optimizer")
    if opt_mod is not None:
        def get_groups(self):
            if tracer.recording:
                tracer.fail(f"the step uses {type(self).__name__}.param_groups in Python (a "
                            "learning rate read there is a constant of the trace, one set "
                            "there is not replayed; the optimizer's own step reads them "
                            "afresh): use a scheduler, or read or set them outside the step")
            return self.__dict__["param_groups"]

        def set_groups(self, value):
            self.__dict__["param_groups"] = value

        # a property on the class wins over the instance's attribute: the step's own reads
        # are seen (not the optimizer's or a scheduler's, which run inside recorded calls)
        out.append((opt_mod.Optimizer, "param_groups", property(get_groups, set_groups)))
        for cls in _subclasses(opt_mod.Optimizer):
            for name in ("step", "zero_grad"):
                if name in cls.__dict__:
                    out.append((cls, name, tracer.wrap_call(cls.__dict__[name],
                                                            f"optimizer.{name}")))
    sched_mod = sys.modules.get("optimizers.lr_scheduler")
    if sched_mod is not None:
        def get_epoch(self):
            if tracer.recording:  # (a scheduler's own step runs inside a recorded call)
                tracer.fail(f"reading {type(self).__name__}.last_epoch in Python inside the "
                            "step: a replay would keep the traced value")
            return self.__dict__["last_epoch"]

        def set_epoch(self, value):
            self.__dict__["last_epoch"] = value

        out.append((sched_mod.LRScheduler, "last_epoch", property(get_epoch, set_epoch)))
        for cls in _subclasses(sched_mod.LRScheduler):
            if "step" in cls.__dict__:
                out.append((cls, "step", tracer.wrap_call(cls.__dict__["step"], "scheduler")))
            if "get_last_lr" in cls.__dict__:
                out.append((cls, "get_last_lr", hook_refused(
                    cls.__dict__["get_last_lr"], "reading the learning rate in Python inside "
                    "the step (get_last_lr): a replay would keep the traced value")))
    for name in ("nn.utils.clip_grad", "nn.utils"):
        clip_mod = sys.modules.get(name)
        for fname in ("clip_grad_norm_", "clip_grad_value_"):
            fn = getattr(clip_mod, fname, None)
            if fn is not None:
                out.append((clip_mod, fname, tracer.wrap_clip(fn)))
    mod_mod = sys.modules.get("nn.module")
    if mod_mod is not None:
        Module = mod_mod.Module
        call = Module.__dict__["__call__"]

        @functools.wraps(call)
        def module_call(self, *a, **k):
            if tracer.recording:
                hook = _module_hook(self)
                if hook is not None:
                    tracer.fail(f"{hook} on {type(self).__name__}")
                tracer.enter_module(self)
            return call(self, *a, **k)

        out.append((Module, "__call__", module_call))
        out.append((Module, "zero_grad",
                    tracer.wrap_call(Module.__dict__["zero_grad"], "module.zero_grad")))
    return out


def _grads_set(tracer):
    """Whether the step recorded anything that sets gradients (a backward pass, ``.grad =
    None``, ``zero_grad``, an optimizer's step, clipping) yet."""
    if not tracer.grads_set:
        tracer.grads_set = any(ev[0] in ("backward", "setgrad", "call") for ev in tracer.events)
    return tracer.grads_set


def _subclasses(cls):
    out, stack = [], [cls]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.__subclasses__())
    return out


_TRACING = threading.Lock()  # one trace at a time: the patches are process-wide


def _trace(fn, args, kwargs, strict):
    """Run ``fn`` eagerly under a tracer: (its result, the program or None, the reason)."""
    with _TRACING:
        return _trace_locked(fn, args, kwargs, strict)


def _trace_locked(fn, args, kwargs, strict):
    tracer = _Tracer(args, strict)
    tracer.python_values = _python_values(fn, args)
    opt_mod, mod_mod = sys.modules.get("optimizers.optimizer"), sys.modules.get("nn.module")
    named = [e[2] for e in tracer.python_values if e[3] == 2] + list(args)
    for v in named:
        if opt_mod is not None and isinstance(v, opt_mod.Optimizer):
            tracer.watch_optimizer(v)
    if mod_mod is not None:  # from the start: the step may set model[0].out before model(x)
        for m in _guarded_modules([v for v in named if isinstance(v, mod_mod.Module)]):
            tracer.watch(m)
    containers = [(e, _items(e[2])) for e in tracer.python_values
                  if e[3] == 2 and isinstance(e[2], _CONTAINERS)]
    generators = _python_generators(tracer.python_values)
    drawn = [_generator_state(g) for g in generators]
    patches = _patches(tracer)
    saved = [(owner, name, owner.__dict__.get(name, _MISSING)) for owner, name, _ in patches]
    prev = STATE.anomaly
    for owner, name, new in patches:
        setattr(owner, name, new)
    STATE.anomaly = tracer
    try:
        result = fn(*args, **kwargs)
    finally:
        STATE.anomaly = prev
        for owner, name, old in reversed(saved):
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
    if any(_generator_state(g) != d for g, d in zip(generators, drawn)):
        tracer.fail("random numbers drawn in Python (random, numpy.random or a numpy Generator): "
                    "a replay would reuse the trace's draws")
    if tracer.reason is None:
        changed = [e for e in tracer.python_values if not _python_value_holds(e)] + \
            [e for e, items in containers if _items(e[2]) != items]
        if changed:
            name = changed[0][1]
            where = "a variable of its closure" if name is None else repr(name)
            tracer.fail(f"the step changes {where} (a value it reads, or a list or dict it "
                        "writes to) in Python: a replay runs no Python, so it would not")
    if tracer.reason is None:
        # one guard per value read (a module the step names is seen again among those called)
        unique: dict = {}
        for e in tracer.python_values + _module_values(tracer.modules.values(), set()):
            unique.setdefault((id(e[0]), e[1]), e)
        tracer.python_values = tuple(unique.values())
        mod_mod = sys.modules.get("nn.module")
        tracer.read_modules = [] if mod_mod is None else [
            e[2] for e in tracer.python_values if e[3] == 2 and isinstance(e[2], mod_mod.Module)]
    program = tracer.build(result)
    return result, program, tracer.reason


def _guarded(holder, name, value, out):
    """Append the guard of a value the step can read: ``(holder, name, value, kind)``, kind 0:
    a plain value, by value; 1: a short, non-empty list of them (a counter kept as ``n = [0]``),
    its items copied; 3: a short, non-empty dict of them (a configuration, ``W["w"]``), its
    items copied; 4: a numpy array of up to 1024 numbers (a mask, class weights), the same
    array holding the same values (``ag.tensor(mask)`` in the step is a constant of the trace;
    a change in place re-traces); 5: another short, non-empty list, deque or dict (of tensors,
    functions: ``history[-1]``, ``losses["mse"]``), the same items (by identity); 2: any other
    object (an optimizer, a model, a loss function,
    a log the loop appends to), by identity."""
    if _plain(value):
        out.append((holder, name, value, 0))
    elif type(value) is list and 0 < len(value) <= 64 and all(_plain(x) for x in value):
        out.append((holder, name, tuple(value), 1))
    elif type(value) is dict and 0 < len(value) <= 64 and all(
            _plain(k) and _plain(v) for k, v in value.items()):
        out.append((holder, name, tuple(value.items()), 3))
    elif type(value) is ndarray and value.size <= 1024 and not value.dtype.hasobject:
        out.append((holder, name, _array_value(value), 4))
    elif type(value) in (list, collections.deque) and 0 < len(value) <= 64:
        out.append((holder, name, (type(value), tuple(value)), 5))
    elif type(value) is dict and 0 < len(value) <= 64 and all(map(_plain, value)):
        out.append((holder, name, (dict, tuple(value.items())), 5))
    else:
        out.append((holder, name, value, 2))


def _python_values(fn, args=()):
    """What ``fn`` reads from its closure, from the module globals its code names and from the
    attributes of the objects passed to it (a compiled method's ``self``), as guards (see
    ``_guarded``): a trace bakes in the numbers (a loss weight annealed between calls, a counter
    that decides whether the step calls ``optimizer.step()``) and the objects (the optimizer
    whose ``step`` it records, the model whose parameters it reads); a replay checks them
    (``_Program.guards_hold``), so that rebinding ``opt``, ``model`` or ``beta`` re-traces.
    The same for the user's functions that ``fn`` names (a ``loss_fn(out, y)`` reading a global
    ``beta``), two levels down, and for the attributes of the user's objects that this code
    names (``_object_values``: ``cfg.beta``, a loss object's ``self.weight``); the modules the
    step calls add theirs after the trace (``_module_values``)."""
    out: list = []
    seen: set = set()
    bound = fn
    while isinstance(bound, functools.partial):  # ag.compile(partial(train_step, trainer))
        args = (*bound.args, *bound.keywords.values(), *args)
        bound = bound.func
    if isinstance(bound, types.MethodType):  # ag.compile(trainer.step): its self, an argument
        args = (bound.__self__, *args)
    code = getattr(getattr(bound, "__func__", bound), "__code__", None)
    names = frozenset() if code is None else _attribute_names(code)
    for a in args:  # objects are in the signature by identity, their attributes are not
        if _optimizer_values(a, out):
            continue
        if not isinstance(a, Tensor) and not _plain(a) and hasattr(a, "__dict__"):
            attrs, first = vars(a), len(out)
            for name in list(attrs):
                _guarded(attrs, name, attrs[name], out)
            more: list = []
            if _user_object(a):  # what its methods that the code names read (trainer.step())
                _object_values(a, more, seen, 0, names)
            _follow(out, first, seen, 0, names)  # self.cfg.beta, self.loss_fn's globals
            known = {(id(e[0]), e[1]) for e in out[first:]}
            out += [e for e in more if (id(e[0]), e[1]) not in known]
    _function_values(fn, out, seen, 0)
    # the user's modules inside the modules the step reads (blocks in an nn.Sequential): what
    # their methods read, and the lists they append to, before the trace runs them
    module_cls = getattr(sys.modules.get("nn.module"), "Module", None)
    if module_cls is not None:
        for m in [e[2] for e in out if e[3] == 2 and isinstance(e[2], module_cls)]:
            for sub in m.modules():
                _object_values(sub, out, seen, 0)
    return tuple(out)


_CONTAINERS = (list, dict, set, collections.deque)


def _items(container):
    """What a list, dict or set the step can write to holds, by identity (``log.append(loss)``
    inside the step: a replay would not append)."""
    if isinstance(container, dict):
        return tuple(map(id, container)) + tuple(map(id, container.values()))
    return tuple(map(id, container))


def _module_values(modules, seen):
    """The guards ``_python_values`` adds once the trace knows which modules the step called:
    for each module of the user's own classes, what its class's code reads (the globals and
    closures of its methods, a ``forward`` scaling by a global ``SCALE``) and the attributes of
    the module that code names (``self._scale``, a list or dict ``self.cfg`` changed in place;
    the library's modules are covered by the module guards, ``replay._module_guard``)."""
    out: list = []
    for m in modules:
        _object_values(m, out, seen, 0)
    return tuple(out)


def _function_values(fn, out, seen, depth):
    """``_python_values`` of one function: its closure cells and the globals its code reads,
    then (``depth`` < 2) those of the user's functions among them, and the attributes that its
    code names of the user's objects among them (``_object_values``)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None or id(fn) in seen:
        return
    seen.add(id(fn))
    first = len(out)
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # not yet assigned
            continue
        _guarded(cell, None, value, out)
    names = set()
    # the globals read or set (``global last``); co_names also holds attribute names (.grad)
    for c in _codes(code):
        names.update(i.argval for i in dis.get_instructions(c)
                     if i.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL"))
    env = fn.__globals__
    for name in sorted(names):
        if name in env:
            _guarded(env, name, env[name], out)
    if depth < 2:
        _follow(out, first, seen, depth, _attribute_names(code))


_OPTIMIZER_OWN = frozenset(("defaults", "state", "param_groups"))


def _optimizer_values(opt, out):
    """If ``opt`` is an optimizer, add the guards of the public attributes set on it besides
    its own (``opt.loss_scale`` read by the step; a replay would keep the traced number) and
    return True. Its own are read by its ``step``, which runs at every replay (``param_groups``
    and ``state`` afresh: the state that step fills is no value the step reads)."""
    if not isinstance(opt, getattr(sys.modules.get("optimizers.optimizer"), "Optimizer", ())):
        return False
    attrs = vars(opt)
    for name in [k for k in attrs if not k.startswith("_") and k not in _OPTIMIZER_OWN]:
        _guarded(attrs, name, attrs[name], out)
    return True


def _follow(out, first, seen, depth, attrs):
    """Add the guards of what the values guarded from ``out[first]`` on read in turn: the
    user's functions (``_function_values``), the attributes named in ``attrs`` of the user's
    objects (``_object_values``) and of the user's own Python modules (``import config``, then
    ``config.BETA``; and ``config.weight()`` reading it)."""
    for holder, _, value, kind in out[first:]:
        if kind != 2 or _optimizer_values(value, out) and not _user_object(value):
            continue
        if isinstance(value, types.FunctionType):
            if _users(value):
                _function_values(value, out, seen, depth + 1)
        elif isinstance(value, types.ModuleType):
            if _user_module(value) and id(value) not in seen:
                seen.add(id(value))
                own, start = vars(value), len(out)
                for name in sorted(attrs & own.keys()):
                    _guarded(own, name, own[name], out)
                _follow(out, start, seen, depth, attrs)
        elif _user_object(value):
            _object_values(value, out, seen, depth, attrs)


def _object_values(obj, out, seen, depth, attrs=frozenset(), level=0):
    """Guards of an object of the user's classes (or a namespace) that the step reads: its
    attributes named in ``attrs`` (the reading code's names, ``cfg.w``) or in the code of the
    methods of its class that the step may run (``__call__``, ``forward``, and those named by
    the reading code or by a method already counted: ``self.w`` in a loss object's
    ``__call__``), and what those methods read from their globals and closures (as functions
    that code at ``depth`` names); the same for its attributes that are the user's objects in
    turn, two ``level``s down."""
    if id(obj) in seen or not _user_object(obj):
        return
    seen.add(id(obj))
    names = set(attrs)
    methods: dict = {}
    for cls in reversed(type(obj).__mro__):  # a subclass's method replaces its base's
        if cls is not object and _users(cls):
            for name, member in vars(cls).items():
                member = _method_function(member)
                if getattr(member, "__code__", None) is not None:
                    methods[name] = member
    # the methods the step may run: those it names (a property read, ``self.temperature``),
    # ``__call__``, ``forward`` and the special methods Python calls (``cfg["w"]``)
    todo = [m for n, m in methods.items() if n in names or n in ("__call__", "forward") or
            n[:2] == n[-2:] == "__" and n not in _NOT_RUN]
    counted: set = set()
    while todo:
        fn = todo.pop()
        if id(fn) in counted:
            continue
        counted.add(id(fn))
        used = _attribute_names(fn.__code__)
        names |= used
        todo.extend(m for n, m in methods.items() if n in used)
        if depth < 2:
            _function_values(fn, out, seen, depth + 1)
    own = vars(obj)
    for name in sorted(names & own.keys()):
        if name not in _MODULE_STATE:
            value = own[name]
            _guarded(own, name, value, out)
            if level < 2:  # cfg.optim.beta: the same names, one object down
                _object_values(value, out, seen, depth, names, level + 1)
            if depth < 2 and isinstance(value, types.FunctionType) and _users(value):
                _function_values(value, out, seen, depth + 1)  # self.act = my_activation
    for name in sorted(names - own.keys() - methods.keys()):
        # a class attribute (``Net.SCALE``, read as ``self.SCALE``), of the user's class
        # that holds it; and that no attribute of the object shadows it later
        cls = next((c for c in type(obj).__mro__ if name in vars(c)), None)
        if cls is not None and _users(cls) and _method_function(vars(cls)[name]) is \
                vars(cls)[name] and not isinstance(vars(cls)[name], types.FunctionType):
            _guarded(vars(cls), name, vars(cls)[name], out)
            out.append((own, name, _MISSING, 2))


def _method_function(member):
    """The function a class member runs when read or called: a method's, a static or class
    method's, a property's getter; else ``member``."""
    if isinstance(member, property):
        return member.fget
    if isinstance(member, functools.cached_property):
        return member.func
    return getattr(member, "__func__", member)


# special methods that a step does not run on an object it reads
_NOT_RUN = frozenset(("__init__", "__new__", "__del__", "__init_subclass__", "__repr__",
                      "__str__", "__format__", "__getstate__", "__setstate__", "__reduce__",
                      "__reduce_ex__", "__copy__", "__deepcopy__", "__dir__",
                      "__class_getitem__", "__set_name__"))


# a module's own bookkeeping, guarded by ``replay._module_guard`` (or not a value a trace uses)
_MODULE_STATE = frozenset(("_parameters", "_buffers", "_modules", "_forward_hooks",
                           "_forward_pre_hooks", "_backward_hooks", "_state_dict_hooks",
                           "_load_state_dict_pre_hooks", "_non_persistent_buffers_set",
                           "training"))


def _codes(code):
    """``code`` and the code objects nested in it (comprehensions, inner functions)."""
    out, stack = [], [code]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return out


def _attribute_names(code):
    """Every name ``code`` (and the code nested in it) uses: globals and attributes alike,
    and the strings it holds that could name an attribute (``getattr(cfg, "w")``,
    ``setattr(ns, "loss", ...)``)."""
    return frozenset(n for c in _codes(code)
                     for n in (*c.co_names, *(k for k in c.co_consts
                                              if type(k) is str and k.isidentifier())))


def _user_object(v):
    """An instance of a class of the user's (a model, a loss object, a configuration) or a
    namespace (``types.SimpleNamespace``, ``argparse.Namespace``): its attributes are values
    the step may read."""
    if isinstance(v, (Tensor, type, types.ModuleType, types.FunctionType, types.MethodType,
                      types.BuiltinFunctionType, functools.partial)):
        return False
    if not hasattr(v, "__dict__"):
        return False
    cls = type(v)
    if cls is types.SimpleNamespace or cls.__name__ == "Namespace" and \
            cls.__module__ == "argparse":
        return True
    return _users(cls)


def _user_module(m):
    """A Python module of the user's (``import config``): not this project's, an installed
    package's or the standard library's."""
    top = (getattr(m, "__name__", None) or "").partition(".")[0]
    return top not in _LIBRARIES and top not in sys.stdlib_module_names and \
        "site-packages" not in (getattr(m, "__file__", None) or "")


def _users_frame(frame):
    """Code of the user's runs in ``frame`` (not of a library or an installed package)."""
    top = (frame.f_globals.get("__name__") or "").partition(".")[0]
    return top not in _LIBRARIES and top not in sys.stdlib_module_names and \
        "site-packages" not in frame.f_code.co_filename


def _users(fn):
    """A function of the user's (not of this project, numpy or the standard library)."""
    top = (getattr(fn, "__module__", None) or "").partition(".")[0]
    return top not in _LIBRARIES and top not in sys.stdlib_module_names


_LIBRARIES = {"autograd_core", "nn", "optimizers", "bench", "numpy", "numba"}


_PY_GENERATORS = (random.Random, np.random.Generator, np.random.RandomState)


def _python_generators(values):
    """The random generators besides the project's that a step can draw from in Python (to
    pick a branch or a constant: a random flip, a random scale): Python's and numpy's global
    ones, and those it reads from its closure, globals or arguments' attributes (``G.random``
    bound to a name: its generator)."""
    out = [random._inst, np.random.mtrand._rand]  # type: ignore[attr-defined]
    for _, _, v, kind in values:
        v = getattr(v, "__self__", v)
        if kind == 2 and isinstance(v, _PY_GENERATORS) and all(v is not g for g in out):
            out.append(v)
    return out


def _generator_state(g):
    """A comparable snapshot of a generator's state."""
    if isinstance(g, np.random.Generator):
        g = g.bit_generator
        return _comparable(g.state)
    return _comparable(g.get_state() if isinstance(g, np.random.RandomState) else g.getstate())


def _comparable(x):
    if isinstance(x, np.ndarray):
        return x.tobytes()
    if isinstance(x, dict):
        return tuple((k, _comparable(v)) for k, v in x.items())
    if isinstance(x, (tuple, list)):
        return tuple(_comparable(v) for v in x)
    return x


# ---- the public object ----------------------------------------------------------------------

_EAGER = object()  # cache entry of a signature that falls back to eager


class _Same:
    """An object in a signature, by identity (whatever its ``__eq__``; kept alive, so that its
    id is not reused while the signature is cached)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return type(other) is _Same and other.obj is self.obj


def _signature(args, kwargs):
    # the default dtype: what factories and Python numbers in the step become
    if not args and not kwargs:  # a step of no arguments (a closure): its key at once
        return (STATE.enabled, DEFAULT_DTYPE[0])
    key = [STATE.enabled, DEFAULT_DTYPE[0]]
    seen = {}
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            d = a._data
            # which earlier argument holds the same array (step(x, x) is another program)
            # a hook on an input: another program (the trace refuses it)
            key.append((d.shape, d.dtype, d.strides, a._requires_grad,
                        seen.setdefault(id(d), i), bool(a._hooks or a._post_acc_hooks)))
        elif isinstance(a, float):  # by repr: 0.0 == -0.0, but x * 0.0 and x * -0.0 differ
            key.append((type(a), repr(a)))
        elif isinstance(a, (int, str, bool, type(None))):
            key.append((type(a), a))
        elif isinstance(a, (list, tuple, dict, set, np.ndarray)):
            return None
        else:  # another object (a module, the ``self`` of a method): by identity
            key.append(_Same(a))
    if kwargs:
        return None
    return tuple(key)


class CompiledStep:
    """A step function captured by :func:`compile`; call it as the original. ``traces``
    counts its traces (new signatures and failed guards), ``eager`` runs the original."""

    def __init__(self, fn: Callable, strict: bool, cache_limit: int):
        if not callable(fn):
            raise TypeError(f"compile: expected a callable, got {type(fn).__name__}")
        if not isinstance(cache_limit, int) or cache_limit < 1:
            raise ValueError(f"compile: cache_limit must be a positive integer, got "
                             f"{cache_limit!r}")
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.strict = strict
        self.cache_limit = cache_limit
        self._cache: dict = {}
        self._warned: set[str] = set()
        #: how many times the step was traced (a new signature or a failed guard)
        self.traces = 0

    def __get__(self, obj, objtype=None):
        """As a method (``@ag.compile`` on a ``def step(self, x)``): bound to ``obj``."""
        return self if obj is None else functools.partial(self, obj)

    def eager(self, *args: object, **kwargs: object) -> object:
        """Run the original function, without capture.

        Example::

            >>> import autograd_core as ag
            >>> double = ag.compile(lambda x: x * 2)
            >>> double.eager(ag.tensor([1.0])), double.traces
            (tensor([2.]), 0)
        """
        return self._fn(*args, **kwargs)

    def _warn(self, message):
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(message, RuntimeWarning, stacklevel=3)

    def __call__(self, *args: object, **kwargs: object) -> object:
        if STATE.anomaly or STATE.saved_hooks:
            # anomaly mode (every op checks its results: a debugging run), inside a step
            # being traced (the outer trace must record this step's ops) or under
            # ``saved_tensors_hooks`` (a replay saves no tensors through them): run eagerly
            return self._fn(*args, **kwargs)
        if _forward_ad._current_level >= 0:  # tangents come from the graph a replay skips
            reason = "a forward-mode AD dual level is active (forward_ad.dual_level)"
            if self.strict:
                raise CompileFallback(f"ag.compile: cannot capture the step: {reason}")
            self._warn(f"ag.compile: cannot capture the step: {reason}; running it eagerly")
            return self._fn(*args, **kwargs)
        key = _signature(args, kwargs)
        if key is None:
            self._warn("ag.compile: the step was given keyword arguments or lists, tuples, "
                       "dicts or arrays; running it eagerly (pass tensors and numbers "
                       "positionally)")
            return self._fn(*args, **kwargs)
        entry = self._cache.get(key)
        if entry is _EAGER:
            return self._fn(*args, **kwargs)
        if entry is not None:
            program, verified = entry
            if program.guards_hold():
                if verified:
                    return program.run(args)
                # the second call traces again: a program is trusted once two traces agree
                result, second, reason = _trace(self._fn, args, kwargs, self.strict)
                if second is not None:
                    reason = _first_difference(program, second)
                if reason is None:
                    self._cache[key] = (second, True)
                else:
                    self._fallback(key, reason)
                return result
        if self.traces >= self.cache_limit:
            why = "" if entry is None else f" (the last failing guard: {program.failed_guard()})"
            self._warn(f"ag.compile: cache_limit ({self.cache_limit}) reached; new "
                       "signatures (and calls whose guards fail, e.g. a Python number the "
                       f"step reads changed) run eagerly{why}")
            return self._fn(*args, **kwargs)
        self.traces += 1
        result, program, reason = _trace(self._fn, args, kwargs, self.strict)
        if program is None:
            self._fallback(key, reason)
        else:
            self._cache[key] = (program, False)
        return result

    def _fallback(self, key, reason):
        if self.strict:
            raise CompileFallback(f"ag.compile: cannot capture the step: {reason}")
        self._warn(f"ag.compile: cannot capture the step: {reason}; running it eagerly")
        self._cache[key] = _EAGER


_TORCH_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
                "max-autotune")
# the names torch._dynamo.list_backends(exclude_tags=()) gives in PyTorch 2.13 (none runs here)
_TORCH_BACKENDS = frozenset((
    "aot_eager aot_eager_decomp_partition aot_eager_decomp_partition_crossref "
    "aot_eager_decomp_partition_with_mode aot_eager_default_partitioner aot_ts cudagraphs "
    "dynamo_accuracy_minifier_backend dynamo_minifier_backend eager eager_debug eager_noexcept "
    "inductor invoke_subgraph openxla openxla_eval pre_dispatch_eager ts tvm").split())


def compile(model: Callable | None = None, *, fullgraph: bool = False,
            dynamic: bool | None = None, backend: str | Callable | None = None,
            mode: str | None = None, options: dict | None = None, name: str | None = None,
            disable: bool = False, recompile_limit: int | None = None,
            isolate_recompiles: bool = False, shapes_spec: object = None,
            strict: bool = False, cache_limit: int = 8) -> object:
    """Capture a whole training step and replay it without Python per-op work.

    ``fn(*tensors)`` does what one step does (``zero_grad``, forward, loss, ``backward``,
    ``optimizer.step()``, scheduler steps) and returns tensors. The first call with a new input
    signature runs ``fn`` eagerly and traces it; later calls with that signature replay the
    trace (the same numbers as eager, bit for bit), reading parameters, gradients, optimizer
    state and hyperparameters afresh and drawing fresh random numbers. A failing guard (an
    input's shape, dtype, strides or requires_grad, grad mode, a parameter's shape, dtype or
    strides, a module's training flag, ...) re-traces; after ``cache_limit`` traces new
    signatures run eagerly (one warning). A step that cannot be captured runs eagerly with one
    warning naming the reason, or raises :class:`CompileFallback` under ``strict=True``.
    ``step.eager(...)`` runs the original function. Returned tensors are fresh and detached at
    replay (a step returning a tensor whose graph reaches a parameter through ops that no
    backward inside the step ran runs eagerly: call ``backward`` inside the step).

    Usable as ``ag.compile(fn)``, ``@ag.compile`` and ``@ag.compile(strict=True)``.

    ``torch.compile``'s arguments are taken, so that programs written for it run:
    ``disable=True`` returns ``model`` itself; ``recompile_limit`` sets ``cache_limit``; ``mode``
    is checked against PyTorch's names (and refused together with ``options``, as PyTorch);
    ``fullgraph``, ``dynamic``, ``backend``, ``options``, ``name``, ``isolate_recompiles`` and
    ``shapes_spec`` change nothing here. An ``nn.Module`` is returned wrapped, as PyTorch's
    ``OptimizedModule``: the same parameters, buffers and training flag, ``state_dict`` keys
    under ``_orig_mod.``, and its forward run eagerly (capture pays off for a whole step:
    compile the step function that calls the module, the loss, ``backward`` and the optimizer).

    Example::

        >>> import autograd_core as ag
        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> @ag.compile
        ... def step(x):
        ...     w.grad = None
        ...     loss = (w * x).sum()
        ...     loss.backward()
        ...     with ag.no_grad():
        ...         w.sub_(0.5 * w.grad)
        ...     return loss
        >>> x = ag.tensor([1.0, 1.0])
        >>> [round(float(step(x).data), 2) for _ in range(3)]
        [3.0, 2.0, 1.0]
        >>> step.traces
        1
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _TORCH_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           + ", ".join(_TORCH_MODES))
    if isinstance(backend, str) and backend not in _TORCH_BACKENDS:  # checked even if disabled
        raise RuntimeError(f"Invalid backend: {backend!r}, see "
                           "`torch._dynamo.list_backends()` for available backends.")
    if recompile_limit is not None:
        cache_limit = recompile_limit
    if model is None:
        if disable:
            return lambda fn: fn
        return functools.partial(compile, strict=strict, cache_limit=cache_limit)
    if disable:
        return model
    modules = sys.modules.get("nn.module")  # an nn.Module exists only once nn is imported
    if modules is not None and isinstance(model, modules.Module):
        return modules.OptimizedModule(model)
    return CompiledStep(model, strict, cache_limit)
