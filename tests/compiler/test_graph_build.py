"""The workflow graph model: one drawing per construct of LANGUAGE.md that matters to
orchestration, and none for plain computation.

Graphs are compared as lists of edges written `kind label --> kind label` (`-true->` for a
labelled edge, `-error->`/`-back ...->` for error and back edges), which reads like the picture.
"""

from __future__ import annotations

import pytest

from flowlang.compiler.analysis import analyze
from flowlang.compiler.graph import ClusterKind, EdgeKind, Graph, NodeKind
from flowlang.compiler.graph_build import build_graph


def graph_of(source: str) -> Graph:
    analysis = analyze(source, path="t.flow")
    assert [d.message for d in analysis.diagnostics if d.is_error] == []
    return build_graph(analysis.program, analysis.source, analysis.front_matter, name="t")


def edges(source: str) -> list[str]:
    graph = graph_of(source)

    def shown(node_id: str) -> str:
        node = graph.node(node_id)
        return f"{node.kind} {node.label}"

    described = []
    for edge in graph.edges:
        if edge.kind is EdgeKind.NEXT:
            arrow = "-->" if edge.label is None else f"-{edge.label}->"
        else:
            arrow = f"-{edge.kind}->" if edge.label == "error" else f"-{edge.kind} {edge.label}->"
        described.append(f"{shown(edge.source)} {arrow} {shown(edge.target)}")
    return described


def test_an_empty_workflow_goes_from_start_to_end() -> None:
    assert edges("") == ["start start --> end end"]


def test_plain_computation_draws_nothing() -> None:
    source = """
let total = 0
for (const n of [1, 2, 3]) { if (n > 1) { total += n } else { continue } }
while (total < 10) total++
try { JSON.parse("{") } catch { total = 0 }
let label = total > 3 ? "big" : "small"
"""
    assert edges(source) == ["start start --> end end"]


def test_task_calls_in_sequence_are_named_by_their_task() -> None:
    source = """
let a = await Task.run("charge-card", { amount: 5 })
Task.run("audit", { a })
"""
    assert edges(source) == [
        "start start --> task charge-card",
        "task charge-card --> task audit",
        "task audit --> end end",
    ]


def test_calls_are_drawn_in_evaluation_order() -> None:
    source = 'await Task.run("b", { a: await Task.run("a"), c: await Workflow.run("c") })'
    assert edges(source) == [
        "start start --> task a",
        "task a --> workflow c",
        "workflow c --> task b",
        "task b --> end end",
    ]


def test_a_task_node_has_its_name_and_queue() -> None:
    source = """```yaml
queue: orders
```
await Task.run("pack", {})
await Task.run("ship", {}, { queue: "logistics", retries: 3 })
let name = "other"
await Task.run(name)
"""
    graph = graph_of(source)
    tasks = [node for node in graph.nodes if node.kind is NodeKind.TASK]
    assert [(node.label, node.name, node.queue) for node in tasks] == [
        ("pack", "pack", "orders"),
        ("ship", "ship", "logistics"),
        ("Task.run(name)", None, "orders"),
    ]
    assert graph.queue == "orders"


def test_child_workflows_timers_and_signals() -> None:
    source = """
let child = "ship_order"
await Workflow.run(child, {})
await Workflow.run("charge", {})
await Timer.delay("90s")
await Timer.delay(30)
await Timer.until(Inputs.deadline)
await Signal.next("approval")
"""
    graph = graph_of(source)
    assert [(node.kind, node.label, node.name) for node in graph.nodes[1:-1]] == [
        (NodeKind.WORKFLOW, "child", None),
        (NodeKind.WORKFLOW, "charge", "charge"),
        (NodeKind.TIMER, "delay 90s", None),
        (NodeKind.TIMER, "delay 30s", None),
        (NodeKind.TIMER, "until Inputs.deadline", None),
        (NodeKind.SIGNAL, "approval", "approval"),
    ]


def test_if_else_chains_are_decisions() -> None:
    source = """
if (Inputs.tier == "gold") await Task.run("gold")
else if (Inputs.tier == "silver") await Task.run("silver")
else await Task.run("bronze")
"""
    assert edges(source) == [
        'start start --> decision Inputs.tier == "gold"',
        'decision Inputs.tier == "gold" -true-> task gold',
        'decision Inputs.tier == "gold" -false-> decision Inputs.tier == "silver"',
        'decision Inputs.tier == "silver" -true-> task silver',
        'decision Inputs.tier == "silver" -false-> task bronze',
        "task gold --> end end",
        "task silver --> end end",
        "task bronze --> end end",
    ]


