"""No input shows a user a traceback (DESIGN.md section 5.9).

Every command of the program, found by walking the Click command tree (so a new command is
covered without editing this file), runs on a corpus of bad inputs: a missing file, a directory,
an empty file, binary garbage, text that is not UTF-8, a CSV field over the csv module's default
limit, bad durations and numbers, a workspace that does not exist, a malformed and an
unreachable database URL, a bad setting. Each run must end in one of carecenter's own errors:
no traceback, no "internal error" line (the last line of defence in ``Group.invoke``, which a
known bad input must never reach) and, where the input is bad, a non-zero exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app
from carecenter.services.importing import formats

ROOT = typer.main.get_command(app)
SRC = Path(__file__).resolve().parents[2] / "src"
HUGE = 200 * 1024  # characters in one CSV field, over the csv module's default of 128 KiB


def commands(command: Any = ROOT, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every runnable command (``("config", "check")``...)."""
    subs = getattr(command, "commands", None)
    if not subs:
        yield path
        return
    for name, sub in subs.items():
        yield from commands(sub, (*path, name))


def command_at(path: tuple[str, ...]) -> Any:
    command = ROOT
    for name in path:
        command = command.commands[name]
    return command


def kind(param: Any) -> str:
    """path, workspace, output, number, integer, flag or text."""
    annotation = param.type_descriptor.annotation
    inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else annotation
    if param.name == "workspace":
        return "workspace"
    if inner is Path:
        return "output" if param.name in {"output", "directory"} else "path"
    if inner is bool or getattr(param, "is_flag", False):
        return "flag"
    if inner is int:
        return "integer"
    return "number" if inner is float else "text"


def params(path: tuple[str, ...]) -> list[Any]:
    return [p for p in command_at(path).params if p.name != "help"]


@dataclass(frozen=True)
class Run:
    """One command line of the corpus; ``bad``: the input is bad, so the exit must be non-zero."""

    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    bad: bool = True
    stdin: bytes | None = None

    def __str__(self) -> str:
        env = " ".join(f"{k}={v}" for k, v in self.env.items())
        fed = "" if self.stdin is None else f" < {self.stdin[:40]!r}"
        return f"{env} {' '.join(self.args)}{fed}".strip()


def _corpus_files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    files = {
        "missing": tmp / "no-such-file.csv",
        "directory": tmp / "a-directory",
        "empty": tmp / "empty.csv",
        "binary": tmp / "garbage.bin",
        "not-utf8": tmp / "latin1.csv",
        "huge-field": tmp / "huge.csv",
    }
    files["directory"].mkdir(exist_ok=True)
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 64 + b"\x00\xff\xfe" * 100)
    files["not-utf8"].write_bytes(
        b"interval_start,queue,calls,aht_s\n2024-01-01T09:00:00,caf\xe9,3,180\n"
    )
    quoted = '"' + "x" * HUGE + '"'
    files["huge-field"].write_text(
        f"interval_start,queue,calls,aht_s\n2024-01-01T09:00:00,{quoted},3,180\n"
    )
    return files


TEXT_VALUES = ("soon", "")
"""Values of text options: not a duration, a date, a model, a format...; and empty (which
may mean "not given")."""
NUMBER_VALUES = {"number": ("nan", "-1", "1e400"), "integer": ("-1", "x")}
"""Values of number options; infinity may mean "no limit" (``--patience``, ``--max-asa``)."""
MAY_BE_FINE = {"", "1e400"}
FREE_TEXT = {(("flow", "check"), "vip_words"), (("export", "facts"), "targets")}
"""Text options any text suits (``flow check --vip-words``: the words to look for; ``export
facts --to``: a directory, whatever its name): no run gives them a text that is not empty."""
COMPANIONS = {("report", "peers"): ("--gaps",)}
"""Options a file option needs to be read at all."""
WORKSPACE_COMPANIONS = {("staff",): ("--save",)}
"""Options a command needs to open its workspace at all (``staff`` keeps its plan there)."""
IMPORT_FORMATS = tuple(formats())
CREATES_WORKSPACE = {("init",), ("demo",)}
READS_ONLY_THE_CENTER_FILE = {
    ("config", "check"),
    ("flow", "check"),
    ("flow", "walk"),
    ("flow", "test"),
}
"""Commands that read the workspace's center.yaml and never open its store."""
"""Commands that create the workspace they are given (a missing one is no mistake)."""


def _argument_values(path: tuple[str, ...], param: Any) -> tuple[str, ...]:
    """Values of a required text argument (the import format: every format)."""
    if path == ("import",) and param.name == "fmt":
        return IMPORT_FORMATS
    return ("x",)


