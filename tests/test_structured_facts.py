"""Facts that were only printed text are data: total scattering as a technique, isotope and
element sensitivity, the Oxford tube cell's NMR, the X-ray tomograph of D50-NeXT; materials
aligned to chemical-substance / electrochemistry IRIs, with a hierarchy and their part in each
Tier 1 experiment. Each test quotes the D5.1 lines it rests on (checked in the seed text when
../shared is there)."""

from __future__ import annotations

import csv

import pytest

from bigmap_kg.namespaces import PREFIXES

from .conftest import SHARED, select

B = "https://w3id.org/bigmap-kg/"


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def quoted(seed_text: str, *lines: str) -> None:
    for line in lines:
        assert line in seed_text, line


def test_total_scattering_is_a_technique_on_five_cell_sheets(store, seed_text) -> None:
    """Appendix A, 'Other possible techniques': 'Total scattering' (sheets 8 and 9, DTU AMPIX
    cells), 'Total scattering, spectroscopy, visual microscopy, tomography' (sheet 10, DTU
    capillary cell), 'Total scattering.' (sheet 11, DTU metal-air capillary), 'XAS, total
    scattering' (sheet 13, UU Ampix-type cell)."""
    other = "Other possible techniques\t"
    quoted(seed_text, other + "Total scattering\t",
           other + "Total scattering, spectroscopy, visual microscopy, tomography",
           other + "Total scattering.", other + "XAS, total scattering")
    rows = select(store, "SELECT ?c WHERE { ?c bmo:otherTechnique tech:total-scattering }")
    assert {local(r["c"]) for r in rows} == {
        "dtu-ampix-synchrotron", "dtu-ampix-in-house", "dtu-capillary",
        "dtu-metal-air-capillary", "uu-ampix-type"}
    assert select(store, "SELECT ?t WHERE { tech:total-scattering a panet:PaNET01190 }")


def test_pdf_ct_is_total_scattering_recorded_tomographically(store, seed_text) -> None:
    """Imaging table, row 3: 'X-ray Total scattering and Pair Distribution Function- computed
    tomography (PDF-CT)'."""
    quoted(seed_text, "X-ray Total scattering and", "Pair Distribution Function-")
    rows = select(store, "SELECT ?t WHERE { ?t bmo:broaderTechnique+ tech:total-scattering }")
    assert {local(r["t"]) for r in rows} == {"pdf-ct", "xrd-pdf-ct"}
    # and a question about total scattering reaches the cells offered for PDF-CT
    cells = select(store, """SELECT DISTINCT ?c WHERE {
        ?t bmo:broaderTechnique* tech:total-scattering . ?c bmo:supportsTechnique ?t }""")
    assert len(cells) > 5


def test_neutron_imaging_rows_distinguish_lithium_isotopes(store, seed_text) -> None:
    """Imaging table, neutron imaging (commercial, realistic) and neutron tomography
    (commercial): 'neutron absorption contrast can distinguish isotopes (e.g. ⁶ Li, ⁷ Li)'."""
    assert seed_text.count("isotopes (e.g. ⁶ Li, ⁷ Li)") == 3
    rows = select(store, """SELECT ?e ?t ?printed WHERE {
        ?e bmo:distinguishesIsotope ?n ; bmo:technique ?t ; bmo:detectionLimitAsPrinted ?printed .
        ?n bmo:ofElement/bmo:elementSymbol "Li" ; bmo:massNumber 6 }""")
    assert {local(r["e"]) for r in rows} == {
        "neutron-imaging-commercial", "neutron-tomography-commercial", "neutron-imaging-realistic"}
    assert all("distinguish isotopes" in r["printed"] for r in rows)
    printed = select(store, """SELECT ?e WHERE { ?e bmo:detectionLimitAsPrinted ?p
                                FILTER (CONTAINS(?p, "isotopes")) }""")
    assert {r["e"] for r in printed} == {r["e"] for r in rows}  # every row that prints it


