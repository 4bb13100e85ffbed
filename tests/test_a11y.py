"""Accessibility of the chat page (WCAG 2.1 AA), as a patient with assistive technology meets it.

axe-core (vendored from the npm package, ``tests/vendor/axe-core``) runs in Debian's Chromium on
every state a patient reaches: the welcome screen, an answer, a clarification, a decline, a
question under a safety net and an emergency, at 1100 px and in the 400 px portal embed, in the
clinic's theme and in Streamlit's own light theme. axe cannot hear a screen reader or see zoom,
so the rest checks what it misses: the level-one heading, the live region around the replies,
where focus goes after a button that disappears, the focus ring's contrast, reflow at 320 px,
200% and 400% zoom, and reduced motion.

The server and browser helpers are ``tests/test_browser.py``'s; like those tests these are
skipped without Chromium unless REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import (
    AMBIGUOUS,
    ARTIFACTS,
    COVERED,
    INPUT,
    MESSAGES,
    RED_FLAG,
    AppServer,
    ask,
    browser,
    rate_up,
    wait_for_page,
    wait_for_reply,
)

from accessibility import (
    DEFAULT_COLOR,
    REPLY_HEADINGS,
    contrast_ratio,
    message_heading,
    page_css,
    page_heading,
    parse_hex,
    readable_color,
)

__all__ = ["browser"]  # the fixture, imported for its use here

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"critical", "serious"}
UNCOVERED = "How much does it cost?"
LOG = '[role="log"][aria-live="polite"]'
NOTICE = '[data-testid="stChatMessage"] [data-testid="stAlertContainer"]'
STOCK_LIGHT_THEME = {
    "STREAMLIT_THEME_PRIMARY_COLOR": "#ff4b4b",
    "STREAMLIT_THEME_BACKGROUND_COLOR": "#ffffff",
    "STREAMLIT_THEME_SECONDARY_BACKGROUND_COLOR": "#f0f2f6",
    "STREAMLIT_THEME_TEXT_COLOR": "#31333f",
    "STREAMLIT_THEME_LINK_COLOR": "#0068c9",
    "STREAMLIT_THEME_BORDER_COLOR": "#d5dae5",
}
"""Streamlit's own light-theme colours, over .streamlit/config.toml's clinic colours."""
THEME_TEXT = {"clinic": "rgb(27, 42, 51)", "stock-light": "rgb(49, 51, 63)"}

# --- without a browser: the colour and heading rules -----------------------------------------------


@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        ("#767f85", "#ffffff", 4.08),  # Streamlit's caption grey: the failure the issue found
        ("#1f6f8b", "#ffffff", 5.67),  # the shipped clinic colour
        ("#000000", "#ffffff", 21.0),
        ("#fff", "#ffffff", 1.0),
    ],
)
def test_contrast_ratio_follows_wcag(foreground: str, background: str, expected: float) -> None:
    assert contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("clinic_color", "changed"),
    [
        ("#1f6f8b", False),  # 5.6:1 already: kept as it is
        ("#767676", False),  # 4.54:1, just over 4.5: kept
        ("#777777", True),  # 4.48:1, just under: darkened
        ("#4fc3f7", True),  # a light sky blue: darkened until readable
        ("#ffff00", True),  # yellow on white, 1.07:1
    ],
)
def test_clinic_colour_is_darkened_only_when_below_4_5_to_1(clinic_color: str, changed: bool) -> None:
    readable = readable_color(clinic_color)
    assert contrast_ratio(readable, "#ffffff") >= 4.5
    assert (readable != clinic_color) is changed
    if changed:  # the same hue, darker: every channel scaled down by the same factor
        pairs = zip(parse_hex(readable), parse_hex(clinic_color), strict=True)
        ratios = {round(new / old, 1) for new, old in pairs if old > 40}
        assert len(ratios) == 1 and ratios.pop() <= 1
        assert sum(parse_hex(readable)) < sum(parse_hex(clinic_color))


@pytest.mark.parametrize("bad", ["red", "#12", "#1f6f8b;} body{display:none", "", "url(x)"])
def test_a_colour_that_is_not_hex_falls_back_to_the_default(bad: str) -> None:
    assert readable_color(bad) == DEFAULT_COLOR
    with pytest.raises(ValueError, match="not a #rgb or #rrggbb colour"):
        parse_hex(bad)


def test_page_css_uses_the_readable_colour_for_text_and_focus() -> None:
    css = page_css("#4fc3f7", embedded=False)
    assert "#4fc3f7" not in css
    assert css.count(readable_color("#4fc3f7")) >= 3  # the heading, the focus ring, the chat box ring
    assert "prefers-reduced-motion: reduce" in css


def test_headings_escape_the_clinic_name_and_name_each_reply_kind() -> None:
    header = page_heading("Smith & <Jones>", subtitle="a < b", contact_html='<a href="tel:1">1</a>')
    assert header.startswith('<h1 class="brand-name">Smith &amp; &lt;Jones&gt;')
    assert "a &lt; b" in header and '<a href="tel:1">1</a>' in header
    assert message_heading("user") == '<h2 class="sr-only message-heading">You asked</h2>'
    assert "Welcome" in message_heading("assistant", welcome=True)
    for kind, text in REPLY_HEADINGS.items():
        assert f">{text}</h2>" in message_heading("assistant", kind)
    assert ">Reply</h2>" in message_heading("assistant", "a kind added later")


# --- in Chromium -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The shared Chromium of ``test_browser.py``, under the name these tests use."""
    return browser


