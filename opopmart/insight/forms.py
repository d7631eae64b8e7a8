"""Direct-sale forms. They carry fields only (the allow-list of what a request may set);
insight.services checks the values and reports errors by these field names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..regions.models import Region, RegionKind
from .models import CHANNEL_LABELS
from .services import MAX_COMMODITY, MAX_NOTE, MAX_REASON, MAX_UNIT, SaleInput


class DirectSaleForm(FlaskForm):
    # A plain text field read by the service: a date WTForms cannot parse must reach the
    # service's message, not vanish as None.
    sold_on = StringField(_l("Tanggal penjualan"), render_kw={"type": "date"})
    channel = SelectField(_l("Saluran"), validate_choice=False, choices=[
        SelectChoice(channel.value, label) for channel, label in CHANNEL_LABELS.items()])
    product_id = SelectField(_l("Produk (jika ada di katalog toko)"), validate_choice=False)
    commodity = StringField(_l("Komoditas"), render_kw={"maxlength": MAX_COMMODITY})
    quantity = StringField(_l("Jumlah"), render_kw={"inputmode": "numeric", "maxlength": 15})
    unit = StringField(_l("Satuan"), default="pcs", render_kw={"maxlength": MAX_UNIT})
    value = StringField(_l("Nilai penjualan (Rp)"), render_kw={"inputmode": "numeric", "maxlength": 25})
    buyer_region_code = SelectField(_l("Daerah pembeli (jika diketahui)"), validate_choice=False)
    note = TextAreaField(_l("Catatan"), render_kw={"maxlength": MAX_NOTE, "rows": 2})

    def to_input(self) -> SaleInput:
        return SaleInput(
            sold_on=self.sold_on.data, channel=self.channel.data, product_id=self.product_id.data,
            commodity=self.commodity.data, quantity=self.quantity.data, unit=self.unit.data,
            value=self.value.data, buyer_region_code=self.buyer_region_code.data,
            note=self.note.data,
        )


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pembatalan"), render_kw={"maxlength": MAX_REASON, "rows": 2})


def region_choices(session: Session) -> list[SelectChoice]:
    """Provinces first, then each province's kabupaten/kota, grouped by province."""
    regions = session.scalars(select(Region).order_by(Region.code)).all()
    provinces = {r.code: r for r in regions if r.kind is RegionKind.PROVINSI}
    choices = [SelectChoice("", _l("Tidak diketahui"))]
    choices += [SelectChoice(r.code, r.name, optgroup=_l("Provinsi"))
                for r in sorted(provinces.values(), key=lambda r: r.name)]
    cities = [r for r in regions if r.kind is not RegionKind.PROVINSI]
    for city in sorted(cities, key=lambda r: (r.province_code != "35", r.province_code, r.name)):
        province = provinces.get(city.province_code)
        choices.append(SelectChoice(city.code, city.display_name,
                                    optgroup=province.name if province else ""))
    return choices


def apply_errors(form, errors: dict) -> None:
    """Service messages next to their fields; the rest at the top of the form."""
    for name, messages in errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *(str(m) for m in messages)]
        else:
            form.form_errors.extend(str(m) for m in messages)
