"""The installed commands work as a user runs them: as processes, through their entry points."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

import flowlang
import rhythm
from rhythm.cli import main as rhythm_main

SCRIPTS = Path(sysconfig.get_path("scripts"))
BROKEN = "let total = 1\nreturn totl + total\n"


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_console_scripts_point_at_the_mains() -> None:
    scripts = {
        entry.name: entry.value
        for entry in metadata.distribution("rhythm-flow").entry_points
        if entry.group == "console_scripts"
    }

    assert scripts == {"flowc": "flowlang.cli:main", "rhythm": "rhythm.cli:main"}


def test_the_packages_carry_the_distribution_version() -> None:
    assert flowlang.__version__ == rhythm.__version__ == metadata.version("rhythm-flow")


def test_flowc_and_python_m_flowlang_behave_the_same(tmp_path: Path) -> None:
    (tmp_path / "bad.flow").write_text(BROKEN, encoding="utf-8")

    arguments = ["check", "--color", "never", "bad.flow"]
    script = run([str(SCRIPTS / "flowc"), *arguments], tmp_path)
    module = run([sys.executable, "-m", "flowlang", *arguments], tmp_path)

    assert script.returncode == module.returncode == 1
    assert "error[FLOW101]: undefined name `totl`" in script.stdout
    assert script.stdout == module.stdout
    assert script.stderr == module.stderr == ""


def test_flowc_reports_its_version(tmp_path: Path) -> None:
    result = run([str(SCRIPTS / "flowc"), "--version"], tmp_path)

    assert (result.returncode, result.stdout) == (0, f"flowc {flowlang.__version__}\n")


def test_the_rhythm_script_reports_its_version(tmp_path: Path) -> None:
    result = run([str(SCRIPTS / "rhythm"), "--version"], tmp_path)

    assert (result.returncode, result.stdout) == (0, f"rhythm {rhythm.__version__}\n")


def test_rhythm_without_a_command_shows_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert rhythm_main([]) == 2

    assert "usage: rhythm" in capsys.readouterr().err


def test_rhythm_rejects_what_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    assert rhythm_main(["frobnicate"]) == 2

    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
