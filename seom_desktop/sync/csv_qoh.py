"""QOH as CSV: export `sku,name,qoh`; import `sku,qoh` (a header row is required, other
columns are ignored).

An import is checked whole before anything is written: every line gets either a good
row or a problem (unknown SKU, not a whole number, out of range, a SKU given twice, an
empty line, a missing value). The good rows are then applied in ONE store transaction
through Adjust Inventory (`adjust(set_to=...)`, reason "CSV import"), so each change is
in the ledger and reaches the synced carts through the web stack; if anything fails
while applying, nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import ChangeResult, adjust
from seom_desktop.inventory.validation import check_sku, parse_quantity
from seom_desktop.stack.kit_qoh import kit_qoh
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Product
from seom_desktop.store.params import get_param

IMPORT_REASON = "CSV import"
EXPORT_HEADER = ("sku", "name", "qoh")
MAX_FILE_BYTES = 50 * 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QohRow:
    line: int  # line number in the file (the header is line 1)
    sku: str
    qoh: int


@dataclass(frozen=True)
class RowProblem:
    line: int
    sku: str
    problem: str


@dataclass
class QohFile:
    rows: list[QohRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fatal(self) -> bool:
        """The file as a whole is unusable (no header, not text, ...)."""
        return any(p.line == 0 for p in self.problems)


class CsvQohError(InventoryError):
    """The file cannot be read at all (the message names why)."""


def _header_columns(cells: list[str]) -> tuple[int, int] | None:
    names = [c.strip().lstrip("\ufeff").lower() for c in cells]
    if "sku" in names and "qoh" in names:
        return names.index("sku"), names.index("qoh")
    return None


def parse_qoh_csv(text: str) -> QohFile:
    """Check the file's shape and each value (not yet against the store)."""
    out = QohFile()
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            lines.append((reader.line_num, cells))
    except csv.Error as e:
        out.problems.append(RowProblem(0, "", f"not a readable CSV file ({e})"))
        return out
    # blank lines at the very end of a file are not rows
    while lines and not any(c.strip() for c in lines[-1][1]):
        lines.pop()
    if not lines:
        out.problems.append(RowProblem(0, "", "the file is empty (a header sku,qoh is required)"))
        return out
    header_line, header = lines[0]
    cols = _header_columns(header)
    if cols is None:
        out.problems.append(RowProblem(
            0, "", f"line {header_line}: a header naming the columns sku and qoh is required"))
        return out
    sku_col, qoh_col = cols
    seen: dict[str, list[int]] = defaultdict(list)
    candidates: list[QohRow] = []
    for line, cells in lines[1:]:
        if not any(c.strip() for c in cells):
            out.problems.append(RowProblem(line, "", "empty line"))
            continue
        sku = cells[sku_col] if sku_col < len(cells) else ""
        raw_qoh = cells[qoh_col].strip() if qoh_col < len(cells) else ""
        try:
            check_sku(sku)
        except InventoryError as e:
            out.problems.append(RowProblem(line, sku, str(e)))
            continue
        seen[sku].append(line)
        if not raw_qoh:
            out.problems.append(RowProblem(line, sku, "QOH is missing"))
            continue
        try:
            qoh = parse_quantity(raw_qoh, "QOH")
        except InventoryError as e:
            out.problems.append(RowProblem(line, sku, str(e)))
            continue
        candidates.append(QohRow(line, sku, qoh))
    for sku, at in seen.items():
        if len(at) > 1:
            where = ", ".join(str(n) for n in at)
            for n in at:
                out.problems.append(RowProblem(n, sku, f"SKU given more than once (lines {where})"))
    doubled = {sku for sku, at in seen.items() if len(at) > 1}
    out.rows = [r for r in candidates if r.sku not in doubled]
    out.problems.sort(key=lambda p: (p.line, p.problem))
    return out


def check_against_store(session: Session, parsed: QohFile) -> QohFile:
    """Move rows naming an unknown SKU (or a negative QOH the store does not allow)
    from the good rows to the problems."""
    known: set[str] = set()
    skus = [r.sku for r in parsed.rows]
    for start in range(0, len(skus), 500):
        chunk = skus[start:start + 500]
        known.update(session.scalars(select(Product.sku).where(Product.sku.in_(chunk))))
    negative_ok = bool(get_param(session, "AllowNegativeQOH"))
    good, problems = [], list(parsed.problems)
    for r in parsed.rows:
        if r.sku not in known:
            problems.append(RowProblem(r.line, r.sku, f"unknown SKU {r.sku!r}"))
        elif r.qoh < 0 and not negative_ok:
            problems.append(RowProblem(
                r.line, r.sku, f"QOH {r.qoh} is below zero; negative QOH is not allowed"))
        else:
            good.append(r)
    problems.sort(key=lambda p: (p.line, p.problem))
    return replace(parsed, rows=good, problems=problems)


def read_qoh_text(path: str | Path) -> str:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CsvQohError(f"{p.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvQohError(f"{p.name} is not UTF-8 text") from None
    except OSError as e:
        raise CsvQohError(f"{p.name} cannot be read ({e.strerror or type(e).__name__})") from None


def check_qoh_file(store: Store, path: str | Path) -> QohFile:
    """Read and check a file: good rows and per-line problems. Nothing is written."""
    try:
        text = read_qoh_text(path)
    except CsvQohError as e:
        return QohFile(problems=[RowProblem(0, "", str(e))])
    parsed = parse_qoh_csv(text)
    if parsed.fatal:
        return parsed
    with store.read() as s:
        return check_against_store(s, parsed)


def apply_qoh_rows(store: Store, rows: Sequence[QohRow], *, actor: Actor,
                   reason: str = IMPORT_REASON, send: bool = True) -> list[ChangeResult]:
    """Set each row's QOH through Adjust Inventory, all in one transaction: every row
    is applied or (on any error, e.g. a SKU deleted meanwhile) none is."""
    out: list[ChangeResult] = []
    with store.write() as s:
        for r in rows:
            try:
                out.append(adjust(s, sku=r.sku, actor=actor, set_to=r.qoh, reason=reason,
                                  send=send))
            except InventoryError as e:
                raise InventoryError(f"line {r.line}: {e}; nothing was imported") from None
    return out


def export_rows(session: Session) -> Iterable[tuple[str, str, int]]:
    """Every product as (sku, name, qoh), in SKU order; a kit's QOH is the one derived
    from its components (stack/kit_qoh.py: its own products.qoh stays 0)."""
    kits = kit_qoh(session, session.scalars(select(Product.id).where(Product.is_kit.is_(True))))
    q = select(Product.id, Product.sku, Product.name, Product.qoh).order_by(Product.sku)
    for pid, sku, name, qoh in session.execute(q.execution_options(yield_per=2000)):
        yield sku, name or "", kits.get(pid, qoh)


def _safe_cell(text: str) -> str:
    """A name a spreadsheet would run as a formula is written as text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_qoh_csv(store: Store, path: str | Path) -> int:
    """Export sku,name,qoh to `path` (UTF-8); returns the number of products written."""
    p = Path(path)
    tmp = p.with_name(p.name + ".part")
    n = 0
    with store.read() as s, tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(EXPORT_HEADER)
        for sku, name, qoh in export_rows(s):
            w.writerow((sku, _safe_cell(name), qoh))
            n += 1
    tmp.replace(p)
    return n
