import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServerProcess } from "../../src/serverProcess";

const node = process.execPath;

describe("ServerProcess", () => {
  it("rejects with a message for the user when the command does not exist", async () => {
    const server = new ServerProcess(
      { command: "flowc-that-does-not-exist", args: ["lsp"], origin: "path" },
      undefined,
    );

    await assert.rejects(server.spawn(), (message: unknown) => {
      assert.equal(typeof message, "string");
      assert.match(
        message as string,
        /^Could not start the Flow language server `flowc-that-does-not-exist lsp`: flowc-that-does-not-exist was not found\. Install rhythm-flow/,
      );
      return true;
    });
  });

  it("keeps the exit status and what the server wrote to stderr", async () => {
    const script =
      "process.stderr.write('Traceback...\\nNo module named flowlang\\n'); process.exit(3)";
    const server = new ServerProcess(
      { command: node, args: ["-e", script], origin: "setting" },
      undefined,
    );

    await server.spawn();

    assert.equal(await server.exitCode(5000), 3);
    assert.equal(server.stderr, "Traceback...\nNo module named flowlang\n");
  });

  it("runs the server in the given folder", async () => {
    const script = "process.stderr.write(process.cwd())";
    const server = new ServerProcess(
      { command: node, args: ["-e", script], origin: "setting" },
      "/tmp",
    );

    await server.spawn();
    await server.exitCode(5000);

    assert.equal(server.stderr, "/tmp");
  });

  it("kills a server that does not exit after it was asked to", async () => {
    const script = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const server = new ServerProcess(
      { command: node, args: ["-e", script], origin: "setting" },
      undefined,
    );
    const child = await server.spawn();

    await server.terminate(500);

    assert.equal(await server.exitCode(1000), null);
    assert.equal(child.signalCode, "SIGKILL");
  });

  it("lets a server that exits within the grace period exit by itself", async () => {
    const script = "setTimeout(() => process.exit(0), 100)";
    const server = new ServerProcess(
      { command: node, args: ["-e", script], origin: "setting" },
      undefined,
    );
    const child = await server.spawn();

    await server.terminate(5000);

    assert.equal(child.exitCode, 0);
    assert.equal(child.signalCode, null);
  });

  it("reports on the latest process when the language client starts it again", async () => {
    const script = "process.stderr.write('No module named flowlang'); process.exit(4)";
    const server = new ServerProcess(
      { command: node, args: ["-e", script], origin: "setting" },
      undefined,
    );
    await server.spawn();
    await server.exitCode(5000);

    await server.spawn();

    assert.equal(await server.exitCode(5000), 4);
    assert.equal(server.stderr, "No module named flowlang");
  });

  it("has nothing to stop when the command could not be run", async () => {
    const server = new ServerProcess({ command: "flowc-missing", args: [], origin: "path" }, "/");
    await server.spawn().catch(() => undefined);

    await server.terminate(60_000);

    assert.equal(await server.exitCode(0), null);
  });
});
