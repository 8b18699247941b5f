"""The process is shutting down: long work (an import, a bulk load) checks between units and stops.

uvicorn answers SIGTERM by waiting for the requests in flight; a request parsing 200,000 rows in a worker thread
would keep the server alive for minutes. `watch_signals` chains our flag in front of the server's own handlers,
and `check` raises ShuttingDown in the thread doing the work, which the request reports as a 503.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from examengine.errors import ShuttingDown

_stopping = threading.Event()
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stopping() -> bool:
    return _stopping.is_set()


def check() -> None:
    """Raise ShuttingDown when the server has been told to stop: call it between units of long work."""
    if _stopping.is_set():
        raise ShuttingDown("The server is shutting down; nothing was stored. Try again in a minute.")


def begin() -> None:
    """Mark the process as stopping (the signal handler does; tests call it directly)."""
    _stopping.set()


def reset() -> None:
    _stopping.clear()


def watch_signals() -> None:
    """Set the flag on SIGTERM/SIGINT, then run whatever handler was installed before (uvicorn's).

    Signal handlers can only be installed from the main thread; elsewhere (a test client) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in _SIGNALS:
        previous = signal.getsignal(number)
        signal.signal(number, _chained(previous))


def _chained(
    previous: Callable[[int, FrameType | None], object] | int | None,
) -> Callable[[int, FrameType | None], None]:
    def handle(number: int, frame: FrameType | None) -> None:
        _stopping.set()
        if callable(previous):
            previous(number, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)

    return handle
