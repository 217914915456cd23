"""corpus/sentences.py: gensim's LineSentence, PathLineSentences and Text8Corpus yield what
gensim 4's do, and Word2Vec reads the ones naming files (with gensim's defaults) as files."""
import gzip

import numpy as np
import pytest

from conftest import require
from fastw2v import Word2Vec
from fastw2v.corpus import LineSentence, PathLineSentences, Text8Corpus
from fastw2v.corpus.sentences import as_files

SMALL = dict(vector_size=8, window=2, min_count=1, epochs=1, workers=1, seed=3)

LINES = ["the quick brown fox", "", "jumps over\tthe lazy dog and keeps running far away",
         "caf\u00e9 na\u00efve\u00a0nbsp", "   ", "one", "a b c d e f g h i j k l m n o p q r s"]


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def gensim_word2vec():
    return require("gensim").models.word2vec


@pytest.mark.parametrize("kw", [{}, dict(max_sentence_length=3), dict(limit=4),
                                dict(max_sentence_length=5, limit=3)])
def test_line_sentence_is_gensims(text, tmp_path, kw):
    g = gensim_word2vec()
    packed = tmp_path / "c.txt.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()))
    for source in (str(text), text, str(packed)):
        assert list(LineSentence(source, **kw)) == list(g.LineSentence(str(source), **kw))
    with open(text, "rb") as ours, open(text, "rb") as theirs:   # an open file, read twice
        assert list(LineSentence(ours, **kw)) == list(g.LineSentence(theirs, **kw))
        assert list(LineSentence(ours, **kw)) == list(g.LineSentence(theirs, **kw))


def test_path_line_sentences_is_gensims(text, tmp_path):
    g = gensim_word2vec()
    folder = tmp_path / "dir"
    folder.mkdir()
    for i, cut in enumerate((2, 5, 7)):
        (folder / f"part-{2 - i}.txt").write_text("\n".join(LINES[:cut]) + "\n")
    for kw in ({}, dict(max_sentence_length=4), dict(limit=2)):
        assert list(PathLineSentences(folder, **kw)) == list(g.PathLineSentences(str(folder), **kw))
    assert list(PathLineSentences(text)) == list(g.PathLineSentences(str(text)))
    with pytest.raises(ValueError, match="neither a file nor a directory"):
        PathLineSentences(tmp_path / "missing")


@pytest.mark.parametrize("one_line", [True, False])
def test_text8_corpus_is_gensims(tmp_path, one_line):
    g = gensim_word2vec()
    rng = np.random.default_rng(0)
    words = [f"w{i}" * int(rng.integers(1, 4)) for i in rng.integers(0, 500, 6000)]  # > 8 KiB
    sep = " " if one_line else "\n"
    path = tmp_path / "t8"
    path.write_text(" ".join(words[:3000]) + sep + " ".join(words[3000:]))
    for n in (10_000, 700, 64):
        assert list(Text8Corpus(path, n)) == list(g.Text8Corpus(str(path), n))


def test_readers_naming_files_are_read_as_files(text, tmp_path):
    assert as_files(LineSentence(text)) == str(text)
    assert isinstance(as_files(LineSentence(str(text), limit=3)), LineSentence)
    assert isinstance(as_files(LineSentence(text, max_sentence_length=50)), LineSentence)
    with open(text, "rb") as f:
        assert isinstance(as_files(LineSentence(f)), LineSentence)
    one = tmp_path / "one.txt"
    one.write_text("a b c d\n")
    assert as_files(Text8Corpus(one)) == str(one)                 # one line, a last newline
    assert isinstance(as_files(Text8Corpus(text)), Text8Corpus)   # sentences run across lines
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "a.txt").write_text("x y\n")
    assert as_files(PathLineSentences(folder)) == [str(folder / "a.txt")]
    (folder / ".hidden").write_text("z\n")                          # gensim reads it, fastw2v's
    assert isinstance(as_files(PathLineSentences(folder)), PathLineSentences)  # reading skips it


def test_word2vec_trains_a_line_sentence_as_its_file(text):
    ours = Word2Vec(LineSentence(text), **SMALL)
    assert ours._source == str(text)                              # streamed from the file
    as_file = Word2Vec(corpus_file=str(text), **SMALL)
    assert ours.vocab.words == as_file.vocab.words
    assert np.array_equal(ours.wv.vectors, as_file.wv.vectors)
    # and the same training as the sentences it yields (lines are under 10,000 words)
    listed = Word2Vec(list(LineSentence(text)), **SMALL)
    assert np.array_equal(ours.wv.vectors, listed.wv.vectors)
    # a limit is iterated: the first lines only
    limited = Word2Vec(LineSentence(text, limit=3), **SMALL)
    assert limited.vocab.words == Word2Vec(list(LineSentence(text, limit=3)), **SMALL).vocab.words
    assert "one" not in limited.vocab.words
    # another encoding is the model's way of reading files, not the reader's: iterated
    latin = Word2Vec(LineSentence(text), **SMALL, encoding="latin-1")
    assert isinstance(latin._source, LineSentence) and "caf\u00e9" in latin.vocab.words


def test_bad_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine line\nbad \xff byte\n")
    with pytest.raises(ValueError, match=r"bad.txt: line 2: invalid UTF-8 byte b'\\xff'"):
        list(LineSentence(str(path), limit=5))
    with pytest.raises(ValueError, match=r"bad.txt: invalid UTF-8 byte"):
        list(Text8Corpus(path))


def test_text_mode_and_string_sources_are_gensims(text):
    import io
    g = gensim_word2vec()
    with open(text, encoding="utf-8") as ours, open(text, encoding="utf-8") as theirs:
        assert list(LineSentence(ours)) == list(g.LineSentence(theirs))
    content = text.read_text(encoding="utf-8")
    assert list(LineSentence(io.StringIO(content), max_sentence_length=3)) == \
        list(g.LineSentence(io.StringIO(content), max_sentence_length=3))


def test_a_subclass_is_iterated_not_read_as_its_file(text):
    class Lowered(LineSentence):                     # what gensim users write
        def __iter__(self):
            for s in super().__iter__():
                yield [w.upper() for w in s if w != "the"]

    assert as_files(Lowered(text)) is not None and isinstance(as_files(Lowered(text)), Lowered)
    model = Word2Vec(Lowered(text), **SMALL)
    assert "THE" not in model.vocab.words and "the" not in model.vocab.words
    assert "QUICK" in model.vocab.words


def test_a_directory_or_pattern_is_not_a_line_sentence_file(tmp_path):
    (tmp_path / "a.txt").write_text("x y\n")
    assert isinstance(as_files(LineSentence(tmp_path)), LineSentence)
    assert isinstance(as_files(LineSentence(str(tmp_path / "*.txt"))), LineSentence)
