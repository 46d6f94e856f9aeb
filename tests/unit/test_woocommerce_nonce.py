"""The OAuth nonce of WooCommerce requests over http: never the same twice, in this
process or in a child forked from it (RFC 5849 3.3: unique for the timestamp; the store
refuses a nonce it has seen, "Invalid nonce - nonce has already been used.")."""

from __future__ import annotations

import os

from seom_desktop.carts.woocommerce_oauth import fresh_nonce, sign


def test_every_request_gets_a_nonce_not_used_before():
    nonces = [sign("GET", "http://shop.test/wp-json/wc/v3/products", {"page": 1}, "ck",
                   "cs", timestamp=1)["oauth_nonce"] for _ in range(3)]
    nonces += [fresh_nonce() for _ in range(10_000)]
    assert len(set(nonces)) == len(nonces)
    assert all(n.isalnum() for n in nonces)  # sent as it is, nothing to percent-encode


def test_a_forked_child_draws_its_own_prefix():
    mine = fresh_nonce()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next nonce and leave at once
        try:
            os.write(write, fresh_nonce().encode())
        finally:
            os._exit(0)
    os.close(write)
    try:
        theirs = os.read(read, 100).decode()
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert theirs and theirs[:16] != mine[:16]  # the same count would follow mine otherwise
