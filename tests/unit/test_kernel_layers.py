"""The kernel model and the driver import downward only: every import inside pydriver/kernel and
pydriver/ringnic (at the top of a module or inside a function) goes to a module of a lower layer
(or one listed before it in its own layer), as LAYERS in each package's __init__ declares, and
the import graph has no cycle. A new module must take its place in LAYERS."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pydriver.kernel", "pydriver.ringnic")  # lowest first; read, not imported (a cycle
#                                                     would stop the import before naming its edge)


def _layers(pkg: str) -> tuple:
    tree = ast.parse((ROOT / pkg.replace(".", "/") / "__init__.py").read_text())
    (value,) = [n.value for n in tree.body if isinstance(n, ast.Assign)
                and [getattr(t, "id", None) for t in n.targets] == ["LAYERS"]]
    return ast.literal_eval(value)


def _order() -> dict:
    """module name -> rank: the packages in order, each one's LAYERS flattened."""
    names = [f"{pkg}.{m}" for pkg in PACKAGES for _, mods in _layers(pkg) for m in mods]
    return {name: i for i, name in enumerate(names)}


def _modules() -> dict:
    """module name -> path, for every .py file of the packages (__init__ as the package)."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg.replace(".", "/")).glob("*.py")):
            out[pkg if path.stem == "__init__" else f"{pkg}.{path.stem}"] = path
    return out


def _imports(name: str, path: Path, known) -> list:
    """(target module, line, where) for each import of a package module in `path`."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # `from pkg import mod` imports the module; `from mod import name` the module itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        where = "top" if id(node) in top else "function"
        out += [(t, node.lineno, where) for t in dict.fromkeys(targets) if t in known]
    return out


def _graph():
    known = _modules()
    return known, {name: _imports(name, path, known) for name, path in known.items()}


def test_every_module_has_a_layer():
    known, order = _modules(), _order()
    missing = sorted(set(known) - set(order) - set(PACKAGES))
    assert missing == [], f"modules missing from LAYERS in their package's __init__.py: {missing}"
    stale = sorted(set(order) - set(known))
    assert stale == [], f"LAYERS names modules that do not exist: {stale}"


def test_imports_go_downward_only():
    known, graph = _graph()
    order = _order()
    bad = []
    for src, edges in graph.items():
        if src not in order:
            continue  # a package __init__ imports its own modules (the initcalls)
        for dst, line, where in edges:
            if dst in order and order[dst] < order[src]:
                continue
            if dst == "pydriver.kernel" and src.startswith("pydriver.ringnic."):
                continue  # the kernel package, wholly below the driver
            bad.append(f"{known[src].relative_to(ROOT)}:{line}: {src} -> {dst} ({where}-level import)")
    assert bad == [], "imports against the layer order (pydriver/*/__init__.py LAYERS):\n" + "\n".join(bad)


def test_no_import_cycle():
    _, graph = _graph()
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dst, _, _ in graph.get(node, ()):
            if state.get(dst) == "open":
                cycles.append(" -> ".join(stack[stack.index(dst):] + [dst]))
            elif dst not in state:
                visit(dst)
        stack.pop()
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_package_imports_sit_at_the_top():
    known, graph = _graph()
    lazy = [f"{known[src].relative_to(ROOT)}:{line}: {src} -> {dst}"
            for src, edges in graph.items() for dst, line, where in edges if where == "function"]
    assert lazy == [], "function-level imports of package modules (register a hook instead):\n" + "\n".join(lazy)
