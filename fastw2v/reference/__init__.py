"""Readable, vectorised NumPy forward/backward passes: the textbook and the oracle for the kernels.

Every ``backward`` returns the true gradient of the summed loss (no learning rate); embedding
gradients are explicit scatter-adds (``np.add.at``), so a word that appears twice in a batch
gets both contributions.
"""
