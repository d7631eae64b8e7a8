"""Trade mission forms. They only carry fields (and the CSRF token); the rules live in
missions.services, which names refused fields with these same names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from ..seller.forms import options
from .models import DEAL_KIND_LABELS, DealKind


class MissionForm(FlaskForm):
    name = StringField(_l("Nama misi dagang"), render_kw={"maxlength": 160})
    partner_province_code = SelectField(_l("Provinsi mitra"), validate_choice=False)
    partner_city = StringField(_l("Kota mitra"), render_kw={"maxlength": 120})
    venue = StringField(_l("Tempat"), render_kw={"maxlength": 200})
    starts_on = StringField(_l("Tanggal mulai"), render_kw={"type": "date"})
    ends_on = StringField(_l("Tanggal selesai"), render_kw={"type": "date"})
    target_value = StringField(_l("Target nilai transaksi (Rp, boleh kosong)"),
                               render_kw={"inputmode": "numeric", "maxlength": 30})
    description = TextAreaField(_l("Keterangan"))


class ParticipantForm(FlaskForm):
    producer_id = SelectField(_l("Produsen terverifikasi"), validate_choice=False)


class PartnerForm(FlaskForm):
    name = StringField(_l("Nama usaha mitra"), render_kw={"maxlength": 160})
    city = StringField(_l("Kota"), render_kw={"maxlength": 120})
    sector = StringField(_l("Sektor usaha"), render_kw={"maxlength": 120})
    contact = StringField(_l("Kontak (hanya untuk admin, boleh kosong)"), render_kw={"maxlength": 200})


class StaffForm(FlaskForm):
    email = EmailField(_l("Email petugas"), render_kw={"maxlength": 254, "autocomplete": "off"})


class StatusForm(FlaskForm):
    target = HiddenField()


class ActionForm(FlaskForm):
    """A button that POSTs: only the CSRF token."""


class DealForm(FlaskForm):
    """The quick entry form of the deal desk: big targets, numeric keyboards on phones."""

    kind = RadioField(_l("Jenis transaksi"), choices=options(
        (kind.value, label) for kind, label in DEAL_KIND_LABELS.items()),
        default=DealKind.JATIM_SELLS.value, validate_choice=False)
    producer_id = SelectField(_l("Produsen Jawa Timur"), validate_choice=False)
    partner_id = SelectField(_l("Mitra"), validate_choice=False)
    new_partner = StringField(_l("atau mitra baru"), render_kw={"maxlength": 160, "autocomplete": "off"})
    commodity = StringField(_l("Komoditas"), render_kw={"maxlength": 120, "list": "commodity-list",
                                                        "autocomplete": "off"})
    quantity = StringField(_l("Jumlah"), render_kw={"inputmode": "numeric", "maxlength": 20,
                                                    "autocomplete": "off"})
    unit = StringField(_l("Satuan"), render_kw={"maxlength": 20, "list": "unit-list", "autocomplete": "off"})
    value = StringField(_l("Nilai (Rp)"), render_kw={"inputmode": "numeric", "maxlength": 30,
                                                     "autocomplete": "off"})
    occurred_at = StringField(_l("Waktu (WIB)"), render_kw={"type": "datetime-local"})


class CorrectionForm(DealForm):
    reason = StringField(_l("Alasan koreksi (boleh kosong)"), render_kw={"maxlength": 500})


class VoidForm(FlaskForm):
    # Not ``reason``: it shares a page with the correction form's field of that name.
    void_reason = StringField(_l("Alasan pembatalan"), render_kw={"maxlength": 500})
