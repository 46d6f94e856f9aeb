"""A connector for a stored cart, its credentials read from the OS keyring."""

from __future__ import annotations

from seom_desktop import credentials
from seom_desktop.carts.base import CartConfig, Connector
from seom_desktop.carts.registry import make_connector


def cart_config(cart, **overrides) -> CartConfig:
    """`cart`: a store Cart or anything with name, kind, url, location."""
    ref = getattr(cart, "credential_ref", "") or credentials.reference_for(cart.name)
    creds = credentials.load(ref)
    return CartConfig(name=cart.name, kind=cart.kind, url=cart.url, location=cart.location,
                      key=creds.get("key", ""), secret=creds.get("secret", ""),
                      token=creds.get("token", ""),
                      **{"ca_bundle": creds.get("ca_bundle", ""), **overrides})


def connect(cart, **overrides) -> Connector:
    """A connector for the cart, credentials read from the keyring."""
    return make_connector(cart_config(cart, **overrides))
