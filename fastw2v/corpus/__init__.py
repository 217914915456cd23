"""Corpora: reading text (``reading.py``; gensim's readers LineSentence, PathLineSentences
and Text8Corpus in ``sentences.py``), the parallel first pass (``tokenize.py``,
``firstpass.py``), decoding other encodings than UTF-8 (``transcode.py``) and the prepared
on-disk format that training streams (``prepared.py``)."""
from .prepared import PreparedCorpus, is_prepared, prepare, read_vocab, write_vocab
from .reading import (EncodedCorpus, ScanResult, _open_binary, describe, encode,
                      iter_token_chunks, scan, split_long_sentences)
from .sentences import LineSentence, PathLineSentences, Text8Corpus
from .transcode import check_encoding

__all__ = ["EncodedCorpus", "LineSentence", "PathLineSentences", "PreparedCorpus", "ScanResult",
           "Text8Corpus", "check_encoding", "describe", "encode", "is_prepared",
           "iter_token_chunks", "prepare", "read_vocab", "scan", "split_long_sentences",
           "write_vocab", "_open_binary"]
