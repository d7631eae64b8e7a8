"""Address-book and rate-table forms. They only carry fields (and the CSRF token); the rules
live in checkout.addresses and checkout.shipping, which report errors by these field names.

The fields are the allow-list: ``user_id``, ``is_default`` of other rows and the like are
never read from a request.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TelField, TextAreaField

from .addresses import (CITY_MAX, DISTRICT_MAX, LABEL_MAX, RECIPIENT_MAX, STREET_MAX, VILLAGE_MAX,
                        AddressInput)


class AddressForm(FlaskForm):
    label = StringField(_l("Label (tidak wajib)"), render_kw={"maxlength": LABEL_MAX})
    recipient = StringField(_l("Nama penerima"), render_kw={"maxlength": RECIPIENT_MAX})
    phone = TelField(_l("Nomor HP penerima"), render_kw={"inputmode": "tel"})
    street = TextAreaField(_l("Alamat (jalan, nomor rumah, RT/RW)"), render_kw={"maxlength": STREET_MAX, "rows": 3})
    village = StringField(_l("Desa/kelurahan"), render_kw={"maxlength": VILLAGE_MAX})
    district = StringField(_l("Kecamatan"), render_kw={"maxlength": DISTRICT_MAX})
    province_code = SelectField(_l("Provinsi"), validate_choice=False)
    region_code = SelectField(_l("Kabupaten/kota"), validate_choice=False)
    city_name = StringField(_l("Kota/kabupaten lainnya"), render_kw={"maxlength": CITY_MAX})
    postal_code = StringField(_l("Kode pos"), render_kw={"inputmode": "numeric", "maxlength": 5,
                                                        "pattern": "[0-9]{5}"})
    is_default = BooleanField(_l("Jadikan alamat utama"))

    def to_input(self) -> AddressInput:
        return AddressInput(**{
            name: getattr(self, name).data or "" for name in (
                "recipient", "phone", "street", "village", "district", "province_code",
                "region_code", "city_name", "postal_code", "label")})


class ActionForm(FlaskForm):
    """A button that POSTs: only the CSRF token."""
