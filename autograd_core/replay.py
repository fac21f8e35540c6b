"""Replaying a step captured by ``ag.compile`` (``autograd_core/capture.py`` traces it).

A ``_Program`` is a traced step as data: its events (ops, backward passes, calls, in-place
copies), the guards of the state outside it, and the replay function generated from it: one
straight-line Python function with the step's arrays as local variables, each op's forward and
fused backward in eager's order, the engine's pass unrolled (its order, its accumulation
order, broadcasting undone and dtypes cast as the engine does), so that results equal eager
bit for bit. ``_Program.run_interpreted`` is the same replay as a loop over the events, the
reference the generated code is written from. ``optimizer.step()`` is called as it is (its
steady-state plan is already a kernel call per parameter).
"""

from __future__ import annotations

import builtins
import keyword
import sys
from operator import is_, itemgetter

import numpy as np

from autograd_core import fusion
from autograd_core.engine import _accumulate, _fill_missing, _reduced
from autograd_core.grad_mode import STATE
from autograd_core.tensor import Tensor

_new = object.__new__
_MISSING = object()
_make = Tensor._make
ndarray = np.ndarray


def _getter(src, env, inputs):
    """Resolve a source (see ``_Tracer.source``) at replay."""
    kind = src[0]
    if kind == "slot":
        return env[src[1]]
    if kind == "ext":
        return src[1]._data
    if kind == "in":
        return inputs[src[1]]._data
    if kind == "const":
        return src[1]
    if kind == "grad":
        return src[1]._grad._data
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
        self.events = tuple(events)
        # what a second trace must reproduce for the program to be trusted (nodes dropped)
        self.structure = tuple(ev[:6] if ev[0] == "op" else ev for ev in tracer.events)
        ext = tracer.external.values()
        # strides too: a fused kernel writes C order where eager's results follow their
        # inputs' memory order (a parameter given a Fortran-ordered array must re-trace)
        self.ext_guard = tuple((t, t._data.shape, t._data.dtype, t._data.strides,
                                t._requires_grad) for t in ext)
        called = tracer.modules
        read = getattr(tracer, "read_modules", ())  # named by the step, maybe not called
        self.mod_guard = tuple(_module_guard(m, id(m) in called)
                               for m in _guarded_modules([*called.values(), *read]))
        self.array_guard = tuple(tracer.kw_arrays.values())
        # leaves whose .grad the step's code read before setting any: None or not, as traced
        self.grad_guard = tuple(getattr(tracer, "grad_reads", {}).values())
        # what the step read from its closure, globals and arguments' attributes (capture.py's
        # _python_values): numbers by value, other objects by identity
        self.python_guard = getattr(tracer, "python_values", ())
        self.fuse_infos = dict(tracer.fuse_infos)
        self.needed_nodes = _needed_nodes(self.events)
        self.slot_shapes = {k: m[0] for ev in self.events if ev[0] == "op"
                            for k, m in zip(ev[5], ev[6])}
        self.slot_shapes.update(ev[5] for ev in self.events if ev[0] == "call" and ev[5])
        self._replay = None  # generated on first use
        self.source = None
        self._guard = None  # guards_hold's generated function, made on first use

    def guards_hold(self):
        """True when everything the program baked in is as traced (checked before every
        replay): the straight-line function ``_guard_function`` generates from the guards,
        made on first use."""
        check = self._guard
        if check is None:
            check = self._guard = _guard_function(self)
        return check()

    def guards_hold_interpreted(self):
        """The same checks as ``guards_hold``, as loops over the guards (the reference for the
        generated function)."""
        return self.failed_guard() is None

    def failed_guard(self):
        """The first guard that fails, in words (None when all hold): what ``ag.compile``'s
        warnings name. The checks and their order are ``guards_hold``'s."""
        for t, shape, dtype, strides, rg in self.ext_guard:
            d = t._data
            what = ("shape" if d.shape != shape else "dtype" if d.dtype != dtype else
                    "strides" if d.strides != strides else "requires_grad"
                    if t._requires_grad is not rg else "hooks" if t._hooks or t._post_acc_hooks
                    else None)
            if what is not None:
                return f"the {what} of a tensor the step reads (traced as {dtype} {shape}) changed"
        for t, arr in self.array_guard:
            if t._data is not arr:
                return f"a tensor's array passed to an op by keyword was replaced ({t.shape})"
        for t, none in self.grad_guard:
            if (t._grad is None) is not none:
                return (f"the .grad the step reads (shape {tuple(t.shape)}) was "
                        f"{'None' if none else 'a tensor'} at the trace")
        for entry in self.python_guard:
            if not _python_value_holds(entry):
                holder, name, value, kind = entry
                where = "a variable of its closure" if name is None else repr(name)
                what = ("object" if kind == 2 else "array values" if kind == 4 else
                        "items" if kind == 5 else repr(value))
                return f"the step reads {where}, which is no longer the traced {what}"
        for m, checks in self.mod_guard:
            hook = _module_hook(m)
            if hook is not None:
                return f"{hook} was added to a {type(m).__name__}"
            for store, get, values, names, size in checks:
                if size is not None and len(store) != size:
                    what = ("an attribute was set on" if store is m.__dict__ else
                            "a parameter, buffer or submodule was added to")
                    return f"{what} a {type(m).__name__}"
                if get is None:
                    continue
                try:
                    now = get(store)
                except KeyError:  # an attribute, a parameter, ... deleted
                    return f"an attribute of a {type(m).__name__} was deleted"
                if not all(map(is_, now, values)) and not _same_attributes(now, values):
                    changed = next(n for n, a, b in zip(names, now, values)
                                   if not _same_attributes((a,), (b,)))
                    return f"{type(m).__name__}.{changed} changed"
        return None

    def run(self, inputs):
        if self._replay is None:
            self._replay, self.source = _generate(self, inputs)
        return self._replay(inputs)

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
                r = ev[1](ev[2], *ev[3], **ev[4])
                if ev[5] is not None:
                    env[ev[5][0]] = r._data
            elif kind == "setgrad":
                leaf = ev[1]
                (leaf[1] if leaf[0] == "ext" else inputs[leaf[1]])._grad = None
            else:  # copy
                dest = _getter(ev[1], env, inputs)
                np.copyto(dest, _getter(ev[2], env, inputs), casting="unsafe")  # inplace() checked PyTorch's canCast
                if ev[3] is not None:
                    ev[3]._bump_version()
        return _output(self.out, env, inputs)


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
        return x._requires_grad == y._requires_grad and _same(x._data, y._data)
    if isinstance(x, (tuple, list)):
        return len(x) == len(y) and all(_same(u, v) for u, v in zip(x, y))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    try:
        return bool(x == y) or (x != x and y != y)
    except Exception:
        return False


