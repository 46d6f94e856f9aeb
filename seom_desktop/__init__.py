"""seom-desktop: keeps quantity on hand in step between a store database and its carts."""

__version__ = "0.1.0"
