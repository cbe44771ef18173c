"""``python -m autograder release|collect|autograde|feedback|grades`` (see autograder.cli)."""

import sys

from autograder.cli import main

sys.exit(main())
