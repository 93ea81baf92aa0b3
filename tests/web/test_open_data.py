"""Open data in OCDS 1.1 (issue 13, "Open data"): every package validates against the
official schemas with the partyDetails scale extension, offline; only orders with a
signed SP are published, with their BASTs and payment; no personal data; paging, date
filters, the yearly bulk file and the command that writes it."""
from __future__ import annotations

import copy
import csv
import gzip
import json
import os
import random
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order
from pbj.models.suppliers import BusinessScale
from pbj.services import ocds, orders
from tests import order_helpers as oh

REPO = Path(__file__).resolve().parents[2]
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


# -- The official schemas, offline ------------------------------------------------

def schema_dir() -> Path:
    """OCDS_SCHEMA_DIR, else a `shared/ocds` folder beside the clone or above it."""
    named = os.environ.get("OCDS_SCHEMA_DIR")
    candidates = [Path(named)] if named else [parent / "shared" / "ocds" for parent in REPO.parents]
    for folder in candidates:
        if (folder / "1.1.5" / "release-schema.json").is_file():
            return folder
    pytest.skip("The OCDS 1.1.5 schemas were not found: set OCDS_SCHEMA_DIR to the folder holding "
                "1.1.5/ and extensions/ (or put it at ../shared/ocds beside the clone).")


