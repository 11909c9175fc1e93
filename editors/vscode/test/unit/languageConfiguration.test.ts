import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

// The compiled test runs from out/test/unit; the configuration is at the extension's root.
const configuration = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "..", "language-configuration.json"), "utf8"),
);
const rules = configuration.indentationRules;
const increase = new RegExp(rules.increaseIndentPattern);
const decrease = new RegExp(rules.decreaseIndentPattern);
const indentNextLine = new RegExp(rules.indentNextLinePattern);
const word = new RegExp(`^(?:${configuration.wordPattern})$`);

describe("indentation rules", () => {
  it("indent after a line that opens a block, an object, an array or a call", () => {
    for (const line of [
      "if (ok) {",
      "} else {",
      "let order = {",
      "let ids = [",
      'await Task.run("charge-card", {',
      "const charge = await Task.run(",
    ]) {
      assert.ok(increase.test(line), line);
    }
  });

  it("do not indent after a line whose brackets are closed, or that opens one in a comment or string", () => {
    for (const line of [
      "let order = { id: 1 }",
      "return [a, b]",
      "// the fallback {",
      'let s = "{"',
    ]) {
      assert.ok(!increase.test(line), line);
    }
  });

  it("outdent a line that closes a bracket", () => {
    for (const line of ["}", "  } else {", "]", "  })"]) {
      assert.ok(decrease.test(line), line);
    }
    assert.ok(!decrease.test("  return {}"));
  });

  it("indent only the next line after a brace-less if, else, while or for", () => {
    for (const line of [
      "if (amount > 100)",
      "} else",
      'else if (tier == "gold")',
      "for (const sku of items)",
      "while (pending)",
    ]) {
      assert.ok(indentNextLine.test(line), line);
    }
    for (const line of ["if (ok) return 1", "let iffy = 1", "elsewhere()"]) {
      assert.ok(!indentNextLine.test(line), line);
    }
  });
});

describe("word pattern", () => {
  it("selects identifiers with $ and _ and whole numbers", () => {
    for (const text of ["orderId", "$ref", "_unused", "x1", "42", "3.5", ".5", "2.5E-4"]) {
      assert.ok(word.test(text), text);
    }
  });

  it("stops at characters identifiers cannot hold", () => {
    for (const text of ["order-id", "café", "a.b"]) {
      assert.ok(!word.test(text), text);
    }
  });
});
