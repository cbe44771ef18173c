"""Assignment 3's specs against their reference, textbook solutions and mutants, run
directly with `run_check` (the notebook and `make autograde` come in a later step).

Each question: the reference and every correct variant of `autograder.mutants.a3.CORRECT`
score full marks on several seeds; every mutant scores 0 with its own hint; at least five
mutants per question, no two of a question sharing a hint; the bands file is the bands
script's output for the configurations graded; grading the reference costs < 1 s.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from autograder import checks
from autograder.checks import run_check
from autograder.mutants.a3 import ADVERSARIAL, CORRECT, MUTANTS, run_experiment_textbook
from autograder.specs import a3, a3_bands, get_spec
from nnlib import experiments

SPECS = {s.name: s for s in a3.SPECS_A3}
SEEDS = (0, 1, 7)


def test_every_question_is_registered_with_its_points():
    assert [s.name for s in a3.SPECS_A3] == [
        "a3.init_std",
        "a3.make_weights",
        "a3.layer_statistics",
        "a3.run_experiment",
        "a3.backward_statistics",
        "a3.predicted_std",
    ]
    assert [s.points for s in a3.SPECS_A3] == [2, 4, 4, 5, 3, 2]  # LESSONS.md §9.1
    for spec in a3.SPECS_A3:
        assert get_spec(spec.name) is spec


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_scores_full_marks(name, seed):
    res = run_check(SPECS[name], SPECS[name].reference, seed=seed)
    assert res.passed, res.message


@pytest.mark.parametrize(
    ("name", "fn"),
    [(q, fn) for q, fns in CORRECT.items() for fn in fns],
    ids=lambda v: getattr(v, "__name__", v),
)
@pytest.mark.parametrize("seed", SEEDS)
def test_textbook_solutions_score_full_marks(name, fn, seed):
    res = run_check(SPECS[name], fn, seed=seed)
    assert res.passed, res.message


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.question}-{m.name}")
@pytest.mark.parametrize("seed", (0, 3))
def test_every_mutant_fails_with_its_own_hint(mutant, seed):
    res = run_check(SPECS[mutant.question], mutant.fn, seed=seed)
    assert not res.passed and res.points_earned == 0
    assert res.hint_id == mutant.hint, res.message
    assert f"Hint [{mutant.hint}]" in res.message


@pytest.mark.parametrize("mutant", ADVERSARIAL, ids=lambda m: m.name)
@pytest.mark.parametrize("seed", (0, 3))
def test_adversarial_answers_score_zero(mutant, seed):
    # the band's centre returned, per-scheme constants hard-coded, output independent of
    # the seed (fixed, or the bands' seeds' mean of every layer, which lies inside every band)
    res = run_check(SPECS[mutant.question], mutant.fn, seed=seed)
    assert not res.passed and res.points_earned == 0
    assert res.hint_id == mutant.hint, res.message


def test_at_least_five_mutants_per_question_each_with_its_own_hint():
    for name in SPECS:
        hints = [m.hint for m in MUTANTS if m.question == name]
        assert len(hints) >= 5, name
        assert len(set(hints)) == len(hints), f"{name}: two mutants share a hint"


def test_every_hint_of_a_mutant_is_defined():
    known = {**checks.HINTS, **a3.HINTS}
    assert {m.hint for m in MUTANTS} <= set(known)


def test_the_bands_file_is_the_scripts_output_for_the_graded_configurations():
    bands = a3.BANDS
    assert bands["k_sigma"] == a3_bands.K_SIGMA >= 5
    assert bands["size"] == {"n_layers": 10, "width": 100, "n": 200}
    assert set(bands["configs"]) == {f"{s}/{a}" for s, a in a3_bands.CONFIGS}
    for name, row in bands["configs"].items():
        assert row["seeds"] >= 200, name
        lo, hi = np.array(row["lower"]), np.array(row["upper"])
        seen_lo, seen_hi = np.array(row["min_seen"]), np.array(row["max_seen"])
        assert np.all(lo < seen_lo) and np.all(seen_hi < hi), name  # beyond every seed
        # one configuration re-derived on a few seeds lands inside its band
    row = a3_bands.derive("lecun", "tanh", seeds=3)
    band = bands["configs"]["lecun/tanh"]
    assert np.all(np.array(row["min_seen"]) > band["lower"])
    assert np.all(np.array(row["max_seen"]) < band["upper"])


def test_grading_the_reference_takes_under_a_second():
    start = time.process_time()
    for spec in a3.SPECS_A3:
        a3._experiment_cached.cache_clear()
        assert run_check(spec, spec.reference, seed=11).passed
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize(
    ("scheme", "activation"), [("he", "relu"), ("lecun", "relu"), ("small", "linear")]
)
def test_the_closed_form_prediction_agrees_with_nnlib_mean_field(scheme, activation):
    width = 250
    gain = width * experiments.init_std(scheme, width, width) ** 2
    want = experiments.mean_field(activation, gain, 10).std
    got = a3.predicted_std_reference(scheme, activation, 10, width)
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.slow
def test_a_correct_experiment_lies_inside_its_bands_on_200_seeds_in_each_configuration():
    """A correct experiment drawn in another order than the bands' (weights from `seed`,
    X from `seed + 1`) stays inside every band on 200 seeds: the bands reach beyond them."""
    size = a3.BANDS["size"]
    for scheme, activation in a3_bands.CONFIGS:
        band = a3._band(scheme, activation)
        for seed in range(50_000, 50_200):
            stds = run_experiment_textbook(scheme, activation, seed, **size)
            assert band.check(stds, stds) is None, (scheme, activation, seed)


@pytest.mark.slow
def test_make_weights_statistical_checks_pass_a_correct_answer_on_200_seeds():
    """The std (5% = 7 standard errors), mean (6), kurtosis (8) and correlation (6) bounds:
    no false failure of the textbook answer over 200 seeds (1,800 cases, 5,400 matrices)."""
    for seed in range(200):
        res = run_check(SPECS["a3.make_weights"], CORRECT["a3.make_weights"][0], seed=seed)
        assert res.passed, res.message


def test_init_std_cases_never_let_two_mistakes_coincide():
    # seed 421634015 once drew fan_in 333 = 3 x fan_out 111 for He, where the fan-out
    # mistake sqrt(2/111) equals the uniform-bound mistake sqrt(6/333): the hint said
    # 'uniform-bound-wrong' for the fan-out mutant. Seed 433489518 drew Glorot (180, 80)
    # and He (360, ...): Glorot-as-LeCun's sqrt(1/180) is He's right sqrt(2/360), and two
    # equal answers to different cases read as 'hard-coded'. Cases are redrawn until no
    # value a named mistake gives meets another, in its case or in any other.
    from autograder.specs import a3

    assert not a3._mistakes_apart([("he", 333, 111)])
    assert not a3._mistakes_apart([("xavier", 180, 80), ("he", 360, 100)])
    assert a3._mistakes_apart([("small", 50, 60), ("large", 70, 80)])  # 0.01 and 1.0 swap
    mutants = [m for m in MUTANTS if m.question == "a3.init_std"]
    assert len(mutants) >= 7
    for seed in [421634015, 433489518, *range(600)]:
        cases = [c.args for c in a3._init_std_cases(np.random.default_rng(seed))]
        assert a3._mistakes_apart(cases), (seed, cases)
        for m in mutants:
            res = run_check(get_spec("a3.init_std"), m.fn, seed=seed)
            assert not res.passed and res.hint_id == m.hint, (seed, m.name, res.message)
