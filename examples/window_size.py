"""The effect of the window size on nearest neighbours: small windows find words of the same
kind (syntactic neighbours), larger windows words of the same topic.

    python examples/window_size.py [--words 1000000]
"""
import argparse

from _sample import text8_slice
from fastw2v import Word2Vec

QUERIES = ("king", "france", "running", "three", "computer")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--words", type=int, default=1_000_000)
    args = p.parse_args()
    corpus = text8_slice(args.words)
    for window in (1, 2, 5):
        model = Word2Vec(vector_size=100, window=window, epochs=5, workers=2, seed=1)
        model.fit(corpus, verbose=False)
        print(f"window {window}: WordSim-353 Spearman {model.wv.evaluate_word_pairs().spearman:.3f}")
        for q in QUERIES:
            if q in model.wv:
                print(f"  {q:10s} " + ", ".join(w for w, _ in model.wv.most_similar(q, topn=6)))


if __name__ == "__main__":
    main()
