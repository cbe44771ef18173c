"""`collect` on hostile and broken submission files (issue 11, "Collection").

The submission time is the file's arrival in SRC (its modification time, as the LMS
download set it), never what the student's zip claims; a zip that cannot be read (bad
timestamp text, corrupt deflate stream, encryption, an unsupported method, a zip bomb) is
reported and skipped, and every other student in the same folder is collected. Zips are
built by hand where Python cannot write them (encryption, lying sizes); the bombs inflate
to 200 MB (deflate) and 64 MB (bzip2, LZMA) but collect runs with a 1 MB cap, and tracemalloc
proves it never holds more than a few times the cap.
"""

from __future__ import annotations

import bz2
import datetime as dt
import functools
import lzma
import os
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import nbformat
import pytest
from courses import new_course

from autograder import cli

REPO = Path(__file__).resolve().parents[1]
A = "tiny"
ARRIVAL = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # when the LMS received the files
STAMP = ARRIVAL.strftime(cli.TIMESTAMP_FORMAT)
MB = 2**20


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A released course with a one-question assignment."""
    root = tmp_path_factory.mktemp("course")
    solution = nbformat.v4.new_code_cell(
        "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION"
    )
    solution.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": "square",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    test = nbformat.v4.new_code_cell("assert square(3) == 9")
    test.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "test_square",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    new_course(root, A, [solution, test])
    env = pytest.MonkeyPatch()
    env.delenv("NNFP_DB_URL", raising=False)
    grading = cli.Course(root)
    cli.release(grading, A)
    yield grading
    env.undo()


@pytest.fixture
def inbox(tmp_path):
    return tmp_path / "inbox"


@functools.cache
def _notebook() -> bytes:
    """A correct answer (the same bytes every call: cell ids are random)."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("def square(x):\n    return x**2")]
    )
    return nbformat.writes(nb).encode()


def _arrived(*paths: Path) -> None:
    """Give the files the LMS's arrival time, as a download keeps it."""
    for path in paths:
        os.utime(path, (ARRIVAL.timestamp(), ARRIVAL.timestamp()))


