"""The README's first code example runs as written and does what it says."""

import re
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


def test_readme_digits_example_runs_and_reaches_96_percent():
    import matplotlib.pyplot as plt

    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"```python\n(.*?)```", readme, flags=re.S)[0]
    assert "nnlib.fit(" in example
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    history, model = namespace["history"], namespace["model"]
    X_test = namespace["scaler"].transform(namespace["X_test"])
    accuracy = float(np.mean(model.predict(X_test) == namespace["y_test"]))
    assert accuracy >= 0.96
    assert history["val_accuracy"][-1] == accuracy
    plt.close("all")
