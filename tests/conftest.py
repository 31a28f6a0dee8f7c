"""Helpers shared by every test folder (schedules, gluon, tutorial, compat, project).

The folders mirror the package: ``tests/schedules`` for ``mxsched``, ``tests/gluon`` for
``mxsched.gluon``, ``tests/tutorial`` for ``mxsched.tutorial``, ``tests/compat`` for the
drop-ins, ``tests/project`` for packaging, install and the README; ``tests/reference``
holds transcriptions of other libraries' schedulers (test data, no dependency).
"""
import numpy as np
import pytest

__all__ = ["assert_lrs", "in_order"]


def assert_lrs(sched, expected, steps=None, rel=1e-12):
    """``sched(t) == expected[i]`` at every step (a float each time), and ``values`` agrees.

    The message names the step and both values, as PyTorch's tests do.
    """
    steps = list(range(len(expected))) if steps is None else list(steps)
    for t, want in zip(steps, expected):
        got = sched(t)
        assert isinstance(got, float), f"value at t={t} is {type(got)}, not float"
        assert got == pytest.approx(want, rel=rel, abs=1e-15), \
            f"LR is wrong at update {t}: expected {want}, got {got}"
    np.testing.assert_allclose(sched.values(steps), expected, rtol=rel, atol=1e-15)


def in_order(scheduler, n, start=1):
    """What a (possibly stateful) scheduler returns when called with start, ..., n in order."""
    return [scheduler(t) for t in range(start, n + 1)]
