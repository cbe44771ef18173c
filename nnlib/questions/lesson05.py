"""Lesson 05's multiple-choice questions (initialization): answers and feedback."""

QUESTIONS = {
    "too-large": {
        "title": "Too large an initial variance",
        "correct": "c",
        "feedback": {
            "a": (
                "Saturating only towards 0 would need z to be large and negative for every "
                "unit. But z = sum of w_i x_i with weights of random sign is symmetric about "
                "0: large variance pushes it far out on both sides, so about half the units "
                "sit near 0 and half near 1."
            ),
            "b": (
                "Saturating only towards 1 would need z to be large and positive for every "
                "unit, as if large weights were large positive weights. Weights drawn with "
                "mean 0 are as often negative as positive, so z is symmetric about 0 and "
                "the outputs pile up at both 0 and 1."
            ),
            "c": (
                "Right: z is a sum of many terms with random signs, symmetric about 0, so "
                "with a large variance it lands far from 0 on either side, and the sigmoid "
                "outputs pile up at 0 and at 1, about half each (two spikes in the "
                "histogram)."
            ),
        },
    },
    "saturated-slope": {
        "title": "The slope of a saturated sigmoid",
        "correct": "a",
        "feedback": {
            "a": (
                "Right: sigma'(z) = sigma(z)(1 - sigma(z)), and one factor is near 0 when the "
                "output is near 0 or 1 (sigma'(6) = 0.0025). Backprop multiplies the error "
                "signal by this slope, so a saturated unit passes almost nothing back."
            ),
            "b": (
                "1/4 is the sigmoid's largest slope, reached only at z = 0, where the output "
                "is 0.5: the opposite of saturated. Taking 1/4 as 'the' slope everywhere "
                "forgets that sigma'(z) = sigma(z)(1 - sigma(z)) depends on z."
            ),
            "c": (
                "A slope of 1 confuses the output's value with its slope: a unit saturated "
                "at 1 outputs about 1, but its curve is flat there. The sigmoid's slope "
                "never exceeds 1/4, anywhere."
            ),
        },
    },
    "impossible-entry": {
        "title": "An impossible entry in a published table",
        "correct": "b",
        "feedback": {
            "a": (
                "It is wrong (cs231n's slide prints 0.002378), but rejecting it needs more "
                "than the activation: a tanh layer may well have std 0.99, as W*1.0 shows. "
                "You need the variance rule and layer 3's value (0.0106 * 0.2236 = 0.0024). "
                "Look for an entry that breaks a bound of tanh itself."
            ),
            "b": (
                "Right: every tanh output lies in (-1, 1), so a tanh layer's std is below 1, "
                "whatever the weights or the seed. 1.001311 is the input layer's std (unit "
                "Gaussians), shifted by one row."
            ),
            "c": (
                "It is wrong (a ReLU layer under LeCun's rule loses a factor of about 0.71, "
                "not 5), but rejecting it needs the variance rule, not only the activation: "
                "a ReLU output can have any std. Look for an entry that breaks a bound of "
                "the activation itself."
            ),
        },
    },
}
