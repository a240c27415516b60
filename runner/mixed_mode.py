"""Mixed mode: the rules that keep a run from asking a mixed-version cluster for a live
migration it cannot do.

Owns: ``drain_risk`` (why suspending a node now would need a live migration from a newer OS
version to an older one) and ``failback_mode`` (the failback a resume may ask for, and why
it asks for less than the profile's).

Theory of operation: while a feature update rolls through the cluster, nodes at the new
version and nodes at the old one form a mixed-mode cluster; live migration works from an
older node to a newer one and never back. The run is built so that it never needs the
impossible direction:
- a node's drain moves its VMs to nodes at its version or newer. Draining an old node is
  always possible; an updated node is drained only in a retry or in the follow-up quality
  pass, and then only while another node of its version is up to take its VMs —
  ``drain_risk`` fails the attempt before the suspend otherwise (no Suspend-ClusterNode is
  issued that the cluster would turn into a failed drain);
- a failback moves the node's drained VMs back to it from wherever they went. Resuming a
  node that runs an older version than some other Up node would ask for a migration from
  newer to older, so it resumes without failback (``NoFailback``); after a failed attempt
  in a mixed cluster it resumes without failback too, so a retry finds the node empty and
  its drain asks nothing of the cluster. The updated node of a successful attempt is the
  newest in the cluster, so its failback (older → newer) is allowed and kept;
- node order needs no rule: an old node's turn drains it towards any node, and the feature
  update's nodes are taken one at a time, each resumed at the new version before the next.
Nodes whose version is not known (not Azure Stack HCI) are never judged.

Must not: do I/O, read a clock, or decide anything but these two questions.
"""

from __future__ import annotations

from runner.types import ClusterView, FailbackMode, NodeState, NodeView, RoleState
from runner.versions import is_newer, newest, rank

__all__ = ["drain_risk", "failback_mode", "mixed"]


def _active(view: ClusterView, but: str) -> list[NodeView]:
    return [n for n in view.nodes if n.name != but and n.state is NodeState.UP and n.reachable]


def mixed(view: ClusterView) -> bool:
    """Whether the cluster's nodes run more than one known OS version (mixed mode)."""
    return len({n.version for n in view.nodes if rank(n.version) >= 0}) > 1


def drain_risk(view: ClusterView, node: str) -> str | None:
    """Why draining ``node`` now would need a live migration the cluster refuses: it hosts
    running roles and every other active node runs an older version. ``None``: safe."""
    me = next((n for n in view.nodes if n.name == node), None)
    if me is None or rank(me.version) < 0:
        return None
    others = _active(view, node)
    if not others or any(not is_newer(me.version, n.version) for n in others):
        return None
    if not any(r.owner == node and r.state is RoleState.ONLINE for r in view.roles):
        return None
    older = ", ".join(f"{n.name} ({n.version})" for n in others)
    return (
        f"not draining {node}: it runs {me.version} and every other active node runs an "
        f"older version ({older}); a mixed-mode cluster does not live-migrate to an older "
        "version"
    )


def failback_mode(
    view: ClusterView, node: str, requested: FailbackMode, *, after_failure: bool
) -> tuple[FailbackMode, str]:
    """The failback to resume ``node`` with, and a note when it is less than ``requested``
    (see the module docstring); ``""`` when ``requested`` stands."""
    if requested is FailbackMode.NONE or not mixed(view):
        return requested, ""
    me = next((n for n in view.nodes if n.name == node), None)
    version = me.version if me is not None else ""
    top = newest(n.version for n in view.nodes if n.state is NodeState.UP)
    if is_newer(top, version):
        why = (
            f"resumed without failback: {node} runs {version} and nodes at {top} cannot "
            "live-migrate its roles back to an older version (mixed mode)"
        )
        return FailbackMode.NONE, why
    if after_failure:
        why = (
            f"resumed without failback after a failed attempt: a retry drains {node} again, "
            "and in a mixed-mode cluster its roles could then only go to nodes at its version"
        )
        return FailbackMode.NONE, why
    return requested, ""
