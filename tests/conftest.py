"""Fixtures shared by every app's tests: users per role, organizations, a real browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from core.i18n import compile_all

# Playwright's sync API runs an event loop in this thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config):
    compile_all()


# Reference data that migrations load (RunPython): a transactional test flushes every table
# when it ends, and a test run after it on the same worker would find no skills, no default
# meeting frequencies, no districts. They are loaded again after each such test.
REFERENCE_DATA_LOADERS = (
    "branches.migrations.0002_reference_data.load",
    "members.migrations.0002_skills.load",
    "activities.migrations.0002_default_frequencies.add_defaults",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or nextitem is None:
        return  # (after the last test the test database is already gone)
    from django.apps import apps
    from django.utils.module_loading import import_string
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for path in REFERENCE_DATA_LOADERS:
            import_string(path)(apps, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _signed_in_by_force_login(settings):
    """Tests sign users in with client.force_login, which gives no password and no second
    factor: the second-factor requirement and the password check before unmasked exports are
    off here, and on in the tests of them (tests/core/test_otp.py, test_logins.py), as they
    always are in production (neither is read from the environment)."""
    settings.OTP_REQUIRED = False
    settings.REAUTH_BEFORE_UNMASKED_EXPORT = False


@pytest.fixture(autouse=True)
def _home_figures_in_the_request(settings):
    """The 首页's aggregates are computed in the request however long they took, so that a
    test's write shows at once (a slow machine must not turn them into background work); the
    background path is tested in tests/home/test_cache_background.py."""
    settings.HOME_BACKGROUND_AFTER_SECONDS = None


@pytest.fixture(autouse=True)
def _list_counts_counted(settings):
    """The lists' totals are counted in each request: a test's writes never commit (the test
    runs in a transaction), so a cached total would never go stale; the cache is tested in
    tests/members/test_cached_totals.py, with commits."""
    settings.LIST_COUNTS_CACHED = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back after a test, the
    cache is not, and a 首页 figure cached by an earlier test on the same worker (with other
    rows) would otherwise be read back (seen under pytest-xdist)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    from tests.factories import make_user as _make_user

    return _make_user


@pytest.fixture
def org_tree(db):
    """A small tree: working committee → joint committee → branch A (→ group A1), branch B."""
    from tests.factories import make_org_tree

    return make_org_tree()


@pytest.fixture
def staff_user(make_user):
    return make_user("staff", role="staff")


@pytest.fixture
def viewer_user(make_user):
    return make_user("viewer", role="viewer")


@pytest.fixture
def supervisor_user(make_user):
    return make_user("supervisor", role="supervisor")


@pytest.fixture
def liaison_user(make_user, org_tree):
    return make_user("liaison", role="liaison", community=org_tree.community)


@pytest.fixture
def secretary_user(make_user, org_tree):
    """Secretary of branch A."""
    return make_user("secretary", role="secretary", organization=org_tree.branch_a)


@pytest.fixture
def other_secretary(make_user, org_tree):
    """Secretary of branch B: must never see branch A's records."""
    return make_user("secretary_b", role="secretary", organization=org_tree.branch_b)


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_page(_browser, live_server, request, viewport: dict):
    context = _browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(_browser, live_server, request):
    """A fresh browser page (desktop size) against the live server; console errors fail."""
    yield from _open_page(_browser, live_server, request, {"width": 1280, "height": 900})


@pytest.fixture
def phone(_browser, live_server, request):
    """A fresh browser page on a 375 px phone, as `page`."""
    yield from _open_page(_browser, live_server, request, {"width": 375, "height": 740})


class Taps:
    """Counts what a person does with a finger in a browser test: each click, each check, each
    field tapped to type into (typing itself is not a tap)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def type_into(self, locator, text: str):
        self.count += 1  # tapping the field
        locator.fill(text)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def check_accessibility(page) -> None:
    """Run axe-core on the page; any serious or critical violation fails the test."""
    # Evaluated through DevTools, not as a <script> tag: the portal's Content-Security-Policy
    # refuses inline scripts, and a page's own policy stays on in every browser test.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "accessibility violations on " + page.url + ":\n" + "\n".join(bad)


def browser_login(page, username: str, password: str = "pw-for-tests") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
