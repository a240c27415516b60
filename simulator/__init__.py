"""pycau's simulator: a deterministic SimPy world implementing the runner's transport + clock.

Must import from ``runner`` only its public contract (``runner.transport``, ``runner.types``,
``runner.errors``, ``runner.profile``) and nothing else of it.
"""
