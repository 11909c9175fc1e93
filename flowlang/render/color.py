"""Terminal colour: when to use it and how to paint with it.

The policy follows the conventions tools agree on: an explicit `--color=always|never` wins;
otherwise `NO_COLOR` (https://no-color.org) turns colour off, `FORCE_COLOR` turns it on (for CI
logs that render ANSI but are not terminals), and a terminal gets colour.
"""

from __future__ import annotations

import os
from typing import Literal

ColorFlag = Literal["auto", "always", "never"]


def use_color(flag: ColorFlag, stream: object) -> bool:
    """Whether output written to `stream` should carry ANSI colour."""
    if flag == "always":
        return True
    if flag == "never":
        return False
    if flag != "auto":
        raise ValueError(f"colour must be `auto`, `always` or `never`, not `{flag}`")
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return is_terminal(stream)


def is_terminal(stream: object) -> bool:
    """`stream.isatty()`, tolerating streams that lack it or are closed."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except ValueError:  # a closed file
        return False


class Style:
    """The roles text plays in a diagnostic, as ANSI SGR parameters (rustc's palette)."""

    ERROR = "1;31"
    WARNING = "1;33"
    EMPHASIS = "1"
    GUTTER = "1;34"
    SECONDARY = "1;34"
    HELP = "1;36"
    NOTE = "1"


class Painter:
    """Wraps text in ANSI escapes when enabled and returns it unchanged otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"
