"""How the offline engine looks at a cluster that may be stopped: the cluster, the nodes one
by one, and the storage pool.

Owns: ``OfflineLooks`` — the offline engine's observations (``Look`` actions, and the look
after a refused or unanswered command): ``observe`` while the cluster answers cluster
cmdlets, ``observe_hosts`` (each node on its own endpoint) while it is stopped or starting,
``observe_storage`` for the pool and volumes; each result is kept in the run's ``Looks``
with the run's seconds it was taken at. A failed look makes the run blind (``stale``: no
deadline is judged while the management network is down) — except a look at the cluster
while the nodes are looked at too, which only says the cluster does not answer yet (it is
stopped, or still forming); refused credentials propagate. After each look, the nodes
whose work is still running are due for a poll.

Must not: decide anything, or sleep except through the injected clock.
"""

from __future__ import annotations

from runner.errors import AuthenticationFailed, TransportError
from runner.evolve import evolve
from runner.offline_actions import CLUSTER, HOSTS, STORAGE, Look
from runner.offline_lifecycle import OfflineProgress, OfflineStep
from runner.offline_node_steps import Looks
from runner.progress import NodeProgress, RunProgress
from runner.transport import Clock, ClusterTransport
from runner.types import ClusterView, WorkProgress, WorkState

__all__ = ["OfflineLooks"]


def _running(work: WorkProgress | None) -> bool:
    """Started work not known to be over (not polled yet, or still running)."""
    return work is None or work.state is WorkState.RUNNING


class OfflineLooks:
    """The offline engine's observations (``runner.offline_engine.OfflineEngine`` owns the
    state)."""

    transport: ClusterTransport
    clock: Clock
    progress: RunProgress
    offline: OfflineProgress
    looks: Looks
    view: ClusterView | None
    order: tuple[str, ...]

    def _elapsed(self) -> float:
        raise NotImplementedError

    def _nodes(self) -> list[NodeProgress]:
        raise NotImplementedError

    def _acted(self) -> None:
        raise NotImplementedError

    def _blind(self) -> None:
        """The management network does not answer: decide on what was seen before."""
        since = self.progress.unreachable_since
        since = self._elapsed() if since is None else since
        self.progress = evolve(self.progress, stale=True, unreachable_since=since)

    def _seen(self) -> None:
        now = self._elapsed()
        self.progress = evolve(self.progress, stale=False, unreachable_since=None, view_at=now)

    def _observe_cluster(self, *, expect_answer: bool) -> None:
        try:
            view = self.transport.observe()
        except AuthenticationFailed:
            raise
        except TransportError:
            self.looks = evolve(self.looks, cluster_answers=False)
            if expect_answer:
                self._blind()
            return
        self.view = view
        self.looks = evolve(self.looks, view=view, cluster_answers=True, cluster_at=self._elapsed())
        self._seen()

    def _observe_hosts(self) -> None:
        try:
            hosts = self.transport.observe_hosts(self.order)
        except AuthenticationFailed:
            raise
        except TransportError:
            self._blind()
            return
        self.looks = evolve(self.looks, hosts=hosts, hosts_at=self._elapsed())
        self._seen()

    def _observe_storage(self, *, expect_answer: bool) -> None:
        try:
            storage = self.transport.observe_storage()
        except AuthenticationFailed:
            raise
        except TransportError:
            if expect_answer:
                self._blind()
            return
        self.looks = evolve(self.looks, storage=storage, storage_at=self._elapsed())
        self._seen()

    def _look_at(self, what: tuple[str, ...]) -> None:
        for source in what:
            if source == CLUSTER:
                self._observe_cluster(expect_answer=HOSTS not in what)
            elif source == HOSTS:
                self._observe_hosts()
            elif source == STORAGE:
                self._observe_storage(expect_answer=HOSTS not in what)
        due = tuple(
            node.name
            for node in self._nodes()
            if node.handle is not None
            and (node.work is None or node.work.state is WorkState.RUNNING)
        )
        self.offline = evolve(self.offline, poll_due=due)

    def _step_looks(self) -> tuple[str, ...]:
        """What the current step watches (after a refused or unanswered command)."""
        step = self.offline.step
        if self.offline.cluster_stopped and step is not OfflineStep.START_CLUSTER:
            return (HOSTS,)
        if step in (OfflineStep.STORAGE_WAIT, OfflineStep.DISKS_ONLINE):
            return (CLUSTER, STORAGE)
        return (CLUSTER, HOSTS) if step is OfflineStep.START_CLUSTER else (CLUSTER,)

    def _off_look(self, action: Look) -> None:
        self._acted()
        if action.seconds > 0:
            self.clock.sleep(action.seconds)
        self._look_at(action.what)
