import pytest

from lib.engine.documents import page_selection
from lib.engine.documents.selection import check_selection
from lib.engine.errors import PageSelectionError


@pytest.mark.parametrize(
    ("spec", "max_pages", "expected"),
    [
        (None, None, [1, 2, 3, 4, 5, 6, 7, 8]),
        ("", None, [1, 2, 3, 4, 5, 6, 7, 8]),
        ("1,3,5-7", None, [1, 3, 5, 6, 7]),
        (" 2 , 4 - 5 ", None, [2, 4, 5]),
        ("5-7,1,6", None, [1, 5, 6, 7]),
        ("8", None, [8]),
        ("3-3", None, [3]),
        (None, 3, [1, 2, 3]),
        ("2,4-8", 2, [2, 4]),
        (None, 50, [1, 2, 3, 4, 5, 6, 7, 8]),
    ],
)
def test_valid_selections(spec, max_pages, expected):
    assert page_selection(spec, max_pages, 8) == expected


@pytest.mark.parametrize(
    ("spec", "total", "message"),
    [
        ("9", 4, "page 9 requested but the document has 4 pages"),
        ("3-9", 4, "pages 3-9 requested but the document has 4 pages"),
        ("2", 1, "page 2 requested but the document has 1 page"),
        ("0", 4, "contains page 0; pages are numbered from 1"),
        ("0-2", 4, "contains page 0"),
        ("7-5", 8, "range '7-5' is reversed; write it as '5-7'"),
        ("1,a", 4, "item 'a' is not a page number or range"),
        ("1-", 4, "item '1-' is not a page number or range"),
        ("-1", 4, "item '-1' is not a page number or range"),
        ("1.5", 4, "item '1.5' is not a page number or range"),
        ("1,,2", 4, "has an empty item"),
    ],
)
def test_bad_selections_say_what_is_wrong(spec, total, message):
    with pytest.raises(PageSelectionError) as info:
        page_selection(spec, None, total)
    assert message in str(info.value)


@pytest.mark.parametrize("max_pages", [0, -1, True])
def test_bad_max_pages(max_pages):
    with pytest.raises(PageSelectionError, match="max_pages must be a whole number of at least 1"):
        page_selection(None, max_pages, 4)


@pytest.mark.parametrize(("spec", "max_pages"), [("1,a", None), ("0", None), ("7-5", None), ("1,,2", None), (None, 0)])
def test_what_is_wrong_without_a_document_is_found_before_parsing(spec, max_pages):
    with pytest.raises(PageSelectionError):
        check_selection(spec, max_pages)


@pytest.mark.parametrize(("spec", "max_pages"), [(None, None), ("", 3), ("1,3,5-7", None), ("999999999-1000000000", 2)])
def test_what_only_a_document_can_refuse_passes_the_early_check(spec, max_pages):
    check_selection(spec, max_pages)
