"""The negative-sampling head on the device (the maths of reference/sgns.py, the update order
of cpu/_output.py): one thread updates the 1 + K output rows of one example and accumulates
-lr * dL/dh in its scratch row ``e``. float32 throughout (see _device.py)."""
import numpy as np
from numba import cuda

from ._device import add, sigmoid_softplus


@cuda.jit(device=True)
def ns_output(H, r, W_out, centre, negatives, lr, e, atomic):
    """Negative sampling on h = H[r]; returns the example's loss. ``e`` must start at zero."""
    dim = H.shape[1]
    loss = np.float32(0.0)
    for k in range(negatives.shape[0] + 1):
        if k == 0:
            target = centre
            label = np.float32(1.0)
        else:
            target = negatives[k - 1]
            if target == centre:                 # word2vec.c skips a noise word equal to the centre
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for c in range(dim):
            f += H[r, c] * W_out[target, c]
        sig, nll = sigmoid_softplus(f)
        g = (label - sig) * lr                  # -lr * dL/ds
        for c in range(dim):
            e[c] += g * W_out[target, c]
            add(W_out, target, c, g * H[r, c], atomic)
        loss += nll if k == 0 else nll + f
    return loss
