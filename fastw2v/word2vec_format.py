"""word2vec.c's vector files: the writer behind ``KeyedVectors.save_word2vec_format`` and the
readers behind ``KeyedVectors.load_word2vec_format``.

word2vec.c's files, as it writes them and gensim reads them:

* header ``"V D\\n"``;
* binary: for each word, the word, one space, D little-endian float32, then ``"\\n"``;
* text: for each word, the word and D numbers separated by spaces, one line per word.
"""
import contextlib
import os
import shutil
import warnings

import numpy as np

from ._files import atomic_write, compressing, open_binary


def write(kv, fname, fvocab=None, binary=False, total_vec=None, write_header=True, prefix="",
          append=False, sort_attr="count"):
    """Write ``kv`` (a ``KeyedVectors``) to ``fname``; see ``KeyedVectors.save_word2vec_format``."""
    if sort_attr in kv.expandos:
        order = np.argsort(-np.asarray(kv.expandos[sort_attr]), kind="stable")
    elif fvocab is not None:
        raise ValueError(f"cannot write fvocab: the keys have no {sort_attr!r} attribute")
    else:
        order = np.arange(len(kv))
    words = [f"{prefix}{kv.index_to_key[i]}" for i in order]
    for w in words:
        if not w or any(ch.isspace() for ch in w):
            raise ValueError(f"cannot save word {w!r}: word2vec files need words "
                             "without whitespace")
    if fvocab is not None:
        counts = np.asarray(kv.expandos[sort_attr])[order].tolist()
        with _atomic_append(fvocab, append) as raw, compressing(raw, fvocab) as f:
            f.write("".join(f"{w} {c}\n" for w, c in zip(words, counts)).encode("utf-8"))
    in_order = bool(np.all(np.diff(order) > 0))            # as trained: no (V, D) copy
    vectors = np.ascontiguousarray(kv.vectors if in_order else kv.vectors[order], dtype="<f4")
    with _atomic_append(fname, append) as raw, compressing(raw, fname) as f:   # x.bin.gz: gzip
        if write_header:
            f.write(f"{len(kv) if total_vec is None else total_vec} {kv.vector_size}\n".encode())
        if binary:
            for w, row in zip(words, vectors):
                f.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            for w, row in zip(words, vectors):
                # %.9g round-trips every float32 exactly
                f.write((w + " " + " ".join(f"{x:.9g}" for x in row.tolist()) + "\n").encode("utf-8"))


def read(fname, fvocab=None, binary=None, encoding="utf8", unicode_errors="strict", limit=None,
         datatype=np.float32, no_header=False):
    """``(words, vectors, counts)`` of a word2vec.c file; see ``KeyedVectors.load_word2vec_format``.

    Read ``_CHUNK`` bytes at a time: the memory is the vectors, the words and a chunk (a file
    read whole, then its lines split, had held three times its size at the peak), and with a
    ``limit`` only the bytes its words need are read (GoogleNews' 3.6 GB for 100k words)."""
    path = os.fspath(fname)
    if not os.path.exists(path):
        raise FileNotFoundError(f"vector file not found: {path!r}")
    if no_header and binary:
        raise NotImplementedError("no_header only works with text files (binary=False)")
    with open_binary(path) as f:              # .gz, .bz2, .xz decompressed
        if no_header:                         # the words are counted first: the file read once
            data = f.read()
            n_words = len(data.rstrip(b"\n").split(b"\n")) if data.strip() else 0
            dim = len(data.split(b"\n", 1)[0].rstrip().split(b" ")) - 1
            window = _Window(None, _CHUNK, data)
            is_binary, first_line = False, 1
        else:
            window = _Window(f, _CHUNK)
            header = window.line()
            n_words, dim = _read_header(path, header)
            window.fill(_SNIFF + 20 * dim)    # a first record to tell text from binary
            is_binary = _check_binary(path, window.data, window.pos, dim, binary)
            first_line = 2
        n = min(limit, n_words) if limit else n_words
        if is_binary:
            words, vectors = _read_binary(path, window, n, n_words, dim, encoding, unicode_errors,
                                          datatype)
        else:
            words, vectors = _read_text(path, window, first_line, n, n_words, dim, encoding,
                                        unicode_errors, datatype)
    counts = _read_counts(fvocab, words, unicode_errors) if fvocab else np.arange(n, 0, -1)
    return words, vectors, counts


_CHUNK = 1 << 22                  # bytes read at a time
_SNIFF = 4096                     # bytes looked at to tell a binary file from text


class _Window:
    """A file's bytes not parsed yet, ``data[pos:]``, read ``chunk`` bytes at a time;
    ``start``: the file offset of ``data[0]``. Over bytes already read when ``f`` is None."""

    def __init__(self, f, chunk, data=b""):
        self.f, self.chunk, self.data, self.pos, self.start = f, chunk, data, 0, 0
        self.eof = f is None

    def fill(self, n):
        """Hold at least ``n`` unparsed bytes, when the file has them."""
        if len(self.data) - self.pos < n and not self.eof:
            rest = self.data[self.pos:]
            want = max(n - len(rest), self.chunk)
            more = self.f.read(want)
            self.eof = len(more) < want
            self.start += self.pos
            self.data, self.pos = rest + more, 0
        return len(self.data) - self.pos

    def line(self):
        """The next line without its ``"\\n"`` (the last one may lack it), or None at the end."""
        while True:
            end = self.data.find(b"\n", self.pos)
            if end >= 0:
                line, self.pos = self.data[self.pos:end], end + 1
                return line
            if self.eof:
                if self.pos >= len(self.data):
                    return None
                line, self.pos = self.data[self.pos:], len(self.data)
                return line
            self.fill(len(self.data) - self.pos + self.chunk)


