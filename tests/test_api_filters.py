"""The /api collection filters as data: sparql/api/collections.toml names them, one SPARQL file
per filter holds its pattern, and a client's value is bound as an RDF term, never pasted into
the query. Expected members are read off D5.1's Tables 1-4 (line numbers of
../shared/seed/000_25d3a3d276579e9f.txt)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bigmap_kg.queryfile import QueryFile
from bigmap_kg.web.app import create_app
from bigmap_kg.web.routes.collections import COLLECTIONS, DESCRIPTION, CollectionsError, load
from bigmap_kg.web.server.settings import Settings

API_VIEWS = DESCRIPTION.parent
#: Tier 1 rows naming ILL: 861 'CEA, ILL  operando neutron diffraction' (Table 1 row 9),
#: 907 'CEA, ILL  operando neutron imaging' (Table 3 row 2), 944 'CEA, ILL  development of
#: stroboscopic mode for operando diffraction' (Table 4 row 1), 962 'CEA/ILL  operando SANS,
#: development of 2D cell' (Table 4 row 13) — every one with CEA.
ILL = {"t1-09", "t3-02", "t4-01", "t4-13"}
#: Table 4 rows of TUD: 949 'TUD  neutron diffraction, development and testing of operando
#: cells' (row 6), 950 'TUD  development of in-house (Ag source) transmission operando x-ray
#: diffraction' (row 7).
TUD_TABLE_4 = {"t4-06", "t4-07"}


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path, query_workers=1))) as c:
        yield c


def members(client: TestClient, collection: str, params) -> set[str]:
    response = client.get(f"/api/{collection}", params=params)
    assert response.status_code == 200, response.text
    return {m["@id"].rsplit("/", 1)[1] for m in response.json()["member"]}


def test_every_filter_is_one_sparql_file_and_every_file_a_filter() -> None:
    described = {f"{c}/{name}" for c, spec in COLLECTIONS.items() for name in spec.filters}
    files = {p.relative_to(API_VIEWS).with_suffix("").as_posix()
             for p in API_VIEWS.glob("*/*.rq")}
    assert files == described
    for name in files:
        QueryFile.read(API_VIEWS / f"{name}.rq").check_syntax()


def test_a_broken_description_names_its_file(tmp_path: Path) -> None:
    copy = tmp_path / "collections.toml"
    shutil.copytree(API_VIEWS, tmp_path, dirs_exist_ok=True)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('theme = { slug = "theme"', 'colour = { slug = "theme"'),
                    encoding="utf-8")
    with pytest.raises(CollectionsError, match=r"collections\.toml: filter 'colour' of "
                                               r"'experiments' has no query file"):
        load(copy)
    copy.write_text(text.replace("[collections.cells]", "[collections.cells"), encoding="utf-8")
    with pytest.raises(CollectionsError, match=r"collections\.toml: .*line \d+"):
        load(copy)
    copy.write_text(text.replace('aliases = "level"', 'aliases = "levels"'), encoding="utf-8")
    with pytest.raises(CollectionsError, match=r"collections\.toml: KeyError: 'levels'"):
        load(copy)


def test_a_slug_a_curie_and_an_iri_name_the_same_partner(client: TestClient) -> None:
    for value in ("ill", "partner:ill", "https://w3id.org/bigmap-kg/partner/ill"):
        assert members(client, "experiments", {"partner": value}) == ILL, value


def test_several_filters_and_values_keep_what_every_one_selects(client: TestClient) -> None:
    """Every ILL row names CEA too; no row names both ILL and TUD."""
    assert members(client, "experiments", [("partner", "cea"), ("partner", "ill")]) == ILL
    assert members(client, "experiments", [("partner", "ill"), ("partner", "tud")]) == set()
    assert members(client, "experiments", {"partner": "tud", "table": "4"}) == TUD_TABLE_4


def test_values_are_bound_as_terms_never_pasted_into_the_query(client: TestClient) -> None:
    """Text that would widen the query if it were pasted in selects nothing (a literal) or is
    refused (no valid IRI)."""
    assert members(client, "experiments", {"table": "4 } UNION { ?item ?p ?o"}) == set()
    assert members(client, "experiments", {"table": '4" || true'}) == set()
    refused = client.get("/api/experiments", params={"partner": "ill> } UNION { ?item ?p ?o"})
    assert refused.status_code == 400 and "no valid IRI" in refused.text
