"""Plain SQL straight to the database driver, inside a Session's transaction, for the
bulk paths (Get QOH of 100,000 items).

Two costs are avoided:

- SQLAlchemy's per-statement and per-row work (compiling an expanding IN list, building
  Row objects, running bind processors row by row), which costs far more there than the
  statements themselves;
- on SQLite, a statement that touches many rows is one statement, never an executemany
  or a fetch of many rows. Python's sqlite3 lets go of the GIL around every single step
  (each row of an executemany, each row fetched) and must take it back after: with
  another thread busy in Python (the cart being read, the window) each take-back waits
  for that thread's switch interval. Measured on 100,000 rows with one busy thread
  beside: executemany 0.09 s -> 94 s, fetchall 0.05 s -> 19.6 s; as one statement over
  a JSON array (`json_each`) 0.14 s and 0.08 s, busy thread or not. So many rows go in
  as one JSON parameter (`rows_from`, `in_values`) and come out as one JSON value
  (`select`). PostgreSQL gets arrays (`unnest`, `= ANY`) and a plain fetch (psycopg
  reads a whole result at once).

Statements are written with `?` placeholders; on a driver that uses `%s` (psycopg) they
are rewritten, so the SQL must hold no other `?` or `%`. Values go to the driver as
they are: a datetime or a boolean is first passed through `value()` (the column type's
own conversion, e.g. the text SQLAlchemy stores a SQLite DateTime as), so rows written
here read back as rows written through the ORM do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy.orm import Session

_NAMED = re.compile(r":(\w+)")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class Raw:
    def __init__(self, session: Session):
        conn = session.connection()  # begins the session's transaction if it has not
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self._mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self._cursor = conn.connection.dbapi_connection.cursor()
        self.true = "TRUE" if self.postgres else "1"

    def sql(self, text: str) -> str:
        return text if self._mark == "?" else text.replace("?", self._mark)

    def run(self, text: str, params: Sequence[Any] = ()) -> int:
        """One statement; the number of rows it changed."""
        cur = self._cursor
        cur.execute(self.sql(text), tuple(params))
        return cur.rowcount

    def one(self, text: str, params: Sequence[Any] = ()) -> tuple | None:
        cur = self._cursor
        cur.execute(self.sql(text), tuple(params))
        return cur.fetchone()

    def named(self, text: str, params: dict[str, Any]):
        """One statement with `:name` parameters (so the SQL must hold no other colon);
        the cursor, its rows to fetch and its rowcount to read."""
        cur = self._cursor
        cur.execute(_NAMED.sub(r"%(\1)s", text) if self.postgres else text, params)
        return cur

    def select(self, columns: str, rest: str, params: Sequence[Any] = ()) -> list[Sequence]:
        """`SELECT columns rest`: the rows (lists on SQLite, tuples elsewhere)."""
        if self.postgres:
            cur = self._cursor
            cur.execute(self.sql(f"SELECT {columns} {rest}"), tuple(params))
            return cur.fetchall()
        row = self.one(f"SELECT json_group_array(json_array({columns})) {rest}", params)
        return json.loads(row[0]) if row and row[0] else []

    def in_values(self, column: str, values: Sequence[Any]) -> tuple[str, tuple]:
        """(condition, parameters): `column` is one of `values` (ints or texts)."""
        if self.postgres:
            return f"{column} = ANY(?)", (list(values),)
        return f"{column} IN (SELECT value FROM json_each(?))", (_json(list(values)),)

    def rows_from(self, rows: Sequence[Sequence[Any]], types: Sequence[str]) -> tuple[str, tuple]:
        """(FROM item, parameters): a derived table `v` with columns n (the row's
        position, from 0 or 1), c0, c1, ... holding `rows` (values of the SQL `types`,
        e.g. "BIGINT", "TEXT", "TIMESTAMP WITHOUT TIME ZONE"; ints, texts or None)."""
        names = ", ".join(f"c{i}" for i in range(len(types)))
        if self.postgres:
            arrays = ", ".join(f"CAST(? AS {t}[])" for t in types)
            columns = tuple(list(col) for col in zip(*rows, strict=True)) if rows else \
                tuple([] for _ in types)
            return f"unnest({arrays}) WITH ORDINALITY AS v({names}, n)", columns
        cols = ", ".join(f"json_extract(value, '$[{i}]') AS c{i}" for i in range(len(types)))
        return (f"(SELECT CAST(key AS INTEGER) AS n, {cols} FROM json_each(?)) AS v",
                (_json(rows),))

    def value(self, column: Column, v: Any) -> Any:
        """`v` as the driver should get it for `column` (None stays None)."""
        if v is None:
            return None
        proc = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return proc(v) if proc is not None else v


class Rows:
    """Rows given once to several statements (`insert_rows`, `update_rows` with `pick`):
    on SQLite one JSON parameter, encoded once. `types`: each value's SQL type."""

    def __init__(self, raw: Raw, rows: Sequence[Sequence[Any]], types: Sequence[str]):
        self.count = len(rows)
        self.source, self.params = raw.rows_from(rows, types) if rows else ("", ())


