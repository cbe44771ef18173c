"""Published figures the course reproduces, each beside the value nnlib computes now.

`python book/build.py` puts this file's text into the code cell of the site's page
"Published figures", so the page is executed (and cached) like a lesson, and the values in
its "ours" column are computed by nnlib at build time, never typed. The published values
are quotations, each with its source (the course's fact sheet lists the same ones). A figure
that no computation here can reproduce (an ImageNet result, say) is marked "quoted" instead
of yes/NO, with whatever nnlib can compute beside it.

Run alone, it prints the table: ``python book/published.py``.
"""

from __future__ import annotations

import numpy as np

import nnlib
from nnlib import (
    activations,
    classic,
    datasets,
    experiments,
    initializers,
    layers,
    losses,
    optimizers,
)

ROWS: list[dict] = []


def fact(topic, quantity, published, ours, agree, source, note=""):
    """Record one published figure beside ours; `agree` is decided by code, not by eye.

    ``agree=None`` marks a figure as quoted: nothing here can reproduce it (the page says
    "quoted"), and `ours` says what we can compute or why not.
    """
    ROWS.append(
        {
            "topic": topic,
            "quantity": quantity,
            "published": published,
            "ours": ours,
            "agree": None if agree is None else bool(agree),
            "source": source,
            "note": note,
        }
    )


