"""Cart forms. They carry the fields and the CSRF token; the numbers are checked by
cart.services (clean_id, clean_quantity), so a form and the JSON answer give the same
messages. No form has a price field: whatever a client posts as a price is never read.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class AddForm(FlaskForm):
    variant_id = StringField(_l("Varian"))
    quantity = StringField(_l("Jumlah"))
    next = HiddenField()


class QuantityForm(FlaskForm):
    # A plain string: "abc" or "-1" reaches the service, which says what is wrong.
    quantity = StringField(_l("Jumlah"))


class RemoveForm(FlaskForm):
    pass

