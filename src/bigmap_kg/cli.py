"""Command-line interface of bigmap-kg (build, validate, query, export, reason)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pyoxigraph as ox

from . import import_catalog, paths, sources
from .build import BuildError, build
from .namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, PREFIXES, to_iri
from .queryfile import QueryFile, QueryFileError
from .reason import ReasoningError, reason
from .results import render, run
from .sources import InputError
from .store import StoreMissingError, connect
from .validate import validate


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="bigmap-kg")
def main() -> None:
    """bigmap-kg: the knowledge graph of BIG-MAP deliverable D5.1."""


@main.command("build")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@click.option("--no-reason", is_flag=True, help="Skip the HermiT reasoner.")
def build_command(quiet: bool, no_reason: bool) -> None:
    """Parse, validate, check imports, infer and reason, then swap in a new store."""
    try:
        summary = build(progress=(lambda _: None) if quiet else
                        (lambda m: click.echo(f"  {m}", err=True)), reasoner=not no_reason)
    except InputError as error:
        fail(str(error), 1)
    except QueryFileError as error:
        fail(str(error), 1)
    except BuildError as error:
        if error.report:
            click.echo(error.report.as_text(), err=True)
        fail(str(error), 1)
    click.echo(summary.as_text())


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True)
@click.option("--warnings/--no-warnings", default=True, show_default=True,
              help="Show warnings (facts D5.1 itself leaves blank) in the text report.")
def validate_command(files: tuple[Path, ...], fmt: str, warnings: bool) -> None:
    """SHACL-validate FILES (default: all of data/ttl). Exit 1 on violations."""
    try:
        data = sources.read(list(files) or sources.data_files())
        ontology = sources.read(sources.ontology_files()).graph
        shapes = sources.read(sources.shapes_files()).graph
    except InputError as error:
        fail(str(error), 1)
    report = validate(data, shapes, ontology)
    if fmt == "json":
        click.echo(report.as_json())
    elif fmt == "turtle":
        click.echo(report.as_turtle())
    else:
        if not warnings:
            report.findings = report.violations
        click.echo(report.as_text())
    sys.exit(1 if report.violations else 0)


@main.command("query")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("-e", "--expression", help="SPARQL text instead of a file.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "turtle", "nt",
                                                    "jsonld"]), default="table", show_default=True)
@click.option("--asserted-only", is_flag=True,
              help="Query the asserted graphs only (default: asserted + inferred).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (an IRI, a CURIE or a literal).")
def query_command(file: Path | None, expression: str | None, fmt: str, asserted_only: bool,
                  params: tuple[str, ...]) -> None:
    """Run a SPARQL query (FILE.rq or -e 'SPARQL') against the built store."""
    if bool(file) == bool(expression):
        fail("give exactly one of FILE or -e/--expression")
    try:
        text = QueryFile.read(file).text if file else expression
    except QueryFileError as error:
        fail(str(error))
    bindings = {}
    for item in params:
        name, _, value = item.partition("=")
        bindings[name.lstrip("?")] = parse_term(value)
    try:
        store = connect()
        result = run(store, text, inferred=not asserted_only, bindings=bindings)
        output = render(result, fmt)
        click.echo(output, nl=not output.endswith("\n"))
    except StoreMissingError as error:
        fail(str(error))
    except (SyntaxError, ValueError) as error:
        fail(f"query failed: {error}")


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """A CLI parameter value: <iri>, prefix:local for project prefixes, or a literal."""
    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    iri = to_iri(value)
    return ox.NamedNode(iri) if iri else ox.Literal(value)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]),
              default="ttl", show_default=True)
@click.option("--asserted-only", is_flag=True, help="Leave out the inferred graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File (default: stdout).")
def export_command(fmt: str, asserted_only: bool, output: Path | None) -> None:
    """Export the store: one merged graph (ttl, nt, jsonld) or all named graphs (trig, nq)."""
    try:
        store = connect()
    except StoreMissingError as error:
        fail(str(error))
    graphs = [ox.NamedNode(g) for g in (ASSERTED_GRAPHS if asserted_only else ALL_GRAPHS)]
    quads = [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]
    if fmt in {"trig", "nq"}:
        data = ox.serialize(quads, format=ox.RdfFormat.TRIG if fmt == "trig" else
                            ox.RdfFormat.N_QUADS, prefixes=PREFIXES if fmt == "trig" else None)
    else:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        rdf_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        data = ox.serialize(sorted(triples, key=str), format=rdf_format,
                            prefixes=PREFIXES if fmt == "ttl" else None)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


#: seconds a stopping server gives requests in flight (then their queries are stopped)
GRACE = 3


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="uvicorn worker processes; each runs its queries in "
                   "BIGMAP_KG_QUERY_WORKERS killable query processes.")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log every request (costs time on each one).")
def serve_command(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the built store: SPARQL 1.1 endpoint, JSON-LD views, web pages (plain uvicorn)."""
    import uvicorn

    try:
        connect()
    except StoreMissingError as error:
        fail(str(error))
    uvicorn.run("bigmap_kg.web.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=access_log,
                timeout_graceful_shutdown=GRACE)


