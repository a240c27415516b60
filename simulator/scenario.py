"""Scenario files: YAML → validated → resolved ``simulator.model.Scenario``.

Owns: ``load_scenario`` / ``parse_scenario``. The shape is checked once by the JSON Schema
``simulator/schemas/scenario.schema.json`` (which embeds the profile schema); then the
conveniences are resolved (the cluster block in ``simulator.scenario_cluster``) and the checks
a schema cannot express are made — names that must exist, ``after:`` without cycles, a
script-failure needing its script, the profile's node-count rules, a site order naming only
the cluster's sites — with the same
``InputError(file, "$.json.path", what was expected)`` as the schema's.

Must not: run SimPy, build the world or choose outcomes (faults say *what* goes wrong;
``simulator.world`` decides how that shows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from runner.errors import InputError
from runner.profile import Profile
from runner.validation import (
    Locator,
    PathElement,
    SchemaValidator,
    load_schema,
    profile_schema,
    read_document,
)
from simulator.distributions import DRAWN_KINDS, Variability
from simulator.model import Expect, FaultSpec, Scenario, ScriptSpec, UpdateSpec
from simulator.scenario_cluster import MAX_S2D_NODES
from simulator.scenario_coordinator import resolve_coordinator
from simulator.scenario_plugins import PluginResolver
from simulator.scenario_versions import check_post_steps, resolve_feature_update

__all__ = [
    "EVERY_ATTEMPT",
    "MAX_S2D_NODES",
    "load_scenario",
    "parse_scenario",
    "scenario_validator",
]

# "attempts: N" means the first N attempts fail; "attempts: all" (None) every attempt.
EVERY_ATTEMPT = None
# Fault types whose ``at_minute`` is a required field, and the fields kept in ``params``.
_TIMED_FAULTS = ("management-disconnect", "witness-offline", "disk-failure", "stop-request")
_PARAM_FIELDS = ("minutes", "volume", "factor", "at_step", "requested_by")


@cache
def scenario_validator() -> SchemaValidator:
    """The compiled scenario schema, with the profile schema it references."""
    schema = load_schema("simulator", "scenario.schema.json")
    return SchemaValidator(schema, references=[profile_schema()])


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file; raise ``InputError`` on bad input."""
    document = read_document(path)
    return parse_scenario(document.data, source=document.source, locate=document.locate)


def parse_scenario(
    mapping: Any, source: str = "<scenario>", *, locate: Locator | None = None
) -> Scenario:
    """Validate and resolve an already-parsed scenario mapping."""
    if mapping is None:
        raise InputError(
            source, "$", "the scenario is empty; expected a mapping with name and cluster"
        )
    lines: Locator = locate or (lambda path: None)
    scenario_validator().validate(mapping, source, locate=lines)
    return _Resolver(mapping, source, lines).scenario()


