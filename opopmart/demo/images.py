"""Product shots and producer logos for the demo, drawn with Pillow.

The demo must load offline and without font files, so every picture is an illustration:
a packshot of the product's packaging (pouch, jar, bottle, folded cloth, basket, ...)
on a soft studio background in its category's colours, with the product name and brand
printed on the label. Drawing is plain ImageDraw work on one 800x800 canvas (no blur
filters, no supersampling) so a picture costs a few milliseconds; ``store_image``'s
three JPEG encodes are what dominate the demo's load time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]

SIZE = 800
LOGO_SIZE = 480


@dataclass(frozen=True)
class Palette:
    """Studio colours of one root category: the backdrop and the label ink."""

    top: RGB
    bottom: RGB
    floor: RGB
    accent: RGB
    ink: RGB


PALETTES: dict[str, Palette] = {
    "fesyen-batik": Palette((250, 240, 228), (238, 214, 192), (226, 196, 170), (140, 70, 30), (70, 40, 20)),
    "makanan-minuman": Palette((255, 246, 220), (252, 222, 170), (244, 200, 140), (196, 60, 40), (60, 36, 20)),
    "kerajinan": Palette((240, 243, 232), (214, 226, 198), (196, 210, 176), (150, 100, 50), (60, 50, 30)),
    "herbal-kesehatan": Palette((236, 247, 236), (200, 230, 204), (178, 214, 182), (46, 125, 50), (30, 70, 40)),
    "kosmetik": Palette((253, 238, 243), (244, 210, 224), (234, 190, 208), (173, 40, 100), (90, 30, 60)),
    "pertanian-perkebunan": Palette((244, 250, 230), (214, 234, 180), (196, 220, 150), (90, 140, 50), (60, 60, 30)),
}


# --- small helpers -------------------------------------------------------------------


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``t`` of the way from ``a`` to ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def shade(colour: RGB, factor: float) -> RGB:
    """Darker below 1, lighter (towards white) above 1."""
    if factor <= 1:
        return mix((0, 0, 0), colour, factor)
    return mix(colour, (255, 255, 255), min(factor - 1, 1))


def _readable_ink(background: RGB) -> RGB:
    luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2]
    return (40, 30, 24) if luminance > 150 else (255, 250, 240)


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font, so no font file has to exist on the machine."""
    return ImageFont.load_default(size=size)


def wrap(text: str, size: int, width: int) -> list[str]:
    """Greedy word wrap for the label: lines no wider than ``width`` pixels."""
    f = font(size)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or f.getlength(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, width: int, height: int, sizes: Sequence[int], max_lines: int = 3
             ) -> tuple[int, list[str]]:
    """The largest size at which ``text`` fits the box, wrapped."""
    for size in sizes:
        lines = wrap(text, size, width)
        widest = max(font(size).getlength(line) for line in lines)
        if len(lines) <= max_lines and widest <= width and len(lines) * size * 1.18 <= height:
            return size, lines
    size = sizes[-1]
    return size, wrap(text, size, width)[:max_lines]


def centred_text(draw: ImageDraw.ImageDraw, cx: float, y: float, lines: Sequence[str], size: int,
                 fill: RGB) -> float:
    """Draw lines centred on ``cx`` from ``y`` down; return the y below the last line."""
    f = font(size)
    step = size * 1.18
    for line in lines:
        draw.text((cx, y), line, font=f, fill=fill, anchor="ma")
        y += step
    return y


class Frame:
    """Maps design coordinates (drawn for an 800px canvas centred on 400,400) to the canvas,
    so one motif can be drawn large for the hero shot and smaller, shifted, for the others."""

    def __init__(self, cx: float, cy: float, scale: float):
        self.cx, self.cy, self.s = cx, cy, scale

    def x(self, v: float) -> float:
        return self.cx + (v - 400) * self.s

    def y(self, v: float) -> float:
        return self.cy + (v - 400) * self.s

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return (self.x(x), self.y(y))

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (self.x(x0), self.y(y0), self.x(x1), self.y(y1))

    def n(self, v: float) -> int:
        return max(1, round(v * self.s))

    def poly(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [self.pt(x, y) for x, y in points]


@dataclass
class Shot:
    """Everything a motif needs to draw one picture."""

    canvas: Image.Image
    draw: ImageDraw.ImageDraw
    frame: Frame
    rng: random.Random
    palette: Palette
    colour: RGB  # the packaging's main colour
    title: str
    brand: str
    tagline: str
    style: str  # a motif-specific variation ("kawung", "honey", ...)


# --- backdrop, shadow, props -----------------------------------------------------------


def backdrop(palette: Palette, rng: random.Random, tint: RGB | None = None) -> Image.Image:
    """A studio sweep: a vertical gradient, a few soft circles, and a table edge."""
    top, bottom = palette.top, palette.bottom
    if tint is not None:
        top, bottom = mix(top, tint, 0.18), mix(bottom, tint, 0.22)
    # A 1-pixel-wide column stretched sideways: much cheaper than compositing two canvases.
    column = Image.new("RGB", (1, 200))
    column.putdata([mix(top, bottom, i / 199) for i in range(200)])
    canvas = column.resize((SIZE, SIZE), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(canvas)
    for _ in range(3):
        r = rng.randint(70, 190)
        x, y = rng.randint(-40, SIZE + 40), rng.randint(-40, 420)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=mix(top, (255, 255, 255), 0.35))
    floor = palette.floor if tint is None else mix(palette.floor, tint, 0.2)
    draw.rectangle((0, 620, SIZE, SIZE), fill=floor)
    draw.rectangle((0, 620, SIZE, 626), fill=mix(floor, (255, 255, 255), 0.3))
    return canvas


@lru_cache(maxsize=4)
def _soft_ellipse() -> Image.Image:
    small = Image.new("L", (64, 16), 0)
    ImageDraw.Draw(small).ellipse((4, 2, 60, 14), fill=110)
    return small


def shadow(canvas: Image.Image, box: tuple[float, float, float, float], colour: RGB) -> None:
    """A soft contact shadow: a tiny ellipse scaled up bilinearly instead of a blur."""
    x0, y0, x1, y1 = (round(v) for v in box)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    mask = _soft_ellipse().resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR)
    canvas.paste(colour, (x0, y0, x1, y1), mask)


