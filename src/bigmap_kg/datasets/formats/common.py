"""Writing our model into a record's graph: the pieces every format reader needs."""

from __future__ import annotations

import re

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ...namespaces import BASE, BMO, CHAMEO, PANET, PREFIXES, curie
from ..records import Record, mint
from ..resolve import Vocabulary, split_qualifier
from . import FormatError

DCAT = Namespace(PREFIXES["dcat"])
SCHEMA = Namespace(PREFIXES["schema"])
SPDX = Namespace(PREFIXES["spdx"])
LEVELS = {"raw": CHAMEO.RawData, "processed": CHAMEO.PrimaryData,
          "analysed": CHAMEO.SecondaryData, "analyzed": CHAMEO.SecondaryData}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def default_level(record: Record, derived: bool) -> str:
    """The level when a record does not state it: raw, or processed for derived data."""
    level = "processed" if derived else "raw"
    record.notes.append(f"the record does not state the data level; recorded as {level}"
                        + (" (it is derived from another dataset)" if derived else ""))
    return level


def iri_or_none(text: str | None) -> URIRef | None:
    return URIRef(text.strip()) if text and text.strip().startswith(("http://", "https://")) \
        else None


#: a DOI: 10.<registrant>/<suffix>, no white space (DataCite / Crossref syntax)
DOI = re.compile(r"10\.\d{4,9}(\.\d+)*/\S+")


