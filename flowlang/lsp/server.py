"""`flowc lsp`: the language server. This module only wires pygls to the features.

Each feature is a function of a `View` (a document's text and its analyses, `documents.py`) and
a position, in a module of its own; `analyses.py` decides when documents are analysed and
`projects.py` what they are checked against. The server owns the open documents and the order
of events: text changes are applied as they arrive, analyses are recorded and published as they
finish, and requests read the newest state.

Requests that must match the text exactly (navigation, rename, symbols, folding, semantic
tokens, code actions, inlay hints, hover) wait for the analysis of the current version;
completion and signature help, which answer while the user types, never wait.

A failure inside a handler is a bug in flowc, never the user's: it is logged to the client
(`window/logMessage`, with the traceback) and the request is answered with an empty result, so
the server keeps serving.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from flowlang.compiler.analysis import analyze
from flowlang.lsp import code_actions as code_actions_feature
from flowlang.lsp import completion as completion_feature
from flowlang.lsp import semantic_tokens as semantic_tokens_feature
from flowlang.lsp import signature_help as signature_help_feature
from flowlang.lsp.analyses import DEBOUNCE_SECONDS, Analyses
from flowlang.lsp.diagnostics import lsp_diagnostics
from flowlang.lsp.documents import Analyzed, Document, View
from flowlang.lsp.folding import folding_ranges
from flowlang.lsp.hover import hover
from flowlang.lsp.inlay_hints import inlay_hints
from flowlang.lsp.navigation import (
    RenameRefused,
    definition,
    prepare_rename,
    references,
    rename,
)
from flowlang.lsp.symbols import document_symbols
from flowlang.version import __version__

logger = logging.getLogger(__name__)

Handler = TypeVar("Handler", bound=Callable[..., Any])

# A program that exercises every phase, analysed once at start-up: the parser builds its tables
# on first use (a third of a second), which the first real edit should not wait for.
_WARM_UP = '```\ninputs:\n  id: string\n```\nlet r = await Task.run("t", { id: Inputs.id })\n'


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, except that the text of open documents is left to `documents.py`
    (see there why): these handlers only pass the notifications on to the server's own."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class FlowLanguageServer(LanguageServer):
    """The server and its state: the open documents, their analyses, the messages shown."""

    def __init__(self, *, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__(
            "flowc",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=_Protocol,
        )
        self.documents: dict[str, Document] = {}
        self.analyses = Analyses(
            self.documents, self._analyzed, self._analysis_failed, debounce=debounce
        )
        self._shown: set[str] = set()
        self.shut_down = False  # the client asked for a shutdown (the exit code says so)

    # --- documents ------------------------------------------------------------------------

    def open(self, item: types.TextDocumentItem) -> None:
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        self.documents[item.uri] = Document(item.uri, item.text, item.version, encoding)
        self.analyses.changed(item.uri)

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return
        document.apply(params.content_changes, params.text_document.version)
        self.analyses.changed(document.uri)

    def close(self, uri: str) -> None:
        if self.documents.pop(uri, None) is not None:
            self.analyses.closed(uri)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def view(self, uri: str) -> View | None:
        """The document now, without waiting for an analysis."""
        document = self.documents.get(uri)
        return None if document is None else document.view()

    async def current_view(self, uri: str) -> View | None:
        """The document once the analysis of its current version is done; None for a document
        that is not open."""
        if await self.analyses.current(uri) is None:
            return None
        return self.view(uri)

    # --- analyses -------------------------------------------------------------------------

    def _analyzed(self, document: Document, analyzed: Analyzed) -> None:
        previous = document.latest
        document.record(analyzed)
        for problem in analyzed.problems:
            self.show_once(types.MessageType.Warning, f"flowc: {problem}")
        if analyzed.version == document.version:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=document.uri,
                    diagnostics=lsp_diagnostics(
                        analyzed.analysis.diagnostics, document.positions, document.uri
                    ),
                    version=analyzed.version,
                )
            )
        if previous is not None and previous.signature != analyzed.signature:
            self._recheck_dependents(document, analyzed)

    def _recheck_dependents(self, document: Document, analyzed: Analyzed) -> None:
        """The document's name, inputs or output changed: the other open documents of its
        project may call it."""
        for other in self.documents.values():
            if other is not document and other.latest and other.latest.root == analyzed.root:
                self.analyses.changed(other.uri)

    def recheck_all(self) -> None:
        for uri in self.documents:
            self.analyses.changed(uri)

    def _analysis_failed(self, document: Document, error: BaseException) -> None:
        self.log_internal_error(f"analysing {document.uri}", error)

    # --- messages -------------------------------------------------------------------------

    def show_once(self, kind: types.MessageType, message: str) -> None:
        """Show a message in the editor, once per session (it repeats on every analysis)."""
        if message not in self._shown:
            self._shown.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log_internal_error(self, what: str, error: BaseException) -> None:
        details = "".join(traceback.format_exception(error))
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error,
                message=f"flowc: internal error while {what}: this is a bug in flowc, please "
                f"report it with this log\n{details}",
            )
        )
        self.show_once(
            types.MessageType.Error,
            f"flowc: internal error while {what}: {type(error).__name__}; the output log has "
            "the details, please report it",
        )


def build_server(*, debounce: float = DEBOUNCE_SECONDS) -> FlowLanguageServer:
    server = FlowLanguageServer(debounce=debounce)
    guard = functools.partial(_guarded, server)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        server.analyses.warm_up(_warm_up)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.shut_down = True
        server.analyses.shutdown()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guard
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.open(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guard
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guard
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guard
    def watched_files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        server.recheck_all()  # a task module, a catalog or a pyproject.toml may have changed

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=completion_feature.TRIGGER_CHARACTERS),
    )
    @guard
    def on_completion(params: types.CompletionParams) -> types.CompletionList | None:
        view = server.view(params.text_document.uri)
        if view is None:
            return None
        return completion_feature.completion(view, view.positions.offset(params.position))

    @server.feature(
        types.TEXT_DOCUMENT_SIGNATURE_HELP,
        types.SignatureHelpOptions(trigger_characters=signature_help_feature.TRIGGER_CHARACTERS),
    )
    @guard
    def on_signature_help(params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        view = server.view(params.text_document.uri)
        if view is None:
            return None
        return signature_help_feature.signature_help(view, view.positions.offset(params.position))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guard
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else hover(view, view.positions.offset(params.position))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guard
    async def on_definition(params: types.DefinitionParams) -> list[types.Location] | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else definition(view, view.positions.offset(params.position))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guard
    async def on_references(params: types.ReferenceParams) -> list[types.Location] | None:
        view = await server.current_view(params.text_document.uri)
        if view is None:
            return None
        offset = view.positions.offset(params.position)
        return references(view, offset, include_declaration=params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    @guard
    async def on_rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        view = await server.current_view(params.text_document.uri)
        if view is None:
            return None
        try:
            return rename(view, view.positions.offset(params.position), params.new_name)
        except RenameRefused as refusal:
            raise JsonRpcInvalidParams(str(refusal)) from None

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @guard
    async def on_prepare_rename(
        params: types.PrepareRenameParams,
    ) -> types.PrepareRenamePlaceholder | None:
        view = await server.current_view(params.text_document.uri)
        if view is None:
            return None
        return prepare_rename(view, view.positions.offset(params.position))

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guard
    async def on_document_symbol(
        params: types.DocumentSymbolParams,
    ) -> list[types.DocumentSymbol] | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else document_symbols(view)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, semantic_tokens_feature.LEGEND)
    @guard
    async def on_semantic_tokens(
        params: types.SemanticTokensParams,
    ) -> types.SemanticTokens | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else semantic_tokens_feature.semantic_tokens(view)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    @guard
    async def on_folding_range(
        params: types.FoldingRangeParams,
    ) -> list[types.FoldingRange] | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else folding_ranges(view)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=code_actions_feature.KINDS),
    )
    @guard
    async def on_code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        view = await server.current_view(params.text_document.uri)
        if view is None:
            return None
        return code_actions_feature.code_actions(view, params.range, params.context)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    @guard
    async def on_inlay_hint(params: types.InlayHintParams) -> list[types.InlayHint] | None:
        view = await server.current_view(params.text_document.uri)
        return None if view is None else inlay_hints(view, params.range)

    return server


def _guarded(server: FlowLanguageServer, handler: Handler) -> Handler:
    """`handler`, answering None (an empty result) after logging any failure of its own;
    protocol errors it raises on purpose (a refused rename) reach the client."""
    what = f"handling {handler.__name__.removeprefix('on_').replace('_', ' ')}"
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(params: Any) -> Any:
            try:
                return await handler(params)
            except JsonRpcException:
                raise
            except Exception as error:
                server.log_internal_error(what, error)
                return None

        return run_async  # type: ignore[return-value]

    @functools.wraps(handler)
    def run(params: Any) -> Any:
        try:
            return handler(params)
        except Exception as error:
            server.log_internal_error(what, error)
            return None

    return run  # type: ignore[return-value]


def _warm_up() -> None:
    analyze(_WARM_UP)
    # What is alive now (the parser's tables, the stdlib table, the modules) lives as long as
    # the server: leave it out of the collector's full passes, which large analyses trigger.
    gc.freeze()


def serve(tcp: tuple[str, int] | None = None) -> int:
    """Run the server on stdio, or listening on `tcp` (host, port), until the client exits.
    Returns the exit code the protocol asks for: 0 if the client asked for a shutdown first,
    else 1 (an `exit` without it, or a client that went away)."""
    server = build_server()
    # Analyses run on a thread of their own; a short switch interval lets the event loop take
    # the interpreter from a running analysis within half a millisecond (the default, 5 ms, is
    # paid at every hop of a request: reading it, answering it), so completion stays fast
    # while a large file is being checked.
    sys.setswitchinterval(0.0005)
    if tcp is not None:
        server.start_tcp(*tcp)
    else:
        protocol_out = sys.stdout.buffer
        # Only JSON-RPC may reach stdout: anything else printed (a stray print in a user's task
        # module imported on export, a warning) would corrupt the stream, so it goes to stderr.
        sys.stdout = sys.stderr
        server.start_io(sys.stdin.buffer, protocol_out)
    return 0 if server.shut_down else 1
