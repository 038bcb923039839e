"""The app's home-screen icons, drawn in plain Python (no image library): a white calendar page with a tick on
NHS blue, its content inside the central 80 % so the same picture serves as a maskable icon.

The PNGs in ``static/icons/`` are this module's output, committed; ``flask --app wsgi bank draw-icons``
writes them again and a test checks the committed files are what it draws.
"""
import struct
import zlib
from pathlib import Path

NHS_BLUE = (0x00, 0x5E, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)
SIZES = (192, 512)
ICON_DIR = Path(__file__).resolve().parent / "static" / "icons"


def _on_segment(x, y, a, b, width) -> bool:
    """Is (x, y) within ``width``/2 of the segment a–b?"""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    px, py = ax + t * dx - x, ay + t * dy - y
    return px * px + py * py <= (width / 2) ** 2


def _white(u: float, v: float) -> bool:
    """Whether the point (u, v), in units of the icon's size, is white."""
    left, right, top, bottom, line = 0.26, 0.74, 0.30, 0.74, 0.035
    inside = left <= u <= right and top <= v <= bottom
    border = inside and (u < left + line or u > right - line or v < top + 0.10 or v > bottom - line)
    rings = any(abs(u - cx) <= 0.022 and 0.24 <= v <= 0.34 for cx in (0.37, 0.63))
    tick = (_on_segment(u, v, (0.36, 0.56), (0.46, 0.65), 0.055)
            or _on_segment(u, v, (0.46, 0.65), (0.64, 0.46), 0.055))
    return border or rings or tick


def draw(size: int) -> bytes:
    """The icon as a PNG of ``size`` × ``size`` pixels (8-bit RGB)."""
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        v = (y + 0.5) / size
        for x in range(size):
            rows.extend(WHITE if _white((x + 0.5) / size, v) else NHS_BLUE)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def icon_path(size: int) -> Path:
    return ICON_DIR / f"icon-{size}.png"


def write_icons() -> list[Path]:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        icon_path(size).write_bytes(draw(size))
        written.append(icon_path(size))
    return written
