"""The registry of diagnostic codes (LANGUAGE.md §11.8).

Each code is defined once here, with its severity, a one-line summary and its documentation
(what it means, why it matters, an example, the fix). `flowc explain` and `docs/` read this
table; phases create diagnostics through `diagnostic()` so the severity always comes from it.
Codes are stable: a retired code is never reused.

An explanation is Markdown: a paragraph saying what the code means, one saying why it matters,
then `Example:` and `Fix:`, each followed by a `js` code block.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from flowlang.compiler.diagnostics import Diagnostic, Fix, Label, Severity
from flowlang.compiler.source import Span

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    summary: str
    explanation: str = ""


def _code(code: str, severity: Severity, summary: str, explanation: str) -> Code:
    return Code(code, severity, summary, textwrap.dedent(explanation).strip())


_CODES = [
    # Lexical structure and syntax (LANGUAGE.md §2, §3, §5, §6).
    _code(
        "FLOW001",
        E,
        "syntax error",
        """
        The parser met a token that cannot come next at this point of the program. The message
        lists the tokens that could have come instead.

        A file with a syntax error cannot be built or registered. Newlines are not significant
        in .flow, so the token that is reported may be on the line after the real mistake:
        look for a missing operand, operator, comma or closing bracket just before it.

        Example:

        ```js
        let total =
        return total * 2
        ```

        Fix:

        ```js
        let total = Inputs.amount
        return total * 2
        ```
        """,
    ),
    _code(
        "FLOW002",
        E,
        "unterminated string, template literal or block comment",
        """
        A string literal, template literal or `/* … */` comment starts here and never ends.

        Raw line breaks are allowed inside strings and templates, so an unclosed quote silently
        swallows the rest of the file; the diagnostic points at where it opened, which is where
        the closing character is missing.

        Example:

        ```js
        let greeting = "hello
        return greeting
        ```

        Fix:

        ```js
        let greeting = "hello"
        return greeting
        ```
        """,
    ),
    _code(
        "FLOW003",
        E,
        "invalid escape sequence",
        r"""
        A backslash in a string or template is followed by a character that is not an escape
        (§2.7), or a `\u` escape denotes a lone surrogate.

        JavaScript keeps the character after an unknown escape (`"\d"` is `"d"`), which hides
        mistakes such as unescaped Windows paths and regular-expression habits. .flow rejects
        them, and rejects lone surrogates because strings must stay valid UTF-8 JSON.

        Example:

        ```js
        let folder = "C:\data\reports"
        ```

        Fix: double the backslashes, or use forward slashes:

        ```js
        let folder = "C:\\data\\reports"
        ```
        """,
    ),
    _code(
        "FLOW004",
        E,
        "invalid number literal",
        """
        A number literal has a form .flow does not accept: a leading zero (`007`), digit
        separators (`1_000`), a hexadecimal, octal or binary prefix (`0x1F`), a value that is
        not finite (`1e999`), or letters right after the digits (`3px`).

        Numbers are plain decimal IEEE doubles and can never be infinite; these forms are either
        ambiguous in JavaScript or would produce a value that cannot exist.

        Example:

        ```js
        let limit = 1_000_000
        let mask = 0x1F
        ```

        Fix: write the decimal value (use `Number("0x1F")` to convert text at run time):

        ```js
        let limit = 1000000
        let mask = 31
        ```
        """,
    ),
    _code(
        "FLOW005",
        E,
        "JavaScript construct that .flow does not have",
        """
        The code uses a JavaScript construct that is not part of .flow: functions and arrow
        functions, classes, `new`, `this`, `var`, `switch`, `do…while`, C-style `for(;;)`,
        labels, generators, `import`/`export`, regular expressions, bitwise operators, `**`,
        `in`, `instanceof`, `delete`, `void`, the comma operator or unary `+` (§1.2). The help
        names the .flow alternative.

        A workflow's state is saved as plain data whenever it waits, so the language has no
        function values, objects with behaviour or references; every construct left out has a
        simpler equivalent.

        Example:

        ```js
        var total = 0
        for (let i = 0; i < items.length; i++) { total += items[i].price }
        if (total ** 2 > limit) throw new Error("too expensive")
        ```

        Fix:

        ```js
        let total = 0
        for (const item of items) { total += item.price }
        if (Math.pow(total, 2) > limit) throw Error("too expensive")
        ```
        """,
    ),
    _code(
        "FLOW006",
        E,
        "invalid character",
        """
        The source contains a character that cannot start any token here: a stray symbol such
        as `#` or `@`, or a non-ASCII letter in an identifier.

        Identifiers are ASCII only (`[A-Za-z_$][A-Za-z0-9_$]*`), which keeps names easy to type,
        compare and search. Any character is fine inside strings, templates and comments.

        Example:

        ```js
        let café = "espresso"
        ```

        Fix:

        ```js
        let cafe = "espresso"
        ```
        """,
    ),
    _code(
        "FLOW007",
        E,
        "reserved word used as a name",
        """
        A keyword or reserved word (`await`, `class`, `new`, `default`, …; §2.4) is used as the
        name of a variable or binding.

        Reserved words cannot name variables, as in JavaScript. They are allowed as property
        names: `order.class`, `{ default: 1 }` and the pattern `{ class: tier }` are fine.

        Example:

        ```js
        let class = Inputs.tier
        ```

        Fix: pick another name, or rename while destructuring:

        ```js
        let tier = Inputs.tier
        const { class: customerClass } = Inputs.customer
        ```
        """,
    ),
    _code(
        "FLOW008",
        E,
        "`??` mixed with `&&` or `||` without parentheses",
        """
        An expression combines `??` with `&&` or `||` and no parentheses say which applies
        first.

        `a || b ?? c` could mean `(a || b) ?? c` or `a || (b ?? c)`, and the two differ when a
        value is `0`, `""` or `false`. JavaScript rejects the mix for the same reason.

        Example:

        ```js
        let name = Inputs.nickname || Inputs.name ?? "anonymous"
        ```

        Fix: add the parentheses you mean:

        ```js
        let name = (Inputs.nickname || Inputs.name) ?? "anonymous"
        ```
        """,
    ),
    _code(
        "FLOW009",
        E,
        "invalid assignment target",
        """
        The left side of `=`, `op=`, `++` or `--` is not a place: a variable, optionally
        followed by `.name` and `[index]` steps (`order.items[0].qty`).

        Only a variable's contents can change. The result of a call or an operator is a fresh
        value with nowhere to store it, `a?.b = 1` has no target when `a` is `null`, and
        destructuring assignment (`[a, b] = [b, a]`) does not exist: patterns appear only in
        declarations.

        Example:

        ```js
        [first, second] = [second, first]
        ```

        Fix:

        ```js
        let previous = first
        first = second
        second = previous
        ```
        """,
    ),
    _code(
        "FLOW010",
        E,
        "assignment or `++`/`--` used as an expression",
        """
        An assignment, `++` or `--` appears inside an expression: a condition, an initializer,
        an argument or another assignment.

        In .flow these are statements, which keeps the order of evaluation obvious around
        `await`. Inside a condition it is also the classic mistake of `=` written for `==`.

        Example:

        ```js
        if (status = "done") return result
        let next = count++
        ```

        Fix:

        ```js
        if (status == "done") return result
        let next = count
        count++
        ```
        """,
    ),
    _code(
        "FLOW011",
        E,
        "malformed front matter",
        """
        The fenced block at the top of the file is not valid front matter: the YAML does not
        parse, is not a mapping, repeats a key, uses anchors, aliases or tags, or the closing
        three backticks are missing (§3.3).

        Front matter declares the workflow's name, queue and typed inputs, output and signals;
        if it cannot be read, none of those contracts can be checked or enforced.

        Example:

        ````js
        ```yaml
        name: [expense_approval
        ```
        ````

        Fix:

        ````js
        ```yaml
        name: expense_approval
        ```
        ````
        """,
    ),
    _code(
        "FLOW012",
        E,
        "invalid type syntax",
        """
        A type in the front matter (`inputs`, `output` or `signals`) does not follow the type
        grammar of §4.2, or an object type repeats a field or has more than one index signature.

        Types are the contracts checked when an execution starts, when a signal is sent and
        when the workflow returns; a malformed type would leave them unchecked. Quote types that
        start with `{`, `[`, `'` or `"` so that YAML does not read them as its own syntax.

        Example:

        ````js
        ```yaml
        inputs:
          amount: numbr
          tags: "string["
        ```
        ````

        Fix:

        ````js
        ```yaml
        inputs:
          amount: number
          tags: string[]
        ```
        ````
        """,
    ),
    _code(
        "FLOW013",
        E,
        "misused `async function main()` wrapper",
        """
        The program uses the wrapper form, but not exactly as `async function main() { … }`:
        the function has parameters, another name or no `async`, or other statements sit next
        to it (§3.1).

        The wrapper exists only so that code written for the original engine keeps working;
        its body is the program. It is not a function that can take arguments or be called:
        the inputs are in `Inputs`.

        Example:

        ```js
        async function main(inputs) {
          return inputs.orderId
        }
        main()
        ```

        Fix: use `Inputs`, and drop the call (or drop the wrapper and write the body at top
        level):

        ```js
        async function main() {
          return Inputs.orderId
        }
        ```
        """,
    ),
    _code(
        "FLOW014",
        E,
        "`const` or pattern without initializer",
        """
        A `const` declaration or a destructuring pattern has no `= value`.

        A constant can never be assigned later, so without an initializer it would be `null`
        forever; a pattern needs a value to take apart. (`let x` alone is fine: it is `null`
        until assigned.)

        Example:

        ```js
        const limit
        let { orderId }
        ```

        Fix:

        ```js
        const limit = 500
        let { orderId } = Inputs
        ```
        """,
    ),
    _code(
        "FLOW015",
        E,
        "declaration used as the body of `if`, `else`, `while` or `for`",
        """
        A `let` or `const` declaration is the whole body of an `if`, `else`, `while` or `for`,
        without braces.

        The variable would be scoped to that single statement and could never be read, so the
        code almost certainly does not do what it seems to. JavaScript rejects it too.

        Example:

        ```js
        if (Inputs.rush) let priority = 10
        ```

        Fix: declare the variable before and assign it, or use a block:

        ```js
        let priority = 0
        if (Inputs.rush) priority = 10
        ```
        """,
    ),
    # Names and scopes (LANGUAGE.md §5.3, §6.5, §9).
    _code(
        "FLOW101",
        E,
        "undefined name",
        """
        The code reads a name that no enclosing scope declares. The help suggests a declared
        name with a similar spelling, or the .flow replacement for a JavaScript global that
        does not exist here (`undefined`, `NaN`, `console`, `setTimeout`, …).

        Every name is resolved before the workflow runs, so a typo is found now rather than
        days into an execution. There is no `undefined`: missing values are `null`.

        Example:

        ```js
        let total = Inputs.amount
        if (totl === undefined) console.log("no amount")
        ```

        Fix:

        ```js
        let total = Inputs.amount
        if (total == null) throw Error("no amount")
        ```
        """,
    ),
    _code(
        "FLOW102",
        E,
        "assignment to an undeclared name",
        """
        The code assigns to a name that no enclosing scope declares.

        The original engine created a global variable on the first assignment, so a typo
        silently made a second variable. Every variable must now be declared with `let` (or
        `const`) before it is assigned.

        Example:

        ```js
        total = 0
        for (const item of Inputs.items) total += item.price
        ```

        Fix:

        ```js
        let total = 0
        for (const item of Inputs.items) total += item.price
        ```
        """,
    ),
    _code(
        "FLOW103",
        E,
        "assignment to a constant",
        """
        A name declared with `const` (including a `for (const …)` binding) is assigned,
        compound-assigned, incremented or decremented.

        `const` promises the binding never changes, and readers rely on it. Changing the
        *contents* of a constant object or array is still allowed: `const o = {}` then
        `o.x = 1`.

        Example:

        ```js
        const attempts = 0
        attempts += 1
        ```

        Fix: declare it with `let`:

        ```js
        let attempts = 0
        attempts += 1
        ```
        """,
    ),
    _code(
        "FLOW104",
        E,
        "name declared twice in the same scope",
        """
        A name is declared a second time in the scope that already declares it: two `let`s,
        a name repeated in one pattern, or a `catch` parameter redeclared at the top of its
        block.

        Two declarations of one name in one scope are almost always a copy-paste mistake, and
        JavaScript rejects them as well. Declaring the same name in an inner block (shadowing)
        is allowed.

        Example:

        ```js
        let status = "new"
        let status = "paid"
        ```

        Fix: assign instead of declaring again:

        ```js
        let status = "new"
        status = "paid"
        ```
        """,
    ),
    _code(
        "FLOW105",
        E,
        "builtin global assigned, declared, shadowed or mutated",
        """
        The code assigns to a builtin global (`Inputs`, `Context`, `Task`, `Math`, …), declares
        a variable with its name, or changes something inside it.

        Builtins are read-only and cannot be shadowed, so every reader (people, the checker,
        the graph tool) can trust that `Task.run` and `Inputs` mean what they always mean.
        Values are copied on assignment, so a variable holding a copy can be changed freely.

        Example:

        ```js
        Inputs.items.push({ sku: "gift-wrap" })
        let Math = 1
        ```

        Fix:

        ```js
        let items = Inputs.items
        items.push({ sku: "gift-wrap" })
        let factor = 1
        ```
        """,
    ),
    _code(
        "FLOW106",
        E,
        "name used before its declaration",
        """
        A name is used before the point where its scope declares it (the "temporal dead
        zone"). Declarations are hoisted to the start of their scope, as in JavaScript, so
        the name does not refer to an outer variable of the same name either.

        In JavaScript this throws a `ReferenceError` at run time; .flow reports it before the
        workflow runs.

        Example:

        ```js
        let subtotal = price * Inputs.quantity
        let price = Inputs.price
        ```

        Fix: declare the name before its first use:

        ```js
        let price = Inputs.price
        let subtotal = price * Inputs.quantity
        ```
        """,
    ),
    _code(
        "FLOW107",
        E,
        "`break` or `continue` outside a loop",
        """
        A `break` or `continue` is not inside a `while`, `for…of` or `for…in` loop. There are
        no labels and no `switch`, so nothing else can be left with them.

        The original engine crashed the worker on a top-level `break`. To end the workflow
        early, use `return`.

        Example:

        ```js
        if (Inputs.skip) break
        await Task.run("process", { id: Inputs.id })
        ```

        Fix:

        ```js
        if (Inputs.skip) return null
        await Task.run("process", { id: Inputs.id })
        ```
        """,
    ),
    _code(
        "FLOW108",
        E,
        "unknown member of a builtin object",
        """
        The code uses a member that a builtin namespace (`Math`, `Promise`, `Task`, `Context`,
        `JSON`, …) does not have. The help suggests the nearest existing member.

        The standard library is fixed (§9), so a misspelt member is certain to fail. Some
        JavaScript members are left out on purpose: `Math.random` makes workflows
        irreproducible (draw random values in a task).

        Example:

        ```js
        let results = await Promise.allSetled(handles)
        let id = Context.id
        ```

        Fix:

        ```js
        let results = await Promise.allSettled(handles)
        let id = Context.executionId
        ```
        """,
    ),
    _code(
        "FLOW109",
        E,
        "builtin used as a value",
        """
        A builtin namespace, function or method is used without being called: stored in a
        variable, returned, passed along or given to `typeof`.

        Builtins can be called but are not values: a workflow's state must be plain data that
        can be saved, and a function cannot. Call the builtin where you need its result.

        Example:

        ```js
        let round = Math.floor
        return round(Inputs.amount)
        ```

        Fix:

        ```js
        return Math.floor(Inputs.amount)
        ```
        """,
    ),
    # Types (LANGUAGE.md §7, §9, §11).
    _code(
        "FLOW201",
        E,
        "operator not applicable to its operand types",
        """
        An operator is applied to operands it can never accept, whatever their values:
        arithmetic on a string or `null`, `+` between a number and `null`, a comparison
        between a boolean and a number (as in `1 < 2 < 3`), or `-` applied to a string.

        .flow never converts values implicitly: `"5" - 2` would throw a `TypeError` at run
        time instead of giving `3`. When the operation fails for only some of the possible
        types, the checker warns with FLOW404 instead.

        Example:

        ```js
        let quantity = "5"
        let total = quantity * 2
        ```

        Fix: convert explicitly:

        ```js
        let quantity = "5"
        let total = Number(quantity) * 2
        ```
        """,
    ),
    _code(
        "FLOW202",
        E,
        "wrong number of arguments to a builtin",
        """
        A builtin function or method is called with fewer or more arguments than its signature
        (§9) allows.

        Builtins check their arguments at run time and throw a `TypeError`; the checker finds
        the same mistake before the workflow runs. Note that `Math.min` and `Math.max` need at
        least one argument (there is no `Infinity` to return).

        Example:

        ```js
        await Timer.delay()
        let rounded = Math.floor(amount, 2)
        ```

        Fix:

        ```js
        await Timer.delay("10m")
        let rounded = Math.floor(amount * 100) / 100
        ```
        """,
    ),
    _code(
        "FLOW203",
        E,
        "argument of the wrong type for a builtin",
        """
        An argument of a builtin call has a type the builtin never accepts, an option object
        has an unknown key or a wrong value, or a literal argument would be rejected at run
        time (a malformed or negative duration, an invalid timestamp, an empty `Promise.race`).

        No argument is ever coerced: `Math.floor("3")` fails instead of guessing. Durations
        are numbers of seconds or strings such as `"30s"`, `"1h30m"`, `"7d"`.

        Example:

        ```js
        await Timer.delay("5 minutes")
        await Task.run("charge-card", { orderId }, { retry: 3 })
        ```

        Fix:

        ```js
        await Timer.delay("5m")
        await Task.run("charge-card", { orderId }, { retries: 3 })
        ```
        """,
    ),
    _code(
        "FLOW204",
        E,
        "property does not exist on the type",
        """
        A property or method is used on a value whose type certainly lacks it: a primitive
        without that property, `null`, or a closed object type without that field. The help
        suggests the nearest existing name.

        JavaScript would read `undefined` or throw later; here the mistake is found before the
        workflow runs. There are no callback methods (`map`, `filter`, `forEach`): use
        `for…of`.

        Example:

        ```js
        let status = "pending"
        let label = status.toUppercase()
        ```

        Fix:

        ```js
        let status = "pending"
        let label = status.toUpperCase()
        ```
        """,
    ),
    _code(
        "FLOW205",
        E,
        "value is not iterable",
        """
        A `for…of` loop, array spread or array pattern is given a value that is not an array
        or a string: an object, a number, a boolean, `null` or a promise.

        Only arrays and strings can be iterated; anything else throws a `TypeError` at run
        time. To loop over an object, iterate its values, its entries or its keys (`for…in`).

        Example:

        ```js
        const prices = { apple: 1, pear: 2 }
        let total = 0
        for (const price of prices) total += price
        ```

        Fix:

        ```js
        const prices = { apple: 1, pear: 2 }
        let total = 0
        for (const price of Object.values(prices)) total += price
        ```
        """,
    ),
    _code(
        "FLOW206",
        E,
        "promise used as a plain value",
        """
        A promise is used where a plain value is needed: as an operand, a condition, the base
        of a property read or method call, a template substitution, a returned or thrown
        value, task or child inputs, or an argument of `String`, `Number` or `JSON`. Did you
        forget `await`?

        `Task.run` and the other effects return promises; their results exist only after
        `await`. Note that `await t.value` means `await (t.value)`: write `(await t).value`.

        Example:

        ```js
        let order = Task.run("load-order", { id: Inputs.orderId })
        return order.total
        ```

        Fix:

        ```js
        let order = await Task.run("load-order", { id: Inputs.orderId })
        return order.total
        ```
        """,
    ),
    _code(
        "FLOW207",
        E,
        "call of something that is not a builtin function or method",
        """
        The code calls something other than a builtin: a variable, an object property, a
        computed member (`a["push"](x)`) or a property such as `length`.

        Only builtins can be called (§6.5); .flow has no user-defined functions. Repeated logic
        belongs in a loop, a task (Python) or a child workflow (`Workflow.run`).

        Example:

        ```js
        let count = items.length()
        items["push"](extra)
        ```

        Fix:

        ```js
        let count = items.length
        items.push(extra)
        ```
        """,
    ),
    # Contracts with tasks, child workflows and the front matter (LANGUAGE.md §3.3, §11.5).
    _code(
        "FLOW301",
        E,
        "unknown task",
        """
        `Task.run` names a task that the task catalog does not contain. The help suggests the
        nearest task name. (Checked only when a catalog is given.)

        No worker would ever pick up a task with a misspelt name: the execution would wait
        for it forever.

        Example:

        ```js
        await Task.run("send_emial", { to, subject })
        ```

        Fix:

        ```js
        await Task.run("send_email", { to, subject })
        ```
        """,
    ),
    _code(
        "FLOW302",
        E,
        "missing required input field",
        """
        The inputs given to `Task.run` or `Workflow.run` lack a field that the task's input
        schema or the child workflow's `inputs` requires.

        The task would fail on its inputs at run time, after the workflow has already done
        part of its work; the checker finds the omission before anything runs.

        Example:

        ```js
        await Task.run("send_email", { to: customer.email })
        ```

        Fix:

        ```js
        await Task.run("send_email", { to: customer.email, subject: "Your order" })
        ```
        """,
    ),
    _code(
        "FLOW303",
        E,
        "unknown input field",
        """
        The inputs given to `Task.run` or `Workflow.run` contain a field that the closed input
        type of the task or child workflow does not have. The help suggests the nearest field.

        Closed types come from task signatures, TypedDicts and pydantic models; a key they
        would silently ignore is almost always a typo, and the value meant for the real field
        would be lost.

        Example:

        ```js
        await Task.run("send_email", { to, subjct: "Your order" })
        ```

        Fix:

        ```js
        await Task.run("send_email", { to, subject: "Your order" })
        ```
        """,
    ),
    _code(
        "FLOW304",
        E,
        "input field of the wrong type",
        """
        A field of the inputs given to `Task.run` or `Workflow.run` has a type that the task's
        schema or the child's `inputs` does not accept.

        Values are never converted on the way to a task: a string where a number is expected
        reaches Python as a `str`, or is rejected when a child workflow starts.

        Example:

        ```js
        await Task.run("charge", { amount: "5" })
        ```

        Fix:

        ```js
        await Task.run("charge", { amount: 5 })
        ```
        """,
    ),
    _code(
        "FLOW305",
        E,
        "unknown child workflow",
        """
        `Workflow.run` names a workflow that is not in the set being checked or registered
        together. The help suggests the nearest name. (Checked only when a workflow set is
        given.)

        A child that does not exist can never start, so the parent would fail or wait at run
        time.

        Example:

        ```js
        let receipt = await Workflow.run("chrage", { orderId })
        ```

        Fix:

        ```js
        let receipt = await Workflow.run("charge", { orderId })
        ```
        """,
    ),
    _code(
        "FLOW306",
        E,
        "`Inputs` field not declared in front matter",
        """
        The code reads a field of `Inputs` that the front matter's `inputs` type does not
        declare. The help suggests the nearest declared field.

        When `inputs` is declared, start requests are validated against it and extra keys are
        rejected, so an undeclared field can never be present: reading it is a typo or a
        missing declaration.

        Example:

        ````js
        ```yaml
        inputs:
          email: string
        ```
        await Task.run("send_email", { to: Inputs.emial })
        ````

        Fix: correct the name, or declare the field (optional fields end in `?`):

        ````js
        ```yaml
        inputs:
          email: string
        ```
        await Task.run("send_email", { to: Inputs.email })
        ````
        """,
    ),
    _code(
        "FLOW307",
        E,
        "signal not declared in front matter",
        """
        `Signal.next` waits for a signal name that the front matter's `signals` does not
        declare. The help suggests the nearest declared signal.

        When `signals` is present, the runtime rejects signals with undeclared names, so this
        wait could never end.

        Example:

        ````js
        ```yaml
        signals:
          approval: "{ approved: boolean }"
        ```
        let decision = await Signal.next("aproval")
        ````

        Fix:

        ````js
        ```yaml
        signals:
          approval: "{ approved: boolean }"
        ```
        let decision = await Signal.next("approval")
        ````
        """,
    ),
    _code(
        "FLOW308",
        E,
        "returned value does not match `output`",
        """
        A `return` gives a value whose type is not assignable to the front matter's `output`
        type, or a path through the program ends without `return` (returning `null`) although
        `output` does not allow `null`.

        `output` is the contract callers and parent workflows rely on; it is checked here, not
        at run time.

        Example:

        ````js
        ```yaml
        output: "{ status: string }"
        ```
        return { status: 1 }
        ````

        Fix:

        ````js
        ```yaml
        output: "{ status: string }"
        ```
        return { status: "paid" }
        ````
        """,
    ),
    _code(
        "FLOW309",
        E,
        "invalid front-matter key or value",
        """
        The front matter has a key other than `name`, `description`, `queue`, `inputs`,
        `output` and `signals`, or a value of the wrong YAML kind: `name`, `description` and
        `queue` take strings, and types are strings or mappings (write `"null"` or
        `"[string, number]"` in quotes).

        The original engine ignored front matter entirely, so a key such as `timeout` looked
        effective but did nothing.

        Example:

        ````js
        ```yaml
        queue: 3
        timeout: 5
        output: 42
        ```
        ````

        Fix: give each key a value of its kind, and set timeouts where they apply (the
        `timeout` option of `Task.run`):

        ````js
        ```yaml
        queue: finance
        output: number
        ```
        ````
        """,
    ),
    # Warnings (LANGUAGE.md §11.6): they never block a build and can be suppressed with
    # `// flow-disable-next-line FLOWnnn`.
    _code(
        "FLOW401",
        W,
        "unreachable code",
        """
        A statement can never run: it follows a `return`, `throw`, `break` or `continue` in
        the same block, or a `while (true)` loop without `break`.

        Dead code usually means the statements are in the wrong order or a condition is
        missing.

        Example:

        ```js
        return { status: "paid" }
        await Task.run("send-receipt", { orderId })
        ```

        Fix:

        ```js
        await Task.run("send-receipt", { orderId })
        return { status: "paid" }
        ```
        """,
    ),
    _code(
        "FLOW402",
        W,
        "unused variable",
        """
        A variable is declared but never read. Names starting with `_` and `catch` bindings
        are exempt.

        An unused variable is often a leftover or a sign that the wrong variable is read
        elsewhere.

        Example:

        ```js
        let receipt = await Task.run("send-receipt", { orderId })
        return { status: "paid" }
        ```

        Fix: drop the variable, use it, or prefix it with `_`:

        ```js
        await Task.run("send-receipt", { orderId })
        return { status: "paid" }
        ```
        """,
    ),
    _code(
        "FLOW403",
        W,
        "comparison is always false (or always true)",
        """
        An equality comparison compares operands whose possible types do not overlap, so its
        result is known in advance.

        `==` never converts: `1 == "1"` is `false`, unlike JavaScript. Likewise `typeof` never
        yields `"undefined"` or `"function"`.

        Example:

        ```js
        let count = Inputs.items.length
        if (count == "3") return "three"
        if (typeof Inputs.note == "undefined") return "no note"
        ```

        Fix:

        ```js
        let count = Inputs.items.length
        if (count == 3) return "three"
        if (Inputs.note == null) return "no note"
        ```
        """,
    ),
    _code(
        "FLOW404",
        W,
        "operation may fail at run time for some possible types",
        """
        An operation or call fails for some of the types its operands may have, though not all
        of them. Most often a value may be `null`: an optional input field, a `pop()` result,
        an optional task result field.

        It is a warning because the checker cannot know which case occurs; at run time the
        failing case throws a `TypeError`. Narrow the type first (§11.4).

        Example:

        ````js
        ```yaml
        inputs:
          note?: string
        ```
        let note = Inputs.note.trim()
        ````

        Fix:

        ````js
        ```yaml
        inputs:
          note?: string
        ```
        let note = Inputs.note?.trim() ?? ""
        ````
        """,
    ),
    _code(
        "FLOW405",
        W,
        "result of `Signal.next` or `Timer` discarded",
        """
        `Signal.next`, `Timer.delay` or `Timer.until` is called as a statement and its promise
        is thrown away.

        A discarded timer does nothing at all: the workflow does not wait. A discarded
        `Signal.next` is worse: it still claims the next signal of that name, which is then
        consumed and lost.

        Example:

        ```js
        Timer.delay("1h")
        Signal.next("approval")
        ```

        Fix: await the promise (or keep it and await it later):

        ```js
        await Timer.delay("1h")
        let approval = await Signal.next("approval")
        ```
        """,
    ),
    _code(
        "FLOW406",
        W,
        "`await` of a value that is not a promise",
        """
        `await` is applied to a value that is certainly not a promise, so it returns the value
        unchanged.

        Harmless at run time, but it usually means the value was already awaited, or that the
        `await` belongs to another expression.

        Example:

        ```js
        let user = await Task.run("load-user", { id })
        let name = await user.name
        ```

        Fix:

        ```js
        let user = await Task.run("load-user", { id })
        let name = user.name
        ```
        """,
    ),
    _code(
        "FLOW407",
        W,
        "duplicate key in an object literal",
        """
        An object literal has the same key twice.

        As in JavaScript, the key keeps its first position and takes the last value, so the
        first value is silently lost; it is usually a copy-paste mistake.

        Example:

        ```js
        return { status: "ok", amount, status: "paid" }
        ```

        Fix:

        ```js
        return { status: "paid", amount }
        ```
        """,
    ),
]

CODES: dict[str, Code] = {code.code: code for code in _CODES}


def diagnostic(
    code: str,
    message: str,
    span: Span,
    *,
    label: str = "",
    labels: tuple[Label, ...] = (),
    notes: tuple[str, ...] = (),
    help: str | None = None,
    fix: Fix | None = None,
) -> Diagnostic:
    """A diagnostic of a registered code, with the code's severity."""
    return Diagnostic(
        code=code,
        severity=CODES[code].severity,
        message=message,
        span=span,
        label=label,
        labels=labels,
        notes=notes,
        help=help,
        fix=fix,
    )


def find_code(spelling: str) -> Code | None:
    """The code written as `FLOW101`, `flow101` or `101` (`1` is `FLOW001`), if it exists."""
    digits = spelling.strip().upper().removeprefix("FLOW")
    if not (digits.isascii() and digits.isdigit()):
        return None
    return CODES.get(f"FLOW{int(digits):03d}")


def explain(spelling: str) -> str | None:
    """`FLOW101 (error): undefined name` and the code's documentation, for `flowc explain`."""
    code = find_code(spelling)
    if code is None:
        return None
    return f"{code.code} ({code.severity.value}): {code.summary}\n\n{code.explanation}"
