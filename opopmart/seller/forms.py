"""Studio forms. They only carry fields; the rules live in seller.services, which reports
errors by field name (the same names WTForms gives: ``variants-0-tiers-1-unit_price``).

The fields are the allow-list: whatever else a request carries (status, producer_id of a
saved product, is_listed, verified, published_at) is never read.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, FieldList, Form, FormField, HiddenField,
                     SelectField, StringField, TextAreaField)

from wtforms.fields.choices import SelectChoice

from ..catalogue.models import CertType, HalalScheme, ProducerKind
from . import services

TIER_ROWS = 3


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated), values as text."""
    return [SelectChoice(str(value), label, optgroup=optgroup) for value, label in pairs]
NEW_VARIANT_ROWS = 2


class ShopForm(FlaskForm):
    kind = SelectField(_l("Jenis usaha"), choices=[
        SelectChoice(ProducerKind.PESANTREN.value, _l("Pesantren")),
        SelectChoice(ProducerKind.KOPONTREN.value, _l("Koperasi Pondok Pesantren")),
        SelectChoice(ProducerKind.UMKM.value, _l("UMKM")),
    ], validate_choice=False)
    name = StringField(_l("Nama toko"))
    pesantren_name = StringField(_l("Nama pesantren"))
    koperasi_name = StringField(_l("Nama koperasi"))
    nib = StringField(_l("NIB (Nomor Induk Berusaha)"))
    region_code = SelectField(_l("Kabupaten/kota"), validate_choice=False)
    address = TextAreaField(_l("Alamat"))
    description = TextAreaField(_l("Tentang usaha Anda"))
    logo = FileField(_l("Logo toko (JPEG, PNG atau WebP)"),
                     render_kw={"accept": "image/jpeg,image/png,image/webp"})


class InviteForm(FlaskForm):
    email = EmailField(_l("Email staf"))


class ActionForm(FlaskForm):
    """A button that POSTs: only the CSRF token."""


class TierForm(Form):
    min_qty = StringField(_l("Mulai dari (unit)"))
    unit_price = StringField(_l("Harga per unit"))


class VariantForm(Form):
    id = HiddenField()
    sku = StringField(_l("SKU"))
    option1 = StringField(_l("Pilihan 1"))
    option2 = StringField(_l("Pilihan 2"))
    price = StringField(_l("Harga (Rp)"))
    stock = StringField(_l("Stok"))
    weight_grams = StringField(_l("Berat (gram)"))
    min_order_qty = StringField(_l("Minimal beli"))
    is_active = BooleanField(_l("Dijual"), default=True)
    tiers = FieldList(FormField(TierForm), min_entries=TIER_ROWS, max_entries=services.MAX_TIERS)


class ProductForm(FlaskForm):
    producer_id = SelectField(_l("Toko"), validate_choice=False)
    name = StringField(_l("Nama produk"))
    category_id = SelectField(_l("Kategori"), validate_choice=False)
    brand_id = SelectField(_l("Merek"), validate_choice=False)
    new_brand = StringField(_l("atau merek baru"))
    description = TextAreaField(_l("Deskripsi"))
    claims_halal = BooleanField(_l("Produk ini halal"))
    option1_name = StringField(_l("Nama pilihan 1 (misalnya Ukuran)"))
    option2_name = StringField(_l("Nama pilihan 2 (misalnya Warna)"))
    variants = FieldList(FormField(VariantForm), min_entries=1, max_entries=services.MAX_VARIANTS)

    def to_input(self) -> services.ProductInput:
        return services.ProductInput(
            name=self.name.data, category_id=self.category_id.data, brand_id=self.brand_id.data,
            new_brand=self.new_brand.data, description=self.description.data,
            claims_halal=bool(self.claims_halal.data), option1_name=self.option1_name.data,
            option2_name=self.option2_name.data,
            variants=[
                services.VariantInput(
                    id=v.form.id.data or None, sku=v.form.sku.data, option1=v.form.option1.data,
                    option2=v.form.option2.data, price=v.form.price.data, stock=v.form.stock.data,
                    weight_grams=v.form.weight_grams.data, min_order_qty=v.form.min_order_qty.data,
                    is_active=bool(v.form.is_active.data),
                    tiers=[services.TierInput(t.form.min_qty.data, t.form.unit_price.data)
                           for t in v.form.tiers],
                )
                for v in self.variants
            ],
        )


