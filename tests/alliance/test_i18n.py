import pytest

from alliance import i18n


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
