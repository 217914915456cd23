"""fastw2v: word2vec from scratch in NumPy and Numba, with hand-written gradients.

``Word2Vec``, ``Word2VecConfig`` and ``KeyedVectors`` are imported on first use (PEP 562), as
are the subpackages (``fastw2v.config``, ``fastw2v.corpus``...), so that a command or module
that needs only part of the package (``fastw2v prepare``, ``fastw2v.corpus``) does not import
the training kernels and the model at start-up.
"""
import sys
from typing import TYPE_CHECKING

__all__ = ["Word2Vec", "Word2VecConfig", "KeyedVectors"]
__version__ = "0.1.0"

_LAZY = {"Word2Vec": "model", "Word2VecConfig": "params", "KeyedVectors": "keyedvectors"}

if TYPE_CHECKING:                            # what editors and type checkers see
    from .keyedvectors import KeyedVectors
    from .model import Word2Vec
    from .params import Word2VecConfig


def __getattr__(name):
    from importlib import import_module
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value              # later lookups find it without this hook
        return value
    if not name.startswith("__"):
        try:                                 # a submodule, as if imported before
            return import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise                        # the submodule exists and lacks a dependency
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name,
                         obj=sys.modules[__name__])


def __dir__():
    return sorted(set(globals()) | set(__all__))