def test_solid_state_nmr_convenient_nuclei(store, seed_text) -> None:
    """Bulk spectroscopy table, solid state NMR: 'Convenient nuclei: ¹ H, ² H, ⁷ Li, ¹⁹ F,
    ²³ Na, ²⁷ Al, ³¹ P, ⁵¹ V'."""
    quoted(seed_text, "Convenient nuclei:", "¹ H, ² H, ⁷ Li, ¹⁹ F, ²³ Na, ²⁷ Al, ³¹ P, ⁵¹ V")
    rows = select(store, """SELECT ?symbol ?mass WHERE { entry:ssnmr-realistic
        bmo:convenientNucleus ?n . ?n bmo:massNumber ?mass ;
        bmo:ofElement/bmo:elementSymbol ?symbol }""")
    assert {(r["symbol"], int(r["mass"])) for r in rows} == {
        ("H", 1), ("H", 2), ("Li", 7), ("F", 19), ("Na", 23), ("Al", 27), ("P", 31), ("V", 51)}


def test_light_element_detection(store, seed_text) -> None:
    """X-ray Raman spectroscopy: 'Possibility to detect light elements (Lithium)'; neutron
    spectroscopy: 'Light elements eg Li, H'; neutron depth profiling: '~1 molar Li density';
    TEM: 'Heavy and light elements; Li >10 at%' (no element named by 'heavy and light')."""
    quoted(seed_text, "Possibility to detect light", "Light elements eg Li, H",
           "~1 molar Li density", "elements; Li >10 at%")
    rows = select(store, """SELECT ?t ?symbol WHERE { ?e bmo:detectsElement/bmo:elementSymbol
                            ?symbol ; bmo:technique ?t }""")
    assert {(local(r["t"]), r["symbol"]) for r in rows} == {
        ("xrs", "Li"), ("neutron-spectroscopy", "Li"), ("neutron-spectroscopy", "H"),
        ("ndp", "Li"), ("tem", "Li")}


# The rows whose detection-limit column names lithium, with the line of D5.1 that says so.
LITHIUM_ROWS = {
    "ssnmr-realistic": "¹ H, ² H, ⁷ Li, ¹⁹ F",
    "xrs-realistic": "Possibility to detect light",
    "neutron-spectroscopy-model": "Light elements eg Li, H",
    "ndp-realistic": "~1 molar Li density",
    "tem-model": "elements; Li >10 at%",
    "neutron-imaging-commercial": "isotopes (e.g. ⁶ Li, ⁷ Li)",
    "neutron-imaging-realistic": "isotopes (e.g. ⁶ Li, ⁷ Li)",
    "neutron-tomography-commercial": "isotopes (e.g. ⁶ Li, ⁷ Li)",
}


def test_lithium_detecting_rows_from_the_nuclide_data(store, seed_text) -> None:
    """bmo:LithiumDetectingEntry, member by member: the eight rows whose detection limit names
    lithium (element, isotope or nucleus), each quoted. Not SEM ('detection limit EDX 0.3 at%':
    EDX cannot see lithium and the row does not name it), not the XRD rows ('atomic number
    contrast')."""
    quoted(seed_text, *LITHIUM_ROWS.values())
    members = select(store, "SELECT ?e WHERE { ?e a bmo:LithiumDetectingEntry }")
    assert {local(r["e"]) for r in members} == set(LITHIUM_ROWS)
    for entry, line in LITHIUM_ROWS.items():  # the quote is that row's detection limit
        printed = select(store, f"""SELECT ?p WHERE {{
            entry:{entry} bmo:detectionLimitAsPrinted ?p }}""")
        assert line in printed[0]["p"], (entry, line)


def test_oxford_tube_cell_nmr_is_the_nmr_technique(store, seed_text) -> None:
    """Appendix A, sheet 30 (Oxford, X-ray tomography tube cell): 'Other possible techniques
    transmission diffraction, NMR'; the one NMR of the matrix is 'Solid State Nuclear Magnetic
    Resonance Spectroscopy (NMR)'."""
    quoted(seed_text, "Cell name\tX-ray tomography tube cell",
           "Other possible techniques\ttransmission diffraction, NMR")
    rows = select(store, "SELECT ?t WHERE { cell:uoxf-xray-tomography-tube bmo:otherTechnique ?t }")
    assert [local(r["t"]) for r in rows] == ["ssnmr"]
    nmr = select(store, """SELECT ?t WHERE { ?t a bmo:Technique ; skos:altLabel "NMR" }""")
    assert [local(r["t"]) for r in nmr] == ["ssnmr"]


