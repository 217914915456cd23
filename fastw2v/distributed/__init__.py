"""Training on a Dask cluster (``pip install "fastw2v[dask]"``): the first pass and the epochs
run on the workers of a ``dask.distributed`` cluster, driven from the client.

* ``cluster.py``: reaching a scheduler (or starting a ``LocalCluster``), with clear errors.
* ``firstpass.py``: the prepared corpus's units counted and encoded on the workers.
* ``rounds.py``: one round of one worker, a pure task (snapshot + piece + seed -> change).
* ``driver.py``: the client's epoch loop: rounds, the learning rate, summing the changes.

Importing fastw2v never imports dask; ``Word2Vec(...).fit(corpus, client=client)`` does.
"""
