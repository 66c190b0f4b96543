"""The complaints importer: the CFPB export's columns by default, a mapping file with a scope,
bad rows quarantined with the reason, every other row kept or set aside with the reason."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carecenter.adapters.files import open_text
from carecenter.errors import InputError
from carecenter.ingest import ImportOptions, make_importer
from carecenter.ingest.common import MemorySink
from carecenter.ingest.complaints import ComplaintsFile, read_complaints_mapping

CFPB_HEADER = [
    "Date received", "Product", "Sub-product", "Issue", "Sub-issue",
    "Consumer complaint narrative", "Company", "Submitted via", "Complaint ID",
]  # fmt: skip
REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "complaints"
REAL_FILE = REAL / "cfpb_complaints_sample_6623.csv"


def cfpb_row(ident: str, received: str, text: str, product: str = "Debt collection") -> list[str]:
    return [received, product, "", "Attempts to collect debt not owed", "", text, "ACME", "Web",
            ident]  # fmt: skip


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def run(importer: ComplaintsFile, *files: Path) -> MemorySink:
    sink = MemorySink()
    for path in files:
        with open_text(path) as text:
            importer.read(text, sink)
    importer.finish(sink)
    return sink


def stored(sink: MemorySink) -> dict[str, dict[str, object]]:
    return {k[0]: row for k, row in sink.records.get("complaints", {}).items()}


def test_cfpb_export_without_a_mapping(tmp_path: Path) -> None:
    debt = "A collector keeps calling me about a debt that is not mine."
    path = write(
        tmp_path / "cfpb.csv",
        CFPB_HEADER,
        [
            cfpb_row("11", "2020/3/18", ""),  # the export's usual row: no narrative
            cfpb_row("12", "2019/9/24", debt),
            cfpb_row("13", "2019/9/20", "  " + debt.upper() + " "),  # earlier: kept
            cfpb_row("14", "2019/13/40", debt),  # no such day
            cfpb_row("", "2019/9/24", "Nobody answers the phone at the servicer."),
            cfpb_row("15", "2019-10-01", "!!!!!!!!"),
            cfpb_row("16", "10/02/2019", "The servicer lost my payment again."),
        ],
    )
    importer = make_importer("complaints", ImportOptions())
    assert isinstance(importer, ComplaintsFile) and importer.source == "cfpb"
    sink = run(importer, path)
    assert sink.counts.records == 7
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (5, "received_at: not a time in format auto: '2019/13/40'"),
        (6, "complaint_id: empty"),
    ]
    rows = stored(sink)
    assert {k: (r["status"], r["reason"]) for k, r in rows.items()} == {
        "cfpb:11": ("set_aside", "no text"),
        "cfpb:12": ("set_aside", "duplicate of cfpb:13"),
        "cfpb:13": ("kept", None),
        "cfpb:15": ("set_aside", "spam: no letters"),
        "cfpb:16": ("kept", None),
    }
    assert rows["cfpb:13"] == {
        "complaint_id": "cfpb:13",
        "received_at": "2019-09-20T00:00:00+00:00",
        "product": "Debt collection",
        "issue": "Attempts to collect debt not owed",
        "text": debt.upper(),
        "customer_id": None,
        "contact_id": None,
        "queue_id": None,
        "channel": "Web",
        "source": "cfpb",
        "status": "kept",
        "reason": None,
    }
    assert rows["cfpb:16"]["received_at"] == "2019-10-02T00:00:00+00:00"
    notes = {k: v for k, v in sink.counts.notes.items() if not k.startswith("quarantined")}
    assert notes == {
        "complaints kept": 2,
        "set aside: no text": 1,
        "set aside: duplicate": 1,
        "set aside: spam": 1,
    }


MAPPING = """\
source: desk
time_format: "%d.%m.%Y %H:%M"
time_zone: Europe/Paris
columns:
  complaint_id: Ticket
  received_at: Created
  text: Body
  product: Product
  customer_id: Customer
  queue_id: Queue
defaults:
  channel: email
