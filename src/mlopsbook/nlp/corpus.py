"""A seeded generator of legal-style documents, each with a document type and entity annotations.

Nothing is downloaded: documents are assembled from the sentence templates and name pools below, so the corpus is
fully described by this file and a seed. It imitates what the post's services saw (contracts and judgments to route,
parties, courts, dates, sums and statutes to extract) well enough to train and measure real models; it is not real
legal text, and accuracy on it says only that the models learned something, not how they would do on real documents.

How a document is built (:func:`document`):

- a title, generic in half of the documents (``"AGREEMENT"``) so the title alone does not give the type away;
- sentences until the target length in words is reached, each drawn from: the document type's own templates (40 %),
  another type's templates (10 %, so types overlap as real documents do) or clauses shared by all types (50 %);
- every slot in a template (``{party}``, ``{date}``, ...) is filled from a pool, and the character span of each
  filled entity is recorded with its label (:data:`ENTITY_LABELS`).

Name pools are split: about one name in five is reserved for the ``"test"`` split, so the held-out documents mention
parties, courts and places the models never saw in training (generalisation, not memorisation).

>>> import numpy as np
>>> d = document(np.random.default_rng(0), "lease", 60)
>>> d.label, d.text[d.entities[0].start:d.entities[0].end] == d.entities[0].text
('lease', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

CORPUS_VERSION = "legal-docs-v1"
"""Changes whenever the generator's output changes (part of the trained models' cache key)."""

LABELS: tuple[str, ...] = ("lease", "employment", "nda", "loan", "judgment")
"""The document types (classification labels)."""

ENTITY_LABELS: tuple[str, ...] = ("PARTY", "COURT", "GPE", "DATE", "MONEY", "LAW")
"""Entity types: parties (companies, people), courts, jurisdictions/places, dates, sums of money, statutes."""

Split = Literal["train", "test"]

# -- pools ------------------------------------------------------------------------------------------------------------
_FIRST = (
    "Alice", "Bruno", "Chiara", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Karim", "Laura",
    "Mateo", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Samir", "Tamara", "Ugo", "Vera", "Walter", "Yasmin",
    "Zoran", "Amara", "Bilal", "Clara", "Dmitri", "Esther", "Felix", "Greta", "Hassan", "Irene", "Julian",
)
_LAST = (
    "Abbott", "Bianchi", "Carvalho", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
    "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka",
    "Ulrich", "Varga", "Weber", "Xu", "Young", "Zielinski", "Almeida", "Brennan", "Castillo", "Doyle",
)
_COMPANY_STEM = (
    "Northwind", "Bluehill", "Crescent", "Ironbridge", "Lakeside", "Meridian", "Oakfield", "Pinecrest", "Redstone",
    "Silverline", "Summit", "Tidewater", "Westbrook", "Harbourview", "Kingsgate", "Brightwater", "Copperleaf",
    "Elmstead", "Fairhaven", "Greenmoor", "Highgate", "Juniper", "Larkspur", "Millbrook", "Newhaven", "Orchard",
    "Riverside", "Stonegate", "Thornbury", "Valemont", "Windmere", "Ashford", "Belmont", "Clearwater", "Dunmore",
)
_COMPANY_KIND = ("Holdings", "Logistics", "Capital", "Properties", "Software", "Foods", "Energy", "Textiles", "Media")
_COMPANY_SUFFIX = ("Limited", "LLP", "plc", "LLC", "AG", "SE", "Group", "Partners")
_GPE = (
    "England and Wales", "Scotland", "Ireland", "New York", "Delaware", "California", "Ontario", "Singapore",
    "Hong Kong", "Germany", "France", "the Netherlands", "Luxembourg", "Victoria", "Texas", "Belgium", "Spain",
    "Sweden", "Japan", "Switzerland",
)
_CITY = (
    "London", "Manchester", "Dublin", "Edinburgh", "Boston", "Chicago", "Toronto", "Berlin", "Paris", "Madrid",
    "Rotterdam", "Zurich", "Austin", "Seattle", "Lyon", "Milan", "Vienna", "Oslo", "Osaka", "Melbourne",
)
_COURT_PATTERN = (
    "High Court of {gpe}", "Court of Appeal of {gpe}", "Supreme Court of {gpe}", "Commercial Court of {city}",
    "District Court of {city}", "Employment Tribunal in {city}", "Court of First Instance of {city}",
)
_LAW = (
    "Landlord and Tenant Act 1954", "Employment Rights Act 1996", "Companies Act 2006", "Consumer Credit Act 1974",
    "Data Protection Act 2018", "Arbitration Act 1996", "Sale of Goods Act 1979", "Contracts Act 1999",
    "Limitation Act 1980", "Trade Secrets Act 2016", "Insolvency Act 1986", "Equality Act 2010",
    "Civil Procedure Act 1997", "Late Payment Act 1998", "Housing Act 1988",
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)
_STREET = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Queen Street", "Harbour Road")

# -- templates ----------------------------------------------------------------------------------------------------
# Slots: {party} {party2} {person} {court} {gpe} {date} {money} {law} are entities; {city} is a GPE too;
# {n} {street} {pct} are plain fillers.
_TYPE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "lease": (
        "{party} (the Landlord) agrees to let the premises at {n} {street}, {city} to {party2} (the Tenant).",
        "The Tenant shall pay a yearly rent of {money} by equal quarterly instalments in advance.",
        "The term of the lease begins on {date} and ends on {date}.",
        "The Tenant shall keep the premises in good and substantial repair and shall not make structural alterations.",
        "The parties agree that sections 24 to 28 of the {law} are excluded from this tenancy.",
        "The Landlord may re-enter the premises if any rent remains unpaid for twenty-one days after {date}.",
        "A deposit of {money} is held by {party} and returned at the end of the tenancy less any arrears.",
        "The Tenant shall not assign, underlet or part with possession of the premises without consent.",
        "Service charges for the common parts of the building are payable by the Tenant on demand.",
    ),
    "employment": (
        "{party} employs {person} as Senior Analyst with effect from {date}.",
        "The Employee shall receive a gross annual salary of {money}, payable monthly in arrears.",
        "The Employee is entitled to twenty-five working days of paid holiday in each holiday year.",
        "Either party may terminate the employment by giving three months written notice.",
        "Nothing in this contract excludes the statutory rights of the Employee under the {law}.",
        "The normal place of work is the office of {party} in {city}.",
        "The Employee shall not, during the employment, engage in any business that competes with the Employer.",
        "A probationary period of six months applies, during which the notice period is one week.",
        "{person} shall report to the Chief Operating Officer and perform the duties assigned from time to time.",
    ),
    "nda": (
        "{party} and {party2} wish to exchange confidential information in connection with a proposed transaction.",
        "The Recipient shall keep the Confidential Information secret and use it only for the Purpose.",
        "The obligations of confidentiality continue for five years after {date}.",
        "Confidential Information does not include information that is or becomes public other than by breach.",
        "On request the Recipient shall return or destroy all documents containing Confidential Information.",
        "The Discloser may seek an injunction in addition to damages, the parties acknowledging the {law} applies.",
        "{person} is authorised to receive Confidential Information on behalf of {party}.",
        "No licence under any patent, copyright or trade secret is granted by this agreement.",
        "The Recipient shall notify the Discloser promptly of any unauthorised disclosure.",
    ),
    "loan": (
        "{party} (the Lender) agrees to make available to {party2} (the Borrower) a term loan of {money}.",
        "Interest accrues on the outstanding principal at {pct} per cent per annum above the base rate.",
        "The Borrower shall repay the loan in full on or before {date}.",
        "An arrangement fee of {money} is payable to the Lender on the date of this agreement.",
        "The Borrower shall not create any security over its assets without the prior consent of the Lender.",
        "If an Event of Default occurs, the Lender may declare all outstanding amounts immediately due.",
        "The loan is guaranteed by {party}, whose obligations are subject to the {law}.",
        "Default interest of {pct} per cent applies to any overdue sum from {date} until payment.",
        "The Borrower represents that its latest audited accounts give a true and fair view.",
    ),
    "judgment": (
        "In the {court}, between {party} (Claimant) and {party2} (Defendant), judgment was handed down on {date}.",
        "The claim concerns an alleged breach of contract and damages of {money}.",
        "Judge {person} heard the application on {date} and reserved judgment.",
        "The Defendant relied on the limitation period under the {law}, which the court rejected.",
        "For the reasons given, the appeal is dismissed and the Claimant is awarded costs of {money}.",
        "Counsel for {party} submitted that the clause was an unenforceable penalty.",
        "The court was referred to an earlier decision of the {court}.",
        "Permission to appeal was refused, the court finding no real prospect of success.",
        "Witness evidence given by {person} was found to be credible and consistent.",
    ),
}
_SHARED_TEMPLATES: tuple[str, ...] = (
    "This agreement is governed by the law of {gpe}.",
    "The courts of {gpe} have exclusive jurisdiction over any dispute arising out of this agreement.",
    "Any notice shall be in writing and delivered to the registered office of the party concerned.",
    "If any provision is held invalid, the remaining provisions continue in full force and effect.",
    "This document constitutes the entire agreement between the parties and supersedes all prior arrangements.",
    "No variation is effective unless it is in writing and signed by or on behalf of each party.",
    "Signed on {date} by {person} for and on behalf of {party}.",
    "A failure to exercise any right is not a waiver of that right.",
    "References to a statute include that statute as amended or re-enacted from time to time.",
    "Headings are for convenience only and do not affect interpretation.",
    "Time is of the essence for all payment obligations.",
    "This document was prepared in {city} and may be executed in any number of counterparts.",
)
_TITLES: dict[str, str] = {
    "lease": "LEASE OF COMMERCIAL PREMISES",
    "employment": "CONTRACT OF EMPLOYMENT",
    "nda": "MUTUAL NON-DISCLOSURE AGREEMENT",
    "loan": "FACILITY AGREEMENT",
    "judgment": "APPROVED JUDGMENT",
}
_SLOT_RE = re.compile(r"\{(\w+)\}")
_SLOT_LABEL = {
    "party": "PARTY", "party2": "PARTY", "person": "PARTY", "court": "COURT", "gpe": "GPE", "city": "GPE",
    "date": "DATE", "money": "MONEY", "law": "LAW",
}
_P_OWN, _P_OTHER = 0.40, 0.10  # the rest (0.50) are shared clauses


@dataclass(frozen=True)
class Entity:
    """An annotated entity: characters ``[start, end)`` of the document's text, with its label."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Document:
    """A generated document: its text, its type (one of :data:`LABELS`) and its entities (in text order)."""

    text: str
    label: str
    entities: tuple[Entity, ...]

    @property
    def n_words(self) -> int:
        """Whitespace-separated words in the text."""
        return len(self.text.split())


