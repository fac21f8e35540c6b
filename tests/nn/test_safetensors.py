"""nn.save(..., format="safetensors") / nn.load: weights in the format the PyTorch and Hugging
Face ecosystem shares, written atomically and checked before the file is touched."""

import os

import numpy as np
import pytest

import autograd_core as ag
import nn

st = pytest.importorskip("safetensors.numpy", reason="the dev extra installs safetensors")


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_state_dict_round_trip_bit_for_bit(tmp_path):
    m = _model()
    path = tmp_path / "m.safetensors"
    nn.save(m.state_dict(), path, format="safetensors")
    back = nn.load(path)
    assert sorted(back) == sorted(m.state_dict())  # safetensors stores names sorted
    for k, v in m.state_dict().items():
        assert isinstance(back[k], ag.Tensor)
        np.testing.assert_array_equal(back[k].numpy(), v.detach().numpy())
    other = _model()
    other.load_state_dict(back)
    x = ag.randn(5, 3)
    np.testing.assert_array_equal(other(x).detach().numpy(), m(x).detach().numpy())
    # the file is plain safetensors: the package itself reads it
    raw = st.load_file(str(path))
    np.testing.assert_array_equal(raw["0.weight"], m[0].weight.detach().numpy())


def test_a_file_written_by_another_program_loads(tmp_path):
    path = tmp_path / "w.safetensors"
    st.save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3)}, str(path))
    assert nn.load(path)["w"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_refusals_leave_the_file_untouched(tmp_path):
    path = tmp_path / "keep.safetensors"
    nn.save({"a": ag.ones(2)}, path, format="safetensors")
    before = path.read_bytes()
    with pytest.raises(TypeError, match="flat dict of tensors"):
        nn.save([ag.ones(2)], path, format="safetensors")
    with pytest.raises(TypeError, match="key 'epoch' is int"):
        nn.save({"w": ag.ones(2), "epoch": 3}, path, format="safetensors")
    with pytest.raises(ValueError, match="format must be"):
        nn.save({"w": ag.ones(2)}, path, format="pickle")
    assert path.read_bytes() == before
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_a_damaged_safetensors_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.safetensors"
    nn.save({"w": ag.ones(4)}, path, format="safetensors")
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        nn.load(path)


@pytest.mark.torch_parity
def test_weights_travel_to_and_from_pytorch(tmp_path):
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    from safetensors.torch import load_file, save_file

    ours = _model()
    path = tmp_path / "to_torch.safetensors"
    nn.save(ours.state_dict(), path, format="safetensors")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(),
                               ours(ag.tensor(x)).detach().numpy(), rtol=1e-6)
    torch.manual_seed(1)
    back = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    save_file(back.state_dict(), str(tmp_path / "from_torch.safetensors"))
    mine = _model()
    mine.load_state_dict(nn.load(tmp_path / "from_torch.safetensors"))
    np.testing.assert_allclose(mine(ag.tensor(x)).detach().numpy(),
                               back(torch.tensor(x)).detach().numpy(), rtol=1e-6)
