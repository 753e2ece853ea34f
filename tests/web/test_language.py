"""One language at a time: every page of the web app, in Finnish and in English, says
everything in that language.

A world with data of every message kind (runs of every trigger, status and failure
category, records of every action and status with every engine note, refusals of every
rule, changes of every field, a settings history through every option, tenant events of
every kind, a held register with its preview, a token) is rendered page by page: every GET
page of the route table, the forms' answers (saved, refused), the confirmation steps, and
the error pages. The check reads each page's visible text (and the attributes a person
reads: title, aria-label, placeholder, alt) and fails on

* a word that is in no catalog of the page's language (an English word on a Finnish page
  is one, and is named as English when the English catalogs hold it; and vice versa),
* a developer's word: ``snake_case`` or ``dotted.names`` (a catalog key shown raw, a field
  key, an option value),
* a catalog key asked for and missing (the translator shows the key: recorded as it is
  asked), and an entry without both languages.

**Vocabulary**: every word of every catalog of the language (the web app's ``TEXTS``, the
refusal rules, the article's field labels, the failure categories, the notification
choices, the engine's notes), plus a few names that are the same in both (Silta, Netvisor,
Severa, API, CSV, …). **User data** is not language: the values the fixture entered
(company, customer and token names, emails, changed values, the rules' filled values) are
taken out of the text before it is read, and so is an ``<option>`` whose text is its value
(the dimension headers Netvisor lists), and an element marked ``translate="no"`` (HTML's own
mark for "a name, not text": the invoice statuses a company named in Severa). The technical
detail of a failure (``<code class="detail">``, one click away under "Tekniset tiedot") is
Silta's own diagnostic text and is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import attrs
import httpx
import pytest

from silta.domain import (
    SETTING_KINDS,
    Action,
    CustomerDirection,
    FieldChange,
    ProductDirection,
    Register,
    RunKind,
    RunStatus,
    Status,
)
from silta.failures import CATEGORIES
from silta.notify.settings import EVENTS, PERIODS
from silta.registers import labels
from silta.registers.rules import RULES, refuse
from silta.store import Accounts, Entry, Role, Store
from silta.store.holds import Holds
from silta.store.invitations import Invitations
from silta.web import i18n
from silta.web.app import route_table
from tests.web.conftest import APP, WebWorld, build_web, csrf_of, login

LANGS = ("fi", "en")

# -- the vocabulary ----------------------------------------------------------------------------

# Names and abbreviations the same in both languages.
NEUTRAL = frozenset(
    [
        "silta",
        "netvisor",
        "severa",
        "ok",
        "api",
        "csv",
        "temp",
        "id",
        "http",
        "https",
        "tls",
        "dns",
        "kh",
        "csrf",
        "json",
        "url",
        "v1",
        "hmac",
        "sha256",
        "bearer",
        "authorization",
        "webhook",
        "silta-signature",
        "silta-timestamp",
    ]
)

_WORD = re.compile(r"[^\W\d]+(?:[_.'’][^\W\d]+)*")


def words(text: str) -> list[str]:
    """The words of ``text``: letters, joined by ``_``, ``.`` or an apostrophe (so that
    ``street_address`` and ``nav.settings`` stay one word and are seen for what they are);
    a hyphen or a slash separates."""
    return _WORD.findall(text)


def _catalog_pairs() -> Iterator[tuple[str, str]]:
    """Every (Finnish, English) text of every catalog the pages read."""
    yield from i18n.TEXTS.values()
    for rule in RULES.values():
        yield rule.fi, rule.en
    for table in (labels.FIELD_LABELS, labels.PREFIX_LABELS, labels.ADDRESS_LABELS):
        yield from table.values()
    yield from labels._REGISTER_LABELS.values()
    for category in CATEGORIES.values():
        yield category.fi, category.en
    yield "Netvisorin Netvisoriin Severan Severaan Palvelu Palvelun palveluun", "The service"
    yield from EVENTS.values()
    yield from PERIODS.values()
    for kind in SETTING_KINDS.values():  # what a refused setting says is allowed
        yield kind.allowed_fi, kind.allowed_en
        yield kind.text_allowed_fi, kind.text_allowed_en
    yield from _extra_catalogs()


def _extra_catalogs() -> Iterator[tuple[str, str]]:
    """Catalogs this change adds (the engine's notes); absent before it."""
    try:
        from silta.notes import NOTES
    except ImportError:
        return
    for note in NOTES.values():
        yield note.fi, note.en


def vocabulary() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {"fi": set(), "en": set()}
    for fi, en in _catalog_pairs():
        found["fi"].update(word.lower() for word in words(re.sub(r"\{[^}]*\}", " ", fi)))
        found["en"].update(word.lower() for word in words(re.sub(r"\{[^}]*\}", " ", en)))
    return {lang: frozenset(found[lang] | NEUTRAL) for lang in LANGS}


# -- reading a page ------------------------------------------------------------------------------

_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_UNREAD_TAGS = frozenset({"script", "style"})
_UNREAD_CLASSES = frozenset({"detail", "secret"})  # a failure's technical text; a new token


class _Reader(HTMLParser):
    """The text a person reads on the page, as (where, text) pieces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str]] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, unread)
        self._option: tuple[str | None, list[str]] | None = None

    @property
    def _unread(self) -> bool:
        return any(unread for _tag, unread in self._stack)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        values = dict(attributes)
        classes = set((values.get("class") or "").split())
        # translate="no": the company's own names from Severa or Netvisor (an invoice
        # status "Valmis lähetettäväksi Netvisoriin" is the same on an English page)
        unread = (
            tag in _UNREAD_TAGS
            or bool(classes & _UNREAD_CLASSES)
            or values.get("translate") == "no"
        )
        if not (self._unread or unread):
            for name in _READ_ATTRIBUTES:
                if values.get(name):
                    self.pieces.append((f"<{tag} {name}>", values[name] or ""))
        if tag == "option":
            self._option = (values.get("value"), [])
        if tag not in _VOID:
            self._stack.append((tag, unread))

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None:
            value, text = self._option
            self._option = None
            shown = "".join(text).strip()
            # an option whose text is its value is a value (a Netvisor header's name)
            if shown and shown != value and not self._unread:
                self.pieces.append(("<option>", shown))
        while self._stack:
            top, _unread = self._stack.pop()
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1].append(data)
            return
        if data.strip() and not self._unread:
            where = self._stack[-1][0] if self._stack else "document"
            self.pieces.append((f"<{where}>", data.strip()))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|/[\w./{}?=&%-]+")
# the operator's environment settings (SILTA_SMTP_URL) are names, the same in both languages
_SETTING = re.compile(r"\bSILTA_[A-Z_]+\b")


@attrs.frozen
class Problem:
    page: str
    where: str
    word: str
    why: str
    text: str

    def __str__(self) -> str:
        return f"{self.page}: {self.word!r} ({self.why}) in {self.where} {self.text[:140]!r}"


def read_page(
    html: str,
    lang: str,
    page: str,
    vocab: dict[str, frozenset[str]],
    data: list[str],
) -> list[Problem]:
    """What on ``html`` is not in ``lang``."""
    reader = _Reader()
    reader.feed(html)
    other = "en" if lang == "fi" else "fi"
    problems = []
    # the data as whole words, longest first: a name inside a longer value goes with it
    values = sorted(set(data), key=len, reverse=True)
    entered = re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in values if value))
    for where, text in reader.pieces:
        scrubbed = entered.sub(" ", text) if values else text
        scrubbed = _SETTING.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", scrubbed)))
        for word in words(scrubbed):
            lower = word.lower()
            if lower in vocab[lang] and "_" not in word:
                continue
            if "_" in word or "." in word:
                key = word in i18n.TEXTS
                why = "a catalog key shown raw" if key else "a developer's word"
                problems.append(Problem(page, where, word, why, text))
            elif lower not in vocab[lang]:
                language = "English" if other == "en" else "Finnish"
                why = (
                    f"{language} word on a {lang} page"
                    if lower in vocab[other]
                    else f"in no {lang} catalog"
                )
                problems.append(Problem(page, where, word, why, text))
    return problems


# -- the detector can fail ---------------------------------------------------------------------


def test_the_reader_finds_each_kind_of_wrong_word() -> None:
    vocab = vocabulary()
    page = (
        "<main><p>Asetukset tallennettu</p><p title='Run history'>Ajohistoria</p>"
        "<td>exists in the target; products are never updated</td>"
        "<td>street_address</td><td>nav.settings</td><option value='x'>Asiakkaat</option>"
        "<option value='Projektit'>Projektit</option><bdi>Demo Oy</bdi>"
        "<code class='detail'>NetvisorConnectError: cannot connect</code></main>"
    )
    found = {(p.word, p.why) for p in read_page(page, "fi", "test", vocab, ["Demo Oy"])}
    assert ("Run", "English word on a fi page") in found  # an attribute a person reads
    assert ("exists", "English word on a fi page") in found
    assert ("street_address", "a developer's word") in found
    assert ("nav.settings", "a catalog key shown raw") in found
    assert not {word for word, _why in found} & {"Asetukset", "Asiakkaat", "Projektit", "Demo"}
    assert not {word for word, _why in found} & {"NetvisorConnectError", "connect"}
    english = read_page("<p>Ajohistoria</p><p>Run history</p>", "en", "test", vocab, [])
    assert [(p.word, p.why) for p in english] == [("Ajohistoria", "Finnish word on a en page")]


# -- the world -------------------------------------------------------------------------------------


@attrs.define
class Rendered:
    """Every page rendered, per language: (what, status, html)."""

    pages: dict[str, list[tuple[str, int, str]]]
    data: list[str]
    missing: set[tuple[str, str]]  # (language, key) asked for and not in the catalog
    templates: set[str]  # the GET routes visited, as their path templates


_NUMBERS = (1011, 1012, 1013)


def _values(rule_id: str, number: int) -> dict[str, object]:
    """Every placeholder of every rule, filled with data (taken out before reading)."""
    names = re.findall(r"\{(\w+)\}", RULES[rule_id].fi + RULES[rule_id].en)
    # a part in one language (a reason, a hint) follows a word, as the rules' callers fill it
    return {
        name: f" (Lisätieto {number})" if name.endswith(("_fi", "_en")) else f"Arvo {number}"
        for name in names
    }


def _entries(data: list[str]) -> list[Entry]:
    """Records of every action and status, each rule's refusal, every field changed, every
    note the engine writes (stored as the engine stores them, new and old)."""
    entries: list[Entry] = []
    number = 2000

    def entry(**values: Any) -> Entry:
        nonlocal number
        number += 1
        name = f"Asiakas {number} Oy"
        data.extend([name, f"guid-{number}"])
        return Entry(
            register=values.pop("register", Register.CUSTOMERS),
            source_key=f"guid-{number}",
            natural_key=str(number),
            name=name,
            **values,
        )

    for action in Action:
        for status in Status:
            entries.append(entry(action=action, status=status))
    for rule_id in RULES:
        filled = _values(rule_id, number)
        data.extend(str(value).strip(" ()") for value in filled.values())
        entries.append(
            entry(
                action=Action.REFUSE, status=Status.REFUSED, refusals=(refuse(rule_id, **filled),)
            )
        )
    # every field a diff can name, in each register's own sense
    fields = [
        *labels.FIELD_LABELS,
        *(prefix + part for prefix in labels.PREFIX_LABELS for part in labels.ADDRESS_LABELS),
    ]
    for register in Register:
        changes = tuple(
            FieldChange(field, f"Vanha-{index}", f"Uusi-{index}")
            for index, field in enumerate(fields)
        )
        data.extend(value for change in changes for value in (change.old or "", change.new or ""))
        entries.append(
            entry(register=register, action=Action.UPDATE, status=Status.DONE, changes=changes)
        )
    for message, status in engine_notes():
        entries.append(entry(action=Action.SKIP, status=status, message=message))
    return entries


def engine_notes() -> list[tuple[str, Status]]:
    """What the engine writes as a record's message: its notes as it stores them now and as
    older versions stored them, and failures (a record's error, a run giving up)."""
    from silta.netvisor.errors import NetvisorConnectError
    from silta.severa.errors import SeveraTimeout
    from silta.sync.engine import _message

    found: list[tuple[str, Status]] = [
        # what versions before notes were ids stored (kept readable)
        (
            "exists in the target; products are never updated (Tuote on jo "
            "kohdejärjestelmässä: olemassa olevia tuotteita ei päivitetä)",
            Status.DONE,
        ),
        (
            "Netvisor's temporary customer (rule 7) is not transferred to Severa / "
            "Tilapäisasiakasta ei siirretä Severaan",
            Status.DONE,
        ),
        (
            "Netvisor's temporary product (rule 12) is not transferred to Severa / "
            "Tilapäistuotetta ei siirretä Severaan",
            Status.DONE,
        ),
        ("customers are not transferred; the TEMP customer exists in Netvisor", Status.DONE),
        ("products are not transferred; the TEMP product exists in Netvisor", Status.DONE),
        ("found in Netvisor by name and linked", Status.DONE),
        ("made by an interrupted run under its old name", Status.DONE),
        (
            _message(NetvisorConnectError("customer.nv: cannot connect (ConnectError)")),
            Status.FAILED,
        ),
        (_message(SeveraTimeout("POST /v1/customers: no answer within 30 s")), Status.FAILED),
        (_message(RuntimeError("boom")), Status.FAILED),
        (
            "not attempted: 5 failures in a row (customer.nv: cannot connect (ConnectError))",
            Status.FAILED,
        ),
    ]
    try:
        from silta.notes import NOTES, stored
    except ImportError:
        return found
    found.extend((stored(note_id), Status.DONE) for note_id in NOTES)
    # a text of the engine's own in both languages (an invoice's notices): each page reads
    # its own language's half
    from silta.notes import bilingual

    linked = NOTES["dimensions.made_interrupted"]
    found.append((bilingual(linked.fi, linked.en), Status.DONE))
    return found


def seed(web: WebWorld, data: list[str]) -> dict[str, Any]:
    """Data of every message kind in the users' tenant; what the pages need to find it."""
    store: Store = web.store
    tenant = web.tenant
    kh = web.users.kh
    # the settings through every option and every field (and back), then a held change
    settings = store.settings(tenant.id)
    steps: list[dict[str, Any]] = []
    for direction in CustomerDirection:
        steps.append({"customers": direction})
    for direction in ProductDirection:
        steps.append({"products": direction})
    steps += [
        {"dimensions": True, "project_header": "Projektit", "business_unit_header": "Yksiköt"},
        {"include_phases": True, "email_invoicing_channel": True},
        {"persons_without_business_id": True, "register_interval_minutes": 45},
        {"timezone": "Europe/Stockholm", "product_group": "Palvelut"},
        {"project_header": None, "include_phases": False, "timezone": "Europe/Helsinki"},
        {"customers": CustomerDirection.SEVERA_TO_NETVISOR},
        {"products": ProductDirection.NETVISOR_TO_SEVERA},
    ]
    data += ["Projektit", "Yksiköt", "Palvelut", "Europe/Stockholm", "Europe/Helsinki", "test"]
    data += [value for value in (settings.project_header, settings.business_unit_header) if value]
    for step in steps:
        settings = attrs.evolve(settings, **step)
        store.change_settings(tenant.id, settings, changed_by=kh)
    from datetime import time as clock

    settings = attrs.evolve(settings, dimension_time=clock(3, 30))
    store.change_settings(tenant.id, settings, changed_by=kh)
    # tenant events: connections, pause and resume, confirmations waived and required
    store.set_paused(tenant.id, True, changed_by=kh)
    store.set_paused(tenant.id, False, changed_by=kh)
    holds = Holds(store)
    holds.waive(tenant.id, True, by=web.users.operator)
    holds.waive(tenant.id, False, by=web.users.operator)
    fresh = store.tenant(tenant.id)
    for netvisor in (
        attrs.evolve(
            fresh.netvisor,
            credentials=attrs.evolve(fresh.netvisor.credentials, customer_key="uusi-avain"),
        ),
        fresh.netvisor,  # and back, so that the tab's live reads still work
    ):
        store.update_connections(tenant.id, netvisor=netvisor, changed_by=kh)
    # runs of every trigger kind, status and failure, real and preview
    from tests.web.history_data import record_run

    triggers = [
        "schedule #2",
        f"sync now: {kh}",
        f"preview: {kh}",
        f"preview to confirm: {kh}",
        f"sync now (api): {kh} (job 7)",
        f"preview (api): {kh}",
        "manual",
        "demo",
        "schedule",
    ]
    runs: list[int] = []
    entries = _entries(data)
    runs.append(record_run(store, tenant.id, entries, trigger="schedule #2"))
    for index, trigger in enumerate(triggers):
        runs.append(
            record_run(
                store,
                tenant.id,
                entries[:3],
                register=list(Register)[index % 3],
                kind=RunKind.FULL if index % 2 else RunKind.INCREMENTAL,
                trigger=trigger,
                dry_run=trigger.startswith("preview"),
                counts=dict.fromkeys(_COUNT_KEYS, index + 1),
            )
        )
    for category in CATEGORIES:
        for service in ("netvisor", "severa", None):
            run_id = store.start_run(
                tenant.id,
                Register.PRODUCTS,
                kind=RunKind.INCREMENTAL,
                dry_run=False,
                trigger="schedule #3",
            )
            store.finish_run(
                run_id,
                RunStatus.FAILED,
                counts={},
                error="Virhe: detail",
                failure_category=category,
                failure_service=service,
            )
            runs.append(run_id)
    from tests.web.history_data import CONNECT_ERROR, CREDENTIALS_ERROR

    for error in (CONNECT_ERROR, CREDENTIALS_ERROR, "interrupted by a restart", "odd"):
        runs.append(
            record_run(
                store,
                tenant.id,
                (),
                register=Register.DIMENSIONS,
                status=RunStatus.FAILED,
                error=error,
            )
        )
    runs.append(record_run(store, tenant.id, (), status=RunStatus.INTERRUPTED, error="odd"))
    running = record_run(
        store, tenant.id, (), register=Register.DIMENSIONS, status=RunStatus.RUNNING
    )
    store.report_progress(running, read=120, done=60, written=12)
    runs.append(running)
    # a held register with a preview since the hold
    settings = attrs.evolve(settings, customers=CustomerDirection.NETVISOR_TO_SEVERA)
    store.change_settings(tenant.id, settings, changed_by=kh, hold=True)
    preview = record_run(
        store, tenant.id, entries[:12], trigger=f"preview to confirm: {kh}", dry_run=True
    )
    runs.append(preview)
    # and one whose preview failed (the confirmation page says why in words)
    settings = attrs.evolve(settings, products=ProductDirection.SEVERA_TO_NETVISOR)
    store.change_settings(tenant.id, settings, changed_by=kh, hold=True)
    failed_preview = record_run(
        store, tenant.id, (), register=Register.PRODUCTS, trigger=f"preview to confirm: {kh}",
        dry_run=True, status=RunStatus.FAILED, error=CONNECT_ERROR,
    )  # fmt: skip
    runs.append(failed_preview)
    data.append(web.accounts.user(kh).email)
    # the ids of the connections (a viewer sees them), Netvisor's TEMP records' names
    nv, sv = fresh.netvisor.credentials, fresh.severa.credentials
    data += [nv.sender, nv.customer_id, nv.partner_id, nv.organisation_id, sv.client_id]
    data += ["Tilapäisasiakas", "Tilapäistuote"]
    # the values the form tests post (a value refused is quoted back)
    data += ["sideways", "many", "maybe", "25:99", "Mars/Olympus", "9999", "Raportointi"]
    web.accounts.create_api_token(kh, "Raportointi", tenant=tenant.id)
    data.append("Raportointi")
    return {"runs": runs, "entries": entries}


_COUNT_KEYS = [
    "created",
    "updated",
    "renamed",
    "unchanged",
    "skipped",
    "refused",
    "failed",
    "planned_create",
    "planned_update",
    "planned_rename",
    "planned_unchanged",
    "planned_skip",
]


class _Recording(i18n.Translator):
    """The translator, recording every key asked for that the catalog lacks."""

    missing: ClassVar[set[tuple[str, str]]] = set()

    def __call__(self, key: str, **values: object) -> str:
        if key not in i18n.TEXTS:
            _Recording.missing.add((self.language, key))
        return super().__call__(key, **values)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    import asyncio

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(i18n, "Translator", _Recording)
    _Recording.missing = set()
    path: Path = tmp_path_factory.mktemp("language")
    store = Store.open(f"sqlite:///{path / 'web.db'}", key_file=path / "web.key")
    try:
        web = build_web(store)
        data: list[str] = [
            web.tenant.name,
            web.other.name,
            web.users.kh,
            web.users.operator,
            web.users.viewer,
        ]
        seeded = seed(web, data)
        pages = asyncio.run(_render_all(web, seeded))
        data.sort(key=len, reverse=True)
        yield Rendered(pages[0], data, set(_Recording.missing), pages[1])
    finally:
        monkeypatch.undo()
        store.close()


async def _render_all(
    web: WebWorld, seeded: dict[str, Any]
) -> tuple[dict[str, list[tuple[str, int, str]]], set[str]]:
    pages: dict[str, list[tuple[str, int, str]]] = {lang: [] for lang in LANGS}
    visited: set[str] = set()
    tid = web.tenant.id
    transport = httpx.ASGITransport(app=web.app, raise_app_exceptions=False)  # type: ignore[arg-type]
    for lang in LANGS:

        def client(lang: str = lang) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=transport,
                base_url=APP,
                headers={"Origin": APP},
                cookies={"silta_lang": lang},
            )

        async def get(
            c: httpx.AsyncClient, path: str, template: str, what: str = "", lang: str = lang
        ) -> str:
            answer = await c.get(path)
            visited.add(template)
            pages[lang].append((what or path, answer.status_code, answer.text))
            return answer.text

        async def post(
            c: httpx.AsyncClient,
            path: str,
            form: dict[str, str],
            csrf: str,
            what: str,
            lang: str = lang,
        ) -> None:
            answer = await c.post(path, data={**form, "csrf_token": csrf})
            if answer.status_code in (301, 302, 303):
                location = answer.headers["location"]
                answer = await c.get(location)
                what = f"{what} → {location}"
            pages[lang].append((what, answer.status_code, answer.text))

        async with client() as anonymous:
            await get(anonymous, "/login", "/login")
            answer = await anonymous.post(
                "/login",
                data={
                    "email": "nobody@example.fi",
                    "password": "wrong",
                    "csrf_token": csrf_of(
                        (await anonymous.get("/login")).text.split('action="/login"', 1)[1]
                    ),
                },
            )
            pages[lang].append(("POST /login (wrong password)", answer.status_code, answer.text))
            await get(anonymous, "/no/such/page", "", "404 (anonymous)")
            # a KH's invitation as its invitee opens it, and one that is no more
            token, _ = Invitations(Accounts(web.store)).invite(
                tid, f"kutsu-{lang}@demo.fi", Role.VIEWER, by=web.users.kh
            )
            await get(anonymous, f"/invitations/{token}", "/invitations/{token}", "invitation")
            await get(anonymous, "/invitations/not-a-token", "", "invitation (no such)")
        for email in (web.users.operator, web.users.kh, web.users.viewer):
            async with client() as c:
                csrf = await login(c, email)
                base = f"/tenants/{tid}"
                await get(c, "/", "/", f"/ as {email}")
                await get(c, "/?state=failing&sort=name", "/")
                await get(
                    c, f"{base}/settings", "/tenants/{tenant_id}/settings", f"settings as {email}"
                )
                await get(c, f"{base}/confirm/customers", "/tenants/{tenant_id}/confirm/{register}")
                await get(c, f"{base}/confirm/products", "/tenants/{tenant_id}/confirm/{register}")
                await get(c, f"{base}/history", "/tenants/{tenant_id}/history")
                await get(c, f"{base}/notifications", "/tenants/{tenant_id}/notifications")
                if email != web.users.viewer:
                    await get(c, f"{base}/tokens", "/tenants/{tenant_id}/tokens")
                else:
                    await get(c, f"{base}/tokens", "", "403 (viewer's tokens)")
                if email != web.users.kh:
                    continue
                await get(c, f"{base}/preview", "/tenants/{tenant_id}/preview")
                await get(c, f"{base}/people", "/tenants/{tenant_id}/people")
                await get(c, f"{base}/settings/lookups", "/tenants/{tenant_id}/settings/lookups")
                await post(
                    c,
                    f"{base}/people/invite",
                    {"email": f"kollega-{lang}@demo.fi", "role": "kh"},
                    csrf,
                    "POST people/invite",
                )
                await post(
                    c,
                    f"{base}/people/invite",
                    {"email": "not an address", "role": "viewer"},
                    csrf,
                    "POST people/invite (bad address)",
                )
                await get(c, f"{base}/runs", "/tenants/{tenant_id}/runs")
                await get(c, f"{base}/runs?status=failed&preview=real", "/tenants/{tenant_id}/runs")
                await get(c, f"{base}/runs?status=bogus", "", "422 (a bad filter)")
                for run_id in seeded["runs"]:
                    await get(c, f"{base}/runs/{run_id}", "/tenants/{tenant_id}/runs/{run_id}")
                await get(c, f"{base}/records", "/tenants/{tenant_id}/records")
                records = await get(c, f"{base}/records?q=Asiakas", "/tenants/{tenant_id}/records")
                for record_id in sorted(set(re.findall(rf'href="{base}/records/(\d+)"', records)))[
                    :40
                ]:
                    await get(
                        c, f"{base}/records/{record_id}", "/tenants/{tenant_id}/records/{record_id}"
                    )
                await get(c, f"{base}/refusals", "/tenants/{tenant_id}/refusals")
                for rule_id in RULES:
                    await get(c, f"{base}/refusals?rule={rule_id}", "/tenants/{tenant_id}/refusals")
                    await get(c, f"{base}/fix/{rule_id}", "/tenants/{tenant_id}/fix/{rule_id}")
                await get(c, f"{base}/fix/no.such.rule", "", "404 (no such rule)")
                await get(c, f"/tenants/{web.other.id}/settings", "", "404 (another tenant)")
                await get(c, "/no/such/page", "", "404 (signed in)")
                await get(c, "/logout", "", "405 (GET /logout)")
                # the forms' answers
                settings = {
                    "customers": "severa_to_netvisor",
                    "products": "netvisor_to_severa",
                    "register_interval_minutes": "45",
                    "dimension_time": "02:00",
                    "timezone": "Europe/Helsinki",
                }
                for field, bad in (
                    ("customers", "sideways"),
                    ("products", "sideways"),
                    ("register_interval_minutes", "0"),
                    ("register_interval_minutes", "many"),
                    ("dimension_time", "25:99"),
                    ("timezone", "Mars/Olympus"),
                    ("dimensions", "maybe"),
                ):
                    await post(
                        c,
                        f"{base}/settings",
                        {**settings, field: bad},
                        csrf,
                        f"POST settings {field}={bad}",
                    )
                await post(
                    c,
                    f"{base}/settings",
                    {**settings, "register_interval_minutes": "50"},
                    csrf,
                    "POST settings (saved)",
                )
                await post(
                    c,
                    f"{base}/settings",
                    {**settings, "customers": "temp_customer"},
                    csrf,
                    "POST settings (held)",
                )
                await post(
                    c,
                    f"{base}/settings",
                    {**settings, "register_interval_minutes": "50"},
                    csrf,
                    "POST settings (unchanged)",
                )
                await post(
                    c,
                    f"{base}/credentials",
                    {"severa_url": "https://evil.example"},
                    csrf,
                    "POST credentials (address not allowed)",
                )
                await post(c, f"{base}/credentials", {}, csrf, "POST credentials (unchanged)")
                await post(
                    c,
                    f"{base}/tokens",
                    {"name": "", "scope": "read", "days": "30"},
                    csrf,
                    "POST tokens (no name)",
                )
                await post(
                    c,
                    f"{base}/tokens",
                    {"name": "x", "scope": "read", "days": "9999"},
                    csrf,
                    "POST tokens (bad days)",
                )
                await post(
                    c,
                    f"{base}/tokens",
                    {"name": "Raportointi", "scope": "read", "days": "30"},
                    csrf,
                    "POST tokens (made)",
                )
                await post(
                    c, f"{base}/confirm/customers", {"run_id": "1"}, csrf, "POST confirm (refused)"
                )
                await post(c, f"{base}/test-connection", {}, csrf, "POST test-connection")
                severa = web.store.tenant(tid).severa
                wrong = attrs.evolve(
                    severa, credentials=attrs.evolve(severa.credentials, client_secret="väärä")
                )
                web.store.update_connections(tid, severa=wrong, changed_by="test")
                await post(c, f"{base}/test-connection", {}, csrf, "POST test-connection (refused)")
                web.store.update_connections(tid, severa=severa, changed_by="test")
                await get(c, f"{base}/pause", "/tenants/{tenant_id}/pause", "the question")
                await post(c, f"{base}/pause", {"paused": "1"}, csrf, "POST pause (not asked)")
                await post(
                    c, f"{base}/pause", {"paused": "1", "confirmed": "1"}, csrf, "POST pause"
                )
                await get(c, f"{base}/pause", "/tenants/{tenant_id}/pause", "paused already")
                await post(c, f"{base}/pause", {"paused": "0"}, csrf, "POST resume")
    return pages, visited


def _page_routes(web_app: Any) -> set[str]:
    """Every GET route that answers with a page (not the API, a download or JSON)."""
    return {
        path
        for method, path in route_table(web_app)
        if method == "GET"
        and not path.startswith("/api/")
        and not path.endswith(".csv")
        and path not in ("/metrics", "/tenants/{tenant_id}", "/tenants/{tenant_id}/progress")
        and not path.startswith("/static")
    }


# -- the tests ---------------------------------------------------------------------------------


def test_every_page_route_is_rendered(rendered: Rendered, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'routes.db'}", key_file=tmp_path / "routes.key")
    try:
        routes = _page_routes(build_web(store).app)
    finally:
        store.close()
    assert routes - rendered.templates == set(), "pages the language test does not render"


def test_every_page_answered(rendered: Rendered) -> None:
    """The pages rendered as pages (an error page is one too), never a JSON or a bare text;
    the settings tab's live fragment (silta.web.lookups) is the one piece of a page."""
    for lang in LANGS:
        for what, status, html in rendered.pages[lang]:
            if what.endswith("/settings/lookups"):
                assert html.lstrip().startswith('<div data-testid="lookups">'), (lang, html[:200])
                continue
            assert html.lstrip().startswith("<!doctype html>"), (lang, what, status, html[:200])


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_in_one_language(rendered: Rendered, lang: str) -> None:
    vocab = vocabulary()
    problems: list[Problem] = []
    for what, status, html in rendered.pages[lang]:
        problems += read_page(html, lang, f"{what} [{status}]", vocab, rendered.data)
    unique = list(dict.fromkeys(str(problem) for problem in problems))
    assert not unique, f"{len(unique)} words not in {lang}:\n" + "\n".join(unique[:120])


def test_no_key_asked_for_is_missing(rendered: Rendered) -> None:
    assert sorted(rendered.missing) == []


def test_every_catalog_entry_has_both_languages() -> None:
    blank = [key for key, (fi, en) in i18n.TEXTS.items() if not fi.strip() or not en.strip()]
    assert blank == []
    for fi, en in _catalog_pairs():
        assert bool(fi.strip()) == bool(en.strip()), (fi, en)


def test_the_roles_are_named_as_the_article_names_them() -> None:
    """MISSION.md: "Käyttäjähallitsija (KH)-rooli"; no "pääkäyttäjä" anywhere."""
    assert i18n.TEXTS["role.kh"][0] == "Käyttäjähallitsija (KH)"
    assert not [key for key, (fi, _en) in i18n.TEXTS.items() if "pääkäyttäjä" in fi.lower()]


def test_every_key_a_template_names_is_in_the_catalog() -> None:
    """Keys written out in the templates (``t("nav.runs")``) exist; keys built from a value
    (``t("register." ~ r.value)``) are caught as they are asked for while rendering."""
    templates = Path(i18n.__file__).parent / "templates"
    named = {
        key
        for template in templates.glob("*.html")
        for key in re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""", template.read_text())
    }
    assert sorted(named - set(i18n.TEXTS)) == []


def test_the_pages_rendered_hold_every_kind_of_message(rendered: Rendered) -> None:
    """The world is what the check needs: each kind of message is on some Finnish page."""
    from silta.notes import NOTES

    shown = "\n".join(html for _what, _status, html in rendered.pages["fi"])
    expected = [
        *(note.fi for note in NOTES.values()),
        *(i18n.TEXTS[f"event.{kind}"][0] for kind in ("created", "connections", "paused")),
        *(i18n.TEXTS[f"trigger.{kind}"][0].split(":")[0] for kind in ("schedule", "sync_now")),
        "Severa hylkäsi tunnukset tai käyttöoikeudet",  # a refused test connection, in words
        "Netvisor ei vastaa",  # a record's failure by its category
        "Käyttäjähallitsija (KH)",
        "Keskeytetäänkö ajot?",
        i18n.TEXTS["confirm.failed"][0],  # a held register's failed preview
        i18n.TEXTS["error.404"][0],
        i18n.TEXTS["error.405"][0],
        i18n.TEXTS["error.422"][0],
    ]
    missing = [text for text in expected if text not in shown]
    assert missing == []