def _pool(values: Sequence[str], split: Split) -> tuple[str, ...]:
    """The part of a name pool a split may use: every fifth name is reserved for the test split."""
    if split == "test":
        return tuple(v for i, v in enumerate(values) if i % 5 == 0)
    return tuple(v for i, v in enumerate(values) if i % 5 != 0)


def _pick(rng: np.random.Generator, values: Sequence[str]) -> str:
    return values[int(rng.integers(len(values)))]


def _fill(slot: str, rng: np.random.Generator, split: Split) -> str:
    if slot in ("party", "party2"):
        if rng.random() < 0.75:
            parts = [_pick(rng, _pool(_COMPANY_STEM, split))]
            if rng.random() < 0.5:
                parts.append(_pick(rng, _COMPANY_KIND))
            parts.append(_pick(rng, _COMPANY_SUFFIX))
            return " ".join(parts)
        return f"{_pick(rng, _pool(_FIRST, split))} {_pick(rng, _pool(_LAST, split))}"
    if slot == "person":
        return f"{_pick(rng, _pool(_FIRST, split))} {_pick(rng, _pool(_LAST, split))}"
    if slot == "court":
        pattern = _pick(rng, _COURT_PATTERN)
        return pattern.format(gpe=_pick(rng, _pool(_GPE, split)), city=_pick(rng, _pool(_CITY, split)))
    if slot == "gpe":
        return _pick(rng, _pool(_GPE, split))
    if slot == "city":
        return _pick(rng, _pool(_CITY, split))
    if slot == "date":
        return f"{int(rng.integers(1, 29))} {_pick(rng, _MONTHS)} {int(rng.integers(1995, 2027))}"
    if slot == "money":
        amount = int(rng.integers(1, 500)) * 1000 + int(rng.integers(0, 4)) * 250
        currency = _pick(rng, ("£", "$", "EUR ", "USD "))
        return f"{currency}{amount:,}"
    if slot == "law":
        return _pick(rng, _pool(_LAW, split))
    if slot == "n":
        return str(int(rng.integers(1, 250)))
    if slot == "street":
        return _pick(rng, _STREET)
    if slot == "pct":
        return f"{int(rng.integers(1, 9))}.{int(rng.integers(0, 10))}"
    raise KeyError(f"template slot {{{slot}}} has no filler")


