"""mxsched.gluon: what works with a ``gluon.Trainer``.

* per-update hyper-parameters from the training loop or the Gluon estimator:
  :class:`HyperparamHandler` (``'lr'``, ``'momentum'``, ``'beta1'``, ``'wd'``, ...),
  :class:`MomentumHandler`, :class:`InverseMomentum`, :class:`Handlers`;
* :class:`ReduceLROnPlateau`, on top of any schedule;
* :func:`make_trainer` (a Trainer that uses its schedule as given) and the devices a
  network lives on (:func:`default_context`, :func:`context_list`, :func:`split_batch`);
* the learning-rate range test, :func:`lr_range_test`;
* parameter servers: :func:`check_server_picklable`, :func:`init_kvstore`,
  :class:`LocalJob` / :func:`run_local_job`, and the multi-host launcher
  ``python -m mxsched.gluon.launch``;
* checkpoints that resume a schedule exactly: :func:`save_checkpoint`,
  :func:`load_checkpoint`.

It builds on :mod:`mxsched` (the schedules) and never the other way round: importing
``mxsched`` loads nothing of this part.
"""
from .checkpoints import (CheckpointError, OptimizerMismatchWarning, ScheduleMismatchWarning,
                          latest_checkpoint, load_checkpoint, save_checkpoint)
from .distributed import (JobError, JobResult, JobTimeout, LocalJob, ServerPickleError,
                          check_server_picklable, init_kvstore, run_local_job, server_payload)
from .hyperparams import Handlers, HyperparamHandler, InverseMomentum, MomentumHandler
from .plateau import ReduceLROnPlateau
from .range_test import RangeTestResult, Suggestion, lr_range_test
from .trainer import context_list, default_context, make_trainer, split_batch

__all__ = [
    "HyperparamHandler", "MomentumHandler", "InverseMomentum", "Handlers",
    "ReduceLROnPlateau",
    "make_trainer", "default_context", "context_list", "split_batch",
    "lr_range_test", "RangeTestResult", "Suggestion",
    "check_server_picklable", "server_payload", "ServerPickleError", "init_kvstore",
    "LocalJob", "run_local_job", "JobError", "JobTimeout", "JobResult",
    "save_checkpoint", "load_checkpoint", "latest_checkpoint", "CheckpointError",
    "ScheduleMismatchWarning", "OptimizerMismatchWarning",
]
