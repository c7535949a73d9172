"""The leaders' pages and their JSON twins: the same figures as the CLI on the demo, filters
that narrow, workers limited to their streams, the audit of claim lists, and 401/403 on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import typer
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from denialscope.cli import report as report_cli
from denialscope.web.models import AuditEvent
from factories.web import WebClients

PAYER = "SUMMIT HEALTH PLAN"
PAGES = ("/dashboard", "/pareto", "/departments")


def _cli(url: str, *args: str) -> object:
    app = typer.Typer()
    report_cli.register(app)
    result = CliRunner().invoke(app, ["report", *args, "--format", "json", "--database", url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_dashboard_figures_equal_report_kpis(demo_web: WebClients) -> None:
    leader = demo_web.as_role("leader")
    page = leader.get("/dashboard.json")
    assert page.status_code == 200
    data = page.json()
    assert data["kpis"] == _cli(demo_web.url, "kpis")
    streams = {s["stream"]: s for s in data["streams"]}
    assert list(streams) == ["clinical", "coding", "access", "billing"]
    for name, stream in streams.items():
        by_stream = data["kpis"]["denials_by_stream"][name]
        assert stream["denied_claims"] == int(by_stream["count"])
        assert stream["denied_charges"] == by_stream["charges"]
        assert stream["denied_net"] == by_stream["net"]
    for name, stream in streams.items():  # each column is `report kpis --stream NAME`
        alone = _cli(demo_web.url, "kpis", "--stream", name)
        assert isinstance(alone, dict)
        assert stream["denial_rate"] == alone["initial_denial_rate"]
        assert stream["appeals"] == alone["appeals"]
    trends = _cli(demo_web.url, "trends")
    assert [p["month"] for p in data["trend"]] == [p["month"] for p in trends]  # type: ignore[attr-defined]


def test_dashboard_html_shows_finance_formats_and_definitions(demo_web: WebClients) -> None:
    html = demo_web.as_role("leader").get("/dashboard").text
    assert re.search(r"\$\d{1,3}(,\d{3})+\.\d\d", html)  # $1,234,567.89
    assert re.search(r">\d+\.\d%<", html)  # 14.3%
    assert 'aria-describedby="def-rate-count"' in html
    assert "Initial denials ÷ claims adjudicated" in html  # the documented definition
    assert 'data-chart="trend-chart"' in html and 'id="trend-chart"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host


def test_pareto_equals_report_pareto_and_drills_to_its_claims(demo_web: WebClients) -> None:
    leader = demo_web.as_role("leader")
    query = {"stream": "clinical", "payer": PAYER, "target": "0.7"}
    data = leader.get("/pareto.json", params=query).json()
    cli = _cli(demo_web.url, "pareto", "--stream", "clinical", "--payer", PAYER, "--target", "0.7")
    assert isinstance(cli, dict)
    for key in ("measure", "target", "total", "vital_few"):
        assert data[key] == cli[key]
    assert [{k: v for k, v in e.items() if k != "dollars_net"} for e in data["entries"]] == cli[
        "entries"
    ]
    assert data["vital_few"]  # the leaders' question has an answer
    html = leader.get("/pareto", params=query).text
    links = re.findall(r'href="(/claims\?[^"]+)"', html)
    assert links
    # the first row's link keeps the filters and adds the cause; its claims add up to the bar
    first = data["entries"][0]
    link = next(x for x in links if f"root_cause={first['root_cause']}" in x).replace("&amp;", "&")
    params = parse_qs(urlparse(link).query)
    assert params["stream"] == ["clinical"] and params["payer"] == [PAYER]
    claims = leader.get("/claims.json", params={k: v[0] for k, v in params.items()}).json()
    assert claims["total"] == int(first["claims"])
    assert Decimal(claims["total_denied_charges"]) == Decimal(first["dollars"])
    assert all(row["payer"] == PAYER for row in claims["claims"])
    assert f'href="/claims/{claims["claims"][0]["claim_id"]}"' in leader.get(link).text


def test_filters_narrow_every_page(demo_web: WebClients) -> None:
    leader = demo_web.as_role("leader")
    everything = leader.get("/dashboard.json").json()["kpis"]["claims_adjudicated"]
    payer = leader.get("/dashboard.json", params={"payer": PAYER}).json()["kpis"]
    kind = leader.get("/dashboard.json", params={"payer_kind": "medicaid"}).json()["kpis"]
    quarter = leader.get("/dashboard.json", params={"period": "2025-Q2"}).json()
    assert 0 < payer["claims_adjudicated"] < everything
    assert 0 < kind["claims_adjudicated"] < everything
    assert [p["month"] for p in quarter["trend"]] == ["2025-04", "2025-05", "2025-06"]
    assert quarter["scope"] == {"date_from": "2025-04-01", "date_to": "2025-06-30"}
    cli = _cli(demo_web.url, "kpis", "--payer", PAYER)
    assert payer == cli
    all_claims = leader.get("/claims.json").json()["total"]
    narrowed = leader.get("/claims.json", params={"stream": "coding", "carc": "4"}).json()
    assert 0 < narrowed["total"] < all_claims
    assert all("coding" in row["streams"] for row in narrowed["claims"])
    departments = leader.get("/departments.json", params={"payer": PAYER}).json()
    assert departments == _cli(demo_web.url, "departments", "--payer", PAYER)


def test_a_bad_filter_is_a_400_naming_it(demo_web: WebClients) -> None:
    leader = demo_web.as_role("leader")
    for params, words in (
        ({"stream": "dental"}, "stream"),
        ({"period": "2025-13"}, "period"),
        ({"from": "yesterday"}, "yesterday"),
        ({"payer_kind": "martian"}, "payer kind"),
        ({"from": "2025-06-01", "to": "2025-01-01"}, "after"),
    ):
        response = leader.get("/dashboard.json", params=params)
        assert response.status_code == 400, params
        assert words in response.json()["detail"]
    assert leader.get("/pareto.json", params={"target": "lots"}).status_code == 400
    assert leader.get("/claims.json", params={"carc": "C0-5!"}).status_code == 400


def test_workers_see_only_their_streams(demo_web: WebClients) -> None:
    coder = demo_web.as_role("coder")
    mine = coder.get("/claims.json").json()
    assert mine["total"] > 0
    assert {s for row in mine["claims"] for s in row["streams"]} == {"coding"}
    assert coder.get("/claims.json", params={"stream": "clinical"}).status_code == 403
    assert coder.get("/claims", params={"stream": "clinical"}).status_code == 403
    menu = coder.get("/claims").text
    assert '<option value="coding"' in menu and '<option value="clinical"' not in menu
    leader = demo_web.as_role("leader")
    seen = {
        s for row in leader.get("/claims.json?limit=500").json()["claims"] for s in row["streams"]
    }
    assert seen == {"clinical", "coding", "access", "billing"}
    assert coder.get("/dashboard.json").status_code == 403  # aggregates are the leaders'


def test_claim_lists_are_audited_with_their_filters(demo_web: WebClients) -> None:
    leader = demo_web.as_role("leader")
    assert leader.get("/claims", params={"stream": "access", "payer": PAYER}).status_code == 200
    engine = create_engine(demo_web.url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(AuditEvent).where(AuditEvent.subject_type == "claim_list")
            ).one()
    finally:
        engine.dispose()
    assert (row.username, row.action, row.path) == ("leader", "view", "/claims")
    assert row.detail is not None
    assert "stream=access" in row.detail and "payer=SUMMIT+HEALTH+PLAN" in row.detail


@pytest.mark.parametrize("path", [*PAGES, "/claims"])
def test_signed_out_is_refused(web: WebClients, path: str) -> None:
    client = web.anonymous()
    assert client.get(f"{path}.json").status_code == 401
    page = client.get(path)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ["clinical", "coder", "access", "biller"])
def test_workers_may_not_see_the_aggregates(web: WebClients, role: str) -> None:
    client = web.as_role(role)
    for path in PAGES:
        assert client.get(f"{path}.json").status_code == 403
        assert client.get(path).status_code == 403
    assert client.get("/claims.json").status_code == 200  # their streams' claims


@pytest.mark.parametrize("role", ["admin", "leader", "analyst"])
def test_leaders_open_every_page_on_an_empty_database(web: WebClients, role: str) -> None:
    client = web.as_role(role)
    for path in (*PAGES, "/claims"):
        assert client.get(path).status_code == 200, path
        assert client.get(f"{path}.json").status_code == 200, path
    assert client.get("/claims.json").json()["total"] == 0
    assert client.get("/dashboard.json").json()["kpis"] is None


def test_the_pages_are_in_the_openapi_document(web: WebClients) -> None:
    paths = web.anonymous().get("/openapi.json").json()["paths"]
    for path in (*PAGES, "/claims"):
        assert path in paths and f"{path}.json" in paths
    names = {p["name"] for p in paths["/claims"]["get"]["parameters"]}
    assert {"period", "from", "to", "payer", "payer_kind", "stream", "root_cause", "carc"} <= names
