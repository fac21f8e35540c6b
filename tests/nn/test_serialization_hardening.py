"""nn.save / nn.load hardening (issue 11 items 8-9, issue 14 item 5): symlinks written through,
temporaries of interrupted saves cleaned up, masked/object/string/datetime arrays refused,
the output path checked before any work, crafted files refused with a ValueError naming the
file and the key, npz entries named by parameter names (old ``a0, a1`` files still load)."""

import io
import json
import math
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from nn import serialization as S

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


# ---- symlinks ------------------------------------------------------------------------------
def test_save_through_a_symlink_keeps_the_link_and_writes_the_target(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    target = store / "real.ckpt"
    nn.save({"w": np.zeros(2)}, target)
    link = tmp_path / "latest.ckpt"
    link.symlink_to(os.path.relpath(target, tmp_path))  # relative link, as `ln -s` makes
    nn.save({"w": np.ones(2)}, link)
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, tmp_path)
    np.testing.assert_array_equal(nn.load(target)["w"], np.ones(2))
    np.testing.assert_array_equal(nn.load(link)["w"], np.ones(2))
    assert sorted(os.listdir(tmp_path)) == ["latest.ckpt", "store"]
    assert os.listdir(store) == ["real.ckpt"]


def test_save_through_a_chain_of_links_and_a_dangling_link(tmp_path):
    target = tmp_path / "t.ckpt"
    (tmp_path / "l1").symlink_to(target)  # dangling until the save creates the target
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    nn.save({"a": 1}, tmp_path / "l2")
    assert (tmp_path / "l1").is_symlink() and (tmp_path / "l2").is_symlink()
    assert target.is_file() and not target.is_symlink()
    assert nn.load(target) == {"a": 1}


def test_symlink_loop_is_a_clear_error(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError, match="nn.save.*symbolic links"):
        nn.save({"a": 1}, tmp_path / "a")


