"""Following a file as it is written: partial lines, rotation, truncation, restarts."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecenter.adapters.follow import FileFollower
from carecenter.adapters.follow_state import FollowPosition, fingerprint
from carecenter.errors import InputError


class Writer:
    """A program appending to ``path`` the way Asterisk does (``fopen(path, "a")``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, data: str | bytes) -> None:
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def reopen(self) -> None:
        os.close(self.fd)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        os.close(self.fd)


def line(n: int) -> str:
    return f"{1_700_000_000 + n}|{1_700_000_000 + n}.{n}|support|SIP/{n % 7}|CONNECT|{n}|x|3"


def lines(start: int, stop: int) -> str:
    return "".join(line(n) + "\n" for n in range(start, stop))


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "queue_log"


@pytest.fixture(autouse=True)
def _close_followers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every follower a test opened (their files), even when it fails."""
    opened: list[FileFollower] = []
    init = FileFollower.__init__

    def tracked(self: FileFollower, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(FileFollower, "__init__", tracked)
    yield
    for follower in opened:
        follower.close()


def test_lines_written_in_pieces_are_handed_out_once_complete(log: Path) -> None:
    writer = Writer(log)
    follower = FileFollower(log)
    writer.write("1|a|q|NONE|QUEUESTART|\n2|b|q|SIP/1|ADDMEM")
    assert follower.poll() == ["1|a|q|NONE|QUEUESTART|"]
    assert follower.poll() == []  # the partial line waits for its newline
    writer.write("BER|\n3|c|q|SIP/1|PAUSE|Lunch\r\n4|d")
    assert follower.poll() == ["2|b|q|SIP/1|ADDMEMBER|", "3|c|q|SIP/1|PAUSE|Lunch"]
    assert follower.poll() == []
    writer.write("|q|SIP/1|UNPAUSE|\n")
    assert follower.poll() == ["4|d|q|SIP/1|UNPAUSE|"]
    assert (follower.lines, follower.rotations, follower.truncations) == (4, 0, 0)
    assert follower.bytes == log.stat().st_size
    position = follower.position
    assert position is not None and position.offset == log.stat().st_size
    assert position.inode == log.stat().st_ino


def test_a_partial_last_line_is_never_handed_out(log: Path) -> None:
    log.write_text("1|a|q|NONE|QUEUESTART|\n2|b|q|NONE|CONNE")
    follower = FileFollower(log)
    for _ in range(3):
        assert follower.poll() == [] or follower.lines == 1
    assert follower.lines == 1


def test_bytes_that_are_not_utf8_are_replaced_and_counted(log: Path) -> None:
    log.write_bytes(b"1|a|q|SIP/1|PAUSE|caf\xe9\n2|b|q|SIP/2|PAUSE|th\xc3\xa9\n")
    follower = FileFollower(log)
    assert follower.poll() == ["1|a|q|SIP/1|PAUSE|caf\ufffd", "2|b|q|SIP/2|PAUSE|thé"]
    assert follower.undecoded == 1


def test_max_bytes_bounds_a_poll_but_a_long_line_still_comes_out(log: Path) -> None:
    log.write_text(lines(0, 100))
    follower = FileFollower(log)
    first = follower.poll(max_bytes=500)
    assert 0 < len(first) <= 500 // 40
    rest: list[str] = []
    while got := follower.poll(max_bytes=500):
        rest.extend(got)
    assert first + rest == [line(n) for n in range(100)]
    long = "9|z|q|SIP/1|PAUSE|" + "x" * 5000
    Writer(log).write(long + "\n" + line(100) + "\n")
    assert follower.poll(max_bytes=100) == [long]
    assert follower.poll(max_bytes=100) == [line(100)]


def test_logrotate_rename_while_lines_still_arrive_in_the_old_file(log: Path) -> None:
    writer = Writer(log)
    follower = FileFollower(log)
    writer.write(lines(0, 3))
    assert follower.poll() == [line(n) for n in range(3)]
    writer.write(lines(3, 5))
    log.rename(log.with_name("queue_log.1"))  # logrotate: rename, then create
    log.touch()
    writer.write(lines(5, 6))  # Asterisk has not reopened yet
    assert follower.poll() == [line(n) for n in range(3, 6)]
    writer.write(lines(6, 7) + "10|partial")
    assert follower.poll() == [line(6)]
    writer.write("|q|SIP/1|PAUSE|\n")
    writer.reopen()  # logger reload: Asterisk writes to the new file now
    writer.write(lines(7, 9))
    assert follower.poll() == ["10|partial|q|SIP/1|PAUSE|", line(7), line(8)]
    assert follower.rotations == 1
    assert len(follower.positions) == 1  # the old file is closed
    writer.write(lines(9, 10))
    assert follower.poll() == [line(9)]


def test_an_unfinished_last_line_of_a_rotated_file_is_dropped(log: Path) -> None:
    writer = Writer(log)
    follower = FileFollower(log)
    writer.write(lines(0, 2) + "99|cut")
    assert follower.poll() == [line(0), line(1)]
    log.rename(log.with_name("queue_log.1"))
    writer.reopen()
    writer.write(lines(2, 3))
    assert follower.poll() == [line(2)]
    assert (follower.rotations, follower.dropped) == (1, len("99|cut"))


def test_copytruncate_reads_the_copy_then_the_file_again(log: Path) -> None:
    writer = Writer(log)
    follower = FileFollower(log)
    writer.write(lines(0, 3))
    assert follower.poll() == [line(n) for n in range(3)]
    writer.write(lines(3, 5))  # not polled before the copy
    shutil.copyfile(log, log.with_name("queue_log.1"))
    os.truncate(log, 0)
    writer.write(lines(5, 7))
    assert follower.poll() == [line(n) for n in range(3, 7)]
    assert (follower.truncations, follower.rotations) == (1, 0)
    writer.write(lines(7, 8))
    assert follower.poll() == [line(7)]


def test_copytruncate_of_a_file_not_consumed_yet(log: Path) -> None:
    writer = Writer(log)
    writer.write("1|a|q|NONE|QUEUE")
    follower = FileFollower(log)
    assert follower.poll() == []
    writer.write("START|\n" + lines(0, 2))
    shutil.copyfile(log, log.with_name("queue_log-20240301"))
    os.truncate(log, 0)
    writer.write(lines(2, 3))
    assert follower.poll() == ["1|a|q|NONE|QUEUESTART|", line(0), line(1), line(2)]


def test_truncation_to_empty_then_new_lines(log: Path) -> None:
    writer = Writer(log)
    writer.write(lines(0, 3))
    follower = FileFollower(log)
    assert len(follower.poll()) == 3
    log.write_bytes(b"")  # > queue_log
    assert follower.poll() == []
    writer.write(lines(3, 4))
    assert follower.poll() == [line(3)]
    assert follower.truncations == 1


def test_truncated_and_regrown_past_the_offset_is_noticed(log: Path) -> None:
    writer = Writer(log)
    writer.write(lines(0, 2))
    follower = FileFollower(log)
    assert len(follower.poll()) == 2
    os.truncate(log, 0)
    writer.write(lines(10, 15))  # longer than what was read: only the first bytes tell
    assert follower.poll() == [line(n) for n in range(10, 15)]
    assert follower.truncations == 1


def test_restart_from_the_state_file(log: Path, tmp_path: Path) -> None:
    state = tmp_path / "state" / "follow.json"
    writer = Writer(log)
    writer.write(lines(0, 3))
    first = FileFollower(log, state)
    assert first.state() is None  # a first run, nothing opened yet
    assert first.poll() == [line(n) for n in range(3)]
    first.commit()
    assert first.state() == json.loads(state.read_text())
    writer.write(lines(3, 5))
    assert first.poll() == [line(3), line(4)]  # handed out, never committed: a crash
    assert first.state() != json.loads(state.read_text())  # polled further than committed
    first.close()
    saved = json.loads(state.read_text())
    assert [FollowPosition.from_json(f).offset for f in saved["files"]] == [
        len(lines(0, 3).encode())
    ]

    second = FileFollower(log, state)
    assert second.state() == saved  # before its first poll: where it starts from
    assert second.poll() == [line(3), line(4)]
    second.commit()
    second.close()
    writer.write(lines(5, 6))
    with FileFollower(log, state) as third:
        assert third.poll() == [line(5)]
        assert third.poll() == []


def test_restart_after_a_rotation_reads_the_rest_of_the_rotated_file(
    log: Path, tmp_path: Path
) -> None:
    state = tmp_path / "follow.json"
    writer = Writer(log)
    writer.write(lines(0, 2))
    follower = FileFollower(log, state)
    assert len(follower.poll()) == 2
    follower.commit()
    follower.close()
    writer.write(lines(2, 4))  # written while the follower is stopped
    log.rename(log.with_name("queue_log.1"))
    writer.reopen()
    writer.write(lines(4, 5))
    with FileFollower(log, state) as again:
        assert again.poll() == [line(2), line(3), line(4)]
        assert again.lost == 0


def test_restart_after_a_copytruncate_reads_the_rest_of_the_copy(log: Path, tmp_path: Path) -> None:
    state = tmp_path / "follow.json"
    writer = Writer(log)
    writer.write(lines(0, 2))
    follower = FileFollower(log, state)
    assert len(follower.poll()) == 2
    follower.commit()
    follower.close()
    writer.write(lines(2, 3))
    shutil.copyfile(log, log.with_name("queue_log.1"))
    os.truncate(log, 0)
    writer.write(lines(3, 4))
    with FileFollower(log, state) as again:
        assert again.poll() == [line(2), line(3)]


@pytest.mark.parametrize("same_inode", [True, False])
def test_a_replaced_file_of_the_same_size_is_read_from_its_start(
    log: Path, tmp_path: Path, same_inode: bool
) -> None:
    state = tmp_path / "follow.json"
    log.write_text(lines(0, 3))
    follower = FileFollower(log, state)
    assert len(follower.poll()) == 3
    follower.commit()
    follower.close()
    other = lines(4, 7)
    assert len(other) == len(lines(0, 3))
    if same_inode:
        with log.open("r+") as out:
            out.write(other)
    else:
        (tmp_path / "new").write_text(other)
        os.replace(tmp_path / "new", log)
    with FileFollower(log, state) as again:
        assert again.poll() == [line(n) for n in range(4, 7)]
        assert again.lost == 1


def test_a_missing_file_is_waited_for(log: Path) -> None:
    follower = FileFollower(log)
    assert follower.poll() == []
    assert follower.position is None
    Writer(log).write(lines(0, 2))
    assert follower.poll() == [line(0), line(1)]
    log.rename(log.with_name("queue_log.1"))
    assert follower.poll() == []  # renamed away, no successor yet
    Writer(log).write(lines(2, 3))
    assert follower.poll() == [line(2)]


def test_start_at_the_end_skips_what_is_there(log: Path) -> None:
    writer = Writer(log)
    writer.write(lines(0, 3) + "7|half")
    follower = FileFollower(log, start="end")
    assert follower.poll() == []
    writer.write("|q|SIP/1|PAUSE|\n" + lines(3, 4))
    assert follower.poll() == ["7|half|q|SIP/1|PAUSE|", line(3)]


def test_a_broken_state_file_is_an_input_error(log: Path, tmp_path: Path) -> None:
    state = tmp_path / "follow.json"
    state.write_text('{"files": [{"device": 1}]}')
    with pytest.raises(InputError, match=r"follow\.json"):
        FileFollower(log, state)
    state.write_text("not json")
    with pytest.raises(InputError, match="delete it"):
        FileFollower(log, state)


def test_positions_round_trip_through_json() -> None:
    position = FollowPosition(2049, 131, 4096, fingerprint(b"1|a|q|NONE|QUEUESTART|\n"), 5000)
    assert FollowPosition.from_json(json.loads(json.dumps(position.to_json()))) == position
    with pytest.raises(ValueError, match="not a file position"):
        FollowPosition.from_json({**position.to_json(), "offset": -1})


def test_a_fast_writer_with_a_rotation(log: Path) -> None:
    total = 200_000
    payload = lines(0, total).encode()
    half = payload.index(b"\n", len(payload) // 2) + 1
    done = threading.Event()

    # the log exists and the follower holds it open before the writer starts (as when the
    # monitor follows a running Asterisk); a file made, filled and rotated before the
    # follower's first look would never be seen by it
    writer = Writer(log)
    follower = FileFollower(log)
    assert follower.poll() == []

    def write() -> None:
        cuts = [*range(0, half, 7_919), half, *range(half + 5_003, len(payload), 5_003)]
        for start, stop in zip(cuts, [*cuts[1:], len(payload)], strict=True):
            writer.write(payload[start:stop])  # the cuts fall anywhere in a line
            if stop == half:  # logrotate, then Asterisk reopens
                log.rename(log.with_name("queue_log.1"))
                writer.reopen()
        writer.close()
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    got: list[str] = []
    while True:
        finished = done.is_set()
        batch = follower.poll(max_bytes=256 << 10)
        got.extend(batch)
        if finished and not batch:
            break
    thread.join()
    assert len(got) == total
    assert got == [line(n) for n in range(total)]
    assert follower.rotations == 1


# -- the property: whatever happens, the committed lines are the written ones, in order ----------

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(1, 200)),
        st.tuples(st.just("poll"), st.integers(1, 300)),
        st.tuples(st.just("commit"), st.just(0)),
        st.tuples(st.just("restart"), st.just(0)),
        st.tuples(st.just("rotate"), st.just(0)),
        st.tuples(st.just("reopen"), st.just(0)),
    ),
    max_size=60,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS, sizes=st.lists(st.integers(0, 60), min_size=1, max_size=80))
def test_committed_lines_are_the_written_lines(
    tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[str, int]], sizes: list[int]
) -> None:
    root = tmp_path_factory.mktemp("prop")
    log, state = root / "queue_log", root / "state.json"
    written = [f"{i}|c{i}|q|SIP/1|EVENT|" + "é" * size for i, size in enumerate(sizes)]
    stream = "".join(w + "\n" for w in written).encode()
    writer = Writer(log)
    follower = FileFollower(log, state)
    assert follower.poll() == []
    follower.commit()  # the state file exists from the start: restarts know the first file
    stored: list[str] = []
    pending: list[str] = []
    at, rotations = 0, 0
    rotated = False  # renamed; the writer still writes to the old file
    # A rotation drops a file no follower has seen: only rotate the file the writer writes
    # to once a poll of this follower has seen it and a commit has saved that (see the limits).
    seen = settled = True

    for action, value in actions:
        if action == "write":
            writer.write(stream[at : at + value])
            at = min(len(stream), at + value)
        elif action == "poll":
            pending.extend(follower.poll(max_bytes=value))
            seen = seen or not rotated
        elif action == "commit":
            follower.commit()
            settled = settled or seen
            stored.extend(pending)
            pending = []
        elif action == "restart":
            follower.close()
            follower = FileFollower(log, state)
            pending, seen = [], False
        elif action == "rotate" and not rotated and settled:
            rotations += 1
            log.rename(root / f"queue_log.{rotations}")
            rotated, seen, settled = True, False, False
        elif action == "reopen" and rotated:
            rest = stream.find(b"\n", at) + 1 if at and stream[at - 1 : at] != b"\n" else at
            writer.write(stream[at:rest])  # Asterisk writes whole lines
            at = rest
            writer.reopen()
            rotated = False
    for _ in range(3):
        while got := follower.poll():
            pending.extend(got)
    follower.commit()
    stored.extend(pending)
    follower.close()
    writer.close()
    complete = stream[: stream.rfind(b"\n", 0, at) + 1].decode().split("\n")[:-1]
    assert stored == complete
