"""A real django-oscar shop for the tests: its virtual environment, a migrated template
database, and a server process per test module or session.

- The environment is /work/main/.venv-oscar (gitignored), made with `python3 -m venv` and
  `pip install django-oscar==4.2.1 django-oscar-api==3.3.0 waitress`, so Django never
  enters the app's own environment. `scripts/setup` prepares it (python
  tests/e2e/oscar_server.py --prepare); a test session makes it when it is missing.
- The schema is migrated once into a template SQLite file in that environment, keyed by
  the versions and the test shop's settings; each shop copies it.
- A shop gets an admin (superuser), a partner, a product class that tracks stock and the
  products asked for, each with a stock record; then waitress serves it on a free
  loopback port (oscar_site/shop.py serve) until stop().

Only the standard library and requests here: the module also runs as a script.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".venv-oscar"
VERSIONS = {"django-oscar": "4.2.1", "django-oscar-api": "3.3.0"}
PACKAGES = [f"{name}=={version}" for name, version in VERSIONS.items()] + ["waitress"]
MARKER = "seom-versions.json"
ADMIN = ("seom-admin", "seom-admin-pass-42")
E2E_SKUS = [f"E2E-{i:02d}" for i in range(10)]  # the end-to-end shop's products


class OscarUnavailable(RuntimeError):
    """The Oscar environment could not be made (no network to PyPI, ...)."""


@contextmanager
def _locked():
    lock = Path(tempfile.gettempdir()) / f"seom-venv-oscar-{hashlib.sha256(bytes(VENV)).hexdigest()[:8]}.lock"
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _env(db: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(HERE)
    env["DJANGO_SETTINGS_MODULE"] = "oscar_site.settings"
    if db is not None:
        env["OSCAR_SITE_DB"] = str(db)
        env["OSCAR_SITE_MEDIA"] = str(db.parent)
    return env


def _run(args: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise OscarUnavailable(f"{what} failed ({proc.returncode}): "
                               f"{(proc.stderr or proc.stdout)[-1500:]}")
    return proc


def python() -> Path:
    return VENV / "bin" / "python"


def _venv_ok() -> bool:
    try:
        return json.loads((VENV / MARKER).read_text()) == VERSIONS and python().exists()
    except (OSError, ValueError):
        return False


def template_path() -> Path:
    key = hashlib.sha256(json.dumps(VERSIONS, sort_keys=True).encode()
                         + (HERE / "oscar_site" / "settings.py").read_bytes()).hexdigest()[:12]
    return VENV / f"seom-template-{key}.sqlite"


def ensure_env() -> Path:
    """The venv and the template database, made when missing. Returns the template."""
    with _locked():
        if not _venv_ok():
            shutil.rmtree(VENV, ignore_errors=True)
            _run(["python3", "-m", "venv", str(VENV)], "python3 -m venv")
            _run([str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                  *PACKAGES], "pip install " + " ".join(PACKAGES), timeout=900)
            (VENV / MARKER).write_text(json.dumps(VERSIONS))
        template = template_path()
        if not template.exists():
            tmp = template.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            _run([str(python()), "-m", "oscar_site.shop", "migrate"], "migrate",
                 env=_env(tmp), cwd=HERE, timeout=600)
            tmp.rename(template)
        return template


@dataclass
class OscarShop:
    """One running shop. `records[sku]` is the stock record id, `products[sku]` the
    product id."""

    workdir: Path
    url: str = ""
    records: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    admin: tuple[str, str] = ADMIN

    # --- life --------------------------------------------------------------------------
    def start(self, products: list[dict]) -> OscarShop:
        """products: [{"sku", "num_in_stock", "upc"?, "title"?, "price"?}]."""
        template = ensure_env()
        self.workdir.mkdir(parents=True, exist_ok=True)
        db = self.workdir / "oscar.sqlite"
        shutil.copyfile(template, db)
        spec = {"admin": {"username": ADMIN[0], "password": ADMIN[1]}, "products": products}
        out = _run([str(python()), "-m", "oscar_site.shop", "populate"], "populate",
                   input=json.dumps(spec), env=_env(db), cwd=HERE, timeout=120)
        made = json.loads(out.stdout.strip().splitlines()[-1])["products"]
        self.records = {s: v["stockrecord_id"] for s, v in made.items()}
        self.products = {s: v["product_id"] for s, v in made.items()}
        self._log = open(self.workdir / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen([str(python()), "-m", "oscar_site.shop", "serve"],
                                     stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     env=_env(db), cwd=HERE)
        line = self.proc.stdout.readline()  # "PORT n" once the socket listens
        if not line.startswith("PORT "):
            self.stop()
            raise OscarUnavailable(f"the Oscar server did not start: {self.log()[-1500:]}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        try:
            return (self.workdir / "server.log").read_text()
        except OSError:
            return ""

    # --- looking at it as its admin (raw HTTP, not the connector) ----------------------
    def session(self) -> requests.Session:
        s = requests.Session()
        s.auth = self.admin
        return s

    def record(self, sku: str) -> dict:
        r = self.session().get(f"{self.url}/api/admin/stockrecords/{self.records[sku]}/",
                               timeout=10)
        r.raise_for_status()
        return r.json()

    def buyable(self, sku: str) -> int:
        """What a shopper can buy: num_in_stock - num_allocated (net_stock_level)."""
        rec = self.record(sku)
        return (rec["num_in_stock"] or 0) - (rec["num_allocated"] or 0)

    def set_stock(self, sku: str, num_in_stock: int | None) -> None:
        r = self.session().patch(f"{self.url}/api/admin/stockrecords/{self.records[sku]}/",
                                 json={"num_in_stock": num_in_stock}, timeout=10)
        r.raise_for_status()

    # --- shopping, as a shopper would ---------------------------------------------------
    def place_order(self, lines: list[tuple[str, int]], email: str = "shopper@example.com") -> str:
        """Basket (anonymous session) and checkout through Oscar API; the order number."""
        s = requests.Session()
        for sku, qty in lines:
            r = s.post(f"{self.url}/api/basket/add-product/", timeout=10, json={
                "url": f"{self.url}/api/products/{self.products[sku]}/", "quantity": qty})
            if r.status_code != 200:
                raise AssertionError(f"add-product {sku} x{qty}: {r.status_code} {r.text[:300]}")
        basket = s.get(f"{self.url}/api/basket/", timeout=10).json()
        r = s.post(f"{self.url}/api/checkout/", timeout=30, json={
            "basket": basket["url"], "guest_email": email, "total": basket["total_incl_tax"],
            "shipping_address": {
                "country": f"{self.url}/api/countries/GB/", "first_name": "Ada",
                "last_name": "Shopper", "line1": "1 High Street", "line4": "London",
                "postcode": "N1 9GU"}})
        if r.status_code != 200:
            raise AssertionError(f"checkout: {r.status_code} {r.text[:500]}")
        return r.json()["number"]

    def ship(self, number: str) -> dict:
        """The order is shipped: Oscar consumes its allocations."""
        out = _run([str(python()), "-m", "oscar_site.shop", "ship", number], "ship",
                   env=_env(self.workdir / "oscar.sqlite"), cwd=HERE, timeout=120)
        return json.loads(out.stdout.strip().splitlines()[-1])


def start_or_skip(workdir: Path, products: list[dict]) -> OscarShop:
    """A started shop; without the Oscar environment, fail in CI and skip elsewhere."""
    import pytest

    try:
        return OscarShop(workdir).start(products)
    except OscarUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"the Oscar test shop is required in CI: {e}")
        pytest.skip(f"no Oscar test shop here: {e}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--prepare"]:
        print("usage: oscar_server.py --prepare", file=sys.stderr)
        sys.exit(2)
    t0 = time.monotonic()
    try:
        path = ensure_env()
    except OscarUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"Oscar test shop ready ({path.name}, {time.monotonic() - t0:.1f} s)")
