"""Lesson 06's multiple-choice questions (optimizers): answers and feedback."""

QUESTIONS = {
    "s0-nesterov": {
        "title": "Slide S0's Nesterov line",
        "correct": "a",
        "feedback": {
            "a": (
                "Right: the look-ahead W + alpha grad J(W_(k-1)) steps along the gradient, "
                "uphill. Momentum moves against the gradient, so Nesterov looks ahead to "
                "W - mu v (Sutskever: the gradient at theta + mu v with v = mu v - lr g). "
                "The line also uses the last gradient where the velocity belongs and swaps "
                "alpha and beta; run as written on S1's quadratic it diverges."
            ),
            "b": (
                "Renaming symbols cannot turn '+ alpha grad J' into a step against the "
                "gradient. Sutskever's look-ahead point is theta + mu v, where v points "
                "downhill (v = mu v - lr g); S0's point W + alpha grad J(W_(k-1)) points "
                "uphill, and it uses a gradient where the velocity belongs."
            ),
            "c": (
                "Evaluating the gradient at a second point is what every form of Nesterov "
                "does in effect (PyTorch's form needs only one gradient per step); the cost "
                "is not the problem. The problem is where S0 looks: W + alpha grad J, "
                "uphill, so the iterates differ from Nesterov's and can diverge."
            ),
        },
    },
    "adagrad-decay": {
        "title": "How fast AdaGrad's steps shrink",
        "correct": "b",
        "feedback": {
            "a": (
                "1/t would need the denominator to grow like t. AdaGrad divides by the "
                "square root of the summed squares: s_t = t g^2, so sqrt(s_t) = sqrt(t) |g| "
                "and the step is lr / sqrt(t). Inverse-time decay is a schedule, not AdaGrad."
            ),
            "b": (
                "Right: with a constant gradient s_t = t g^2, so the step is "
                "lr g / (sqrt(t) |g|) = lr / sqrt(t): 1, 0.5, 0.2, 0.1 at t = 1, 4, 25, 100. "
                "The sum never shrinks, so the steps never recover."
            ),
            "c": (
                "That is true of RMSProp (and Adam), which divide by the root of an "
                "*average* of squared gradients. AdaGrad divides by the root of their *sum*, "
                "which grows with every step: only the first step is lr sign(g)."
            ),
        },
    },
    "rotation": {
        "title": "Which optimizers notice a rotation",
        "correct": "b",
        "feedback": {
            "a": (
                "Same eigenvalues means same difficulty only for methods that treat every "
                "direction alike. SGD, momentum and Nesterov do (their steps are linear in "
                "the gradient, so they rotate with the surface); AdaGrad, RMSProp and Adam "
                "divide each coordinate by its own gradient size, which depends on the axes."
            ),
            "b": (
                "Right: SGD, momentum and Nesterov combine gradients linearly, so rotating the "
                "surface and the start rotates every iterate and leaves f along the path "
                "unchanged. The adaptive methods rescale each coordinate separately, and a "
                "rotation mixes the coordinates: AdaGrad goes from a handful of steps to "
                "hundreds."
            ),
            "c": (
                "It is the other way round. Per-coordinate step sizes are what a rotation "
                "changes: after it, the valley's steep direction mixes both coordinates. SGD, "
                "momentum and Nesterov only add multiples of gradients, which rotate along "
                "with the surface."
            ),
        },
    },
}
