"""purchaseinvoicelist.nv, getpurchaseinvoice.nv, deletedpurchaseinvoices.nv (invoices.md §2.3)
and the purchase-invoice helpers: filters, both versions of the lines' dimensions, the
empty-answer shapes, last-modified times and the fault knobs on the new resources."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import attrs
import httpx
import pytest
from lxml import etree

from silta.sandbox.netvisor import Faults, NetvisorSandbox, Organisation
from silta.sandbox.netvisor.purchaseinvoices import Attachment, LinePlan

from .helpers import Api, FakeClock, assert_ok, failure, must

D = Decimal


@attrs.frozen
class Book:
    """Two invoices: an accepted one with project, phase, plain and NONE lines, an open one."""

    accepted: int
    open: int
    project_item: int
    phase_item: int
    other_item: int
    vendor: int


def plan(name: str, *items: int, vat: str = "25.5", code: str = "KOOS", **kw: object) -> LinePlan:
    values: dict[str, object] = {
        "quantity": D(2),
        "unit_price": D("50.00"),
        "vat_percent": D(vat),
        "vat_code": code,
        "account": ("4000", "Ostot"),
        "items": items,
        **kw,
    }
    return LinePlan(name, **values)  # type: ignore[arg-type]


@pytest.fixture
def book(org: Organisation) -> Book:
    org.put_dimension_header("Projekti")
    org.put_dimension_header("Kustannuspaikka")
    project = org.put_dimension_item("Projekti", "2001 Sähköasennukset")
    phase = org.put_dimension_item("Projekti", "10 Suunnittelu", project)
    other = org.put_dimension_item("Kustannuspaikka", "Hallinto")
    purchases = org.purchase_invoices
    vendor = purchases.put_vendor(
        "Sähkötukku Virta Oy", business_id="2345678-1", town="Tampere", code="V-1"
    )
    accepted = purchases.put(
        number="88123",
        vendor=vendor,
        invoice_date=date(2026, 2, 20),
        lines=[
            plan("Kaapeli MMJ 3x2,5", project, description="Työmaa Hervanta"),
            plan("Suunnittelutyökalut", phase),
            plan("Toimistotarvikkeet", other),
            plan("Kahvitarjoilu", code="NONE", vat="0", unit_price=D("12.40"), quantity=D(1)),
        ],
        attachments=[Attachment("lasku.pdf", "application/pdf", b"%PDF-1.4 kuva")],
    )
    open_invoice = purchases.put(
        number="88124",
        vendor=vendor,
        invoice_date=date(2026, 2, 25),
        lines=[plan("Kaapelikouru", project)],
        status="open",
    )
    return Book(accepted, open_invoice, project, phase, other, vendor)


def items(root: etree._Element, path: str) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in item} for item in root.iterfind(path)]


# -- purchaseinvoicelist.nv -------------------------------------------------------------------


async def test_list_items_have_the_documented_elements_and_no_status(api: Api, book: Book) -> None:
    root = assert_ok(await api.get("purchaseinvoicelist.nv"))
    listed = items(root, "PurchaseInvoiceList/PurchaseInvoice")
    assert [item["NetvisorKey"] for item in listed] == [str(book.accepted), str(book.open)]
    first = listed[0]
    assert list(first) == [
        "NetvisorKey", "InvoiceNumber", "InvoiceDate", "Vendor", "VendorOrganizationIdentifier",
        "Sum", "Payments", "OpenSum", "Uri",
    ]  # fmt: skip
    # 3 x 125,50 (2 x 50 + 25,5 %) and the NONE line's 12,40 (no VAT on it)
    assert first["Sum"] == "388,90"
    assert first["Payments"] == "0,00"
    assert first["OpenSum"] == "388,90"
    assert first["Vendor"] == "Sähkötukku Virta Oy"
    assert first["VendorOrganizationIdentifier"] == "2345678-1"
    assert first["Uri"].endswith(f"/getpurchaseinvoice.nv?netvisorkey={book.accepted}")
    assert root.find("PurchaseInvoiceList/PurchaseInvoice/InvoiceDate").get("format") == "ansi"


async def test_nothing_found_is_an_empty_list_element(api: Api, book: Book) -> None:
    response = await api.get("purchaseinvoicelist.nv", {"invoicenumber": "nope"})
    root = assert_ok(response)
    assert b"<PurchaseInvoiceList />" in response.content
    assert len(root.find("PurchaseInvoiceList")) == 0


@pytest.mark.parametrize(
    ("status", "expected"),
    [("accepted", ["accepted"]), ("open", ["open", "review"]), ("approved", ["approved"])],
)
async def test_status_filter_groups_the_approval_statuses(
    api: Api, org: Organisation, book: Book, status: str, expected: list[str]
) -> None:
    purchases = org.purchase_invoices
    review = purchases.put(number="1", vendor=book.vendor, invoice_date=date(2026, 2, 1),
                           lines=[plan("x")], status="infactualverification")  # fmt: skip
    approved = purchases.put(number="2", vendor=book.vendor, invoice_date=date(2026, 2, 1),
                             lines=[plan("x")], status="approved")  # fmt: skip
    names = {book.accepted: "accepted", book.open: "open", review: "review", approved: "approved"}
    root = assert_ok(await api.get("purchaseinvoicelist.nv", {"invoicestatus": status}))
    keys = [int(i["NetvisorKey"]) for i in items(root, "PurchaseInvoiceList/PurchaseInvoice")]
    assert sorted(names[key] for key in keys) == sorted(expected)


async def test_an_unknown_status_is_invalid_data(api: Api, book: Book) -> None:
    response = await api.get("purchaseinvoicelist.nv", {"invoicestatus": "paid"})
    assert failure(response) == "INVALID_DATA"


async def test_last_modified_filters_read_helsinki_time_inclusive(
    api: Api, org: Organisation, clock: FakeClock, book: Book
) -> None:
    # Both were made at 2026-03-02 10:00 UTC = 12:00 in Helsinki.
    clock.advance(hours=1)
    org.purchase_invoices.modify(book.open, description="Tarkistettu")  # 13:00 Helsinki
    since = {"lastmodifiedstart": "2026-03-02T13:00:00"}
    root = assert_ok(await api.get("purchaseinvoicelist.nv", since))
    assert [i["NetvisorKey"] for i in items(root, "PurchaseInvoiceList/PurchaseInvoice")] == [
        str(book.open)
    ]
    before = {"lastmodifiedend": "2026-03-02T12:00:00"}
    root = assert_ok(await api.get("purchaseinvoicelist.nv", before))
    assert [i["NetvisorKey"] for i in items(root, "PurchaseInvoiceList/PurchaseInvoice")] == [
        str(book.accepted)
    ]
    bad = await api.get("purchaseinvoicelist.nv", {"lastmodifiedstart": "2.3.2026"})
    assert failure(bad) == "INVALID_DATA"


async def test_date_number_payment_and_batch_filters(
    api: Api, org: Organisation, book: Book
) -> None:
    async def keys(params: dict[str, str]) -> list[int]:
        root = assert_ok(await api.get("purchaseinvoicelist.nv", params))
        return [int(i["NetvisorKey"]) for i in items(root, "PurchaseInvoiceList/PurchaseInvoice")]

    assert await keys({"begininvoicedate": "2026-02-21"}) == [book.open]
    assert await keys({"endinvoicedate": "2026-02-20"}) == [book.accepted]
    assert await keys({"invoicenumber": "88124"}) == [book.open]
    org.purchase_invoices.pay(book.accepted)
    assert await keys({"paymentstatus": "paid"}) == [book.accepted]
    assert await keys({"paymentstatus": "unpaid"}) == [book.open]
    assert await keys({"purchaseinvoicebatchid": "5"}) == []
    assert failure(await api.get("purchaseinvoicelist.nv", {"paymentstatus": "x"})) == (
        "INVALID_DATA"
    )


# -- getpurchaseinvoice.nv --------------------------------------------------------------------


async def test_version_2_puts_the_dimensions_inside_each_line(api: Api, book: Book) -> None:
    params = {"netvisorkey": str(book.accepted), "version": "2", "omitattachments": "true"}
    root = assert_ok(await api.get("getpurchaseinvoice.nv", params))
    lines = root.findall("PurchaseInvoice/InvoiceLines/PurchaseInvoiceLine")
    assert len(lines) == 4
    assert root.find("PurchaseInvoice/InvoiceLines/PurchaseInvoiceLineDimensions") is None
    dimension = lines[0].find("PurchaseInvoiceLineDimensions/Dimension")
    assert {child.tag: child.text for child in dimension} == {
        "DimensionName": "Projekti",
        "DimensionNameNetvisorKey": "1",
        "DimensionDetailName": "2001 Sähköasennukset",
        "DimensionDetailNetvisorKey": str(book.project_item),
    }
    phase = lines[1].find("PurchaseInvoiceLineDimensions/Dimension/DimensionDetailNetvisorKey")
    assert phase.text == str(book.phase_item)
    assert lines[3].find("PurchaseInvoiceLineDimensions") is None  # no dimension: no element


async def test_version_1_puts_the_dimensions_after_each_line(api: Api, book: Book) -> None:
    root = assert_ok(await api.get("getpurchaseinvoice.nv", {"netvisorkey": str(book.accepted)}))
    container = must(root.find("PurchaseInvoice/InvoiceLines"))
    tags = [child.tag for child in container]
    assert tags == [
        "PurchaseInvoiceLine", "PurchaseInvoiceLineDimensions",
        "PurchaseInvoiceLine", "PurchaseInvoiceLineDimensions",
        "PurchaseInvoiceLine", "PurchaseInvoiceLineDimensions",
        "PurchaseInvoiceLine",
    ]  # fmt: skip
    for line in container.iterfind("PurchaseInvoiceLine"):
        assert line.find("PurchaseInvoiceLineDimensions") is None


async def test_header_and_line_fields(api: Api, book: Book) -> None:
    params = {"netvisorkey": str(book.accepted), "version": "2"}
    root = assert_ok(await api.get("getpurchaseinvoice.nv", params))
    invoice = must(root.find("PurchaseInvoice"))
    header = {child.tag: child.text or "" for child in invoice}
    assert header["PurchaseInvoiceNetvisorKey"] == str(book.accepted)
    assert header["PurchaseInvoiceNumber"] == "88123"
    assert header["PurchaseInvoiceDate"] == "2026-02-20"
    assert header["PurchaseInvoiceAmount"] == "388,90"
    assert header["InvoiceStatus"] == "Hyväksytty"  # localised text
    assert header["ApprovalStatus"] == "accepted"  # the code
    assert header["VendorName"] == "Sähkötukku Virta Oy"
    assert header["VendorCode"] == "V-1"
    assert header["IsAccounted"] == "True"
    line = {c.tag: c.text or "" for c in invoice.find("InvoiceLines/PurchaseInvoiceLine")}
    assert line["LineSum"] == "125,50"  # gross
    assert line["LineNetSum"] == "100,00"
    assert line["UnitPrice"] == "50,000000000000"
    assert line["VatPercent"] == "25,5"
    assert line["VatCode"] == "KOOS"
    assert line["DeliveredAmount"] == "2"
    assert line["Description"] == "Työmaa Hervanta"
    assert line["ProductName"] == "Kaapeli MMJ 3x2,5"
    assert line["AccountingSuggestionBookkeepingAccount"] == "4000 Ostot"
    assert line["AccountingSuggestionBookkeepingAccountNetvisorKey"].isdigit()
    none = {c.tag: c.text or "" for c in invoice.findall("InvoiceLines/PurchaseInvoiceLine")[3]}
    assert (none["VatCode"], none["LineSum"], none["LineNetSum"]) == ("NONE", "12,40", "12,40")


async def test_net_sum_is_taken_from_the_gross_to_four_decimals(
    api: Api, org: Organisation, book: Book
) -> None:
    """The fixture's 125,25 at 22 % reads as net 102,6639."""
    purchases = org.purchase_invoices
    key = purchases.put(number="9", vendor=book.vendor, invoice_date=date(2026, 2, 1),
                        lines=[plan("x", vat="24", line_sum=D("125.25"))])  # fmt: skip
    root = assert_ok(await api.get("getpurchaseinvoice.nv", {"netvisorkey": str(key)}))
    line = must(root.find("PurchaseInvoice/InvoiceLines/PurchaseInvoiceLine"))
    assert must(line.findtext("LineSum")) == "125,25"
    assert must(line.findtext("LineNetSum")) == "101,0081"  # 125,25 / 1,24