# ---- temporaries of interrupted saves ------------------------------------------------------
def _killed_save(path):
    """Run nn.save in a child process that is SIGKILLed half-way through writing."""
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {ROOT!r})
        import numpy as np
        import nn
        def dying_savez(f, *a, **k):
            f.write(b"PK\\x03\\x04 half a checkpoint")
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        np.savez = dying_savez
        nn.save({{"w": np.arange(4.0)}}, {str(path)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120,
                          check=False)
    assert proc.returncode == -9, proc.stderr.decode()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pid liveness are POSIX")
def test_temporaries_of_a_killed_save_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "model.ckpt"
    nn.save({"w": np.zeros(4)}, path)
    _killed_save(path)
    leftovers = [n for n in os.listdir(tmp_path) if n != "model.ckpt"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".model.ckpt.tapegrad-tmp.")
    np.testing.assert_array_equal(nn.load(path)["w"], np.zeros(4))  # old checkpoint intact
    (tmp_path / "other.ckpt").write_bytes(b"not ours")
    (tmp_path / ".model.ckpt.swp").write_bytes(b"an editor's file")
    nn.save({"w": np.ones(4)}, path)
    assert sorted(os.listdir(tmp_path)) == [".model.ckpt.swp", "model.ckpt", "other.ckpt"]
    np.testing.assert_array_equal(nn.load(path)["w"], np.ones(4))


@pytest.mark.skipif(os.name != "posix", reason="pid liveness is POSIX")
def test_temporary_of_a_save_still_running_is_left_alone(tmp_path):
    path = tmp_path / "m.ckpt"
    live = tmp_path / f".m.ckpt.tapegrad-tmp.{S._host_tag()}.{os.getppid()}.abcd1234.tmp"
    live.write_bytes(b"being written by a live process")
    mine = tmp_path / f".m.ckpt.tapegrad-tmp.{S._host_tag()}.{os.getpid()}.00000000.tmp"
    mine.write_bytes(b"being written by another thread of this process")
    S._active_tmps.add(str(mine))
    try:
        nn.save({"a": 1}, path)
    finally:
        S._active_tmps.discard(str(mine))
    assert live.exists() and mine.exists()
    nn.save({"a": 2}, path)  # no longer active in this process: stale now
    assert live.exists() and not mine.exists()


# ---- what cannot be saved --------------------------------------------------------------------
@pytest.mark.parametrize("bad,text", [
    (np.ma.array([1.0, 2.0], mask=[False, True]), "masked array"),
    (np.array(["a", "b"]), "dtype <U1"),
    (np.array([b"a"]), "dtype |S1"),
    (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime64"),
    (np.array([1], dtype="timedelta64[s]"), "timedelta64"),
    (np.zeros(2, dtype=[("x", "f4")]), "dtype"),
    (np.array([{}], dtype=object), "dtype object"),
    (np.datetime64("2024-01-01"), "datetime64"),
])
def test_non_numeric_and_masked_arrays_are_refused(tmp_path, bad, text):
    path = tmp_path / "c.ckpt"
    nn.save({"ok": np.zeros(1)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError) as info:
        nn.save({"model": {"x": bad}}, path)
    msg = str(info.value)
    assert msg.startswith("nn.save") and text in msg and "obj['model']['x']" in msg, msg
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["c.ckpt"]


def test_cycles_and_excessive_nesting_are_refused(tmp_path):
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"nn.save: obj\[1\] contains itself"):
        nn.save(loop, tmp_path / "c")
    deep = 0
    for _ in range(S.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        nn.save(deep, tmp_path / "c")
    ok = 0
    for _ in range(S.MAX_DEPTH):
        ok = {"k": ok}
    nn.save(ok, tmp_path / "c")
    assert nn.load(tmp_path / "c") == ok
    shared = np.arange(3.0)  # the same array twice is not a cycle
    nn.save({"a": shared, "b": [shared, shared]}, tmp_path / "c")
    back = nn.load(tmp_path / "c")
    np.testing.assert_array_equal(back["b"][1], shared)


# ---- the output path, checked first ---------------------------------------------------------
def _no_encoding(monkeypatch):
    def fail(*a, **k):
        raise AssertionError("the object was encoded before the path was checked")

    monkeypatch.setattr(S._Encoder, "encode", fail)


def test_a_directory_as_path_fails_before_any_work(tmp_path, monkeypatch):
    _no_encoding(monkeypatch)
    with pytest.raises(IsADirectoryError, match="is a directory; give a file path"):
        nn.save({"a": 1}, tmp_path)


def test_missing_parent_directory_fails_before_any_work(tmp_path, monkeypatch):
    _no_encoding(monkeypatch)
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        nn.save({"a": 1}, tmp_path / "no" / "such" / "dir" / "c.ckpt")
    assert str(tmp_path / "no" / "such" / "dir") in str(info.value)
    assert os.listdir(tmp_path) == []


def test_parent_that_is_a_file_fails_before_any_work(tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    _no_encoding(monkeypatch)
    for path in [tmp_path / "afile" / "c.ckpt", tmp_path / "afile" / "sub" / "c.ckpt"]:
        with pytest.raises(NotADirectoryError, match="is a file, not a directory") as info:
            nn.save({"a": 1}, path)
        assert "afile" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_or_device_is_not_replaced(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _no_encoding(monkeypatch)
    with pytest.raises(FileExistsError, match="not a regular file"):
        nn.save({"a": 1}, fifo)
    assert os.path.exists(fifo) and not os.path.isfile(fifo)
    with pytest.raises(ValueError, match="nn.load: .* is not a regular file"):
        nn.load(fifo)  # instead of blocking forever on the read


def test_no_write_permission_is_reported_before_any_work(tmp_path, monkeypatch):
    """The permission check (os.access) without depending on who runs the test: root may write
    anywhere, so the refusal itself is simulated here; the next test checks it for real."""
    real_access = os.access
    denied = str(tmp_path)
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if os.fspath(p) == denied
                        else real_access(p, mode, **k))
    _no_encoding(monkeypatch)
    with pytest.raises(PermissionError, match="no permission to write in directory"):
        nn.save({"a": 1}, tmp_path / "c.ckpt")


def _in_child_as_nobody(fn):
    """Run ``fn`` in a forked child that has dropped root to uid/gid 65534 (modules are
    already imported, so nothing under /root is read); returns (exit code, its message)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(r)
            os.setgid(65534)
            os.setuid(65534)
            fn()
        except PermissionError as exc:
            os.write(w, str(exc).encode())
            code = 3
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(w, f"{type(exc).__name__}: {exc}".encode())
            code = 4
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        msg = f.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), msg


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                    reason="drops root privileges in a forked child")
def test_no_write_permission_for_real_as_an_unprivileged_user():
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="tapegrad-perm-")
    try:
        os.chmod(base, 0o755)  # root's directory: readable, not writable, by uid 65534
        owned = os.path.join(base, "owned")
        os.mkdir(owned)
        os.chown(owned, 65534, 65534)  # writable by uid 65534 ...
        ro_file = os.path.join(owned, "c.ckpt")
        nn.save({"a": 1}, ro_file)  # ... but this root-owned 0644 file is not
        code, msg = _in_child_as_nobody(lambda: nn.save({"a": 2}, os.path.join(base, "c")))
        assert code == 3 and "no permission to write in directory" in msg, (code, msg)
        code, msg = _in_child_as_nobody(lambda: nn.save({"a": 2}, ro_file))
        assert code == 3 and "the existing file is read-only" in msg, (code, msg)
        assert nn.load(ro_file) == {"a": 1}
        code, msg = _in_child_as_nobody(lambda: nn.save({"a": 3}, os.path.join(owned, "n")))
        assert code == 0, msg  # and a writable place works for that user
    finally:
        shutil.rmtree(base)


def test_path_argument_errors():
    with pytest.raises(TypeError, match="nn.save: path must be a str or os.PathLike"):
        nn.save({}, io.BytesIO())
    with pytest.raises(ValueError, match="nn.save: path is empty"):
        nn.save({}, "")
    with pytest.raises(TypeError, match="nn.load: path must be"):
        nn.load(3.5)


def test_load_of_a_directory_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        nn.load(tmp_path)


# ---- entry names ----------------------------------------------------------------------------
def test_entries_are_named_by_parameter_names(tmp_path):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(ag.randn(5, 3)).sum().backward()
    opt.step()
    nn.save(model.state_dict(), tmp_path / "sd.npz")
    with np.load(tmp_path / "sd.npz", allow_pickle=False) as f:
        assert sorted(f.files) == sorted(["__structure__", *model.state_dict()])
        np.testing.assert_array_equal(f["0.weight"], model[0].weight._data)
        assert f["1.num_batches_tracked"].shape == ()
    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as f:
        assert "model/2.bias" in f.files and "optimizer/state/0/exp_avg" in f.files
        np.testing.assert_array_equal(f["optimizer/state/0/exp_avg"],
                                      opt.state_dict()["state"][0]["exp_avg"].numpy())


def test_unsafe_or_clashing_names_fall_back_and_round_trip(tmp_path):
    obj = {"../evil": np.zeros(1), "": np.ones(1), "__structure__": np.full(1, 2.0),
           "file": np.full(1, 3.0), "allow_pickle": np.full(1, 4.0), 0: np.full(1, 5.0),
           "0": np.full(1, 6.0), "a0": np.full(1, 7.0), "sp ace": np.full(1, 8.0),
           "x" * 300: np.full(1, 9.0), "ok.name-1": np.full(1, 10.0), "..": np.full(1, 11.0)}
    path = tmp_path / "c.npz"
    nn.save(obj, path)
    back = nn.load(path)
    assert list(back) == list(obj) and [type(k) for k in back] == [type(k) for k in obj]
    for k, v in obj.items():
        np.testing.assert_array_equal(back[k], v)
    names = zipfile.ZipFile(path).namelist()
    assert len(names) == len(set(names)) == len(obj) + 1
    assert not any(".." in n.split("/") or n.startswith("/") for n in names), names
    assert "ok.name-1.npy" in names and "0.npy" in names


def _write_raw(path, header, arrays, compress=False):
    """A file laid out like nn.save's, with a hand-written structure."""
    if not isinstance(header, (bytes, np.ndarray)):
        header = json.dumps(header).encode()
    structure = header if isinstance(header, np.ndarray) else np.frombuffer(header, np.uint8)
    with open(path, "wb") as f:
        (np.savez_compressed if compress else np.savez)(f, __structure__=structure, **arrays)


def _h(root):
    return {"format": "tapegrad-checkpoint", "version": 1, "root": root}


def test_old_files_with_a0_a1_entries_still_load(tmp_path):
    """The layout every checkpoint had before entries were named (a0, a1, ...)."""
    w, b = np.arange(6, dtype=np.float32).reshape(2, 3), np.zeros(2, np.float32)
    root = {"t": "odict", "items": [
        [{"t": "str", "v": "0.weight"}, {"t": "param", "k": "a0", "rg": True}],
        [{"t": "str", "v": "0.bias"}, {"t": "tensor", "k": "a1"}],
        [{"t": "str", "v": "n"}, {"t": "npscalar", "k": "a2"}]]}
    path = tmp_path / "old.ckpt"
    _write_raw(path, _h(root), {"a0": w, "a1": b, "a2": np.array(7, np.int64)})
    back = nn.load(path)
    assert isinstance(back["0.weight"], nn.Parameter) and back["0.weight"].requires_grad
    np.testing.assert_array_equal(back["0.weight"]._data, w)
    np.testing.assert_array_equal(back["0.bias"]._data, b)
    assert back["n"] == 7 and back["n"].dtype == np.int64
    m = nn.Sequential(nn.Linear(3, 2))
    m.load_state_dict({k: v for k, v in back.items() if k != "n"})
    np.testing.assert_array_equal(m[0].weight._data, w)


# ---- crafted files -------------------------------------------------------------------------
W = {"t": "array", "k": "w"}
CRAFTED = [
    ("root is a list", _h([1, 2]), "expected a node object, got an array"),
    ("no t", _h({"v": 1}), "node has no key 't'"),
    ("t is a number", _h({"t": 5}), "key 't' must be a string, got a number"),
    ("unknown t", _h({"t": "pickle"}), "unknown node type 'pickle'"),
    ("items not a list", _h({"t": "dict", "items": {"a": 1}}),
     "key 'items' must be an array, got an object"),
    ("item not a pair", _h({"t": "dict", "items": [[{"t": "str", "v": "a"}]]}),
     "item 0 of key 'items' must be a [key, value] pair"),
    ("unhashable key", _h({"t": "dict", "items": [[{"t": "list", "items": []}, W]]}),
     "has a key that is not a str, int, float, bool or None node"),
    ("int v is a list", _h({"t": "int", "v": [1]}), "key 'v' must be a string, got an array"),
    ("int v not digits", _h({"t": "int", "v": "1e9"}), "must be decimal digits"),
    ("int v huge", _h({"t": "int", "v": "9" * 5000}), "must be decimal digits"),
    ("float v bad", _h({"t": "float", "v": "zz"}), "is not a hex float"),
    ("bool v a string", _h({"t": "bool", "v": "yes"}), "key 'v' must be a boolean"),
    ("str v a number", _h({"t": "str", "v": 3}), "key 'v' must be a string, got a number"),
    ("k is a number", _h({"t": "array", "k": 0}), "key 'k' must be a string, got a number"),
    ("k missing entry", _h({"t": "array", "k": "nope"}),
     "key 'k' names the array entry 'nope', which is not in the archive"),
    ("rg a string", _h({"t": "tensor", "k": "w", "rg": "yes"}), "key 'rg' must be true or false"),
    ("npscalar not 0-d", _h({"t": "npscalar", "k": "w"}), "must be 0-d"),
    ("nested in a dict", _h({"t": "dict", "items": [[{"t": "str", "v": "model"},
                                                      {"t": "dict", "items": [
                                                          [{"t": "str", "v": "0.weight"},
                                                           {"t": "array", "k": 7}]]}]]}),
     "at obj['model']['0.weight']: key 'k' must be a string"),
    ("wrong format", {"format": "evil", "version": 1, "root": W}, "unknown format 'evil'"),
    ("wrong version", {"format": "tapegrad-checkpoint", "version": "1", "root": W},
     "unsupported checkpoint version"),
    ("no root", {"format": "tapegrad-checkpoint", "version": 1}, "no key 'root'"),
    ("header not an object", [1], "must be an object, got an array"),
    ("deep JSON", b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ("deep nodes", None, "nested more than 100 levels deep"),
    ("not JSON", b"\xff\xfe{", "not valid JSON"),
    ("structure float", np.zeros(3), "must be 1-d uint8"),
]


def _deep_nodes():
    node = W
    for _ in range(S.MAX_DEPTH + 5):
        node = {"t": "list", "items": [node]}
    return _h(node)


@pytest.mark.parametrize("name,header,text", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_crafted_structure_is_refused_naming_file_and_key(tmp_path, name, header, text):
    path = tmp_path / "crafted.ckpt"
    _write_raw(path, _deep_nodes() if header is None else header,
               {"w": np.arange(3.0)})
    with pytest.raises(ValueError) as info:
        nn.load(path)
    msg = str(info.value)
    assert "crafted.ckpt" in msg and text in msg, msg


def _npz_with_entry(path, name, payload, compress=zipfile.ZIP_STORED):
    header = json.dumps(_h({"t": "array", "k": name})).encode()
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.frombuffer(header, np.uint8))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("__structure__.npy", buf.getvalue())
        z.writestr(zipfile.ZipInfo(name + ".npy"), payload, compress_type=compress)


def _npy_header(shape, dtype="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_array_header_claiming_more_data_than_present_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.ckpt"
    _npz_with_entry(path, "w", _npy_header((10 ** 12,)) + b"\0" * 8)  # 8 TB claimed, 8 B held
    with pytest.raises(ValueError, match=r"huge.ckpt.*'w' declares shape \(1000000000000,\)"):
        nn.load(path)


def test_string_and_compressed_entries_are_refused(tmp_path):
    path = tmp_path / "str.ckpt"
    _npz_with_entry(path, "w", _npy_header((2,), "<U3") + b"\0" * 24)
    with pytest.raises(ValueError, match=r"str.ckpt.*entry 'w' has dtype <U3"):
        nn.load(path)
    path = tmp_path / "zip.ckpt"
    _npz_with_entry(path, "w", _npy_header((2,)) + b"\0" * 16, compress=zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match=r"zip.ckpt.*'w' is compressed"):
        nn.load(path)
    path = tmp_path / "hdr.ckpt"
    _npz_with_entry(path, "w", b"\x93NUMPY\x01\x00garbage")
    with pytest.raises(ValueError, match=r"hdr.ckpt.*'w' has a bad header"):
        nn.load(path)


def test_a_plain_npy_file_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.arange(3))
    with pytest.raises(ValueError, match=r"one.npy.*not an .npz archive"):
        nn.load(path)


def test_a_failed_load_changes_nothing(tmp_path):
    model = _model()
    before = {k: v._data.copy() for k, v in model.state_dict().items()}
    path = tmp_path / "bad.ckpt"
    _write_raw(path, _h({"t": "odict", "items": [
        [{"t": "str", "v": "0.weight"}, {"t": "array", "k": "w"}],
        [{"t": "str", "v": "0.bias"}, {"t": "array", "k": 3}]]}), {"w": np.zeros((4, 3))})
    data = path.read_bytes()
    with pytest.raises(ValueError, match=r"bad.ckpt.*obj\['0.bias'\]: key 'k'"):
        model.load_state_dict(nn.load(path), strict=False)
    assert path.read_bytes() == data
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v._data, before[k])


def test_loaded_arrays_do_not_alias_each_other(tmp_path):
    """Two nodes may name one entry in a crafted file; each gets its own array."""
    path = tmp_path / "alias.ckpt"
    _write_raw(path, _h({"t": "list", "items": [W, W]}), {"w": np.arange(3.0)})
    a, b = nn.load(path)
    a[0] = 99
    assert b[0] == 0 and not math.isnan(b[1])


def test_load_state_dict_refuses_a_masked_array_and_changes_nothing():
    m = nn.Linear(2, 1)
    before = m.weight._data.copy()
    sd = {"weight": np.ma.array([[1.0, 2.0]], mask=[[False, True]]), "bias": np.zeros(1)}
    with pytest.raises(RuntimeError, match='parameter named "weight", got a numpy masked array'):
        m.load_state_dict(sd)
    np.testing.assert_array_equal(m.weight._data, before)


def test_a_pytorch_checkpoint_is_named_and_the_way_to_convert_it_given(tmp_path):
    """A user's first step with a pretrained model is often ``load(torch.save'd file)``: the
    error said only "no __structure__ entry". torch.save's layout (a zip with
    ``<name>/data.pkl``, ``byteorder``, ``data/0``), written here without torch."""
    path = tmp_path / "pretrained.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("pretrained/data.pkl", b"\x80\x02}q\x00.")  # a pickle: never unpickled
        z.writestr("pretrained/byteorder", b"little")
        z.writestr("pretrained/data/0", np.ones(2, np.float32).tobytes())
        z.writestr("pretrained/version", b"3\n")
    with pytest.raises(ValueError, match=r"it is a PyTorch checkpoint .*never loads pickle.*"
                       r"safetensors\.torch import save_file"):
        ag.load(path)


def test_the_conversion_the_error_gives_loads_here(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    w = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3), "bias": np.ones(2, np.float32)}
    st.save_file(w, str(tmp_path / "weights.safetensors"))  # what safetensors.torch writes
    m = nn.Linear(3, 2)
    m.load_state_dict(ag.load(tmp_path / "weights.safetensors"))
    np.testing.assert_array_equal(m(ag.ones(1, 3)).detach().numpy(), [[4.0, 13.0]])
