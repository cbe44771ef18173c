"""Lesson 08's multiple-choice questions (regularization): answers and feedback."""

QUESTIONS = {
    "l1-zeros": {
        "title": "Why the L1 subgradient leaves no exact zeros",
        "correct": "b",
        "feedback": {
            "a": (
                "The penalty is large enough: the proximal step with the same lambda and "
                "learning rate zeroes all 17 useless weights. What differs is the update: "
                "a fixed step lr * lam * sign(w) jumps over 0 and back, so w oscillates "
                "around 0 with an amplitude of about lr * lam and lands on 0.0 only by chance."
            ),
            "b": (
                "Right: the subgradient step moves every weight by lr * lam * sign(w), a "
                "fixed size, so a weight near 0 jumps across it and back forever. The "
                "proximal step (soft threshold) sets a weight to exactly 0 whenever the "
                "data step leaves it within lr * lam of 0; the Playground's clip stops a "
                "weight that crosses 0 at 0."
            ),
            "c": (
                "Floating point can represent 0.0 exactly, and the proximal step produces "
                "it: np.maximum(|z| - lr * lam, 0) is 0.0, not a tiny number. The "
                "subgradient misses 0 because its step has a fixed size lr * lam, not "
                "because of rounding."
            ),
        },
    },
    "keep-or-drop": {
        "title": "Keep probability or drop probability",
        "correct": "b",
        "feedback": {
            "a": (
                "Srivastava et al. (and cs231n, and slide S3) write p for the probability "
                "of KEEPING a unit; nnlib, Keras and PyTorch take the probability of "
                "DROPPING it. Dropout(0.8) would drop 80% of the inputs, not keep them."
            ),
            "b": (
                "Right: keeping each input with probability 0.8 means dropping it with "
                "probability 1 - 0.8 = 0.2, and nnlib's (like PyTorch's) argument is the "
                "drop probability. Inverted dropout already scales the survivors by "
                "1/0.8 in training, so nothing changes at test time."
            ),
            "c": (
                "Two mistakes: the argument is the drop probability (0.2 here, not 0.8), "
                "and inverted dropout already divides the survivors by the keep "
                "probability during training; scaling again at test time shrinks every "
                "activation by 0.8 (the double scaling measured in this section)."
            ),
        },
    },
}