def _render(template: str, rng: np.random.Generator, split: Split, offset: int) -> tuple[str, list[Entity]]:
    """Fill a template; return its text and the entities it contains (offsets shifted by ``offset``)."""
    out: list[str] = []
    ents: list[Entity] = []
    pos = 0
    length = 0
    for m in _SLOT_RE.finditer(template):
        literal = template[pos : m.start()]
        out.append(literal)
        length += len(literal)
        value = _fill(m.group(1), rng, split)
        label = _SLOT_LABEL.get(m.group(1))
        if label is not None:
            start = offset + length
            ents.append(Entity(start, start + len(value), label, value))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), ents


def document(rng: np.random.Generator, label: str, n_words: int, split: Split = "train") -> Document:
    """One document of type ``label`` with about ``n_words`` words (at least the title and one sentence).

    ``split`` selects the name pools (``"train"`` or ``"test"``, disjoint). Raises ``ValueError`` naming the argument
    for an unknown label, a non-positive length or an unknown split.
    """
    if label not in LABELS:
        raise ValueError(f"label: must be one of {', '.join(LABELS)} (got {label!r})")
    if n_words < 1:
        raise ValueError(f"n_words: must be >= 1 (got {n_words})")
    if split not in ("train", "test"):
        raise ValueError(f"split: must be 'train' or 'test' (got {split!r})")
    title = _TITLES[label] if rng.random() < 0.5 else "AGREEMENT"
    text = title + "\n\n"
    words = len(title.split())
    entities: list[Entity] = []
    others = [lab for lab in LABELS if lab != label]
    sentences_in_paragraph = 0
    while True:
        r = rng.random()
        if r < _P_OWN:
            template = _pick(rng, _TYPE_TEMPLATES[label])
        elif r < _P_OWN + _P_OTHER:
            template = _pick(rng, _TYPE_TEMPLATES[_pick(rng, others)])
        else:
            template = _pick(rng, _SHARED_TEMPLATES)
        sentence, ents = _render(template, rng, split, len(text))
        text += sentence
        entities.extend(ents)
        words += len(sentence.split())
        if words >= n_words:
            break
        sentences_in_paragraph += 1
        if sentences_in_paragraph >= 4 and rng.random() < 0.3:
            text += "\n\n"
            sentences_in_paragraph = 0
        else:
            text += " "
    return Document(text=text, label=label, entities=tuple(entities))


