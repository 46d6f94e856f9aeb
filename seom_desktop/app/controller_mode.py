"""Which stack controller this workstation runs (none, local or shared), as plain data
for the window: the reference page's rule, read from the SharedStackController
parameter. Qt-free, so the window's controller thread never touches the store."""

from __future__ import annotations

from dataclasses import dataclass

from seom_desktop.store.params import get_param


@dataclass(frozen=True)
class ControllerMode:
    """What this workstation's controller should be: none, local or shared."""

    run: bool
    shared: bool
    designated: str

    def describe(self, workstation: str) -> str:
        if not self.run:
            return f"shared stack controller is {self.designated}; this workstation sends nothing"
        if self.shared:
            return f"shared stack controller: this workstation ({workstation})"
        return "local stack controller: this workstation sends its own changes"


def controller_mode(store, workstation: str) -> ControllerMode:
    """By default each workstation sends its own changes (a local controller); when
    SharedStackController names a workstation, only that one runs, for everyone
    (shared)."""
    with store.read() as s:
        designated = get_param(s, "SharedStackController") or ""
    if not designated:
        return ControllerMode(True, False, "")
    if designated == workstation:
        return ControllerMode(True, True, designated)
    return ControllerMode(False, False, designated)