class QuickVariantForm(FlaskForm):
    price = StringField(_l("Harga (Rp)"))
    stock = StringField(_l("Stok"))


class CertificateForm(FlaskForm):
    type = SelectField(_l("Jenis sertifikat"), choices=[
        SelectChoice(CertType.HALAL.value, _l("Halal")),
        SelectChoice(CertType.PIRT.value, _l("P-IRT")),
        SelectChoice(CertType.BPOM.value, _l("BPOM")),
        SelectChoice(CertType.SNI.value, _l("SNI")),
        SelectChoice(CertType.MEREK.value, _l("Merek terdaftar")),
    ], validate_choice=False)
    number = StringField(_l("Nomor"))
    halal_scheme = SelectField(_l("Skema halal"), choices=[
        SelectChoice("", _l("— bukan sertifikat halal —")),
        SelectChoice(HalalScheme.REGULER.value, _l("Reguler")),
        SelectChoice(HalalScheme.SELF_DECLARE.value, _l("Self declare")),
    ], validate_choice=False)
    issuer = StringField(_l("Penerbit"))
    issued_on = StringField(_l("Tanggal terbit"), render_kw={"type": "date"})
    expires_on = StringField(_l("Berlaku sampai"), render_kw={"type": "date"})
    document = FileField(_l("Dokumen (PDF atau foto, tidak wajib)"),
                         render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"})

    def to_input(self) -> services.CertificateInput:
        return services.CertificateInput(
            type=self.type.data or "", number=self.number.data or "",
            halal_scheme=self.halal_scheme.data or "", issuer=self.issuer.data or "",
            issued_on=self.issued_on.data or "", expires_on=self.expires_on.data or "",
        )


class AttachCertificateForm(FlaskForm):
    """Choices are filled by the view from the producer's own certificates; the service
    checks the id again, so a forged value is an error, never someone else's row."""

    certification_id = SelectField(_l("Sertifikat toko"), choices=[], validate_choice=False)


def all_fields(form) -> dict:
    """Every field of a form by its full name, subform fields included."""
    found = {}

    def walk(field):
        found[field.name] = field
        if isinstance(field, FieldList):
            for entry in field.entries:
                walk(entry)
        elif isinstance(field, FormField):
            for sub in field.form:
                walk(sub)

    for field in form:
        walk(field)
    return found


def apply_errors(form, errors: dict) -> None:
    """Put a service's messages next to their fields (form-level when no such field)."""
    fields = all_fields(form)
    for name, messages in errors.items():
        target = fields.get(name) if name else None
        if target is None or isinstance(target, (FieldList, FormField)):
            if target is not None and name:
                # A message about a group (a variant's tiers): keep it with that group.
                extra = getattr(form, "group_errors", {})
                extra.setdefault(name, []).extend(str(m) for m in messages)
                form.group_errors = extra
                continue
            form.form_errors.extend(str(m) for m in messages)
        else:
            target.errors = [*target.errors, *(str(m) for m in messages)]


class PhotoForm(FlaskForm):
    """The file is judged by its content (core.uploads), never by name or declared type."""

    photo = FileField(_l("Foto produk (JPEG, PNG atau WebP)"))
    alt = StringField(_l("Keterangan foto"))


class ShopEditForm(ShopForm):
    """ShopForm plus removing the logo. A verified shop's legal fields are shown as text
    and not sent; seller.shop refuses a request that changes them anyway."""

    remove_logo = BooleanField(_l("Hapus logo"))

    def sent(self, name: str) -> str | None:
        """The field's value, or None when the request did not carry it at all."""
        field = getattr(self, name)
        return (field.data or "") if field.raw_data else None


class BrandForm(FlaskForm):
    name = StringField(_l("Nama merek"))
    djki_number = StringField(_l("Nomor pendaftaran DJKI (tidak wajib)"))
