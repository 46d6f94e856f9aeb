"""Fixtures shared by every test: a fresh store (SQLite, or PostgreSQL on a throw-away
server), the test keyring, a workstation name."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "seom_desktop.testing.keyring_backend.TestKeyring"
os.environ.setdefault("SEOM_WORKSTATION", "test-ws")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """Each test gets its own keyring file and never touches the user's store."""
    monkeypatch.setenv("SEOM_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("SEOM_STORE", f"sqlite:///{tmp_path / 'default-store.sqlite'}")
    monkeypatch.setenv("SEOM_WORKSTATION", "test-ws")
    monkeypatch.setenv("SEOM_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture(scope="session")
def pg_server():
    from seom_desktop.testing.pgserver import NoPostgres, PostgresServer

    try:
        server = PostgresServer().start()
    except NoPostgres as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {e}")
        pytest.skip(f"no PostgreSQL server here: {e}")
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def pg_url(pg_server) -> str:
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The same test against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url):
    from seom_desktop.store.engine import open_store

    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(sqlite_url):
    from seom_desktop.store.engine import open_store

    s = open_store(sqlite_url)
    yield s
    s.close()


@pytest.fixture
def cli(store_url, capsys):
    """Run the command line in-process on `store_url`: cli(*args) -> (exit code, stdout,
    stderr)."""
    from seom_desktop.cli import main

    def run(*args: str):
        code = main(["--store", store_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run
