r"""Small example questions for the check types the optimizer and initialisation
assignments need: one `Spec` per kind, each with known-wrong versions in
`autograder.mutants.examples`.

=====================  ==========================================================
spec                   what it shows
=====================  ==========================================================
``ex.adam``            state in, a tuple of arrays out: ``adam(w, dw, m, v, t, lr,
                       beta1, beta2, eps) -> (w, m, v)``; every part compared, the
                       message names the wrong ones; `t` and the floats are plain
                       Python numbers
``ex.layer_stds``      a `Band`: the spread of a 10-layer tanh network's
                       activations, where the student draws the weights, within a
                       factor 1.25 of the reference's, layer by layer
``ex.momentum_hyper``  a `Satisfies` predicate: the student returns ``(lr, mu)``
                       and the grader runs nnlib's momentum with them
``ex.init_weights``    cross-case checks: the same seed gives identical matrices,
                       another seed other ones, and no two matrices are copies
=====================  ==========================================================

`autograder.specs` does not register these (they belong to no assignment): use them
directly, ``run_check(examples.ADAM, fn)``, or register them in a test.
"""

from __future__ import annotations

import itertools

import numpy as np

from autograder.checks import (
    Band,
    Case,
    Deterministic,
    DistinctParts,
    Hint,
    Satisfies,
    Spec,
    Tolerance,
    VariesWith,
    close,
)
from nnlib import optimizers

__all__ = ["ADAM", "EXAMPLES", "HINTS", "INIT_WEIGHTS", "LAYER_STDS", "MOMENTUM_HYPER"]

HINTS: dict[str, Hint] = {
    h.id: h
    for h in (
        Hint(
            "v-bias-corrected-in-state",
            "You returned the bias-corrected v_hat as the new v: keep the running average "
            "v in the state and use v_hat only inside the step.",
        ),
        Hint(
            "m-bias-corrected-in-state",
            "You returned the bias-corrected m_hat as the new m: keep the running average "
            "m in the state and use m_hat only inside the step.",
        ),
        Hint(
            "no-bias-correction",
            "Divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step: without "
            "that the first steps are several times too large.",
        ),
        Hint(
            "step-count-off-by-one",
            "t is already this step's number (the first step has t = 1): use it as given.",
        ),
        Hint("eps-inside-sqrt", "Add eps after the square root: sqrt(v_hat) + eps."),
        Hint("abs-not-square", "v averages the squared gradient, dw**2, not |dw|."),
        Hint("m-v-swapped", "Return (w, m, v) in this order: your m and v are swapped."),
        Hint(
            "pre-activation",
            "You measured the spread before the activation: take the std of tanh(h @ W).",
        ),
        Hint(
            "no-fan-in-scaling",
            "Scale each weight matrix by gain / sqrt(width): without it tanh saturates.",
        ),
        Hint("variance-not-std", "Return the standard deviation (h.std()), not the variance."),
        Hint(
            "same-input-every-layer",
            "Feed each layer the previous layer's output, not the network's input.",
        ),
        Hint(
            "last-layer-linear",
            "Apply tanh after every layer, the last one too (check your loop's range).",
        ),
        Hint(
            "out-of-range",
            "nnlib's momentum needs lr > 0 and mu in [0, 1): check your formulas' signs.",
        ),
        Hint("no-momentum", "With mu = 0 this is plain gradient descent: use the momentum."),
        Hint(
            "step-too-large",
            "The iterates diverge: the step is too large for the largest curvature lam_max.",
        ),
        Hint(
            "too-slow",
            "Your values converge too slowly: choose lr and mu from both lam_min and "
            "lam_max (the condition number), as in the lecture's heavy-ball analysis.",
        ),
        Hint(
            "xavier-not-he",
            "The spread is sqrt(2) too small: He initialisation uses sqrt(2 / fan_in).",
        ),
        Hint("fan-out", "Scale by the number of inputs of the layer (fan_in), not its outputs."),
        Hint("not-scaled", "Scale the standard normal draws by sqrt(2 / fan_in)."),
    )
}

# ----------------------------------------------------------------------------- adam


