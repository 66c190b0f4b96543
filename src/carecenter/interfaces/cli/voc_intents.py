"""``carecenter voc train-intents`` and ``carecenter voc classify``: the intent of a first
message (:mod:`carecenter.services.voc_intents`)."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption
from carecenter.interfaces.cli.output import emit, render, write_file

CV_COLUMNS = ["model", "accuracy", "macro_f1", "seconds", "ms_per_message"]


def train_intents_command(
    file: Path = typer.Argument(..., help="CSV file of labelled messages."),
    text_column: str = typer.Option("text", "--text-column", help="Column of the messages."),
    label_column: str = typer.Option(
        "category", "--label-column", help="Column of their labels (intents)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to save the model in."),
    cv: int = typer.Option(
        5, "--cv", help="Folds of the cross-validation comparing the models; 0: none."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the folds: same seed, same folds."),
    embeddings: bool = typer.Option(
        True,
        "--embeddings/--no-embeddings",
        help="Measure MiniLM sentence embeddings too (needs the embeddings extra).",
    ),
    fmt: str = FormatOption,
) -> None:
    """Train an intent classifier on labelled messages and save it in --output (JSON and
    numpy arrays, no code). With --cv, the models are compared by stratified
    cross-validation (accuracy, macro-F1, seconds, milliseconds per message) and the best
    TF-IDF model by macro-F1 is kept."""
    from carecenter.services import voc_intents as service

    result = service.train_intents(
        file,
        output,
        text_column=text_column,
        label_column=label_column,
        cv=cv,
        seed=seed,
        embeddings=embeddings,
    )
    for line in result.notes:
        typer.echo(line, err=True)
    if result.rows:
        title = f"{cv}-fold cross-validation ({result.messages} messages, {result.labels} labels)"
        emit(result.rows, fmt, title=title, columns=CV_COLUMNS)
    typer.echo(
        f"kept {result.kept}: {result.messages} messages, {result.labels} labels, "
        f"{result.ms_per_message:.2f} ms per message; saved in {output}",
        err=True,
    )


def classify_command(
    file: Path | None = typer.Argument(None, help="CSV file of messages, one row each."),
    model: Path = typer.Option(..., "--model", "-m", help="Directory of a trained model."),
    text: str | None = typer.Option(None, "--text", help="Classify this one message."),
    text_column: str = typer.Option("text", "--text-column", help="Column of the messages."),
    threshold: float = typer.Option(
        0.5,
        "--threshold",
        help="Below this confidence, `ask` is true: the entry flow asks the customer.",
    ),
    routes: Path | None = typer.Option(
        None, "--routes", help="YAML file: label -> queue and skill (adds those columns)."
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Classify messages with a trained model: one row per message, in input order, with
    text, label (the best guess), confidence (its probability) and ask; with --routes, the
    label's queue and skill."""
    from carecenter.services import voc_intents as service

    if file is not None and text is None:
        texts = service.read_messages(file, text_column).texts
    elif file is None and text is not None:
        texts = [text]
    else:
        raise InputError("give either a CSV file or --text", field="text")
    rows = service.classify(model, texts, threshold=threshold, routes=routes)
    columns = ["text", "label", "confidence", "ask"]
    columns += ["queue", "skill"] if routes is not None else []
    if output is None:
        emit(rows, fmt, title="Intents", columns=columns)
    else:
        write_file(output, render(rows, fmt, title="Intents", columns=columns))
