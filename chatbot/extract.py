"""Turn a cleaned document into FAQ pairs: a patient question, its phrasings, and a focused passage.

Answers are always the document's own sentences, cut into focused passages of one to four
sentences (about 120 words at most); only the *questions* are written here, because a question
makes no medical claim. Question headings are used as they are; topic headings and plain
statements get the question a patient would ask, from :mod:`chatbot.topics`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .documents import Block, Document
from .normalize import STOP_WORDS, normalize, stem
from .pairs import COUNTABLE, Pair, with_article
from .reply import Source
from .topics import GROUPS, Topic, classify

__all__ = ["extract_pairs", "procedure_name", "split_sentences"]

MAX_SENTENCES = 4
MAX_WORDS = 120
MAX_LIST_WORDS = 150
"""A list or table is never cut away from its lead-in sentence, so it may run a little longer."""

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z0-9\"“(])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|dr|mr|mrs|ms|approx|no)\.$", re.IGNORECASE)
_DEFINITION = re.compile(
    r"^(?P<article>an?\s+|the\s+)?(?P<subject>[A-Za-z][\w\s-]{2,60}?)\s*(?:,[^,]{0,90},\s*|\([^)]{0,40}\)\s*)?"
    r"\bis\s+(?:an?|the)\s+(?:[\w-]+\s+){0,5}?(?:procedure|treatment|intervention|condition|technique|option|surgery|therapy|injection|block"
    r"|operation|implant|method|approach)\b",
    re.IGNORECASE,
)
_DEMONSTRATIVE = re.compile(r"^(?:this|that|these|those|it|they|such)\b", re.IGNORECASE)
_SUMMARY = re.compile(r"^(?:in conclusion|in summary|to sum up|overall|in short)\b", re.IGNORECASE)
_YOU = (
    (re.compile(r"\byou are\b", re.IGNORECASE), "I am"),
    (re.compile(r"\byour\b", re.IGNORECASE), "my"),
    (re.compile(r"\byou\b", re.IGNORECASE), "me"),
)
_QUESTION_PREFIX = re.compile(r"^(?:conclusion|summary|faq|q)\s*[:\-–]\s*", re.IGNORECASE)
_PROCEDURE_NOUN = re.compile(
    r"(?:otomy|ectomy|plasty|ablation|injection|block|surgery|stimulation|stimulator|therapy|fusion|implant)$",
    re.IGNORECASE,
)
_TITLE_GENERIC = frozenset(
    """
    duration effects effect risks risk recovery procedure procedures guide overview introduction know more faq
    faqs information patient patients benefits advantages what why how explained treatment options
    """.split()
)


@dataclass
class _Chunk:
    section: str
    line: int
    parts: list[str]
    sentences: int
    words: int
    structured: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.parts) if self.structured else " ".join(self.parts)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking after "e.g." or "Dr."."""
    pieces = _SENTENCE_SPLIT.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s for s in sentences if s]


def procedure_name(doc: Document) -> str:
    """The name the document uses for its procedure, taken from its title.

    The longest run of title words that are not generic ("Duration of", "Effects", "Risks") and
    that the body actually uses; "procedure" is kept when the run is not itself a procedure noun
    ("rhizotomy neck" → "rhizotomy neck procedure").
    """
    body = normalize(" ".join([*doc.headings, *(b.text for b in doc.blocks)]))
    words = re.findall(r"[\w-]+", doc.title)
    runs: list[list[str]] = [[]]
    for word in words:
        if word.lower() in _TITLE_GENERIC or word.lower() in STOP_WORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    candidates: list[tuple[int, int, str]] = []
    for run in runs:
        for size in range(len(run), 0, -1):
            for start in range(len(run) - size + 1):
                phrase = normalize(" ".join(run[start : start + size]))
                count = len(re.findall(rf"\b{re.escape(phrase)}\b", body))
                if count:
                    candidates.append((size, count, phrase))
    if not candidates:
        return normalize(doc.title) or "this procedure"
    _, _, name = max(candidates)
    following = normalize(doc.title).split(name, 1)[-1].split()
    if not _PROCEDURE_NOUN.search(name) and following and following[0] in COUNTABLE:
        name = f"{name} {following[0]}"
    return name


