// The language client for `.flow` files: starts `flowc lsp` with the command of the moment and
// restarts it on request. Start, stop and restart run one after another, never interleaved.

import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
} from "vscode-languageclient/node";
import { StartupAwareErrorHandler } from "./errorHandler";
import {
  InvalidSettingError,
  SERVER_COMMAND_SETTING,
  type ServerCommand,
  displayCommand,
} from "./serverCommand";
import { ServerProcess } from "./serverProcess";

/** The client's id: VS Code reads the trace level from `rhythm.flow.trace.server`. */
const CLIENT_ID = "rhythm.flow";
const CLIENT_NAME = "Flow Language Server";
/** How long a server may take to exit after the `exit` notification before it is killed. */
const EXIT_GRACE_MS = 2000;
/**
 * Files whose changes the server hears of (`workspace/didChangeWatchedFiles`): task modules,
 * task catalogs and `pyproject.toml` decide what `.flow` files may call, so the server checks
 * the open ones again when any of them changes.
 */
const WATCHED_FILES = "**/{*.py,*.json,pyproject.toml}";

/**
 * The language client, except that its notifications go only to the output channel when the
 * error handler says they would repeat what the user knows (a generic "couldn't create
 * connection to server" with a JSON-RPC error code, after the reason was shown).
 */
class FlowLanguageClient extends LanguageClient {
  constructor(
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    private readonly errorHandler: StartupAwareErrorHandler,
  ) {
    super(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  }

  override error(message: string, data?: unknown, showNotification?: boolean | "force"): void {
    super.error(message, data, this.errorHandler.quiet ? false : showNotification);
  }
}

interface RunningServer {
  readonly client: FlowLanguageClient;
  readonly process: ServerProcess;
  readonly errorHandler: StartupAwareErrorHandler;
  readonly subscriptions: vscode.Disposable;
}

export class FlowLanguageServer implements vscode.Disposable {
  private current: RunningServer | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly chooseCommand: () => Promise<ServerCommand>,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  dispose(): void {
    void this.stop();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private async startNow(): Promise<void> {
    let server: ServerCommand;
    try {
      server = await this.chooseCommand();
    } catch (error) {
      await this.reportUnknownCommand(error);
      return;
    }
    this.output.info(`Starting ${displayCommand(server)}`);
    const process = new ServerProcess(server, workspaceFolderPath());
    const errorHandler = new StartupAwareErrorHandler(
      process,
      (explanation) => void this.showStartupFailure(explanation),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED_FILES);
    const client = new FlowLanguageClient(
      () => process.spawn(),
      this.clientOptions(errorHandler, watcher),
      errorHandler,
    );
    const subscriptions = vscode.Disposable.from(errorHandler.watch(client), watcher);
    this.current = { client, process, errorHandler, subscriptions };
    // Not awaited: a server that never answers must not hold up a restart with another command.
    client.start().then(
      () => this.output.info(`Started ${displayCommand(server)}`),
      // The error handler or the language client has told the user why.
      () => undefined,
    );
  }

  private async stopNow(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current === undefined) {
      return;
    }
    current.subscriptions.dispose();
    current.errorHandler.stop();
    if (!current.client.isRunning()) {
      // Starting, or failed: there is no connection to ask the server to exit through.
      await current.process.terminate(0);
      return;
    }
    try {
      await current.client.dispose();
    } catch (error) {
      this.output.warn(`Stopping the server failed: ${error}`);
    }
    await current.process.terminate(EXIT_GRACE_MS);
  }

  private clientOptions(
    errorHandler: StartupAwareErrorHandler,
    watcher: vscode.FileSystemWatcher,
  ): LanguageClientOptions {
    return {
      documentSelector: [
        { scheme: "file", language: "flow" },
        { scheme: "untitled", language: "flow" },
      ],
      synchronize: { fileEvents: watcher },
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      errorHandler,
      // A server that never answers is explained by the error handler when its connection
      // closes; the language client's own messages would only repeat it, less clearly.
      initializationFailedHandler: (error) => {
        this.output.error(`The server did not initialize: ${error}`);
        return false;
      },
    };
  }

  private async showStartupFailure(explanation: string): Promise<void> {
    const showOutput = "Show Output";
    if ((await vscode.window.showErrorMessage(explanation, showOutput)) === showOutput) {
      this.output.show();
    }
  }

  /** The command could not be decided: the setting is malformed, or the Python extension failed. */
  private async reportUnknownCommand(error: unknown): Promise<void> {
    const message =
      error instanceof InvalidSettingError
        ? error.message
        : `Could not decide how to start the Flow language server: ${error}`;
    this.output.error(message);
    const openSettings = "Open Settings";
    const choice = await vscode.window.showErrorMessage(message, openSettings);
    if (choice === openSettings) {
      await vscode.commands.executeCommand("workbench.action.openSettings", SERVER_COMMAND_SETTING);
    }
  }
}

/** The server runs in the first workspace folder, where `flowc` finds `[tool.flowc]`. */
function workspaceFolderPath(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}
