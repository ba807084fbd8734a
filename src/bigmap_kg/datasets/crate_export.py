"""The RO-Crate 1.1 of one Tier 1 experiment, built with the `rocrate` library: its datasets,
runs, samples, cells, instruments and partners. Each dataset keeps its IRI as @id (RO-Crate's
trailing slash is for directories; ours are not) and what its source record said — authors in
order with affiliations, contributors, publisher, description, keywords, dates, funding,
version, language; the root's licence is the datasets' licence when they agree, else a text
that says they differ or that none is stated."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ..queryfile import view
from ..results import run
from .export import LEVEL_NAMES, ExportError, agents, kept_fields, kept_rows, node_of
from .records import slug

#: adds a contextual entity (IRI, @type, name) to the crate once; returns {"@id": IRI}
Entity = Callable[[str | None, str, str | None], dict | None]


def crate_licence(licences: dict[str, str | None]) -> str | dict:
    """The root's licence from its datasets' (dataset → licence or None): the one licence
    they all carry ({"@id": …} for an IRI), else RO-Crate 1.1's "textual description of how
    the RO-Crate may be used" saying that they differ or that none is stated."""
    stated = set(licences.values())
    if len(stated) == 1 and None not in stated:
        value = next(iter(stated))
        return {"@id": value} if value.startswith("http") else value
    if stated == {None}:
        return ("No licence stated: none of the records of these datasets states a licence. "
                "Ask the data owners before reusing the data.")
    counts: dict[str, int] = defaultdict(int)
    for value in licences.values():
        counts[value or "none stated"] += 1
    listed = "; ".join(f"{name} ({count} dataset{'s' if count > 1 else ''})"
                       for name, count in sorted(counts.items()))
    return ("No single licence: the datasets of this crate carry different licences — "
            f"{listed}. Each dataset's own license applies to it.")


def record_properties(store, dataset: str, entity: Entity, entities: dict) -> dict:
    """The schema.org properties of one dataset from what its source record said (the same
    rows as its DataCite record): authors and contributors in order, each with its
    affiliations, publisher, description, keywords, dates, funding, version, language."""
    kept = kept_rows(store, dataset)
    more = kept_fields(kept)
    creators, contributors = agents(kept)

    def organisation(name: str | None, identifier: str | None = None) -> dict | None:
        return entity(identifier if (identifier or "").startswith("http") else
                      f"#organisation-{slug(name or '')}", "Organization", name)

    def person(agent: dict) -> dict | None:
        pid = next((i["nameIdentifier"] for i in agent["nameIdentifiers"]), None)
        reference = entity(pid or f"#agent-{slug(agent['name'])}", "Person" if agent[
            "nameType"] == "Personal" else "Organization", agent["name"])
        places = [organisation(a.get("name"), a.get("affiliationIdentifier"))
                  for a in agent["affiliation"]]
        if reference and places:
            entities[reference["@id"]]["affiliation"] = places
        return reference

    dates = {d["dateType"]: d["date"] for d in more["dates"]}
    properties: dict = {
        "author": [person(a) for a in creators],
        "contributor": [person(a) for a in contributors],
        "publisher": organisation(more["publisher"]) if more["publisher"] else None,
        "description": next((d["description"] for d in more["descriptions"]), None),
        "keywords": ", ".join(s["subject"] for s in more["subjects"] if "valueUri" not in s),
        "datePublished": dates.get("Issued"), "dateCreated": dates.get("Created"),
        "dateModified": dates.get("Updated"), "version": more["version"],
        "inLanguage": more["language"], "funding": []}
    for number, grant in enumerate(more["fundingReferences"]):
        local = f"#grant-{slug(grant.get('awardNumber') or str(number))}"
        reference = entity(grant.get("awardUri") or local, "Grant", grant.get("awardTitle"))
        if reference:
            entities[reference["@id"]]["identifier"] = grant.get("awardNumber")
            entities[reference["@id"]]["funder"] = organisation(
                grant["funderName"], grant.get("funderIdentifier"))
            properties["funding"].append(reference)
    return {k: v for k, v in properties.items() if v not in (None, "", [])}