def doi_of(text: object) -> str | None:
    """A DOI in our form (10.x/y, lower case) from a DOI, a doi: or a resolver URL; None for
    anything else (a number, a DOI with a space …)."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        value = value.removeprefix(prefix)
    return value if DOI.fullmatch(value) else None


def require_doi(source: str, value: object) -> str | None:
    """The DOI a record states (None if it states none); a stated value that is not a DOI —
    a number, text with a space — is an error that quotes it."""
    if value is None or value == "":
        return None
    doi = doi_of(value)
    if doi is None:
        raise FormatError(source, f"{value!r} is not a DOI: a DOI is a string 10.NNNN/suffix "
                                  "without spaces (e.g. \"10.5281/zenodo.1234\")")
    return doi


class Builder:
    """Adds datasets, runs, distributions, agents and resolved links to one record's graph."""

    def __init__(self, record: Record, vocabulary: Vocabulary) -> None:
        self.record, self.vocabulary, self.graph = record, vocabulary, record.graph
        self.scope = (record.fmt.lower(), record.record_id)

    def mint(self, kind: str, *parts: str) -> URIRef:
        node = mint(kind, *self.scope, *parts)
        if parts:
            self.record.anchors.setdefault(node, parts[-1])
        return node

    def dataset(self, node: URIRef, title: str | None, level: str = "raw",
                doi: str | None = None) -> URIRef:
        g = self.graph
        if level not in LEVELS:
            raise ValueError(f"unknown data level {level!r} (expected raw, processed or "
                             "analysed)")
        for cls in (BMO.Dataset, DCAT.Dataset, SCHEMA.Dataset, LEVELS[level]):
            g.add((node, RDF.type, cls))
        if title:
            g.add((node, DCTERMS.title, Literal(title.strip())))
        if doi:
            g.add((node, BMO.doi, Literal(doi)))
            g.add((node, DCAT.landingPage, URIRef(f"https://doi.org/{doi}")))
        return node

    def dataset_iri(self, doi: str | None, *parts: str) -> URIRef:
        """Datasets with a DOI get an IRI from it, so that other records can point at them."""
        if not doi:
            return self.mint("dataset", *parts)
        node = mint("dataset", "doi", doi)
        self.record.anchors.setdefault(node, doi)
        return node

    def run(self, node: URIRef, dataset: URIRef, techniques: list[str],
            operando: bool | None = None) -> URIRef:
        """A measurement run that generated `dataset`, with the technique(s) the record names."""
        g = self.graph
        g.add((node, RDF.type, BMO.MeasurementRun))
        g.add((dataset, PROV.wasGeneratedBy, node))
        for text in techniques:
            if text.startswith(str(PANET)):  # kept as the run's type, resolved or not
                g.add((node, RDF.type, URIRef(text)))
                found = self.vocabulary.resolve("technique", text)
                if found.node is not None:
                    g.add((node, BMO.appliedTechnique, found.node))
                self.record.notes.append(found.decision())
            else:
                g.add((node, BMO.techniqueAsRecorded, Literal(text)))
        if operando is not None:
            g.add((node, BMO.operando, Literal(operando)))
        return node

    def link(self, subject: URIRef, predicate: URIRef, kind: str, text: str | None,
             also: tuple[URIRef, ...] = ()) -> URIRef | None:
        """Link to the D5.1 node a name (or one of our IRIs) names, when exactly one does."""
        if not text:
            return None
        if text.startswith(BASE):
            node: URIRef | None = URIRef(text)
        else:
            found = self.vocabulary.resolve(kind, text)
            node = found.node
            self.record.notes.append(found.decision())
            if node is None:
                return None
        for p in (predicate, *also):
            self.graph.add((subject, p, node))
        return node

    def keywords(self, run: URIRef, words: list[str]) -> None:
        """What keywords say beyond the technique: an operando / ex situ qualifier on its own
        ("operando"), an instrument ("ESRF ID31", "ID31") and a Tier 1 experiment ("T3-09"),
        each only when it names exactly one D5.1 node; every decision is noted."""
        g = self.graph
        for word in words:
            rest, operando = split_qualifier(word)
            if operando is not None and not rest and (run, BMO.operando, None) not in g:
                g.add((run, BMO.operando, Literal(operando)))
                self.record.notes.append(f"keyword {word!r} → bmo:operando {operando}")
                continue
            named = False
            for kind, predicate, also in (
                    ("instrument", CHAMEO.hasCharacterisationMeasurementInstrument,
                     (PROV.used,)), ("experiment", BMO.partOfExperiment, ())):
                found = self.vocabulary.resolve(kind, word)
                if found.node is not None:
                    named = True
                    for p in (predicate, *also):
                        g.add((run, p, found.node))
                    self.record.notes.append(f"keyword {found.decision()}")
            if not named:
                self.record.notes.append(f"keyword {word!r} names no D5.1 technique, instrument "
                                         "or Tier 1 experiment")

    def affiliation(self, agent: URIRef, run: URIRef, name: str | None,
                    identifier: str | None = None) -> URIRef | None:
        """A creator's affiliation (a name, a ROR): the D5.1 partner it names — the agent's
        `schema:affiliation`, and a partner of the run — else kept as recorded, noted."""
        if not name and not identifier:
            return None
        found = self.vocabulary.resolve("partner", identifier) if identifier else None
        if found is None or found.node is None:
            found = self.vocabulary.resolve("partner", name or identifier or "")
        shown = f"{name!r}" + (f" ({identifier})" if identifier else "")
        if found.node is None:
            self.graph.add((agent, SCHEMA.affiliation, iri_or_none(identifier) or
                            Literal(name or identifier)))
            self.record.notes.append(f"affiliation {shown} names no D5.1 partner (by name"
                                     ", or a ROR a partner carries); kept as recorded")
            return None
        self.graph.add((agent, SCHEMA.affiliation, found.node))
        self.graph.add((run, PROV.wasAssociatedWith, found.node))
        self.record.notes.append(f"affiliation {shown} → {curie(str(found.node))} (a partner "
                                 "of the run)")
        return found.node

    def instrument(self, run: URIRef, text: str | None) -> URIRef | None:
        """The D5.1 instrument a name (or one of our IRIs) names; else an instrument PID (DOI or
        IRI, e.g. a PIDINST record) is kept as what the run `prov:used`, outside D5.1."""
        node = self.link(run, CHAMEO.hasCharacterisationMeasurementInstrument, "instrument",
                         text, (PROV.used,))
        pid = f"https://doi.org/{doi_of(text)}" if doi_of(text) else iri_or_none(text)
        if node is None and pid is not None:
            node = URIRef(pid)
            self.graph.add((run, PROV.used, node))
        return node

    def distribution(self, dataset: URIRef, key: str, *, access: str | None = None,
                     download: str | None = None, media: str | None = None,
                     size: int | str | None = None, checksum: tuple[str, str] | None = None,
                     title: str | None = None) -> URIRef:
        g, node = self.graph, self.mint("distribution", key)
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        for predicate, value in ((DCAT.accessURL, access), (DCAT.downloadURL, download)):
            if iri_or_none(value):
                g.add((node, predicate, iri_or_none(value)))
        if media and "/" in media and " " not in media:
            g.add((node, DCAT.mediaType, URIRef(MEDIA_TYPES + media.strip())))
        if size is not None and str(size).isdigit():
            g.add((node, DCAT.byteSize, Literal(int(size), datatype=XSD.nonNegativeInteger)))
        if title:
            g.add((node, DCTERMS.title, Literal(title)))
        if checksum:
            algorithm, value = checksum
            check = URIRef(f"{node}/checksum")
            g.add((node, SPDX.checksum, check))
            g.add((check, RDF.type, SPDX.Checksum))
            g.add((check, SPDX.algorithm, SPDX[f"checksumAlgorithm_{algorithm.lower()}"]))
            g.add((check, SPDX.checksumValue, Literal(value.lower(), datatype=XSD.hexBinary)))
        return node

    def agent(self, key: str, name: str | None, orcid: str | None = None,
              organisation: bool = False) -> URIRef:
        """A person or organisation; an ORCID (or ROR) IRI identifies it across records."""
        g, node = self.graph, self.mint("agent", key)
        g.add((node, RDF.type, PROV.Organization if organisation else PROV.Person))
        g.add((node, RDF.type, SCHEMA.Organization if organisation else SCHEMA.Person))
        if name:
            g.add((node, SCHEMA.name, Literal(name.strip())))
            g.add((node, RDFS.label, Literal(name.strip())))
        if orcid:
            identifier = orcid if orcid.startswith("http") else f"https://orcid.org/{orcid}"
            g.add((node, SCHEMA.sameAs, URIRef(identifier)))
        return node

    def adopt_agents(self) -> None:
        """Persons and organisations a kept description names by an outside IRI (ORCID,
        Wikidata) become agents of the record (`schema:sameAs` that IRI): a record describes
        only the nodes it mints."""
        g = self.graph
        outside = {s for cls in (SCHEMA.Person, SCHEMA.Organization)
                   for s in g.subjects(RDF.type, cls)
                   if isinstance(s, URIRef) and not str(s).startswith(BASE)}
        for node in sorted(outside):
            agent = self.mint("agent", str(node))
            for triple in list(g.triples((node, None, None))):
                g.remove(triple)
                g.add((agent, triple[1], triple[2]))
            for triple in list(g.triples((None, None, node))):
                g.remove(triple)
                g.add((triple[0], triple[1], agent))
            g.add((agent, SCHEMA.sameAs, node))

    def creator(self, dataset: URIRef, agent: URIRef) -> None:
        self.graph.add((dataset, DCTERMS.creator, agent))
        self.graph.add((dataset, PROV.wasAttributedTo, agent))

    def license(self, dataset: URIRef, value: str | None) -> None:
        if value:
            self.graph.add((dataset, DCTERMS.license, iri_or_none(value) or Literal(value)))