def merge_patch(target, patch):
    """RFC 7396 JSON Merge Patch: how OCDS extensions change the release schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _format_checker():
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def date_time(value):  # RFC 3339: a date, a time and an offset
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return "T" in value and parsed.tzinfo is not None

    @checker.checks("uri")
    def uri(value):
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    return checker


@pytest.fixture(scope="module")
def validators():
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    folder = schema_dir()
    load = lambda path: json.loads((folder / path).read_text(encoding="utf-8"))  # noqa: E731
    release = merge_patch(load("1.1.5/release-schema.json"),
                          load("extensions/partyDetails_scale/release-schema.json"))
    assert release["definitions"]["Organization"]["properties"]["details"]["properties"]["scale"]
    packages = {name: load(f"1.1.5/{name}-package-schema.json") for name in ("release", "record")}
    # The packages name the release schema by its published URL: it resolves to the local file.
    registry = Registry().with_resources(
        [(RELEASE_URL, Resource(release, DRAFT4))]
        + [(schema["id"], Resource(schema, DRAFT4)) for schema in packages.values()])
    checker = _format_checker()
    made = {name: Draft4Validator(schema, registry=registry, format_checker=checker)
            for name, schema in packages.items()}
    made["release"] = made["release"], Draft4Validator(release, registry=registry, format_checker=checker)
    made["codes"] = {name: {row["Code"] for row in csv.DictReader(open(folder / "1.1.5" / "codelists" / name,
                                                                       encoding="utf-8"))}
                     for name in ("partyRole.csv", "milestoneType.csv", "releaseTag.csv")}
    return made


def assert_valid(validator, data):
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])


def assert_open_codes(codes, release):
    for party in release["parties"]:
        assert set(party["roles"]) <= codes["partyRole.csv"], party["roles"]
    for contract in release.get("contracts", []):
        for milestone in contract.get("implementation", {}).get("milestones", []):
            assert milestone["type"] in codes["milestoneType.csv"]
    assert set(release["tag"]) <= codes["releaseTag.csv"]


# -- A small world: orders in different states ---------------------------------------

def now():
    return utcnow()


def approved(p, product, qty=10):
    order = oh.place(p, product, qty)
    orders.confirm(p.supplier, order, now())
    orders.approve(p.ppk, order, now(), oh.today())
    db.session.commit()
    return order


def ship(p, order, qty, note):
    orders.ship(p.supplier, order, {order.items[0].id: qty}, note, oh.today(), "", now(), oh.today())
    db.session.commit()


def bast(p, order, qty, rest=""):
    handover = orders.sign_handover(p.ppk, order, {order.items[0].id: qty}, "", oh.today(), None, now(),
                                    oh.today(), rest=rest, rest_reason="Penyedia tidak sanggup mengirim sisanya "
                                                                       "(Ibu Sari, 0812 555 0101)" if rest == "cancel" else "")
    db.session.commit()
    return handover


def pay(p, order):
    net = orders.tax_breakdown(order).net
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-0001", net, now(), oh.today())
    db.session.commit()


@pytest.fixture
def world(app, create_org, create_user, create_supplier):
    p = oh.without_pp55(oh.parties(create_org, create_user, create_supplier))
    product = oh.listed(p, price=100_000, stock=None)
    small = oh.parties(create_org, create_user, create_supplier, code="DINKES", scale=BusinessScale.MENENGAH)
    other = oh.listed(small, "Masker medis 3 lapis", price=40_000, stock=None)
    made = {}
    made["waiting"] = oh.place(p, product, 3)  # submitted: not published
    made["cancelled"] = oh.place(p, product, 2)
    orders.cancel(p.pp, made["cancelled"], "Salah pilih barang, dibatalkan", now())
    db.session.commit()
    made["approved"] = approved(small, other, 5)
    made["paid"] = approved(p, product)  # two BASTs, then paid
    ship(p, made["paid"], 6, "SJ-01")
    bast(p, made["paid"], 6, rest="open")
    ship(p, made["paid"], 4, "SJ-02")
    bast(p, made["paid"], 4)
    pay(p, made["paid"])
    made["cut_at_bast"] = approved(p, product)  # the rest cancelled at the BAST, paid
    ship(p, made["cut_at_bast"], 7, "SJ-03")
    bast(p, made["cut_at_bast"], 7, rest="cancel")
    pay(p, made["cut_at_bast"])
    made["cut_later"] = approved(p, product)  # partial BAST, the rest cancelled afterwards
    ship(p, made["cut_later"], 5, "SJ-04")
    bast(p, made["cut_later"], 5, rest="open")
    made["parties"] = p, small
    return made


def record_of(client, app, order):
    response = client.get(f"/ocds/records/{ocds.ocid(order.id, app.config)}.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def all_releases(client):
    found, url = [], "/ocds/releases.json"
    while url:
        package = client.get(url).get_json()
        found += package["releases"]
        url = package.get("links", {}).get("next")
    return found


# -- Tests ---------------------------------------------------------------------------

def test_every_package_validates_against_the_official_schemas_with_the_scale_extension(
        world, app, client, validators):
    package = client.get("/ocds/releases.json").get_json()
    assert_valid(validators["release"][0], package)
    assert package["extensions"] == [ocds.SCALE_EXTENSION]
    for release in package["releases"]:
        assert_open_codes(validators["codes"], release)
    for name in ("approved", "paid", "cut_at_bast", "cut_later"):
        record = record_of(client, app, world[name])
        assert_valid(validators["record"], record)
        assert_valid(validators["release"][1], record["records"][0]["compiledRelease"])
    year = world["paid"].budget_year
    for line in gzip.decompress(client.get(f"/ocds/releases-{year}.jsonl.gz").get_data()).splitlines():
        assert_valid(validators["release"][1], json.loads(line))  # the yearly file's lines are releases


def test_the_scale_extension_rejects_a_size_outside_its_codelist(world, app, client, validators):
    """The merged schema is really in force: a wrong scale fails validation."""
    package = client.get("/ocds/releases.json").get_json()
    package["releases"][0]["parties"][1]["details"]["scale"] = "mikro"
    assert list(validators["release"][0].iter_errors(package))


def test_only_orders_with_a_signed_sp_are_published(world, app, client):
    published = {r["ocid"] for r in all_releases(client)}
    expected = {ocds.ocid(world[n].id, app.config) for n in ("approved", "paid", "cut_at_bast", "cut_later")}
    assert published == expected
    for name in ("waiting", "cancelled"):
        missing = client.get(f"/ocds/records/{ocds.ocid(world[name].id, app.config)}.json")
        assert missing.status_code == 404 and missing.mimetype == "application/json"
    for wrong in ("ocds-lain-1", f"{app.config['OCDS_PREFIX']}-x1", f"{app.config['OCDS_PREFIX']}-" + "9" * 40):
        assert client.get(f"/ocds/records/{wrong}.json").status_code == 404


def test_a_paid_order_has_its_sp_two_basts_and_the_payment(world, app, client):
    order = world["paid"]
    record = record_of(client, app, order)["records"][0]
    oc = ocds.ocid(order.id, app.config)
    assert [r["id"] for r in record["releases"]] == [f"{oc}-sp", f"{oc}-bast-1", f"{oc}-bast-2", f"{oc}-payment"]
    assert record["releases"][0]["tag"] == ["planning", "tender", "award", "contract"]
    compiled = record["compiledRelease"]
    assert compiled["planning"]["budget"]["id"] == order.rup_code
    assert compiled["planning"]["budget"]["amount"] == {"amount": order.package.pagu, "currency": "IDR"}
    assert compiled["tender"]["procurementMethod"] == "direct"
    assert "e-Katalog Lokal" in compiled["tender"]["procurementMethodDetails"]
    contract = compiled["contracts"][0]
    assert contract["id"] == order.sp_number and contract["status"] == "terminated"
    assert contract["value"] == {"amount": 1_000_000, "currency": "IDR"}
    item = contract["items"][0]
    assert item["quantity"] == 10 and item["unit"]["value"] == {"amount": 100_000, "currency": "IDR"}
    assert item["unit"]["name"] == order.items[0].unit
    assert item["classification"]["scheme"] == ocds.CATEGORY_SCHEME
    milestones = contract["implementation"]["milestones"]
    assert [m["title"] for m in milestones] == [f"BAST ke-{h.sequence} ({h.number})" for h in order.handovers]
    assert all(m["status"] == "met" and m["type"] == "delivery" for m in milestones)
    [transaction] = contract["implementation"]["transactions"]
    assert transaction["value"] == {"amount": order.payment.gross, "currency": "IDR"}
    assert transaction["payer"]["id"].startswith("opd-") and transaction["payee"]["id"].startswith("ID-NIB-")
    # Before the payment the contract was still active, with one BAST only.
    first_bast = record["releases"][1]["contracts"][0]
    assert first_bast["status"] == "active" and len(first_bast["implementation"]["milestones"]) == 1
    assert "transactions" not in first_bast["implementation"]


def test_suppliers_carry_their_scale_and_the_opd_is_buyer(world, app, client):
    releases = {r["ocid"]: r for r in all_releases(client)}
    medium = releases[ocds.ocid(world["approved"].id, app.config)]
    micro = releases[ocds.ocid(world["paid"].id, app.config)]
    assert medium["parties"][1]["details"] == {"scale": "medium"}
    assert micro["parties"][1]["details"] == {"scale": "micro"}
    assert medium["parties"][0]["roles"] == ["buyer", "procuringEntity"]
    assert medium["buyer"]["id"] == medium["parties"][0]["id"]


def test_a_rest_cancelled_amends_the_contract_and_earlier_releases_never_change(world, app, client):
    p, _ = world["parties"]
    at_bast = record_of(client, app, world["cut_at_bast"])["records"][0]
    assert at_bast["releases"][1]["tag"] == ["implementation", "contractAmendment"]
    assert at_bast["compiledRelease"]["contracts"][0]["value"]["amount"] == 700_000
    assert at_bast["compiledRelease"]["awards"][0]["value"]["amount"] == 1_000_000  # the SP as signed

    order = world["cut_later"]
    before = record_of(client, app, order)["records"][0]["releases"]
    assert before[-1]["contracts"][0]["value"]["amount"] == 1_000_000
    orders.cancel_rest(p.ppk, order, "Penyedia tidak sanggup mengirim sisa barang", now(), oh.today())
    db.session.commit()
    after = record_of(client, app, order)["records"][0]["releases"]
    assert after[:len(before)] == before  # published releases are immutable
    assert after[-1]["tag"] == ["contractAmendment"]
    contract = after[-1]["contracts"][0]
    assert contract["value"]["amount"] == 500_000 and contract["items"][0]["quantity"] == 5
    assert contract["amendments"][-1]["amendsReleaseID"] == before[-1]["id"]


def test_no_personal_data_is_published(world, app, client):
    text = json.dumps(all_releases(client), ensure_ascii=False)
    text += json.dumps([record_of(client, app, world[n]) for n in ("paid", "cut_at_bast")], ensure_ascii=False)
    for p in world["parties"]:
        for official in (p.pp, p.ppk, p.bendahara, p.supplier):
            assert official.email not in text and official.name not in text
        profile = p.supplier.org.supplier
        assert profile.phone not in text and profile.npwp not in text and profile.address not in text
        assert profile.nib in text  # the business number, as on the public profile
    assert "Ibu Sari" not in text and "0812" not in text  # free text typed by officials stays out


def test_release_pages_dates_and_bad_input(world, app, client, make_app):
    response = client.get("/ocds/releases.json")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/ocds/releases.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    everything = all_releases(client)
    assert len(everything) == len({r["id"] for r in everything}) == 1 + 4 + 3 + 2
    dates = [r["date"] for r in everything]
    assert dates == sorted(dates)

    small_pages = make_app(OCDS_PAGE_SIZE=3).test_client()
    first = small_pages.get("/ocds/releases.json")
    package = first.get_json()
    assert len(package["releases"]) == 3 and package["links"]["next"].endswith("/ocds/releases.json?page=2")
    assert 'rel="next"' in first.headers["Link"]
    assert [r["id"] for r in all_releases(small_pages)] == [r["id"] for r in everything]
    last_page = (len(everything) + 2) // 3
    assert small_pages.get(f"/ocds/releases.json?page={last_page + 1}").status_code == 404

    later = datetime.fromisoformat(dates[-1].replace("Z", "+00:00")) + timedelta(seconds=1)
    assert client.get("/ocds/releases.json", query_string={"since": later.isoformat()}).status_code == 404
    until = client.get("/ocds/releases.json", query_string={"until": later.isoformat()}).get_json()
    assert len(until["releases"]) == len(everything)
    today = oh.today().isoformat()
    assert client.get(f"/ocds/releases.json?since={today}&until=2000-01-01").status_code == 404
    for bad in ("since=kemarin", "until=2026-13-01", "page=0", "page=-1", "page=x", "page=99999999",
                "since=" + "9" * 5000, "page=%00"):
        refused = client.get(f"/ocds/releases.json?{bad}")
        assert refused.status_code == 400 and refused.mimetype == "application/json", bad


def test_the_yearly_file_and_the_command_hold_every_release_of_the_year(world, app, client, runner, tmp_path):
    year = world["paid"].budget_year
    response = client.get(f"/ocds/releases-{year}.jsonl.gz")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert f"ocds-releases-{year}.jsonl.gz" in response.headers["Content-Disposition"]
    lines = gzip.decompress(response.get_data()).decode("utf-8").splitlines()
    releases = [json.loads(line) for line in lines]
    assert sorted(r["id"] for r in releases) == sorted(r["id"] for r in all_releases(client))
    assert gzip.decompress(client.get(f"/ocds/releases-{year - 1}.jsonl.gz").get_data()) == b""
    assert client.get("/ocds/releases-1900.jsonl.gz").status_code == 404

    target = tmp_path / "dump.jsonl.gz"
    done = runner.invoke(args=["ocds", "dump", "--year", str(year), "--output", str(target)])
    assert done.exit_code == 0, done.output
    assert gzip.decompress(target.read_bytes()).decode("utf-8").splitlines() == lines


def test_the_open_data_page_is_linked_from_the_footer(world, client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/ocds"' in home and "Data terbuka (OCDS)" in home
    page = oh.page_text(client.get("/ocds"))
    assert "/ocds/releases.json" in page and "ocds-xxxxxx-pbj-6172" in page
    assert f"/ocds/releases-{oh.today().year}.jsonl.gz" in page


@pytest.mark.slow
def test_the_demo_world_validates(app, client, validators):
    from pbj import demo

    demo.seed(random.Random(8), products=60, orders=36)
    db.session.commit()
    package_count = 0
    url = "/ocds/releases.json"
    while url:
        package = client.get(url).get_json()
        assert_valid(validators["release"][0], package)
        package_count += 1
        url = package.get("links", {}).get("next")
    published = db.session.scalars(sa.select(Order).where(Order.sp_number.is_not(None))).all()
    assert published
    for order in published[:40]:
        assert_valid(validators["record"], record_of(client, app, order))