def corpus(tmp: Path, good_file: Path, workspace: Path) -> list[Run]:
    """The command lines: each command with each bad input it takes."""
    files = _corpus_files(tmp)
    runs: list[Run] = []
    for path in commands():
        if path in LONG_RUNNING:
            continue
        ps = params(path)
        for variant in _variants(path, ps):
            runs.extend(_file_runs(path, ps, variant, files, good_file, workspace))
            runs.extend(_value_runs(path, ps, variant, good_file, workspace))
            runs.extend(_workspace_runs(path, ps, variant, good_file, tmp, workspace))
    return runs + _users_runs(workspace) + _server_runs(workspace, files)


LONG_RUNNING = {("serve",), ("monitor",)}
"""Commands that serve until they are stopped: each of their runs has one bad input, and runs
in a child process with a time-out (:func:`test_servers_refuse_bad_input_in_one_line`), so a
run that started serving would fail instead of hanging."""


def _server_runs(workspace: Path, files: dict[str, Path]) -> list[Run]:
    ws = ("-w", str(workspace))
    log = ("--queue-log", str(files["empty"]))
    return [
        Run(("serve", *ws, "--host", "")),
        Run(("serve", *ws, "--host", "soon")),
        Run(("serve", *ws, "--port", "0")),
        Run(("serve", *ws, "--port", "x")),
        Run(("serve", *ws, "--queue-log", str(files["missing"]))),
        Run(("serve", *ws, "--queue-log", str(files["directory"]))),
        Run(("serve", "-w", str(workspace.parent / "absent"))),
        Run(("serve", *ws), {"CARECENTER_DATABASE_URL": UNREACHABLE}),
        Run(("monitor", *ws)),
        Run(("monitor", *ws, *log, "--queue-log-table", "mysql+pymysql://x@127.0.0.1:9/db")),
        Run(("monitor", *ws, *log, "--start", "soon")),
        Run(("monitor", *ws, *log, "--tz", "soon")),
        Run(("monitor", *ws, *log, "--host", "soon")),
        Run(("monitor", *ws, "--queue-log", str(files["binary"]), "--port", "-1")),
        Run(("monitor", *ws, "--queue-log", str(files["missing"]))),
        Run(("monitor", *ws, "--queue-log-table", "not a url")),
        Run(("monitor", *ws, "--queue-log-table", "mysql+pymysql://x:secret@127.0.0.1:9/db")),
        Run(("monitor", *ws, "--queue-log-table", "nosuchdriver://h/db")),
        Run(("monitor", "-w", str(workspace.parent / "absent"), *log)),
    ]


PASSWORD = b"secret-password\n"
"""A good password: no output may show it (``check`` looks for "secret")."""


def _users_runs(workspace: Path) -> list[Run]:
    """``users`` commands on bad input the generic corpus cannot give: passwords on standard
    input (empty, binary, not UTF-8, short, huge), agents and teams center.yaml lacks, bad
    names and labels, a name that exists. One good user is added first and removed last."""
    ws = ("-w", str(workspace))
    add = ("users", "add", "corpus-user", "--password-stdin", *ws)
    bad_stdin = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "not-utf8": b"secret-caf\xe9\n",
        "short": b"secret\n",
        "huge": b"s" * 2_000_000 + b"\n",
    }
    runs = [Run((*add, "--role", "admin"), stdin=data) for data in bad_stdin.values()]
    runs += [
        Run((*add, *options), stdin=PASSWORD)
        for options in (
            ("--role", "agent"),
            ("--role", "agent", "--agent", "nobody"),
            ("--role", "agent", "--agent", "a001", "--team", "blue"),
            ("--role", "supervisor", "--team", "nowhere"),
            ("--role", "supervisor", "--agent", ""),
            ("--role", "owner"),
        )
    ]
    runs += [
        Run(("users", "add", name, "--role", "admin", "--password-stdin", *ws), stdin=PASSWORD)
        for name in ("x y", "x" * 65, "", "../x", "secret\n")
    ]
    runs.append(Run(("users", "add", "corpus-user", "--role", "admin", *ws), stdin=PASSWORD))
    runs.append(Run((*add, "--role", "admin"), stdin=PASSWORD, bad=False))
    runs.append(Run((*add, "--role", "admin"), stdin=PASSWORD))  # exists: needs --replace
    runs += [
        Run(("users", "token", "corpus-user", "--label", label, *ws))
        for label in ("", " ", "x" * 500, "a\tb")
    ]
    runs.append(Run(("users", "remove", "corpus-user", *ws), bad=False))
    return runs


