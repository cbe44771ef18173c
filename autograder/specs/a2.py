r"""Assignment 2, "Update rules": one `Spec` per question (LESSONS.md §8).

Every rule takes its state explicitly and returns it, since the judge only sees what a
function returns. In the notebook's order:

=============================  ===================================================  ======
spec                           the student's function                               points
=============================  ===================================================  ======
``a2.ema``                     ``ema(x, beta, bias_correction) -> v``                    3
``a2.sgd_momentum``            ``sgd_momentum(w, dw, v, lr, mu) -> (w, v)``              2
``a2.ema_momentum``            ``ema_momentum(w, dw, v, lr, beta) -> (w, v)``            2
``a2.nesterov``                ``nesterov(w, dw, v, lr, mu) -> (w, v)``                  3
``a2.nesterov_lookahead``      ``nesterov_lookahead(w, v, grad_fn, lr, mu) -> (w, v)``   2
``a2.adagrad``                 ``adagrad(w, dw, s, lr, eps) -> (w, s)``                  2
``a2.rmsprop``                 ``rmsprop(w, dw, s, lr, alpha, eps) -> (w, s)``           2
``a2.adam``                    ``adam(w, dw, m, v, t, lr, beta1, beta2, eps)``           5
``a2.adam_trajectory``         ``adam_trajectory(w0, grads, lr, beta1, beta2, eps)``     2
``a2.step_decay`` ...          four schedules ``f(t, ...)``, vectorized over epochs      4
``a2.tune_momentum``           ``tune_momentum() -> (lr, mu)``: a predicate              2
=============================  ===================================================  ======

The written answer (3 points) is graded by hand.

References are adapters over `nnlib.optimizers` and `nnlib.schedules`: e.g. `adam_reference`
calls ``optimizers.adam(w, dw, {"m": m, "v": v, "t": t - 1}, ...)`` (nnlib increments t
before use, so it gets t - 1) and returns ``(new_w, state["m"], state["v"])``. `t` is the
1-based index of this step. The exponential moving average is computed by its recursion
(`nnlib.optimizers.ema`); the tuning goal's valley is `nnlib.surfaces`' ``rotated_valley``.

**Cases** (4-9 per question, drawn from the logged seed): shapes (k,), (1, k), non-square
(n, k), a column (k, 1) and a single weight (1,); w, dw ~ N(0, 1); a velocity or m ~ N(0, 0.1)
or N(0, 1); v, s ~ |N(0, 0.1)| (non-negative); lr log-uniform in [1e-4, 0.5]; mu, beta in
{0.5, 0.9, 0.99, U(0.3, 0.95)} and 0 last; beta2 in {0.9, 0.99, 0.999}; t in {1, 2, 3,
U{4..50}, 1000}; zero gradients; a constant gradient from a zero state (Adam's and AdaGrad's
first step is lr sign(g)); and **tiny gradients** (|g| ~ 1e-6, states ~ 1e-12, eps = 1e-8),
the only cases where eps inside the square root (a floor of sqrt(eps) = 1e-4 instead of
eps = 1e-8: steps 100 times too small) or Keras's eps added to the uncorrected sqrt(v)
(eps / sqrt(1 - beta2**t), 31.6 eps at t = 1: a step 30% too small) show.

**Tolerances.** The rules are a handful of roundings each: a correct answer in any order of
operations is within a few ulps of nnlib's, below 1e-14 at these magnitudes (|w|, |v| <= ~6).
``atol = 1e-13, rtol = 1e-10`` leaves a factor 10 to 100 over that and is far inside every
named mistake's error (>= 1e-5 here, apart from eps's placement). The tiny-gradient cases
set their own ``rtol = 1e-6, atol = 1e-15``: m ~ 1e-7 and v ~ 1e-12 there, so the ordinary
atol would accept any state, while 1e-15 is below 1e-3 of v and any state mistake moves v by
more; a correct w is within ulps, eps inside the root is off by ~lr, Keras's form by 0.3 lr
(lr >= 1e-4 against 1e-6 |w|). Schedules: ``rtol = 1e-12`` (``exp(-k) ** t`` rounds t
times, ~1e-14 at t <= 100).

Every array argument must come back unchanged (``unchanged_args``).
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Case, Hint, Satisfies, Spec, Tolerance
from nnlib import optimizers, schedules, surfaces

__all__ = [
    "HELPERS_A2",
    "HINTS",
    "PUBLIC_A2",
    "SPECS_A2",
    "VALLEY",
    "adam_reference",
    "ema_reference",
    "momentum_run",
]

# ----------------------------------------------------------------------------- hints

_HINT_LIST = (
    # ema
    ("ema-init-first", "Start the average at v_0 = 0, not at the first value x_1."),
    (
        "ema-swapped-weights",
        "The old average gets the weight beta: v_t = beta * v_{t-1} + (1 - beta) * x_t.",
    ),
    (
        "ema-t-from-zero",
        "Count t from 1: the first value is x_1 and its correction divides by 1 - beta**1 "
        "(1 - beta**0 = 0 divides by zero).",
    ),
    (
        "ema-correct-the-state",
        "Keep the raw average in the recursion: v_t = beta * v_{t-1} + (1 - beta) * x_t "
        "uses the uncorrected v_{t-1}; divide by 1 - beta**t only in what you return.",
    ),
    (
        "ema-multiply-correction",
        "The bias correction divides by 1 - beta**t: v_hat = v / (1 - beta**t).",
    ),
    (
        "ema-correction-flag-ignored",
        "Apply the bias correction exactly when bias_correction is True.",
    ),
    (
        "cumulative-mean",
        "This is the running mean of all values so far: an EMA weights x_t by (1 - beta) "
        "and the past by beta.",
    ),
    # momentum, PyTorch's and the lecture's form
    (
        "momentum-update-order",
        "Update the velocity first, then step with the new one: v = mu * v + g; w = w - lr * v.",
    ),
    ("momentum-sign", "Step downhill: w - lr * v, not w + lr * v."),
    (
        "momentum-lr-twice",
        "In this form lr multiplies only the step: v = mu * v + g, then w = w - lr * v.",
    ),
    (
        "momentum-ema-form",
        "This is the lecture's EMA form, with (1 - mu) on the gradient: the question asks "
        "for PyTorch's v = mu * v + g.",
    ),
    (
        "momentum-cs231n-form-mixed",
        "You mixed two forms: cs231n's v = mu * v - lr * g goes with w = w + v. Here the "
        "velocity holds gradients: v = mu * v + g, w = w - lr * v.",
    ),
    ("momentum-no-mu", "Decay the old velocity: v = mu * v + g, not v + g."),
    (
        "two-tap",
        "The state is the velocity, an average of every past gradient, not the last "
        "gradient: v = mu * v + g and return that v.",
    ),
    (
        "ema-momentum-no-damping",
        "The lecture's form averages: v = beta * v + (1 - beta) * g (PyTorch's v = mu * v "
        "+ g is the other question).",
    ),
    (
        "lr-in-velocity",
        "Keep lr out of the velocity: it multiplies only the step, w = w - lr * v.",
    ),
    (
        "velocity-sign",
        "Your velocity has the opposite sign: in this form it holds gradients (v = beta * v "
        "+ (1 - beta) * g) and the step subtracts it.",
    ),
    # nesterov (PyTorch's form)
    (
        "nesterov-is-momentum",
        "Nesterov steps with g + mu * v_new, not with v_new = g + mu * v_old (that is "
        "momentum's step).",
    ),
    (
        "nesterov-double-g",
        "The step is lr * (g + mu * v_new) with v_new = mu * v + g: mu multiplies v_new, "
        "and g is added once (g + v_new, or 2 g + mu * v, adds it twice).",
    ),
    (
        "velocity-not-returned",
        "Return the updated velocity v_new = mu * v + g: it is the state of the next step.",
    ),
    # Sutskever's look-ahead form
    (
        "lookahead-missing",
        "Evaluate the gradient at the look-ahead point w + mu * v, not at w (that is "
        "classical momentum).",
    ),
    (
        "lookahead-sign",
        "In Sutskever's form v already points downhill (v = mu * v - lr * grad): look "
        "ahead to w + mu * v, not w - mu * v (which looks uphill).",
    ),
    (
        "lookahead-scaled-by-lr",
        "The look-ahead point is w + mu * v: v already contains lr, do not multiply by it again.",
    ),
    ("lookahead-without-mu", "The look-ahead point is w + mu * v, not w + v."),
    (
        "lookahead-old-velocity",
        "Step with the new velocity: v_new = mu * v - lr * grad_fn(w + mu * v), then "
        "w = w + v_new.",
    ),
    (
        "lookahead-velocity-sign",
        "Sutskever's velocity points downhill: v_new = mu * v - lr * grad and w = w + v_new "
        "(your v has the opposite sign).",
    ),
    # AdaGrad and RMSProp
    (
        "adagrad-is-rmsprop",
        "AdaGrad sums every squared gradient, s = s + g**2; a decaying average is RMSProp.",
    ),
    (
        "eps-inside-sqrt",
        "Add eps after the square root, sqrt(s) + eps: inside it, eps sets a floor of "
        "sqrt(eps) = 1e-4 that swamps tiny gradients.",
    ),
    ("no-sqrt", "Divide by the square root of the accumulated squares: sqrt(s) + eps."),
    ("g-not-squared", "Accumulate the squared gradient, g**2 (not g or |g|)."),
    (
        "state-updated-after-step",
        "Update s with this step's g**2 first, then step with the new s.",
    ),
    ("rmsprop-alpha-swapped", "The old average gets alpha: s = alpha * s + (1 - alpha) * g**2."),
    (
        "rmsprop-is-adagrad",
        "RMSProp decays the old average, s = alpha * s + (1 - alpha) * g**2; a plain sum "
        "is AdaGrad.",
    ),
    ("update-sign", "Step downhill: subtract the step from w."),
    # adam
    (
        "adam-no-bias-correction",
        "Divide m by 1 - beta1**t and v by 1 - beta2**t before the step: without it the "
        "first steps are several times too large.",
    ),
    ("adam-correct-m-only", "Correct v too: v_hat = v / (1 - beta2**t)."),
    ("adam-correct-v-only", "Correct m too: m_hat = m / (1 - beta1**t)."),
    (
        "adam-store-corrected",
        "Return the raw averages m and v as the state; m_hat and v_hat are used only "
        "inside the step.",
    ),
    (
        "adam-t-shifted",
        "t is already this step's index (1 for the first step): use it as given, without "
        "adding or subtracting 1.",
    ),
    ("adam-beta-times-t", "The correction uses a power: 1 - beta1**t, not 1 - beta1 * t."),
    ("adam-betas-swapped", "beta1 averages the gradient (m), beta2 its square (v)."),
    (
        "adam-no-one-minus-beta",
        "Weight the new term: m = beta1 * m + (1 - beta1) * g and v = beta2 * v + "
        "(1 - beta2) * g**2.",
    ),
    (
        "adam-global-t",
        "Use the argument t, this step's index, in the bias correction, not a counter or a "
        "constant of your own.",
    ),
    (
        "adam-epsilon-hat",
        "Add eps to sqrt(v_hat), the corrected root: sqrt(v_hat) + eps. Adding it to the "
        "uncorrected sqrt(v) (Keras's form) makes eps 1 / sqrt(1 - beta2**t) times larger.",
    ),
    ("abs-not-square", "v averages the squared gradient, g**2, not |g|."),
    # adam_trajectory
    (
        "t-starts-at-zero",
        "The first step has t = 1: call adam with t = k + 1 for the k-th gradient "
        "(k from 0), as in range(1, T + 1).",
    ),
    ("state-not-carried", "Pass each step's m and v on to the next step, starting from zeros."),
    (
        "returns-final-only",
        "Return every iterate, an array of shape (T, *w0.shape), not only the last one.",
    ),
    ("includes-initial", "Return the T iterates after each step; w0 is not one of them."),
    ("t-not-incremented", "Increase t at every step: t = 1, 2, ..., T."),
    ("w-not-carried", "Each step starts from the previous step's w, not from w0."),
    # schedules
    (
        "step-decay-inverted",
        "Drop once every `every` epochs: lr0 * drop ** (t // every). floor(every / t) "
        "makes the rate grow with t.",
    ),
    ("ceil-instead-of-floor", "Count completed periods: t // every (a floor), not a ceiling."),
    ("no-floor", "Step decay drops in steps: use the integer t // every, not t / every."),
    ("epoch-from-one", "Epochs count from 0: lr(0) = lr0."),
    ("every-ignored", "Drop only once every `every` epochs: drop ** (t // every)."),
    ("exp-sign", "The rate decays: lr0 * exp(-k * t), with the minus sign."),
    ("exp-base-confusion", "Exponential decay is lr0 * exp(-k * t): k * t is the exponent."),
    (
        "power-of-lr0",
        "Do not raise lr0 to a power (lr0 ** (1 + k t) grows when lr0 > 1): multiply lr0 by "
        "the decay factor.",
    ),
    ("discrete-rate", "Use exp(-k * t), not (1 - k) ** t (equal only for small k)."),
    ("k-inverted", "Multiply t by k: exp(-k * t), not exp(-t / k)."),
    (
        "compounding-inverse-time",
        "lr0 / (1 + k t) is a formula in t: dividing the previous rate by (1 + k t) at "
        "every epoch compounds the decay.",
    ),
    (
        "inverse-time-no-one",
        "Keep the 1 in the denominator, lr0 / (1 + k t): lr0 / (k t) is infinite at t = 0.",
    ),
    ("sqrt-not-inverse-time", "Inverse-time decay is lr0 / (1 + k t), without a square root."),
    (
        "linear-not-clipped",
        "After n epochs the rate stays at lr_final: use min(t, n) in the formula.",
    ),
    ("linear-final-ignored", "Decay towards lr_final, not towards 0."),
    ("linear-endpoints-swapped", "Start at lr0 (t = 0) and end at lr_final (t >= n)."),
    ("linear-n-minus-one", "The ramp reaches lr_final at t = n: divide by n, not n - 1."),
    # tune_momentum
    (
        "out-of-range",
        "nnlib's momentum needs lr > 0 and mu in [0, 1): check what you return.",
    ),
    ("no-momentum", "With mu = 0 this is plain gradient descent: use the momentum."),
    (
        "step-too-large",
        "The iterates diverge: lr is too large for the valley's steep direction (curvature 50).",
    ),
    (
        "too-slow",
        "Your values converge too slowly: with curvatures 1 and 50 (kappa = 50) choose lr "
        "and mu together, as in the lecture's heavy-ball analysis.",
    ),
    ("lr-mu-swapped", "Return (lr, mu) in this order: yours are swapped."),
)

HINTS: dict[str, Hint] = {i: Hint(i, text) for i, text in _HINT_LIST}

# ----------------------------------------------------------------------------- helpers

#: The algebraic rules' comparison (module docstring: ulps below 1e-14 at these magnitudes).
_RULE_TOL = Tolerance(rtol=1e-10, atol=1e-13)
#: The tiny-gradient cases' own comparison (m ~ 1e-7, v ~ 1e-12: atol 1e-15).
_TINY_TOL = Tolerance(rtol=1e-6, atol=1e-15)
#: The schedules' comparison.
_SCHEDULE_TOL = Tolerance(rtol=1e-12, atol=1e-18)


def _parts(value) -> list | None:
    """`value` (an array or a tuple of them) as a list of float64 arrays, or None."""
    try:
        items = value if isinstance(value, tuple) else (value,)
        return [np.asarray(a, dtype=np.float64) for a in items]
    except (TypeError, ValueError):
        return None


def _gap(out, variant) -> float:
    """How far `out` is from a mistake's output, in units of a tight tolerance (<= 1: the
    same numbers): per part 1e-11 relative plus 1e-13 of the part's largest magnitude, with
    NaN and infinity where the variant has them; inf when the shapes differ."""
    a_parts, b_parts = _parts(out), _parts(variant)
    if a_parts is None or b_parts is None or len(a_parts) != len(b_parts):
        return np.inf
    worst = 0.0
    for a, b in zip(a_parts, b_parts, strict=True):
        if a.shape != b.shape:
            return np.inf
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        finite = np.isfinite(b)
        scale = float(np.max(np.abs(b[finite]), initial=0.0))
        with np.errstate(all="ignore"):
            ratio = np.abs(a - b) / (1e-11 * np.abs(b) + 1e-13 * scale + 1e-300)
        ratio = np.where(same, 0.0, np.where(np.isnan(ratio), np.inf, ratio))
        worst = max(worst, float(np.max(ratio, initial=0.0)))
    return worst


def _same(out, variant) -> bool:
    """True when `out` has the numbers of a mistake's output (`_gap` <= 1)."""
    return _gap(out, variant) <= 1.0


