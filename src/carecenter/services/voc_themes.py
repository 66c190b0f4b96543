"""Use case: ``carecenter voc themes`` — group complaint texts into themes.

The method (scikit-learn; no model to download, nothing to load):

1. **TF-IDF** of words and word pairs (:func:`vectorizer`): words of two letters or more,
   English stop words and words with a redaction mask (``XXXX``) left out, terms in at least
   2 texts and at most half of them, sublinear term frequency ``1 + log(tf)``, each text's
   vector of unit length.
2. **LSA**: a truncated SVD to :data:`DIMENSIONS` dimensions (randomized, seeded), each text's
   vector again of unit length, so distances are cosine distances.
3. **k-means** with ``k`` themes (:data:`DEFAULT_THEMES` by default), ``n_init`` 10, seeded.

With more than :data:`FIT_SAMPLE` texts, the three steps are fitted on a seeded random sample
of that many, and every text is then given its nearest theme in batches of
:data:`BATCH`: time and memory grow with the number of texts only through that pass.

Each theme is described by its **top terms** (the terms of highest mean TF-IDF weight in its
texts less their mean weight in all texts), a **label** (its first three top terms, a term
left out when a longer one holds its words), its **examples** (the three texts closest to its
centre, cosine in the LSA space) and its **counts** per month and queue. Its ``trend_per_month``
is the least-squares slope of its monthly counts (every month from the first to the last month
of all the complaints, zeros included) divided by its mean monthly count: ``0.05`` is a growth
of 5 % of its mean a month. Themes are numbered from 1 by size, largest first.

The baseline it is measured against (:func:`baseline_labels`) is scikit-learn's text-clustering
example: TF-IDF of words (English stop words, ``min_df`` 5, ``max_df`` 0.5) and k-means on
it with the same number of themes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import numpy as np

from carecenter.domain.complaints import COMPLAINT_DISPOSITIONS, Complaint, gathered
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened

DEFAULT_THEMES = 10
DIMENSIONS = 50
FIT_SAMPLE = 20_000
BATCH = 10_000
TOP_TERMS = 8
EXAMPLES = 3
EXCERPT = 160
TOKENS = r"(?u)\b(?![^\W\d_]*xx)[^\W\d_]{2,}\b"
"""Words of two letters or more, lower-cased, except those with a redaction mask (``xxxx``,
``onxx``: ``XX`` is never part of an English word the texts need)."""


@dataclass(frozen=True)
class Theme:
    """One theme: its number, label, top terms and the texts closest to its centre."""

    theme_id: int
    label: str
    top_terms: list[str]
    examples: list[int]
    """Indexes of the example texts, closest first."""
    size: int


@dataclass(frozen=True)
class Themes:
    """The themes found and each text's theme number (``labels[i]`` for text ``i``)."""

    themes: list[Theme]
    labels: np.ndarray[Any, np.dtype[np.int64]]
    notes: list[str] = field(default_factory=list)


def vectorizer(min_df: int, max_df: float) -> Any:
    """The TF-IDF of the method (see the module)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        sublinear_tf=True,
        ngram_range=(1, 2),
        stop_words="english",
        token_pattern=TOKENS,
        min_df=min_df,
        max_df=max_df,
        dtype=np.float32,
    )


def baseline_labels(texts: Sequence[str], k: int, seed: int) -> np.ndarray[Any, Any]:
    """The baseline's theme of each text: TF-IDF (English stop words, ``min_df`` 5, ``max_df``
    0.5) and k-means with ``k`` clusters (``n_init`` 5), as scikit-learn's example has it."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english").fit_transform(texts)
    return np.asarray(KMeans(k, n_init=5, random_state=seed).fit_predict(matrix))


