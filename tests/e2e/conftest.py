"""Browser tests: Debian's Chromium driven by Playwright against the live test server, with
axe-core (vendored from the npm package, tests/e2e/axe.min.js) checking WCAG 2.1 A/AA."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make for
# set-up happen outside of it, which Django cannot tell apart.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_SOURCE = (Path(__file__).parent / "axe.min.js").read_text(encoding="utf-8")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium saknas: make test installerar paketet chromium")
        pytest.skip("Chromium saknas på den här maskinen")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A Playwright page bound to the live server, collecting CSP violations and page errors."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))

    def _on_console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.problems.append(text)

    def __getattr__(self, name):
        return getattr(self.page, name)

    def visit(self, path):
        return self.page.goto(self.base_url + path)

    def login(self, username, password):
        """Both log-in steps as a person does them: password, then (where the role requires
        it) a code typed on the second page."""
        self.visit("/logga-in/")
        self.page.get_by_label("Användarnamn").fill(username)
        self.page.get_by_label("Lösenord").fill(password)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_load_state()
        if "/tvastegs/" in self.page.url:
            from finsam.models import User
            from tests.conftest import second_factor_code

            code = second_factor_code(User.objects.get(username=username))
            if "/aktivera/" in self.page.url:  # enrolment page: the device now exists
                self.page.goto(self.page.url.replace("/aktivera/", "/"))
            self.page.get_by_role("textbox", name="Kod").fill(code)
            self.page.get_by_role("button", name="Verifiera").click()
            self.page.wait_for_load_state()

    def logout(self):
        self.page.get_by_role("button", name="Logga ut").click()
        self.page.wait_for_load_state()

    def assert_accessible(self):
        """Run axe (WCAG 2.1 A/AA) on the current page: zero violations."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        assert violations == [], f"axe på {self.page.url}:\n" + "\n".join(violations)
        assert self.problems == [], self.problems


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    wrapped = Page(context.new_page(), live_server.url)
    yield wrapped
    context.close()


@pytest.fixture
def demo_data(transactional_db):
    from django.core.management import call_command

    call_command("demo", utan_rapporter=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
