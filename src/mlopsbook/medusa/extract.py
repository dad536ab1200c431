"""Read the profile fields and the preferences a question states, each with the words it came from, and account for
every other number in it.

Quantities are found by :mod:`mlopsbook.medusa.quantities`; the **clause** each one sits in (the text between
sentence ends, colons, dashes, brackets, "but", "while", "then") says what it belongs to:

- a size is the worker's ``memory_mb`` ("12 GB of RAM", "a 4GB Lambda"), a ``payload_kb`` ("8 MB payloads",
  "photos are 8-12 MB", "half a gig per image", "returns up to 4.5 MB") or the ``artifact_mb`` ("a 15 GB model",
  "the image is 13279248421 bytes", "torch alone is 2.2 GB"); a parameter count is an artifact at its precision;
  of several, the largest (a limit is about the largest);
- a duration is the model's load time ``init_ms`` ("takes over 40 seconds to load at init", "boot-up takes 15 s"),
  the time of one request ``model_latency_ms`` ("takes 20 minutes", "90 seconds per request", "answers in 200 ms
  warm"), or a latency target ``latency_slo_ms`` ("p99 under 300 ms", "responses must stay under 100 ms",
  "within 10 ms");
- a rate is the mean (``mean_rps``) or, after "peaks of", "spikes to", "at peak", the ``peak_rps``; a rate stated
  "during office hours" is the busy-hours rate; of several, the one the question says it needs or gets;
- words give the ``traffic_pattern``, the ``gpu`` need (a stated need beats a contrast: "needs a GPU: on CPU one
  image took over a minute" is a GPU need, and the minute is the CPU's, not the service's; "runs on either" is
  optional; "Fargate has no GPU" is about Fargate) and the preferences ("cheapest", "lowest latency", "no cold
  starts" / "cold starts are not acceptable", "must scale to zero", "must stay under $200 a month").

Every other number is accounted for: a quantity about something else (a platform's limit or setting, a cold start, the
length of a video, a CPU time quoted for contrast, a rule of thumb, tokens per second) is listed in
:attr:`Reading.unused` with what it is; a number the reader cannot place is in :attr:`Reading.unknown` with its words.
A large bare integer in a sentence about sizes is read as bytes and marked **assumed** (:attr:`Field.assumed`), so
that the answer can say what it rests on. Nothing is guessed beyond that: a field the question does not state is
absent (:mod:`mlopsbook.medusa.assume` fills it, and says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mlopsbook.decide.preferences import Preferences
from mlopsbook.errors import MlopsbookError
from mlopsbook.medusa.quantities import LARGEST, SIZE_UNITS_MB, Quantity, bare_numbers, find


@dataclass(frozen=True)
class Field:
    """One field read from a question: ``value`` (in the profile's unit), the ``words`` it came from, a ``note`` on
    how they were read, ``assumed`` when the reading is an assumption the answer must name (a bare number read as
    bytes), and ``raw``: the quantity's own words."""

    name: str
    value: Any
    words: str
    note: str = ""
    assumed: bool = False
    raw: str = ""


@dataclass(frozen=True)
class Reading:
    """What a question states: profile ``fields`` (by name), ``rate_is_busy`` (the rate is the busy hours' rate), the
    preference fields (``objective``, ``no_cold_starts``, ``scale_to_zero``, ``max_monthly_usd``), each a
    :class:`Field`; ``unused``: ``(words, what it is)`` for quantities that are not the service's; ``unknown``:
    ``(words, why)`` for numbers the reader could not place."""

    question: str
    fields: dict[str, Field] = field(default_factory=dict)
    preferences: dict[str, Field] = field(default_factory=dict)
    rate_is_busy: bool = False
    unused: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """Field values by name (preferences included; ``rate_is_busy`` when true)."""
        out = {k: f.value for k, f in self.fields.items()}
        out.update({k: f.value for k, f in self.preferences.items()})
        if self.rate_is_busy:
            out["rate_is_busy"] = True
        return out

    @property
    def assumed(self) -> list[Field]:
        """The fields read on an assumption."""
        return [f for f in self.fields.values() if f.assumed]


PREFERENCE_FIELDS: tuple[str, ...] = ("objective", "no_cold_starts", "scale_to_zero", "max_monthly_usd")

PATTERN_WORDS: tuple[tuple[str, str], ...] = (
    (r"business hours|office hours|working hours|9[- ]to[- ]5|nine to five|weekdays?(?: only)?\b|nights and weekends|"
     r"idle (?:at|over) (?:night|the weekend)|only during the (?:work ?)?day|workday|during the day", "business-hours"),
    (r"\bspik(?:y|es?)\b|\bburst(?:s|y)?\b|flash sale|sudden peaks|unpredictable|campaigns|in batches", "bursty"),
    (r"daily cycle|day/night|diurnal|busy afternoons|peaks? in the afternoon|quiet at night|follows the sun", "diurnal"),
    (r"\brarely\b|\brare\b|a few times an? (?:day|week|hour)|occasional(?:ly)?|sporadic|once an hour|now and then|"
     r"ad[- ]hoc|mostly idle|a handful of|intermittent|irregular|nightly|once a (?:day|night|week)|sits? (?:unused|idle)|"
     r"silent for hours|on demand", "rare"),
    (r"24/7|around the clock|round the clock|constant|steady|continuous(?:ly)?|all day and night|flat traffic|always on",
     "steady"),
)
_GPU_KIT = r"(?:gpus?|cuda|t4|a10g?|a100s?|h100s?|v100s?|l4|l40s?|rtx|nvidia|p2\.xlarge|p3\.\w+|g4dn\.\w+|g5\.\w+)"
GPU_OPTIONAL = (r"either (?:cpu|gpu)|cpu or (?:a )?gpu|gpu or (?:a )?cpu|gpu (?:is )?optional|a gpu is optional|"
                r"could use a gpu|runs? on cpu too|on (?:either|both)(?! cpu and gpu)|either way|cpu works too|"
                r"works on cpu too|runs? under a gpu too|(?:could|can) run (?:on|under) a gpu too|"
                r"gpu is preferred but|faster on a gpu|both (?:are )?(?:acceptable|fine|ok|okay)|either is fine|"
                r"works on both")
GPU_NEED = (r"(?:needs?|requires?|need|must have)\s(?:an?\s|one\s|the\s)?(?:\w+\s)?(?:gpu|cuda|a100|h100|v100|t4)|"
            r"gpu (?:is )?required|required gpu|cuda (?:is )?required|must run on (?:a |the )?gpus?|"
            r"gpu acceleration|gpu[- ]intensive|needs? gpus")
GPU_NO = (r"(?:no|without an?|don'?t need an?|doesn'?t need an?|does not need an?|not need an?) gpu(?! instances)|"
          r"no gpu needed|cpu[- ]only|cpu only|only (?:uses|runs on) the cpu|cpu is (?:fine|ok|okay|enough)|"
          r"only (?:use|uses|run|runs|ran) (?:it |them )?on (?:a |the )?cpus?|\bcpu (?:model|classifier|image|inference|"
          r"workload|service)")
GPU_USE = (rf"\bon (?:an? |the |our |\d+ )?(?:\w+ )?{_GPU_KIT}\b|uses? an? gpu|\bcuda\b|gpu[- ]only|\bllms?\b|diffusion|large language model|"
           rf"gpu (?:nodes|instances|serving|machine|host|model|inference|workloads?|sampling)|\d+\s?x\s?{_GPU_KIT}|\d+ {_GPU_KIT}")
GPU_CPU_WORDS = (r"\bon (?:a |our |the )?cpus?\b|scikit|sklearn|spacy|xgboost|lightgbm|random forest|"
                 r"logistic regression|tf-?idf|llama\.cpp|\bcpu(?=\s*[.;]|\s*$)")
_ASKED = r"(?:\b(?:do|does|did|would|will|should|can|whether)\s+(?:it|we|i|they|you|this|that|the \w+|our \w+)\s*|if)\s*$"
"""Words before a GPU phrase that make it a question ("does it need a GPU?"), not a statement."""
_PLATFORM_GPU = (r"(?:fargate|lambda|app runner|copilot|serverless)[^.;:]{0,40}(?:no gpu|not support|has none|"
                 r"doesn'?t support|does not support|no gpus)|gpu is not supported|has no gpu")
COST_WORDS = (r"cheap(?:est|er|ly)?\b|(?:cost|pay)\W+(?:~|about|almost|next to)?\W*nothing|idle cost|lowest cost|least expensive|minimi[sz]e (?:the )?cost|cut (?:its |the |our )?"
              r"(?:cost|bill)|reduce (?:its |the |our )?cost|cost[- ]efficient|save money|pay for (?:an )?idle|"
              r"lowest (?:monthly )?bill")
LATENCY_WORDS = (r"lowest latency|low latency|fastest|as fast as possible|latency[- ]sensitive|minimi[sz]e latency|"
                 r"need (?:it )?fast responses")
NO_COLD_WORDS = (r"no cold[- ]starts?|without cold[- ]starts?|avoid cold[- ]starts?|can'?t (?:afford|have|tolerate) "
                 r"cold|cold[- ]starts? (?:are|is) (?:not (?:acceptable|ok|okay|an option)|unacceptable|a no-go)|"
                 r"never (?:be )?cold|always warm|cold starts? (?:is|are) not allowed")
_WISH = r"\b(?:want|wants|must|should|would|like|need|needs|prefer|ideal|only when|let|allow|can we|could)\b"
"""Words that make a scale-to-zero phrase a wish, not a complaint ("scale-to-zero gives us cold starts")."""
SCALE_TO_ZERO_WORDS = (r"scal(?:e|es|ed|ing) (?:down |back )?to (?:zero|0)\b|scale-to-zero|zero (?:workers|replicas|"
                       r"instances)|to 0 replicas|only when a request arrives|nothing running when idle")
BUDGET_BEFORE = r"(?:under|below|at most|less than|within|max(?:imum)?|no more than|budget(?: is| of)?|cap(?:ped)? at|<)\W*$"

_CLAUSE_END = re.compile(r"(?<!\d)\.(?!\d)|[;!?:)\]—–]\s|\s[—–]\s|,?\s(?:but|while|whereas|then|so)\s|\bwhile\b")
_PLATFORM_TALK = (r"(?:limit|lambda'?s?|sagemaker'?s?|fargate'?s?|api gateway'?s?|endpoint'?s?|caps?|cuts?(?: it)?|"
                  r"stops?|maximum|max|quota|timeout|time limit|limited to|allows?|supports?|supported size|"
                  r"the most|default|timed out after|times out at|hits?|hit the)\W*(?:is|of|at|to|only|after)?\W*"
                  r"(?:about|around|only)?\W*$")
_LIMIT_AFTER = (r"^\W{0,3}(?:\.?zip\s|package\s|unzipped\s|deployment\s)?(?:limit|cap|maximum|max\b|quota|timeout|"
                r"limit of|time limit|is the most|of temp)|^\W*(?:is the most|max\b)")
_SETTING = r"(?:_s|delay|setting|configured|set to)\W*$"
_PLATFORM_OWNS = r"(?:lambda|sagemaker|fargate|api gateway|app runner)'s\b(?:(?!\b(?:our|we|my|us|its)\b)[^.;:,]){0,40}$"
_QUOTE = r"rule of thumb|benchmarks? show|the docs say|\brecommend(?:s|ed)?\b"
_STORAGE = r"(?:temp|/tmp|tmp|ephemeral|disk|storage|ssd)"
_GPU_MEMORY = r"vram|gpu memory|of gpu|gpu'?s memory"
_CPU_CHIP = r"\b(?:i[3579]-\d{4}|xeon|ryzen|epyc|core i[3579])"
_MACHINE = rf"{_CPU_CHIP}|macbook|laptop|desktop|workstation"
_MEMORY_AFTER = r"^\W*(?:of\s)?(?:ram|memory|heap|resident)|^\W*(?:lambda|function|worker|serverless endpoint|instance)\b"
_MEMORY_BEFORE = r"(?:\bram|memory|heap|with|needs?)\W*(?:of|is|:)?\W*(?:about|around|up to)?\W*$"
_PAYLOAD_AFTER = (r"^\W*each\b|^\W*(?:of\s)?(?:base64\s|json\s)?(?:images|photos|pictures|pdfs|documents|clips|"
                  r"recordings|videos|uploads|frames|scans)\b|"
                  r"^\W*(?:of\s)?(?:json\s|request\s|response\s|input\s)?(?:payloads?|bod(?:y|ies)|per (?:request|call|"
                  r"image|photo|file|upload|document)|requests?\b|responses?|uploads?|inputs?|in json|of json|photos?|"
                  r"images? per|wav|audio|video|csv|documents? at most)")
_PAYLOAD_BEFORE = (r"(?:payloads?|bod(?:y|ies)|uploads?|upload|returns?|return (?:results|images|files) of|results of|"
                   r"responses?|sends?|carry|carries|inputs?|photos|images|pictures|files|masks|pdfs|documents|"
                   r"ones|records|each upload|each|clips)\W*(?:are|is|of|carry|under|at)?\W*(?:around|about|up to|"
                   r"of up to|~|under)?\W*$")
_ARTIFACT_AFTER = (r"^\W*(?:[\w.-]+\s){0,3}?(?:model|artifact|image|package|weights|checkpoint|zip|container|bundle|"
                   r"wheel|llamafile|uncompressed|unzipped|onnx|pickle|file|ensemble|regression|classifier|"
                   r"deps|dependencies)")
_ARTIFACT_BEFORE = (r"(?:model|image|package|weights|artifact|bundle|zip|checkpoint|container|torch|librar(?:y|ies)|"
                    r"dependencies|wheel|classifier|pipeline|ranker|regressor|encoder|transformer|file|size)\b"
                    r"[^.;]{0,28}$")
_MEDIA_AFTER = (r"^[\s-]*(?:long\s)?(?:audio\s|sound\s)?(?:videos?|clips?|audio|recordings?|songs?|movies?|calls?|"
                r"meetings?|chunks?|wavs?|files?)\b")
_MEDIA_BEFORE = (r"(?:recordings?|videos?|audio|clips?|calls?|meetings?|movies?|podcasts?|episodes?)\s(?:of|lasting|"
                 r"that (?:are|last))\W*(?:up to|about|around|over)?\W*$")
_COLD = r"cold[- ]?starts?|cold (?:calls|requests?)"
_INIT = (r"\bload(?:ing|s|ed)?\b(?! balanc)|at init|\binit(?:iali[sz]ation)?\b|boot(?:-?up|s|ing)?|start-?up|spin(?:ning)? up|"
         r"to start")
_REQUEST_WORDS = (r"\b(?:each|per|requests?|invocations?|calls?|inference|predictions?|answers?|respon(?:ds?|ses?)|"
                  r"repl(?:y|ies)|generations?|warm)\b")
"""Words that make a duration a request's time when they are nearer to it than a load word."""
_SLO = (r"p9\d(?:\.\d)?|p50|\bslo|\bsla\b|ttft|\blatency\b|must|should|has to|needs? to|target|respon[ds]|"
        r"answer|expect|first token|anything")
_SLO_BOUND = r"(?:under|below|within|less than|<|at most|no more than)\b"
_MODEL_AFTER = (r"^\W*(?:per\b|each\b|inference\b|latency\b|processing\b|for (?:one|each|a|every)\b|to (?:run|score|predict|process|classify|answer|"
                r"transcribe|generate|finish|complete)|of (?:inference|processing|compute|gpu sampling|cold prefill)|"
                r"on (?:one|a|our|the) (?:cpu|core|vcpu|gpu)|warm\b|locally)")
_MODEL_BEFORE = (r"(?:takes?|took|taking|needs?(?: up to)?|runs? (?:in|for)|inference|processing|process(?:es)?|"
                 r"predicts? in|scores? in|finish(?:es|ed)?|complete[sd]?|answers? in|generat\w+|lasts?|stream for|"
                 r"execution runs|a request takes|prediction takes|is about|is|each|handles?|handled)\b[^.;]{0,25}$")
_PEAK_BEFORE = (r"(?:peak\w*|spik\w*|burst\w*|at most|max(?:imum)?|up to|tops? out|hits?|reach(?:es|ing)?)"
                r"(?:\s(?:to|of|up to|at|around|about|reaching|near))?\W*$")
_PEAK_AFTER = r"^\W*(?:at (?:the )?peak|peak|in bursts)"
_RATE_WANTED = r"need|expect|we get|we see|receive|serve|handle|process|arrive|traffic|volume|we're at|at about|growing"
_RATE_NOT_OURS = r"reach(?:es)?|benchmarks?|only gets|max(?:imum)?\b"
_BUSY_NEAR = (r"during (?:business|office|working) hours|in office hours|when (?:it'?s )?(?:active|busy)|"
              r"during the (?:work ?)?day|while active|when busy")
_MODEL_WORDS = (r"\b(?:model|weights|classifier|pipeline|checkpoint|pickle|network|bert|llm|regressor|ranker|"
                r"ensemble|transformer|encoder|package|container|bundle|zip|dependencies|librar(?:y|ies))s?\b")
_PAYLOAD_WORDS = (r"\b(?:payloads?|requests?|uploads?|images|photos?|files?|documents?|bod(?:y|ies)|inputs?|audio|"
                  r"videos?|clips?|responses?|returns?)\b")
_BYTES_CONTEXT = r"\bsize\b|\bbytes?\b|\bimage\b|\bpackage\b|sizelimit|too large|greater than"


def _clause(text: str, q_start: int, q_end: int) -> tuple[int, int]:
    """The bounds of the clause holding ``text[q_start:q_end]``."""
    start, end = 0, len(text)
    for m in _CLAUSE_END.finditer(text):
        if m.end() <= q_start:
            start = m.end()
        elif m.start() >= q_end:
            end = m.start()
            break
    return start, end


def _sentence(text: str, q_start: int) -> str:
    bounds = [0] + [m.end() for m in re.finditer(r"(?<!\d)[.!?](?!\d)\s*", text) if m.end() <= q_start]
    nxt = re.search(r"(?<!\d)[.!?](?!\d)", text[q_start:])
    return text[bounds[-1]: q_start + nxt.start() if nxt else len(text)].lower()


@dataclass
class _Context:
    """A quantity's surroundings within its clause (lower case)."""

    left: str
    right: str
    clause: str
    sentence: str
    head: str


def _context(text: str, q: Quantity) -> _Context:
    a, b = _clause(text, q.start, q.end)
    low = text.lower()
    return _Context(low[max(a, q.start - 70):q.start], low[q.end:min(b, q.end + 50)], low[a:b], _sentence(text, q.start),
                    q.text.lower())


def _about_platform(c: _Context) -> bool:
    return bool(re.search(_PLATFORM_TALK, c.left[-35:]) or re.search(_LIMIT_AFTER, c.right)
                or re.search(_SETTING, c.left[-20:]) or re.search(_PLATFORM_OWNS, c.left[-45:]))


def _size_field(c: _Context) -> tuple[str | None, str]:
    """``(field, "")`` or ``(None, what it is)``."""
    if re.search(r"^\W*(?:per (?:request|call|image|photo|file|upload|document)|payloads?\b)", c.right):
        return "payload_kb", ""
    if _about_platform(c):
        return None, "a platform's limit"
    if re.search(_MACHINE, c.left[-40:]):
        return None, "a machine's memory or disk, not the worker's"
    if re.search(_GPU_MEMORY, c.right[:20]) or re.search(_GPU_MEMORY, c.left[-15:]) or \
            re.search(rf"^\W*{_GPU_KIT}", c.right) or re.search(rf"{_GPU_KIT}\W*$", c.left[-12:]):
        return None, "a GPU's memory"
    if re.search(rf"^\W*(?:of\s)?{_STORAGE}", c.right) or re.search(rf"{_STORAGE}\W*$", c.left[-15:]):
        return None, "disk or /tmp storage"
    for pattern, name in ((_MEMORY_AFTER, "memory_mb"), (_PAYLOAD_AFTER, "payload_kb"), (_ARTIFACT_AFTER, "artifact_mb")):
        if re.search(pattern, c.right):
            return name, ""
    for pattern, name in ((_MEMORY_BEFORE, "memory_mb"), (_PAYLOAD_BEFORE, "payload_kb"),
                          (_ARTIFACT_BEFORE, "artifact_mb")):
        if re.search(pattern, c.left[-40:]):
            return name, ""
    return None, ""


def _duration_field(c: _Context, gpu_needed: bool) -> tuple[str | None, str]:
    """``(field, "")`` or ``(None, what it is)``."""
    if _about_platform(c) or re.search(r"timeout|time limit|timed out|times? out|gateway", c.left[-30:] + c.right[:25]):
        return None, "a platform's limit or setting"
    if re.search(_MEDIA_AFTER, c.right) or re.search(r"^\W*(?:long|of (?:audio|video))", c.right) or \
            re.search(_MEDIA_BEFORE, c.left[-40:]):
        return None, "the length of a recording or file"
    if re.search(r"^\W*(?:a|an|per)\s(?:day|week)\b", c.right):
        return None, "hours in a day, not a request's time"
    if re.search(_COLD, c.left[-45:] + " " + c.right[:14]) and not re.search(_INIT, c.left[-30:] + " " + c.right[:30]):
        return None, "a cold start (the platform's start-up plus the model's load)"
    if re.search(_INIT, c.right[:30]):
        return "init_ms", ""
    last_init = max((m.end() for m in re.finditer(_INIT, c.left)), default=-1)
    last_request = max((m.end() for m in re.finditer(_REQUEST_WORDS, c.left)), default=-1)
    if last_init > last_request:
        return "init_ms", ""
    if gpu_needed and re.search(rf"\bcpus?\b|{_CPU_CHIP}", c.clause) and not re.search(r"\bgpus?\b", c.clause):
        return None, "the time on a CPU, quoted for contrast (the model needs a GPU)"
    if re.search(_SLO_BOUND, c.left[-12:] + " " + c.head[:12]) and re.search(_SLO, c.left):
        return "latency_slo_ms", ""
    if re.search(r"(?:p9\d|p50|ttft|slo|sla)\W*(?:of|is|:)?\W*$", c.left[-12:]):
        return "latency_slo_ms", ""
    if re.search(_MODEL_AFTER, c.right) or re.search(_MODEL_BEFORE, c.left[-40:]):
        return "model_latency_ms", ""
    return None, ""


def _gpu(low: str) -> tuple[str, str] | None:
    """The GPU need the question states and the words it rests on: a stated option beats a stated need, a need beats
    "CPU only", which beats a GPU merely being used; talk of a platform having no GPU is not the service's need."""
    text = re.sub(_PLATFORM_GPU, " ", low)
    for pattern, need in ((GPU_OPTIONAL, "optional"), (GPU_NEED, "required"), (GPU_NO, "no"), (GPU_USE, "required"),
                          (GPU_CPU_WORDS, "no")):
        for m in re.finditer(pattern, text):
            if not re.search(_ASKED, text[max(0, m.start() - 30):m.start()]):
                return need, m.group(0)
    return None


def _words(text: str, q: Quantity, pad: int = 12) -> str:
    """The quantity's words with a little context, cut at word boundaries."""
    a = max(0, q.start - pad)
    b = min(len(text), q.end + pad)
    a = text.rfind(" ", 0, q.start - pad) + 1 if a > 0 else 0
    nxt = text.find(" ", b)
    b = len(text) if nxt < 0 else nxt
    return " ".join(text[a:b].split()).strip(" ,.;:")


def _bytes_candidates(text: str, quantities: list[Quantity]) -> tuple[list[Quantity], list[tuple[str, str]]]:
    """Large bare integers in a sentence about sizes, read as bytes (an assumption), and the other bare numbers."""
    found, unknown = [], []
    for a, b, raw in bare_numbers(text, quantities):
        value = float(raw.replace(",", "").replace("−", "-"))
        sentence = _sentence(text, a)
        if value >= 1e6 and float(value).is_integer() and re.search(_BYTES_CONTEXT, sentence):
            mb = value * SIZE_UNITS_MB["bytes"]
            found.append(Quantity("size", mb, a, b, raw, f"no unit: read as bytes ({mb / 1024:,.1f} GB), an ASSUMPTION",
                                  "MB", "a size beyond any real service" if not mb <= LARGEST["size"] else ""))
        else:
            ctx = " ".join(text[max(0, a - 20):b + 20].split())
            unknown.append((raw, f"no unit or role found (\u2026{ctx}\u2026)"))
    return found, unknown


MAX_CHARS = 4_000
"""The longest question read (about a page): the reading of one service's question, in bounded time."""


def read(question: str) -> Reading:
    """Everything ``question`` states (see the module docstring)."""
    if len(question) > MAX_CHARS:
        raise MlopsbookError(f"question: {len(question):,} characters, longer than the {MAX_CHARS:,} read; ask about "
                             "one service at a time")
    q = question.replace("’", "'")
    low = q.lower()
    fields: dict[str, Field] = {}
    prefs: dict[str, Field] = {}
    unused: list[tuple[str, str]] = []
    unknown: list[tuple[str, str]] = []

    def put(name: str, value: Any, words: str, note: str = "", assumed: bool = False, largest: bool = False,
            raw: str = "") -> None:
        old = fields.get(name)
        if old is None or (largest and value > old.value):
            if old is not None:
                unused.append((old.words, f"a smaller {name} than {words!r}"))
            fields[name] = Field(name, value, words, note, assumed, raw)
        elif largest:
            unused.append((words, f"a smaller {name} than {old.words!r}"))

    for words, pattern in PATTERN_WORDS:
        m = re.search(words, low)
        if m:
            put("traffic_pattern", pattern, q[m.start():m.end()])
            break
    gpu = _gpu(low)
    if gpu is not None:
        put("gpu", gpu[0], gpu[1])
    quantities = find(q)
    by_bytes, unknown_numbers = _bytes_candidates(q, quantities)
    unknown += unknown_numbers
    busy = False
    rates: list[tuple[int, Quantity]] = []
    media: list[tuple[Quantity, str]] = []
    for x in sorted(quantities + by_bytes, key=lambda x: x.start):
        c = _context(q, x)
        words = _words(q, x)
        if x.problem:
            unknown.append((words, x.problem + " (not used)"))
            continue
        if re.search(_QUOTE, c.sentence) and x.kind != "money":
            unused.append((words, "quoted from a rule of thumb or a benchmark, not the service's"))
            continue
        if x.kind == "money":
            if re.search(BUDGET_BEFORE, c.left[-30:]) or re.search(r"^\W*(?:a|per|/)\s?(?:month|mo)\b.{0,12}budget",
                                                                 c.right):
                prefs.setdefault("max_monthly_usd", Field("max_monthly_usd", x.value, words, x.note))
            else:
                unused.append((words, "an amount of money, not a budget"))
        elif x.kind == "rate":
            if re.search(_RATE_NOT_OURS, c.left[-30:]):
                unused.append((words, "a throughput measured or claimed, not the traffic"))
                continue
            score = 2 * bool(re.search(_RATE_WANTED, c.left[-40:]))
            volume = re.search(r"(?:day|night|week|month|mo|year|daily|weekly|monthly|nightly)\W*$", x.text.lower())
            if not volume and (re.search(_PEAK_BEFORE, c.left[-25:]) or re.search(_PEAK_AFTER, c.right) or
                               re.search(r"^\W*(?:for|lasting)\s(?:a few|\d+|several)", c.right)):
                put("peak_rps", x.value, words, x.note)
            else:
                rates.append((score, x))
        elif x.kind == "size":
            name, what = _size_field(c)
            if name is None and not what:
                # a size with nothing saying what of: the model's when the sentence is about the model and nothing
                # else; otherwise read as the model's and marked ASSUMED (the answer then holds whichever it is)
                name = "artifact_mb"
                about_model = re.search(_MODEL_WORDS, c.sentence) and not re.search(_PAYLOAD_WORDS, c.sentence)
                if "ASSUMPTION" not in x.note and not about_model:
                    x = Quantity(x.kind, x.value, x.start, x.end, x.text, "nothing says what it is the size of: read "
                                 "as the model's size, an ASSUMPTION", x.unit)
            if name is None:
                unused.append((words, what))
            elif name == "payload_kb":
                put(name, x.value * 1024, words, x.note, largest=True)
            else:
                put(name, x.value, words, x.note, assumed="ASSUMPTION" in x.note, largest=True, raw=x.text)
        elif x.kind == "duration":
            name, what = _duration_field(c, gpu is not None and gpu[0] == "required")
            if name is None:
                if what.startswith("the length of a recording"):
                    media.append((x, words))
                if what:
                    unused.append((words, what))
                else:
                    unknown.append((words, "a duration, but of what?"))
            else:
                put(name, x.value, words, x.note, largest=name in ("model_latency_ms", "init_ms"))
        elif x.kind == "params":
            if re.search(r"activ", c.right[:12]):
                unused.append((words, "active parameters (the weights are the total)"))
                continue
            put("artifact_mb", x.value, words, "weights: " + x.note, largest=True)
            if x.value * 2**20 / 2 >= 1e9 and "gpu" not in fields:  # >= 1B parameters at fp16
                put("gpu", "required", words, "a model of a billion parameters or more: read as needing a GPU")
    if media and "model_latency_ms" not in fields:
        x, words = max(media, key=lambda m: m[0].value)
        put("model_latency_ms", x.value, words, "the length of a recording: its processing is assumed to take up to as "
            "long, an ASSUMPTION", assumed=True, raw=x.text)
    if rates:
        best = max(rates, key=lambda sx: sx[0])[1]
        put("mean_rps", best.value, _words(q, best), best.note)
        for _, x in rates:
            if x is not best:
                unused.append((_words(q, x), "another rate (the question's own is the one it needs or gets)"))
        period_long = re.search(r"(?:day|week|month|mo|daily|weekly|monthly|nightly)\W*$", best.text.lower())
        if not period_long and re.search(_BUSY_NEAR, q[max(0, best.start - 45):best.end + 45].lower()):
            busy = True
    for words, objective in ((COST_WORDS, "cost"), (LATENCY_WORDS, "latency")):
        m = re.search(words, low)
        if m:
            prefs.setdefault("objective", Field("objective", objective, q[m.start():m.end()]))
    m = re.search(NO_COLD_WORDS, low)
    if m:
        prefs["no_cold_starts"] = Field("no_cold_starts", True, q[m.start():m.end()])
    for m in re.finditer(SCALE_TO_ZERO_WORDS, low):
        if re.search(_WISH, _sentence(q, m.start())):
            prefs["scale_to_zero"] = Field("scale_to_zero", True, q[m.start():m.end()])
            break
    return Reading(question, fields, prefs, busy, unused, unknown)


def extract(question: str) -> dict[str, Any]:
    """The values ``question`` states (profile fields, preference fields, and ``rate_is_busy`` when a rate was stated
    for the busy period only, e.g. "during business hours")."""
    return read(question).values()


def preferences(values: dict[str, Any]) -> Preferences:
    """The preferences stated in ``values`` (from :func:`extract`); the SLO counts as stated when it is there."""
    return Preferences(objective=values.get("objective", "cost"), slo_stated="latency_slo_ms" in values,
                       no_cold_starts=bool(values.get("no_cold_starts", False)),
                       scale_to_zero=bool(values.get("scale_to_zero", False)),
                       max_monthly_usd=values.get("max_monthly_usd"),
                       slo_ms=values.get("latency_slo_ms"))
