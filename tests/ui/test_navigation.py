"""The page list follows the page scripts that exist: no placeholder pages."""

from __future__ import annotations

from pathlib import Path

from lib.ui import navigation


def test_only_present_pages_are_listed(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    assert navigation.present_pages(tmp_path) == []
    (tmp_path / "pages" / "results.py").write_text("")
    (tmp_path / "pages" / "schema_editor.py").write_text("")
    assert [spec.title for spec in navigation.present_pages(tmp_path)] == ["Schema", "Results"]
    assert navigation.page_exists(navigation.RESULTS_PAGE, tmp_path)
    assert not navigation.page_exists(navigation.JOBS_PAGE, tmp_path)


def test_the_repository_has_the_schema_page() -> None:
    assert navigation.page_exists(navigation.SCHEMA_PAGE)
