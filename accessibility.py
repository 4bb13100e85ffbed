"""What the chat page adds so patients who use a screen reader, a magnifier, zoom or a keyboard can use it.

Streamlit draws the page, and some of what WCAG 2.1 AA asks for it cannot be told to do: its
chat has no live region, its captions are too faint, its focus ring is the theme colour at half
strength, and its layout gives little room to the conversation at 400% zoom. This module holds the
page's answers to that, kept out of ``app.py`` so the page stays a flat script:

* :func:`page_css`: contrast, a 3:1 focus indicator, a layout that reflows at 200–400% zoom and
  in a 200 px wide embed, and no motion for patients who asked their system for less of it;
* ``assets/accessibility.js`` (:func:`page_script`): the few things only script can do in a page
  whose markup Streamlit owns: the conversation becomes a polite live region, decorative icons are
  hidden from screen readers, focus goes back to the chat box after a button that disappears, and
  a new reply is scrolled to its start rather than its end;
* headings (:func:`page_heading`, :func:`message_heading`) so a screen-reader user can jump to
  the latest reply.

Everything here is built from app-controlled values only (the clinic's colour is checked to be a
hex colour, every text is HTML-escaped); nothing a patient types reaches it. The engine is not
imported: this is presentation, and the reply kinds are the engine's public ``Reply.kind`` values.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SCRIPT = ROOT / "assets" / "accessibility.js"
DEFAULT_COLOR = "#1f6f8b"
WHITE = "#ffffff"
TEXT_CONTRAST = 4.5
"""WCAG 1.4.3: normal-size text against its background."""
FOCUS_CONTRAST = 3.0
"""WCAG 1.4.11: a focus indicator against what is next to it."""
NEW_CONVERSATION_HELP_ID = "new-conversation-help"
"""The id of the hidden description of the "New conversation" button; the script links the two."""

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

REPLY_HEADINGS = {
    "answer": "Answer",
    "clarify": "Question: which one do you mean?",
    "emergency": "Urgent: get help now",
    "fallback": "Reply",
    "handoff": "How to reach the care team",
    "smalltalk": "Reply",
}
"""Heading of an assistant message by reply kind: what a screen-reader user hears when jumping by heading."""


# --------------------------------------------------------------------------------------------
# Colour contrast (WCAG 2.1 definitions).
# --------------------------------------------------------------------------------------------


def parse_hex(color: str) -> tuple[int, int, int]:
    """``#rgb`` or ``#rrggbb`` as 0–255 channels; anything else is a ``ValueError`` naming the value."""
    match = _HEX.fullmatch(color.strip())
    if not match:
        raise ValueError(f"not a #rgb or #rrggbb colour: {color!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _to_hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a hex colour (0 for black, 1 for white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in parse_hex(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two hex colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_color(color: str, *, background: str = WHITE, minimum: float = TEXT_CONTRAST) -> str:
    """``color`` if it reaches ``minimum`` contrast on ``background``, else the same hue darkened until it does.

    A clinic chooses its colour for its brand, not for contrast: a light brand colour still
    shows, only darker, in the clinic name and the focus ring. A value that is not a hex colour
    (it goes into CSS) falls back to the default colour.
    """
    try:
        red, green, blue = parse_hex(color)
    except ValueError:
        return DEFAULT_COLOR
    for step in range(101):
        keep = 1 - step / 100
        candidate = _to_hex((round(red * keep), round(green * keep), round(blue * keep)))
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return "#000000"


# --------------------------------------------------------------------------------------------
# Headings.
# --------------------------------------------------------------------------------------------


def page_heading(clinic: str, *, subtitle: str, contact_html: str) -> str:
    """The level-one heading (the clinic's assistant) and the contact line, as the header's HTML.

    ``contact_html`` is markup the caller built from escaped clinic settings; ``clinic`` and
    ``subtitle`` are escaped here. The words "patient questions assistant" are for screen readers:
    sighted patients see the clinic's name in the brand's place and the assistant below it.
    """
    return (
        f'<h1 class="brand-name">{html.escape(clinic)}'
        '<span class="sr-only"> patient questions assistant</span></h1>'
        f'<div class="brand-contact">{html.escape(subtitle)}{contact_html}</div>'
        f'<span id="{NEW_CONVERSATION_HELP_ID}" hidden>'
        "Starts over: clears this conversation from the screen.</span>"
    )


def message_heading(role: str, kind: str | None = None, *, welcome: bool = False) -> str:
    """A visually hidden level-two heading that opens one chat message, so each is reachable by heading."""
    if welcome:
        text = "Welcome and important notice"
    elif role == "user":
        text = "You asked"
    else:
        text = REPLY_HEADINGS.get(kind or "", "Reply")
    return f'<h2 class="sr-only message-heading">{html.escape(text)}</h2>'


# --------------------------------------------------------------------------------------------
# Style and script.
# --------------------------------------------------------------------------------------------


def page_css(color: str, *, embedded: bool) -> str:
    """The page's accessibility CSS, as a ``<style>`` block for ``st.html``.

    ``color`` is the clinic's colour; it is made readable first, so any clinic colour gives
    text at 4.5:1 and a focus ring at 3:1 or more on white.
    """
    brand = readable_color(color)
    css = f"""
    .sr-only {{
        position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
        overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
    }}
    /* Elements that only carry hidden headings or the script take no room in the layout. */
    [data-testid="stElementContainer"]:has(> .stHtml > .sr-only:only-child),
    [data-testid="stLayoutWrapper"]:has(> .st-key-accessibility-support) {{
        position: absolute !important; width: 1px; height: 1px; overflow: hidden; margin: 0;
    }}
    h1.brand-name {{
        color: {brand}; font-size: 2rem; font-weight: 700; line-height: 1.2; margin: 0; padding: 0;
        scroll-margin-top: 4rem;
    }}
    .brand-contact {{ color: inherit; opacity: 0.85; }}
    /* Streamlit's captions are its faded text colour (about 4.1:1 on white); the text colour
       at 85% reaches about 9:1, in the clinic theme and in Streamlit's own themes alike. */
    [data-testid="stCaptionContainer"] {{ color: inherit; opacity: 0.85; }}
    [data-testid="stChatMessage"] {{ scroll-margin-top: 4rem; }}

    /* Focus: a solid 3 px ring in the clinic colour (at least 3:1 on white), never Streamlit's
       half-transparent one, on every control including the chat box. */
    :is(a, button, summary, input, textarea, select, [role="button"], [role="radio"], [tabindex]):focus-visible {{
        outline: 3px solid {brand} !important; outline-offset: 2px !important; box-shadow: none !important;
    }}
    #stMain:focus-visible {{ outline-offset: -3px !important; }}
    [data-testid="stChatInput"] textarea:focus-visible {{ outline: none !important; }}
    [data-testid="stChatInput"]:focus-within > div {{
        outline: 3px solid {brand}; outline-offset: 2px;
    }}

    /* Large zoom (a short window): no empty header bar, and the chat box takes only what it needs. */
    @media (max-height: 520px) {{
        [data-testid="stHeader"], [data-testid="stDecoration"] {{ display: none !important; }}
        [data-testid="stMainBlockContainer"] {{ padding-top: 0.75rem !important; padding-bottom: 1rem !important; }}
        [data-testid="stBottomBlockContainer"] {{ padding: 0.25rem 0.5rem 0.35rem 0.5rem !important; }}
        [data-testid="stChatMessage"] {{ scroll-margin-top: 0.5rem; }}
        h1.brand-name {{ font-size: 1.25rem; scroll-margin-top: 0.5rem; }}
    }}

    /* Narrow (a phone, or the 400 px embed zoomed): stack the header, drop the avatars, keep the
       clinic's phone number and the whole placeholder on screen. */
    @media (max-width: 360px) {{
        .st-key-brand-header {{ flex-wrap: wrap !important; }}
        .st-key-brand-header > div {{ min-width: 0; }}
        .st-key-brand-header [data-testid="stElementContainer"]:has(.brand-name) {{ flex: 1 1 100% !important; }}
        [data-testid^="stChatMessageAvatar"] {{ display: none !important; }}
        [data-testid="stChatMessage"] {{ padding-left: 0 !important; padding-right: 0 !important; }}
        [data-testid="stMainBlockContainer"], [data-testid="stBottomBlockContainer"] {{
            padding-left: 0.5rem !important; padding-right: 0.5rem !important;
        }}
        [data-testid="stChatInput"] > div {{ padding-left: 0.25rem !important; padding-right: 0.25rem !important; }}
        [data-testid="stChatInputTextArea"] {{ padding-left: 0.25rem !important; padding-right: 0 !important; }}
        [data-testid="stChatInputTextArea"]::placeholder {{ letter-spacing: -0.01em; }}
        [data-testid="stChatInputSubmitButton"] {{ width: 1.75rem !important; min-width: 1.75rem !important; }}
        h1.brand-name {{ font-size: 1.15rem; }}
        .brand-contact {{ font-size: 0.85rem; }}
    }}

    /* The patient's system asks for less motion: no transitions, animations or smooth scrolling. */
    @media (prefers-reduced-motion: reduce) {{
        *, *::before, *::after {{
            animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
            transition-duration: 0.01ms !important; transition-delay: 0s !important; scroll-behavior: auto !important;
        }}
    }}
    """
    if embedded:
        css += """
        h1.brand-name { font-size: 1.15rem; }
        .brand-contact { font-size: 0.85rem; }
        """
    return f"<style>{css}</style>"


def page_script() -> str:
    """``assets/accessibility.js`` in a ``<script>`` element, for ``st.html(..., unsafe_allow_javascript=True)``.

    The file is the repository's own, unchanged at run time, and takes no input from the page's
    content; it installs itself once per browser tab however often the page reruns.
    """
    return f"<script>{SCRIPT.read_text(encoding='utf-8')}</script>"
