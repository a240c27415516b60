"""``pycau snapshot``: a real cluster (or the twin) read over WinRM and written as a scenario.

Owns: the click command — connect as every real-cluster command does (password from the
environment, the keyring or a prompt, never argv), observe, read the snapshot scripts (the
cluster's part, then each node's own part on its endpoint), scan every node read-only for
the updates it is offered (as ``pycau scan``), build the scenario
(``runner.snapshot_scenario``), check that ``pycau simulate`` will load it
(``runner.rehearsal.snapshot``) and write it atomically: nothing is written on an error or
Ctrl-C, and an existing file is replaced only by a complete one.

Exit codes: 0 written; 1 the cluster's answers do not make a valid scenario (nothing
written, the reason printed); 2 bad input (e.g. an ``--output`` that cannot be written);
3 the cluster could not be reached or refused us.

Must not: change anything on the cluster (the snapshot scripts only read; the scan is
``pycau scan``'s search, which installs nothing), or hold the logic of the document
(``runner.snapshot_scenario``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from runner.cli.output import check_report_target, write_text_atomically
from runner.cli.remote import remote_command
from runner.cli.remote_run import scan_cluster
from runner.cli.remote_session import Session, connection_options
from runner.errors import ClusterUnreachable, InputError, TransportError
from runner.inventory import ClusterInventory, NodeInventory
from runner.types import NodeState

__all__ = ["snapshot"]

EXIT_NOT_A_SCENARIO = 1


def _output_option(ctx: Any, param: Any, value: Path) -> Path:
    """Refuse an unwritable ``--output`` while the options are read, before connecting."""
    if problem := check_report_target(value):
        raise InputError(str(value), "", f"cannot write the scenario: {problem}")
    return value


def read_snapshot(session: Session) -> tuple[str, str, int]:
    """(the scenario text, the cluster's name, how many figures were not read)."""
    from runner.snapshot_scenario import render, snapshot_document

    transport = session.transport
    view = transport.observe()
    cluster: ClusterInventory | None = None
    cluster_error = ""
    try:
        cluster = transport.snapshot_cluster()
    except ClusterUnreachable:
        raise
    except TransportError as exc:  # the rest is still worth writing; the file says so
        cluster_error = f"snapshot.ps1 failed: {type(exc).__name__}: {exc}"
    node_errors: dict[str, str] = {}
    nodes: dict[str, NodeInventory] = {}
    for node in view.nodes:
        if node.state is NodeState.DOWN:
            continue
        try:
            nodes[node.name] = transport.snapshot_node(node.name)
        except TransportError as exc:
            node_errors[node.name] = f"not read: {type(exc).__name__}: {exc}"
    offered, scan_errors = scan_cluster(session)
    document, notes = snapshot_document(view, cluster, nodes, offered, scan_errors, node_errors)
    if cluster_error:
        notes.insert(0, f"the VMs' possible owners ({cluster_error})")
    return render(document, notes), view.cluster, len(notes)


@click.command("snapshot")
@connection_options
@click.option(
    "-o", "--output", "output", required=True, metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path), callback=_output_option,
    help="The scenario file to write (atomically; replaced only by a complete snapshot).",
)  # fmt: skip
@remote_command
def snapshot(session: Session, *, output: Path, **_: Any) -> int:
    """Read the cluster over WinRM and write it as a scenario file for `pycau simulate`.

    Nodes (memory, OS version and build, restart time from their System log), VMs (memory,
    owner, whether they can live-migrate), volumes (resiliency, size, write rate from the
    CSVFS counters), the witness, and the updates each node is offered now with install
    times from the nodes' own update history. Everything it could not read is listed in
    the file as a `# not read:` comment and takes the scenario's default. It installs
    nothing and changes no setting: its scan is `pycau scan`'s Windows Update search.
    """
    from runner.rehearsal.snapshot import check_scenario_text

    text, cluster, unread = read_snapshot(session)
    try:
        scenario = check_scenario_text(text, str(output))
    except InputError as exc:
        click.echo(
            f"error: the snapshot of {cluster} is not a scenario pycau can simulate: "
            f"{' '.join(str(exc).split())}; nothing was written",
            err=True,
        )
        return EXIT_NOT_A_SCENARIO
    try:
        write_text_atomically(output, text)
    except OSError as exc:
        raise InputError(str(output), "", f"cannot write the scenario: {exc}") from exc
    spec = scenario.cluster
    volumes = len(spec.storage.volumes) if spec.storage is not None else 0
    click.echo(
        f"snapshot of {cluster}: {len(spec.nodes)} nodes, {len(spec.vms)} VMs, "
        f"{volumes} volume(s), witness {spec.witness.value}, {len(scenario.updates)} update(s) "
        f"offered; {unread} figures not read (listed in the file) -> {output}"
    )
    click.echo(f"rehearse it: pycau simulate {output}")
    return 0
