import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  InvalidSettingError,
  chooseServerCommand,
  displayCommand,
  earlyExitMessage,
  launchFailureMessage,
} from "../../src/serverCommand";

describe("chooseServerCommand", () => {
  it("runs the configured command with its arguments", () => {
    const server = chooseServerCommand(["/opt/flow/bin/flowc", "lsp"], "/usr/bin/python3");

    assert.deepEqual(server, { command: "/opt/flow/bin/flowc", args: ["lsp"], origin: "setting" });
  });

  it("runs flowlang with the Python extension's interpreter when nothing is configured", () => {
    const server = chooseServerCommand([], "/home/ada/shop/.venv/bin/python");

    assert.deepEqual(server, {
      command: "/home/ada/shop/.venv/bin/python",
      args: ["-m", "flowlang", "lsp"],
      origin: "python",
    });
  });

  it("falls back to flowc on PATH without a setting or an interpreter", () => {
    for (const configured of [[], undefined, null]) {
      const server = chooseServerCommand(configured, undefined);

      assert.deepEqual(server, { command: "flowc", args: ["lsp"], origin: "path" });
    }
  });

  it("rejects a setting that is not a list of strings, saying what it should be", () => {
    assert.throws(
      () => chooseServerCommand("flowc lsp", undefined),
      (error: unknown) =>
        error instanceof InvalidSettingError &&
        error.message ===
          "rhythm.flow.serverCommand must be a list of strings, the command and its arguments " +
            '(for example ["/path/to/flowc", "lsp"]), not "flowc lsp"',
    );
    assert.throws(() => chooseServerCommand(["flowc", 1], undefined), InvalidSettingError);
  });

  it("rejects a setting whose command is empty", () => {
    assert.throws(
      () => chooseServerCommand(["  ", "lsp"], undefined),
      /starts with an empty command/,
    );
  });
});

describe("displayCommand", () => {
  it("quotes the words a shell would split or expand", () => {
    const server = {
      command: "/Users/Ada Lovelace/venv/bin/python",
      args: ["-m", "flowlang", "lsp"],
      origin: "python",
    } as const;

    assert.equal(displayCommand(server), "'/Users/Ada Lovelace/venv/bin/python' -m flowlang lsp");
  });

  it("quotes single quotes inside a word", () => {
    const server = { command: "flowc", args: ["it's"], origin: "setting" } as const;

    assert.equal(displayCommand(server), "flowc 'it'\\''s'");
  });
});

describe("messages", () => {
  it("says a missing flowc was not found and how to get one", () => {
    const missing = Object.assign(new Error("spawn flowc ENOENT"), { code: "ENOENT" });

    assert.equal(
      launchFailureMessage({ command: "flowc", args: ["lsp"], origin: "path" }, missing),
      "Could not start the Flow language server `flowc lsp`: flowc was not found. Install " +
        "rhythm-flow (it provides flowc) and make sure flowc is on PATH, select the Python " +
        "environment that has it (with the Python extension installed), or set " +
        "rhythm.flow.serverCommand.",
    );
  });

  it("says a configured command is not executable and points at the setting", () => {
    const denied = Object.assign(new Error("spawn EACCES"), { code: "EACCES" });

    assert.equal(
      launchFailureMessage({ command: "/opt/flowc", args: ["lsp"], origin: "setting" }, denied),
      "Could not start the Flow language server `/opt/flowc lsp`: /opt/flowc is not executable. " +
        "Check the setting rhythm.flow.serverCommand.",
    );
  });

  it("quotes the last line the server wrote before it exited", () => {
    const server = {
      command: "/usr/bin/python3",
      args: ["-m", "flowlang", "lsp"],
      origin: "python",
    } as const;

    assert.equal(
      earlyExitMessage(server, 1, "/usr/bin/python3: No module named flowlang\n\n"),
      "The Flow language server `/usr/bin/python3 -m flowlang lsp` exited with status 1 before " +
        "it started: /usr/bin/python3: No module named flowlang. Install rhythm-flow (the " +
        "Python distribution of flowlang) in that environment, select an environment that has " +
        'it ("Python: Select Interpreter"), or set rhythm.flow.serverCommand.',
    );
  });

  it("reports a server stopped by a signal, with nothing on stderr", () => {
    const server = { command: "flowc", args: ["lsp"], origin: "path" } as const;

    assert.match(
      earlyExitMessage(server, null, ""),
      /^The Flow language server `flowc lsp` was stopped before it started\. Install/,
    );
  });
});
