"""pycau's runner: the CAU rolling-update logic, its transport contract, CLI and reports.

Owns: the package version (``__version__``, read by ``pycau --version`` and the wheel).

Must not import ``simulator``, ``simpy`` or ``pytest`` (only ``runner.rehearsal`` may load
the simulator, lazily); only ``runner.winrm`` imports ``winrm``.
"""

__version__ = "0.1.0"
