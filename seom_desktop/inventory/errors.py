"""Errors for bad input to inventory operations: each names the problem; raising one
inside a store transaction rolls it back, so nothing is changed."""


class InventoryError(ValueError):
    """Bad input: the message names the problem for a clerk."""


class UnknownSKUError(InventoryError):
    pass


class QuantityError(InventoryError):
    pass
