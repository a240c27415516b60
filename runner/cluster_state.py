"""The run state a coordinator publishes in the cluster, so another one can take its run over.

Owns: the published document (``state_document`` writes it from a journaled run,
``published_run`` reads it back as that ``JournalRun``, ``InputError`` when it is not one)
and ``ClusterStateLink`` — the engine's link to ``ClusterTransport.publish_run_state``,
beside the journal's (``runner.journaled``): ``attach`` makes an engine publish.

Theory of operation: the published state is exactly what a journal holds of one run — the
run's row (id, cluster, resolved profile, start), its last checkpoint (the ``RunState``
JSON of ``runner.run_state``), its events and the actions pycau took on the cluster
(suspended, resumed, restart issued with the boot id before it, install started) — so a
coordinator that takes the run over (``runner.takeover``) rebuilds that journal in memory
and goes on with ``Engine.resume``'s rules. An engine that publishes journals its run (in
memory when it has no journal of its own) and publishes the journal's run after a
checkpoint only when the run changed in substance since the last publication:

- a node's snapshot changed in anything but its latest poll (``work``) — its step, attempt,
  work handle, suspend/resume/restart issued (with the boot id before), results, counters
  of refused or effect-unknown commands, an install whose effect is unknown;
- the run's node in flight, its remaining list, failed count, stop or cancel, CredSSP
  bookkeeping, follow-up pass or post steps, its error, or a mode's own progress;
- a new event.

Before its first checkpoint a run publishes in its preflight (``announced``, from
``runner.journaled.JournalLink.preflight``): its row with no state yet (step 0) and the
changes the preflight is making, so a run that dies there can be taken over too.

The document's ``status`` is the journal's, so ``RunInProgress``: a run's end is not
published (the lock is freed first, and a freed lock fences every publication). Whether the
published run is live is the run lock's business: it is while ``read_run_lock`` names its
run id; a state whose run holds no lock is the last word of an ended (or stopped) run.

Polls that only bring progress (percentages, a node still restarting) publish nothing:
WinRM traffic stays a few writes per node step. What a take-over misses is therefore only
polling, which the new coordinator repeats. A publication the cluster refuses because the
lock is lost (``RunLocked``) loses the lease (the engine stops acting); one that fails with a
transport error is tried again at the next checkpoint. A published state holds no secret
(profiles hold none; credentials never reach the engine's state).

Must not: decide anything about the run, talk to the transport except
``publish_run_state``, or read a clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from runner.errors import InputError, RunLocked, TransportError
from runner.journal import JournalAction, JournalRun, RunJournal
from runner.progress import NodeProgress
from runner.report import RunEvent
from runner.run_state import RunState

if TYPE_CHECKING:
    from runner.engine import Engine
    from runner.lease import RunLease
    from runner.transport import ClusterTransport

__all__ = ["FORMAT", "SOURCE", "ClusterStateLink", "published_run", "state_document"]

FORMAT = "pycau-run-state/1"  # the document's "format"
SOURCE = "the cluster's published run state"  # an InputError's source


def state_document(run: JournalRun) -> str:
    """The published form of ``run`` (compact JSON text)."""
    document = {
        "format": FORMAT,
        "run_id": run.run_id,
        "cluster": run.cluster,
        "profile": run.profile,
        "started_at": run.started_at,
        "status": run.status,
        "step": run.step,
        "state": run.state,
        "events": list(run.events),
        "actions": [
            {"step": a.step, "kind": a.kind, "node": a.node, "detail": a.detail}
            for a in run.actions
        ],
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _field(document: dict[str, Any], key: str, kind: type | tuple[type, ...], at: str = "$") -> Any:
    value = document.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise InputError(SOURCE, f"{at}.{key}", f"expected {_kind_name(kind)}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", dict: "an object", list: "an array"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, "null") for k in kinds)


def published_run(text: str) -> JournalRun:
    """The journaled run ``state_document`` wrote; ``InputError`` (naming the JSON path)
    when ``text`` is not a published run state of this format."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(SOURCE, "$", f"expected JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InputError(SOURCE, "$", "expected an object")
    if document.get("format") != FORMAT:
        raise InputError(SOURCE, "$.format", f"expected {FORMAT!r}")
    actions = []
    for i, item in enumerate(_field(document, "actions", list)):
        if not isinstance(item, dict):
            raise InputError(SOURCE, f"$.actions[{i}]", "expected an object")
        actions.append(
            JournalAction(
                step=_field(item, "step", int, f"$.actions[{i}]"),
                kind=_field(item, "kind", str, f"$.actions[{i}]"),
                node=_field(item, "node", (str, type(None)), f"$.actions[{i}]"),
                detail=_field(item, "detail", str, f"$.actions[{i}]"),
            )
        )
    events = _field(document, "events", list)
    if not all(isinstance(e, dict) for e in events):
        raise InputError(SOURCE, "$.events", "expected an array of objects")
    return JournalRun(
        run_id=_field(document, "run_id", str),
        cluster=_field(document, "cluster", str),
        profile=_field(document, "profile", dict),
        started_at=_field(document, "started_at", str),
        status=_field(document, "status", str),
        step=_field(document, "step", int),
        state=_field(document, "state", (dict, type(None))),
        events=tuple(events),
        actions=tuple(actions),
    )


