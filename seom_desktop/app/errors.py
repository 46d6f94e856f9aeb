"""The errors app/ functions raise for bad input, in one place for the window: each
names the problem in the clerk's words and means nothing was changed."""

from __future__ import annotations

from seom_desktop.carts.base import CartError
from seom_desktop.carts.registry import UnknownKindError
from seom_desktop.credentials import CredentialError
from seom_desktop.inventory.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.stack.rows import StackInputError
from seom_desktop.store.carts import CartDefinitionError
from seom_desktop.store.params import ParamError

__all__ = ["CartDefinitionError", "CartError", "CredentialError", "InventoryError",
           "ParamError", "QuantityError", "StackInputError", "UnknownKindError",
           "UnknownSKUError"]
