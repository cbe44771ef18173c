"""Lesson 04's multiple-choice questions (backpropagation): answers and feedback."""

QUESTIONS = {
    "bias": {
        "title": "Bias concatenated or separate",
        "correct": "c",
        "feedback": {
            "a": (
                "Concatenating is not a different model: appending a constant 1 to the "
                "input and a bias column to W computes exactly W a + b. The belief that "
                "only one form is 'the' network mixes up notation with the model."
            ),
            "b": (
                "The concatenated bias does get the right gradient: the weight on the "
                "constant input 1 has gradient (sensitivity) × 1, which is db. The "
                "belief that concatenation spoils the gradient forgets that the bias "
                "row's own sensitivity is dropped afterwards (S0's V1[1:, :])."
            ),
            "c": (
                "Both occur and they are the same computation: W a_bias with a_bias = "
                "(1, a) equals W' a + b with b the first column of W. Slides often "
                "concatenate; nnlib, PyTorch and Keras keep b separate, which is why "
                "S0's code drops the bias row's sensitivity (V1[1:, :])."
            ),
        },
    },
    "reuse": {
        "title": "A value used twice",
        "correct": "a",
        "feedback": {
            "a": (
                "Right: by the multivariate chain rule the gradient of a reused value is "
                "the sum of the contributions of every path from it to the loss, so the "
                "backward pass adds (+=) each path's share as it arrives."
            ),
            "b": (
                "Keeping only the last path's contribution is what grads[a] = ... "
                "(assignment instead of +=) does: each path overwrites the previous one. "
                "The loss depends on a through every path, so every path counts."
            ),
            "c": (
                "Multiplying is the rule along one path (the chain rule multiplies local "
                "derivatives one after another); different paths are alternatives that "
                "add up, as the total derivative of f(g(a), h(a)) = f_1 g' + f_2 h'."
            ),
        },
    },
    "change-loss": {
        "title": "Change J: only the last sensitivity changes",
        "correct": "a",
        "feedback": {
            "a": (
                "True: the loss enters backprop only through dJ/dZ at the output layer "
                "(S0's V2). Everything below, dA = dZ W^T, dZ = dA * f'(Z), dW = A^T dZ, "
                "is the same code whatever the loss; swapping losses changes only the "
                "numbers that flow into it."
            ),
            "b": (
                "The hidden layers' gradients do change in value, but not in formula: "
                "they are the same recursion applied to a different output delta. The "
                "belief that every layer needs new code confuses the numbers with the "
                "algorithm."
            ),
            "c": (
                "The output activation's derivative is not kept separately: for a fused "
                "pair such as sigmoid + cross-entropy it cancels inside the output delta "
                "(a - y). The only place the loss and the output pairing enter is that "
                "delta, so nothing else needs updating."
            ),
        },
    },
}
