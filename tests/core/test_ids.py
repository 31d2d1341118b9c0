"""An id that arrives as text is a number only when a database key can hold it."""

from __future__ import annotations

from typing import Any

import pytest

from core.ids import MAX_ID, id_from_text


@pytest.mark.parametrize(
    ("value", "id_"),
    [("42", 42), (42, 42), ("0", 0), (str(MAX_ID), MAX_ID)],
)
def test_ascii_digits_within_a_key_are_an_id(value: Any, id_: int) -> None:
    assert id_from_text(value) == id_


@pytest.mark.parametrize(
    "value", ["", " 1", "-1", "1.0", "²", "١٢", str(MAX_ID + 1), "9" * 23, None, ["1"]]
)
def test_anything_else_is_none_not_a_500(value: Any) -> None:
    assert id_from_text(value) is None
