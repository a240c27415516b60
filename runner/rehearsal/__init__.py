"""Rehearsals: simulated updating runs, sweeps over seeds, their shrunk reproducers, and the
twin that serves a simulated cluster over WinRM.

Owns: nothing but this map; import the submodules. Must not import the simulator at module
level (``runner.rehearsal.scenarios`` and ``runner.rehearsal.compose`` load it when called).

The one part of ``runner`` that reaches the simulator — lazily, so
``runner`` stays importable without SimPy. It returns typed results (``Rehearsal``,
``SweepResult``); the command line only wires options to it and renders what it returns.

- ``runner.rehearsal.compose``: ``rehearse`` one scenario and seed; ``run_coordinator`` over
  any transport to a world, with the ``coordinator-crash`` fault;
- ``runner.rehearsal.results``: ``Rehearsal``, ``Simulation``, ``InvariantOutcome``;
- ``runner.rehearsal.scenarios``: find, load and judge scenarios;
- ``runner.rehearsal.sweep`` and ``runner.rehearsal.shrink``: seeded sweeps and reproducers
  (``runner.rehearsal.fault_yaml``: a fault as a scenario file writes it);
- ``runner.rehearsal.backends``, ``runner.rehearsal.pools`` and ``runner.rehearsal.dask_pool``:
  where seeds run — local processes, a Dask LocalCluster or a Dask scheduler's workers —
  with results in seed order whichever runs them;
- ``runner.rehearsal.twin``: ``TwinServer``, a scenario's world served over WinRM.
"""
