// The language server as a child process: spawning it (again, when the language client
// restarts a server that crashed), keeping the end of what it wrote to stderr (the reason when
// it exits early), and making sure it is gone when stopped.

import { type ChildProcess, spawn } from "node:child_process";
import { type ServerCommand, launchFailureMessage } from "./serverCommand";

/** How much of stderr is kept for messages; the output channel has all of it. */
const STDERR_TAIL = 4096;

/** One spawned process: the child, the end of its stderr, and its exit status once known. */
interface Run {
  readonly child: ChildProcess;
  stderrTail: string;
  readonly exited: Promise<number | null>;
}

export class ServerProcess {
  private run: Run | undefined;

  constructor(
    readonly server: ServerCommand,
    private readonly cwd: string | undefined,
  ) {}

  /**
   * Starts the process; resolves once it runs. Rejects with a message for the user (a string,
   * which the language client shows as it is) when the command cannot be run at all.
   */
  spawn(): Promise<ChildProcess> {
    const child = spawn(this.server.command, [...this.server.args], {
      cwd: this.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.once("error", () => resolve(null));
    });
    const run: Run = { child, stderrTail: "", exited };
    this.run = run;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      run.stderrTail = (run.stderrTail + text).slice(-STDERR_TAIL);
    });
    return new Promise((resolve, reject) => {
      child.once("spawn", () => resolve(child));
      child.once("error", (error) => reject(launchFailureMessage(this.server, error)));
    });
  }

  /** What the latest process wrote last to stderr. */
  get stderr(): string {
    return this.run?.stderrTail ?? "";
  }

  /**
   * The latest process's exit status (null if a signal ended it), waiting up to `ms` for it to
   * exit; undefined if it is still running then, or was never started.
   */
  async exitCode(ms: number): Promise<number | null | undefined> {
    if (this.run === undefined) {
      return undefined;
    }
    return Promise.race([this.run.exited, delay(ms).then(() => undefined)]);
  }

  /** Kills the latest process unless it exits by itself within `graceMs`. */
  async terminate(graceMs: number): Promise<void> {
    const child = this.run?.child;
    const running =
      child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
    if (!running) {
      return;
    }
    if ((await this.exitCode(graceMs)) === undefined) {
      child.kill("SIGKILL");
      await this.run?.exited;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
