"""The SDK against the server's OpenAPI schema: every endpoint the SDK calls exists with its method, and every
field of its response models is in the response schema with a compatible type, required when the SDK needs it
and nullable only where the SDK accepts None. An API change then breaks this test, not the SDK's users.

An area whose namespace the schema does not list at all yet (its API is still being built) is skipped with a
reason; as soon as the area serves one endpoint, all of the SDK's endpoints in it are checked.
"""

from __future__ import annotations

import ast
import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Union
from uuid import UUID

import pytest
from drf_spectacular.generators import SchemaGenerator

import novacron_sdk
from novacron_sdk.endpoints import Endpoint, registered_endpoints

ENDPOINTS = [e for e in registered_endpoints() if e.in_schema]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and a single-item allOf (how drf-spectacular wraps a nullable reference)."""
    while True:
        if "$ref" in node:
            node = {
                **schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]],
                **_without(node, "$ref"),
            }
        elif len(node.get("allOf", [])) == 1:
            node = {**node["allOf"][0], **_without(node, "allOf")}
        else:
            return node


def _without(node: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


def _skip_pending_area(schema: dict[str, Any], endpoint: Endpoint) -> None:
    prefix = f"/api/v1/{endpoint.area}/"
    if not any(path.startswith(prefix) for path in schema["paths"]):
        pytest.skip(f"{prefix} has no endpoints yet (its API is still being built); checked once it has one")


def _operation(schema: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    _skip_pending_area(schema, endpoint)
    assert endpoint.path in schema["paths"], f"the schema has no path {endpoint.path}"
    operations = schema["paths"][endpoint.path]
    assert endpoint.method.lower() in operations, f"{endpoint.path} has no {endpoint.method} in the schema"
    return operations[endpoint.method.lower()]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_the_endpoint_exists_in_the_schema(schema, endpoint):
    _operation(schema, endpoint)


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.response is not None], ids=lambda e: f"{e.method} {e.path}"
)
def test_the_response_model_matches_the_schema(schema, endpoint):
    operation = _operation(schema, endpoint)
    success = [code for code in operation["responses"] if str(code).startswith("2")]
    assert success, f"{endpoint.path} documents no 2xx response"
    content = operation["responses"][success[0]].get("content", {})
    assert "application/json" in content, f"{endpoint.path}: no JSON response documented"
    body = _resolve(schema, content["application/json"]["schema"])
    if endpoint.paginated:
        assert {"count", "next", "results"} <= set(body["properties"]), "not a paginated list"
        body = _resolve(schema, body["properties"]["results"]["items"])

    problems = _compare(schema, endpoint.response, body, "$")

    assert not problems, f"{endpoint.method} {endpoint.path}:\n" + "\n".join(problems)


def test_the_contract_catches_drift(schema):
    """The checks bite: an unknown path, a renamed field, a wrong type and a missed null are all reported."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Drifted:
        public_id: int  # a UUID string in the API
        e_mail: str  # renamed
        expires_at: datetime  # nullable in the API

    tokens = _resolve(schema, schema["components"]["schemas"]["ApiToken"])

    problems = _compare(schema, Drifted, tokens, "$")

    assert problems == [
        "$.public_id: the SDK expects int, the schema has string/uuid",
        "$.e_mail: the SDK reads it, the schema does not have it",
        "$.expires_at: nullable in the schema, the SDK does not accept None",
    ]
    with pytest.raises(AssertionError, match="no path"):
        _operation(schema, Endpoint("GET", "/api/v1/accounts/no-such-thing/"))
    with pytest.raises(AssertionError, match="has no DELETE"):
        _operation(schema, Endpoint("DELETE", "/api/v1/accounts/me/"))


def test_every_sdk_call_goes_through_a_declared_endpoint():
    """Paths appear only inside endpoint(...) declarations, and only client.py speaks HTTP: a URL built by hand
    elsewhere would escape this contract."""
    package = Path(novacron_sdk.__file__).parent
    problems = []
    for source in sorted(package.rglob("*.py")):
        tree = ast.parse(source.read_text(), filename=str(source))
        declared = {
            id(arg)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "endpoint"
            for arg in node.args
        }
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith(("/api/v1/", "/health"))
                and id(node) not in declared | docstrings
            ):
                problems.append(f"{source.relative_to(package)}:{node.lineno}: {node.value}")
            if isinstance(node, ast.Import | ast.ImportFrom) and source.name != "client.py":
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                if any(name.split(".")[0] in {"httpx", "urllib3", "requests", "http"} for name in names):
                    problems.append(f"{source.relative_to(package)}:{node.lineno}: imports an HTTP library")

    assert not problems, "\n".join(problems)


# --- comparing a dataclass with a JSON schema -------------------------------------------------------------------

_SCALARS: dict[Any, tuple[str, set[str | None]]] = {
    str: ("string", {None, "email", "uri", "slug", "uuid", "date-time", "date"}),
    int: ("integer", {None, "int32", "int64"}),
    bool: ("boolean", {None}),
    float: ("number", {None, "float", "double", "decimal"}),
    datetime: ("string", {"date-time"}),
    date: ("string", {"date"}),
    UUID: ("string", {"uuid"}),
    Decimal: ("string", {"decimal"}),
}


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(tp))
        return (args[0] if len(args) == 1 else tp), nullable
    return tp, False


def _compare(schema: dict[str, Any], model: type, node: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    properties = node.get("properties", {})
    required = set(node.get("required", []))
    hints = typing.get_type_hints(model)
    for field in dataclasses.fields(model):
        if field.name == "raw":
            continue
        key = field.metadata.get("json", field.name)
        here = f"{where}.{key}"
        if key not in properties:
            problems.append(f"{here}: the SDK reads it, the schema does not have it")
            continue
        optional_in_sdk = not (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if not optional_in_sdk and key not in required:
            problems.append(f"{here}: required by the SDK, optional in the schema")
        problems += _compare_type(schema, hints[field.name], properties[key], here)
    return problems


def _compare_type(schema: dict[str, Any], tp: Any, node: dict[str, Any], where: str) -> list[str]:
    tp, sdk_nullable = _unwrap_optional(tp)
    node = _resolve(schema, node)
    if node.get("nullable") and not sdk_nullable:
        return [f"{where}: nullable in the schema, the SDK does not accept None"]
    if tp is Any:
        return []
    if dataclasses.is_dataclass(tp):
        return _compare(schema, tp, node, where)
    origin = typing.get_origin(tp)
    if origin is tuple:
        if node.get("type") != "array":
            return [f"{where}: the SDK expects a list, the schema has {node.get('type')}"]
        return _compare_type(schema, typing.get_args(tp)[0], node.get("items", {}), f"{where}[]")
    if origin is dict or tp is dict:
        if node.get("type") != "object":
            return [f"{where}: the SDK expects an object, the schema has {node.get('type')}"]
        args = typing.get_args(tp)
        additional = node.get("additionalProperties")
        if args and isinstance(additional, dict) and additional:
            return _compare_type(schema, args[1], additional, f"{where}{{}}")
        return []
    options = node.get("oneOf") or node.get("anyOf")
    if options:  # e.g. a URL field that may be blank: every alternative must fit
        return [p for option in options for p in _compare_type(schema, tp, option, where)]
    expected_type, formats = _SCALARS[tp]
    if node.get("type") != expected_type or node.get("format") not in formats:
        return [
            f"{where}: the SDK expects {tp.__name__}, the schema has {node.get('type')}/{node.get('format')}"
        ]
    return []