@main.command("complement")
@click.argument("technique")
@click.option("--kind", type=click.Choice(["complementary", "comparable", "same-cell"]),
              help="Only this kind of relation.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def complement_command(technique: str, kind: str | None, as_json: bool) -> None:
    """Techniques related to TECHNIQUE (slug, CURIE or IRI), with the reasons."""
    import json

    from .relations import format_relation, relations, technique_iri

    try:
        store = connect()
    except StoreMissingError as error:
        fail(str(error))
    iri = technique_iri(technique)
    known = [r["t"].value for r in run(store, "SELECT ?t WHERE { ?t a bmo:Technique }")]
    if iri not in known:
        import difflib

        close = difflib.get_close_matches(iri, known, n=5, cutoff=0.6)
        fail(f"unknown technique {technique!r}" + (
            f"; close matches: {', '.join(c.rsplit('/', 1)[1] for c in close)}" if close else ""))
    found = [r for r in relations(store, iri) if kind is None or r.kind == kind]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in found], indent=2, ensure_ascii=False))
    else:
        for relation in found:
            click.echo(format_relation(relation))
        click.echo(f"({len(found)} relation(s))")


@main.command("plan")
@click.option("-o", "--observable", "observables", multiple=True, required=True,
              help="An observable the study needs (repeat).")
@click.option("--operando", is_flag=True, help="Only commercial / realistic rows.")
@click.option("--category", "categories", multiple=True,
              type=click.Choice(["commercial", "realistic", "model"]))
@click.option("--facility-type", "facility_types", multiple=True,
              type=click.Choice(["laboratory", "neutron", "synchrotron"]))
@click.option("--partner", "partners", multiple=True, help="Only offers of these partners.")
@click.option("--material", help="Only techniques the Tier 1 plan applies to this material.")
@click.option("--max-size", default=4, show_default=True, type=click.IntRange(1, 5))
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True)
def plan_command(observables, operando, categories, facility_types, partners, material,
                 max_size, limit, as_json) -> None:
    """Smallest sets of matrix entries that cover the observables (exact search)."""
    import json

    from .namespaces import curie
    from .planner import Constraints, PlanError, plan

    try:
        result = plan(connect(), list(observables), Constraints(
            operando_only=operando, categories=categories, facility_types=facility_types,
            partners=partners, material=material, max_size=max_size, limit=limit))
    except StoreMissingError as error:
        fail(str(error))
    except PlanError as error:
        fail(f"{error}" + (f"; close matches: {', '.join(error.close_matches)}"
                           if error.close_matches else ""))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    for number, found in enumerate(result.plans, 1):
        click.echo(f"{number}. " + " + ".join(curie(e) for e in found.entries)
                   + f"  (cross-check partners: {found.cross_check_partners}"
                   + (f", shared cell: {curie(found.shared_cells[0])}" if found.shared_cells
                      else "") + ")")
    for why in result.why_uncovered:
        click.echo(f"uncovered: {curie(why.observable)}; measured only by "
                   + (", ".join(curie(e) for e in why.measured_by) or "no matrix row")
                   + (f"; drop {' or '.join(why.relax)} to cover it" if why.relax else ""))
    click.echo(f"({len(result.plans)} plan(s) from {result.candidates} candidate entries)")


@main.command("check-imports")
@click.option("--imports", "folders", envvar="BIGMAP_KG_IMPORTS", required=True,
              help="Folder(s) of the aligned ontologies (os.pathsep-separated); "
                   "default: $BIGMAP_KG_IMPORTS.")
