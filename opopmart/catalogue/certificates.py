"""Format checks for NIB and certificate numbers, from the publicly documented formats.

Each check normalises what a seller typed (spaces, "BPOM RI", lower case) and returns
errors (the number cannot be right) and warnings (it looks unusual; a curator should
look). Where a public rule is uncertain we warn rather than refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from ..regions.reference import region_rows
from .models import CertType


@dataclass
class FormatCheck:
    normalized: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What the number itself says, for display and curation (e.g. the BPOM kind).
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _squash(raw: str) -> str:
    return re.sub(r"\s+", " ", (raw or "").strip()).upper()


def _known_regency_codes() -> frozenset[str]:
    return frozenset(r["code"].replace(".", "") for r in region_rows() if r["kind"] != "provinsi")


def check_nib(raw: str) -> FormatCheck:
    """Nomor Induk Berusaha from OSS: exactly 13 digits."""
    value = re.sub(r"[\s.-]", "", raw or "")
    result = FormatCheck(value)
    if not value:
        result.errors.append(str(_l("NIB wajib diisi.")))
    elif not (value.isascii() and value.isdigit()) or len(value) != 13:
        result.errors.append(str(_l("NIB terdiri dari 13 angka.")))
    return result


_PIRT = re.compile(r"^([0-9]{13})-?([0-9]{2})$")


def check_pirt(raw: str, expires_on: date | None = None) -> FormatCheck:
    """SPP-IRT: 15 digits written ``NNNNNNNNNNNNN-NN``.

    Digits 4-7 are the province and kabupaten/kota code of the issuing Dinas Kesehatan;
    the last two are the year the registration lapses.
    """
    value = re.sub(r"\s+", "", (raw or "").upper())
    value = re.sub(r"^(SPP-?IRT|P-?IRT)?(NO\.?)?[:.]?", "", value)
    match = _PIRT.match(value)
    result = FormatCheck(value)
    if not match:
        result.errors.append(str(_l("Nomor P-IRT terdiri dari 15 angka, ditulis NNNNNNNNNNNNN-NN.")))
        return result
    body, year = match.groups()
    result.normalized = f"{body}-{year}"
    regency = body[3:7]
    result.facts["region_code"] = f"{regency[:2]}.{regency[2:]}"
    result.facts["expiry_year"] = f"20{year}"
    if regency not in _known_regency_codes():
        result.warnings.append(
            str(_l("Angka ke-4 sampai ke-7 (%(code)s) bukan kode kabupaten/kota yang dikenal.",
                   code=regency))
        )
    if expires_on is not None and expires_on.year != 2000 + int(year):
        result.warnings.append(
            str(_l("Dua angka terakhir menyebut tahun 20%(year)s, tetapi masa berlaku diisi %(date)s.",
                   year=year, date=expires_on.isoformat()))
        )
    return result


_BPOM = re.compile(r"^(MD|ML|NA|TR|TI|FF|SD|SI|CD|CL|DBL|DTL|GBL|GKL)([0-9]+)$")
_BPOM_DIGITS = {"MD": 12, "ML": 12, "NA": 11, "TR": 9}
BPOM_KIND = {
    "MD": _l("Pangan olahan dalam negeri"),
    "ML": _l("Pangan olahan impor"),
    "NA": _l("Kosmetik"),
    "TR": _l("Obat tradisional (jamu/herbal)"),
}


def check_bpom(raw: str) -> FormatCheck:
    """BPOM registration: ``MD``/``ML`` + 12 digits (food), ``NA`` + 11 (cosmetics),
    ``TR`` + 9 (traditional medicine). Other prefixes exist; they get a warning."""
    value = _squash(raw).replace("BPOM RI", "").replace("BPOM", "")
    value = re.sub(r"[\s.:-]", "", value)
    result = FormatCheck(value)
    match = _BPOM.match(value)
    if not match:
        result.errors.append(
            str(_l("Nomor BPOM diawali MD, ML, NA atau TR lalu angka, misalnya MD 224510001234."))
        )
        return result
    prefix, digits = match.groups()
    result.facts["bpom_kind"] = prefix
    expected = _BPOM_DIGITS.get(prefix)
    if expected is None:
        result.warnings.append(
            str(_l("Awalan %(prefix)s jarang dipakai untuk produk UMKM; mohon periksa kembali.",
                   prefix=prefix))
        )
    elif len(digits) != expected:
        result.errors.append(
            str(_l("Nomor BPOM %(prefix)s diikuti %(count)s angka.", prefix=prefix, count=expected))
        )
    result.normalized = f"{prefix} {digits}"
    return result


_HALAL = re.compile(r"^ID[0-9]{10,30}$")


def check_halal(raw: str) -> FormatCheck:
    """A halal certificate from BPJPH: ``ID`` followed by digits.

    The ``KH`` number is only the registration of an application, not a certificate.
    """
    value = re.sub(r"[\s.:/-]", "", _squash(raw))
    result = FormatCheck(value)
    if value.startswith("KH"):
        result.errors.append(
            str(_l("Nomor KH adalah nomor pendaftaran, bukan sertifikat halal. "
                   "Masukkan nomor sertifikat yang diawali ID."))
        )
    elif not _HALAL.match(value):
        result.errors.append(str(_l("Nomor sertifikat halal diawali ID lalu angka.")))
    elif value[2:4] not in {r["code"] for r in region_rows() if r["kind"] == "provinsi"}:
        result.warnings.append(str(_l("Dua angka setelah ID biasanya kode provinsi.")))
    return result


_SNI_STRICT = re.compile(r"^SNI ([0-9]{4,5}):([0-9]{4})$")
_SNI_LOOSE = re.compile(r"^SNI [0-9][0-9A-Z.:-]*$")


def check_sni(raw: str) -> FormatCheck:
    """``SNI nnnn:yyyy``; older numbers such as ``SNI 01-3143-1992`` get a warning."""
    value = _squash(raw)
    value = re.sub(r"^SNI\s*", "SNI ", value)
    result = FormatCheck(value)
    strict = _SNI_STRICT.match(value)
    if strict:
        year = int(strict.group(2))
        result.facts["year"] = str(year)
        if not 1970 <= year <= date.today().year:
            result.warnings.append(str(_l("Tahun SNI %(year)s tidak lazim.", year=year)))
    elif _SNI_LOOSE.match(value):
        result.warnings.append(
            str(_l("Format lama atau tidak lazim; yang umum: SNI nnnn:tttt (misalnya SNI 8990:2021)."))
        )
    else:
        result.errors.append(str(_l("Nomor SNI ditulis SNI nnnn:tttt, misalnya SNI 8990:2021.")))
    return result


_DJKI = re.compile(r"^(IDM|IDJ)[0-9]{9}$")


def check_merek(raw: str) -> FormatCheck:
    """DJKI trademark registration, ``IDM000123456`` (goods) or ``IDJ…`` (services)."""
    value = re.sub(r"[\s.-]", "", _squash(raw))
    result = FormatCheck(value)
    if not value:
        result.errors.append(str(_l("Nomor pendaftaran merek wajib diisi.")))
    elif not _DJKI.match(value):
        if value.startswith(("D00", "JID", "DID")):
            result.warnings.append(
                str(_l("Ini tampak seperti nomor permohonan, bukan nomor pendaftaran merek."))
            )
        else:
            result.warnings.append(str(_l("Nomor pendaftaran merek DJKI biasanya IDM + 9 angka.")))
    return result


def check_certificate(cert_type: CertType | str, raw: str, expires_on: date | None = None) -> FormatCheck:
    cert_type = CertType(cert_type)
    if cert_type is CertType.PIRT:
        return check_pirt(raw, expires_on)
    return {
        CertType.HALAL: check_halal,
        CertType.BPOM: check_bpom,
        CertType.SNI: check_sni,
        CertType.MEREK: check_merek,
    }[cert_type](raw)


CERT_LABELS = {
    CertType.HALAL: _l("Halal"),
    CertType.PIRT: _l("P-IRT"),
    CertType.BPOM: _l("BPOM"),
    CertType.SNI: _l("SNI"),
    CertType.MEREK: _l("Merek terdaftar"),
}


def requirement_met(token: str, cert_type: CertType, number: str) -> bool:
    """Does a certificate satisfy a category requirement token (``pirt``, ``bpom:MD``)?"""
    kind, _, prefix = token.partition(":")
    if kind != cert_type.value:
        return False
    if cert_type is CertType.BPOM:
        number = check_bpom(number).normalized
    return not prefix or number.replace(" ", "").upper().startswith(prefix.upper())