def _guarded_modules(called):
    """The modules the step called (or named: ``model.forward(x)``, ``F.linear(x, m.weight)``),
    and the submodules of those that it did not call (a ``ModuleList`` the forward loops over,
    a ``ParameterList``, a layer whose weight is tied), and theirs."""
    out = {id(m): m for m in called}
    stack = list(out.values())
    while stack:
        for child in stack.pop()._modules.values():
            if child is not None and id(child) not in out:
                out[id(child)] = child
                stack.append(child)
    return out.values()


_BACKWARD_HOOKS = ("_backward_hooks", "_backward_pre_hooks", "_non_full_backward_hooks")


def _global_module_hooks():
    """The process-wide forward hook registries every module call runs
    (``nn.modules.module.register_module_forward_hook`` and ``..._pre_hook``), or ()."""
    mod = sys.modules.get("nn.module")
    return () if mod is None else (mod._global_forward_hooks, mod._global_forward_pre_hooks)


def _module_hook(m):
    """The hook a call of module ``m`` would run, in words, or None. A trace records what a
    forward hook computes as part of the step and nothing of a backward hook's work, and a
    replay calls no hook: a step that meets one runs eagerly, and one registered (or removed)
    after the trace fails the guards."""
    if m._forward_hooks or m._forward_pre_hooks:
        return "a forward hook"
    d = m.__dict__
    if any(d.get(name) for name in _BACKWARD_HOOKS):
        return "a backward hook"
    if any(_global_module_hooks()):
        return "a global module forward hook (register_module_forward_hook or _pre_hook)"
    return None


def _module_guard(m, called=True):
    """``(m, checks)``: ``(dict, get, values, names, size)`` with ``get(dict) == values`` (the
    values of ``names``, the first one again) object for object, and ``len(dict) == size``
    unless ``size`` is None, while the module is as traced: its parameters, buffers and
    submodules (a layer replaced between calls, ``model[2] = nn.Linear(...)``, is not entered
    by the trace, whose ops read the old layer's parameters), their number for its submodules
    (a layer appended to a ``Sequential`` or ``ModuleList`` that the forward loops over) and for
    all three registries of a module the step did not call (a parameter appended to a
    ``ParameterList``; a layer's own forward uses the parameters it names), how many attributes
    it has (one set on it later, ``model.forward = ...``, was not traced), and its public
    attributes, the training flag included (its forward passes its numbers to the ops as
    constants: a dropout's ``p``, a loss's ``label_smoothing``, a custom module's temperature;
    the private ones are the module's own bookkeeping, such as a cache). A registry entry that
    the instance dict mirrors is checked once, there. ``itemgetter``: the cheapest check."""
    checks = []
    d = m.__dict__
    public = [k for k in d if not k.startswith("_")]
    for store in (m._parameters, m._buffers, m._modules, d):
        # the instance dict's size too: an attribute set after the trace (``model.forward =
        # ...`` patched on the instance, which ``__call__`` then runs) was never looked at
        sized = store is m._modules or store is d or not called
        if store is d:
            names = public
        else:  # an entry mirrored in the instance dict is checked there (the registries keep
            # it in step: nn.module._Registry), once
            names = [k for k in store if k.startswith("_") or k not in d or d[k] is not store[k]]
        if names:
            get = itemgetter(*names, names[0])  # always a tuple, even of one name
            checks.append((store, get, get(store), names, len(store) if sized else None))
        elif sized and store:  # (entries all checked in the instance dict: their number here)
            checks.append((store, None, (), (), len(store)))
    return m, tuple(checks)


