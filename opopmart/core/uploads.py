"""The one place where uploaded photos and certificate documents are accepted.

Everything here judges an upload by its bytes, never by what the client says about it:
the file name and the declared content type are ignored entirely, stored names are
random keys (``core.media.new_key``) under ``MEDIA_ROOT``, and ``/media/<name>`` serves
them with a fixed content type and ``nosniff``.

Photos are JPEG, PNG or WebP, identified by Pillow, refused before decoding when they
claim too many pixels, fully decoded (so truncated files are caught), turned upright by
their EXIF orientation and re-encoded from the decoded pixels by ``store_image``: no
byte of the original, and none of its metadata (EXIF, GPS, ICC, XMP, comments), is kept.

Certificate documents are a photo (same path) or a plain PDF with no active content.

A refusal raises :class:`UploadRejected`; nothing is written to ``media_root`` then.
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .media import StoredImage, new_key, store_image

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
# Enough pixels for the largest stored size (1600 px) with room for LANCZOS to work.
JPEG_DRAFT_BOX = (1600, 1600)
# Inflated PDF streams are scanned for active content; past this the file is refused.
MAX_PDF_INFLATED_BYTES = 64 * 1024 * 1024

# Markup that has no business inside an honest photo (polyglots served as HTML/SVG/PHP).
MARKUP = re.compile(rb"<(?:script|html|svg|\?php)", re.IGNORECASE)

# PDF names that run code, open other programs or carry other files. A name ends at
# whitespace or a delimiter; ``#xx`` escapes are decoded before matching (/J#61vaScript).
PDF_DELIMITER = rb"(?=[\s()<>\[\]{}/%]|$)"
PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|OpenAction|AA|RichMedia|XFA)"
    + PDF_DELIMITER
)
PDF_ENCRYPT = re.compile(rb"/Encrypt" + PDF_DELIMITER)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n(.*?)endstream", re.DOTALL)

MESSAGES = {
    "too_large": _l("Berkas terlalu besar. Ukuran maksimal %(limit)s MB."),
    "not_image": _l("Berkas ini bukan foto yang kami terima. Unggah foto JPEG, PNG atau WebP."),
    "not_document": _l("Berkas ini bukan dokumen yang kami terima. Unggah foto (JPEG, PNG, WebP) atau PDF."),
    "bomb": _l("Resolusi gambar terlalu besar. Perkecil gambar hingga paling banyak %(megapixels)s megapiksel."),
    "truncated": _l("Berkas gambar rusak atau terpotong. Simpan ulang gambar lalu unggah lagi."),
    "format": _l("Isi berkas tidak aman atau tidak sesuai formatnya. Simpan ulang sebagai foto atau PDF biasa lalu unggah lagi."),
}


class UploadRejected(ValueError):
    """An upload we refuse; ``message`` is safe and meant for the person uploading."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class StoredDocument:
    key: str
    kind: str  # "image" (stored as key.jpg in three sizes) or "pdf" (key.pdf)

    @property
    def filename(self) -> str:
        return f"{self.key}.pdf" if self.kind == "pdf" else f"{self.key}.jpg"


# --------------------------------------------------------------------------- reading

