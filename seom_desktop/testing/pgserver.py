"""A throw-away PostgreSQL server on a loopback port, from the apt install
(/usr/lib/postgresql/*/bin), for tests and benchmarks. As root it runs the server as
the `postgres` user (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class NoPostgres(RuntimeError):
    pass


def find_bin() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        found = sorted(glob.glob(pattern), key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()])
        for d in reversed(found):
            if Path(d, "initdb").exists():
                return Path(d)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin = find_bin()
        if self.bin is None:
            raise NoPostgres("no PostgreSQL server binaries (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="seom-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        full = list(cmd)
        if self.as_root:
            full = ["runuser", "-u", "postgres", "--", *full]
        return subprocess.run(full, check=check, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o700)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200")
        res = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                        "-l", str(self.root / "log"), "-w", "-t", "60", "start", check=False)
        if res.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise NoPostgres(f"PostgreSQL did not start: {res.stderr.strip()} {log[-500:]}")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop",
                  check=False)
        for _ in range(50):
            if not (self.data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
