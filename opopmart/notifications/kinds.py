"""What each kind of notification says.

Rows store only a kind and its parameters; the words live here as lazy strings, so a
notification is rendered in whatever language its reader has chosen when reading it
(switching to English translates old notifications too), and rewording a message
rewords the ones already sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Kind:
    subject: LazyString  # may use %(param)s
    body: LazyString


KINDS: dict[str, Kind] = {
    "producer_verified": Kind(
        subject=_l("%(producer_name)s sudah terverifikasi"),
        body=_l("Kurator OPOP Mart sudah memverifikasi %(producer_name)s. Produk yang lolos "
                "kurasi kini bisa tampil di katalog."),
    ),
    "producer_refused": Kind(
        subject=_l("Verifikasi %(producer_name)s ditolak"),
        body=_l("Kurator belum dapat memverifikasi %(producer_name)s. Alasan: %(reason)s"),
    ),
    "review_approved": Kind(
        subject=_l("%(product_name)s lolos kurasi"),
        body=_l("Kurator menyetujui %(product_name)s. Produk ini sudah terbit di OPOP Mart."),
    ),
    "review_changes_requested": Kind(
        subject=_l("%(product_name)s perlu perbaikan"),
        body=_l("Kurator meminta perbaikan pada %(product_name)s sebelum terbit: %(note)s"),
    ),
    "review_rejected": Kind(
        subject=_l("%(product_name)s ditolak"),
        body=_l("Kurator menolak %(product_name)s. Alasan: %(reason)s"),
    ),
    "certificate_expired": Kind(
        subject=_l("Sertifikat %(certificate)s sudah kedaluwarsa"),
        body=_l("Sertifikat %(certificate)s untuk %(product_name)s sudah kedaluwarsa. Unggah "
                "sertifikat yang masih berlaku di Studio."),
    ),
    "revision_approved": Kind(
        subject=_l("Perubahan %(product_name)s disetujui"),
        body=_l("Kurator menyetujui perubahan pada %(product_name)s. Perubahan itu kini tampil "
                "di katalog."),
    ),
    "revision_changes_requested": Kind(
        subject=_l("Perubahan %(product_name)s perlu perbaikan"),
        body=_l("Kurator meminta perbaikan pada perubahan %(product_name)s: %(note)s"),
    ),
    "revision_rejected": Kind(
        subject=_l("Perubahan %(product_name)s ditolak"),
        body=_l("Kurator menolak perubahan pada %(product_name)s: %(reason)s. Katalog tetap "
                "menampilkan isi yang sudah disetujui."),
    ),
    # Payments (checkout.webhooks): sent once Stripe's webhook confirms the payment.
    "order_paid": Kind(
        subject=_l("Pesanan %(order_number)s sudah dibayar"),
        body=_l("Terima kasih! Pembayaran %(total)s untuk pesanan %(order_number)s sudah kami "
                "terima. Setiap produsen mengemas dan mengirim bagiannya sendiri; Anda akan "
                "diberi tahu saat paket dikirim."),
    ),
    "order_new": Kind(
        subject=_l("Pesanan baru %(order_number)s untuk %(producer_name)s"),
        body=_l("Pesanan %(order_number)s sudah dibayar: %(items)s barang senilai %(subtotal)s "
                "untuk %(producer_name)s. Kemas dan kirim pesanan ini dari Studio."),
    ),
    # Fulfilment and refunds (orders.fulfilment, orders.refunds).
    "shipment_shipped": Kind(
        subject=_l("Pesanan %(order_number)s sudah dikirim"),
        body=_l("%(producer_name)s sudah mengirim pesanan %(order_number)s lewat %(courier)s "
                "dengan nomor resi %(tracking_number)s. Konfirmasi penerimaan setelah paket "
                "sampai."),
    ),
    "order_refunded": Kind(
        subject=_l("Pesanan %(order_number)s dibatalkan, dana dikembalikan"),
        body=_l("Pesanan %(order_number)s sudah dibatalkan. Dana %(amount)s dikembalikan ke "
                "metode pembayaran Anda; lamanya tergantung bank atau penerbit kartu."),
    ),
    "shipment_refunded": Kind(
        subject=_l("%(producer_name)s membatalkan bagian pesanan %(order_number)s"),
        body=_l("%(producer_name)s tidak dapat memenuhi bagiannya dari pesanan %(order_number)s. "
                "Alasan: %(reason)s. Dana %(amount)s dikembalikan ke metode pembayaran Anda."),
    ),
    "order_cancelled_by_shopper": Kind(
        subject=_l("Pesanan %(order_number)s dibatalkan pembeli"),
        body=_l("Pembeli membatalkan pesanan %(order_number)s sebelum dikirim. Jangan kirim "
                "barangnya: stok sudah dikembalikan dan dana sudah dikembalikan ke pembeli."),
    ),
}

# Shown for a kind this version no longer knows (or a row whose parameters no longer fit).
GENERIC_SUBJECT = _l("Pemberitahuan")
GENERIC_BODY = _l("Ada pemberitahuan untuk Anda di OPOP Mart.")


class MissingParam(KeyError):
    """A kind's text names a parameter the notification does not carry."""


class _Strict(dict):
    def __missing__(self, key):
        raise MissingParam(key)


def render_strict(kind: str, params: Mapping[str, object]) -> tuple[str, str]:
    """(subject, body) as plain text in the current language.

    Raises KeyError for an unknown kind or MissingParam for a missing parameter: the
    writer (services.notify) calls this to refuse a notification before storing it.
    """
    spec = KINDS[kind]
    values = _Strict(params)
    return str(spec.subject) % values, str(spec.body) % values


def render(kind: str, params: object) -> tuple[str, str]:
    """(subject, body) as plain text in the current language; never raises.

    Readers call this: a row written by an older version (a kind since removed, a
    parameter renamed) or a translation with a broken placeholder shows a generic line
    rather than failing the page. The result is plain text: templates escape it.
    """
    if isinstance(params, Mapping):
        try:
            return render_strict(kind, params)
        except (KeyError, TypeError, ValueError):
            pass
    return str(GENERIC_SUBJECT), str(GENERIC_BODY)
