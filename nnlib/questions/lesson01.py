"""Lesson 01's multiple-choice questions: the right option and the feedback for every option."""

QUESTIONS = {
    "raise-threshold": {
        "title": "Raising AND's threshold from 2 to 2.5",
        "correct": "b",
        "feedback": {
            "a": (
                "The line does move away from (1, 1), but to the far side of it: (1, 1) has "
                "net input 1 + 1 = 2 < 2.5 and stops firing. Only thresholds in AND's "
                "interval (1, 2] give AND; being 'close to 2' is not enough."
            ),
            "b": (
                "The largest net input of any corner is 2, at (1, 1); with θ = 2.5 no corner "
                "reaches the threshold, so the neuron never fires. The line x1 + x2 = 2.5 has "
                "slid past the last corner: AND's interval is (1, 2]."
            ),
            "c": (
                "Changing θ never tilts the line: w1 x1 + w2 x2 = θ keeps its slope -w1/w2 and "
                "only slides parallel to itself. Tilting it takes a change in the ratio of the "
                "weights."
            ),
        },
    },
    "xor-grid": {
        "title": "What the empty XOR grid shows",
        "correct": "b",
        "feedback": {
            "a": (
                "A wider or finer grid would come up empty too, but the search cannot tell you "
                "so: a finite search only tests finitely many neurons. It takes an argument "
                "over all real numbers (section 6.2) to rule the rest out."
            ),
            "b": (
                "A search over 117,649 neurons is evidence, not proof: the right numbers could "
                "lie between grid points or outside [-3, 3]. Section 6.2 proves that no real "
                "weights and threshold work."
            ),
            "c": (
                "The conclusion is true, but the reason is not: a grid is a finite sample of "
                "the infinitely many (w1, w2, θ). Trusting 'I searched a lot' is how searches "
                "mislead; section 6.2 gives the proof."
            ),
        },
    },
}
