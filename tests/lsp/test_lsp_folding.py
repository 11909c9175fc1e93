"""Folding ranges: front matter, blocks, multi-line literals and calls, comment runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import FlowClient, identifier, open_file, published, view_at
from lsprotocol import types

from flowlang.lsp.folding import folding_ranges

SOURCE = """\
```
inputs:
  items: "number[]"
```
// Sum the items,
// skipping the negative ones.
let total = 0
for (const item of Inputs.items) {
  if (item < 0) {
    continue
  }
  total += item
}
let report = {
  total,
  count: Inputs.items.length,
}
return report
"""


def test_regions_fold_to_the_line_before_their_end() -> None:
    view, _ = view_at(SOURCE + "‸")
    found = folding_ranges(view)
    assert found is not None
    assert [(r.start_line, r.end_line, r.kind) for r in found] == [
        (0, 3, None),  # the front matter, fences included
        (4, 5, types.FoldingRangeKind.Comment),
        (7, 11, None),  # the loop's block
        (8, 9, None),  # the `if` block
        (13, 15, None),  # the object literal
    ]


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_folding_over_stdio(client: FlowClient, tmp_path: Path) -> None:
    path = tmp_path / "fold.flow"
    path.write_text(SOURCE)
    uri = open_file(client, path)
    await published(client, uri, 1)
    found = await client.text_document_folding_range_async(
        types.FoldingRangeParams(identifier(uri))
    )
    assert found is not None and len(found) == 5
