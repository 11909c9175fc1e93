// The editor end-to-end check, run by run.sh: installs the .vsix in code-server, opens a .flow
// file with an error in Chromium, and waits for the language server's diagnostic and completion
// list to show up in the editor, for a diagnostic that a change to the task catalog on disk
// brings, then for the one message that explains a server command that fails. Exits 0 when all
// four do; prints what it saw either way.

import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, open, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const codeServerEntry = path.join(here, "node_modules", "code-server", "out", "node", "entry.js");
const readmeScreenshot = path.join(here, "..", "images", "screenshot.png");
/** How long the editor and the language server may take for each step. */
const STEP_TIMEOUT_MS = 60_000;

// The README's example: a typo on line 4 (FLOW101) and a variable never used (FLOW402).
const APPROVAL_FLOW = `const { user_id } = Inputs
let report = await Task.run("submit-report", { reportId: user_id })
let approval = await Promise.race([Signal.next("manager-approval"), Timer.delay("24h")])
if (!aproval?.approved) return { status: "rejected" }
let reviewer = approval.approver
return { status: "approved", reportId: report.id }
`;

/** The task catalog: `submit-report` takes `inputName` (the file passes `reportId`). */
function catalog(inputName) {
  const object = (properties) => ({
    type: "object",
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  });
  return JSON.stringify({
    format: "flow-task-catalog/1",
    tasks: {
      "submit-report": {
        inputs: object({ [inputName]: { type: "string" } }),
        result: object({ id: { type: "string" } }),
      },
    },
  });
}

const { values: options } = parseArgs({
  options: {
    vsix: { type: "string" },
    python: { type: "string" },
    work: { type: "string" },
    screenshot: { type: "boolean", default: false },
  },
});

const work = path.resolve(options.work);
const folders = {
  userData: path.join(work, "user-data"),
  extensions: path.join(work, "extensions"),
  workspace: path.join(work, "workspace"),
};
// code-server keeps its own configuration and logs under XDG folders: keep them in `work`.
const environment = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(work, "config"),
  XDG_DATA_HOME: path.join(work, "data"),
};

function say(message) {
  console.log(`e2e: ${message}`);
}

async function prepareWorkspace() {
  await rm(work, { recursive: true, force: true });
  for (const folder of Object.values(folders)) {
    await mkdir(folder, { recursive: true });
  }
  await writeFile(path.join(folders.workspace, "approval.flow"), APPROVAL_FLOW);
  await writeFile(
    path.join(folders.workspace, "pyproject.toml"),
    '[tool.flowc]\ntasks = ["catalog.json"]\n',
  );
  await writeFile(path.join(folders.workspace, "catalog.json"), catalog("reportId"));
  // In code-server, as in any remote window, settings of machine scope such as the server
  // command are read from the machine's settings, not the user's.
  await writeSettings("Machine", {
    "rhythm.flow.serverCommand": [options.python, "-m", "flowlang", "lsp"],
    "rhythm.flow.trace.server": "verbose",
  });
  await writeSettings("User", {
    // Completion items must come from the language server, not from words in the file.
    "editor.wordBasedSuggestions": "off",
    "workbench.startupEditor": "none",
    "git.openRepositoryInParentFolders": "never",
    "workbench.tips.enabled": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": true,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "window.zoomLevel": 1,
  });
}

async function writeSettings(scope, settings) {
  await mkdir(path.join(folders.userData, scope), { recursive: true });
  await writeFile(
    path.join(folders.userData, scope, "settings.json"),
    JSON.stringify(settings, null, 2),
  );
}

async function codeServerCli(...args) {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      codeServerEntry,
      "--extensions-dir",
      folders.extensions,
      "--user-data-dir",
      folders.userData,
      ...args,
    ],
    { env: environment },
  );
  return stdout + stderr;
}

async function installExtension() {
  const installed = await codeServerCli("--install-extension", path.resolve(options.vsix));
  if (!/successfully installed/i.test(installed)) {
    throw new Error(`code-server did not install ${options.vsix}:\n${installed}`);
  }
  const listed = (await codeServerCli("--list-extensions", "--show-versions")).trim();
  const version = (await codeServerCli("--version")).trim().split("\n").pop();
  say(`installed ${listed} in code-server ${version}`);
  if (!listed.includes("rhythm.rhythm-flow@")) {
    throw new Error(`code-server does not list the extension: ${listed}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts code-server in its own process group, so that stopping it stops its children too. */
async function startCodeServer(port) {
  const log = path.join(work, "code-server.log");
  const logFile = await open(log, "w");
  const child = spawn(
    process.execPath,
    [
      codeServerEntry,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      // Trace level shows the language server's messages in the extension's log.
      "--log",
      "trace",
      "--extensions-dir",
      folders.extensions,
      "--user-data-dir",
      folders.userData,
      folders.workspace,
    ],
    { env: environment, detached: true, stdio: ["ignore", logFile.fd, logFile.fd] },
  );
  // The child has its own copy of the descriptor.
  await logFile.close();
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with status ${child.exitCode}; see ${log}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) {
        return child;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer on port ${port}; see ${log}`);
}

function stopProcessGroup(child) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  await input.fill(name);
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: name })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press("Enter");
  await page
    .locator(".monaco-editor .view-lines", { hasText: "aproval" })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}