def _good(inbox: Path, *students: str) -> None:
    """Correct submissions: a plain notebook for the first, a deflated zip for the rest."""
    inbox.mkdir(exist_ok=True)
    for i, student in enumerate(students):
        if i == 0:
            (inbox / f"{student}.ipynb").write_bytes(_notebook())
        else:
            with zipfile.ZipFile(inbox / f"{student}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("work/answers.ipynb", _notebook())
        _arrived(*inbox.iterdir())


def _raw_zip(path: Path, members) -> None:
    """A zip written byte by byte: (name, stored bytes, method, crc, file_size, flags) per
    member, so that its headers can say what Python's zipfile would never write."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size, flags in members:
        fixed = struct.pack("<HHHHHIII", 20, flags, method, 0, 0x21, crc, len(data), size)
        head = len(out)
        out += b"PK\x03\x04" + fixed + struct.pack("<HH", len(name), 0) + name.encode() + data
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fixed
        central += struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, head) + name.encode()
    count = len(members)
    end = struct.pack("<HHHHIIH", 0, 0, count, count, len(central), len(out), 0)
    path.write_bytes(bytes(out + central) + b"PK\x05\x06" + end)


def _deflated(chunks) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of the concatenated chunks, compressed as they come."""
    packer, packed, crc, size = zlib.compressobj(9, zlib.DEFLATED, -15), bytearray(), 0, 0
    for chunk in chunks:
        packed += packer.compress(chunk)
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    return bytes(packed + packer.flush()), crc, size


def _zeros(total: int):
    block = bytes(MB)
    return (block for _ in range(total // MB))


def _collect(course, inbox: Path, capsys, max_mb: float = cli.MAX_NOTEBOOK_MB):
    """Run collect as ``make collect`` does; (exit status, stdout, stderr)."""
    status = cli.main(
        ["--course", str(course.root), "collect", str(inbox), A, "--max-mb", str(max_mb)]
    )
    out, err = capsys.readouterr()
    return status, out, err


def _submitted(course, student: str) -> Path:
    return course.submission(student, A)


# ------------------------------------------------------------------------------ the time


def test_a_forged_timestamp_is_kept_as_a_claim_and_the_arrival_time_is_used(course, inbox, capsys):
    _good(inbox, "early_ok")
    forged = inbox / "forger.zip"
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/answers.ipynb", _notebook())
        zf.writestr("a/timestamp.txt", "2000-01-01 00:00:00.000000 UTC")
    _arrived(forged)
    status, out, _ = _collect(course, inbox, capsys)
    assert status == 0
    folder = _submitted(course, "forger")
    assert (folder / "timestamp.txt").read_text() == STAMP  # what nbgrader reads
    assert course.timestamp(folder) == STAMP
    assert (folder / cli.CLAIMED_TIMESTAMP).read_text().strip() == "2000-01-01 00:00:00.000000 UTC"
    assert "forger.zip: timestamp.txt claims 2000-01-01" in out and "arrived 2026-12-01" in out
    assert course.timestamp(_submitted(course, "early_ok")) == STAMP
    assert not (_submitted(course, "early_ok") / cli.CLAIMED_TIMESTAMP).exists()


def test_a_claim_that_agrees_with_the_arrival_is_kept_quietly(course, inbox, capsys):
    inbox.mkdir()
    honest = inbox / "honest.zip"
    claim = (ARRIVAL - dt.timedelta(minutes=1)).strftime(cli.TIMESTAMP_FORMAT)
    with zipfile.ZipFile(honest, "w") as zf:
        zf.writestr("answers.ipynb", _notebook())
        zf.writestr("timestamp.txt", claim)
    _arrived(honest)
    status, out, _ = _collect(course, inbox, capsys)
    assert status == 0 and "claims" not in out
    assert (_submitted(course, "honest") / cli.CLAIMED_TIMESTAMP).read_text().strip() == claim
    assert course.timestamp(_submitted(course, "honest")) == STAMP


@pytest.mark.parametrize(
    "text", [b"2000-13-45 99:99:99 UTC", b"\xff\xfe yesterday \xed\xa0\x80", b"x" * 5000]
)
def test_a_bad_timestamp_text_is_only_noted(course, inbox, capsys, text):
    _good(inbox, "bad_ok")
    path = inbox / "badstamp.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("answers.ipynb", _notebook())
        zf.writestr("timestamp.txt", text)
    _arrived(path)
    status, out, _ = _collect(course, inbox, capsys)
    assert status == 0, out
    assert course.timestamp(_submitted(course, "badstamp")) == STAMP
    assert "badstamp.zip: timestamp.txt holds no time" in out
    assert course.timestamp(_submitted(course, "bad_ok")) == STAMP


# --------------------------------------------------------------------- unreadable files


def test_broken_zips_are_skipped_and_everyone_else_is_collected(course, inbox, capsys):
    _good(inbox, "a_ok", "b_ok", "z_ok")
    packed, crc, size = _deflated([_notebook()])
    corrupt = packed[:20] + bytes(b ^ 0x5A for b in packed[20:60]) + packed[60:]
    _raw_zip(inbox / "corrupt.zip", [("answers.ipynb", corrupt, 8, crc, size, 0)])
    _raw_zip(inbox / "encrypted.zip", [("answers.ipynb", packed, 8, crc, size, 1)])
    _raw_zip(inbox / "aes.zip", [("answers.ipynb", packed, 99, crc, size, 0)])
    _raw_zip(
        inbox / "truncated.zip", [("answers.ipynb", packed[: len(packed) // 2], 8, crc, size, 0)]
    )
    (inbox / "notazip.zip").write_bytes(b"PK but not a zip")
    with zipfile.ZipFile(inbox / "nonotebook.zip", "w") as zf:
        zf.writestr("answers.py", "def square(x): return x * x")
    (inbox / "folder.zip").mkdir()
    (inbox / "newline\n.ipynb").write_bytes(_notebook())  # "$" matched before the newline
    _arrived(*inbox.iterdir())
    status, out, err = _collect(course, inbox, capsys)
    assert status == cli.EXIT_SKIPPED
    assert "collected 3 submission(s)" in out
    for student in ("a_ok", "b_ok", "z_ok"):
        assert (_submitted(course, student) / f"{A}.ipynb").read_bytes() == _notebook()
    broken = ("corrupt", "encrypted", "aes", "truncated", "notazip", "nonotebook", "folder")
    for student in broken:
        assert not _submitted(course, student).exists()
        assert f"skipped {student}.zip: " in err
    assert "encrypted.zip: answers.ipynb is encrypted" in err
    assert "aes.zip: answers.ipynb: compression method 99 is not supported" in err
    assert "skipped newline\\n.ipynb: not a valid student id" in err
    assert sorted(p.name for p in (course.root / "submitted").iterdir() if "\n" in p.name) == []
    assert "8 file(s) skipped" in err


def test_a_bzip2_zip_is_collected(course, inbox, capsys):
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "bzipped.zip", "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("answers.ipynb", _notebook())
    with zipfile.ZipFile(inbox / "lzma.zip", "w", zipfile.ZIP_LZMA) as zf:
        zf.writestr("answers.ipynb", _notebook())
    status, _, err = _collect(course, inbox, capsys)
    assert status == 0, err
    for student in ("bzipped", "lzma"):
        assert (_submitted(course, student) / f"{A}.ipynb").read_bytes() == _notebook()


def _bombs(inbox: Path) -> list[str]:
    """Zips that inflate to 200 MB (deflate) or 64 MB (bzip2, LZMA), honest or lying."""
    packed, crc, size = _deflated(_zeros(200 * MB))
    assert len(packed) < MB  # the zip itself passes the 1 MB cap: only inflating is refused
    _raw_zip(inbox / "bomb.zip", [("answers.ipynb", packed, 8, crc, size, 0)])
    _raw_zip(inbox / "liar.zip", [("answers.ipynb", packed, 8, crc, MB - 1, 0)])
    bzipped = bz2.compress(bytes(64 * MB))
    crc = zlib.crc32(bytes(64 * MB))
    _raw_zip(inbox / "bzbomb.zip", [("answers.ipynb", bzipped, 12, crc, MB - 1, 0)])
    lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": MB, "lc": 3, "lp": 0, "pb": 2}
    packer = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[lzma1])
    header = struct.pack("<BBH", 9, 4, 5) + bytes([(2 * 5 + 0) * 9 + 3]) + struct.pack("<I", MB)
    squeezed = header + b"".join(packer.compress(c) for c in _zeros(64 * MB)) + packer.flush()
    _raw_zip(inbox / "lzbomb.zip", [("answers.ipynb", squeezed, 14, 0, MB - 1, 2)])
    _raw_zip(
        inbox / "many.zip", [(f"{i}/answers.ipynb", packed, 8, crc, size, 0) for i in range(50)]
    )
    return ["bomb", "liar", "bzbomb", "lzbomb", "many"]


def test_zip_bombs_are_refused_without_being_inflated(course, inbox, capsys):
    _good(inbox, "a_ok", "m_ok", "z_ok")
    bombs = _bombs(inbox)
    (inbox / "huge.ipynb").write_bytes(b"{" + b" " * (2 * MB) + b"}")
    _arrived(*inbox.iterdir())
    tracemalloc.start()
    try:
        status, out, err = _collect(course, inbox, capsys, max_mb=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB, f"collect held {peak / MB:.0f} MB for a 1 MB cap"
    assert status == cli.EXIT_SKIPPED
    assert "collected 3 submission(s)" in out
    for student in ("a_ok", "m_ok", "z_ok"):
        assert (_submitted(course, student) / f"{A}.ipynb").read_bytes() == _notebook()
    for student in [*bombs, "huge"]:
        assert not _submitted(course, student).exists()
        assert f"skipped {student}." in err
    assert "bomb.zip: answers.ipynb is over the 1 MB limit (209,715,200 bytes)" in err
    assert "huge.ipynb: the file is over the 1 MB limit" in err
    assert "bzbomb.zip: answers.ipynb inflates past the 1 MB limit" in err
    assert "lzbomb.zip: answers.ipynb inflates past the 1 MB limit" in err
    assert "many.zip: the file is over the 1 MB limit" in err


def test_the_default_cap_collects_a_notebook_with_big_outputs(course, inbox, capsys):
    """A notebook of a few MB (plots in its outputs) is well under the default cap."""
    inbox.mkdir()
    nb = nbformat.reads(_notebook().decode(), as_version=4)
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo" * 400_000})
    ]
    data = nbformat.writes(nb).encode()
    assert len(data) > 4 * MB
    with zipfile.ZipFile(inbox / "plots.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("answers.ipynb", data)
    status, _, err = _collect(course, inbox, capsys)
    assert status == 0, err
    assert (_submitted(course, "plots") / f"{A}.ipynb").read_bytes() == data
