"""Fixtures of the language server's tests: a sample project and a client connected to a real
`flowc lsp` over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import SERVER, FlowClient, write_project
from lsprotocol import types


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: FlowClient):
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def utf8_client(lsp_client: FlowClient):
    """A client that counts columns in UTF-8 bytes (the server agrees to it)."""
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf8]
        )
    )
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def workflows(tmp_path: Path) -> Path:
    """The `workflows/` folder of a sample project (see `lsp_helpers.write_project`)."""
    return write_project(tmp_path)