#: DataCite dateType → the Dublin Core term that says the same (Collected is the run's time)
DATE_TERMS = {"issued": DCTERMS.issued, "created": DCTERMS.created,
              "available": DCTERMS.available, "accepted": DCTERMS.dateAccepted,
              "copyrighted": DCTERMS.dateCopyrighted, "submitted": DCTERMS.dateSubmitted,
              "updated": DCTERMS.modified, "valid": DCTERMS.valid, "other": DCTERMS.date}
#: DataCite contributorType, by its lower-case form (InvenioRDM's role ids)
CONTRIBUTOR_TYPES = {t.lower(): t for t in (
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
    "HostingInstitution", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
    "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "Researcher",
    "ResearchGroup", "RightsHolder", "Sponsor", "Supervisor", "WorkPackageLeader", "Other")}
#: DataCite descriptionType, by its lower-case form (InvenioRDM's description type ids)
DESCRIPTION_TYPES = {t.lower(): t for t in (
    "Abstract", "Methods", "SeriesInformation", "TableOfContents", "TechnicalInfo", "Other")}
#: DataCite relationType, by its lower-case form (InvenioRDM's relation ids)
RELATION_TYPES = {t.lower(): t for t in (
    "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues",
    "IsDescribedBy", "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf",
    "IsNewVersionOf", "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn",
    "IsReferencedBy", "References", "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles",
    "IsVariantFormOf", "IsOriginalFormOf", "IsIdenticalTo", "IsReviewedBy", "Reviews",
    "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires", "IsObsoletedBy", "Obsoletes",
    "IsCollectedBy", "Collects")}


def typed_date(text: str) -> Literal:
    """A date as recorded, typed when it is a year, a date or a date-time (else plain text,
    e.g. a range or an RKMS-ISO8601 interval)."""
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", value):
        return Literal(value, datatype=XSD.dateTime)
    return Literal(value)


