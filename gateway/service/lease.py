"""One named lease as a worker of this process holds it: the deadline watcher's and the audit sequencer's."""

import os
import socket
import uuid
from datetime import timedelta

from gateway.service.ports import Leases


class Lease:
    """One named lease as a worker of this process holds it; without a store of leases, always held."""

    def __init__(self, leases: Leases | None, name: str) -> None:
        self._leases = leases
        self.name = name
        self.holder = f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # fits leases.holder

    def hold(self, interval: float) -> bool:
        """Take or renew the lease for a little over two passes of `interval` seconds."""
        if self._leases is None:
            return True
        return self._leases.acquire(self.name, self.holder, timedelta(seconds=2 * interval + 10))

    def release(self) -> None:
        """Give it up at once (a clean stop)."""
        if self._leases is not None:
            self._leases.release(self.name, self.holder)
