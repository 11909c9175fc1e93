from __future__ import annotations

from pathlib import Path

import pytest

from flowlang.config import ConfigError, FlowcConfig, find_pyproject, load_config
from flowlang.task_sources import TaskSource


def write_pyproject(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_pyproject_the_defaults_apply(tmp_path: Path) -> None:
    assert load_config(tmp_path) == FlowcConfig()
    assert FlowcConfig().workflows == ()
    assert FlowcConfig().warnings_as_errors is False


def test_settings_are_read_with_paths_relative_to_the_pyproject(tmp_path: Path) -> None:
    pyproject = write_pyproject(
        tmp_path,
        '[tool.flowc]\nworkflows = ["workflows", "extra/one.flow"]\nwarnings-as-errors = true\n',
    )

    config = load_config(tmp_path / "deep" / "inside")

    assert config.source == pyproject
    assert config.workflows == (tmp_path / "workflows", tmp_path / "extra/one.flow")
    assert config.warnings_as_errors is True


def test_an_empty_table_gives_the_defaults_and_names_its_source(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool.flowc]\n")

    assert load_config(tmp_path) == FlowcConfig(source=pyproject)


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    outer = write_pyproject(tmp_path, "[tool.flowc]\nwarnings-as-errors = true\n")
    write_pyproject(tmp_path / "sub", '[project]\nname = "other"\n')

    assert find_pyproject(tmp_path / "sub") == outer


def test_the_nearest_table_wins(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.flowc]\nwarnings-as-errors = true\n")
    inner = write_pyproject(tmp_path / "sub", "[tool.flowc]\nwarnings-as-errors = false\n")

    assert find_pyproject(tmp_path / "sub") == inner
    assert load_config(tmp_path / "sub").warnings_as_errors is False


def test_an_unknown_key_names_the_key_the_file_and_the_likely_fix(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool.flowc]\nworkflow = []\n")

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)

    message = str(raised.value)
    assert message.startswith(f"unknown key `workflow` in `[tool.flowc]` of {pyproject}")
    assert "did you mean `workflows`?" in message
    assert "`tasks`, `warnings-as-errors`, `workflows`" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('workflows = "workflows"', "`workflows` in `[tool.flowc]` of {} must be a list of paths"),
        ("workflows = [1]", "`workflows` in `[tool.flowc]` of {} must be a list of paths"),
        ('warnings-as-errors = "yes"', "`warnings-as-errors` in `[tool.flowc]` of {} must be"),
        ('tasks = "tasks.py"', "`tasks` in `[tool.flowc]` of {} must be a list of catalog files"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_error(tmp_path: Path, line: str, expected: str) -> None:
    pyproject = write_pyproject(tmp_path, f"[tool.flowc]\n{line}\n")

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)

    assert str(raised.value).startswith(expected.format(pyproject))


def test_a_table_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool]\nflowc = "strict"\n')

    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_invalid_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool.flowc\n")

    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)

    assert str(raised.value).startswith(f"{pyproject} is not valid TOML: ")


def test_a_tool_entry_that_is_not_a_table_is_not_a_flowc_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'tool = "none"\n')

    assert load_config(tmp_path) == FlowcConfig()


def test_task_sources_are_relative_to_the_pyproject(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path, '[tool.flowc]\ntasks = ["app/tasks.py", "catalog.json", "app.jobs"]\n'
    )

    config = load_config(tmp_path / "deep")

    assert config.tasks == (
        TaskSource("app/tasks.py", tmp_path),
        TaskSource("catalog.json", tmp_path),
        TaskSource("app.jobs", tmp_path),
    )
    assert config.tasks[0].path == tmp_path / "app/tasks.py"
    assert FlowcConfig().tasks == ()