def discover(
    texts: Sequence[str],
    k: int = DEFAULT_THEMES,
    seed: int = 1,
    *,
    fit_sample: int = FIT_SAMPLE,
) -> Themes:
    """Group ``texts`` into ``k`` themes (see the module); the same seed gives the same themes."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n = len(texts)
    if k < 2:
        raise InputError(f"must be at least 2, not {k}", field="themes")
    if n < k:
        raise InputError(f"{n} texts cannot make {k} themes", field="themes")
    rng = np.random.default_rng(seed)
    fit = np.sort(rng.choice(n, fit_sample, replace=False)) if n > fit_sample else np.arange(n)
    fit_texts = [texts[i] for i in fit]
    small = len(fit) < 50
    vec = vectorizer(1 if small else 2, 1.0 if small else 0.5)
    try:
        matrix = vec.fit_transform(fit_texts)
    except ValueError:
        raise InputError("the texts have no words to group", field="text_column") from None
    dims = max(1, min(DIMENSIONS, matrix.shape[1] - 1, len(fit) - 1))
    svd = TruncatedSVD(dims, random_state=seed)
    reduced = normalize(svd.fit_transform(matrix))
    distinct = len(np.unique(reduced.round(9), axis=0))
    if distinct < k:  # k-means would find fewer clusters than asked (and warn)
        raise InputError(f"{distinct} distinct texts cannot make {k} themes", field="themes")
    kmeans = KMeans(k, n_init=10, random_state=seed).fit(reduced)
    centres = normalize(kmeans.cluster_centers_)
    labels = np.empty(n, dtype=np.int64)
    closeness = np.empty(n, dtype=np.float64)
    weights = np.zeros((k, matrix.shape[1]), dtype=np.float64)
    for start in range(0, n, BATCH):
        chunk = vec.transform(texts[start : start + BATCH])
        z = normalize(svd.transform(chunk))
        sims = z @ centres.T
        best = sims.argmax(axis=1)
        labels[start : start + len(best)] = best
        closeness[start : start + len(best)] = sims[np.arange(len(best)), best]
        for c in range(k):
            rows = best == c
            if rows.any():
                weights[c] += np.asarray(chunk[rows].sum(axis=0)).ravel()
    return _describe(labels, closeness, weights, vec.get_feature_names_out(), k)


def _describe(
    labels: np.ndarray[Any, Any],
    closeness: np.ndarray[Any, Any],
    weights: np.ndarray[Any, Any],
    terms: np.ndarray[Any, Any],
    k: int,
) -> Themes:
    sizes = np.bincount(labels, minlength=k)
    overall = weights.sum(axis=0) / max(1, len(labels))
    order = sorted((c for c in range(k) if sizes[c]), key=lambda c: (-sizes[c], c))
    number = {c: i + 1 for i, c in enumerate(order)}
    themes: list[Theme] = []
    seen: Counter[str] = Counter()
    for c in order:
        lift = weights[c] / sizes[c] - overall
        top = [str(terms[i]) for i in np.argsort(-lift, kind="stable")[:TOP_TERMS]]
        label = ", ".join(short_label(top))
        seen[label] += 1
        if seen[label] > 1:
            label = f"{label} ({seen[label]})"
        members = np.flatnonzero(labels == c)
        closest = members[np.argsort(-closeness[members], kind="stable")[:EXAMPLES]]
        themes.append(Theme(number[c], label, top, [int(i) for i in closest], int(sizes[c])))
    renumbered = np.array([number.get(c, 0) for c in range(k)], dtype=np.int64)[labels]
    return Themes(themes, renumbered)


def short_label(terms: Sequence[str], size: int = 3) -> list[str]:
    """The first ``size`` terms, leaving out a term whose words a longer term holds (a later
    longer term takes the place of the shorter one)."""
    chosen: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words <= set(t.split()) for t in chosen):
            continue
        held = [i for i, t in enumerate(chosen) if set(t.split()) <= words]
        if held:
            chosen[held[0]] = term
            chosen = [t for i, t in enumerate(chosen) if i not in held[1:]]
        else:
            chosen.append(term)
        if len(chosen) == size:
            break
    return chosen


def excerpt(text: str, size: int = EXCERPT) -> str:
    """``text`` on one line, at most ``size`` characters, without ``|``."""
    flat = " ".join(text.replace("|", "/").split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"


def month_of(moment: datetime) -> str:
    """``YYYY-MM``."""
    return f"{moment.year:04d}-{moment.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    y, m = int(first[:4]), int(first[5:])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trend(counts: Sequence[float]) -> float | None:
    """Least-squares slope of ``counts`` (one a month) over their mean: a fraction of the mean a
    month; ``None`` for fewer than 2 months or no complaints."""
    if len(counts) < 2 or not sum(counts):
        return None
    y = np.asarray(counts, dtype=np.float64)
    x = np.arange(len(y), dtype=np.float64)
    slope = float(np.polyfit(x, y, 1)[0])
    return slope / float(y.mean())


@dataclass(frozen=True)
class ThemeReport:
    """What ``voc themes`` writes: a row per complaint, per theme, per theme, month and queue."""

    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    notes: list[str]


def report(
    ids: Sequence[str],
    texts: Sequence[str],
    found: Themes,
    received: Sequence[datetime | None] | None = None,
    queues: Sequence[str | None] | None = None,
) -> ThemeReport:
    """The rows of :class:`ThemeReport` for complaints ``ids`` (their ``texts``, times
    ``received`` and ``queues`` when known) grouped as ``found``."""
    by_id = {t.theme_id: t for t in found.themes}
    rows = [
        {"id": i, "theme_id": int(n), "theme": by_id[int(n)].label}
        for i, n in zip(ids, found.labels, strict=True)
    ]
    cells: dict[tuple[int, str, str], int] = defaultdict(int)
    for n, when, queue in zip(
        found.labels,
        received or [None] * len(ids),
        queues or [None] * len(ids),
        strict=True,
    ):
        if when is not None:
            cells[(int(n), month_of(when), queue or "")] += 1
    months = sorted({m for _, m, _ in cells})
    span = months_between(months[0], months[-1]) if months else []
    monthly: dict[int, Counter[str]] = defaultdict(Counter)
    for (n, m, _), count in cells.items():
        monthly[n][m] += count
    total = len(ids)
    summary = [
        {
            "theme_id": t.theme_id,
            "theme": t.label,
            "top_terms": ";".join(t.top_terms),
            "examples": " | ".join(f"{ids[i]}: {excerpt(texts[i])}" for i in t.examples),
            "complaints": t.size,
            "share": t.size / total,
            "trend_per_month": trend([monthly[t.theme_id][m] for m in span]) if span else None,
        }
        for t in found.themes
    ]
    by_month = [
        {"theme_id": n, "theme": by_id[n].label, "month": m, "queue": q, "complaints": count}
        for (n, m, q), count in sorted(cells.items())
    ]
    return ThemeReport(rows, summary, by_month, list(found.notes))


@dataclass(frozen=True)
class Corpus:
    """The complaints to group: ids, texts, times received and queues (``None``: unknown)."""

    ids: list[str]
    texts: list[str]
    received: list[datetime | None]
    queues: list[str | None]
    notes: list[str] = field(default_factory=list)


def themes(corpus: Corpus, k: int = DEFAULT_THEMES, seed: int = 1) -> ThemeReport:
    """The themes of ``corpus`` (see the module) as the rows ``voc themes`` writes."""
    if not corpus.texts:
        raise InputError("no complaint texts to group")
    found = discover(corpus.texts, k, seed)
    out = report(corpus.ids, corpus.texts, found, corpus.received, corpus.queues)
    return ThemeReport(out.rows, out.summary, out.by_month, [*corpus.notes, *out.notes])


def read_corpus(
    path: Path,
    text_column: str,
    id_column: str,
    *,
    date_column: str | None = None,
    queue_column: str | None = None,
    encoding: str | None = None,
) -> Corpus:
    """The complaints of a CSV file: one a row; rows with an empty text are left out (a note
    says how many). A missing column is an :class:`InputError` naming the option; an empty id
    or a time that does not read one naming the file, line and column."""
    from carecenter.adapters.files import open_text
    from carecenter.ingest.complaints import auto_time
    from carecenter.ingest.reading import csv_rows

    parse = auto_time(None)
    corpus = Corpus([], [], [], [])
    empty = 0
    with open_text(path, encoding=encoding) as file:
        header, _, rows = csv_rows(file)
        where = {h: i for i, h in enumerate(header)}
        wanted = {"text_column": text_column, "id_column": id_column}
        wanted |= {"date_column": date_column or "", "queue_column": queue_column or ""}
        for flag, column in wanted.items():
            if column and column not in where:
                raise InputError(
                    f"no column {column!r} in {path} (the header has {', '.join(header)})",
                    field=flag,
                )
        for line, row in rows:
            cells = {c: row[i].strip() if i < len(row) else "" for c, i in where.items()}
            text = cells[text_column]
            if not text:
                empty += 1
                continue
            ident = cells[id_column]
            if not ident:
                raise InputError("empty id", file=str(path), line=line, field=id_column)
            when: datetime | None = None
            if date_column and cells[date_column]:
                try:
                    when = parse(cells[date_column])
                except ValueError:
                    raise InputError(
                        f"not a date: {cells[date_column]!r}",
                        file=str(path),
                        line=line,
                        field=date_column,
                    ) from None
            corpus.ids.append(ident)
            corpus.texts.append(text)
            corpus.received.append(when)
            corpus.queues.append(cells[queue_column] or None if queue_column else None)
    if empty:
        corpus.notes.append(f"{empty} rows with an empty {text_column!r} left out")
    return corpus


@runtime_checkable
class ComplaintReader(Protocol):
    """A warehouse that holds complaints (:meth:`DuckDbWarehouse.complaints
    <carecenter.adapters.warehouse.DuckDbWarehouse.complaints>`)."""

    def complaints(
        self, start: datetime | None = None, end: datetime | None = None, *, kept: bool = True
    ) -> list[Complaint]: ...


def workspace_corpus(
    source: WorkspaceSource, first_day: date | None = None, last_day: date | None = None
) -> Corpus:
    """The workspace's complaints from ``first_day`` to ``last_day`` (center days, both
    included; ``None``: no bound), from three sources
    (:func:`~carecenter.domain.complaints.gathered`): the imported
    complaints the import kept, the contacts ended with a complaint disposition and the
    comments of dissatisfied survey answers. All go through the filter again
    (:class:`~carecenter.domain.complaints.Screen`), so a complaint imported twice under two
    ids (two imports), or an agent's note that repeats one, counts once."""
    if first_day is not None and last_day is not None and last_day < first_day:
        raise InputError("must not be before --from", field="to")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        start = datetime.combine(first_day, time(0), zone) if first_day else None
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone) if last_day else None
        warehouse = ws.warehouse
        imported = (
            warehouse.complaints(start, end) if isinstance(warehouse, ComplaintReader) else []
        )
        contacts = warehouse.disposed_contacts(COMPLAINT_DISPOSITIONS, start, end)
        answers = warehouse.commented_answers(start, end)
    found = gathered(imported, contacts, answers)
    if not found.kept:
        raise InputError("no complaints kept in the workspace for the period", field="from")
    return Corpus(
        [c.complaint_id for c in found.kept],
        [c.text for c in found.kept],
        [c.received_at.astimezone(zone) for c in found.kept],
        [c.queue for c in found.kept],
        found.notes,
    )