def check_imports_command(folders: str) -> None:
    """Check that every external IRI we use is declared in the import catalog, not deprecated."""
    catalog = import_catalog.load_catalog(import_catalog.folders_from_env(folders))
    graph = sources.read(sources.ontology_files() + sources.data_files()).graph
    result = import_catalog.check(graph, catalog)
    for path, why in catalog.unreadable:
        click.echo(f"note: skipped unreadable file {path}: {why}", err=True)
    for iri in result.missing:
        click.echo(f"missing: {iri}")
    for iri in result.deprecated:
        click.echo(f"deprecated: {iri}")
    click.echo(f"{len(result.used)} external IRIs checked against {len(catalog.files)} files: "
               + ("ok" if result.ok else "FAILED"))
    sys.exit(0 if result.ok else 1)


@main.command("check-ontology")
@click.option("--imports", "folders", envvar="BIGMAP_KG_IMPORTS", required=True,
              help="Folder(s) of the aligned ontologies (os.pathsep-separated); "
                   "default: $BIGMAP_KG_IMPORTS.")
@click.option("--with-data", is_flag=True,
              help="Also merge the D5.1 data and what the rules derive (slower).")
@click.option("--ours-only", is_flag=True,
              help="Test only our classes for satisfiability instead of classifying the "
                   "whole closure (seconds instead of minutes).")
def check_ontology_command(folders: str, with_data: bool, ours_only: bool) -> None:
    """HermiT and the OWL 2 DL profile check over our ontology merged with CHAMEO and the
    battery domain closure (resolved offline from the import catalog)."""
    from . import ontology_check

    try:
        result = ontology_check.check(import_catalog.folders_from_env(folders),
                                      extra=ontology_check.data_with_rules() if with_data
                                      else None, classify_all=not ours_only)
    except ontology_check.OntologyCheckError as error:
        fail(str(error), 2)
    click.echo(result.as_text())
    sys.exit(0 if result.ok else 1)


@main.command("reason")
def reason_command() -> None:
    """Run HermiT over ontology + data: consistency and the facts it infers."""
    graph = sources.read(sources.ontology_files() + sources.data_files()).graph
    try:
        result = reason(graph)
    except ReasoningError as error:
        fail(str(error), 1)
    click.echo(f"consistent; {len(result.inferred)} inferred triples in {result.seconds:.1f}s")



@main.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read, link and validate only; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the report.")
@click.option("--batch-size", type=click.IntRange(min=0), default=0, show_default=True,
              help="Files per batch for bulk loads (0: all files are one batch). Each batch is "
                   "validated and written on its own; the first rejected batch stops the load.")
def ingest_command(files: tuple[Path, ...], dry_run: bool, fmt: str, batch_size: int) -> None:
    """Ingest dataset metadata FILES as one batch (RO-Crate / .eln, InvenioRDM / Zenodo,
    DataCite JSON or XML, BattINFO or schema.org JSON-LD, Turtle / JSON-LD in our vocabulary).

    The batch is validated with shapes/datasets.shapes.ttl first; any violation rejects it whole
    (exit 1) and nothing is written. Re-ingesting a record replaces what it said before."""
    from .datasets.ingest import ingest_files
    from .datasets.resolve import Vocabulary

    try:
        store = connect()
    except StoreMissingError as error:
        fail(str(error))
    size = batch_size or len(files)
    vocabulary = Vocabulary.from_store(store)
    # one compaction after the run, if needed, in the background (a service compacts too)
    with store.compaction_deferred(in_background=True):
        for start in range(0, len(files), size):
            batch = list(files[start:start + size])
            report = ingest_files(batch, store, None if dry_run else store.replace_records,
                                  vocabulary)
            if size < len(files):
                click.echo(f"batch {start // size + 1}: files {start + 1}-{start + len(batch)}")
            click.echo(report.as_json() if fmt == "json" else report.as_text())
            if not report.accepted:
                sys.exit(1)


