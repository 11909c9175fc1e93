"""`Worker`: runs the tasks and workflow steps of one queue from Postgres.

```python
from rhythm import Worker
Worker(queue="default", concurrency=8).run()   # until SIGINT/SIGTERM
```

How it works (ARCHITECTURE.md: the worker never busy-polls):

* **Claims.** The main loop claims as many pending executions as it has free slots (up to
  `claim_batch`) in one statement (`FOR UPDATE SKIP LOCKED`), each under a lease of `lease`
  seconds. It sleeps until a `NOTIFY rhythm_work '<queue>'` (a listener thread holds a
  `LISTEN` connection), a slot frees up, the next retry backoff ends, or `poll_interval`
  passes (the fallback if a notification is missed, e.g. while reconnecting). A freed slot
  leads to a claim only if work was announced since the last claim came back short.
* **Tasks.** Sync functions run on a thread pool of `concurrency` threads, `async def` ones on
  one asyncio loop thread. Results are recorded in batches by a flusher thread: one transaction
  for every result that arrived meanwhile, which also runs the next step of every workflow of
  this worker's queue that the results woke (the others are woken for their workers).
* **Workflow steps** claimed together run together, in one transaction right after the claim
  (`rhythm.worker_steps`). Tasks a step starts on this worker's queue are taken over, while
  slots are free: inserted `running` under this worker's lease and run at once, without a
  claim. So a workflow awaiting its tasks one at a time costs one transaction per task, shared
  with whatever else finished meanwhile. A batch of steps that fails as a whole (not one
  workflow's fault) is done again one step per transaction, each in a slot.
* **Announcements.** New work a step or a batch of results made (tasks, woken workflows) is
  announced to the workers of its queue after the commit, by one thread
  (`rhythm.worker_announce`). Work of the worker's own queue wakes its own claim loop, and
  is announced to the other workers only when this one has no free slot for it.
* **Maintenance** (one thread): heartbeats renew the leases of what the worker holds (a lost
  lease means another worker took the execution over: its result is dropped), due timers are
  fired every `sweep_interval`, executions whose lease expired (a crashed worker) are made
  pending again, and tasks past their timeout fail with `TimeoutError`. A sync task cannot be
  interrupted: its attempt fails at the deadline, its result is ignored, and its thread (and
  slot) stays busy until the function returns; an async task is cancelled.
* **Shutdown.** On SIGINT/SIGTERM (or `stop()`) the worker stops claiming, lets what it holds
  finish for up to `shutdown_timeout` seconds, records the results, and releases the rest to
  the queue (pending again at once, the interrupted attempt not counted). A second signal
  skips the wait. A stopping worker retries no database call: stopped during an outage, it
  exits within seconds, and what it could not record or release runs again once its leases
  expire.
* **Faults.** A lost database connection (a restart) is retried with a short backoff; nothing
  is lost since every change is a transaction and leases expire. An outage longer than the
  retries does not end the worker: it keeps trying every few seconds, logging a warning each
  time, and resumes when the database is back.

`run_until_idle(timeout)` serves the queue until there is nothing left to do (nothing held,
nothing pending, no timer of a suspended workflow ahead): for tests and scripts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import queue as queue_module
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import psycopg
from psycopg import Connection
from psycopg_pool import ConnectionPool

from rhythm.app import configured_limits
from rhythm.database import connect, create_pool, redact, resolve_database_url
from rhythm.errors import DatabaseError
from rhythm.limits import Limits
from rhythm.store.executions import wake
from rhythm.store.queue import (
    Claimed,
    TaskResult,
    claim,
    heartbeat,
    listen_for_work,
    next_run_in,
    reclaim_expired,
    record_results,
    release,
)
from rhythm.store.steps import Lease, sweep_timers, work_ahead
from rhythm.tasks import DEFAULT_QUEUE, REGISTRY, TaskRegistry
from rhythm.worker_announce import Announcer
from rhythm.worker_steps import StepDone, StepRunner, Takeover
from rhythm.worker_tasks import InvalidTaskInputs, PreparedCall, TaskCalls, UnknownTaskError

log = logging.getLogger("rhythm.worker")

T = TypeVar("T")

RETRY_BACKOFF_S = (0.05, 0.2, 0.5, 1.0, 2.0)  # waits between attempts at a failed DB call
# How long an attempt waits for a pooled connection. The pool has one for every thread that
# asks, so a wait means the database is unreachable: the attempt fails and is retried, and the
# worker says so every few seconds (the pool's own default is 30 s).
CONNECTION_WAIT_S = 5.0
SWEEP_BATCH = 500  # timers fired / leases reclaimed per statement
FLUSH_BATCH = 1000  # task results recorded per transaction
MAINTENANCE_TICK_S = 0.05  # how often timeouts are checked
STOP_CHECK_S = 0.25  # how often a thread blocked on the network checks for a stop


class _Held:
    """An execution this worker holds: its claim, deadline, and whether its outcome is
    settled (recorded, or to be dropped because the lease was lost)."""

    __slots__ = ("claimed", "deadline", "future", "settled")

    # `deadline` (monotonic seconds) is for sync tasks; async ones time out by `wait_for`.

    def __init__(self, claimed: Claimed, deadline: float | None) -> None:
        self.claimed = claimed
        self.deadline = deadline
        self.settled = False
        self.future: asyncio.Future[object] | None = None


class Worker:
    """Serves one queue; see the module documentation."""

    def __init__(
        self,
        queue: str = DEFAULT_QUEUE,
        concurrency: int = 8,
        database_url: str | None = None,
        *,
        lease: float = 30.0,
        poll_interval: float = 1.0,
        sweep_interval: float = 0.1,
        claim_batch: int = 100,
        shutdown_timeout: float = 30.0,
        registry: TaskRegistry = REGISTRY,
        limits: Limits | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"Worker(concurrency={concurrency}): concurrency must be 1 or more")
        if lease <= 0 or poll_interval <= 0 or sweep_interval <= 0:
            raise ValueError("Worker: lease, poll_interval and sweep_interval must be positive")
        self.queue = queue
        self.concurrency = concurrency
        self.database_url = resolve_database_url(database_url)
        self.lease = lease
        self.poll_interval = poll_interval
        self.sweep_interval = sweep_interval
        self.claim_batch = claim_batch
        self.shutdown_timeout = shutdown_timeout
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.limits = configured_limits(limits)  # rhythm.init's, when it was called here
        self._tasks = TaskCalls(registry, self.limits.result_bytes)
        self._steps = StepRunner(registry, self.limits)
        self._lock = threading.Lock()
        self._held: dict[str, _Held] = {}
        self._reserved = 0  # slots reserved for a claim, or for tasks a step takes over
        self._wake = threading.Event()
        # Work may be pending on the queue: set when work is announced (by this worker or a
        # NOTIFY), at each poll, and while claims come back full; cleared by a claim. A slot
        # that frees up wakes the claim loop, but it claims only if this is set.
        self._queued = threading.Event()
        self._stopping = threading.Event()
        self._hurry = threading.Event()  # a second signal: do not wait for held work
        self._done = threading.Event()  # held work is over: helper threads may exit
        self._results: queue_module.Queue[TaskResult] = queue_module.Queue()
        self._unflushed = 0  # results queued or being written
        self._pool: ConnectionPool | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads: list[threading.Thread] = []
        self._announcer: Announcer | None = None
        self._background: threading.Thread | None = None

    # -- public API

    def run(self) -> None:
        """Serve the queue until SIGINT/SIGTERM (or `stop()`), then shut down gracefully."""
        restore = self._install_signal_handlers()
        try:
            self._serve(until_idle=False, deadline=None)
        finally:
            restore()

    def run_until_idle(self, timeout: float = 30.0) -> None:
        """Serve the queue until nothing is left to do (see the module documentation);
        `TimeoutError` if that takes longer than `timeout` seconds."""
        self._serve(until_idle=True, deadline=time.monotonic() + timeout)

    def start(self) -> None:
        """Serve the queue on a background thread (stop it with `stop()`)."""
        self._background = threading.Thread(
            target=self._serve, args=(False, None), name="rhythm-worker", daemon=True
        )
        self._background.start()

    def stop(self, wait: bool = True) -> None:
        """Stop claiming and shut down gracefully; with `wait`, return once it has."""
        self._stopping.set()
        self._wake.set()
        if wait and self._background is not None:
            self._background.join()

    # -- the main loop

    def _serve(self, until_idle: bool, deadline: float | None) -> None:
        self._stopping.clear()
        self._hurry.clear()
        self._done.clear()
        self._queued.set()
        self._pool = create_pool(self.database_url, min_size=2, max_size=self.concurrency + 4)
        self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="rhythm-task")
        self._start_threads()
        log.info(
            "worker %s serving queue %r (concurrency %d) on %s",
            self.owner,
            self.queue,
            self.concurrency,
            redact(self.database_url),
        )
        try:
            self._claim_loop(until_idle, deadline)
        finally:
            self._shut_down()

    def _claim_loop(self, until_idle: bool, deadline: float | None) -> None:
        while not self._stopping.is_set():
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(
                    f"worker on queue {self.queue!r} still had work after the run_until_idle "
                    "timeout; raise the timeout or look for a workflow waiting on a long timer"
                )
            try:
                if self._claim_round(until_idle):
                    return
            except psycopg.OperationalError as error:
                if self._stopping.is_set():
                    return  # `_db` does not retry then: there is nothing more to claim
                # `_db` has retried and given up: the database is down or unreachable (a
                # restart, a network outage). Nothing is lost meanwhile (every change is a
                # transaction, leases expire), so the worker waits and tries again, for as
                # long as it takes.
                log.warning(
                    "database unreachable (%s); trying again in %.0f s",
                    error,
                    RETRY_BACKOFF_S[-1],
                )
                self._stopping.wait(RETRY_BACKOFF_S[-1])

    def _claim_round(self, until_idle: bool) -> bool:
        """Claim what the free slots allow, then wait for more work unless there may be
        more right away; True when `until_idle` and nothing is left to do."""
        self._wake.clear()
        with self._lock:
            free = self._free_slots()
        claimed = None
        if free > 0 and self._queued.is_set():
            self._queued.clear()
            slots, count = self._claim(min(free, self.claim_batch))
            if slots == 0:
                self._queued.set()  # the slots were taken meanwhile: claim once one frees up
            else:
                claimed = count
                if count == slots:
                    self._queued.set()  # there may be more right away
                    return False
        if until_idle and not claimed and self._idle():
            return True
        if not self._wake.wait(self._sleep_time(claimed)):
            self._queued.set()  # the poll: in case a notification was missed
        return False

    def _claim(self, wanted: int) -> tuple[int, int]:
        """Claim up to `wanted` pending executions, as many as there are free slots to reserve
        for them: tasks run in their slots, and the steps of the workflows claimed run together
        in one transaction (their slots are then free for the tasks the steps take over).
        Returns the slots reserved and how many executions were claimed."""
        slots = self._reserve(wanted, own_slot=False)
        if slots == 0:
            return 0, 0
        try:
            claimed = self._db(lambda conn: claim(conn, self.queue, slots, self.owner, self.lease))
        except BaseException:
            with self._lock:
                self._reserved -= slots
            raise
        workflows = [item for item in claimed if item.type == "workflow"]
        for item in claimed:
            if item.type == "task":
                self._dispatch(item, reserved=True)
        with self._lock:
            self._reserved -= slots - len(claimed)  # the slots nothing was claimed for
        if workflows:
            self._step_and_dispatch(
                functools.partial(self._step_claimed, workflows=workflows),
                own_slot=False,
                spare=len(workflows),
            )
        return slots, len(claimed)

    def _step_claimed(
        self, conn: Connection, takeover: Takeover, *, workflows: list[Claimed]
    ) -> StepDone:
        """The steps of `workflows`, claimed, in one transaction. Should that fail for anything
        but a lost connection (a fault of the runtime, or of a workflow's data), each steps in
        a slot and a transaction of its own instead, where such a fault fails only its own
        workflow."""
        try:
            with conn.transaction():
                return self._steps.run_claimed(conn, workflows, self.owner, takeover)
        except psycopg.OperationalError:
            raise
        except Exception:
            log.exception("could not run the steps of %d workflows together", len(workflows))
            return StepDone(frozenset(), tuple(workflows))

    def _sleep_time(self, claimed: int | None) -> float:
        """Until the next poll, or until a retry's backoff ends when a claim came back short
        (`claimed` executions; None: no claim was made)."""
        if claimed is None or claimed:
            return self.poll_interval  # woken early when work comes or a slot frees up
        upcoming = self._db(lambda conn: next_run_in(conn, self.queue))
        if upcoming is None:
            return self.poll_interval
        if upcoming <= 0:
            self._queued.set()  # due already: claim again
        return min(self.poll_interval, max(upcoming, 0.001))

    def _idle(self) -> bool:
        with self._lock:
            busy = bool(self._held) or self._unflushed > 0
        return not busy and not self._db(lambda conn: work_ahead(conn, self.queue))

    # -- running what was claimed

    def _dispatch(self, claimed: Claimed, reserved: bool = False) -> None:
        """Run what was claimed (or taken over by a step, in a slot it `reserved`)."""
        timeout = None if claimed.timeout_ms is None else claimed.timeout_ms / 1000
        definition = self._tasks.definition(claimed.name) if claimed.type == "task" else None
        is_async = definition is not None and definition.is_async
        deadline = None if timeout is None or is_async else time.monotonic() + timeout
        held = _Held(claimed, deadline)
        with self._lock:
            self._held[claimed.id] = held
            if reserved:
                self._reserved -= 1
        assert self._executor is not None
        if is_async:
            self._run_async(held, timeout)
        else:
            self._executor.submit(self._run_held, held)

    def _run_held(self, held: _Held) -> None:
        try:
            if held.claimed.type == "workflow":
                self._run_step(held.claimed)
            else:
                self._settle(held, self._attempt(held.claimed))
        finally:
            self._release_slot(held.claimed.id)

    def _attempt(self, claimed: Claimed) -> TaskResult:
        call = self._prepare(claimed)
        if isinstance(call, TaskResult):
            return call
        try:
            result = call()
        except Exception as error:  # the task's failure (§8.3)
            return self._tasks.failed(claimed, error)
        return self._tasks.succeeded(claimed, result)

    def _run_async(self, held: _Held, timeout: float | None) -> None:
        loop = self._event_loop()

        def begin() -> None:
            task = loop.create_task(self._attempt_async(held.claimed, timeout))
            held.future = task
            task.add_done_callback(lambda done: self._finish_async(held, done))

        loop.call_soon_threadsafe(begin)

    def _prepare(self, claimed: Claimed) -> PreparedCall | TaskResult:
        """The call to make, or the failed attempt when it cannot be made."""
        try:
            return self._tasks.prepare(claimed)
        except InvalidTaskInputs as error:  # every attempt would fail alike: no retry
            return self._tasks.failed(claimed, error, error_type="TypeError", retry=False)
        except UnknownTaskError as error:  # a deploy may bring the task: retries apply
            return self._tasks.failed(claimed, error, error_type="UnknownTaskError")

    async def _attempt_async(self, claimed: Claimed, timeout: float | None) -> TaskResult:
        call = self._prepare(claimed)
        if isinstance(call, TaskResult):
            return call
        try:
            result = await asyncio.wait_for(call(), timeout)
        except TimeoutError:
            return self._tasks.timed_out(claimed)
        except Exception as error:  # the task's failure (§8.3)
            return self._tasks.failed(claimed, error)
        return self._tasks.succeeded(claimed, result)

    def _finish_async(self, held: _Held, done: asyncio.Future[TaskResult]) -> None:
        claimed = held.claimed
        try:
            if done.cancelled():  # its cancellation was requested (§10.9)
                message = f"Task '{claimed.name}' was cancelled"
                cancelled = self._tasks.failed(
                    claimed, None, error_type="CancelledError", message=message, retry=False
                )
                self._settle(held, cancelled)
            else:
                self._settle(held, done.result())
        finally:
            self._release_slot(held.claimed.id)

    def _run_step(self, claimed: Claimed) -> None:
        def step(conn: Connection, takeover: Takeover) -> StepDone:
            return self._steps.run(conn, claimed, self.owner, takeover)

        try:
            self._step_and_dispatch(step, own_slot=True)
        except psycopg.Error:
            log.exception("workflow step of %s failed to commit; it will run again", claimed.id)
        except Exception as error:  # a fault of the runtime, not of the workflow's code
            log.exception("workflow step of %s (%s) crashed", claimed.id, claimed.name)
            fail = functools.partial(
                self._steps.fail, claimed=claimed, owner=self.owner, error=error
            )
            self._announce(self._db(fail))

    def _step_and_dispatch(
        self, step: Callable[[Connection, Takeover], StepDone], own_slot: bool, spare: int = 0
    ) -> None:
        """Run `step` (a transaction that may take tasks over into slots it reserves), then
        dispatch what it took, give back the slots it did not use, and announce. `own_slot`:
        whether `step` runs in a slot of its own, free once it ends; `spare`: slots reserved
        for it already, used first."""
        reserved = spare

        def reserve(wanted: int) -> int:
            nonlocal reserved, spare
            from_spare = min(wanted, spare)
            spare -= from_spare
            granted = self._reserve(wanted - from_spare, own_slot) if wanted > from_spare else 0
            reserved += granted
            return from_spare + granted

        takeover = Takeover(self.queue, Lease(self.owner, self.lease), reserve)
        done = None
        try:
            done = self._db(lambda conn: step(conn, takeover))
        finally:
            taken = () if done is None else done.taken
            for task_claim in taken:
                self._dispatch(task_claim, reserved=True)
            with self._lock:
                self._reserved -= reserved - len(taken)
        if done is not None:
            self._announce(done.new_work)

    def _reserve(self, wanted: int, own_slot: bool) -> int:
        """Reserve up to `wanted` free slots, for what a claim brings or the tasks a step takes
        over; how many it got. A step's `own_slot` counts as free: it is released when the step
        ends."""
        with self._lock:
            free = self._free_slots() + own_slot
            granted = max(0, min(wanted, free))
            self._reserved += granted
        return granted

    def _free_slots(self) -> int:
        return self.concurrency - len(self._held) - self._reserved

    def _settle(self, held: _Held, result: TaskResult) -> None:
        """Queue `result` for recording, unless the attempt's outcome is already settled."""
        with self._lock:
            if held.settled:
                return
            held.settled = True
            self._unflushed += 1
        self._results.put(result)

    def _announce(self, queues: frozenset[str] | set[str]) -> None:
        """Tell the workers of `queues` about new work. Work of this worker's own queue is
        claimed by this worker when it has a free slot: it wakes its own claim loop, and tells
        the other workers only when it has no room (so they do not all race for it)."""
        others = set(queues)
        if self.queue in queues:
            self._queued.set()
            self._wake.set()
            with self._lock:
                if self._free_slots() > 0:
                    others.discard(self.queue)
        assert self._announcer is not None
        self._announcer.announce(others)

    def _release_slot(self, execution_id: str) -> None:
        with self._lock:
            self._held.pop(execution_id, None)
        self._wake.set()

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._loop.run_forever, name="rhythm-async", daemon=True
                )
                thread.start()
            return self._loop

    # -- helper threads

    def _start_threads(self) -> None:
        self._announcer = Announcer(self._db)
        self._announcer.start()
        self._threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in (
                (self._listen, "rhythm-listen"),
                (self._flush_loop, "rhythm-flush"),
                (self._maintain, "rhythm-maintain"),
            )
        ]
        for thread in self._threads:
            thread.start()

    def _listen(self) -> None:
        """Wake the claim loop on `NOTIFY rhythm_work '<queue>'`; reconnect when the
        connection drops (the claim loop's poll covers the gap)."""
        while not self._stopping.is_set():
            try:
                with connect(self.database_url, autocommit=True) as conn:
                    listen_for_work(conn)
                    self._queued.set()  # anything sent while not listening
                    self._wake.set()
                    while not self._stopping.is_set():
                        for notice in conn.notifies(timeout=STOP_CHECK_S):
                            if notice.payload == self.queue:
                                self._queued.set()
                                self._wake.set()
            except Exception as error:
                # A lost server is said in one line (it repeats for as long as an outage
                # lasts); anything else comes with its traceback.
                log.warning(
                    "LISTEN connection lost (%s); reconnecting in %.0f s",
                    error,
                    RETRY_BACKOFF_S[-1],
                    exc_info=not isinstance(error, psycopg.Error | DatabaseError),
                )
                self._stopping.wait(RETRY_BACKOFF_S[-1])

    def _flush_loop(self) -> None:
        while not (self._done.is_set() and self._results.empty()):
            try:
                first = self._results.get(timeout=MAINTENANCE_TICK_S)
            except queue_module.Empty:
                continue
            batch = [first]
            while len(batch) < FLUSH_BATCH:
                try:
                    batch.append(self._results.get_nowait())
                except queue_module.Empty:
                    break
            batch.sort(key=lambda result: result.id)  # lock rows in one order
            try:
                self._record(batch)
            except psycopg.Error:
                log.exception(
                    "could not record %d task results; their leases will expire and the tasks "
                    "run again",
                    len(batch),
                )
            with self._lock:
                self._unflushed -= len(batch)
            self._wake.set()

    def _record(self, batch: list[TaskResult]) -> None:
        """Record `batch` and run the next step of the workflows it woke on this worker's
        queue, in one transaction. Should that fail for anything but a lost connection (a
        fault of the runtime, or of a workflow's data), the results are recorded alone and the
        woken workflows step through the queue, where such a fault fails only its own
        workflow."""
        try:
            self._step_and_dispatch(
                functools.partial(self._record_in, batch=batch, step=True), own_slot=False
            )
        except psycopg.OperationalError:
            raise
        except Exception:
            log.exception(
                "could not run the steps %d task results woke; recording the results alone",
                len(batch),
            )
            self._step_and_dispatch(
                functools.partial(self._record_in, batch=batch, step=False), own_slot=False
            )

    def _record_in(
        self, conn: Connection, takeover: Takeover, *, batch: list[TaskResult], step: bool
    ) -> StepDone:
        with conn.transaction():
            recorded = record_results(conn, batch, self.owner)
            done, stepped = StepDone(frozenset()), set[str]()
            if step and not self._stopping.is_set():
                done, stepped = self._steps.run_woken(conn, recorded.parents, self.queue, takeover)
            others = [parent for parent in recorded.parents if parent not in stepped]
            queues = wake(conn, others, finished=recorded.finished) | recorded.retry_queues
        return StepDone(done.new_work | queues, done.taken)

    def _maintain(self) -> None:
        next_heartbeat = next_sweep = 0.0
        while not self._done.wait(MAINTENANCE_TICK_S):
            now = time.monotonic()
            self._enforce_timeouts(now)
            try:
                if now >= next_heartbeat:
                    next_heartbeat = now + self.lease / 3
                    self._heartbeat()
                if now >= next_sweep and not self._stopping.is_set():
                    next_sweep = now + self.sweep_interval
                    self._sweep()
            except psycopg.Error as error:  # a lost server in one line, other errors in full
                log.warning(
                    "maintenance failed (%s); retrying",
                    error,
                    exc_info=not isinstance(error, psycopg.OperationalError),
                )

    def _heartbeat(self) -> None:
        with self._lock:
            ids = list(self._held)
        if not ids:
            return
        still_held = self._db(lambda conn: heartbeat(conn, ids, self.owner, self.lease))
        for execution_id in ids:
            cancel_requested = still_held.get(execution_id)
            if cancel_requested is False:
                continue
            with self._lock:
                held = self._held.get(execution_id)
                # A step checks its lease in its own transaction (and releases it on commit).
                # (A settled task may be finished already: its outcome is no longer ours.)
                if (
                    held is not None
                    and held.claimed.type == "task"
                    and cancel_requested is None
                    and not held.settled
                ):
                    held.settled = True  # another worker has it now: drop our result
                    log.warning("lease of %s lost; its result will be dropped", execution_id)
            if held is not None and held.future is not None and self._loop is not None:
                self._loop.call_soon_threadsafe(held.future.cancel)

    def _sweep(self) -> None:
        def sweep(conn: Connection) -> None:
            with conn.transaction():
                sweep_timers(conn, SWEEP_BATCH)
            with conn.transaction():
                reclaim_expired(conn, SWEEP_BATCH)

        self._db(sweep)

    def _enforce_timeouts(self, now: float) -> None:
        with self._lock:
            overdue = [
                held
                for held in self._held.values()
                if held.deadline is not None and now > held.deadline and not held.settled
            ]
        for held in overdue:
            self._settle(held, self._tasks.timed_out(held.claimed))

    # -- shutdown

    def _shut_down(self) -> None:
        self._stopping.set()
        self._wake.set()
        limit = time.monotonic() + self.shutdown_timeout
        while self._held and time.monotonic() < limit and not self._hurry.is_set():
            time.sleep(MAINTENANCE_TICK_S)
        self._done.set()
        for thread in self._threads:
            thread.join()
        with self._lock:
            unfinished = [i for i, held in self._held.items() if not held.settled]
        if unfinished:
            try:
                count = self._db(lambda conn: release(conn, unfinished, self.owner))
                log.info("released %d unfinished executions back to queue %r", count, self.queue)
            except psycopg.OperationalError as error:
                log.warning(
                    "could not release %d unfinished executions (%s); they run again when "
                    "their leases expire",
                    len(unfinished),
                    error,
                )
        assert self._executor is not None and self._pool is not None
        assert self._announcer is not None
        self._announcer.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = None
        self._pool.close()

    def _install_signal_handlers(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def on_signal(number: int, _frame: object) -> None:
            if self._stopping.is_set():
                self._hurry.set()
            log.info("received %s: stopping", signal.Signals(number).name)
            self._stopping.set()
            self._wake.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore

    # -- database calls

    def _db(self, operation: Callable[[Connection], T]) -> T:
        """Run `operation` on a pooled connection (autocommit: it opens its own transactions),
        retrying lost connections, deadlocks and serialization failures a few times. Once the
        worker is stopping, a failed call is not retried: what it leaves undone is redone when
        its leases expire, and a worker stopped during an outage must not wait it out."""
        assert self._pool is not None
        for wait in (*RETRY_BACKOFF_S, None):
            try:
                with self._pool.connection(timeout=CONNECTION_WAIT_S) as conn:
                    conn.autocommit = True
                    return operation(conn)
            except psycopg.OperationalError as error:  # includes deadlocks
                if wait is None or self._stopping.is_set():
                    raise
                log.warning("database call failed (%s); retrying in %.2f s", error, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")
