"""The command-line commands, one module per group; each has register(sub, common)."""

from seom_desktop.commands import (
    carts,
    controller,
    demo,
    emulator,
    gui,
    kits,
    params,
    products,
    reconcile,
    stack,
    stock,
    transfer,
    warehouses,
)

COMMAND_MODULES = [gui, demo, products, params, carts, stock, stack, controller, transfer,
                   reconcile, kits, warehouses, emulator]