def _guard_function(program):
    """``guards_hold`` as one generated function of straight-line checks (a loop over the
    guards in Python costs several times the comparisons themselves: ~6 us a call on the tiny
    MLP's 8 tensors and 7 modules). Each check is the interpreted one's, in the same order; a
    value that is not the traced object falls back to the same comparison by value."""
    env = {"MISSING": _MISSING, "same": _same_attributes, "python_ok": _python_value_holds}
    lines = ["def guards_hold():", "    try:", "        pass  # (a program may guard nothing)"]

    def emit(cond):
        lines.append(f"        if {cond}:")
        lines.append("            return False")

    for i, (t, shape, dtype, strides, rg) in enumerate(program.ext_guard):
        env.update({f"T{i}": t, f"S{i}": shape, f"D{i}": dtype, f"R{i}": strides})
        lines.append(f"        d = T{i}._data")
        emit(f"d.shape != S{i} or (d.dtype is not D{i} and d.dtype != D{i}) or "
             f"d.strides != R{i} or T{i}._requires_grad is not {rg} or T{i}._hooks" +
             # (only a tensor that requires grad can have post-accumulate-grad hooks)
             f" or T{i}._post_acc_hooks" * rg)
    for i, (t, arr) in enumerate(program.array_guard):
        env.update({f"AT{i}": t, f"A{i}": arr})
        emit(f"AT{i}._data is not A{i}")
    for i, (t, none) in enumerate(program.grad_guard):
        env[f"GT{i}"] = t
        emit(f"GT{i}._grad is {'not ' if none else ''}None")
    for i, entry in enumerate(program.python_guard):
        holder, name, value = entry[:3]
        env.update({f"PH{i}": holder, f"PV{i}": value, f"PE{i}": entry})
        now = f"PH{i}.cell_contents" if name is None else f"PH{i}.get({name!r}, MISSING)"
        emit(f"{now} is not PV{i} and not python_ok(PE{i})")
    if program.mod_guard:  # the global forward hooks run in every module call
        for j, hooks in enumerate(_global_module_hooks()):
            env[f"GH{j}"] = hooks
            emit(f"GH{j}")
    for k, (m, checks) in enumerate(program.mod_guard):
        env[f"M{k}"] = m
        # a hook registry is checked as the dict it was at the trace (registering adds to
        # it); one made later (``register_backward_hook``'s) through the instance dict
        hooks = [f"M{k}._forward_hooks", f"M{k}._forward_pre_hooks"]
        for j, name in enumerate(_BACKWARD_HOOKS):
            store = m.__dict__.get(name)
            if store is None:
                env[f"MD{k}"] = m.__dict__
                hooks.append(f"MD{k}.get({name!r})")
            else:
                env[f"H{k}_{j}"] = store
                hooks.append(f"H{k}_{j}")
        emit(" or ".join(hooks))
        for j, (store, _, values, names, size) in enumerate(checks):
            env[f"M{k}_{j}"] = store
            if not names:
                emit(f"len(M{k}_{j}) != {size}")
            for n, (name, value) in enumerate(zip(names, values)):
                env[f"V{k}_{j}_{n}"] = value
                # the size on the first name's line: no line (and no jump) more per module
                check = f"len(M{k}_{j}) != {size} or " if size is not None and not n else ""
                emit(f"{check}M{k}_{j}[{name!r}] is not V{k}_{j}_{n} and "
                     f"not same((M{k}_{j}[{name!r}],), (V{k}_{j}_{n},))")
    lines += ["    except KeyError:  # an attribute, a parameter, ... deleted",
              "        return False", "    return True"]
    exec(compile("\n".join(lines) + "\n", "<ag.compile guards>", "exec"), env)
    return env.pop("guards_hold")  # not left in its own globals (no cycle)


def _array_value(a):
    """What a guard of a numpy array (kind 4) compares: the array, its shape, dtype, values."""
    return (a, a.shape, a.dtype, a.tobytes())


def _python_value_holds(entry):
    """One ``python_guard`` entry holds: the traced object, or for numbers (kind 0), lists of
    numbers (kind 1) and dicts of them (kind 3) the same value; for a numpy array (kind 4,
    ``_array_value``) the same array with the same values; for other short lists, deques and
    dicts (kind 5) the same items; other objects (kind 2) by identity only."""
    holder, name, value, kind = entry
    now = holder.cell_contents if name is None else holder.get(name, _MISSING)
    if now is value:
        return True
    if kind == 2:
        return False
    if kind == 4:
        return value[0] is now and _array_value(now) == value
    if kind == 5:
        cls, items = value
        if type(now) is not cls or len(now) != len(items):
            return False
        if cls is dict:
            return all(k == j and v is w for (k, v), (j, w) in zip(now.items(), items))
        return all(map(is_, now, items))
    if kind == 1:
        now = tuple(now) if type(now) is list else _MISSING
    elif kind == 3:
        now = tuple(now.items()) if type(now) is dict else _MISSING
    # repr: 0.0 and -0.0, 1 and 1.0 and True are equal but not the same constant
    return type(now) is type(value) and repr(now) == repr(value)


