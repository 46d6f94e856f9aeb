"""A keyring backend for tests and the demo: in memory, or in a JSON file named by
SEOM_KEYRING_FILE so that several processes of one test share it.

Select it with PYTHON_KEYRING_BACKEND=seom_desktop.testing.keyring_backend.TestKeyring.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

_memory: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


class TestKeyring(KeyringBackend):
    priority = 1  # only when asked for by name

    def _path(self) -> Path | None:
        p = os.environ.get("SEOM_KEYRING_FILE", "")
        return Path(p) if p else None

    def _load(self) -> dict[str, str]:
        path = self._path()
        if path is None or not path.exists():
            return {}
        return json.loads(path.read_text() or "{}")

    def _save(self, data: dict[str, str]) -> None:
        path = self._path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)

    def get_password(self, service: str, username: str) -> str | None:
        with _lock:
            if self._path() is None:
                return _memory.get((service, username))
            return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with _lock:
            if self._path() is None:
                _memory[(service, username)] = password
                return
            data = self._load()
            data[f"{service}\x00{username}"] = password
            self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        with _lock:
            if self._path() is None:
                if _memory.pop((service, username), None) is None:
                    raise PasswordDeleteError("no such password")
                return
            data = self._load()
            if data.pop(f"{service}\x00{username}", None) is None:
                raise PasswordDeleteError("no such password")
            self._save(data)