@pytest.fixture(scope="module")
def app(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    feedback = tmp_path_factory.mktemp("a11y-feedback") / "feedback.jsonl"
    with AppServer(env={"CHATBOT_FEEDBACK_FILE": str(feedback)}, log=ARTIFACTS / "a11y-server.log") as server:
        yield server


@contextlib.contextmanager
def open_page(chromium: Any, url: str, *, width: int, height: int, zoom: float = 1, **options: Any) -> Iterator[Any]:
    """A fresh session on ``url``; ``zoom`` as a browser zoom does it: fewer CSS pixels, each drawn larger."""
    context = chromium.new_context(
        viewport={"width": round(width / zoom), "height": round(height / zoom)}, device_scale_factor=zoom, **options
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url)
        wait_for_page(page)
        yield page
        assert not errors, errors
    finally:
        context.close()


def blocking_violations(page: Any) -> list[str]:
    """axe-core's critical and serious violations on the page as it is now, one readable line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {node['target']}: {node['failureSummary']}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


def test_vendored_axe_is_the_4_14_npm_build() -> None:
    header = AXE.read_text(encoding="utf-8")[:200]
    assert re.match(r"/\*! axe v4\.14\.\d+", header), header
    assert (AXE.parent / "LICENSE").is_file()


@pytest.fixture(scope="module")
def stock_light_app(chromium: Any) -> Iterator[AppServer]:
    """The page in Streamlit's stock light colours instead of the clinic's (what a clinic gets with no [theme])."""
    env = {**STOCK_LIGHT_THEME, "CHATBOT_FEEDBACK_FILE": "off"}
    with AppServer(env=env, log=ARTIFACTS / "a11y-light.log", serve=False) as server:
        yield server


@pytest.mark.parametrize(
    ("theme", "query", "width"),
    [
        ("clinic", "", 1100),
        ("clinic", "?embed=true", 400),
        ("stock-light", "", 1100),
        ("stock-light", "?embed=true", 400),
    ],
)
def test_no_serious_axe_violation_in_any_state(
    chromium: Any, request: pytest.FixtureRequest, theme: str, query: str, width: int
) -> None:
    app = request.getfixturevalue("app" if theme == "clinic" else "stock_light_app")
    with open_page(chromium, app.url + query, width=width, height=900) as page:
        text_color = page.locator("h1").evaluate("h => getComputedStyle(h.closest('.stApp')).color")
        assert text_color == THEME_TEXT[theme]  # the theme really applied
        found = {"welcome": blocking_violations(page)}
        ask(page, AMBIGUOUS)  # no procedure yet: answered first, the other procedures offered as option buttons
        assert page.locator(MESSAGES).last.locator('[class*="st-key-option-"] button').count() >= 1
        found["clarification"] = blocking_violations(page)
        ask(page, COVERED)
        assert page.locator(MESSAGES).last.get_by_text("Source:").count() == 1
        found["answer"] = blocking_violations(page)
        ask(page, UNCOVERED)
        assert page.locator(MESSAGES).last.get_by_role("heading", name="Reply").count() == 1
        found["decline"] = blocking_violations(page)
        ask(page, "is it normal for the wound to have pus in it")  # a question under a safety net
        assert page.locator(MESSAGES).last.locator('[class*="st-key-safety-net-numbers-"] a').count() >= 1
        found["safety net"] = blocking_violations(page)
        ask(page, RED_FLAG)
        assert page.locator(MESSAGES).last.get_by_role("alert").count() == 1
        found["emergency"] = blocking_violations(page)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{theme}-{width}.png"), full_page=True)
    assert found == {state: [] for state in found}


def test_heading_live_region_and_hidden_icons(chromium: Any, app: AppServer, bot: Any) -> None:
    with open_page(chromium, app.url, width=1100, height=900) as page:
        headings = page.get_by_role("heading", level=1)
        assert headings.count() == 1
        assert headings.inner_text().startswith(bot.settings.name)
        assert headings.evaluate("h => h.textContent").endswith("assistant")

        reply = ask(page, COVERED)
        assert reply.evaluate(f"m => !!m.closest('{LOG}')"), "the latest answer is not inside a polite live region"
        assert page.locator(LOG).count() == 1
        assert reply.get_by_role("heading", level=2).inner_text() == REPLY_HEADINGS["answer"]
        assert page.locator(MESSAGES).nth(1).get_by_role("heading", level=2).inner_text() == "You asked"

        emergency = ask(page, RED_FLAG)
        assert emergency.evaluate(f"m => !!m.closest('{LOG}')")
        alert = emergency.get_by_role("alert")  # assertive: read before anything else
        assert bot.settings.urgent_phone in alert.inner_text()
        assert emergency.get_by_role("heading", level=2).inner_text() == REPLY_HEADINGS["emergency"]
        # every message opens with a heading, so "next heading" walks the conversation
        assert page.locator(f"{MESSAGES} h2").count() == page.locator(MESSAGES).count() == 5

        # icons are decorative: nothing reads "call icon" or "description icon"
        assert page.get_by_role("img", name=re.compile("icon")).count() == 0
        assert emergency.get_by_role("link", name=bot.settings.urgent_phone).count() == 1
        button = page.get_by_role("button", name="New conversation")
        assert "clears this conversation" in button.evaluate(
            "b => document.getElementById(b.getAttribute('aria-describedby')).textContent"
        )


def _focused_is_input(page: Any) -> bool:
    return bool(page.evaluate(f"() => document.activeElement === document.querySelector('{INPUT}')"))


def _wait_for_input_focus(page: Any) -> None:
    # A wait, not a speed check: on a busy 2-core CI machine the page's script run can take seconds.
    page.wait_for_function(f"() => document.activeElement === document.querySelector('{INPUT}')", timeout=15000)


def test_focus_returns_to_the_chat_box_after_a_suggestion_a_choice_and_a_rating(chromium: Any, app: AppServer) -> None:
    with open_page(chromium, app.url, width=1100, height=900) as page:
        clarify = ask(page, AMBIGUOUS)  # the first question: the other procedures are offered as options
        page.locator("h1").click()  # focus leaves the chat box, as after reading with a mouse
        assert not _focused_is_input(page)
        count = page.locator(MESSAGES).count()
        clarify.locator('[class*="st-key-option-"] button').first.click()
        answer = wait_for_reply(page, count)
        _wait_for_input_focus(page)
        assert answer.evaluate(f"m => !!m.closest('{LOG}')")  # announced: it is added to the live region

        suggestion = answer.locator('[class*="st-key-suggest-"] button').first
        suggestion.focus()
        assert not _focused_is_input(page)
        count = page.locator(MESSAGES).count()
        page.keyboard.press("Enter")  # a keyboard user presses the suggestion
        answer = wait_for_reply(page, count)
        _wait_for_input_focus(page)

        page.locator("h1").click()
        rate_up(answer)
        _wait_for_input_focus(page)
        assert page.get_by_text("Thank you for your feedback").evaluate(f"m => !!m.closest('{LOG}')")


def _rgb_hex(css_color: str) -> str:
    red, green, blue = (int(float(part)) for part in re.findall(r"[\d.]+", css_color)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_keyboard_focus_is_a_solid_ring_of_at_least_3_to_1(chromium: Any, app: AppServer) -> None:
    with open_page(chromium, app.url, width=1100, height=900) as page:
        seen: dict[str, tuple[str, float]] = {}
        for _ in range(14):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                    const e = document.activeElement;
                    const ring = e.matches('textarea') ? e.closest('[data-testid="stChatInput"]').firstElementChild : e;
                    const s = getComputedStyle(ring);
                    return {fv: e.matches(":focus-visible"),
                            name: (e.innerText || e.getAttribute('aria-label') || e.tagName).trim().slice(0, 40),
                            style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor};
                }"""
            )
            if not focused["fv"]:  # focused by the page's own script, not by the Tab key
                continue
            assert focused["style"] == "solid" and focused["width"] >= 2, focused
            seen[focused["name"]] = (focused["color"], contrast_ratio(_rgb_hex(focused["color"]), "#ffffff"))
        assert any("New conversation" in name for name in seen) and "Type your question…" in seen, seen
        assert all(ratio >= 3 for _, ratio in seen.values()), seen


