"""Corpora in other encodings than UTF-8 (corpus/transcode.py): the prepared first pass and the
Python reader give exactly the words of Python's ``open(path, encoding=..., errors=...)`` +
``str.split``, one sentence a line, over several units and chunk boundaries; strict errors
name file, line and column; bad names fail at once; the manifest records the settings."""
import gzip
import json

import numpy as np
import pytest

from conftest import python_sentences
from fastw2v.corpus import (PreparedCorpus, check_encoding, encode, firstpass, prepare, prepared,
                            reading, scan, transcode)
from fastw2v.corpus.transcode import cuts_at_ascii_space

COMMON = ["the", "cat", "a" * 30, " ", "  ", "\n", "\n\n", " \n ", "\r\n", "\t", "\x1c"]
PIECES = {
    # Latin-1 0xA0 (no-break space) and 0x85 (NEL) are whitespace for str.split
    "latin-1": ["café", "naïve", "ÀÉÎõü", "ÿß", "\xa0", "\x85", "x\xa0y", "z\x85w"],
    # cp1252 0x85 is '…', not a space; 0xA0 still is
    "cp1252": ["café", "€uro", "‘quoted’", "…", "x…y", "\xa0", "Ÿ", "x\xa0y"],
    "iso8859-15": ["€", "œuvre", "\xa0", "Šk"],
    # whole-file encodings: an ASCII space byte may sit inside a character
    "utf-16": ["日本", "\U0001f600", "é", "\u2028", "\u3000", "x\u3000y", "\u0120\u2020"],
    "shift_jis": ["日本語", "テスト", "\u3000", "ｶﾀｶﾅ", "x\u3000y", "表"],
}


@pytest.fixture
def tiny_units(monkeypatch):
    """Units and reads of a few bytes, so every boundary case happens."""
    monkeypatch.setattr(firstpass, "UNIT_BYTES", 23)
    monkeypatch.setattr(firstpass, "CHUNK_BYTES", 7)
    monkeypatch.setattr(prepared, "_IO_TOKENS", 5)
    monkeypatch.setattr(reading, "_CHUNK_BYTES", 5)
    monkeypatch.setattr(transcode, "LOCATE_BYTES", 4)


def prepared_sentences(p):
    ids = np.concatenate(list(p.blocks())) if p.n_tokens else np.empty(0, np.int32)
    starts = np.concatenate([[0], p.ends])
    return [[p.words[i] for i in ids[a:b]] for a, b in zip(starts[:-1], starts[1:])]


