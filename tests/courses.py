"""A throw-away nbgrader course for tests: the repository's nbgrader config and a source
notebook, written where a test's fixture says."""

from __future__ import annotations

from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]


def new_course(root: Path, assignment: str, cells) -> Path:
    """Write ``root/nbgrader_config.py`` (the repository's) and
    ``root/source/<assignment>/<assignment>.ipynb`` holding `cells` with the python3
    kernelspec; return the notebook's path."""
    (root / "source" / assignment).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text((REPO / "autograder/nbgrader_config.py").read_text())
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = root / "source" / assignment / f"{assignment}.ipynb"
    nbformat.write(nb, path)
    return path
