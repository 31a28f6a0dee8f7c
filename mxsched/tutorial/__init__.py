"""mxsched.tutorial: what the tutorial notebooks need and a library user does not.

The data (Fashion-MNIST, or scikit-learn's digits without a network), the LeNet of the
textbook chapter, seeds, a device line and a small training loop that records every
learning rate -- kept in a namespace of their own, as d2l keeps its helpers. It builds on
:mod:`mxsched.gluon` and :mod:`mxsched`; neither imports it.
"""
from .data import (DatasetInfo, DataSplits, load_data, load_dataset, quick_mode,
                   requested_dataset)
from . import experiments as _experiments
from .experiments import diverged, first_epoch_reaching, run_seeds, summarize
from .models import lenet
from .training import History, evaluate_accuracy, select_context, set_seed, train

#: Measure name -> function of a :class:`History`; :func:`summarize` and the notebooks
#: pick among these.
MEASURES = _experiments.MEASURES

__all__ = ["load_data", "load_dataset", "DatasetInfo", "DataSplits", "quick_mode",
           "requested_dataset", "lenet", "train", "History", "evaluate_accuracy",
           "select_context", "set_seed", "run_seeds", "summarize", "MEASURES",
           "first_epoch_reaching", "diverged"]
