"""Architecture: the dependency direction and module habits of DESIGN.md, checked with ``ast``.

- ``runner`` (except ``runner/cli/``) imports neither ``simulator``, ``simpy`` nor ``pytest``;
- only ``runner/winrm/`` imports ``winrm``, ``spnego`` or ``requests_ntlm`` (the WS-Management
  twin in ``simulator/twin/`` may use ``spnego`` too: it is the server side, an NTLM acceptor);
- ``simulator`` imports from ``runner`` only its public contract;
- wall-clock calls (``time.sleep``, ``time.time``, ``datetime.now``) only in
  ``runner/clock.py`` and ``runner/cli/``;
- every module of ``runner`` and ``simulator`` opens with a docstring and has ≤ 400 lines;
- no import circle inside ``simulator`` (module-level and ``TYPE_CHECKING`` imports count),
  and no simulator module but ``simulator.world`` itself imports ``simulator.world``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("runner", "simulator")
MAX_LINES = 400

# runner.remote_protocol: the script wire format, which the twin (simulator/twin/) reads.
SIMULATOR_MAY_USE = frozenset(
    {
        "runner.types",
        "runner.work_types",
        "runner.offline_types",
        "runner.versions",
        "runner.errors",
        "runner.transport",
        "runner.profile",
        "runner.validation",
        "runner.remote_protocol",
        "runner.plugins",
        "runner.hotfix_config",
        "runner.run_option_types",
        "runner.stop_orders",
        "runner.post_types",
        "runner.capacity_types",
    }
)
# Where each WinRM library may be imported (directory prefixes).
WINRM_LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "winrm": ("runner/winrm/",),
    "requests_ntlm": ("runner/winrm/",),
    "spnego": ("runner/winrm/", "simulator/twin/"),
}
CORE_FORBIDDEN = frozenset({"simulator", "simpy", "pytest"})
SIMULATOR_HOMES = ("runner/rehearsal/",)
# Packages whose modules import each other without a circle.
CIRCLE_FREE = ("runner", "simulator")
WALL_CLOCK_ALLOWED = ("runner/clock.py", "runner/cli/")


@dataclass(frozen=True, slots=True)
class Module:
    """One parsed source file of a package."""

    rel: str  # "runner/engine.py"
    name: str  # "runner.engine"
    tree: ast.Module
    lines: int


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> list[Module]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            text = path.read_text(encoding="utf-8")
            found.append(
                Module(
                    rel=rel.as_posix(),
                    name=_module_name(rel),
                    tree=ast.parse(text, filename=str(rel)),
                    lines=len(text.splitlines()),
                )
            )
    return found


MODULES = _modules()


def _imports(module: Module) -> list[tuple[int, str]]:
    """Every module name imported anywhere in ``module`` (also inside functions), absolute.

    ``from pkg import name`` yields both ``pkg`` and ``pkg.name`` (name may be a submodule).
    """
    is_package = module.rel.endswith("__init__.py")
    package = module.name if is_package else module.name.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return out


def _top(name: str) -> str:
    return name.partition(".")[0]


def test_modules_were_found() -> None:
    """The checks below see the runner's and the simulator's modules (guards a wrong ROOT)."""
    names = {m.name for m in MODULES}
    assert {"runner", "runner.transport", "simulator", "simulator.model"} <= names


def test_only_the_rehearsal_package_reaches_the_simulator() -> None:
    """runner never imports pytest, and imports simulator or simpy only in the rehearsal
    package (runner/rehearsal/, the twin included): the CLI wires, rehearsal composes."""
    offenders = [
        f"{m.rel}:{line} imports {name}"
        for m in MODULES
        if m.rel.startswith("runner/")
        for line, name in _imports(m)
        if _top(name) in CORE_FORBIDDEN
        and (_top(name) == "pytest" or not m.rel.startswith(SIMULATOR_HOMES))
    ]
    assert offenders == []


# The parts of runner (DESIGN.md, shared/architecture.json) and the arrows that must never
# exist between them: the decision core never calls the loop, the contract is the floor,
# the loop knows no screen and cannot tell the worlds apart, persistence sits under the loop.
PARTS: dict[str, tuple[str, ...]] = {
    "Contract": ("runner.transport", "runner.types", "runner.work_types", "runner.errors",
                 "runner.clock", "runner.profile", "runner.plugins", "runner.versions",
                 "runner.hotfix_config", "runner.schedule", "runner.run_option_types",
                 "runner.offline_types", "runner.post_types", "runner.stop_orders",
                 "runner.capacity_types", "runner.fast_profile"),
    "Core": ("runner.decisions", "runner.lifecycle", "runner.quorum", "runner.safety",
             "runner.actions", "runner.maintenance_steps", "runner.work_steps",
             "runner.step_rules", "runner.timing", "runner.readiness", "runner.known_issues",
             "runner.progress", "runner.plugin_steps", "runner.mixed_mode", "runner.option_rules",
             "runner.offline_lifecycle", "runner.offline_actions", "runner.offline_decisions",
             "runner.offline_node_steps", "runner.offline_plan", "runner.offline_rules",
             "runner.offline_closing", "runner.capacity", "runner.fast_decisions",
             "runner.fast_actions", "runner.fast_steps"),
    "Engine": ("runner.engine", "runner.updating_run", "runner.acts", "runner.run_control",
               "runner.journaled", "runner.bookkeeping", "runner.recorder", "runner.recovery",
               "runner.preflight", "runner.credssp", "runner.report", "runner.lease",
               "runner.run_state", "runner.stop", "runner.atomic_write", "runner.evolve",
               "runner.options_start", "runner.offline_engine", "runner.offline_acts",
               "runner.offline_book", "runner.offline_looks", "runner.post_steps",
               "runner.post_run", "runner.cluster_report", "runner.fast_engine"),
    "Journal": ("runner.journal", "runner.journal_codec"),
    "WinRM": ("runner.winrm",),
    "CLI": ("runner.cli",),
    "Rehearsal": ("runner.rehearsal",),
}  # fmt: skip
NEVER = [
    ("Core", "Engine"), ("Core", "CLI"), ("Core", "WinRM"), ("Core", "Rehearsal"),
    ("Contract", "Core"), ("Contract", "Engine"), ("Engine", "CLI"), ("Engine", "WinRM"),
    ("Engine", "Rehearsal"), ("WinRM", "Engine"), ("Journal", "Engine"),
    ("Rehearsal", "CLI"), ("WinRM", "Rehearsal"),
]  # fmt: skip


def _part(name: str) -> str | None:
    for part, prefixes in PARTS.items():
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return part
    return None


def test_no_arrow_the_design_forbids() -> None:
    """No module of one part imports a module of a part it must never depend on."""
    offenders = [
        f"{m.rel}:{line} ({_part(m.name)}) imports {name} ({_part(name)})"
        for m in MODULES
        for line, name in _imports(m)
        if (_part(m.name), _part(name)) in NEVER
    ]
    assert offenders == []


def test_no_module_imports_another_modules_private_names() -> None:
    """Nothing imports another module's private (``_name``) parts: the engine's drivers use
    its public API, the CLI its public decorators."""
    offenders = []
    for module in MODULES:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and _top(node.module or "") in PACKAGES:
                offenders += [
                    f"{module.rel}:{node.lineno} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []


def test_only_runner_winrm_imports_winrm_libraries() -> None:
    """winrm and requests_ntlm only under runner/winrm/; spnego also in the simulator's twin."""
    offenders = [
        f"{m.rel}:{line} imports {name}"
        for m in MODULES
        for line, name in _imports(m)
        if _top(name) in WINRM_LIBRARY_HOMES
        and not m.rel.startswith(WINRM_LIBRARY_HOMES[_top(name)])
    ]
    assert offenders == []


