from __future__ import annotations

import io

import pytest

from flowlang.render import use_color


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def test_auto_follows_the_terminal():
    assert use_color("auto", Terminal()) is True
    assert use_color("auto", io.StringIO()) is False


def test_auto_without_isatty_means_no_color():
    assert use_color("auto", object()) is False


def test_auto_on_a_closed_stream_means_no_color():
    stream = io.StringIO()
    stream.close()
    assert use_color("auto", stream) is False


def test_no_color_turns_color_off(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Terminal()) is False


def test_an_empty_no_color_is_ignored(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    assert use_color("auto", Terminal()) is True


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False)])
def test_force_color_turns_color_on_unless_zero(monkeypatch, value, expected):
    monkeypatch.setenv("FORCE_COLOR", value)
    assert use_color("auto", io.StringIO()) is expected


def test_no_color_wins_over_force_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", Terminal()) is False


def test_explicit_flags_win_over_everything(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("always", io.StringIO()) is True
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("never", Terminal()) is False


def test_an_unknown_flag_is_rejected():
    with pytest.raises(ValueError, match="`sometimes`"):
        use_color("sometimes", Terminal())  # type: ignore[arg-type]
