"""The `.flow` language server (`flowc lsp`): pygls 2, one module per feature.

`server.py` wires the protocol to the features; ARCHITECTURE.md has the map of the modules.
"""
