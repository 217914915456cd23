"""A 2-D picture of word vectors: train SGNS on the bundled sample and project with PCA, or
train with vector_size=2 directly (--dim2). Saves a PNG (needs matplotlib: pip install .[plot]).

    python examples/plot_embeddings.py --png embeddings.png
"""
import argparse

import numpy as np

from _sample import text8_slice
from fastw2v import Word2Vec

GROUPS = {
    "numbers": ["one", "two", "three", "four", "five", "six", "seven", "eight"],
    "countries": ["france", "germany", "italy", "spain", "england", "china", "japan", "india"],
    "family": ["father", "mother", "son", "daughter", "brother", "sister", "king", "queen"],
    "science": ["physics", "chemistry", "mathematics", "biology", "theory", "energy", "atoms", "quantum"],
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--words", type=int, default=2_000_000)
    p.add_argument("--dim2", action="store_true", help="train 2-D vectors instead of projecting")
    p.add_argument("--png", default="embeddings.png")
    args = p.parse_args()
    model = Word2Vec(vector_size=2 if args.dim2 else 100, epochs=5, workers=2, seed=1)
    model.fit(text8_slice(args.words), verbose=False)
    words = [w for group in GROUPS.values() for w in group if w in model.wv]
    X = model.wv.unit_vectors()[[model.wv.key_to_index[w] for w in words]]
    if not args.dim2:                                  # PCA: the two main directions of these words
        X = X - X.mean(axis=0)
        _, _, Vt = np.linalg.svd(X, full_matrices=False)
        X = X @ Vt[:2].T
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 6))
    at = dict(zip(words, X))
    for name, group in GROUPS.items():
        pts = np.array([at[w] for w in group if w in at])
        ax.scatter(pts[:, 0], pts[:, 1], label=name)
        for w in group:
            if w in at:
                ax.annotate(w, at[w], fontsize=8, xytext=(3, 3), textcoords="offset points")
    ax.legend()
    ax.set_title("fastw2v SGNS vectors, " + ("trained in 2-D" if args.dim2 else "PCA to 2-D"))
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
