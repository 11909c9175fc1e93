"""What the editor shows about a thing: signatures and Markdown for builtins, tasks, child
workflows, signals and variables. Completion, hover and signature help all read these, so a
builtin reads the same wherever it appears; the facts come from the stdlib table, the task
catalog, the workflow set and the front matter, never from text written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pygls.uris import from_fs_path

from flowlang.compiler.environment import TaskSignature, WorkflowSignature
from flowlang.compiler.resolve import Binding, BindingKind
from flowlang.compiler.stdlib import FUNCTIONS, GLOBALS, NAMESPACE_MEMBERS, Builtin, Param
from flowlang.compiler.types import ANY, Type, display

# The language id of `.flow` code blocks in Markdown (the editor highlights them as .flow).
CODE_LANGUAGE = "flow"

_DECLARED_AS = {
    BindingKind.LET: "let",
    BindingKind.CONST: "const",
    BindingKind.FOR_LET: "let",
    BindingKind.FOR_CONST: "const",
    BindingKind.CATCH: "catch",
}


@dataclass(frozen=True)
class Signature:
    """A one-line signature and where each parameter is in it (signature help highlights the
    active one by these offsets)."""

    label: str
    parameters: tuple[tuple[int, int], ...] = ()


def code_block(text: str) -> str:
    return f"```{CODE_LANGUAGE}\n{text}\n```"


class _SignatureWriter:
    def __init__(self, head: str) -> None:
        self.text = head
        self.parameters: list[tuple[int, int]] = []

    def parameter(self, text: str) -> None:
        if self.parameters:
            self.text += ", "
        self.parameters.append((len(self.text), len(self.text) + len(text)))
        self.text += text

    def done(self, tail: str) -> Signature:
        return Signature(self.text + tail, tuple(self.parameters))


def _parameter(param: Param, type_: Type | None = None) -> str:
    rest = "..." if param.rest else ""
    optional = "?" if param.optional and not param.rest else ""
    return f"{rest}{param.name}{optional}: {display(param.type if type_ is None else type_)}"


# --- builtins -------------------------------------------------------------------------------


def builtin_signature(builtin: Builtin) -> Signature:
    """`Math.floor(x: number): number`; `array.length: number` for a property."""
    if builtin.kind == "property":
        return Signature(f"{builtin.qualified}: {display(builtin.result)}")
    writer = _SignatureWriter(f"{builtin.qualified}(")
    for param in builtin.params:
        writer.parameter(_parameter(param))
    return writer.done(f"): {display(builtin.result)}")


def builtin_markdown(builtin: Builtin) -> str:
    """The signature, the documentation of §9 and its example."""
    changes = "\n\nChanges the value it is called on." if builtin.mutates else ""
    return (
        f"{code_block(builtin_signature(builtin).label)}\n\n{_sentence(builtin.doc)}{changes}"
        f"\n\nExample:\n{code_block(builtin.example)}"
    )


def global_markdown(name: str, value_type: Type | None = None) -> str:
    """A builtin global: a namespace with its members, a value with its type, a function."""
    entry = GLOBALS[name]
    if entry.kind == "namespace":
        members = ", ".join(f"`{member}`" for member in NAMESPACE_MEMBERS[name])
        return f"{code_block(f'namespace {name}')}\n\n{_sentence(entry.doc)}\n\nMembers: {members}"
    if entry.kind == "value":
        shown = value_type if value_type is not None else entry.type or ANY
        return f"{code_block(f'{name}: {display(shown)}')}\n\n{_sentence(entry.doc)}"
    return builtin_markdown(FUNCTIONS[name])


def _sentence(text: str) -> str:
    """The table's lowercase fragments as a sentence."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "`")) else ".")


# --- tasks, workflows, signals --------------------------------------------------------------


def task_signature(task: TaskSignature, options: Type) -> Signature:
    """`Task.run("send-email", inputs: {...}, options?: {...}): Promise<R>`."""
    writer = _SignatureWriter("Task.run(")
    writer.parameter(f'"{task.name}"')
    writer.parameter(f"inputs: {display(task.inputs)}")
    writer.parameter(f"options?: {display(options)}")
    return writer.done(f"): Promise<{display(task.result)}>")


def task_markdown(task: TaskSignature, root: Path | None) -> str:
    lines = [f'task "{task.name}"', f"  inputs: {display(task.inputs)}"]
    lines.append(f"  result: {display(task.result)}")
    if task.queue:
        lines.append(f"  queue: {task.queue}")
    parts = [code_block("\n".join(lines))]
    if task.doc:
        parts.append(task.doc.strip())
    if task.source is not None:
        parts.append(f"Defined in {_link(task.source.file, task.source.line, root)}")
    return "\n\n".join(parts)


def workflow_signature(workflow: WorkflowSignature, options: Type) -> Signature:
    writer = _SignatureWriter("Workflow.run(")
    writer.parameter(f'"{workflow.name}"')
    writer.parameter(f"inputs: {display(workflow.inputs or ANY)}")
    writer.parameter(f"options?: {display(options)}")
    return writer.done(f"): Promise<{display(workflow.output or ANY)}>")


def workflow_markdown(workflow: WorkflowSignature, root: Path | None) -> str:
    lines = [f'workflow "{workflow.name}"']
    lines.append(f"  inputs: {display(workflow.inputs or ANY)}")
    lines.append(f"  output: {display(workflow.output or ANY)}")
    parts = [code_block("\n".join(lines))]
    if workflow.path is not None:
        parts.append(f"Defined in {_link(workflow.path, 1, root)}")
    return "\n\n".join(parts)


def signal_markdown(name: str, payload: Type) -> str:
    return code_block(f'signal "{name}"\n  payload: {display(payload)}')


def _link(file: str, line: int, root: Path | None) -> str:
    """`[app/tasks.py:12](file:///.../app/tasks.py#L12)`; plain text when the file cannot be
    located."""
    path = source_path(file, root)
    shown = f"{file}:{line}"
    uri = from_fs_path(str(path)) if path is not None else None
    return f"[{shown}]({uri}#L{line})" if uri else f"`{shown}`"


def source_path(file: str, root: Path | None) -> Path | None:
    """An absolute path for a path the catalog or the workflow set recorded: as it is when
    absolute, else relative to the project's folder."""
    path = Path(file)
    if path.is_absolute():
        return path
    return None if root is None else root / path


# --- variables ------------------------------------------------------------------------------


def variable_label(binding: Binding, type_: Type | None) -> str:
    """`const total: number` (the type when the checker inferred one)."""
    shown = f": {display(type_)}" if type_ is not None else ""
    return f"{_DECLARED_AS[binding.kind]} {binding.name}{shown}"


def variable_markdown(binding: Binding, type_: Type | None) -> str:
    return code_block(variable_label(binding, type_))


def property_markdown(name: str, type_: Type) -> str:
    return code_block(f"(property) {name}: {display(type_)}")


def type_markdown(type_: Type) -> str:
    return code_block(display(type_))