_PLAIN = (int, float, complex, str, bytes, type(None), np.generic)


def _plain(v):
    """A value a trace bakes in as a constant: a number, a string, a tuple of them."""
    return isinstance(v, _PLAIN) or (isinstance(v, tuple) and all(_plain(x) for x in v))


def _same_attributes(now, then):
    """A module's public attributes are the traced ones: the same objects, or for numbers and
    strings the same values (by repr: 0.0 and -0.0, 1 and 1.0 are other constants)."""
    for a, b in zip(now, then):
        if a is not b and not (_plain(b) and type(a) is type(b) and repr(a) == repr(b)):
            return False
    return True


def _run_op(ev, env, inputs):
    _, cls, srcs, fast, kwargs, out_slots, meta, needs, out_meta = ev
    if fast is not None:
        arrays = []
        for kind, x in fast:
            if kind == "slot":
                arrays.append(env[x])
            elif kind == "ext":
                arrays.append(x._data)
            elif kind == "const":
                arrays.append(x)
            else:
                arrays.append(inputs[x]._data)
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
                    g = g._data if isinstance(g, Tensor) else np.asarray(g)
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
                   "copyto": np.copyto, "reduced": _reduced,
                   "fill_missing": _fill_missing, "as_output": _as_output, "STATE": STATE,
                   "shape_error": _shape_error,
                   "empty": np.empty, "fused_shape_error": _fused_shape_error,
                   "make": _make, "np_array": np.array, "np_add": np.add,
                   "conform": _conform, "as_result": _as_result}
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
            return f"inputs[{src[1]}]._data"
        if kind == "ext":
            return f"{self.name(src[1], 'X')}._data"
        if kind == "grad":
            return f"{self.name(src[1], 'G')}._grad._data"
        if kind == "const":
            return self.name(src[1], "V")
        items = "".join(self.expr(s) + ", " for s in src[2])
        return f"{self.name(src[1], 'T')}(({items}))"

    def leaf(self, spec):
        return self.name(spec[1], "X") if spec[0] == "ext" else f"inputs[{spec[1]}]"


def _as_result(node, r, shape):
    """A forward's result as an ndarray (a numpy scalar made a 0-d array, the saved values
    following) of the traced ``shape``, else the replay's error."""
    out = r if type(r) is ndarray else np.asarray(r)
    if out.shape != shape:
        _shape_error(node, out.shape, shape)
    if out is not r and node._to_save:
        node._to_save = tuple([out if x is r else x for x in node._to_save])
    return out


def _shape_error(node, got, want):
    raise RuntimeError(f"ag.compile: {node.name()} gave shape {got} at replay, {want} when "
                       "traced (data-dependent shape)")


def _fused_shape_error(got, want):
    raise RuntimeError(f"ag.compile: an input of a fused elementwise run has shape {got} at "
                       f"replay, {want} when traced")


def _as_array(g):
    return g._data if isinstance(g, Tensor) else np.asarray(g)