def _sentence_case(heading: str) -> str:
    """ "Is Cervical Neurotomy Right for You?" → "Is cervical neurotomy right for you?" (acronyms and "I" kept)."""
    words = heading.split()
    out = [words[0]] if words else []
    for word in words[1:]:
        letters = re.sub(r"\W", "", word)
        keep = (letters.isupper() and len(letters) > 1) or re.match(r"I(?:\W|$)", word) is not None
        out.append(word if keep else word.lower())
    return " ".join(out)


def _question_from_heading(heading: str) -> str | None:
    """A question heading in the patient's voice: "Is it right for you?" → "Is it right for me?"."""
    heading = _QUESTION_PREFIX.sub("", heading.strip())
    if not heading.endswith("?"):
        return None
    question = _sentence_case(heading)
    for pattern, replacement in _YOU:
        question = pattern.sub(replacement, question)
    return question


def _units(block: Block) -> list[_Chunk]:
    """A paragraph cut into groups of at most four sentences; a list or table kept whole."""
    words = len(block.text.split())
    if block.kind != "paragraph":
        return [_Chunk(block.section, block.line, list(block.lines), 1, words, structured=True)]
    sentences = split_sentences(block.text)
    groups = max(1, -(-len(sentences) // MAX_SENTENCES), -(-words // MAX_WORDS))
    size = -(-len(sentences) // groups)
    chunks = []
    for start in range(0, len(sentences), size):
        group = sentences[start : start + size]
        text = " ".join(group)
        chunks.append(_Chunk(block.section, block.line, [text], len(group), len(text.split())))
    return chunks


def _topic_of(chunk: _Chunk, title: str, procedure: str, *, first_in_section: bool = True) -> Topic | None:
    """The chunk's topic, judged with the procedure's own name masked.

    Otherwise a "genicular nerve block" document would read as being about nerve blocks throughout.
    """
    mask = re.compile(r"\b" + r"\W+".join(map(re.escape, procedure.split())) + r"\b", re.IGNORECASE)
    heading = mask.sub(" ", chunk.section) if chunk.section != title else ""
    first, *rest = split_sentences(mask.sub(" ", chunk.text))
    return classify(heading, first, " ".join(rest), heading_weight=3.0 if first_in_section else 1.0)


def _chunks(doc: Document, procedure: str) -> list[_Chunk]:
    """Focused passages: units merged with a neighbour in the same section when they belong together.

    A one-sentence unit joins its neighbour (a list and the sentence that closes it), and so do two
    units about the same topic, as long as the passage stays within four sentences and 120 words
    (a closing sentence may be a fifth; a passage with a list may reach 150 words).
    """
    chunks: list[_Chunk] = []
    for block in doc.blocks:
        for unit in _units(block):
            if chunks:
                prev = chunks[-1]
                limit = MAX_LIST_WORDS if prev.structured or unit.structured else MAX_WORDS
                fits = prev.words + unit.words <= limit and (
                    prev.sentences + unit.sentences <= MAX_SENTENCES or unit.sentences == 1
                )
                related = (
                    unit.sentences == 1
                    or prev.sentences == 1
                    or _topic_of(prev, doc.title, procedure) == _topic_of(unit, doc.title, procedure)
                    or (prev.structured != unit.structured and prev.parts[-1].endswith(":"))
                )
                if prev.section == unit.section and fits and related:
                    prev.parts.extend(unit.parts)
                    prev.sentences += unit.sentences
                    prev.words += unit.words
                    prev.structured = prev.structured or unit.structured
                    continue
            chunks.append(unit)
    return chunks


def extract_pairs(doc: Document, *, procedure: str | None = None, tags: tuple[str, ...] = ()) -> list[Pair]:
    """The FAQ pairs of one document, in reading order, with stable ids ``<file stem>/<topic>``."""
    name = procedure or procedure_name(doc)
    p = with_article(name)
    file_stem = re.sub(r"[^\w-]+", "-", doc.file.rsplit(".", 1)[0]).strip("-").lower()
    chunks = _chunks(doc, name)
    firsts: list[bool] = []
    for i, chunk in enumerate(chunks):
        firsts.append(all(other.section != chunk.section for other in chunks[:i]))
    topics = [_topic_of(c, doc.title, name, first_in_section=f) for c, f in zip(chunks, firsts, strict=True)]
    own = [_has_own_question(c, f, doc.title) for c, f in zip(chunks, firsts, strict=True)]
    assigned = _assign_templates(chunks, topics, own, p)
    used_questions: set[str] = set()
    used_ids: Counter[str] = Counter()
    pairs: list[Pair] = []
    for chunk, first_in_section, topic, templates in zip(chunks, firsts, topics, assigned, strict=True):
        question, variants, key = _question(chunk, topic, templates, doc.title, p, first_in_section, used_questions)
        variants = [v for v in dict.fromkeys(variants) if normalize(v) not in used_questions]
        used_questions.update(normalize(q) for q in (question, *variants))
        used_ids[key] += 1
        pair_id = f"{file_stem}/{key}" + (f"-{used_ids[key]}" if used_ids[key] > 1 else "")
        section = chunk.section if chunk.section != doc.title else ""
        pairs.append(
            Pair(
                id=pair_id,
                question=question,
                variants=tuple(v for v in dict.fromkeys(variants) if normalize(v) != normalize(question)),
                answer=chunk.text,
                source=Source(doc.title, doc.file, section),
                procedure=name,
                topic=key,
                tags=tuple(dict.fromkeys((key, *tags))),
                line=chunk.line,
            )
        )
    return pairs


def _has_own_question(chunk: _Chunk, first_in_section: bool, title: str) -> bool:
    """Whether a passage is asked by its own words: a question heading, a definition or a summary."""
    heading = chunk.section if chunk.section != title else ""
    if first_in_section and heading and _question_from_heading(heading):
        return True
    definition = _DEFINITION.match(chunk.parts[0])
    return bool(definition and not _DEMONSTRATIVE.match(definition.group("subject"))) or bool(
        _SUMMARY.match(chunk.parts[0])
    )


def _assign_templates(chunks: list[_Chunk], topics: list[Topic | None], own: list[bool], p: str) -> list[list[str]]:
    """Give each topic question to the passage of that topic whose own words fit it best.

    "Is cervical rhizotomy permanent?" goes to the paragraph that says "not a permanent cure",
    not to the first paragraph about how long relief lasts; a question with no telling word
    ("How is it done?") goes to the first passage of its topic that has no question of its own
    (a question heading, a definition), and is dropped if there is none: a passage is never given
    a question its words do not answer.
    """
    procedure_words = {stem(w) for w in normalize(p).split()}
    chunk_words = [{stem(w) for w in normalize(f"{c.section} {c.text}").split()} for c in chunks]
    assigned: list[list[str]] = [[] for _ in chunks]
    for topic in dict.fromkeys(t for t in topics if t is not None):
        members = [i for i, t in enumerate(topics) if t == topic]
        for template in topic.questions:
            question = template.format(p=p)
            telling = {stem(w) for w in normalize(question).split() if w not in STOP_WORDS} - procedure_words
            fitting = [i for i in members if telling & chunk_words[i]]
            if fitting:
                assigned[max(fitting, key=lambda i: (len(telling & chunk_words[i]), not own[i], -i))].append(question)
            elif free := [i for i in members if not own[i]]:
                assigned[free[0]].append(question)
    return assigned


def _question(
    chunk: _Chunk,
    topic: Topic | None,
    templates: list[str],
    title: str,
    p: str,
    first_in_section: bool,
    used: set[str],
) -> tuple[str, list[str], str]:
    """The pair's main question, its other phrasings, and the id key."""
    variants: list[str] = []
    heading = chunk.section if chunk.section != title else ""
    heading_question = _question_from_heading(heading) if heading else None
    if heading and not heading_question:
        variants.append(_sentence_case(heading))
    definition = _DEFINITION.match(chunk.parts[0])
    if definition and _DEMONSTRATIVE.match(definition.group("subject")):
        definition = None
    fresh = [t for t in templates if normalize(t) not in used]
    if heading_question and first_in_section and normalize(heading_question) not in used:
        question, key = heading_question, topic.name if topic else "general"
        variants.extend(fresh)
    elif definition and not heading_question:
        article = (definition.group("article") or "").lower()
        subject = definition.group("subject").strip().lower()
        question, key = f"What is {article}{subject}?", "what-is"
        # The topic's own questions only when a definition answers that kind of question (what it
        # is, how it works, what it treats): a passage defining chronic neck pain that mentions "a
        # more lasting solution" is no answer to "how long does the relief last?", which its
        # duration cue would otherwise have added.
        asked = fresh if topic is not None and GROUPS.get(topic.name) == GROUPS[key] else []
        variants.extend([f"Tell me about {subject}", f"What does {subject} mean?", *asked])
    elif _SUMMARY.match(chunk.parts[0]):
        question, key = f"What is the main thing to know about {p}?", "summary"
        variants.extend([f"Give me a summary of {p}", *fresh])
    elif topic and fresh:
        question, key = fresh[0], topic.name
        variants.extend(fresh[1:])
    else:
        key = topic.name if topic else "general"
        about = _sentence_case(heading).lower() if heading else p
        base = f"What should I know about {about}" + ("" if normalize(p) in normalize(about) else f" ({p})")
        question, part = f"{base}?", 2
        while normalize(question) in used:
            question, part = f"{base}, part {part}?", part + 1
    if heading_question and first_in_section:
        variants.extend((heading_question, _QUESTION_PREFIX.sub("", heading)))
    if definition:
        variants.extend(f"What is {alias}?" for alias in _aliases(chunk.parts[0]))
    variants.extend(_item_labels(chunk))
    return question, variants, key


_ALIAS = re.compile(
    r"(?:also known as|also called|known as|,\s*or)\s+(?P<alias>[A-Za-z][\w\s-]{2,50}?)\s*(?=[,(]|\bor\b|\bis\b)"
)
_ACRONYM = re.compile(r"\((?P<acronym>[A-Z]{2,6})\)")
_ITEM_LABEL = re.compile(r"^-\s+(?P<label>[^:]{3,60}):\s")


def _aliases(sentence: str) -> list[str]:
    """Other names a definition gives: "Percutaneous rhizotomy, or radiofrequency rhizotomy, is …"."""
    head = sentence.split(" is ", 1)[0]
    names = [m.group("alias").strip().lower() for m in _ALIAS.finditer(head + " is")]
    names += [m.group("acronym") for m in _ACRONYM.finditer(head)]
    for part in list(names):
        names.extend(p.strip() for p in part.split(" or ")[1:])
    return list(dict.fromkeys(n.split(" or ")[0].strip() for n in names if n))


def _item_labels(chunk: _Chunk) -> list[str]:
    """The bold-style labels of list items and table rows ("Reduced Reliance on Medication: …")."""
    if not chunk.structured:
        return []
    labels = []
    for part in chunk.parts:
        for line in part.splitlines():
            match = _ITEM_LABEL.match(line)
            if match:
                labels.append(_sentence_case(match.group("label").strip()))
    return labels
