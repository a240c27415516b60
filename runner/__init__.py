"""pycau's runner: the CAU rolling-update logic, its transport contract, CLI and reports.

Must not import ``simulator``, ``simpy`` or ``pytest`` (only ``runner.cli`` may load the
simulator, lazily); only ``runner.winrm`` imports ``winrm``.
"""

__version__ = "0.1.0"
