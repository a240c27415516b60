"""The published run state's document (runner.cluster_state): it round-trips a journaled
run, and anything else is refused with the JSON path at fault."""

from __future__ import annotations

import json

import pytest

from runner.cluster_state import FORMAT, published_run, state_document
from runner.errors import InputError
from runner.journal import JournalAction, JournalRun

RUN = JournalRun(
    run_id="r1",
    cluster="hci01",
    profile={"policy": "classic"},
    started_at="2026-01-13T02:00:00Z",
    status="RunInProgress",
    step=42,
    state={"elapsed": 12.5, "nodes": {}},
    events=({"kind": "cau", "detail": "é"},),
    actions=(JournalAction(step=7, kind="restart-issued", node="node1", detail="boot-1"),),
)


def test_a_journaled_run_round_trips() -> None:
    """What state_document writes, published_run reads back as the same run."""
    text = state_document(RUN)
    assert json.loads(text)["format"] == FORMAT
    assert published_run(text) == RUN


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(format="other/9"), "$.format"),
        (lambda d: d.update(run_id=5), "$.run_id"),
        (lambda d: d.update(step=True), "$.step"),
        (lambda d: d.update(events=[1]), "$.events"),
        (lambda d: d.update(actions=[[]]), "$.actions[0]"),
        (lambda d: d["actions"][0].update(node=3), "$.actions[0].node"),
        (lambda d: d.update(state="x"), "$.state"),
    ],
)
def test_a_foreign_document_is_refused_with_its_path(change: object, path: str) -> None:
    """A document of another format or with a field of the wrong type is an InputError
    naming the published state and the JSON path."""
    document = json.loads(state_document(RUN))
    change(document)  # type: ignore[operator]
    with pytest.raises(InputError) as caught:
        published_run(json.dumps(document))
    assert caught.value.path == path
    assert "published run state" in str(caught.value)


def test_text_that_is_not_json_is_refused() -> None:
    """Not JSON, or not an object: an InputError at ``$``."""
    for text in ("{", "[1]"):
        with pytest.raises(InputError) as caught:
            published_run(text)
        assert caught.value.path == "$"