def adam_reference(w, dw, m, v, t, lr, beta1, beta2, eps):
    """One Adam step from the state ``(m, v)`` at step ``t`` (from 1): ``(w, m, v)``."""
    state = {"m": m, "v": v, "t": t - 1}
    new_w = optimizers.adam(w, dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return new_w, state["m"], state["v"]


def _adam_case(rng, shape, label, first: bool):
    w, dw = rng.standard_normal(shape), rng.standard_normal(shape)
    if first:
        m, v, t = np.zeros(shape), np.zeros(shape), 1
    else:
        m, v = 0.1 * rng.standard_normal(shape), 0.01 * rng.random(shape) ** 2
        t = int(rng.integers(2, 5000))
    lr = float(10 ** rng.uniform(-4, -1))
    beta1, beta2 = float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.99, 0.9999))
    eps = float(rng.choice([1e-8, 1e-6, 1e-3]))
    return Case((w, dw, m, v, t, lr, beta1, beta2, eps), f"{label}, t = {t}")


def _adam_cases(rng):
    yield _adam_case(rng, (1,), "first step, one weight", first=True)
    yield _adam_case(rng, (3, 4), "first step, 3x4", first=True)
    yield _adam_case(rng, (int(rng.integers(2, 6)), 1), "later step, a column", first=False)
    yield _adam_case(rng, (int(rng.integers(2, 5)), int(rng.integers(5, 9))), "later", False)
    yield _adam_case(rng, (7,), "later step, 7 weights", first=False)


def _adam_variant(w, dw, m, v, t, lr, beta1, beta2, eps, **mistake):
    t = t + mistake.get("t_shift", 0)
    g2 = np.abs(dw) if mistake.get("abs_g") else dw**2
    m, v = beta1 * m + (1 - beta1) * dw, beta2 * v + (1 - beta2) * g2
    corrected = not mistake.get("no_correction")
    m_hat = m / (1 - beta1**t) if corrected else m
    v_hat = v / (1 - beta2**t) if corrected else v
    denom = np.sqrt(v_hat + eps) if mistake.get("eps_inside") else np.sqrt(v_hat) + eps
    new_w = w - lr * m_hat / denom
    return new_w, m_hat if mistake.get("hat_m") else m, v_hat if mistake.get("hat_v") else v


_ADAM_MISTAKES = (
    ({"hat_v": True}, "v-bias-corrected-in-state"),
    ({"hat_m": True}, "m-bias-corrected-in-state"),
    ({"no_correction": True}, "no-bias-correction"),
    ({"t_shift": 1}, "step-count-off-by-one"),
    ({"eps_inside": True}, "eps-inside-sqrt"),
    ({"abs_g": True}, "abs-not-square"),
)


