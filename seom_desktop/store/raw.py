"""Plain SQL straight to the database driver, inside a Session's transaction.

For the bulk paths (Get QOH of 100,000 items): SQLAlchemy's per-statement and per-row
work (compiling an expanding IN list, building Row objects, running bind processors row
by row) costs far more there than the statements themselves. Statements are written
with `?` placeholders; on a driver that uses `%s` (psycopg) they are rewritten, so the
SQL must hold no other `?` or `%`. Values go to the driver as they are: a datetime or a
boolean is first passed through `value()` (the column type's own conversion, e.g. the
text form SQLAlchemy stores a SQLite DateTime in), so rows written here read back as
rows written through the ORM do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy.orm import Session

SLICE = 900  # values of one IN list (SQLite builds before 3.32 allow 999 a statement)


class Raw:
    def __init__(self, session: Session):
        conn = session.connection()  # begins the session's transaction if it has not
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self._mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self._cursor = conn.connection.dbapi_connection.cursor()

    def sql(self, text: str) -> str:
        return text if self._mark == "?" else text.replace("?", self._mark)

    def all(self, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        """The rows, as the driver's plain tuples."""
        cur = self._cursor
        cur.execute(self.sql(text), tuple(params))
        return cur.fetchall()

    def run(self, text: str, params: Sequence[Any] = ()) -> int:
        """One statement; the number of rows it changed."""
        cur = self._cursor
        cur.execute(self.sql(text), tuple(params))
        return cur.rowcount

    def many(self, text: str, rows: Sequence[tuple]) -> None:
        """The statement once per row (the driver's executemany)."""
        if rows:
            self._cursor.executemany(self.sql(text), rows)

    def where_in(self, column: str, values: Sequence[Any],
                 size: int = SLICE) -> Iterator[tuple[str, tuple]]:
        """(condition, parameters) that together select `column` in `values`: on
        PostgreSQL one `= ANY(array)`, elsewhere IN lists of at most `size` values."""
        if not values:
            return
        if self.postgres:
            yield f"{column} = ANY(?)", (list(values),)
            return
        for i in range(0, len(values), size):
            chunk = tuple(values[i:i + size])
            yield f"{column} IN ({','.join('?' * len(chunk))})", chunk

    def value(self, column: Column, v: Any) -> Any:
        """`v` as the driver should get it for `column` (None stays None)."""
        if v is None:
            return None
        proc = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return proc(v) if proc is not None else v
