"""Numba kernels: arrays and numbers in, in-place updates out.

Each objective has a ``*_step`` for one training example (testable on injected samples) and a
``*_block`` that trains a block of sentences, compiled twice from the same Python function:
``*_block_serial`` (bit-reproducible under a seed) and ``*_block_parallel`` (Hogwild threads).
"""
