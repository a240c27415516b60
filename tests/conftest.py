"""Suite-wide set-up: SIGINT reaches the processes the tests start.

A run of the suite started in a background job or under ``nohup`` (a CI script) has SIGINT
ignored, and every process it starts inherits that: a test that stops a ``pycau`` process
with SIGINT (Ctrl-C) would then wait out its timeout or fail, since pycau, like any program,
keeps a signal that is ignored ignored. The test process takes Ctrl-C as an interactive
Python does, so its children start with SIGINT's default.
"""

from __future__ import annotations

import signal


def pytest_configure() -> None:
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