async def test_status_text_follows_the_interface_language(api: Api, book: Book) -> None:
    params = {"netvisorkey": str(book.open)}
    fi = assert_ok(await api.get("getpurchaseinvoice.nv", params))
    en = assert_ok(await api.get("getpurchaseinvoice.nv", params, language="EN"))
    assert fi.findtext("PurchaseInvoice/InvoiceStatus") == "Avoin"
    assert en.findtext("PurchaseInvoice/InvoiceStatus") == "Open"
    assert en.findtext("PurchaseInvoice/ApprovalStatus") == "open"


async def test_attachments_unless_omitted(api: Api, book: Book) -> None:
    key = str(book.accepted)
    shown = assert_ok(await api.get("getpurchaseinvoice.nv", {"netvisorkey": key}))
    assert shown.findtext("PurchaseInvoice/Attachments/Attachment/FileName") == "lasku.pdf"
    omitted = assert_ok(
        await api.get("getpurchaseinvoice.nv", {"netvisorkey": key, "omitattachments": "TRUE"})
    )
    assert omitted.find("PurchaseInvoice/Attachments") is None


async def test_an_unknown_key_is_ok_with_an_empty_invoice(api: Api, book: Book) -> None:
    response = await api.get("getpurchaseinvoice.nv", {"netvisorkey": "99999"})
    root = assert_ok(response)
    assert b"<PurchaseInvoice />" in response.content
    assert len(must(root.find("PurchaseInvoice"))) == 0


