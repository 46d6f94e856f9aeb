"""WordPress REST conventions the WooCommerce emulator answers with: WP_Error bodies,
`rest_invalid_param`, the global `_fields` parameter
(developer.wordpress.org/rest-api/using-the-rest-api/global-parameters/), and the
integer parsing of request values."""

from __future__ import annotations

import re
from typing import Any

from seom_desktop.emulators.base import Request, Response


def wp_error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "data": {"status": status, **data}}


def fail(code: str, message: str, status: int, **data: Any) -> Response:
    return Response.json(wp_error(code, message, status, **data), status)


def invalid_param(name: str, why: str) -> Response:
    return fail("rest_invalid_param", f"Invalid parameter(s): {name}", 400, params={name: why})


def fields_of(req: Request) -> list[str] | None:
    """WordPress's global `_fields` parameter: a comma-separated list (or `_fields[]=`
    array syntax) of the top-level fields to keep; a dotted name keeps its top level."""
    raw = [v for k, vs in req.query.items() if k in ("_fields", "_fields[]") for v in vs]
    names = [n.strip().split(".")[0] for v in raw for n in v.split(",") if n.strip()]
    return names or None


def only(row: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    return row if fields is None else {k: v for k, v in row.items() if k in fields}


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None
