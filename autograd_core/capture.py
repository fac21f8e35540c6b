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
and requires_grad; grad mode; the shape, dtype and requires_grad of every tensor read from
outside the step (parameters, buffers), that none of them got a hook; each module's training
flag and the identity of its parameters and buffers, and that it got no forward hook.

What cannot be captured runs eagerly, with one warning naming the reason and the op (``strict``
raises instead): hooks, ``retain_graph``/``create_graph``/``autograd.grad``, a user ``Function``,
reading values in Python (``.item()``, ``bool()``, ``float()``, ``.tolist()``, ``.numpy()``,
printing), traces that differ (values read through ``.data``, data-dependent shapes), a write
through numpy to an array the step uses between recorded events, an in-place op on a tensor
that requires grad while recording, random numbers drawn outside an op, switching anomaly mode
inside the step, an optimizer step with a closure.
"""

from __future__ import annotations

import builtins
import functools
import sys
import warnings
from typing import Callable

import numpy as np

from autograd_core.engine import _accumulate, _fill_missing, _reduced
from autograd_core.grad_mode import STATE
from autograd_core.tensor import Tensor

__all__ = ["compile", "CompileFallback"]

_new = object.__new__
_make = Tensor._make
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
        for i, t in enumerate(inputs):
            if isinstance(t, Tensor):
                self.slots[id(t.data)] = ("in", i)
                self.keep.append(t.data)

    def __bool__(self):
        return True

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
            out.append(t.data)
            if t._grad is not None:
                out.append(t._grad.data)
        return out

    def enter_module(self, m):
        """A module is called: watch its parameters and buffers from now on."""
        if id(m) not in self.modules:
            self.modules[id(m)] = m
            for t in _module_tensors((m,)):
                for a in (t.data, None if t._grad is None else t._grad.data):
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
                              "write through numpy, e.g. on .data or .grad)")
                    return
        self.snapshot = {id(a): (a, a.copy()) for a in self._watched()}

    # -- where an array comes from ---------------------------------------------------------
    def source(self, a):
        """How a replay gets argument ``a``: ("slot", k), ("in", i), ("ext", tensor),
        ("grad", leaf) or ("const", value)."""
        if isinstance(a, Tensor):
            s = self.slots.get(id(a.data))
            if s is not None:
                return s
            leaf = self.grad_of.get(id(a))
            if leaf is not None and leaf._grad is a:
                return ("grad", leaf)
            self.external[id(a)] = a
            return ("ext", a)
        if isinstance(a, ndarray):
            s = self.slots.get(id(a))
            if s is not None:
                return s
        elif isinstance(a, (list, tuple)) and any(isinstance(x, (Tensor, ndarray)) for x in a):
            if any(isinstance(x, Tensor) or id(x) in self.slots for x in a):
                return ("seq", type(a), tuple(self.source(x) for x in a))
        return ("const", a)

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

            check_forward(node, outs, [a.data if isinstance(a, Tensor) else a for a in args])
        if self.depth or self.reason is not None:
            return
        cls = type(node)
        state = _rng_state()
        if state != self.rng_state and not getattr(cls, "draws_random", False):
            self.fail(f"random numbers drawn outside an op (before {node.name()})")
            return
        self.rng_state = state
        for k, v in kwargs.items():
            if isinstance(v, Tensor) or (isinstance(v, ndarray) and id(v) in self.slots):
                self.fail(f"a tensor passed by keyword to {node.name()}")
                return
        srcs = tuple(self.source(a) for a in args)
        self.checkpoint(node.name(), allowed=_array_ids(args))
        self.keep.append(node)
        self.node_event[id(node)] = len(self.events)
        out_slots = tuple(self.new_slot(o) for o in outs)
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
        self.checkpoint("an in-place op", allowed={id(t.data)})

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
                if t._hooks:
                    raise _Fallback(f"a hook on a leaf tensor (shape {tuple(t.shape)})")
                k = leaf_index[id(t)] = len(leaves)
                leaves.append(self.leaf(t))
            return k

        for t, g in zip(tensors, grad_tensors):
            g = g.data if isinstance(g, Tensor) else g
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
            for e in stack.pop().next:
                if e is not None and e[1] >= 0 and id(e[0]) not in seen:
                    seen[id(e[0])] = e[0]
                    stack.append(e[0])
        order = []
        for node in sorted(seen.values(), key=lambda n: -n._seq):
            if node._pre_hooks is not None or node._retained is not None:
                raise _Fallback(f"a hook or retain_grad on the output of {node.name()}")
            edges = []
            for e in node.next:
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
            if tracer.depth or tracer.reason is not None:
                return fn(obj, *args, **kwargs)
            if what == "optimizer.step" and (args or kwargs.get("closure") is not None):
                tracer.fail(f"{type(obj).__name__}.step with a closure")
            elif any(isinstance(a, Tensor) for a in (*args, *kwargs.values())):
                tracer.fail(f"{type(obj).__name__}.{fn.__name__} given a tensor")
            tracer.events.append(("call", fn, obj, args, kwargs))
            tracer.checkpoint(f"{type(obj).__name__}.{fn.__name__}")
            tracer.depth += 1
            try:
                return fn(obj, *args, **kwargs)
            finally:
                tracer.depth -= 1
                tracer.checkpoint("", verify=False)

        return traced

    def wrap_clip(self, fn):
        """Gradient clipping (numpy on the gradients, in place) recorded as a call."""
        tracer = self

        @functools.wraps(fn)
        def traced(parameters, *args, **kwargs):
            if tracer.depth or tracer.reason is not None:
                return fn(parameters, *args, **kwargs)
            params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
            for p in params:
                tracer.external[id(p)] = p
            tracer.events.append(("call", fn, params, args, kwargs))
            tracer.checkpoint(fn.__name__)
            tracer.depth += 1
            try:
                return fn(params, *args, **kwargs)
            finally:
                tracer.depth -= 1
                tracer.checkpoint("", verify=False)

        return traced

    def build(self, result):
        """The compiled program, or None after a fallback."""
        self.checkpoint("the end of the step")
        if self.reason is not None:
            return None
        if _rng_state() != self.rng_state:
            self.fail("random numbers drawn outside an op")
            return None
        try:
            out = _output_spec(self, result)
        except _Fallback as exc:
            self.fail(str(exc))
            return None
        return _Program(self, out)


def _module_tensors(modules):
    return [t for m in modules for store in (m._parameters, m._buffers)
            for t in store.values() if isinstance(t, Tensor)]


def _array_ids(args):
    out = set()
    for a in args:
        if isinstance(a, Tensor):
            out.add(id(a.data))
        elif isinstance(a, ndarray):
            out.add(id(a))
        elif isinstance(a, (list, tuple)):
            out |= _array_ids(a)
    return out


def _rng_state():
    from autograd_core.random import default_generator

    return default_generator._rng.bit_generator.state["state"]


def _output_spec(tracer, result):
    if result is None:
        return ("none",)
    if isinstance(result, Tensor):
        return ("tensor", tracer.source(result))
    if isinstance(result, (tuple, list)):
        return ("seq", type(result), tuple(_output_spec(tracer, r) for r in result))
    raise _Fallback(f"the step returns a {type(result).__name__} (return tensors)")


# ---- what the tracer watches besides ops ----------------------------------------------------

_VALUE_READS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__",
                "__repr__", "__str__", "__format__")


def _patches(tracer):
    """(owner, name, replacement) for every attribute swapped while tracing."""
    out = []

    def reader(name, orig):
        @functools.wraps(orig)
        def read(self, *a, **k):
            if not tracer.depth:
                what = "printing" if name in ("__repr__", "__str__", "__format__") else name
                tracer.fail(f"reading a tensor's value in Python ({what} on a tensor of shape "
                            f"{tuple(self.data.shape)})")
            return orig(self, *a, **k)
        return read

    for name in _VALUE_READS:
        out.append((Tensor, name, reader(name, Tensor.__dict__[name])))
    grad_prop = Tensor.__dict__["grad"]

    def get_grad(self):
        g = self._grad
        if g is not None:
            tracer.grad_of[id(g)] = self
            tracer.keep.append(g)
        return g

    def set_grad(self, value):
        if not tracer.depth:
            if value is not None:
                tracer.fail("assigning a tensor to .grad inside the step")
            else:
                tracer.events.append(("setgrad", tracer.leaf(self)))
                tracer.checkpoint(".grad = None")
        grad_prop.fset(self, value)
        if not tracer.depth:
            tracer.checkpoint("", verify=False)

    out.append((Tensor, "grad", property(get_grad, set_grad)))

    def hook_refused(orig, what):
        @functools.wraps(orig)
        def refuse(self, *a, **k):
            if not tracer.depth:
                tracer.fail(what)
            return orig(self, *a, **k)
        return refuse

    out.append((Tensor, "register_hook",
                hook_refused(Tensor.register_hook, "a tensor hook registered inside the step")))
    out.append((Tensor, "retain_grad",
                hook_refused(Tensor.retain_grad, "retain_grad inside the step")))
    from autograd_core import anomaly as anomaly_mod

    enter = anomaly_mod.detect_anomaly.__enter__
    out.append((anomaly_mod.detect_anomaly, "__enter__",
                hook_refused(enter, "anomaly mode switched inside the step")))

    opt_mod = sys.modules.get("optimizers.optimizer")
    if opt_mod is not None:
        for cls in _subclasses(opt_mod.Optimizer):
            for name in ("step", "zero_grad"):
                if name in cls.__dict__:
                    out.append((cls, name, tracer.wrap_call(cls.__dict__[name],
                                                            f"optimizer.{name}")))
    sched_mod = sys.modules.get("optimizers.lr_scheduler")
    if sched_mod is not None:
        for cls in _subclasses(sched_mod.LRScheduler):
            if "step" in cls.__dict__:
                out.append((cls, "step", tracer.wrap_call(cls.__dict__["step"], "scheduler")))
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
            if not tracer.depth:
                if self._forward_pre_hooks or self._forward_hooks:
                    tracer.fail(f"a forward hook on {type(self).__name__}")
                tracer.enter_module(self)
            return call(self, *a, **k)

        out.append((Module, "__call__", module_call))
        out.append((Module, "zero_grad",
                    tracer.wrap_call(Module.__dict__["zero_grad"], "module.zero_grad")))
    return out


def _subclasses(cls):
    out, stack = [], [cls]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.__subclasses__())
    return out


def _trace(fn, args, kwargs, strict):
    """Run ``fn`` eagerly under a tracer: (its result, the program or None, the reason)."""
    tracer = _Tracer(args, strict)
    patches = _patches(tracer)
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    prev = STATE.anomaly
    for owner, name, new in patches:
        setattr(owner, name, new)
    STATE.anomaly = tracer
    try:
        result = fn(*args, **kwargs)
    finally:
        STATE.anomaly = prev
        for owner, name, old in reversed(saved):
            setattr(owner, name, old)
    program = tracer.build(result)
    return result, program, tracer.reason


# ---- replay ---------------------------------------------------------------------------------

def _getter(src, env, inputs):
    """Resolve a source (see ``_Tracer.source``) at replay."""
    kind = src[0]
    if kind == "slot":
        return env[src[1]]
    if kind == "ext":
        return src[1].data
    if kind == "in":
        return inputs[src[1]].data
    if kind == "const":
        return src[1]
    if kind == "grad":
        return src[1]._grad.data
    return src[1](_getter(s, env, inputs) for s in src[2])  # "seq"


class _Program:
    """A traced step as data: events replayed in order, and the guards of external state."""

    def __init__(self, tracer, out):
        self.n_slots = tracer.n_slots
        self.out = out
        events = []
        for ev in tracer.events:
            if ev[0] == "op":
                kind, cls, srcs, kwargs, out_slots, meta, node = ev
                plain = all(s[0] in ("slot", "ext", "in", "const") for s in srcs)
                fast = tuple((s[0], s[1]) for s in srcs) if plain else None
                events.append((kind, cls, srcs, fast, kwargs, out_slots, meta,
                               node.needs_input_grad, getattr(node, "out_meta", None)))
            else:
                events.append(ev)
        events = [("optstep", _OptimizerStep(ev[2])) if _OptimizerStep.fits(ev) else ev
                  for ev in events]
        self.events = tuple(events)
        # what a second trace must reproduce for the program to be trusted (nodes dropped)
        self.structure = tuple(ev[:6] if ev[0] == "op" else ev for ev in tracer.events)
        ext = tracer.external.values()
        self.ext_guard = tuple((t, t.data.shape, t.data.dtype, t._requires_grad) for t in ext)
        self.mod_guard = tuple(_module_guard(m) for m in tracer.modules.values())
        self._replay = None  # generated on first use
        self.source = None

    def guards_hold(self):
        for t, shape, dtype, rg in self.ext_guard:
            d = t.data
            if d.shape != shape or d.dtype != dtype or t._requires_grad is not rg or t._hooks:
                return False
        for m, training, entries in self.mod_guard:
            if m.training is not training or m._forward_hooks or m._forward_pre_hooks:
                return False
            for store, name, obj in entries:
                if store.get(name) is not obj:
                    return False
        return True

    def run(self, inputs):
        if self._replay is None:
            self._replay, self.source = _generate(self)
        env = self._replay(inputs)
        return _output(self.out, env, inputs)

    def run_interpreted(self, inputs):
        """The same replay as ``run``, as a loop over the events (the reference for the
        generated code)."""
        env = [None] * self.n_slots
        events = self.events
        nodes = [None] * len(events)
        for i, ev in enumerate(events):
            kind = ev[0]
            if kind == "op":
                nodes[i] = _run_op(ev, env, inputs)
            elif kind == "backward":
                _run_backward(ev[1], env, inputs, nodes, events)
            elif kind == "call":
                ev[1](ev[2], *ev[3], **ev[4])
            elif kind == "optstep":
                ev[1].run()
            elif kind == "setgrad":
                leaf = ev[1]
                (leaf[1] if leaf[0] == "ext" else inputs[leaf[1]])._grad = None
            else:  # copy
                dest = _getter(ev[1], env, inputs)
                np.copyto(dest, _getter(ev[2], env, inputs), casting="same_kind")
                if ev[3] is not None:
                    ev[3]._bump_version()
        return _output(self.out, env, inputs)


class _OptimizerStep:
    """``optimizer.step()`` as its kernel calls: what ``Optimizer._step_group`` does for a
    parameter whose state exists, without its per-parameter bookkeeping. Read afresh at every
    replay: ``param_groups`` (learning rate and every hyperparameter, through the optimizer's
    ``coefficients``), the step count, the gradients. When anything differs from the capture
    (a parameter's array, a state array, a missing or odd gradient, a new group), the real
    ``step()`` runs instead, so the result is always the eager one."""

    @staticmethod
    def fits(ev):
        if ev[0] != "call" or ev[3] or ev[4]:
            return False
        opt = ev[2]
        opt_mod = sys.modules.get("optimizers.optimizer")
        return (opt_mod is not None and isinstance(opt, opt_mod.Optimizer)
                and ev[1] is opt_mod.Optimizer.step and type(opt).step is opt_mod.Optimizer.step
                and opt.update is not None and tuple(opt.scalars) == ("step",))

    def __init__(self, opt):
        self.opt = opt
        self.plan = None  # made at the first replay (the state exists from the traced steps)

    def _make_plan(self):
        from autograd_core.kernels.optim import PARALLEL_MIN_SIZE

        opt = self.opt
        plan = []
        for group in opt.param_groups:
            names = opt._array_names(group)
            entries = []
            for p in group["params"]:
                data = p.data
                st = opt.state.get(p)
                if not st or not data.flags.c_contiguous:
                    return None
                arrays = tuple(None if n is None else st.get(n) for n in names)
                if any(a is not None and (a.shape != data.shape or not a.flags.c_contiguous)
                       for a in arrays) or any(a is None and n for a, n in zip(arrays, names)):
                    return None
                big = data.size >= PARALLEL_MIN_SIZE
                entries.append((p, data, st, names, arrays, big))
            plan.append((group, entries))
        return plan

    def run(self):
        opt = self.opt
        plan = self.plan
        if plan is None or len(plan) != len(opt.param_groups) or not self._valid(plan):
            plan = self.plan = self._make_plan()
            if plan is None or not self._valid(plan):
                opt.step()
                return
        empty = sys.modules["optimizers.optimizer"]._EMPTY
        serial, parallel = opt.update.implementations()
        for group, entries in plan:
            cache = {}
            for p, data, st, names, arrays, big in entries:
                g = p._grad
                if g is None:
                    continue
                step = st["step"]
                dtype = data.dtype
                key = (dtype, step)
                co = cache.get(key)
                if co is None:
                    co = cache[key] = opt.coefficients(group, dtype.type, {"step": step + 1.0},
                                                       False)
                args = [data.ravel(), g.data.ravel()]
                args += [empty[dtype] if a is None else a.ravel() for a in arrays]
                (parallel if big else serial)(*args, *co)
                st["step"] = step + 1.0
                p._bump_version()

    def _valid(self, plan):
        """Everything the plan assumed still holds (checked before anything is written)."""
        opt = self.opt
        for (group, entries), live in zip(plan, opt.param_groups):
            if group is not live or len(entries) != len(group["params"]):
                return False
            names = opt._array_names(group)
            for (p, data, st, old_names, arrays, _), q in zip(entries, group["params"]):
                if p is not q or p.data is not data or opt.state.get(p) is not st:
                    return False
                if names != old_names or any(a is not None and st.get(n) is not a
                                             for n, a in zip(names, arrays)):
                    return False
                g = p._grad
                if g is not None and (g.data.shape != data.shape or g.data.dtype != data.dtype
                                      or type(st.get("step")) is not float):
                    return False
        return True


def _first_difference(a, b):
    """Where two traces of the same step differ (None when they agree): a value the step read
    in Python (``.data``, an index computed in numpy) or a Python-side branch."""
    if len(a.structure) != len(b.structure):
        return "the step ran a different number of ops in the first two calls"
    for i, (x, y) in enumerate(zip(a.structure, b.structure)):
        if not _same(x, y):
            what = x[1].__name__ if x[0] == "op" else (
                getattr(x[1], "__qualname__", x[0]) if x[0] == "call" else x[0])
            return (f"event {i} ({what}) differs between the first two calls (a value read in "
                    "Python, e.g. through .data, or a branch on one)")
    if not _same(a.out, b.out):
        return "the step returned different things in the first two calls"
    return None


def _same(x, y):
    if x is y:
        return True
    if type(x) is not type(y):
        return False
    if isinstance(x, ndarray):
        return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
    if isinstance(x, Tensor):  # a tensor made inside the step: a constant if its values agree
        return x._requires_grad == y._requires_grad and _same(x.data, y.data)
    if isinstance(x, (tuple, list)):
        return len(x) == len(y) and all(_same(u, v) for u, v in zip(x, y))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    try:
        return bool(x == y) or (x != x and y != y)
    except Exception:
        return False


def _module_guard(m):
    entries = tuple((store, name, obj) for store in (m._parameters, m._buffers)
                    for name, obj in store.items())
    return m, m.training, entries


def _run_op(ev, env, inputs):
    _, cls, srcs, fast, kwargs, out_slots, meta, needs, out_meta = ev
    if fast is not None:
        arrays = []
        for kind, x in fast:
            if kind == "slot":
                arrays.append(env[x])
            elif kind == "ext":
                arrays.append(x.data)
            elif kind == "const":
                arrays.append(x)
            else:
                arrays.append(inputs[x].data)
    else:
        arrays = [_getter(s, env, inputs) for s in srcs]
    node = _new(cls)
    node.needs_input_grad = needs
    raw = node.forward(*arrays, **kwargs) if kwargs else node.forward(*arrays)
    if len(out_slots) == 1:
        out = raw if type(raw) is ndarray else np.asarray(raw)
        if out.shape != meta[0][0]:
            raise RuntimeError(f"ag.compile: {node.name()} gave shape {out.shape} at replay, "
                               f"{meta[0][0]} when traced (data-dependent shape)")
        env[out_slots[0]] = out
        to_save = node._to_save
        if to_save:
            node._to_save = ()
            node._saved = to_save if raw is out else tuple(
                out if x is raw else x for x in to_save)
    else:
        outs = tuple(o if type(o) is ndarray else np.asarray(o) for o in raw)
        for k, o, (shape, _) in zip(out_slots, outs, meta):
            if o.shape != shape:
                raise RuntimeError(f"ag.compile: {node.name()} gave shape {o.shape} at "
                                   f"replay, {shape} when traced (data-dependent shape)")
            env[k] = o
        to_save = node._to_save
        if to_save:
            node._to_save = ()
            node._saved = tuple(_as_output(x, raw, outs) for x in to_save)
        node.out_meta = out_meta
    return node


def _as_output(x, raw, outs):
    for r, o in zip(raw, outs):
        if x is r:
            return o
    return x


def _run_backward(plan, env, inputs, nodes, events):
    seeds, order, leaves = plan
    node_grads = {}
    leaf_grads = {}
    for is_leaf, key, idx, src in seeds:
        g = _getter(src, env, inputs)
        if is_leaf:
            leaf_grads[key] = g if key not in leaf_grads else leaf_grads[key] + g
            continue
        buf = node_grads.get(key)
        if buf is None:
            buf = node_grads[key] = [None] * len(events[key][5])
        buf[idx] = g if buf[idx] is None else buf[idx] + g
    prev = STATE.enabled
    STATE.enabled = False
    try:
        for key, edges, materialize in order:
            grads = node_grads.pop(key, None)
            if grads is None:
                continue
            node = nodes[key]
            if materialize:
                grads = _fill_missing(node, grads, False)
            in_grads = node.plain_backward(*grads)
            for e, g in zip(edges, in_grads):
                if e is None or g is None:
                    continue
                if type(g) is not ndarray:
                    g = g.data if isinstance(g, Tensor) else np.asarray(g)
                is_leaf, target, idx, shape, dtype = e
                if g.shape != shape:
                    g = _reduced(node, in_grads, g, shape)
                if g.dtype is not dtype and g.dtype != dtype:
                    g = g.astype(dtype)
                if is_leaf:
                    old = leaf_grads.get(target)
                    leaf_grads[target] = g if old is None else old + g
                    continue
                buf = node_grads.get(target)
                if buf is None:
                    buf = node_grads[target] = [None] * len(events[target][5])
                    buf[idx] = g
                elif buf[idx] is None:
                    buf[idx] = g
                else:
                    buf[idx] = buf[idx] + g
    finally:
        STATE.enabled = prev
    handed = set()
    for key, g in leaf_grads.items():
        src = leaves[key]
        leaf = src[1] if src[0] == "ext" else inputs[src[1]]
        _accumulate(leaf, g, False, handed)


def _output(spec, env, inputs):
    kind = spec[0]
    if kind == "none":
        return None
    if kind == "seq":
        return spec[1](_output(s, env, inputs) for s in spec[2])
    src = spec[1]
    if src[0] in ("ext", "grad") or src[0] == "in":
        return src[1] if src[0] == "ext" else (
            src[1]._grad if src[0] == "grad" else inputs[src[1]])
    arr = _getter(src, env, inputs)
    return _make(arr, None, False)


# ---- the replay as generated Python ---------------------------------------------------------

class _Source:
    """Writes a program's replay as one straight-line Python function (no dispatch on event
    kinds, slots as local variables); ``_Program.run_interpreted`` is the same replay as a
    loop, the reference the tests hold it to."""

    def __init__(self):
        self.lines = []
        self.ns = {"ndarray": ndarray, "asarray": np.asarray, "new": _new, "Tensor": Tensor,
                   "copyto": np.copyto, "reduced": _reduced, "accumulate": _accumulate,
                   "fill_missing": _fill_missing, "as_output": _as_output, "STATE": STATE,
                   "shape_error": _shape_error, "as_array": _as_array}
        self.names = {}

    def name(self, obj, prefix):
        """A global of the generated function holding ``obj`` (one name per object)."""
        key = (prefix, id(obj))
        n = self.names.get(key)
        if n is None:
            n = self.names[key] = f"{prefix}{len(self.names)}"
            self.ns[n] = obj
        return n

    def emit(self, line, depth=1):
        self.lines.append("    " * depth + line)

    def expr(self, src):
        kind = src[0]
        if kind == "slot":
            return f"s{src[1]}"
        if kind == "in":
            return f"inputs[{src[1]}].data"
        if kind == "ext":
            return f"{self.name(src[1], 'X')}.data"
        if kind == "grad":
            return f"{self.name(src[1], 'G')}._grad.data"
        if kind == "const":
            return self.name(src[1], "V")
        items = "".join(self.expr(s) + ", " for s in src[2])
        return f"{self.name(src[1], 'T')}(({items}))"

    def leaf(self, spec):
        return self.name(spec[1], "X") if spec[0] == "ext" else f"inputs[{spec[1]}]"


def _shape_error(node, got, want):
    raise RuntimeError(f"ag.compile: {node.name()} gave shape {got} at replay, {want} when "
                       "traced (data-dependent shape)")


def _as_array(g):
    return g.data if isinstance(g, Tensor) else np.asarray(g)


def _generate(program):
    """The replay function of ``program``: ``replay(inputs) -> outputs``."""
    src = _Source()
    emit = src.emit
    n_out = {}
    for i, ev in enumerate(program.events):
        kind = ev[0]
        if kind == "op":
            _, cls, srcs, _, kwargs, out_slots, meta, needs, out_meta = ev
            n_out[i] = len(out_slots)
            args = ", ".join(src.expr(s) for s in srcs)
            if kwargs:
                args += (", " if args else "") + f"**{src.name(kwargs, 'K')}"
            emit(f"n{i} = new({src.name(cls, 'C')})")
            emit(f"n{i}.needs_input_grad = {src.name(needs, 'N')}")
            emit(f"r = n{i}.forward({args})")
            if len(out_slots) == 1:
                k = out_slots[0]
                emit(f"s{k} = r if type(r) is ndarray else asarray(r)")
                emit(f"if s{k}.shape != {meta[0][0]!r}:")
                emit(f"shape_error(n{i}, s{k}.shape, {meta[0][0]!r})", 2)
                emit(f"t = n{i}._to_save")
                emit("if t:")
                emit(f"n{i}._to_save = ()", 2)
                emit(f"n{i}._saved = t if r is s{k} else tuple([s{k} if x is r else x "
                     "for x in t])", 2)
            else:
                emit("outs = tuple([o if type(o) is ndarray else asarray(o) for o in r])")
                for j, (k, (shape, _)) in enumerate(zip(out_slots, meta)):
                    emit(f"s{k} = outs[{j}]")
                    emit(f"if s{k}.shape != {shape!r}:")
                    emit(f"shape_error(n{i}, s{k}.shape, {shape!r})", 2)
                emit(f"t = n{i}._to_save")
                emit("if t:")
                emit(f"n{i}._to_save = ()", 2)
                emit(f"n{i}._saved = tuple([as_output(x, r, outs) for x in t])", 2)
                emit(f"n{i}.out_meta = {src.name(out_meta, 'M')}")
        elif kind == "backward":
            _emit_backward(src, i, ev[1], n_out)
        elif kind == "call":
            emit(f"{src.name(ev[1], 'F')}({src.name(ev[2], 'O')}, "
                 f"*{src.name(ev[3], 'A')}, **{src.name(ev[4], 'K')})")
        elif kind == "optstep":
            emit(f"{src.name(ev[1], 'S')}.run()")
        elif kind == "setgrad":
            emit(f"{src.leaf(ev[1])}._grad = None")
        else:  # copy
            emit(f"copyto({src.expr(ev[1])}, {src.expr(ev[2])}, casting='same_kind')")
            if ev[3] is not None:
                emit(f"{src.name(ev[3], 'X')}._bump_version()")
    slots = ", ".join(f"s{k}" for k in range(program.n_slots))
    emit(f"return [{slots}]")
    code = "def replay(inputs):\n" + "\n".join(src.lines) + "\n"
    exec(builtins.compile(code, "<ag.compile replay>", "exec"), src.ns)  # our own code
    return src.ns.pop("replay"), code  # popped: its globals must not hold it (no cycle)


def _emit_backward(src, b, plan, n_out):
    """The engine's pass over a recorded graph, unrolled: each node in the engine's order,
    its gradients summed in the engine's order, broadcasting undone and dtypes cast as the
    engine does. Gradient buffers: ``g<event>`` (one output) or ``g<event>_<k>``."""
    emit = src.emit
    seeds, order, leaves = plan
    names = set()

    def buf(key, idx):
        return f"g{key}" if n_out[key] == 1 else f"g{key}_{idx}"

    targets = {buf(k, i) for k, _, _ in order for i in range(n_out[k])}
    targets |= {f"l{b}_{k}" for k in range(len(leaves))}
    for name in sorted(targets):
        emit(f"{name} = None")
    names |= targets
    for is_leaf, key, idx, s in seeds:
        g = src.expr(s)
        target = f"l{b}_{key}" if is_leaf else buf(key, idx)
        emit(f"{target} = {g} if {target} is None else {target} + {g}")
    emit("prev = STATE.enabled")
    emit("STATE.enabled = False")
    emit("try:")
    for key, edges, materialize in order:
        grads = [buf(key, i) for i in range(n_out[key])]
        emit(f"if {' is not None or '.join(grads)} is not None:", 2)
        if materialize:
            emit(f"gs = fill_missing(n{key}, [{', '.join(grads)}], False)", 3)
            emit(f"ig = n{key}.plain_backward(*gs)", 3)
        else:
            emit(f"ig = n{key}.plain_backward({', '.join(grads)})", 3)
        emit(f"if len(ig) < {len(edges)}:", 3)
        emit(f"ig = (*ig, *([None] * {len(edges)}))", 4)
        for j, e in enumerate(edges):
            if e is None:
                continue
            is_leaf, target, idx, shape, dtype = e
            t = f"l{b}_{target}" if is_leaf else buf(target, idx)
            emit(f"g = ig[{j}]", 3)
            emit("if g is not None:", 3)
            emit("if type(g) is not ndarray:", 4)
            emit("g = as_array(g)", 5)
            emit(f"if g.shape != {shape!r}:", 4)
            emit(f"g = reduced(n{key}, ig, g, {shape!r})", 5)
            dt = src.name(dtype, "D")
            emit(f"if g.dtype is not {dt} and g.dtype != {dt}:", 4)
            emit(f"g = g.astype({dt})", 5)
            emit(f"{t} = g if {t} is None else {t} + g", 4)
    emit("finally:")
    emit("STATE.enabled = prev", 2)
    emit("handed = set()")
    for k, spec in enumerate(leaves):
        emit(f"if l{b}_{k} is not None:")
        emit(f"accumulate({src.leaf(spec)}, l{b}_{k}, False, handed)", 2)


# ---- the public object ----------------------------------------------------------------------

_EAGER = object()  # cache entry of a signature that falls back to eager


def _signature(args, kwargs):
    key = [STATE.enabled]
    for a in args:
        if isinstance(a, Tensor):
            d = a.data
            key.append((d.shape, d.dtype, d.strides, a._requires_grad))
        elif isinstance(a, (int, float, str, bool, type(None))):
            key.append((type(a), a))
        else:
            return None
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
        self._warned = set()
        #: how many times the step was traced (a new signature or a failed guard)
        self.traces = 0

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
        key = _signature(args, kwargs)
        if key is None:
            self._warn("ag.compile: the step was given arguments other than tensors and "
                       "numbers (or keywords); running it eagerly")
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
            self._warn(f"ag.compile: cache_limit ({self.cache_limit}) reached; new "
                       "signatures run eagerly")
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


def compile(fn: Callable | None = None, *, strict: bool = False,
            cache_limit: int = 8) -> CompiledStep | Callable:
    """Capture a whole training step and replay it without Python per-op work.

    ``fn(*tensors)`` does what one step does (``zero_grad``, forward, loss, ``backward``,
    ``optimizer.step()``, scheduler steps) and returns tensors. The first call with a new input
    signature runs ``fn`` eagerly and traces it; later calls with that signature replay the
    trace (the same numbers as eager, bit for bit), reading parameters, gradients, optimizer
    state and hyperparameters afresh and drawing fresh random numbers. A failing guard (an
    input's shape, dtype, strides or requires_grad, grad mode, a parameter's shape or dtype, a
    module's training flag, ...) re-traces; after ``cache_limit`` traces new signatures run
    eagerly (one warning). A step that cannot be captured runs eagerly with one warning naming
    the reason, or raises :class:`CompileFallback` under ``strict=True``. ``step.eager(...)``
    runs the original function. Returned tensors are fresh and detached at replay.

    Usable as ``ag.compile(fn)``, ``@ag.compile`` and ``@ag.compile(strict=True)``.

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
    if fn is None:
        return functools.partial(compile, strict=strict, cache_limit=cache_limit)
    return CompiledStep(fn, strict, cache_limit)