async def test_a_key_list_answers_the_found_in_the_order_asked(api: Api, book: Book) -> None:
    keys = f"{book.open},99999,{book.accepted},{book.open}"
    root = assert_ok(await api.get("getpurchaseinvoice.nv", {"netvisorkeylist": keys}))
    found = root.findall("PurchaseInvoices/PurchaseInvoice/PurchaseInvoiceNetvisorKey")
    assert [element.text for element in found] == [str(book.open), str(book.accepted)]
    too_many = ",".join(str(n) for n in range(1, 502))
    response = await api.get("getpurchaseinvoice.nv", {"netvisorkeylist": too_many})
    assert failure(response) == "INVALID_DATA_SIZE"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"netvisorkey": "1", "netvisorkeylist": "1"},
        {"netvisorkey": "1", "version": "3"},
        {"netvisorkey": "1", "omitattachments": "yes"},
        {"netvisorkey": "1", "include": "actions"},
        {"netvisorkey": "abc"},
    ],
)
async def test_bad_parameters_are_invalid_data(
    api: Api, book: Book, params: dict[str, str]
) -> None:
    assert failure(await api.get("getpurchaseinvoice.nv", params)) == "INVALID_DATA"


async def test_a_renamed_item_shows_its_new_name(api: Api, org: Organisation, book: Book) -> None:
    org.dimension_register.update_item(book.project_item, name="2001 Sähköasennukset Oy")
    params = {"netvisorkey": str(book.accepted), "version": "2"}
    root = assert_ok(await api.get("getpurchaseinvoice.nv", params))
    names = root.findall(".//DimensionDetailName")
    assert names[0].text == "2001 Sähköasennukset Oy"


