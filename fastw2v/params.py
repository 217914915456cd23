"""Word2Vec's hyperparameters (gensim's names and defaults) and how gensim's other keyword
arguments map onto them: a gensim parameter fastw2v does not take fails naming what to use."""
import codecs
import warnings
from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class Word2VecConfig:
    """Hyperparameters, with gensim's names and defaults."""
    vector_size: int = 100            # D: dimension of every word vector
    window: int = 5                   # largest distance between centre and context word
    min_count: int = 5                # words seen fewer times are dropped from the vocabulary
    sample: float = 1e-3              # subsampling threshold for frequent words (0 = off)
    negative: int = 5                 # K noise words per positive pair (negative sampling)
    alpha: float = 0.025              # learning rate at the start of training
    min_alpha: float = 0.0001         # learning rate at the end (linear decay)
    epochs: int = 5                   # passes over the corpus
    workers: int = 0                  # threads; 0 = every core. 1 = the bit-reproducible serial kernel
    seed: int = 1                     # seeds initial vectors and every thread's RNG
    max_vocab_size: int = None        # at most this many words: word2vec.c's pruning rule, applied
                                      # to the final counts (memory is not bounded by it)
    max_final_vocab: int = None       # gensim's: min_count raised until at most this many words stay
    ns_exponent: float = 0.75         # noise distribution P(w) ~ count(w) ** ns_exponent
    sg: int = 1                       # 1 = skip-gram (context predicts centre), 0 = CBOW
    hs: int = 0                       # 1 = hierarchical softmax over a Huffman tree
    cbow_mean: int = 1                # CBOW hidden layer: 1 = mean of the context rows, 0 = sum
    loss: str = None                  # "ns" | "hs" | "softmax" (full); None = from hs/negative as gensim
    softmax_batch: int = 32           # examples per minibatch of the full softmax (the step sums the
                                      # batch's gradients: large batches diverged on text8,
                                      # bench_results/decisions.md#softmax-batch)
    batch_window: bool = True         # minibatches (HogBatch), faster at equal quality on text8-head
                                      # (bench_results/): SGNS trains a window's contexts as one
                                      # minibatch against K noise words drawn once per window; CBOW
                                      # trains runs of config.CBOW_BATCH windows, hidden vectors summed
                                      # before updates. False = pair by pair and window by window as
                                      # word2vec.c. (Skip-gram HS is always pair by pair: faster.)
    lowercase: bool = False           # lowercase the corpus while reading it
    compute_loss: bool = True         # tally the loss of every epoch (costs some words/s:
                                      # bench_results/decisions.md#loss-tally)
    device: str = "cpu"               # "cpu" (Numba threads) or "cuda" (numba.cuda: SG/CBOW-NS, SG softmax)
    encoding: str = "utf-8"           # of corpus files (word2vec.c reads bytes; gensim decodes UTF-8)
    unicode_errors: str = "strict"    # bytes that are not valid in `encoding`: "strict" fails naming
                                      # file, line and column; "replace" / "ignore" as Python's codecs

    def validate(self, learning_rate_line=True):
        """Raise ValueError naming every invalid hyperparameter. ``learning_rate_line=False``
        leaves out ``min_alpha <= alpha`` (gensim users set the two one after the other;
        ``train`` warns when alpha is below min_alpha: it then trains at min_alpha, as gensim)."""
        problems = []
        for name in ("vector_size", "window", "min_count", "epochs"):
            if not isinstance(getattr(self, name), (int, np.integer)) or getattr(self, name) < 1:
                problems.append(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.negative, (int, np.integer)) or self.negative < 0:
            problems.append(f"negative must be an integer >= 0, got {self.negative!r}")
        if not self.sample >= 0:
            problems.append(f"sample must be >= 0, got {self.sample!r}")
        if not self.alpha > 0:
            problems.append(f"alpha must be > 0, got {self.alpha!r}")
        if not (0 <= self.min_alpha <= self.alpha or (0 <= self.min_alpha and not learning_rate_line)):
            problems.append(f"min_alpha must be in [0, alpha={self.alpha}], got {self.min_alpha!r}")
        if self.workers < 0:
            problems.append(f"workers must be >= 0 (0 = all cores), got {self.workers!r}")
        mvs = self.max_vocab_size         # compared with counts only: 1e6 is fine, as in gensim
        if mvs is not None and (not isinstance(mvs, (int, float, np.integer, np.floating))
                                or isinstance(mvs, bool) or not mvs >= 1):
            problems.append(f"max_vocab_size must be a number >= 1 or None, got {mvs!r}")
        mfv = self.max_final_vocab        # an index into the ranked counts, as in gensim
        if mfv is not None and (not isinstance(mfv, (int, np.integer)) or isinstance(mfv, bool)
                                or mfv < 1):
            problems.append(f"max_final_vocab must be an integer >= 1 or None, got {mfv!r}")
        if not self.ns_exponent >= 0:
            problems.append(f"ns_exponent must be >= 0, got {self.ns_exponent!r}")
        if self.sg not in (0, 1):
            problems.append(f"sg must be 0 (CBOW) or 1 (skip-gram), got {self.sg!r}")
        if self.cbow_mean not in (0, 1):
            problems.append(f"cbow_mean must be 0 (sum) or 1 (mean), got {self.cbow_mean!r}")
        if self.softmax_batch < 1:
            problems.append(f"softmax_batch must be >= 1, got {self.softmax_batch!r}")
        if self.loss not in (None, "ns", "hs", "softmax"):
            problems.append(f"loss must be 'ns', 'hs', 'softmax' or None, got {self.loss!r}")
        elif self.loss == "ns" and self.negative < 1:
            problems.append("loss='ns' needs negative >= 1 noise words")
        elif self.loss is None and self.hs and self.negative > 0:
            problems.append(f"hs=1 with negative={self.negative}: fastw2v trains one output layer; "
                            "set negative=0 for hierarchical softmax, or hs=0 for negative sampling")
        elif self.loss is None and not self.hs and self.negative == 0:
            problems.append("hs=0 and negative=0 select no loss: set negative >= 1 (negative "
                            "sampling), hs=1 (hierarchical softmax) or loss='softmax' (full softmax)")
        if self.device not in ("cpu", "cuda"):
            problems.append(f"device must be 'cpu' or 'cuda', got {self.device!r}")
        elif self.device == "cuda" and self.objective not in CUDA_OBJECTIVES:
            arch, head = self.objective
            problems.append(f"device='cuda' trains skip-gram and CBOW with negative sampling and "
                            f"skip-gram with the full softmax; {arch} with loss {head!r} runs on "
                            "device='cpu' only")
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            problems.append(f"encoding {self.encoding!r} is not a known text encoding")
        try:
            codecs.lookup_error(self.unicode_errors)
        except (LookupError, TypeError):
            problems.append(f"unicode_errors must be 'strict', 'replace' or 'ignore', got "
                            f"{self.unicode_errors!r}")
        if problems:
            raise ValueError("invalid Word2Vec parameters: " + "; ".join(problems))

    @property
    def objective(self):
        """(architecture, head): ("sg" | "cbow", "ns" | "hs" | "softmax")."""
        head = self.loss or ("hs" if self.hs else "ns")
        return ("sg" if self.sg else "cbow"), head