def _variants(path: tuple[str, ...], ps: list[Any]) -> list[dict[str, str]]:
    """Values of the required text arguments, one dict per combination (few: one argument)."""
    variants: list[dict[str, str]] = [{}]
    for p in ps:
        if p.required and p.param_type_name == "argument" and kind(p) == "text":
            values = _argument_values(path, p)
            variants = [{**v, p.name: value} for v in variants for value in values]
    return variants


def _base(
    ps: list[Any], variant: dict[str, str], good_file: Path, workspace: Path, skip: str = ""
) -> tuple[list[str], list[str]]:
    """(options, arguments) giving every required parameter but ``skip`` a good value, and
    ``--workspace`` the good workspace."""
    options: list[str] = []
    arguments: list[str] = []
    for p in ps:
        if p.name == skip:
            continue
        k = kind(p)
        if k == "workspace":
            options += [p.opts[0], str(workspace)]
        elif p.required:
            value = variant.get(p.name) or {"path": str(good_file)}.get(k, "10")
            if p.name == "targets":  # export facts --to: a directory, kept out of the cwd
                value = str(workspace.parent / "export")
            if p.param_type_name == "argument":
                arguments.append(value)
            else:
                options += [p.opts[0], value]
    return options, arguments


def _with(p: Any, value: str, options: list[str], arguments: list[str]) -> tuple[str, ...]:
    if p.param_type_name == "argument":
        return (*options, *arguments, value) if not arguments else (*options, value, *arguments)
    return (*options, p.opts[0], value, *arguments)


def _file_runs(
    path: tuple[str, ...],
    ps: list[Any],
    variant: dict[str, str],
    files: dict[str, Path],
    good_file: Path,
    workspace: Path,
) -> Iterator[Run]:
    for p in ps:
        if kind(p) != "path":
            continue
        options, arguments = _base(ps, variant, good_file, workspace, skip=p.name)
        options += COMPANIONS.get((*path, p.name), ())
        for case, bad in files.items():
            args = _with(p, str(bad), options, arguments)
            yield Run((*path, *args), bad=not _may_succeed(path, case))


def _may_succeed(path: tuple[str, ...], case: str) -> bool:
    """Files a command may take without complaint: a long field is no mistake (the csv
    module's limit is raised); an empty file has no records to import."""
    return case == "huge-field" or (path == ("import",) and case == "empty")


def _value_runs(
    path: tuple[str, ...],
    ps: list[Any],
    variant: dict[str, str],
    good_file: Path,
    workspace: Path,
) -> Iterator[Run]:
    for p in ps:
        k = kind(p)
        values = TEXT_VALUES if k == "text" and p.param_type_name == "option" else ()
        values = NUMBER_VALUES.get(k, values)
        if not values or (path in CREATES_WORKSPACE and k != "text"):
            continue
        options, arguments = _base(ps, variant, good_file, workspace, skip=p.name)
        for value in values:
            if (path, p.name) in FREE_TEXT and value not in MAY_BE_FINE:
                continue
            yield Run((*path, *_with(p, value, options, arguments)), bad=_is_bad(p, value))


def _is_bad(param: Any, value: str) -> bool:
    """Whether ``value`` is surely bad for ``param`` (-1 is a fine seed)."""
    return value not in MAY_BE_FINE and param.name != "seed"


def _workspace_runs(
    path: tuple[str, ...],
    ps: list[Any],
    variant: dict[str, str],
    good_file: Path,
    tmp: Path,
    workspace: Path,
) -> Iterator[Run]:
    ws = next((p for p in ps if kind(p) == "workspace"), None)
    if ws is None:
        return
    options, arguments = _base(ps, variant, good_file, workspace, skip=ws.name)
    options += WORKSPACE_COMPANIONS.get(path, ())
    a_file = tmp / "not-a-directory"
    a_file.write_text("x")
    places = {"missing": tmp / "absent" / "ws", "a-file": a_file}
    for case, place in places.items():
        if case == "missing" and path in CREATES_WORKSPACE:
            continue
        yield Run((*path, *options, ws.opts[0], str(place), *arguments))
    opens_store = path not in READS_ONLY_THE_CENTER_FILE
    for env in (
        {"CARECENTER_DATABASE_URL": "not a url"},
        {"CARECENTER_DATABASE_URL": UNREACHABLE},
        {"CARECENTER_DATABASE_URL": "nosuchdriver://host/db"},
        {"CARECENTER_LOCK_TIMEOUT": "soon"},
        {"CARECENTER_IMPORT_MEMORY": "lots"},
    ):
        bad = opens_store or not any(k.endswith("_URL") for k in env)
        yield Run((*path, *options, ws.opts[0], str(workspace), *arguments), env, bad)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("good") / "ws"
    result = CliRunner().invoke(app, ["init", str(ws)])
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, workspace: Path) -> list[Run]:
    tmp = tmp_path_factory.mktemp("corpus")
    good = tmp / "good.csv"
    good.write_text("interval_start,queue,calls,aht_s\n2024-01-01T09:00:00,q,3,180\n")
    return corpus(tmp, good, workspace)


