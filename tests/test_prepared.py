"""The prepared corpus (corpus/prepared.py) and its first pass (tokenize.py, firstpass.py):
tokens and sentences exactly as the Python reader gives them, the on-disk format, atomic
writes, staleness and version checks, bad input, and training that is bit-identical whether
the corpus is a list, a text file or a prepared directory."""
import bz2
import gzip
import json
import os

import numpy as np
import pytest

from conftest import python_sentences
from fastw2v import Word2Vec, config
from fastw2v.cli import main as cli
from fastw2v.corpus import (PreparedCorpus, firstpass, is_prepared, prepare, prepared, read_vocab,
                            scan, write_vocab)
from fastw2v.corpus.tokenize import space_length

# every character str.split() splits on, and some that look like spaces but are not
SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
NOT_SPACES = ["\u200b", "\u180e", "\ufeff", "\u00ad", "x", "é", "日", "\U0001f600"]


def prepared_sentences(p):
    ids = np.concatenate(list(p.blocks())) if p.n_tokens else np.empty(0, np.int32)
    starts = np.concatenate([[0], p.ends])
    return [[p.words[i] for i in ids[a:b]] for a, b in zip(starts[:-1], starts[1:])]


@pytest.fixture
def tiny_units(monkeypatch):
    """Units of a few bytes read in chunks of a few bytes: every boundary case happens."""
    monkeypatch.setattr(firstpass, "UNIT_BYTES", 23)
    monkeypatch.setattr(firstpass, "CHUNK_BYTES", 7)
    monkeypatch.setattr(prepared, "_IO_TOKENS", 5)


def test_whitespace_is_exactly_str_isspace():
    for c in SPACES + NOT_SPACES:
        b = np.frombuffer(c.encode("utf-8"), dtype=np.uint8)
        assert (space_length(b, 0, b.size) == b.size) == c.isspace(), repr(c)
    # and every other code point is not a space: scan them all in one buffer, 'x'-separated
    text = "x".join(chr(c) for c in range(0x110000) if not (0xD800 <= c < 0xE000))
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    found = set()
    i = 0
    while i < b.size:
        s = space_length(b, i, b.size)
        if s:
            found.add(bytes(b[i:i + s]).decode("utf-8"))
        i += max(s, 1)
    assert found == set(SPACES)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tokens_and_sentences_match_the_python_reader(tmp_path, tiny_units, seed):
    rng = np.random.default_rng(seed)
    pieces = ["the", "cat", "Ünïcödé", "日本", "a" * 30, "\n", "\n\n", " \n ", "\r\n"] + SPACES + NOT_SPACES
    text = "".join(rng.choice(pieces) for _ in range(600))
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode("utf-8"))
    for lowercase in (False, True):
        p = prepare(str(path), tmp_path / f"out{lowercase}", lowercase=lowercase, threads=2)
        assert prepared_sentences(p) == python_sentences(str(path), lowercase=lowercase)
        assert p.raw_words == sum(map(len, python_sentences(str(path), lowercase=lowercase)))


def test_same_vocabulary_and_ids_as_the_in_memory_scan(tmp_path, text8_path):
    p = prepare(text8_path, tmp_path / "p", threads=2)
    s = scan(text8_path)
    from fastw2v.vocab import Vocab
    vocab, new_id = Vocab.from_counts(s.words, s.counts, 1)
    assert p.words == vocab.words and np.array_equal(p.counts, vocab.counts)
    assert np.array_equal(np.concatenate(list(p.blocks())), new_id[s.ids])
    assert p.raw_words == s.raw_words == 2_139_748


def test_files_directories_globs_and_compressed(tmp_path, tiny_units):
    d = tmp_path / "dump"
    d.mkdir()
    (d / "a.txt").write_text("one two\nthree")                 # a file's end ends a sentence
    with gzip.open(d / "b.txt.gz", "wt") as f:
        f.write("four five\n")
    with bz2.open(d / "c.txt.bz2", "wt") as f:
        f.write("six\n\nseven eight")
    expect = [["one", "two"], ["three"], ["four", "five"], ["six"], ["seven", "eight"]]
    assert prepared_sentences(prepare(str(d), tmp_path / "dir")) == expect
    assert prepared_sentences(prepare(str(d / "*.txt*"), tmp_path / "glob")) == expect
    files = [str(d / n) for n in ("a.txt", "b.txt.gz", "c.txt.bz2")]
    p = prepare(files, tmp_path / "list")
    assert prepared_sentences(p) == expect
    assert [s["path"] for s in p.manifest["sources"]] == files