class _Resolver(PluginResolver):
    """The whole file: the cluster (see ``ClusterResolver``), updates, faults, profile,
    expect, and the plug-in parts (see ``PluginResolver``)."""

    def scenario(self) -> Scenario:
        data = self.data
        cluster = self.cluster(data["cluster"])
        names = cluster.node_names
        profile = self.profile(data.get("profile") or {}, names)
        self.site_order(profile.get("site_aware_updating_order", ()), cluster.sites)
        updates = self.updates(data.get("updates", []), names, cluster.version)
        check_post_steps(self, profile, cluster.nodes, updates)  # the issue's bad input
        faults = self.faults(data.get("faults", []), names, profile, updates)
        coordinator, role_owner = resolve_coordinator(self, data, names, profile, faults)
        return Scenario(
            name=data["name"],
            description=data.get("description", ""),
            seed=data.get("seed", 0),
            cluster=cluster,
            updates=updates,
            faults=faults,
            scripts=ScriptSpec(**data.get("scripts", {})),
            profile=MappingProxyType(profile),
            expect=self.expect(data.get("expect"), names),
            source=self.source,
            known_issues=tuple(data.get("known_issues", ())),
            hotfix_share=self.hotfix_share(data.get("hotfix_share")),
            distributions=MappingProxyType(dict(sorted(self.distributions.items()))),
            variability=self.variability(data.get("variability")),
            coordinator=coordinator,
            coordinator_node=role_owner,
        )

    def variability(self, raw: Mapping[str, Any] | None) -> Variability | None:
        """The ``variability:`` block (``None`` when absent)."""
        if raw is None:
            return None
        kinds = raw.get("applies_to", DRAWN_KINDS)
        return Variability(spread=float(raw.get("spread", 1.0)), applies_to=tuple(kinds))

    # ----------------------------------------------------------------------- updates, faults

    def updates(
        self, raw: list[Mapping[str, Any]], names: tuple[str, ...], cluster_version: str
    ) -> tuple[UpdateSpec, ...]:
        ids = [u["id"] for u in raw]
        specs = []
        for i, item in enumerate(raw):
            at: list[PathElement] = ["updates", i]
            if item["id"] in ids[:i]:
                self.fail([*at, "id"], f"update {item['id']!r} is listed twice")
            after = item.get("after")
            if after is not None:
                self.known([*at, "after"], after, ids, "update", "an update of this scenario")
            if after == item["id"]:
                self.fail([*at, "after"], "an update cannot come after itself")
            for j, node in enumerate(item.get("nodes", [])):
                self.known_node([*at, "nodes", j], node, names)
            self.hotfix_fields(item, at)
            fields = {k: v for k, v in item.items() if k not in ("nodes", "title", "firmware")}
            fields = self.drawn(fields, at, [item["id"]])
            spec = UpdateSpec(
                **fields,
                title=item.get("title", item["id"]),
                nodes=tuple(item["nodes"]) if "nodes" in item else None,
                firmware=item.get("firmware", item.get("kind") == "firmware"),
            )
            specs.append(resolve_feature_update(self, item, spec, i, cluster_version))
        after_of = {u.id: u.after for u in specs}
        for i, spec in enumerate(specs):
            chain, current = [spec.id], spec.after
            while current is not None:
                if current in chain:
                    self.fail(
                        ["updates", i, "after"],
                        f"'after' forms a cycle: {' -> '.join([*chain, current])}",
                    )
                chain.append(current)
                current = after_of[current]
        return tuple(specs)

    def faults(
        self,
        raw: list[Mapping[str, Any]],
        names: tuple[str, ...],
        profile: Mapping[str, Any],
        updates: tuple[UpdateSpec, ...],
    ) -> tuple[FaultSpec, ...]:
        specs = []
        storage = self.data["cluster"].get("storage") or {}
        volumes = _volume_names(storage.get("volumes", []))
        for i, item in enumerate(raw):
            at: list[PathElement] = ["faults", i]
            kind = item["type"]
            node = item.get("node")
            if node is not None:
                self.known_node([*at, "node"], node, names)
            fields: dict[str, Any] = {"type": kind, "node": node}
            if kind in ("install-failure", "script-failure", "resync-stall", "update-rollback"):
                fields["attempts"] = _attempts(item.get("attempts", 1))
            elif kind == "drain-failure":
                fields["attempts"] = _attempts(item.get("attempts", "all"))
            if "hresult" in item:
                fields["hresult"] = _hresult(item["hresult"])
            if "update" in item:  # only this update fails; the attempt's others succeed
                ids = [u.id for u in updates]
                self.known(
                    [*at, "update"], item["update"], ids, "update", "an update of this scenario"
                )
                fields["params"] = MappingProxyType({"update": item["update"]})
            if kind in _TIMED_FAULTS:
                fields["at_minute"] = item["at_minute"]
            params = {k: item[k] for k in _PARAM_FIELDS if k in item}
            if "volume" in params:
                self.known([*at, "volume"], params["volume"], volumes, "volume", "a volume")
            if params:
                fields["params"] = MappingProxyType({**fields.get("params", {}), **params})
            if kind in ("node-crash", "coordinator-host-crash"):
                fields["at_minute"] = item.get("at_minute")
                fields["down_minutes"] = item.get("down_minutes")
            if kind == "script-failure":
                script = item["script"]
                option = f"{script}_update_script"
                if not profile.get(option):
                    unset = f"the profile sets no {option}, so no {script} script runs"
                    self.fail([*at, "script"], f"{unset}; expected profile.{option} to be set")
                fields["script"] = script
            specs.append(FaultSpec(**fields))
        return tuple(specs)

    # ----------------------------------------------------------------------- profile, expect

    def profile(self, raw: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        for i, name in enumerate(raw.get("node_order", [])):
            self.known_node(["profile", "node_order", i], name, names)
        try:
            Profile.from_mapping(raw, self.source).resolved(names, self.source)
        except InputError as exc:
            inner = re.findall(r"\[(\d+)\]|([^.\[\]]+)", exc.path.removeprefix("$"))
            path: list[PathElement] = ["profile"]
            path += [int(index) if index else key for index, key in inner]
            self.fail(path, exc.message)
        self.plugin_checks(raw)
        resolved = dict(raw)
        if "node_order" in resolved:
            resolved["node_order"] = tuple(resolved["node_order"])
        return resolved

    def site_order(self, order: Sequence[str], sites: Mapping[str, str]) -> None:
        """site_aware_updating_order names only sites of ``cluster.sites`` (case-insensitive,
        as Windows names compare)."""
        have = sorted(set(sites.values()))
        folded = {site.casefold() for site in have}
        for i, site in enumerate(order):
            if site.casefold() not in folded:
                listed = ", ".join(have) or "none: cluster.sites is not set"
                self.fail(
                    ["profile", "site_aware_updating_order", i],
                    f"unknown site {site!r}; expected a site of cluster.sites ({listed})",
                )

    def expect(self, raw: Mapping[str, Any] | None, names: tuple[str, ...]) -> Expect:
        if raw is None:
            return Expect()
        for node in raw.get("nodes", {}):
            self.known_node(["expect", "nodes", node], node, names)
        status = raw.get("status", "Succeeded")
        if status == "Succeeded" and raw.get("error_id") is not None:
            no_error = "a Succeeded run has no error_id; expected null or a failed status"
            self.fail(["expect", "error_id"], no_error)
        return Expect(
            status=status,
            error_id=raw.get("error_id"),
            nodes=MappingProxyType(dict(raw.get("nodes", {}))),
            invariants_hold=raw.get("invariants_hold", True),
        )


def _volume_names(raw: Any) -> list[str]:
    """Volume names as ``scenario_cluster`` resolves them (list, or ``{count}`` → vol01…)."""
    if isinstance(raw, list):
        return [v["name"] for v in raw]
    count = int(raw.get("count", 0))
    width = max(2, len(str(count)))
    return [f"vol{i:0{width}d}" for i in range(1, count + 1)]


def _attempts(value: int | float | str) -> int | None:
    """A validated ``attempts`` value: a count (a whole float too), or ``None`` for "all"."""
    return None if value == "all" else int(value)


def _hresult(value: str | int) -> str:
    """Canonical ``0x8024001E`` spelling; YAML reads an unquoted 0x80240022 as an int."""
    number = int(value, 16) if isinstance(value, str) else value
    return f"0x{number & 0xFFFFFFFF:08X}"