class Faithful:
    """What a repository record carries beyond our model, kept so that it can be exported
    back: publisher, descriptions, dates, funding, keywords and subjects, creators and
    contributors in order with their roles and affiliations, related identifiers, version,
    language. Standard terms only (dcterms, DCAT, PROV, schema.org); the qualified nodes
    (attributions, grants, terms, relationships) are blank nodes of the record."""

    def __init__(self, build: Builder, dataset: URIRef) -> None:
        self.build, self.g, self.dataset = build, build.graph, dataset

    def publisher(self, name: str | None) -> None:
        if name and str(name).strip():
            agent = self.build.agent("publisher", str(name), organisation=True)
            self.g.add((self.dataset, DCTERMS.publisher, agent))

    def description(self, text: str | None, kind: str | None = None) -> None:
        """dcterms:description; an Abstract (or untyped) one also dcterms:abstract, a table
        of contents dcterms:tableOfContents; another type (Methods, TechnicalInfo …) also
        schema:additionalProperty → a schema:PropertyValue (propertyID the DataCite type)."""
        if not text or not str(text).strip():
            return
        value = Literal(str(text))
        self.g.add((self.dataset, DCTERMS.description, value))
        kind = (kind or "abstract").lower()
        if kind == "abstract":
            self.g.add((self.dataset, DCTERMS.abstract, value))
        elif kind == "tableofcontents":
            self.g.add((self.dataset, DCTERMS.tableOfContents, value))
        else:  # Methods, TechnicalInfo …: the type on a schema:PropertyValue
            node = BNode()
            self.g.add((self.dataset, SCHEMA.additionalProperty, node))
            self.g.add((node, RDF.type, SCHEMA.PropertyValue))
            self.g.add((node, SCHEMA.propertyID, Literal(DESCRIPTION_TYPES.get(kind, kind))))
            self.g.add((node, SCHEMA.value, value))

    def date(self, run: URIRef, text: str | None, kind: str | None) -> None:
        """A dated event: Collected → the run's prov:startedAtTime / endedAtTime, the others →
        the dcterms term of that type."""
        if not text or not str(text).strip():
            return
        kind = (kind or "other").lower()
        if kind == "collected":
            start, _, end = str(text).strip().partition("/")
            for value, predicate in ((start, PROV.startedAtTime), (end, PROV.endedAtTime)):
                if value and (run, predicate, None) not in self.g:
                    self.g.add((run, predicate, Literal(value, datatype=XSD.date if len(
                        value) == 10 else XSD.dateTime)))
            return
        term = DATE_TERMS.get(kind)
        if term is None:
            self.build.record.notes.append(f"date {text!r} of type {kind!r} is not kept")
            return
        if term == DCTERMS.issued:  # the Issued date replaces a bare publication year
            for old in list(self.g.objects(self.dataset, DCTERMS.issued)):
                if len(str(old)) < len(str(text).strip()):
                    self.g.remove((self.dataset, DCTERMS.issued, old))
            if any(True for _ in self.g.objects(self.dataset, DCTERMS.issued)):
                return
        self.g.add((self.dataset, term, typed_date(str(text))))

    def funding(self, funder: str | None, funder_id: str | None, award: str | None,
                title: str | None = None, uri: str | None = None) -> None:
        """schema:funding → a schema:MonetaryGrant (identifier = award number, name, url) with
        schema:funder → an organisation (name, identifier; sameAs its IRI)."""
        if not (funder or funder_id or award):
            return
        grant = BNode()
        g = self.g
        g.add((self.dataset, SCHEMA.funding, grant))
        g.add((grant, RDF.type, SCHEMA.MonetaryGrant))
        for predicate, value in ((SCHEMA.identifier, award), (SCHEMA.name, title)):
            if value:
                g.add((grant, predicate, Literal(str(value))))
        if iri_or_none(uri):
            g.add((grant, SCHEMA.url, iri_or_none(uri)))
        if funder or funder_id:
            g.add((grant, SCHEMA.funder, self.organisation(funder, funder_id)))

    def organisation(self, name: str | None, identifier: str | None) -> BNode:
        """An organisation as the record names it: schema:name, schema:identifier, and
        schema:sameAs its IRI (a DOI's resolver URL, a ROR or other IRI)."""
        node = BNode()
        g = self.g
        g.add((node, RDF.type, SCHEMA.Organization))
        if name:
            g.add((node, SCHEMA.name, Literal(str(name))))
        if identifier:
            g.add((node, SCHEMA.identifier, Literal(str(identifier))))
            doi = doi_of(identifier)
            pid = f"https://doi.org/{doi}" if doi else iri_or_none(identifier)
            if pid:
                g.add((node, SCHEMA.sameAs, URIRef(str(pid))))
        return node

    def keyword(self, word: str | None) -> None:
        if word and str(word).strip():
            self.g.add((self.dataset, DCAT.keyword, Literal(str(word).strip())))

    def subject(self, name: str | None, uri: str | None, scheme: str | None = None,
                scheme_uri: str | None = None) -> None:
        """A subject from a scheme (a PaNET technique …): schema:keywords → a
        schema:DefinedTerm (name, url; inDefinedTermSet the scheme's IRI, else its name)."""
        if not name and not uri:
            return
        term = BNode()
        g = self.g
        g.add((self.dataset, SCHEMA.keywords, term))
        g.add((term, RDF.type, SCHEMA.DefinedTerm))
        if name:
            g.add((term, SCHEMA.name, Literal(str(name))))
        if iri_or_none(uri):
            g.add((term, SCHEMA.url, iri_or_none(uri)))
        if iri_or_none(scheme_uri) or scheme:
            g.add((term, SCHEMA.inDefinedTermSet, iri_or_none(scheme_uri) or
                   Literal(str(scheme))))

    def attribution(self, agent: URIRef, role: str, position: int) -> None:
        """The agent's role and place in the record's list (creators 1, 2, 3 … in order):
        prov:qualifiedAttribution → a prov:Attribution with prov:agent, dcat:hadRole-like
        schema:roleName ("Creator" or the DataCite contributorType) and schema:position."""
        node = BNode()
        g = self.g
        g.add((self.dataset, PROV.qualifiedAttribution, node))
        g.add((node, RDF.type, PROV.Attribution))
        g.add((node, PROV.agent, agent))
        g.add((node, SCHEMA.roleName, Literal(role)))
        g.add((node, SCHEMA.position, Literal(position)))
        if role != "Creator":
            g.add((self.dataset, DCTERMS.contributor, agent))

    def affiliation(self, agent: URIRef, name: str | None, identifier: str | None) -> None:
        """The affiliation as recorded (name and ROR), whatever it resolves to:
        prov:actedOnBehalfOf → an organisation with schema:name and schema:identifier
        (schema:sameAs the ROR IRI)."""
        if name or identifier:
            self.g.add((agent, PROV.actedOnBehalfOf, self.organisation(name, identifier)))

    def relation(self, identifier: str | None, relation: str | None,
                 identifier_type: str | None = None, general: str | None = None) -> None:
        """A related identifier as recorded: dcat:qualifiedRelation → a dcat:Relationship with
        dcterms:relation (the IRI: a DOI's resolver URL, a URL; else the text), dcterms:type
        the DataCite relationType, dcterms:identifier the identifier as written."""
        if not identifier or not relation:
            return
        kind = RELATION_TYPES.get(str(relation).lower(), str(relation))
        node = BNode()
        g = self.g
        doi = doi_of(identifier)
        target = URIRef(f"https://doi.org/{doi}") if doi else iri_or_none(str(identifier))
        g.add((self.dataset, DCAT.qualifiedRelation, node))
        g.add((node, RDF.type, DCAT.Relationship))
        g.add((node, DCTERMS.relation, target or Literal(str(identifier))))
        g.add((node, DCTERMS.type, Literal(kind)))
        g.add((node, DCTERMS.identifier, Literal(str(identifier))))
        if identifier_type or doi:
            g.add((node, SCHEMA.propertyID, Literal(identifier_type or "DOI")))
        if general:
            g.add((node, SCHEMA.additionalType, Literal(str(general))))

    def alternate(self, identifier: str | None, kind: str | None) -> None:
        """An identifier other than the DOI (DataCite alternateIdentifier): schema:identifier
        → a schema:PropertyValue (propertyID the identifier type, value the identifier)."""
        if not identifier or not str(identifier).strip():
            return
        node = BNode()
        self.g.add((self.dataset, SCHEMA.identifier, node))
        self.g.add((node, RDF.type, SCHEMA.PropertyValue))
        self.g.add((node, SCHEMA.propertyID, Literal(str(kind or "Local"))))
        self.g.add((node, SCHEMA.value, Literal(str(identifier).strip())))

    def resource_type(self, text: str | None) -> None:
        """The free-text resource type (DataCite types.resourceType): dcterms:type."""
        if text and str(text).strip():
            self.g.add((self.dataset, DCTERMS.type, Literal(str(text).strip())))

    def version(self, text: str | None) -> None:
        if text and str(text).strip():
            self.g.add((self.dataset, DCAT.version, Literal(str(text).strip())))

    def language(self, text: str | None) -> None:
        if text and str(text).strip():
            self.g.add((self.dataset, DCTERMS.language, Literal(str(text).strip())))