def _conform(node, ig, g, shape, dtype):
    """A rule's gradient as the engine takes it: an ndarray, broadcasting undone to the
    input's ``shape``, cast to its ``dtype``."""
    if type(g) is not ndarray:
        g = _as_array(g)
    if g.shape != shape:
        g = _reduced(node, ig, g, shape)
    if g.dtype is not dtype and g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _generate(program, inputs, fuse=True):
    """The replay function of ``program``: ``replay(inputs) -> outputs``. ``fuse``: run
    runs of elementwise ops through generated kernels (``autograd_core/fusion.py``) where
    their declarations allow it."""
    src = _Source()
    emit = src.emit
    n_out = {}
    readers = _readers(program)
    groups = _fused_groups(program, inputs, readers) if fuse and program.fuse_infos else {}
    fused_slots = {k for _, plan, _, _ in groups.values() for k in plan[3]}  # C-ordered
    # an array is dropped after the last event that reads it (or at once if none does), as
    # eager frees it with the graph: held to the end, large steps ran up to 1.7x slower
    keep = _output_slots(program.out)
    free_after: dict = {}
    for ev_index, ev in enumerate(program.events):
        if ev[0] == "op":
            for k in ev[5]:
                if k not in keep:
                    free_after.setdefault(max(readers.get(k, {ev_index})), []).append(k)
    # a node is dropped after the last backward pass through it: a node that saved nothing
    # (add, sub, neg) may be in two passes' graphs ((a * x).sum().backward(), then a.sum()...)
    last_pass = {key: b for b, ev in enumerate(program.events) if ev[0] == "backward"
                 for key in _pass_nodes(ev[1])}
    skip: set = set()
    for i, ev in enumerate(program.events):
        kind = ev[0]
        if i in skip:
            n_out[i] = 1
            _emit_free(src, free_after, i)
            continue
        if i in groups:
            _emit_fused(src, program, *groups[i])
            skip.update(groups[i][0])
            n_out[i] = 1
            _emit_free(src, free_after, i)
            continue
        if kind == "op":
            _, cls, srcs, _, kwargs, out_slots, meta, needs, out_meta = ev
            n_out[i] = len(out_slots)
            args = ", ".join(src.expr(s) for s in srcs)
            if kwargs:
                args += (", " if args else "") + _keywords(src, kwargs)
            emit(f"n{i} = new({src.name(cls, 'C')})")
            emit(f"n{i}.needs_input_grad = {src.name(needs, 'N')}")
            if len(out_slots) == 1:
                k, shape = out_slots[0], meta[0][0]
                emit(f"s{k} = n{i}.forward({args})")
                # the common case (an ndarray of the traced shape) in one test
                emit(f"if s{k}.__class__ is not ndarray or s{k}.shape != {shape!r}:")
                emit(f"s{k} = as_result(n{i}, s{k}, {shape!r})", 2)
                emit(f"n{i}._saved = n{i}._to_save")  # (_to_save is not read after this)
            else:
                emit(f"r = n{i}.forward({args})")
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
            if i not in program.needed_nodes:  # no backward runs it: drop what it saved
                emit(f"n{i} = r = t = None")
        elif kind == "backward":
            runs = _fused_backward_runs(program, inputs, ev[1], fused_slots) if groups else {}
            _emit_backward(src, i, ev[1], n_out, runs, last_pass)
        elif kind == "call":
            rest = "".join([f", *{src.name(ev[3], 'A')}" if ev[3] else "",
                            f", {_keywords(src, ev[4])}" if ev[4] else ""])
            call = f"{src.name(ev[1], 'F')}({src.name(ev[2], 'O')}{rest})"
            emit(call if ev[5] is None else f"s{ev[5][0]} = {call}._data")
        elif kind == "setgrad":
            emit(f"{src.leaf(ev[1])}._grad = None")
        else:  # copy
            emit(f"copyto({src.expr(ev[1])}, {src.expr(ev[2])}, casting='unsafe')")
            if ev[3] is not None:
                emit(f"{src.name(ev[3], 'X')}._bump_version()")
        _emit_free(src, free_after, i)
    emit(f"return {_output_expr(src, program.out)}")
    code = "def replay(inputs):\n" + "\n".join(src.lines) + "\n"
    exec(builtins.compile(code, "<ag.compile replay>", "exec"), src.ns)  # our own code
    return src.ns.pop("replay"), code  # popped: its globals must not hold it (no cycle)


def _output_expr(src, spec):
    """``_output``'s result as an expression of the generated function (the step's tensors:
    fresh detached ones for arrays made by the replay)."""
    kind = spec[0]
    if kind == "none":
        return "None"
    if kind == "seq":
        items = "".join(_output_expr(src, s) + ", " for s in spec[2])
        return f"{src.name(spec[1], 'T')}(({items}))"
    s = spec[1]
    if s[0] == "ext":
        return src.name(s[1], "X")
    if s[0] == "grad":
        return f"{src.name(s[1], 'G')}._grad"
    if s[0] == "in":
        return f"inputs[{s[1]}]"
    return f"make({src.expr(s)}, None, False)"


def _keywords(src, kwargs):
    """Keyword arguments of a call in the generated code: ``name=G`` per entry, each value a
    global of its own (``**K`` would copy a dict at every call); ``**K`` for keys that are not
    identifiers."""
    if not all(isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k)
               for k in kwargs):
        return f"**{src.name(kwargs, 'K')}"
    return ", ".join(f"{k}={src.name(v, 'V')}" for k, v in kwargs.items())


