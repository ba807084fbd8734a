"""The JSON-LD collections of /api: which class each lists and which filters it offers.

A filter is a SPARQL pattern over ?item with one variable, ?value, bound to the RDF term the
client gives (an IRI, a CURIE, a slug of the filter's kind, or a literal) — values are bound as
terms, never pasted into query text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import BMO, PREFIXES, iri_of, to_iri


@dataclass(frozen=True)
class Filter:
    pattern: str
    kind: str | None = None     # prefix used to expand a slug: "cluster" → cluster:<slug>
    description: str = ""
    literal: str | None = None  # datatype for literal filters (e.g. xsd:boolean)
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectionSpec:
    prefix: str
    cls: str
    filters: dict[str, Filter]
    description: str


CATEGORY = {"commercial": str(BMO.Commercial), "realistic": str(BMO.Realistic),
            "model": str(BMO.Model)}
FACILITY_TYPE = {"laboratory": str(BMO.LaboratoryFacility), "lab": str(BMO.LaboratoryFacility),
                 "neutron": str(BMO.NeutronFacility), "synchrotron": str(BMO.SynchrotronFacility)}
PROBE = {"x-ray": str(BMO.XRayProbe), "xray": str(BMO.XRayProbe), "neutron": str(BMO.NeutronProbe),
         "electron": str(BMO.ElectronProbe), "optical": str(BMO.OpticalProbe),
         "radio-frequency": str(BMO.RadioFrequencyProbe), "ion": str(BMO.IonProbe)}
ENTRY_PARTNER = "(bmo:hasCellOffer|bmo:hasInstrumentOffer)/bmo:partner"
#: a dataset's raw data (itself, or what it derives from) and the run and sample behind it
RAW_RUN = "prov:wasDerivedFrom*/prov:wasGeneratedBy"
SAMPLE = "prov:wasDerivedFrom*/schema:about"
LEVEL = {"raw": PREFIXES["chameo"] + "RawData", "processed": PREFIXES["chameo"] + "PrimaryData",
         "analysed": PREFIXES["chameo"] + "SecondaryData",
         "analyzed": PREFIXES["chameo"] + "SecondaryData"}
CONFIGURATION = {"half-cell": str(BMO.HalfCell), "full-cell": str(BMO.FullCell)}

COLLECTIONS: dict[str, CollectionSpec] = {
    "techniques": CollectionSpec("tech", "bmo:Technique", {
        "cluster": Filter("?item bmo:hasMatrixEntry/bmo:cluster ?value", "cluster",
                          "a cluster (diffraction-scattering, imaging, ...)"),
        "category": Filter("?item bmo:hasMatrixEntry/bmo:sampleFormat ?value", None,
                           "sample-format category: commercial, realistic, model",
                           aliases=CATEGORY),
        "partner": Filter(f"?item bmo:hasMatrixEntry/{ENTRY_PARTNER} ?value", "partner",
                          "a partner offering a cell or instrument for it (dtu, cea, ...)"),
        "observable": Filter("?item bmo:hasMatrixEntry/bmo:measures/skos:broader* ?value", "obs",
                             "an observable it measures (narrower concepts included)"),
        "facility-type": Filter("?item bmo:hasMatrixEntry/bmo:hasInstrumentOffer/bmo:instrument/"
                                "bmo:facilityType ?value", None,
                                "laboratory, neutron or synchrotron", aliases=FACILITY_TYPE),
        "probe": Filter("?item bmo:probe ?value", None, "x-ray, neutron, electron, optical, "
                        "radio-frequency, ion", aliases=PROBE),
        "operando": Filter("BIND (EXISTS { ?item bmo:hasMatrixEntry/bmo:sampleFormat ?format "
                           "FILTER (?format IN (bmo:Commercial, bmo:Realistic)) } AS ?operando) "
                           "FILTER (?operando = ?value)", None,
                           "true: has a commercial or realistic (operando) matrix entry",
                           literal="xsd:boolean"),
    }, "Characterisation techniques of the D5.1 matrix (and the missing ones of section 2.5)."),
    "matrix-entries": CollectionSpec("entry", "bmo:MatrixEntry", {
        "technique": Filter("?item bmo:technique ?value", "tech", "the technique"),
        "cluster": Filter("?item bmo:cluster ?value", "cluster", "the cluster table"),
        "category": Filter("?item bmo:sampleFormat ?value", None, "commercial, realistic, model",
                           aliases=CATEGORY),
        "partner": Filter(f"?item {ENTRY_PARTNER} ?value", "partner",
                          "a partner in its availability"),
        "observable": Filter("?item bmo:measures/skos:broader* ?value", "obs",
                             "an observable it measures (narrower concepts included)"),
    }, "Rows of the four matrix tables."),
    "observables": CollectionSpec("obs", "bmo:Observable", {
        "broader": Filter("?item skos:broader+ ?value", "obs", "a broader concept"),
    }, "The observable concept scheme."),
    "cells": CollectionSpec("cell", "bmo:Cell", {
        "technique": Filter("?item bmo:supportsTechnique/bmo:broaderTechnique* ?value", "tech",
                            "a technique the cell supports (broader techniques match too)"),
        "partner": Filter("?item bmo:heldBy ?value", "partner", "the partner holding it"),
        "geometry": Filter("?item bmo:geometry ?value", None, "transmission or reflection",
                           aliases={"transmission": str(BMO.Transmission),
                                    "reflection": str(BMO.Reflection)}),
        "window": Filter("?item bmo:windowMaterial ?value", "mat", "a window material"),
    }, "Operando cells (Appendix A sheets and cells listed in the matrix)."),
    "partners": CollectionSpec("partner", "bmo:Partner", {}, "The 15 WP5 partners."),
    "instruments": CollectionSpec("inst", "bmo:Instrument", {
        "partner": Filter("?item bmo:operatedBy ?value", "partner", "the operating partner"),
        "facility": Filter("?item bmo:atFacility ?value", "fac", "the facility"),
        "facility-type": Filter("?item bmo:facilityType ?value", None,
                                "laboratory, neutron or synchrotron", aliases=FACILITY_TYPE),
    }, "Instruments and beamlines."),
    "facilities": CollectionSpec("fac", "bmo:Facility", {
        "facility-type": Filter("?item bmo:facilityType ?value", None,
                                "laboratory, neutron or synchrotron", aliases=FACILITY_TYPE),
    }, "Facilities (synchrotrons, neutron sources)."),
    "experiments": CollectionSpec("exp", "bmo:Tier1Experiment", {
        "partner": Filter("?item bmo:partner ?value", "partner", "a participating partner"),
        "technique": Filter("?item bmo:usesTechnique/bmo:broaderTechnique* ?value", "tech",
                            "a technique used (broader techniques match too)"),
        "material": Filter("?item bmo:material ?value", "mat", "a material"),
        "theme": Filter("?item bmo:theme ?value", "theme", "a theme"),
        "table": Filter("?item bmo:tableNumber ?value", None, "Table 1-4", literal="xsd:integer"),
    }, "Tier 1 experiments (Tables 1-4)."),
    "materials": CollectionSpec("mat", "bmo:Material", {},
                                "Materials of the Tier 1 plan and the cells."),
    "datasets": CollectionSpec("dataset", "bmo:Dataset", {
        "technique": Filter(f"?item {RAW_RUN}/bmo:appliedTechnique/bmo:broaderTechnique* ?value",
                            "tech", "the technique of the run behind its raw data "
                            "(narrower techniques match too)"),
        "instrument": Filter(f"?item {RAW_RUN}/chameo:hasCharacterisationMeasurementInstrument "
                             "?value", "inst", "the instrument or beamline"),
        "facility": Filter(f"?item {RAW_RUN}/chameo:hasCharacterisationMeasurementInstrument/"
                           "bmo:atFacility ?value", "fac", "the facility of the instrument"),
        "partner": Filter(f"?item {RAW_RUN}/prov:wasAssociatedWith ?value", "partner",
                          "a partner of the measurement run"),
        "experiment": Filter(f"?item {RAW_RUN}/bmo:partOfExperiment ?value", "exp",
                             "the Tier 1 experiment"),
        "material": Filter(f"?item {SAMPLE}/bmo:activeMaterial ?value", "mat",
                           "an active material of the sample"),
        "cell": Filter(f"?item {SAMPLE}/bmo:cellDesign ?value", "cell", "the cell design"),
        "configuration": Filter(f"?item {SAMPLE}/bmo:configuration ?value", None,
                                "half-cell or full-cell", aliases=CONFIGURATION),
        "level": Filter("?item a ?value", None, "raw, processed or analysed", aliases=LEVEL),
        "operando": Filter(f"?item {RAW_RUN}/bmo:operando ?value", None,
                           "true: the raw data was measured operando", literal="xsd:boolean"),
    }, "Datasets ingested from repositories (ontology/datasets.ttl); a processed or analysed "
       "dataset is found by the run, sample and instrument of the raw data it derives from."),
}


def expand(value: str, spec: Filter) -> tuple[str, str, str | None]:
    """(kind, value, datatype) for a filter value: an IRI, CURIE, alias, slug or literal."""
    if spec.literal:
        return "literal", value.lower() if spec.literal == "xsd:boolean" else value, \
            iri_of(spec.literal)
    if value.lower() in spec.aliases:
        return "iri", spec.aliases[value.lower()], None
    iri = to_iri(value, spec.kind)
    return ("iri", iri, None) if iri else ("literal", value, None)

#: an example value of each filter (documented in the OpenAPI; each is tested to be accepted by
#: every collection that has the filter and to select something in one of them, the dataset
#: filters once the documentation's example record is ingested)
FILTER_EXAMPLES: dict[str, str] = {
    "cluster": "imaging", "category": "realistic", "partner": "esrf",
    "observable": "crystal-structure", "facility-type": "synchrotron", "probe": "x-ray",
    "operando": "true", "technique": "xrd", "broader": "crystal-structure",
    "geometry": "transmission", "window": "kapton", "facility": "esrf", "material": "lno",
    "theme": "lithiation-mechanism", "table": "3", "instrument": "esrf-id31",
    "experiment": "t3-09", "cell": "esrf-coin-cells-cr20xx-size", "configuration": "half-cell",
    "level": "raw",
}


def filter_parameters() -> list[dict]:
    """The filters of every collection as OpenAPI query parameters, each saying which
    collections take it."""
    takers: dict[str, list[str]] = {}
    for collection, spec in COLLECTIONS.items():
        for name in spec.filters:
            takers.setdefault(name, []).append(collection)
    return [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
             "example": FILTER_EXAMPLES[name],
             "description": "; ".join(f"{c}: {COLLECTIONS[c].filters[name].description}"
                                      for c in collections)}
            for name, collections in sorted(takers.items())]
