"""Product photos in the seller studio: stored safely, owner-only, curated like content."""

from __future__ import annotations

import io
import os
import re

from PIL import Image
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.accounts.services import hash_password
from opopmart.catalogue.models import ProductImage, ProductStatus
from tests import factories as f

PASSWORD = "kata-sandi-rahasia"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def jpeg_bytes(size=(1200, 900), colour=(180, 90, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def setup_shop(session, status=ProductStatus.DRAFT):
    food = f.category(session, "Makanan & Minuman")
    shop = f.producer(session, "Kopontren Foto")
    other = f.producer(session, "Kopontren Lain", region_code="35.07")
    product = f.product(session, shop, food, "Kopi Berfoto", status=status)
    users = {}
    for name, producer in (("pemilik", shop), ("lain", other)):
        user = User(email=f"{name}@contoh.id", name=name, phone="+6281234567890",
                    password_hash=hash_password(PASSWORD))
        session.add(user)
        session.flush()
        session.add(ProducerMember(user_id=user.id, producer_id=producer.id, role=MemberRole.OWNER))
        users[name] = user
    session.commit()
    return product, users


def log_in(client, email: str) -> str:
    token = CSRF.search(client.get("/masuk").get_data(as_text=True)).group(1)
    assert client.post("/masuk", data={"csrf_token": token, "email": email,
                                       "password": PASSWORD}).status_code == 302
    return CSRF.search(client.get("/akun").get_data(as_text=True)).group(1)


def upload(client, token, product_id, data: bytes, filename="foto.jpg"):
    return client.post(f"/studio/produk/{product_id}/foto",
                       data={"csrf_token": token, "alt": "Kemasan depan",
                             "photo": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def media_names(app, root_key: str = "MEDIA_ROOT") -> set[str]:
    root = app.config[root_key]
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def document_names(app) -> set[str]:
    return media_names(app, "DOCUMENT_ROOT")


def test_owner_uploads_a_photo_in_three_sizes(app, client, session):
    product, _ = setup_shop(session)
    token = log_in(client, "pemilik@contoh.id")
    # When the owner uploads a JPEG under a misleading name
    response = upload(client, token, product.id, jpeg_bytes(), filename="../../x.php.jpg")
    # Then one row and three re-encoded files under random names exist
    assert response.status_code == 303
    session.expire_all()
    images = session.execute(select(ProductImage).where(ProductImage.product_id == product.id)).scalars().all()
    assert [(i.width, i.height, i.alt) for i in images] == [(1200, 900, "Kemasan depan")]
    key = images[0].key
    assert media_names(app) == {f"{key}.jpg", f"{key}_md.jpg", f"{key}_sm.jpg"}
    page = client.get(f"/studio/produk/{product.id}").get_data(as_text=True)
    assert f"/media/{key}_sm.jpg" in page


def test_not_an_image_is_refused_with_a_message_and_nothing_written(app, client, session):
    product, _ = setup_shop(session)
    token = log_in(client, "pemilik@contoh.id")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload(client, token, product.id, svg, filename="foto.jpg")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    session.expire_all()
    assert session.execute(select(ProductImage)).scalars().all() == []
    assert media_names(app) == set()


def test_published_product_photos_wait_for_curated_revisions(app, client, session):
    product, _ = setup_shop(session, status=ProductStatus.PUBLISHED)
    token = log_in(client, "pemilik@contoh.id")
    response = upload(client, token, product.id, jpeg_bytes())
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The photo joins the pending revision (tests/functional/test_revisions.py); no public row
    assert "Foto ditambahkan ke perubahan yang menunggu kurasi" in page
    session.expire_all()
    assert session.execute(select(ProductImage)).scalars().all() == []
    assert len(media_names(app)) == 3


def test_another_seller_gets_404_and_nothing_changes(app, client, session):
    product, _ = setup_shop(session)
    image = f.image(session, product, app.config["MEDIA_ROOT"])
    session.commit()
    files_before = media_names(app)
    token = log_in(client, "lain@contoh.id")
    assert upload(client, token, product.id, jpeg_bytes()).status_code == 404
    assert client.post(f"/studio/produk/{product.id}/foto/{image.id}/hapus",
                       data={"csrf_token": token}).status_code == 404
    session.expire_all()
    assert [i.id for i in session.execute(select(ProductImage)).scalars()] == [image.id]
    assert media_names(app) == files_before


def test_owner_removes_a_photo_and_its_files(app, client, session):
    product, _ = setup_shop(session)
    image = f.image(session, product, app.config["MEDIA_ROOT"])
    key = image.key
    session.commit()
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{product.id}/foto/{image.id}/hapus",
                           data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.execute(select(ProductImage)).scalars().all() == []
    assert not any(name.startswith(key) for name in media_names(app))


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def add_certificate(client, token, product_id, document: bytes | None, filename="sertifikat.pdf"):
    data = {"csrf_token": token, "type": "pirt", "number": "2063578010123-28",
            "issuer": "Dinkes Surabaya", "issued_on": "2023-01-10", "expires_on": "2028-01-10"}
    if document is not None:
        data["document"] = (io.BytesIO(document), filename)
    return client.post(f"/studio/produk/{product_id}/sertifikat", data=data,
                       content_type="multipart/form-data")


def test_certificate_pdf_is_stored_privately_and_served_to_the_owner_as_attachment(app, client, session):
    from opopmart.catalogue.models import Certification

    product, _ = setup_shop(session)
    token = log_in(client, "pemilik@contoh.id")
    response = add_certificate(client, token, product.id, MINIMAL_PDF)
    assert response.status_code == 303
    session.expire_all()
    cert = session.execute(select(Certification)).scalar_one()
    assert (cert.number, cert.verified) == ("2063578010123-28", False)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", cert.document_path)
    assert document_names(app) == {cert.document_path}
    assert media_names(app) == set()
    with client.get(f"/media/{cert.document_path}") as public:
        assert public.status_code == 404
    with client.get(f"/dokumen/sertifikat/{cert.id}") as served:
        assert served.status_code == 200
        assert served.mimetype == "application/pdf"
        assert served.headers["Content-Disposition"] == f"attachment; filename=sertifikat-{cert.id}.pdf"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Cache-Control"] == "private, no-store"
        assert served.get_data() == MINIMAL_PDF


def test_certificate_document_that_is_not_a_pdf_or_photo_is_refused(app, client, session):
    from opopmart.catalogue.models import Certification

    product, _ = setup_shop(session)
    token = log_in(client, "pemilik@contoh.id")
    response = add_certificate(client, token, product.id, b"<html><script>alert(1)</script></html>",
                               filename="sertifikat.pdf")
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.execute(select(Certification)).scalars().all() == []
    assert media_names(app) == set()
    assert document_names(app) == set()


def test_invalid_certificate_fields_leave_no_stored_document(app, client, session):
    from opopmart.catalogue.models import Certification

    product, _ = setup_shop(session)
    token = log_in(client, "pemilik@contoh.id")
    response = client.post(f"/studio/produk/{product.id}/sertifikat",
                           data={"csrf_token": token, "type": "pirt", "number": "salah",
                                 "document": (io.BytesIO(MINIMAL_PDF), "s.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    session.expire_all()
    assert session.execute(select(Certification)).scalars().all() == []
    assert media_names(app) == set()
    assert document_names(app) == set()
