"""The `[tool.flowc]` table of a project's `pyproject.toml`.

`flowc` looks for the nearest `pyproject.toml` that has a `[tool.flowc]` table, walking up from
the working directory (as ruff does with `[tool.ruff]`), so a command run anywhere inside a
project sees that project's settings. Every setting is one field of `FlowcConfig`, declared with
`setting()`: the field name with `-` for `_` is the TOML key, and the reader turns the TOML value
into the field's value or says what is wrong with it. Adding a key is adding one field.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from flowlang.task_sources import TaskSource

PYPROJECT = "pyproject.toml"

# A reader gets the TOML value and the folder of the pyproject.toml (relative paths in the
# table mean "relative to the project", not to wherever flowc happens to run).
Reader = Callable[[Any, Path], Any]


class ConfigError(Exception):
    """A `pyproject.toml` that flowc cannot use; the message names the file and the key."""


class _Expected(Exception):
    """A setting has a value of the wrong kind; the argument says what kind it should be."""


def _folders_and_files(value: Any, root: Path) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Expected("a list of paths (strings)")
    return tuple(root / item for item in value)


def _task_sources(value: Any, root: Path) -> tuple[TaskSource, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Expected("a list of catalog files, Python files or module names (strings)")
    return tuple(TaskSource(item, root) for item in value)


def _boolean(value: Any, root: Path) -> bool:
    if not isinstance(value, bool):
        raise _Expected("`true` or `false`")
    return value


def setting(reader: Reader, default: Any) -> Any:
    """A field of `FlowcConfig` that is read from the TOML key of the same name."""
    return field(default=default, metadata={"reader": reader})


@dataclass(frozen=True)
class FlowcConfig:
    """The project settings; the defaults apply when there is no `[tool.flowc]` table."""

    # The pyproject.toml the settings came from, or None when flowc runs with the defaults.
    source: Path | None = None
    # What `flowc check` checks when given no path: folders and files, absolute.
    workflows: tuple[Path, ...] = setting(_folders_and_files, ())
    # Where the task catalog comes from: `.json` catalogs, `.py` files or module names, relative
    # to the pyproject's folder (`flowc check --tasks` replaces them).
    tasks: tuple[TaskSource, ...] = setting(_task_sources, ())
    # Whether a warning makes `flowc check` fail, as an error does.
    warnings_as_errors: bool = setting(_boolean, False)


def _settings() -> dict[str, Field[Any]]:
    """TOML key -> the dataclass field it sets."""
    return {f.name.replace("_", "-"): f for f in fields(FlowcConfig) if "reader" in f.metadata}


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` with a `[tool.flowc]` table, in `start` or above it."""
    for folder in (start, *start.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file() and _has_flowc_table(_read_toml(candidate)):
            return candidate
    return None


def _has_flowc_table(document: dict[str, Any]) -> bool:
    tool = document.get("tool")
    return isinstance(tool, dict) and "flowc" in tool


def load_config(start: Path) -> FlowcConfig:
    """The settings that apply to a flowc run in `start` (an absolute folder)."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return FlowcConfig()
    return read_config(pyproject)


def read_config(pyproject: Path) -> FlowcConfig:
    """The settings of the `[tool.flowc]` table of `pyproject` (which must have one)."""
    table = _read_toml(pyproject)["tool"]["flowc"]
    where = f"`[tool.flowc]` of {pyproject}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    settings = _settings()
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in settings:
            raise ConfigError(_unknown_key_message(key, where, settings))
        setting_field = settings[key]
        try:
            values[setting_field.name] = setting_field.metadata["reader"](value, pyproject.parent)
        except _Expected as expected:
            raise ConfigError(f"`{key}` in {where} must be {expected}") from None
    return FlowcConfig(source=pyproject, **values)


def _unknown_key_message(key: str, where: str, settings: dict[str, Field[Any]]) -> str:
    known = ", ".join(f"`{name}`" for name in sorted(settings))
    close = difflib.get_close_matches(key, settings, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown key `{key}` in {where}\n  {hint}the known keys are {known}"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
