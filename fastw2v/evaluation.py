"""Intrinsic evaluation: word analogies and word-pair similarity, with gensim's conventions.

Analogies (word2vec.c's compute-accuracy, gensim's ``evaluate_word_analogies``): for a question
``a b c expected`` the answer is the word of the ``restrict_vocab`` most frequent ones whose unit
vector is closest by cosine to ``u_b - u_a + u_c`` (3CosAdd), the three question words excluded.
Questions with a word outside those ``restrict_vocab`` words are skipped and counted (or, with
``dummy4unknown``, count as wrong); accuracy is correct / (correct + incorrect) over the
questions asked. With ``case_insensitive`` words are compared upper-cased and, where two words
collide, the more frequent one stands for both.

Both functions return tuples shaped like gensim's, so ``score, sections = ...`` and
``pearson, spearman, oov_ratio = ...`` unpack as there, with fastw2v's numbers as attributes.
Lines gensim skips (not 4 words, no number) are skipped here too, with a warning naming them.
"""
import io
import math
import warnings
from collections import namedtuple

import numpy as np
from scipy import stats

from ._files import open_binary
from .data import QUESTIONS_WORDS, WORDSIM353

class Correlation(namedtuple("Correlation", "statistic pvalue")):
    """A correlation and its p-value, indexed as scipy's results ([0], [1]); ``correlation``
    is the name scipy's older ``SpearmanrResult`` gave the statistic, which code written for
    gensim 3 reads (``evaluate_word_pairs(...)[1].correlation``)."""
    __slots__ = ()

    @property
    def correlation(self):
        return self.statistic


class AnalogyResult(tuple):
    """gensim's ``(score, sections)``: ``sections`` holds one dict per section,
    ``{"section": name, "correct": [(a, b, c, expected), ...], "incorrect": [...]}``, then a
    ``"Total accuracy"`` one (words upper-cased with ``case_insensitive``, as gensim).

    Attributes: ``accuracy`` (the score; NaN when no question was asked), ``correct``,
    ``incorrect``, ``skipped`` (questions left out for an unknown word), ``oov_ratio`` (% of
    questions with an unknown word), and ``sections``: per-section *counts*, dicts with
    ``section, correct, incorrect, skipped, accuracy`` (``accuracy`` None when none was asked).
    """

    def __new__(cls, accuracy, questions, counts, skipped, oov_ratio):
        result = super().__new__(cls, (accuracy, questions))
        result.accuracy, result.sections, result.skipped = accuracy, counts, skipped
        result.correct = sum(s["correct"] for s in counts)
        result.incorrect = sum(s["incorrect"] for s in counts)
        result.oov_ratio = oov_ratio
        return result

    def __repr__(self):
        return (f"AnalogyResult(accuracy={self.accuracy}, correct={self.correct}, "
                f"incorrect={self.incorrect}, skipped={self.skipped})")


class WordPairsResult(tuple):
    """gensim's ``((pearson, pvalue), (spearman, pvalue), oov_ratio)``; as attributes the floats
    ``pearson``, ``spearman``, ``pearson_pvalue``, ``spearman_pvalue``, ``oov_ratio`` (% of pairs
    with an unknown word) and ``pairs`` (pairs correlated)."""

    def __new__(cls, pearson, spearman, oov_ratio, pairs):
        result = super().__new__(cls, (Correlation(*pearson), Correlation(*spearman), oov_ratio))
        result.pearson, result.pearson_pvalue = pearson
        result.spearman, result.spearman_pvalue = spearman
        result.oov_ratio, result.pairs = oov_ratio, pairs
        return result

    def __repr__(self):
        return (f"WordPairsResult(pearson={self.pearson}, spearman={self.spearman}, "
                f"oov_ratio={self.oov_ratio}, pairs={self.pairs})")


