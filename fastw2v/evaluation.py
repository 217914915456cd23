"""Intrinsic evaluation: word analogies and word-pair similarity, with gensim's conventions.

Analogies (word2vec.c's compute-accuracy, gensim's ``evaluate_word_analogies``): for a question
``a b c expected`` the answer is the word of the ``restrict_vocab`` most frequent ones whose unit
vector is closest by cosine to ``u_b - u_a + u_c`` (3CosAdd), the three question words excluded.
Questions with a word outside those ``restrict_vocab`` words are skipped and counted; accuracy is
correct / (correct + incorrect) over the questions asked. With ``case_insensitive`` words are
compared upper-cased and, where two words collide, the more frequent one stands for both.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from .data import QUESTIONS_WORDS, WORDSIM353


@dataclass
class AnalogyResult:
    """Accuracy over all sections and per section (gensim's "Total accuracy" is ``accuracy``)."""
    accuracy: float
    correct: int
    incorrect: int
    skipped: int          # questions with a word outside the restricted vocabulary
    sections: list = field(default_factory=list)  # dicts: section, correct, incorrect, skipped, accuracy

    def __iter__(self):   # unpacks like gensim: score, sections = kv.evaluate_word_analogies(...)
        return iter((self.accuracy, self.sections))


@dataclass
class WordPairsResult:
    """Correlations between model cosines and human scores over the in-vocabulary pairs."""
    pearson: float
    spearman: float
    oov_ratio: float      # percentage of pairs skipped for an unknown word (gensim's unit)

    def __iter__(self):
        return iter((self.pearson, self.spearman, self.oov_ratio))


def _upper_index(kv, restrict_vocab, case_insensitive):
    keys = kv.index_to_key[:restrict_vocab]
    norm = str.upper if case_insensitive else (lambda w: w)
    lookup = {}
    for i in range(len(keys) - 1, -1, -1):     # reversed: the more frequent word wins a collision
        lookup[norm(keys[i])] = i
    canon = np.array([lookup[norm(w)] for w in keys], dtype=np.int64)   # row -> its stand-in row
    return lookup, norm, canon


def _read_analogies(path):
    sections = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            words = line.split()
            if len(words) != 4:
                raise ValueError(f"{path}: line {line_no}: expected 4 words, got {len(words)}: {line!r}")
            if not sections:
                raise ValueError(f"{path}: line {line_no}: question before the first ': section' line")
            sections[-1][1].append(words)
    return sections


def evaluate_word_analogies(kv, path=None, restrict_vocab=30000, case_insensitive=True,
                            batch_size=512):
    """Analogy accuracy of ``kv`` on ``path`` (default: the bundled questions-words.txt)."""
    path = path or QUESTIONS_WORDS
    lookup, norm, canon = _upper_index(kv, restrict_vocab, case_insensitive)
    unit = kv.unit_vectors()[:len(canon)]
    result = AnalogyResult(0.0, 0, 0, 0)
    for name, questions in _read_analogies(path):
        known = [[lookup.get(norm(w), -1) for w in q] for q in questions]
        known = np.array(known, dtype=np.int64).reshape(-1, 4)
        ok = (known >= 0).all(axis=1)
        q = known[ok]
        correct = 0
        for start in range(0, len(q), batch_size):
            a, b, c, expected = q[start:start + batch_size].T
            sims = (unit[b] - unit[a] + unit[c]) @ unit.T                     # (batch, R)
            for excluded in (a, b, c):                                        # never answer a question word
                sims[canon[None, :] == excluded[:, None]] = -np.inf
            correct += int(np.sum(canon[np.argmax(sims, axis=1)] == expected))
        section = dict(section=name, correct=correct, incorrect=len(q) - correct,
                       skipped=int((~ok).sum()), accuracy=correct / len(q) if len(q) else 0.0)
        result.sections.append(section)
        result.correct += correct
        result.incorrect += len(q) - correct
        result.skipped += section["skipped"]
    asked = result.correct + result.incorrect
    result.accuracy = result.correct / asked if asked else 0.0
    return result


def evaluate_word_pairs(kv, path=None, restrict_vocab=300000, case_insensitive=True):
    """Pearson and Spearman correlation of cosines with human scores (default: WordSim-353).

    The file is tab-separated ``word1 word2 score`` with ``#`` comment lines.
    """
    path = path or WORDSIM353
    lookup, norm, _ = _upper_index(kv, restrict_vocab, case_insensitive)
    unit = kv.unit_vectors()
    gold, model, oov = [], [], 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                raise ValueError(f"{path}: line {line_no}: expected 'word1<TAB>word2<TAB>score', "
                                 f"got {line.rstrip()!r}")
            try:
                score = float(fields[2])
            except ValueError:
                raise ValueError(f"{path}: line {line_no}: score {fields[2]!r} is not a number") from None
            i, j = lookup.get(norm(fields[0])), lookup.get(norm(fields[1]))
            if i is None or j is None:
                oov += 1
                continue
            gold.append(score)
            model.append(float(unit[i] @ unit[j]))
    ratio = 100.0 * oov / (len(gold) + oov) if gold or oov else 0.0
    if len(gold) < 2:                        # no correlation to measure: NaN, as gensim gives
        return WordPairsResult(float("nan"), float("nan"), ratio)
    return WordPairsResult(pearson=float(stats.pearsonr(gold, model)[0]),
                           spearman=float(stats.spearmanr(gold, model)[0]),
                           oov_ratio=ratio)
