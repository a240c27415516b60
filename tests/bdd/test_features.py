"""Binds every ``features/*.feature`` to the step definitions.

Owns: the one ``scenarios(".")`` call (``bdd_features_base_dir`` points at ``features/``)
and making the Then-step modules' step fixtures visible to it. Given/When steps and the
fixtures live in ``conftest.py``; the Then-steps in ``bdd_then_outcome.py`` and
``bdd_then_timing.py``.

Must not: define steps itself — a step lives in exactly one module.
"""

from __future__ import annotations

# pytest-bdd registers each step as a fixture in the globals of the module that defines it;
# the star imports bring those fixtures into this test module, where the scenarios run.
from bdd_steps_agent import *  # noqa: F403
from bdd_steps_credentials import *  # noqa: F403
from bdd_steps_fast import *  # noqa: F403
from bdd_steps_faults import *  # noqa: F403
from bdd_steps_feature_updates import *  # noqa: F403
from bdd_steps_known_issues import *  # noqa: F403
from bdd_steps_margin import *  # noqa: F403
from bdd_steps_offline import *  # noqa: F403
from bdd_steps_options import *  # noqa: F403
from bdd_steps_plugins import *  # noqa: F403
from bdd_steps_post_upgrade import *  # noqa: F403
from bdd_steps_rehearse import *  # noqa: F403
from bdd_steps_reports import *  # noqa: F403
from bdd_steps_resume import *  # noqa: F403
from bdd_steps_self_updating import *  # noqa: F403
from bdd_steps_snapshot import *  # noqa: F403
from bdd_steps_storage_maintenance import *  # noqa: F403
from bdd_steps_sweep import *  # noqa: F403
from bdd_then_outcome import *  # noqa: F403
from bdd_then_timing import *  # noqa: F403
from pytest_bdd import scenarios

scenarios(".")
