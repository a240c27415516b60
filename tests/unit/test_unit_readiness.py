"""Feature-update readiness: the known-issue refusals made before any node is touched."""

from __future__ import annotations

from runner.known_issues import KNOWN_ISSUES, PREREQUISITE_KB, Handling, known_issue
from runner.readiness import readiness_refusal
from runner.types import ClusterView, NodeState, NodeView, UpdateInfo

CU = UpdateInfo(id="KB5031364", title="2023-10 Cumulative Update")
FU = UpdateInfo(id="FU-21H2", title="Feature update, version 21H2", kind="feature")
FU_OTHER = UpdateInfo(id="FU-21H2.17784.1737", title="Feature update (other)", kind="feature")
NAMES = ("node1", "node2", "node3")


def view(managed_by: str = "") -> ClusterView:
    nodes = tuple(NodeView(name=n, state=NodeState.UP) for n in NAMES)
    return ClusterView(cluster="hci01", taken_at=0.0, nodes=nodes, managed_by=managed_by)


def test_quality_updates_are_never_refused() -> None:
    """No feature update offered: no readiness refusal, even under VMM 2019."""
    offers = dict.fromkeys(NAMES, (CU,))
    assert readiness_refusal(view("System Center Virtual Machine Manager 2019"), offers) is None


def test_one_and_the_same_feature_update_goes_ahead() -> None:
    """Every node offered the same single feature update: ready."""
    assert readiness_refusal(view(), dict.fromkeys(NAMES, (CU, FU))) is None


def test_a_node_offered_two_feature_updates_is_refused_naming_nodes_and_prerequisite() -> None:
    """Mixed patch levels: MixedFeatureUpdateOffers naming the node's offers and KB5003237."""
    offers = {"node1": (FU,), "node2": (FU,), "node3": (FU, FU_OTHER)}
    refusal = readiness_refusal(view(), offers)
    assert refusal is not None
    assert (refusal.error_id, refusal.known_issue) == (
        "MixedFeatureUpdateOffers",
        "mixed-patch-levels",
    )
    assert "node3: FU-21H2, FU-21H2.17784.1737" in refusal.detail
    assert PREREQUISITE_KB in refusal.detail


def test_nodes_offered_different_feature_updates_are_refused() -> None:
    """Two nodes offered different single feature updates is refused too."""
    offers = {"node1": (FU,), "node2": (FU_OTHER,), "node3": ()}
    refusal = readiness_refusal(view(), offers)
    assert refusal is not None
    assert refusal.error_id == "MixedFeatureUpdateOffers"
    assert "node3" not in refusal.detail  # a node offered no feature update is not named


def test_vmm_2019_managed_cluster_is_refused_the_feature_update() -> None:
    """UnsupportedManagement names the manager and the feature update."""
    refusal = readiness_refusal(
        view("System Center Virtual Machine Manager 2019"), dict.fromkeys(NAMES, (FU,))
    )
    assert refusal is not None
    assert refusal.error_id == "UnsupportedManagement"
    assert "Virtual Machine Manager 2019" in refusal.detail
    assert "FU-21H2" in refusal.detail
    assert (
        readiness_refusal(view("System Center Virtual Machine Manager 2022"), {"node1": (FU,)})
        is None
    )


def test_catalog_has_the_eleven_issues_with_their_error_ids() -> None:
    """One entry per known issue of the guide; refusing entries carry their error ids and
    the guidance their message gives; each says what pycau really does about it."""
    assert len(KNOWN_ISSUES) == 11
    assert len({i.id for i in KNOWN_ISSUES}) == 11
    refusing = {i.id: i.error_id for i in KNOWN_ISSUES if i.error_id}
    assert refusing == {
        "mixed-patch-levels": "MixedFeatureUpdateOffers",
        "readiness-check-never-completes": "ClusterValidationIncomplete",
        "vmm-2019-managed": "UnsupportedManagement",
        "credssp-delegation-refused": "CredSSPEnableFailed",
    }
    handling = {i.id: i.handling for i in KNOWN_ISSUES}
    assert [i for i, h in handling.items() if h is Handling.REFUSED_WITH_GUIDANCE] == [
        "mixed-patch-levels",
        "vmm-2019-managed",
        "credssp-delegation-refused",
    ]
    assert [i for i, h in handling.items() if h is Handling.DETECTED_AND_REPORTED] == [
        "os-version-naming-mismatch"
    ]
    assert known_issue("mixed-patch-levels").guidance == (
        f"install {PREREQUISITE_KB} on every node, then run again"
    )