def _first_match(out, args, variant, mistakes, ref=None):
    """The hint of the named mistake whose output is closest to `out` (within `_gap` 1),
    or None; a mistake that gives the right answer on this case explains nothing."""
    best, best_gap = None, 1.0
    for flags, hint in mistakes:
        try:
            with np.errstate(all="ignore"):
                got = variant(*args, **flags)
        except (ValueError, ZeroDivisionError, OverflowError, IndexError):
            continue
        if ref is not None and _same(ref, got):
            continue
        gap = _gap(out, got)
        if gap <= best_gap and (best is None or gap < best_gap):
            best, best_gap = HINTS[hint], gap
    return best


def _lr(rng) -> float:
    """Log-uniform in [1e-4, 0.5]."""
    return float(10 ** rng.uniform(-4.0, np.log10(0.5)))


def _beta(rng, kind) -> float:
    """0.5, 0.9, 0.99, or U(0.3, 0.95) ("u")."""
    return float(rng.uniform(0.3, 0.95)) if kind == "u" else float(kind)


def _shape(rng, kind):
    k = int(rng.integers(3, 8))
    n = int(rng.integers(2, 6))
    while n == k:
        n = int(rng.integers(2, 6))
    return {"k": (k,), "row": (1, k), "nk": (n, k), "col": (k, 1), "one": (1,)}[kind]


