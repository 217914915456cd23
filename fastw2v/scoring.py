"""The log-probability of sentences under a trained hierarchical-softmax model: gensim's
``Word2Vec.score`` (Taddy 2015, "Document classification by inversion of distributed language
representations": one model per class, a document goes to the class whose model scores it
highest).

A sentence's score sums, over every position i and every word j within ``window`` of it (the
whole window: no reduced window, no subsampling, as gensim scores):

    skip-gram:  log P(w_i | w_j) for each j                      (a term per pair)
    CBOW:       log P(w_i | h_i), h_i the mean (cbow_mean=0: the sum) of those rows
                                                                 (a term per position)

with the HS probability of a word along its Huffman path (``reference/hs.py``):
log P(w | h) = -sum_d softplus((2 code_d - 1) h . W_out[points_d]). Words not in the
vocabulary are dropped first, as gensim drops them. Here every term is exact; gensim reads
log sigma(x) from a 1,000-entry table at index int((x + 6) * 83) (its EXP_TABLE_SIZE / MAX_EXP / 2
in C's integer division: 83, not 83.3, so a term near x = 0 reads about 0.012 low), and skips
decisions beyond +-6 (adding log 1 = 0 for them, also when the branch is confidently wrong).
``tests/test_scoring.py`` checks that gensim's scores are these terms read from its table. gensim
also stops a sentence after 10,000 known words; here the whole sentence is scored.
"""
import warnings

import numpy as np

from .reference.hs import hs_head_forward

PAIRS = 2048                 # (context, centre) terms scored at a time: bounds the (B, L, D) gather


def score(model, sentences, total_sentences=int(1e6)):
    """float32 scores of at most ``total_sentences`` token lists (gensim's ``score``)."""
    if model.vocab is None:
        raise RuntimeError("score: build the vocabulary and train before scoring")
    if model.config.objective[1] != "hs":
        raise RuntimeError("score needs a model trained with hierarchical softmax (hs=1, "
                           "negative=0), as gensim's")
    codes, points, codelens = model.vocab.huffman_tree()
    codes = codes.astype(np.float64)
    W_in, W_out = model.wv.vectors, model.W_out
    index, window = model.wv.key_to_index, model.config.window
    out = []
    for n, sentence in enumerate(sentences):
        if n == total_sentences:
            warnings.warn(f"score: stopped after total_sentences={total_sentences} sentences "
                          "(set it higher to score more)", stacklevel=3)
            break
        if model.config.lowercase:        # as the model read its corpora
            sentence = [w.lower() for w in sentence]
        ids = np.array([index[w] for w in sentence if w in index], dtype=np.int64)
        out.append(_sentence(ids, W_in, W_out, codes, points, codelens, window,
                             model.config.sg, model.config.cbow_mean))
    return np.array(out, dtype=np.float32)


def _sentence(ids, W_in, W_out, codes, points, codelens, window, sg, cbow_mean):
    n = ids.size
    pos = np.arange(n)
    offsets = np.array([o for o in range(-window, window + 1) if o], dtype=np.int64)
    j = pos[:, None] + offsets[None, :]                       # (n, 2 window) context positions
    inside = (j >= 0) & (j < n)
    if sg:                                                     # a term per (centre i, context j)
        centre = np.broadcast_to(pos[:, None], j.shape)[inside]
        ctx = j[inside]
        total = 0.0
        for a in range(0, centre.size, PAIRS):
            h = W_in[ids[ctx[a:a + PAIRS]]].astype(np.float64)
            total -= hs_head_forward(h, W_out, ids[centre[a:a + PAIRS]], codes, points, codelens)[0]
        return total
    total = 0.0                                                # a term per position
    for a in range(0, n, PAIRS):
        rows = slice(a, a + PAIRS)
        mask = inside[rows]
        h = np.zeros((mask.shape[0], W_in.shape[1]))
        np.add.at(h, np.nonzero(mask)[0], W_in[ids[j[rows][mask]]])
        if cbow_mean:
            h /= np.maximum(mask.sum(axis=1), 1)[:, None]
        total -= hs_head_forward(h, W_out, ids[pos[rows]], codes, points, codelens)[0]
    return total