def test_an_early_return_is_a_decision_with_a_return() -> None:
    source = """
let check = await Task.run("validate")
if (!check.valid) return { status: "rejected" }
return { status: "ok" }
"""
    assert edges(source) == [
        "start start --> task validate",
        "task validate --> decision !check.valid",
        'decision !check.valid -true-> return return { status: "rejected" }',
        'decision !check.valid -false-> return return { status: "ok" }',
        'return return { status: "rejected" } --> end end',
        'return return { status: "ok" } --> end end',
    ]


def test_a_conditional_expression_that_calls_tasks_is_a_decision() -> None:
    source = 'let r = Inputs.fast ? await Task.run("fast") : await Task.run("slow")'
    assert edges(source) == [
        "start start --> decision Inputs.fast",
        "decision Inputs.fast -true-> task fast",
        "decision Inputs.fast -false-> task slow",
        "task fast --> end end",
        "task slow --> end end",
    ]


@pytest.mark.parametrize(
    ("operator", "evaluated", "skipped"),
    [("&&", "truthy", "falsy"), ("||", "falsy", "truthy"), ("??", "null", "set")],
)
def test_a_short_circuit_that_calls_a_task_is_a_decision(
    operator: str, evaluated: str, skipped: str
) -> None:
    source = f'let r = Inputs.cached {operator} await Task.run("lookup")'
    assert edges(source) == [
        f"start start --> decision Inputs.cached {operator}",
        f"decision Inputs.cached {operator} -{evaluated}-> task lookup",
        "task lookup --> end end",
        f"decision Inputs.cached {operator} -{skipped}-> end end",
    ]


def test_a_for_loop_has_a_back_edge_labelled_with_its_head() -> None:
    source = 'for (const item of Inputs.items) await Task.run("pack", { item })'
    assert edges(source) == [
        "start start --> loop for item of Inputs.items",
        "loop for item of Inputs.items -each-> task pack",
        "task pack -back for item of Inputs.items-> loop for item of Inputs.items",
        "loop for item of Inputs.items -done-> end end",
    ]


def test_for_in_loops_and_destructuring_heads() -> None:
    source = """
for (const key in Inputs.parts) await Task.run("part", { key })
for (const [k, v] of Object.entries(Inputs.parts)) await Task.run("entry", { k, v })
"""
    loops = [node.label for node in graph_of(source).nodes if node.kind is NodeKind.LOOP]
    assert loops == ["for key in Inputs.parts", "for [k, v] of Object.entries(Inputs.parts)"]


def test_a_while_loop_tests_before_each_iteration() -> None:
    source = """
let attempt = 0
while (attempt < 3) {
  attempt++
  await Task.run("try")
}
"""
    assert edges(source) == [
        "start start --> loop while attempt < 3",
        "loop while attempt < 3 -true-> task try",
        "task try -back while attempt < 3-> loop while attempt < 3",
        "loop while attempt < 3 -false-> end end",
    ]


def test_while_true_leaves_only_by_break_and_continue_goes_back() -> None:
    source = """
while (true) {
  let r = await Task.run("poll")
  if (r.done) break
  if (r.skip) continue
  await Timer.delay("1m")
}
await Task.run("after")
"""
    assert edges(source) == [
        "start start --> loop while true",
        "loop while true -true-> task poll",
        "task poll --> decision r.done",
        "decision r.done -false-> decision r.skip",
        "decision r.skip -back true: while true-> loop while true",
        "decision r.skip -false-> timer delay 1m",
        "timer delay 1m -back while true-> loop while true",
        "decision r.done -true-> task after",
        "task after --> end end",
    ]


def test_a_loop_test_that_awaits_a_task() -> None:
    source = 'while ((await Task.run("more")).more) await Task.run("work")'
    assert edges(source) == [
        'start start --> loop while (await Task.run("more")).more',
        'loop while (await Task.run("more")).more --> task more',
        "task more -true-> task work",
        'task work -back while (await Task.run("more")).more-> '
        'loop while (await Task.run("more")).more',
        "task more -false-> end end",
    ]


