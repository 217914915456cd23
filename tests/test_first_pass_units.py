"""How the first pass cuts its work and merges it (corpus/firstpass.py, corpus/prepared.py):
guided units that let the threads end together, one word table a thread shared by its units,
and a merge that orders the words and reports bad bytes by their place in the input, whichever
thread's table met them first."""
import gzip
import threading
import time

import numpy as np
import pytest

from conftest import python_sentences
from fastw2v.corpus import PreparedCorpus, firstpass, prepare, prepared


def _sizes(units):
    return [u.end - u.start for u in units]


def test_guided_units_shrink_along_the_input(tmp_path, monkeypatch):
    monkeypatch.setattr(firstpass, "MIN_UNIT_BYTES", 40)
    path = tmp_path / "c.txt"
    path.write_text("abcd efg\n" * 2000)                      # 18,000 bytes
    units = firstpass.plan_units([str(path)], 2)
    sizes = _sizes(units)
    assert units[0].start == 0 and units[-1].end == 18_000 and units[-1].last_of_file
    assert all(a.end == b.start for a, b in zip(units, units[1:]))     # no gap, no overlap
    assert all(path.read_bytes()[u.end - 1:u.end].isspace() for u in units)
    # each a quarter (2 x threads) of what is left, cut at the next space, down to the floor
    left = 18_000
    for size in sizes[:-1]:
        assert max(40, -(-left // 4)) <= size < max(40, -(-left // 4)) + 9
        left -= size
    assert sizes[0] >= 4500 and max(sizes[-3:]) < 60             # threads end a small unit apart
    assert len(units) < 40
    # a cluster's units (guided=False): one a thread's share
    assert _sizes(firstpass.plan_units([str(path)], 2, guided=False)) == [9005, 8995]
    # never above UNIT_BYTES or a thread's share (to the next space), however small the corpus
    monkeypatch.setattr(firstpass, "UNIT_BYTES", 1000)
    assert max(_sizes(firstpass.plan_units([str(path)], 2))) < 1000 + 9     # + the cut token
    small = tmp_path / "s.txt"
    small.write_text("ab cd ef gh ij kl\n")                  # 18 bytes: a share is 6
    assert _sizes(firstpass.plan_units([str(small)], 3)) == [9, 9]     # 6, to the next space


def test_guided_units_count_what_is_left_over_all_files(tmp_path, monkeypatch):
    monkeypatch.setattr(firstpass, "MIN_UNIT_BYTES", 40)
    files = []
    for k in range(3):
        files.append(str(tmp_path / f"{k}.txt"))
        (tmp_path / f"{k}.txt").write_text("abcd efg\n" * 1000)     # 9,000 bytes each
    units = firstpass.plan_units(files, 2)
    first = [u for u in units if u.path == files[0]]
    later = [u for u in units if u.path == files[2]]
    # the first file's first unit is a quarter of all three files, the last file's smaller
    assert 27_000 // 4 <= first[0].end - first[0].start < 27_000 // 4 + 9
    assert later[0].end - later[0].start < 9000 // 4 + 9
    assert [u.last_of_file for u in units].count(True) == 3


def _tables_interleaved(monkeypatch):
    """count_unit with units 0 and 1 held apart by events, not by timing: unit 0 waits until
    another thread has taken unit 1, and unit 1 until every other unit is done (or 5 s, when
    invalid UTF-8 stops the pass early). The thread that took unit 0 (its table numbered 0,
    by its first unit) then takes every unit after 1, while the other thread's table
    (numbered 1) holds unit 1 alone. Table 0, merged first, holds units on both sides of
    table 1's (``_assert_interleaved`` checks it). Re-armed by every plan."""
    from fastw2v.corpus.tokenize import WordTable, last_space
    # the tokenizer loaded first: compiled into an empty numba cache (as on CI) while unit 1
    # waits, it could take longer than the 5 s and leave the tables not interleaved
    buf = np.frombuffer(b"a b\n", np.uint8).copy()
    last_space(buf, 4)
    WordTable().run(buf, 4, 0, np.empty(4, np.int32), np.empty(4, np.int64))
    original_count, original_plan = firstpass.count_unit, firstpass.plan_units
    state = dict(started_1=threading.Event(), rest_done=threading.Event(), done=0, units=0)
    lock = threading.Lock()

    def plan_units(*args, **kwargs):
        units = original_plan(*args, **kwargs)
        state.update(started_1=threading.Event(), rest_done=threading.Event(), done=0,
                     units=len(units))
        return units

    def count_unit(unit, spill, *args, **kwargs):
        k, started_1, rest_done = kwargs.get("index"), state["started_1"], state["rest_done"]
        if k == 0:
            assert started_1.wait(30), "unit 1 never started"
        if k == 1:
            started_1.set()
            rest_done.wait(5)
        result = original_count(unit, spill, *args, **kwargs)
        if k != 1:
            with lock:
                state["done"] += 1
                if state["done"] == state["units"] - 1:
                    rest_done.set()
        return result
    monkeypatch.setattr(firstpass, "count_unit", count_unit)
    monkeypatch.setattr(prepared, "plan_units", plan_units)


def _assert_interleaved(p):
    maps = [s["map"] for s in p.manifest["shards"]]
    assert maps[:2] == ["map-00000.i32", "map-00001.i32"] and len(maps) > 3
    assert "map-00001.i32" not in maps[2:]


@pytest.fixture
def small_units(monkeypatch):
    monkeypatch.setattr(firstpass, "UNIT_BYTES", 24)
    monkeypatch.setattr(firstpass, "MIN_UNIT_BYTES", 24)
    monkeypatch.setattr(firstpass, "CHUNK_BYTES", 11)


@pytest.mark.parametrize("in_numba", [True, False])
@pytest.mark.parametrize("table_words", [None, 12])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ties_keep_the_input_order_whichever_table_met_the_word(tmp_path, small_units,
                                                                 monkeypatch, seed, table_words,
                                                                 in_numba):
    # the tables merged in numba (the default) and by the dict (lowercase, a given vocabulary)
    monkeypatch.setattr(prepared, "MERGE_IN_NUMBA", in_numba)
    _tables_interleaved(monkeypatch)
    if table_words:                    # full tables go to the merge, new ones take over
        monkeypatch.setattr(firstpass, "TABLE_WORDS", table_words)
    rng = np.random.default_rng(seed)
    # 40 words, most seen twice or three times: the vocabulary's order is mostly ties
    tokens = [f"w{k}" for k in rng.permutation(np.repeat(np.arange(40), rng.integers(2, 4, 40)))]
    lines = [" ".join(tokens[i:i + int(n)]) for i, n in zip(range(0, len(tokens), 7),
                                                             rng.integers(1, 9, len(tokens)))]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    p = prepare(str(path), tmp_path / "p", threads=2)
    maps = {s["map"] for s in p.manifest["shards"]}
    if table_words:
        assert 2 < len(maps) < len(p.manifest["shards"])
    else:
        assert len(maps) == 2 < len(p.manifest["shards"])     # two tables, many units each
        _assert_interleaved(p)
    sentences = python_sentences(str(path))
    seen = [w for s in sentences for w in s]
    first = {w: seen.index(w) for w in set(seen)}
    expected = sorted(first, key=lambda w: (-seen.count(w), first[w]))
    assert p.words == expected
    assert [[p.words[i] for i in ids] for ids in _sentence_ids(p)] == sentences


def _sentence_ids(p):
    ids = np.concatenate(list(p.blocks()))
    starts = np.concatenate([[0], p.ends])
    return [ids[a:b] for a, b in zip(starts[:-1], starts[1:])]


@pytest.mark.parametrize("in_numba", [True, False])
def test_the_first_invalid_byte_in_the_input_is_named_whichever_table_holds_it(
        tmp_path, small_units, monkeypatch, in_numba):
    monkeypatch.setattr(prepared, "MERGE_IN_NUMBA", in_numba)
    _tables_interleaved(monkeypatch)
    path = tmp_path / "bad.txt"
    # unit 0 (24 bytes) fine; unit 1 (table 1) holds the first bad byte, a later unit
    # (table 0, merged first) another
    path.write_bytes(b"good words here and more\nok caf\xe9 bar\n" + b"a b c\n" * 20 + b"x \xff y\n")
    with pytest.raises(ValueError) as ours:
        prepare(str(path), tmp_path / "p", threads=2)
    with pytest.raises(ValueError) as reader:
        python_sentences(str(path))
    assert str(ours.value) == str(reader.value)
    assert "line 2" in str(ours.value) and "column 7" in str(ours.value)
    assert not (tmp_path / "p").exists()
    # the layout the test needs: the valid file gives the same units and tables
    good = tmp_path / "good.txt"
    good.write_bytes(path.read_bytes().replace(b"\xe9", b"e").replace(b"\xff", b"f"))
    _assert_interleaved(prepare(str(good), tmp_path / "good", threads=2))


def test_invalid_utf8_stops_the_pass_at_the_unit_that_holds_it(tmp_path, small_units,
                                                               monkeypatch):
    counted = []
    original = firstpass.count_unit
    monkeypatch.setattr(firstpass, "count_unit",
                        lambda *a, **k: counted.append(k["index"]) or original(*a, **k))
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xe9 ok\n" + b"a b c d\n" * 200)
    with pytest.raises(ValueError, match=r"line 1: invalid UTF-8 byte b'\\xe9' at column 4"):
        prepare(str(path), tmp_path / "p", threads=1)
    assert counted == [0]                     # of about 70 units
    # a bad byte met late still stops the units after it, and the first in the input is named
    counted.clear()
    path.write_bytes(b"a b c d\n" * 100 + b"x\xff\n" + b"a b c d\n" * 100 + b"\xfe\n")
    with pytest.raises(ValueError, match=r"line 101: invalid UTF-8 byte b'\\xff' at column 2"):
        prepare(str(path), tmp_path / "p", threads=1)
    assert 0 < len(counted) < 40 and counted == list(range(len(counted)))


def test_invalid_utf8_on_two_threads_names_the_first_and_stops_the_rest(tmp_path, small_units,
                                                                        monkeypatch):
    counted = []
    original = firstpass.count_unit

    def count_unit(*args, **kwargs):              # unit 0 (the first bad byte) held back
        counted.append(kwargs["index"])
        time.sleep(0.5 if kwargs["index"] == 0 else 0)
        return original(*args, **kwargs)
    monkeypatch.setattr(firstpass, "count_unit", count_unit)
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xff ok\n" + b"a b c d\n" * 20 + b"x\xfe\n" + b"a b c d\n" * 200)
    with pytest.raises(ValueError) as ours:
        prepare(str(path), tmp_path / "p", threads=2)
    with pytest.raises(ValueError) as reader:
        python_sentences(str(path))
    assert str(ours.value) == str(reader.value) and "line 1:" in str(ours.value)
    assert len(counted) < 20                       # of about 80 units: none past the \xfe one


def test_sight_keys_have_room_for_every_unit(tmp_path, monkeypatch):
    plain = tmp_path / "a.txt"
    plain.write_text("ab cd\n" * 1000)                       # 6,000 bytes
    units = firstpass.plan_units([str(plain)], 2)
    assert {u.offset_bits for u in units} == {(4 * max(u.end - u.start for u in units)).bit_length() + 1}
    packed = tmp_path / "b.txt.gz"
    with gzip.open(packed, "wt") as f:
        f.write("ab cd\n")
    units = firstpass.plan_units([str(plain), str(packed)], 2)
    assert {u.offset_bits for u in units} == {42}              # 2^40 bytes of text, twice
    key = firstpass.sight_key(units[1], 5, 123)
    assert firstpass.key_place(key, 42) == (5, 123)
    assert firstpass.sight_key(units[1], 5, 1 << 45) < firstpass.sight_key(units[1], 6, 0)
    # as many units as the keys' other bits can number, and no more
    monkeypatch.setattr(firstpass, "COMPRESSED_BYTES", 1 << 60)     # 62 bits: 2 units
    assert len(firstpass.plan_units([str(packed)] * 2, 1)) == 2
    with pytest.raises(ValueError, match="3 units .* more than the 2 a first pass can order"):
        firstpass.plan_units([str(packed)] * 3, 1)


def test_the_kept_maps_serve_only_their_own_to_id_and_check(tmp_path, small_units):
    path = tmp_path / "c.txt"
    path.write_text("alpha beta gamma\ndelta alpha\n" * 20)
    p = prepare(str(path), tmp_path / "p", threads=1)
    words = path.read_text().split()
    for to_id in (np.arange(len(p.words), dtype=np.int32), np.arange(len(p.words), dtype=np.int32)[::-1].copy()):
        ids = np.concatenate(list(p.blocks(to_id)))
        assert ids.tolist() == [int(to_id[p.words.index(w)]) for w in words]
    # a map read unchecked is read again when a check is asked
    [shard_map] = {m for _, m in p.shards}
    np.full(3, 99, dtype="<i4").tofile(shard_map)
    fresh = PreparedCorpus(tmp_path / "p")
    fresh.shard_map(shard_map)
    with pytest.raises(ValueError, match="damaged"):
        fresh.shard_map(shard_map, check=True)


def test_interleaved_tables_maps_are_all_kept(tmp_path, small_units, monkeypatch):
    _tables_interleaved(monkeypatch)
    path = tmp_path / "c.txt"
    path.write_text("alpha beta gamma\ndelta alpha\n" * 20)
    p = prepare(str(path), tmp_path / "p", threads=2)
    _assert_interleaved(p)
    monkeypatch.setattr(prepared, "_MAPS_KEPT", 1)
    for limit, most in ((1 << 20, 2), (0, None)):        # every map kept; else the latest one
        monkeypatch.setattr(prepared, "_MAPS_BYTES", limit)
        reads = []
        original = np.fromfile
        monkeypatch.setattr(np, "fromfile", lambda f, *a, **k: reads.append(str(f)) or original(f, *a, **k))
        c = PreparedCorpus(tmp_path / "p")
        for epoch in range(2):
            ids = np.concatenate(list(c.blocks(check=True)))
            assert [c.words[i] for i in ids] == path.read_text().split()
        monkeypatch.setattr(np, "fromfile", original)
        n = sum("map-" in r for r in reads)
        assert n == most if most else n > 2


def test_an_epoch_reads_each_table_s_map_once(tmp_path, small_units, monkeypatch):
    path = tmp_path / "c.txt"
    path.write_text("alpha beta gamma\ndelta alpha\n" * 20)
    p = prepare(str(path), tmp_path / "p", threads=1)
    assert len(p.shards) > 5 and len({m for _, m in p.shards}) == 1
    reads = []
    original = np.fromfile
    monkeypatch.setattr(np, "fromfile", lambda f, *a, **k: reads.append(str(f)) or original(f, *a, **k))
    to_id = np.arange(len(p.words), dtype=np.int32)[::-1].copy()
    for epoch in range(2):
        ids = np.concatenate(list(p.blocks(to_id, check=True)))
        assert [p.words[::-1][i] for i in ids] == path.read_text().split()
    assert sum("map-" in r for r in reads) == 1


def test_a_table_s_units_keep_their_own_sentences_and_newlines(tmp_path, small_units):
    # one thread: one table reads every unit; each unit's ends, first newline and newline
    # count are its own
    path = tmp_path / "c.txt"
    block = "alpha beta\n\n\ngamma\ndelta epsilon zeta eta\n\ntheta iota kappa\nlambda"
    path.write_text(block + "\n" + block)
    p = prepare(str(path), tmp_path / "p", threads=1)
    assert len(p.manifest["shards"]) > 3 and len({s["map"] for s in p.manifest["shards"]}) == 1
    assert [[p.words[i] for i in ids] for ids in _sentence_ids(p)] == python_sentences(str(path))
    assert p.manifest["line_ends"] == 15


def test_one_decode_equals_a_decode_per_word(tmp_path):
    # the merge decodes a table's words in one call; words with multi-byte characters and
    # every kind of space around them come back as str.split() gives them
    words = ["é", "日本", "a", "\U0001f600x", "ß" * 20, "e\u0301"]
    path = tmp_path / "c.txt"
    path.write_text("\u3000".join(words) + "\u2028" + "\u00a0".join(words[::-1]) + "\n")
    p = prepare(str(path), tmp_path / "p", threads=1)
    assert sorted(p.words) == sorted(words)
    assert prepared._decode_words(_table_of(["ab", "c"]), lowercase=False) == (["ab", "c"], None)
    assert prepared._decode_words(_table_of(["AB", "c"]), lowercase=True) == (["ab", "c"], None)
    assert prepared._decode_words(_table_of([]), lowercase=False) == ([], None)


def _table_of(words):
    raw = [w.encode() for w in words]
    starts = np.cumsum([0] + [len(r) for r in raw]).astype(np.int64)
    return firstpass.TableCount(0, np.frombuffer(b"".join(raw), np.uint8), starts,
                                np.ones(len(raw), np.int64), np.arange(len(raw), dtype=np.int64))


def test_tables_merged_in_numba_give_each_word_one_id_its_counts_and_its_first_sight():
    from fastw2v.corpus.tokenize import WordTable
    rng = np.random.default_rng(5)
    # words that share their first 8 bytes (the slots hold them) and differ after, short ones,
    # and multi-byte UTF-8
    vocab = ([f"prefix00{k}" for k in range(300)] + [f"w{k}" for k in range(300)] +
             ["é", "ée", "日本", "日本語"] + [f"prefix00{k}x" for k in range(50)])
    merged, truth, ids = WordTable(capacity=16), {}, []     # capacity 16: it must grow
    for t in range(4):
        words = list(dict.fromkeys(rng.choice(vocab, 200)))
        raw = [w.encode() for w in words]
        counts = rng.integers(1, 50, len(words))
        first = rng.integers(0, 1 << 40, len(words))
        starts = np.concatenate([[0], np.cumsum([len(r) for r in raw])])
        table = firstpass.TableCount(t, np.frombuffer(b"".join(raw), np.uint8), starts, counts,
                                     first)
        got = merged.absorb(table)
        ids.append(dict(zip(words, got.tolist())))
        for w, c, f in zip(words, counts.tolist(), first.tolist()):
            n, f0 = truth.get(w, (0, f))
            truth[w] = (n + c, min(f0, f))
    merged_words = firstpass.table_count(merged, 0).words()
    assert len(merged_words) == len(truth) == len(set(merged_words))
    for table_ids in ids:                                # one id a word, whichever table
        assert all(merged_words[i].decode() == w for w, i in table_ids.items())
    at = {w.decode(): i for i, w in enumerate(merged_words)}
    assert all(merged.counts[at[w]] == n and merged.first[at[w]] == f for w, (n, f) in truth.items())


@pytest.mark.parametrize("at", [8, 10])
def test_a_hash_and_prefix_collision_is_told_apart_by_the_bytes_past_the_eighth(at):
    # 64-bit FNV-1a collisions do not occur in a test corpus, so one is planted: the table's
    # copy of an 11-byte word is changed at byte ``at``, its slot (hash, first 8 bytes, length)
    # left as it was. The word read again must then be a new word, in the tokenizer and in
    # the merge, since only its bytes past the eighth tell them apart
    from fastw2v.corpus.tokenize import WordTable
    word = b"abcdefghijk "
    buf = np.frombuffer(word, np.uint8).copy()
    out_ids, out_ends = np.empty(8, np.int32), np.empty(8, np.int64)
    for merge in (False, True):
        table = WordTable()
        table.run(buf, buf.size, 0, out_ids, out_ends)
        table.arena[table.start[0] + at] = ord("Z")
        if merge:
            ids = table.absorb(_table_of([word.strip().decode()])).tolist()
        else:
            ids = out_ids[:table.run(buf, buf.size, 0, out_ids, out_ends)[0]].tolist()
        assert ids == [1] and table.n_words == 2
        table.arena[table.start[0] + at] = word[at]        # no change: the word is known
        again = (table.absorb(_table_of([word.strip().decode()])).tolist() if merge else
                 out_ids[:table.run(buf, buf.size, 0, out_ids, out_ends)[0]].tolist())
        assert again == [0]
