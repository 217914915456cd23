"""fastw2v: word2vec from scratch in NumPy and Numba, with hand-written gradients."""
from .keyedvectors import KeyedVectors
from .model import Word2Vec, Word2VecConfig

__all__ = ["Word2Vec", "Word2VecConfig", "KeyedVectors"]
__version__ = "0.1.0"