def fmt(values, digits=3):
    """Format a number or a sequence of numbers, e.g. (1, 1, -1) or 0.378."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    text = ", ".join(
        f"{v:.{digits}g}" if abs(v) < 1e-3 and v != 0 else f"{v:.{digits}f}".rstrip("0").rstrip(".")
        for v in arr
    )
    return text if arr.size == 1 else f"({text})"


def final(trace):
    """(w1, ..., wD, b) at the end of a Hebb trace."""
    return np.array([*trace.final_w, trace.final_b])


# --------------------------------------------------------------------------- McCulloch-Pitts
MCP = "McCulloch & Pitts (1943)"
gates_ok = all(
    np.array_equal(
        classic.gate_neuron(g)(classic.gate_truth_table(g)[0]), classic.gate_truth_table(g)[1]
    )
    for g in ("and", "or", "not")
)
fact(
    "McCulloch-Pitts neuron",
    "AND, OR and NOT from one threshold unit each",
    "possible, with fixed weights",
    "all truth-table rows right" if gates_ok else "wrong",
    gates_ok,
    MCP,
)
grid = np.arange(-3.0, 3.0001, 0.125)
n_xor = len(classic.search_single_neuron("xor", grid, grid))
fact(
    "McCulloch-Pitts neuron",
    "single units computing XOR",
    "none (not linearly separable)",
    f"{n_xor} of {len(grid) ** 3:,} on a grid",
    n_xor == 0,
    "Minsky & Papert (1969)",
)
X_xor, t_xor = classic.gate_truth_table("xor")
two_layer_ok = all(
    np.array_equal(classic.xor_network(d)(X_xor), t_xor) for d in classic.DECOMPOSITIONS
)
fact(
    "McCulloch-Pitts neuron",
    "two-layer XOR, (x1 OR x2) AND NOT(x1 AND x2) and (x1 AND NOT x2) OR (NOT x1 AND x2)",
    "computes XOR",
    "both right on all 4 inputs" if two_layer_ok else "wrong",
    two_layer_ok,
    MCP,
)

# --------------------------------------------------------------------------- Hebb (Fausett)
FAUSETT = "Fausett, Fundamentals of Neural Networks (1994), sec. 2.2"
X_bip = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
t_bip = np.array([1, -1, -1, -1])
trace = classic.hebb(X_bip, t_bip)
rows = np.column_stack([trace.w, trace.b])  # (w1, w2, b) after each pattern
published = np.array([[1, 1, 1], [0, 2, 0], [1, 1, -1], [2, 2, -2]])
fact(
    "Hebb's rule",
    "bipolar AND: (w1, w2, b) after each pattern",
    "(1,1,1), (0,2,0), (1,1,-1), (2,2,-2)",
    ", ".join(fmt(r) for r in rows),
    np.array_equal(rows, published),
    FAUSETT,
)
X_bin, t_bin = classic.binary(X_bip), classic.binary(t_bip)
tr_bin = classic.hebb(X_bin, t_bin)
fires = classic.predict_step(X_bin, tr_bin.final_w, tr_bin.final_b)
fact(
    "Hebb's rule",
    "binary inputs and targets: final (w1, w2, b); inputs it fires on",
    "(1, 1, 1); all 4",
    f"{fmt(final(tr_bin))}; {int(fires.sum())} of 4",
    np.array_equal(final(tr_bin), [1, 1, 1]) and fires.sum() == 4,
    FAUSETT,
)
tr_mix = classic.hebb(X_bin, t_bip)
fact(
    "Hebb's rule",
    "binary inputs, bipolar targets: final (w1, w2, b)",
    "(0, 0, -2)",
    fmt(final(tr_mix)),
    np.array_equal(final(tr_mix), [0, 0, -2]),
    FAUSETT,
)
X3 = np.array([[1, 1, 1], [1, 1, -1], [1, -1, 1], [-1, 1, 1]])
t3 = np.array([1, -1, -1, -1])
tr3 = classic.hebb(X3, t3)
out3 = classic.predict_sign(X3, tr3.final_w, tr3.final_b)
fact(
    "Hebb's rule",
    "3-input case: final (w1, w2, w3, b); outputs",
    "(0, 0, 0, -2); -1 everywhere (fails, though w = (1,1,1), b = -2 separates it)",
    f"{fmt(final(tr3))}; {fmt(out3)}",
    np.array_equal(final(tr3), [0, 0, 0, -2]) and np.all(out3 == -1),
    FAUSETT,
)
run3 = classic.perceptron(X3, t3)
fact(
    "Perceptron",
    "the same 3-input case with the perceptron rule",
    "converges",
    f"converged={run3.converged} after {run3.n_updates} updates",
    run3.converged,
    FAUSETT,
)

# --------------------------------------------------------------------------- sigmoid neuron
X_or, y_or = datasets.logic_gate("or")
h = X_or @ np.array([1.0, -1.0]) - 0.5
p = activations.sigmoid(h)
fact(
    "Sigmoid neuron by hand",
    "OR data, w = (1, -1), b = -0.5: h",
    "(-0.5, -1.5, 0.5, -0.5)",
    fmt(h),
    np.allclose(h, [-0.5, -1.5, 0.5, -0.5]),
    "worked example of the course",
)
fact(
    "Sigmoid neuron by hand",
    "p = sigmoid(h)",
    "(0.378, 0.182, 0.622, 0.378)",
    fmt(p),
    np.allclose(p, [0.378, 0.182, 0.622, 0.378], atol=5e-4),
    "worked example of the course",
    "a commonly copied table prints 0.38 for h = 0.5: it is 0.62",
)

# --------------------------------------------------------------------------- cross-entropy
rng = np.random.default_rng(0)
z = rng.normal(size=(8, 1)) * 3
y = rng.integers(0, 2, size=(8, 1)).astype(float)
err = np.max(np.abs(losses.bce_with_logits_grad(z, y) - (activations.sigmoid(z) - y) / z.size))
fact(
    "Cross-entropy",
    "sigmoid + binary cross-entropy: dJ/dz",
    "a - y (per sample)",
    f"nnlib's gradient = (a - y)/N, max difference {err:.1e}",
    err < 1e-15,
    "Nielsen, Neural Networks and Deep Learning, ch. 3",
)
logits = rng.normal(size=(6, 4)) * 3
labels = rng.integers(0, 4, size=6)
expected = (activations.softmax(logits) - np.eye(4)[labels]) / len(labels)
err = np.max(np.abs(losses.softmax_cross_entropy_grad(logits, labels) - expected))
fact(
    "Cross-entropy",
    "softmax + categorical cross-entropy: dJ/dz_c",
    "p_c - 1[y = c]",
    f"nnlib's gradient = (p - onehot)/N, max difference {err:.1e}",
    err < 1e-15,
    "standard result (e.g. cs231n)",
)

# --------------------------------------------------------------------------- backprop (Mazur)
MAZUR = 'M. Mazur (2015), "A Step by Step Backpropagation Example", mattmazur.com'
mazur = nnlib.MLP([2, 2, 2], hidden="sigmoid", output="sigmoid")
mazur.params["W1"][:] = [[0.15, 0.25], [0.20, 0.30]]  # w1 w3 / w2 w4 (W1[i, j]: input i -> h_j)
mazur.params["b1"][:] = 0.35
mazur.params["W2"][:] = [[0.40, 0.50], [0.45, 0.55]]  # w5 w7 / w6 w8
mazur.params["b2"][:] = 0.60
x_m, t_m = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
hidden_m, output_m = mazur.trace(x_m, t_m, "mse")  # mse over 2 outputs = 1/2 sum: Mazur's E
first_step = [  # quantity, published, ours, printed decimals
    ("E_total before the first step", 0.298371109, losses.mse(output_m["A"], t_m), 9),
    ("dE/dw5", 0.082167041, output_m["dW"][0, 0], 9),
    ("w5 after one step (lr 0.5)", 0.35891648, 0.40 - 0.5 * output_m["dW"][0, 0], 8),
    ("w1 after one step (lr 0.5)", 0.149780716, 0.15 - 0.5 * hidden_m["dW"][0, 0], 9),
]
for quantity, value, ours, digits in first_step:
    fact(
        "Backpropagation",
        f"Mazur's 2-2-2 example: {quantity}",
        f"{value}",
        f"{ours:.{digits}f}",
        round(ours, digits) == value,
        MAZUR,
        "nnlib MLP.trace, one sample, exact float64",
    )
for steps, value in ((1, 0.291027924), (10_000, 0.0000351085)):
    net = nnlib.MLP([2, 2, 2], hidden="sigmoid", output="sigmoid")
    net.set_weights(mazur.get_weights())
    for _ in range(steps):  # Mazur updates the weights only, never the biases
        net.loss_and_grad(x_m, t_m, "mse")
        for name in ("W1", "W2"):
            net.params[name] -= 0.5 * net.grads[name]
    ours = losses.mse(net.predict_proba(x_m), t_m)
    fact(
        "Backpropagation",
        f"Mazur's 2-2-2 example: E_total after {steps:,} step{'s' if steps > 1 else ''}",
        f"{value:.9g}",
        f"{ours:.9g}",
        abs(ours - value) <= 1e-3 * value,
        MAZUR,
        "within 0.1%: his later values are approximate; ours is exact float64, with the "
        "weights updated and the biases not, as in his post",
    )

# --------------------------------------------------------------------------- activation statistics
CS231N = "cs231n lecture 6 (2017); values: course fact sheet, mean of 20 seeds"
N_SEEDS = 20  # as the fact sheet
F32 = np.float32  # the same float64 draws, multiplied in float32: half the time of 1,000 products
configs = {  # init(fan_in, rng), activation, published std at layers 1, 2, 3, 10
    "randn * 0.01, tanh": (
        lambda fi, r: r.standard_normal((fi, 500)) * 0.01,
        np.tanh,
        "0.2131, 0.0476, 0.0106, ~3e-7",
    ),
    "randn * 1.0, tanh": (
        lambda fi, r: r.standard_normal((fi, 500)),
        np.tanh,
        "0.982, 0.982, 0.982, 0.982",
    ),
    # with fan_in = fan_out = 500, Glorot's std sqrt(2 / (500 + 500)) is 1 / sqrt(fan_in)
    "Xavier, tanh": (
        lambda fi, r: initializers.xavier_normal(fi, 500, r),
        np.tanh,
        "0.628, 0.486, 0.408, 0.228",
    ),
    "Xavier, ReLU": (
        lambda fi, r: initializers.xavier_normal(fi, 500, r),
        activations.relu,
        "0.584, 0.415, 0.295, 0.025",
    ),
    "He, ReLU": (
        lambda fi, r: initializers.he_normal(fi, 500, r),
        activations.relu,
        "~0.83, ~0.83, ~0.83, ~0.81",
    ),
}


def close_to_quoted(ours, quoted):
    """Std at layers 1, 2, 3, 10 within 5% of the quotation (a collapsed layer 10: below 1e-6)."""
    return np.allclose(ours[:3], quoted[:3], rtol=0.05) and (
        ours[3] < 1e-6 if quoted[3] < 1e-3 else abs(ours[3] / quoted[3] - 1) < 0.05
    )


for name, (init, act, pub) in configs.items():
    stds = np.zeros((N_SEEDS, 10))
    for seed in range(N_SEEDS):
        r = np.random.default_rng(seed)
        H = r.standard_normal((1000, 500)).astype(F32)
        for layer in range(10):
            H = act(H @ init(500, r).astype(F32))
            stds[seed, layer] = H.std(dtype=np.float64)
    ours = stds.mean(axis=0)[[0, 1, 2, 9]]
    pub_values = np.array([float(v.strip(" ~")) for v in pub.split(",")])
    fact(
        "Activation statistics, 10 layers of 500",
        f"{name}: std at layers 1, 2, 3, 10",
        pub,
        fmt(ours, 4),
        close_to_quoted(ours, pub_values),
        CS231N,
    )
# The same quotations beside the mean-field prediction: no sampling, only the rule
# "variances add", q_1 = g, q_{l+1} = g E[f(sqrt(q_l) z)^2] with the gain g = fan_in Var(w).
gains = {  # name: (activation, gain g at fan_in 500)
    "randn * 0.01, tanh": ("tanh", 500 * 0.01**2),
    "randn * 1.0, tanh": ("tanh", 500 * 1.0**2),
    "Xavier, tanh": ("tanh", 1.0),
    "Xavier, ReLU": ("relu", 1.0),
    "He, ReLU": ("relu", 2.0),
}
for name, (act_name, gain) in gains.items():
    pub = configs[name][2]
    predicted = experiments.mean_field(act_name, gain, 10).std[[0, 1, 2, 9]]
    fact(
        "Activation statistics, 10 layers of 500",
        f"{name}: mean-field prediction of the std at layers 1, 2, 3, 10",
        pub,
        fmt(predicted, 4),
        close_to_quoted(predicted, np.array([float(v.strip(" ~")) for v in pub.split(",")])),
        CS231N,
        f"predicted, not measured: q_(l+1) = {gain:g} E[f(sqrt(q_l) z)^2], z ~ N(0, 1)",
    )
# The backward pass (one seed; a unit-Gaussian gradient arrives at layer 10): cs231n's slides
# ask about it in words; the numbers are ours.
CS231N_SLIDES = "cs231n lecture 6 (2017), slides on weight initialization (copied in seed deck S1)"
small = experiments.activation_statistics("small", "tanh", rng=0)
fact(
    "Activation statistics, 10 layers of 500",
    "randn * 0.01, tanh, backward pass: std of dW at layers 1 and 10",
    '"All activations become zero! Q: think about the backward pass ... for a W*X gate" '
    "(dW = X^T dZ with X near 0: tiny)",
    fmt(small.dW_std[[0, 9]]),
    bool(np.all(small.dW_std < 1e-3)),
    CS231N_SLIDES,
    "flat over the 10 layers: the shrinking inputs and the growing error signal cancel",
)
large = experiments.activation_statistics("large", "tanh", rng=0)
growth = (large.dW_std[0] / large.dW_std[9]) ** (1 / 9)
fact(
    "Activation statistics, 10 layers of 500",
    "randn * 1.0, tanh: units with |h| > 0.99 at layer 10",
    '"Almost all neurons completely saturated, either -1 and 1"',
    f"{large.saturated[9]:.1%}",
    large.saturated[9] > 0.85,
    CS231N_SLIDES,
    'the slide goes on "Gradients will be all zero": they are not; the std of dW grows '
    f"x{growth:.1f} per layer toward the input, from {large.dW_std[9]:.3g} at layer 10 to "
    f"{large.dW_std[0]:.3g} at layer 1",
)
he = experiments.activation_statistics("he", "relu", rng=0)
fact(
    "Activation statistics, 10 layers of 500",
    "He, ReLU, backward pass: std of the error signal dX at layers 1 and 10",
    "kept from layer to layer by Var(w) = 2/n (square layers)",
    fmt(he.dX_std[[0, 9]]),
    abs(he.dX_std[0] / he.dX_std[9] - 1) < 0.25,
    "He et al. (2015)",
)

# --------------------------------------------------------------------------- initialization
r = np.random.default_rng(1)
W = initializers.xavier_normal(1000, 500, r)
fact(
    "Initialization",
    "Glorot normal: Var(W) at fan_in 1000, fan_out 500",
    f"2 / (fan_in + fan_out) = {2 / 1500:.5f}",
    f"{W.var():.5f}",
    abs(W.var() / (2 / 1500) - 1) < 0.02,
    "Glorot & Bengio (2010)",
)
W = initializers.xavier_uniform(1000, 500, r)
bound = np.sqrt(6 / 1500)
fact(
    "Initialization",
    "Glorot uniform: largest |W|",
    f"sqrt(6 / (fan_in + fan_out)) = {bound:.4f}",
    f"{np.abs(W).max():.4f}",
    bound * 0.99 < np.abs(W).max() <= bound,
    "Glorot & Bengio (2010)",
)
W = initializers.he_normal(1000, 500, r)
fact(
    "Initialization",
    "He normal: std(W) at fan_in 1000",
    f"sqrt(2 / fan_in) = {np.sqrt(2 / 1000):.4f}",
    f"{W.std():.4f}",
    abs(W.std() / np.sqrt(2 / 1000) - 1) < 0.02,
    "He et al. (2015)",
)

# --------------------------------------------------------------------------- optimizers
raw, state = [], {}
w = np.zeros(1)
for _ in range(3):
    w = optimizers.ema_momentum(w, [10.0], state, lr=1.0, beta=0.98)
    raw.append(state["v"][0])
corrected, state, w = [], {}, np.zeros(1)
for _ in range(3):
    w_new = optimizers.ema_momentum(w, [10.0], state, lr=1.0, beta=0.98, bias_correction=True)
    corrected.append((w - w_new)[0])
    w = w_new
fact(
    "Optimizers",
    "EMA of a constant 10, b = 0.98, t = 1, 2, 3: raw; bias-corrected",
    "(0.200, 0.396, 0.588); 10 each time",
    f"{fmt(raw)}; {fmt(corrected)}",
    np.allclose(raw, [0.2, 0.396, 0.588], atol=5e-4) and np.allclose(corrected, 10),
    "course fact sheet (EMA bias correction, as in Adam)",
)
fact(
    "Optimizers",
    "0.9^10 (an EMA with b = 0.9 averages ~10 steps)",
    "0.349 ~ 1/e",
    f"{0.9**10:.3f}",
    round(0.9**10, 3) == 0.349,
    "course fact sheet",
)
state, w, ratios = {}, np.array([0.0]), []
for _ in range(3):
    w_new = optimizers.adam(w, [2.0], state, lr=1e-3)
    ratios.append(1e-3 * state["m"][0] / (np.sqrt(state["v"][0]) + 1e-8) / (w - w_new)[0])
    w = w_new
fact(
    "Optimizers",
    "Adam, constant gradient: uncorrected first steps / corrected step",
    "3.16x, 4.25x, 4.95x",
    ", ".join(f"{q:.2f}x" for q in ratios),
    [round(q, 2) for q in ratios] == [3.16, 4.25, 4.95],
    "Kingma & Ba (2015)",
)

# --------------------------------------------------------------------------- swish
zs = np.linspace(-3, 0, 300_001)
f = activations.swish(zs, 1.0)
i = int(np.argmin(f))
fact(
    "Swish",
    "minimum of x sigmoid(x) and where",
    "-0.27846 at x = -1.27846",
    f"{f[i]:.5f} at x = {zs[i]:.5f}",
    abs(f[i] + 0.27846) < 1e-5 and abs(zs[i] + 1.27846) < 1e-4,
    "Ramachandran, Zoph & Le (2017), arXiv:1710.05941",
)

# --------------------------------------------------------------------------- digits
X_d, y_d = datasets.load_digits()
fact(
    "Digits",
    "images, pixels, value range, classes",
    "1797, 8x8, 0..16, 10",
    f"{len(X_d)}, {X_d.shape[1]} = 8x8, {X_d.min():g}..{X_d.max():g}, {len(np.unique(y_d))}",
    len(X_d) == 1797 and X_d.shape[1] == 64 and X_d.max() == 16 and len(np.unique(y_d)) == 10,
    "UCI optdigits test set, via scikit-learn (CC BY 4.0)",
)
Xtr, Xte, ytr, yte = datasets.train_test_split(X_d, y_d, test_size=0.25, stratify=True, rng=0)
scaler = datasets.StandardScaler().fit(Xtr)
model = nnlib.MLP([64, 128, 10], hidden="relu", output="softmax", init="he_normal", rng=0)
nnlib.fit(
    model,
    scaler.transform(Xtr),
    ytr,
    loss="softmax_cross_entropy",
    optimizer=optimizers.Adam(lr=1e-3),
    epochs=30,
    batch_size=64,
    verbose=False,
    rng=0,
)
acc = model.score(scaler.transform(Xte), yte)
fact(
    "Digits",
    "held-out accuracy of a small MLP, stratified 75/25 split (seed 0)",
    "about 97.5% (scikit-learn MLPClassifier, Adam); the course's bar is 96%",
    f"{acc:.1%}",
    acc >= 0.96,
    "scikit-learn MLPClassifier on the same kind of split",
    "nnlib MLP [64, 128, 10], ReLU, Adam, 30 epochs",
)


# ------------------------------------------------------------- optimizers, published traces
# d2l's printed optimizer traces: 20 steps on f = 0.1 x1^2 + 2 x2^2 from (-5, -2)
D2L = "Zhang, Lipton, Li & Smola, Dive into Deep Learning, sections 12.6-12.8 (printed outputs)"
H_d2l = np.diag([0.2, 4.0])
d2l_runs = [  # label, nnlib rule, hyper-parameters, d2l's printed end point
    ("GD, eta 0.4", optimizers.sgd, {"lr": 0.4}, (-0.943467, -0.000073)),
    ("GD, eta 0.6", optimizers.sgd, {"lr": 0.6}, (-0.387814, -1673.365109)),
    (
        "momentum, eta 0.4, beta 0.5",
        optimizers.momentum,
        {"lr": 0.4, "mu": 0.5},
        (-0.062843, 0.001202),
    ),
    (
        "momentum, eta 0.6, beta 0.5",
        optimizers.momentum,
        {"lr": 0.6, "mu": 0.5},
        (0.007188, 0.002553),
    ),
    ("AdaGrad, eta 0.4", optimizers.adagrad, {"lr": 0.4, "eps": 1e-6}, (-2.382563, -0.158591)),
    ("AdaGrad, eta 2", optimizers.adagrad, {"lr": 2.0, "eps": 1e-6}, (-0.002295, -0.000000)),
    (
        "RMSProp, eta 0.4, gamma 0.9",
        optimizers.rmsprop,
        {"lr": 0.4, "alpha": 0.9, "eps": 1e-6},
        (-0.010599, 0.000000),
    ),
]
for label, rule, hyper, printed in d2l_runs:
    x, state = np.array([-5.0, -2.0]), {}
    for _ in range(20):
        x = rule(x, H_d2l @ x, state, **hyper)
    adaptive = "eps" in hyper
    fact(
        "Optimizers",
        f"{label}: where 20 steps on 0.1 x1^2 + 2 x2^2 from (-5, -2) end",
        "(" + ", ".join(f"{v:.6f}" for v in printed) + ")",
        "(" + ", ".join(f"{v + 0.0:.6f}" for v in x) + ")",
        np.allclose(x, printed, rtol=0, atol=1.5e-6 if adaptive else 5e-7),
        D2L,
        "d2l adds its eps = 1e-6 inside the square root, nnlib outside: the 6th decimal may "
        "differ by 1"
        if adaptive
        else "",
    )
# scikit-learn's digits comparison: [64, 100, 10] ReLU, MinMax-scaled, batch 200, 15 epochs
SKLEARN_DIGITS = (
    'scikit-learn example gallery, "Compare Stochastic learning strategies for MLPClassifier" '
    "(stable docs; Adam from a rerun of the example)"
)
X_mm = datasets.MinMaxScaler().fit_transform(X_d)
sk_runs = [  # label, optimizer factory, printed training accuracy, band for our 5-seed mean
    ("constant lr 0.2", lambda: optimizers.SGD(lr=0.2), 0.956038, (0.94, 0.97)),
    ("momentum 0.9", lambda: optimizers.Momentum(lr=0.2, mu=0.9), 0.992766, (0.985, 1.0)),
    ("Nesterov 0.9", lambda: optimizers.Nesterov(lr=0.2, mu=0.9), 0.993879, (0.985, 1.0)),
    ("Adam, lr 0.01", lambda: optimizers.Adam(lr=0.01), 0.991653, (0.985, 1.0)),
]
for label, make, printed, (low, high) in sk_runs:
    accs = []
    for seed in range(5):
        net = nnlib.MLP([64, 100, 10], hidden="relu", output="softmax", init="xavier_uniform",
                        l2=1e-4 / 200, rng=seed)  # fmt: skip
        nnlib.fit(net, X_mm, y_d, loss="softmax_cross_entropy", optimizer=make(), epochs=15,
                  batch_size=200, verbose=False, rng=seed)  # fmt: skip
        accs.append(net.score(X_mm, y_d))
    fact(
        "Optimizers",
        f"digits, training accuracy after 15 epochs, {label}",
        f"{printed:.6f} (one run)",
        f"{np.mean(accs):.4f} (5 seeds: {min(accs):.4f} to {max(accs):.4f})",
        low <= np.mean(accs) <= high,
        SKLEARN_DIGITS,
        f"agree means our mean lies in the band [{low}, {high}] set in the course plan "
        "for this optimizer",
    )

# ------------------------------------------------------------------ activations (lesson 07)
S2 = "slide deck S2 (gradient-descent variants, activations); course fact sheet"
SWISH = "Ramachandran, Zoph & Le (2017), Searching for Activation Functions, arXiv:1710.05941v2"
zero = np.zeros(1)
slopes = [activations.sigmoid_grad(zero)[0], activations.tanh_grad(zero)[0],
          activations.softplus(zero)[0], activations.softplus_grad(zero)[0]]  # fmt: skip
fact(
    "Activations",
    "sigmoid'(0), tanh'(0), softplus(0), softplus'(0)",
    "1/4, 1, ln 2 = 0.6931, 1/2",
    fmt(slopes, 4),
    np.allclose(slopes, [0.25, 1.0, np.log(2), 0.5], rtol=0, atol=1e-12),
    S2,
)
zs = np.linspace(-6, 6, 12_001)
at_zero = np.max(np.abs(activations.swish(zs, 0.0) - zs / 2))
to_relu = [np.max(np.abs(activations.swish(zs, b) - activations.relu(zs))) for b in (10, 100)]
fact(
    "Swish",
    "x sigmoid(beta x) at beta = 0, and as beta grows",
    "x/2 at beta = 0; approaches ReLU as beta -> infinity",
    f"max|f - x/2| = {at_zero:g} at beta 0; max|f - ReLU| = {to_relu[0]:.4f} at beta 10, "
    f"{to_relu[1]:.5f} at beta 100",
    at_zero == 0
    and abs(to_relu[0] * 10 - 0.27846) < 1e-3
    and abs(to_relu[1] * 100 - 0.27846) < 1e-3,
    SWISH,
    "the gap is the bump's depth over beta, 0.27846 / beta",
)
h = 1e-6
sw = [
    (activations.swish(zs + h, b) - activations.swish(zs - h, b)) / (2 * h) for b in (0.5, 1.0, 2.0)
]
formula = [
    b * activations.swish(zs, b) + activations.sigmoid(b * zs) * (1 - b * activations.swish(zs, b))
    for b in (0.5, 1.0, 2.0)
]
gap = max(np.max(np.abs(d - f_)) for d, f_ in zip(sw, formula, strict=True))
fact(
    "Swish",
    "derivative, beta = 0.5, 1, 2",
    "f' = beta f + sigmoid(beta x) (1 - beta f)",
    f"max|formula - central difference| = {gap:.1e} on [-6, 6]",
    gap < 1e-8,
    SWISH,
)
fact(
    "Swish",
    "Table 6: Mobile NASNet-A on ImageNet, 3 runs each, top-1 / top-5 accuracy (%)",
    "ReLU 73.5 73.6 73.8 / 91.4 91.5 91.6; Swish-1 74.6 74.7 74.7 / 92.1 92.0 92.0; "
    "Swish 74.9 74.9 75.2 / 92.3 92.4 92.4; PReLU 74.6 74.7 74.7; GELU 74.6 (one run)",
    f"quoted (no ImageNet training here). The runs' means give Swish - ReLU = "
    f"{np.mean([74.9, 74.9, 75.2]) - np.mean([73.5, 73.6, 73.8]):.2f} and Swish-1 - ReLU = "
    f"{np.mean([74.6, 74.7, 74.7]) - np.mean([73.5, 73.6, 73.8]):.2f} points of top-1",
    None,
    SWISH,
    "slide S2 shows this table without its caption: the columns are runs, not values of beta",
)
fact(
    "Swish",
    "replacing ReLU by Swish, ImageNet top-1",
    "abstract: +0.9 points (Mobile NASNet-A), +0.6 (Inception-ResNet-v2); body (v2, sec. 5.3): "
    "+1.4 on Mobile NASNet-A, +2.2 on MobileNet, +0.5 on Inception-ResNet-v2",
    "quoted. Points of accuracy for named models: slide S2's 'from .6% to .9%' misreads them",
    None,
    SWISH,
)
zg = np.linspace(-6, 6, 2401)
exact = activations.gelu(zg)
tanh_form = 0.5 * zg * (1 + np.tanh(np.sqrt(2 / np.pi) * (zg + 0.044715 * zg**3)))
errors = [np.max(np.abs(approx - exact)) for approx in (tanh_form, activations.swish(zg, 1.702),
                                                        activations.swish(zg, 1.4))]  # fmt: skip
fact(
    "GELU",
    "x Phi(x) against 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))), x sigmoid(1.702 x), and "
    "Swish with beta = 1.4",
    "two approximations (Hendrycks & Gimpel); 'a shape similar to Swish with beta = 1.4' "
    "(Swish paper)",
    "max |error| on [-6, 6]: " + ", ".join(f"{e:.2g}" for e in errors),
    errors[0] < 1e-3 and errors[1] < 0.03 and errors[1] < errors[2],
    "Hendrycks & Gimpel (2016), arXiv:1606.08415; " + SWISH,
    "agree means: the tanh form within 1e-3, x sigmoid(1.702 x) within 0.03 and closer "
    "than beta 1.4",
)
fact(
    "ReLU",
    "ReLU against tanh, 4-layer CNN on CIFAR-10: time to 25% training error",
    "six times faster with ReLU",
    "quoted (no CNN here); lesson 07 compares activations on spirals and digits instead",
    None,
    "Krizhevsky, Sutskever & Hinton (2012), ImageNet Classification with Deep CNNs, Fig. 1",
)
u = np.linspace(-12, 12, 240_001)  # E over z ~ N(0, 1) by the trapezoid rule
weight = np.exp(-(u**2) / 2) / np.sqrt(2 * np.pi)
moments = [np.trapezoid(activations.selu(u) ** k * weight, u) for k in (1, 2)]
deep = experiments.activation_statistics("lecun", "selu", n_layers=10, width=250, n=500, rng=0,
                                         backward=False)  # fmt: skip
fact(
    "SELU",
    "lambda = 1.0507, alpha = 1.6733: mean 0 and variance 1 are a fixed point (LeCun init)",
    "E[selu(z)] = 0, E[selu(z)^2] = 1 for z ~ N(0, 1)",
    f"{moments[0]:.1e}, {moments[1]:.6f}; 10 layers of 250 (LeCun): layer-10 mean "
    f"{deep.mean[-1]:.3f}, std {deep.std[-1]:.3f}",
    abs(moments[0]) < 1e-6 and abs(moments[1] - 1) < 1e-6 and abs(deep.std[-1] - 1) < 0.05,
    "Klambauer, Unterthiner, Mayr & Hochreiter (2017), Self-Normalizing Neural Networks",
)
dead_rows, X_z = [], datasets.StandardScaler().fit_transform(X_d)  # all 1797 digits, z-scored
for lr in (0.1, 0.5, 1.0, 2.0):
    net = nnlib.MLP([64, 100, 100, 10], hidden="relu", output="softmax", init="he_normal", rng=0)
    try:
        nnlib.fit(net, X_z, y_d, loss="softmax_cross_entropy", optimizer=optimizers.SGD(lr=lr),
                  epochs=10, batch_size=32, verbose=False, rng=0)  # fmt: skip
        dead_rows.append(f"{experiments.dead_units(net, X_z)[1]:.0%} at lr {lr:g}")
    except FloatingPointError:
        dead_rows.append(f"diverged at lr {lr:g}")
fact(
    "ReLU",
    "dead ReLU units when the learning rate is too high",
    '"as much as 40% of your network can be dead"',
    "quoted; ours, digits [64, 100, 100, 10], He, SGD, batch 32, 10 epochs, units of layer 2 "
    "never active: " + ", ".join(dead_rows),
    None,
    "cs231n notes, Neural Networks Part 1 (Karpathy)",
    "a different net and data: ours goes from none to nearly all as the rate crosses 1",
)
fact(
    "PReLU",
    "PReLU nets on ImageNet: top-5 error; the learned slope's start",
    "4.94% (human: 5.1%); alpha initialized to 0.25",
    f"quoted (no ImageNet training here); nnlib's layers.PReLU starts at alpha = "
    f"{layers.PReLU(3).params['alpha'][0]:g}",
    None,
    "He, Zhang, Ren & Sun (2015), Delving Deep into Rectifiers, arXiv:1502.01852",
)


# ------------------------------------------------------------- regularization (lesson 08)
# Ready to paste into book/published.py after lesson 07's rows (uses fact, fmt, np, nnlib,
# datasets, layers, losses, optimizers already imported there). Runs in about 1 s.
SRIVASTAVA = (
    "Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014), Dropout, JMLR 15, "
    "sec. 11 and appendix A"
)
IOFFE = "Ioffe & Szegedy (2015), Batch Normalization, arXiv:1502.03167 (abstract, sec. 3)"
LOSHCHILOV = "Loshchilov & Hutter (2019), Decoupled Weight Decay Regularization, arXiv:1711.05101"
X_r = datasets.StandardScaler().fit_transform(X_d)  # all 1797 digits, z-scored
epochs_95 = {}
for p_drop in (0.0, 0.5):
    runs = []
    for seed in (1, 2, 3):
        net = nnlib.MLP([64, 100, 10], output="softmax", rng=seed, dropout=p_drop)
        hist = nnlib.fit(net, X_r[:1200], y_d[:1200], loss="softmax_cross_entropy",
                         optimizer=optimizers.Adam(lr=1e-3), epochs=30, verbose=False,
                         validation_data=(X_r[1200:], y_d[1200:]), rng=seed)  # fmt: skip
        hit = np.flatnonzero(np.array(hist["val_accuracy"]) >= 0.95)
        runs.append(int(hit[0]) + 1 if hit.size else 31)
    epochs_95[p_drop] = runs
fact(
    "Dropout",
    "training time with dropout",
    '"a dropout network typically takes 2-3 times longer to train than a standard neural '
    'network of the same architecture"',
    f"quoted (their nets and data); ours, digits [64, 100, 10], Adam, epochs to 95% validation "
    f"accuracy, seeds 1-3: {epochs_95[0.0]} without, {epochs_95[0.5]} with p_drop 0.5 "
    f"({np.mean(epochs_95[0.5]) / np.mean(epochs_95[0.0]):.1f}x)",
    None,
    SRIVASTAVA,
    "slide S3's 'significantly improves training speed' is wrong",
)
ones = np.ones((1000, 1000))
kept = [float(np.mean(layers.dropout_forward(ones, 1 - p, rng=np.random.default_rng(0),
                                             train=True)[0] > 0)) for p in (0.5, 0.8)]  # fmt: skip
fact(
    "Dropout",
    "retention probability p (Srivastava's p keeps a unit): hidden units, inputs",
    "p = 0.5 to 0.8 for hidden units, 0.8 for inputs",
    f"nnlib's argument is the drop probability: Dropout(1 - p) keeps {fmt(kept, 4)} of the "
    "units for p = (0.5, 0.8)",
    np.allclose(kept, [0.5, 0.8], atol=0.003),
    SRIVASTAVA,
    "keep-p (Srivastava, cs231n, slide S3) against drop-p (nnlib, Keras, PyTorch, slide S4)",
)
A_r = np.random.default_rng(0).normal(size=(1, 5))
mean_train = np.mean([layers.dropout_forward(A_r, 0.5, rng=np.random.default_rng(s), train=True)[0]
                      for s in range(20_000)], axis=0)  # fmt: skip
scale_gap = float(np.max(np.abs(mean_train - layers.dropout_forward(A_r, 0.5, train=False)[0])))
fact(
    "Dropout",
    "test time: weights scaled by p, or (inverted dropout) survivors scaled by 1/p in training",
    "the test-time output equals the expected training output",
    f"max |mean of 20,000 training outputs - evaluation output| = {scale_gap:.3f} "
    "(inverted dropout, p_drop 0.5, 5 units)",
    scale_gap < 0.05,
    SRIVASTAVA,
    "scaling at test time on top of inverted dropout shrinks every activation twice",
)
fact(
    "Dropout",
    "max-norm constraint on each unit's incoming weights",
    "c = 3 to 4 typical; learning rates 10-100 times larger, momentum 0.95-0.99",
    "quoted (their experiments); lesson 08 writes the projection in numpy",
    None,
    SRIVASTAVA,
)
X_bn = np.random.default_rng(0).normal(5.0, 2.0, size=(32, 3))
mu_bn, var_bn = X_bn.mean(axis=0), X_bn.var(axis=0)
undo, _ = layers.batchnorm_forward(X_bn, np.sqrt(var_bn + 1e-5), mu_bn, eps=1e-5)
fact(
    "Batch normalization",
    "gamma and beta can undo the normalization",
    '"the transformation inserted in the network can represent the identity transform"',
    f"gamma = sqrt(var + eps), beta = mean: max |output - input| = "
    f"{np.max(np.abs(undo - X_bn)):.1e}",
    np.allclose(undo, X_bn),
    IOFFE,
)
fact(
    "Batch normalization",
    "ImageNet: steps to the same accuracy; ensemble's top-5 error",
    "14 times fewer training steps; 4.9% top-5 validation error (4.8% test)",
    "quoted (no ImageNet training here)",
    None,
    IOFFE,
)
w_wd, g_wd, lr_wd, lam_wd = np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1, 0.01
l2_step = optimizers.sgd(w_wd, g_wd + lam_wd * w_wd, {}, lr=lr_wd)
decay_step = optimizers.sgd(w_wd, g_wd, {}, lr=lr_wd, weight_decay=lam_wd)
sgd_gap = np.max(np.abs(l2_step - decay_step))
noise_wd = np.random.default_rng(0).normal(size=(2000, 2)) * np.array([0.0, 1.0])
ends = {}
for name, rule in (("adam", optimizers.adam), ("adamw", optimizers.adamw)):
    w, state = np.ones(2), {}
    for g in noise_wd:
        w = rule(w, g, state, lr=1e-3, weight_decay=0.1)
    ends[name] = w
fact(
    "Weight decay",
    "L2 regularization against weight decay, SGD and Adam",
    '"L2 regularization and weight decay regularization are equivalent for standard '
    "stochastic gradient descent (when rescaled by the learning rate), but as we demonstrate "
    'this is not the case for adaptive gradient algorithms, such as Adam"',
    f"SGD: max |L2 step - decay step| = {sgd_gap:.1g}; 2000 Adam steps (lr 1e-3, lambda 0.1) on "
    f"a weight with no data gradient: {ends['adam'][0]:.3f} with L2 in the gradient, "
    f"{ends['adamw'][0]:.3f} with AdamW = (1 - lr lambda)^2000 = {(1 - 1e-4) ** 2000:.3f}",
    sgd_gap < 1e-15 and abs(ends["adamw"][0] - (1 - 1e-4) ** 2000) < 1e-9 and ends["adam"][0] < 0.1,
    LOSHCHILOV,
    "abstract; torch.optim.Adam(weight_decay) and nnlib's Adam(weight_decay) are the L2 kind",
)
init_net = nnlib.MLP([64, 100, 10], output="softmax", init="normal", rng=0)  # std 0.01
init_loss = init_net.loss_and_grad(X_r, y_d, "softmax_cross_entropy")
uniform = losses.softmax_cross_entropy(np.zeros((5, 10)), np.arange(5))
fact(
    "Babysitting",
    "initial softmax loss, 10 classes, small random weights",
    "2.302603 printed (cs231n's CIFAR-10 net, tiny regularization); ln 10 = 2.302585",
    f"{init_loss:.6f} (digits, [64, 100, 10], N(0, 0.01^2) weights); zero logits give "
    f"{uniform:.6f}",
    abs(init_loss - np.log(10)) < 0.01
    and abs(uniform - np.log(10)) < 1e-12
    and abs(2.302603 - np.log(10)) < 1e-4,
    "cs231n, lecture 6 (2017): babysitting the learning process",
    "both near ln C: predictions start uniform",
)


def markdown_table(rows=ROWS) -> str:
    """The page's table in Markdown: one row per published figure."""

    def cell(s):
        return str(s).replace("|", "\\|")

    lines = [
        "| topic | quantity | published | ours (nnlib, computed now) | agree | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        mark = "quoted" if r["agree"] is None else "yes" if r["agree"] else "**NO**"
        ours = cell(r["ours"]) + (f" ({cell(r['note'])})" if r["note"] else "")
        lines.append(
            f"| {cell(r['topic'])} | {cell(r['quantity'])} | {cell(r['published'])} | "
            f"{ours} | {mark} | {cell(r['source'])} |"
        )
    n_ok = sum(r["agree"] is True for r in rows)
    n_quoted = sum(r["agree"] is None for r in rows)
    lines.append("")
    lines.append(
        f"{n_ok} of {len(rows) - n_quoted} published figures reproduced; {n_quoted} more quoted "
        "(nothing here can reproduce them)."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
