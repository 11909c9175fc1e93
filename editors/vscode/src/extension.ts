// Entry point of the extension: wires the language server to VS Code's commands, settings and
// the Python extension's interpreter selection.

import * as vscode from "vscode";
import { FlowLanguageServer } from "./languageServer";
import { PythonInterpreter } from "./pythonInterpreter";
import { SERVER_COMMAND_SETTING, type ServerCommand, chooseServerCommand } from "./serverCommand";

let server: FlowLanguageServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Flow Language Server", { log: true });
  const python = new PythonInterpreter(output);
  const chooseCommand = async (): Promise<ServerCommand> =>
    chooseServerCommand(
      vscode.workspace.getConfiguration().get(SERVER_COMMAND_SETTING),
      await python.executable(vscode.workspace.workspaceFolders?.[0]?.uri),
    );
  server = new FlowLanguageServer(output, chooseCommand);
  const languageServer = server;

  // The server imports the project's Python task modules: never before the user trusts them.
  const restartIfTrusted = (): void => {
    if (vscode.workspace.isTrusted) {
      void languageServer.restart();
    }
  };
  context.subscriptions.push(
    output,
    python,
    languageServer,
    vscode.commands.registerCommand("rhythm.flow.restartServer", async () => {
      if (vscode.workspace.isTrusted) {
        await languageServer.restart();
      } else {
        await vscode.window.showInformationMessage(UNTRUSTED);
      }
    }),
    vscode.commands.registerCommand("rhythm.flow.showOutput", () => output.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SERVER_COMMAND_SETTING)) {
        restartIfTrusted();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void languageServer.start()),
  );
  // Another interpreter may have flowlang installed (or another version of it).
  await python.onDidChange(() => {
    if (!isServerCommandSet()) {
      restartIfTrusted();
    }
  });
  if (vscode.workspace.isTrusted) {
    void languageServer.start();
  } else {
    output.info(UNTRUSTED);
  }
}

const UNTRUSTED =
  "The Flow language server starts once the workspace is trusted: it imports the project's " +
  "Python task modules to check task inputs.";

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}

function isServerCommandSet(): boolean {
  const configured = vscode.workspace.getConfiguration().get(SERVER_COMMAND_SETTING);
  return Array.isArray(configured) && configured.length > 0;
}
