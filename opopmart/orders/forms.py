"""Order forms. They carry fields only; orders.fulfilment and orders.refunds hold the rules
and report errors by these field names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..checkout.models import COURIER_LABELS
from .fulfilment import MAX_REASON


class ActionForm(FlaskForm):
    """A button that POSTs: only the CSRF token."""


class ShipForm(FlaskForm):
    tracking_number = StringField(_l("Nomor resi"), render_kw={
        "maxlength": 60, "autocomplete": "off", "autocapitalize": "characters",
        "spellcheck": "false"})
    courier = SelectField(_l("Kurir"), validate_choice=False, choices=[
        SelectChoice(courier.value, label) for courier, label in COURIER_LABELS.items()])


class SellerCancelForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pembatalan (dibaca pembeli)"),
                           render_kw={"maxlength": MAX_REASON, "rows": 3})


def apply_errors(form, errors: dict) -> None:
    """Service messages next to their fields; the rest at the top of the form."""
    for name, messages in errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *(str(m) for m in messages)]
        else:
            form.form_errors.extend(str(m) for m in messages)
