// The interpreter selected in the Python extension (ms-python.python), when it is installed:
// the environment a project's `pip install rhythm-flow` went into is the one to run the server.

import { PVSC_EXTENSION_ID, PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";

export class PythonInterpreter implements vscode.Disposable {
  private api: Promise<PythonExtension | undefined> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The active interpreter's executable for `resource`, or undefined without the extension. */
  async executable(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const api = await this.loadApi();
    if (api === undefined) {
      return undefined;
    }
    const active = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(active);
    const executable = environment?.executable.uri?.fsPath;
    if (executable === undefined) {
      this.log.warn(`The Python extension's environment ${active.path} has no interpreter`);
    }
    return executable;
  }

  /** Calls `listener` when the user selects another interpreter. */
  async onDidChange(listener: () => void): Promise<void> {
    const api = await this.loadApi();
    if (api !== undefined) {
      this.subscriptions.push(api.environments.onDidChangeActiveEnvironmentPath(listener));
    }
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }

  private loadApi(): Promise<PythonExtension | undefined> {
    this.api ??= this.activatePythonExtension();
    return this.api;
  }

  private async activatePythonExtension(): Promise<PythonExtension | undefined> {
    if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
      return undefined;
    }
    try {
      return await PythonExtension.api();
    } catch (error) {
      // The extension is installed but failed to activate: run without it rather than not at all.
      this.log.warn(
        `The Python extension did not activate, so its interpreter is not used: ${error}`,
      );
      return undefined;
    }
  }
}
