"""What the Add/Edit Cart form asks for each kind of cart: which of the credential
fields (key, secret, token) and the location the kind's connector reads (carts/*.py,
`CartConfig` use), under which label, with a one-line hint where to find the value in
that cart's admin. A kind not listed here (a connector added later) gets every field.

Where the hints come from:
- WooCommerce: WooCommerce > Settings > Advanced > REST API (woocommerce.com docs,
  "REST API keys"); the connector reads key and secret only (carts/woocommerce.py).
- Shopify: Settings > Apps and sales channels > Develop apps > Admin API access token
  (shopify.dev, custom apps); Settings > Locations, the location's gid or name (the
  connector takes the shop's first active location when empty; carts/shopify.py).
- BigCommerce: Settings > API > Store-level API accounts (developer.bigcommerce.com,
  "Store API accounts"); Settings > Locations, its id, 1 when empty (support.bigcommerce.com
  Multi-Location; carts/bigcommerce.py reads the token and the location only).
- Magento: System > Extensions > Integrations (AdobeDocs commerce-webapi,
  gs-authentication-token); or an admin user name and password; Stores > Inventory >
  Sources, the source code ("default" when empty; carts/magento.py).
- Miva: Settings > User Management > API Tokens, the access token and, when the token
  requires a signature, its signing key (merchant-help.violet.io/platform-guides/miva;
  next-cart.com "How to get Miva Merchant API Access Token"); the store code ("default"
  when empty; carts/miva.py).
- Oscar: a staff user's name and password (the shop must set
  OSCARAPI_BLOCK_ADMIN_API_ACCESS = False; carts/oscar.py), or a Session-Id; the
  partner of Dashboard > Fulfilment > Partners (django-oscar
  src/oscar/apps/dashboard/partners menu: parent "fulfilment").
"""

from __future__ import annotations

from dataclasses import dataclass

CREDENTIALS = ("key", "secret", "token")
FIELDS = (*CREDENTIALS, "location")


@dataclass(frozen=True)
class CartField:
    name: str  # "key" | "secret" | "token" | "location"
    label: str
    hint: str  # where to find it in the cart's admin, one line
    secret: bool = True  # typed as a password and kept in the OS keyring


@dataclass(frozen=True)
class CartKindForm:
    kind: str
    url_hint: str
    fields: tuple[CartField, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> CartField | None:
        return next((f for f in self.fields if f.name == name), None)


def _location(label: str, hint: str) -> CartField:
    return CartField("location", label, hint, secret=False)


FORMS: dict[str, CartKindForm] = {f.kind: f for f in (
    CartKindForm("woocommerce", "the shop's address, e.g. https://shop.example.com", (
        CartField("key", "Consumer key:",
                  "WooCommerce > Settings > Advanced > REST API: Add key (Read/Write)"),
        CartField("secret", "Consumer secret:",
                  "Shown with the consumer key when the key is made (shown only once)"),
    )),
    CartKindForm("shopify", "the shop's address, e.g. https://shop.myshopify.com", (
        CartField("token", "Admin API access token:",
                  "Settings > Apps and sales channels > Develop apps > Admin API access token"),
        _location("Location:", "Settings > Locations (empty: the shop's first active location)"),
    )),
    CartKindForm("bigcommerce", "the API path, e.g. https://api.bigcommerce.com/stores/HASH", (
        CartField("token", "Access token:",
                  "Settings > API > Store-level API accounts: Create API account"),
        _location("Location id:", "Settings > Locations (empty: location 1)"),
    )),
    CartKindForm("magento", "the store's address, e.g. https://shop.example.com", (
        CartField("token", "Integration access token:",
                  "System > Extensions > Integrations: the integration's access token"),
        CartField("key", "Admin user (instead of a token):",
                  "An admin user name, when no integration token is given"),
        CartField("secret", "Admin password:", "That admin user's password"),
        _location("Source code:", "Stores > Inventory > Sources (empty: default)"),
    )),
    CartKindForm("miva", "the store's address, e.g. https://shop.example.com", (
        CartField("token", "API access token:",
                  "Settings > User Management > API Tokens: the token's access token"),
        CartField("secret", "Signing key (optional):",
                  "The same API token's signature key, when it requires a signature"),
        _location("Store code:", "The store's Store Code (empty: default)"),
    )),
    CartKindForm("oscar", "the shop's address, e.g. https://shop.example.com", (
        CartField("key", "Staff user name:",
                  "A staff user of the shop (the shop must allow the admin API)"),
        CartField("secret", "Password:", "That staff user's password"),
        CartField("token", "Session-Id (optional):",
                  "Instead of a password: an Oscar API Session-Id (SID:AUTH:...)"),
        _location("Partner:", "Dashboard > Fulfilment > Partners (empty: every partner)"),
    )),
)}


def cart_form(kind: str) -> CartKindForm:
    """The fields the form shows for `kind` (every field for a kind not listed)."""
    form = FORMS.get(kind)
    if form is not None:
        return form
    return CartKindForm(kind, "https://shop.example.com", (
        CartField("key", "Key:", ""), CartField("secret", "Secret:", ""),
        CartField("token", "Token:", ""),
        _location("Location:", "optional (e.g. a stock location or store view)")))
