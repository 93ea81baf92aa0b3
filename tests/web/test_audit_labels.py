"""Every audit action and detail key written anywhere in pbj/ has a label, so a new one
cannot reach the audit page as a raw code. The source is read, not run: each
`audit.record(...)` / `_record(...)` call's action and keywords, and the keys of the
dicts it spreads with `**`."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pbj
from pbj.web import labels

SOURCE = Path(pbj.__file__).parent
RECORD_CALLS = {"record", "_record"}
# record()'s own parameters and _record()'s `notice`: not details.
NOT_DETAILS = {"actor", "obj", "object_type", "object_id", "ip_address", "actor_label", "at", "notice"}
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "audit":
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _dict_keys(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)} | {
            key for v, k in zip(node.values, node.keys) if k is None for key in _dict_keys(v)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg for kw in node.keywords if kw.arg}
    if isinstance(node, ast.IfExp):
        return _dict_keys(node.body) | _dict_keys(node.orelse)
    return set()


def _spread_keys(function: ast.AST, name: str) -> set[str]:
    """Keys a function puts into the dict `name` it spreads into a record call."""
    keys: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    keys |= _dict_keys(node.value)
                if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                        and target.value.id == name and isinstance(target.slice, ast.Constant)):
                    keys.add(target.slice.value)
    return keys


def _params(function) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs]


def _scan() -> tuple[dict[str, str], dict[str, str]]:
    """(action -> where, detail key -> where) over every record call in pbj/.

    A function that hands its own parameter on as the action, or its own **kwargs as
    details (`_end(..., event, ..., **detail)` -> `_record(event, ..., **detail)`), is a
    record call too: the actions and keywords its callers pass are collected."""
    functions = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions += [(path, n) for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # name -> (index of the action among positional args or None, its keyword name, spreads **kwargs)
    recorders: dict[str, tuple[int | None, str | None, bool]] = {
        "record": (0, "action", True), "_record": (0, "event", True)}
    own_params: dict[str, set[str]] = {"record": NOT_DETAILS, "_record": NOT_DETAILS}
    actions: dict[str, str] = {}
    keys: dict[str, str] = {}
    for _round in range(4):  # forwarders of forwarders
        for path, function in functions:
            params = _params(function)
            kwargs = function.args.kwarg.arg if function.args.kwarg else None
            for call in ast.walk(function):
                name = _call_name(call) if isinstance(call, ast.Call) else None
                if name not in recorders or call is function:
                    continue
                index, action_kw, spreads = recorders[name]
                where = f"{path.relative_to(SOURCE)}:{call.lineno}"
                first = call.args[index] if index is not None and len(call.args) > index else next(
                    (kw.value for kw in call.keywords if kw.arg == action_kw), None)
                for node in ([first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        actions[node.value] = where
                    elif isinstance(node, ast.Name) and node.id in params and function.name not in recorders:
                        at = params.index(node.id)
                        recorders[function.name] = (at, node.id, bool(kwargs))
                        own_params[function.name] = set(params)
                if not spreads:
                    continue
                for kw in call.keywords:
                    if kw.arg is None:
                        spread = kw.value
                        if isinstance(spread, ast.Name) and spread.id == kwargs and function.name not in recorders:
                            recorders[function.name] = (None, None, True)
                            own_params[function.name] = set(params)
                        found = (_spread_keys(function, spread.id) if isinstance(spread, ast.Name)
                                 else _dict_keys(spread))
                        keys.update({k: where for k in found})
                    elif kw.arg not in own_params[name] | NOT_DETAILS and kw.arg != action_kw:
                        keys[kw.arg] = where
    return actions, keys


def test_the_scan_finds_what_it_should():
    # Guards the scanner itself: if it stopped reading calls, the tests below would pass on nothing.
    actions, keys = _scan()
    assert "order.submitted" in actions and "budget.set" in actions and len(actions) > 50
    assert {"order.cancelled", "order.expired", "auth.password_reset"} <= set(actions)  # handed on by helpers
    assert "missed_by" in keys  # the expiry's detail, through two helpers
    assert {"total", "payment_method", "preference_ground", "before", "has_certificate"} <= set(keys)


def test_every_recorded_action_has_a_label():
    actions, _keys = _scan()
    missing = {a: w for a, w in actions.items() if a not in labels.ACTION_LABELS}
    assert not missing, f"audit actions without a label in pbj/web/labels.py ACTION_LABELS: {missing}"


def test_every_detail_key_has_a_label():
    _actions, keys = _scan()
    missing = {k: w for k, w in keys.items() if k not in labels.DETAIL_LABELS}
    assert not missing, f"audit detail keys without a label in pbj/web/labels.py DETAIL_LABELS: {missing}"


def test_every_filter_choice_has_words():
    from pbj.services.audit_trail import AREAS, OBJECT_TYPES
    from pbj.web.audit_words import AREA_LABELS, OBJECT_LABELS

    assert set(OBJECT_TYPES) <= set(OBJECT_LABELS) and set(AREAS) == set(AREA_LABELS)
