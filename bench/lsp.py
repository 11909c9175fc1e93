"""How fast does the language server answer? Diagnostics after a change, and completion, on a
1,000-line file, through a real client talking to `flowc lsp` over stdio.

    python bench/lsp.py
    python bench/lsp.py --lines 1000 --edits 100 --completions 200

The file is the workflow `bench/compiler.py` generates, in a project whose `[tool.flowc]` task
catalog types every task it calls, so each analysis is the full check `flowc check` runs.

**Diagnostics.** Each edit changes one number literal somewhere in the file (the program stays
valid, so every analysis checks types) and is sent as an incremental `didChange`. The time runs
from sending the change to receiving the `publishDiagnostics` of that version: the debounce,
the analysis, the conversion and both pipes included. The next edit waits for those
diagnostics and a short pause, so that edits are not coalesced by the debounce.

**Completion.** At a random line, the user starts typing one of: a member of a task result
(`result_12.`), a namespace member (`Math.`), a task name (`Task.run("`) or a variable
(`tot`); the completion request follows the change at once, before any analysis of it, as
it does while typing (the analysis of the previous edit may still be running). The time runs
from the request to its answer. The edit is then undone.

The issue's budgets: diagnostics within 150 ms (p95) of a change, completion within 50 ms
(p95). For scale, the report ends with the time of the check alone in this process and the load
of the machine (other processes competing for the CPUs show in every figure). This is not a
test; it prints numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from flowlang.compiler.analysis import analyze

SEED = 20261125
DIAGNOSTICS_BUDGET_MS = 150
COMPLETION_BUDGET_MS = 50
# A number that is a whole token of the generated code (`* 7 +`, `retries: 3`), not part of a
# name (`total_7`) or of a string (`"step-7"`).
_NUMBER = re.compile(r"(?<=[ (\[])\d+(?=[ ,)\]\n])")
_RESULT = re.compile(r"^let (result_\d+) = ", re.M)


def load_generator() -> ModuleType:
    """`bench/compiler.py`, for its program generator and task catalog."""
    path = Path(__file__).with_name("compiler.py")
    spec = importlib.util.spec_from_file_location("bench_compiler", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def write_project(folder: Path, lines: int) -> tuple[Path, str]:
    generator = load_generator()
    (folder / "pyproject.toml").write_text(
        '[tool.flowc]\nworkflows = ["."]\ntasks = ["catalog.json"]\n', encoding="utf-8"
    )
    (folder / "catalog.json").write_text(json.dumps(generator.CATALOG_DOCUMENT), encoding="utf-8")
    text = generator.generate(lines).flow
    path = folder / "bench.flow"
    path.write_text(text, encoding="utf-8")
    return path, text


class Bench:
    def __init__(self, path: Path, text: str) -> None:
        self.uri = path.as_uri()
        self.text = text
        self.version = 1
        self.client = LanguageClient("flowc-bench", "1")
        self.arrivals: dict[int, float] = {}
        self.found: dict[int, list[str]] = {}
        self.waiting: dict[int, asyncio.Event] = {}
        self.errors: list[str] = []
        # pygls marks handlers with attributes, which bound methods cannot carry.
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(
            lambda params: self._published(params)
        )
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: self._logged(params))

    def _published(self, params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            self.arrivals[params.version] = time.perf_counter()
            self.found[params.version] = [d.message for d in params.diagnostics]
            waiting = self.waiting.pop(params.version, None)
            if waiting is not None:
                waiting.set()

    def _logged(self, params: types.LogMessageParams) -> None:
        if params.type == types.MessageType.Error:
            self.errors.append(params.message)

    async def start(self) -> float:
        await self.client.start_io(sys.executable, "-m", "flowlang", "lsp")
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        )
        self.client.initialized(types.InitializedParams())
        start = time.perf_counter()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(self.uri, "flow", self.version, self.text)
            )
        )
        return await self.diagnostics_of(self.version) - start

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def diagnostics_of(self, version: int, timeout: float = 30) -> float:
        """When the diagnostics of `version` arrived (waiting without using the CPU, which
        the server needs)."""
        if version not in self.arrivals:
            arrived = self.waiting.setdefault(version, asyncio.Event())
            try:
                await asyncio.wait_for(arrived.wait(), timeout)
            except TimeoutError:
                raise SystemExit(f"no diagnostics for version {version}: {self.errors}") from None
        return self.arrivals[version]

    def change(self, start: int, end: int, new: str) -> types.Position:
        """Replace `text[start:end]` (ASCII text: offsets are UTF-16 columns) with `new`;
        the position just after the new text."""
        before = self.text[:start]
        line, column = before.count("\n"), start - (before.rfind("\n") + 1)
        end_line = line + self.text[start:end].count("\n")
        end_column = (
            column + end - start if end_line == line else end - (self.text[:end].rfind("\n") + 1)
        )
        self.text = before + new + self.text[end:]
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                [
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            types.Position(line, column), types.Position(end_line, end_column)
                        ),
                        text=new,
                    )
                ],
            )
        )
        return types.Position(line, column + len(new))

    async def diagnostics_latencies(self, edits: int, rng: random.Random) -> list[float]:
        latencies = []
        for _ in range(edits):
            number = rng.choice(list(_NUMBER.finditer(self.text)))
            digit = str((int(number.group()[-1]) + 1) % 10)
            sent = time.perf_counter()
            self.change(number.end() - 1, number.end(), digit)
            latencies.append(await self.diagnostics_of(self.version) - sent)
            if self.found[self.version]:
                self.errors.append(f"version {self.version}: {self.found[self.version][0]}")
            await asyncio.sleep(rng.uniform(0.05, 0.15))
        return latencies

    async def completion_latencies(self, requests: int, rng: random.Random) -> list[float]:
        latencies = []
        line_starts = [m.end() for m in re.finditer("\n", self.text)][1:-2]
        for index in range(requests):
            at = rng.choice(line_starts)
            typed = self._typing(at, index)
            position = self.change(at, at, typed)
            sent = time.perf_counter()
            found = await self.client.text_document_completion_async(
                types.CompletionParams(types.TextDocumentIdentifier(self.uri), position)
            )
            latencies.append(time.perf_counter() - sent)
            if found is None:
                self.errors.append(f"no completion after {typed!r}")
            self.change(at, at + len(typed), "")
            await asyncio.sleep(rng.uniform(0.02, 0.08))
        return latencies

    def _typing(self, at: int, index: int) -> str:
        """What the user is typing at offset `at`: four kinds in turn."""
        results = _RESULT.findall(self.text[:at])
        kind = index % 4
        if kind == 0 and results:
            return f"{results[-1]}."
        if kind == 1:
            return "Math."
        if kind == 2:
            return 'Task.run("'
        return "tot"


def check_alone(text: str) -> float:
    generator = load_generator()
    times = []
    for _ in range(10):
        start = time.perf_counter()
        analyze(text, path="bench.flow", environment=generator.ENVIRONMENT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(what: str, latencies: list[float], budget_ms: float) -> None:
    ms = [value * 1000 for value in latencies]
    p95 = percentile(ms, 0.95)
    verdict = "within" if p95 <= budget_ms else "OVER"
    print(
        f"{what:<12} n={len(ms):<4} p50 {statistics.median(ms):6.1f} ms   "
        f"p95 {p95:6.1f} ms   max {max(ms):6.1f} ms   "
        f"({verdict} the {budget_ms:.0f} ms budget for p95)"
    )


async def measure(lines: int, edits: int, completions: int) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        path, text = write_project(Path(folder), lines)
        bench = Bench(path, text)
        opened = await bench.start()
        print(
            f"file: {text.count(chr(10)):,} lines; first diagnostics after open: "
            f"{opened * 1000:.0f} ms (start-up, catalog and parser tables included)"
        )
        diagnostics = await bench.diagnostics_latencies(edits, rng)
        completion = await bench.completion_latencies(completions, rng)
        await bench.stop()
    report("diagnostics", diagnostics, DIAGNOSTICS_BUDGET_MS)
    report("completion", completion, COMPLETION_BUDGET_MS)
    print(
        f"for scale: the check alone (analyze() in this process, median of 10) takes "
        f"{check_alone(text) * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    if bench.errors:
        print(f"problems: {bench.errors[:3]}")


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--lines", type=int, default=1000, help="size of the file")
    arguments.add_argument("--edits", type=int, default=100, help="edits timed for diagnostics")
    arguments.add_argument("--completions", type=int, default=200, help="completion requests timed")
    options = arguments.parse_args()
    asyncio.run(measure(options.lines, options.edits, options.completions))


if __name__ == "__main__":
    main()