def test_d50_x_ray_tomograph_is_part_of_d50_next(store, seed_text) -> None:
    """Imaging table: neutron imaging 'D50-NeXT (coupled with simultaneous XCT)' (ILL);
    laboratory X-ray tomography 'coupled to neutron ... tomography (D50)' (ILL)."""
    quoted(seed_text, "D50-NeXT (coupled with simultaneous XCT)", "coupled to neutron\tILL",
           "tomography\t(D50)")
    rows = select(store, """SELECT ?whole ?note WHERE { inst:ill-xct-d50 bmo:partOfInstrument
                            ?whole ; bmo:curationNote ?note FILTER (CONTAINS(?note, "XCT")) }""")
    assert {local(r["whole"]) for r in rows} == {"ill-d50-next"}


# --- materials -------------------------------------------------------------------------------
# alignment.csv rows: "graphite,…#substance_d53259a7…,Graphite", "LiNiO2 (LNO),
# …#substance_c28a0967…,LithiumNickelOxide", "silicon,…#substance_68c0876b…,Silicon", "NMC
# (generic),…#substance_3ac62305…,LithiumNickelManganeseCobaltOxide", "LP57 electrolyte …,
# …#electrochemistry_6b0d3c26…,LP57", "electrolyte,…#electrochemistry_fb0d9eef…,Electrolyte",
# "silicon/graphite (material),…#substance_3f061928…,SiliconGraphite" (a chemical-substance
# 0.15.0 term: see test_si_gr_iri_is_the_material_of_the_stored_silicon_graphite_electrode)
EXPECTED_MATCHES = {
    "graphite": ("chemsub", "substance_d53259a7_0d9c_48b9_a6c1_4418169df303", "Graphite"),
    "lno": ("chemsub", "substance_c28a0967_ed23_48cc_a14e_a651d75a19db", "LithiumNickelOxide"),
    "silicon": ("chemsub", "substance_68c0876b_cb62_41cd_846d_95cc9d9a8733", "Silicon"),
    "nmc": ("chemsub", "substance_3ac62305_acd6_4312_9e31_4f824bd2530d",
            "LithiumNickelManganeseCobaltOxide"),
    "lp57": ("echem", "electrochemistry_6b0d3c26_821a_4881_9ebd_fb439c190183", "LP57"),
    "electrolyte": ("echem", "electrochemistry_fb0d9eef_92af_4628_8814_e065ca255d59",
                    "Electrolyte"),
}


def test_materials_resolve_to_their_chemical_substance_iris(store, seed_text) -> None:
    """Section 3.1: 'At M6, graphite as anode, LNO as cathode, and standard LP57 electrolyte,
    has been provided … Next steps include the delivery of Si-Gr, NMC, new electrolytes with
    additives and coatings.'"""
    quoted(seed_text, "At M6, graphite as anode, LNO as cathode, and standard LP57 electrolyte")
    rows = select(store, "SELECT ?m ?iri WHERE { ?m a bmo:Material ; skos:exactMatch ?iri }")
    found = {(local(r["m"]), r["iri"]) for r in rows}
    assert found == {(m, PREFIXES[p] + iri) for m, (p, iri, _) in EXPECTED_MATCHES.items()}


def test_material_iris_are_the_verified_rows_of_alignment_csv() -> None:
    path = SHARED / "anchors" / "alignment.csv"
    if not path.exists():
        pytest.skip("../shared/anchors is not present")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {r["iri"]: r for r in csv.DictReader(handle)}
    for prefix, iri, label in EXPECTED_MATCHES.values():
        row = rows[PREFIXES[prefix] + iri]
        assert row["prefLabel"] == label and "DEPRECATED" not in row["note"]


SI_GR = ("chemsub", "substance_3f061928_e90f_4414_9308_d4c843ebb79a", "SiliconGraphite")


