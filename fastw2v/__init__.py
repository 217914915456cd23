"""fastw2v: word2vec from scratch in NumPy and Numba, with hand-written gradients.

``Word2Vec``, ``Word2VecConfig`` and ``KeyedVectors`` are imported on first use (PEP 562), so
that a command or module that needs only part of the package (``fastw2v prepare``,
``fastw2v.corpus``) does not import the training kernels and the model at start-up.
"""

__all__ = ["Word2Vec", "Word2VecConfig", "KeyedVectors"]
__version__ = "0.1.0"

_LAZY = {"Word2Vec": "model", "Word2VecConfig": "model", "KeyedVectors": "keyedvectors"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'fastw2v' has no attribute {name!r}")
    from importlib import import_module
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value                  # later lookups find it without this hook
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
