"""`flowc lsp`: its options, and the server listening on TCP."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import make_client, published
from lsprotocol import types

from flowlang.cli import main as flowc


@pytest.mark.parametrize("address", ["2087", "localhost:", "localhost:http", "host:70000"])
def test_a_bad_tcp_address_is_a_usage_error(
    address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert flowc(["lsp", "--tcp", address]) == 2
    assert capsys.readouterr().err == (
        f"flowc: error: --tcp takes HOST:PORT, such as 127.0.0.1:2087, not '{address}'\n"
    )


def test_the_help_names_every_feature(capsys: pytest.CaptureFixture[str]) -> None:
    assert flowc(["lsp", "--help"]) == 0
    text = capsys.readouterr().out
    assert "usage: flowc lsp [-h] [--tcp HOST:PORT]" in text
    assert "completion, hover" in text


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_the_server_listens_on_tcp(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "flowlang", "lsp", "--tcp", f"127.0.0.1:{port}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        client = make_client()
        for _ in range(100):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        await client.initialize_session(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        )
        path = tmp_path / "charge.flow"
        uri = path.as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "flow", 1, "let unused = 1\nreturn null\n")
            )
        )
        [unused] = (await published(client, uri, 1)).diagnostics
        assert unused.code == "FLOW402"
        await client.shutdown_async(None)
        client.exit(None)
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
EXIT = {"jsonrpc": "2.0", "method": "exit"}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("messages", "status"),
    [([INITIALIZE, SHUTDOWN, EXIT], 0), ([INITIALIZE, EXIT], 1), ([INITIALIZE], 1)],
    ids=["shutdown then exit", "exit alone", "client gone"],
)
def test_the_exit_status_says_whether_the_client_shut_the_server_down(
    messages: list[dict[str, object]], status: int
) -> None:
    """The protocol's rule for `exit`: status 0 if a shutdown came first, else 1; a client
    that closes the stream without either also gets 1."""
    server = subprocess.run(
        [sys.executable, "-m", "flowlang", "lsp"],
        input=b"".join(map(_message, messages)),
        capture_output=True,
        timeout=50,
    )
    assert server.returncode == status, server.stderr.decode()