FIELDS = frozenset(f.name for f in fields(Word2VecConfig))
# (architecture, head) pairs the numba.cuda kernels train (gpu/)
CUDA_OBJECTIVES = {("sg", "ns"), ("cbow", "ns"), ("sg", "softmax")}

# gensim arguments that fastw2v takes at one value only (what it always does)
_FIXED = {
    "sorted_vocab": (1, "the vocabulary is always sorted by descending count"),
    "shrink_windows": (True, "fastw2v always samples the reduced window as word2vec.c does"),
    "hashfxn": (hash, "initial vectors are drawn from `seed` alone (no hash of the word)"),
    "null_word": (0, "fastw2v pads no windows; there is no null word"),
}
# gensim arguments that only tune gensim's own threading: accepted, with no effect
_IGNORED = {"batch_words", "comment"}


def from_gensim(params):
    """The keyword arguments a gensim user passes, as Word2VecConfig fields. Raises TypeError
    naming each unknown or unsupported argument and what to use instead."""
    params = dict(params)
    problems = []
    for name, (value, why) in _FIXED.items():
        if name in params and params.pop(name) != value:
            problems.append(f"{name} must be {value!r}: {why}")
    for name in _IGNORED & params.keys():
        if name == "batch_words":
            warnings.warn("batch_words has no effect in fastw2v: threads take blocks of "
                          "fastw2v.config.BLOCK_WORDS_PER_THREAD words", stacklevel=3)
        params.pop(name)
    unknown = sorted(params.keys() - FIELDS)
    if unknown:
        problems.append(f"unknown parameter(s) {', '.join(unknown)}; Word2Vec takes "
                        f"{', '.join(sorted(FIELDS))}")
    if problems:
        raise TypeError("Word2Vec: " + "; ".join(problems))
    return params
