"""Lesson 07's multiple-choice questions (activation functions): answers and feedback."""

QUESTIONS = {
    "sign-of-updates": {
        "title": "Sigmoid inputs and the signs of a unit's weight updates",
        "correct": "a",
        "feedback": {
            "a": (
                "Right: for one sample dL/dw_i = delta * h_i, and every sigmoid output h_i is "
                "positive, so all the unit's weight gradients take the sign of delta at once. "
                "Each per-sample step lies in the all-plus or all-minus orthant, and a target "
                "that needs some weights up and others down is reached only by zig-zagging."
            ),
            "b": (
                "That holds for zero-centred inputs such as tanh outputs, where h_i takes "
                "both signs. Sigmoid outputs are all positive (mean about 0.5), so delta * h_i "
                "cannot change sign from one input to the next: the inputs are not 'random "
                "signs', they are all positive."
            ),
            "c": (
                "sigma' <= 1/4 shrinks the error signal delta that reaches this unit, it does "
                "not make it zero; and the question is about the sign of delta * h_i, not its "
                "size. With every h_i > 0 all the gradients share delta's sign."
            ),
        },
    },
    "swish-claim": {
        "title": "What the Swish paper reports",
        "correct": "a",
        "feedback": {
            "a": (
                "Right: the abstract's 0.9 and 0.6 are percentage points of ImageNet top-1 "
                "accuracy, for Mobile NASNet-A and Inception-ResNet-v2; the body (v2) gives "
                "1.4 points on Mobile NASNet-A, 2.2 on MobileNet and 0.5 on "
                "Inception-ResNet-v2. The slide's table is Table 6: Mobile NASNet-A, three "
                "runs each, not three values of beta."
            ),
            "b": (
                "That reads 'by' as 'from ... to'. An ImageNet classifier at 0.9% accuracy "
                "would be barely above chance on 1000 classes (0.1%); the table's top-1 "
                "values are 73.5 to 75.2%. The 0.6 and 0.9 are the gains, in points, for two "
                "named models."
            ),
            "c": (
                "The gains are absolute (percentage points of accuracy, e.g. 73.6 to 74.9), "
                "not relative reductions of error, and they are not the same on every model: "
                "the paper's tables give 0.5 to 2.2 points depending on the architecture."
            ),
        },
    },
}