@pytest.mark.parametrize("words, counts", [
    ([], []),
    (["a"], [0]),
    (["é", "日本語", "\U0001f600", "a b", ""], [1, 2 ** 63 - 1, 10, 9, 100]),
    ([f"w{i}" for i in range(3000)], list(range(0, 3_000_000, 1000))),
    (["a\nb", "c"], [1, 2]),                      # a newline in a word: Python's formatting
    (["a", "b"], [-1, 3]),
    (["a", "b"], np.array([1, 2], dtype=np.uint8)),
    (["a", "b"], np.array([2 ** 64 - 1, 1], dtype=np.uint64)),   # past int64: Python's
    (["a", "b"], [2 ** 70, 1]),
    (["a", "b"], [1.0, 2.5]),
    (["a", "b"], [True, False]),
])
def test_vocab_lines_are_python_s_formatting(words, counts):
    from fastw2v.corpus.lines import vocab_lines
    expected = "".join(f"{w} {c}\n" for w, c in
                       zip(words, np.asarray(counts).tolist())).encode("utf-8")
    assert bytes(vocab_lines(words, counts)) == expected
    with pytest.raises(ValueError, match="2 words but 1 counts"):
        vocab_lines(["a", "b"], [1])


def test_the_format_on_disk(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("b a b\nc b a\n")
    p = prepare(str(path), tmp_path / "p")
    assert (tmp_path / "p" / "vocab.txt").read_text() == "b 3\na 2\nc 1\n"
    m = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert (m["format"], m["version"], m["raw_words"], m["vocab_size"]) == ("fastw2v-prepared", 1, 6, 3)
    assert m["shards"][0] == dict(file="tokens-00000.i32", map="map-00000.i32", tokens=m["shards"][0]["tokens"])
    # each shard's tokens are ids of its map (the manifest names it), in corpus order
    ids = np.concatenate([np.fromfile(tmp_path / "p" / s["map"], dtype="<i4")[
        np.fromfile(tmp_path / "p" / s["file"], dtype="<i4")] for s in m["shards"]])
    assert ids.tolist() == [0, 1, 0, 2, 0, 1]
    assert np.fromfile(tmp_path / "p" / "sentence_ends.i64", dtype="<i8").tolist() == [3, 6]
    assert m["sources"][0]["size"] == os.path.getsize(path)
    words, counts = read_vocab(tmp_path / "p" / "vocab.txt")
    assert words == p.words == ["b", "a", "c"] and counts.tolist() == p.counts.tolist() == [3, 2, 1]
    # the first pass's own files (each unit's ends, the maps to provisional ids) are gone
    assert sorted(os.listdir(tmp_path / "p")) == sorted(
        {"manifest.json", "vocab.txt", "sentence_ends.i64"} | {s["file"] for s in m["shards"]}
        | {s["map"] for s in m["shards"]})


def test_a_map_to_provisional_ids_is_rewritten_in_chunks(tmp_path):
    provisional = np.array([4, -1, 0, 3, 3, 1, 2])              # -1: a word of no provisional id
    prepared._provisional_map(str(tmp_path), 7, provisional)
    to_id = np.array([2, -1, 0, 1, 5, -1], dtype=np.int32)      # last slot: -1 for -1
    prepared._final_map(str(tmp_path), 7, to_id, chunk=3)
    assert os.listdir(tmp_path) == ["map-00007.i32"]
    assert np.fromfile(tmp_path / "map-00007.i32", "<i4").tolist() == to_id[provisional].tolist()


def test_an_interrupted_prepare_leaves_nothing(tmp_path, monkeypatch, text8_path):
    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(prepared, "write_vocab", interrupted)     # the last step
    with pytest.raises(KeyboardInterrupt):
        prepare(text8_path, tmp_path / "p")
    assert os.listdir(tmp_path) == []


def test_refuses_to_overwrite_and_names_a_missing_parent(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b\n")
    prepare(str(path), tmp_path / "p")
    with pytest.raises(FileExistsError, match="exists"):
        prepare(str(path), tmp_path / "p")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        prepare(str(path), tmp_path / "missing" / "p")


def test_bad_input_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found: .*nope.txt"):
        prepare(str(tmp_path / "nope.txt"), tmp_path / "p")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        prepare(str(tmp_path / "*.nope"), tmp_path / "p")
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n")
    with pytest.raises(ValueError, match="empty.txt' is empty"):
        prepare(str(empty), tmp_path / "p")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine words\nok caf\xe9 here\n")
    with pytest.raises(ValueError) as ours:
        prepare(str(bad), tmp_path / "p")
    with pytest.raises(ValueError) as reader:
        python_sentences(str(bad))
    assert str(ours.value) == str(reader.value)            # file, line 2, byte, column 7
    assert "line 2" in str(ours.value) and "column 7" in str(ours.value)
    assert not (tmp_path / "p").exists()


def test_invalid_utf8_is_found_in_a_later_unit_and_a_compressed_file(tmp_path, tiny_units):
    bad = tmp_path / "bad.txt.gz"
    with gzip.open(bad, "wb") as f:
        f.write(b"a b c\n" * 20 + b"d \xff e\n")
    with pytest.raises(ValueError, match=r"bad.txt.gz: line 21: invalid UTF-8 byte b'\\xff' at column 3"):
        prepare(str(bad), tmp_path / "p")


def test_not_prepared_other_version_changed_sources_truncated(tmp_path):
    with pytest.raises(ValueError, match="not a prepared corpus"):
        PreparedCorpus(tmp_path)
    path = tmp_path / "c.txt"
    path.write_text("a b a\n")
    prepare(str(path), tmp_path / "p")
    manifest = tmp_path / "p" / "manifest.json"
    m = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(dict(m, version=99)))
    with pytest.raises(ValueError, match="format version 99.*reads version 1.*prepare it again"):
        PreparedCorpus(tmp_path / "p")
    manifest.write_text(json.dumps(m))
    path.write_text("a b a c\n")                                # the source changed
    with pytest.raises(ValueError, match="c.txt'.*has changed since.*prepare it again"):
        PreparedCorpus(tmp_path / "p")
    with pytest.raises(ValueError, match="has changed since"):
        Word2Vec(min_count=1).build_vocab(str(tmp_path / "p"))
    PreparedCorpus(tmp_path / "p", check_sources=False)
    with open(tmp_path / "p" / "tokens-00000.i32", "r+b") as f:
        f.truncate(4)
    with pytest.raises(ValueError, match="truncated"):
        PreparedCorpus(tmp_path / "p", check_sources=False)


def test_a_file_added_to_a_source_directory_or_pattern_is_named_in_a_warning(tmp_path):
    # a warning, not an error: the file may be new text, or one written beside the corpus since
    # (a vocabulary, vectors, a checkpoint), which fastw2v cannot tell apart
    import warnings
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "a.txt").write_text("a b a\n")
    (tmp_path / "src" / "sub" / "c.txt").write_text("c a\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare(str(tmp_path / "src"), tmp_path / "p")
        # the output inside the pattern's reach (src/q/vocab.txt): its own files are not sources
        prepare(str(tmp_path / "src" / "*" / "*.txt"), tmp_path / "src" / "q")
        PreparedCorpus(tmp_path / "p")
        PreparedCorpus(tmp_path / "src" / "q")
    (tmp_path / "src" / "b.txt").write_text("c d\n")
    (tmp_path / "src" / "sub" / "d.txt").write_text("c d\n")
    with pytest.warns(UserWarning, match=r"its sources hold 1 file\(s\) .* e\.g\. '.*b\.txt'"):
        PreparedCorpus(tmp_path / "p")
    with pytest.warns(UserWarning, match=r"e\.g\. '.*d\.txt'"):
        PreparedCorpus(tmp_path / "src" / "q")


def test_a_text_directory_with_a_manifest_of_its_own_is_text(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("x y x\n")
    for other in ('{"name": "my corpus"}', '["a", "list"]'):
        (tmp_path / "texts" / "manifest.json").write_text(other)
        assert not is_prepared(tmp_path / "texts")
        with pytest.raises(ValueError, match="not a fastw2v prepared corpus"):
            PreparedCorpus(tmp_path / "texts")
    prepare(str(tmp_path / "texts" / "a.txt"), tmp_path / "p")
    assert is_prepared(tmp_path / "p")
    (tmp_path / "p" / "manifest.json").write_text("{damaged")
    assert is_prepared(tmp_path / "p")                            # refused, not read as text
    with pytest.raises(ValueError, match="manifest.json: not valid JSON"):
        PreparedCorpus(tmp_path / "p")


def test_a_damaged_prepared_directory_is_named(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b a c\n" * 3)
    prepare(str(path), tmp_path / "p")
    manifest = tmp_path / "p" / "manifest.json"
    m = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({k: v for k, v in m.items() if k != "sources"}))
    with pytest.raises(ValueError, match="manifest.json: damaged, no 'sources'"):
        PreparedCorpus(tmp_path / "p")
    manifest.write_text(json.dumps(m))
    shard_map = tmp_path / "p" / "map-00000.i32"
    good = shard_map.read_bytes()
    shard_map.write_bytes(b"")
    with pytest.raises(ValueError, match=r"tokens-00000.i32: damaged \(an id outside its map"):
        Word2Vec(min_count=1).build_vocab(str(tmp_path / "p"))
    shard_map.write_bytes(np.array([0, 1, 7], "<i4").tobytes())
    with pytest.raises(ValueError, match=r"map-00000.i32: damaged \(a vocabulary id outside 0-2\)"):
        Word2Vec(min_count=1).build_vocab(str(tmp_path / "p"))
    # as a Dask worker opens it (not reading vocab.txt): the manifest's vocabulary size
    streams = PreparedCorpus(tmp_path / "p", read_words=False)
    assert streams.words is None and streams.counts is None
    with pytest.raises(ValueError, match=r"map-00000.i32: damaged \(a vocabulary id outside 0-2\)"):
        list(streams.blocks(check=True))
    shard_map.write_bytes(good)
    Word2Vec(min_count=1).build_vocab(str(tmp_path / "p"))
    ends = tmp_path / "p" / "sentence_ends.i64"
    ends.write_bytes(np.array([4, 8, 11], "<i8").tobytes())     # the last token is 12
    with pytest.raises(ValueError, match=r"sentence_ends.i64: damaged \(its last sentence does "
                                         r"not end at the corpus's last token, 12\)"):
        PreparedCorpus(tmp_path / "p")


def _trained(corpus, **kw):
    model = Word2Vec(vector_size=12, window=3, min_count=2, epochs=2, workers=1, seed=3, **kw)
    model.build_vocab(corpus)
    model.train(verbose=False)
    return model


@pytest.mark.parametrize("objective", [dict(sg=1, negative=3), dict(sg=0, negative=3),
                                       dict(sg=1, hs=1, negative=0), dict(sg=0, hs=1, negative=0)])
def test_list_text_and_prepared_train_bit_identical(tmp_path, monkeypatch, objective):
    # small blocks and reads, so blocks and disk reads cross each other's boundaries
    monkeypatch.setattr(config, "BLOCK_WORDS_PER_THREAD", 700)
    monkeypatch.setattr(config, "MAX_SENTENCE_LENGTH", 300)
    monkeypatch.setattr(prepared, "_IO_TOKENS", 333)
    rng = np.random.default_rng(5)
    words = [f"w{int(i)}" for i in rng.zipf(1.3, 12000) % 900]
    lines = [words[i:i + int(n)] for i, n in zip(range(0, 12000, 500), rng.integers(1, 1000, 24))]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(line) for line in lines) + "\n")
    monkeypatch.setattr(firstpass, "UNIT_BYTES", 9000)         # several units, on any machine
    prepare(str(path), tmp_path / "p", keep_min_count=2, threads=3)
    assert len(PreparedCorpus(tmp_path / "p").shards) >= 3
    models = [_trained(c, **objective) for c in (lines, str(path), str(tmp_path / "p"))]
    for m in models[1:]:
        assert m.vocab.words == models[0].vocab.words
        assert np.array_equal(m.wv.vectors, models[0].wv.vectors)
        assert np.array_equal(m.W_out, models[0].W_out)
        assert m.epoch_losses == models[0].epoch_losses
    assert not hasattr(models[2]._corpus, "ids")                # streamed, not held
    with pytest.raises(ValueError, match="keeps words seen at least 2 times.*--keep-min-count"):
        Word2Vec(min_count=1).build_vocab(str(tmp_path / "p"))


