"""SQLite's writers take turns: one per process at a time, then one across processes through a lock file, so none
waits out SQLite's growing busy sleeps while others take the lock as it comes free; every end of a write
transaction gives the turn up."""

import fcntl
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.store.engine import READ_ONLY, make_engine
from gateway.store.sqlite_writers import WriterQueue, writer_queue


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
    assert len(failed) == 1 and "locked" in str(failed[0])  # the store's timeout (0.5 s), as SQLite's own said


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
