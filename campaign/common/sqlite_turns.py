"""On SQLite, writers take turns through a lock file, each woken as soon as the one before it
has committed.

SQLite lets one transaction write at a time. A writer that finds the database locked sleeps,
1, 2, 5, 10 and up to 100 ms, and tries again, however soon the lock was let go: under a spike
of signers, with two workers each writing as soon as the other let go, the unlucky slept so
again and again, and the slowest hundredth of signatures waited four to five times as long
as the bare app's. Here a transaction's first write first takes an exclusive `flock` on a file
beside the database, which the kernel hands to the next waiter the moment it is released.

A thread that writes on a second connection before the first commits has the turn already,
and meets SQLite's lock and its timeout there, as before, rather than waiting for itself.
"""
import fcntl
import threading
import time

from sqlalchemy import event

#: The statements with which SQLite's driver begins a write transaction.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HOLDS_TURN = "campaign.holds_write_turn"


def take_turns(engine, database_path: str, timeout: float) -> None:
    """Make the writers on `engine` (a SQLite file at `database_path`) take turns; one that has
    waited `timeout` seconds goes on to SQLite's lock, and its timeout, without its turn."""
    turn_path = f"{database_path}-turn"
    per_thread = threading.local()

    def turn_file():
        # A lock belongs to an open file: each thread has its own, so that threads wait too
        # (and one writing on two connections at once takes what it has already).
        if getattr(per_thread, "file", None) is None:
            per_thread.file = open(turn_path, "ab")  # closed with its thread
        return per_thread.file

    def wait_for_turn(connection, _cursor, statement, _parameters, _context, _executemany):
        info = connection.info
        if _HOLDS_TURN not in info and statement.lstrip()[:7].upper().startswith(_WRITES):
            file = turn_file()
            if _take(file.fileno(), timeout):
                info[_HOLDS_TURN] = file

    def pass_turn(info: dict) -> None:
        file = info.pop(_HOLDS_TURN, None)
        if file is not None and not file.closed:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)

    def pass_on(connection) -> None:
        if not connection.invalidated:  # else passed on as it is dropped (below)
            pass_turn(connection.info)

    event.listen(engine, "before_cursor_execute", wait_for_turn)
    event.listen(engine, "commit", pass_on)
    event.listen(engine, "rollback", pass_on)
    # So does a connection handed back to the pool, or dropped, in the middle of a transaction.
    event.listen(engine.pool, "checkin", lambda _dbapi, record: pass_turn(record.info))
    event.listen(engine.pool, "invalidate", lambda _dbapi, record, _error: pass_turn(record.info))


def _take(fd: int, timeout: float) -> bool:
    """The turn, looked for every 50 microseconds at first and then at least every
    millisecond, for `timeout` seconds at most: whether it was taken."""
    deadline = time.monotonic() + timeout
    pause = 0.00005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
