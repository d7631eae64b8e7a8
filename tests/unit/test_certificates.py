"""opopmart.catalogue.certificates: format checks for NIB and certificate numbers.

Messages are lazily translated; without an app context they come out in the source
language (Indonesian), which a few tests pin exactly.
"""

from __future__ import annotations

from datetime import date

import pytest

from opopmart.catalogue.certificates import (
    FormatCheck,
    check_bpom,
    check_certificate,
    check_halal,
    check_merek,
    check_nib,
    check_pirt,
    check_sni,
    requirement_met,
)
from opopmart.catalogue.models import CertType

VALID_PIRT = "2063578010123-28"  # digits 4-7: 3578, Kota Surabaya; lapses 2028


def test_format_check_is_ok_only_without_errors():
    assert FormatCheck("x").ok is True
    assert FormatCheck("x", warnings=["hm"]).ok is True
    assert FormatCheck("x", errors=["no"]).ok is False


# --- NIB -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("1234567890123", "1234567890123"),
        (" 1234567890123 ", "1234567890123"),
        ("1234 5678 90123", "1234567890123"),
        ("1234.5678.90123", "1234567890123"),
        ("1234-5678-90123", "1234567890123"),
    ],
)
def test_given_13_digits_when_nib_checked_then_ok(raw, normalized):
    result = check_nib(raw)
    assert result.ok
    assert result.normalized == normalized
    assert result.warnings == []


@pytest.mark.parametrize("raw", ["123456789012", "12345678901234", "123456789012A", "ABCDEFGHIJKLM"])
def test_given_wrong_nib_when_checked_then_one_error(raw):
    result = check_nib(raw)
    assert not result.ok
    assert result.errors == ["NIB terdiri dari 13 angka."]


@pytest.mark.parametrize("raw", ["", "   ", None, " - . "])
def test_given_empty_nib_when_checked_then_required_error(raw):
    result = check_nib(raw)
    assert result.errors == ["NIB wajib diisi."]
    assert result.normalized == ""


# --- P-IRT ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2063578010123-28",
        "206357801012328",
        " 2063578010123 - 28 ",
        "206 3578 01 0123 28",
        "P-IRT No. 2063578010123-28",
        "P-IRT No: 2063578010123-28",
        "PIRT 2063578010123-28",
        "pirt no. 206357801012328",
        "PIRT: 2063578010123-28",
        "SPP-IRT No. 2063578010123-28",
        "SPP-IRT 2063578010123-28",
    ],
)
def test_given_a_pirt_number_when_checked_then_normalized_with_hyphen(raw):
    result = check_pirt(raw)
    assert result.ok, result.errors
    assert result.normalized == "2063578010123-28"
    assert result.warnings == []
    assert result.facts == {"region_code": "35.78", "expiry_year": "2028"}


@pytest.mark.parametrize(
    ("raw", "region_code"),
    [
        ("2063507010123-30", "35.07"),  # Kabupaten Malang
        ("2063529010123-30", "35.29"),  # Kabupaten Sumenep
    ],
)
def test_given_a_jatim_regency_when_pirt_checked_then_region_fact(raw, region_code):
    result = check_pirt(raw)
    assert result.ok
    assert result.warnings == []
    assert result.facts == {"region_code": region_code, "expiry_year": "2030"}


def test_given_unknown_regency_digits_when_pirt_checked_then_warning_not_error():
    result = check_pirt("2069999010123-28")
    assert result.ok
    assert result.normalized == "2069999010123-28"
    assert result.facts == {"region_code": "99.99", "expiry_year": "2028"}
    assert result.warnings == [
        "Angka ke-4 sampai ke-7 (9999) bukan kode kabupaten/kota yang dikenal."
    ]


def test_given_a_province_code_as_regency_digits_when_pirt_checked_then_warning():
    # "3500" would be East Java itself, not a kabupaten/kota.
    result = check_pirt("2063500010123-28")
    assert result.ok
    assert len(result.warnings) == 1


def test_given_expiry_in_the_year_the_number_says_when_pirt_checked_then_no_warning():
    result = check_pirt(VALID_PIRT, expires_on=date(2028, 6, 30))
    assert result.ok
    assert result.warnings == []


