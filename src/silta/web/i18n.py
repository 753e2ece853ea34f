"""The web app's words, in Finnish (the default) and English: one row per text.

The article's own Finnish labels are used verbatim where the article has them, so a KH admin
who has read Visma's instructions finds the same words on the tab. Refusal reasons come with
both languages from the rules themselves (:class:`silta.domain.Refusal`).
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGUAGES", "TEXTS", "Translator", "translator"]

LANGUAGES: Final = ("fi", "en")

# key: (Finnish, English)
TEXTS: Final[dict[str, tuple[str, str]]] = {
    # -- frame ------------------------------------------------------------------------------
    "app.title": ("Silta – Netvisor ja Severa", "Silta – Netvisor and Severa"),
    "nav.tenants": ("Yritykset", "Companies"),
    "nav.logout": ("Kirjaudu ulos", "Log out"),
    "nav.language": ("In English", "Suomeksi"),
    "nav.settings": ("Netvisor-Severa liittymän asetukset", "Netvisor-Severa integration settings"),
    "nav.runs": ("Ajohistoria", "Run history"),
    "nav.history": ("Asetushistoria", "Settings history"),
    "nav.preview": ("Seuraavan ajon esikatselu", "Preview next run"),
    "nav.tokens": ("API-avaimet", "API tokens"),
    "nav.records": ("Tietuehaku", "Record search"),
    "nav.refusals": ("Avoimet hylkäykset", "Open refusals"),
    # the article's term: "Käyttäjähallitsija (KH)-rooli" (MISSION.md)
    "role.kh": ("Käyttäjähallitsija (KH)", "User administrator (KH)"),
    "role.viewer": ("Katselija", "Viewer"),
    "role.operator": ("Ylläpitäjä", "Operator"),
    "readonly": (
        "Sinulla on lukuoikeus: asetuksia ei voi muuttaa.",
        "You have read-only access: settings cannot be changed.",
    ),
    # -- login ------------------------------------------------------------------------------
    "login.title": ("Kirjaudu sisään", "Log in"),
    "login.email": ("Sähköposti", "Email"),
    "login.password": ("Salasana", "Password"),
    "login.submit": ("Kirjaudu", "Log in"),
    "login.failed": ("Väärä sähköposti tai salasana.", "Wrong email or password."),
    "login.throttled": (
        "Liian monta epäonnistunutta yritystä. Yritä uudelleen {seconds} sekunnin kuluttua.",
        "Too many failed attempts. Try again in {seconds} seconds.",
    ),
    "origin.failed": (
        "Lomake lähetettiin toiselta sivulta kuin Siltasta, joten sitä ei käsitelty. Avaa "
        "Silta suoraan ja yritä uudelleen.",
        "The form was sent from a page other than Silta's, so it was not processed. Open "
        "Silta directly and try again.",
    ),
    "csrf.failed": (
        "Lomake oli vanhentunut tai väärä. Lataa sivu uudelleen ja yritä uudelleen.",
        "The form had expired or was invalid. Reload the page and try again.",
    ),
    # -- tenants overview -------------------------------------------------------------------
    "tenants.title": ("Yritykset", "Companies"),
    "tenants.none": ("Sinulla ei ole yrityksiä.", "You have no companies."),
    "tenants.company": ("Yritys", "Company"),
    "tenants.last": ("Edellinen ajo", "Last run"),
    "tenants.next": ("Seuraava ajo", "Next run"),
    "register.customers": ("Asiakkaat", "Customers"),
    "register.products": ("Tuotteet", "Products"),
    "register.dimensions": ("Laskentakohteet", "Dimensions"),
    "register.invoices": ("Myyntilaskut", "Sales invoices"),
    "health.ok": ("OK", "OK"),
    "health.refusals": ("Hylkäyksiä odottaa", "Refusals waiting"),
    "health.failing": ("Epäonnistuu", "Failing"),
    "health.credentials": ("Tunnukset hylätty", "Credentials rejected"),
    "health.paused": ("Keskeytetty", "Paused"),
    "health.never": ("Ei vielä ajettu", "Not run yet"),
    "health.off": ("Ei käytössä", "Off"),
    "health.running": ("Käynnissä", "Running"),
    "health.held": ("Odottaa vahvistusta", "Awaiting confirmation"),
    "due.now": ("nyt", "now"),
    # -- the operator's fleet (silta.web.overview) ------------------------------------------
    "tenants.search": ("Yrityksen nimi", "Company name"),
    "tenants.search_button": ("Hae", "Search"),
    "tenants.state": ("Tila", "State"),
    "tenants.all": ("kaikki", "all"),
    "tenants.total": ("{count} yritystä", "{count} companies"),
    "tenants.matching": ("Ehdot täyttää {count} yritystä.", "{count} companies match."),
    "tenants.none_match": ("Ei yrityksiä näillä ehdoilla.", "No companies match."),
    "tenants.sort": ("Järjestys", "Sort"),
    "tenants.page": ("Sivu {page} / {pages}", "Page {page} of {pages}"),
    "sort.health": ("tila, huonoin ensin", "health, worst first"),
    "sort.name": ("nimi", "name"),
    "sort.last": ("viimeisin ajo, uusin ensin", "last run, newest first"),
    "sort.stale": ("viimeisin ajo, vanhin ensin", "last run, oldest first"),
    # -- why a run failed (silta.web.failures) ----------------------------------------------
    "failure.credentials": (
        "Tunnukset tai käyttöoikeudet hylättiin",
        "Credentials or access rights were rejected",
    ),
    "failure.netvisor_unreachable": ("Netvisor ei vastaa", "Netvisor did not answer"),
    "failure.netvisor_maintenance": (
        "Netvisorissa on huoltokatko",
        "Netvisor is down for maintenance",
    ),
    "failure.netvisor_error": ("Netvisor palautti virheen", "Netvisor returned an error"),
    "failure.severa_unreachable": ("Severa ei vastaa", "Severa did not answer"),
    "failure.severa_rate_limited": ("Severa rajoitti pyyntöjä", "Severa limited the requests"),
    "failure.severa_error": ("Severa palautti virheen", "Severa returned an error"),
    "failure.records_failed": ("Osa tietueista epäonnistui", "Some records failed"),
    "failure.configuration": (
        "Asetukset on korjattava ennen seuraavaa ajoa",
        "The settings must be fixed before the next run",
    ),
    "failure.interrupted": ("Ajo keskeytyi", "The run was interrupted"),
    "failure.database": (
        "Siltan tietokanta ei ollut käytettävissä",
        "Silta's database was unavailable",
    ),
    "failure.internal": ("Odottamaton virhe Siltassa", "An unexpected fault in Silta"),
    "failure.unknown": ("Ajo epäonnistui", "The run failed"),
    "failure.details": ("Tekniset tiedot", "Technical details"),
    # -- settings tab -----------------------------------------------------------------------
    "settings.customers": ("Asiakasrekisteri", "Customer register"),
    "settings.products": ("Tuoterekisteri", "Product register"),
    "dir.netvisor_to_severa": ("Netvisor → Severa", "Netvisor → Severa"),
    "dir.severa_to_netvisor": ("Severa → Netvisor", "Severa → Netvisor"),
    "dir.temp_customer": (
        "Ei siirretä – käytä tilapäisasiakasta",
        "Not transferred – use the temporary customer",
    ),
    "dir.temp_product": (
        "Ei siirretä – käytä tilapäistuotetta",
        "Not transferred – use the temporary product",
    ),
    "settings.dimensions": (
        "Siirretään Severan projektit laskentakohteiksi Netvisoriin",
        "Transfer Severa projects to Netvisor as dimensions",
    ),
    "settings.project_header": (
        "Laskentakohdeotsikko projekteille",
        "Dimension header for projects",
    ),
    "settings.business_unit_header": (
        "Laskentakohdeotsikko liiketoimintayksiköille",
        "Dimension header for business units",
    ),
    "settings.header_none": ("(ei luoda)", "(not created)"),
    "settings.headers_unavailable": (
        "Netvisorin laskentakohdeotsikoita ei saatu: {error}",
        "Could not read Netvisor's dimension headers: {error}",
    ),
    "settings.header_missing": (
        "Otsikkoa {name} ei ole Netvisorissa.",
        "The header {name} does not exist in Netvisor.",
    ),
    "settings.include_phases": ("Tuo myös töiden vaiheet", "Also import the work phases"),
    "settings.email_channel": (
        "Netvisorin sähköpostilaskutuskanava on käytössä",
        "Netvisor's e-mail invoicing channel is in use",
    ),
    "settings.persons": (
        "Severan asiakkaat ilman Y-tunnusta ovat henkilöasiakkaita",
        "Severa customers without a business ID are person customers",
    ),
    "settings.schedule": ("Aikataulu", "Schedule"),
    "settings.interval": (
        "Asiakkaat ja tuotteet siirretään (minuutin välein)",
        "Customers and products are transferred every (minutes)",
    ),
    "settings.dimension_time": (
        "Laskentakohteet siirretään öisin klo",
        "Dimensions are transferred nightly at",
    ),
    "settings.timezone": ("Aikavyöhyke", "Time zone"),
    "settings.product_group": (
        "Netvisorin tuoteryhmä Severan tuotteille",
        "Netvisor product group for Severa products",
    ),
    "settings.save": ("Tallenna asetukset", "Save settings"),
    "settings.saved": (
        "Asetukset tallennettu (versio {version}).",
        "Settings saved (version {version}).",
    ),
    "settings.unchanged": ("Mikään ei muuttunut.", "Nothing changed."),
    "settings.full_next": (
        "Seuraava ajo lukee kaiken: {registers}.",
        "The next run reads everything: {registers}.",
    ),
    "settings.invalid": ("Asetuksia ei tallennettu: {error}", "Settings not saved: {error}"),
    "settings.held": (
        "Muutos ei kirjoita mitään ennen kuin esikatselu on vahvistettu: {registers}.",
        "The change writes nothing until its preview is confirmed: {registers}.",
    ),
    # -- confirming a change of what a register writes (silta.confirmation) ----------------
    "hold.banner": (
        "{register}: asetusten muutos odottaa vahvistusta. Ajastetut ajot eivät kirjoita "
        "mitään ennen kuin käyttäjähallitsija (KH) on tarkistanut esikatselun ja vahvistanut sen.",
        "{register}: a settings change awaits confirmation. Scheduled runs write nothing "
        "until a user administrator (KH) has checked the preview and confirmed it.",
    ),
    "hold.review": ("Esikatsele ja vahvista", "Preview and confirm"),
    "hold.changed": ("{who} muutti {when}", "Changed by {who} on {when}"),
    "confirm.title": ("Vahvista muutos: {register}", "Confirm the change: {register}"),
    "confirm.explain": (
        "Seuraava ajo kirjoittaa toiseen järjestelmään tämän esikatselun mukaisesti. Tarkista, "
        "mitkä tiedot se korvaa, ennen kuin vahvistat.",
        "The next run writes to the other system as this preview shows. Check which values it "
        "overwrites before you confirm.",
    ),
    "confirm.no_preview": (
        "Muutoksen jälkeen ei ole tehty esikatselua. Esikatselu lukee molemmat järjestelmät "
        "mutta ei kirjoita mitään.",
        "No preview has been made since the change. A preview reads both systems but writes "
        "nothing.",
    ),
    "confirm.make_preview": ("Tee esikatselu", "Make a preview"),
    "confirm.new_preview": ("Tee uusi esikatselu", "Make a new preview"),
    "confirm.preview_of": ("Esikatselu {when} (ajo {run})", "Preview of {when} (run {run})"),
    "confirm.summary": (
        "Seuraava ajo päivittäisi {updates}, loisi {creates} ja nimeäisi uudelleen {renames} "
        "tietuetta.",
        "The next run would update {updates}, create {creates} and rename {renames} records.",
    ),
    "confirm.nothing": (
        "Esikatselun mukaan seuraava ajo ei kirjoita mitään.",
        "According to the preview the next run writes nothing.",
    ),
    "confirm.confirm": ("Vahvista: seuraava ajo saa kirjoittaa", "Confirm: the next run may write"),
    "confirm.confirm_sync": ("Vahvista ja synkronoi nyt", "Confirm and sync now"),
    "confirm.failed": (
        "Esikatselu ei onnistunut, joten sitä ei voi vahvistaa. Tee uusi esikatselu.",
        "The preview did not complete, so it cannot be confirmed. Make a new one.",
    ),
    "confirm.not_held": (
        "{register} ei odota vahvistusta: muutokset on vahvistettu tai niitä ei ole.",
        "{register} is not waiting for a confirmation: its changes are confirmed, or none.",
    ),
    "confirm.viewer": (
        "Vain käyttäjähallitsija (KH) voi vahvistaa.",
        "Only a user administrator (KH) can confirm.",
    ),
    "confirm.sync_waits": (
        "Synkronointi odottaa vahvistustasi: tarkista esikatselu ja vahvista, niin "
        "synkronointi käynnistyy.",
        "Sync now waits for your confirmation: check the preview and confirm, and the sync starts.",
    ),
    "confirm.done": (
        "{register}: muutos vahvistettu. Seuraava ajo kirjoittaa.",
        "{register}: change confirmed. The next run writes.",
    ),
    "confirm.refused.not_held": (
        "Ei vahvistettavaa: muutos on jo vahvistettu tai peruttu.",
        "Nothing to confirm: the change was confirmed or undone already.",
    ),
    "confirm.refused.not_preview": (
        "Vain tämän rekisterin esikatselun voi vahvistaa.",
        "Only a preview of this register can be confirmed.",
    ),
    "confirm.refused.incomplete": (
        "Esikatselu ei valmistunut: tee uusi esikatselu.",
        "The preview did not complete: make a new one.",
    ),
    "confirm.refused.stale": (
        "Asetukset muuttuivat esikatselun jälkeen: tee uusi esikatselu ja vahvista se.",
        "The settings changed after the preview: make a new preview and confirm that one.",
    ),
    "waiver.title": ("Muutosten vahvistaminen", "Confirming changes"),
    "waiver.required": (
        "Vaaditaan: suunnan tai laskentakohdeotsikoiden muutos kirjoittaa vasta, kun KH on "
        "vahvistanut esikatselun.",
        "Required: a change of direction or dimension headers writes only after a KH has "
        "confirmed its preview.",
    ),
    "waiver.waived": (
        "Ylläpitäjä on ohittanut vahvistukset: muutokset tulevat voimaan seuraavassa ajossa.",
        "The operator has waived confirmations: changes take effect on the next run.",
    ),
    "waiver.waive": ("Ohita vahvistukset (ylläpitäjä)", "Waive confirmations (operator)"),
    "waiver.require": ("Vaadi vahvistukset", "Require confirmations"),
    "temp.exists": (
        "Tilapäis{what} TEMP on Netvisorissa ({name}).",
        "The temporary {what} TEMP exists in Netvisor ({name}).",
    ),
    "temp.missing": (
        "Tilapäis{what} TEMP puuttuu Netvisorista: luo se Netvisorissa koodilla TEMP.",
        "The temporary {what} TEMP is missing in Netvisor: create it there with the code TEMP.",
    ),
    "temp.unknown": (
        "TEMP-tietueen olemassaoloa ei voitu tarkistaa: {error}",
        "Could not check whether TEMP exists: {error}",
    ),
    "temp.customer": ("asiakas", "customer"),
    "temp.product": ("tuote", "product"),
    # -- credentials ------------------------------------------------------------------------
    "cred.title": ("Yhteydet ja tunnukset", "Connections and credentials"),
    "cred.help": (
        "Salaisia avaimia ei näytetä koskaan. Jätä kenttä tyhjäksi, niin nykyinen säilyy.",
        "Secret keys are never shown. Leave a field empty to keep the current one.",
    ),
    "cred.netvisor_url": ("Netvisorin osoite", "Netvisor address"),
    "cred.sender": ("Lähettäjä", "Sender"),
    "cred.customer_id": ("Käyttäjätunnus (CustomerId)", "Customer id"),
    "cred.customer_key": ("Käyttäjäavain", "Customer key"),
    "cred.partner_id": ("Kumppanitunnus (PartnerId)", "Partner id"),
    "cred.partner_key": ("Kumppaniavain", "Partner key"),
    "cred.organisation_id": ("Yrityksen Y-tunnus", "Organisation (business ID)"),
    "cred.severa_url": ("Severan osoite", "Severa address"),
    "cred.client_id": ("Client ID", "Client ID"),
    "cred.client_secret": ("Client secret", "Client secret"),
    "cred.secret_set": ("asetettu", "set"),
    "cred.save": ("Tallenna tunnukset", "Save credentials"),
    "cred.saved": ("Tunnukset tallennettu.", "Credentials saved."),
    "cred.unchanged": ("Tunnukset eivät muuttuneet.", "The credentials did not change."),
    "cred.invalid": ("Tunnuksia ei tallennettu: {error}", "Credentials not saved: {error}"),
    "cred.test": ("Testaa yhteys", "Test connection"),
    "cred.test_ok": ("{service}: yhteys toimii.", "{service}: the connection works."),
    "cred.test_failed": ("{service}: {error}", "{service}: {error}"),
    "cred.allowed": (
        "Palvelun osoitteeksi voi valita vain ylläpitäjän sallimat osoitteet. Osoitteen "
        "vaihto vaatii palvelun salaiset avaimet uudelleen samalla tallennuksella.",
        "Only the addresses the operator allows can be chosen. Changing an address needs "
        "the service's secret keys entered again in the same save.",
    ),
    "cred.not_allowed": ("ei sallittu", "not allowed"),
    # -- API tokens -------------------------------------------------------------------------
    "tokens.help": (
        "API-avaimella ohjelma voi käyttää Siltan rajapintaa (/api/v1) tämän yrityksen "
        "puolesta: lukuavain vain lukee, kirjoitusavain voi myös muuttaa asetuksia ja "
        "käynnistää ajoja. Avain vanhenee, ja salasanan vaihto mitätöi kaikki avaimesi.",
        "An API token lets a program use Silta's API (/api/v1) for this company: a read "
        "token only reads, a write token may also change settings and start runs. A token "
        "expires, and changing your password revokes all your tokens.",
    ),
    "tokens.name": ("Nimi", "Name"),
    "tokens.user": ("Käyttäjä", "User"),
    "tokens.scope": ("Oikeus", "Scope"),
    "tokens.scope_read": ("luku", "read"),
    "tokens.scope_write": ("luku ja kirjoitus", "read and write"),
    "tokens.reach": ("Yritys", "Company"),
    "tokens.all_tenants": ("kaikki käyttäjän yritykset", "all the user's companies"),
    "tokens.created": ("Luotu", "Created"),
    "tokens.expires": ("Vanhenee", "Expires"),
    "tokens.expired": ("vanhentunut", "expired"),
    "tokens.last_used": ("Käytetty viimeksi", "Last used"),
    "tokens.revoke": ("Mitätöi", "Revoke"),
    "tokens.revoked": ("Avain mitätöity.", "Token revoked."),
    "tokens.none": ("Ei API-avaimia.", "No API tokens."),
    "tokens.new": ("Uusi API-avain", "New API token"),
    "tokens.lifetime": ("Voimassa", "Valid for"),
    "tokens.days": ("{days} päivää", "{days} days"),
    "tokens.create": ("Luo avain", "Create token"),
    "tokens.created_ok": ("Avain luotu.", "Token created."),
    "tokens.shown_once": (
        "Kopioi avain nyt: sitä ei näytetä enää koskaan.",
        "Copy the token now: it will never be shown again.",
    ),
    "tokens.how": (
        "Lähetä se otsakkeessa Authorization: Bearer <avain>.",
        "Send it as the header Authorization: Bearer <token>.",
    ),
    "tokens.invalid": ("Avainta ei luotu: {error}", "Token not created: {error}"),
    # -- runs -------------------------------------------------------------------------------
    "actions.title": ("Toiminnot", "Actions"),
    "actions.preview": ("Esikatsele seuraava ajo", "Preview next run"),
    "actions.sync": ("Synkronoi nyt", "Sync now"),
    "actions.all": ("Kaikki rekisterit", "All registers"),
    "actions.pause": ("Keskeytä ajot", "Pause runs"),
    "actions.resume": ("Jatka ajoja", "Resume runs"),
    "actions.paused": ("Ajot on keskeytetty.", "Runs are paused."),
    "actions.resumed": ("Ajot jatkuvat.", "Runs resume."),
    "job.started": ("Ajo käynnistetty.", "The run has started."),
    "job.done": ("Ajo valmis.", "The run has finished."),
    "job.busy": (
        "Yrityksellä on jo ajo käynnissä. Yritä uudelleen, kun se on valmis.",
        "The company already has a run going. Try again when it has finished.",
    ),
    "job.queued": (
        "Ajo on jonossa ja alkaa, kun työprosessi vapautuu.",
        "The run is queued; it starts when a worker is free.",
    ),
    "job.running": ("Käynnissä: {register}…", "Running: {register}…"),
    "job.failed": ("Ajo epäonnistui: {error}", "The run failed: {error}"),
    "progress.title": ("Käynnissä olevat ajot", "Runs going now"),
    "progress.starting": ("{register}: alkaa…", "{register}: starting…"),
    "progress.text": (
        "{register}: luettu {read}, käsitelty {done} / {read}, kirjoitettu {written}",
        "{register}: {read} read, {done} of {read} processed, {written} written",
    ),
    "preview.none": (
        "Esikatselua ei ole vielä tehty.",
        "No preview has been made yet.",
    ),
    "preview.note": (
        "Esikatselu ei kirjoita mitään: näin seuraava ajo tekisi nyt.",
        "A preview writes nothing: this is what the next run would do now.",
    ),
    "runs.none": ("Ei ajoja.", "No runs."),
    "runs.started": ("Alkoi", "Started"),
    "runs.register": ("Rekisteri", "Register"),
    "runs.kind": ("Laji", "Kind"),
    "runs.status": ("Tila", "Status"),
    "runs.records": ("Tietueet", "Records"),
    "runs.trigger": ("Käynnistäjä", "Trigger"),
    "runs.error": ("Virhe", "Error"),
    "runs.dry": ("esikatselu", "preview"),
    "runs.none_match": ("Ei ajoja näillä ehdoilla.", "No runs match."),
    "runs.since": ("Alkaen", "From"),
    "runs.until": ("Päättyen", "To"),
    "runs.which": ("Ajot", "Runs"),
    "runs.real": ("oikeat ajot", "real runs"),
    "runs.previews": ("esikatselut", "previews"),
    "filter.clear": ("Tyhjennä", "Clear"),
    "pager.previous": ("← Edelliset", "← Previous"),
    "pager.next": ("Seuraavat →", "Next →"),
    "pager.first": ("Alkuun", "To the start"),
    "export.csv": ("Lataa CSV", "Download CSV"),
    # who or what started a run (silta.triggers)
    "trigger.schedule": ("Ajastettu ajo", "Scheduled run"),
    "trigger.sync_now": ("Synkronoi nyt: {who}", "Sync now: {who}"),
    "trigger.preview": ("Esikatselu: {who}", "Preview: {who}"),
    "trigger.confirm_preview": (
        "Esikatselu vahvistusta varten: {who}",
        "Preview for a confirmation: {who}",
    ),
    "trigger.api": ("Rajapinnan kautta: {who}", "Through the API: {who}"),
    "trigger.cli": ("Komentorivi", "Command line"),
    "trigger.demo": ("Esittely", "Demo"),
    "triggerkind.schedule": ("ajastettu ajo", "scheduled run"),
    "triggerkind.sync_now": ("synkronoi nyt", "sync now"),
    "triggerkind.preview": ("esikatselu", "preview"),
    "triggerkind.confirm_preview": ("esikatselu vahvistusta varten", "preview for a confirmation"),
    "triggerkind.api": ("rajapinta", "API"),
    "triggerkind.cli": ("komentorivi", "command line"),
    "triggerkind.demo": ("esittely", "demo"),
    "triggerkind.other": ("muu", "other"),
    "kind.incremental": ("muutokset", "incremental"),
    "kind.full": ("kaikki", "full"),
    "runstatus.running": ("käynnissä", "running"),
    "runstatus.completed": ("valmis", "completed"),
    "runstatus.failed": ("epäonnistui", "failed"),
    "runstatus.interrupted": ("keskeytyi", "interrupted"),
    "entry.key": ("Tunnus", "Key"),
    "entry.name": ("Nimi", "Name"),
    "entry.action": ("Toimenpide", "Action"),
    "entry.status": ("Tila", "Status"),
    "entry.changes": ("Muutokset", "Changes"),
    "entry.reason": ("Syy", "Reason"),
    "entry.fix": ("Korjaa", "Fix"),
    "entry.none": ("Ei tietueita näillä ehdoilla.", "No records match."),
    "entry.source_key": ("Lähdetunnus", "Source key"),
    "entry.target_key": ("Kohdetunnus", "Target key"),
    "entry.rules": ("Säännöt", "Rules"),
    "entry.message": ("Viesti", "Message"),
    "entry.details": ("Tiedot", "Details"),
    # -- the record search and a record's timeline -----------------------------------------
    "records.help": (
        "Hae asiakasnumerolla tai nimellä, tuotekoodilla, projektilla tai laskun numerolla.",
        "Search by customer number or name, product code, project or invoice number.",
    ),
    "records.q": ("Haku", "Search"),
    "records.search": ("Hae", "Search"),
    "records.none": ("Ei löytynyt tietueita.", "No records found."),
    "records.first_seen": ("Nähty ensin", "First seen"),
    "records.last_seen": ("Nähty viimeksi", "Last seen"),
    "timeline.help": (
        "Mitä kukin ajo teki tietueelle, uusin ensin: lopputulos, syy ja muutokset.",
        "What each run did with the record, newest first: outcome, reason and changes.",
    ),
    "timeline.run": ("Ajo", "Run"),
    "timeline.preview": ("Esikatselu", "Preview"),
    "timeline.yes": ("kyllä", "yes"),
    "timeline.no": ("ei", "no"),
    "timeline.none": ("Ei tapahtumia näillä ehdoilla.", "No outcomes match."),
    "timeline.back": ("← Tietuehaku", "← Record search"),
    # -- open refusals ----------------------------------------------------------------------
    "refusals.help": (
        "Tietueet, jotka niiden uusin ajo hylkäsi. Korjaa tiedot, niin seuraava ajo siirtää ne.",
        "Records that their newest run refused. Fix the data and the next run transfers them.",
    ),
    "refusals.none": ("Ei avoimia hylkäyksiä.", "No open refusals."),
    "refusals.total": ("{count} tietuetta odottaa korjausta.", "{count} records wait to be fixed."),
    "refusals.count": ("{count} tietuetta", "{count} records"),
    "refusals.show_all": ("Näytä kaikki {count}", "Show all {count}"),
    "refusals.all_rules": ("← Kaikki säännöt", "← All rules"),
    "refusals.rule": ("Sääntö", "Rule"),
    "refusals.where": ("Missä korjataan", "Where to fix"),
    "refusals.where_severa": ("Severassa", "In Severa"),
    "refusals.where_netvisor": ("Netvisorissa", "In Netvisor"),
    "refusals.where_settings": ("Asetuksissa", "In the settings"),
    "filter.all": ("kaikki", "all"),
    "filter.apply": ("Suodata", "Filter"),
    "action.create": ("luonti", "create"),
    "action.update": ("päivitys", "update"),
    "action.rename": ("nimenmuutos", "rename"),
    "action.unchanged": ("ei muutosta", "unchanged"),
    "action.skip": ("ohitettu", "skipped"),
    "action.refuse": ("hylätty", "refused"),
    "status.planned": ("suunniteltu", "planned"),
    "status.done": ("tehty", "done"),
    "status.refused": ("hylätty", "refused"),
    "status.failed": ("epäonnistui", "failed"),
    "count.created": ("luotu", "created"),
    "count.updated": ("päivitetty", "updated"),
    "count.renamed": ("nimetty", "renamed"),
    "count.unchanged": ("ennallaan", "unchanged"),
    "count.skipped": ("ohitettu", "skipped"),
    "count.refused": ("hylätty", "refused"),
    "count.failed": ("epäonnistui", "failed"),
    "count.planned_create": ("luotaisiin", "would create"),
    "count.planned_update": ("päivitettäisiin", "would update"),
    "count.planned_rename": ("nimettäisiin", "would rename"),
    "count.planned_unchanged": ("ennallaan", "unchanged"),
    "count.planned_skip": ("ohitettaisiin", "would skip"),
    # -- settings history -------------------------------------------------------------------
    "history.when": ("Milloin", "When"),
    "history.who": ("Kuka", "Who"),
    "history.what": ("Mitä", "What"),
    "history.created": ("Asetukset luotiin", "Settings created"),
    "history.none": ("Ei muutoksia.", "No changes."),
    # -- errors -----------------------------------------------------------------------------
    "error.403": ("Sinulla ei ole oikeutta tähän.", "You may not do this."),
    "error.404": ("Sivua ei löydy.", "Page not found."),
    "error.422": ("Virheellinen pyyntö.", "Invalid request."),
    "fix.severa": (
        "Korjaa tiedot Severassa; seuraava ajo siirtää ne.",
        "Fix the data in Severa; the next run transfers it.",
    ),
    "fix.netvisor": (
        "Korjaa tiedot Netvisorissa; seuraava ajo siirtää ne.",
        "Fix the data in Netvisor; the next run transfers it.",
    ),
    "error.back": ("Takaisin etusivulle", "Back to the front page"),
    # -- notifications (silta.web.notifications) --------------------------------------------
    "nav.notifications": ("Ilmoitukset", "Notifications"),
    "notify.help": (
        "Valitse, kenelle Silta kertoo epäonnistuneista ajoista, hylätyistä tunnuksista ja "
        "uusista hylätyistä tietueista. Tapahtumat kootaan yhteen viestiin jaksoa kohden; "
        "samasta hylkäyksestä kerrotaan vain kerran.",
        "Choose whom Silta tells of failed runs, rejected credentials and new refused "
        "records. Events are gathered into one message per period; each refusal is "
        "reported once.",
    ),
    "notify.mail_off": (
        "Sähköpostia ei ole otettu käyttöön (ylläpitäjän SILTA_SMTP_URL): viestejä ei lähetetä.",
        "Mail is not set up (the operator's SILTA_SMTP_URL): no messages are sent.",
    ),
    "notify.links_off": (
        "Viesteissä ei ole linkkejä, koska Siltan osoitetta ei ole asetettu (SILTA_PUBLIC_URL).",
        "Messages carry no links: Silta's address is not set (SILTA_PUBLIC_URL).",
    ),
    "notify.recipients": ("Vastaanottajat", "Recipients"),
    "notify.recipients_help": (
        "Yksi sähköpostiosoite riviä kohden, perään viestin kieli: fi tai en (oletus fi).",
        "One email address a line, then the message's language: fi or en (default fi).",
    ),
    "notify.events": ("Tapahtumat", "Events"),
    "notify.period": ("Viestejä enintään", "Messages at most"),
    "notify.webhook": ("Webhook-osoite (valinnainen)", "Webhook address (optional)"),
    "notify.webhook_allowed": ("Ylläpitäjän sallimat osoitteet:", "Addresses the operator allows:"),
    "notify.webhook_none": (
        "Ylläpitäjä ei ole sallinut webhook-osoitteita (SILTA_WEBHOOK_URLS).",
        "The operator allows no webhook addresses (SILTA_WEBHOOK_URLS).",
    ),
    "notify.save": ("Tallenna ilmoitusasetukset", "Save notification settings"),
    "notify.saved": ("Ilmoitusasetukset tallennettiin.", "Notification settings saved."),
    "notify.new_secret": ("Luo uusi allekirjoitusavain", "Make a new signing secret"),
    "notify.secret_made": (
        "Uusi allekirjoitusavain luotiin; vanha ei enää kelpaa.",
        "A new signing secret was made; the old one no longer works.",
    ),
    "notify.secret_shown_once": (
        "Webhookin allekirjoitusavain näytetään vain nyt: kopioi se vastaanottajan asetuksiin.",
        "The webhook's signing secret is shown only now: copy it to the receiver's settings.",
    ),
    "notify.secret_how": (
        "Vastaanottaja laskee HMAC-SHA256:n avaimella merkkijonosta "
        '"<Silta-Timestamp>.<runko>" ja vertaa sitä otsakkeeseen Silta-Signature (v1=…); '
        "yli viisi minuuttia vanha aikaleima hylätään.",
        'The receiver computes the HMAC-SHA256 of "<Silta-Timestamp>.<body>" with the '
        "secret and compares it with the Silta-Signature header (v1=…); a timestamp more "
        "than five minutes old is refused.",
    ),
    "notify.changed": ("Muutti {who} {when}", "Changed by {who} {when}"),
    "notify.deliveries": ("Lähetetyt koosteet", "Digests sent"),
    "notify.pending": (
        "Seuraavaan koosteeseen odottaa {n} tapahtumaa.",
        "{n} event(s) wait for the next digest.",
    ),
    "notify.made": ("Koottu", "Made"),
    "notify.count": ("Tapahtumia", "Events"),
    "notify.state": ("Tila", "State"),
    "notify.sent": ("Lähetetty", "Sent"),
    "notify.error": ("Viimeisin virhe", "Last error"),
    "notify.state_pending": ("Yritetään uudelleen", "Retrying"),
    "notify.state_sent": ("Lähetetty", "Sent"),
    "notify.state_failed": ("Epäonnistui", "Failed"),
    "notify.none_yet": ("Koosteita ei ole vielä lähetetty.", "No digests sent yet."),
    # -- the sales-invoice transfer (issue 18) ----------------------------------------------
    "invoices.title": (
        "Myyntilaskujen siirto Severasta Netvisoriin",
        "Sales invoices from Severa to Netvisor",
    ),
    "invoices.enabled": (
        "Siirretään myyntilaskut ja hyvityslaskut Netvisoriin",
        "Transfer sales invoices and credit notes to Netvisor",
    ),
    "invoices.mode": ("Siirto", "Transfer"),
    "invoices.mode_automatic": (
        "Automaattisesti rekisterien aikataulussa ja käsin",
        "Automatically on the registers' schedule, and by hand",
    ),
    "invoices.mode_manual": ("Vain käsin (Siirrä nyt)", "Only by hand (Transfer now)"),
    "invoices.ready_status": (
        "Siirrettävien laskujen tila Severassa",
        "Severa status of invoices to transfer",
    ),
    "invoices.transferred_status": (
        "Laskun tila Severassa siirron jälkeen",
        "Severa status after the transfer",
    ),
    "invoices.status_none": ("– valitse –", "– choose –"),
    "invoices.statuses_pending": ("Severan tiloja haetaan…", "Asking Severa for its statuses…"),
    "invoices.statuses_unavailable": (
        "Severan laskujen tiloja ei saatu ({error}); tilat voi valita, kun yhteys toimii.",
        "Severa's invoice statuses could not be read ({error}); choose them when the "
        "connection works.",
    ),
    "invoices.netvisor_status": ("Laskun tila Netvisorissa", "Invoice status in Netvisor"),
    "invoices.status_unsent": (
        "Lähettämätön: Netvisor lähettää laskun",
        "Unsent: Netvisor sends the invoice",
    ),
    "invoices.status_open": (
        "Avoin: lasku on jo lähetetty, vain kirjanpitoon",
        "Open: already sent, into the ledger only",
    ),
    "invoices.dimensions_on_lines": (
        "Laskentakohteet laskuriveille (projekti, vaihe, yksikkö)",
        "Dimensions on lines (project, phase, unit)",
    ),
    "invoices.create_missing_items": (
        "Luodaan puuttuvat laskentakohteet ennen laskua",
        "Create missing dimension items before the invoice",
    ),
    "invoices.vat_codes": ("0 %:n rivien ALV-koodit", "VAT codes of 0 % lines"),
    "invoices.vat_domestic_reverse_charge": (
        "Käännetty verovelvollisuus (rakentaminen)",
        "Domestic reverse charge (construction)",
    ),
    "invoices.vat_eu_services": ("Palvelumyynti EU:hun", "Services to the EU"),
    "invoices.vat_eu_goods": ("Tavaramyynti EU:hun", "Goods to the EU"),
    "invoices.vat_outside_eu": ("Myynti EU:n ulkopuolelle", "Sales outside the EU"),
    "invoices.vat_domestic_zero": ("Kotimaan 0 %", "Domestic 0 %"),
    "invoices.product_codes": (
        "Severan koodit Netvisorin tuotteiksi (KOODI=TUOTE; …)",
        "Severa codes as Netvisor products (CODE=PRODUCT; …)",
    ),
    "invoices.fallback_product": (
        "Tuote riveille, joilla on useita koodeja",
        "Product for rows with several codes",
    ),
    "invoices.save": ("Tallenna laskujen siirron asetukset", "Save the invoice transfer settings"),
    "invoices.transfer_now": ("Siirrä nyt", "Transfer now"),
    "invoices.preview": ("Esikatsele siirto", "Preview the transfer"),
    "invoices.status_refused": (
        "Laskujen siirron tilaa ei voi käyttää: {problems}",
        "The invoice transfer's status cannot serve: {problems}",
    ),
    "invoices.statuses_needed": (
        "Valitse siirrettävien laskujen tila ja siirron jälkeinen tila ennen kuin otat siirron "
        "käyttöön.",
        "Choose the status of invoices to transfer and the status after the transfer before "
        "turning the transfer on.",
    ),
    # -- issue 19: purchase-invoice lines and travel reimbursements --------------------------
    "register.purchase_lines": ("Ostolaskurivit", "Purchase-invoice lines"),
    "register.travel": ("Matkalaskut", "Travel invoices"),
    "settings.purchase_lines": (
        "Ostolaskujen rivit Severan projektien kuluiksi",
        "Purchase-invoice lines as Severa project costs",
    ),
    "settings.purchase_lines_enabled": (
        "Siirretään Netvisorin ostolaskurivit Severan projektikuluiksi",
        "Transfer Netvisor purchase-invoice lines to Severa as project costs",
    ),
    "settings.purchase_lines_automatic": (
        "Siirto automaattisesti aikataulussa (muuten vain 'Synkronoi nyt')",
        "Transfer automatically on the schedule (otherwise only on 'Sync now')",
    ),
    "settings.purchase_lines_invoice_status": (
        "Siirrettävien ostolaskujen tila",
        "Status of the purchase invoices to transfer",
    ),
    "purchase_status.open": ("Avoin / asiatarkastuksessa", "Open / in content check"),
    "purchase_status.approved": ("Hyväksynnässä", "In approval"),
    "purchase_status.accepted": ("Hyväksytty", "Approved"),
    "settings.purchase_lines_product": ("Severan kulutuote (GUID)", "Severa cost product (GUID)"),
    "settings.purchase_lines_account_products": (
        "Tilikohtaiset tuotteet: tili=tuotteen GUID; …",
        "Products by account: account=product GUID; …",
    ),
    "settings.purchase_lines_method": ("Kulujen siirtotapa", "Expense transfer method"),
    "method.cost_only": ("Vain kuluna (ei laskuteta)", "Cost only (not billed)"),
    "method.rebill": ("Jälleenlaskutetaan katteella", "Re-billed with a markup"),
    "settings.purchase_lines_markup_percent": ("Kate %", "Markup %"),
    "settings.travel": (
        "Severan matkalaskut Netvisorin matkalaskuiksi",
        "Severa travel reports as Netvisor travel invoices",
    ),
    "settings.travel_enabled": (
        "Siirretään Severan hyväksytyt matkalaskut Netvisoriin",
        "Transfer Severa's approved travel reports to Netvisor",
    ),
    "settings.travel_automatic": (
        "Siirto automaattisesti aikataulussa (muuten vain 'Synkronoi nyt')",
        "Transfer automatically on the schedule (otherwise only on 'Sync now')",
    ),
    "settings.travel_statuses": (
        "Siirrettävät tilat (GUIDit pilkuin; tyhjä = kaikki hyväksytyt)",
        "Statuses to transfer (GUIDs with commas; empty = every approved one)",
    ),
    "settings.travel_transferred_status": (
        "Tila siirron jälkeen (GUID; tyhjä = ei muuteta)",
        "Status after transfer (GUID; empty = not changed)",
    ),
    "settings.travel_ratios": (
        "Kululajit: Severan kululajin GUID/kieli=Netvisorin kululaji; …",
        "Expense types: Severa type GUID/language=Netvisor expense type; …",
    ),
    "settings.travel_travel_types": (
        "Kilometrikorvaukset: Severan lajin GUID=Netvisorin matkatyyppi; … (oletus car)",
        "Mileage: Severa type GUID=Netvisor travel type; … (default car)",
    ),
    "settings.travel_compensation_types": (
        "Päivärahat: Severan lajin GUID=domesticfull|domestichalf|foreign; …",
        "Daily allowances: Severa type GUID=domesticfull|domestichalf|foreign; …",
    ),
    "settings.travel_dimensions": (
        "Laskentakohteet (liiketoimintayksikkö ja projekti) matkalaskun riveille",
        "Dimensions (business unit and project) on the travel invoice's lines",
    ),
    "held_travel.banner": (
        "Matkalaskun siirron tulos jäi epäselväksi: onko Netvisorissa matkalasku '{header}'?",
        "The outcome of a travel report's transfer is unknown: does Netvisor have the travel "
        "invoice '{header}'?",
    ),
    "held_travel.help": (
        "Netvisorista ei voi hakea matkalaskuja, joten Silta ei lähetä sitä uudelleen ennen "
        "vastaustasi. Severan matkalasku:",
        "Netvisor offers no read of travel invoices, so Silta does not send it again until you "
        "answer. Severa's report:",
    ),
    "held_travel.transferred": ("On Netvisorissa", "It is in Netvisor"),
    "held_travel.send_again": ("Ei ole: lähetä uudelleen", "It is not: send it again"),
    "settings.travel_create_missing_items": (
        "Luodaan puuttuvat laskentakohteet ennen siirtoa",
        "Create missing dimension items before the transfer",
    ),
    # -- one language at a time (issue 20) --------------------------------------------------
    "entry.failed": ("Tietueen kirjoitus epäonnistui", "Writing the record failed"),
    "settings.currency": ("Valuutta", "Currency"),
    "fix.article_rule": ("Artikkelin sääntö {rules}", "The article's rule {rules}"),
    "fix.article_rules": ("Artikkelin säännöt {rules}", "The article's rules {rules}"),
    "fix.rules_and": ("{first} ja {last}", "{first} and {last}"),
    "fix.field": ("Kenttä: {field}", "Field: {field}"),
    # the settings history's values and events (silta.web.changes)
    "change.yes": ("kyllä", "yes"),
    "change.quoted": ("”{value}”", "“{value}”"),
    "change.no": ("ei", "no"),
    "change.paused": ("Ajot keskeytetty", "Runs paused"),
    "change.netvisor_credentials": ("Netvisorin tunnukset", "Netvisor credentials"),
    "change.severa_credentials": ("Severan tunnukset", "Severa credentials"),
    "change.hidden": ("(ei näytetä)", "(not shown)"),
    "change.replaced": ("vaihdettu", "replaced"),
    "change.waived": ("ohitettu", "waived"),
    "change.required": ("vaaditaan", "required"),
    "change.held": ("odottaa vahvistusta", "awaiting confirmation"),
    "change.hold_waived": ("vahvistus ohitettu", "confirmation waived"),
    "change.confirmed": (
        "vahvistettu esikatselulla (ajo {run})",
        "confirmed by preview (run {run})",
    ),
    "event.created": ("Yritys lisättiin", "Company added"),
    "event.connections": ("Yhteyksiä muutettiin", "Connections changed"),
    "event.paused": ("Ajot keskeytettiin", "Runs paused"),
    "event.resumed": ("Ajot jatkuivat", "Runs resumed"),
    "event.confirmed": ("Muutos vahvistettiin", "Change confirmed"),
    "event.confirmations_waived": ("Vahvistukset ohitettiin", "Confirmations waived"),
    "event.confirmations_required": ("Vahvistukset vaaditaan", "Confirmations required"),
    # error pages: every status a page route answers with, in the UI's language
    "error.405": (
        "Tätä sivua ei voi käyttää näin (väärä pyyntötapa).",
        "This page cannot be used this way (wrong method).",
    ),
    "error.500": (
        "Siltassa tapahtui odottamaton virhe. Yritä hetken kuluttua uudelleen; jos virhe "
        "toistuu, kerro ylläpitäjälle kellonaika.",
        "An unexpected fault occurred in Silta. Try again in a moment; if it happens again, "
        "tell the operator the time.",
    ),
    # pausing is asked first (the settings tab's "Keskeytä ajot")
    "pause.title": ("Keskeytetäänkö ajot?", "Pause the runs?"),
    "pause.explain": (
        "Keskeytettynä Silta ei siirrä mitään: ajastetut ajot eivät käynnisty, ja muutokset "
        "jäävät odottamaan, kunnes jatkat ajoja. Voit jatkaa milloin tahansa.",
        "While paused, Silta transfers nothing: scheduled runs do not start, and changes wait "
        "until you resume the runs. You can resume at any time.",
    ),
    "pause.confirm": ("Kyllä, keskeytä ajot", "Yes, pause the runs"),
    "pause.cancel": ("Peruuta", "Cancel"),
    # the forms' refusals in the page's language
    "settings.refused": (
        '{field}: "{value}" ei kelpaa; sallitut: {allowed}',
        '{field}: "{value}" is not allowed; allowed: {allowed}',
    ),
    "settings.checkbox_allowed": ("valittu tai ei valittu", "checked or not checked"),
    "settings.unknown_field": (
        "lomakkeessa oli kenttä, jota asetuksissa ei ole",
        "the form had a field the settings do not have",
    ),
    "cred.address_refused": (
        "{field}: osoite ei ole ylläpitäjän sallimien {service}-osoitteiden joukossa; "
        "sallitut: {allowed}",
        "{field}: the address is not among the {service} addresses the operator allows; "
        "allowed: {allowed}",
    ),
    "cred.needs_secrets": (
        "{field}: uusi osoite vaatii samalla tallennuksella myös kentät {secrets}, jotta "
        "tallennetut salaiset avaimet eivät lähde osoitteeseen, jota ei valittu niiden kanssa",
        "{field}: a new address needs {secrets} entered again in the same save, so that the "
        "stored secrets never go to an address chosen without them",
    ),
    "cred.and": (" ja ", " and "),
    "cred.address_stale": (
        "tallennettu {service}-osoite ei ole ylläpitäjän sallimien osoitteiden joukossa, "
        "joten mitään ei lähetetty: valitse sallittu osoite",
        "the stored {service} address is not among those the operator allows, so nothing "
        "was sent: choose an allowed address",
    ),
    "cred.field_invalid": ("{field}: arvo ei kelpaa", "{field}: the value is not valid"),
    "cred.form_invalid": ("lomakkeen tiedot eivät kelpaa", "the form's values are not valid"),
    "tokens.name_invalid": (
        "anna avaimelle nimi (enintään 200 merkkiä)",
        "give the token a name (at most 200 characters)",
    ),
    "tokens.scope_invalid": ("tuntematon oikeus", "unknown scope"),
    "tokens.days_invalid": (
        "voimassaolo on kokonaisluku 1–366 päivää",
        "the lifetime is a whole number from 1 to 366 days",
    ),
    # -- people: members and invitations (silta.web.people) ----------------------------------
    "nav.people": ("Käyttäjät", "People"),
    "people.members": ("Yrityksen käyttäjät", "The company's users"),
    "people.email": ("Sähköposti", "Email"),
    "people.role": ("Rooli", "Role"),
    "people.actions": ("Toiminnot", "Actions"),
    "people.remove": ("Poista käyttäjä", "Remove"),
    "people.last_kh_short": ("Ainoa käyttäjähallitsija", "The only KH admin"),
    "people.last_kh": (
        "Yrityksen ainoaa käyttäjähallitsijaa ei voi poistaa: kutsu ensin toinen "
        "käyttäjähallitsija.",
        "The company's only KH admin cannot be removed: invite another KH admin first.",
    ),
    "people.pending": ("Odottavat kutsut", "Pending invitations"),
    "people.invited_by": ("Kutsuja", "Invited by"),
    "people.expires": ("Voimassa", "Valid until"),
    "people.expired": ("Vanhentunut", "Expired"),
    "people.revoke": ("Peru kutsu", "Revoke"),
    "people.none": ("Ei odottavia kutsuja.", "No pending invitations."),
    "people.invite": ("Kutsu käyttäjä", "Invite someone"),
    "people.help_mail": (
        "Kutsulinkki lähetetään sähköpostiin. Linkki toimii kerran ja {days} päivän ajan.",
        "The invitation link is sent by email. It works once, for {days} days.",
    ),
    "people.help_copy": (
        "Sähköpostia ei ole määritetty: kopioi kutsulinkki ja lähetä se itse. Linkki toimii "
        "kerran ja {days} päivän ajan.",
        "Mail is not configured: copy the invitation link and send it yourself. It works "
        "once, for {days} days.",
    ),
    "people.send": ("Lähetä kutsu", "Send invitation"),
    "people.link_once": (
        "Kutsulinkki näytetään vain nyt. Kopioi se ja lähetä kutsutulle.",
        "The invitation link is shown only now. Copy it and send it to the person invited.",
    ),
    "people.link_how": (
        "Linkki toimii kerran ja {days} päivän ajan; sen haltija pääsee yritykseen "
        "kutsun roolissa, joten lähetä se vain kutsutulle.",
        "The link works once, for {days} days; whoever holds it joins the company in the "
        "invitation's role, so send it only to the person invited.",
    ),
    "people.created": ("Kutsu tehty: {email}.", "Invitation made: {email}."),
    "people.mailed": ("Kutsu lähetetty osoitteeseen {email}.", "Invitation sent to {email}."),
    "people.mail_failed": (
        "Kutsua ei voitu lähettää osoitteeseen {email}: kopioi linkki ja lähetä se itse.",
        "The invitation could not be mailed to {email}: copy the link and send it yourself.",
    ),
    "people.already": (
        "Henkilö on jo yrityksen käyttäjä tässä tai ylemmässä roolissa.",
        "That person is already a user of the company in this role or a higher one.",
    ),
    "people.invalid_email": ("Anna yksi sähköpostiosoite.", "Give one email address."),
    "people.invalid_role": (
        "Kutsun rooli on katselija tai käyttäjähallitsija.",
        "An invitation's role is viewer or KH admin.",
    ),
    "people.done_revoked": ("Kutsu peruttu.", "Invitation revoked."),
    "people.done_removed": ("Käyttäjä poistettu yrityksestä.", "User removed from the company."),
    "people.mail_subject": ("Kutsu Siltaan: {tenant}", "Invitation to Silta: {tenant}"),
    "people.mail_body": (
        "{who} kutsuu sinut yrityksen {tenant} Silta-palveluun roolissa {role}.\n\n"
        "Avaa linkki, aseta salasana ja kirjaudu sisään:\n{link}\n\n"
        "Linkki toimii kerran ja {days} päivän ajan. Jos et odottanut kutsua, voit jättää "
        "tämän viestin huomiotta.\n",
        "{who} invites you to {tenant} in Silta as {role}.\n\n"
        "Open the link, set a password and sign in:\n{link}\n\n"
        "The link works once, for {days} days. If you did not expect this, you may ignore "
        "this message.\n",
    ),
    "people.welcome": ("Kutsu Siltaan", "Invitation to Silta"),
    "people.invited_as": (
        "{who} on kutsunut sinut yritykseen {tenant} roolissa {role}.",
        "{who} has invited you to {tenant} as {role}.",
    ),
    "people.existing": (
        "Sinulla on jo tunnus: kirjaudu salasanallasi hyväksyäksesi kutsun.",
        "You already have an account: sign in with your password to accept.",
    ),
    "people.choose": (
        "Valitse salasana (vähintään {min} merkkiä).",
        "Choose a password (at least {min} characters).",
    ),
    "people.new_password": ("Uusi salasana", "New password"),
    "people.again": ("Salasana uudelleen", "Password again"),
    "people.accept": ("Hyväksy kutsu ja kirjaudu", "Accept and sign in"),
    "people.mismatch": ("Salasanat eivät täsmää.", "The passwords differ."),
    "people.weak": (
        "Salasanassa on oltava vähintään {min} merkkiä.",
        "A password needs at least {min} characters.",
    ),
    "people.throttled": (
        "Liian monta epäonnistunutta yritystä. Yritä hetken kuluttua uudelleen.",
        "Too many failed attempts. Try again in a while.",
    ),
    "people.invalid_link": (
        "Tämä kutsulinkki ei ole voimassa: se on jo käytetty, peruttu tai vanhentunut. "
        "Pyydä uusi kutsu yrityksen käyttäjähallitsijalta.",
        "This invitation link is not valid: it has been used, revoked or has expired. Ask "
        "the company's KH admin for a new one.",
    ),
    # -- the settings tab's lookups, last known at once (silta.web.lookups) -----------------
    "lookups.at": (
        "Netvisorin tiedot (laskentakohdeotsikot, TEMP) haettu {when}; päivitetään…",
        "Netvisor's answers (dimension headers, TEMP) as of {when}; updating…",
    ),
    "lookups.fresh": (
        "Netvisorin tiedot (laskentakohdeotsikot, TEMP) haettu {when}.",
        "Netvisor's answers (dimension headers, TEMP) as of {when}.",
    ),
    "lookups.pending": (
        "Netvisorin tietoja (laskentakohdeotsikot, TEMP) haetaan…",
        "Asking Netvisor (dimension headers, TEMP)…",
    ),
    "lookups.temp_pending": (
        "Tarkistetaan, onko TEMP Netvisorissa…",
        "Checking whether TEMP exists in Netvisor…",
    ),
}


class Translator:
    """``t("key", name=...)`` in one language; an unknown key shows itself, never crashes."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "fi"
        self._index = LANGUAGES.index(self.language)

    def __call__(self, key: str, **values: object) -> str:
        row = TEXTS.get(key)
        if row is None:
            return key
        text = row[self._index]
        return text.format(**values) if values else text


def translator(language: str | None) -> Translator:
    return Translator(language or "fi")
