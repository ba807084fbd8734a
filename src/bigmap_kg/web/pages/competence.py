"""The competence map (D5.1 Figures 4-6) laid out from the graph as server-rendered SVG.

One chart per facility type: x = a printed length on a log scale (lateral resolution or the
size of the probed area, the reader chooses), y = the 1D/2D/3D mapping where the graph states
it (else a band "not stated in D5.1"; a band no bubble uses is not drawn), bubble area =
partners, fill = cluster, green outline = operando. Techniques without a printed length sit in a
labelled strip below the axis, off the scale. Each chart is also served as a standalone SVG.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...namespaces import BMO
from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .shared import TEMPLATES, not_found_page, page_of

router = APIRouter(include_in_schema=False)

#: the length each chart can use on its x axis: (ontology property, what the page calls it)
SCALES = {"resolution": ("lateralResolution", "lateral resolution"),
          "area": ("probedArea", "size of the probed area")}
#: D5.1's figure for each facility type (section 2.1)
FIGURES = {"LaboratoryFacility": 4, "NeutronFacility": 5, "SynchrotronFacility": 6}
ROWS = ["3D", "2D", "1D"]
NOT_STATED = "not stated in D5.1"
WIDTH, LEFT, RIGHT, TOP = 960, 150, 150, 30
LANE, BOTTOM, STRIP_GAP = 44, 46, 56
#: bubble radius for one partner: area ∝ partners, r = R1 √partners
R1 = 7.0
#: partner counts the size legend shows
LEGEND_PARTNERS = (1, 3, 7)


def radius(partners: int) -> float:
    """A bubble's radius: its area is proportional to the number of partners."""
    return R1 * math.sqrt(max(partners, 1))


@dataclass
class Length:
    """A printed quantity as a length in metres (√ of an area), with its printed text."""

    low: float
    high: float
    printed: str  # says whether a bound is a minimum ("> 4 µm") or a maximum ("< 1 µm")


@dataclass
class Bubble:
    technique: str
    page: str
    name: str
    label: str
    partners: int
    operando: bool | None
    clusters: list[tuple[str, str]]  # (slug, label), sorted
    stated_scale: str | None
    dimensions: list[str]
    lengths: list[Length] = field(default_factory=list)
    x: float = 0.0
    x_low: float = 0.0
    x_high: float = 0.0
    y: float = 0.0
    r: float = 0.0
    lane: int = 0

    @property
    def row(self) -> str:
        """The highest mapping dimension the graph states, else the not-stated band."""
        return next((d for d in ROWS if d in self.dimensions), NOT_STATED)

    @property
    def span(self) -> tuple[float, float]:
        return min(x.low for x in self.lengths), max(x.high for x in self.lengths)

    @property
    def metres(self) -> float:
        """Where the bubble sits: the geometric middle of the printed range."""
        low, high = self.span
        return math.sqrt(low * high)

    @property
    def details(self) -> str:
        operando = {True: "operando possible", False: "no operando row",
                    None: "operando not legible"}[self.operando]
        lengths = "; ".join(x.printed for x in self.lengths) or "no printed number"
        clusters = ", ".join(c[1] for c in self.clusters) or "cluster not stated"
        title = self.name if self.name == self.label else f"{self.name} ({self.label})"
        return (f"{title}: {self.partners} partner{'s' if self.partners != 1 else ''}, "
                f"{clusters}, {operando}; printed: {lengths}; "
                f"mapping: {' / '.join(self.dimensions) or NOT_STATED}"
                + (f"; length scale stated in section 2.1: {self.stated_scale}"
                   if self.stated_scale else ""))


@dataclass
class Chart:
    facility: str
    label: str
    figure: int | None
    placed: list[Bubble]
    unplaced: list[Bubble]
    rows: list[tuple[str, float, float]]  # label, top, bottom (px)
    ticks: list[tuple[float, str]]
    axis: float  # y of the x axis
    strip: tuple[float, float]  # top, bottom of the "no printed value" strip
    height: float


def _length(row: dict) -> Length | None:
    """A quantity as a length: m as printed, m² as the side of the square of that area."""
    low, high = (float(row[k]) if row[k] is not None else None for k in ("min", "max"))
    root = math.sqrt if row["unit"].endswith("/M2") else float
    low, high = low if low is not None else high, high if high is not None else low
    if not low or not high:
        return None
    return Length(root(low), root(high), row["printed"])


def bubbles(store: ox.Store, scale: str) -> tuple[dict[str, list[Bubble]], dict[str, str]]:
    """Bubbles per facility type (local name) and the types' labels, from the views."""
    prop = str(BMO) + SCALES[scale][0]
    lengths: dict[tuple[str, str], list[Length]] = {}
    for row in rows_as_dicts(run(store, view("competence-lengths"), prefixes=False)):
        if row["property"] == prop and (length := _length(row)):
            lengths.setdefault((row["technique"], row["type"]), []).append(length)
    charts: dict[str, list[Bubble]] = {}
    labels: dict[str, str] = {}
    for row in rows_as_dicts(run(store, view("competence-map"), prefixes=False)):
        labels[row["type"].rsplit("#", 1)[1]] = row["typeLabel"]
        operando = None if row["operando"] is None else row["operando"] == "true"
        charts.setdefault(row["type"].rsplit("#", 1)[1], []).append(Bubble(
            technique=row["technique"], page=page_of(row["technique"]),
            name=row["acronym"] or row["label"], label=row["label"],
            partners=int(row["partners"]), operando=operando,
            clusters=sorted((iri.rsplit("/", 1)[1], text) for iri, _, text in
                            (line.partition("|") for line in (row["clusters"] or "").splitlines())),
            stated_scale=row["statedScale"],
            dimensions=sorted({*(row["dimensions"] or "").split(),
                               *(row["entryDimensions"] or "").split()}),
            lengths=lengths.get((row["technique"], row["type"]), [])))
    return charts, labels