def leaf_points(cx: float, cy: float, length: float, width: float, angle: float) -> list[tuple[float, float]]:
    """A pointed leaf outline around its midrib, rotated by ``angle`` radians."""
    pts: list[tuple[float, float]] = []
    steps = 8
    for side in (1, -1):
        rng_ = range(steps + 1) if side == 1 else range(steps, -1, -1)
        for i in rng_:
            t = i / steps
            along = (t - 0.5) * length
            across = side * math.sin(math.pi * t) ** 0.8 * width / 2
            pts.append((along, across))
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + a * ca - b * sa, cy + a * sa + b * ca) for a, b in pts]


def draw_leaf(draw: ImageDraw.ImageDraw, cx: float, cy: float, length: float, width: float, angle: float,
              fill: RGB, vein: RGB | None = None) -> None:
    draw.polygon(leaf_points(cx, cy, length, width, angle), fill=fill)
    if vein is not None:
        dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
        draw.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=vein, width=max(1, int(width / 14)))


def _hexagon(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    return [(cx + r * math.cos(math.pi / 3 * k), cy + r * math.sin(math.pi / 3 * k)) for k in range(6)]


def scatter_props(shot: Shot, kind: str, count: int, area: tuple[int, int, int, int]) -> None:
    """Loose things on the table around the product: beans, chips, leaves, chillies..."""
    d, rng = shot.draw, shot.rng
    x0, y0, x1, y1 = area
    for _ in range(count):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        a = rng.uniform(0, math.pi)
        if kind == "beans":
            c = mix((92, 52, 28), (140, 84, 44), rng.random())
            d.ellipse((x - 16, y - 11, x + 16, y + 11), fill=c)
            d.arc((x - 12, y - 7, x + 12, y + 7), 200, 340, fill=shade(c, 0.55), width=3)
        elif kind == "chips":
            c = mix((232, 188, 90), (214, 150, 60), rng.random())
            r = rng.uniform(16, 26)
            pts = [(x + r * math.cos(a + k * 1.3) * rng.uniform(0.7, 1.1),
                    y + r * 0.7 * math.sin(a + k * 1.3)) for k in range(5)]
            d.polygon(pts, fill=c, outline=shade(c, 0.8))
        elif kind == "leaves":
            c = mix((70, 140, 60), (120, 170, 70), rng.random())
            draw_leaf(d, x, y, rng.uniform(50, 80), rng.uniform(22, 32), a, c, shade(c, 0.7))
        elif kind == "hex":
            c = mix((240, 170, 40), (250, 200, 80), rng.random())
            d.polygon(_hexagon(x, y, 20), fill=c, outline=shade(c, 0.8))
        elif kind == "chili":
            c = mix((200, 30, 30), (230, 60, 40), rng.random())
            dx, dy = math.cos(a) * 34, math.sin(a) * 34
            d.line((x - dx, y - dy, x + dx, y + dy), fill=c, width=13)
            d.line((x + dx, y + dy, x + dx * 1.25, y + dy * 1.25), fill=(60, 120, 40), width=5)
        elif kind == "grains":
            c = mix((245, 240, 225), (230, 220, 195), rng.random())
            dx, dy = math.cos(a) * 7, math.sin(a) * 7
            d.line((x - dx, y - dy, x + dx, y + dy), fill=c, width=6)
        elif kind == "sticks":
            c = mix((150, 80, 40), (120, 60, 30), rng.random())
            dx, dy = math.cos(a) * 40, math.sin(a) * 8
            d.line((x - dx, y - dy, x + dx, y + dy), fill=c, width=12)
            d.line((x - dx, y - dy - 4, x + dx, y + dy - 4), fill=shade(c, 1.25), width=3)
        elif kind == "roots":
            c = mix((214, 150, 60), (230, 180, 80), rng.random())
            d.ellipse((x - 26, y - 12, x + 14, y + 12), fill=c)
            d.ellipse((x + 4, y - 22, x + 30, y), fill=shade(c, 0.92))
        elif kind == "flowers":
            c = mix((250, 250, 245), (250, 220, 230), rng.random())
            for k in range(5):
                ang = a + k * 2 * math.pi / 5
                px, py = x + math.cos(ang) * 11, y + math.sin(ang) * 11
                d.ellipse((px - 9, py - 9, px + 9, py + 9), fill=c)
            d.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(245, 190, 40))
        else:  # dots
            c = mix(shot.colour, (255, 255, 255), rng.uniform(0.2, 0.6))
            r = rng.uniform(6, 12)
            d.ellipse((x - r, y - r, x + r, y + r), fill=c)


# --- labels ---------------------------------------------------------------------------


