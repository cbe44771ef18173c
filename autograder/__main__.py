"""``python -m autograder release|collect|autograde|feedback|grades`` (see autograder.cli)."""

import os
import sys

# One grading worker per core (`autograder.engine.grade_batch`): BLAS threads of its own
# on top would oversubscribe the cores, and the grader's small matrix products (a
# reference's 10 layers of 200 x 100 @ 100 x 100) then take 4-5 times longer. Set before
# numpy is first imported; an instructor's own setting wins. Kernels get one thread anyway
# (`autograder.kernel.kernel_env`).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# jsonschema (imported by nbformat) imports rfc3987_syntax, when installed (jupyter-events
# pulls it in), for its "iri" string-format checker: that module builds a Lark grammar at
# import, 1.4 s of every command's start, the largest part of it. No notebook schema uses
# that format; an absent module makes jsonschema skip that one checker and nothing else.
sys.modules.setdefault("rfc3987_syntax", None)

from autograder.cli import main  # noqa: E402  (after the settings above)

sys.exit(main())
