// What the language client does when the connection to a server fails or closes. A server that
// has run is restarted after a crash, as the language client does by default; one that never
// came up is not restarted (it would fail the same way), and the user learns why from what it
// wrote to stderr, in one message given to `onStartupFailure`.

import * as vscode from "vscode";
import {
  CloseAction,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClient,
  type Message,
  State,
} from "vscode-languageclient/node";
import { earlyExitMessage } from "./serverCommand";
import type { ServerProcess } from "./serverProcess";

/** Restarts allowed within three minutes once a server has run (the language client's default). */
const MAX_RESTARTS = 4;
/** How long to wait for a server that closed its output to report its exit status. */
const EXIT_REPORT_MS = 1000;

export class StartupAwareErrorHandler implements ErrorHandler {
  private hasRun = false;
  private stopping = false;
  private failedToStart = false;
  private afterRun: ErrorHandler | undefined;

  constructor(
    private readonly process: ServerProcess,
    private readonly onStartupFailure: (explanation: string) => void,
  ) {}

  /** Follows `client`, the one these options were given to, to know whether it ever ran. */
  watch(client: LanguageClient): vscode.Disposable {
    this.afterRun = client.createDefaultErrorHandler(MAX_RESTARTS);
    return client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) {
        this.hasRun = true;
      }
    });
  }

  /**
   * Whether the language client's own notifications would only repeat what the user knows:
   * the server is being stopped on purpose, or it never came up and `onStartupFailure` says
   * why (set as soon as its connection closes, before the client reports that).
   */
  get quiet(): boolean {
    return this.stopping || this.failedToStart;
  }

  /** The server is being stopped on purpose: its connection closing is no failure. */
  stop(): void {
    this.stopping = true;
  }

  error(
    error: Error,
    message: Message | undefined,
    count: number | undefined,
  ): ErrorHandlerResult | Promise<ErrorHandlerResult> {
    return this.defaultHandler().error(error, message, count);
  }

  async closed(): Promise<CloseHandlerResult> {
    if (this.stopping) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    if (this.hasRun) {
      return this.defaultHandler().closed();
    }
    this.failedToStart = true;
    const exitCode = await this.process.exitCode(EXIT_REPORT_MS);
    const explanation = earlyExitMessage(
      this.process.server,
      exitCode ?? null,
      this.process.stderr,
    );
    this.onStartupFailure(explanation);
    // Handled: the language client only logs the explanation, which the user has been shown.
    return { action: CloseAction.DoNotRestart, message: explanation, handled: true };
  }

  private defaultHandler(): ErrorHandler {
    if (this.afterRun === undefined) {
      throw new Error("StartupAwareErrorHandler.watch() was not called before the client started");
    }
    return this.afterRun;
  }
}
