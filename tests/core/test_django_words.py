"""Django's own words our catalogue mends: file sizes in Arabic take the right plural."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils import translation


def test_arabic_file_sizes_take_the_plural_their_number_needs() -> None:
    with translation.override("ar"):
        # filesizeformat joins with a no-break space.
        sizes = {
            n: str(filesizeformat(n)).replace("\xa0", " ") for n in (1, 2, 5, 10, 11, 99, 100, 0)
        }
    assert sizes[1] == "بايت واحد"
    assert sizes[2] == "بايتان"  # the dual: "two bytes"
    assert sizes[5] == sizes[10].replace("10", "5") == "5 بايتات"  # Django's own: "5 بايتان"
    assert sizes[11] == "11 بايتًا" and sizes[99] == "99 بايتًا"
    assert sizes[100] == "100 بايت" and sizes[0] == "0 بايت"


def test_german_file_sizes_are_unchanged() -> None:
    with translation.override("de"):
        assert str(filesizeformat(5)).replace("\xa0", " ") == "5 Bytes"
        assert str(filesizeformat(2048)).replace("\xa0", " ") == "2,0 KB"
