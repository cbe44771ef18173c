"""What is running on this machine, read from /proc: for tests that prove nothing a
submission started survives its job."""

from __future__ import annotations

from pathlib import Path


def command_lines() -> dict[int, str]:
    """pid -> ``"<name> | <command line>"`` of every process this test can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            comm = (entry / "comm").read_text(errors="replace").strip()
        except OSError:  # gone meanwhile
            continue
        found[int(entry.name)] = f"{comm} | {cmdline}"
    return found
