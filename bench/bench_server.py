"""Benchmark: ``carecenter serve`` under a live center's load, and ``carecenter monitor``
following a fast queue_log.

Part 1, the server: ``carecenter serve`` runs in its own process on loopback. A driver plays
a center through the API — calls arrive, ring at one of 80 signed-in agents, are accepted and
ended a second later — at about ``--events-per-s`` (200) events a second for ``--seconds``
(300), with ``--wallboards`` (20) WebSocket wallboards connected. Once a second a probe call
arrives in a queue no agent serves; each wallboard notes when its first board showing the
probe arrives: the latency from the command's acknowledgement (the events are in the log) to
the wallboard's update, ``p50_ms``/``p99_ms`` over every probe and wallboard.
``peak_memory_mb`` and ``cpu_percent`` are the server's, its live loop's child process
included (the sum of their peak resident sets; CPU time over wall time, 100 = one core).

Part 2, the follower: ``carecenter monitor --queue-log`` follows a file a writer appends
``--lines-per-s`` (5,000) lines a second to for ``--follow-seconds`` (60).
``follower_lines_per_s`` is the lines it took (journaled) over the time from the first line
written to the last line taken; ``follower_lag_s`` how long after the writer stopped it had
them all, ``follower_import_lag_s`` how long until the facts had them all (the journal of the
day is imported again at each warehouse step, so this grows with the day's lines). The
peer, in the same run, is coreutils' ``tail -F`` relaying the same file (``tail_lines_per_s``):
a follower that only copies lines, as the floor of what following costs.

    python bench/bench_server.py [--seconds 300] [--wallboards 20] [--events-per-s 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

AGENTS = 80
EVENTS_PER_CALL = 7.0
"""Events a call of the driver makes: arrived, queued, offered, wait estimated, answered, busy,
ended, available... (measured: the figure printed is from the log's sequence numbers)."""
CENTER = """\
center: {name: Bench Center, timezone: UTC}
skills: {s: {name: Sales}, p: {name: Probe}}
queues:
  sales: {name: Sales, channel: voice, skills: {s: 1}, routing: {offer_timeout_s: 600}}
  probe: {name: Probe, channel: voice, skills: {p: 1}}
agents:
"""


def workspace(root: Path) -> Path:
    from carecenter.adapters.settings import Settings
    from carecenter.services.users import add_user, issue_token
    from carecenter.services.workspace import apply_config, init_workspace

    settings = Settings(workspace=root)
    init_workspace(settings)
    agents = "".join(f"  g{i:02d}: {{name: Agent {i}, skills: {{s: 3}}}}\n" for i in range(AGENTS))
    settings.config_path.write_text(CENTER + agents, encoding="utf-8")
    apply_config(settings)
    add_user(settings, "bench", "admin", "bench password")
    (root / "token").write_text(issue_token(settings, "bench"), encoding="utf-8")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "carecenter", *args], stdout=out, stderr=out)


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