def test_promise_all_forks_and_joins_in_a_cluster() -> None:
    source = """
let [user, order] = await Promise.all([Task.run("get-user"), Task.run("get-order")])
"""
    graph = graph_of(source)
    assert edges(source) == [
        "start start --> fork Promise.all",
        "fork Promise.all --> task get-user",
        "fork Promise.all --> task get-order",
        "task get-user --> join Promise.all",
        "task get-order --> join Promise.all",
        "join Promise.all --> end end",
    ]
    [cluster] = graph.clusters
    assert (cluster.kind, cluster.label) == (ClusterKind.PARALLEL, "Promise.all")
    assert [node.kind for node in graph.nodes if node.cluster == cluster.id] == [
        NodeKind.FORK,
        NodeKind.TASK,
        NodeKind.TASK,
        NodeKind.JOIN,
    ]


@pytest.mark.parametrize("combinator", ["all", "allSettled", "any", "race", "any_kv", "race_kv"])
def test_every_combinator_is_labelled_with_its_name(combinator: str) -> None:
    source = f'await Promise.{combinator}([Task.run("a"), Timer.delay("1h")])'
    labels = {node.label for node in graph_of(source).nodes if node.kind is NodeKind.FORK}
    assert labels == {f"Promise.{combinator}"}


def test_members_of_an_object_are_keyed_and_promises_made_earlier_are_nodes() -> None:
    source = """
const approval = Signal.next("approval")
let r = await Promise.race_kv({ approval, timeout: Timer.delay("1d") })
"""
    assert edges(source) == [
        "start start --> signal approval",
        "signal approval --> fork Promise.race_kv",
        "fork Promise.race_kv -approval-> promise approval",
        "fork Promise.race_kv -timeout-> timer delay 1d",
        "promise approval --> join Promise.race_kv",
        "timer delay 1d --> join Promise.race_kv",
        "join Promise.race_kv --> end end",
    ]


def test_a_combinator_of_a_variable_and_an_empty_combinator() -> None:
    source = """
let handles = []
for (const id of Inputs.ids) handles.push(Task.run("fetch", { id }))
await Promise.allSettled(handles)
await Promise.all([])
"""
    assert edges(source) == [
        "start start --> loop for id of Inputs.ids",
        "loop for id of Inputs.ids -each-> task fetch",
        "task fetch -back for id of Inputs.ids-> loop for id of Inputs.ids",
        "loop for id of Inputs.ids -done-> fork Promise.allSettled",
        "fork Promise.allSettled --> promise handles",
        "promise handles --> join Promise.allSettled",
        "join Promise.allSettled --> fork Promise.all",
        "fork Promise.all --> join Promise.all",
        "join Promise.all --> end end",
    ]


def test_nested_combinators_nest_their_clusters() -> None:
    source = 'await Promise.all([Promise.race([Task.run("a"), Task.run("b")]), Task.run("c")])'
    graph = graph_of(source)
    outer, inner = graph.clusters
    assert (outer.label, outer.parent) == ("Promise.all", None)
    assert (inner.label, inner.parent) == ("Promise.race", outer.id)
    labels = {node.label: node.cluster for node in graph.nodes if node.kind is NodeKind.TASK}
    assert labels == {"a": inner.id, "b": inner.id, "c": outer.id}


def test_try_catch_has_error_edges_from_what_throws_into_the_handler() -> None:
    source = """
try {
  await Task.run("charge")
  Task.run("audit")
  await Promise.all([Task.run("a")])
  await Promise.allSettled([Task.run("b")])
} catch (err) {
  await Task.run("notify")
}
"""
    graph = graph_of(source)
    assert edges(source) == [
        "start start --> task charge",
        "task charge --> task audit",
        "task audit --> fork Promise.all",
        "fork Promise.all --> task a",
        "task a --> join Promise.all",
        "join Promise.all --> fork Promise.allSettled",
        "fork Promise.allSettled --> task b",
        "task b --> join Promise.allSettled",
        "task charge -error-> catch catch (err)",
        "join Promise.all -error-> catch catch (err)",
        "catch catch (err) --> task notify",
        "join Promise.allSettled --> end end",
        "task notify --> end end",
    ]
    try_cluster, *parallel = graph.clusters
    assert (try_cluster.kind, try_cluster.label) == (ClusterKind.TRY, "try")
    assert [(c.kind, c.parent) for c in parallel] == [(ClusterKind.PARALLEL, try_cluster.id)] * 2
    assert [node.label for node in graph.nodes if node.cluster == try_cluster.id] == [
        "charge",
        "audit",
    ]