# -- changes, deletion ------------------------------------------------------------------------


def line_keys(org: Organisation, key: int) -> list[int]:
    return [line.key for line in must(org.purchase_invoices.get(key)).lines]


def test_a_change_keeps_the_keys_of_kept_lines(org: Organisation, book: Book) -> None:
    purchases = org.purchase_invoices
    before = line_keys(org, book.accepted)
    invoice = must(purchases.get(book.accepted))
    first = invoice.lines[0]
    kept = plan("Kaapeli MMJ 3x2,5", book.project_item, quantity=D(3), key=first.key)
    purchases.modify(book.accepted, lines=[kept, plan("Uusi rivi")])
    after = line_keys(org, book.accepted)
    assert after[0] == before[0]
    assert after[1] not in before
    assert must(purchases.get(book.accepted)).lines[0].line_sum == D("188.25")
    purchases.modify(book.accepted, lines=[kept], rekey=True)
    assert line_keys(org, book.accepted)[0] not in before


def test_every_change_moves_the_last_modified_time(
    org: Organisation, clock: FakeClock, book: Book
) -> None:
    purchases = org.purchase_invoices
    times = [must(purchases.get(book.open)).changed_at]
    for change in (
        lambda: purchases.set_status(book.open, "approved"),
        lambda: purchases.pay(book.open, D(10)),
        lambda: purchases.modify(book.open, description="x"),
        lambda: purchases.touch(book.open),
    ):
        clock.advance(minutes=1)
        change()
        times.append(must(purchases.get(book.open)).changed_at)
    assert times == sorted(set(times))
    purchases.set_status(book.open, "accepted")
    assert must(purchases.get(book.open)).voucher is not None


