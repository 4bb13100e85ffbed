"""The staff workspace end to end in Chromium, next to a running patient page.

A patient's question is declined; staff sign in (a wrong password is refused first), see the
charts, map the declined question to the pair that answers it, and the patient page, never
restarted and with the patient's conversation still on screen, now answers it. The patient page
offers no way into the workspace. Skipped like the other browser tests when Chromium is missing,
unless REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from conftest import FAQ
from test_browser import ARTIFACTS, MESSAGES, AppServer, ask, wait_for_page

from chatbot.staffauth import hash_password

browser = test_browser.browser  # the shared Chromium fixture (skips, or fails under REQUIRE_BROWSER=1)
page = test_browser.page

PASSWORD = "correct horse battery"
DECLINED = "When can I sit at my desk again after percutaneous rhizotomy?"
RIGHT_PAIR = "percutaneous-rhizotomy/recovery"


@pytest.fixture(scope="module")
def setup(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, AppServer, Path]]:
    """A patient page and a staff workspace sharing one knowledge base (messages stored) and one database."""
    root = tmp_path_factory.mktemp("clinic")
    faq = root / "faq"
    shutil.copytree(FAQ, faq)
    clinic = faq / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("store_patient_messages: false", "store_patient_messages: true"))
    env = {"CHATBOT_FAQ_DIR": str(faq), "CHATBOT_DATA_DIR": str(root / "data"), "CHATBOT_DATABASE_URL": ""}
    staff_env = {**env, "CHATBOT_STAFF_USERS": f"alice={hash_password(PASSWORD)}"}
    with (
        AppServer(env=env, log=ARTIFACTS / "patient-server.log") as patient,
        AppServer(env=staff_env, script="staff.py", log=ARTIFACTS / "staff-server.log") as staff,
    ):
        yield patient, staff, faq


def sign_in(staff_page: Any, password: str) -> None:
    staff_page.get_by_label("Name").fill("alice")
    staff_page.get_by_label("Password", exact=True).fill(password)
    staff_page.get_by_role("button", name="Sign in").click()


def test_staff_map_a_declined_question_and_the_patient_page_answers_it_without_a_restart(
    setup: tuple[AppServer, AppServer, Path], page: Any, browser: Any
) -> None:
    patient, staff, faq = setup
    page.goto(patient.url)
    wait_for_page(page)
    before = ask(page, DECLINED)
    assert "Source:" not in before.inner_text(), "the shipped knowledge base declines this question"

    context = browser.new_context(viewport={"width": 1200, "height": 1400})
    staff_page = context.new_page()
    try:
        staff_page.goto(staff.url)
        sign_in(staff_page, "not the password")
        staff_page.get_by_text("Wrong name or password.").wait_for()
        assert staff_page.locator('[data-testid="stTab"]').count() == 0, "a wrong password shows nothing"

        sign_in(staff_page, PASSWORD)
        staff_page.get_by_role("tab", name="Insight").wait_for()
        chart = staff_page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for()
        chart.locator("canvas, svg").first.wait_for()
        staff_page.screenshot(path=str(ARTIFACTS / "staff-insight.png"), full_page=True)

        staff_page.get_by_role("tab", name="Improve").click()
        group = staff_page.locator('[class*="st-key-group-"]').filter(has_text=DECLINED).first
        group.wait_for()
        group.locator('[data-testid="stSelectbox"]').click()
        staff_page.keyboard.type(RIGHT_PAIR)
        staff_page.locator('[role="option"]').filter(has_text=RIGHT_PAIR).first.click()
        group.get_by_role("button", name="Add phrasing to this pair").click()
        # The rebuild keeps the stored examples' classifier (a new phrasing is not a new example): seconds.
        staff_page.get_by_text("made them live").wait_for(timeout=60_000)
        staff_page.screenshot(path=str(ARTIFACTS / "staff-fixed.png"), full_page=True)
        assert RIGHT_PAIR in (faq / "curated.yaml").read_text()
    finally:
        context.close()

    count = page.locator(MESSAGES).count()
    after = ask(page, DECLINED)
    assert "Source:" in after.inner_text(), "the same patient page answers it now, with no restart"
    assert page.locator(MESSAGES).count() == count + 2, "the patient's conversation was not ended"
    assert before.inner_text() in page.locator(MESSAGES).nth(2).inner_text()
    assert not page.errors, page.errors


def test_patient_page_offers_no_way_into_the_workspace(setup: tuple[AppServer, AppServer, Path], page: Any) -> None:
    patient, staff, _ = setup
    for url in (patient.url, patient.url + "?embed=true"):
        page.goto(url)
        wait_for_page(page)
        assert page.locator('[data-testid="stSidebarNav"], [data-testid="stSidebar"]').count() == 0
        hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert not [h for h in hrefs if "staff" in h.lower() or f":{staff.port}" in h], hrefs
        assert "staff" not in page.locator("body").inner_text().lower()
        assert "Sign in" not in page.locator("body").inner_text()