def _upper_index(kv, restrict_vocab, case_insensitive):
    keys = kv.index_to_key[:restrict_vocab]
    norm = str.upper if case_insensitive else (lambda w: w)
    lookup = {}
    for i in range(len(keys) - 1, -1, -1):     # reversed: the more frequent word wins a collision
        if isinstance(keys[i], str):
            lookup[norm(keys[i])] = i
    canon = np.array([lookup.get(norm(w), i) if isinstance(w, str) else i   # row -> its stand-in
                      for i, w in enumerate(keys)], dtype=np.int64)
    return lookup, norm, canon


def _warn_skipped(path, skipped, expected, stacklevel):
    if skipped:
        shown = "; ".join(f"line {n}: {text!r}" for n, text in skipped[:3])
        warnings.warn(f"{path}: skipped {len(skipped)} line(s) that are not {expected} ({shown})",
                      stacklevel=stacklevel + 1)


def _read_analogies(path):
    """``[(section name, [[a, b, c, expected], ...]), ...]``; lines not of 4 words are skipped."""
    sections, skipped = [], []
    with _open_text(path, "utf-8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            if not sections:
                raise ValueError(f"{path}: line {line_no}: question before the first ': section' line")
            words = line.split()
            if len(words) == 4:
                sections[-1][1].append(words)
            else:
                skipped.append((line_no, line))
    _warn_skipped(path, skipped, "4 words", stacklevel=3)    # the caller of evaluate_word_analogies
    return sections


def _answers_3cosadd(unit, a, b, c):
    return (unit[b] - unit[a] + unit[c]) @ unit.T                            # (batch, R)


def _answers_3cosmul(unit, a, b, c):
    # Levy and Goldberg 2014 eq. 4, cosines shifted to [0, 1]: cos(x,b) cos(x,c) / (cos(x,a) + eps)
    shifted = [(1 + unit[w] @ unit.T) / 2 for w in (a, b, c)]                # 3 x (batch, R)
    return shifted[1] * shifted[2] / (shifted[0] + 1e-6)


_SCORES = {"most_similar": _answers_3cosadd, "most_similar_cosmul": _answers_3cosmul}


def evaluate_word_analogies(kv, analogies=None, restrict_vocab=300000, case_insensitive=True,
                            dummy4unknown=False, similarity_function="most_similar", *,
                            batch_size=512):
    """Analogy accuracy of ``kv`` on ``analogies`` (default: the bundled questions-words.txt).
    ``restrict_vocab`` defaults to gensim's 300,000; word2vec.c's compute-accuracy and the
    command line's ``--restrict-vocab`` use 30,000.

    ``similarity_function``: ``"most_similar"`` (3CosAdd) or ``"most_similar_cosmul"``
    (3CosMul; gensim 4 accepts the name but always uses 3CosAdd). Returns an ``AnalogyResult``.
    """
    if similarity_function not in _SCORES:
        raise ValueError(f"similarity_function must be one of {sorted(_SCORES)}, "
                         f"not {similarity_function!r}")
    score = _SCORES[similarity_function]
    path = analogies or QUESTIONS_WORDS
    lookup, norm, canon = _upper_index(kv, restrict_vocab, case_insensitive)
    norms = np.maximum(kv.norms[:len(canon)], np.finfo(np.float32).tiny)
    unit = kv.vectors[:len(canon)] / norms[:, None]                          # (R, D) unit rows
    questions, counts, n_questions, n_oov = [], [], 0, 0
    for name, section in _read_analogies(path):
        section = [tuple(norm(w) for w in q) for q in section]
        ids = np.array([[lookup.get(w, -1) for w in q] for q in section], dtype=np.int64).reshape(-1, 4)
        known = (ids >= 0).all(axis=1)
        right = np.zeros(len(section), dtype=bool)
        asked = np.flatnonzero(known)
        for start in range(0, len(asked), batch_size):
            rows = asked[start:start + batch_size]
            a, b, c, expected = ids[rows].T
            sims = score(unit, a, b, c)
            for excluded in (a, b, c):                                        # never answer a question word
                sims[canon[None, :] == excluded[:, None]] = -np.inf
            right[rows] = canon[np.argmax(sims, axis=1)] == expected
        correct = [q for q, r in zip(section, right) if r]
        # gensim's order: wrong answers and, with dummy4unknown, unknown questions as in the file
        incorrect = [q for q, k, r in zip(section, known, right) if not r and (k or dummy4unknown)]
        questions.append(dict(section=name, correct=correct, incorrect=incorrect))
        n_asked = len(correct) + len(incorrect)
        counts.append(dict(section=name, correct=len(correct), incorrect=len(incorrect),
                           skipped=len(section) - n_asked,
                           accuracy=len(correct) / n_asked if n_asked else None))
        n_questions += len(section)
        n_oov += int((~known).sum())
    questions.append({"section": "Total accuracy",
                      "correct": [q for s in questions for q in s["correct"]],
                      "incorrect": [q for s in questions for q in s["incorrect"]]})
    n_correct, n_incorrect = len(questions[-1]["correct"]), len(questions[-1]["incorrect"])
    accuracy = n_correct / (n_correct + n_incorrect) if n_correct + n_incorrect else math.nan
    return AnalogyResult(accuracy, questions, counts, sum(s["skipped"] for s in counts),
                         100.0 * n_oov / n_questions if n_questions else 0.0)


def evaluate_word_pairs(kv, pairs=None, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                        case_insensitive=True, dummy4unknown=False):
    """Pearson and Spearman correlation of cosines with human scores (default: WordSim-353).

    The file holds ``word1 word2 score`` lines split by ``delimiter``, and ``#`` comment lines.
    Pairs with a word outside the ``restrict_vocab`` most frequent are left out, or with
    ``dummy4unknown`` given similarity 0 (gensim's rule). Fewer than two pairs give NaN
    correlations (gensim raises); a file with no valid line at all raises ValueError.
    """
    path = pairs or WORDSIM353
    lookup, norm, _ = _upper_index(kv, restrict_vocab, case_insensitive)
    gold, rows, oov, skipped = [], [], 0, []
    with _open_text(path, encoding) as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r\n").split(delimiter)
            try:
                if len(fields) != 3:          # gensim skips these too (a, b, sim = fields)
                    raise ValueError
                score = float(fields[2])
            except ValueError:
                skipped.append((line_no, line.rstrip()))
                continue
            i, j = lookup.get(norm(fields[0])), lookup.get(norm(fields[1]))
            if i is None or j is None:
                oov += 1
                if not dummy4unknown:
                    continue
            gold.append(score)
            rows.append((-1, -1) if i is None or j is None else (i, j))
    _warn_skipped(path, skipped, f"'word1{delimiter}word2{delimiter}score'", stacklevel=2)
    if not gold and not oov:
        raise ValueError(f"{path}: no valid word pairs (expected 'word1{delimiter}word2{delimiter}"
                         f"score' lines)")
    model = _cosines(kv, np.array(rows, dtype=np.int64).reshape(-1, 2))
    # gensim's denominators: with dummy4unknown the unknown pairs are among the ``gold`` ones
    ratio = 100.0 * oov / (len(gold) if dummy4unknown else len(gold) + oov)
    if len(gold) < 2:                        # no correlation to measure
        return WordPairsResult((math.nan, math.nan), (math.nan, math.nan), ratio, len(gold))
    pearson, spearman = stats.pearsonr(gold, model), stats.spearmanr(gold, model)
    return WordPairsResult((float(pearson[0]), float(pearson[1])),
                           (float(spearman[0]), float(spearman[1])), ratio, len(gold))


def _cosines(kv, rows):
    """Cosine of each pair of rows; 0 for pairs marked -1 (unknown words, dummy4unknown)."""
    known = (rows >= 0).all(axis=1)
    u = kv.vectors[rows[known].ravel()].astype(np.float64).reshape(-1, 2, kv.vector_size)
    u /= np.maximum(np.linalg.norm(u, axis=2, keepdims=True), 1e-30)
    cosines = np.zeros(len(rows))
    cosines[known] = np.sum(u[:, 0] * u[:, 1], axis=1)
    return cosines


def _open_text(path, encoding):
    """A questions or pairs file as text; .gz/.bz2/.xz decompressed (gensim reads them so)."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding)
