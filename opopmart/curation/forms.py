"""Curation forms. They carry fields only; curation.services holds the rules and reports
errors under these field names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..core.params import whole_number
from .models import ASPECTS, FAIL, PASS
from .services import DecisionInput


class ActionForm(FlaskForm):
    """A button that POSTs: only the CSRF token."""


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Alasan (dibaca penjual)"))


class ReapplyForm(FlaskForm):
    note = TextAreaField(_l("Keterangan untuk kurator (opsional)"))


class DecisionForm(FlaskForm):
    """One form for the checklist; the button pressed names the decision."""

    decision = StringField()
    review_id = HiddenField()
    reason = TextAreaField(_l("Alasan penolakan"))
    override_reason = TextAreaField(_l("Alasan menyetujui tanpa sertifikat wajib"))
    certificates = SelectMultipleField(_l("Sertifikat yang sudah diperiksa dan sah"),
                                       validate_choice=False)

    def aspect_fields(self):
        """(key, label, result field, note field) per curation aspect, in order."""
        return [(key, label, self[f"result_{key}"], self[f"note_{key}"]) for key, label in ASPECTS.items()]

    def to_input(self) -> DecisionInput:
        review_id = (self.review_id.data or "").strip()
        return DecisionInput(
            decision=(self.decision.data or "").strip(),
            checklist={key: self[f"result_{key}"].data or "" for key in ASPECTS},
            notes={key: self[f"note_{key}"].data or "" for key in ASPECTS},
            reason=self.reason.data or "",
            override_reason=self.override_reason.data or "",
            certificate_ids=list(self.certificates.data or []),
            review_id=whole_number(review_id),
        )


for _key, _label in ASPECTS.items():
    setattr(DecisionForm, f"result_{_key}", RadioField(_label, choices=[
        SelectChoice(PASS, _l("Lolos")), SelectChoice(FAIL, _l("Belum lolos"))], validate_choice=False))
    setattr(DecisionForm, f"note_{_key}", TextAreaField(_l("Catatan untuk penjual")))
