"""HttpClient (carts/http.py, on urllib3) over real loopback sockets, the rules it kept
from requests and where it is stricter: each redirect's method and body compared with
what requests itself does with the same answer (requests is a test dependency); a
redirect to another host takes none of the connector's headers and never a body; a
redirect to an address a cart URL could not be is not followed; a read timeout (retryable
for a read, ambiguous for a write); a body broken off while streamed; a header that
cannot be sent; the environment's proxy with credentials, NO_PROXY networks, SOCKS
refused."""

from __future__ import annotations

import base64
import socket
import threading

import pytest
import requests
from woo_kit import woo_fixtures

from seom_desktop.carts.base import AmbiguousError, CartConfig, PermanentError, RetryableError
from seom_desktop.carts.http import HttpClient
from seom_desktop.carts.http_response import ConnectionLostError
from seom_desktop.emulators.base import Response
from seom_desktop.emulators.woocommerce import WooCommerceEmulator

KEY, SECRET = "ck_rules", "cs_rules"
TOKEN = "tok-rules-secret-1"

server, emu = woo_fixtures(KEY, SECRET)


def config(url: str, read_timeout: float = 5.0) -> CartConfig:
    return CartConfig(name="woo", kind="woocommerce", url=url, key=KEY, secret=SECRET,
                      token=TOKEN, connect_timeout=2.0, read_timeout=read_timeout)


@pytest.fixture
def echo(emu, monkeypatch):
    """The cart answers /moved-NNN?to=URL with a redirect NNN to URL (or /echo), and
    /echo with the method and body it got. The requests as they arrived."""
    seen = []

    def handle(req):
        seen.append(req)
        if req.path.startswith("/moved-"):
            return Response(int(req.path[7:10]), b"", {"Location": req.arg("to") or "/echo"})
        if req.path == "/echo":
            return Response.json({"method": req.method, "body": req.body.decode()})
        return Response.json({"error": "no such path"}, 404)

    monkeypatch.setattr(emu, "handle", handle)
    return seen


@pytest.mark.parametrize("status,method,after", [
    (301, "POST", "GET"), (301, "PUT", "PUT"), (302, "POST", "GET"), (302, "PATCH", "GET"),
    (303, "PUT", "GET"), (307, "POST", "POST"), (308, "PATCH", "PATCH"),
])
def test_a_redirect_is_followed_as_requests_follows_it(emu, echo, status, method, after):
    http = HttpClient(config(emu.url))
    mine = http.json(http.request(method, f"/moved-{status}", json={"a": 1}, write=True))
    http.close()
    theirs = requests.request(method, f"{emu.url}/moved-{status}", json={"a": 1},
                              timeout=5).json()
    kept = status in (307, 308)  # only these send the body again
    assert mine == theirs == {"method": after, "body": '{"a": 1}' if kept else ""}
    assert [r.path for r in echo] == [f"/moved-{status}", "/echo"] * 2


def test_a_redirect_to_another_host_takes_no_credentials_and_no_body(emu, echo):
    other = emu.url.replace("127.0.0.1", "localhost")
    http = HttpClient(config(emu.url), headers={"X-Auth-Token": TOKEN}, auth=(KEY, SECRET))
    got = http.json(http.request("GET", f"/moved-302?to={other}/echo"))
    assert got == {"method": "GET", "body": ""}
    first, there = echo
    assert first.headers["x-auth-token"] == TOKEN and first.headers["authorization"]
    assert there.headers["host"] == other.split("//")[1]
    assert "x-auth-token" not in there.headers and "authorization" not in there.headers
    assert there.headers["user-agent"].startswith("seom-desktop/")
    with pytest.raises(PermanentError, match="redirected a POST with its body to another"):
        http.request("POST", f"/moved-307?to={other}/echo", json={"a": 1}, write=True)
    http.close()
    assert [r.path for r in echo] == ["/moved-302", "/echo", "/moved-307"]  # not sent there