def read_upload(source, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """At most ``max_bytes`` from a FileStorage, a binary stream or bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        stream: BinaryIO = getattr(source, "stream", source)  # werkzeug FileStorage
        chunks, remaining = [], max_bytes + 1
        while remaining > 0:
            chunk = stream.read(min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UploadRejected("too_large", limit=_megabytes(max_bytes))
    return data


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


# --------------------------------------------------------------------------- photos

def store_photo(
    source,
    media_root: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> StoredImage:
    """Check an uploaded photo and store it re-encoded in every size."""
    data = read_upload(source, max_bytes)
    image = decode_photo(data, max_pixels=max_pixels)
    return store_image(image, media_root)


def decode_photo(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decoded, upright, sRGB pixels of an honest JPEG/PNG/WebP, or UploadRejected."""
    if not data:
        raise UploadRejected("not_image")
    # Never accept a half-decoded image, whatever another module may have set.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(PHOTO_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(max_pixels) from exc
        except UnidentifiedImageError as exc:
            raise UploadRejected("not_image") from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            # Recognised, but the decoder gave up at once (WebP decodes while opening).
            raise UploadRejected("truncated") from exc

        # The header alone tells the size: refuse bombs before a single pixel is decoded.
        width, height = image.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise _bomb(max_pixels)
        if MARKUP.search(without_pixel_data(data, image.format)):
            raise UploadRejected("format")

        if image.format == "JPEG":
            image.draft("RGB", JPEG_DRAFT_BOX)  # DCT scaling: less memory, same result
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(max_pixels) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            raise UploadRejected("truncated") from exc

    icc = image.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only costs the rotation
        upright = image
    return _to_srgb(upright, icc)


def without_pixel_data(data: bytes, fmt: str | None) -> bytes:
    """Everything but the compressed pixel data: headers, metadata, trailing bytes.

    Compressed pixels are noise in which ``<svg`` turns up by chance about once in
    500 MB, so scanning them would refuse an honest photo now and then. A structure we
    cannot walk is scanned whole.
    """
    walk = {"JPEG": _jpeg_pixel_spans, "PNG": _png_pixel_spans, "WEBP": _webp_pixel_spans}.get(fmt or "")
    if walk is None:
        return data
    try:
        spans = list(walk(data))
    except (ValueError, IndexError, struct.error):
        return data
    parts, position = [], 0
    for start, end in spans:
        parts.append(data[position:start])
        position = max(position, end)
    parts.append(data[position:])
    return b"\0".join(parts)


def _jpeg_pixel_spans(data: bytes):
    """Entropy-coded segments: from the end of each SOS header to the next marker."""
    i, n = 2, len(data)
    while i + 1 < n:
        if data[i] != 0xFF:
            raise ValueError("not at a marker")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker == 0xD9:  # EOI: whatever follows is scanned
            return
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
        else:
            (length,) = struct.unpack(">H", data[i + 2:i + 4])
            i += 2 + length
            if marker == 0xDA:  # SOS: entropy-coded data until a real marker
                start = j = i
                while True:
                    j = data.index(b"\xff", j)
                    follower = data[j + 1]
                    if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                        j += 2
                        continue
                    break
                yield start, j
                i = j


def _png_pixel_spans(data: bytes):
    i = 8
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind in (b"IDAT", b"fdAT"):
            yield i + 8, i + 8 + length
        i += 12 + length
        if kind == b"IEND":
            return


def _webp_pixel_spans(data: bytes):
    (riff_size,) = struct.unpack("<I", data[4:8])
    i, end = 12, min(len(data), 8 + riff_size)
    while i + 8 <= end:
        kind, length = struct.unpack("<4sI", data[i:i + 8])
        if kind in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            yield i + 8, i + 8 + length
        i += 8 + length + (length & 1)


def _bomb(max_pixels: int) -> UploadRejected:
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    return UploadRejected("bomb", megapixels=max(1, limit // 1_000_000))


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB on white, converted from an embedded colour profile (phones use Display P3)."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16-bit greyscale PNG: scale to 8 bits rather than clip to white.
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: keep the pixels as they are
    return image.convert("RGB") if image.mode != "RGB" else image


# --------------------------------------------------------------------------- documents

def store_document(
    source,
    media_root: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> StoredDocument:
    """A certificate scan: a photo (stored like any photo) or a plain PDF."""
    data = read_upload(source, max_bytes)
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        root = Path(media_root)
        root.mkdir(parents=True, exist_ok=True)
        key = new_key()
        tmp = root / f".{key}.pdf.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, root / f"{key}.pdf")
        return StoredDocument(key, "pdf")
    try:
        image = decode_photo(data, max_pixels=max_pixels)
    except UploadRejected as exc:
        if exc.code == "not_image":
            raise UploadRejected("not_document") from exc
        raise
    return StoredDocument(store_image(image, media_root).key, "image")


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is malformed at either end or carries active content.

    Names are matched after decoding ``#xx`` escapes, in the file as written and inside
    every Flate-compressed stream (object streams hide dictionaries there). Encrypted
    PDFs are refused: their streams cannot be inspected.
    """
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise UploadRejected("format")
    if MARKUP.search(data):
        raise UploadRejected("format")
    _refuse_active(data)
    if PDF_ENCRYPT.search(_unescape_names(data)):
        raise UploadRejected("format")
    budget = MAX_PDF_INFLATED_BYTES
    for match in PDF_STREAM.finditer(data):
        inflated = _inflate(match.group(1), budget)
        budget -= len(inflated)
        _refuse_active(inflated)


def _inflate(raw: bytes, budget: int) -> bytes:
    """As much of a Flate stream as inflates (readers are lenient with broken tails).

    Not Flate (a JPEG, another filter) gives b"". More than ``budget`` bytes is refused.
    """
    inflator = zlib.decompressobj()
    pieces, total = [], 0
    for start in range(0, len(raw), 64 * 1024):
        try:
            piece = inflator.decompress(raw[start:start + 64 * 1024], budget - total + 1)
        except zlib.error:
            break
        pieces.append(piece)
        total += len(piece)
        if total > budget or inflator.unconsumed_tail:
            raise UploadRejected("format")
        if inflator.eof:
            break
    return b"".join(pieces)


def _unescape_names(data: bytes) -> bytes:
    return PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _refuse_active(data: bytes) -> None:
    if PDF_ACTIVE.search(data) or PDF_ACTIVE.search(_unescape_names(data)):
        raise UploadRejected("format")
