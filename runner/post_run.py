"""The engine's layer for the report's ``cluster_versions`` section and the
post-installation steps.

Owns: ``PostRun`` — noting the cluster's versions when a run begins (``_note_cluster``:
only for runs with a feature update or post-installation steps, so other reports keep their
shape), performing the steps once the run has nothing more to do on the nodes
(``_post_steps``, ``runner.post_steps``), the section at the end (``cluster_section``), and
``start_post_only``: a run that updates no node and only performs requested steps
(``pycau post-upgrade``).

Theory of operation: the steps run at the engine's ``Finish`` after the follow-up pass, in
the same run and under the same run lock; their results are kept in ``RunProgress`` and
journaled with it, so a resumed run does not repeat them. A run that ended early (an error,
a stop, a lost lock) performs none and says so.

Must not: decide a node's step or import the simulator.
"""

from __future__ import annotations

from runner.cluster_report import ClusterReport
from runner.errors import TransportError
from runner.evolve import evolve
from runner.follow_up import FeatureRun, feature_run
from runner.post_steps import PostRequest, PostSteps, post_request
from runner.post_types import ClusterFacts, PostStepResult
from runner.preflight import first_view
from runner.types import ClusterView
from runner.versions import oldest

__all__ = ["PostRun"]


class PostRun(FeatureRun):
    """The cluster_versions section and post steps of the engine (the engine subclasses it)."""

    post_override: PostRequest | None = None  # pycau post-upgrade's steps

    def _request(self) -> PostRequest | None:
        return self.post_override or post_request(self.profile)

    def _facts(self, view: ClusterView) -> ClusterFacts:
        try:
            vms = self.transport.read_vm_versions().vms
        except TransportError as exc:
            self.rec.warning(f"the VMs' configuration versions could not be read: {exc}")
            vms = ()
        return ClusterFacts(
            version=oldest(n.version for n in view.nodes),
            functional_level=view.functional_level,
            storage_pool_version=view.storage_pool_version,
            vm_versions=tuple((v.name, v.config_version) for v in vms),
        )

    def _note_cluster(self, view: ClusterView) -> None:
        """The cluster as the run found it, for runs that report the cluster_versions section."""
        if feature_run(self.profile) or self._request() is not None:
            self.progress = evolve(self.progress, cluster_before=self._facts(view))

    def _fresh(self) -> ClusterView | None:
        self._observe()
        return None if self.progress.stale else self.view

    def _post_steps(self) -> bool:
        """The post-installation steps, once (False: none to perform now)."""
        request = self._request()
        if request is None or not request.any or self.progress.post_steps is not None:
            return False
        if self.error_id is not None or self.progress.stopping or not self.may_act():
            why = f"the run ended early ({self.error_id or 'stopped'})"
            skipped = (PostStepResult(step="all", result="skipped", detail=why),)
            self.rec.emit("post-step", None, f"all: skipped — {why}")
            self.progress = evolve(self.progress, post_steps=skipped)
            return False
        steps = PostSteps(self.transport, self.clock, self.rec, self.profile, self._fresh)
        self.progress = evolve(self.progress, post_steps=steps.run(request))
        if steps.failed is not None:
            self._end(*steps.failed)
        self._observe()
        return True

    def cluster_section(self) -> ClusterReport | None:
        """The report's cluster_versions section (``None`` for runs that have none)."""
        before = self.progress.cluster_before
        if before is None:
            return None
        view = self._fresh() if self.may_act() else self.view
        after = before if view is None else self._facts(view)
        nodes = () if view is None else tuple((n.name, n.version) for n in view.nodes)
        return ClusterReport(
            before=before, after=after, nodes=nodes, steps=self.progress.post_steps or ()
        )

    def done_text(self) -> str:
        """The final event's words for a run that ended well."""
        return "all nodes updated" if self.order else "post-installation steps done"

    def start_post_only(self, request: PostRequest) -> None:
        """A run that updates no node: only ``request``'s steps (``pycau post-upgrade``)."""
        self.post_override = request
        view = self.view = first_view(self.transport, self.clock, self._elapsed)
        if view is None:
            return self._refuse("ClusterUnreachable", "the cluster did not answer at the start")
        self.cluster = view.cluster
        self.book.s2d = view.s2d_enabled
        self.order, self.book.nodes = (), {}
        self.rec.emit(
            "post-upgrade-started", None, "post-installation steps only; no node is updated"
        )
        self._note_cluster(view)
        self.progress = evolve(self.progress, remaining=(), view_at=self._elapsed())
        return None