def _types(raw: Raw, table, columns: Sequence[str]) -> list[str]:
    return [table.c[c].type.compile(dialect=raw.dialect) for c in columns]


def insert_rows(raw: Raw, table, columns: Sequence[str], rows: Sequence[Sequence[Any]] | Rows,
                constants: dict[str, Any] | None = None,
                pick: Sequence[int] | None = None) -> list[int]:
    """INSERT `rows` (values in the order of `columns`, as the driver takes them) into
    `table` as one statement, every row also getting the `constants`; the new ids in the
    order of `rows`. Given as `Rows`, `pick` says which value of each row goes to each
    column. The rows are inserted in their order (`ORDER BY v.n`), so the ids they get
    ascend in that order: on PostgreSQL from the sequence (RETURNING, sorted); on
    SQLite, whose RETURNING order is not promised, as the rowids above the largest
    before (the write transaction holds the database lock)."""
    if not isinstance(rows, Rows):
        rows = Rows(raw, rows, _types(raw, table, columns))
    if not rows.count:
        return []
    pick = pick if pick is not None else range(len(columns))
    constants = constants or {}
    q = raw.dialect.identifier_preparer
    name = q.format_table(table)
    targets = ", ".join(q.quote(c) for c in (*columns, *constants))
    values = ", ".join([*(f"v.c{i}" for i in pick), *("?" * len(constants))])
    sql = f"INSERT INTO {name} ({targets}) SELECT {values} FROM {rows.source} ORDER BY v.n"
    given = (*constants.values(), *rows.params)
    if raw.postgres:
        cur = raw._cursor
        cur.execute(raw.sql(sql + " RETURNING id"), given)
        ids = sorted(i for (i,) in cur.fetchall())
    else:
        before = raw.one(f"SELECT max(id) FROM {name}")[0] or 0
        raw.run(sql, given)
        ids = sorted(i for (i,) in raw.select("id", f"FROM {name} WHERE id > ? ORDER BY id",
                                              (before,)))
    if len(ids) != rows.count:
        raise RuntimeError(f"{table.name}: {rows.count} rows inserted, {len(ids)} new ids")
    return ids


def update_rows(raw: Raw, table, columns: Sequence[str], rows: Sequence[Sequence[Any]] | Rows,
                constants: dict[str, Any] | None = None,
                pick: Sequence[int] | None = None) -> None:
    """UPDATE `table` from `rows` as one statement: each row is (id, value of each of
    `columns`); every row also gets the `constants`. Given as `Rows`, `pick` says which
    value of each row is the id and which goes to each column (a row whose id is NULL
    updates nothing). The ids must differ: which of two rows for one id wins is not
    said."""
    if not isinstance(rows, Rows):
        rows = Rows(raw, rows, _types(raw, table, ("id", *columns)))
    if not rows.count:
        return
    key, *pick = pick if pick is not None else range(len(columns) + 1)
    constants = constants or {}
    q = raw.dialect.identifier_preparer
    name = q.format_table(table)
    sets = ", ".join([*(f"{q.quote(c)} = v.c{i}" for i, c in zip(pick, columns, strict=True)),
                      *(f"{q.quote(c)} = ?" for c in constants)])
    raw.run(f"UPDATE {name} SET {sets} FROM {rows.source} WHERE {name}.id = v.c{key}",
            (*constants.values(), *rows.params))
