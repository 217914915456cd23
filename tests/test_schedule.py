"""schedule.py: blocks and pieces cover every sentence once; the lr line."""
import numpy as np
import pytest

from fastw2v.schedule import linear_lr, plan_pieces


@pytest.mark.parametrize("threads,per_thread", [(1, 10), (2, 7), (4, 1000), (3, 1)])
def test_pieces_cover_every_sentence_once(rng, threads, per_thread):
    offsets = np.concatenate([[0], np.cumsum(rng.integers(1, 20, 57))])
    blocks = plan_pieces(offsets, threads, per_thread)
    assert all(len(b) == threads + 1 for b in blocks)
    flat = [s for b in blocks for p in range(threads) for s in range(b[p], b[p + 1])]
    assert flat == list(range(57))


def test_pieces_are_balanced():
    offsets = np.arange(0, 10_001, 10)                # 1000 sentences of 10 words
    for starts in plan_pieces(offsets, 2, 1000):
        words = np.diff(offsets[starts])
        assert abs(words[0] - words[1]) <= 10


def test_linear_lr():
    assert linear_lr(0.0, 0.025, 0.0001) == 0.025
    assert linear_lr(1.0, 0.025, 0.0001) == pytest.approx(0.0001)
    assert linear_lr(0.5, 0.02, 0.0) == pytest.approx(0.01)
    assert linear_lr(2.0, 0.02, 0.001) == pytest.approx(0.001)
