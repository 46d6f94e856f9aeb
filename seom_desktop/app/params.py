"""System parameters for the window: the registry (names, kinds, groups, descriptions:
store/params.py), their values, one parameter read, and a save of several at once
(every value checked first; all written in one transaction, or none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.store.params import PARAMS, ParamDef, ParamError, all_params, get_param, set_param

__all__ = ["PARAMS", "ParamDef", "ParamError", "param_value", "param_values", "save_params",
           "set_shared_controller"]


def param_values(store: StoreHandle) -> dict[str, Any]:
    """Every parameter's value (its default where none is stored)."""
    with store.read() as s:
        return all_params(s)


def param_value(store: StoreHandle, *, name: str) -> Any:
    with store.read() as s:
        return get_param(s, name)


def save_params(store: StoreHandle, *, changes: Mapping[str, str]) -> dict[str, Any]:
    """Check and write every `name -> text` in one transaction (ParamError: none
    written); the parsed values."""
    with store.write() as s:
        return {name: set_param(s, name, text) for name, text in changes.items()}


def set_shared_controller(store: StoreHandle, *, workstation: str) -> None:
    """SharedStackController: the workstation that sends for all ("" : each its own)."""
    with store.write() as s:
        set_param(s, "SharedStackController", workstation)