def _emit_backward(src, b, plan, n_out, runs=None, last_pass=None):
    """The engine's pass over a recorded graph, unrolled: each node in the engine's order,
    its gradients summed in the engine's order, broadcasting undone and dtypes cast as the
    engine does. Gradient buffers: ``g<event>`` (one output) or ``g<event>_<k>``. ``runs``:
    runs of elementwise nodes computed by one kernel (``_fused_backward_runs``);
    ``last_pass``: node -> the last backward event through it (a node is dropped there)."""
    emit = src.emit
    seeds, order, leaves = plan
    done = {key for key in _pass_nodes(plan) if last_pass is None or last_pass[key] == b}
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
    writes: dict = {}  # buffer -> how many seeds and edges write it
    for is_leaf, key, idx, _ in seeds:
        t = f"l{b}_{key}" if is_leaf else buf(key, idx)
        writes[t] = writes.get(t, 0) + 1
    for _, edges, _ in order:
        for e in edges:
            if e is not None:
                t = f"l{b}_{e[1]}" if e[0] else buf(e[1], e[2])
                writes[t] = writes.get(t, 0) + 1
    single = None if runs else {t for t, n in writes.items() if n == 1}
    emit("prev = STATE.enabled")
    emit("STATE.enabled = False")
    emit("try:")
    skip: set = set()
    for pos, (key, edges, materialize) in enumerate(order):
        if pos in skip:
            continue
        if runs and pos in runs:
            skip.update(runs[pos][0])
            _emit_fused_backward(src, b, order, buf, *runs[pos])
            # eager's arrays take their inputs' memory order (a transpose's gradient is
            # Fortran-ordered), and a reduction's rounding follows that order; the kernel
            # writes C order: when an input is not C-contiguous, the run goes op by op
            emit("else:", 2)
            run = runs[pos][0]
            for p in run:
                _emit_node_backward(src, b, order[p], buf, n_out, 3, done)
            emit(" = ".join([*(f"n{order[p][0]}" for p in run if order[p][0] in done),
                             f"{buf(key, 0)} = None"]), 2)
            continue
        _emit_node_backward(src, b, order[pos], buf, n_out, 2, done, single)
    emit("finally:")
    emit("STATE.enabled = prev", 2)
    for k, spec in enumerate(leaves):
        # the engine's ``_accumulate`` (not create_graph), inlined: a call per leaf cost ~0.2 us;
        # an array already handed to an earlier leaf of the pass (its variable) is copied, as
        # the engine's ``handed`` set does
        g, leaf = f"l{b}_{k}", src.leaf(spec)
        earlier = "".join(f" or {g} is l{b}_{j}" for j in range(k))
        emit(f"if {g} is not None:")
        emit(f"cur = {leaf}._grad", 2)
        emit("if cur is None:", 2)
        emit(f"f = {g}.flags", 3)
        emit(f"if {g}.base is not None or not f.writeable or not f.c_contiguous{earlier}:", 3)
        emit(f"{g} = np_array({g}, copy=True)", 4)
        emit(f"{leaf}._grad = make({g}, None, False)", 3)
        emit("else:", 2)
        emit("cur = cur._data", 3)
        emit(f"np_add(cur, {g}, out=cur, casting='unsafe')", 3)
    emit("cur = f = None")


def _emit_node_backward(src, b, entry, buf, n_out, depth, done, single=None):
    """One node of ``_emit_backward``'s pass, op by op, indented by ``depth``; the node is
    dropped after it when it is in ``done`` (no later pass runs it). ``single``: the buffers
    that one edge of the pass writes and nothing else (no seed, no fused run)."""
    def emit(line, more=0):
        src.emit(line, depth + more)

    key, edges, materialize = entry
    grads = [buf(key, i) for i in range(n_out[key])]
    emit(f"if {' is not None or '.join(grads)} is not None:")
    if materialize:
        emit(f"gs = fill_missing(n{key}, [{', '.join(grads)}], False)", 1)
        emit(f"ig = n{key}.plain_backward(*gs)", 1)
    else:
        emit(f"ig = n{key}.plain_backward({', '.join(grads)})", 1)
    # a rule may return fewer gradients than the node has inputs: padded up to the last one
    # read (an edge of an input that needs no gradient is None)
    last = max((j for j, e in enumerate(edges) if e is not None), default=-1) + 1
    if last:
        emit(f"if len(ig) < {last}:", 1)
        emit(f"ig = (*ig, *([None] * {last}))", 2)
    for j, e in enumerate(edges):
        if e is None:
            continue
        is_leaf, target, idx, shape, dtype = e
        t = f"l{b}_{target}" if is_leaf else buf(target, idx)
        dt = src.name(dtype, "D")
        emit(f"g = ig[{j}]", 1)
        emit("if g is not None:", 1)
        # the common case (an ndarray of the input's shape and dtype) in one test
        emit(f"if g.__class__ is not ndarray or g.shape != {shape!r} or g.dtype is not {dt}:",
             2)
        emit(f"g = conform(n{key}, ig, g, {shape!r}, {dt})", 3)
        # a buffer only this edge writes (counted over the pass) is assigned, not summed
        emit(f"{t} = g" if single is not None and t in single else
             f"{t} = g if {t} is None else {t} + g", 2)
    # as the engine frees a node's saved values and gradients once it ran
    emit(" = ".join([f"n{key}"] * (key in done) + [*grads, "ig = g = None"]))


# ---- fused elementwise runs ------------------------------------------------------------------

def _readers(program):
    """``{slot: events that read it}`` (-1: the step's result)."""
    readers: dict = {}
    for i, ev in enumerate(program.events):
        found: set = set()
        if ev[0] == "op":
            for s in ev[2]:
                fusion.slots_read(s, found)
        elif ev[0] == "copy":
            fusion.slots_read(ev[1], found)
            fusion.slots_read(ev[2], found)
        elif ev[0] == "backward":
            for seed in ev[1][0]:
                fusion.slots_read(seed[3], found)
        for k in found:
            readers.setdefault(k, set()).add(i)
    for k in _output_slots(program.out):
        readers.setdefault(k, set()).add(-1)
    return readers


