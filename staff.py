"""The staff workspace: ``streamlit run staff.py --server.port 8502``.

A separate Streamlit app, on its own port (or path behind the proxy), so nothing on the patient
page or its embed leads here: Streamlit's multipage navigation would list a page of ``app.py``
to every patient. Sign-in is required; passwords are checked against scrypt hashes kept in
Streamlit secrets or the environment (``chatbot/staffauth.py``), and wrong ones are slowed down.

Four tabs:

* **Insight**: questions per day; the share answered, declined, clarified, emergency; thumbs up
  and down; the most-used pairs and the pairs never used.
* **Improve**: declined and thumbs-down questions grouped by similarity, each with the pair the
  bot would have picked below its threshold. One click adds the question as a phrasing of a pair
  (``curated.yaml``), rebuilds, and makes it live; or marks it "not covered, right to decline".
* **Test pane**: ask as a patient and see the reply, its confidence, the threshold, the best
  candidate and the reason for the decision.
* **Knowledge base**: rebuild from the documents and make it live, without a restart.

Patient text is shown with ``st.text`` or escaped, never rendered as Markdown.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from chatbot import Chatbot
from chatbot.fixes import FixError, add_phrasing, explain, propose, rebuild_live
from chatbot.insight import (
    daily_questions,
    daily_ratings,
    group_questions,
    outcome_shares,
    pair_usage,
    questions_to_review,
)
from chatbot.paths import KnowledgeBasePaths
from chatbot.serving import current_bot
from chatbot.staffauth import Throttle, read_users, verify_password
from chatbot.storage import DATABASE_URL_ENV, StorageError, TurnStore, default_data_dir, utc_now

KNOWLEDGE_BASE_ENV = "CHATBOT_FAQ_DIR"
OUTCOME_LABELS = {
    "answer": "answered",
    "fallback": "declined",
    "clarify": "clarified",
    "emergency": "emergency",
    "smalltalk": "small talk",
    "handoff": "asked for a person",
}
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")

log = logging.getLogger("chatbot.staff")


def esc(text: str) -> str:
    """Any text as Markdown that shows exactly these characters (patient words included)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def faq_dir() -> str | None:
    return os.environ.get(KNOWLEDGE_BASE_ENV, "").strip() or None


def kb_paths() -> KnowledgeBasePaths:
    return KnowledgeBasePaths.at(faq_dir())


# --- process-wide resources ---------------------------------------------------------------------


@st.cache_resource
def throttle() -> Throttle:
    """One slow-down for the whole workspace process: a new browser tab does not reset it."""
    return Throttle()


@st.cache_resource(show_spinner=False)
def _store(url: str | None, data_dir: str, retention_days: int) -> TurnStore:
    return TurnStore.open(url, data_dir=data_dir, retention_days=retention_days)