def test_only_the_command_line_imports_the_winrm_transport() -> None:
    """runner.winrm is reached only from runner/cli/ (and itself): the engine, the core and
    the rehearsals never pay for the WinRM stack or know which world they drive."""
    offenders = [
        f"{m.rel}:{line} imports {name}"
        for m in MODULES
        if m.rel.startswith("runner/") and not m.rel.startswith(("runner/cli/", "runner/winrm/"))
        for line, name in _imports(m)
        if name == "runner.winrm" or name.startswith("runner.winrm.")
    ]
    assert offenders == []


def test_simulator_uses_only_the_runner_contract() -> None:
    """simulator imports from runner only types, errors, transport, profile (and validation)."""
    offenders = []
    for module in MODULES:
        if not module.rel.startswith("simulator/"):
            continue
        for line, name in _imports(module):
            if _top(name) != "runner" or name == "runner":
                continue
            # ``from runner.types import X`` also yields "runner.types.X": judge the module.
            allowed = any(name == ok or name.startswith(ok + ".") for ok in SIMULATOR_MAY_USE)
            if not allowed:
                offenders.append(f"{module.rel}:{line} imports {name}")
    assert offenders == []


def _wall_clock_calls(module: Module) -> list[str]:
    """Uses of time.sleep / time.time / datetime.now (and utcnow), however imported."""
    hits = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            banned = {"time": {"sleep", "time"}, "datetime": set()}[node.module]
            hits.extend(
                f"{module.rel}:{node.lineno} from {node.module} import {alias.name}"
                for alias in node.names
                if alias.name in banned
            )
        elif isinstance(node, ast.Attribute):
            owner = node.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else ""
            )
            if (owner_name == "time" and node.attr in ("sleep", "time")) or (
                owner_name == "datetime" and node.attr in ("now", "utcnow")
            ):
                hits.append(f"{module.rel}:{node.lineno} {owner_name}.{node.attr}")
    return hits


def test_wall_clock_only_in_clock_and_cli() -> None:
    """time.sleep, time.time and datetime.now appear only in runner/clock.py and runner/cli/."""
    offenders = [
        hit
        for m in MODULES
        if not m.rel.startswith(WALL_CLOCK_ALLOWED)
        for hit in _wall_clock_calls(m)
    ]
    assert offenders == []