def _emit_free(src, free_after, i):
    """Drop the arrays that no event after ``i`` reads (nodes keep what they saved)."""
    slots = free_after.get(i)
    if slots:
        src.emit(" = ".join(f"s{k}" for k in slots) + " = None")


def _fused_groups(program, inputs, readers):
    """``{first event: (group, plan, input shapes, kernel)}`` for the runs of elementwise ops
    that one generated kernel computes (``fusion.find_groups``); a run whose kernel cannot be
    had (numpy backend, no writable cache) runs op by op."""
    events = program.events
    out = {}
    for group in fusion.find_groups(events, program.fuse_infos):
        members = set(group)
        elsewhere = {events[i][5][0] for i in group
                     if readers.get(events[i][5][0], set()) - members}
        plan = fusion.plan_group(group, events, program.fuse_infos, elsewhere)
        ins, scalars, body, outs, shape, _ = plan
        if not outs or any(x[0] == "grad" for x in ins):
            continue  # a .grad read as a value: its dtype and order are not guarded
        shapes = tuple(_shape_of(s, program, inputs) for s in ins)
        pattern = tuple((fusion.broadcast_pattern(x, shape), len(x)) for x in shapes)
        text, name = fusion.kernel_source(len(shape), pattern, len(scalars), body, len(outs))
        kernel = fusion.load_kernel(text, name)
        if kernel is not None:
            out[group[0]] = (group, plan, shapes, kernel)
    return out


def _shape_of(s, program, inputs):
    if s[0] == "slot":
        return program.slot_shapes[s[1]]
    if s[0] == "grad":
        return s[1]._grad._data.shape
    return _source_array(s, inputs).shape


def _output_slots(spec):
    found: set = set()
    if spec[0] == "seq":
        for s in spec[2]:
            found |= _output_slots(s)
    elif spec[0] != "none":
        fusion.slots_read(spec[1], found)
    return found


def _pass_nodes(plan):
    """The op events whose node a backward pass runs."""
    seeds, order, _ = plan
    return {key for is_leaf, key, _, _ in seeds if not is_leaf} | {key for key, _, _ in order}


def _needed_nodes(events):
    """The op events whose node a backward pass of the program runs."""
    need: set = set()
    for ev in events:
        if ev[0] == "backward":
            need |= _pass_nodes(ev[1])
    return need


def _emit_fused(src, program, group, plan, shapes, kernel):
    """A run of elementwise ops as one kernel call: the inputs' shapes checked, the results
    that are read later allocated, then the nodes that backward runs, holding what their
    forward would have saved."""
    emit = src.emit
    events = program.events
    ins, scalars, _, outs, shape, dtype = plan
    args = []
    for s, x in zip(ins, shapes):
        e = src.expr(s)
        if s[0] != "slot":  # slots were checked when made; the others are checked here
            emit(f"if {e}.shape != {x!r}:")
            emit(f"fused_shape_error({e}.shape, {x!r})", 2)
        args.append(e)
    dt = src.name(dtype, "D")
    for k in outs:
        emit(f"s{k} = empty({shape!r}, {dt})")
    for k in sorted({events[i][5][0] for i in group} - set(outs)):
        emit(f"s{k} = None")
    consts = [src.name(c, "V") for c in scalars]
    emit(f"{src.name(kernel, 'K')}({', '.join([*args, *(f's{k}' for k in outs), *consts])})")
    for i in group:
        if i not in program.needed_nodes:
            continue
        ev = events[i]
        emit(f"n{i} = new({src.name(ev[1], 'C')})")
        emit(f"n{i}.needs_input_grad = {src.name(ev[7], 'N')}")
        saves = program.fuse_infos[i]
        if saves:
            items = ["None" if sv is None else f"s{ev[5][0]}" if sv[0] == "out" else
                     src.expr(ev[2][sv[1]]) for sv in saves]
            emit(f"n{i}._saved = ({', '.join(items)},)")


