"""When documents are analysed: debounced after edits, off the event loop, latest edit wins.

A change does not start an analysis at once: it (re)starts a short timer, so that a burst of
keystrokes or a multi-cursor edit is analysed once, for its last version. The timer is shorter
for the first change after a pause (`QUIET_DELAY`: long enough to gather the changes an editor
sends together) than for a change that follows another one closely (`DEBOUNCE_SECONDS`): a
single edit is checked almost at once, a stream of keystrokes once it pauses.

When the timer fires, the analysis runs on one worker thread (so the event loop keeps answering
completion and hover while a large file is checked) and its result goes to `on_analyzed`, which
records it and publishes its diagnostics when it is still the document's current version. A
result for a version the user has since edited is kept for the features (it is the newest
analysis there is) but its diagnostics are not published: the analysis of the newer version is
already on its way.

A feature that needs the analysis of the current text (navigation, rename, symbols) calls
`current()`, which starts a pending analysis at once instead of waiting for its timer, and
shares an analysis already running for that version.

The delays are short because the issue's budget (diagnostics within 150 ms of a change, on a
1,000-line file) includes them; measure with `bench/lsp.py` before changing them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flowlang.lsp.documents import Analyzed, Document
from flowlang.lsp.projects import AnalysisRequest, Projects

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.05
QUIET_DELAY = 0.01


class Superseded(Exception):
    """The document changed before its queued analysis started; the analysis is skipped."""


@dataclass
class _Job:
    version: int
    future: asyncio.Future[Analyzed]


class Analyses:
    def __init__(
        self,
        documents: dict[str, Document],
        on_analyzed: Callable[[Document, Analyzed], None],
        on_failure: Callable[[Document, BaseException], None],
        *,
        debounce: float = DEBOUNCE_SECONDS,
    ) -> None:
        self._documents = documents
        self._on_analyzed = on_analyzed
        self._on_failure = on_failure
        self._debounce = debounce
        self._projects = Projects()
        # One thread: analyses run one at a time, in order, and the caches of `Projects` need
        # no lock.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowc-analysis")
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._last_change: dict[str, float] = {}
        self._jobs: dict[str, _Job] = {}

    def warm_up(self, run: Callable[[], object]) -> None:
        """Run `run` on the analysis thread before any analysis (the parser builds its tables
        on first use, which would otherwise delay the first diagnostics)."""
        self._executor.submit(run)

    def changed(self, uri: str) -> None:
        """The document changed (or opened): analyse it after the delay (see the module doc)."""
        self._cancel_timer(uri)
        loop = asyncio.get_running_loop()
        now = loop.time()
        previous = self._last_change.get(uri)
        in_burst = previous is not None and now - previous < self._debounce
        delay = self._debounce if in_burst else min(QUIET_DELAY, self._debounce)
        self._last_change[uri] = now
        self._timers[uri] = loop.call_later(delay, self._start, uri)

    def closed(self, uri: str) -> None:
        self._cancel_timer(uri)
        self._jobs.pop(uri, None)
        self._last_change.pop(uri, None)

    async def current(self, uri: str) -> Analyzed | None:
        """The analysis of the document's current version, started now if it was waiting;
        None once the document is closed."""
        while (document := self._documents.get(uri)) is not None:
            if document.latest is not None and document.latest.version == document.version:
                return document.latest
            job = self._jobs.get(uri)
            if job is None or job.version != document.version:
                self._cancel_timer(uri)
                job = self._start(uri)
            try:
                return await asyncio.shield(job.future)
            except Superseded:
                continue  # edited while queued: the newer version is the current one now
        return None

    def shutdown(self) -> None:
        for uri in list(self._timers):
            self._cancel_timer(uri)
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- internals ------------------------------------------------------------------------

    def _cancel_timer(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def _start(self, uri: str) -> _Job:
        self._timers.pop(uri, None)
        document = self._documents[uri]
        request = AnalysisRequest(
            uri=uri,
            path=document.path,
            text=document.text,
            version=document.version,
            open_texts={
                other.path: other.text
                for other in self._documents.values()
                if other.uri != uri and other.path is not None
            },
        )
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._run, request)
        job = _Job(request.version, future)
        self._jobs[uri] = job
        future.add_done_callback(lambda done: self._finished(uri, job, done))
        return job

    def _run(self, request: AnalysisRequest) -> Analyzed:
        """On the analysis thread. A version edited since it was queued is skipped: its
        diagnostics would not be published, and the newer version is queued behind it. (The
        version is read across threads: one attribute read, and a stale answer costs no more
        than one analysis.)"""
        document = self._documents.get(request.uri)
        if document is None or document.version != request.version:
            raise Superseded
        return self._projects.analyze(request)

    def _finished(self, uri: str, job: _Job, done: asyncio.Future[Analyzed]) -> None:
        if self._jobs.get(uri) is job:
            del self._jobs[uri]
        document = self._documents.get(uri)
        if document is None or done.cancelled():
            return
        error = done.exception()
        if isinstance(error, Superseded):
            return
        if error is not None:
            self._on_failure(document, error)
            return
        self._on_analyzed(document, done.result())
