"""The OAuth 1.0a signature base string and query of WooCommerce requests over http
(RFC 5849 3.4.1: the normalized parameters percent-encoded once more as a whole; 3.6: RFC
3986 encoding). The base string encodes the joined pairs by replacing '%', '&' and '='
alone; these tests hold it to `urllib.parse.quote` of the same text, whatever the names
and values hold. The query carries the same RFC 3986 encoding: WooCommerce reads the
oauth_* parameters from PHP's $_GET, which decodes %XX whether the query was form- or
RFC 3986-encoded, and normalizes them with rawurlencode before checking the signature
(WC_REST_Authentication::get_oauth_parameters and check_oauth_signature,
plugins/woocommerce/includes/class-wc-rest-authentication.php in woocommerce/woocommerce).
That the store accepts what is signed is tested against the emulator
(tests/integration/test_woocommerce_auth.py)."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, quote

from hypothesis import given
from hypothesis import strategies as st

from seom_desktop.carts.woocommerce_oauth import base_string, encode, signature, signed_query

URL = "http://Shop.Test:80/wp-json/wc/v3/products"
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.dictionaries(texts.filter(bool), texts, max_size=6))
def test_the_base_string_is_the_joined_pairs_percent_encoded(params):
    pairs = sorted((encode(k), encode(v)) for k, v in params.items())
    joined = "&".join(f"{k}={v}" for k, v in pairs)
    assert base_string("get", URL, params) == (
        "GET&" + quote("http://shop.test/wp-json/wc/v3/products", safe="-._~") + "&"
        + quote(joined, safe="-._~"))


@given(st.dictionaries(texts.filter(lambda t: t and not t.startswith("oauth_")), texts,
                       max_size=5))
def test_the_signed_query_carries_every_parameter_and_a_signature_over_them(params):
    query = signed_query("GET", URL, params, "ck_key", "cs_secret")
    assert "+" not in query and " " not in query  # RFC 3986: nothing a form decodes otherwise
    sent = dict(parse_qsl(query, keep_blank_values=True))
    assert {k: v for k, v in sent.items() if not k.startswith("oauth_")} == params
    assert sent["oauth_consumer_key"] == "ck_key"
    given_signature = sent.pop("oauth_signature")
    assert hmac.compare_digest(given_signature, signature("GET", URL, sent, "cs_secret"))