def _shape_text(shape) -> str:
    return f"shape {shape}"


def _velocity(rng, shape, kind):
    """A state: "zero", "signed" (N(0, 1)), "small" (N(0, 0.1)) or "square" (|N(0, 0.1)|)."""
    if kind == "zero":
        return np.zeros(shape)
    if kind == "signed":
        return rng.standard_normal(shape)
    if kind == "small":
        return 0.1 * rng.standard_normal(shape)
    return np.abs(0.1 * rng.standard_normal(shape))


def _grad(rng, shape, kind):
    """A gradient: "random" N(0, 1), "zero", "constant" (one value c, |c| in [0.5, 2]) or
    "tiny" (N(0, 1e-12))."""
    if kind == "zero":
        return np.zeros(shape)
    if kind == "constant":
        return np.full(shape, float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0)))
    if kind == "tiny":
        return 1e-6 * rng.standard_normal(shape)
    return rng.standard_normal(shape)


# ----------------------------------------------------------------------------- ema


def ema_reference(x, beta, bias_correction):
    r"""Exponential moving average along axis 0 (time), v_0 = 0, t = 1..T
    (`nnlib.optimizers.ema`).

    .. math:: v_t = \beta v_{t-1} + (1 - \beta) x_t, \qquad
              \hat v_t = \frac{v_t}{1 - \beta^t}\ \text{(if bias_correction)}

    x (T,) or (T, d) -> v of the same shape.
    """
    return optimizers.ema(x, beta, bias_correction=bias_correction)


def _ema_variant(x, beta, bias_correction, **m):
    """`ema` with one named mistake (the flags of `_EMA_MISTAKES`)."""
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    if m.get("mean"):
        return np.cumsum(x, axis=0) / np.arange(1, T + 1).reshape((T,) + (1,) * (x.ndim - 1))
    correct = (not bias_correction) if m.get("flag") else bias_correction
    out, v = np.empty_like(x), (x[0].copy() if m.get("init_first") else np.zeros(x.shape[1:]))
    for t in range(1, T + 1):
        a, b = (1.0 - beta, beta) if m.get("swapped") else (beta, 1.0 - beta)
        v = a * v + b * x[t - 1]
        power = beta ** (t - 1) if m.get("t0") else beta**t
        v_hat = v
        if correct:
            v_hat = v * (1.0 - power) if m.get("multiply") else v / (1.0 - power)
        if m.get("state"):
            v = v_hat
        out[t - 1] = v_hat
    return out


_EMA_MISTAKES = (
    ({"init_first": True}, "ema-init-first"),
    ({"swapped": True}, "ema-swapped-weights"),
    ({"t0": True}, "ema-t-from-zero"),
    ({"state": True}, "ema-correct-the-state"),
    ({"multiply": True}, "ema-multiply-correction"),
    ({"flag": True}, "ema-correction-flag-ignored"),
    ({"mean": True}, "cumulative-mean"),
)


def _ema_diagnose(out, ref, case):
    return _first_match(out, case.args, _ema_variant, _EMA_MISTAKES, ref)


def _ema_cases(rng):
    """Random series first (every mistake shows there), then a constant series (FACTS'
    example: the corrected EMA of a constant is that constant), a single step, and
    beta = 0.99 over 50 steps."""
    d = int(rng.integers(2, 5))
    T = int(rng.integers(6, 20))
    yield Case((rng.standard_normal(T), _beta(rng, "u"), True), f"x of shape ({T},), corrected")
    T = int(rng.integers(6, 20))
    x = rng.standard_normal((T, d))
    yield Case((x, _beta(rng, "u"), False), f"x of shape ({T}, {d}), not corrected")
    T = int(rng.integers(6, 20))
    x = rng.standard_normal((T, d))
    yield Case((x, 0.9, True), f"x of shape ({T}, {d}), beta = 0.9, corrected")
    c = float(rng.uniform(1.0, 20.0))
    yield Case((np.full(5, c), 0.98, True), f"a constant {c:.4g} for 5 steps, beta = 0.98")
    yield Case((rng.standard_normal((1, d)), 0.5, True), f"one step, x of shape (1, {d})")
    yield Case((rng.standard_normal(50), 0.99, False), "x of shape (50,), beta = 0.99")


EMA = Spec(
    name="a2.ema",
    function="ema",
    points=3,
    cases=_ema_cases,
    reference=ema_reference,
    compare=Tolerance(rtol=1e-10, atol=1e-13),  # |x| <= ~5 and T <= 50: ulps below 1e-14
    diagnose=_ema_diagnose,
    unchanged_args=(0,),
)

# ----------------------------------------------------------------------------- momentum


def sgd_momentum_reference(w, dw, v, lr, mu):
    """PyTorch's momentum (`nnlib.optimizers.momentum`): v = mu v + g, w = w - lr v."""
    state = {"v": v.copy()}
    new_w = optimizers.momentum(w, dw, state, lr=lr, mu=mu)
    return new_w, state["v"]


def ema_momentum_reference(w, dw, v, lr, beta):
    """The lecture's form (`nnlib.optimizers.ema_momentum`, no bias correction):
    v = beta v + (1 - beta) g, w = w - lr v."""
    state = {"v": v.copy(), "t": 0}
    new_w = optimizers.ema_momentum(w, dw, state, lr=lr, beta=beta, bias_correction=False)
    return new_w, state["v"]


def nesterov_reference(w, dw, v, lr, mu):
    """PyTorch's Nesterov (`nnlib.optimizers.nesterov`): v = mu v + g,
    w = w - lr (g + mu v)."""
    state = {"v": v.copy()}
    new_w = optimizers.nesterov(w, dw, state, lr=lr, mu=mu)
    return new_w, state["v"]


def _momentum_variant(w, dw, v, lr, mu, **m):
    """`sgd_momentum` with one named mistake."""
    if m.get("two_tap"):
        return w - lr * (dw + mu * v), dw.copy()
    if m.get("cs231n"):
        v_new = mu * v - lr * dw
        return w - v_new, v_new
    if m.get("ema"):
        v_new = mu * v + (1.0 - mu) * dw
    elif m.get("no_mu"):
        v_new = v + dw
    elif m.get("lr_twice"):
        v_new = mu * v + lr * dw
    else:
        v_new = mu * v + dw
    step = lr * (v if m.get("order") else v_new)
    return (w + step if m.get("sign") else w - step), v_new


_MOMENTUM_MISTAKES = (
    ({"order": True}, "momentum-update-order"),
    ({"sign": True}, "momentum-sign"),
    ({"lr_twice": True}, "momentum-lr-twice"),
    ({"ema": True}, "momentum-ema-form"),
    ({"cs231n": True}, "momentum-cs231n-form-mixed"),
    ({"no_mu": True}, "momentum-no-mu"),
    ({"two_tap": True}, "two-tap"),
)


