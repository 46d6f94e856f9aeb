"""The log file: a rotating file in the user log folder, with secrets redacted.

Folder: `SEOM_LOG_DIR` when set, else platformdirs' user log dir for "seom-desktop"
(Windows: %LOCALAPPDATA%\\seom-desktop\\Logs; Linux: ~/.local/state/seom-desktop/log;
macOS: ~/Library/Logs/seom-desktop). The window and the command line write
`seom-desktop.log`; the headless stack controller writes `controller.log`, so the two
processes of one workstation never rotate the same file. Level: the LogLevel system
parameter (debug | info | warning | error; default info), applied once the store is open.

Every record passes a SecretFilter before it is written: cart secrets the credentials
module has loaded (registered with `register_secrets`) and the credential-bearing
fragments the HTTP client's Redactor knows (`token=…`, `Authorization: …`) are replaced.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import platformdirs

APP_NAME = "seom-desktop"
LOGGER_NAMES = ("seom_desktop", "alembic.runtime.migration")
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5
DEFAULT_LEVEL = "info"
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}

log = logging.getLogger("seom_desktop.logs")

_lock = threading.Lock()
_secrets: set[str] = set()
_handler: logging.Handler | None = None
_hooks_installed = False


def log_dir() -> Path:
    """The folder of the log files (SEOM_LOG_DIR overrides the user log folder)."""
    env = os.environ.get("SEOM_LOG_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def file_name(program: str | None = None) -> str:
    return "controller.log" if program == "controller" else f"{APP_NAME}.log"


def log_file(program: str | None = None) -> Path:
    return log_dir() / file_name(program)


# --- secrets -----------------------------------------------------------------------------

def register_secrets(values: Iterable[str | None]) -> None:
    """Remember secrets so that no log record shows them (called when credentials load)."""
    new = {str(v) for v in values if v and len(str(v)) >= 3}
    if new:
        with _lock:
            _secrets.update(new)


def forget_secrets() -> None:
    with _lock:
        _secrets.clear()


_redactor = None  # a carts.redact.Redactor over the registered secrets, rebuilt on change


def redact(text: object) -> str:
    """`text` with every registered secret and credential fragment replaced."""
    global _redactor
    from seom_desktop.carts.redact import Redactor

    with _lock:
        redactor = _redactor
        if redactor is None or set(redactor.secrets) != {s for s in _secrets if len(s) >= 3}:
            redactor = _redactor = Redactor(tuple(_secrets))
    return redactor(text)


class SecretFilter(logging.Filter):
    """Replaces known secrets and credential fragments in the message, its arguments, the
    traceback and the stack; the record is changed in place, so every handler after this
    one sees it redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still gets logged, redacted
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatters use exc_text; nothing re-formats the raw one
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# --- what happened, logged once it is committed --------------------------------------------

_PENDING = "seom_log_on_commit"
_listening = False
changes_log = logging.getLogger("seom_desktop.inventory.changes")


def on_commit(session, logger: logging.Logger, level: int, msg: str, *args) -> None:  # noqa: ANN001
    """Log `msg` when the session's transaction commits: a change that is rolled back
    (a later line of the same import refused, the store busy) is never logged."""
    if not logger.isEnabledFor(level):
        return
    _listen()
    session.info.setdefault(_PENDING, []).append((logger, level, msg, args))


def qoh_change(session, *, user: str, workstation: str, sku: str, before: int, after: int,  # noqa: ANN001
               source: str, reference: str = "", carts: int = 0, send: bool = True) -> None:
    """One QOH change, as the log tells it: who, which SKU, old -> new, from what, and
    how many carts were queued to hear of it."""
    told = (f"queued for {carts} cart{'' if carts == 1 else 's'}" if carts
            else "not sent to the carts (Send QOH changes to Web sites was off)" if not send
            else "no cart to send to")
    on_commit(session, changes_log, logging.INFO, "QOH %s: %d -> %d (%+d) by %s on %s, %s%s; %s",
              sku, before, after, after - before, user, workstation, source,
              f" {reference}" if reference else "", told)