def _horizontal_overflow(page: Any) -> int:
    return int(
        page.evaluate(
            """() => Math.max(...[document.documentElement, document.body, document.getElementById('stMain')]
                .map(e => e.scrollWidth - e.clientWidth))"""
        )
    )


def _visible_in_chat(page: Any, selector: str) -> bool:
    """Whether the element is wholly on screen inside the scrolled chat (not under the chat box)."""
    return bool(
        page.evaluate(
            """s => { const e = document.querySelector(s); const m = document.getElementById('stMain');
                if (!e) return false; const r = e.getBoundingClientRect(), v = m.getBoundingClientRect();
                const bottom = document.querySelector('[data-testid="stBottom"]').getBoundingClientRect().top;
                return r.top >= v.top - 1 && r.bottom <= Math.min(v.bottom, bottom) + 1 && r.width > 0; }""",
            selector,
        )
    )


@pytest.mark.parametrize(("query", "width"), [("", 320), ("?embed=true", 320), ("?embed=true", 200)])
def test_nothing_scrolls_sideways_when_narrow(chromium: Any, app: AppServer, query: str, width: int) -> None:
    with open_page(chromium, app.url + query, width=width, height=640) as page:
        assert _horizontal_overflow(page) <= 0
        ask(page, COVERED)
        ask(page, RED_FLAG)
        assert _horizontal_overflow(page) <= 0