def label(shot: Shot, box: tuple[float, float, float, float], *, bg: RGB = (252, 248, 238),
          radius: int = 18, max_lines: int = 3, show_tagline: bool = True) -> None:
    """The printed label: brand on top, the product's name large, a small tagline."""
    d, palette = shot.draw, shot.palette
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d.rounded_rectangle(box, radius=max(4, round(radius * shot.frame.s)), fill=bg,
                        outline=shade(bg, 0.85), width=2)
    ink = _readable_ink(bg)
    accent = palette.accent if _readable_ink(bg) == (40, 30, 24) else shade(bg, 1.6)
    pad = w * 0.07
    brand_size = max(12, round(h * 0.085))
    y = y0 + h * 0.07
    brand_text = shot.brand.upper()
    brand_lines = wrap(brand_text, brand_size, round(w - 2 * pad))[:1]
    y = centred_text(d, (x0 + x1) / 2, y, brand_lines, brand_size, accent)
    d.line((x0 + pad * 2, y + 4, x1 - pad * 2, y + 4), fill=accent, width=2)
    y += 14
    tag_size = max(10, round(h * 0.06))
    room = y1 - y - (tag_size * 1.6 if show_tagline and shot.tagline else h * 0.05)
    sizes = [s for s in (60, 54, 48, 44, 40, 36, 32, 29, 26, 23, 20, 18, 16, 14, 12)
             if s <= max(12, round(h * 0.26))]
    size, lines = fit_text(shot.title, round(w - 2 * pad), round(room), sizes, max_lines)
    block = len(lines) * size * 1.18
    y_text = y + max(0.0, (room - block) / 2)
    centred_text(d, (x0 + x1) / 2, y_text, lines, size, ink)
    if show_tagline and shot.tagline:
        tag_lines = wrap(shot.tagline, tag_size, round(w - 2 * pad))[:1]
        centred_text(d, (x0 + x1) / 2, y1 - tag_size * 1.5, tag_lines, tag_size, shade(ink, 1.35))


def hang_tag(shot: Shot, x: float, y: float, w: float, h: float) -> None:
    """A kraft-paper swing tag for goods that have no printed packaging."""
    d = shot.draw
    d.line((x + w / 2, y - 40, x + w / 2, y + 14), fill=(120, 90, 60), width=3)
    label(shot, (x, y, x + w, y + h), bg=(222, 196, 150), radius=10, max_lines=3)
    d.ellipse((x + w / 2 - 7, y + 6, x + w / 2 + 7, y + 20), fill=shot.palette.bottom,
              outline=(120, 90, 60), width=2)


# --- patterns for cloth, garments and woven goods ------------------------------------


