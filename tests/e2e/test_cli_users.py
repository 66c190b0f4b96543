"""``carecenter users``: users added from a script (password on standard input), tied to the
agents and teams of center.yaml; a token printed alone and stored only as its hash; the audit
log; bad input is one line naming the flag."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.domain.users import Role, User
from carecenter.interfaces.cli.app import app
from carecenter.services.users import token_user

PASSWORD = "correct horse battery"


def cli(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new workspace with the example center (agents a001-a006, teams red and blue)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    monkeypatch.delenv("CARECENTER_DATABASE_URL", raising=False)
    assert cli("init", str(tmp_path / "ws"))[0] == 0
    return tmp_path / "ws"


def add(ws: Path, name: str, *options: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return cli(
        "users", "add", name, *options, "--password-stdin", "-w", str(ws), stdin=password + "\n"
    )


def listed(ws: Path, *what: str) -> list[dict[str, object]]:
    code, out, err = cli("users", *what, "-w", str(ws), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def store_bytes(ws: Path) -> bytes:
    return b"".join(p.read_bytes() for p in ws.glob("carecenter.db*"))


def test_users_are_added_from_standard_input(ws: Path) -> None:
    code, out, err = add(ws, "ana", "--role", "agent", "--agent", "a001")
    assert (code, out, err) == (0, "added user ana (agent, agent a001, team red)\n", "")
    code, out, _ = add(ws, "rosa", "--role", "supervisor", "--team", "blue")
    assert out == "added user rosa (supervisor, team blue)\n"
    assert add(ws, "root", "--role", "admin")[1] == "added user root (admin, every team)\n"
    assert listed(ws, "list") == [
        {"name": "ana", "role": "agent", "agent_id": "a001", "team": "red", "disabled": False},
        {"name": "root", "role": "admin", "agent_id": None, "team": None, "disabled": False},
        {"name": "rosa", "role": "supervisor", "agent_id": None, "team": "blue", "disabled": False},
    ]
    with sqlite3.connect(ws / "carecenter.db") as db:
        hashes = [r[0] for r in db.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)  # the real hasher
    assert PASSWORD.encode() not in store_bytes(ws)


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (("--role", "agent"), "error: --agent: an agent user needs an agent of center.yaml"),
        (("--role", "agent", "--agent", "a042"), "error: --agent: unknown agent 'a042'; center"),
        (("--role", "agent", "--agent", "a001", "--team", "blue"), "error: --team: agent a001"),
        (("--role", "supervisor", "--team", "green"), "error: --team: unknown team 'green'"),
        (("--role", "owner"), "error: --role: unknown role 'owner'; choose agent, supervisor"),
    ],
)
def test_bad_users_are_one_line_naming_the_flag(
    ws: Path, options: tuple[str, ...], line: str
) -> None:
    code, out, err = add(ws, "ana", *options)
    assert code == 2 and out == ""
    assert err.startswith(line) and err.count("\n") == 1 and PASSWORD not in err
    assert listed(ws, "list") == []


def test_the_password_comes_only_from_standard_input(ws: Path) -> None:
    code, _, err = cli("users", "add", "ana", "--role", "admin", "-w", str(ws))
    assert code == 2 and "--password-stdin" in err
    code, _, err = cli("users", "add", "ana", "--role", "admin", "--password-stdin", "-w", str(ws))
    assert code == 2 and "no password on the first line of standard input" in err
    assert add(ws, "ana", "--role", "admin", password="seven77")[2] == (
        "error: password: must have at least 8 characters\n"
    )
    code, _, err = cli(
        "users",
        "add",
        "ana",
        "--role",
        "admin",
        "--password-stdin",
        "-w",
        str(ws),
        stdin=b"caf\xe9 au lait\n",
    )
    assert code == 2 and "not UTF-8" in err
    code, _, err = cli(
        "users", "add", "a b", "--role", "admin", "--password-stdin", "-w", str(ws), stdin=PASSWORD
    )
    assert code == 2 and err.startswith("error: name: must be 1 to 64 letters")
    assert listed(ws, "list") == []


def test_a_name_is_replaced_only_with_replace(ws: Path) -> None:
    assert add(ws, "rosa", "--role", "supervisor")[0] == 0
    code, _, err = add(ws, "rosa", "--role", "admin")
    assert code == 2 and "user 'rosa' exists" in err
    code, out, _ = add(ws, "rosa", "--role", "admin", "--replace", password="another password")
    assert code == 0 and out == "replaced user rosa (admin, every team)\n"
    assert listed(ws, "list")[0]["role"] == "admin"


def test_a_token_is_printed_alone_and_stored_as_its_hash(ws: Path) -> None:
    assert add(ws, "pbx", "--role", "admin")[0] == 0
    code, out, err = cli("users", "token", "pbx", "--label", "asterisk", "-w", str(ws))
    assert code == 0 and "shown only this once" in err
    token = out.strip()
    assert out == token + "\n" and token.startswith("cc_")
    data = store_bytes(ws)
    assert token.encode() not in data
    assert hashlib.sha256(token.encode()).hexdigest().encode() in data
    settings = Settings(workspace=ws)
    assert token_user(settings, token) == User("pbx", Role.ADMIN)
    assert [t["label"] for t in listed(ws, "tokens", "pbx")] == ["asterisk"]
    assert listed(ws, "tokens", "pbx")[0]["last_used_at"] is not None
    code, out, _ = cli("users", "disable", "pbx", "-w", str(ws))
    assert (code, out) == (0, "disabled user pbx\n") and token_user(settings, token) is None
    assert cli("users", "enable", "pbx", "-w", str(ws))[0] == 0
    assert token_user(settings, token) is not None
    code, out, _ = cli("users", "revoke", "pbx", "-w", str(ws))
    assert (code, out) == (0, "revoked 1 token of pbx\n") and token_user(settings, token) is None
    code, _, err = cli("users", "token", "nobody", "-w", str(ws))
    assert code == 2 and err == "error: name: no user 'nobody'\n"


def test_remove_and_the_audit_log(ws: Path) -> None:
    assert add(ws, "ana", "--role", "agent", "--agent", "a003")[0] == 0
    code, out, _ = cli("users", "token", "ana", "-w", str(ws))
    token = out.strip()
    code, out, _ = cli("users", "remove", "ana", "-w", str(ws))
    assert (code, out) == (0, "removed user ana\n")
    assert token_user(Settings(workspace=ws), token) is None
    assert listed(ws, "list") == []
    code, _, err = cli("users", "remove", "ana", "-w", str(ws))
    assert code == 2 and "no user 'ana'" in err
    log = listed(ws, "audit")
    assert [(r["actor"], r["action"], r["subject"]) for r in log] == [
        ("cli", "user.removed", "ana"),
        ("cli", "token.issued", "ana"),
        ("cli", "user.added", "ana"),
    ]
    assert log[2]["detail"] == {"agent_id": "a003", "role": "agent", "team": "blue"}
    assert PASSWORD not in json.dumps(log) and token not in json.dumps(log)
    assert len(listed(ws, "audit", "--limit", "1")) == 1
    code, out, _ = cli("users", "audit", "-w", str(ws), "--format", "csv")
    assert out.splitlines()[0] == "id,at,actor,action,subject,detail"
    assert '"{""agent_id"":""a003"",""role"":""agent"",""team"":""blue""}"' in out
    code, out, _ = cli("users", "audit", "-w", str(ws))
    assert code == 0 and "user.removed" in out
    assert cli("users", "audit", "--limit", "0", "-w", str(ws))[0] == 2


def test_users_need_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    code, _, err = cli("users", "list", "-w", str(tmp_path / "nowhere"))
    assert code == 2 and "not a carecenter workspace" in err