def _settles_visible(page: Any, selector: str) -> bool:
    """Whether ``selector`` ends up on screen and stays there for a second (within 10 s of opening).

    Streamlit's scroll-to-bottom and the page's script may both move the chat for a moment
    while the page settles; what counts is where it rests.
    """
    streak = 0
    for _ in range(40):
        streak = streak + 1 if _visible_in_chat(page, selector) else 0
        if streak > 4:
            return True
        page.wait_for_timeout(250)
    return False


def test_200_percent_zoom_opens_on_the_notice(chromium: Any, app: AppServer, bot: Any) -> None:
    with open_page(chromium, app.url, width=1100, height=900, zoom=2) as page:
        assert _settles_visible(page, NOTICE), "the 'not medical advice / call 911' notice is scrolled away"
        assert bot.notice in page.locator(NOTICE).first.inner_text()
        assert _visible_in_chat(page, "h1")
        page.screenshot(path=str(ARTIFACTS / "a11y-zoom-200.png"))
        assert page.locator(INPUT).is_visible()


def test_400_percent_zoom_leaves_most_of_the_screen_to_the_conversation(chromium: Any, app: AppServer) -> None:
    with open_page(chromium, app.url, width=1100, height=900, zoom=4) as page:
        ask(page, COVERED)
        page.wait_for_timeout(1500)
        share = page.evaluate(
            "() => document.querySelector('[data-testid=\"stBottom\"]').getBoundingClientRect().top / innerHeight"
        )
        assert share >= 0.6, f"only {share:.0%} of the window shows the conversation"
        # the new exchange is shown from its start: the patient's question comes to rest on screen
        # (on a busy machine the page's scroll may land after Streamlit's own, so wait for it to settle)
        question_on_top = "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; }"
        streak = 0
        for _ in range(40):
            streak = streak + 1 if page.locator(MESSAGES).nth(1).evaluate(question_on_top) else 0
            if streak > 4:
                break
            page.wait_for_timeout(250)
        assert streak > 4, "the new exchange's question does not come to rest on screen"
        page.screenshot(path=str(ARTIFACTS / "a11y-zoom-400.png"))