def _ema_momentum_variant(w, dw, v, lr, beta, **m):
    """`ema_momentum` with one named mistake."""
    if m.get("no_damping"):
        v_new = beta * v + dw
    elif m.get("swapped"):
        v_new = (1.0 - beta) * v + beta * dw
    elif m.get("no_mu"):
        v_new = v + (1.0 - beta) * dw
    elif m.get("lr_in"):
        v_new = beta * v + (1.0 - beta) * lr * dw
        return w - v_new, v_new
    elif m.get("neg"):
        v_new = beta * v - (1.0 - beta) * dw
        return w + lr * v_new, v_new
    else:
        v_new = beta * v + (1.0 - beta) * dw
    step = lr * (v if m.get("order") else v_new)
    return (w + step if m.get("sign") else w - step), v_new


_EMA_MOMENTUM_MISTAKES = (
    ({"order": True}, "momentum-update-order"),
    ({"sign": True}, "momentum-sign"),
    ({"no_damping": True}, "ema-momentum-no-damping"),
    ({"swapped": True}, "ema-swapped-weights"),
    ({"no_mu": True}, "momentum-no-mu"),
    ({"lr_in": True}, "lr-in-velocity"),
    ({"neg": True}, "velocity-sign"),
)


def _nesterov_variant(w, dw, v, lr, mu, **m):
    """`nesterov` with one named mistake. (Stepping with g + mu * v_old is momentum's
    step, lr * v_new; g + v_new is 2 g + mu * v_old: those mistakes have one hint each.)"""
    if m.get("lr_in"):
        v_new = mu * v + lr * dw
        return w - (lr * dw + mu * v_new), v_new
    v_new = mu * v + (1.0 - mu) * dw if m.get("ema") else mu * v + dw
    if m.get("is_momentum"):
        step = lr * v_new
    elif m.get("double"):
        step = lr * (2.0 * dw + mu * v)
    else:
        step = lr * (dw + mu * v_new)
    new_w = w + step if m.get("sign") else w - step
    return new_w, (v.copy() if m.get("stale") else v_new)


_NESTEROV_MISTAKES = (
    ({"is_momentum": True}, "nesterov-is-momentum"),
    ({"double": True}, "nesterov-double-g"),
    ({"sign": True}, "update-sign"),
    ({"lr_in": True}, "lr-in-velocity"),
    ({"stale": True}, "velocity-not-returned"),
    ({"ema": True}, "momentum-ema-form"),
)


def _momentum_cases(rng, states="signed"):
    """Random states first (every mistake shows there), then a first step from v = 0, a
    zero gradient, a constant gradient, and mu = 0 last (where several mistakes agree with
    the right answer)."""
    plan = (
        ("k", states, "random", "u", "a random velocity"),
        ("nk", states, "random", 0.9, "a random velocity"),
        ("row", "zero", "random", 0.99, "the first step, v = 0"),
        ("col", states, "zero", "u", "a zero gradient"),
        ("one", "zero", "constant", 0.5, "a constant gradient from v = 0"),
        ("nk", states, "random", 0.0, "a random velocity"),
    )
    for shape_kind, v_kind, g_kind, mu_kind, what in plan:
        shape = _shape(rng, shape_kind)
        w, dw = rng.standard_normal(shape), _grad(rng, shape, g_kind)
        v = _velocity(rng, shape, v_kind)
        lr, mu = _lr(rng), _beta(rng, mu_kind)
        yield Case((w, dw, v, lr, mu), f"{what}, {_shape_text(shape)}, mu = {mu:.4g}")


def _ema_momentum_cases(rng):
    """As `_momentum_cases`, with beta instead of mu (never 0.5 where swapping beta and
    1 - beta would give the same numbers)."""
    for case in _momentum_cases(rng):
        w, dw, v, lr, mu = case.args
        if mu == 0.5:
            mu = 0.8
        label = case.label.rsplit(", mu = ", 1)[0] + f", beta = {mu:.4g}"
        yield Case((w, dw, v, lr, mu), label)


def _rule_diagnose(variant, mistakes):
    def diagnose(out, ref, case):
        return _first_match(out, case.args, variant, mistakes, ref)

    return diagnose


SGD_MOMENTUM = Spec(
    name="a2.sgd_momentum",
    function="sgd_momentum",
    points=2,
    cases=_momentum_cases,
    reference=sgd_momentum_reference,
    compare=_RULE_TOL,
    diagnose=_rule_diagnose(_momentum_variant, _MOMENTUM_MISTAKES),
    output="tuple",
    parts=("w", "v"),
    unchanged_args=(0, 1, 2),
)

EMA_MOMENTUM = Spec(
    name="a2.ema_momentum",
    function="ema_momentum",
    points=2,
    cases=_ema_momentum_cases,
    reference=ema_momentum_reference,
    compare=_RULE_TOL,
    diagnose=_rule_diagnose(_ema_momentum_variant, _EMA_MOMENTUM_MISTAKES),
    output="tuple",
    parts=("w", "v"),
    unchanged_args=(0, 1, 2),
)

NESTEROV = Spec(
    name="a2.nesterov",
    function="nesterov",
    points=3,
    cases=_momentum_cases,
    reference=nesterov_reference,
    compare=_RULE_TOL,
    diagnose=_rule_diagnose(_nesterov_variant, _NESTEROV_MISTAKES),
    output="tuple",
    parts=("w", "v"),
    unchanged_args=(0, 1, 2),
)

# ----------------------------------------------------------------------------- look-ahead


def nesterov_lookahead_reference(w, v, grad_fn, lr, mu):
    r"""Sutskever et al. (2013), eqs. 3-4: the gradient at the look-ahead point w + mu v.

    .. math:: v' = \mu v - \mathrm{lr}\,\nabla f(w + \mu v), \qquad w' = w + v'
    """
    v_new = mu * v - lr * grad_fn(w + mu * v)
    return w + v_new, v_new


def _lookahead_variant(w, v, grad_fn, lr, mu, **m):
    """`nesterov_lookahead` with one named mistake."""
    point = {
        "at_w": w,
        "uphill": w - mu * v,
        "lr_scaled": w + lr * mu * v,
        "no_mu": w + v,
    }
    where = next((p for k, p in point.items() if m.get(k)), w + mu * v)
    if m.get("neg"):
        v_new = mu * v + lr * grad_fn(where)
        return w - v_new, v_new
    v_new = mu * v - lr * grad_fn(where)
    return w + (v if m.get("old") else v_new), v_new


_LOOKAHEAD_MISTAKES = (
    ({"at_w": True}, "lookahead-missing"),
    ({"uphill": True}, "lookahead-sign"),
    ({"lr_scaled": True}, "lookahead-scaled-by-lr"),
    ({"no_mu": True}, "lookahead-without-mu"),
    ({"old": True}, "lookahead-old-velocity"),
    ({"neg": True}, "lookahead-velocity-sign"),
)


def _quadratic_grad(rng, n):
    """grad of f(x) = x.ravel() @ A @ x.ravel() / 2, A random symmetric positive definite
    (a closure over A: it travels to the kernel as code and its cell)."""
    B = rng.standard_normal((n, n))
    A = B @ B.T / n + np.eye(n)

    def grad_fn(x):
        return (A @ x.ravel()).reshape(x.shape)

    grad_fn.__name__ = "grad of f(x) = x.ravel() @ A @ x.ravel() / 2 (A random, SPD)"
    return grad_fn


def _sine_grad(c):
    """grad of f(x) = sum(x sin x) + c sum(x**2) / 2: nonlinear, elementwise."""

    def grad_fn(x):
        return np.sin(x) + x * np.cos(x) + c * x

    grad_fn.__name__ = f"grad of f(x) = sum(x * sin(x)) + {c:.3g} * sum(x**2) / 2"
    return grad_fn


