"""ag.save / ag.load (issue 12 item 7): the objects programs save, data only, nn.save's format."""

import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_state_dict_round_trip_restores_the_model(tmp_path):
    model = _model()
    model(ag.randn(5, 3))  # moves the batch-norm statistics
    p = tmp_path / "model.pt"
    ag.save(model.state_dict(), p)
    sd = ag.load(p)
    assert isinstance(sd, OrderedDict) and list(sd) == list(model.state_dict())
    assert all(isinstance(v, ag.Tensor) for v in sd.values())
    assert sd["1.num_batches_tracked"].dtype == np.int64 and sd["1.num_batches_tracked"].item() == 1
    ag.manual_seed(5)
    other = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    other.load_state_dict(sd)
    x = ag.randn(2, 3)
    model.eval()
    other.eval()
    np.testing.assert_array_equal(model(x).data, other(x).data)


def test_tensors_nested_containers_numbers_and_optimizer_state(tmp_path):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model(ag.randn(4, 3)).sum().backward()
    opt.step()
    obj = {"epoch": 3, "loss": 0.25, "name": "run", "none": None, "flag": True,
           "t": ag.arange(4), "x": ag.tensor([1.5, -2.0], dtype=ag.float64),
           "list": [1, (2.5, ag.ones(2))], "optimizer": opt.state_dict()}
    p = tmp_path / "ckpt.pt"
    ag.save(obj, p)
    back = ag.load(p)
    assert back["epoch"] == 3 and back["loss"] == 0.25 and back["name"] == "run"
    assert back["none"] is None and back["flag"] is True
    assert back["t"].tolist() == [0, 1, 2, 3] and back["t"].dtype == np.int64
    assert back["x"].dtype == np.float64 and back["x"].tolist() == [1.5, -2.0]
    assert back["list"][0] == 1 and isinstance(back["list"][1], tuple)
    np.testing.assert_array_equal(back["list"][1][1].data, [1.0, 1.0])
    osd = back["optimizer"]
    assert sorted(osd["state"]) == sorted(opt.state_dict()["state"])  # int keys stay ints
    opt2 = optim.Adam(_model().parameters(), lr=1e-2)
    opt2.load_state_dict(osd)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


def test_a_single_tensor_and_the_shared_format_with_nn_save(tmp_path):
    t = ag.randn(3, 2)
    p = tmp_path / "t.pt"
    ag.save(t, p)
    np.testing.assert_array_equal(ag.load(p).data, t.data)
    np.testing.assert_array_equal(nn.load(p).data, t.data)  # one format
    q = tmp_path / "n.npz"
    nn.save({"w": nn.Parameter(ag.ones(2))}, q)
    w = ag.load(q)["w"]
    assert isinstance(w, nn.Parameter) and w.requires_grad
    with np.load(q, allow_pickle=False) as z:  # readable without this project
        np.testing.assert_array_equal(z["w"], [1.0, 1.0])


def test_load_options_as_pytorch(tmp_path):
    p = tmp_path / "a.pt"
    ag.save({"w": ag.ones(2)}, p)
    for loc in (None, "cpu", ag.device("cpu"), {"cuda:0": "cpu"}):
        assert ag.load(p, map_location=loc)["w"].tolist() == [1.0, 1.0]
    seen = []
    out = ag.load(p, map_location=lambda s, loc: seen.append(loc) or s * 2)
    assert out["w"].tolist() == [2.0, 2.0] and seen == ["cpu"]
    assert ag.load(p, weights_only=True)["w"].tolist() == [1.0, 1.0]
    # data only whatever weights_only says: False (what PyTorch programs pass to load numpy
    # arrays) loads the same data
    assert ag.load(p, weights_only=False)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="weights_only must be a bool or None"):
        ag.load(p, weights_only="yes")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ag.load(p, map_location="cuda")


def test_refusals_happen_before_the_file_is_touched(tmp_path):
    p = tmp_path / "keep.pt"
    ag.save({"w": ag.ones(1)}, p)
    before = p.read_bytes()
    with pytest.raises(TypeError, match="autograd_core.save: cannot save an object of type "
                                        "object"):
        ag.save({"w": object()}, p)
    with pytest.raises(TypeError, match="autograd_core.save: cannot save an object of type "
                                        "object"):
        with open(tmp_path / "f", "wb") as f:
            ag.save({"w": object()}, f)
    assert (tmp_path / "f").read_bytes() == b""
    assert p.read_bytes() == before
    bad = tmp_path / "bad.pt"
    with open(bad, "wb") as f:
        pickle.dump({"w": 1}, f)
    with pytest.raises(ValueError, match="autograd_core.load: .* is not a valid tapegrad "
                                         "checkpoint"):
        ag.load(bad)
    with pytest.raises(FileNotFoundError, match="autograd_core.load: no such file"):
        ag.load(tmp_path / "missing.pt")
    assert not [n for n in os.listdir(tmp_path) if ".tapegrad-tmp." in n]


def test_core_serialization_does_not_need_nn():
    import ast
    from pathlib import Path

    import autograd_core.serialization as S

    tree = ast.parse(Path(S.__file__).read_text())
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and (m == "nn" or m.startswith("nn.")) for m in mods), mods
    assert "pickle" not in mods


def test_tied_and_viewing_tensors_load_as_separate_copies_with_the_same_values(tmp_path):
    # DIFFERENCES.md ("Checkpoints never use pickle"): PyTorch's load keeps a tensor saved under
    # two keys, and a view of it, sharing one storage; ours loads each as its own copy, and a
    # model with tied weights loads the same weights either way.
    x = ag.arange(6.0).reshape(2, 3)
    ag.save({"a": x, "b": x, "row": x[1]}, tmp_path / "tied.pt")
    d = ag.load(tmp_path / "tied.pt")
    np.testing.assert_array_equal(d["a"].data, x.data)
    np.testing.assert_array_equal(d["b"].data, x.data)
    np.testing.assert_array_equal(d["row"].data, x.data[1])
    d["a"].add_(1.0)
    assert d["b"][0, 0].item() == 0.0 and d["row"][0].item() == 3.0
    ag.manual_seed(0)
    emb, head = nn.Embedding(5, 3), nn.Linear(3, 5, bias=False)
    head.weight = emb.weight
    model = nn.ModuleDict({"emb": emb, "head": head})
    ag.save(model.state_dict(), tmp_path / "model.pt")
    ag.manual_seed(1)
    other = nn.ModuleDict({"emb": nn.Embedding(5, 3), "head": nn.Linear(3, 5, bias=False)})
    other["head"].weight = other["emb"].weight
    other.load_state_dict(ag.load(tmp_path / "model.pt"))
    np.testing.assert_array_equal(other["emb"].weight.data, emb.weight.data)
    assert other["head"].weight is other["emb"].weight
