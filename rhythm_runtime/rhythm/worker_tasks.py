"""One task attempt in the worker: inputs validated, the function called, the result checked,
and the outcome turned into what the store records (LANGUAGE.md §8.3, §9.2).

Inputs are validated against the function's annotations by pydantic before the function runs
(the same reading of the signature as the task catalog: one parameter named `inputs` or typed
by a model, TypedDict or dataclass receives the whole object; otherwise each input is a keyword
argument). Inputs that do not fit fail the execution at once, without retries: every attempt
would fail the same way. A result must be JSON data (a pydantic model is dumped in JSON mode)
within `Limits.result_bytes`; anything else fails the attempt. A failed attempt is retried
while retries remain, after the execution's retry delay doubled per attempt already made,
capped at one hour.
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
import typing_extensions

from rhythm.failures import task_failure
from rhythm.json_data import NotJsonError, dumps, json_data, loads
from rhythm.limits import too_large
from rhythm.store.queue import Claimed, TaskResult
from rhythm.tasks import TaskDefinition, TaskRegistry

MAX_RETRY_DELAY_MS = 3_600_000  # LANGUAGE.md §9.2: the doubling backoff stops at one hour

log = logging.getLogger("rhythm.worker")

_Validator = Callable[..., tuple[tuple[Any, ...], dict[str, Any]]]


class InvalidTaskInputs(TypeError):
    """Inputs that do not fit the task function's parameters."""


class UnknownTaskError(LookupError):
    """The worker claimed a task that no module it imported registers."""


class ResultTooLarge(ValueError):
    """A task returned more JSON than `Limits.result_bytes` allows (its failure's `type`)."""


@dataclass(frozen=True)
class PreparedCall:
    """The function of a claimed task, bound to its validated inputs."""

    definition: TaskDefinition
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def __call__(self) -> Any:
        return self.definition.function(*self.args, **self.kwargs)


