"""SQL injection cannot happen (issue #8, item 6): every statement the runtime sends is a
constant of `rhythm/store/` with its values passed as parameters, and no other module sends
SQL at all.

The scan reads the code (the `ast` module), so it holds for every statement, run by a test or
not. A statement may be:

* a module constant that is static — a string literal, or an f-string or `+` of string
  literals and other static constants (assembled once, at import time, from the code itself);
* psycopg composition of a static `sql.SQL` constant with `sql.Identifier`/`sql.Literal`
  arguments, which psycopg quotes (the names of databases and channels, which take no
  parameters);
* the text of a migration file shipped in `rhythm/migrations/` (`store.migrations.apply`).

Anything else sent to `execute` — an f-string, `%` or `.format` on a string, `+`, a variable
— is reported with its file and line, as is a module constant that interpolates anything but
static constants.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "rhythm_runtime" / "rhythm"
STORE = RUNTIME / "store"
PRODUCT = [REPO / "flowlang", RUNTIME]
EXECUTE = frozenset({"execute", "executemany"})
COMPOSITION = frozenset({"Identifier", "Literal"})
# The statement that runs a migration file: the file's own text, in one simple query.
MIGRATION_SCRIPT = ("migrations.py", "apply")


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class SqlScan:
    """The static constants of the store's modules, and what is wrong in a module."""

    def __init__(self, modules: dict[str, ast.Module]) -> None:
        self.modules = modules
        self.static: dict[str, set[str]] = {name: set() for name in modules}
        self.composed: dict[str, set[str]] = {name: set() for name in modules}
        # Constants may be built from constants of other store modules: settle them in rounds.
        changed = True
        while changed:
            changed = False
            for name, tree in modules.items():
                for target, value in _constants(tree):
                    if target in self.static[name] or target in self.composed[name]:
                        continue
                    if self.is_static(name, value):
                        self.static[name].add(target)
                        changed = True
                    elif self.is_composed(name, value):
                        self.composed[name].add(target)
                        changed = True

    # -- what a name or an expression is

    def is_static_name(self, module: str, name: str) -> bool:
        if name in self.static[module]:
            return True
        source = _imported_from(self.modules[module], name)
        return source in self.static and name in self.static[source]

    def is_static(self, module: str, node: ast.expr) -> bool:
        match node:
            case ast.Constant(value=str()):
                return True
            case ast.Name(id=name):
                return self.is_static_name(module, name)
            case ast.JoinedStr(values=parts):
                return all(self.is_static(module, part) for part in parts)
            case ast.FormattedValue(value=value, format_spec=None):
                return self.is_static(module, value)
            case ast.BinOp(left=left, op=ast.Add(), right=right):
                return self.is_static(module, left) and self.is_static(module, right)
        return False

    def is_composed(self, module: str, node: ast.expr) -> bool:
        """`sql.SQL(<static>)`, optionally `.format(...)`ed with quoted identifiers/literals."""
        match node:
            case ast.Call(func=ast.Attribute(value=ast.Name(id="sql"), attr="SQL"), args=[text]):
                return self.is_static(module, text)
            case ast.Call(func=ast.Attribute(value=inner, attr="format"), args=args, keywords=kw):
                inner_ok = self.is_composed(module, inner) or (
                    isinstance(inner, ast.Name) and inner.id in self.composed[module]
                )
                arguments = [*args, *(keyword.value for keyword in kw)]
                return inner_ok and all(_is_quoted(argument) for argument in arguments)
            case ast.Name(id=name):
                return name in self.composed[module]
        return False

    # -- problems

    def problems(self, module: str) -> Iterator[Problem]:
        tree = self.modules[module]
        for target, value in _constants(tree):
            if _interpolates(value) and not (
                target in self.static[module] or target in self.composed[module]
            ):
                yield Problem(
                    f"{module}:{value.lineno}",
                    f"`{target}` builds SQL from something other than constants",
                )
        for function, call in _execute_calls(tree):
            statement = call.args[0] if call.args else None
            if statement is None:
                continue
            if self.is_static(module, statement) and isinstance(statement, ast.Name):
                continue
            if self.is_composed(module, statement):
                continue
            if (module, function) == MIGRATION_SCRIPT:
                continue
            yield Problem(
                f"{module}:{call.lineno}",
                f"`{ast.unparse(statement)}` is not a SQL constant of the store",
            )


def _constants(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                yield target.id, node.value
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            yield node.target.id, node.value


def _imported_from(tree: ast.Module, name: str) -> str | None:
    """The store module `name` is imported from (`from rhythm.store.x import NAME`), if any."""
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("rhythm.store.")
            and any((alias.asname or alias.name) == name for alias in node.names)
        ):
            return f"{node.module.rpartition('.')[2]}.py"  # type: ignore[union-attr]
    return None