def _node_key(node: NodeProgress) -> NodeProgress:
    """``node`` without its latest poll: what makes a change substantial."""
    return node if node.work is None else replace(node, work=None)


class ClusterStateLink:
    """Publishes one engine's run in the cluster when it changed in substance (see module
    docstring); ``publications`` counts the states the cluster accepted."""

    def __init__(
        self,
        transport: ClusterTransport,
        lease_of: Callable[[], RunLease | None],
        journal: RunJournal,
        run_id: str,
    ) -> None:
        self.transport = transport
        self.lease_of = lease_of
        self.journal = journal
        self.run_id = run_id
        self.publications = 0
        self.failures = 0  # publications that failed with a transport error (tried again)
        self.closed = False  # the run ended: its lock is freed, nothing more to publish
        self._key: tuple[Any, ...] | None = None
        self._nodes: dict[str, tuple[NodeProgress, NodeProgress]] = {}  # snapshot → key

    @classmethod
    def attach(cls, engine: Engine) -> ClusterStateLink:
        """Make ``engine`` publish its run in the cluster from its next checkpoint on (it
        journals in memory when it has no journal of its own)."""
        link = engine.link
        if link.journal is None:
            link.journal = RunJournal(":memory:")
        publisher = cls(engine.transport, lambda: engine.lease, link.journal, engine.run_id)
        link.publisher = publisher
        return publisher

    def _substance(self, state: RunState, events: int) -> tuple[Any, ...]:
        nodes = []
        for node in (*state.nodes, *([state.progress.current] if state.progress.current else [])):
            known = self._nodes.get(node.name)
            if known is None or known[0] is not node:
                known = self._nodes[node.name] = (node, _node_key(node))
            nodes.append(known[1])
        progress = replace(
            state.progress, now=0.0, current=None, stale=False, view_at=0.0,
            unreachable_since=None,
        )  # fmt: skip
        return (tuple(nodes), progress, state.error_id, state.mode_state, events)

    def published(self, state: RunState, events: Sequence[RunEvent]) -> None:
        """After the journal's checkpoint of ``state``: publish the journaled run when it
        changed in substance since the last publication."""
        lease = self.lease_of()
        if self.closed or lease is None or lease.lost is not None:
            return
        key = self._substance(state, len(events))
        if key == self._key:
            return
        if self._publish():
            self._key = key

    def announced(self) -> None:
        """In the preflight (``JournalLink.preflight``): publish the journaled run, which
        has no state yet — a coordinator taking it over starts its preflight again."""
        self._publish()

    def _publish(self) -> bool:
        """Publish the journaled run; whether the cluster accepted it."""
        lease = self.lease_of()
        if self.closed or lease is None or lease.lost is not None:
            return False
        run = self.journal.load(self.run_id)
        if run is None:
            return False
        try:
            self.transport.publish_run_state(lease.holder, state_document(run))
        except RunLocked as exc:  # another coordinator holds the lock: stop acting
            lease.lose(str(exc))
            return False
        except TransportError:
            self.failures += 1  # the key stays old: the next checkpoint tries again
            return False
        self.publications += 1
        return True