class Usage:
    """CPU time and peak memory of a process and its children (the server's live loop runs
    in a child process), from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu0, self.t0 = self.cpu(), time.monotonic()

    def pids(self) -> list[int]:
        """The process and its descendants."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat[1])
        tree, grew = {self.pid}, True
        while grew:
            more = {p for p, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return sorted(tree)

    def cpu(self) -> float:
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def peak_mb(self) -> float:
        """The sum of the processes' peak resident sets."""
        total = 0.0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            for line in status:
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        return total

    def cpu_percent(self) -> float:
        return 100 * (self.cpu() - self.cpu0) / (time.monotonic() - self.t0)


async def drive(
    url: str, token: str, seconds: float, events_per_s: float, boards: int
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, list[float]] = {}
    acked: dict[str, float] = {}
    ws_url = url.replace("http", "ws") + "/ws/wallboard"
    stop = asyncio.Event()
    received = [0]
    codes: dict[int, int] = {}

    async def wallboard() -> None:
        async with websockets.connect(ws_url, additional_headers=headers, max_size=None) as ws:
            mine: set[str] = set()
            while not stop.is_set():
                try:
                    text = await asyncio.wait_for(ws.recv(), 1)
                except TimeoutError:
                    continue
                at = time.monotonic()
                received[0] += 1
                board = json.loads(text)["board"]
                for c in board["contacts"]:
                    cid = c["contact_id"]
                    if cid.startswith("probe") and cid not in mine:
                        mine.add(cid)
                        seen.setdefault(cid, []).append(at)

    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        for i in range(AGENTS):
            (await client.post(f"/api/agents/g{i:02d}/sign-in")).raise_for_status()
        first = (await client.get("/healthz")).json()
        tasks = [asyncio.create_task(wallboard()) for _ in range(boards)]
        await asyncio.sleep(2)
        calls_per_s = events_per_s / EVENTS_PER_CALL
        rng = random.Random(7)
        last_seq = [0]

        async def call(n: int) -> None:
            done = await client.post(
                "/api/contacts", json={"contact_id": f"c{n}", "queue_id": "sales"}
            )
            codes[done.status_code] = codes.get(done.status_code, 0) + 1
            events = done.json().get("events", [])
            offered = [e for e in events if e["name"] == "contact.offered"]
            last_seq[0] = max([last_seq[0], *(e["seq"] for e in events)])
            if not offered:  # no agent was free: the caller gives up a little later
                await asyncio.sleep(2)
                await client.post(f"/api/contacts/c{n}/abandon")
                return
            agent = offered[0]["agent_id"]
            await client.post(f"/api/agents/{agent}/offers/c{n}/accept")
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            ended = await client.post(f"/api/contacts/c{n}/end")
            last_seq[0] = max([last_seq[0], *(e["seq"] for e in ended.json().get("events", []))])

        async def probe(n: int) -> None:
            cid = f"probe{n}"
            await client.post("/api/contacts", json={"contact_id": cid, "queue_id": "probe"})
            acked[cid] = time.monotonic()
            await asyncio.sleep(5)
            await client.post(f"/api/contacts/{cid}/abandon")

        started = time.monotonic()
        seq0 = None
        pending: set[asyncio.Task[None]] = set()
        n = probes = 0
        while (elapsed := time.monotonic() - started) < seconds:
            while n < elapsed * calls_per_s:
                pending.add(asyncio.create_task(call(n)))
                n += 1
            if probes < elapsed:
                pending.add(asyncio.create_task(probe(probes)))
                probes += 1
            if seq0 is None and last_seq[0]:
                seq0 = (last_seq[0], time.monotonic())
            pending = {t for t in pending if not t.done()}
            await asyncio.sleep(0.01)
        seq1 = (last_seq[0], time.monotonic())
        await asyncio.gather(*pending, return_exceptions=True)
        await asyncio.sleep(2)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        health = (await client.get("/healthz")).json()
    latencies = [
        1000 * (at - acked[cid]) for cid, ats in seen.items() if cid in acked for at in ats
    ]
    expected = len(acked) * boards
    assert seq0 is not None
    return {
        "events_per_s": round((seq1[0] - seq0[0]) / (seq1[1] - seq0[1]), 1),
        "calls": n,
        "wallboards": boards,
        "boards_received": received[0],
        "probes_seen": f"{len(latencies)}/{expected}",
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98], 1)
        if len(latencies) > 1
        else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "steps": health["steps"] - first["steps"],
        "arrival_codes": codes,
        "last_step": health["phases"],
        "skipped": health["skipped"],
        "step_p50_s": health.get("step_p50_s"),
        "step_max_s": health.get("step_max_s"),
        "slowest_step": health.get("slowest_phases"),
        "boards_now": health.get("boards_now"),
        "now_p50_s": health.get("now_p50_s"),
        "now_max_s": health.get("now_max_s"),
        "last_error": health["last_error"],
    }