def _decades(placed: list[Bubble]) -> tuple[int, int]:
    values = [v for b in placed for v in b.span] or [1e-9, 1e-3]
    return math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))


def _tick_label(decade: int) -> str:
    units = [(-3, "mm"), (-6, "µm"), (-9, "nm"), (-12, "pm")]
    if decade == -10:
        return "1 Å"
    if decade >= -2:
        return f"{10 ** (decade + 2):g} cm"
    exponent, unit = next((e, u) for e, u in units if decade >= e)
    return f"{10 ** (decade - exponent):g} {unit}"


def layout(facility: str, label: str, items: list[Bubble], decades: tuple[int, int]) -> Chart:
    """Place the bubbles: x on a log axis shared by the three charts, one lane per overlap."""
    low, high = decades
    plot = WIDTH - LEFT - RIGHT

    def x_of(metres: float) -> float:
        return LEFT + (math.log10(metres) - low) / (high - low) * plot

    placed = sorted((b for b in items if b.lengths), key=lambda b: b.metres)
    rows, top = [], TOP
    for name in [*ROWS, NOT_STATED]:
        members = [b for b in placed if b.row == name]
        if not members:  # a band no bubble uses would only be empty space
            continue
        lanes: list[float] = []  # right edge of the last label in each lane
        for bubble in members:
            bubble.r = radius(bubble.partners)
            bubble.x = x_of(bubble.metres)
            bubble.x_low, bubble.x_high = (x_of(v) for v in bubble.span)
            left = min(bubble.x - bubble.r, bubble.x_low) - 4
            bubble.lane = next((i for i, edge in enumerate(lanes) if edge < left), len(lanes))
            if bubble.lane == len(lanes):
                lanes.append(0.0)
            lanes[bubble.lane] = max(bubble.x + bubble.r + 6 + 7 * len(bubble.name),
                                     bubble.x_high)
            bubble.y = top + LANE / 2 + bubble.lane * LANE
        bottom = top + LANE * max(1, len(lanes))
        rows.append((name, top, bottom))
        top = bottom
    if not rows:
        rows.append((NOT_STATED, TOP, TOP + LANE))
        top = TOP + LANE
    axis = top
    unplaced = sorted((b for b in items if not b.lengths), key=lambda b: b.name.lower())
    strip_top = axis + STRIP_GAP
    x, y = LEFT + 4, strip_top + LANE / 2
    for bubble in unplaced:  # in reading order, wrapped at the plot's right edge
        bubble.r = radius(bubble.partners)
        width = 2 * bubble.r + 10 + 7 * len(bubble.name)
        if x + width > WIDTH - RIGHT and x > LEFT + 4:
            x, y = LEFT + 4, y + LANE
        bubble.x, bubble.y = x + bubble.r, y
        x += width + 8
    strip_bottom = (y + LANE / 2) if unplaced else strip_top
    ticks = [(x_of(10.0 ** d), _tick_label(d)) for d in range(low, high + 1)]
    return Chart(facility=facility, label=label, figure=FIGURES.get(facility), placed=placed,
                 unplaced=unplaced, rows=rows, ticks=ticks, axis=axis,
                 strip=(strip_top, strip_bottom), height=strip_bottom + 12)


def charts(store: ox.Store, scale: str) -> list[Chart]:
    """The three charts (laboratory, neutron, synchrotron) on one shared length axis."""
    found, labels = bubbles(store, scale)
    decades = _decades([b for items in found.values() for b in items if b.lengths])
    order = sorted(found, key=lambda f: (FIGURES.get(f, 99), f))
    return [layout(f, labels[f], found[f], decades) for f in order]


CSS = Path(__file__).parent.parent / "static" / "competence.css"


def _scale(request: Request) -> str:
    scale = request.query_params.get("scale", "resolution")
    return scale if scale in SCALES else "resolution"


def _context(scale: str) -> dict:
    """What the page and the SVG template share."""
    return {"scale": scale, "scales": SCALES, "rows": ROWS, "not_stated": NOT_STATED,
            "width": WIDTH, "left": LEFT, "right": RIGHT,
            "size_legend": [(n, radius(n)) for n in LEGEND_PARTNERS]}


@router.get("/competence-map", response_class=HTMLResponse)
async def competence_map(request: Request) -> HTMLResponse:
    """Figures 4-6 regenerated from the graph, one chart per facility type."""
    scale = _scale(request)
    drawn = await asyncio.to_thread(charts, store_for(request), scale)
    legend = sorted({c for chart in drawn for b in chart.placed + chart.unplaced
                     for c in b.clusters})
    return TEMPLATES.TemplateResponse(request, "competence.html", {
        "title": "Competence map", "charts": drawn, "legend": legend, **_context(scale)})


@router.get("/competence-map/{facility}.svg")
async def competence_chart_svg(request: Request, facility: str) -> Response:
    """One chart as a standalone SVG document (its styles embedded), for download."""
    scale = _scale(request)
    drawn = await asyncio.to_thread(charts, store_for(request), scale)
    chart = next((c for c in drawn if c.facility == facility), None)
    if chart is None:
        return not_found_page(request, f"No competence chart for {facility!r}: the charts are "
                                       + ", ".join(c.facility for c in drawn))
    svg = TEMPLATES.get_template("competence-chart.svg").render(
        c=chart, css=CSS.read_text(), **_context(scale))
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + svg,
                    media_type="image/svg+xml")
