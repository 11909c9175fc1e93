"""SVG and PNG images of DOT text, drawn by a Graphviz program.

The program is Graphviz's `dot` when it is on the PATH, else `graphviz-pure`, a self-contained
port of Graphviz that `pip` installs with flowlang (no system package needed). Both read DOT on
stdin and write the image on stdout; `-q` keeps layout warnings (a character without font
metrics) out of the user's terminal, while real errors still fail the run.
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

IMAGE_FORMATS = ("svg", "png")
RENDER_TIMEOUT_S = 60.0
PURE_PROGRAM = "graphviz-pure"


class ImageError(Exception):
    """No Graphviz program to draw with, or it failed; the message says what to do."""


def render_image(dot_source: str, image_format: str) -> bytes:
    """The `image_format` (`svg` or `png`) image of `dot_source`."""
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"not an image format: {image_format}")
    program = graphviz_program()
    try:
        finished = subprocess.run(
            [str(program), f"-T{image_format}", "-q"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImageError(
            f"{program.name} did not draw the graph within {RENDER_TIMEOUT_S:g} s; "
            "write DOT (`--format dot`) and draw it with another tool"
        ) from None
    if finished.returncode != 0:
        problem = finished.stderr.decode("utf-8", "replace").strip() or "no message"
        raise ImageError(f"{program.name} failed to draw the graph: {problem}")
    return finished.stdout


def graphviz_program() -> Path:
    """Graphviz's `dot` from the PATH, else the `graphviz-pure` installed with flowlang."""
    found = shutil.which("dot")
    if found is not None:
        return Path(found)
    # The scripts folder of the running interpreter first: flowc may run from a virtual
    # environment that is not on the PATH.
    for folder in (sysconfig.get_path("scripts"), None):
        found = shutil.which(PURE_PROGRAM, path=folder)
        if found is not None:
            return Path(found)
    raise ImageError(
        "drawing SVG or PNG needs Graphviz's `dot` or the `graphviz-pure` package: "
        "install one (`pip install graphviz-pure`), or write DOT or Mermaid instead"
    )
