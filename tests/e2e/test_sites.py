"""Sites and outsourcers: an own site whose agents cost its hourly rate, and an outsourcer paid
per contact, compared side by side by ``carecenter report --by site`` and in the HTML report
(hand-computed costs).

Monday 2026-12-14, London (UTC in December): Ann (Leeds, no hourly cost of her own: the
site's 20 an hour) is logged in 09:00-11:00 and handles 3 calls of 5 minutes; Raj (Manila, an
outsourcer at 3.10 a contact) is logged in 09:00-10:00 and handles 2; one caller hangs up
after 30 s, answered by nobody.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Two sites, timezone: Europe/London}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
sites:
  leeds: {name: Leeds, cost_per_hour: 20}
  manila: {name: Manila (partner), outsourcer: true, cost_per_contact: 3.10}
agents:
  ann: {name: Ann, site: leeds, skills: {billing: 3}}
  raj: {name: Raj, site: manila, skills: {billing: 3}}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def epoch(hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 12, 14, hour, minute, tzinfo=UTC).timestamp())


def make_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    lines = [
        (epoch(9), "NONE", "SIP/ann", "ADDMEMBER", ""),
        (epoch(9), "NONE", "SIP/raj", "ADDMEMBER", ""),
        (epoch(10), "NONE", "SIP/raj", "REMOVEMEMBER", ""),
        (epoch(11), "NONE", "SIP/ann", "REMOVEMEMBER", ""),
    ]
    calls = [("ann", 9, 5), ("ann", 9, 20), ("ann", 10, 10), ("raj", 9, 10), ("raj", 9, 30)]
    for n, (agent, hour, minute) in enumerate(calls):
        t = epoch(hour, minute)
        lines += [
            (t, f"c{n}", "NONE", "ENTERQUEUE", f"|555{n}|1"),
            (t, f"c{n}", f"SIP/{agent}", "CONNECT", f"0|c{n}-b|1"),
            (t + 300, f"c{n}", f"SIP/{agent}", "COMPLETECALLER", "0|300|1"),
        ]
    t = epoch(9, 45)
    lines += [
        (t, "c9", "NONE", "ENTERQUEUE", "|5559|1"),
        (t + 30, "c9", "NONE", "ABANDON", "1|1|30"),
    ]
    log = tmp_path / "queue_log"
    log.write_text(
        "".join(
            f"{t}|{c}|billing|{a}|{e}|{d}\n" for t, c, a, e, d in sorted(lines, key=lambda x: x[0])
        )
    )
    code, _, err = cli("import", "asterisk-queue-log", str(log), "-w", str(ws))
    assert code == 0, err
    return ws


def test_the_sites_side_by_side(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    code, out, err = cli("report", "-w", str(ws), "--by", "site", "--interval", "all", "-f", "json")
    assert code == 0, err
    rows = {r["site"]: r for r in json.loads(out)}
    leeds, manila = rows["leeds"], rows["manila"]
    assert (leeds["handled"], manila["handled"]) == (3, 2)
    # Ann: 2 hours at Leeds' 20 an hour, over her 3 contacts
    assert leeds["staff_cost"] == 40.0 and leeds["outsourced_cost"] == 0.0
    assert round(leeds["cost_per_contact"], 4) == round(40 / 3, 4)
    # Raj: no hourly cost; 3.10 for each of his 2 contacts
    assert manila["staff_cost"] == 0.0 and round(manila["outsourced_cost"], 2) == 6.2
    assert round(manila["cost_per_contact"], 2) == 3.1
    assert leeds["aht_s"] == manila["aht_s"] == 300.0
    code, out, err = cli("report", "-w", str(ws), "--interval", "all", "-f", "json")
    whole = json.loads(out)[0]
    assert round(whole["cost_per_contact"], 4) == round((40 + 6.2) / 5, 4)


def test_the_html_report_has_a_sites_table(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    target = tmp_path / "report.html"
    code, _, err = cli("report", "-w", str(ws), "--format", "html", "--output", str(target))
    assert code == 0, err
    section = target.read_text().split("<h2>Sites</h2>")[1].split("<h2>")[0]
    cells = [c.split(">")[-1] for c in section.split("</td>")]
    partner = cells.index("Manila (partner)")
    assert cells[partner + 1 : partner + 3] == ["outsourcer", "2"]
    assert cells[cells.index("Leeds") + 1] == "own"
    assert "3.1" in cells[partner : partner + 12]  # its cost per contact


def test_an_unknown_site_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "center.yaml"
    path.write_text(CENTER.replace("site: manila", "site: paris"))
    code, _, err = cli("config", "check", str(path))
    assert code == 2
    assert "agents.raj.site: unknown site 'paris' (defined: leeds, manila)" in err
    path.write_text(CENTER.replace("outsourcer: true, ", ""))
    code, _, err = cli("config", "check", str(path))
    assert code == 2 and "only an outsourcer is paid per contact" in err
