"""Mapping files: the YAML a user writes to say how a CSV export reads (``csv --mapping``,
``ticket-events --mapping``). One reader, so every mapping error names the file, the line of
the setting and the setting; one time parser for the ``time_format`` and ``time_zone`` they
share; one reader of the rows they describe."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml

from carecenter.errors import InputError, not_utf8
from carecenter.ingest.common import FactSink, TextFile, csv_rows

TIME_FORMATS = "iso (default), epoch, or a strptime format such as '%d/%m/%Y %H:%M'"


@dataclass(frozen=True)
class MappingDocument:
    """A mapping file's settings, with the line each top-level setting is on."""

    where: str
    data: dict[str, Any]
    lines: dict[str, int]

    def fail(self, message: str, key: str) -> InputError:
        """The :class:`InputError` for the setting ``key`` (``columns.x`` names ``columns``'s
        line)."""
        line = self.lines.get(key.split(".")[0])
        return InputError(message, file=self.where, line=line, field=key)

    def check_settings(self, known: set[str]) -> None:
        """``InputError`` for the first top-level setting not in ``known``."""
        unknown = sorted(set(self.data) - known)
        if unknown:
            raise self.fail("unknown setting", unknown[0])


def read_document(path: Path) -> MappingDocument:
    """Read a mapping file: a YAML mapping of settings; every other content is an
    :class:`InputError` naming the file (and line where YAML says)."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=where) from None
    except UnicodeDecodeError as exc:
        raise not_utf8(exc, where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"not YAML: {getattr(exc, 'problem', exc)}", file=where, line=line
        ) from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError("expected a mapping of settings", file=where, line=1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return MappingDocument(where, yaml.safe_load(text), lines)


def time_parser(fmt: str, where: tzinfo | None) -> Callable[[str], datetime]:
    """Text -> aware datetime for a mapping's ``time_format`` (``iso``, ``epoch`` or a strptime
    format); times without a UTC offset are in ``where`` (UTC when ``None``)."""
    local = where or UTC

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=local)

    if fmt == "epoch":
        return lambda text: datetime.fromtimestamp(float(text), UTC)
    if fmt == "iso":
        return lambda text: aware(datetime.fromisoformat(text))
    return lambda text: aware(datetime.strptime(text, fmt))


def mapped_rows(
    file: TextFile, columns: Mapping[str, str], delimiter: str | None, sink: FactSink
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, field -> stripped cell, the row's text) of each row of a CSV whose ``columns``
    (field -> column) a mapping names, each counted as a record of ``sink``. A header that
    lacks a named column is an :class:`InputError` naming it; a row shorter than the header is
    quarantined. An empty file has no rows."""
    header, sep, rows = csv_rows(file, delimiter)
    names = {h: i for i, h in enumerate(header)}
    missing = [c for c in columns.values() if c not in names]
    if missing and header:
        raise InputError(
            f"no column {missing[0]!r} (the header has {', '.join(header)})",
            file=str(file.path),
            line=1,
        )
    index = {f: names[c] for f, c in columns.items()}
    for number, row in rows:
        sink.counts.records += 1
        try:
            values = {f: row[i].strip() for f, i in index.items()}
        except IndexError:
            sink.quarantine(number, "fewer columns than the header", sep.join(row))
            continue
        yield number, values, sep.join(row)