def ro_crate(store, experiment: str, target: Path, label: str | None = None) -> Path:
    """An RO-Crate for one Tier 1 experiment: its datasets, runs, samples, cells,
    instruments and partners; written to `target` (a folder) and returned."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    rows = list(run(store, view("experiment-datasets"), prefixes=False,
                    bindings={"experiment": node_of(experiment,
                                                  f"no datasets belong to {experiment}")}))
    if not rows:
        raise ExportError(f"no datasets belong to {experiment}")
    crate = ROCrate(version="1.1")
    crate.name = f"Datasets of the BIG-MAP Tier 1 experiment {label or experiment}"
    crate.root_dataset["about"] = {"@id": experiment}
    crate.root_dataset["description"] = (
        "The raw, processed and analysed datasets of one experiment of the BIG-MAP D5.1 Tier 1 "
        "plan, with the measurement runs, samples, cells and instruments (from bigmap-kg).")
    entities: dict[str, ContextEntity] = {}

    def entity(iri: str | None, kind: str, name: str | None) -> dict | None:
        if not iri:
            return None
        if iri not in entities:
            entities[iri] = crate.add(ContextEntity(crate, iri, properties={
                "@type": kind, **({"name": name} if name else {})}))
        return {"@id": iri}

    datasets: dict[str, ContextEntity] = {}
    licences: dict[str, str | None] = {}
    files: set[tuple[str, str]] = set()
    actions: dict[str, dict] = {}
    for row in rows:
        value = {k: (row[k].value if row[k] is not None else None) for k in (
            "dataset", "title", "level", "license", "url", "size", "media", "run", "runLabel",
            "techniqueLabel", "instrument", "instrumentLabel", "sample", "sampleLabel", "cell",
            "cellLabel", "partner", "partnerLabel", "source", "started", "used")}
        iri = value["dataset"]
        if iri not in datasets:
            licences[iri] = value["license"]
            properties = {"@type": "Dataset", "name": value["title"], "identifier": iri,
                          "additionalType": LEVEL_NAMES.get(value["level"], "")}
            if value["license"]:
                properties["license"] = {"@id": value["license"]} \
                    if value["license"].startswith("http") else value["license"]
            if value["sample"]:
                properties["about"] = entity(value["sample"], "IndividualProduct",
                                             value["sampleLabel"])
            if value["source"]:
                properties["isBasedOn"] = {"@id": value["source"]}
            properties.update(record_properties(store, iri, entity, entities))
            # a dataset, not a directory: its own IRI as @id (add_dataset would append "/")
            datasets[iri] = crate.add(ContextEntity(crate, iri, properties=properties))
            crate.root_dataset.append_to("hasPart", datasets[iri])
        data = datasets[iri]
        if value["url"] and (iri, value["url"]) not in files:
            files.add((iri, value["url"]))
            file = crate.add_file(value["url"], properties={
                k: v for k, v in (("contentSize", value["size"]), ("encodingFormat", (
                    value["media"] or "").rsplit("media-types/", 1)[-1] or None)) if v})
            data["hasPart"] = [*data.get("hasPart", []), {"@id": file.id}]
        if value["cell"] and value["sample"]:
            entities[value["sample"]]["isVariantOf"] = entity(
                value["cell"], "ProductModel", value["cellLabel"])
        action = actions.setdefault(value["run"], {
            "properties": {"name": value["runLabel"] or value["run"]},
            "agent": [], "instrument": [], "object": [], "used": [], "result": []})
        if value["techniqueLabel"]:
            action["properties"]["description"] = f"Technique: {value['techniqueLabel']}"
        if value["started"]:
            action["properties"]["startTime"] = value["started"]
        for key, reference in (
                ("agent", entity(value["partner"], "Organization", value["partnerLabel"])),
                ("instrument", entity(value["instrument"], "IndividualProduct",
                                      value["instrumentLabel"])),
                ("object", value["sample"] and entities[value["sample"]]),
                ("used", value["used"]), ("result", data)):
            if reference and reference not in action[key]:
                action[key].append(reference)
    for identifier, action in actions.items():
        # a processing or analysis run's object is the data it used (a dataset of the crate)
        objects = action["object"] + [datasets[u] for u in action["used"] if u in datasets]
        properties = action["properties"]
        if action["agent"]:
            properties["agent"] = action["agent"]
        created = crate.add_action(
            [entities[i["@id"]] for i in action["instrument"]] or None, identifier=identifier,
            object=objects or None, result=action["result"], properties=properties)
        if not action["instrument"]:
            del created["instrument"]
    licence = crate_licence(licences)
    crate.root_dataset["license"] = licence
    if isinstance(licence, dict):
        entity(licence["@id"], "CreativeWork", None)
    crate.write(target)
    return target
