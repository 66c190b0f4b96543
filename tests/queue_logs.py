"""Asterisk queue_log lines for the live tests: calls answered, abandoned and timed out, and
agents logging in and pausing, in time order."""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

QUEUES = ("sales", "support")
AGENTS = ("Agent/1001", "Agent/1002", "Agent/2001")


def calls(t0: int, count: int, *, seed: int = 3, spacing: int = 20) -> list[str]:
    """``count`` calls from epoch second ``t0``, one every ``spacing`` seconds or so, with the
    agents' logins first; every line ends a call, a login or a pause within the log."""
    rng = random.Random(seed)
    pending: list[tuple[int, int, str]] = []
    out = [f"{t0}|NONE|NONE|{a}|ADDMEMBER|" for a in AGENTS]
    out += [f"{t0}|NONE|{q}|{a}|ADDMEMBER|" for q in QUEUES for a in AGENTS]
    order = 0

    def later(at: int, text: str) -> None:
        nonlocal order
        order += 1
        heapq.heappush(pending, (at, order, text))

    at = t0
    for n in range(count):
        at += rng.randint(1, spacing)
        while pending and pending[0][0] <= at:
            out.append(heapq.heappop(pending)[2])
        call, queue = f"{at}.{n}", QUEUES[n % len(QUEUES)]
        agent = AGENTS[n % len(AGENTS)]
        out.append(f"{at}|{call}|{queue}|NONE|ENTERQUEUE||0700{n:05d}|1")
        wait, roll = rng.randint(0, 40), rng.random()
        if roll < 0.75:
            talk = rng.randint(20, 200)
            later(at + wait, f"{at + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|u{n}|1")
            kind = "COMPLETECALLER" if n % 2 else "COMPLETEAGENT"
            end = at + wait + talk
            later(end, f"{end}|{call}|{queue}|{agent}|{kind}|{wait}|{talk}|1")
        elif roll < 0.95:
            later(at + wait, f"{at + wait}|{call}|{queue}|NONE|ABANDON|1|1|{wait}")
        else:
            later(at + 60, f"{at + 60}|{call}|{queue}|NONE|EXITWITHTIMEOUT|1|1|60")
        if n % 7 == 3:
            later(at, f"{at}|NONE|NONE|{agent}|PAUSE|lunch")
            later(at + 90, f"{at + 90}|NONE|NONE|{agent}|UNPAUSE|")
    while pending:
        out.append(heapq.heappop(pending)[2])
    return out


@contextmanager
def realtime_table(url: str) -> Iterator[str]:
    """A new Asterisk realtime ``queue_log`` table (``data1``..``data5``) in the database
    ``url``, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"queue_log_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {name} (id INT AUTO_INCREMENT PRIMARY KEY, time DATETIME(6), "
                "callid VARCHAR(80), queuename VARCHAR(80), agent VARCHAR(80), "
                "event VARCHAR(32), data1 VARCHAR(100), data2 VARCHAR(100), "
                "data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"
            )
        )
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        engine.dispose()


def insert(url: str, table: str, lines: list[str]) -> None:
    """The lines as Asterisk realtime writes them: a UTC time, then the fields."""
    from sqlalchemy import create_engine, text

    rows = []
    for line in lines:
        epoch, callid, queue, agent, event, *data = line.split("|")
        data = (data + [""] * 5)[:5]
        rows.append(
            {
                "t": int(epoch),
                "callid": callid,
                "queue": queue,
                "agent": agent,
                "event": event,
                **{f"d{i + 1}": d for i, d in enumerate(data)},
            }
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET time_zone = '+00:00'"))  # FROM_UNIXTIME writes UTC
        conn.execute(
            text(
                f"INSERT INTO {table} (time, callid, queuename, agent, event, data1, data2, "
                "data3, data4, data5) VALUES (FROM_UNIXTIME(:t), :callid, :queue, :agent, "
                ":event, :d1, :d2, :d3, :d4, :d5)"
            ),
            rows,
        )
    engine.dispose()
