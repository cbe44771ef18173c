"""Shared pytest hooks: the notebook execution times are printed at the end of a run, each
lesson's and the whole course's (issue 15: the course executes headless in <= 3 minutes on
2 cores)."""

NOTEBOOK_TIMES: dict[str, float] = {}

#: The whole course's budget, seconds of headless execution on 2 cores.
COURSE_BUDGET = 180.0


def pytest_terminal_summary(terminalreporter):
    if not NOTEBOOK_TIMES:
        return
    terminalreporter.section("notebook execution times (fresh kernel, headless)")
    for name, seconds in sorted(NOTEBOOK_TIMES.items()):
        terminalreporter.write_line(f"{name:<40} {seconds:6.1f} s")
    total = sum(NOTEBOOK_TIMES.values())
    verdict = "within" if total <= COURSE_BUDGET else "OVER"
    terminalreporter.write_line(
        f"{f'all {len(NOTEBOOK_TIMES)} lessons':<40} {total:6.1f} s "
        f"({verdict} the course's {COURSE_BUDGET:.0f} s budget)"
    )