def test_a_redirect_to_an_address_no_cart_may_have_is_not_followed(emu, echo):
    http = HttpClient(config(emu.url))
    for to, problem in (("http://shop.example.com/echo", "must use https"),
                        ("ftp://127.0.0.1/echo", "is not an http"),
                        (f"http://{KEY}:{SECRET}@127.0.0.1:{emu.port}/echo", "credentials")):
        with pytest.raises(PermanentError, match=problem) as e:
            http.request("GET", f"/moved-302?to={to}")
        assert SECRET not in str(e.value)
    http.close()
    assert [r.path for r in echo] == ["/moved-302"] * 3


def test_a_read_timeout_is_retryable_for_a_read_and_ambiguous_for_a_write(emu, echo,
                                                                           monkeypatch):
    monkeypatch.setattr(emu.faults, "hang_seconds", 1.5)
    http = HttpClient(config(emu.url, read_timeout=0.3))
    emu.faults.queue("timeout-after", 1, "/echo")
    with pytest.raises(RetryableError, match="no answer in 0.3 s; check") as e:
        http.request("GET", "/echo")
    assert not isinstance(e.value, AmbiguousError)
    emu.faults.queue("timeout-after", 1, "/echo")
    with pytest.raises(AmbiguousError, match="no answer in 0.3 s after the change was sent"):
        http.request("POST", "/echo", json={"a": 1}, write=True)
    http.close()
    assert [r.method for r in echo] == ["GET", "POST"]  # each went out once


def test_a_header_that_cannot_be_sent_is_a_permanent_error_without_the_secret(emu, echo):
    http = HttpClient(config(emu.url), headers={"X-Auth-Token": TOKEN + "\r\nX-Evil: 1"})
    with pytest.raises(PermanentError, match="could not be sent") as e:
        http.request("GET", "/echo")
    http.close()
    assert TOKEN not in str(e.value) and echo == []


@pytest.fixture
def broken_body():
    """A server that promises 100,000 bytes of lines, sends two lines, and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"a\": 1}\n{\"b\": 2}\n")
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    t.join(5)
    listener.close()


def test_a_streamed_body_broken_off_raises_an_oserror_after_the_lines_that_came(broken_body):
    http = HttpClient(config(broken_body))
    resp = http.request("GET", "/bulk.jsonl", stream=True)
    lines = []
    with pytest.raises(ConnectionLostError) as e:
        lines.extend(resp.iter_lines(chunk_size=8))
    resp.close()
    http.close()
    assert isinstance(e.value, OSError)  # what shopify_bulk's reader catches
    # the lines of the chunks read whole came (the last, short chunk is urllib3's error)
    assert lines == [b'{"a": 1}']


@pytest.fixture
def clean_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy(monkeypatch):
    """A loopback server standing as the HTTP proxy: what reaches it, answered {"via": ...}."""
    p = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    seen = []
    monkeypatch.setattr(p, "handle", lambda req: seen.append(req) or Response.json({"via": 1}))
    yield p, seen
    p.stop()


def test_the_proxy_gets_its_credentials_and_no_proxy_takes_networks(emu, echo, proxy,
                                                                    clean_proxy_env,
                                                                    monkeypatch):
    p, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", p.url.replace("http://", "http://us%40er:p%3Ass@"))
    http = HttpClient(config(emu.url))
    assert http.json(http.request("GET", "/echo")) == {"via": 1}
    http.close()
    want = "Basic " + base64.b64encode(b"us@er:p:ss").decode()
    assert [r.headers.get("proxy-authorization") for r in seen] == [want] and echo == []
    monkeypatch.setenv("NO_PROXY", "10.0.0.0/8, 127.0.0.0/8")
    http = HttpClient(config(emu.url))
    assert http.json(http.request("GET", "/echo")) == {"method": "GET", "body": ""}
    http.close()
    assert len(seen) == 1 and len(echo) == 1  # straight to the cart
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(PermanentError, match="SOCKS proxies are not supported"):
        HttpClient(config(emu.url)).request("GET", "/echo")
    assert len(echo) == 1
