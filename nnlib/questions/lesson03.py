"""Lesson 03's multiple-choice questions: the right option and the feedback for every option."""

QUESTIONS = {
    "on-the-line": {
        "title": "A sample exactly on the line",
        "correct": "b",
        "feedback": {
            "a": (
                "The unit's output there is +1 (step(0) = +1), but the rule does not test the "
                "output: it tests the score y(w·x + b) <= 0, and a score of 0 counts as a "
                "mistake. Otherwise a run from w = 0, b = 0, where every score is 0, would "
                "never move."
            ),
            "b": (
                "The rule updates when y(w·x + b) <= 0, and on the line the score is 0. This "
                "is what gets a run from zero started, and it makes the rule demand a "
                "positive margin."
            ),
            "c": (
                "That mixes the output with the learning test. step(0) = +1 would make a "
                "y = +1 sample look right, but the rule asks for y(w·x + b) > 0, and 0 fails "
                "that test whatever the label."
            ),
        },
    },
    "count-loss": {
        "title": "Descending on the number of mistakes",
        "correct": "a",
        "feedback": {
            "a": (
                "The count of misclassified samples is piecewise constant in (w, b): flat "
                "terraces with jumps between them. Its gradient is 0 wherever it exists, so "
                "gradient descent has nothing to follow. The perceptron criterion J adds how "
                "far each wrong sample is from the line, which gives a slope."
            ),
            "b": (
                "Counting mistakes costs one pass over the data, the same as computing J. The "
                "obstacle is not cost but shape: the count is flat almost everywhere, so its "
                "gradient is 0."
            ),
            "c": (
                "Several minima would not stop gradient descent from reaching one of them. "
                "The count has a worse problem: its gradient is 0 almost everywhere, so "
                "descent cannot even start."
            ),
        },
    },
}
