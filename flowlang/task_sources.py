"""Where `flowc` gets the task catalog: catalog files, or Python modules exported on the fly.

A source is a `.json` catalog file, a path to a `.py` file, or a dotted module name
(`flowc check --tasks`, `[tool.flowc] tasks`). Python sources are exported by running
`python -m rhythm.catalog` in a subprocess with the interpreter flowc runs on: flowlang never
imports rhythm, and importing the user's modules into flowc's own process would run their
code there. Every Python source of one folder is exported by one subprocess; the catalogs of all
sources are then merged, and a task found in two of them is an error.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flowlang.compiler.catalog import (
    CatalogError,
    merge_catalogs,
    parse_catalog,
    read_catalog_file,
)
from flowlang.compiler.environment import TaskSignature

# What `python -m rhythm.catalog` writes before its own error messages (rhythm/catalog.py).
_EXPORTER_ERROR_PREFIX = "rhythm.catalog: error: "
_EXPORTER = ("-m", "rhythm.catalog")


@dataclass(frozen=True)
class TaskSource:
    """One source as written, and the folder it is relative to (where a module is imported
    from: the working directory for `--tasks`, the pyproject's folder for the config)."""

    spec: str
    folder: Path

    @property
    def is_catalog_file(self) -> bool:
        return self.spec.endswith(".json")

    @property
    def path(self) -> Path:
        return self.folder / self.spec


def load_task_catalog(sources: Sequence[TaskSource]) -> dict[str, TaskSignature]:
    """The merged catalog of `sources`; raises `CatalogError` with a message for the user."""
    catalogs: list[tuple[str, dict[str, TaskSignature]]] = []
    for source in sources:
        if source.is_catalog_file:
            catalogs.append((source.spec, read_catalog_file(source.path, shown_as=source.spec)))
    for folder, modules in _python_sources_by_folder(sources).items():
        text = export_catalog(modules, folder=folder)
        origin = ", ".join(modules)
        catalogs.append((origin, parse_catalog(text, origin=f"exported from {origin}")))
    return merge_catalogs(catalogs)


def _python_sources_by_folder(sources: Sequence[TaskSource]) -> dict[Path, list[str]]:
    grouped: dict[Path, list[str]] = {}
    for source in sources:
        if not source.is_catalog_file:
            grouped.setdefault(source.folder, []).append(source.spec)
    return grouped


def export_catalog(modules: Sequence[str], *, folder: Path, output: str | None = None) -> str:
    """Run `python -m rhythm.catalog MODULE... [-o output]` in `folder` and return what it
    printed; its failures become a `CatalogError` with its own message."""
    command = [sys.executable, *_EXPORTER, *modules, *(["-o", output] if output else [])]
    try:
        finished = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    except OSError as error:
        raise CatalogError(f"cannot run `{' '.join(command)}`: {error.strerror}") from None
    if finished.returncode != 0:
        raise CatalogError(_exporter_failure(finished.stderr, modules))
    return finished.stdout


def _exporter_failure(stderr: str, modules: Sequence[str]) -> str:
    """The exporter's own message when it gave one, else what went wrong running it."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    for line in lines:
        if line.startswith(_EXPORTER_ERROR_PREFIX):
            return line.removeprefix(_EXPORTER_ERROR_PREFIX)
    last = lines[-1] if lines else "no message"
    return (
        f"cannot export the task catalog of {', '.join(modules)}: "
        f"`python -m rhythm.catalog` failed: {last}\n"
        "  help: exporting tasks from Python needs the `rhythm` package installed where flowc "
        "runs; or pass a catalog file (`--tasks catalog.json`)"
    )
