"""The `rhythm.vm.Host` of a workflow step on Postgres: the clock and the outcomes of leaf
promises, read from the store under the step's row lock (LANGUAGE.md §10.4).

Everything the step may ask is read before the VM runs, in one query for all the steps of a
batch (`rhythm.store.steps.read_outcomes`, with what `leaves_of` finds in each snapshot): the
tasks and children its snapshot's promise table refers to, and the signals its claims are due.
A task or child started by this very step has no row yet, so it is pending; a `Signal.next`
made by this step may find a signal already buffered, which is one more query for that
claim.

Settle times (§10.4): a task or child, when its row reached its final state; a timer, its due
time; a signal claim, the later of the send and the claim. All from the database's clock, the
one that fires timers.
"""

from __future__ import annotations

import copy
from typing import Any

from psycopg import Connection

from rhythm.failures import workflow_failed
from rhythm.json_data import loads
from rhythm.promises import Outcome
from rhythm.store.steps import Leaves, Outcomes, read_signal


class PostgresHost:
    """The host of one step of execution `leaves.execution_id`, which asked `outcomes` for
    its `leaves`."""

    def __init__(
        self,
        conn: Connection,
        leaves: Leaves,
        outcomes: Outcomes,
        *,
        inputs: Any,
        context: dict[str, Any],
    ) -> None:
        self._conn = conn
        self._id = leaves.execution_id
        self._inputs = inputs
        self._context = context
        self._asked_ids = set(leaves.ids)
        self._asked_claims = set(leaves.claims)
        self._outcomes = outcomes
        self._signals = {
            (name, claim): sent
            for (receiver, name, claim), sent in outcomes.signals.items()
            if receiver == self._id
        }

    def now(self) -> int:
        return self._outcomes.now_ms

    def inputs(self) -> Any:
        return copy.deepcopy(self._inputs)

    def context(self) -> dict[str, Any]:
        return dict(self._context)

    def leaf_outcome(self, record: dict[str, Any]) -> Outcome | None:
        kind = record["kind"]
        if kind == "timer":
            due = record["due"]
            return Outcome(True, None, due) if due <= self.now() else None
        if kind == "signal":
            return self._signal(record)
        if record["id"] not in self._asked_ids:
            return None  # started by this step: its row is not even written yet
        stored = self._outcomes.executions.get(record["id"])
        if stored is None:
            return None
        value = None if stored.output is None else loads(stored.output)
        if stored.status == "completed":
            return Outcome(True, value, stored.finished_ms)
        if kind == "workflow":
            value = workflow_failed(stored.name, stored.execution_id, value)
        return Outcome(False, value, stored.finished_ms)

    def _signal(self, record: dict[str, Any]) -> Outcome | None:
        key = (record["name"], int(record["claim"]))
        sent = self._signals.get(key)
        if sent is None and key not in self._asked_claims:
            self._asked_claims.add(key)
            sent = read_signal(self._conn, self._id, *key)
            if sent is not None:
                self._signals[key] = sent
        if sent is None:
            return None
        payload, sent_ms = sent
        return Outcome(True, loads(payload), max(sent_ms, int(record["claimed_at"])))


def leaves_of(execution_id: str, snapshot: dict[str, Any] | None) -> Leaves:
    """The task/child ids and the signal claims (name, claim) of a snapshot's promise table."""
    ids: list[str] = []
    claims: list[tuple[str, int]] = []
    for record in (snapshot or {}).get("promises", ()):
        kind = record.get("kind")
        if kind in ("task", "workflow"):
            ids.append(record["id"])
        elif kind == "signal":
            claims.append((record["name"], int(record["claim"])))
    return Leaves(execution_id, ids, claims)