def store(bot: Chatbot) -> TurnStore:
    """The same database the patient page writes to (same environment variables)."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip() or None
    return _store(url, str(default_data_dir()), bot.settings.retention_days)


@st.cache_resource(show_spinner=False, max_entries=4)
def _low_bot(faq: str | None, stamp: str) -> Chatbot | None:
    """The same knowledge base with no threshold: the pair the bot would have picked. None if unsupported."""
    try:
        return Chatbot.load(faq, threshold=0.0)
    except TypeError:
        return None


def low_bot() -> Chatbot | None:
    pairs = kb_paths().pairs
    stamp = hashlib.sha256(pairs.read_bytes()).hexdigest() if pairs.exists() else ""
    return _low_bot(faq_dir(), stamp)


def staff_users() -> dict[str, str]:
    try:
        from_secrets = dict(st.secrets.get("staff_users", {}))
    except Exception:  # no secrets.toml, or no [staff_users] in it: the environment may still have users
        from_secrets = {}
    return read_users(from_secrets)


# --- sign-in ----------------------------------------------------------------------------------


def _on_sign_in() -> None:
    name = str(st.session_state.get("sign-in-name") or "").strip().lower()
    password = str(st.session_state.get("sign-in-password") or "")
    st.session_state["sign-in-password"] = ""
    gate = throttle()
    wait = gate.wait(name)
    if wait > 0:
        st.session_state.sign_in_error = f"Too many wrong passwords. Try again in {wait:.0f} seconds."
        return
    hashed = staff_users().get(name)
    if hashed is not None and verify_password(password, hashed):
        gate.succeeded(name)
        st.session_state.staff_user = name
        st.session_state.sign_in_error = ""
        log.info("staff sign-in: %s", name)
        return
    gate.failed(name)
    log.warning("staff sign-in refused for %r", name)
    st.session_state.sign_in_error = "Wrong name or password."


def sign_in_page() -> None:
    st.title("Staff workspace")
    if not staff_users():
        st.error(
            "No staff accounts are set up. Add hashes (`python -m chatbot.staffauth`) to `[staff_users]` in "
            "`.streamlit/secrets.toml` or to the `CHATBOT_STAFF_USERS` environment variable."
        )
        st.stop()
    with st.form("sign-in"):
        st.text_input("Name", key="sign-in-name", autocomplete="username")
        st.text_input("Password", type="password", key="sign-in-password", autocomplete="current-password")
        st.form_submit_button("Sign in", on_click=_on_sign_in, type="primary")
    if st.session_state.get("sign_in_error"):
        st.error(st.session_state.sign_in_error)


# --- tabs ---------------------------------------------------------------------------------------


def insight_tab(rows: list[dict], bot: Chatbot, since: date) -> None:
    if not rows:
        st.info("No conversations recorded in this period yet.")
        return
    days = [d.date() for d in pd.date_range(since, utc_now().date(), freq="D")]
    labels = [d.isoformat() for d in days]
    st.subheader("Questions per day")
    per_day = daily_questions(rows)
    st.bar_chart(pd.DataFrame({"day": labels, "questions": [per_day.get(d, 0) for d in days]}), x="day", y="questions")

    st.subheader("Outcomes")
    shares = outcome_shares(rows)
    columns = st.columns(4)
    for column, kind in zip(columns, ("answer", "fallback", "clarify", "emergency"), strict=True):
        column.metric(OUTCOME_LABELS[kind].capitalize(), f"{shares[kind]:.0%}")
    frame = pd.DataFrame({"outcome": [OUTCOME_LABELS[k] for k in shares], "share": list(shares.values())})
    st.bar_chart(frame, x="outcome", y="share", horizontal=True)

    st.subheader("Thumbs up and down")
    ratings = daily_ratings(rows)
    ups, downs = sum(u for u, _ in ratings.values()), sum(d for _, d in ratings.values())
    left, right = st.columns(2)
    left.metric("Thumbs up", ups)
    right.metric("Thumbs down", downs)
    if ratings:
        st.bar_chart(
            pd.DataFrame(
                {
                    "day": labels,
                    "up": [ratings.get(d, (0, 0))[0] for d in days],
                    "down": [ratings.get(d, (0, 0))[1] for d in days],
                }
            ),
            x="day",
            y=["up", "down"],
            color=["#2e7d32", "#c62828"],
        )

    used, never = pair_usage(rows, (p.id for p in bot.pairs))
    st.subheader("Most-used pairs")
    questions = {p.id: p.question for p in bot.pairs}
    top = [
        {"pair": pid, "question": questions.get(pid, "(no longer in the knowledge base)"), "answers": n}
        for pid, n in used[:15]
    ]
    st.dataframe(pd.DataFrame(top), hide_index=True)
    with st.expander(f"Pairs never used in this period ({len(never)})"):
        st.dataframe(pd.DataFrame([{"pair": pid, "question": questions[pid]} for pid in never]), hide_index=True)


def _pair_label(bot: Chatbot, pair_id: str) -> str:
    pair = bot.pair(pair_id)
    return f"{pair.question}  ·  {pair_id}" if pair else pair_id


def _apply_fix(members: tuple[str, ...], pair_id: str, phrasing: str) -> None:
    """Add the phrasing, rebuild, go live; record the decision for every wording in the group."""
    paths = kb_paths()
    before = paths.curated.read_text(encoding="utf-8") if paths.curated.exists() else ""
    try:
        add_phrasing(paths, pair_id, phrasing)
        result, _ = rebuild_live(paths, restore_curated=before)
    except FixError as error:
        st.session_state.fix_message = ("error", str(error))
        return
    user = st.session_state.staff_user
    for member in members:
        store(current_bot(faq_dir())).decide(member, "mapped", staff=user, pair_id=pair_id)
    st.session_state.fix_message = (
        "success",
        f"Added “{phrasing}” to {pair_id}; rebuilt {result.pairs} pairs and made them live.",
    )


def _decline(members: tuple[str, ...]) -> None:
    for member in members:
        store(current_bot(faq_dir())).decide(member, "decline-ok", staff=st.session_state.staff_user)
    st.session_state.fix_message = ("success", "Marked as not covered: the bot is right to decline it.")


def _reject_proposal(question: str, pair_id: str) -> None:
    store(current_bot(faq_dir())).decide(
        question, "proposal-rejected", staff=st.session_state.staff_user, pair_id=pair_id
    )


def improve_tab(rows: list[dict], bot: Chatbot, reviews: list[dict]) -> None:
    if not bot.settings.store_patient_messages and not any(r.get("message") for r in rows):
        st.info(
            "Patients' questions are not stored, so there is nothing to review. A clinic that wants this turns "
            "on `store_patient_messages` in clinic.yaml (messages are scrubbed and deleted after "
            f"{bot.settings.retention_days} days)."
        )
        return
    message = st.session_state.pop("fix_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    done = [r["question"] for r in reviews if r["decision"] in ("mapped", "decline-ok")]
    rejected = {(r["question"], r["pair_id"]) for r in reviews if r["decision"] == "proposal-rejected"}
    groups = group_questions(questions_to_review(rows, done))
    st.caption(
        f"{len(groups)} open groups of declined or thumbs-down questions. Pick the pair that answers a group "
        "and its question becomes a phrasing of that pair; or mark it as rightly declined."
    )
    pair_ids = [p.id for p in bot.pairs]
    low = low_bot()
    for group in groups[:30]:
        key = hashlib.sha256(group.question.encode()).hexdigest()[:12]
        with st.container(border=True, key=f"group-{key}"):
            st.markdown(f"**{group.count}×** {esc(group.question)}")
            if len(group.members) > 1:
                st.caption("Also asked as: " + esc(" · ".join(group.members[1:6])))
            proposal = propose(low, group.question) if low is not None else None
            if proposal is not None and (group.question, proposal.pair_id) in rejected:
                proposal = None
            if proposal is not None:
                st.markdown(
                    f"Proposed: **{esc(proposal.matched_question or '')}** ({esc(proposal.pair_id or '')}, "
                    f"score {proposal.confidence:.2f})"
                )
                accept, reject = st.columns(2)
                accept.button(
                    "Accept proposal",
                    key=f"accept-{key}",
                    on_click=_apply_fix,
                    args=(group.members, proposal.pair_id, group.question),
                    icon=":material/check:",
                )
                reject.button(
                    "Reject proposal",
                    key=f"reject-{key}",
                    on_click=_reject_proposal,
                    args=(group.question, proposal.pair_id),
                    icon=":material/close:",
                )
            default = pair_ids.index(proposal.pair_id) if proposal and proposal.pair_id in pair_ids else None
            chosen = st.selectbox(
                "Pair that answers it (type to search)",
                pair_ids,
                index=default,
                format_func=lambda pid: _pair_label(bot, pid),
                key=f"pair-{key}",
                placeholder="Search the pairs…",
            )
            phrasing = st.text_input("Phrasing to add", value=group.question, key=f"phrasing-{key}")
            add, decline = st.columns(2)
            add.button(
                "Add phrasing to this pair",
                key=f"add-{key}",
                type="primary",
                disabled=chosen is None,
                on_click=_apply_fix,
                args=(group.members, chosen, phrasing),
            )
            decline.button(
                "Not covered, right to decline", key=f"decline-{key}", on_click=_decline, args=(group.members,)
            )


def draw_test_pane(bot: Chatbot) -> None:
    question = st.text_input("Ask as a patient", key="test-question", placeholder="How long does the relief last?")
    if not question.strip():
        return
    decision = explain(bot, low_bot(), question)
    reply = decision.reply
    left, middle, right = st.columns(3)
    left.metric("Reply", OUTCOME_LABELS.get(reply.kind, reply.kind))
    middle.metric("Confidence", f"{reply.confidence:.2f}")
    right.metric("Threshold", f"{decision.threshold:.2f}" if decision.threshold is not None else "n/a")
    st.markdown(f"**Why:** {esc(decision.reason)}")
    if reply.matched_question:
        st.markdown(f"**Matched question:** {esc(reply.matched_question)} ({esc(reply.pair_id or '')})")
    if decision.candidate is not None and decision.candidate.pair_id != reply.pair_id:
        st.markdown(
            f"**Best candidate below the threshold:** {esc(decision.candidate.matched_question or '')} "
            f"({esc(decision.candidate.pair_id or '')}, score {decision.candidate.confidence:.2f})"
        )
    if decision.candidates:
        st.markdown("**Candidates the model weighed** (probability that each answers the question):")
        st.dataframe(
            [
                {"pair": pair_id, "question": text, "probability": round(p, 3)}
                for pair_id, text, p in decision.candidates
            ],
            hide_index=True,
        )
    if reply.suggestions:
        st.markdown("**Suggestions:** " + esc(" · ".join(reply.suggestions)))
    st.caption("What the patient sees:")
    st.text(reply.text)


def knowledge_base_tab(bot: Chatbot) -> None:
    paths = kb_paths()
    st.write(f"{len(bot.pairs)} pairs live from `{esc(str(paths.root))}`.")
    if st.button("Rebuild from the documents and go live", key="rebuild", type="primary"):
        try:
            result, live = rebuild_live(paths)
        except FixError as error:
            st.error(str(error))
        else:
            st.success(f"Rebuilt: {result.pairs} pairs from {result.documents} documents; live now.")
            st.caption(f"{len(live.pairs)} pairs are live. Open conversations carry on with the new knowledge base.")


# --- the page -------------------------------------------------------------------------------------

st.set_page_config(page_title="Staff workspace", page_icon=str(Path(__file__).parent / "assets" / "favicon.png"))

if not st.session_state.get("staff_user"):
    sign_in_page()
    st.stop()

try:
    live_bot = current_bot(faq_dir())
except Exception as load_error:  # the workspace must say why, not show a traceback
    st.error(f"The knowledge base does not load: {load_error}")
    st.stop()

header, sign_out = st.columns([4, 1], vertical_alignment="center")
header.title("Staff workspace")
if sign_out.button("Sign out", key="sign-out"):
    st.session_state.staff_user = ""
    st.rerun()
st.caption(f"Signed in as {esc(st.session_state.staff_user)} · {esc(live_bot.settings.name)}")

days = st.segmented_control("Period", [7, 30, 90, 365], default=30, format_func=lambda d: f"{d} days", key="period")
since = utc_now() - timedelta(days=days or 30)
try:
    turn_store = store(live_bot)
    turn_store.check()
    turn_rows = turn_store.turns(since=since)
    review_rows = turn_store.reviews()
except StorageError as storage_error:
    log.error("%s", storage_error)
    st.error(f"Storage is failing, turns and ratings are not being recorded: {storage_error}")
    turn_rows, review_rows = [], []

insight, improve, test, kb = st.tabs(["Insight", "Improve", "Test pane", "Knowledge base"])
with insight:
    insight_tab(turn_rows, live_bot, since.date())
with improve:
    improve_tab(turn_rows, live_bot, review_rows)
with test:
    draw_test_pane(live_bot)
with kb:
    knowledge_base_tab(live_bot)