@main.command("withdraw")
@click.argument("records", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
def withdraw_command(records: tuple[str, ...], dry_run: bool) -> None:
    """Remove what ingested RECORDS added, exactly (one atomic update; nothing else changes).

    A record is named by its IRI, its identifier (bmo:recordId: a DOI, a crate or record id),
    or the IRI or DOI of a dataset it describes. A name that matches no record, or several,
    changes nothing (exit 2)."""
    from .datasets.ingest import WithdrawError, withdraw

    try:
        store = connect()
    except StoreMissingError as error:
        fail(str(error))
    try:
        done = withdraw(store, records, None if dry_run else store.update)
    except WithdrawError as error:
        fail(str(error))
    verb = "withdrew" if done["withdrawn"] else "would withdraw"
    for record in done["records"]:
        click.echo(f"{verb} {record}")
    for dataset in done["datasets"]:
        click.echo(f"  dataset {dataset}")


@main.command("compact")
@click.option("--if-fragmented", is_flag=True,
              help="Only when writes have added enough files since the last compaction.")
def compact_command(if_fragmented: bool) -> None:
    """Compact the embedded store (a copy, swapped in): after many single-batch writes such as
    POST /api/datasets, whose latest files stay uncompacted on a large store."""
    from .store.generations import compact_store, needs_compaction

    link = paths.store_dir()
    if not link.exists():
        fail(f"no store at {link}: run `bigmap-kg build` first")
    done = compact_store(link, when=needs_compaction) if if_fragmented else compact_store(link)
    click.echo("compacted" if done else "not fragmented: nothing to do")


@main.command("export-datasets")
@click.option("--dcat", "dcat_format", type=click.Choice(["ttl", "jsonld", "nt"]),
              help="The DCAT catalogue of all datasets, in this format.")
@click.option("--datacite", "dataset", metavar="DATASET",
              help="One dataset (id, CURIE or IRI) as DataCite 4.5 JSON.")
@click.option("--ro-crate", "experiment", metavar="EXPERIMENT",
              help="One Tier 1 experiment (id, CURIE or IRI) as an RO-Crate folder (-o).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (DCAT, DataCite) or folder (RO-Crate); default stdout.")
def export_datasets_command(dcat_format: str | None, dataset: str | None,
                            experiment: str | None, output: Path | None) -> None:
    """Export dataset metadata: a DCAT catalogue, a DataCite record or an RO-Crate."""
    import json

    from .datasets import crate_export, export

    if sum(x is not None for x in (dcat_format, dataset, experiment)) != 1:
        fail("give exactly one of --dcat, --datacite, --ro-crate")
    try:
        store = connect()
    except StoreMissingError as error:
        fail(str(error))
    try:
        if experiment:
            if output is None:
                fail("--ro-crate needs -o FOLDER")
            target = crate_export.ro_crate(store, _entity_iri(experiment, "exp"), output,
                                           experiment)
            click.echo(f"RO-Crate written to {target}")
            return
        body = export.catalog(store, dcat_format) if dcat_format else json.dumps(
            export.datacite(store, _entity_iri(dataset, "dataset")), indent=2).encode()
    except export.ExportError as error:
        fail(str(error), 1)
    if output:
        output.write_bytes(body)
    else:
        click.echo(body.decode())


def _entity_iri(value: str, prefix: str) -> str:
    """An IRI from an id ("t3-09"), a CURIE ("exp:t3-09") or an IRI."""
    return to_iri(value, prefix)


@main.command("push")
@click.argument("query_url")
@click.option("--update-url", help="SPARQL Update endpoint (default: derived from QUERY_URL).")
@click.option("--gsp-url", help="Graph Store endpoint (default: derived from QUERY_URL).")
def push_command(query_url: str, update_url: str | None, gsp_url: str | None) -> None:
    """Copy the built store's named graphs into a remote SPARQL store (Graph Store protocol
    PUT, one graph at a time), e.g. `bigmap-kg push http://127.0.0.1:7878/query`; then serve
    it with BIGMAP_KG_STORE_URL set to the same endpoint."""
    from .store import LiveStore, RemoteStore, remote_credentials
    from .store.remote import push

    remote = RemoteStore.from_url(query_url, update_url, gsp_url, **remote_credentials())
    if not remote.gsp_url:
        fail("give --gsp-url (QUERY_URL ends neither in /query nor in /sparql)")
    try:
        counts = push(LiveStore().current(), remote)
    except StoreMissingError as error:
        fail(str(error))
    for graph, count in counts.items():
        click.echo(f"{graph}: {count} triples")


if __name__ == "__main__":
    main()
