"""``runner.evolve.evolve`` is ``dataclasses.replace``, faster: same values, same refusals."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.evolve import evolve
from runner.lifecycle import NodeStep
from runner.progress import NodeProgress, RunProgress

NODE_FIELDS = [f.name for f in dataclasses.fields(NodeProgress)]


@given(
    attempt=st.integers(0, 9),
    step=st.sampled_from(list(NodeStep)),
    error=st.text(max_size=5),
    which=st.sets(st.sampled_from(["attempt", "step", "error"])),
)
def test_evolve_equals_replace(attempt: int, step: NodeStep, error: str, which: set[str]) -> None:
    """Any subset of changes gives the instance ``replace`` gives, of the same class."""
    base = NodeProgress(name="node1", attempt=1, error="old")
    offered = {"attempt": attempt, "step": step, "error": error}
    changes = {k: offered[k] for k in sorted(which)}
    mine, theirs = evolve(base, **changes), dataclasses.replace(base, **changes)
    assert type(mine) is NodeProgress
    assert mine == theirs
    assert [getattr(mine, n) for n in NODE_FIELDS] == [getattr(theirs, n) for n in NODE_FIELDS]
    assert base == NodeProgress(name="node1", attempt=1, error="old")  # input untouched


def test_evolve_keeps_frozenness_and_refuses_unknown_fields() -> None:
    """The result is as frozen as the input; an unknown field is a TypeError, as in replace."""
    run = evolve(RunProgress(), now=5.0)
    assert run.now == 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.now = 6.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field"):
        evolve(RunProgress(), nothing=1)


def test_evolve_refuses_classes_whose_replace_would_differ() -> None:
    """A __post_init__ or an init=False field would be skipped: such classes are refused."""

    @dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclass(frozen=True)
    class Derived:
        value: int
        double: int = field(init=False, default=0)

    for cls, instance in ((Checked, Checked(1)), (Derived, Derived(1))):
        with pytest.raises(TypeError, match="evolve"):
            evolve(instance, value=2)
        assert cls is type(instance)
