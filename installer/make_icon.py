"""Draws the app icon with Qt's QPainter (offscreen) and writes resources/seom-desktop.png
(256 px) and resources/seom-desktop.ico (16-256 px).

    QT_QPA_PLATFORM=offscreen python installer/make_icon.py
"""

from __future__ import annotations

import math
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen, QPolygonF  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE = QColor("#1d5fa8")
LIGHT = QColor("#ffffff")
ORANGE = QColor("#f2a531")


def draw(size: int) -> QImage:
    """A blue rounded square, a white box (the stock) and two orange arrows round it
    (kept in step)."""
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BLUE)
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)

    # The box: a front face and a lid, white.
    p.setBrush(LIGHT)
    p.drawRect(QRectF(88, 108, 80, 64))
    lid = QPolygonF([QPointF(80, 96), QPointF(176, 96), QPointF(176, 112), QPointF(80, 112)])
    p.drawPolygon(lid)
    p.setBrush(BLUE)
    p.drawRect(QRectF(120, 120, 16, 8))  # the handle slot

    # Two arrows on a circle round the box.
    pen = QPen(ORANGE, 18 if size >= 32 else 24)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    ring = QRectF(44, 44, 168, 168)
    p.drawArc(ring, 200 * 16, 120 * 16)  # lower arc, left to right
    p.drawArc(ring, 20 * 16, 120 * 16)  # upper arc, right to left
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ORANGE)
    for end in (140, 320):  # an arrow head where each arc ends, along its direction
        a = math.radians(end)
        cx, cy, r = 128 + 84 * math.cos(a), 128 - 84 * math.sin(a), 1
        tx, ty = -math.sin(a) * r, -math.cos(a) * r  # counter-clockwise tangent
        nx, ny = math.cos(a), -math.sin(a)  # outward normal
        p.drawPolygon(QPolygonF([
            QPointF(cx + 30 * tx, cy + 30 * ty),
            QPointF(cx + 24 * nx - 2 * tx, cy + 24 * ny - 2 * ty),
            QPointF(cx - 24 * nx - 2 * tx, cy - 24 * ny - 2 * ty),
        ]))
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def dib_bytes(img: QImage) -> bytes:
    """An ICO entry as a 32-bit BGRA DIB (bottom-up, with the 1-bit AND mask): what every
    Windows tool reads, resource compilers included."""
    img = img.convertToFormat(QImage.Format.Format_ARGB32)  # BGRA in memory (little endian)
    w, h = img.width(), img.height()
    header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    for y in range(h - 1, -1, -1):
        line = img.constScanLine(y)
        rows.append(bytes(line)[: w * 4])
    mask_row = ((w + 31) // 32) * 4
    return header + b"".join(rows) + bytes(mask_row * h)


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO file: DIB entries below 256 px, a PNG entry at 256 px (Windows Vista+)."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = len(head) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in images:
        s = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", s, s, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return head + entries + blobs


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    out = ROOT / "resources"
    out.mkdir(exist_ok=True)
    drawn = {s: draw(s) for s in SIZES}
    (out / "seom-desktop.png").write_bytes(png_bytes(drawn[256]))
    entries = [(s, png_bytes(img) if s >= 256 else dib_bytes(img)) for s, img in drawn.items()]
    (out / "seom-desktop.ico").write_bytes(ico_bytes(entries))
    print(f"wrote {out / 'seom-desktop.png'} and {out / 'seom-desktop.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