def test_given_expiry_in_another_year_when_pirt_checked_then_warning():
    result = check_pirt(VALID_PIRT, expires_on=date(2027, 12, 31))
    assert result.ok
    assert result.warnings == [
        "Dua angka terakhir menyebut tahun 2028, tetapi masa berlaku diisi 2027-12-31."
    ]


def test_given_unknown_regency_and_wrong_expiry_when_pirt_checked_then_two_warnings():
    result = check_pirt("2069999010123-28", expires_on=date(2029, 1, 1))
    assert result.ok
    assert len(result.warnings) == 2


@pytest.mark.parametrize(
    "raw",
    [
        "20635780101234-28",  # 14 + 2 digits
        "20635780101234",  # 14 digits
        "2063578010123-2",  # 13 + 1
        "206357801012-28",  # 12 + 2
        "2063578010123-28X",
        "2063578010123-288",
        "ABC3578010123-28",
        "2063578010123--28",
        "",
        None,
    ],
)
def test_given_wrong_pirt_when_checked_then_one_error_and_no_facts(raw):
    result = check_pirt(raw)
    assert not result.ok
    assert len(result.errors) == 1
    assert result.facts == {}
    assert result.warnings == []


def test_given_14_digits_when_pirt_checked_then_exact_error():
    assert check_pirt("20635780101234").errors == [
        "Nomor P-IRT terdiri dari 15 angka, ditulis NNNNNNNNNNNNN-NN."
    ]


# --- BPOM ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized", "kind"),
    [
        ("MD 224510001234", "MD 224510001234", "MD"),
        ("MD224510001234", "MD 224510001234", "MD"),
        ("md 224510001234", "MD 224510001234", "MD"),
        ("MD 2245 1000 1234", "MD 224510001234", "MD"),
        ("MD.224510001234", "MD 224510001234", "MD"),
        ("BPOM RI MD 224510001234", "MD 224510001234", "MD"),
        ("BPOM RI: MD 224510001234", "MD 224510001234", "MD"),
        ("bpom md224510001234", "MD 224510001234", "MD"),
        ("ML 112233445566", "ML 112233445566", "ML"),
        ("NA 18201200123", "NA 18201200123", "NA"),
        ("TR 123456789", "TR 123456789", "TR"),
    ],
)
def test_given_a_bpom_number_when_checked_then_ok_and_normalized(raw, normalized, kind):
    result = check_bpom(raw)
    assert result.ok, result.errors
    assert result.normalized == normalized
    assert result.warnings == []
    assert result.facts == {"bpom_kind": kind}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("MD 22451000123", "Nomor BPOM MD diikuti 12 angka."),  # 11 digits
        ("MD 2245100012345", "Nomor BPOM MD diikuti 12 angka."),  # 13 digits
        ("ML 1122334455", "Nomor BPOM ML diikuti 12 angka."),
        ("NA 182012001234", "Nomor BPOM NA diikuti 11 angka."),
        ("TR 12345678", "Nomor BPOM TR diikuti 9 angka."),
    ],
)
def test_given_wrong_digit_count_when_bpom_checked_then_error_naming_the_count(raw, message):
    result = check_bpom(raw)
    assert not result.ok
    assert result.errors == [message]
    assert result.facts == {"bpom_kind": raw[:2]}


@pytest.mark.parametrize("raw", ["XX123", "224510001234", "MD", "MD ABC", "", None, "P-IRT 2063578010123-28"])
def test_given_unknown_prefix_or_no_digits_when_bpom_checked_then_error(raw):
    result = check_bpom(raw)
    assert not result.ok
    assert result.errors == [
        "Nomor BPOM diawali MD, ML, NA atau TR lalu angka, misalnya MD 224510001234."
    ]
    assert result.facts == {}


@pytest.mark.parametrize("prefix", ["FF", "TI", "SD", "SI", "CD", "CL", "DBL", "DTL", "GBL", "GKL"])
def test_given_a_rarely_used_prefix_when_bpom_checked_then_warning_not_error(prefix):
    result = check_bpom(f"{prefix} 123")
    assert result.ok
    assert result.normalized == f"{prefix} 123"
    assert result.facts == {"bpom_kind": prefix}
    assert result.warnings == [
        f"Awalan {prefix} jarang dipakai untuk produk UMKM; mohon periksa kembali."
    ]


