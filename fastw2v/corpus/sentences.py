"""gensim's corpus readers, for code written for gensim: ``LineSentence``, ``PathLineSentences``,
``Text8Corpus``.

Each is a re-iterable of token lists that yields what gensim 4's class of the same name
yields (UTF-8 read strictly, ``str.split`` on every line, lines longer than
``max_sentence_length`` words in consecutive pieces; ``.gz``/``.bz2``/``.xz`` by suffix).

``Word2Vec`` reads one of these classes (not a subclass, which may yield other sentences) that
names files with gensim's defaults as those files (``as_files``):
through the parallel first pass and the prepared stream instead of a Python loop over every
word (the same words in the same order, so the same vocabulary and counts). One difference in
where sentences end: fastw2v cuts a line longer than 10,000 words every 10,000 words *kept*
(in the vocabulary), these readers every 10,000 words read, so on a line as long as text8's
the cuts fall ~1 % of a sentence apart. Otherwise (a file object, ``limit``, another
``max_sentence_length``, a Text8Corpus over a file of several lines, whose sentences run
across lines) it iterates the object, as gensim does.
"""
import itertools
import os

from .. import config
from .._files import OPENERS, open_binary
from .reading import _decode

MAX_WORDS = 10_000           # gensim's MAX_WORDS_IN_BATCH, its default max_sentence_length


def _pieces(words, n):
    for i in range(0, len(words), n):
        yield words[i:i + n]


def _lines(f, name, limit):
    for line_no, raw in enumerate(itertools.islice(f, limit), 1):    # text-mode files give str
        yield (raw if isinstance(raw, str) else _decode(raw, name, line_no)).split()


class LineSentence:
    """One sentence a line of ``source`` (a path, or an open file that can ``seek(0)``), the
    first ``limit`` lines if given."""

    def __init__(self, source, max_sentence_length=MAX_WORDS, limit=None):
        self.source, self.max_sentence_length, self.limit = source, max_sentence_length, limit

    def __iter__(self):
        if hasattr(self.source, "seek"):
            self.source.seek(0)
            lines = _lines(self.source, getattr(self.source, "name", "<file>"), self.limit)
            for words in lines:
                yield from _pieces(words, self.max_sentence_length)
            return
        with open_binary(self.source) as f:
            for words in _lines(f, os.fspath(self.source), self.limit):
                yield from _pieces(words, self.max_sentence_length)

    def _files(self):
        if isinstance(self.source, (str, os.PathLike)) and self.limit is None and \
                os.path.isfile(self.source):      # not a directory or a pattern: one file
            return os.fspath(self.source)
        return None


class PathLineSentences:
    """``LineSentence`` over every file of a directory, in file name order (or over one file)."""

    def __init__(self, source, max_sentence_length=MAX_WORDS, limit=None):
        self.source, self.max_sentence_length, self.limit = source, max_sentence_length, limit
        source = os.fspath(source)
        if os.path.isfile(source):
            self.input_files = [source]
        elif os.path.isdir(source):
            self.input_files = sorted(os.path.join(source, f) for f in os.listdir(source))
        else:
            raise ValueError(f"PathLineSentences: {source!r} is neither a file nor a directory")

    def __iter__(self):
        for path in self.input_files:
            yield from LineSentence(path, self.max_sentence_length, self.limit)

    def _files(self):
        # fastw2v's own reading of a directory skips hidden files and subdirectories; gensim
        # reads every entry: the same only when there are none
        if self.limit is None and all(os.path.isfile(p) and not os.path.basename(p).startswith(".")
                                      for p in self.input_files):
            return list(self.input_files)
        return None


class Text8Corpus:
    """The words of ``fname`` in sentences of ``max_sentence_length`` words, whatever its lines
    (text8 is one line of 17 million words)."""

    def __init__(self, fname, max_sentence_length=MAX_WORDS):
        self.fname, self.max_sentence_length = fname, max_sentence_length

    def __iter__(self):
        # gensim's reading: 8 KiB at a time, the bytes after the chunk's last space kept for
        # the next one; at the end whatever is left is one more sentence
        n, sentence, rest = self.max_sentence_length, [], b""
        with open_binary(self.fname) as f:
            while True:
                text = rest + f.read(8192)
                if text == rest:
                    sentence.extend(self._decode(text))
                    if sentence:
                        yield sentence
                    return
                cut = text.rfind(b" ")
                words, rest = (self._decode(text[:cut]), text[cut:].strip()) if cut >= 0 else ([], text)
                sentence.extend(words)
                while len(sentence) >= n:
                    yield sentence[:n]
                    sentence = sentence[n:]

    def _decode(self, raw):
        try:
            return raw.decode("utf-8").split()
        except UnicodeDecodeError as e:
            raise ValueError(f"{os.fspath(self.fname)}: invalid UTF-8 byte "
                             f"{raw[e.start:e.start + 1]!r}") from None

    def _files(self):
        # a file is read as lines: the same text when it is one line (a last newline aside).
        # Compressed files are iterated, not checked here
        path = os.fspath(self.fname)
        if os.path.splitext(path)[1].lower() in OPENERS or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            while block := f.read(1 << 24):
                at = block.find(b"\n")
                if at >= 0 and (at < len(block) - 1 or f.peek(1)):
                    return None
        return path


def as_files(corpus):
    """The path(s) a gensim reader of this module names, when reading them as files gives
    the same sentences; else ``corpus`` itself."""
    # these classes exactly: a subclass may yield other sentences (lowercased, filtered...)
    if type(corpus) not in (LineSentence, PathLineSentences, Text8Corpus) or \
            corpus.max_sentence_length != config.MAX_SENTENCE_LENGTH:
        return corpus
    found = corpus._files()
    return corpus if found is None else found
