"""SQLite's write transactions taken in turn: a queue per process, then a lock file every process shares.

SQLite has one write lock per database. A writer that finds it taken retries in SQLite's busy handler, which
sleeps 1, 2, 5 … up to 100 ms between tries, while every other writer takes the lock the moment it comes free:
under 16 clients flat out a few notices waited over a second (p99 1.0–2.2 s, p50 about 30 ms). Here a writer
first queues behind its own process's writers, then the first of them takes a lock file beside the database,
which the first writer of every other process (gateway workers, relay, workers) takes too, waiting in the kernel,
which wakes the waiters the moment it is let go. The whole wait is bounded by the store's timeout, after which the
writer is told the store is busy, as SQLite's busy timeout told it before. Only then does the writer `BEGIN
IMMEDIATE`, which SQLite's own lock still guards, against writers that take no part (`sqlite3` at a shell, say)."""

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from typing import Any

log = logging.getLogger(__name__)

_QUEUES: "weakref.WeakSet[WriterQueue]" = weakref.WeakSet()
_BY_FILE: "dict[str, WriterQueue]" = {}
_REGISTRY = threading.Lock()


def writer_queue(database: str | None) -> "WriterQueue":
    """The queue of a database's writers in this process: one per file, whichever engines write to it, so a write
    through one engine while another engine's turn is held in the same thread times out (as SQLite's own lock
    did) instead of waiting on the lock file. A database in memory or named by a URI has no lock file: its
    writers queue in this process only."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return WriterQueue(None)
    path = os.path.realpath(database)
    with _REGISTRY:
        queue = _BY_FILE.get(path)
        if queue is None:
            queue = _BY_FILE[path] = WriterQueue(path)
        return queue


class WriterQueue:
    """The turn of one database's write transactions, in this process and across processes."""

    def __init__(self, database: str | None) -> None:
        self._local = threading.Lock()
        self._file = _LockFile(database) if database else None
        _QUEUES.add(self)

    def enter(self, timeout: float) -> None:
        """Wait for this process's turn, then for the lock file; sqlite3.OperationalError after `timeout` seconds
        in all (the store's timeout)."""
        deadline = time.monotonic() + timeout
        if not self._local.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (the writers of this process waited too long)")
        try:
            if self._file is not None:
                self._file.acquire(deadline - time.monotonic())
        except BaseException:
            self._local.release()
            raise

    def leave(self) -> None:
        """The transaction ended: the next writer's turn."""
        try:
            if self._file is not None:
                self._file.release()
        finally:
            self._local.release()

    def after_fork(self) -> None:
        """In a forked child (a gunicorn worker): a turn of its own and the lock file opened anew, or it would share
        the parent's lock (a lock file's lock belongs to the open file, which a fork shares)."""
        self._local = threading.Lock()
        if self._file is not None:
            self._file.after_fork()


class _LockFile:
    """The lock file beside a database that the first writer of every process waits on, in the kernel, which
    wakes the waiters the moment it is let go."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._path = f"{database}.writers"
        self._fd: int | None = None  # this process's open file of it, tried without waiting
        self._held: int | None = None  # the open file whose lock this process holds
        self._unusable = False  # it could not be opened: this process's queue alone (SQLite's lock still guards)

    def acquire(self, timeout: float) -> None:
        """Take the lock, waiting `timeout` seconds at most; sqlite3.OperationalError past it."""
        fd = self._own()
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._held = fd
            return
        except BlockingIOError:
            pass  # another process's writer has it
        except OSError as exc:  # the lock file failed us: SQLite's own lock still guards the transaction
            self._failed(exc)
            return
        try:
            waiter = _Waiter(self._path)
        except OSError as exc:
            self._failed(exc)
            return
        if not waiter.taken(timeout):
            raise sqlite3.OperationalError("database is locked (another process's writer held it too long)")
        self._held = waiter.fd

    def release(self) -> None:
        """Let the lock go (the waiter's open file closed with it)."""
        fd, self._held = self._held, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:  # never fails a commit that is done: closing the file lets the lock go as well
            self._failed(exc)
            if fd == self._fd:
                self._fd = None  # opened anew next time
            os.close(fd)
            return
        if fd != self._fd:
            os.close(fd)

    def _failed(self, exc: OSError) -> None:
        log.warning("SQLite's writers' lock file %s failed (%s): SQLite's own lock guards this writer", self._path, exc)

    def after_fork(self) -> None:
        """Forget the parent's open files without unlocking them (closing a copy leaves the parent's lock)."""
        for fd in {self._fd, self._held} - {None}:
            os.close(fd)  # type: ignore[arg-type]
        self._fd = self._held = None

    def _own(self) -> int | None:
        if self._fd is None and not self._unusable:
            try:
                self._fd = _open(self._path, self._database)
            except OSError as exc:
                self._unusable = True
                log.warning("SQLite's writers queue in each process only: %s cannot be opened (%s)", self._path, exc)
        return self._fd


class _Waiter:
    """Waits for the lock file on a thread of its own through a new open file, so the writer can give up at its
    deadline; a lock taken after that is let go at once."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        self._decided = threading.Lock()
        self._done = threading.Event()
        self._wanted, self._got = True, False
        threading.Thread(target=self._wait, name="sqlite-writers-wait", daemon=True).start()

    def taken(self, timeout: float) -> bool:
        """Whether the lock was taken within `timeout` seconds (then the caller holds it through `fd`)."""
        self._done.wait(max(0.0, timeout))
        with self._decided:
            self._wanted = self._got
            return self._got

    def _wait(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:
            os.close(self.fd)
            self._done.set()
            return
        with self._decided:
            if self._wanted:
                self._got = True
                self._done.set()
                return
        os.close(self.fd)  # the writer gave up meanwhile: closing the file lets the lock go


def _open(path: str, database: str) -> int:
    """The lock file, made with the database's owner and mode if it is new (a command run as root must not leave
    one the service cannot open)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        if os.geteuid() == 0 and os.path.exists(database):
            owner = os.stat(database)
            os.fchown(fd, owner.st_uid, owner.st_gid)
    except OSError:
        os.close(fd)
        raise
    return fd


def _after_fork_in_child() -> None:
    global _REGISTRY
    _REGISTRY = threading.Lock()
    for queue in list(_QUEUES):
        queue.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection that gives up its writers' turn whenever its write transaction ends."""

    writers: WriterQueue | None = None  # set when the engine makes the connection
    _turn_of = 0  # the process whose turn this connection holds (0: none); a forked child's copy gives up nothing

    def take_turn(self, timeout: float) -> None:
        """Wait for the writers' turn; the transaction's end (commit, rollback, close) gives it up."""
        assert self.writers is not None
        self.writers.enter(timeout)
        self._turn_of = os.getpid()

    def end_turn(self) -> None:
        """Give up the turn, if held (a `BEGIN IMMEDIATE` that failed)."""
        holder, self._turn_of = self._turn_of, 0
        if holder == os.getpid() and self.writers is not None:
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