def _interpolates(node: ast.expr) -> bool:
    """Whether a constant's value is built from parts: an f-string, `+`, `%` or `.format`."""
    match node:
        case ast.JoinedStr(values=parts):
            return any(isinstance(part, ast.FormattedValue) for part in parts)
        case ast.BinOp(op=ast.Add() | ast.Mod()):
            return True
        case ast.Call(func=ast.Attribute(attr="format")):
            return True
    return False


def _is_quoted(node: ast.expr) -> bool:
    """`sql.Identifier(...)` or `sql.Literal(...)`: psycopg quotes what they hold."""
    match node:
        case ast.Call(func=ast.Attribute(value=ast.Name(id="sql"), attr=attr)):
            return attr in COMPOSITION
    return False


def _execute_calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """(enclosing function, call) for every `<anything>.execute(...)`/`.executemany(...)`."""
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in EXECUTE
                ):
                    yield function.name, node


def scan(sources: dict[str, str]) -> list[Problem]:
    modules = {name: ast.parse(text) for name, text in sources.items()}
    checker = SqlScan(modules)
    return [problem for name in modules for problem in checker.problems(name)]


def store_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(STORE.glob("*.py"))}


def test_every_statement_of_the_store_is_a_constant_with_parameters() -> None:
    assert [str(problem) for problem in scan(store_sources())] == []


def test_the_scan_sees_the_store_send_statements() -> None:
    modules = {name: ast.parse(text) for name, text in store_sources().items()}
    calls = [call for tree in modules.values() for _, call in _execute_calls(tree)]
    assert len(calls) > 30
    checker = SqlScan(modules)
    assert "FINISH_TASKS" in checker.static["queue.py"]  # an f-string of constants
    assert "LISTEN_WORK" in checker.composed["queue.py"]  # sql.SQL with an Identifier


BUILT_FROM_STRINGS = {
    "f-string in the call": 'def f(conn, t):\n    conn.execute(f"SELECT * FROM {t}")\n',
    "%-formatting": 'def f(conn, t):\n    conn.execute("SELECT * FROM %s" % t)\n',
    "concatenation": 'def f(conn, t):\n    conn.execute("SELECT * FROM " + t)\n',
    ".format": 'def f(conn, t):\n    conn.execute("SELECT * FROM {}".format(t))\n',
    "a variable": "def f(conn, text):\n    conn.execute(text)\n",
    "a constant built at run time": (
        "import os\nQUERY = f\"SELECT * FROM {os.environ['T']}\"\n"
        "def f(conn):\n    conn.execute(QUERY)\n"
    ),
    "a constant formatted with a value": (
        'QUERY = "SELECT * FROM {}".format(input())\ndef f(conn):\n    conn.execute(QUERY)\n'
    ),
    "sql.SQL with an unquoted value": (
        "from psycopg import sql\n"
        'def f(conn, t):\n    conn.execute(sql.SQL("DROP TABLE {t}").format(t=sql.SQL(t)))\n'
    ),
}


@pytest.mark.parametrize("name", sorted(BUILT_FROM_STRINGS))
def test_the_scan_reports_sql_built_from_strings(name: str) -> None:
    problems = scan({"bad.py": BUILT_FROM_STRINGS[name]})
    assert problems, name
    assert all(problem.where.startswith("bad.py:") for problem in problems)


def test_the_scan_accepts_constants_built_from_constants() -> None:
    source = (
        "from psycopg import sql\n"
        'TABLE = "rhythm.executions"\n'
        '_WHERE = "WHERE id = %(id)s"\n'
        'GET = f"SELECT * FROM {TABLE} " + _WHERE\n'
        'DROP = sql.SQL("DROP DATABASE {name}")\n'
        "def get(conn, i):\n    return conn.execute(GET, {'id': i})\n"
        "def drop(conn, n):\n    conn.execute(DROP.format(name=sql.Identifier(n)))\n"
    )
    assert scan({"good.py": source}) == []


def test_no_module_outside_the_store_sends_sql() -> None:
    senders = []
    for root in PRODUCT:
        for path in sorted(root.rglob("*.py")):
            if STORE in path.parents:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            senders += [
                f"{path.relative_to(REPO)}:{call.lineno}" for _, call in _execute_calls(tree)
            ]
            senders += [
                f"{path.relative_to(REPO)}:{node.lineno} imports psycopg.sql"
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)
                and (node.module == "psycopg.sql" or any(a.name == "sql" for a in node.names))
                and (node.module or "").startswith("psycopg")
            ]
    assert senders == []