def test_helpers_refuse_what_netvisor_could_not_hold(org: Organisation, book: Book) -> None:
    purchases = org.purchase_invoices
    with pytest.raises(ValueError, match="no dimension item"):
        purchases.put(number="1", vendor=book.vendor, invoice_date=date(2026, 1, 1),
                      lines=[plan("x", 99999)])  # fmt: skip
    with pytest.raises(ValueError, match="the same dimension item twice"):
        purchases.put(number="1", vendor=book.vendor, invoice_date=date(2026, 1, 1),
                      lines=[plan("x", book.project_item, book.project_item)])  # fmt: skip
    with pytest.raises(ValueError, match="not allowed"):
        purchases.put(number="1", vendor=book.vendor, invoice_date=date(2026, 1, 1),
                      lines=[plan("x", code="NONE", vat="25.5")])  # fmt: skip
    with pytest.raises(KeyError):
        purchases.modify(424242, description="x")
    assert len(purchases) == 2


async def test_a_deleted_invoice_leaves_the_list_and_is_listed_as_deleted(
    api: Api, org: Organisation, clock: FakeClock, book: Book
) -> None:
    empty = await api.get("deletedpurchaseinvoices.nv")
    assert_ok(empty)
    assert b"<DeletedPurchaseInvoices />" in empty.content
    clock.advance(hours=2)
    org.purchase_invoices.delete(book.open)  # 14:00 Helsinki
    root = assert_ok(await api.get("purchaseinvoicelist.nv"))
    assert [i["NetvisorKey"] for i in items(root, "PurchaseInvoiceList/PurchaseInvoice")] == [
        str(book.accepted)
    ]
    gone = await api.get("getpurchaseinvoice.nv", {"netvisorkey": str(book.open)})
    assert b"<PurchaseInvoice />" in gone.content
    deleted = assert_ok(await api.get("deletedpurchaseinvoices.nv", {"deletedsince": "2026-03-02"}))
    entry = items(deleted, "DeletedPurchaseInvoices/DeletedPurchaseInvoice")
    assert entry == [{"NetvisorKey": str(book.open), "DeleteDate": "2026-03-02 14:00"}]
    later = await api.get("deletedpurchaseinvoices.nv", {"deletedsince": "2026-03-02T14:00:01"})
    assert b"<DeletedPurchaseInvoices />" in later.content
    # Netvisor remembers a deletion for seven days.
    clock.advance(days=7)
    assert items(assert_ok(await api.get("deletedpurchaseinvoices.nv")),
                 "DeletedPurchaseInvoices/DeletedPurchaseInvoice") == entry  # fmt: skip
    clock.advance(seconds=1)
    gone = await api.get("deletedpurchaseinvoices.nv", {"deletedsince": "2026-03-01"})
    assert b"<DeletedPurchaseInvoices />" in gone.content