def test_training_on_new_text_streams_it_onto_the_vocabulary(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a b c a b d\n" * 30)
    more = tmp_path / "more.txt"
    more.write_text("a b zzz c\n" * 30)
    model = _trained(str(path), sg=1, negative=2)
    as_list = _trained(str(path), sg=1, negative=2)
    model.train(str(more), epochs=1, verbose=False)
    as_list.train([line.split() for line in more.read_text().splitlines()], epochs=1, verbose=False)
    assert np.array_equal(model.wv.vectors, as_list.wv.vectors)


def test_read_and_save_vocab(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c a b a\n" * 5)
    vocab = tmp_path / "v.txt"
    vocab.write_text("b 100\nc 50\n")                           # fixes words and counts
    model = Word2Vec(min_count=1, epochs=1)
    model.build_vocab(str(path), vocab_file=str(vocab))
    assert model.vocab.words == ["b", "c"] and model.vocab.counts.tolist() == [100, 50]
    assert model._corpus.n_words == 15 and model._corpus.raw_words == 30
    listed = Word2Vec(min_count=1, epochs=1).build_vocab([["a", "b", "c", "a", "b", "a"]] * 5,
                                                         vocab_file=str(vocab))
    assert listed.vocab.words == ["b", "c"] and listed._corpus.n_words == 15
    vocab.write_text("b 100\nc fifty\n")
    with pytest.raises(ValueError, match=r"v.txt: line 2: expected 'word count'"):
        Word2Vec().build_vocab(str(path), vocab_file=str(vocab))


def test_cli_prepare_then_train_the_directory(tmp_path, capsys):
    path = tmp_path / "c.txt"
    path.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 40)
    out = tmp_path / "prep"
    assert cli(["prepare", str(path), "-o", str(out), "--save-vocab", str(tmp_path / "v.txt"), "-q"]) == 0
    assert (tmp_path / "v.txt").read_text().startswith("</s> 80\nthe 160\n")
    assert cli(["train", str(out), "-o", str(tmp_path / "v.bin"), "--min-count", "1", "--epochs", "1",
                "-q", "-save-vocab", str(tmp_path / "v2.txt")]) == 0
    assert (tmp_path / "v.bin").exists() and \
        (tmp_path / "v2.txt").read_text().startswith("</s> 80\nthe 160\n")
    assert cli(["prepare", str(path), "-o", str(out), "-q"]) == 2
    assert "exists" in capsys.readouterr().err


def test_hash_table_grows_past_its_first_size(tmp_path):
    # 150,000 distinct words in one unit: the table (65,536 words at first) doubles twice,
    # returning to Python mid-buffer each time it fills
    words = [f"w{i}" for i in range(150_000)] + ["w7", "w149999", "w65536"]
    path = tmp_path / "c.txt"
    path.write_text(" ".join(words) + "\n")
    p = prepare(str(path), tmp_path / "p", threads=1)
    assert prepared_sentences(p) == [words]
    assert dict(zip(p.words[:3], p.counts[:3].tolist())) == {"w7": 2, "w65536": 2, "w149999": 2}
    # the table itself holds each word once (the merge would hide duplicates of a bad rehash)
    from fastw2v.corpus.tokenize import WordTable
    table, data = WordTable(), np.frombuffer(path.read_bytes(), dtype=np.uint8)
    ids, ends = np.empty(data.size, np.int32), np.empty(data.size, np.int64)
    n, _ = table.run(data, data.size, 0, ids, ends)
    assert table.n_words == 150_000 and len(set(firstpass.table_count(table, 0).words())) == 150_000
    assert ids[n - 3:n].tolist() == [7, 149_999, 65_536] and table.counts[7] == 2


def test_staleness_by_mtime_alone(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b a\n")
    prepare(str(path), tmp_path / "p")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))   # same size, touched
    with pytest.raises(ValueError, match="has changed since"):
        PreparedCorpus(tmp_path / "p")


