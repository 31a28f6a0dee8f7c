"""mxsched.tutorial.experiments: the seeds loop and the one-table summary the notebooks use."""
import math

import numpy as np
import pytest

from mxsched import CosineAnnealing
from mxsched.tutorial import (MEASURES, History, diverged, first_epoch_reaching, load_data,
                              run_seeds, summarize)


def history(train_loss, test_acc, lrs_per_epoch=2):
    n = len(train_loss)
    return History(train_loss=list(train_loss), test_acc=list(test_acc),
                   train_acc=list(test_acc), test_loss=list(train_loss),
                   lrs=[0.1] * (n * lrs_per_epoch))


def test_summary_gives_mean_and_range_over_the_seeds_per_configuration():
    runs = {("a", 0): history([1.0, 0.5], [0.5, 0.8]), ("a", 1): history([1.0, 0.3], [0.6, 0.9]),
            ("b", 0): history([2.4, 2.4], [0.1, 0.1]), ("b", 1): history([1.0, 0.1], [0.7, 0.95])}
    table = summarize(runs, ["final train loss", "final test acc", "failed"],
                      target_accuracy=0.85)
    lines = table.splitlines()
    assert lines[0].split()[:1] == ["run"] and "updates to 0.85" in lines[0]
    a, b = lines[1], lines[2]
    assert a.startswith("a ") and "0.400 [0.300, 0.500]" in a and "0.850 [0.800, 0.900]" in a
    assert "0/2" in a and "4 [4, 4] (1/2)" in a     # seed 1 reached 0.85 after epoch 2
    assert "1/2" in b and "(1/2)" in b              # seed 0 of b stayed at chance


def test_custom_measures_are_label_and_function_pairs():
    runs = {("a", 0): history([1.0, 0.5], [0.5, 0.8]), ("a", 1): history([3.0, 0.3], [0.6, 0.9])}
    table = summarize(runs, [("first loss", lambda h: h.train_loss[0]), "final test acc"])
    assert table.splitlines()[0].split()[:3] == ["run", "first", "loss"]
    assert "2.000 [1.000, 3.000]" in table
    with pytest.raises(ValueError, match="measures must name entries of MEASURES"):
        summarize(runs, ["final accuracy"])
    with pytest.raises(TypeError, match=r"measures\[0\] must be a name of MEASURES or a"):
        summarize(runs, [("label", "not callable")])


def test_measures_read_the_history():
    h = history([2.0, 1.0, 0.5], [0.3, 0.7, 0.6])
    assert MEASURES["final test acc"](h) == 0.6 and MEASURES["best test acc"](h) == 0.7
    assert MEASURES["lowest test loss"](h) == 0.5
    assert first_epoch_reaching(h, 0.7) == 2 and first_epoch_reaching(h, 0.9) is None


def test_a_run_at_chance_or_not_finite_failed():
    assert diverged(history([2.3, 2.3026], [0.1, 0.1]))
    assert diverged(history([1.0, math.nan], [0.5, 0.1]))
    assert not diverged(history([2.3, 1.2], [0.1, 0.6]))


def test_runs_with_the_same_seed_start_alike_and_repeat():
    train_iter, test_iter, _ = load_data(128, "digits", quick=True, verbose=False)
    steps = 2 * len(train_iter)
    first = run_seeds({"cos": CosineAnnealing(0.0, 0.1, steps), "flat": 0.05}, [0, 3],
                      train_iter, test_iter, epochs=2, verbose=False)
    again = run_seeds({"cos": CosineAnnealing(0.0, 0.1, steps)}, [3], train_iter, test_iter,
                      epochs=2, verbose=False)
    assert sorted(first) == [("cos", 0), ("cos", 3), ("flat", 0), ("flat", 3)]
    assert first["cos", 3].batch_losses == again["cos", 3].batch_losses  # repeatable
    # same seed: same initial weights and data order, so the first losses agree
    assert first["cos", 0].batch_losses[0] == first["flat", 0].batch_losses[0]
    assert first["cos", 0].batch_losses[0] != first["cos", 3].batch_losses[0]
    assert first["flat", 0].lrs == [0.05] * steps
    assert np.allclose(first["cos", 0].lrs, CosineAnnealing(0.0, 0.1, steps).values(
        np.arange(1, steps + 1)))
