"""The Stack Controller (Ctrl+Shift+S from the main window): the Web Stack, who sends it,
and the clerk's actions on its records (Send now, Retry, Bypass, Delete), read and
written through app/stack_view.py on a pool thread."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from seom_desktop.app.params import set_shared_controller
from seom_desktop.app.stack_view import (
    SHOW_AT_MOST,
    STATES,
    StackInputError,
    StackView,
    act_on_rows,
    read_stack,
)
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.models.stack import StackModel, local_time
from seom_desktop.ui.words import plural

log = logging.getLogger(__name__)
REFRESH_MS = 2000
ALL_STATES = "All states"
RETRY, BYPASS, DELETE = "retry", "bypass", "delete"
# The states each action applies to (stack/rows.py: the same conditions in SQL).
APPLIES_TO = {RETRY: ("failed", "waiting", "bypassed"), BYPASS: ("pending", "failed", "waiting"),
              DELETE: ("pending", "failed", "waiting", "bypassed", "sent")}


def _stamp(dt) -> str:
    return local_time(dt) if dt else "?"


def lease_text(info, workstation: str) -> tuple[str, bool]:
    """The line saying who sends the Web Stack (and a warning when stale)."""
    if not info.designated:
        return ("Local stack controller: each workstation sends the changes it made "
                f"(this one: {workstation}).", False)
    if info.stale:
        return (f"⚠ Shared stack controller {info.holder} since {_stamp(info.acquired_at)}: "
                f"its last heartbeat was {_stamp(info.heartbeat_at)} — it has stopped; "
                "nothing is being sent. Start seom-desktop on that workstation.", True)
    if not info.holder:
        return (f"⚠ Shared stack controller {info.designated}: not running; nothing is "
                "being sent until it starts.", True)
    return (f"Shared stack controller {info.holder} since {_stamp(info.acquired_at)}, "
            f"last heartbeat {_stamp(info.heartbeat_at)}.", False)


class StackControllerDialog(QDialog):
    changed = Signal()

    def __init__(self, store, *, workstation: str, parent=None,
                 wake: Callable[[], None] | None = None, refresh_ms: int = REFRESH_MS):
        super().__init__(parent)
        self.store = store
        self.workstation = workstation
        self.wake = wake
        self.view: StackView | None = None
        self._busy = False
        self._again = False
        self._scope_set = False
        self.setObjectName("stackControllerDialog")
        self.setWindowTitle("Stack Controller")
        self.resize(1040, 540)

        self.lease_label = QLabel("…")
        self.lease_label.setObjectName("leaseLabel")
        self.lease_label.setWordWrap(True)
        self.shared_box = QCheckBox("This workstation is the shared stack controller")
        self.shared_box.setObjectName("sharedBox")
        self.shared_box.setAccessibleName("This workstation is the shared stack controller")
        self.shared_box.clicked.connect(self._set_shared)

        self.state_box = QComboBox()
        self.state_box.setObjectName("stateFilter")
        self.state_box.setAccessibleName("State")
        self.state_box.addItem(ALL_STATES, None)
        for st in STATES:
            self.state_box.addItem(st.capitalize(), st)
        self.scope_box = QComboBox()
        self.scope_box.setObjectName("scopeFilter")
        self.scope_box.setAccessibleName("Workstation")
        self.scope_box.addItem(f"This workstation only (local: {workstation})", workstation)
        self.scope_box.addItem("All workstations (shared)", None)
        self.state_box.currentIndexChanged.connect(lambda *_: self.refresh())
        self.scope_box.currentIndexChanged.connect(lambda *_: self.refresh())
        self.counts_label = QLabel("")
        self.counts_label.setObjectName("countsLabel")

        filters = QHBoxLayout()
        filters.addWidget(QLabel("State:"))
        filters.addWidget(self.state_box)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Records:"))
        filters.addWidget(self.scope_box)
        filters.addStretch(1)
        filters.addWidget(self.counts_label)

        self.model = StackModel(self)
        self.table = QTableView()
        self.table.setObjectName("stackTable")
        self.table.setAccessibleName("Web Stack")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        h = self.table.horizontalHeader()
        for col, width in enumerate((150, 110, 70, 80, 70, 0, 150, 100, 150)):
            if width:
                self.table.setColumnWidth(col, width)
        h.setSectionResizeMode(StackModel.LAST_RESPONSE, QHeaderView.ResizeMode.Stretch)
        # Newest first; a click on a column's header sorts by it (again: the other way).
        h.setSortIndicator(StackModel.CREATED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.send_button = QPushButton("Send &now")
        self.retry_button = QPushButton("&Retry")
        self.bypass_button = QPushButton("&Bypass")
        self.delete_button = QPushButton("&Delete")
        self.refresh_button = QPushButton("Re&fresh")
        tips = {self.send_button: "Wake the stack controller: send what is due now",
                self.retry_button: "Put the selected failed or bypassed records back to pending",
                self.bypass_button: "Stop trying to send the selected pending or failed "
                                    "records (kept, bypassed)",
                self.delete_button: "Remove the selected records from the Web Stack (not "
                                    "one being sent)",
                self.refresh_button: "Read the Web Stack again"}
        for b, tip in tips.items():
            b.setToolTip(tip)
            b.setAccessibleName(b.text().replace("&", ""))
            b.setAutoDefault(False)  # Enter never sends, retries or deletes: it closes
        self.send_button.setObjectName("sendNow")
        self.retry_button.setObjectName("retry")
        self.bypass_button.setObjectName("bypass")
        self.delete_button.setObjectName("delete")
        self.send_button.clicked.connect(self.send_now)
        self.retry_button.clicked.connect(lambda: self._act(RETRY))
        self.bypass_button.clicked.connect(lambda: self._act(BYPASS))
        self.delete_button.clicked.connect(self._confirm_delete)
        self.refresh_button.clicked.connect(self.refresh)
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        for b in (self.send_button, self.retry_button, self.bypass_button, self.delete_button,
                  self.refresh_button):
            buttons.addWidget(b)
        buttons.addWidget(self.message, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.lease_label)
        layout.addWidget(self.shared_box)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._enable()

        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    # --- reading ---------------------------------------------------------------------
    def filters(self) -> tuple[str | None, str | None]:
        return self.state_box.currentData(), self.scope_box.currentData()

    def refresh(self) -> None:
        if self._busy:
            self._again = True
            return
        self._busy = True
        state, ws = self.filters()
        store, me = self.store, self.workstation
        run_in_thread(lambda: read_stack(store, state=state, workstation=ws, viewer=me),
                      owner=self,
                      on_done=self._show, on_error=self._read_failed)

    def _show(self, view: StackView) -> None:
        self._busy = False
        if not self._scope_set:
            # The shared view by default when a shared controller sends everyone's rows.
            self._scope_set = True
            if view.lease.designated and self.scope_box.currentIndex() == 0:
                self.scope_box.setCurrentIndex(1)
                return  # the index change asks again
        selected = set(self.selected_ids())
        self.view = view
        self.model.set_rows(view.rows)
        if selected:
            sm = self.table.selectionModel()
            for i, r in enumerate(self.model.rows):
                if r.id in selected:
                    sm.select(self.model.index(i, 0), sm.SelectionFlag.Select | sm.SelectionFlag.Rows)
        c = view.counts
        shown = len(view.rows)
        more = f" (the first {shown:,} shown)" if shown >= SHOW_AT_MOST else ""
        self.counts_label.setText(
            f"{c['pending'] + c['sending']:,} pending · {c['failed']:,} failed · "
            f"{c['bypassed']:,} bypassed · {c['sent']:,} sent{more}")
        text, warn = lease_text(view.lease, self.workstation)
        self.lease_label.setText(text)
        self.lease_label.setStyleSheet("color: #b3261e; font-weight: bold;" if warn else "")
        self.shared_box.setChecked(view.lease.designated == self.workstation)
        self._enable()
        if self._again:
            self._again = False
            self.refresh()

    def _read_failed(self, e: BaseException) -> None:
        self._busy = False
        log.error("Stack Controller: the Web Stack could not be read: %s: %s",
                  type(e).__name__, e)
        self._say("The Web Stack could not be read: the store did not answer. It is read "
                  "again in a moment; the details are in the log.", error=True)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def selected_rows(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows if r < len(self.model.rows)]

    def applicable_ids(self, what: str) -> list[int]:
        """The selected records the action applies to (their state allows it)."""
        return [r.id for r in self.selected_rows() if r.state in APPLIES_TO[what]]

    def _enable(self) -> None:
        for what, b in ((RETRY, self.retry_button), (BYPASS, self.bypass_button),
                        (DELETE, self.delete_button)):
            b.setEnabled(bool(self.applicable_ids(what)))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "color: #2e7d32;")

    # --- acting ----------------------------------------------------------------------
    def send_now(self) -> None:
        if self.wake is None:
            self._say("No stack controller runs in this window; the shared stack controller "
                      "sends on its own.", error=True)
            return
        self.wake()
        self._say("The stack controller was asked to send now.")
        QTimer.singleShot(500, self.refresh)

    def _confirm_delete(self) -> None:
        ids = self.applicable_ids(DELETE)
        if not ids:
            return
        if self.confirm(f"Delete {plural(len(ids), 'record')} from the Web Stack? "
                        f"{'Its change' if len(ids) == 1 else 'Their changes'} will never "
                        "be sent."):
            self._act(DELETE)

    def confirm(self, question: str) -> bool:
        """Yes or No, with No the default: Enter or Esc keeps the records."""
        box = QMessageBox(QMessageBox.Icon.Question, "Stack Controller", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _act(self, what: str) -> None:
        ids = self.applicable_ids(what)
        if not ids:
            self._say(f"Select one or more {' or '.join(APPLIES_TO[what])} records first.",
                      error=True)
            return
        store = self.store
        run_in_thread(lambda: act_on_rows(store, action=what, ids=ids), owner=self, on_done=lambda n: self._acted(what, len(ids), n),
                      on_error=self._act_failed)

    def _acted(self, what: str, asked: int, n: int) -> None:
        done = {RETRY: "put back to pending", BYPASS: "bypassed", DELETE: "deleted"}[what]
        left = asked - n
        note = "" if not left else (f" ({plural(left, 'record')} changed state meanwhile "
                                    "and were left as they are)")
        self._say(f"{plural(n, 'record')} {done}{note}.")
        self.changed.emit()
        if what == RETRY and self.wake is not None:
            self.wake()
        self.refresh()

    def _act_failed(self, e: BaseException) -> None:
        if isinstance(e, StackInputError):
            msg = str(e)
        else:  # the store refused (busy, gone): the details are in the log
            log.error("Stack Controller: the change was not made: %s: %s", type(e).__name__, e)
            msg = ("The Web Stack was not changed: the store did not answer. Try again; if "
                   "it keeps failing, the details are in the log (Help > Open Log Folder).")
        self._say(msg, error=True)
        self.refresh()

    def _set_shared(self, checked: bool) -> None:
        value = self.workstation if checked else ""
        store = self.store

        def done(_r) -> None:
            self._say(f"This workstation ({self.workstation}) is now the shared stack "
                      "controller." if checked else
                      "Back to local stack controllers: each workstation sends its own changes.")
            self.changed.emit()
            self.refresh()

        run_in_thread(lambda: set_shared_controller(store, workstation=value), owner=self,
                      on_done=done, on_error=self._act_failed)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.timer.stop()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Delete and self.applicable_ids(DELETE):
            self._confirm_delete()
            return
        super().keyPressEvent(event)