def test_no_word_kept_is_an_error_and_leaves_nothing(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b a\n")
    with pytest.raises(ValueError, match="keep_min_count=5 times"):
        prepare(str(path), tmp_path / "p", keep_min_count=5)
    assert sorted(os.listdir(tmp_path)) == ["c.txt"]


def test_max_vocab_size_on_a_prepared_directory(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a a a a b b b c c d e f\n" * 3)
    prepare(str(path), tmp_path / "all")
    kw = dict(min_count=1, max_vocab_size=3)
    from_text = Word2Vec(**kw).build_vocab(str(path))
    from_dir = Word2Vec(**kw).build_vocab(str(tmp_path / "all"))     # pruned at build_vocab
    from_list = Word2Vec(**kw).build_vocab([line.split() for line in path.read_text().splitlines()])
    assert from_text.vocab.words == from_dir.vocab.words == from_list.vocab.words == ["a", "b", "c"]
    prepare(str(path), tmp_path / "pruned", max_vocab_size=3, keep_min_count=2)
    with pytest.raises(ValueError, match="max_vocab_size=3 .* needs it prepared again"):
        Word2Vec(min_count=2, max_vocab_size=4).build_vocab(str(tmp_path / "pruned"))
    model = Word2Vec(min_count=2, epochs=1).build_vocab(str(path))
    with pytest.raises(ValueError, match="leaves words out"):
        model.train(str(tmp_path / "pruned"), verbose=False)


def test_read_vocab_keeps_words_that_max_vocab_size_would_prune(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a a a b b c\n")
    vocab = tmp_path / "v.txt"
    vocab.write_text("</s> 9\nc 50\n")                       # word2vec.c's first line is skipped
    model = Word2Vec(min_count=1, max_vocab_size=2).build_vocab(str(path), vocab_file=str(vocab))
    assert model.vocab.words == ["c"] and model._corpus.n_words == 1


def test_a_corpus_word_spelled_like_word2vec_cs_sentence_marker_survives_reopening(tmp_path):
    # "</s>" in the text is a word (as in gensim and the in-memory reader); vocab.txt keeps it,
    # and only a vocabulary file given to read (word2vec.c's -save-vocab) skips that line
    path = tmp_path / "c.txt"
    path.write_text("a b </s> c\nd </s> a\n")
    made = prepare([str(path)], tmp_path / "p")
    again = PreparedCorpus(str(tmp_path / "p"))
    assert made.words == again.words == ["a", "</s>", "b", "c", "d"]
    assert again.counts.tolist() == made.counts.tolist() == [2, 2, 1, 1, 1]
    assert Word2Vec(min_count=1).build_vocab(str(path)).vocab.words == again.words


def test_lowercased_words_keep_the_order_of_their_first_sight(tmp_path):
    # "The" and "the" are two distinct raw words of one unit and one word once lowercased: it
    # takes its id where "The" was first seen, so ties in count keep the reading order
    path = tmp_path / "c.txt"
    path.write_text("The cat cat the\n")
    made = prepare([str(path)], tmp_path / "p", lowercase=True, threads=1)     # one unit
    assert made.words == ["the", "cat"] and made.counts.tolist() == [2, 2]


def test_a_list_of_paths_names_the_missing_one(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b\n")
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        Word2Vec(min_count=1).build_vocab([str(path), str(tmp_path / "missing.txt")])


def test_save_vocab_files_start_with_word2vec_cs_sentence_marker(tmp_path):
    # word2vec.c's -read-vocab keeps its first entry as the end-of-line token, whatever the
    # word: without "</s> N" first, "a" would end every sentence there and never train
    from fastw2v.cli import main
    path = tmp_path / "c.txt"
    path.write_text("a a b\n\na c\n")
    assert main(["prepare", str(path), "-o", str(tmp_path / "p"), "--save-vocab",
                 str(tmp_path / "v.txt"), "-q"]) == 0
    # word2vec.c counts "</s>" at every newline, the empty line's too
    assert (tmp_path / "v.txt").read_text() == "</s> 3\na 3\nb 1\nc 1\n"
    assert (tmp_path / "p" / "vocab.txt").read_text() == "a 3\nb 1\nc 1\n"     # the corpus's words
    assert read_vocab(tmp_path / "v.txt") == (["a", "b", "c"], pytest.approx([3, 1, 1]))


@pytest.mark.parametrize("text", ["a b\r\n\r\n\nc d e\nf", "\n\n a b c \n", "one line, no newline",
                                  "x y\n" * 50 + "\n" * 7])
@pytest.mark.parametrize("threads", ["1", "2"])
def test_the_sentence_marker_counts_newlines_as_word2vec_c(tmp_path, text, threads):
    from fastw2v.cli import main
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode())
    expected = f"</s> {text.count(chr(10))}\n"
    assert main(["prepare", str(path), "-o", str(tmp_path / "p"), "--save-vocab",
                 str(tmp_path / "v.txt"), "-q", "-threads", threads]) == 0
    assert (tmp_path / "v.txt").read_text().startswith(expected)
    assert main(["-train", str(path), "-save-vocab", str(tmp_path / "w.txt"), "-min-count", "1",
                 "-threads", threads, "-q"]) == 0
    assert (tmp_path / "w.txt").read_text().startswith(expected)


def test_vocabulary_files_are_read_as_utf8_before_the_corpus_encoding(tmp_path):
    # fastw2v writes UTF-8 whatever the corpus's encoding; word2vec.c writes the corpus's bytes
    ours, theirs = tmp_path / "ours.txt", tmp_path / "theirs.txt"
    write_vocab(ours, ["café", "été"], [3, 2], sentences=4)
    theirs.write_bytes("</s> 4\ncafé 3\nété 2\n".encode("latin-1"))
    for path in (ours, theirs):
        words, counts = read_vocab(path, encoding="latin-1")
        assert words == ["café", "été"] and counts.tolist() == [3, 2]
    with pytest.raises(ValueError, match=r"theirs\.txt: line 2: invalid utf-8 byte b'\\xe9'"):
        read_vocab(theirs)


def test_a_vocabulary_word_ends_only_at_a_space_or_tab(tmp_path):
    # word2vec.c's ReadWord: a no-break space or a vertical tab can be part of a word
    path = tmp_path / "v.txt"
    path.write_text("</s> 1\nnew\u00a0york 5\nx\x0by\t4\n\n  z   3 \r\n", encoding="utf-8")
    words, counts = read_vocab(path)
    assert words == ["new\u00a0york", "x\x0by", "z"] and counts.tolist() == [5, 4, 3]
    path.write_text("a 1\n</s> 2\n")                      # only a first line is the marker
    assert read_vocab(path)[0] == ["a", "</s>"]
    for bad in ("a\n", "a b 1\n", "a -1\n"):
        path.write_text(bad)
        with pytest.raises(ValueError, match="line 1: expected 'word count'"):
            read_vocab(path)


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_the_sentence_marker_counts_newlines_in_other_encodings(tmp_path, encoding):
    from fastw2v.cli import main
    text = "caf\u00e9 a\r\n\r\nb c\n" * 40 + "last"
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode(encoding))
    assert main(["prepare", str(path), "-o", str(tmp_path / "p"), "--save-vocab",
                 str(tmp_path / "v.txt"), "-q", "-threads", "2", "--encoding", encoding]) == 0
    assert (tmp_path / "v.txt").read_text().startswith("</s> 120\n")


def test_the_sentence_marker_after_resume_read_vocab_and_old_directories(tmp_path):
    import json
    from fastw2v.cli import main
    path = tmp_path / "c.txt"
    path.write_text("a b c\n\n\nb c\n" * 10)                   # 40 newlines, 20 sentences
    run = ["-train", str(path), "-output", str(tmp_path / "v.bin"), "-min-count", "1", "-q",
           "-iter", "1", "-threads", "1"]
    assert main(run + ["--save-model", str(tmp_path / "m"), "-save-vocab", str(tmp_path / "1.txt")]) == 0
    assert (tmp_path / "1.txt").read_text().startswith("</s> 40\n")
    # resumed (more epochs from the saved model): the same file as the first run
    assert main(run + ["--resume", str(tmp_path / "m"), "-save-vocab", str(tmp_path / "2.txt")]) == 0
    assert (tmp_path / "2.txt").read_text() == (tmp_path / "1.txt").read_text()
    # word2vec.c writes back the "</s>" count of the vocabulary it read
    (tmp_path / "in.txt").write_text("</s> 999\na 10\nb 20\nc 20\n")
    assert main(run + ["-read-vocab", str(tmp_path / "in.txt"), "-save-vocab", str(tmp_path / "3.txt")]) == 0
    assert (tmp_path / "3.txt").read_text().startswith("</s> 999\n")
    # a prepared directory written before line_ends was kept: its sentences, as before
    prepared = tmp_path / "p"
    assert main(["prepare", str(path), "-o", str(prepared), "-q"]) == 0
    manifest = json.loads((prepared / "manifest.json").read_text())
    assert manifest.pop("line_ends") == 40
    (prepared / "manifest.json").write_text(json.dumps(manifest))
    assert main(["-train", str(prepared), "-min-count", "1", "-q", "-save-vocab",
                 str(tmp_path / "4.txt")]) == 0
    assert (tmp_path / "4.txt").read_text().startswith("</s> 20\n")
