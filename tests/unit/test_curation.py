"""The producer state machine and the pure parts of curation (aspects, labels, notes).

EXPECTED is written out by hand on purpose: changing PRODUCER_WORKFLOW must change it.
"""

from __future__ import annotations

import itertools

import pytest

from opopmart.catalogue.models import PRODUCER_WORKFLOW, ProducerStatus as S
from opopmart.core.workflow import IllegalTransition
from opopmart.curation.models import ASPECTS, ProductReview
from opopmart.curation.services import _changes_note, token_label

EXPECTED = {
    S.PENDING: frozenset({S.VERIFIED, S.REFUSED}),
    S.VERIFIED: frozenset({S.REFUSED}),  # suspension, with a reason
    S.REFUSED: frozenset({S.PENDING}),  # the seller re-applies
}
ALLOWED = sorted((a, b) for a, targets in EXPECTED.items() for b in targets)
FORBIDDEN = [pair for pair in itertools.product(S, S) if pair not in set(ALLOWED)]


def test_producer_statuses_are_the_three_known():
    assert [s.value for s in S] == ["pending", "verified", "refused"]


def test_producer_workflow_table_is_exactly_the_expected_table():
    assert PRODUCER_WORKFLOW.kind == "producer"
    assert PRODUCER_WORKFLOW.table == EXPECTED
    assert (len(ALLOWED), len(FORBIDDEN)) == (4, 5)


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_given_an_allowed_producer_move_when_required_then_no_error(current, target):
    assert PRODUCER_WORKFLOW.require(current, target) is None


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_given_a_forbidden_producer_move_when_required_then_illegal_transition(current, target):
    with pytest.raises(IllegalTransition) as excinfo:
        PRODUCER_WORKFLOW.require(current, target)
    assert str(excinfo.value) == f"producer: {current.value} -> {target.value} is not allowed"


def test_the_five_opop_curation_aspects_in_order():
    assert list(ASPECTS) == ["quality", "brand", "certification", "presentation", "price_stock"]
    assert [str(label) for label in ASPECTS.values()] == [
        "Standar & mutu produk", "Merek", "Sertifikasi", "Foto & deskripsi", "Harga & stok"]


@pytest.mark.parametrize(("token", "label"), [
    ("pirt", "P-IRT"), ("bpom:MD", "BPOM MD"), ("bpom:NA", "BPOM NA"), ("halal", "Halal"),
    ("sni", "SNI"), ("merek", "Merek terdaftar"), ("lain", "lain"),
])
def test_requirement_tokens_read_as_certificate_names(token, label):
    assert token_label(token) == label


def test_failed_aspects_follow_the_checklist_order():
    review = ProductReview(checklist={"price_stock": "fail", "quality": "pass", "brand": "fail"})
    assert review.failed_aspects() == ["brand", "price_stock"]
    assert review.pending is True


def test_the_changes_note_names_each_failed_aspect_with_its_note():
    checklist = {"quality": "pass", "presentation": "fail", "brand": "fail"}
    notes = {"quality": "Bagus.", "presentation": "Foto buram.", "brand": "Merek belum terdaftar."}
    assert _changes_note(checklist, notes) == "Merek: Merek belum terdaftar.\nFoto & deskripsi: Foto buram."
