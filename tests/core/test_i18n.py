import pytest

from core import i18n


@pytest.mark.parametrize("catalog", i18n.catalogs(), ids=lambda c: c.name)
def test_catalog_is_complete(catalog):
    """Every translatable source string has a Chinese translation that is not fuzzy."""
    assert i18n.problems(catalog) == []


def test_extraction_finds_template_and_python_strings():
    found = {msgid for _ctx, msgid in i18n.extract(i18n.catalogs()[-1])}
    assert "Log in" in found  # templates/registration/login.html
    assert "Skip to main content" in found  # templates/base.html
    alliance = {msgid for _ctx, msgid in i18n.extract(i18n.catalogs()[0])}
    assert "Bureau staff" in alliance  # alliance/models.py, gettext_lazy


def test_no_message_is_translated_two_ways():
    """Django merges every app's catalog and the first one wins, so one msgid (in one context)
    translated differently in two catalogs shows the wrong words in one of the apps."""
    seen: dict[tuple[str | None, str], tuple[str, str]] = {}
    clashes = []
    for catalog in i18n.catalogs():
        for entry in i18n.load(catalog):
            if entry.obsolete or not entry.msgstr:
                continue
            key = (entry.msgctxt, entry.msgid)
            if key in seen and seen[key][1] != entry.msgstr:
                clashes.append(
                    f"{entry.msgid!r}: {seen[key][0]} says {seen[key][1]!r}, "
                    f"{catalog.name} says {entry.msgstr!r}"
                )
            seen.setdefault(key, (catalog.name, entry.msgstr))
    assert clashes == [], "\n".join(clashes)
