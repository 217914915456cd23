"""Full-softmax skip-gram on a vocabulary of about 20,000 words: it trains, and its nearest
neighbours make sense. Every example updates all 20k output rows, so this is the slow objective
that negative sampling and hierarchical softmax approximate.

    python examples/softmax_20k.py [--words 500000 --min-count 2]
"""
import argparse
import time

from _sample import text8_slice
from fastw2v import Word2Vec


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--words", type=int, default=500_000)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args()
    model = Word2Vec(loss="softmax", vector_size=50, window=2, sample=1e-4, alpha=0.025, softmax_batch=128,
                     min_count=args.min_count, epochs=args.epochs, workers=2, seed=1)
    model.build_vocab(text8_slice(args.words))
    print(f"vocabulary: {len(model.vocab)} words")
    t0 = time.perf_counter()
    model.train()
    print(f"trained in {time.perf_counter() - t0:.1f}s; WordSim-353 Spearman "
          f"{model.wv.evaluate_word_pairs().spearman:.3f}")
    for q in ("three", "france", "king", "war", "music"):
        print(f"  {q:8s} " + ", ".join(w for w, _ in model.wv.most_similar(q, topn=6)))


if __name__ == "__main__":
    main()
