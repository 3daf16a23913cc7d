"""SQLite's writers take turns: one per process at a time, then one across processes through a lock file, so none
waits out SQLite's growing busy sleeps while others take the lock as it comes free; every end of a write
transaction gives the turn up."""

import fcntl
import gc
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.store.engine import READ_ONLY, make_engine
from gateway.store.sqlite_writers import QueuedConnection, WriterQueue, writer_queue


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


@pytest.fixture
def engine(database: Path) -> Iterator[sa.Engine]:
    built = make_engine(f"sqlite:///{database}", timeout=0.5)
    with built.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    yield built
    built.dispose()


def _lock_file_free(database: Path) -> bool:
    """Whether another process could take the writers' lock file now (a new open file is another owner)."""
    fd = os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock it took
    return True


def test_a_write_transaction_holds_the_lock_file_until_it_commits(engine: sa.Engine, database: Path) -> None:
    with engine.connect() as conn:
        conn.begin()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert not _lock_file_free(database)  # another process's writer waits in the kernel, woken at the commit
        conn.commit()
        assert _lock_file_free(database)


def test_a_rollback_or_a_close_gives_the_turn_up(engine: sa.Engine, database: Path) -> None:
    with engine.connect() as conn:
        conn.begin()
        conn.rollback()
        assert _lock_file_free(database)
        conn.begin()
    assert _lock_file_free(database)  # closed inside its transaction: rolled back, the turn given up
    with engine.begin() as conn:  # and this process's next writer has it at once
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")


def test_reads_take_no_turn(engine: sa.Engine, database: Path) -> None:
    with engine.connect().execution_options(**READ_ONLY) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one()
        assert _lock_file_free(database)


def test_a_begin_that_fails_gives_the_turn_up(engine: sa.Engine, database: Path) -> None:
    outsider = sqlite3.connect(database, isolation_level=None)  # a writer that takes no part (a shell, say)
    outsider.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.OperationalError, match="locked"):
            conn.begin()  # SQLite's own lock, held by the outsider: the busy timeout runs out
        assert _lock_file_free(database)
    finally:
        outsider.rollback()
        outsider.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")


def test_this_processs_writers_queue_and_one_that_waits_too_long_is_told_the_store_is_busy(
    engine: sa.Engine,
) -> None:
    holding = engine.connect()
    holding.begin()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (4)")
        except sa.exc.OperationalError as exc:
            failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(5)
    holding.rollback()
    holding.close()
    assert not writer.is_alive()
    # it waited in this process's queue, never reaching SQLite's lock, and was told so at the store's timeout
    assert len(failed) == 1 and "writers of this process" in str(failed[0])


def test_a_connection_closed_or_dropped_in_its_turn_gives_it_up(engine: sa.Engine, database: Path) -> None:
    for end in ("close", "drop"):
        raw = sqlite3.connect(database, factory=QueuedConnection, isolation_level=None)
        raw.writers = writer_queue(str(database))
        raw.take_turn(1.0)
        raw.execute("BEGIN IMMEDIATE")
        assert not _lock_file_free(database)
        if end == "close":
            raw.close()
        else:
            del raw
            gc.collect()
        assert _lock_file_free(database), end


def _hold_a_turn(database: str, holding: "multiprocessing.synchronize.Event", seconds: float) -> None:
    from gateway.store.engine import make_engine as other_engine

    with other_engine(f"sqlite:///{database}").begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (7)")
        holding.set()
        time.sleep(seconds)


def test_a_writer_waits_on_another_processs_turn_no_longer_than_the_store_allows(
    engine: sa.Engine, database: Path
) -> None:
    context = multiprocessing.get_context("spawn")  # a process of its own, as the relay is
    holding = context.Event()
    other = context.Process(target=_hold_a_turn, args=(str(database), holding, 5.0))
    other.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="another process's writer"):
            with engine.begin() as conn:  # the store's timeout here is 0.5 s
                conn.exec_driver_sql("INSERT INTO t VALUES (8)")
        assert time.monotonic() - started < 4.0  # told at its own timeout, not when the other's turn ended
    finally:
        other.join(30)
    assert other.exitcode == 0
    with engine.begin() as conn:  # the waiter that gave up let the lock file go when it got it
        conn.exec_driver_sql("INSERT INTO t VALUES (9)")


def test_two_engines_on_one_file_share_the_turn_so_a_write_inside_another_times_out(
    engine: sa.Engine, database: Path
) -> None:
    other = make_engine(f"sqlite:///{database}", timeout=0.3)
    said: list[BaseException] = []

    def nested() -> None:  # one thread, a write transaction of each engine, the second inside the first
        with engine.connect() as conn:
            conn.begin()
            try:
                with other.begin() as inner:
                    inner.exec_driver_sql("INSERT INTO t VALUES (6)")
            except sa.exc.OperationalError as exc:
                said.append(exc)

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(10)
    other.dispose()
    assert not worker.is_alive()  # not waiting on the lock file its own thread holds
    assert len(said) == 1 and "locked" in str(said[0])


def _child_takes_a_turn(
    writers: WriterQueue, blocked: "multiprocessing.Queue[bool]", done: "multiprocessing.Queue[str]"
) -> None:
    entered = threading.Event()

    def enter() -> None:
        writers.enter(10)
        entered.set()

    threading.Thread(target=enter, daemon=True).start()
    blocked.put(not entered.wait(0.3))
    if entered.wait(10):
        writers.leave()
        done.put("had its turn")


def test_a_forked_child_takes_turns_with_its_parent_through_the_lock_file(database: Path) -> None:
    writers = writer_queue(str(database))
    writers.enter(10)  # the parent's turn at the fork: its own lock held, its lock file open and locked
    context = multiprocessing.get_context("fork")  # as gunicorn makes its workers
    blocked, done = context.Queue(), context.Queue()
    child = context.Process(target=_child_takes_a_turn, args=(writers, blocked, done))
    child.start()
    try:
        # The child's copy waits: not on the lock as the fork left it (held), nor through the parent's open lock
        # file (whose lock the fork shares), but on a lock file of its own, which the parent's turn keeps.
        assert blocked.get(timeout=10) is True
    finally:
        writers.leave()
    assert done.get(timeout=10) == "had its turn"
    child.join(10)
    assert child.exitcode == 0
