"""corpus.py: streaming files, chunk boundaries, sentence splitting, clear errors."""
import bz2
import gzip
import lzma

import numpy as np
import pytest

from conftest import python_sentences
from fastw2v.corpus import reading as corpus_mod
from fastw2v.corpus import EncodedCorpus, encode, scan, split_long_sentences
from fastw2v.vocab import Vocab


def test_file_lines_are_sentences(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("the cat sat\n\n  a dog\tran  \r\nend")
    assert python_sentences(str(path)) == [["the", "cat", "sat"], ["a", "dog", "ran"], ["end"]]


def test_tokens_never_straddle_chunks(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    words = ["".join(rng.choice(list("abcdef"), rng.integers(1, 9))) for _ in range(3000)]
    lines = [" ".join(words[i:i + 37]) for i in range(0, 3000, 37)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(corpus_mod, "_CHUNK_BYTES", 64)
    assert python_sentences(str(path)) == [line.split() for line in lines]


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_files(tmp_path, suffix, opener):
    path = tmp_path / ("c.txt" + suffix)
    with opener(path, "wt") as f:
        f.write("one two\nthree\n")
    assert python_sentences(str(path)) == [["one", "two"], ["three"]]


def test_lowercase_and_utf8(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("Ærø CAFÉ café\n", encoding="utf-8")
    assert python_sentences(str(path), lowercase=True) == [["ærø", "café", "café"]]


def test_invalid_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine line\nsecond \xff line\n")
    with pytest.raises(ValueError, match=r"bad\.txt: line 2: invalid UTF-8 byte b'\\xff' at column 8"):
        python_sentences(str(path))


def test_invalid_utf8_on_a_line_longer_than_a_chunk_names_its_column_in_the_line(tmp_path,
                                                                                monkeypatch):
    from fastw2v.corpus import reading
    monkeypatch.setattr(reading, "_CHUNK_BYTES", 64)
    path = tmp_path / "long.txt"
    path.write_bytes(b"x\n" + b"word " * 100 + b"\xff\n")             # the byte at column 501
    with pytest.raises(ValueError, match=r"long\.txt: line 2: invalid UTF-8 byte b'\\xff' at column 501"):
        python_sentences(str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus file not found"):
        scan(str(tmp_path / "nope.txt"))
    with pytest.raises(IsADirectoryError):
        scan(str(tmp_path))


def test_iterable_errors():
    with pytest.raises(TypeError, match="sentence 0 is a str"):
        scan(["the cat sat"])
    with pytest.raises(TypeError, match="one-shot iterator"):
        scan(s for s in [["a"]])
    with pytest.raises(TypeError, match="token 3 is a int"):
        scan([["a", 3]])


def test_scan_then_encode_matches_direct_encode(tmp_path):
    text = "a b c a\nb a d\n\ne a a\n"
    path = tmp_path / "c.txt"
    path.write_text(text)
    scanned = scan(str(path))
    assert scanned.raw_words == 10
    vocab, new_id = Vocab.from_counts(scanned.words, scanned.counts, min_count=2)
    assert vocab.words == ["a", "b"] and list(vocab.counts) == [5, 2]
    one_pass = EncodedCorpus.from_scan(scanned, new_id)
    two_pass = encode(str(path), vocab.key_to_index)
    for enc in (one_pass, two_pass):
        assert enc.ids.tolist() == [0, 1, 0, 1, 0, 0, 0]
        assert enc.offsets.tolist() == [0, 3, 5, 7]      # empty sentences vanish
        assert enc.raw_words == 10


def test_split_long_sentences_keeps_every_word():
    offsets = np.array([0, 3, 25, 25, 30])
    out = split_long_sentences(offsets, 10)
    assert out.tolist() == [0, 3, 13, 23, 25, 30]         # the empty sentence has no piece
    assert split_long_sentences(offsets, 100) is offsets


def test_max_vocab_size_prunes_by_word2vec_rule_on_final_counts():
    # 10 words seen once, 'a' 6 times, 'b' 3 times, 'x' 2 times: 13 words > 5, so those seen
    # once go (min_reduce 1), leaving 3 <= 5. Counts stay exact (word2vec.c would have lost
    # early counts of words pruned while counting).
    corpus = [["x"] + [f"w{i}" for i in range(10)]] + [["a", "a", "b"]] * 3 + [["x"]]
    scanned = scan(corpus, max_vocab_size=5)
    alive = {w: int(c) for w, c in zip(scanned.words, scanned.counts) if c > 0}
    assert alive == {"a": 6, "b": 3, "x": 2}
    assert scanned.raw_words == 11 + 9 + 1
    assert {w for w, c in zip(scanned.words, scan(corpus, max_vocab_size=2).counts) if c} == {"a", "b"}