@contextlib.contextmanager
def _atomic_append(path, append):
    """atomic_write that, with ``append``, starts from a copy of the existing file."""
    with atomic_write(path, "wb") as f:
        if append and os.path.exists(path):
            with open(path, "rb") as old:
                shutil.copyfileobj(old, f)
        yield f


def _read_header(path, line):
    header = line.split() if line is not None else []
    try:
        n_words, dim = (int(x) for x in header)
    except ValueError:
        raise ValueError(f"{path}: line 1: expected a header 'VOCAB_SIZE DIMENSION', got "
                         f"{(line or b'')[:60]!r}") from None
    if n_words < 0 or dim <= 0:
        raise ValueError(f"{path}: line 1: bad header {n_words} {dim}")
    return n_words, dim


def _check_binary(path, data, pos, dim, binary):
    """``binary``, checked against the file (or detected when None). A text record is a line of
    a word and ``dim`` numbers; binary floats hold bytes that text never has."""
    end = data.find(b"\n", pos)
    is_text = _is_text_record(data[pos:end if end >= 0 else len(data)], dim)
    sample = data[pos:pos + 4096]
    looks_binary = any(b < 9 or 13 < b < 32 or b == 127 for b in sample)
    if binary is None:
        return not is_text and looks_binary
    if binary and is_text:
        raise ValueError(f"{path}: binary=True but the file looks like text (word2vec text "
                         "format); use binary=False")
    if not binary and not is_text and looks_binary:
        raise ValueError(f"{path}: binary=False but the file looks binary (word2vec binary "
                         "format); use binary=True")
    return bool(binary)


def _is_text_record(line, dim):
    """A word and ``dim`` numbers separated by spaces: a line of a word2vec text file."""
    fields = line.rstrip().split(b" ")
    if len(fields) != dim + 1:
        return False
    try:
        for x in fields[1:]:
            float(x)
    except ValueError:
        return False
    return True


_MAX_WORD = 1000                  # bytes a binary file's word may take, as gensim reads


def _read_binary(path, window, n, n_words, dim, encoding, unicode_errors, datatype):
    words, seen, vectors = [], {}, np.empty((n, dim), dtype=np.float32)
    width = 4 * dim
    for i in range(n):
        window.fill(_MAX_WORD + width + 3)
        data, pos = window.data, window.pos
        while pos < len(data) and data[pos] in b"\n\r":
            pos += 1                          # word2vec.c ends each vector with "\n"; gensim does not
        space = data.find(b" ", pos, pos + _MAX_WORD)
        if space < 0 or space + 1 + width > len(data):
            raise ValueError(f"{path}: truncated at word {i + 1} of {n_words} (byte "
                             f"{window.start + pos}); expected a word, a space and {dim} float32 "
                             "values")
        try:
            word = data[pos:space].decode(encoding, errors=unicode_errors)
        except UnicodeDecodeError:
            raise ValueError(f"{path}: word {i + 1} (byte {window.start + pos}) is not valid "
                             f"{encoding}: {data[pos:space]!r}") from None
        if seen.setdefault(word, i) != i:
            raise ValueError(f"{path}: word {i + 1} (byte {window.start + pos}) repeats {word!r}, "
                             f"word {seen[word] + 1}")
        words.append(word)
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        window.pos = space + 1 + width
    if not np.all(np.isfinite(vectors)):      # loaded as they are, as gensim and the text
        bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))      # format do; said once
        warnings.warn(f"{path}: {bad.size} vector(s) hold NaN or infinity, the first of word "
                      f"{bad[0] + 1} ({words[bad[0]]!r})", RuntimeWarning, stacklevel=4)
    return words, vectors.astype(datatype, copy=False)


def _read_text(path, window, first_line, n, n_words, dim, encoding, unicode_errors, datatype):
    """Lines from ``first_line`` on (the header's 1 before them, if any)."""
    words, seen, vectors = [], {}, np.empty((n, dim), dtype=datatype)
    for i in range(n):
        line_no = i + first_line
        line = window.line()
        if line is None or not line.strip():
            raise ValueError(f"{path}: truncated at line {line_no}: header promises "
                             f"{n_words} words, found {i}")
        try:
            fields = line.decode(encoding, errors=unicode_errors).rstrip().split(" ")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: line {line_no} is not valid {encoding}") from None
        if len(fields) != dim + 1:
            raise ValueError(f"{path}: line {line_no}: expected a word and {dim} numbers, "
                             f"found {len(fields)} fields")
        try:
            vectors[i] = [float(x) for x in fields[1:]]
        except ValueError as e:
            raise ValueError(f"{path}: line {line_no}: {e}") from None
        if seen.setdefault(fields[0], line_no) != line_no:
            raise ValueError(f"{path}: line {line_no}: duplicate word {fields[0]!r} "
                             f"(first on line {seen[fields[0]]})")
        words.append(fields[0])
    return words, vectors


def _read_counts(fvocab, words, unicode_errors):
    """Counts of ``words`` from a ``"word count"`` file; missing words get 0, with a warning."""
    counts = {}
    with open_binary(fvocab) as f:
        for line_no, line in enumerate(f, 1):
            fields = line.decode("utf-8", errors=unicode_errors).split()
            if len(fields) != 2 or not fields[1].isdigit():
                raise ValueError(f"{fvocab}: line {line_no}: expected 'word count', got {line!r}")
            counts[fields[0]] = int(fields[1])
    missing = [w for w in words if w not in counts]
    if missing:
        warnings.warn(f"{fvocab}: no count for {len(missing)} words, e.g. {missing[:3]}; using 0")
    return [counts.get(w, 0) for w in words]