class TaskCalls:
    """Prepares and judges task attempts for the tasks of `registry`."""

    def __init__(self, registry: TaskRegistry, result_bytes: int) -> None:
        self._registry = registry
        self._result_bytes = result_bytes
        self._validators: dict[str, tuple[_Validator, bool]] = {}

    def definition(self, name: str) -> TaskDefinition | None:
        return self._registry.get(name)

    def prepare(self, claimed: Claimed) -> PreparedCall:
        """The call of `claimed`'s function with its inputs validated; `UnknownTaskError` or
        `InvalidTaskInputs` when it cannot be made."""
        definition = self._registry.get(claimed.name)
        if definition is None:
            known = ", ".join(f"'{d.name}'" for d in self._registry.all()) or "none"
            raise UnknownTaskError(
                f"no task '{claimed.name}' is registered in this worker (registered: {known}); "
                "start the worker with the module that defines it (rhythm worker -m MODULE)"
            )
        inputs = loads(claimed.inputs)
        validator, whole = self._validator(definition)
        try:
            if whole:
                args, kwargs = validator(inputs)
            else:
                args, kwargs = validator(**inputs)
        except pydantic.ValidationError as error:
            raise InvalidTaskInputs(
                f"invalid inputs for task '{definition.name}' ({definition.location}): "
                f"{_problems(error)}"
            ) from None
        return PreparedCall(definition, args, kwargs)

    def _validator(self, definition: TaskDefinition) -> tuple[_Validator, bool]:
        """The task's argument validator and whether it takes the inputs whole (built once)."""
        known = self._validators.get(definition.name)
        if known is None:
            validator = pydantic.validate_call(_arguments_of(definition.function))
            known = (validator, _takes_whole_inputs(definition))
            self._validators[definition.name] = known
        return known

    def succeeded(self, claimed: Claimed, result: Any) -> TaskResult:
        """The outcome of an attempt that returned `result` (failed if it is not JSON, or more
        of it than `result_bytes`)."""
        if isinstance(result, pydantic.BaseModel):
            result = result.model_dump(mode="json")
        try:
            value = json_data(result, "result")
        except NotJsonError as error:
            problem = TypeError(f"task '{claimed.name}' returned a value that is not JSON: {error}")
            return self.failed(claimed, problem)
        text = dumps(value)
        size = len(text.encode("utf-8"))
        if size > self._result_bytes:
            returned = too_large("returned", size, self._result_bytes, "result_bytes")
            advice = "keep large data elsewhere (a file, a table) and return a reference to it"
            too_big = ResultTooLarge(f"task '{claimed.name}' {returned}; {advice}")
            return self.failed(claimed, too_big)
        return TaskResult(claimed.id, "completed", text)

    def failed(
        self,
        claimed: Claimed,
        error: BaseException | None,
        *,
        error_type: str | None = None,
        message: str | None = None,
        retry: bool = True,
    ) -> TaskResult:
        """The outcome of a failed attempt: retried while retries remain, else the §8.3
        failure object."""
        if error is not None and error_type is None:
            log.warning(
                "task %s (%s) attempt %d failed:\n%s",
                claimed.name,
                claimed.id,
                claimed.attempt,
                "".join(traceback.format_exception(error)).rstrip(),
            )
        if retry and claimed.attempt <= claimed.max_retries:
            return TaskResult(claimed.id, "retry", retry_delay_ms=retry_delay_ms(claimed))
        failure = task_failure(
            error,
            name=claimed.name,
            execution_id=claimed.id,
            attempts=claimed.attempt,
            error_type=error_type,
            message=message,
        )
        return TaskResult(claimed.id, "failed", dumps(failure))

    def timed_out(self, claimed: Claimed) -> TaskResult:
        """The outcome of an attempt that ran past its timeout (§8.3)."""
        timeout_ms = claimed.timeout_ms or 0
        return self.failed(
            claimed,
            None,
            error_type="TimeoutError",
            message=f"Task '{claimed.name}' timed out after {duration_text(timeout_ms)}",
        )


def retry_delay_ms(claimed: Claimed) -> int:
    """The wait before the next attempt: the delay doubled for each attempt after the first."""
    return int(min(claimed.retry_delay_ms * 2 ** (claimed.attempt - 1), MAX_RETRY_DELAY_MS))


def duration_text(milliseconds: int) -> str:
    """A duration as `.flow` writes it: `30s`, `1500ms`."""
    return f"{milliseconds // 1000}s" if milliseconds % 1000 == 0 else f"{milliseconds}ms"


def _arguments_of(function: Callable[..., Any]) -> Callable[..., Any]:
    """A function with `function`'s signature and annotations that returns the arguments it
    was called with: pydantic validates them without running the task's body."""

    @functools.wraps(function)
    def arguments(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return args, kwargs

    return arguments


def _takes_whole_inputs(definition: TaskDefinition) -> bool:
    """One parameter named `inputs`, or typed by a model, TypedDict or dataclass (the rule of
    `rhythm.catalog.input_schema`)."""
    parameters = list(definition.signature.parameters.values())
    if len(parameters) != 1:
        return False
    (parameter,) = parameters
    if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        return False
    if parameter.name == "inputs":
        return True
    annotation = _resolved_annotation(definition, parameter.name)
    return isinstance(annotation, type) and (
        issubclass(annotation, pydantic.BaseModel)
        or typing_extensions.is_typeddict(annotation)
        or hasattr(annotation, "__dataclass_fields__")
    )


def _resolved_annotation(definition: TaskDefinition, name: str) -> object:
    try:
        return typing_extensions.get_type_hints(definition.function).get(name)
    except Exception:  # an annotation that cannot be evaluated is not a model type
        return None


def _problems(error: pydantic.ValidationError) -> str:
    """pydantic's errors on one line each: `amount: Input should be a valid number`."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "inputs"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)
