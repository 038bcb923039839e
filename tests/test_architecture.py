"""The shape of the code that STYLE.md asks for, checked on the source itself.

- No module-level import cycle anywhere in ``bankapp/``.
- An import inside a function says why on its line or the line above (a comment).
- Only ``bankapp/shifts/lifecycle.py`` changes a shift's status.
- ``rates`` (cards and prices) never imports ``shifts``; shifts price themselves through it.
- Views, API and webhook modules never commit or roll back: the transaction edge does.
"""
import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bankapp"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _targets(module: str, node) -> list[str]:
    """The bankapp modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in MODULES]
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    out = []
    for alias in node.names:
        full = f"{prefix}.{alias.name}"
        out.append(full if full in MODULES else prefix)
    return [t for t in out if t in MODULES and t != module]


def _imports():
    """(module-level graph, [(path, line, source line, line above) of imports inside functions])."""
    graph, inner = defaultdict(set), []
    for name, path in MODULES.items():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        top = {id(n) for n in tree.body}
        top |= {id(c) for n in tree.body if isinstance(n, ast.If | ast.Try) for c in ast.walk(n)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = _targets(name, node)
            if id(node) in top:
                graph[name].update(targets)
            elif targets:
                inner.append((path, node.lineno, lines[node.lineno - 1], lines[node.lineno - 2]))
    return graph, inner


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(set(graph) | {w for targets in graph.values() for w in targets}):
        if module not in index:
            visit(module)
    return found


GRAPH, INNER = _imports()


def test_no_module_level_import_cycle():
    assert _cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_import_inside_a_function_says_why():
    silent = [f"{path.relative_to(ROOT)}:{line}: {text.strip()}" for path, line, text, above in INNER
              if "#" not in text and not above.strip().startswith("#")]
    assert not silent, "imports inside functions need a comment saying why:\n" + "\n".join(silent)


def test_rates_never_imports_shifts():
    rates = {m: targets for m, targets in GRAPH.items() if m.startswith("bankapp.rates")}
    inner = [(p, line) for p, line, text, _ in INNER if "bankapp/rates/" in str(p) and "shifts" in text]
    leaks = sorted(f"{m} -> {t}" for m, targets in rates.items() for t in targets if t.startswith("bankapp.shifts"))
    assert leaks == [] and inner == []


SHIFT_STATUS_WRITE = re.compile(r"\bshift\.status\s*=(?!=)|shift\.status,\s*[^=]*=|update\(Shift\).*status=")


def test_only_the_lifecycle_changes_a_shift_status():
    writers = [f"{path.relative_to(ROOT)}:{n}" for path in PACKAGE.rglob("*.py")
               if path != PACKAGE / "shifts" / "lifecycle.py"
               for n, line in enumerate(path.read_text().splitlines(), 1) if SHIFT_STATUS_WRITE.search(line)]
    assert writers == []


@pytest.mark.parametrize("pattern", ["views.py", "*_views.py", "api.py", "*_api.py", "webhook.py"])
def test_views_and_api_never_end_the_transaction(pattern):
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in PACKAGE.rglob(pattern)
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"session\.(commit|rollback)\(", line)]
    assert offenders == []