def test_embed_at_200_percent_keeps_name_phone_notice_and_input(chromium: Any, app: AppServer, bot: Any) -> None:
    with open_page(chromium, app.url + "?embed=true", width=400, height=640, zoom=2) as page:
        phone = f'a[href="tel:{"".join(c for c in bot.settings.phone if c.isdigit())}"]'
        assert _settles_visible(page, phone), "the clinic's phone number is not on screen"
        name = page.locator("h1").bounding_box()
        assert name is not None and name["width"] >= 150, name  # not squeezed into a narrow column
        assert page.locator(INPUT).is_visible()
        assert page.locator(INPUT).evaluate(
            """t => { const s = getComputedStyle(t), c = document.createElement('canvas').getContext('2d');
                c.font = `${s.fontSize} ${s.fontFamily}`;
                const room = t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
                return c.measureText(t.placeholder).width <= room; }"""
        ), "the placeholder is cut"
        page.screenshot(path=str(ARTIFACTS / "a11y-embed-200.png"))
        ask(page, COVERED)
        assert _horizontal_overflow(page) <= 0


def _longest_motion_ms(page: Any) -> float:
    return float(
        page.evaluate(
            """() => Math.max(0, ...[...document.querySelectorAll('*')].flatMap(e => {
                const s = getComputedStyle(e);
                return [...s.transitionDuration.split(','), ...s.animationDuration.split(',')]
                    .map(d => parseFloat(d) * (d.trim().endsWith('ms') ? 1 : 1000));
            }))"""
        )
    )


def test_reduced_motion_is_respected(chromium: Any, app: AppServer) -> None:
    with open_page(chromium, app.url, width=1100, height=900) as page:
        assert _longest_motion_ms(page) >= 100  # Streamlit animates by default...
    with open_page(chromium, app.url, width=1100, height=900, reduced_motion="reduce") as page:
        ask(page, COVERED)
        assert _longest_motion_ms(page) <= 0.01  # ...and not at all for a patient who asked for less motion