def _lookahead_cases(rng):
    """Random velocities first (at v = 0 the look-ahead point is w itself: every point
    mistake agrees there), non-square and one weight; the first step last."""
    plan = (
        ("k", "small", "quadratic", "u"),
        ("nk", "small", "sine", 0.9),
        ("row", "small", "quadratic", 0.99),
        ("one", "small", "sine", 0.5),
        ("col", "zero", "quadratic", 0.9),
    )
    for shape_kind, v_kind, f_kind, mu_kind in plan:
        shape = _shape(rng, shape_kind)
        w, v = rng.standard_normal(shape), _velocity(rng, shape, v_kind)
        n = int(np.prod(shape))
        grad_fn = (
            _quadratic_grad(rng, n) if f_kind == "quadratic" else _sine_grad(rng.uniform(0.5, 2))
        )
        lr, mu = _lr(rng), _beta(rng, mu_kind)
        what = "the first step, v = 0" if v_kind == "zero" else "a random velocity"
        yield Case(
            (w, v, grad_fn, lr, mu),
            f"{what}, {_shape_text(shape)}, {grad_fn.__name__}, mu = {mu:.4g}",
        )


NESTEROV_LOOKAHEAD = Spec(
    name="a2.nesterov_lookahead",
    function="nesterov_lookahead",
    points=2,
    cases=_lookahead_cases,
    reference=nesterov_lookahead_reference,
    compare=_RULE_TOL,
    diagnose=_rule_diagnose(_lookahead_variant, _LOOKAHEAD_MISTAKES),
    output="tuple",
    parts=("w", "v"),
    unchanged_args=(0, 1),
)

# ----------------------------------------------------------------------------- adagrad, rmsprop


def adagrad_reference(w, dw, s, lr, eps):
    """`nnlib.optimizers.adagrad`: s = s + g**2, w = w - lr g / (sqrt(s) + eps)."""
    state = {"s": s.copy()}
    new_w = optimizers.adagrad(w, dw, state, lr=lr, eps=eps)
    return new_w, state["s"]


def rmsprop_reference(w, dw, s, lr, alpha, eps):
    """`nnlib.optimizers.rmsprop`: s = alpha s + (1 - alpha) g**2,
    w = w - lr g / (sqrt(s) + eps)."""
    state = {"s": s.copy()}
    new_w = optimizers.rmsprop(w, dw, state, lr=lr, alpha=alpha, eps=eps)
    return new_w, state["s"]


def _adaptive_variant(w, dw, s, lr, alpha, eps, **m):
    """AdaGrad (alpha None) or RMSProp with one named mistake."""
    g2 = np.abs(dw) if m.get("abs_g") else dw**2
    if alpha is None:
        s_new = 0.9 * s + 0.1 * g2 if m.get("ema") else s + g2
    elif m.get("sum"):
        s_new = s + g2
    elif m.get("swapped"):
        s_new = (1.0 - alpha) * s + alpha * g2
    else:
        s_new = alpha * s + (1.0 - alpha) * g2
    used = s if m.get("after") else s_new
    if m.get("eps_inside"):
        denom = np.sqrt(used + eps)
    elif m.get("no_sqrt"):
        denom = used + eps
    else:
        denom = np.sqrt(used) + eps
    step = lr * dw / denom
    return (w + step if m.get("sign") else w - step), s_new


def _adagrad_variant(w, dw, s, lr, eps, **m):
    return _adaptive_variant(w, dw, s, lr, None, eps, **m)


_ADAPTIVE_COMMON = (
    ({"eps_inside": True}, "eps-inside-sqrt"),
    ({"no_sqrt": True}, "no-sqrt"),
    ({"abs_g": True}, "g-not-squared"),
    ({"after": True}, "state-updated-after-step"),
    ({"sign": True}, "update-sign"),
)


