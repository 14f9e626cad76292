"""Turn JSON into the SDK's frozen dataclasses, strictly by their type hints.

- A field without a default must be present in the JSON (else `ResponseDecodeError` names it); a field with a
  default may be missing (an older server).
- Keys the dataclass does not know are ignored (a newer server may add fields without breaking clients).
- Each decoded object keeps the JSON it came from in its `raw` field (not compared, not in repr).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar, Union
from uuid import UUID

from novacron_sdk.errors import ResponseDecodeError

T = TypeVar("T")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(cls: type[T], data: Any, *, path: str = "$") -> T:
    """Decode `data` (parsed JSON) into `cls`, a dataclass or a supported type."""
    return _convert(cls, data, path)


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(option, value, path)
            except ResponseDecodeError as exc:
                errors.append(str(exc))
        raise ResponseDecodeError(f"{path}: does not match {tp}: {'; '.join(errors)}")
    if value is None:
        raise ResponseDecodeError(f"{path}: is null, expected {getattr(tp, '__name__', tp)}")
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(tp, value, path)
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        _expect(value, list, path)
        return tuple(_convert(item_type, item, f"{path}[{i}]") for i, item in enumerate(value))
    if origin is dict or origin is typing.Mapping or tp is dict:
        _expect(value, dict, path)
        args = typing.get_args(tp)
        value_type = args[1] if args else Any
        return {key: _convert(value_type, item, f"{path}.{key}") for key, item in value.items()}
    return _scalar(tp, value, path)


def _dataclass(cls: type, value: Any, path: str) -> Any:
    _expect(value, dict, path)
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name == "raw":
            kwargs["raw"] = value
            continue
        key = field.metadata.get("json", field.name)
        if key not in value:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ResponseDecodeError(f"{path}: the response has no field {key!r}")
            continue
        kwargs[field.name] = _convert(hints[field.name], value[key], f"{path}.{key}")
    return cls(**kwargs)


def _scalar(tp: Any, value: Any, path: str) -> Any:
    try:
        if tp is datetime:
            _expect(value, str, path)
            return datetime.fromisoformat(value)
        if tp is date:
            _expect(value, str, path)
            return date.fromisoformat(value)
        if tp is UUID:
            _expect(value, str, path)
            return UUID(value)
        if tp is Decimal:
            _expect(value, (str, int, float), path)
            return Decimal(str(value))
    except (ValueError, InvalidOperation) as exc:
        raise ResponseDecodeError(f"{path}: {value!r} is not a valid {tp.__name__}") from exc
    if tp is float:
        _expect(value, (int, float), path)
        return float(value)
    if tp is int:
        if isinstance(value, bool):
            raise ResponseDecodeError(f"{path}: expected int, got bool")
        _expect(value, int, path)
        return value
    if tp in (str, bool):
        _expect(value, tp, path)
        return value
    raise TypeError(f"the SDK cannot decode {tp!r} at {path}")  # a bug in a model, not in the response


def _expect(value: Any, kinds: type | tuple[type, ...], path: str) -> None:
    if not isinstance(value, kinds):
        names = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
        raise ResponseDecodeError(f"{path}: expected {names}, got {type(value).__name__}")
