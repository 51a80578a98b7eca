"""Draw the site icon, clinic/root/favicon.ico: the shapes of
clinic/static/admin/clinic/favicon.svg (a white cross on the admin's blue, on a
32-unit grid) at 16, 32 and 48 pixels, each a PNG inside the .ico.

Run again after changing the drawing: ``.venv/bin/python -m tools.favicon``.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "clinic" / "root" / "favicon.ico"
SIZES = (16, 32, 48)
BLUE = (0x41, 0x76, 0x90)
WHITE = (0xFF, 0xFF, 0xFF)
CORNER = 6  # rx of the rounded square, in grid units
SAMPLES = 4  # per pixel and axis, for smooth edges


def inside_square(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), 32 - CORNER)
    cy = min(max(y, CORNER), 32 - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def inside_cross(x: float, y: float) -> bool:
    return (13 <= x <= 19 and 6 <= y <= 26) or (6 <= x <= 26 and 13 <= y <= 19)


def pixels(size: int) -> bytes:
    rows = []
    for row in range(size):
        line = bytearray([0])  # PNG filter: none
        for col in range(size):
            square = cross = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (col + (sx + 0.5) / SAMPLES) * 32 / size
                    y = (row + (sy + 0.5) / SAMPLES) * 32 / size
                    if inside_square(x, y):
                        square += 1
                        cross += inside_cross(x, y)
            total = SAMPLES * SAMPLES
            share = cross / square if square else 0
            colour = [
                round(b + (w - b) * share) for b, w in zip(BLUE, WHITE, strict=True)
            ]
            line += bytes([*colour, round(255 * square / total)])
        rows.append(bytes(line))
    return b"".join(rows)


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels(size), 9))
        + chunk(b"IEND", b"")
    )


def ico() -> bytes:
    images = [png(size) for size in SIZES]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(SIZES, images, strict=True):
        directory += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset
        )
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(ico())
