"""The lessons' multiple-choice questions: `selfcheck.check_answer` and `nnlib.questions`."""

import sys
import types

import pytest

from nnlib import questions, selfcheck

FAKE = {
    "sign": {
        "title": "The sign of the update",
        "correct": "b",
        "feedback": {
            "a": "That reads the gradient as the direction of descent.",
            "b": "Descent moves against the gradient.",
            "c": "The learning rate scales the step; it does not flip it.",
        },
    },
    "broken-correct": {"correct": "z", "feedback": {"a": "x", "b": "y"}},
    "one-option": {"correct": "a", "feedback": {"a": "x"}},
    "empty-feedback": {"correct": "a", "feedback": {"a": "x", "b": "  "}},
    "long-letter": {"correct": "a", "feedback": {"a": "x", "bb": "y"}},
}


@pytest.fixture
def lesson98(monkeypatch):
    module = types.ModuleType("nnlib.questions.lesson98")
    module.QUESTIONS = FAKE
    monkeypatch.setitem(sys.modules, "nnlib.questions.lesson98", module)


def test_a_right_answer_passes_with_its_explanation(lesson98, capsys):
    result = selfcheck.check_answer("98.sign", "b")
    assert result and result.answered
    out = capsys.readouterr().out
    assert out.startswith("✓ The sign of the update: (b) is right.")
    assert "Descent moves against the gradient." in out


@pytest.mark.parametrize("letter", ["a", "c"])
def test_a_wrong_answer_fails_naming_its_own_misconception(lesson98, letter):
    result = selfcheck.check_answer("98.sign", letter, show=False)
    assert not result and result.answered
    assert f"({letter}) is not the answer" in result.message
    assert FAKE["sign"]["feedback"][letter] in result.message
    assert FAKE["sign"]["feedback"]["b"] not in result.message  # the solution stays hidden


@pytest.mark.parametrize("spelling", ["B", " (b) ", "(B)"])
def test_a_letter_may_be_written_as_on_the_page(lesson98, spelling):
    assert selfcheck.check_answer("98.sign", spelling, show=False)


def test_none_is_not_answered_yet_and_lists_the_options(lesson98):
    result = selfcheck.check_answer("98.sign", None, show=False)
    assert not result and not result.answered
    assert "not answered yet" in result.message and "'a', 'b', 'c'" in result.message


def test_an_answer_outside_the_options_is_a_clear_error(lesson98):
    with pytest.raises(ValueError, match=r"answer must be one of 'a', 'b', 'c', got 'd'"):
        selfcheck.check_answer("98.sign", "d")
    with pytest.raises(TypeError, match=r"answer must be one letter .* got int"):
        selfcheck.check_answer("98.sign", 2)


@pytest.mark.parametrize(
    ("key", "error", "match"),
    [
        (4, TypeError, "key must be a string"),
        ("4.sign", ValueError, "lesson.name"),
        ("98.Sign", ValueError, "lesson.name"),
        ("98.nothing", ValueError, r"no question '98.nothing'; lesson 98 has: .*'98.sign'"),
        ("97.sign", ValueError, "lesson 97 has: none"),
        ("98.broken-correct", ValueError, r"'98.broken-correct': correct must be one of"),
        ("98.one-option", ValueError, "at least two options"),
        ("98.empty-feedback", ValueError, "option 'b' has no feedback"),
        ("98.long-letter", ValueError, "option 'bb' is not one letter"),
    ],
)
def test_a_bad_key_or_malformed_question_names_the_key(lesson98, key, error, match):
    with pytest.raises(error, match=match):
        questions.question(key)


def test_every_question_of_the_course_is_well_formed():
    found = questions.all_questions()
    for key, entry in found.items():
        assert entry["correct"] in entry["feedback"], key
        wrong = [o for o in entry["feedback"] if o != entry["correct"]]
        assert wrong, f"{key} has no wrong option"
        for option in wrong:  # a wrong option's feedback is its own, not a shared "wrong"
            assert entry["feedback"][option] != entry["feedback"][entry["correct"]], key