# --- halal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "ID35110000123450224",
        "id35110000123450224",
        "ID 3511 0000 1234 50224",
        " id 35110000123450224 ",
        "ID-35110000123450224",
        "ID.3511.0000.1234.50224",
    ],
)
def test_given_a_halal_certificate_when_checked_then_ok_and_normalized(raw):
    result = check_halal(raw)
    assert result.ok
    assert result.normalized == "ID35110000123450224"
    assert result.warnings == []


def test_given_a_kh_registration_number_when_halal_checked_then_error_saying_it_is_not_a_certificate():
    result = check_halal("KH 1234 5678 90")
    assert not result.ok
    assert result.normalized == "KH1234567890"
    assert result.errors == [
        "Nomor KH adalah nomor pendaftaran, bukan sertifikat halal. "
        "Masukkan nomor sertifikat yang diawali ID."
    ]
    assert "KH" in result.errors[0]


@pytest.mark.parametrize("raw", ["123", "", None, "ID", "ID123456789", "IDABC0000123450224", "MUI 0001234"])
def test_given_not_a_halal_number_when_checked_then_one_error(raw):
    result = check_halal(raw)
    assert not result.ok
    assert result.errors == ["Nomor sertifikat halal diawali ID lalu angka."]


def test_given_shortest_halal_number_when_checked_then_ok():
    assert check_halal("ID3500000000").ok  # ID + 10 digits


def test_given_digits_after_id_not_a_province_when_halal_checked_then_warning():
    result = check_halal("ID99110000123450224")
    assert result.ok
    assert result.warnings == ["Dua angka setelah ID biasanya kode provinsi."]


# --- SNI -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("SNI 8990:2021", "SNI 8990:2021"),
        ("sni 8990:2021", "SNI 8990:2021"),
        ("SNI8990:2021", "SNI 8990:2021"),
        ("  SNI   8990:2021 ", "SNI 8990:2021"),
        ("SNI 01234:2010", "SNI 01234:2010"),
    ],
)
def test_given_a_current_sni_number_when_checked_then_ok_without_warnings(raw, normalized):
    result = check_sni(raw)
    assert result.ok
    assert result.errors == []
    assert result.warnings == []
    assert result.normalized == normalized


def test_given_lower_case_sni_when_checked_then_normalized_and_year_fact():
    result = check_sni("sni 8990:2021")
    assert result.normalized == "SNI 8990:2021"
    assert result.facts == {"year": "2021"}


@pytest.mark.parametrize("raw", ["SNI 8990:1969", "SNI 8990:2999"])
def test_given_an_unlikely_sni_year_when_checked_then_warning(raw):
    result = check_sni(raw)
    assert result.ok
    assert len(result.warnings) == 1


@pytest.mark.parametrize("raw", ["SNI 01-3143-1992", "SNI 01-2891-1992", "SNI 19-17025-2000"])
def test_given_an_old_style_sni_when_checked_then_warning_not_error(raw):
    result = check_sni(raw)
    assert result.ok
    assert result.normalized == raw
    assert result.warnings == [
        "Format lama atau tidak lazim; yang umum: SNI nnnn:tttt (misalnya SNI 8990:2021)."
    ]


@pytest.mark.parametrize("raw", ["8990:2021", "", None, "SNI", "SNI ABC", "ISO 22000:2018"])
def test_given_no_sni_number_when_checked_then_error(raw):
    result = check_sni(raw)
    assert not result.ok
    assert result.errors == ["Nomor SNI ditulis SNI nnnn:tttt, misalnya SNI 8990:2021."]


# --- merek (DJKI) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("IDM000123456", "IDM000123456"),
        ("idm 000 123 456", "IDM000123456"),
        ("IDM-000.123.456", "IDM000123456"),
        ("IDJ000123456", "IDJ000123456"),
    ],
)
def test_given_a_registered_trademark_when_checked_then_ok_without_warnings(raw, normalized):
    result = check_merek(raw)
    assert result.ok
    assert result.normalized == normalized
    assert result.warnings == []


