"""The form kernel: one pass reads every field and reports every wrong one."""

from __future__ import annotations

from datetime import date

import pytest

from storefront.domain.forms import FieldErrors, Reader


def test_every_wrong_field_is_reported_at_once_with_what_its_message_needs():
    r = Reader({"name": "  ", "note": "x" * 11, "qty": "12", "age": "ten", "kind": "other", "price": "abc", "on": "on"})
    assert r.text("name", 10, required=True) == ""
    assert r.text("note", 10) == "x" * 11
    assert r.number("qty", 1, 10) is None
    assert r.number("age", 0, 120) is None
    assert r.choice("kind", {"percent", "fixed"}) is None
    assert r.money("price") is None
    assert r.checkbox("on") and not r.checkbox("off")
    with pytest.raises(FieldErrors) as refused:
        r.done()
    assert refused.value.errors == {
        "name": "required",
        "note": "too_long",
        "qty": "between",
        "age": "whole_number",
        "kind": "choose",
        "price": "euros",
    }
    assert refused.value.details == {"note": 10, "qty": (1, 10)}


def test_good_values_come_back_typed_and_nothing_is_raised():
    r = Reader({"name": " Autumn   sale ", "qty": "-2", "kind": "fixed", "price": "5", "day": "2026-10-31"})
    assert r.text("name", 20, required=True) == "Autumn sale"
    assert r.number("qty", -5, 5) == -2
    assert r.choice("kind", {"percent", "fixed"}) == "fixed"
    assert r.money("price", positive=True, most=10_000) == 500
    assert r.day("day") == date(2026, 10, 31)
    assert r.number("missing", 0, 1) is None and r.day("missing") is None
    r.done()


def test_a_file_where_text_belongs_reads_as_nothing_typed():
    r = Reader({"name": object()})
    assert r.text("name", required=True) == ""
    assert r.errors == {"name": "required"}


def test_amounts_above_the_most_or_zero_when_positive_are_refused():
    r = Reader({"a": "200", "b": "0", "c": ""})
    r.money("a", most=10_000)
    r.money("b", positive=True)
    r.money("c", required=True)
    assert r.errors == {"a": "too_much", "b": "zero", "c": "required"} and r.details == {"a": 100}
