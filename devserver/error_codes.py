"""Which error codes each route can answer, derived from the code: what its handler's calls can raise.

The shared package and the handler modules are read as source (nothing is imported or run). Every
function records the codes it raises itself (``DomainError("slug_taken", ...)``, ``not_found("org")``,
``forbidden(...)``, ``invalid(...)``, a module constant such as ``SLUG_TAKEN``) and the functions it
calls or passes on as callbacks. A route's codes are everything reachable from its handler plus what the
HTTP edge adds for that route's shape (identity, body, query string, ``Idempotency-Key`` on POST) and
what API Gateway answers for every route (token refused, throttled, a crash).

Resolution is by name, so it errs on the side of listing: a call on an object (``tx.commit()``) reaches
every method of that name in the package. A code a route really answers but that is not listed here is
a bug that ``tests/http`` catches (every problem answered in the HTTP tier must be in the route's list).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from orgplane.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "layers" / "orgplane"

# What API Gateway answers for any route before or around the function (template.yaml's gateway responses);
# a route behind the authorizer adds its refusal.
GATEWAY_CODES = frozenset({"rate_limited", "internal_error"})
AUTHORIZER_CODES = frozenset({"unauthorized"})
# The HTTP edge (orgplane.http.route's endpoint) around a handler, by what the route takes. Internal errors
# (error_response) are a gateway code already.
EDGE_AUTHENTICATED = ("orgplane.http.caller", "orgplane.http.require_scope")
EDGE_PATH = ("orgplane.http.check_path_values",)
EDGE_BODY = ("orgplane.http.parse_body", "orgplane.http.validation_problem")
EDGE_QUERY = ("orgplane.http.parse_query", "orgplane.http.validation_problem")
EDGE_IDEMPOTENT = ("orgplane.http.idempotency_key", "orgplane.http.run_idempotently")
# A path value the handler's resolver does not match (an encoded "#" or control character) is its
# "no such route" (orgplane.http.new_app), a 404 not_found under a route with parameters.
PATH_PARAM_CODES = frozenset({"not_found"})
_ERROR_FACTORIES = {"not_found", "forbidden", "invalid"}  # orgplane.errors helpers, resolved by name


@dataclass
class _Function:
    codes: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)  # resolved qualified names (functions, classes, constants)
    methods: set[str] = field(default_factory=set)  # attribute calls on objects: any method of that name


@dataclass
class _Module:
    name: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    definitions: set[str] = field(default_factory=set)  # top-level functions, classes and constants


class CallGraph:
    """Functions of the shared package and the handler modules, with the codes they can raise."""

    def __init__(self, files: Iterable[tuple[str, Path]]) -> None:
        self.modules = {name: _module(name, path) for name, path in files}
        self.functions: dict[str, _Function] = {}
        self.methods_by_name: dict[str, set[str]] = {}
        self.classes: dict[str, list[str]] = {}  # class -> its methods' qualified names
        for module in self.modules.values():
            self._index(module)

    # -------------------------------------------------------------- reading

    def _index(self, module: _Module) -> None:
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[f"{module.name}.{node.name}"] = self._read(module, node, None)
            elif isinstance(node, ast.ClassDef):
                qualified = f"{module.name}.{node.name}"
                methods = []
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        name = f"{qualified}.{item.name}"
                        self.functions[name] = self._read(module, item, qualified)
                        self.methods_by_name.setdefault(item.name, set()).add(name)
                        methods.append(name)
                self.classes[qualified] = methods
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):  # a constant: its value's codes and references
                        self.functions[f"{module.name}.{target.id}"] = self._read(module, node.value, None)

    def _read(self, module: _Module, node: ast.AST, cls: str | None) -> _Function:
        found = _Function()
        # a function's body and default values run; its decorators and annotations do not raise for it
        parts: list[ast.AST] = ([*node.body, *node.args.defaults, *node.args.kw_defaults]  # type: ignore[list-item]
                                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else [node])
        # annotations of local variables (``x: Callable[[Transaction], None] = ...``) run nothing either
        annotations = {id(n) for part in parts if part is not None for a in ast.walk(part)
                       if isinstance(a, ast.AnnAssign) for n in ast.walk(a.annotation)}
        nodes = [child for part in parts if part is not None for child in ast.walk(part) if id(child) not in annotations]
        calls = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for child in nodes:
            if isinstance(child, ast.Call):
                code = _raised_code(child)
                if code is not None:
                    found.codes.add(code)
            if not isinstance(child, ast.Name | ast.Attribute) or not isinstance(child.ctx, ast.Load):
                continue
            resolved = self._resolve(module, child, cls)
            if resolved is not None:
                found.refs.add(resolved)
            elif isinstance(child, ast.Attribute) and id(child) in calls and not _dunder(child.attr):
                found.methods.add(child.attr)  # ``super().__init__()`` is the class's own base, not every class
        return found

    def _resolve(self, module: _Module, node: ast.Name | ast.Attribute, cls: str | None) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in module.definitions:
                return f"{module.name}.{node.id}"
            return module.imports.get(node.id)
        base = node.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls") and cls is not None:
            return f"{cls}.{node.attr}"
        if isinstance(base, ast.Name | ast.Attribute):
            owner = self._resolve(module, base, cls)
            if owner is not None and (owner in self.modules or owner in self.classes
                                      or f"{owner}.{node.attr}" in self.functions):
                return f"{owner}.{node.attr}"
        return None

    # -------------------------------------------------------------- closure

    def codes(self, starts: Iterable[str]) -> set[str]:
        """Every code raised by ``starts`` and whatever they reach."""
        seen: set[str] = set()
        pending = list(starts)
        codes: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for target in self._targets(name):
                function = self.functions[target]
                codes |= function.codes
                pending.extend(function.refs)
                for method in function.methods:
                    pending.extend(self.methods_by_name.get(method, ()))
        return codes

    def _targets(self, name: str) -> Iterator[str]:
        if name in self.functions:
            yield name
        yield from self.classes.get(name, ())  # a class used: its methods may run


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _module(name: str, path: Path) -> _Module:
    tree = ast.parse(path.read_text(), filename=str(path))
    module = _Module(name, tree)
    package = name.rsplit(".", 1)[0] if path.name != "__init__.py" else name
    for node in ast.walk(tree):  # imports inside functions too (bound at call time to break a cycle)
        if isinstance(node, ast.Import):
            for alias in node.names:
                module.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            module.definitions.add(node.name)
        elif isinstance(node, ast.Assign):
            module.definitions.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            module.definitions.add(node.target.id)
    return module


def _raised_code(call: ast.Call) -> str | None:
    name = call.func.id if isinstance(call.func, ast.Name) else (
        call.func.attr if isinstance(call.func, ast.Attribute) else None)
    first = call.args[0] if call.args else None
    literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if name == "DomainError" and literal in CATALOGUE:
        return literal
    if name == "not_found" and literal is not None and f"{literal}_not_found" in CATALOGUE:
        return f"{literal}_not_found"
    if name in _ERROR_FACTORIES - {"not_found"}:
        return "forbidden" if name == "forbidden" else "validation_error"
    return None


def _files() -> Iterator[tuple[str, Path]]:
    for path in sorted((PACKAGE_DIR / "orgplane").rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path
    for path in sorted((ROOT / "functions").glob("*/app.py")):
        yield f"functions.{path.parent.name}.app", path


@cache
def graph() -> CallGraph:
    return CallGraph(_files())


def route_codes(handler_module: str, handler: str, *, has_body: bool, has_query: bool, has_path_params: bool,
                honours_key: bool, authenticated: bool = True) -> list[str]:
    """The codes ``handler`` (a function of the module ``functions.<name>.app``) can answer, in catalogue order.

    ``honours_key``: a POST that takes an ``Idempotency-Key``; ``authenticated``: behind the authorizer
    (every route but a public one)."""
    starts = [f"{handler_module}.{handler}"]
    found = set(GATEWAY_CODES)
    if authenticated:
        starts.extend(EDGE_AUTHENTICATED)
        found |= AUTHORIZER_CODES
    if has_path_params:
        starts.extend(EDGE_PATH)
        found |= PATH_PARAM_CODES
    if has_body:
        starts.extend(EDGE_BODY)
    if has_query:
        starts.extend(EDGE_QUERY)
    if honours_key:
        starts.extend(EDGE_IDEMPOTENT)
    found |= graph().codes(starts)
    return [code for code in CATALOGUE if code in found]