def test_throw_in_a_try_goes_to_the_handler_and_outside_ends_the_path() -> None:
    source = """
try {
  if (Inputs.bad) throw Error("bad")
  await Task.run("work")
} catch (err) {
  await Task.run("report")
  throw err
}
"""
    assert edges(source) == [
        "start start --> decision Inputs.bad",
        'decision Inputs.bad -true-> throw throw Error("bad")',
        "decision Inputs.bad -false-> task work",
        'throw throw Error("bad") -error-> catch catch (err)',
        "task work -error-> catch catch (err)",
        "catch catch (err) --> task report",
        "task report --> throw throw err",
        "task work --> end end",
    ]


def test_try_finally_receives_both_paths_and_rethrows_to_an_outer_handler() -> None:
    source = """
try {
  try {
    await Task.run("work")
  } finally {
    Task.run("cleanup")
  }
} catch {
  await Task.run("report")
}
"""
    assert edges(source) == [
        "start start --> task work",
        "task work --> finally finally",
        "task work -error-> finally finally",
        "finally finally --> task cleanup",
        "task cleanup -error rethrow-> catch catch",
        "catch catch --> task report",
        "task cleanup --> end end",
        "task report --> end end",
    ]


def test_try_catch_finally_routes_errors_of_the_catch_block_to_the_finally() -> None:
    source = """
try {
  await Task.run("work")
} catch (e) {
  await Task.run("report")
} finally {
  await Task.run("cleanup")
}
"""
    assert edges(source) == [
        "start start --> task work",
        "task work -error-> catch catch (e)",
        "catch catch (e) --> task report",
        "task work --> finally finally",
        "task report --> finally finally",
        "task report -error-> finally finally",
        "finally finally --> task cleanup",
        "task cleanup --> end end",
    ]


def test_a_handler_of_plain_code_is_entered_from_where_the_block_starts() -> None:
    source = """
let parsed = null
try { parsed = JSON.parse(Inputs.text) } catch { await Task.run("bad-input") }
"""
    assert edges(source) == [
        "start start -error-> catch catch",
        "catch catch --> task bad-input",
        "start start --> end end",
        "task bad-input --> end end",
    ]


def test_wrapper_form_and_destructuring_defaults() -> None:
    source = """
async function main() {
  const { user = await Task.run("default-user") } = Inputs
  return user
}
"""
    assert edges(source) == [
        "start start --> task default-user",
        "task default-user --> return return user",
        "return return user --> end end",
    ]


def test_long_labels_are_cut() -> None:
    source = (
        'if (Inputs.customer.address.country == "NO" && Inputs.total > 1000) await Task.run("x")'
    )
    [decision] = [n for n in graph_of(source).nodes if n.kind is NodeKind.DECISION]
    assert decision.label == 'Inputs.customer.address.country == "N...'
    assert len(decision.label) == 40


def test_labels_keep_the_parentheses_of_their_code() -> None:
    source = """
if ((await Task.run("check")).ok) await Task.run("a")
if (Inputs.mode == ")") await Task.run("b")
"""
    decisions = [n.label for n in graph_of(source).nodes if n.kind is NodeKind.DECISION]
    assert decisions == ['(await Task.run("check")).ok', 'Inputs.mode == ")"']


def test_ids_are_in_walk_order_and_nodes_know_their_line() -> None:
    source = '\nawait Task.run("a")\n\nif (Inputs.x) {\n  await Task.run("b")\n}\n'
    graph = graph_of(source)
    assert [node.id for node in graph.nodes] == [f"n{i}" for i in range(len(graph.nodes))]
    assert [graph.location(node) for node in graph.nodes] == [
        "t.flow:2",
        "t.flow:2",
        "t.flow:4",
        "t.flow:5",
        "t.flow:7",
    ]


def test_the_same_source_gives_the_same_graph() -> None:
    source = 'for (const x of Inputs.xs) { if (x) await Task.run("a") else break }'
    assert graph_of(source) == graph_of(source)


def test_a_deeply_nested_program_is_drawn_without_recursion() -> None:
    depth = 3000
    source = "if (Inputs.x) " * depth + 'await Task.run("deep")'
    graph = graph_of(source)
    assert sum(node.kind is NodeKind.DECISION for node in graph.nodes) == depth
    assert graph.nodes[-2].label == "deep"
