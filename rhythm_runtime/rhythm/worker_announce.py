"""Announcing new work after the transaction that made it has committed.

A NOTIFY sent inside a transaction costs every other notifying transaction of the server a
wait: Postgres serializes their commits, WAL flush included, on one lock. With each workflow
step and each batch of task results notifying, that lock was where the worker spent its time
(measured: steps waiting on `Lock: object` at COMMIT). So the worker's hot paths only collect
the queues they gave work to, and one announcer thread sends them: every queue asked for since
its last send, in one transaction of its own. Requests that arrive while a send is in flight
are merged into the next one, so a busy worker sends few notifications.

Sending after the commit keeps the guarantee that matters: a worker never wakes for a row it
cannot see. A worker that dies between the commit and the send costs the other workers a poll
interval at most (they poll as a fallback).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import psycopg
from psycopg import Connection

from rhythm.store.executions import notify_queues

log = logging.getLogger("rhythm.worker")

T = TypeVar("T")

Database = Callable[[Callable[[Connection], T]], T]


class Announcer:
    """Collects queues with new work and notifies their workers from its own thread."""

    def __init__(self, database: Database[None]) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._queues: set[str] = set()
        self._asked = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="rhythm-announce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def announce(self, queues: Iterable[str]) -> None:
        """Notify the workers of `queues` soon (call it after the commit)."""
        with self._lock:
            self._queues.update(queues)
            if self._queues:
                self._asked.set()

    def close(self) -> None:
        """Send what is left, then stop the thread."""
        with self._lock:
            self._closing = True
            self._asked.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            with self._lock:
                queues, self._queues = self._queues, set()
                self._asked.clear()
                closing = self._closing
            if queues:
                self._send(queues)
            if closing:
                return

    def _send(self, queues: set[str]) -> None:
        def send(conn: Connection) -> None:
            with conn.transaction():
                notify_queues(conn, queues)

        try:
            self._database(send)
        except psycopg.Error:  # the workers' poll finds the work anyway
            log.warning("could not announce work on %s", sorted(queues), exc_info=True)