def follower(root: Path, lines_per_s: int, seconds: float) -> dict[str, Any]:
    log = root / "queue_log"
    log.touch()
    url = f"http://127.0.0.1:{free_port()}"
    port = url.rsplit(":", 1)[1]
    server = start(
        ["monitor", "-w", str(root), "--queue-log", str(log), "--port", port], root / "monitor.log"
    )
    tail = subprocess.Popen(["tail", "-F", "-n", "+1", str(log)], stdout=subprocess.PIPE)
    tail_count = [0, 0.0]

    def count_tail() -> None:
        assert tail.stdout is not None
        for _ in tail.stdout:
            tail_count[0] += 1
            tail_count[1] = time.monotonic()

    threading.Thread(target=count_tail, daemon=True).start()
    try:
        wait_healthy(url)
        usage = Usage(server.pid)
        headers = {"Authorization": f"Bearer {(root / 'token').read_text()}"}
        t0 = int(time.time())
        written, began = 0, time.monotonic()
        rng = random.Random(3)
        with log.open("a", encoding="utf-8") as out:
            while (elapsed := time.monotonic() - began) < seconds:
                due = int(elapsed * lines_per_s)
                chunk = []
                while written < due:
                    call = written // 4
                    at = t0 + int(elapsed)
                    kind = written % 4
                    q = "sales"
                    if kind == 0:
                        chunk.append(f"{at}|f{call}|{q}|NONE|ENTERQUEUE||0700{call}|1")
                    elif kind == 1:
                        chunk.append(
                            f"{at}|f{call}|{q}|Agent/{call % 40}|CONNECT|{rng.randint(0, 30)}|u|1"
                        )
                    elif kind == 2:
                        chunk.append(f"{at}|NONE|NONE|Agent/{call % 40}|PAUSE|break")
                    else:
                        talk = rng.randint(10, 99)
                        chunk.append(
                            f"{at}|f{call}|{q}|Agent/{call % 40}|COMPLETECALLER|5|{talk}|1"
                        )
                    written += 1
                out.write("".join(f"{line}\n" for line in chunk))
                out.flush()
                time.sleep(0.01)
        stopped = time.monotonic()
        taken = imported = 0
        caught_up = facts_at = None
        deadline = stopped + 600
        with httpx.Client(base_url=url, headers=headers) as client:
            while time.monotonic() < deadline and facts_at is None:
                feeds = client.get("/healthz").json()["feeds"]
                taken = feeds[0]["lines"] if feeds else 0
                imported = feeds[0]["imported_lines"] if feeds else 0
                if caught_up is None and taken >= written:
                    caught_up = time.monotonic()
                if imported >= written:
                    facts_at = time.monotonic()
                time.sleep(0.05)
        if caught_up is None or facts_at is None:
            raise SystemExit(f"the follower did not catch up: {taken}, {imported} of {written}")
        return {
            "follower_lines": written,
            "follower_lines_per_s": round(taken / (caught_up - began), 1),
            "follower_lag_s": round(caught_up - stopped, 2),
            "follower_import_lag_s": round(facts_at - stopped, 2),
            "follower_cpu_percent": round(usage.cpu_percent(), 1),
            "follower_peak_memory_mb": round(usage.peak_mb(), 1),
            "tail_lines_per_s": round(tail_count[0] / max(tail_count[1] - began, 1e-9), 1),
        }
    finally:
        server.terminate()
        tail.terminate()
        server.wait(30)
        tail.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--wallboards", type=int, default=20)
    parser.add_argument("--events-per-s", type=float, default=200)
    parser.add_argument("--lines-per-s", type=int, default=5000)
    parser.add_argument("--follow-seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = workspace(Path(tmp) / "serve")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start(["serve", "-w", str(root), "--port", str(port)], root / "serve.log")
        try:
            wait_healthy(url)
            usage = Usage(server.pid)
            token = (root / "token").read_text()
            result = asyncio.run(
                drive(url, token, args.seconds, args.events_per_s, args.wallboards)
            )
            result["cpu_percent"] = round(usage.cpu_percent(), 1)
            result["peak_memory_mb"] = round(usage.peak_mb(), 1)
        finally:
            server.terminate()
            server.wait(30)
        result.update(
            follower(workspace(Path(tmp) / "monitor"), args.lines_per_s, args.follow_seconds)
        )
    result["seconds"] = args.seconds
    result["goal_p99_ms"] = 1000
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
