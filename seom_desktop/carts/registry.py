"""Which cart kinds exist, their connector classes and their capabilities."""

from __future__ import annotations

import importlib

from seom_desktop.carts.base import CartConfig, Connector

# kind -> "module:Class"; a kind whose module is not there yet is refused clearly.
KINDS: dict[str, str] = {
    "woocommerce": "seom_desktop.carts.woocommerce:WooCommerceConnector",
    "shopify": "seom_desktop.carts.shopify:ShopifyConnector",
    "bigcommerce": "seom_desktop.carts.bigcommerce:BigCommerceConnector",
    "magento": "seom_desktop.carts.magento:MagentoConnector",
    "miva": "seom_desktop.carts.miva:MivaConnector",
    "oscar": "seom_desktop.carts.oscar:OscarConnector",
}


class UnknownKindError(ValueError):
    pass


def connector_class(kind: str) -> type[Connector]:
    target = KINDS.get(kind)
    if target is None:
        raise UnknownKindError(f"unknown cart kind {kind!r} (kinds: {', '.join(KINDS)})")
    module_name, _, cls_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            raise
        raise UnknownKindError(f"cart kind {kind!r} has no connector in this version") from None
    return getattr(module, cls_name)


def available_kinds() -> list[str]:
    out = []
    for kind in KINDS:
        try:
            connector_class(kind)
        except UnknownKindError:
            continue
        out.append(kind)
    return out


def capabilities(kind: str) -> frozenset[str]:
    return connector_class(kind).capabilities


def make_connector(config: CartConfig) -> Connector:
    return connector_class(config.kind)(config)
