"""The staff workspace's parts: sign-in and its slow-down, insight figures, grouping, one-click fixes,
the test pane, and ``staff.py`` itself through AppTest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from chatbot import Chatbot, KnowledgeBaseError
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
from chatbot.serving import current_bot, reload_bot
from chatbot.staffauth import Throttle, hash_password, read_users, verify_password
from chatbot.storage import TurnStore

PASSWORD = "correct horse battery"
DECLINED = "When can I sit at my desk again after percutaneous rhizotomy?"
RIGHT_PAIR = "percutaneous-rhizotomy/recovery"

# --- sign-in ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hashed() -> str:
    return hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        (PASSWORD, True),
        ("correct horse batter", False),
        ("", False),
        (PASSWORD.upper(), False),
        (PASSWORD + " ", False),
    ],
)
def test_password_check(hashed: str, password: str, ok: bool) -> None:
    assert verify_password(password, hashed) is ok


@pytest.mark.parametrize(
    "bad", ["", "plain-text-password", "scrypt$x$8$1$AAAA$BBBB", "bcrypt$1$2$3$4$5", "scrypt$$$$$"]
)
def test_malformed_hashes_never_match(bad: str) -> None:
    assert not verify_password(PASSWORD, bad)


def test_hashes_are_salted(hashed: str) -> None:
    again = hash_password(PASSWORD)
    assert again != hashed and again.startswith("scrypt$16384$8$1$") and PASSWORD not in again


def test_users_come_from_secrets_and_the_environment(hashed: str) -> None:
    users = read_users({"Alice": hashed}, {"CHATBOT_STAFF_USERS": f"bob={hashed}  carol={hashed}"})
    assert set(users) == {"alice", "bob", "carol"}
    assert read_users(None, {}) == {}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passwords_are_slowed_down_per_name() -> None:
    clock = FakeClock()
    gate = Throttle(clock=clock)
    gate.failed("alice")
    gate.failed("alice")
    assert gate.wait("alice") == 0, "two mistakes are free"
    gate.failed("alice")
    assert gate.wait("alice") == pytest.approx(2.0)
    assert gate.wait("ALICE") == pytest.approx(2.0), "names are case-insensitive"
    assert gate.wait("bob") == 0, "another name is not held up by alice's mistakes"
    clock.now += 2.0
    assert gate.wait("alice") == 0
    gate.failed("alice")
    assert gate.wait("alice") == pytest.approx(4.0), "each further mistake doubles the wait"
    for _ in range(20):
        gate.failed("alice")
    assert gate.wait("alice") == pytest.approx(300.0), "the wait is capped at five minutes"
    gate.succeeded("alice")
    assert gate.wait("alice") == pytest.approx(32.0), "the global count (24 misses, 4 over 20) still holds"


def test_many_names_guessed_at_once_are_slowed_down_too() -> None:
    clock = FakeClock()
    gate = Throttle(clock=clock)
    for i in range(19):
        gate.failed(f"user{i}")
    assert gate.wait("someone") == 0
    gate.failed("user19")
    assert gate.wait("someone") == pytest.approx(2.0)


# --- insight ----------------------------------------------------------------------------------


def row(day: int, kind: str, *, pair_id: str | None = None, rating: str | None = None, message: str | None = None):
    return {"time": datetime(2026, 11, day, 12), "kind": kind, "pair_id": pair_id, "rating": rating, "message": message}


ROWS = [
    row(1, "answer", pair_id="a", rating="up"),
    row(1, "answer", pair_id="a"),
    row(1, "fallback", rating="down", message="How much does it cost?"),
    row(2, "answer", pair_id="b", rating="down", message="can i drive home after"),
    row(2, "emergency"),
    row(2, "clarify"),
    row(3, "fallback", message="where do I park"),
    row(3, "answer", pair_id="a", rating="up"),
]


def test_questions_per_day_outcomes_and_ratings() -> None:
    assert list(daily_questions(ROWS).values()) == [3, 3, 2]
    shares = outcome_shares(ROWS)
    assert (shares["answer"], shares["fallback"], shares["emergency"], shares["clarify"]) == (0.5, 0.25, 0.125, 0.125)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert list(daily_ratings(ROWS).values()) == [(1, 1), (0, 1), (1, 0)]
    assert outcome_shares([])["answer"] == 0.0


def test_most_used_and_never_used_pairs() -> None:
    used, never = pair_usage(ROWS, ["a", "b", "c", "d"])
    assert used == [("a", 3), ("b", 1)]
    assert never == ["c", "d"]


def test_questions_to_review_are_declined_or_thumbs_down_and_not_yet_reviewed() -> None:
    assert questions_to_review(ROWS) == ["How much does it cost?", "can i drive home after", "where do I park"]
    assert questions_to_review(ROWS, ["how much does it cost"]) == ["can i drive home after", "where do I park"]


SAME_NEED = [
    ["How much does it cost?", "how much does the procedure cost", "What's the cost of a rhizotomy?", "cost?"],
    ["Is there parking at the clinic?", "where do I park", "parking?"],
    ["can i drive home after", "Can I drive myself home afterwards?", "can I drive home afterwards"],
    ["Will it hurt?", "does it hurt", "how much does it hurt"],
    ["how long is recovery", "How long is the recovery?", "how long is recovry"],
]


def test_one_need_asked_many_ways_is_one_group() -> None:
    asked = [q for need in SAME_NEED for q in need] + ["How much does it cost?"] * 16
    groups = group_questions(asked)
    assert len(groups) == len(SAME_NEED)
    assert groups[0].count == 20 and groups[0].question == "How much does it cost?"
    for need in SAME_NEED:
        assert any(set(need) == set(g.members) for g in groups), need


def test_different_needs_stay_apart() -> None:
    different = ["How much does it cost?", "where do I park", "Can I bring my dog?", "how long is recovery",
                 "how long does the relief last", "Will it hurt?", "can i drive home after"]  # fmt: skip
    assert len(group_questions(different)) == len(different)
    assert group_questions([]) == []


# --- fixes, live reload and the test pane --------------------------------------------------------


@pytest.fixture
def kb(faq_copy: Path) -> KnowledgeBasePaths:
    return KnowledgeBasePaths.at(faq_copy)


def test_a_declined_question_is_answered_after_its_phrasing_is_added(kb: KnowledgeBasePaths) -> None:
    before = current_bot(kb.root)
    assert before.ask(DECLINED).kind == "fallback"
    original = kb.curated.read_text()
    add_phrasing(kb, RIGHT_PAIR, DECLINED)
    text = kb.curated.read_text()
    assert text.startswith(original.rstrip("\n")), "comments and hand edits are kept as they were"
    assert text.endswith(f'  - extends: {RIGHT_PAIR}\n    variants:\n      - "{DECLINED}"\n')
    result, live = rebuild_live(kb)
    assert result.changed and live is current_bot(kb.root) and live is not before
    reply = live.ask(DECLINED)
    assert (reply.kind, reply.pair_id) == ("answer", RIGHT_PAIR)


def test_a_phrasing_for_a_pair_that_does_not_exist_is_rolled_back(kb: KnowledgeBasePaths) -> None:
    live = current_bot(kb.root)
    original, pairs = kb.curated.read_text(), kb.pairs.read_text()
    add_phrasing(kb, "no-such/pair", "anything")
    with pytest.raises(
        FixError, match=r"the rebuild failed, the live knowledge base is unchanged: .*names no built pair"
    ):
        rebuild_live(kb, restore_curated=original)
    assert kb.curated.read_text() == original and kb.pairs.read_text() == pairs
    assert current_bot(kb.root) is live


@pytest.mark.parametrize(
    ("phrasing", "message"), [("   ", "the phrasing is empty"), ("x" * 301, "over 300 characters")]
)
def test_bad_phrasings_are_refused(kb: KnowledgeBasePaths, phrasing: str, message: str) -> None:
    original = kb.curated.read_text()
    with pytest.raises(FixError, match=message):
        add_phrasing(kb, RIGHT_PAIR, phrasing)
    assert kb.curated.read_text() == original


def test_phrasing_with_yaml_characters_is_quoted(kb: KnowledgeBasePaths) -> None:
    add_phrasing(kb, RIGHT_PAIR, 'back to work: "desk" job # soon?')
    rebuild_live(kb)
    assert 'back to work: "desk" job # soon?' in current_bot(kb.root).pair(RIGHT_PAIR).variants


def test_a_curated_file_without_pairs_gets_a_pairs_list(tmp_path: Path, kb: KnowledgeBasePaths) -> None:
    kb.curated.write_text("documents:\n  rhizotomy-neck-risks-recovery.txt:\n    procedure: cervical rhizotomy\n")
    add_phrasing(kb, RIGHT_PAIR, DECLINED)
    assert kb.curated.read_text().endswith(f'pairs:\n  - extends: {RIGHT_PAIR}\n    variants:\n      - "{DECLINED}"\n')


def test_a_broken_rebuild_keeps_the_live_bot_and_the_patient_page_never_notices(kb: KnowledgeBasePaths) -> None:
    live = current_bot(kb.root)
    kb.pairs.write_text("pairs: [this is not a pair]\n")
    assert current_bot(kb.root) is live, "a broken pairs.yaml on disk never replaces the live bot"
    with pytest.raises(KnowledgeBaseError, match=r"pairs\.yaml"):
        reload_bot(kb.root)
    assert current_bot(kb.root) is live


def test_the_bot_proposes_the_pair_below_the_threshold(bot: Chatbot) -> None:
    low = Chatbot.load(threshold=0.0)
    proposal = propose(low, DECLINED)
    assert proposal is not None and proposal.confidence < bot.threshold and proposal.pair_id
    assert propose(low, "Can I have a glass of wine after percutaneous rhizotomy?") is None


@pytest.mark.parametrize(
    ("question", "kind", "reason"),
    [
        (
            "How long does the relief last after cervical rhizotomy?",
            "answer",
            r"Answered: confidence 0\.\d\d reached 0\.\d\d",
        ),
        ("I have a fever and pus at the needle site", "emergency", r"red-flag rule 'fever' \(safety\.yaml\) matched"),
        (DECLINED, "fallback", r"Declined: the best pair, '[\w/-]+', scored 0\.\d\d, below 0\.\d\d"),
        (
            "Can I have a glass of wine after percutaneous rhizotomy?",
            "fallback",
            "no pair in the knowledge base is close",
        ),
        ("What are the risks of percutaneous rhizotomy?", "answer", "Answered"),
        ("hello", "smalltalk", "small talk"),
        (  # the advice first, then declined (the side effects passage, "Infection at the injection site", at 0.61)
            "is it normal to have pus at the needle site?",
            "fallback",
            r"takes a red-flag symptom as present \(rule 'wound_infection'\)",
        ),
        (
            "I've been saving my pills. Got enough now I think.",
            "fallback",
            r"safety net reads the message as a likely report",
        ),
        (
            "I had a heart attack in 2015 and have two stents. Can I still have the neck procedure?",
            "fallback",
            r"rule 'chest_pain' matched, but the learned safety net reads the message as history or a risk",
        ),
    ],
)
def test_test_pane_says_why(bot: Chatbot, question: str, kind: str, reason: str) -> None:
    decision = explain(bot, Chatbot.load(threshold=0.0), question)
    assert decision.reply.kind == kind
    assert decision.reply == bot.ask(question), "the pane shows exactly what a patient would get"
    assert pytest.approx(bot.threshold) == decision.threshold
    assert re.search(reason, decision.reason), decision.reason
    if kind == "answer":
        assert decision.candidates[0][0] == decision.reply.pair_id, "the pane lists the chosen pair first"


# --- staff.py through AppTest --------------------------------------------------------------------


@pytest.fixture
def workspace(faq_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashed: str) -> Iterator[TurnStore]:
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("store_patient_messages: false", "store_patient_messages: true"))
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    monkeypatch.setenv("CHATBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHATBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHATBOT_STAFF_USERS", f"alice={hashed}")
    store = TurnStore.open(data_dir=tmp_path / "data")
    for question in (DECLINED, "when can I sit at my desk again after percutaneous rhizotomy", "parking?"):
        store.record(conversation="c", kind="fallback", confidence=0.3, message=question)
    store.record(conversation="c", kind="answer", confidence=0.8, pair_id=RIGHT_PAIR)
    yield store
    store.dispose()


def open_workspace() -> AppTest:
    at = AppTest.from_file(str(ROOT / "staff.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str, password: str) -> None:
    at.text_input(key="sign-in-name").set_value(name)
    at.text_input(key="sign-in-password").set_value(password)
    at.button[0].click().run()
    assert not at.exception, at.exception


def test_workspace_requires_sign_in_and_refuses_a_wrong_password(workspace: TurnStore) -> None:
    at = open_workspace()
    assert not at.tabs and not at.get("vega_lite_chart")
    sign_in(at, "alice", "wrong password")
    assert [e.value for e in at.error] == ["Wrong name or password."]
    assert not at.tabs
    sign_in(at, "mallory", PASSWORD)
    assert not at.tabs, "a name without an account cannot sign in with someone else's password"


def test_repeated_wrong_passwords_hold_even_the_right_one_back(
    workspace: TurnStore, monkeypatch: pytest.MonkeyPatch, hashed: str
) -> None:
    monkeypatch.setenv("CHATBOT_STAFF_USERS", f"alice={hashed} bob={hashed}")
    at = open_workspace()
    for _ in range(3):
        sign_in(at, "bob", "guess")
    sign_in(at, "bob", PASSWORD)
    assert not at.tabs
    assert re.fullmatch(r"Too many wrong passwords\. Try again in [12] seconds\.", at.error[0].value)
    other = open_workspace()
    sign_in(other, "bob", PASSWORD)
    assert not other.tabs, "a new browser session does not reset the slow-down"
    sign_in(other, "alice", PASSWORD)
    assert other.tabs, "another name is not held back"


def test_workspace_without_accounts_says_how_to_set_them_up(
    workspace: TurnStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATBOT_STAFF_USERS")
    at = open_workspace()
    assert "No staff accounts are set up" in at.error[0].value
    assert not at.text_input


def test_signed_in_staff_see_charts_and_fix_a_declined_question(workspace: TurnStore, faq_copy: Path) -> None:
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    assert [t.label for t in at.tabs] == ["Insight", "Improve", "Test pane", "Knowledge base"]
    assert len(at.get("vega_lite_chart")) >= 2
    groups = [m.value for m in at.markdown if "×**" in m.value]
    assert groups[0].startswith("**2×**"), groups
    key = next(b.key for b in at.button if b.key and b.key.startswith("add-"))
    suffix = key.removeprefix("add-")
    at.selectbox(key=f"pair-{suffix}").set_value(RIGHT_PAIR)
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    assert any("made them live" in s.value for s in at.success), [e.value for e in at.error]
    assert RIGHT_PAIR in (faq_copy / "curated.yaml").read_text()
    assert current_bot(faq_copy).ask(DECLINED).kind == "answer"
    decided = workspace.reviews()
    assert {r["decision"] for r in decided} == {"mapped"} and len(decided) == 2
    assert not [b for b in at.button if b.key == key], "the fixed group leaves the open list"


def test_staff_accept_or_reject_the_bots_proposal(workspace: TurnStore, faq_copy: Path, bot: Chatbot) -> None:
    proposal = propose(Chatbot.load(faq_copy, threshold=0.0), DECLINED)
    assert proposal is not None
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    proposed = [m.value for m in at.markdown if m.value.startswith("Proposed:")]
    escaped = proposal.pair_id.replace("-", "\\-").replace("/", "\\/")
    assert proposed and escaped in proposed[0]
    key = next(b.key for b in at.button if b.key and b.key.startswith("reject-"))
    at.button(key=key).click().run()
    again = [m.value for m in at.markdown if m.value.startswith("Proposed:")]
    assert len(again) == len(proposed) - 1, "a rejected proposal is not made again"
    assert [(r["decision"], r["pair_id"]) for r in workspace.reviews()] == [("proposal-rejected", proposal.pair_id)]
    assert at.button(key=key.replace("reject-", "add-")), "the group stays open for staff to pick the right pair"

    workspace.record(conversation="d", kind="fallback", message="How soon is normal life possible after SDR?")
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    key = next(b.key for b in at.button if b.key and b.key.startswith("accept-"))
    at.button(key=key).click().run()
    assert any("made them live" in s.value for s in at.success), [e.value for e in at.error]
    assert '- "How soon is normal life possible after SDR?"' in (faq_copy / "curated.yaml").read_text()
    assert current_bot(faq_copy).ask("How soon is normal life possible after SDR?").kind == "answer"


def test_rightly_declined_questions_leave_the_list(workspace: TurnStore) -> None:
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    key = next(b.key for b in at.button if b.key and b.key.startswith("decline-"))
    at.button(key=key).click().run()
    assert any("right to decline" in s.value for s in at.success)
    assert [r["decision"] for r in workspace.reviews()] == ["decline-ok"] * len(workspace.reviews())
    assert not [b for b in at.button if b.key == key]


def test_the_test_pane_explains_a_decline(workspace: TurnStore, bot: Chatbot) -> None:
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    at.text_input(key="test-question").set_value(DECLINED).run()
    texts = " ".join(m.value for m in at.markdown)
    assert "Declined: the best pair" in texts.replace("\\", "")
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Reply"], shown["Threshold"]) == ("declined", f"{bot.threshold:.2f}")


def test_storage_failure_is_shown_to_staff(workspace: TurnStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "postgresql+psycopg://chat@127.0.0.1:1/chat")
    at = open_workspace()
    sign_in(at, "alice", PASSWORD)
    assert any("Storage is failing" in e.value for e in at.error)