def test_si_gr_names_its_pending_iri_in_a_curation_note(store) -> None:
    """Si-Gr has no exactMatch while the import catalog (chemical-substance 0.14.2) does not
    declare SiliconGraphite; its curation note names the IRI to add."""
    iri = PREFIXES[SI_GR[0]] + SI_GR[1]
    notes = [r["note"] for r in select(store, "SELECT ?note { mat:si-gr bmo:curationNote ?note }")]
    assert any(iri in note for note in notes)
    assert not select(store, "SELECT ?x { mat:si-gr skos:exactMatch ?x }")


def test_si_gr_iri_is_the_material_of_the_stored_silicon_graphite_electrode() -> None:
    """Section 3.1 'the delivery of Si-Gr': the SiliconGraphite IRI is not declared by the stored
    chemical-substance 0.14.2, but the stored electrochemistry reference names it as the material
    of SiliconGraphiteElectrode, and BattINFO's label file calls it 'SiliconGraphite'."""
    ontologies = SHARED / "anchors" / "ontologies"
    if not ontologies.exists():
        pytest.skip("../shared/anchors is not present")
    iri = PREFIXES[SI_GR[0]] + SI_GR[1]
    reference = (ontologies / "domain-electrochemistry" / "reference" /
                 "electrochemistry-reference.ttl").read_text(encoding="utf-8")
    at = reference.index(f"<{iri}>")
    assert "SiliconGraphiteElectrode" in reference[at:at + 2000]
    labels = (ontologies / "BattINFO" / "assets" / "vocab" / "emmo-labels.ttl").read_text(
        encoding="utf-8")
    assert f'<{iri}> skos:prefLabel "SiliconGraphite"@en' in labels


def test_ni_rich_nmc_is_an_nmc(store, seed_text) -> None:
    """Table 2: 'Ni-rich NMC and LNO' (UU, CEA, CNRS, SOLEIL, NIC; ex-situ HAXPES, XPS, XPEEM),
    and 'graphite, NMC, LNO': both are experiments on NMC."""
    quoted(seed_text, "Ni-rich NMC")
    rows = select(store, """SELECT DISTINCT ?e WHERE { ?e bmo:material ?m .
                            ?m bmo:broaderMaterial* mat:nmc }""")
    assert {local(r["e"]) for r in rows} == {"t2-04", "t2-06"}


def test_full_cells_with_graphite_study_lno_against_a_graphite_counter_electrode(
        store, seed_text) -> None:
    """Table 3: 'operando neutron imaging' and 'operando SAXS/WAXS microtomography', object
    'LNO (half-cells ; full cells with Gr)': LNO is studied, graphite is the other electrode of
    the full cells."""
    quoted(seed_text, "(half-cells ; full", "cells with Gr)")
    rows = select(store, """SELECT ?e ?studied ?counter WHERE {
        ?e bmo:objectAsPrinted "LNO (half-cells ; full cells with Gr)" ;
           bmo:studiedActiveMaterial ?studied ; bmo:counterElectrodeMaterial ?counter }""")
    assert {(local(r["e"]), local(r["studied"]), local(r["counter"])) for r in rows} == {
        ("t3-02", "lno", "graphite"), ("t3-04", "lno", "graphite")}


def test_every_tier1_material_has_a_role(store) -> None:
    """Table 1: 'electrolytes and components (salt, solvents, additives), active materials' is
    the one experiment whose material is an electrolyte; every other named material is the
    studied active material or (above) the counter electrode."""
    unroled = select(store, """SELECT ?e ?m WHERE { ?e a bmo:Tier1Experiment ;
        bmo:material ?m FILTER NOT EXISTS { ?e bmo:studiedActiveMaterial|
        bmo:counterElectrodeMaterial|bmo:electrolyteMaterial ?m } }""", inferred=False)
    assert unroled == []
    electrolyte = select(store, "SELECT ?e ?m WHERE { ?e bmo:electrolyteMaterial ?m }")
    assert {(local(r["e"]), local(r["m"])) for r in electrolyte} == {("t1-03", "electrolyte")}
