"""nbgrader configuration for the course "nnfp" (Neural Networks from First Principles).

nbgrader reads this file when it runs from this folder (``jupyter server`` for the
formgrader, ``nbgrader ...``); ``python -m autograder`` loads it explicitly. Every setting
below fixes a default of nbgrader 0.9.6 that loses points or students; each one is
exercised by ``tests/test_autograder_workflow.py``.
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets when it executes this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "nnfp"
c.CourseDirectory.root = HERE

# Gradebook: SQLite next to this file by default (never committed). For a course shared by
# several graders, or to grade in parallel without "database is locked", point it at
# PostgreSQL instead, e.g.
#   export NNFP_DB_URL=postgresql+psycopg2://grader:secret@db.example.org/nnfp
# (install psycopg2-binary into the venv first; run `nbgrader db upgrade` once).
c.CourseDirectory.db_url = os.environ.get(
    "NNFP_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db")
)

# A deleted or stripped test cell would otherwise stay "needs manual grade" forever
# (nbgrader #1682): put the instructor's version back and grade it.
c.OverwriteCells.add_missing_cells = True

# The per-cell execution limit in seconds: an infinite loop is interrupted, that cell scores
# 0 and grading goes on. Exactly ONE key: `c.Execute.timeout` would silently override this
# one and any --ExecutePreprocessor.timeout flag. NNFP_CELL_TIMEOUT changes it for a run.
c.ExecutePreprocessor.timeout = int(os.environ.get("NNFP_CELL_TIMEOUT", "60"))

# Any stderr output in a test cell scores it 0, so a correct solution whose only fault is a
# warning (e.g. "RuntimeWarning: overflow encountered in exp") would lose its points. Drop a
# stderr output when it consists ONLY of warnings: each "<file>:<line>: <Category>Warning: ..."
# line, optionally followed by the indented source line Python prints under it. Anything else
# on stderr still fails the test. The pattern is used only when `enabled` is True as well.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"\A(?:[^\n]*:\d+: \w*Warning: [^\n]*(?:\n|\Z)(?:[ \t]+[^\n]*(?:\n|\Z))*)+\Z"
)

# Grading kernels log only errors: otherwise each one prints "Kernel is running over TCP
# without encryption" to the terminal, burying the progress bar and real problems. (It does
# not touch what student code writes to stderr, which grading still sees.)
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
