"""The alias sampler of noise words (cpu/_noise.py): exact probabilities and real draws."""
import numpy as np
import pytest

from fastw2v.cpu._noise import alias_table, draw_noise
from fastw2v.vocab import Vocab


def implied_probabilities(accept, alias):
    """P(w) that the table (accept, alias) draws: its own bucket's share plus the leftovers of
    every bucket aliased to w."""
    V = accept.size
    keep = accept / 2.0 ** 32
    p = keep.copy()
    np.add.at(p, alias, 1.0 - keep)
    return p / V


@pytest.mark.parametrize("counts", [
    [1000, 300, 100, 10, 1],
    [5] * 7,
    [1],
    list(np.random.default_rng(0).zipf(1.3, 5000).clip(5, 10**7)),
])
@pytest.mark.parametrize("exponent", [0.75, 1.0, 0.0])
def test_alias_table_is_exact(counts, exponent):
    counts = np.sort(np.asarray(counts))[::-1]
    P = Vocab([f"w{i}" for i in range(len(counts))], counts).noise_distribution(exponent)
    accept, alias = alias_table(P)
    assert accept.dtype == np.int64 and alias.dtype == np.int32
    assert np.all((accept >= 0) & (accept <= 2**32)) and np.all((alias >= 0) & (alias < len(P)))
    # rounding each bucket's coin to 32 bits moves at most 2^-33 / V per bucket, and a frequent
    # word is the alias of many buckets; the float64 construction adds ~1e-16 per step
    np.testing.assert_allclose(implied_probabilities(accept, alias), P, rtol=1e-6, atol=1e-12)
    # even the rarest word is exact to 1e-4 (a 1e7-slot table rounds text8's rarest by ~5%)
    assert np.max(np.abs(implied_probabilities(accept, alias) / P - 1)) < 1e-4


def test_draws_follow_the_distribution():
    vocab = Vocab(list("abcde"), [1000, 300, 100, 10, 1])
    P = vocab.noise_distribution(0.75)
    accept, alias = alias_table(P)
    n = 2_000_000
    out = np.empty(n, dtype=np.int32)
    state = draw_noise(accept, alias, out, 0, n, np.uint64(12345))
    share = np.bincount(out, minlength=5) / n
    # binomial standard error sqrt(p(1-p)/n) <= 3.6e-4; allow 5 sigma
    assert np.all(np.abs(share - P) <= 5 * np.sqrt(P * (1 - P) / n)), (share, P)
    assert state != np.uint64(12345)


def test_draw_fills_only_its_slice():
    accept, alias = alias_table(np.array([0.5, 0.5]))
    out = np.full(6, -1, dtype=np.int32)
    draw_noise(accept, alias, out, 2, 3, np.uint64(7))
    assert list(out[:2]) == [-1, -1] and out[5] == -1
    assert set(out[2:5]) <= {0, 1}