def _fused_backward_runs(program, inputs, plan, fused_slots):
    """``{first position: (run, variants)}`` for the runs of a backward plan that a generated
    kernel computes (``fusion.backward_runs``). ``variants``: ``[(plan, input shapes,
    kernel, checked)]``: the one that continues sums in registers from buffers that earlier
    nodes filled (used when all those buffers hold C-ordered arrays), then the plain one.

    The kernel writes C order, eager's arrays follow their inputs' memory order (and a
    reduction's rounding follows it): a run whose saved input is an input, parameter or
    constant not C-contiguous (fixed by the guards) stays op by op; ``checked``: the inputs
    whose order is known only at replay (the run's gradient, arrays made by unfused ops,
    gradients read as values, buffers), checked before each call."""
    seeds, order, _ = plan
    events = program.events
    out = {}
    for run in fusion.backward_runs(order, seeds, events, program.fuse_infos):
        shape = events[order[run[0]][0]][6][0][0]
        variants = []
        for continued in (True, False):
            bplan = fusion.plan_backward(run, order, seeds, events, program.fuse_infos,
                                         continued)
            ins, scalars, body, externals = bplan
            if continued and not any(x[0] == "buffer" for x in ins):
                continue  # nothing to continue: the plain plan is the same
            if not externals:
                break
            shapes = tuple(shape if x[0] in ("grad", "buffer") else
                           _shape_of(x[3], program, inputs) for x in ins)
            checked, static = [], True
            for j, x in enumerate(ins):
                source = (x[0],) if x[0] in ("grad", "buffer") else x[3]
                if source[0] == "grad" and x[0] != "grad":
                    static = False  # a saved .grad: its dtype and order are not guarded
                elif source[0] in ("in", "ext", "const"):
                    static = static and _source_array(source, inputs).flags.c_contiguous
                elif source[0] != "slot" or source[1] not in fused_slots:
                    checked.append(j)
            if not static:
                break
            pattern = tuple((fusion.broadcast_pattern(x, shape), len(x)) for x in shapes)
            text, name = fusion.kernel_source(len(shape), pattern, len(scalars), body,
                                              len(externals))
            kernel = fusion.load_kernel(text, name)  # compiled at its first call
            if kernel is None:
                break
            variants.append((bplan, shapes, kernel, tuple(checked)))
        else:
            out[run[0]] = (run, variants)
    return out


def _source_array(src, inputs):
    """The array of an input, parameter or constant source at generation (its memory order
    is fixed by the guards)."""
    if src[0] == "in":
        return inputs[src[1]]._data
    return src[1]._data if src[0] == "ext" else np.asarray(src[1])


def _emit_fused_backward(src, b, order, buf, run, variants):
    """A backward run as one kernel call, then the gradients that leave the run summed into
    their targets, broadcasting undone, in the engine's order; the call runs when the run's
    gradient reached it and the inputs checked at replay are C-contiguous (the caller emits
    the ``else``: the run op by op)."""
    emit = src.emit
    head = order[run[0]][0]

    def target(t):
        return f"l{b}_{t[1]}" if t[0] else buf(t[1], t[2])

    def args_of(variant):
        return [f"g{head}" if x[0] == "grad" else target(x[1]) if x[0] == "buffer" else
                f"n{x[1]}._saved[{x[2]}]" for x in variant[0][0]]

    dtype = src.name(_dtype_of(order, run), "D")
    plain = variants[-1]
    args = args_of(plain)
    emit(" and ".join([f"if g{head} is not None",
                       *(f"{args[j]}.flags.c_contiguous" for j in plain[3])]) + ":", 2)
    if len(variants) == 2:
        cont = variants[0]
        buffers = [e for e, x in zip(args_of(cont), cont[0][0]) if x[0] == "buffer"]
        emit("if " + " and ".join(f"{e} is not None and {e}.flags.c_contiguous"
                                  for e in buffers) + ":", 3)
        _emit_run_call(src, order, target, dtype, args_of(cont), *cont, 4)
        emit("else:", 3)
        _emit_run_call(src, order, target, dtype, args, *plain, 4)
    else:
        _emit_run_call(src, order, target, dtype, args, *plain, 3)


def _emit_run_call(src, order, target, dtype, args, plan, shapes, kernel, checked, depth):
    emit = src.emit
    ins, scalars, _, externals = plan
    shape = shapes[0]
    for e, xs in zip(args, shapes):
        emit(f"if {e}.shape != {xs!r}:", depth)
        emit(f"fused_shape_error({e}.shape, {xs!r})", depth + 1)
    outs = [f"go{k}" for k in range(len(externals))]
    for o in outs:
        emit(f"{o} = empty({shape!r}, {dtype})", depth)
    consts = [src.name(c, "V") for c in scalars]
    emit(f"{src.name(kernel, 'K')}({', '.join([*args, *outs, *consts])})", depth)
    for o, (p, j, whole) in zip(outs, externals):
        key, edges, _ = order[p]
        is_leaf, t_key, idx, tshape, tdtype = edges[j]
        t = target((is_leaf, t_key, idx))
        if whole:  # every contribution of the run to it, summed in the engine's order
            emit(f"{t} = {o}", depth)
            continue
        emit(f"g = {o}", depth)
        if tshape != shape:
            emit(f"g = reduced(n{key}, (g,), g, {tshape!r})", depth)
        dt = src.name(tdtype, "D")
        emit(f"if g.dtype is not {dt} and g.dtype != {dt}:", depth)
        emit(f"g = g.astype({dt})", depth + 1)
        emit(f"{t} = g if {t} is None else {t} + g", depth)
    emit(" = ".join([*outs, "g = None"]), depth)


def _dtype_of(order, run):
    for p in run:
        for e in order[p][1]:
            if e is not None:
                return e[4]
    raise AssertionError("a backward run with no edges")