def check(run: Run, code: int, output: str) -> list[str]:
    """What is wrong with the outcome of ``run`` (nothing: an empty list)."""
    problems = []
    if "Traceback" in output:
        problems.append("a traceback")
    if "internal error" in output:
        problems.append("an internal error, not one of carecenter's errors")
    if "secret" in output:
        problems.append("a password")
    if run.bad and code == 0:
        problems.append("exit code 0 on bad input")
    return problems


def test_the_corpus_covers_every_command(runs: list[Run]) -> None:
    covered = {r.args[: len(p)] for r in runs for p in commands() if r.args[: len(p)] == p}
    without_input = {p for p in commands() if not params(p)}  # e.g. `version`
    assert set(commands()) - without_input <= covered
    assert {f for r in runs if r.args[0] == "import" for f in IMPORT_FORMATS if f in r.args} == set(
        IMPORT_FORMATS
    )


def test_no_bad_input_shows_a_traceback(runs: list[Run]) -> None:
    runner = CliRunner()
    failures = []
    for run in runs:
        if run.args[:1] in LONG_RUNNING:
            continue
        env = {"CARECENTER_DEBUG": None, "CARECENTER_WORKSPACE": None, **run.env}
        result = runner.invoke(app, list(run.args), env=env, input=run.stdin)
        output = result.output + (result.stderr or "")
        problems = check(run, result.exit_code, output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"escaped: {type(result.exception).__name__}: {result.exception}")
        if problems:
            last = output.strip().splitlines()[-1:] or [""]
            failures.append(f"{run}: {', '.join(problems)} [{result.exit_code}] {last[0][:300]}")
    assert not failures, "\n".join(failures)


def test_servers_refuse_bad_input_in_one_line(runs: list[Run]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARECENTER_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    failures = []
    for run in (r for r in runs if r.args[:1] in LONG_RUNNING):
        try:
            done = subprocess.run(
                [sys.executable, "-m", "carecenter", *run.args],
                capture_output=True,
                text=True,
                env={**env, **run.env},
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{run}: still serving after 60 s")
            continue
        problems = check(run, done.returncode, done.stdout + done.stderr)
        errors = [line for line in done.stderr.splitlines() if line.startswith(("error:", "Error"))]
        if done.returncode != 2 and len(errors) != 1:
            problems.append(f"{len(errors)} error lines")
        if problems:
            failures.append(
                f"{run}: {', '.join(problems)} [{done.returncode}] {done.stderr[-300:]}"
            )
    assert not failures, "\n".join(failures)


UNREACHABLE = "postgresql+psycopg://someone:secret@127.0.0.1:9/none"
SUBPROCESS_CASES = [
    ("forecast", "--history", "{not-utf8}"),
    ("staff", "--volumes", "{binary}"),
    ("import", "anonymous-bank", "{huge-field}", "-w", "{workspace}"),
    ("config", "check", "{a-directory}"),
    ("info", "-w", "{workspace}"),
    ("users", "add", "x", "--role", "admin", "-w", "{workspace}"),
]


@pytest.mark.parametrize("args", SUBPROCESS_CASES, ids=lambda a: " ".join(a[:2]))
def test_a_real_process_prints_one_line(
    args: tuple[str, ...], tmp_path: Path, workspace: Path
) -> None:
    files = {k: str(v) for k, v in _corpus_files(tmp_path).items()}
    files["a-directory"] = files.pop("directory")
    argv = [a.format(workspace=workspace, **files) for a in args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARECENTER_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    if argv[0] == "info":
        env["CARECENTER_DATABASE_URL"] = UNREACHABLE
    done = subprocess.run(
        [sys.executable, "-m", "carecenter", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode not in (0, 1, 70), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "secret" not in errors[0], done.stderr


def test_an_unexpected_exception_is_one_line_with_exit_70(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carecenter.services import staffing

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nwent wrong")

    monkeypatch.setattr(staffing, "queue_measures", broken)
    argv = ["erlang", "c", "--calls", "10", "--aht", "100", "--agents", "3"]
    result = CliRunner().invoke(app, argv, env={"CARECENTER_DEBUG": None})
    assert result.exit_code == 70
    assert result.stderr == (
        "error: internal error: RuntimeError: something went wrong "
        "(run with CARECENTER_DEBUG=1 for the traceback)\n"
    )
    result = CliRunner().invoke(app, argv, env={"CARECENTER_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)  # re-raised: the traceback is shown