def _listen() -> None:
    global _listening
    if _listening:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    with _lock:
        if not _listening:
            event.listen(Session, "after_commit", _flush_pending)
            event.listen(Session, "after_rollback", _drop_pending)
            _listening = True


def _flush_pending(session) -> None:  # noqa: ANN001
    for logger, level, msg, args in session.info.pop(_PENDING, ()):
        logger.log(level, msg, *args)


def _drop_pending(session) -> None:  # noqa: ANN001
    session.info.pop(_PENDING, None)


# --- the file ----------------------------------------------------------------------------

class _RotatingFile(logging.handlers.RotatingFileHandler):
    """A rotating file that keeps writing when rotation is refused (Windows refuses to
    rename a file another process holds open)."""

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()


def level_number(level: str | int | None) -> int:
    if isinstance(level, int):
        return level
    return LEVELS.get(str(level or DEFAULT_LEVEL).strip().lower(), logging.INFO)


def setup(program: str | None = None, level: str | int | None = None) -> Path | None:
    """Send the app's log records to the rotating file (idempotent; a second call with
    another SEOM_LOG_DIR or program moves the file). Returns the file, or None when the
    folder cannot be created (the program runs on without a log file)."""
    global _handler
    path = log_file(program)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    with _lock:
        current = getattr(_handler, "baseFilename", None)
        if current is None or Path(current) != path.resolve():
            old, _handler = _handler, None
            try:
                handler = _RotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                        encoding="utf-8")
            except OSError:
                return None
            handler.setFormatter(logging.Formatter(FORMAT))
            handler.addFilter(SecretFilter())
            for name in LOGGER_NAMES:
                logger = logging.getLogger(name)
                if old is not None:
                    logger.removeHandler(old)
                logger.addHandler(handler)
            if old is not None:
                old.close()
            _handler = handler
    set_level(level)
    _install_hooks()
    return path


def set_level(level: str | int | None) -> None:
    number = level_number(level)
    for name in LOGGER_NAMES:
        logging.getLogger(name).setLevel(number)


def apply_store_level(store) -> None:  # noqa: ANN001 - a seom_desktop.store.engine.Store
    """The LogLevel system parameter of an open store becomes the level."""
    from seom_desktop.store.params import get_param

    try:
        with store.read() as s:
            set_level(get_param(s, "LogLevel"))
    except Exception as e:  # noqa: BLE001 - a log level never stops the program
        log.warning("LogLevel could not be read (%s); logging at %s", e, DEFAULT_LEVEL)


def handler() -> logging.Handler | None:
    return _handler


def shutdown() -> None:
    """Detach and close the file, levels back to unset (tests)."""
    global _handler
    with _lock:
        for name in LOGGER_NAMES:
            logger = logging.getLogger(name)
            if _handler is not None:
                logger.removeHandler(_handler)
            logger.setLevel(logging.NOTSET)
        if _handler is not None:
            _handler.close()
            _handler = None


def _install_hooks() -> None:
    """Uncaught exceptions (a Qt slot, a thread) go to the log too; the hooks already in
    place still run. Left alone when someone else (a test runner) owns the hook."""
    global _hooks_installed
    if _hooks_installed or sys.excepthook is not sys.__excepthook__:
        return
    _hooks_installed = True
    previous, previous_thread = sys.excepthook, threading.excepthook
    app_log = logging.getLogger("seom_desktop")

    def hook(kind, value, tb):  # noqa: ANN001
        if not issubclass(kind, KeyboardInterrupt):
            app_log.critical("uncaught exception", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    def thread_hook(args) -> None:  # noqa: ANN001
        if args.exc_type is not SystemExit:
            app_log.error("uncaught exception in thread %s",
                          getattr(args.thread, "name", "?"),
                          exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread(args)

    sys.excepthook = hook
    threading.excepthook = thread_hook
