"""``python -m runner.cli``: the ``pycau`` command, for environments without the console script.

Owns nothing but the call to ``runner.cli.main``. Must not hold anything else: the entry
point's behaviour (exit codes, ``gc.freeze``) lives there.
"""

from runner.cli import main

main()