# -- faults and the pipeline ------------------------------------------------------------------


async def test_the_fault_knobs_apply_to_the_new_resources(
    api: Api, org: Organisation, book: Book
) -> None:
    org.faults = Faults(fail_next=["TECHNICAL_ERROR"], denied_resources=["getpurchaseinvoice.nv"])
    assert failure(await api.get("purchaseinvoicelist.nv")) == "TECHNICAL_ERROR"
    assert_ok(await api.get("purchaseinvoicelist.nv"))
    params = {"netvisorkey": str(book.accepted)}
    assert failure(await api.get("getpurchaseinvoice.nv", params)) == "SERVICE_ACCESS_ERROR"
    assert failure(await api.get("deletedpurchaseinvoices.nv", {"deletedsince": "x"})) == (
        "INVALID_DATA"
    )
    assert org.stats.injected["fail_next"] == 1
    assert org.stats.injected["denied_resource"] == 1


async def test_overlapping_reads_are_refused(
    sandbox: NetvisorSandbox, org: Organisation, clock: FakeClock, book: Book
) -> None:
    org.faults = Faults(latency=0.05)
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://isvapi.netvisor.fi") as c:
        api = Api(c, clock)
        first, second = await asyncio.gather(
            api.get("purchaseinvoicelist.nv"),
            api.get("getpurchaseinvoice.nv", {"netvisorkey": str(book.accepted)}),
        )
    outcomes = sorted(status_of(r) for r in (first, second))
    assert outcomes == ["OK", "TECHNICAL_ERROR"]
    assert org.stats.overlaps == 1


def status_of(response: httpx.Response) -> str:
    root = etree.fromstring(response.content)
    texts = [e.text or "" for e in root.findall("ResponseStatus/Status")]
    return "OK" if texts == ["OK"] else texts[1].split(" :: ")[0]


async def test_the_control_api_shows_purchase_invoices(
    client: httpx.AsyncClient, org: Organisation, book: Book
) -> None:
    response = await client.get(f"/_sandbox/organisations/{org.id}/purchaseinvoices")
    shown = response.json()
    assert [invoice["number"] for invoice in shown] == ["88123", "88124"]
    assert shown[0]["lines"][0]["dimensions"][0]["item"] == "2001 Sähköasennukset"
    assert shown[0]["amount"] == "388.90"


async def test_a_line_split_over_two_items_of_one_header(
    api: Api, org: Organisation, book: Book
) -> None:
    """A user may split a purchase line over several items of a header: each is shown."""
    second = org.put_dimension_item("Projekti", "2002 Pilvisiirto")
    key = org.purchase_invoices.put(number="77", vendor=book.vendor, invoice_date=date(2026, 2, 3),
                                    lines=[plan("Jaettu", book.project_item, second)])  # fmt: skip
    params = {"netvisorkey": str(key), "version": "2"}
    root = assert_ok(await api.get("getpurchaseinvoice.nv", params))
    keys = [e.text for e in root.iterfind(".//DimensionDetailNetvisorKey")]
    assert keys == [str(book.project_item), str(second)]


def test_days_are_dates(book: Book, org: Organisation) -> None:
    invoice = must(org.purchase_invoices.get(book.accepted))
    assert invoice.due_date == invoice.invoice_date + timedelta(days=14)
