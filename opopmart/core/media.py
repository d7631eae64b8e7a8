"""Stored images: random names under MEDIA_ROOT, three sizes, re-encoded, no metadata.

Files are never served from ``static/``; the ``/media/<name>`` route serves only names
this module writes.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

SIZES = {"": 1600, "_md": 800, "_sm": 400}
JPEG_QUALITY = 84


@dataclass(frozen=True)
class StoredImage:
    key: str
    width: int
    height: int


def new_key() -> str:
    return secrets.token_hex(16)


def store_image(image: Image.Image, media_root: str | os.PathLike) -> StoredImage:
    """Write ``image`` in every size and return its key. Drops EXIF and any alpha."""
    root = Path(media_root)
    root.mkdir(parents=True, exist_ok=True)
    key = new_key()
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    full_size = None
    for suffix, edge in SIZES.items():
        copy = rgb.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        if suffix == "":
            full_size = copy.size
        tmp = root / f".{key}{suffix}.tmp"
        copy.save(tmp, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        os.replace(tmp, root / f"{key}{suffix}.jpg")
    assert full_size is not None
    return StoredImage(key, full_size[0], full_size[1])


def media_files(key: str) -> list[str]:
    return [f"{key}{suffix}.jpg" for suffix in SIZES]
