"""Complaints and the reasonable-complaint filter: which complaints are set aside, and why.

Pure rules used by the ``complaints`` importer (:mod:`carecenter.ingest.complaints`) and by
``carecenter voc themes`` (:mod:`carecenter.services.voc_themes`). A complaint is never
deleted: it is kept, or set aside with the first reason that applies, in this order:

1. **no text**: nothing but white space (or only redaction masks such as ``XXXX``);
2. **spam** (:func:`spam_reason`), on the text less its redaction masks (``XX``, ``XXXX``,
   ``XX/XX/XXXX``: runs of two or more ``X`` as whole words, what the CFPB puts in place of
   names, dates and numbers):

   * ``spam: no letters`` - not one letter;
   * ``spam: mostly links`` - links (``http://``, ``https://``, ``www.``) make up half the
     text's non-space characters or more;
   * ``spam: repeated characters`` - half the non-space characters or more are in runs of
     :data:`RUN` or more of the same character (``!!!!!!``, ``aaaaaaa``);
   * ``spam: too short`` - fewer than :data:`MIN_WORDS` words of letters;

3. **out of scope** (:class:`Scope`, from the importer's mapping ``scope:``): the product is
   not one of ``products`` (when given) or is one of ``exclude_products``, or the text holds
   one of ``exclude_keywords`` (as whole words, case and punctuation ignored);
4. **duplicate**: the same normalised text (:func:`normalise`) as an earlier complaint that
   was kept, from the same customer when both customers are known; a complaint whose
   customer is not known is compared with the others whose customer is not known.
   "Earlier" is by time received, then by the order read.

Besides imported files, complaints come from two other sources (``carecenter voc themes``):

* **contacts** whose ``contact.ended`` disposition is one of :data:`COMPLAINT_DISPOSITIONS`
  (case and surrounding spaces ignored): the agent's note is the text;
* **survey comments** given with a dissatisfied answer (:func:`dissatisfied`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from carecenter.domain.projection import ContactRow, SurveyAnswerRow
from carecenter.domain.surveys import (
    CES_QUESTION,
    CSAT_QUESTION,
    CSAT_SATISFIED,
    CSAT_SCALE,
    NPS_DETRACTOR,
    NPS_QUESTION,
    NPS_SCALE,
)

KEPT = "kept"
SET_ASIDE = "set_aside"
STATUSES = (KEPT, SET_ASIDE)

MIN_WORDS = 2
"""A complaint with fewer words of letters is too short to say what it is about."""
RUN = 4
"""Characters repeated so many times in a row or more count as repeated characters."""

COMPLAINT_DISPOSITIONS = ("complaint",)
"""The wrap-up codes (``contact.ended`` ``disposition``, lower case) of a complaint contact."""

_MASK = re.compile(r"(?<![^\W_])(?:[xX]{2,}[/\-.]?)+(?![^\W_])")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{1,}", re.UNICODE)
_RUNS = re.compile(rf"(\S)\1{{{RUN - 1},}}")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Complaint:
    """One complaint as the warehouse table ``complaints`` holds it (see
    :data:`carecenter.ingest.common.EXTRA_TABLES`)."""

    complaint_id: str
    received_at: datetime
    text: str
    product: str | None = None
    issue: str | None = None
    customer_id: str | None = None
    contact_id: str | None = None
    queue_id: str | None = None
    channel: str | None = None
    source: str | None = None
    status: str = KEPT
    reason: str | None = None

    @property
    def queue(self) -> str | None:
        """The queue a complaint counts in: its queue, else its product."""
        return self.queue_id or self.product


def dissatisfied(question: str, score: int, scale_max: int) -> bool:
    """Whether an answer says the customer was dissatisfied (its comment is a complaint).

    * ``csat`` on 1..5: below :data:`~carecenter.domain.surveys.CSAT_SATISFIED` (1 to 3);
    * ``nps`` on 0..10: a detractor, at most
      :data:`~carecenter.domain.surveys.NPS_DETRACTOR` (0 to 6);
    * ``ces`` (customer effort, higher is harder): above the middle of 1..``scale_max``
      (5 to 7 on 1..7);
    * any other question (or ``csat``, ``nps`` on another scale): below the middle of
      1..``scale_max`` (1 and 2 on 1..5, 1 to 5 on 1..10; 0 counts as low).

    The middle itself is neither.
    """
    name = question.strip().casefold()
    if name == CSAT_QUESTION and scale_max == CSAT_SCALE:
        return score < CSAT_SATISFIED
    if name == NPS_QUESTION and scale_max == NPS_SCALE:
        return score <= NPS_DETRACTOR
    if name == CES_QUESTION:
        return 2 * score > 1 + scale_max
    return 2 * score < 1 + scale_max


@dataclass(frozen=True)
class Scope:
    """What a center handles (a mapping file's ``scope:``); empty: everything."""

    products: frozenset[str] = frozenset()
    """Only these products are in scope (empty: every product)."""
    exclude_products: frozenset[str] = frozenset()
    exclude_keywords: tuple[str, ...] = ()

    def reason(self, product: str | None, text: str) -> str | None:
        """``out of scope: ...`` when the complaint is outside the scope, else ``None``."""
        if self.products and (product or "") not in self.products:
            return f"out of scope: product {product or '(none)'!r}"
        if product is not None and product in self.exclude_products:
            return f"out of scope: product {product!r}"
        if self.exclude_keywords:
            padded = f" {normalise(text)} "
            for keyword in self.exclude_keywords:
                if f" {normalise(keyword)} " in padded:
                    return f"out of scope: keyword {keyword!r}"
        return None


def unmasked(text: str) -> str:
    """``text`` less its redaction masks (``XXXX``, ``XX/XX/XXXX``)."""
    return _MASK.sub(" ", text)


def normalise(text: str) -> str:
    """The text compared for duplicates: Unicode NFKC, case folded, redaction masks dropped,
    every run of punctuation and white space one space."""
    folded = unicodedata.normalize("NFKC", text)
    return _NOT_WORD.sub(" ", unmasked(folded).casefold()).strip()


def text_key(text: str, customer_id: str | None) -> bytes:
    """A short digest of (customer, normalised text): what two duplicates share."""
    data = f"{customer_id or ''}\x00{normalise(text)}".encode()
    return hashlib.blake2b(data, digest_size=12).digest()


def spam_reason(text: str, min_words: int = MIN_WORDS) -> str | None:
    """Why ``text`` is spam (see the module), or ``None``; the text should not be empty."""
    plain = unmasked(text)
    if not any(c.isalpha() for c in plain):
        return "spam: no letters"
    solid = sum(not c.isspace() for c in plain)
    links = sum(len(m.group()) for m in _LINK.finditer(plain))
    if 2 * links >= solid:
        return "spam: mostly links"
    repeated = sum(len(m.group()) for m in _RUNS.finditer(plain))
    if 2 * repeated >= solid:
        return "spam: repeated characters"
    if len(_WORD.findall(_LINK.sub(" ", plain))) < min_words:
        return "spam: too short"
    return None


def own_reason(complaint: Complaint, scope: Scope, min_words: int = MIN_WORDS) -> str | None:
    """The reason to set a complaint aside by itself (no text, spam, out of scope), or
    ``None``; duplicates need the other complaints (:class:`Screen`)."""
    if not unmasked(complaint.text).strip():
        return "no text"
    return spam_reason(complaint.text, min_words) or scope.reason(complaint.product, complaint.text)


@dataclass
class Screen:
    """The filter over complaints given in batches (one file, then the next): each batch is
    screened in order of time received (then given); a duplicate of a complaint kept in an
    earlier batch is set aside even if it was received before it."""

    scope: Scope = field(default_factory=Scope)
    min_words: int = MIN_WORDS
    kept: dict[bytes, str] = field(default_factory=dict)
    """Text key -> the id of the complaint kept with it."""

    def batch(self, complaints: Sequence[Complaint]) -> list[Complaint]:
        """The complaints of one batch, in time order, each with its status and reason."""
        order = sorted(range(len(complaints)), key=lambda i: (complaints[i].received_at, i))
        out: list[Complaint] = []
        for i in order:
            c = complaints[i]
            reason = own_reason(c, self.scope, self.min_words)
            if reason is None:
                key = text_key(c.text, c.customer_id)
                first = self.kept.get(key)
                if first is not None and first != c.complaint_id:
                    reason = f"duplicate of {first}"
                else:
                    self.kept[key] = c.complaint_id
            out.append(_with(c, reason))
        return out


def screen(complaints: Iterable[Complaint], scope: Scope | None = None) -> list[Complaint]:
    """Every complaint with its status and reason (one batch: see :class:`Screen`)."""
    return Screen(scope or Scope()).batch(list(complaints))


def _with(c: Complaint, reason: str | None) -> Complaint:
    return replace(c, status=KEPT if reason is None else SET_ASIDE, reason=reason)


CONTACT, SURVEY = "contact", "survey"
"""The ``source`` of a complaint from a contact's disposition, from a survey comment."""


@dataclass(frozen=True)
class Gathered:
    """The complaints kept from every source, and the notes that count them."""

    kept: list[Complaint]
    notes: list[str]


def from_contact(row: ContactRow, queue: str | None) -> Complaint:
    """A complaint contact as a complaint: id ``contact:<id>``, the agent's note, received when
    the contact ended, in the queue of its last visit (else its topic)."""
    assert row.ended_at is not None
    return Complaint(
        f"{CONTACT}:{row.contact_id}",
        row.ended_at,
        (row.note or "").strip(),
        product=row.topic,
        customer_id=row.customer_id,
        contact_id=row.contact_id,
        queue_id=queue,
        channel=row.channel,
        source=CONTACT,
    )


def from_comments(answers: Sequence[tuple[SurveyAnswerRow, str | None]]) -> list[Complaint]:
    """The comments given with a dissatisfied answer (:func:`dissatisfied`), one complaint a
    survey: id ``survey:<survey id>``, received at its first such answer, its distinct
    comments one a line, in the queue of the contact it is about (``None``: none)."""
    by_survey: dict[str, list[tuple[SurveyAnswerRow, str | None]]] = defaultdict(list)
    for answer, queue in answers:
        if dissatisfied(answer.question, answer.score, answer.scale_max):
            by_survey[answer.survey_id].append((answer, queue))
    out: list[Complaint] = []
    for survey_id, given in by_survey.items():
        first, queue = given[0]
        comments = dict.fromkeys((a.comment or "").strip() for a, _ in given)
        out.append(
            Complaint(
                f"{SURVEY}:{survey_id}",
                first.answered_at,
                "\n".join(comments),
                customer_id=first.customer_id,
                contact_id=first.contact_id,
                queue_id=queue,
                source=SURVEY,
            )
        )
    return out


def gathered(
    imported: Sequence[Complaint],
    contacts: Sequence[tuple[ContactRow, str | None]],
    answers: Sequence[tuple[SurveyAnswerRow, str | None]],
) -> Gathered:
    """The three sources screened together (imported first at equal times, then contacts,
    then survey comments), with notes: how many each source gives, how many complaint
    contacts have no note (counted, not themed), what the filter set aside."""
    made = [from_contact(row, queue) for row, queue in contacts]
    comments = from_comments(answers)
    screened = Screen().batch([*imported, *made, *comments])
    kept = [c for c in screened if c.status == KEPT]
    origin = Counter(_origin(c) for c in kept)
    notes = [
        f"complaints: {len(kept)} ({origin['imported']} imported, {origin[CONTACT]} from "
        f"contacts with disposition {'/'.join(COMPLAINT_DISPOSITIONS)}, {origin[SURVEY]} from "
        "dissatisfied survey comments)"
    ]
    aside = [c for c in screened if c.status != KEPT]
    silent = sum(c.source == CONTACT and c.reason == "no text" for c in aside)
    if silent:
        notes.append(f"{silent} complaint contacts without a note: counted, not themed")
    others = Counter(
        (_origin(c), "duplicate" if (c.reason or "").startswith("duplicate") else c.reason)
        for c in aside
        if not (c.source == CONTACT and c.reason == "no text")
    )
    for (kind, reason), n in sorted(others.items()):
        notes.append(f"{n} {_LABELS[kind]} set aside: {reason}")
    return Gathered(kept, notes)


_LABELS = {
    "imported": "imported complaints",
    CONTACT: "complaints from contacts",
    SURVEY: "complaints from survey comments",
}


def _origin(c: Complaint) -> str:
    return c.source if c.source in (CONTACT, SURVEY) else "imported"
