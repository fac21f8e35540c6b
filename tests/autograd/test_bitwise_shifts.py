"""bitwise_left_shift / bitwise_right_shift and the << >> <<= >>= operators, with PyTorch's
semantics for negative and too-large shifts (no C undefined behaviour)."""

import numpy as np
import pytest

import autograd_core as ag


def test_shifts_by_hand():
    x = ag.tensor([-8, -1, 1, 5, 127], dtype=ag.int8)
    assert (x << 1).tolist() == [-16, -2, 2, 10, -2]  # 127 << 1 = 254 wraps to -2
    assert (x >> 2).tolist() == [-2, -1, 0, 1, 31]  # arithmetic: -8 >> 2 = -2
    for s in (8, 9, 100, -1):  # beyond the width, or negative: 0, or -1 for a negative value
        assert (x << s).tolist() == [0] * 5
        assert (x >> s).tolist() == [-1, -1, 0, 0, 0]
    assert (3 << ag.tensor([1, 2])).tolist() == [6, 12]
    assert (40 >> ag.tensor([1, 3])).tolist() == [20, 5]
    assert (ag.tensor([1, 2], dtype=ag.int8) << 260).tolist() == [16, 32]  # 260 wraps to 4
    u = ag.tensor([1, 255], dtype=ag.uint8)
    assert (u >> 7).tolist() == [0, 1] and (u << 7).tolist() == [128, 128]
    y = ag.tensor([1, 2], dtype=ag.int8)
    z = y
    y <<= 3
    assert y is z and y.tolist() == [8, 16] and y.dtype == ag.int8
    y >>= ag.tensor([1, 9])
    assert y is z and y.tolist() == [4, 0]
    assert ag.tensor([5]).bitwise_right_shift_(1).tolist() == [2]
    with pytest.raises(NotImplementedError, match='"lshift_cpu" not implemented for \'Float\''):
        ag.tensor([1.5]) << 1
    with pytest.raises(NotImplementedError, match='"rshift_cpu" not implemented for \'Float\''):
        ag.tensor([1]) >> 1.5
    with pytest.raises(NotImplementedError, match="'Bool'"):
        ag.tensor([True]) << ag.tensor([True])
    with pytest.raises(RuntimeError, match="must match the size"):
        ag.tensor([1, 2]) << ag.tensor([1, 2, 3])


@pytest.mark.torch_parity
def test_shifts_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for name in ("int8", "uint8", "int16", "int32", "int64"):
        info = np.iinfo(name)
        v = rng.integers(info.min, info.max, 40, endpoint=True).astype(name)
        bits = np.dtype(name).itemsize * 8
        shifts = rng.integers(-3, bits + 4, 40).astype(name if info.min < 0 else "int64")
        a, t = ag.tensor(v), torch.tensor(v)
        for s_np in (shifts, shifts[:1]):
            sa, st = ag.tensor(s_np), torch.tensor(s_np)
            for op in ("bitwise_left_shift", "bitwise_right_shift"):
                got, want = getattr(ag, op)(a, sa), getattr(torch, op)(t, st)
                assert got.tolist() == want.tolist(), (name, op)
                assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
        for s in (0, 1, bits - 1, bits, bits + 1, -1, 300):
            assert (a << s).tolist() == (t << s).tolist(), (name, s)
            assert (a >> s).tolist() == (t >> s).tolist(), (name, s)
            c_a, c_t = a.clone(), t.clone()
            c_a <<= s
            c_t <<= s
            assert c_a.tolist() == c_t.tolist()
        small = rng.integers(0, 5, 4)
        assert (7 << ag.tensor(small)).tolist() == (7 << torch.tensor(small)).tolist()
        assert (-100 >> ag.tensor(small)).tolist() == (-100 >> torch.tensor(small)).tolist()
    b = ag.tensor([True, False]) << 1
    tb = torch.tensor([True, False]) << 1
    assert b.tolist() == tb.tolist() and str(b.dtype).split(".")[1] == str(tb.dtype).split(".")[1]
    out_a, out_t = ag.empty(3, dtype=ag.int64), torch.empty(3, dtype=torch.int64)
    ag.bitwise_left_shift(ag.tensor([1, 2, 3], dtype=ag.int8), 2, out=out_a)
    torch.bitwise_left_shift(torch.tensor([1, 2, 3], dtype=torch.int8), 2, out=out_t)
    assert out_a.tolist() == out_t.tolist()