def pattern(kind: str, size: tuple[int, int], base: RGB, ink: RGB, rng: random.Random, cell: int = 22
            ) -> Image.Image:
    """A fabric or weave texture filling ``size``."""
    w, h = size
    img = Image.new("RGB", size, base)
    d = ImageDraw.Draw(img)
    if kind == "ecoprint":
        tones = [(120, 72, 36), (160, 110, 50), (96, 110, 48), (150, 60, 40), (80, 60, 40)]
        for _ in range(max(10, w * h // 4500)):
            c = mix(rng.choice(tones), base, rng.uniform(0.05, 0.45))
            draw_leaf(d, rng.uniform(-20, w + 20), rng.uniform(-20, h + 20), rng.uniform(40, 105),
                      rng.uniform(22, 50), rng.uniform(0, math.pi), c, shade(c, 0.75))
    elif kind == "kawung":
        step = 64
        for gy in range(0, h + step, step):
            for gx in range(0, w + step, step):
                for ang in (0, 90, 180, 270):
                    a = math.radians(ang + 45)
                    px, py = gx + math.cos(a) * 17, gy + math.sin(a) * 17
                    d.ellipse((px - 14, py - 14, px + 14, py + 14), fill=ink)
                    d.ellipse((px - 4, py - 4, px + 4, py + 4), fill=base)
                d.ellipse((gx - 4, gy - 4, gx + 4, gy + 4), fill=shade(ink, 1.4))
    elif kind == "parang":
        step = 56
        for k in range(-h // step - 2, w // step + 3):
            x = k * step
            d.line((x, h + 10, x + h + 10, -10), fill=ink, width=20)
            d.line((x + 26, h + 10, x + 26 + h + 10, -10), fill=shade(ink, 1.5), width=4)
            for t in range(0, h + 40, 40):
                d.ellipse((x + t + 30, h - t - 6, x + t + 42, h - t + 6), fill=ink)
    elif kind == "gentongan":
        accent = (180, 40, 40)
        step = 90
        for gy in range(0, h + step, step):
            for gx in range(0, w + step, step):
                ox = step // 2 if (gy // step) % 2 else 0
                cx, cy = gx + ox, gy
                for k in range(8):
                    a = k * math.pi / 4
                    draw_leaf(d, cx + math.cos(a) * 18, cy + math.sin(a) * 18, 30, 14, a, ink)
                d.ellipse((cx - 9, cy - 9, cx + 9, cy + 9), fill=accent)
    elif kind == "ceplok":
        step = 80
        for gy in range(0, h + step, step):
            for gx in range(0, w + step, step):
                d.rectangle((gx - 30, gy - 30, gx + 30, gy + 30), outline=ink, width=3)
                for k in range(4):
                    a = k * math.pi / 2 + math.pi / 4
                    draw_leaf(d, gx + math.cos(a) * 16, gy + math.sin(a) * 16, 28, 14, a, ink)
                d.ellipse((gx - 5, gy - 5, gx + 5, gy + 5), fill=shade(ink, 1.5))
    elif kind == "check":  # sarung tenun
        step = 70
        for x in range(0, w, step):
            d.rectangle((x, 0, x + 22, h), fill=mix(base, ink, 0.45))
            d.rectangle((x + 30, 0, x + 34, h), fill=ink)
        for y in range(0, h, step):
            d.rectangle((0, y, w, y + 22), fill=mix(base, ink, 0.45))
            d.rectangle((0, y + 30, w, y + 34), fill=ink)
    elif kind == "weave":
        light, dark = shade(base, 1.12), shade(base, 0.82)
        for gy in range(0, h, cell):
            for gx in range(0, w, cell):
                horizontal = ((gx // cell) + (gy // cell)) % 2 == 0
                d.rectangle((gx + 1, gy + 1, gx + cell - 2, gy + cell - 2), fill=light if horizontal else dark)
                if horizontal:
                    d.line((gx + 2, gy + cell // 2, gx + cell - 3, gy + cell // 2), fill=base, width=1)
                else:
                    d.line((gx + cell // 2, gy + 2, gx + cell // 2, gy + cell - 3), fill=base, width=1)
    elif kind == "embroidery":  # busana muslim: a border of small motifs on plain cloth
        for y in range(0, h, 120):
            d.line((0, y + 60, w, y + 60), fill=ink, width=3)
            for x in range(0, w, 40):
                d.ellipse((x + 12, y + 52, x + 28, y + 68), outline=ink, width=3)
    else:  # plain canvas with a subtle slub
        for _ in range(w * h // 3000):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            d.line((x, y, x + rng.uniform(10, 40), y), fill=shade(base, 0.94), width=1)
    return img


def fill_pattern(shot: Shot, polygon: Sequence[tuple[float, float]], kind: str, base: RGB, ink: RGB,
                 cell: int = 22) -> None:
    """Paint a ``pattern`` inside ``polygon`` (canvas coordinates).

    The texture and mask cover the polygon's bounding box only; full-canvas layers
    would double the cost of a picture."""
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
    x1, y1 = min(SIZE, int(max(xs)) + 1), min(SIZE, int(max(ys)) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in polygon], fill=255)
    texture = pattern(kind, (x1 - x0, y1 - y0), base, ink, shot.rng, cell)
    shot.canvas.paste(texture, (x0, y0), mask)


def _texture_kind(style: str) -> str:
    return style if style in {"ecoprint", "kawung", "parang", "gentongan", "ceplok", "check", "weave",
                              "embroidery"} else "plain"


# --- motifs ---------------------------------------------------------------------------


def motif_pouch(shot: Shot) -> None:
    """A stand-up pouch with a zip, tear notches and a printed label (kopi, keripik, serbuk)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(190, 610, 610, 660), shade(shot.palette.floor, 0.75))
    d.rounded_rectangle(f.box(215, 160, 585, 645), radius=f.n(26), fill=c)
    d.rectangle(f.box(215, 160, 585, 196), fill=shade(c, 0.8))
    for x in range(232, 580, 22):
        d.line(f.box(x, 218, x + 12, 218), fill=shade(c, 0.65), width=f.n(4))
    d.polygon(f.poly([(215, 178), (231, 186), (215, 194)]), fill=shot.palette.top)
    d.polygon(f.poly([(585, 178), (569, 186), (585, 194)]), fill=shot.palette.top)
    d.polygon(f.poly([(246, 240), (268, 240), (262, 620), (240, 620)]), fill=shade(c, 1.18))
    d.arc(f.box(215, 590, 585, 700), 190, 350, fill=shade(c, 0.75), width=f.n(4))
    if shot.style == "window":
        d.rounded_rectangle(f.box(300, 500, 500, 590), radius=f.n(40), fill=(250, 240, 220),
                            outline=shade(c, 0.7), width=f.n(3))
        for _ in range(7):
            x, y = shot.rng.uniform(315, 485), shot.rng.uniform(512, 578)
            d.ellipse(f.box(x - 14, y - 9, x + 14, y + 9), fill=(226, 176, 80))
        label(shot, f.box(262, 270, 538, 490), max_lines=3)
    else:
        label(shot, f.box(258, 270, 542, 560), max_lines=3)


def motif_box(shot: Shot) -> None:
    """A carton in three-quarter view (drip bags, instant drinks, tea)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(200, 610, 640, 660), shade(shot.palette.floor, 0.75))
    d.polygon(f.poly([(240, 230), (520, 230), (580, 190), (300, 190)]), fill=shade(c, 1.2))
    d.polygon(f.poly([(520, 230), (580, 190), (580, 600), (520, 640)]), fill=shade(c, 0.72))
    d.rectangle(f.box(240, 230, 520, 640), fill=c)
    d.rectangle(f.box(240, 590, 520, 640), fill=shade(c, 0.85))
    label(shot, f.box(262, 260, 498, 570), max_lines=3)


def motif_jar(shot: Shot) -> None:
    """A glass jar with a metal lid: honey, sambal."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(210, 612, 590, 660), shade(shot.palette.floor, 0.7))
    lid = (214, 170, 60) if shot.style == "honey" else (200, 40, 40)
    d.rounded_rectangle(f.box(238, 262, 562, 645), radius=f.n(56), fill=c)
    d.rounded_rectangle(f.box(238, 262, 562, 330), radius=f.n(30), fill=shade(c, 1.3))
    d.polygon(f.poly([(262, 330), (284, 330), (284, 612), (262, 590)]), fill=shade(c, 1.35))
    d.rounded_rectangle(f.box(262, 196, 538, 268), radius=f.n(14), fill=lid)
    for x in range(276, 530, 16):
        d.line(f.box(x, 204, x, 260), fill=shade(lid, 0.8), width=f.n(3))
    label(shot, f.box(262, 360, 538, 565), max_lines=3)
    if shot.style == "honey":
        d.line(f.box(560, 560, 690, 470), fill=(150, 100, 50), width=f.n(10))
        d.ellipse(f.box(520, 545, 580, 600), fill=(196, 140, 70))
        for k in range(3):
            d.line(f.box(526, 556 + k * 12, 574, 556 + k * 12), fill=(150, 100, 50), width=f.n(3))


def motif_bottle(shot: Shot) -> None:
    """A bottle with shoulder, neck and cap: jamu, minyak herbal, serum, sirup."""
    f, d, c = shot.frame, shot.draw, shot.colour
    small = shot.style == "small"
    top = 270 if small else 200
    width = 150 if small else 220
    x0, x1 = 400 - width / 2 - 20, 400 + width / 2 + 20
    shadow(shot.canvas, f.box(x0 - 30, 612, x1 + 30, 660), shade(shot.palette.floor, 0.7))
    d.rounded_rectangle(f.box(x0, top + 140, x1, 645), radius=f.n(34), fill=c)
    d.polygon(f.poly([(x0 + 12, top + 170), (400 - 32, top + 80), (400 + 32, top + 80), (x1 - 12, top + 170)]),
              fill=c)
    d.ellipse(f.box(x0, top + 118, x1, top + 200), fill=c)
    d.rectangle(f.box(400 - 32, top + 40, 400 + 32, top + 100), fill=shade(c, 1.15))
    cap = shade(shot.palette.accent, 0.9)
    d.rounded_rectangle(f.box(400 - 42, top - 20, 400 + 42, top + 48), radius=f.n(10), fill=cap)
    for x in range(400 - 34, 400 + 40, 12):
        d.line(f.box(x, top - 12, x, top + 40), fill=shade(cap, 0.8), width=f.n(2))
    d.polygon(f.poly([(x0 + 16, top + 210), (x0 + 34, top + 200), (x0 + 34, 620), (x0 + 16, 610)]),
              fill=shade(c, 1.35))
    label(shot, f.box(x0 + 14, top + 250, x1 - 14, 600), max_lines=4)


def motif_cream(shot: Shot) -> None:
    """A short wide cosmetic jar with its lid (lulur, masker, balm)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(200, 612, 600, 660), shade(shot.palette.floor, 0.7))
    d.rounded_rectangle(f.box(230, 400, 570, 645), radius=f.n(30), fill=(250, 248, 244))
    d.rounded_rectangle(f.box(222, 330, 578, 410), radius=f.n(20), fill=c)
    d.rectangle(f.box(222, 395, 578, 410), fill=shade(c, 0.8))
    label(shot, f.box(254, 424, 546, 622), bg=mix(c, (255, 255, 255), 0.8), max_lines=2, show_tagline=False)
    # the open lid leaning behind shows the cream
    d.ellipse(f.box(520, 300, 700, 350), fill=shade(c, 0.9))
    d.ellipse(f.box(534, 306, 686, 344), fill=mix(c, (255, 255, 255), 0.6))


def motif_soap(shot: Shot) -> None:
    """Two handmade soap bars, the front one wrapped in a paper band."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(170, 600, 640, 655), shade(shot.palette.floor, 0.7))
    d.rounded_rectangle(f.box(300, 300, 640, 520), radius=f.n(44), fill=shade(c, 0.9))
    d.rounded_rectangle(f.box(170, 380, 540, 630), radius=f.n(48), fill=c)
    d.rounded_rectangle(f.box(186, 392, 524, 440), radius=f.n(30), fill=shade(c, 1.12))
    d.text(f.pt(470, 340), shot.brand.upper()[:14], font=font(max(12, f.n(22))), fill=shade(c, 0.7), anchor="mm")
    label(shot, f.box(250, 430, 462, 628), bg=(232, 208, 160), radius=4, max_lines=3, show_tagline=False)


def motif_sack(shot: Shot) -> None:
    """A woven rice sack tied at the top, grains spilled in front."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(180, 612, 620, 662), shade(shot.palette.floor, 0.7))
    body = f.poly([(250, 250), (550, 250), (600, 610), (560, 645), (240, 645), (200, 610)])
    fill_pattern(shot, body, "weave", c, c, cell=max(6, f.n(9)))
    d.polygon(f.poly([(300, 250), (350, 170), (450, 170), (500, 250)]), fill=shade(c, 0.9))
    d.rectangle(f.box(330, 225, 470, 248), fill=(170, 40, 40))
    label(shot, f.box(246, 330, 554, 580), max_lines=3)
    scatter_props(shot, "grains", 40, (int(f.x(200)), int(f.y(640)), int(f.x(640)), int(f.y(690))))


def motif_seedling(shot: Shot) -> None:
    """A seedling in a black polybag with a plant marker."""
    f, d = shot.frame, shot.draw
    shadow(shot.canvas, f.box(250, 612, 560, 660), shade(shot.palette.floor, 0.7))
    d.line(f.box(400, 470, 400, 230), fill=(90, 120, 50), width=f.n(10))
    leaf = shot.colour
    for k, (y, ang, ln) in enumerate([(270, -0.6, 140), (300, math.pi + 0.6, 150), (360, -0.35, 170),
                                      (390, math.pi + 0.35, 165), (230, -1.45, 110)]):
        x = 400 + math.cos(ang) * ln / 2 * f.s
        draw_leaf(d, f.x(400) + (x - f.x(400)), f.y(y) + math.sin(ang) * ln / 2 * f.s, ln * f.s, ln * 0.42 * f.s,
                  ang, shade(leaf, 1.0 + 0.06 * k), shade(leaf, 0.7))
    d.polygon(f.poly([(290, 470), (510, 470), (490, 645), (310, 645)]), fill=(40, 40, 42))
    d.ellipse(f.box(290, 452, 510, 490), fill=(92, 64, 44))
    for x in range(320, 490, 40):
        d.line(f.box(x, 520, x + 8, 620), fill=(60, 60, 64), width=f.n(3))
    d.line(f.box(520, 640, 560, 440), fill=(200, 170, 120), width=f.n(10))
    label(shot, f.box(500, 420, 700, 560), bg=(250, 246, 230), radius=8, max_lines=3, show_tagline=False)


def motif_cloth(shot: Shot) -> None:
    """A stack of folded cloth showing its print, with a swing tag (batik, ecoprint, sarung)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(140, 600, 670, 660), shade(shot.palette.floor, 0.7))
    ink = shade(c, 0.45) if shot.style != "gentongan" else (30, 90, 60)
    base = c
    # the lower layers of the stack show only their folded edges
    for k, (y0, tone) in enumerate([(560, 0.78), (500, 0.9)]):
        d.rectangle(f.box(150 + k * 10, y0, 650 - k * 10, y0 + 70), fill=shade(base, tone))
        d.line(f.box(150 + k * 10, y0 + 34, 650 - k * 10, y0 + 34), fill=mix(shade(base, tone), ink, 0.5),
               width=f.n(3))
    top = f.poly([(170, 260), (630, 260), (630, 500), (170, 500)])
    fill_pattern(shot, top, _texture_kind(shot.style), base, ink)
    d.rectangle(f.box(170, 500, 630, 520), fill=shade(base, 0.7))
    d.line(f.box(170, 262, 630, 262), fill=shade(base, 1.2), width=f.n(4))
    hang_tag(shot, f.x(470), f.y(400), 200 * f.s, 190 * f.s)


def motif_garment(shot: Shot) -> None:
    """A shirt or gamis on a hanger, filled with its print, with a swing tag."""
    f, d, c = shot.frame, shot.draw, shot.colour
    long = shot.style.endswith("long")
    hem = 660 if long else 600
    d.line(f.box(400, 130, 400, 160), fill=(90, 90, 90), width=f.n(5))
    d.arc(f.box(390, 110, 420, 140), 90, 360, fill=(90, 90, 90), width=f.n(5))
    d.line(f.box(400, 160, 270, 205), fill=(120, 90, 60), width=f.n(6))
    d.line(f.box(400, 160, 530, 205), fill=(120, 90, 60), width=f.n(6))
    outline = f.poly([(340, 190), (460, 190), (560, 220), (660, 420), (600, 440), (540, 330), (540, hem),
                      (260, hem), (260, 330), (200, 440), (140, 420), (240, 220)])
    kind = _texture_kind(shot.style.replace("-long", ""))
    ink = shade(c, 0.5)
    fill_pattern(shot, outline, kind, c, ink)
    d.polygon(f.poly([(350, 190), (400, 250), (450, 190)]), fill=shade(c, 0.75))
    d.line(f.box(400, 250, 400, hem - 20), fill=shade(c, 0.8), width=f.n(3))
    for y in range(280, min(hem, 460), 50):
        d.ellipse(f.box(394, y, 406, y + 12), fill=shade(c, 1.4))
    hang_tag(shot, f.x(500), f.y(470), 190 * f.s, 180 * f.s)


def motif_scarf(shot: Shot) -> None:
    """A square scarf folded into a triangle with fringes (hijab, syal, pashmina)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(130, 590, 670, 650), shade(shot.palette.floor, 0.7))
    tri = f.poly([(130, 300), (670, 300), (400, 620)])
    base = c
    fill_pattern(shot, tri, _texture_kind(shot.style), base, shade(c, 0.5))
    d.polygon(f.poly([(130, 300), (670, 300), (640, 330), (160, 330)]), fill=shade(base, 0.85))
    for k in range(0, 27):
        t = k / 26
        x, y = 130 + (400 - 130) * t, 300 + (620 - 300) * t
        d.line(f.box(x, y, x - 14, y + 18), fill=shade(base, 0.7), width=f.n(3))
    hang_tag(shot, f.x(520), f.y(420), 180 * f.s, 170 * f.s)


def motif_tote(shot: Shot) -> None:
    """A tote bag (kanvas ecoprint, anyaman pandan) with two handles."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(200, 612, 600, 660), shade(shot.palette.floor, 0.7))
    handle = shade(c, 0.6)
    d.arc(f.box(280, 160, 400, 420), 180, 360, fill=handle, width=f.n(16))
    d.arc(f.box(400, 160, 520, 420), 180, 360, fill=handle, width=f.n(16))
    body = f.poly([(230, 290), (570, 290), (600, 645), (200, 645)])
    kind = _texture_kind(shot.style)
    base = c
    fill_pattern(shot, body, kind, base, shade(c, 0.5))
    d.rectangle(f.box(230, 290, 570, 318), fill=shade(base, 0.8))
    hang_tag(shot, f.x(470), f.y(420), 190 * f.s, 170 * f.s)


def motif_basket(shot: Shot) -> None:
    """A woven basket with a handle (anyaman bambu/rotan/pandan)."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(170, 612, 630, 662), shade(shot.palette.floor, 0.7))
    d.arc(f.box(250, 170, 550, 520), 180, 360, fill=shade(c, 0.7), width=f.n(20))
    body = f.poly([(190, 360), (610, 360), (560, 645), (240, 645)])
    fill_pattern(shot, body, "weave", c, c, cell=f.n(22))
    d.ellipse(f.box(180, 330, 620, 390), fill=shade(c, 0.6))
    d.ellipse(f.box(196, 340, 604, 380), fill=shade(c, 0.45))
    d.rectangle(f.box(186, 360, 614, 382), fill=shade(c, 0.85))
    hang_tag(shot, f.x(470), f.y(470), 190 * f.s, 160 * f.s)


def motif_peci(shot: Shot) -> None:
    """A peci (kopiah) on a small box, with a gold band."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(170, 612, 630, 662), shade(shot.palette.floor, 0.7))
    d.rectangle(f.box(200, 520, 600, 645), fill=(120, 30, 40))
    d.rectangle(f.box(200, 520, 600, 540), fill=(150, 45, 55))
    edge = shade(c, 0.8)  # keeps a white kopiah visible against a pale backdrop
    d.rounded_rectangle(f.box(230, 290, 570, 520), radius=f.n(70), fill=c, corners=(True, True, False, False),
                        outline=edge, width=f.n(3))
    d.ellipse(f.box(230, 270, 570, 330), fill=shade(c, 1.25), outline=edge, width=f.n(3))
    gold = (214, 170, 70)
    d.rectangle(f.box(230, 470, 570, 494), fill=gold)
    for x in range(240, 570, 24):
        d.ellipse(f.box(x, 476, x + 12, 488), fill=shade(gold, 0.75))
    label(shot, f.box(410, 545, 590, 640), bg=(250, 244, 225), radius=6, max_lines=2, show_tagline=False)


def motif_lamp(shot: Shot) -> None:
    """A glowing bamboo lamp hanging from its cord."""
    f, d, c = shot.frame, shot.draw, shot.colour
    glow = (255, 226, 150)
    for k, r in enumerate((300, 240, 180)):
        d.ellipse(f.box(400 - r, 420 - r, 400 + r, 420 + r), fill=mix(shot.palette.top, glow, 0.25 + k * 0.2))
    d.line(f.box(400, 0, 400, 220), fill=(60, 50, 40), width=f.n(4))
    d.rectangle(f.box(300, 220, 500, 600), fill=(255, 214, 120))
    for x in range(300, 500, 22):
        d.rectangle(f.box(x, 220, x + 14, 600), fill=mix(c, (255, 255, 255), 0.05 * ((x // 22) % 3)))
        for y in (320, 440):
            d.line(f.box(x, y, x + 14, y), fill=shade(c, 0.7), width=f.n(3))
    d.ellipse(f.box(290, 205, 510, 240), fill=shade(c, 0.75))
    d.ellipse(f.box(290, 585, 510, 620), fill=shade(c, 0.7))
    label(shot, f.box(450, 560, 680, 690), bg=(222, 196, 150), radius=10, max_lines=2, show_tagline=False)


def motif_wood(shot: Shot) -> None:
    """Teak goods: a cutting board, a Qur'an stand (rehal), a mask or a box, by ``style``."""
    f, d, c = shot.frame, shot.draw, shot.colour
    shadow(shot.canvas, f.box(170, 610, 630, 662), shade(shot.palette.floor, 0.7))
    grain = shade(c, 0.78)
    if shot.style == "rehal":
        left = f.poly([(200, 330), (420, 430), (420, 620), (200, 560)])
        right = f.poly([(600, 330), (380, 430), (380, 620), (600, 560)])
        d.polygon(left, fill=c)
        d.polygon(right, fill=shade(c, 0.88))
        for k in range(6):
            d.line(f.box(210, 360 + k * 36, 410, 450 + k * 30), fill=grain, width=f.n(2))
        d.ellipse(f.box(370, 480, 430, 540), fill=shade(c, 0.6))
        label(shot, f.box(210, 180, 590, 310), bg=(250, 244, 228), radius=10, max_lines=2, show_tagline=False)
    elif shot.style == "mask":
        d.ellipse(f.box(270, 200, 530, 560), fill=(236, 220, 200))
        d.ellipse(f.box(300, 190, 500, 260), fill=(40, 40, 40))
        for x in (325, 415):
            d.ellipse(f.box(x, 320, x + 60, 356), fill=(255, 255, 255))
            d.ellipse(f.box(x + 20, 326, x + 42, 350), fill=(30, 30, 30))
        d.polygon(f.poly([(400, 360), (380, 440), (420, 440)]), fill=(220, 190, 170))
        d.chord(f.box(350, 450, 450, 510), 0, 180, fill=(190, 40, 40))
        d.arc(f.box(300, 250, 500, 330), 200, 340, fill=(40, 40, 40), width=f.n(6))
        label(shot, f.box(470, 520, 690, 650), bg=(222, 196, 150), radius=10, max_lines=2, show_tagline=False)
    elif shot.style == "box":
        d.polygon(f.poly([(220, 360), (540, 360), (600, 320), (280, 320)]), fill=shade(c, 1.15))
        d.polygon(f.poly([(540, 360), (600, 320), (600, 600), (540, 640)]), fill=shade(c, 0.75))
        d.rectangle(f.box(220, 360, 540, 640), fill=c)
        for k in range(9):
            y = 380 + k * 28
            d.line(f.box(230, y, 530, y + (k % 3) * 4), fill=grain, width=f.n(2))
        d.rounded_rectangle(f.box(330, 330, 490, 350), radius=f.n(8), fill=shade(c, 0.5))
        label(shot, f.box(250, 450, 510, 610), bg=(250, 244, 228), radius=8, max_lines=3, show_tagline=False)
    elif shot.style == "frame":
        d.rectangle(f.box(200, 180, 600, 600), fill=shade(c, 0.8))
        d.rectangle(f.box(230, 210, 570, 570), fill=(248, 238, 214))
        ink = (40, 60, 40)
        # calligraphic strokes: a long baseline sweep, rising stems and dots
        d.arc(f.box(260, 330, 540, 470), 10, 170, fill=ink, width=f.n(10))
        for x, top in ((300, 250), (350, 280), (430, 240), (480, 290)):
            d.line(f.box(x, top, x + 6, 400), fill=ink, width=f.n(9))
        d.arc(f.box(360, 300, 460, 380), 180, 360, fill=ink, width=f.n(8))
        for x, y in ((330, 440), (420, 450), (445, 235), (515, 330)):
            d.ellipse(f.box(x - 8, y - 8, x + 8, y + 8), fill=ink)
        d.rectangle(f.box(230, 210, 570, 226), fill=(196, 160, 70))
        label(shot, f.box(270, 480, 530, 560), bg=(248, 238, 214), radius=4, max_lines=2, show_tagline=False)
    else:  # board
        d.rounded_rectangle(f.box(220, 260, 580, 640), radius=f.n(30), fill=c)
        d.rounded_rectangle(f.box(350, 180, 450, 280), radius=f.n(26), fill=c)
        d.ellipse(f.box(385, 205, 415, 235), fill=shot.palette.top)
        for k in range(9):
            y = 300 + k * 38
            d.arc(f.box(230, y - 20, 570, y + 30), 190, 350, fill=grain, width=f.n(2))
        label(shot, f.box(420, 520, 660, 650), bg=(250, 244, 228), radius=8, max_lines=2, show_tagline=False)


MOTIFS: dict[str, Callable[[Shot], None]] = {
    "pouch": motif_pouch,
    "box": motif_box,
    "jar": motif_jar,
    "bottle": motif_bottle,
    "cream": motif_cream,
    "soap": motif_soap,
    "sack": motif_sack,
    "seedling": motif_seedling,
    "cloth": motif_cloth,
    "garment": motif_garment,
    "scarf": motif_scarf,
    "tote": motif_tote,
    "basket": motif_basket,
    "peci": motif_peci,
    "lamp": motif_lamp,
    "wood": motif_wood,
}

# Framing of the three shots: hero, with props beside it, and a closer look.
_VIEWS = (
    (400.0, 400.0, 1.0),
    (330.0, 420.0, 0.82),
    (400.0, 330.0, 1.25),
)


def product_image(*, motif: str, palette: str, colour: RGB, title: str, brand: str, tagline: str = "",
                  style: str = "", props: str = "", view: int = 0, seed: int = 0) -> Image.Image:
    """One 800x800 packshot. ``view`` 0 is the hero shot, 1 adds props, 2 is a close-up."""
    rng = random.Random(seed)
    pal = PALETTES[palette]
    tint = None if view == 0 else mix(colour, pal.accent, 0.5)
    canvas = backdrop(pal, rng, tint)
    cx, cy, scale = _VIEWS[view % len(_VIEWS)]
    shot = Shot(canvas, ImageDraw.Draw(canvas), Frame(cx, cy, scale), rng, pal, colour, title, brand,
                tagline, style)
    if view == 1 and props:
        scatter_props(shot, props, 14, (480, 560, 780, 760))
    MOTIFS[motif](shot)
    if view != 2 and props:
        scatter_props(shot, props, 6 if view == 0 else 10, (20, 660, 780, 780))
    return canvas


# --- producer logos ---------------------------------------------------------------------


def _star8(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    """The eight-pointed star of two overlapping squares, common in pesantren emblems."""
    pts = []
    for k in range(16):
        radius = r if k % 2 == 0 else r * 0.76
        a = math.pi / 8 * k - math.pi / 2
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return pts


def initials(name: str) -> str:
    """Up to three capitals from the words that carry the name."""
    skip = {"pondok", "pesantren", "kopontren", "koperasi", "unit", "usaha", "dan", "&", "pp", "ponpes"}
    words = [w for w in name.replace("-", " ").split() if w.lower() not in skip and w[0].isalnum()]
    return "".join(w[0] for w in words[:3]).upper() or name[:2].upper()


def producer_logo(*, name: str, kind: str, colour: RGB, seed: int = 0) -> Image.Image:
    """A round badge with the producer's initials and name: star for pesantren and
    kopontren, a leaf for UMKM."""
    rng = random.Random(seed)
    s = LOGO_SIZE
    img = Image.new("RGB", (s, s), (252, 250, 244))
    d = ImageDraw.Draw(img)
    c = s / 2
    d.ellipse((16, 16, s - 16, s - 16), fill=colour)
    d.ellipse((34, 34, s - 34, s - 34), outline=shade(colour, 1.5), width=4)
    if kind in {"pesantren", "kopontren"}:
        d.polygon(_star8(c, c - 40, 120), fill=shade(colour, 1.25))
        d.polygon(_star8(c, c - 40, 100), fill=colour)
    else:
        for k in range(3):
            ang = -math.pi / 2 + (k - 1) * 0.6
            draw_leaf(d, c + math.cos(ang) * 70, c - 40 + math.sin(ang) * 70, 130, 56, ang,
                      shade(colour, 1.3 + 0.1 * rng.random()), colour)
    mono = initials(name)
    size = 96 if len(mono) <= 2 else 78
    d.text((c, c - 40), mono, font=font(size), fill=(255, 255, 255), anchor="mm")
    size, lines = fit_text(name, round(s * 0.62), 90, (34, 30, 27, 24, 21, 18), max_lines=2)
    centred_text(d, c, c + 70, lines, size, (255, 255, 255))
    d.text((c, s - 70), kind.upper(), font=font(18), fill=shade(colour, 1.6), anchor="mm")
    return img
