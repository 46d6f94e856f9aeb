"""Which cart kinds have an emulator."""

from __future__ import annotations

import importlib

from seom_desktop.emulators.base import Emulator

KINDS: dict[str, str] = {
    "woocommerce": "seom_desktop.emulators.woocommerce:WooCommerceEmulator",
    "shopify": "seom_desktop.emulators.shopify:ShopifyEmulator",
    "bigcommerce": "seom_desktop.emulators.bigcommerce:BigCommerceEmulator",
    "magento": "seom_desktop.emulators.magento:MagentoEmulator",
    "miva": "seom_desktop.emulators.miva:MivaEmulator",
}


def emulator_class(kind: str) -> type[Emulator]:
    target = KINDS.get(kind)
    if target is None:
        raise ValueError(f"no emulator for cart kind {kind!r} (emulated: {', '.join(KINDS)})")
    module_name, _, cls_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            raise
        raise ValueError(f"no emulator for cart kind {kind!r} in this version") from None
    return getattr(module, cls_name)
