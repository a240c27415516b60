"""A `pycau agent` process that kills itself with SIGKILL (kill -9) right after journal step N
of the run it runs: ``python crash_agent.py STEP AGENT-ARGS...``. The account comes from the
environment (PYCAU_USERNAME, PYCAU_PASSWORD). Used by test_winrm_agent.py: the dead agent still
holds the cluster's run lock, so another agent must take its run over."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from runner.cli import main
from runner.journal import RunJournal


def crash_after(step: int) -> None:
    """Every journal this process opens kills the process after checkpoint ``step``."""
    opened = RunJournal.__init__

    def init(self: RunJournal, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)

        def die(done: int) -> None:
            if done >= step:
                os.kill(os.getpid(), signal.SIGKILL)  # no cleanup of any kind

        self.after_checkpoint = die

    RunJournal.__init__ = init  # type: ignore[method-assign]


if __name__ == "__main__":
    crash_after(int(sys.argv[1]))
    main(["agent", *sys.argv[2:]])
