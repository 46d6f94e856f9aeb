"""Helpers of the security tests: planted secrets and emulators of every kind, the CLI
run in-process, a dump of the store (to prove nothing was written), TLS material."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import ipaddress
import json
import sqlite3
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from seom_desktop.cli import main as cli_main
from seom_desktop.emulators.base import Emulator, _Server
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.magento import MagentoEmulator
from seom_desktop.emulators.miva import MivaEmulator
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator

KINDS = ("woocommerce", "shopify", "bigcommerce", "magento", "miva")

# Secrets no code, message or fixture would produce by chance; some hold characters that
# change when percent-encoded or JSON-escaped.
PLANTED = {
    "woocommerce": {"key": "ck_PLANTEDwooKEY7f3a91", "secret": "cs_PLANTED/woo+SECRET\"q=1&x"},
    "shopify": {"token": "shpat_PLANTEDshopTOKEN5c2e"},
    "bigcommerce": {"token": "PLANTEDbcTOKEN0d9b44"},
    "magento": {"token": "PLANTEDmageTOKEN8e1f"},
    "magento-admin": {"key": "PLANTEDmageADMINuser", "secret": "PLANTED mage pässword\\2"},
    "miva": {"token": "PLANTEDmivaTOKEN3a7c",
             "secret": base64.b64encode(b"PLANTED-miva-signing-key-0451").decode()},
}
WRONG = "WRONGbutPLANTEDvalue9"  # what the cart expects when the store's secret is wrong


def all_secrets() -> list[str]:
    out = [v for d in PLANTED.values() for v in d.values()] + [WRONG]
    # the Miva signing key as bytes decoded: never sent, never shown either
    out.append(base64.b64decode(PLANTED["miva"]["secret"]).decode())
    return out


def find_secrets(text: str | bytes, secrets: list[str] | None = None) -> list[str]:
    """Every planted secret found in `text`, in its plain, Basic-auth and encoded forms."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = []
    secrets = secrets or all_secrets()
    for s in secrets:
        forms = {s, base64.b64encode(s.encode()).decode().rstrip("="), quote(s, safe=""),
                 quote_plus(s), json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1]}
        if any(len(f) >= 6 and f in text for f in forms):
            found.append(s)
    for a in secrets:
        for b in secrets:
            pair = base64.b64encode(f"{a}:{b}".encode()).decode().rstrip("=")
            if pair[:-2] in text:
                found.append(f"{a}:{b} (base64)")
    return found


@dataclass
class CartUnderTest:
    kind: str
    emulator: Emulator
    url: str
    args: list[str]  # cart add arguments after NAME: --kind ... --url ... credentials


def make_emulator(kind: str, *, wrong: bool = False, admin: bool = False) -> Emulator:
    """An emulator of `kind` expecting the planted secrets (or, with `wrong`, others)."""
    p = PLANTED["magento-admin" if admin else kind]
    w = WRONG if wrong else None
    if kind == "woocommerce":
        return WooCommerceEmulator(key=p["key"], secret=w or p["secret"])
    if kind == "shopify":
        return ShopifyEmulator(token=w or p["token"])
    if kind == "bigcommerce":
        return BigCommerceEmulator(token=w or p["token"])
    if kind == "magento":
        if admin:
            return MagentoEmulator(admin_user=p["key"], admin_password=w or p["secret"])
        return MagentoEmulator(integration_token=w or p["token"])
    if kind == "miva":
        return MivaEmulator(token=w or p["token"], signing_key=p["secret"])
    raise ValueError(kind)


def cart_url(kind: str, base: str) -> str:
    if kind == "bigcommerce":
        return f"{base}/stores/abc123"
    if kind == "miva":
        return f"{base}/mm5/json.mvc"
    return base


def cart_args(kind: str, base: str, *, admin: bool = False) -> list[str]:
    p = PLANTED["magento-admin" if admin else kind]
    args = ["--kind", kind, "--url", cart_url(kind, base)]
    for field in ("key", "secret", "token"):
        if field in p:
            args += [f"--{field}", p[field]]
    return args


def start(kind: str, *, wrong: bool = False, admin: bool = False, items: int = 3,
          orders: int = 1) -> CartUnderTest:
    emu = make_emulator(kind, wrong=wrong, admin=admin).start()
    for i in range(items):
        emu.add_item(f"SEC-{i}", 10 + i, name=f"Item {i}")
    for _ in range(orders):
        emu.place_order([("SEC-0", 1)])
    return CartUnderTest(kind, emu, emu.url, cart_args(kind, emu.url, admin=admin))


# --- the CLI ------------------------------------------------------------------------


@dataclass
class Run:
    rc: int
    out: str
    err: str


def cli(store_url: str, *argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli_main(["--store", store_url, *argv])
    return Run(rc, out.getvalue(), err.getvalue())


# --- the store ----------------------------------------------------------------------


def sqlite_path(url: str) -> Path:
    assert url.startswith("sqlite:///")
    return Path(url[len("sqlite:///"):])


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (to compare before/after)."""
    con = sqlite3.connect(sqlite_path(url))
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        con.close()


def store_bytes(url: str) -> bytes:
    """The store file and its WAL, as bytes (to grep for secrets)."""
    p = sqlite_path(url)
    data = b""
    for f in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-journal")):
        if f.exists():
            data += f.read_bytes()
    return data


# --- TLS ----------------------------------------------------------------------------


@dataclass
class Tls:
    ca: Path  # the CA certificate (PEM): the bundle to give with --ca-bundle
    cert: Path  # the server certificate (for 127.0.0.1 and localhost), signed by the CA
    key: Path
    other_ca: Path  # a CA that did not sign anything here


def make_tls(folder: Path) -> Tls:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def ca_cert(cn: str):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(True, False, False, False, False, True, True,
                                             False, False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        return key, cert

    ca_key, ca = ca_cert("seom test CA")
    _, other = ca_cert("some other CA")
    srv_key = ec.generate_private_key(ec.SECP256R1())
    srv = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
           .public_key(srv_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - dt.timedelta(days=1))
           .not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.SubjectAlternativeName([
               x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
               critical=False)
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                          critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                          critical=False)
           .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    out = Tls(folder / "ca.pem", folder / "server.pem", folder / "server.key",
              folder / "other-ca.pem")
    out.ca.write_bytes(ca.public_bytes(pem))
    out.other_ca.write_bytes(other.public_bytes(pem))
    out.cert.write_bytes(srv.public_bytes(pem))
    out.key.write_bytes(srv_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    return out


class _QuietServer(_Server):
    def handle_error(self, request, client_address) -> None:
        pass  # a client refusing our certificate is what some tests expect


def start_tls(emu: Emulator, tls: Tls) -> str:
    """Serve `emu` over https on 127.0.0.1 (a test-only wrapping of its socket); returns
    its https base URL. Stop it with emu.stop()."""
    server = _QuietServer(("127.0.0.1", 0), emu)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls.cert, tls.key)
    # The handshake happens in the request's own thread, so a client that refuses the
    # certificate never blocks the accept loop.
    server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                    do_handshake_on_connect=False)
    emu._server = server
    emu._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    emu._thread.start()
    return f"https://127.0.0.1:{server.server_address[1]}"