def open_sentences(path, encoding, errors="strict"):
    """The oracle: Python's own decoding, lines split on "\\n" only (newline="" keeps a lone
    "\\r" inside a line, where it is whitespace, as in the readers)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding=encoding, errors=errors, newline="") as f:
        text = f.read()
    return [line.split() for line in text.split("\n") if line.split()]


def random_text(encoding, seed, n=500):
    rng = np.random.default_rng(seed)
    pieces = COMMON + PIECES[encoding]
    return "".join(rng.choice(pieces) for _ in range(n))


@pytest.mark.parametrize("encoding", sorted(PIECES))
@pytest.mark.parametrize("seed", [0, 1])
def test_words_and_sentences_are_pythons(tmp_path, tiny_units, encoding, seed):
    path = tmp_path / "c.txt"
    path.write_bytes(random_text(encoding, seed).encode(encoding))
    expect = open_sentences(path, encoding)
    with open(path, encoding=encoding) as f:
        flat = f.read().split()
    for lowercase in (False, True):
        p = prepare(str(path), tmp_path / f"p{lowercase}", encoding=encoding, threads=2,
                    lowercase=lowercase)
        low = [[w.lower() for w in s] for s in expect] if lowercase else expect
        assert prepared_sentences(p) == low
        assert python_sentences(str(path), lowercase=lowercase, encoding=encoding) == low
    assert sum(prepared_sentences(p), []) == [w.lower() for w in flat]
    # byte ranges where the encoding allows them, one unit for the whole file elsewhere
    assert (len(p.shards) > 1) == cuts_at_ascii_space(encoding)


def test_latin1_spaces_and_cp1252_ellipsis(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"caf\xe9\xa0na\xefve\x85x\nend")
    latin = prepare(str(path), tmp_path / "latin", encoding="latin-1")
    assert prepared_sentences(latin) == [["café", "naïve", "x"], ["end"]]
    cp = prepare(str(path), tmp_path / "cp", encoding="cp1252")
    assert prepared_sentences(cp) == [["café", "naïve…x"], ["end"]]
    assert "café 1\n" in (tmp_path / "cp" / "vocab.txt").read_text(encoding="utf-8")
    encoded = encode(str(path), {"café": 0, "end": 1}, encoding="latin-1")
    assert (encoded.ids.tolist(), encoded.offsets.tolist()) == ([0, 1], [0, 1, 2])
    assert encoded.raw_words == 4


def test_compressed_latin1(tmp_path, tiny_units):
    path = tmp_path / "c.txt.gz"
    with gzip.open(path, "wb") as f:
        f.write(random_text("latin-1", 3).encode("latin-1"))
    p = prepare(str(path), tmp_path / "p", encoding="latin-1", threads=2)
    assert prepared_sentences(p) == open_sentences(path, "latin-1")
    assert python_sentences(str(path), encoding="latin-1") == open_sentences(path, "latin-1")


BROKEN = [b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xf0\x9f\x98", b"\x80\x80"]


@pytest.mark.parametrize("errors", ["replace", "ignore"])
@pytest.mark.parametrize("encoding,bad", [("utf-8", BROKEN), ("cp1252", [b"\x81", b"\x8d\x90"])])
def test_replace_and_ignore_are_pythons(tmp_path, tiny_units, errors, encoding, bad):
    rng = np.random.default_rng(7)
    good = [s.encode(encoding) for s in COMMON + ["é", "\xa0", "x\xa0y"]]
    data = b"".join(rng.choice(np.array(good + bad, dtype=object)) for _ in range(600))
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    expect = open_sentences(path, encoding, errors)
    assert any(("\ufffd" in w) == (errors == "replace") for w in sum(expect, []))
    p = prepare(str(path), tmp_path / "p", encoding=encoding, unicode_errors=errors, threads=2)
    assert prepared_sentences(p) == expect
    assert python_sentences(str(path), encoding=encoding, unicode_errors=errors) == expect


@pytest.mark.parametrize("name,data,message", [
    ("a.txt", b"a b c\n" * 20 + b"d \x81 e\n",
     r"a.txt: line 21: invalid cp1252 byte b'\\x81' at column 3 \(byte 122 of the file\)"),
    ("a.txt.gz", b"a b c\n" * 20 + b"d \x81 e\n",
     r"a.txt.gz: line 21: invalid cp1252 byte b'\\x81' at column 3 "
     r"\(byte 122 of the decompressed text\)"),
    ("u.txt", b"\xff\xfe" + "ab\ncd".encode("utf-16-le") + b"\x00\xdc" + "x".encode("utf-16-le"),
     r"u.txt: line 2: invalid utf-16 bytes b'\\x00\\xdc' at column 3 \(byte 12 of the file\)"),
])
def test_strict_errors_name_file_line_and_column(tmp_path, tiny_units, name, data, message):
    path = tmp_path / name
    encoding = "utf-16" if name == "u.txt" else "cp1252"
    if name.endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        prepare(str(path), tmp_path / "p", encoding=encoding, threads=2)
    with pytest.raises(ValueError, match=message):
        scan(str(path), encoding=encoding)
    assert not (tmp_path / "p").exists()


def test_ascii_and_utf16_without_a_bom(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"fine\nok caf\xe9\n")
    with pytest.raises(ValueError, match=r"line 2: invalid ascii byte b'\\xe9' at column 7"):
        prepare(str(path), tmp_path / "p", encoding="ascii")
    # Python's open(path, encoding="utf-16") refuses this too (3.10-3.12 say there is no BOM,
    # 3.13's decoder fails on the first bytes); utf-16-le names the order
    path.write_bytes("a b\n".encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"c.txt: (cannot be read as utf-16: .*BOM|line 1: "
                                         r"invalid utf-16 bytes b'a\\x00' at column 1)"):
        prepare(str(path), tmp_path / "p", encoding="utf-16")
    p = prepare(str(path), tmp_path / "p", encoding="utf-16-le")
    assert prepared_sentences(p) == [["a", "b"]]


def test_bad_names_fail_before_any_work(tmp_path):
    missing = str(tmp_path / "no-such-corpus.txt")            # not even looked at
    with pytest.raises(ValueError, match="unknown encoding 'latin-99'"):
        prepare(missing, tmp_path / "p", encoding="latin-99")
    with pytest.raises(ValueError, match="'base64' is not a text encoding"):
        prepare(missing, tmp_path / "p", encoding="base64")
    with pytest.raises(ValueError, match="unicode_errors must be one of .*'surrogateescape'"):
        prepare(missing, tmp_path / "p", unicode_errors="surrogateescape")
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        scan([["a"]], encoding="klingon")
    assert list(tmp_path.iterdir()) == []


def test_canonical_names_and_where_files_are_cut():
    assert [check_encoding(e) for e in ("latin-1", "UTF8", "cp1252", "utf-16")] == \
        ["iso8859-1", "utf-8", "cp1252", "utf-16"]
    for name in ("utf-8", "latin-1", "cp1252", "iso8859-15", "koi8-r", "ascii", "mac-roman"):
        assert cuts_at_ascii_space(name), name
    # multi-byte, stateful, BOM-stripping, EBCDIC, and cp864 (whose byte 0x25 is not '%')
    for name in ("utf-16", "utf-32", "shift_jis", "gb18030", "big5", "euc-jp", "iso2022-jp",
                 "utf-7", "utf-8-sig", "cp500", "cp864"):
        assert not cuts_at_ascii_space(name), name


def test_the_manifest_records_the_settings(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"caf\xe9 a\n")
    p = prepare(str(path), tmp_path / "p", encoding="latin-1", unicode_errors="replace")
    m = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert (m["encoding"], m["unicode_errors"], m["version"]) == ("iso8859-1", "replace", 1)
    assert (p.encoding, p.unicode_errors) == ("iso8859-1", "replace")
    path.write_bytes(b"a b\n")
    d = prepare(str(path), tmp_path / "d")
    assert (d.manifest["encoding"], d.manifest["unicode_errors"]) == ("utf-8", "strict")
    # a manifest written before the keys existed reads as UTF-8, strict
    manifest = tmp_path / "d" / "manifest.json"
    old = {k: v for k, v in json.loads(manifest.read_text()).items()
           if k not in ("encoding", "unicode_errors")}
    manifest.write_text(json.dumps(old))
    old = PreparedCorpus(tmp_path / "d")
    assert (old.encoding, old.unicode_errors) == ("utf-8", "strict")


def test_plain_utf8_never_transcodes(tmp_path, monkeypatch):
    def refuse(*args, **kw):
        raise AssertionError("plain UTF-8 went through the transcoder")
    monkeypatch.setattr(firstpass, "Utf8Reader", refuse)
    monkeypatch.setattr(reading, "_iter_decoded", refuse)
    path = tmp_path / "c.txt"
    path.write_text("café a\nb\n", encoding="utf-8")
    for encoding in ("utf-8", "UTF8", "utf_8"):
        p = prepare(str(path), tmp_path / encoding, encoding=encoding)
        assert prepared_sentences(p) == [["café", "a"], ["b"]]
        assert python_sentences(str(path), encoding=encoding) == [["café", "a"], ["b"]]


def test_a_character_cut_by_the_end_of_the_file(tmp_path, tiny_units):
    # the decoder holds the cut character back until told the file has ended
    path = tmp_path / "c.txt"
    path.write_bytes(b"x\ny \xe2\x80")
    expect = [["x"], ["y", "\ufffd"]]
    assert open_sentences(path, "utf-8", "replace") == expect
    p = prepare(str(path), tmp_path / "p", encoding="utf-8", unicode_errors="replace", threads=2)
    assert prepared_sentences(p) == expect
    assert python_sentences(str(path), unicode_errors="replace") == expect
    path.write_bytes("ab\ncd".encode("utf-16") + b"e")
    message = r"c.txt: line 2: invalid utf-16 byte b'e' at column 3 \(byte 12 of the file\)"
    with pytest.raises(ValueError, match=message):
        prepare(str(path), tmp_path / "q", encoding="utf-16")
    with pytest.raises(ValueError, match=message):
        scan(str(path), encoding="utf-16")