def test_wall_clock_detector_finds_the_banned_forms() -> None:
    """The detector used above recognises each banned spelling (so an empty list means none)."""
    source = (
        "import time\nfrom time import sleep\nimport datetime as dt\n"
        "from datetime import datetime\n"
        "time.sleep(1)\ntime.time()\ndatetime.now()\ndt.datetime.now()\ntime.monotonic()\n"
    )
    module = Module(rel="x.py", name="x", tree=ast.parse(source), lines=9)
    hits = _wall_clock_calls(module)
    assert len(hits) == 5
    assert not any("monotonic" in hit for hit in hits)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.rel)
def test_module_opens_with_docstring_and_stays_small(module: Module) -> None:
    """Each module opens with a docstring saying what it owns ("Owns") and what it must not
    do ("Must not"), and has at most 400 lines."""
    docstring = ast.get_docstring(module.tree) or ""
    assert docstring, f"{module.rel} has no module docstring"
    assert "Owns" in docstring, f"{module.rel}: the docstring does not say what it owns"
    assert "Must not" in docstring, f"{module.rel}: the docstring does not say what it must not do"
    assert module.lines <= MAX_LINES, f"{module.rel} has {module.lines} lines (max {MAX_LINES})"


def test_import_scanner_sees_relative_and_lazy_imports() -> None:
    """The scanner resolves relative imports and finds imports inside functions."""
    source = "from . import engine\nfrom ..x import y\ndef f():\n    import simpy\n"
    module = Module(rel="runner/cli/a.py", name="runner.cli.a", tree=ast.parse(source), lines=4)
    names = {name for _, name in _imports(module)}
    assert {"runner.cli", "runner.cli.engine", "runner.x", "runner.x.y", "simpy"} <= names


def _import_edges(module: Module, known: frozenset[str], *, lazy: bool) -> list[str]:
    """Modules of ``known`` that ``module`` imports when it is imported (or type-checked),
    and with ``lazy`` also those its functions import when they run.

    Module level counts, including ``if TYPE_CHECKING:``, ``try`` and class bodies; an
    import inside a function counts only with ``lazy`` (it runs later, when a circle would
    be complete: legal Python, but a layer that calls back up).
    ``from pkg import name`` points at ``pkg.name`` when that is a module, else at ``pkg``.
    """
    is_package = module.rel.endswith("__init__.py")
    package = module.name if is_package else module.name.rpartition(".")[0]

    def owner(name: str) -> str:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name

    found: list[str] = []
    pending: list[ast.AST] = [module.tree]
    while pending:
        for node in ast.iter_child_nodes(pending.pop()):
            if not lazy and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(node, ast.Import):
                found += [owner(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                for alias in node.names:
                    child = f"{target}.{alias.name}"
                    found.append(child if child in known else owner(target))
            pending.append(node)
    return sorted({name for name in found if name and name != module.name})


def _circles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: dict[str, bool] = {}
    found: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack[name] = True
        for target in graph.get(name, []):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif on_stack.get(target):
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack[member] = False
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def _graph(modules: list[Module], *, lazy: bool = False) -> dict[str, list[str]]:
    known = frozenset(m.name for m in modules)
    return {m.name: _import_edges(m, known, lazy=lazy) for m in modules}


def test_no_simulator_module_imports_the_world() -> None:
    """Subsystems reach the world through simulator.world_port, never simulator.world."""
    offenders = [
        f"{m.rel}:{line} imports {name}"
        for m in MODULES
        if m.rel.startswith("simulator/") and m.name != "simulator.world"
        for line, name in _imports(m)
        if name == "simulator.world" or name.startswith("simulator.world.")
    ]
    assert offenders == []


@pytest.mark.parametrize("package", CIRCLE_FREE)
@pytest.mark.parametrize("lazy", [False, True], ids=["at-import", "in-functions-too"])
def test_no_import_circle(package: str, lazy: bool) -> None:
    """No module of the package imports, directly or through others, one that imports it —
    not even from inside a function (a lower layer calling back up)."""
    inside = [m for m in MODULES if m.name == package or m.name.startswith(package + ".")]
    assert _circles(_graph(inside, lazy=lazy)) == []


def test_circle_finder_sees_type_checking_imports_and_lazy_ones_when_asked() -> None:
    """A circle closed by a TYPE_CHECKING import is always found; one closed inside a
    function only when imports in functions count (``lazy``)."""
    sources = {
        "pkg.a": "from pkg.b import B\n",
        "pkg.b": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import c\n",
        "pkg.c": "import pkg.a\n",
        "pkg.d": "def later():\n    from pkg import a\n",
        "pkg.e": "from pkg.d import later\n",
        "pkg.f": "from pkg.g import later\n",
        "pkg.g": "def later():\n    from pkg import f\n",
    }
    modules = [
        Module(rel=name.replace(".", "/") + ".py", name=name, tree=ast.parse(text), lines=1)
        for name, text in sources.items()
    ]
    assert _circles(_graph(modules)) == [["pkg.a", "pkg.b", "pkg.c"]]
    # Counting imports inside functions too, g's function closes a circle with f.
    both = [["pkg.a", "pkg.b", "pkg.c"], ["pkg.f", "pkg.g"]]
    assert _circles(_graph(modules, lazy=True)) == both
