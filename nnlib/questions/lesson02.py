"""Lesson 02's multiple-choice questions: the right option and the feedback for every option."""

QUESTIONS = {
    "zero-target": {
        "title": "What a pattern with target 0 teaches",
        "correct": "b",
        "feedback": {
            "a": (
                "Lowering the weights where the neuron should stay quiet is what an "
                "error-correcting rule does (the perceptron, lesson 03), or Hebb's rule with "
                "target -1. With t = 0, Hebb's update x_i t is 0 for every input."
            ),
            "b": (
                "Δw_i = x_i t = 0 and Δb = t = 0: the pattern changes nothing. With 0/1 "
                "targets, Hebb's rule can only learn when the neuron should fire."
            ),
            "c": (
                "The bias is the weight of an input that is always 1, so its update is "
                "Δb = 1 · t = t, which is 0 here as well. Nothing moves."
            ),
        },
    },
    "order": {
        "title": "Hebb's rule in another order",
        "correct": "a",
        "feedback": {
            "a": (
                "Each update x t ignores the current weights, so one pass adds the same four "
                "terms in any order: w = Xᵀt, b = Σ t. Only the intermediate rows change."
            ),
            "b": (
                "That holds for rules whose update depends on the current weights, such as the "
                "perceptron, which updates only on current mistakes. Hebb's update x t never "
                "looks at the weights, so the end point is a sum, and a sum does not depend on "
                "the order of its terms."
            ),
            "c": (
                "Nothing is special about the first pattern: from zero, the final weights are "
                "the sum Σ t_p x_p, the same in every order, whichever pattern comes first."
            ),
        },
    },
}
