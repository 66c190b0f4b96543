"""The in-memory warehouse's import sink: an import's facts merged as the DuckDB warehouse
merges them (:mod:`carecenter.adapters.import_merge`)."""

from __future__ import annotations

from typing import Any

from carecenter.adapters.memory import InMemoryWarehouse
from carecenter.domain.projection import AgentInterval, ContactRow, SurveyAnswerRow, VisitFact
from carecenter.ingest.common import FileCounts, MemorySink, Row


class MemoryImportSink(MemorySink):
    """An import's :class:`~carecenter.ingest.common.FactSink` into an
    :class:`InMemoryWarehouse`: rows replace rows with the same key at the end of each file;
    a contact already there unchanged counts as unchanged, and one the warehouse holds further
    along is left as it is (facts only move forward, by the rule of
    :mod:`~carecenter.adapters.import_merge`), like the DuckDB sink."""

    def __init__(self, warehouse: InMemoryWarehouse, source: str) -> None:
        super().__init__()
        self.warehouse = warehouse
        self.source = source
        # tickets are written straight into the warehouse's tables
        self.ticket_activities = warehouse.ticket_activities
        self.ticket_facts = warehouse.ticket_facts
        self.ticket_spells = warehouse.ticket_spells

    def start_file(self, file: str) -> FileCounts:
        """Begin a file: fresh counts."""
        self.end_file()
        self.counts = FileCounts(self.source, file)
        return self.counts

    def end_file(self, *, log: bool = True) -> FileCounts:
        """Write what the file gave into the warehouse; its counts."""
        wh, c = self.warehouse, self.counts
        versions = {
            str(v["contact_id"]): int(v["updated_us"])
            for v in self.records.pop("contact_versions", {}).values()
        }
        behind = _behind(wh, self.contacts, self.visits, versions)
        if behind:
            c.unchanged += len(behind)
            c.notes["older copies ignored (the warehouse holds later facts)"] += len(behind)
            self.contacts = {k: v for k, v in self.contacts.items() if k not in behind}
            self.visits = {k: v for k, v in self.visits.items() if k[0] not in behind}
        wh.contact_versions.update({k: v for k, v in versions.items() if k not in behind})
        moved = {
            k[0] for k, row in self.visits.items() if wh.contact_facts.get(k) != VisitFact(*row)
        }
        for key, row in self.contacts.items():
            fact = ContactRow(*row)
            old = wh.contacts.get(key)
            if old == fact and key not in moved:
                c.unchanged += 1
                continue
            c.contacts_new += old is None
            c.contacts_updated += old is not None
            wh.contacts[key] = fact
        c.visits += _replace(wh.contact_facts, self.visits, VisitFact)
        c.intervals += _replace(wh.agent_state_intervals, self.intervals, AgentInterval)
        _replace(wh.survey_answers, self.answers, SurveyAnswerRow)
        self.contacts, self.visits, self.intervals, self.answers = {}, {}, {}, {}
        return c


def _behind(
    wh: InMemoryWarehouse,
    contacts: dict[str, Row],
    visits: dict[tuple[str, int], Row],
    versions: dict[str, int],
) -> set[str]:
    """The incoming contacts ``wh`` holds further along: the DuckDB sink's rule
    (:data:`~carecenter.adapters.import_merge.BEHIND`), run on these rows."""
    known = contacts.keys() & wh.contacts.keys()
    if not known:
        return set()
    import duckdb
    import pyarrow as pa

    from carecenter.adapters.import_merge import BEHIND
    from carecenter.adapters.warehouse_schema import arrow_columns, arrow_table

    def versions_table(held: dict[str, int]) -> pa.Table:
        schema = pa.schema([("contact_id", pa.string()), ("updated_us", pa.int64())])
        return pa.table([list(held), list(held.values())], schema=schema)

    tables = {
        "contacts": arrow_table(ContactRow, [wh.contacts[k] for k in sorted(known)]),
        "contact_facts": arrow_table(
            VisitFact, [v for (cid, _), v in sorted(wh.contact_facts.items()) if cid in known]
        ),
        "contact_versions": versions_table(
            {k: v for k, v in wh.contact_versions.items() if k in known}
        ),
        "_pending_contacts": arrow_columns(ContactRow, list(contacts.values())),
        "_pending_contact_facts": arrow_columns(VisitFact, list(visits.values())),
        "_pending_versions": versions_table(versions),
    }
    with duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        for name, table in tables.items():
            con.register(name, table)
        con.execute(BEHIND)
        return {str(r[0]) for r in con.execute("SELECT contact_id FROM _import_behind").fetchall()}


def _replace(table: dict[Any, Any], rows: dict[Any, Row], kind: type[Any]) -> int:
    """Put ``rows`` (lists in column order) into ``table`` as ``kind``; how many changed."""
    changed = 0
    for key, row in rows.items():
        fact = kind(*row)
        if table.get(key) != fact:
            table[key] = fact
            changed += 1
    return changed