def _adagrad_diagnose(out, ref, case):
    hint = _first_match(out, case.args, _adagrad_variant, _ADAPTIVE_COMMON, ref)
    if hint is not None:
        return hint
    dw, s = case.args[1], case.args[2]
    try:
        s_out = np.asarray(out[1], dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        return None
    g2 = dw**2
    mask = np.abs(s - g2) > 1e-3
    if s_out.shape == s.shape and np.any(mask):  # s_out = a s + (1 - a) g**2, some a in (0, 1)
        a = float(np.median((s_out[mask] - g2[mask]) / (s[mask] - g2[mask])))
        if 0 < a < 1 and np.allclose(s_out, a * s + (1 - a) * g2, rtol=1e-8, atol=1e-15):
            return HINTS["adagrad-is-rmsprop"]
    return None


_RMSPROP_MISTAKES = (
    *_ADAPTIVE_COMMON,
    ({"swapped": True}, "rmsprop-alpha-swapped"),
    ({"sum": True}, "rmsprop-is-adagrad"),
)


def _adaptive_cases(rng, with_alpha: bool):
    """Random states first, a first step (s = 0) with a constant gradient (AdaGrad's and
    RMSProp's step is then lr g / |g| and lr g / (sqrt(1 - alpha) |g|), up to eps), a zero
    gradient, and the tiny-gradient cases last, with their own tolerance."""
    plan = (
        ("k", "square", "random", "u", 1e-8),
        ("nk", "square", "random", 0.9, 1e-10),
        ("row", "zero", "constant", 0.99, 1e-8),
        ("col", "square", "zero", "u", 1e-8),
        ("one", "square", "random", 0.9, 1e-6),
        ("k", "tiny", "tiny", 0.9, 1e-8),
        ("row", "zero", "tiny", 0.99, 1e-8),
    )
    for shape_kind, s_kind, g_kind, alpha_kind, eps in plan:
        shape = _shape(rng, shape_kind)
        w, dw = rng.standard_normal(shape), _grad(rng, shape, g_kind)
        s = 1e-12 * np.abs(rng.standard_normal(shape)) if s_kind == "tiny" else None
        s = s if s is not None else _velocity(rng, shape, s_kind)
        lr, alpha = _lr(rng), _beta(rng, alpha_kind)
        what = {
            "random": "a random state",
            "constant": "a constant gradient from s = 0",
            "zero": "a zero gradient",
            "tiny": "tiny gradients (|g| ~ 1e-6)",
        }[g_kind]
        hyper = (lr, alpha, eps) if with_alpha else (lr, eps)
        label = f"{what}, {_shape_text(shape)}" + (f", alpha = {alpha:.4g}" if with_alpha else "")
        yield Case(
            (w, dw, s, *hyper), f"{label}, eps = {eps:g}", _TINY_TOL if g_kind == "tiny" else None
        )


ADAGRAD = Spec(
    name="a2.adagrad",
    function="adagrad",
    points=2,
    cases=lambda rng: _adaptive_cases(rng, with_alpha=False),
    reference=adagrad_reference,
    compare=_RULE_TOL,
    diagnose=_adagrad_diagnose,
    output="tuple",
    parts=("w", "s"),
    unchanged_args=(0, 1, 2),
)

RMSPROP = Spec(
    name="a2.rmsprop",
    function="rmsprop",
    points=2,
    cases=lambda rng: _adaptive_cases(rng, with_alpha=True),
    reference=rmsprop_reference,
    compare=_RULE_TOL,
    diagnose=_rule_diagnose(_adaptive_variant, _RMSPROP_MISTAKES),
    output="tuple",
    parts=("w", "s"),
    unchanged_args=(0, 1, 2),
)

# ----------------------------------------------------------------------------- adam


def adam_reference(w, dw, m, v, t, lr, beta1, beta2, eps):
    """One Adam step (`nnlib.optimizers.adam`) at step `t` (1 for the first):
    ``(w, m, v)``. nnlib increments t before use, so its state holds t - 1."""
    state = {"m": m.copy(), "v": v.copy(), "t": t - 1}
    new_w = optimizers.adam(w, dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return new_w, state["m"], state["v"]


def _adam_variant(w, dw, m, v, t, lr, beta1, beta2, eps, **k):
    """One Adam step with one named mistake (the flags of `_ADAM_MISTAKES`)."""
    t = k.get("at_t", t)
    if k.get("swapped"):
        beta1, beta2 = beta2, beta1
    g2 = np.abs(dw) if k.get("abs_g") else dw**2
    a1, a2 = (1.0, 1.0) if k.get("no_one_minus") else (1.0 - beta1, 1.0 - beta2)
    m_new, v_new = beta1 * m + a1 * dw, beta2 * v + a2 * g2
    p1, p2 = (beta1 * t, beta2 * t) if k.get("times_t") else (beta1**t, beta2**t)
    m_hat = m_new if k.get("no_correction") or k.get("v_only") else m_new / (1.0 - p1)
    v_hat = v_new if k.get("no_correction") or k.get("m_only") else v_new / (1.0 - p2)
    if k.get("eps_inside"):
        denom = np.sqrt(v_hat + eps)
    elif k.get("eps_hat"):
        denom = (np.sqrt(v_new) + eps) / np.sqrt(1.0 - p2)
    else:
        denom = np.sqrt(v_hat) + eps
    new_w = w - lr * m_hat / denom
    if k.get("store"):
        return new_w, m_hat, v_hat
    return new_w, m_new, v_new


_ADAM_MISTAKES = (
    ({"no_correction": True}, "adam-no-bias-correction"),
    ({"m_only": True}, "adam-correct-m-only"),
    ({"v_only": True}, "adam-correct-v-only"),
    ({"store": True}, "adam-store-corrected"),
    ({"times_t": True}, "adam-beta-times-t"),
    ({"eps_inside": True}, "eps-inside-sqrt"),
    ({"eps_hat": True}, "adam-epsilon-hat"),
    ({"swapped": True}, "adam-betas-swapped"),
    ({"no_one_minus": True}, "adam-no-one-minus-beta"),
    ({"abs_g": True}, "abs-not-square"),
)


def _adam_diagnose(out, ref, case):
    hint = _first_match(out, case.args, _adam_variant, _ADAM_MISTAKES, ref)
    if hint is not None:
        return hint
    t = case.args[4]
    for other in (t - 1, t + 1):  # the step index shifted by one
        if other >= 1 and _same(out, _adam_variant(*case.args, at_t=other)):
            return HINTS["adam-t-shifted"]
    for other in (*range(1, 60), 100, 1000):  # another t of its own: a counter, a constant
        if other != t and _same(out, _adam_variant(*case.args, at_t=other)):
            return HINTS["adam-global-t"]
    return None


def _adam_cases(rng):
    """t = 1 from zero state, then t = 1000 (a t of one's own, or t = 1 always, shows
    there), U{4..50}, 2 and 3, a constant gradient from zero state (every step exactly lr
    g / |g|, up to eps), a zero gradient, and two tiny-gradient cases with their own
    tolerance (t = 1 and t = 2: where eps's placement shows)."""
    plan = (
        ("k", 1, "zero", "random", 0.999, 1e-8),
        ("nk", 1000, "state", "random", 0.999, 1e-8),
        ("row", int(rng.integers(4, 51)), "state", "random", 0.99, 1e-8),
        ("col", 2, "state", "random", 0.9, 1e-8),
        ("nk", 3, "state", "random", 0.999, 1e-6),
        ("row", 1, "zero", "constant", 0.999, 1e-8),
        ("one", int(rng.integers(4, 51)), "state", "zero", 0.99, 1e-8),
        ("k", 1, "zero", "tiny", 0.999, 1e-8),
        ("nk", 2, "tiny", "tiny", 0.999, 1e-8),
    )
    for shape_kind, t, state, g_kind, beta2, eps in plan:
        shape = _shape(rng, shape_kind)
        w, dw = rng.standard_normal(shape), _grad(rng, shape, g_kind)
        if state == "zero":
            m, v = np.zeros(shape), np.zeros(shape)
        elif state == "tiny":
            m = 1e-7 * rng.standard_normal(shape)
            v = 1e-12 * np.abs(rng.standard_normal(shape))
        else:
            m, v = _velocity(rng, shape, "small"), _velocity(rng, shape, "square")
        lr, beta1 = _lr(rng), float(rng.choice([0.9, 0.8, rng.uniform(0.5, 0.95)]))
        what = {
            "random": "random gradient",
            "constant": "a constant gradient",
            "zero": "a zero gradient",
            "tiny": "tiny gradients (|g| ~ 1e-6)",
        }[g_kind]
        state_text = {"zero": "m = v = 0", "tiny": "m ~ 1e-7, v ~ 1e-12", "state": "random m, v"}
        yield Case(
            (w, dw, m, v, t, lr, beta1, beta2, eps),
            f"t = {t}, {what}, {state_text[state]}, {_shape_text(shape)}, beta2 = {beta2:g}",
            _TINY_TOL if g_kind == "tiny" else None,
        )


ADAM = Spec(
    name="a2.adam",
    function="adam",
    points=5,
    cases=_adam_cases,
    reference=adam_reference,
    compare=_RULE_TOL,
    diagnose=_adam_diagnose,
    output="tuple",
    parts=("w", "m", "v"),
    unchanged_args=(0, 1, 2, 3),
)

# ----------------------------------------------------------------------------- adam_trajectory


def adam_trajectory_reference(w0, grads, lr, beta1, beta2, eps):
    """The T iterates of Adam (`nnlib.optimizers.adam`, from a zero state) driven by the
    given gradients ``grads[k]`` (k = 0..T-1): W of shape (T, *w0.shape), W[k] after step
    k + 1."""
    state, w, out = {}, w0, np.empty_like(grads)
    for k in range(grads.shape[0]):
        w = optimizers.adam(w, grads[k], state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        out[k] = w
    return out


def _trajectory_variant(w0, grads, lr, beta1, beta2, eps, **k):
    """The trajectory with one named mistake."""
    m, v, w, rows = np.zeros_like(w0), np.zeros_like(w0), w0, []
    for i in range(grads.shape[0]):
        t = 1 if k.get("t_fixed") else (i if k.get("t0") else i + 1)
        if k.get("reset"):
            m, v = np.zeros_like(w0), np.zeros_like(w0)
        start = w0 if k.get("from_w0") else w
        w, m, v = _adam_variant(start, grads[i], m, v, t, lr, beta1, beta2, eps)
        rows.append(w)
    out = np.array(rows)
    if k.get("final"):
        return out[-1]
    if k.get("initial"):
        return np.concatenate([w0[None], out[:-1]])
    if k.get("initial_all"):
        return np.concatenate([w0[None], out])
    return out


_TRAJECTORY_MISTAKES = (
    ({"t0": True}, "t-starts-at-zero"),
    ({"reset": True}, "state-not-carried"),
    ({"final": True}, "returns-final-only"),
    ({"initial": True}, "includes-initial"),
    ({"initial_all": True}, "includes-initial"),
    ({"t_fixed": True}, "t-not-incremented"),
    ({"from_w0": True}, "w-not-carried"),
)


def _trajectory_diagnose(out, ref, case):
    return _first_match(out, case.args, _trajectory_variant, _TRAJECTORY_MISTAKES, ref)


def _trajectory_cases(rng):
    """T = 25 gradients of shape (3, 2) (LESSONS.md §8.2), then a vector over 12 steps and
    a single weight over 8 with gradients that shrink (where eps starts to count)."""
    for T, shape, scale, beta2 in (
        (25, (3, 2), 1.0, 0.999),
        (12, (int(rng.integers(3, 7)),), 1.0, 0.99),
        (8, (1,), 0.01, 0.999),
    ):
        w0 = rng.standard_normal(shape)
        grads = scale * rng.standard_normal((T, *shape))
        lr, beta1 = _lr(rng), float(rng.uniform(0.8, 0.95))
        yield Case(
            (w0, grads, lr, beta1, beta2, 1e-8),
            f"{T} gradients of shape {shape}, |g| ~ {scale:g}, beta2 = {beta2:g}",
        )


ADAM_TRAJECTORY = Spec(
    name="a2.adam_trajectory",
    function="adam_trajectory",
    points=2,
    cases=_trajectory_cases,
    reference=adam_trajectory_reference,
    # 25 steps: each step's step size lr m_hat / (sqrt(v_hat) + eps) is computed to a few
    # ulps; their errors add up over the trajectory (25 x ~1e-16 |w|), far below 1e-10.
    compare=_RULE_TOL,
    diagnose=_trajectory_diagnose,
    unchanged_args=(0, 1),
)

# ----------------------------------------------------------------------------- schedules


def _each(schedule, t) -> np.ndarray:
    return np.array([schedule(int(k)) for k in np.asarray(t).ravel()]).reshape(np.shape(t))


def step_decay_reference(t, lr0, drop, every):
    """``lr0 * drop ** (t // every)`` for each epoch in t (from 0): `nnlib.schedules.StepDecay`."""
    return _each(schedules.StepDecay(lr0, drop=drop, every=every), t)


def exponential_decay_reference(t, lr0, k):
    """``lr0 * exp(-k t)``: `nnlib.schedules.Exponential`."""
    return _each(schedules.Exponential(lr0, k), t)


def inverse_time_decay_reference(t, lr0, k):
    """``lr0 / (1 + k t)``: `nnlib.schedules.InverseTime`."""
    return _each(schedules.InverseTime(lr0, k), t)


def linear_decay_reference(t, lr0, lr_final, n):
    """``lr0 + (lr_final - lr0) min(t, n) / n``: `nnlib.schedules.Linear`."""
    return _each(schedules.Linear(lr0, lr_final, n), t)


def _step_variant(t, lr0, drop, every, **m):
    t = np.asarray(t, dtype=np.float64) + (1 if m.get("from_one") else 0)
    if m.get("inverted"):
        with np.errstate(divide="ignore"):
            p = np.floor(every / t)
    elif m.get("ceil"):
        p = np.ceil(t / every)
    elif m.get("smooth"):
        p = t / every
    elif m.get("every_ignored"):
        p = t
    else:
        p = np.floor(t / every)
    return lr0 * drop**p


def _exp_variant(t, lr0, k, **m):
    t = np.asarray(t, dtype=np.float64) + (1 if m.get("from_one") else 0)
    if m.get("sign"):
        return lr0 * np.exp(k * t)
    if m.get("base"):
        return lr0 * np.exp(-k) * t
    if m.get("power"):
        return lr0 ** (1 + k * t)
    if m.get("discrete"):
        return lr0 * (1 - k) ** t
    if m.get("inverted"):
        return lr0 * np.exp(-t / k)
    return lr0 * np.exp(-k * t)


def _inv_variant(t, lr0, k, **m):
    t = np.asarray(t, dtype=np.float64) + (1 if m.get("from_one") else 0)
    if m.get("compound"):
        factors = np.cumprod(1.0 + k * np.arange(0, int(t.max()) + 1))
        return lr0 / factors[t.astype(int)]
    if m.get("power"):
        return lr0 ** (1 + k * t)
    with np.errstate(divide="ignore"):
        if m.get("no_one"):
            return lr0 / (k * t)
    if m.get("sqrt"):
        return lr0 / np.sqrt(1 + k * t)
    return lr0 / (1 + k * t)


def _linear_variant(t, lr0, lr_final, n, **m):
    t = np.asarray(t, dtype=np.float64) + (1 if m.get("from_one") else 0)
    frac = t / (n - 1 if m.get("n_minus_one") else n)
    if not m.get("unclipped"):
        frac = np.minimum(frac, 1.0)
    if m.get("final_ignored"):
        return lr0 * (1 - frac)
    if m.get("swapped"):
        return lr_final + (lr0 - lr_final) * frac
    return lr0 + (lr_final - lr0) * frac


_STEP_MISTAKES = (
    ({"inverted": True}, "step-decay-inverted"),
    ({"ceil": True}, "ceil-instead-of-floor"),
    ({"smooth": True}, "no-floor"),
    ({"from_one": True}, "epoch-from-one"),
    ({"every_ignored": True}, "every-ignored"),
)
_EXP_MISTAKES = (
    ({"sign": True}, "exp-sign"),
    ({"base": True}, "exp-base-confusion"),
    ({"power": True}, "power-of-lr0"),
    ({"discrete": True}, "discrete-rate"),
    ({"inverted": True}, "k-inverted"),
    ({"from_one": True}, "epoch-from-one"),
)
_INV_MISTAKES = (
    ({"compound": True}, "compounding-inverse-time"),
    ({"power": True}, "power-of-lr0"),
    ({"no_one": True}, "inverse-time-no-one"),
    ({"sqrt": True}, "sqrt-not-inverse-time"),
    ({"from_one": True}, "epoch-from-one"),
)
_LINEAR_MISTAKES = (
    ({"unclipped": True}, "linear-not-clipped"),
    ({"final_ignored": True}, "linear-final-ignored"),
    ({"swapped": True}, "linear-endpoints-swapped"),
    ({"n_minus_one": True}, "linear-n-minus-one"),
    ({"from_one": True}, "epoch-from-one"),
)


def _epochs(rng, top):
    """Epochs 0..top in order, then a shuffled sample of them (vectorized over any t)."""
    yield np.arange(0, top + 1), f"epochs 0..{top}"
    sample = rng.permutation(np.arange(0, top + 1))[: int(rng.integers(5, 12))]
    yield sample, f"{sample.size} epochs of 0..{top} in random order"


def _step_cases(rng):
    for _ in range(2):
        lr0, drop = float(10 ** rng.uniform(-2, 0)), float(rng.uniform(0.1, 0.9))
        every = int(rng.integers(3, 11))  # not 2: ceil(t / 2) = (t + 1) // 2, two mistakes
        for t, when in _epochs(rng, 4 * every + int(rng.integers(1, every))):
            yield Case((t, lr0, drop, every), f"{when}, drop {drop:.3g} every {every}")


def _exp_cases(rng):
    for _ in range(2):
        lr0, k = float(10 ** rng.uniform(-2, 0.5)), float(rng.uniform(0.02, 0.4))
        for t, when in _epochs(rng, int(rng.integers(20, 60))):
            yield Case((t, lr0, k), f"{when}, lr0 = {lr0:.3g}, k = {k:.3g}")


def _inv_cases(rng):
    for _ in range(2):
        lr0, k = float(10 ** rng.uniform(-2, 0.5)), float(rng.uniform(0.05, 1.0))
        for t, when in _epochs(rng, int(rng.integers(20, 60))):
            yield Case((t, lr0, k), f"{when}, lr0 = {lr0:.3g}, k = {k:.3g}")


def _linear_cases(rng):
    for _ in range(2):
        lr0 = float(10 ** rng.uniform(-2, 0))
        lr_final, n = lr0 * float(rng.uniform(0.05, 0.5)), int(rng.integers(5, 30))
        for t, when in _epochs(rng, n + int(rng.integers(5, 15))):
            yield Case((t, lr0, lr_final, n), f"{when}, from {lr0:.3g} to {lr_final:.3g} over {n}")


def _schedule_spec(function, cases, reference, variant, mistakes):
    return Spec(
        name=f"a2.{function}",
        function=function,
        points=1,
        cases=cases,
        reference=reference,
        compare=_SCHEDULE_TOL,
        diagnose=_rule_diagnose(variant, mistakes),
        unchanged_args=(0,),
    )


STEP_DECAY = _schedule_spec(
    "step_decay", _step_cases, step_decay_reference, _step_variant, _STEP_MISTAKES
)
EXPONENTIAL_DECAY = _schedule_spec(
    "exponential_decay", _exp_cases, exponential_decay_reference, _exp_variant, _EXP_MISTAKES
)
INVERSE_TIME_DECAY = _schedule_spec(
    "inverse_time_decay", _inv_cases, inverse_time_decay_reference, _inv_variant, _INV_MISTAKES
)
LINEAR_DECAY = _schedule_spec(
    "linear_decay", _linear_cases, linear_decay_reference, _linear_variant, _LINEAR_MISTAKES
)

# ----------------------------------------------------------------------------- tune_momentum

#: Steps and target of the tuning goal: f < TARGET within STEPS steps.
STEPS, TARGET = 120, 1e-6


#: The rotated valley of the tuning goal, `nnlib.surfaces`' ``rotated_valley``: f(x) =
#: x @ H @ x / 2 with H = R diag(1, 50) R.T (R a 45-degree rotation), started at R (-4, 1),
#: where f = 33 (LESSONS.md §5.2): its Hessian "H" and start "x0".
VALLEY = {
    "H": np.array(surfaces.SURFACES["rotated_valley"].A),
    "x0": np.array(surfaces.SURFACES["rotated_valley"].x0),
}


def momentum_run(lr, mu, steps: int = STEPS) -> list[float]:
    """f after each of `steps` steps of nnlib's momentum on `VALLEY` (stops once f
    exceeds 1e6 or is not finite, or reaches TARGET)."""
    H, x, state, fs = VALLEY["H"], VALLEY["x0"].copy(), {}, []
    for _ in range(steps):
        x = optimizers.momentum(x, H @ x, state, lr=lr, mu=mu)
        fs.append(float(0.5 * x @ H @ x))
        if not fs[-1] < 1e6 or fs[-1] < TARGET:
            break
    return fs


def tune_momentum_reference():
    r"""Polyak's heavy ball for curvatures 1 and 50: ``(lr, mu)`` = (4 / (sqrt(50) + 1)**2,
    ((sqrt(50) - 1) / (sqrt(50) + 1))**2) = (0.0614, 0.566): f < 1e-6 after 46 steps."""
    a, b = np.sqrt(50.0), 1.0
    return float(4.0 / (a + b) ** 2), float(((a - b) / (a + b)) ** 2)


def _valid(lr, mu) -> bool:
    return bool(np.isfinite(lr) and np.isfinite(mu) and lr > 0 and 0 <= mu < 1)


def _reaches_target(out, case):
    lr, mu = out
    if not _valid(lr, mu):
        return f"nnlib's momentum refuses lr = {lr!r}, mu = {mu!r} (it needs lr > 0, 0 <= mu < 1)"
    fs = momentum_run(lr, mu)
    if fs[-1] < TARGET:
        return None
    return (
        f"with lr = {lr:.4g}, mu = {mu:.4g}, nnlib's momentum ends at f = {fs[-1]:.3g} "
        f"after {len(fs)} steps on the rotated valley (started at f = 33)"
    )


def _tune_diagnose(out, ref, case):
    lr, mu = out
    if _valid(mu, lr) and momentum_run(mu, lr)[-1] < TARGET:
        return HINTS["lr-mu-swapped"]
    if not _valid(lr, mu):
        return HINTS["out-of-range"]
    if mu == 0:
        return HINTS["no-momentum"]
    fs = momentum_run(lr, mu)
    return HINTS["step-too-large"] if not fs[-1] < 33.0 else HINTS["too-slow"]


TUNE_MOMENTUM = Spec(
    name="a2.tune_momentum",
    function="tune_momentum",
    points=2,
    cases=lambda rng: [Case((), "the rotated valley (x1**2 + 50 x2**2) / 2, 45 degrees")],
    reference=tune_momentum_reference,
    compare=None,  # many (lr, mu) work: the predicate decides
    diagnose=_tune_diagnose,
    output="tuple",
    parts=("lr", "mu"),
    satisfies=(
        Satisfies(
            _reaches_target,
            f"nnlib's momentum with your (lr, mu) reaches f < {TARGET:g} within {STEPS} "
            "steps on the valley (x1**2 + 50 x2**2) / 2 rotated by 45 degrees, from the "
            "rotation of (-4, 1)",
            HINTS["too-slow"],
        ),
    ),
)

#: Assignment 2's questions in the notebook's order.
SPECS_A2 = (
    EMA,
    SGD_MOMENTUM,
    EMA_MOMENTUM,
    NESTEROV,
    NESTEROV_LOOKAHEAD,
    ADAGRAD,
    RMSPROP,
    ADAM,
    ADAM_TRAJECTORY,
    STEP_DECAY,
    EXPONENTIAL_DECAY,
    INVERSE_TIME_DECAY,
    LINEAR_DECAY,
    TUNE_MOMENTUM,
)

#: Spec name -> {helper the answer may call: its spec}; see `autograder.public`.
HELPERS_A2: dict[str, dict[str, str]] = {"a2.adam_trajectory": {"adam": "a2.adam"}}

# ----------------------------------------------------------------------------- public cases
# The released notebook's public tests (`autograder.public`): each question's worked example
# or published figure, then the spec's own cases drawn once from a fixed seed, on which
# every mutant of `autograder.mutants.a2` fails already, with its hint
# (tests/test_assignment_a2_public.py).

_PUBLIC_RNG_SEED = 2026


def _drawn(cases) -> tuple[Case, ...]:
    return tuple(cases(np.random.default_rng(_PUBLIC_RNG_SEED)))


def _cs231n_fixture() -> Case:
    """cs231n's published momentum test (assignment 2, ``sgd_momentum``): w =
    linspace(-0.4, 0.6), dw = linspace(-0.6, 0.4), v = linspace(0.6, 0.9), each (4, 5),
    lr = 1e-3, mu = 0.9, in their form v <- mu v - lr dw, w <- w + v: next_w[0, 0] =
    0.1406, velocity[0, 0] = 0.5406. Our velocity holds gradients: v = -v_cs / lr."""
    w = np.linspace(-0.4, 0.6, 20).reshape(4, 5)
    dw = np.linspace(-0.6, 0.4, 20).reshape(4, 5)
    v_cs = np.linspace(0.6, 0.9, 20).reshape(4, 5)
    return Case(
        (w, dw, -v_cs / 1e-3, 1e-3, 0.9),
        "cs231n's fixture in our form (v = -v_cs / lr): next_w[0, 0] = 0.1406, "
        "v[0, 0] = -0.5406 / lr = -540.6",
    )


def _facts_ema(corrected: bool) -> Case:
    """FACTS: a constant 10 with beta = 0.98 averages to 0.200, 0.396, 0.588 raw and to 10
    corrected (5 steps there: two cases with equal inputs would make an answer that ignores
    the flag look hard-coded)."""
    if corrected:
        return Case(
            (np.full(5, 10.0), 0.98, True),
            "the worked example: a constant 10 for 5 steps, beta = 0.98, corrected: 10 each time",
        )
    return Case(
        (np.full(3, 10.0), 0.98, False),
        "a constant 10 for 3 steps, beta = 0.98, not corrected: 0.2, 0.396, 0.588",
    )


def _adam_worked_example() -> Case:
    w, g = np.array([1.0, 1.0]), np.array([5.0, -0.5])
    return Case(
        (w, g, np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-8),
        "the worked example: the first step (t = 1) is lr * sign(g): w = [1, 1], g = [5, -0.5], "
        "lr = 0.1 give [0.9, 1.1] (up to eps), m = [0.5, -0.05], v = [0.025, 0.00025]",
    )


def _schedule_example(args, label) -> Case:
    return Case((np.arange(args[0]) if isinstance(args[0], int) else args[0], *args[1:]), label)


#: Spec name -> the public cases of its question, in the order they are checked.
PUBLIC_A2: dict[str, tuple[Case, ...]] = {
    "a2.ema": (_facts_ema(True), *_drawn(_ema_cases), _facts_ema(False)),
    "a2.sgd_momentum": (_cs231n_fixture(), *_drawn(_momentum_cases)),
    "a2.ema_momentum": _drawn(_ema_momentum_cases),
    "a2.nesterov": _drawn(_momentum_cases),
    "a2.nesterov_lookahead": _drawn(_lookahead_cases),
    "a2.adagrad": _drawn(lambda rng: _adaptive_cases(rng, with_alpha=False)),
    "a2.rmsprop": _drawn(lambda rng: _adaptive_cases(rng, with_alpha=True)),
    "a2.adam": (_adam_worked_example(), *_drawn(_adam_cases)),
    "a2.adam_trajectory": _drawn(_trajectory_cases),
    "a2.step_decay": (
        _schedule_example(
            (np.array([0, 9, 10, 25]), 0.1, 0.5, 10),
            "the worked example: lr0 = 0.1, drop 0.5 every 10, t = 0, 9, 10, 25 give 0.1, "
            "0.1, 0.05, 0.025",
        ),
        *_drawn(_step_cases),
    ),
    "a2.exponential_decay": (
        _schedule_example(
            (4, 0.1, -np.log(0.95)),
            "S2's 0.95 ** t: lr0 = 0.1, k = -ln 0.95, t = 0..3 give 0.1, 0.095, 0.09025, 0.0857375",
        ),
        *_drawn(_exp_cases),
    ),
    "a2.inverse_time_decay": (
        _schedule_example(
            (4, 0.1, 0.5),
            "S2's table: lr0 = 0.1, k = 0.5, t = 0..3 give 0.1, 0.0667, 0.05, 0.04",
        ),
        *_drawn(_inv_cases),
    ),
    "a2.linear_decay": (
        _schedule_example(
            (np.array([0, 5, 10, 50]), 0.1, 0.01, 10),
            "the worked example: from 0.1 to 0.01 over 10 epochs, t = 0, 5, 10, 50 give "
            "0.1, 0.055, 0.01, 0.01",
        ),
        *_drawn(_linear_cases),
    ),
    "a2.tune_momentum": _drawn(TUNE_MOMENTUM.cases),
}
