"""Training callbacks with gensim 4's hooks (``gensim.models.callbacks.CallbackAny2Vec``).

``Word2Vec(..., callbacks=[cb])`` or ``train(..., callbacks=[cb])`` call, with the model:
``on_train_begin`` once per ``train()``, ``on_epoch_begin`` / ``on_epoch_end`` around every
epoch, ``on_train_end`` once training stops (also when it stops early: Ctrl-C or an error).
Objects need not subclass ``CallbackAny2Vec``: any object with some of these methods works,
gensim's own callbacks included. Hooks run between epochs, never inside the kernels' loop.

In ``on_epoch_end``, ``model.get_latest_training_loss()`` is the loss summed since this
``train()`` call began (gensim's running total), and ``model.epoch_losses[-1]`` the epoch's.
"""

HOOKS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")


class CallbackAny2Vec:
    """Base class: override the hooks you need (each receives the model)."""

    def on_train_begin(self, model):
        pass

    def on_epoch_begin(self, model):
        pass

    def on_epoch_end(self, model):
        pass

    def on_batch_begin(self, model):      # gensim's; never called by Word2Vec (as in gensim 4)
        pass

    def on_batch_end(self, model):
        pass

    def on_train_end(self, model):
        pass


def call(callbacks, hook, model):
    """Run ``hook`` of every callback that has it."""
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None:
            method(model)
