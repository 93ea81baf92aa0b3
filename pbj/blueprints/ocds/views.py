"""Open data in OCDS 1.1 (docs/OPEN-DATA.md): release packages, record packages and
the yearly bulk file, public and without login, and a page that explains them."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, stream_with_context

from pbj.clock import city_today, parse_moment
from pbj.services import ocds
from pbj.urls import absolute_url

bp = Blueprint("ocds", __name__, url_prefix="/ocds")

JSON = "application/json"
# Published data changes when an order moves; five minutes stale is fine for analysts,
# and shared caches in front keep repeated harvesting off the database.
CACHE = "public, max-age=300"
MAX_PAGE = 1_000_000


@bp.get("")
def about():
    today = city_today()
    return render_template("ocds/about.html", prefix=current_app.config["OCDS_PREFIX"],
                           years=list(range(today.year, today.year - 3, -1)))


@bp.get("/releases.json")
def releases():
    config = current_app.config
    try:
        since = _moment_arg("since")
        until = _moment_arg("until")
        page = _page_arg()
    except ValueError as error:
        return _problem(400, str(error))
    size = config["OCDS_PAGE_SIZE"]
    found, more = ocds.release_page(config, since=since, until=until, page=page, size=size)
    if not found:
        return _problem(404, "No releases on this page: an OCDS release package holds at least one.")
    kept = {name: request.args[name] for name in ("since", "until") if request.args.get(name)}
    links = {}
    if more:
        links["next"] = absolute_url("ocds.releases", **kept, page=page + 1)
    if page > 1:
        links["prev"] = absolute_url("ocds.releases", **kept, page=page - 1)
    uri = absolute_url("ocds.releases", **kept, **({"page": page} if page > 1 else {}))
    response = _json(ocds.release_package(found, uri, config, links))
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


@bp.get("/records/<ocid>.json")
def record(ocid: str):
    config = current_app.config
    order_id = ocds.order_id_of(ocid, config)
    order = ocds.load_orders([order_id]).get(order_id) if order_id is not None else None
    if order is None:
        return _problem(404, "No published contracting process has this ocid.")
    return _json(ocds.record_package(order, absolute_url("ocds.record", ocid=ocid), config))


@bp.get("/releases-<int:year>.jsonl.gz")
def bulk(year: int):
    """Every release of a budget year, one JSON object a line, gzip, streamed."""
    if not 2000 <= year <= city_today().year + 1:
        return _problem(404, "No data for this year.")
    config = current_app.config
    lines = (ocds.to_json(release) for release in ocds.year_releases(config, year))
    response = Response(stream_with_context(ocds.gzip_lines(lines)), mimetype="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="ocds-releases-{year}.jsonl.gz"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _json(data) -> Response:
    response = Response(ocds.to_json(data), mimetype=JSON)
    response.headers["Cache-Control"] = CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: readable from any site's scripts
    response.add_etag()
    return response.make_conditional(request)


def _problem(code: int, message: str):
    response = jsonify(error=code, message=message)
    response.status_code = code
    return response


def _moment_arg(name: str):
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_moment(text[:40])  # a bare date is midnight in the city
    except ValueError:
        raise ValueError(f"{name}: use an ISO 8601 date or date-time, e.g. 2026-03-01 or "
                         f"2026-03-01T08:00:00+07:00.") from None


def _page_arg() -> int:
    text = request.args.get("page", "1").strip()
    if not (text.isascii() and text.isdecimal() and len(text) <= 7 and 1 <= int(text) <= MAX_PAGE):
        raise ValueError(f"page: a whole number from 1 to {MAX_PAGE}.")
    return int(text)