@pytest.mark.parametrize("raw", ["D002019012345", "JID2019012345", "DID2019012345"])
def test_given_an_application_number_when_merek_checked_then_warning(raw):
    result = check_merek(raw)
    assert result.ok
    assert result.warnings == ["Ini tampak seperti nomor permohonan, bukan nomor pendaftaran merek."]


@pytest.mark.parametrize("raw", ["IDM12345", "ABC", "IDM0001234567"])
def test_given_an_unusual_trademark_number_when_checked_then_warning(raw):
    result = check_merek(raw)
    assert result.ok
    assert result.warnings == ["Nomor pendaftaran merek DJKI biasanya IDM + 9 angka."]


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_given_empty_merek_when_checked_then_error(raw):
    result = check_merek(raw)
    assert not result.ok
    assert result.errors == ["Nomor pendaftaran merek wajib diisi."]


# --- digits other than 0-9 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "raw"),
    [
        (check_nib, "１２３４５６７８９０１２３"),  # full-width digits
        (check_nib, "١٢٣٤٥٦٧٨٩٠١٢٣"),  # Arabic-Indic digits
        (check_pirt, "２０６３５７８０１０１２３-２８"),
        (check_bpom, "MD ２２４５１０００１２３４"),
        (check_halal, "ID３５１１００００１２３４５０２２４"),
    ],
    ids=["nib-fullwidth", "nib-arabic-indic", "pirt-fullwidth", "bpom-fullwidth", "halal-fullwidth"],
)
def test_given_non_ascii_digits_when_checked_then_refused_or_folded_to_ascii(check, raw):
    # A registry number is ASCII 0-9 (as parse_rupiah insists for prices). Either answer is
    # acceptable: refuse it, or fold it to ASCII; storing "１２３…" as valid is not.
    result = check(raw)
    assert not result.ok or (result.normalized.isascii() and all(v.isascii() for v in result.facts.values()))


# --- dispatch ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert_type", "raw", "normalized"),
    [
        (CertType.HALAL, "id35110000123450224", "ID35110000123450224"),
        (CertType.PIRT, "206357801012328", "2063578010123-28"),
        (CertType.BPOM, "md224510001234", "MD 224510001234"),
        (CertType.SNI, "sni 8990:2021", "SNI 8990:2021"),
        (CertType.MEREK, "idm000123456", "IDM000123456"),
        ("halal", "id35110000123450224", "ID35110000123450224"),
        ("pirt", "206357801012328", "2063578010123-28"),
        ("bpom", "md224510001234", "MD 224510001234"),
        ("sni", "sni 8990:2021", "SNI 8990:2021"),
        ("merek", "idm000123456", "IDM000123456"),
    ],
)
def test_given_a_type_when_check_certificate_then_the_matching_check_runs(cert_type, raw, normalized):
    result = check_certificate(cert_type, raw)
    assert result.ok
    assert result.normalized == normalized


def test_given_pirt_and_expiry_when_check_certificate_then_expiry_passed_on():
    assert check_certificate(CertType.PIRT, VALID_PIRT, date(2028, 1, 1)).warnings == []
    assert len(check_certificate(CertType.PIRT, VALID_PIRT, date(2026, 1, 1)).warnings) == 1


def test_given_an_unknown_type_when_check_certificate_then_value_error():
    with pytest.raises(ValueError):
        check_certificate("iso", "ISO 22000:2018")


# --- category requirements -----------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "cert_type", "number", "met"),
    [
        ("bpom:MD", CertType.BPOM, "MD 224510001234", True),
        ("bpom:MD", CertType.BPOM, "md224510001234", True),
        ("bpom:md", CertType.BPOM, "MD 224510001234", True),
        ("bpom:MD", CertType.BPOM, "NA 18201200123", False),
        ("bpom:ML", CertType.BPOM, "MD 224510001234", False),
        ("bpom", CertType.BPOM, "NA 18201200123", True),
        ("pirt", CertType.PIRT, "2063578010123-28", True),
        ("halal", CertType.PIRT, "2063578010123-28", False),
        ("pirt", CertType.BPOM, "MD 224510001234", False),
        ("bpom:MD", CertType.PIRT, "MD 224510001234", False),
        ("halal", CertType.HALAL, "ID35110000123450224", True),
    ],
)
def test_requirement_met(token, cert_type, number, met):
    assert requirement_met(token, cert_type, number) is met
