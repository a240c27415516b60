"""The bundled scenario files, shipped as the data package ``simulator.scenarios``.

This folder holds data only: its YAML files. This file exists so that the folder is a
regular package that ``importlib.resources`` can read in a wheel and in an editable install
alike (see the comment on ``[tool.setuptools]`` in pyproject.toml); ``simulator.bundled``
is the one reader.
"""
