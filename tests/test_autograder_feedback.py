"""Feedback pages show messages, seeds and failing cases, never hidden tests or reference code."""

from __future__ import annotations

import ast
import html
import inspect
import json
import os
import re
import textwrap
from pathlib import Path

import pytest

import nnlib.activations
from autograder.checks import QuestionResult, run_check
from autograder.feedback import render_feedback, write_feedback
from autograder.mutants.a1 import CORRECT, MUTANTS
from autograder.rebuild import Note
from autograder.scan import Flag
from autograder.specs import get_spec

ROOT = Path(__file__).resolve().parents[1]
SOURCE_NB = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"

#: One mutant per question kind, with fixed seeds.
MUTANT_NAMES = (
    "sigmoid_grad_at_output",
    "relu_grad_boolean",
    "softmax_ce_grad_wrong_axis",
    "dense_backward_transposed_dw",
)


def _correct_results() -> list[QuestionResult]:
    return [
        run_check(get_spec(q), fns[0], seed=1234 + i) for i, (q, fns) in enumerate(CORRECT.items())
    ]


def _mutant_results() -> list[QuestionResult]:
    by_name = {m.name: m for m in MUTANTS}
    return [
        run_check(get_spec(by_name[n].question), by_name[n].fn, seed=777 + i)
        for i, n in enumerate(MUTANT_NAMES)
    ]


@pytest.fixture(scope="module")
def correct():
    return _correct_results()


@pytest.fixture(scope="module")
def mutants():
    return _mutant_results()


@pytest.fixture(scope="module")
def page(correct, mutants):
    notes = [Note("missing-cell", "answer cell 'sigmoid_grad' was deleted", "sigmoid_grad")]
    return render_feedback("alice", "a1", correct + mutants, notes=notes)


def _code_lines(fn) -> list[str]:
    """Non-trivial code lines of `fn`, without its docstring."""
    src = textwrap.dedent(inspect.getsource(fn))
    node = ast.parse(src).body[0]
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    lines = []
    for stmt in body:
        seg = ast.get_source_segment(src, stmt) or ""
        lines += [ln.strip() for ln in seg.splitlines() if len(ln.strip()) >= 12]
    return lines


def _hidden_test_lines() -> list[str]:
    """Lines of the source notebook's hidden tests (solution lines are not checked: hints
    such as "dW = X.T @ dZ" legitimately state a formula)."""
    nb = json.loads(SOURCE_NB.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", src, re.S):
            lines += [ln.strip() for ln in block.splitlines() if len(ln.strip()) >= 12]
    return lines


def test_results_are_as_expected(correct, mutants):
    assert all(r.passed for r in correct)
    assert not any(r.passed for r in mutants)
    by_name = {m.name: m for m in MUTANTS}
    assert [r.hint_id for r in mutants] == [by_name[n].hint for n in MUTANT_NAMES]


def test_header_totals(page, correct, mutants):
    earned = sum(r.points_earned for r in correct)
    possible = sum(r.points_possible for r in correct + mutants)
    assert "alice" in page and "<h1>a1</h1>" in page
    assert f"Total: {earned} / {possible} points" in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_one_section_per_question_with_seed_and_message(page, correct, mutants):
    results = correct + mutants
    assert page.count('<section class="pass">') == len(correct)
    assert page.count('<section class="fail">') == len(mutants)
    for r in results:
        assert f"Regrade with seed {r.seed}." in page
        assert html.escape(r.message) in page
        assert f"{r.points_earned} / {r.points_possible} points" in page
    for r in mutants:
        assert r.hint_id and html.escape(r.hint_id) in page
        assert r.case and f"Failing case: {html.escape(r.case)}" in page


def test_about_section(page):
    assert "About your submission" in page
    assert "missing-cell" in page and "deleted" in page
    plain = render_feedback("bob", "a1", _correct_results()[:1])
    assert "About your submission" not in plain


def test_no_hidden_tests_or_reference_code(page):
    assert "BEGIN HIDDEN TESTS" not in page
    assert "BEGIN SOLUTION" not in page
    assert "assert_check" not in page
    hidden = _hidden_test_lines()
    assert hidden, "the source notebook should have hidden tests"
    for line in hidden:
        assert line not in page and html.escape(line) not in page, line
    refs = [nnlib.activations.sigmoid_grad, nnlib.activations.tanh_grad]
    refs += [get_spec(q).reference for q in CORRECT]
    for fn in refs:
        lines = _code_lines(fn)
        assert lines, fn
        for line in lines:
            assert line not in page and html.escape(line) not in page, (fn, line)


def test_no_external_assets_or_scripts(page):
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=", page)
    assert "http://" not in page and "https://" not in page


def test_student_text_is_escaped():
    evil = "<script>alert('x')</script>"
    result = QuestionResult("a1.sigmoid_grad", False, 0, 2, 5, f"yours {evil} & more", "h<b>", evil)
    note = Note("bad<i>", evil, 'g"id')
    out = render_feedback("<b>eve</b>", "a1<br>", [result], notes=[note])
    assert "<script" not in out and "<b>" not in out and "<i>" not in out and "<br>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "&lt;b&gt;eve&lt;/b&gt;" in out and "&amp; more" in out


def test_the_renderer_never_receives_the_scans_flags():
    """Students do not see flags (heuristics for the instructor): there is no way to pass
    them, so no caller can show one by mistake."""
    assert "flags" not in inspect.signature(render_feedback).parameters
    flag = Flag("process", "relu_grad", 2, "import subprocess", "starts a process")
    with pytest.raises(TypeError):
        render_feedback("alice", "a1", [], notes=[], flags=[flag])


def test_empty_results():
    out = render_feedback("carol", "a1", [])
    assert "Total: 0 / 0 points" in out and "<section" not in out


def test_write_feedback_atomic(tmp_path, page, monkeypatch):
    target = tmp_path / "out" / "alice.html"
    assert write_feedback(target, page) == target
    assert target.read_text(encoding="utf-8") == page
    write_feedback(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["alice.html"]

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_feedback(target, "third")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["alice.html"]
