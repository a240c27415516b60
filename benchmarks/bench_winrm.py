"""Benchmark of the WinRM transport: round trips and bytes per node updated, over loopback.

Runs the bundled four-node scenario through the real WinRM transport (pywinrm, NTLM with
message encryption by default) against the simulated twin on 127.0.0.1, with the runner's
waits on the endpoint's clock, and prints:

- round trips (one script = one round trip: Command, Receive…, Signal), by script and in
  total, and per node updated; HTTP requests; SOAP bytes sent and received;
- observations: world observations vs observe round trips (target: ONE round trip per
  poll for the whole cluster view);
- wall time and milliseconds per round trip on loopback;
- whether the run was the simulated run (same report as ``pycau simulate``).

Prints; asserts nothing. Usage: python benchmarks/bench_winrm.py [--auth ntlm|basic] [SCENARIO]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner.profile import Profile  # noqa: E402
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearse, simulated_run_id  # noqa: E402
from runner.updating_run import run_updating_run  # noqa: E402
from runner.winrm.connection import AuthMethod, ConnectionOptions, Credentials  # noqa: E402
from runner.winrm.endpoint_clock import EndpointClock  # noqa: E402
from runner.winrm.transport import WinRMTransport  # noqa: E402
from simulator.scenario import load_scenario  # noqa: E402
from simulator.twin import Account, WsmanEndpoint  # noqa: E402
from simulator.twin.answers import TwinAnswers  # noqa: E402
from simulator.world import build_world  # noqa: E402

USER, SECRET = "bench", "bench-only-not-a-secret-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios/four-node-rolling.yaml")
    )
    parser.add_argument("--auth", choices=("ntlm", "basic"), default="ntlm")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    profile = Profile.from_mapping(scenario.profile, source=scenario.source).resolved(
        scenario.cluster.node_names
    )
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    with WsmanEndpoint(answers, account=Account(username=USER, password=SECRET)) as endpoint:
        options = ConnectionOptions(
            host="127.0.0.1",
            port=endpoint.port,
            insecure_http=True,
            single_endpoint=True,
            auth=AuthMethod(args.auth),
        )
        transport = WinRMTransport(options, Credentials(username=USER, password=SECRET))
        clock = EndpointClock(transport)
        wall = time.perf_counter()
        report = run_updating_run(
            transport,
            clock,
            profile,
            run_id=simulated_run_id(scenario.name, scenario.seed),
            started_at=SIMULATED_STARTED_AT,
        ).to_dict()
        wall = time.perf_counter() - wall
        transport.close()
        http_actions = list(endpoint.actions)

    simulated = rehearse(scenario, scenario.seed).to_dict()
    same = report == {k: v for k, v in simulated.items() if k != "simulation"}
    total = transport.stats.total()
    updated = sum(1 for n in report["nodes"] if n["status"] == "Succeeded") or 1
    scripts = dict(sorted(answers.scripts.items(), key=lambda kv: -kv[1]))
    cluster_trips = total.scripts - scripts.get("clock", 0)

    print(
        f"scenario {scenario.name}: {len(report['nodes'])} nodes, status {report['status']}, "
        f"auth {args.auth}, same report as pycau simulate: {'yes' if same else 'NO'}"
    )
    print(
        f"round trips (scripts)     {total.scripts:>8}   by script: "
        + ", ".join(f"{k} {v}" for k, v in scripts.items())
    )
    print(
        f"  of which the clock      {scripts.get('clock', 0):>8}   (twin only: runner waits "
        "advance the simulated world; a real run sleeps locally)"
    )
    print(
        f"  cluster work            {cluster_trips:>8}   = {cluster_trips / updated:.1f} "
        f"per node updated ({updated} nodes)"
    )
    print(
        f"HTTP requests             {total.requests:>8}   (Create {http_actions.count('Create')}, "
        f"Command {http_actions.count('Command')}, Receive {http_actions.count('Receive')}, "
        f"Signal {http_actions.count('Signal')}, Delete {http_actions.count('Delete')})"
    )
    print(
        f"SOAP bytes sent           {total.bytes_sent:>8}   = "
        f"{total.bytes_sent / updated / 1e6:.2f} MB per node updated"
    )
    print(
        f"SOAP bytes received       {total.bytes_received:>8}   = "
        f"{total.bytes_received / updated / 1e6:.2f} MB per node updated"
    )
    observes = scripts.get("observe", 0)
    print(f"connections cut           {answers.dropped:>8}   (scripts for a node that was away)")
    print(
        f"observations              {world.observations:>8}   observe round trips {observes} "
        f"→ {observes / max(world.observations, 1):.2f} round trip per poll (target 1)"
    )
    print(
        f"wall                      {wall:>8.2f} s = {1000 * wall / max(total.scripts, 1):.2f} ms "
        "per round trip on loopback"
    )
    for label, stats in sorted(transport.stats.by_label.items()):
        print(
            f"  shell {label:<10} scripts {stats.scripts:>6}  requests {stats.requests:>6}  "
            f"sent {stats.bytes_sent:>9}  received {stats.bytes_received:>9}"
        )


if __name__ == "__main__":
    main()