def _adam_diagnose(out, ref, case):
    if close(out[1], ref[2]) and close(out[2], ref[1]) and close(out[0], ref[0]):
        return HINTS["m-v-swapped"]
    for mistake, hint in _ADAM_MISTAKES:
        variant = _adam_variant(*case.args, **mistake)
        if all(close(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(out, variant, strict=True)):
            return HINTS[hint]
    return None


ADAM = Spec(
    name="ex.adam",
    function="adam",
    points=3,
    cases=_adam_cases,
    reference=adam_reference,
    compare=Tolerance(rtol=1e-10, atol=1e-13),
    diagnose=_adam_diagnose,
    output="tuple",
    parts=("w", "m", "v"),
    unchanged_args=(0, 1, 2, 3),
)

# ----------------------------------------------------------------------------- band

_BATCH = 256


def layer_stds_reference(n_layers, width, gain, seed):
    """Std of each layer's activations in a tanh network with N(0, gain²/width) weights."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((_BATCH, width))
    out = np.empty(n_layers)
    for k in range(n_layers):
        W = rng.standard_normal((width, width)) * (gain / np.sqrt(width))
        h = np.tanh(h @ W)
        out[k] = h.std()
    return out


def _stds_cases(rng):
    for gain, label in ((1.0, "gain 1"), (5 / 3, "gain 5/3 (tanh's)"), (0.5, "gain 0.5")):
        width = int(rng.choice([128, 192, 256]))
        seed = int(rng.integers(2**31))
        yield Case((10, width, gain, seed), f"10 layers of width {width}, {label}")


#: Within a factor 1.25 of the reference, layer by layer (a correct answer that draws the
#: weights in another order differs by a few percent).
STDS_BAND = Band(width=1.25, scale="log", element="layer {i}")


def _stds_variant(n_layers, width, gain, seed, **mistake):
    rng = np.random.default_rng(seed)
    x = h = rng.standard_normal((_BATCH, width))
    out = np.empty(n_layers)
    for k in range(n_layers):
        scale = gain if mistake.get("unscaled") else gain / np.sqrt(width)
        z = (x if mistake.get("same_input") else h) @ (rng.standard_normal((width, width)) * scale)
        h = z if mistake.get("last_linear") and k == n_layers - 1 else np.tanh(z)
        shown = z if mistake.get("pre") else h
        out[k] = shown.var() if mistake.get("var") else shown.std()
    return out


_STDS_MISTAKES = (
    ({"pre": True}, "pre-activation"),
    ({"unscaled": True}, "no-fan-in-scaling"),
    ({"var": True}, "variance-not-std"),
    ({"same_input": True}, "same-input-every-layer"),
    ({"last_linear": True}, "last-layer-linear"),
)


def _stds_diagnose(out, ref, case):
    for mistake, hint in _STDS_MISTAKES:
        if STDS_BAND.check(out, _stds_variant(*case.args, **mistake)) is None:
            return HINTS[hint]
    return None


LAYER_STDS = Spec(
    name="ex.layer_stds",
    function="layer_stds",
    points=3,
    cases=_stds_cases,
    reference=layer_stds_reference,
    compare=STDS_BAND,
    diagnose=_stds_diagnose,
)

# ----------------------------------------------------------------------------- predicate

#: Steps and target of the momentum predicate: f < TARGET within STEPS steps.
STEPS, TARGET = 120, 1e-6


def momentum_hyper_reference(lam_min, lam_max):
    r"""Polyak's heavy-ball optimum for curvatures in [lam_min, lam_max]: ``(lr, mu)``.

    .. math:: \mathrm{lr} = \frac{4}{(\sqrt{L} + \sqrt{m})^2},\quad
              \mu = \Big(\frac{\sqrt{L} - \sqrt{m}}{\sqrt{L} + \sqrt{m}}\Big)^2
    """
    a, b = np.sqrt(lam_max), np.sqrt(lam_min)
    return float(4.0 / (a + b) ** 2), float(((a - b) / (a + b)) ** 2)


def _hyper_cases(rng):
    for label in ("κ in [50, 100]", "another", "and another"):
        lam_min = float(10 ** rng.uniform(-2, -0.5))
        lam_max = lam_min * float(rng.uniform(50, 100))
        lam = np.geomspace(lam_min, lam_max, 8)
        x0 = rng.standard_normal(8)
        x0 /= np.sqrt(0.5 * np.sum(lam * x0**2))  # f(x0) = 1
        yield Case((lam_min, lam_max), label, meta={"lam": lam, "x0": x0})


def momentum_run(lr, mu, lam, x0, steps: int = STEPS) -> list[float]:
    """f(x) = ½ Σ λ_i x_i² after each of `steps` steps of nnlib's momentum (stops when
    f exceeds 1e6 or stops being finite)."""
    x, state, fs = np.array(x0, dtype=np.float64), {}, []
    for _ in range(steps):
        x = optimizers.momentum(x, lam * x, state, lr=lr, mu=mu)
        fs.append(float(0.5 * np.sum(lam * x**2)))
        if not fs[-1] < 1e6:
            break
    return fs


def _converges(out, case):
    lr, mu = out
    fs = momentum_run(lr, mu, case.meta["lam"], case.meta["x0"])
    if fs[-1] < TARGET:
        return None
    lam = case.meta["lam"]
    return (
        f"with lr = {lr:.4g}, mu = {mu:.4g}, nnlib's momentum ends at f = {fs[-1]:.3g} after "
        f"{len(fs)} steps on f(x) = ½ Σ λ_i x_i², λ from {lam[0]:.3g} to {lam[-1]:.3g}, "
        "started at f = 1"
    )


def _hyper_diagnose(out, ref, case):
    lr, mu = out
    if not (np.isfinite(lr) and np.isfinite(mu)):
        return None
    if not (lr > 0 and 0 <= mu < 1):
        return HINTS["out-of-range"]
    if mu == 0:
        return HINTS["no-momentum"]
    fs = momentum_run(lr, mu, case.meta["lam"], case.meta["x0"])
    return HINTS["step-too-large"] if not fs[-1] < 1.0 else None


MOMENTUM_HYPER = Spec(
    name="ex.momentum_hyper",
    function="momentum_hyper",
    points=2,
    cases=_hyper_cases,
    reference=momentum_hyper_reference,
    compare=None,  # many (lr, mu) work: the predicate decides
    diagnose=_hyper_diagnose,
    output="tuple",
    parts=("lr", "mu"),
    satisfies=(
        Satisfies(
            _converges,
            f"nnlib's momentum with (lr, mu) reaches f < {TARGET:g} within {STEPS} steps on "
            "a quadratic with curvatures from lam_min to lam_max, started at f = 1",
            HINTS["too-slow"],
        ),
    ),
)

# ----------------------------------------------------------------------------- cross-case


def init_weights_reference(sizes, seed):
    """He-normal matrices ``W_k ~ N(0, 2 / sizes[k])`` of shape (sizes[k], sizes[k+1])."""
    rng = np.random.default_rng(seed)
    return tuple(
        rng.standard_normal((a, b)) * np.sqrt(2.0 / a) for a, b in itertools.pairwise(sizes)
    )


def _init_cases(rng):
    d, h = int(rng.integers(16, 32)), int(rng.integers(64, 96))
    seed = int(rng.integers(2**31))
    sizes = (d, h, h, h)
    yield Case((sizes, seed), f"sizes {sizes}, seed {seed}")
    yield Case((sizes, seed), f"sizes {sizes}, the same seed {seed} again")
    yield Case((sizes, seed + 1), f"sizes {sizes}, seed {seed + 1}")
    d2, h2 = int(rng.integers(16, 32)), int(rng.integers(64, 96))
    yield Case(((d2, h2, h2, h2), seed), f"sizes {(d2, h2, h2, h2)}, seed {seed}")


def _he_statistics(out, case):
    for k, W in enumerate(out, start=1):
        target = np.sqrt(2.0 / W.shape[0])
        std, mean = float(W.std()), float(W.mean())
        if abs(mean) > 5 * target / np.sqrt(W.size):
            return f"W{k}'s entries have mean {mean:.3g}, not about 0"
        if not abs(std / target - 1) <= 0.15:
            return (
                f"W{k}'s entries have standard deviation {std:.4g}; He initialisation "
                f"gives sqrt(2 / fan_in) = sqrt(2 / {W.shape[0]}) = {target:.4g}"
            )
    return None


def _init_diagnose(out, ref, case):
    stds = np.array([float(W.std()) for W in out])
    fan_in = np.array([W.shape[0] for W in out], dtype=np.float64)
    fan_out = np.array([W.shape[1] for W in out], dtype=np.float64)
    for target, hint in (
        (np.sqrt(1.0 / fan_in), "xavier-not-he"),
        (np.sqrt(2.0 / fan_out), "fan-out"),
        (np.ones_like(stds), "not-scaled"),
    ):
        if np.all(np.abs(stds / target - 1) < 0.08):
            return HINTS[hint]
    return None


INIT_WEIGHTS = Spec(
    name="ex.init_weights",
    function="init_weights",
    points=2,
    cases=_init_cases,
    reference=init_weights_reference,
    compare=None,  # random matrices: their statistics and the cross-case checks decide
    diagnose=_init_diagnose,
    output="tuple",
    parts=("W1", "W2", "W3"),
    satisfies=(
        Satisfies(
            _he_statistics,
            "each W_k has mean about 0 and standard deviation within 15% of sqrt(2 / fan_in)",
        ),
    ),
    across=(Deterministic(), VariesWith(arg=1, name="seed"), DistinctParts()),
)

#: The example specs by name.
EXAMPLES: dict[str, Spec] = {s.name: s for s in (ADAM, LAYER_STDS, MOMENTUM_HYPER, INIT_WEIGHTS)}
