"""Storage maintenance mode on pause: which nodes' drives enter it when the runner suspends them.

Owns: ``MAINTENANCE_MODE_BUILD`` and ``maintenance_on_pause`` — the rule the simulated S2D
(``simulator.storage``) asks at each suspend.

The facts (reference cau.md §5.3): on Windows Server 2022 and Azure Stack HCI 21H2 and later,
``Suspend-ClusterNode -Drain`` puts the node's drives into storage maintenance mode and
``Resume-ClusterNode`` takes them out of it; on older systems (Windows Server 2016/2019,
Azure Stack HCI 20H2) an administrator does it by hand right before the restart, so only the
time the node is powered off counts. While a node's drives are in maintenance mode, writes
to every volume go degraded (the node's copies fall behind) and the repair jobs start when
the node is resumed.

How a node is recognised: by its OS build number, the part of the build before the dot.
Windows Server 2022 and Azure Stack HCI 21H2 share build 20348, HCI 22H2 is 20349, HCI 23H2
25398, Windows Server 2025 26100; Windows Server 2016 is 14393, 2019 17763, HCI 20H2 17784.
So a build of ``MAINTENANCE_MODE_BUILD`` (20348) or later has the automatic mode whether or
not it carries an Azure Stack HCI version name (a Windows Server build has none); a build
that is not a number (a hand-written scenario's oddity) counts as older. A scenario's
``storage.maintenance_mode`` forces the answer for every node either way. The node's build
is read at the suspend, so a node moved from 20H2 to 21H2 by a feature update pauses the
new way on its next suspend.

Must not: change the world, or know about the runner's decisions.
"""

from __future__ import annotations

__all__ = ["MAINTENANCE_MODE_BUILD", "maintenance_on_pause"]

MAINTENANCE_MODE_BUILD = 20348  # Windows Server 2022 / Azure Stack HCI 21H2


def maintenance_on_pause(forced: bool | None, os_build: str) -> bool:
    """Whether pausing a node running ``os_build`` puts its drives into storage maintenance
    mode; ``forced`` (the scenario's ``storage.maintenance_mode``) wins when given."""
    if forced is not None:
        return forced
    major = os_build.partition(".")[0]
    return major.isdigit() and int(major) >= MAINTENANCE_MODE_BUILD
