"""SQLite's write transactions taken in turn: a queue per process, then a lock file every process shares.

SQLite has one write lock per database. A writer that finds it taken retries in SQLite's busy handler, which
sleeps 1, 2, 5 … up to 100 ms between tries, while every other writer takes the lock the moment it comes free:
under 16 clients flat out a few notices waited over a second (p99 1.0–2.2 s, p50 about 30 ms). Here a writer
first queues behind its own process's writers (a lock with the store's timeout), then the first of them waits in
the kernel on a lock file beside the database, which the first writer of every other process (gateway workers,
relay, workers) waits on too: the kernel wakes the waiters the moment it is let go. Only then does the writer
`BEGIN IMMEDIATE`, which SQLite's own lock still guards, against writers that do not take part (`sqlite3` at a
shell, say).
"""

import fcntl
import os
import sqlite3
import threading
import weakref
from typing import Any

_QUEUES: "weakref.WeakSet[WriterQueue]" = weakref.WeakSet()
_BY_FILE: "dict[str, WriterQueue]" = {}
_REGISTRY = threading.Lock()


def writer_queue(database: str | None) -> "WriterQueue":
    """The queue of a database's writers in this process: one per file, whichever engines write to it, so a write
    through one engine while another engine's turn is held in the same thread times out (as SQLite's own lock
    did) instead of waiting on the lock file for ever. A database in memory or named by a URI has no lock file:
    its writers queue in this process only."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return WriterQueue(None)
    path = os.path.realpath(database)
    with _REGISTRY:
        queue = _BY_FILE.get(path)
        if queue is None:
            queue = _BY_FILE[path] = WriterQueue(f"{path}.writers")
        return queue


class WriterQueue:
    """The turn of one database's write transactions, in this process and across processes."""

    def __init__(self, lock_path: str | None) -> None:
        self._lock_path = lock_path
        self._local = threading.Lock()
        self._fd: int | None = None
        _QUEUES.add(self)

    def after_fork(self) -> None:
        """In a forked child (a gunicorn worker): a turn of its own, and a lock file opened anew, or it would share
        the parent's lock (a lock file's lock belongs to the open file, which a fork shares)."""
        self._local = threading.Lock()
        if self._fd is not None:
            os.close(self._fd)  # the parent's lock stays the parent's; were it to die holding it, not kept by this copy
        self._fd = None

    def enter(self, timeout: float) -> None:
        """Wait for this process's turn (`timeout` at most: the store's), then for the lock file."""
        if not self._local.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (the writers of this process waited too long)")
        try:
            if self._lock_path is not None:
                # Held only while another process's writer holds SQLite's write lock, so the wait is as long as
                # that transaction, as it was in SQLite's busy handler; this process's other writers time out above.
                fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._local.release()
            raise

    def leave(self) -> None:
        """The transaction ended: the next writer's turn."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._local.release()

    def _file(self) -> int:
        assert self._lock_path is not None
        if self._fd is None:
            self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd


def _after_fork_in_child() -> None:
    for queue in list(_QUEUES):
        queue.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection that gives up its writers' turn whenever its write transaction ends."""

    writers: WriterQueue | None = None  # set when the engine makes the connection
    _turn = False

    def take_turn(self, timeout: float) -> None:
        """Wait for the writers' turn; the transaction's end (commit, rollback, close) gives it up."""
        assert self.writers is not None
        self.writers.enter(timeout)
        self._turn = True

    def end_turn(self) -> None:
        """Give up the turn, if held (a `BEGIN IMMEDIATE` that failed)."""
        if self._turn and self.writers is not None:
            self._turn = False
            self.writers.leave()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()

    def __del__(self) -> None:  # a connection dropped without close must not keep the turn
        self.end_turn()


def connect_args(timeout: float) -> dict[str, Any]:
    """sqlite3.connect's arguments for the engine: the busy timeout and the connection class."""
    return {"timeout": timeout, "factory": QueuedConnection}
