"""Bad input gets a clear error (file, line, what is wrong) and never replaces a good store."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from bigmap_kg import sources
from bigmap_kg.build import BuildError, build
from bigmap_kg.queryfile import QueryFile, QueryFileError
from bigmap_kg.rules import rule_files


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "x" ;\n'
                   "  ex:f .\n", encoding="utf-8")
    with pytest.raises(sources.InputError) as caught:
        sources.read([bad])
    assert caught.value.path == bad
    assert caught.value.line == 4
    assert caught.value.column is not None
    assert str(bad) in str(caught.value) and ":4:" in str(caught.value)


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "data.xlsx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(sources.InputError, match="unsupported file type"):
        sources.read([odd])


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(sources.InputError, match="no such file"):
        sources.read([tmp_path / "absent.ttl"])


def _store_listing(path: Path) -> tuple[str, list[str]]:
    target = path.resolve()
    return str(target), sorted(p.name for p in target.iterdir())


def test_failed_build_leaves_the_store_exactly_as_it_was(store_path: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    monkeypatch.setenv("BIGMAP_KG_STORE", str(store_path))
    before = _store_listing(store_path)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix bmo: <https://w3id.org/bigmap-kg/ontology#> .\n"
                      "<https://w3id.org/bigmap-kg/matrix-entry/x> a bmo:MatrixEntry ;\n"
                      "    bmo:rowNumber \"one\" .\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(data_files=[*sources.data_files(), broken], reasoner=False)
    assert caught.value.report is not None and caught.value.report.violations
    assert _store_listing(store_path) == before

    unparsable = tmp_path / "unparsable.ttl"
    unparsable.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(sources.InputError):
        build(data_files=[*sources.data_files(), unparsable], reasoner=False)
    assert _store_listing(store_path) == before
    assert os.path.islink(store_path)


def test_rule_that_does_not_parse_names_file_and_line(tmp_path: Path) -> None:
    rule = tmp_path / "broken.rq"
    rule.write_text("# title: broken\nCONSTRUCT { ?s ?p ?o }\nWHERE { ?s ?p ?o } LIMTI 3\n# end\n",
                    encoding="utf-8")
    with pytest.raises(QueryFileError) as caught:
        rule_files(tmp_path)
    assert caught.value.path == rule
    assert caught.value.line == 3


def test_rule_must_be_construct(tmp_path: Path) -> None:
    (tmp_path / "select.rq").write_text("# title: x\nSELECT * WHERE { ?s ?p ?o }\n",
                                        encoding="utf-8")
    with pytest.raises(QueryFileError, match="CONSTRUCT"):
        rule_files(tmp_path)


def test_query_file_needs_a_title(tmp_path: Path) -> None:
    path = tmp_path / "untitled.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match="title"):
        QueryFile.read(path)


#: terms whose N-Triples (as rdflib writes them) pyoxigraph may read otherwise than written
TERMS = [URIRef("https://w3id.org/bigmap-kg/run/x"), URIRef("http://x/é"), Literal("plain"),
         Literal('quote " back \\ new\nline\rtab\t'), Literal("Titel", lang="DE-at"),
         Literal("5", datatype=XSD.integer), Literal("-5", datatype=XSD.nonNegativeInteger),
         Literal("x", datatype=XSD.string), Literal("2021", datatype=XSD.gYear),
         Literal("2021-02-02T08:00:00Z", datatype=XSD.dateTime)]


@pytest.mark.parametrize("term", TERMS, ids=[repr(t) for t in TERMS])
def test_ox_term_is_the_term_rdflib_n_triples_parse_to(term) -> None:
    """The ingest validates converted terms (sources.ox_term) and writes rdflib's
    N-Triples of them: both are the same terms."""
    graph = Graph()
    graph.add((URIRef("http://a"), URIRef("http://b"), term))
    parsed = next(iter(ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                                ox.RdfFormat.N_TRIPLES)))
    assert sources.ox_term(term) == parsed.object
    assert sources.rdflib_term(parsed.object) == term or term.datatype == XSD.string


def test_ox_term_refuses_what_the_parser_refuses() -> None:
    with pytest.raises(ValueError):
        sources.ox_term(URIRef("relative"))
    with pytest.raises(SyntaxError):
        next(iter(ox.parse(b"<http://a> <http://b> <relative> .", ox.RdfFormat.N_TRIPLES)))
