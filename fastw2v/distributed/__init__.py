"""Training on a Dask cluster (``pip install "fastw2v[dask]"``): the first pass and the epochs
run on the workers of a ``dask.distributed`` cluster, driven from the client.

* ``cluster.py``: reaching a scheduler (or starting a ``LocalCluster``), with clear errors.
* ``firstpass.py``: the prepared corpus's units counted and encoded on the workers.
* ``shared.py``: workers of one host train one copy of the rows in shared memory.
* ``rounds.py``: one step of one worker, a pure task (replica + agreed rows + piece + seed -> replica).
* ``merge.py``: which rows meet after which step, and how the workers' changes combine.
* ``driver.py``: the client's epoch loop: shared rows on one host, else replicas in steps and
  cycles; the learning rate.

Importing fastw2v never imports dask; ``Word2Vec(...).fit(corpus, client=client)`` does.
"""
