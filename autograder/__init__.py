"""The course's nbgrader autograder: assignment specs, checks and the instructor workflow."""
