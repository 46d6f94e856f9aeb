"""The sync's bookkeeping tables: the orders already imported, the shared controller's
lease, the processes holding claims, the reconcile runs and the health samples (the
store's own tables are in models.py, which names these too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seom_desktop.store.models import Base, utcnow


class ImportedOrder(Base):
    """An order already imported from a cart: imported twice, applied once."""

    __tablename__ = "imported_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(255))
    created: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("cart_id", "order_id", name="uq_imported_orders"),)


class ControllerLease(Base):
    """Who holds the shared stack controller, since when, and its last heartbeat."""

    __tablename__ = "controller_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255), default="")
    token: Mapped[str] = mapped_column(String(64), default="")
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class StackHolder(Base):
    """A stack controller process that claims rows (stack/holders.py): its workstation,
    host, pid and process start time, and a heartbeat. Rows in `sending` name their
    holder in `web_stack.claimed_by`; a holder whose process is gone, or whose heartbeat
    stopped, has its rows requeued without waiting out `claimed_until`."""

    __tablename__ = "stack_holders"

    claimer: Mapped[str] = mapped_column(String(255), primary_key=True)
    workstation: Mapped[str] = mapped_column(String(255), default="")
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    process_start: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # How often this holder beats: it is taken for dead after a few beats missed.
    heartbeat_seconds: Mapped[float] = mapped_column(Float, default=5.0)


class ReconcileRun(Base):
    """One reconcile of a cart: when, by which workstation, how many synced items were
    checked, how many differed, how many corrections were queued, and any error."""

    __tablename__ = "reconcile_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    workstation: Mapped[str] = mapped_column(String(255), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    different: Mapped[int] = mapped_column(Integer, default=0)
    fixed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_reconcile_runs_cart", "cart_id", "started_at"),)


class HealthSample(Base):
    """The web stack's counts for one cart at one moment, sampled by the stack
    controller: the Sync Health window's history of pending rows."""

    __tablename__ = "health_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    pending: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    bypassed: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_health_samples_at", "at"),)