async function languageMode(page) {
  const item = page.locator("#status\\.editor\\.mode");
  await item.waitFor({ timeout: STEP_TIMEOUT_MS });
  return (await item.innerText()).trim();
}

/** The editor underlines the error, and the Problems view lists the server's message. */
async function seeDiagnostic(page) {
  await page
    .locator(".monaco-editor .squiggly-error")
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press("Control+Shift+M");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: "aproval" }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  return (await row.getAttribute("aria-label")) ?? (await row.innerText());
}

/**
 * Typing `Promise.` on a new line opens the server's completion list of its members, as the
 * `.` is one of the server's trigger characters. When it does not, asking for the list
 * explicitly tells an empty answer ("No suggestions.") from no answer.
 */
async function seeCompletion(page) {
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("Promise.", { delay: 50 });
  const widget = page.locator(".suggest-widget.visible");
  const labels = widget.locator(".monaco-list-row .label-name");
  try {
    await widget
      .locator(".monaco-list-row", { hasText: "allSettled" })
      .waitFor({ timeout: STEP_TIMEOUT_MS });
  } catch (error) {
    await page.keyboard.press("Control+Space");
    const message = widget.locator(".message");
    await labels
      .first()
      .or(message)
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
    const shown = (await message.isVisible())
      ? `"${(await message.innerText()).trim()}"`
      : JSON.stringify(await labels.allInnerTexts());
    throw new Error(`typing \`.\` opened no list; asked for one, the editor shows ${shown}`, {
      cause: error,
    });
  }
  return labels.allInnerTexts();
}

/**
 * The catalog changes on disk, not in the editor, so that `reportId` is no longer an input of
 * the task: the extension tells the server (`workspace/didChangeWatchedFiles`), which checks
 * the open file again and reports the call, without the file being edited.
 */
async function seeCatalogChangeChecked(page) {
  const markers = page.locator(".markers-panel");
  if (!(await markers.isVisible())) {
    await page.keyboard.press("Control+Shift+M");
  }
  // First the `Promise.` typed above goes: only a file that parses has its task calls checked.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  await markers
    .locator(".monaco-list-row", { hasText: "unexpected end of file" })
    .first()
    .waitFor({ state: "detached", timeout: STEP_TIMEOUT_MS });
  await writeFile(path.join(folders.workspace, "catalog.json"), catalog("report_id"));
  const row = markers.locator(".monaco-list-row", { hasText: "reportId" }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  return (await row.getAttribute("aria-label")) ?? (await row.innerText());
}

/**
 * A failing server command, set while the editor runs, restarts the server and is explained
 * in exactly one notification that names the command and quotes what it wrote to stderr.
 */
async function seeStartupFailureExplained(page) {
  await writeSettings("Machine", {
    "rhythm.flow.serverCommand": [options.python, "-m", "flowlang_is_not_installed_here", "lsp"],
  });
  const toasts = page.locator(".notification-toast .notification-list-item-message");
  await toasts
    .filter({ hasText: "before it started" })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  // Any second notification about the same failure would come from the same event.
  await page.waitForTimeout(2000);
  const shown = await toasts.allInnerTexts();
  if (shown.length !== 1 || !shown[0].includes("No module named flowlang_is_not_installed_here")) {
    throw new Error(`expected one notification quoting the server, got ${JSON.stringify(shown)}`);
  }
  return shown[0];
}

async function main() {
  await prepareWorkspace();
  await installExtension();
  const port = await freePort();
  const codeServer = await startCodeServer(port);
  const results = [];
  const check = async (what, see) => {
    try {
      say(`${what}: ${await see()}`);
      results.push(true);
    } catch (error) {
      say(`${what}: not seen: ${error.message}`);
      results.push(false);
    }
  };
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folders.workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: STEP_TIMEOUT_MS });
    await openFile(page, "approval.flow");
    say(`approval.flow opened in language mode "${await languageMode(page)}"`);
    await check("diagnostic", () => seeDiagnostic(page));
    await check("completion after `Promise.`", async () => (await seeCompletion(page)).join(", "));
    await takeScreenshot(page, results.every(Boolean));
    await page.keyboard.press("Escape");
    await check("a task catalog changed on disk", () => seeCatalogChangeChecked(page));
    await check("a failing server command", () => seeStartupFailureExplained(page));
  } finally {
    await browser?.close();
    stopProcessGroup(codeServer);
  }
  const passed = results.filter(Boolean).length;
  if (passed < results.length) {
    say(`the extension's log is under ${path.join(folders.userData, "logs")}`);
  }
  console.log(`${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}

/** The editor with the diagnostics and the completion list, for the README when asked. */
async function takeScreenshot(page, allSeen) {
  const screenshot = path.join(work, "screenshot.png");
  // With the documentation of the selected item beside the list.
  await page.keyboard.press("Control+Space");
  await page
    .locator(".suggest-details-container .docs")
    .first()
    .waitFor({ timeout: 5000 })
    .catch(() => {});
  await page.screenshot({ path: screenshot });
  say(`screenshot: ${screenshot}`);
  if (options.screenshot && allSeen) {
    await copyFile(screenshot, readmeScreenshot);
    say(`copied to ${readmeScreenshot}`);
  } else if (options.screenshot) {
    say(`not copied to ${readmeScreenshot}: the editor did not show everything`);
  }
}

main().then(
  (status) => process.exit(status),
  (error) => {
    console.error(`e2e: ${error.stack ?? error}`);
    process.exit(1);
  },
);
