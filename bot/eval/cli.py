"""``innercircle eval``: measure question detection and answer linking on annotated chat."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure question detection and answer linking on annotated chat.")
