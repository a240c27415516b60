"""pycau's simulator: a deterministic SimPy world implementing the runner's transport + clock.

Owns: nothing at package level; the world is ``simulator.world.build_world``.

Must not import from ``runner`` anything but its public contract (``runner.transport``,
``runner.types``, ``runner.errors``, ``runner.profile``, ``runner.validation``) and, for the
twin, the script wire format ``runner.remote_protocol``.
"""
