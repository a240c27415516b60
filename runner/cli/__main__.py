"""``python -m runner.cli``: the ``pycau`` command, for environments without the console script.

Owns nothing but the call to ``runner.cli.main``.
"""

from runner.cli import main

main()