def corpus(
    n_docs: int,
    *,
    seed: int,
    split: Split = "train",
    min_words: int = 40,
    max_words: int = 400,
) -> list[Document]:
    """``n_docs`` documents, types balanced round-robin, lengths uniform in ``[min_words, max_words]`` words.

    Deterministic: the same arguments give the same documents. Raises ``ValueError`` naming the argument.
    """
    if n_docs < 1:
        raise ValueError(f"n_docs: must be >= 1 (got {n_docs})")
    if not 1 <= min_words <= max_words:
        raise ValueError(f"min_words, max_words: need 1 <= min_words <= max_words (got {min_words}, {max_words})")
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    docs = []
    for i in range(n_docs):
        n_words = int(rng.integers(min_words, max_words + 1))
        docs.append(document(rng, LABELS[i % len(LABELS)], n_words, split))
    order = rng.permutation(n_docs)
    return [docs[int(i)] for i in order]


WORDS_PER_PAGE = 500
"""Words on a page of a dense legal document (an assumption used to express lengths in pages, not a measurement)."""


def documents_of_length(n_words: int, n_docs: int, *, seed: int) -> list[Document]:
    """``n_docs`` test-split documents of about ``n_words`` words each (types round-robin), for latency sweeps."""
    if n_docs < 1:
        raise ValueError(f"n_docs: must be >= 1 (got {n_docs})")
    rng = np.random.default_rng([seed, 2, n_words])
    return [document(rng, LABELS[i % len(LABELS)], n_words, "test") for i in range(n_docs)]