scope:
  exclude_products: [Insurance]
  exclude_keywords: [job application]
"""


def test_mapping_with_scope_customers_and_two_files(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    header = ["Ticket", "Created", "Body", "Product", "Customer", "Queue"]
    late = "My card was charged twice for one purchase."
    one = write(
        tmp_path / "a.csv",
        header,
        [
            ["t1", "02.03.2026 10:30", late, "Cards", "c1", "billing"],
            ["t2", "02.03.2026 11:00", late, "Cards", "c2", "billing"],
            [
                "t3",
                "02.03.2026 12:00",
                "Claim refused after the storm damage",
                "Insurance",
                "c3",
                "claims",
            ],
            [
                "t4",
                "03.03.2026 09:00",
                "About my job application sent in May",
                "Cards",
                "",
                "hr",
            ],
        ],
    )
    two = write(
        tmp_path / "b.csv",
        header,
        [["t5", "01.03.2026 08:00", late.upper(), "Cards", "c1", "billing"]],
    )
    mapping = read_complaints_mapping(tmp_path / "m.yaml")
    sink = run(ComplaintsFile(mapping), one, two)
    rows = stored(sink)
    assert {k: (r["status"], r["reason"]) for k, r in rows.items()} == {
        "desk:t1": ("kept", None),
        "desk:t2": ("kept", None),  # another customer
        "desk:t3": ("set_aside", "out of scope: product 'Insurance'"),
        "desk:t4": ("set_aside", "out of scope: keyword 'job application'"),
        # received before t1, but t1 was kept by an earlier file of the run
        "desk:t5": ("set_aside", "duplicate of desk:t1"),
    }
    t1 = rows["desk:t1"]
    assert (t1["customer_id"], t1["queue_id"], t1["channel"]) == ("desk:c1", "billing", "email")
    # 10:30 in Paris (UTC+1 in March before the change) is 09:30 UTC
    assert datetime.fromisoformat(str(t1["received_at"])) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("columns: {complaint_id: Id, text: Body}\n", 1, "columns: no column for received_at"),
        (
            "columns: {complaint_id: Id, received_at: At, text: B, mood: M}\n",
            1,
            "columns: unknown field 'mood'",
        ),
        ("source: x\nscope: {products: Mortgage}\n", 2, "scope: products: a list is needed"),
        ("source: x\nscope: {regions: [EU]}\n", 2, "scope: unknown setting 'regions'"),
        ("source: x\nsheet: 1\n", 2, "sheet: unknown setting"),
    ],
)
def test_bad_mapping_names_file_line_and_setting(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_complaints_mapping(path)
    assert str(caught.value).startswith(f"{path}:{line}: {message}"), str(caught.value)


def test_a_scope_only_mapping_reads_the_cfpb_columns(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("scope: {products: [Mortgage]}\n")
    path = write(
        tmp_path / "cfpb.csv",
        CFPB_HEADER,
        [
            cfpb_row("1", "2020-01-02", "My escrow payment was misapplied twice.", "Mortgage"),
            cfpb_row("2", "2020-01-02", "A collector keeps calling my work number."),
        ],
    )
    sink = run(ComplaintsFile(read_complaints_mapping(tmp_path / "m.yaml")), path)
    assert {k: r["reason"] for k, r in stored(sink).items()} == {
        "complaints:1": None,
        "complaints:2": "out of scope: product 'Debt collection'",
    }


@pytest.mark.skipif(not REAL_FILE.exists(), reason="shared CFPB sample not present")
def test_the_real_cfpb_sample() -> None:
    sink = run(ComplaintsFile(read_complaints_mapping(None)), REAL_FILE)
    rows = stored(sink)
    assert sink.counts.records == 6623 and not sink.quarantined
    reasons = Counter(str(r["reason"]).split(" of ")[0] for r in rows.values())
    # 6623 complaints, 1532 with a narrative, 38 of them the same text as an earlier one
    assert reasons == Counter({"no text": 5091, "None": 1494, "duplicate": 38})
    assert sink.counts.notes["complaints kept"] == 1494
