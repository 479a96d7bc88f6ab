"""``innercircle eval``: measure question detection and answer linking on annotated chat."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.eval import kummerfeld, molweni
from bot.eval.runs import (
    jsonl_questions,
    molweni_questions,
    score_kummerfeld,
    score_molweni,
    score_questions,
)
from bot.eval.scoring import Counts
from bot.signals.links import default_linker

eval_app = typer.Typer(help="Measure question detection and answer linking on annotated chat.")


class LinkDataset(StrEnum):
    """Annotated reply-link data sets."""

    kummerfeld = "kummerfeld"
    molweni = "molweni"


class QuestionDataset(StrEnum):
    """Question-labelled data sets."""

    jsonl = "jsonl"
    molweni = "molweni"


class MolweniPart(StrEnum):
    """Which dialogues of a Molweni file to score (split by dialogue id)."""

    all = "all"
    tune = "tune"
    heldout = "heldout"


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the scores as JSON (percent).")]
PartOpt = Annotated[
    MolweniPart,
    typer.Option("--part", help="Molweni only: all dialogues, or the tune / held-out half."),
]


def _show(title: str, rows: dict[str, Counts]) -> None:
    table = Table(title=title)
    for column in ("", "precision", "recall", "F1", "matched", "predicted", "gold"):
        table.add_column(column, justify="right")
    for name, c in rows.items():
        table.add_row(
            name,
            f"{c.precision:.1f}",
            f"{c.recall:.1f}",
            f"{c.f1:.1f}",
            str(c.matched),
            str(c.predicted),
            str(c.gold),
        )
    Console().print(table)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@eval_app.command("links")
def links(
    paths: Annotated[list[Path], typer.Argument(help="Raw logs or folders, or a Molweni json.")],
    dataset: Annotated[LinkDataset, typer.Option("--dataset", "-d")] = LinkDataset.kummerfeld,
    part: PartOpt = MolweniPart.all,
    as_json: JsonOpt = False,
) -> None:
    """Score the bot's reply linker: P/R/F1 over (message, parent) links."""
    linker = default_linker()
    if dataset is LinkDataset.kummerfeld:
        try:
            raws = kummerfeld.find_logs(paths)
        except FileNotFoundError as exc:
            _fail(str(exc))
        if not raws:
            _fail("no *.raw.txt file with an annotation beside it")
        counts = score_kummerfeld((kummerfeld.load_log(r) for r in raws), linker)
        if as_json:
            typer.echo(json.dumps(counts.as_dict()))
        else:
            _show(f"reply links, {len(raws)} file(s)", {"links": counts})
        return
    if len(paths) != 1 or not paths[0].is_file():
        _fail("molweni takes one json file")
    result = score_molweni(molweni.load(paths[0], part.value), linker)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
    else:
        _show("Molweni links", {"links": result.links, "answer credit vs QAP": result.qap,
                                "per question and answerer": result.qap_by_answerer})


@eval_app.command("questions")
def questions(
    path: Annotated[Path, typer.Argument(help="A JSON-lines file or a Molweni json.")],
    dataset: Annotated[QuestionDataset, typer.Option("--dataset", "-d")] = QuestionDataset.jsonl,
    part: PartOpt = MolweniPart.all,
    as_json: JsonOpt = False,
) -> None:
    """Score the question detector: P/R/F1 over messages labelled as questions."""
    if not path.is_file():
        _fail(f"no such file: {path}")
    if dataset is QuestionDataset.jsonl:
        try:
            items = jsonl_questions(path)
        except ValueError as exc:
            _fail(str(exc))
    else:
        items = molweni_questions(molweni.load(path, part.value))
    counts = score_questions(items)
    if as_json:
        typer.echo(json.dumps(counts.as_dict()))
    else:
        _show(f"questions, {len(items)} messages", {"questions": counts})
