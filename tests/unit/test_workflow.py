"""opopmart.core.workflow and the product state machine in catalogue.models.

EXPECTED is written out by hand on purpose: changing PRODUCT_WORKFLOW must change it.
"""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from opopmart.catalogue.models import PRODUCT_WORKFLOW, ProductStatus as P
from opopmart.core.workflow import IllegalTransition, Workflow

EXPECTED: dict[P, frozenset[P]] = {
    P.DRAFT: frozenset({P.SUBMITTED, P.ARCHIVED}),
    P.SUBMITTED: frozenset({P.PUBLISHED, P.CHANGES_REQUESTED, P.REJECTED, P.DRAFT}),
    P.CHANGES_REQUESTED: frozenset({P.SUBMITTED, P.ARCHIVED}),
    P.REJECTED: frozenset({P.ARCHIVED}),
    P.PUBLISHED: frozenset({P.ARCHIVED, P.SUBMITTED}),
    P.ARCHIVED: frozenset({P.DRAFT}),
}
ALLOWED = sorted((a, b) for a, targets in EXPECTED.items() for b in targets)
ALL_PAIRS = list(itertools.product(P, P))
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in set(ALLOWED)]


def test_product_statuses_are_the_six_known():
    assert [s.value for s in P] == [
        "draft", "submitted", "published", "changes_requested", "rejected", "archived",
    ]


def test_product_workflow_table_is_exactly_the_expected_table():
    assert PRODUCT_WORKFLOW.kind == "product"
    assert PRODUCT_WORKFLOW.table == EXPECTED


def test_every_status_has_an_entry_and_none_loops_to_itself():
    assert set(PRODUCT_WORKFLOW.table) == set(P)
    for status in P:
        assert status not in PRODUCT_WORKFLOW.targets(status)


def test_allowed_and_forbidden_cover_all_36_pairs():
    assert len(ALL_PAIRS) == 36
    assert len(ALLOWED) == 12
    assert len(FORBIDDEN) == 24


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_given_an_allowed_transition_when_required_then_no_error(current, target):
    assert PRODUCT_WORKFLOW.allowed(current, target) is True
    assert PRODUCT_WORKFLOW.require(current, target) is None


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_given_a_forbidden_transition_when_required_then_illegal_transition(current, target):
    assert PRODUCT_WORKFLOW.allowed(current, target) is False
    with pytest.raises(IllegalTransition) as info:
        PRODUCT_WORKFLOW.require(current, target)
    err = info.value
    assert err.kind == "product"
    assert err.current is current
    assert err.target is target
    assert str(err) == f"product: {current.value} -> {target.value} is not allowed"


@pytest.mark.parametrize("status", list(P))
def test_targets_are_the_expected_frozenset(status):
    targets = PRODUCT_WORKFLOW.targets(status)
    assert isinstance(targets, frozenset)
    assert targets == EXPECTED[status]


def test_illegal_transition_message_names_kind_from_and_to():
    with pytest.raises(IllegalTransition, match=r"^product: published -> draft is not allowed$"):
        PRODUCT_WORKFLOW.require(P.PUBLISHED, P.DRAFT)


# --- the generic Workflow ------------------------------------------------------------


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"
    OFF = "off"


LIGHTS = Workflow("light", {Light.RED: [Light.GREEN], Light.GREEN: (Light.AMBER,), Light.AMBER: {Light.RED}})


def test_given_any_iterable_table_then_stored_as_frozensets():
    assert LIGHTS.table == {
        Light.RED: frozenset({Light.GREEN}),
        Light.GREEN: frozenset({Light.AMBER}),
        Light.AMBER: frozenset({Light.RED}),
    }


def test_given_a_state_missing_from_the_table_then_it_has_no_targets():
    assert LIGHTS.targets(Light.OFF) == frozenset()
    assert LIGHTS.allowed(Light.OFF, Light.RED) is False
    with pytest.raises(IllegalTransition, match=r"^light: off -> red is not allowed$"):
        LIGHTS.require(Light.OFF, Light.RED)


def test_illegal_transition_is_an_exception_carrying_its_parts():
    err = IllegalTransition("light", Light.RED, Light.AMBER)
    assert isinstance(err, Exception)
    assert (err.kind, err.current, err.target) == ("light", Light.RED, Light.AMBER)
    assert err.args == ("light: red -> amber is not allowed",)
