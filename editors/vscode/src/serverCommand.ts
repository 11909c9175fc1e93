// Which command starts the language server, and what to tell the user when it does not start.
// Pure functions of the settings and the interpreter, so they are tested without VS Code.

export const SERVER_COMMAND_SETTING = "rhythm.flow.serverCommand";

/** Where the command came from: it decides what a user should change when it fails. */
export type CommandOrigin = "setting" | "python" | "path";

export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly origin: CommandOrigin;
}

/**
 * The command that starts `flowc lsp`, in order of precedence: the `rhythm.flow.serverCommand`
 * setting; the interpreter selected in the Python extension, as `<python> -m flowlang lsp`;
 * else `flowc lsp` from `PATH`. `configured` is the setting's raw value (the settings editor
 * only warns about a value of the wrong type), and an empty list means "not set".
 */
export function chooseServerCommand(
  configured: unknown,
  interpreter: string | undefined,
): ServerCommand {
  const setting = parseSetting(configured);
  if (setting.length > 0) {
    return { command: setting[0], args: setting.slice(1), origin: "setting" };
  }
  if (interpreter !== undefined && interpreter !== "") {
    return { command: interpreter, args: ["-m", "flowlang", "lsp"], origin: "python" };
  }
  return { command: "flowc", args: ["lsp"], origin: "path" };
}

export class InvalidSettingError extends Error {}

function parseSetting(configured: unknown): string[] {
  if (configured === undefined || configured === null) {
    return [];
  }
  const isListOfWords =
    Array.isArray(configured) && configured.every((word) => typeof word === "string");
  if (!isListOfWords) {
    throw new InvalidSettingError(
      `${SERVER_COMMAND_SETTING} must be a list of strings, the command and its arguments ` +
        `(for example ["/path/to/flowc", "lsp"]), not ${JSON.stringify(configured)}`,
    );
  }
  if (configured.length > 0 && configured[0].trim() === "") {
    throw new InvalidSettingError(
      `${SERVER_COMMAND_SETTING} starts with an empty command: its first item must name the ` +
        `program to run (for example "/path/to/flowc")`,
    );
  }
  return configured;
}

/** The command as a user would type it in a shell, for messages and the output channel. */
export function displayCommand(server: ServerCommand): string {
  return [server.command, ...server.args].map(quoteForShell).join(" ");
}

function quoteForShell(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What to do about a server that did not start, depending on where its command came from. */
export function remedy(server: ServerCommand): string {
  switch (server.origin) {
    case "setting":
      return `Check the setting ${SERVER_COMMAND_SETTING}.`;
    case "python":
      return (
        "Install rhythm-flow (the Python distribution of flowlang) in that environment, select " +
        `an environment that has it ("Python: Select Interpreter"), or set ${SERVER_COMMAND_SETTING}.`
      );
    case "path":
      return (
        "Install rhythm-flow (it provides flowc) and make sure flowc is on PATH, select the " +
        "Python environment that has it (with the Python extension installed), or set " +
        `${SERVER_COMMAND_SETTING}.`
      );
  }
}

/** The message for a command that could not be run at all (not found, not executable). */
export function launchFailureMessage(server: ServerCommand, error: NodeJS.ErrnoException): string {
  const reason =
    error.code === "ENOENT"
      ? `${quoteForShell(server.command)} was not found`
      : error.code === "EACCES"
        ? `${quoteForShell(server.command)} is not executable`
        : error.message;
  return `Could not start the Flow language server \`${displayCommand(server)}\`: ${reason}. ${remedy(server)}`;
}

/**
 * The message for a server that exited before it answered, with the last line it wrote to
 * stderr (Python's "No module named flowlang", flowc's "invalid choice: 'lsp'"), which says
 * why better than anything this side can guess.
 */
export function earlyExitMessage(
  server: ServerCommand,
  exitCode: number | null,
  stderr: string,
): string {
  const lastLine = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .pop();
  const status = exitCode === null ? "was stopped" : `exited with status ${exitCode}`;
  const said = lastLine === undefined ? "" : `: ${lastLine}`;
  return `The Flow language server \`${displayCommand(server)}\` ${status} before it started${said}. ${remedy(server)}`;
}
