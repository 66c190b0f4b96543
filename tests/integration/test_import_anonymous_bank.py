"""The Anonymous Bank February 1999 file (33,344 calls) imported, checked against an
independent computation written here in plain Python.

Rows left out of the benchmarks, in both computations:

* 278 ``PHANTOM`` calls: virtual calls the data's authors say to ignore;
* 1,941 ``HANG`` calls that never queued (``q_start`` = ``q_exit`` = 0:00:00, ``q_time`` 0):
  callers who hung up in the VRU; they were never offered to an agent.

Every other call is offered: ``AGENT`` is answered (wait = ``q_time``, 0 for calls answered
without queueing; service time = ``ser_time``), ``HANG`` after queueing is abandoned. One call
entered the queue at exactly midnight (``q_start`` 0:00:00 with ``q_time`` 27): it is queued.

Each call is translated into domain events and folded by the one fold; every call's events
follow the contact life cycle (checked by replaying them).

Skipped when ``../shared/data`` is not there (the file is not shipped with the repository).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from tests.helpers import ANONYMOUS_BANK

from carecenter.adapters.settings import Settings
from carecenter.domain.contact import Contact
from carecenter.domain.events import ContactQueued
from carecenter.ingest.anonymous_bank import COLUMNS, AnonymousBank
from carecenter.services.importing import import_files
from carecenter.services.reporting import metrics_report
from carecenter.services.workspace import init_workspace

DATA = ANONYMOUS_BANK

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is absent")


def short_abandons(limit_s: int = 5) -> int:
    """Abandons that waited less than ``limit_s`` seconds (the default policy's short abandons),
    from the raw file."""
    with DATA.open(newline="") as handle:
        return sum(
            row["outcome"] == "HANG"
            and not (row["q_start"] == row["q_exit"] == "0:00:00" and row["q_time"] == "0")
            and int(row["q_time"]) < limit_s
            for row in csv.DictReader(handle, delimiter="\t")
        )


def independent() -> tuple[int, int, int, float, float]:
    """offered, answered, abandoned, ASA (s), mean service time (s) from the raw file."""
    answered = abandoned = 0
    waits: list[int] = []
    services: list[int] = []
    with DATA.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["outcome"] == "PHANTOM":
                continue
            queued = not (row["q_start"] == row["q_exit"] == "0:00:00" and row["q_time"] == "0")
            if row["outcome"] == "HANG":
                abandoned += queued
                continue
            answered += 1
            waits.append(int(row["q_time"]) if queued else 0)
            services.append(int(row["ser_time"]))
    return (
        answered + abandoned,
        answered,
        abandoned,
        sum(waits) / len(waits),
        sum(services) / len(services),
    )


def test_february_1999_matches_the_independent_computation(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws")
    init_workspace(settings)
    summary = import_files(settings, "anonymous-bank", [DATA])
    total = summary.total()
    assert (total.records, total.quarantined, total.ignored) == (33_344, 0, 278)
    assert total.contacts_new == 33_344 - 278
    assert summary.exit_code == 0

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (outcome IN ('answered', 'abandoned')), "
            "count(*) FILTER (outcome = 'answered'), count(*) FILTER (outcome = 'abandoned'), "
            "avg(wait_s) FILTER (outcome = 'answered'), avg(talk_s) FILTER (outcome = 'answered') "
            "FROM contact_facts"
        ).fetchone()
    assert row is not None
    offered, answered, abandoned, asa, service = row
    expected = independent()
    assert (offered, answered, abandoned) == expected[:3] == (31_125, 27_162, 3_963)
    assert asa == pytest.approx(expected[3], abs=1e-9)
    assert service == pytest.approx(expected[4], abs=1e-9)
    assert round(asa, 2) == 40.77
    assert round(service, 2) == 176.35

    # The report applies the default service-level policy: abandons under 5 s are short and
    # left out of offered and abandoned (the import how-to says so beside these numbers).
    (month,) = metrics_report(settings, interval="all", fcr=False).rows
    short = short_abandons()
    assert short == 219
    assert month["short_abandoned"] == short
    assert (
        (month["offered"], month["abandoned"])
        == (31_125 - short, 3_963 - short)
        == (
            30_906,
            3_744,
        )
    )

    again = import_files(settings, "anonymous-bank", [DATA]).total()
    assert (again.contacts_new, again.contacts_updated, again.unchanged) == (0, 0, 33_066)


def test_every_call_is_a_legal_contact_story() -> None:
    """Every line's events replay through the contact life cycle; 1,941 VRU hang-ups have no
    visit and 278 phantoms no story."""
    importer = AnonymousBank()
    states: dict[str, int] = {}
    vru = phantoms = 0
    with DATA.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            story = importer.story([row[c] for c in COLUMNS])
            if story is None:
                phantoms += 1
                continue
            vru += not any(isinstance(e, ContactQueued) for e in story)
            state = Contact.replay(story).state.value
            states[state] = states.get(state, 0) + 1
    assert (phantoms, vru) == (278, 1_941)
    assert states == {"ended": 27_162 + 1_941, "abandoned": 3_963}
