"""How much cheaper is negative sampling than the full softmax? Train full-softmax skip-gram,
SGNS, skip-gram HS and CBOW on one small corpus, and compare time per epoch, the loss per
example of every epoch, and nearest neighbours.

    python examples/compare_objectives.py [--words 300000] [--png loss_curves.png]

Each objective's loss is its own (full softmax: -log p over the vocabulary; negative sampling:
1 + K logistic terms; HS: one per tree level), so compare the curves' shapes, not their heights.
"""
import argparse
import time

from _sample import text8_slice
from fastw2v import Word2Vec

OBJECTIVES = {
    "softmax skip-gram": dict(sg=1, loss="softmax", alpha=0.025),
    "SGNS (K=5)": dict(sg=1, negative=5),
    "skip-gram HS": dict(sg=1, hs=1, negative=0),
    "CBOW NS": dict(sg=0, negative=5, alpha=0.05),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--words", type=int, default=300_000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--png", help="save the loss curves here (needs matplotlib)")
    args = p.parse_args()
    corpus = text8_slice(args.words)
    results = {}
    for name, params in OBJECTIVES.items():
        model = Word2Vec(vector_size=50, window=5, min_count=5, epochs=1, workers=2, seed=1, **params)
        model.build_vocab(corpus)
        model.train(epochs=1, verbose=False)              # first call: JIT compile, not timed
        model.build_vocab(corpus)
        t0 = time.perf_counter()
        model.train(epochs=args.epochs, verbose=False)
        per_epoch = (time.perf_counter() - t0) / args.epochs
        curve = [loss / n for loss, n in zip(model.epoch_losses, model.epoch_pairs)]
        results[name] = (per_epoch, curve)
        neighbours = ", ".join(w for w, _ in model.wv.most_similar("three", topn=5))
        print(f"{name:18s} {per_epoch:7.2f} s/epoch  loss/example {' '.join(f'{c:.3f}' for c in curve)}"
              f"  | three: {neighbours}")
    softmax = results["softmax skip-gram"][0]
    for name, (t, _) in results.items():
        print(f"{name:18s} {softmax / t:6.1f}x faster than the full softmax")
    if args.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, (_, curve) in results.items():
            ax.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean loss per example (each objective's own)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.png, dpi=120)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
