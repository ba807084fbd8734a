"""The competence map of section 2.1 (Figures 4-6), drawn from the graph as SVG bubble charts.

One chart per facility type: x = length scale (log), y = 1D / 2D / 3D mapping, bubble area =
number of partners, colour = cluster, a dark outline = operando. D5.1 prints the length scale
and the mapping dimension only for the laboratory XRD example; elsewhere the x position comes
from the matrix's printed figures (finest lateral resolution, else the side of the smallest
probed area) and says so, and the dimension row reads "not stated". A technique with no
printed figure at all is listed beside its chart, not placed.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..queryfile import view
from ..results import rows_as_dicts, run
from .ui import TEMPLATES, page_of

router = APIRouter(include_in_schema=False)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 300, 90, 20, 20, 40
LOG_MIN, LOG_MAX = -11, -1  # 10 pm … 10 cm
ROWS = ("1D", "2D", "3D", "not stated")


@dataclass(frozen=True)
class Bubble:
    href: str
    label: str
    x: float
    y: float
    r: float
    cluster: str
    operando: bool | None
    basis: str
    metres: float
    dimension: str
    partners: int

    @property
    def title(self) -> str:
        operando = {True: "operando", False: "not operando", None: "operando not legible"}
        mapping = "mapping dimension not stated" if self.dimension == "not stated" \
            else f"{self.dimension} mapping"
        return (f"{self.label}: {self.partners} partner(s), {operando[self.operando]}, "
                f"{mapping}, {self.basis} ≈ {self.metres:.1e} m")


def _position(row: dict) -> tuple[float, str] | None:
    """Metres on the x axis and where that figure comes from (None: nothing printed)."""
    if row["statedScale"]:
        return float(row["statedScale"]), f"length scale stated in D5.1 ({row['statedScaleLabel']})"
    if row["resolution"]:
        return float(row["resolution"]), "finest printed lateral resolution"
    if row["area"]:
        return math.sqrt(float(row["area"])), "side of the smallest printed probed area"
    return None


def x_of(metres: float) -> float:
    share = (math.log10(metres) - LOG_MIN) / (LOG_MAX - LOG_MIN)
    return LEFT + min(max(share, 0.0), 1.0) * (WIDTH - LEFT - RIGHT)


def y_of(dimension: str) -> float:
    band = (HEIGHT - TOP - BOTTOM) / len(ROWS)
    return TOP + band * (ROWS.index(dimension) + 0.5)


def charts(rows: list[dict]) -> list[dict]:
    """One chart per facility type: placed bubbles and the techniques with no printed figure."""
    found: dict[str, dict] = {}
    for row in rows:
        chart = found.setdefault(row["typeLabel"], {"facility": row["typeLabel"], "bubbles": [],
                                                    "unplaced": []})
        position = _position(row)
        if position is None:
            chart["unplaced"].append((page_of(row["technique"]), row["label"]))
            continue
        metres, basis = position
        dimension = row["dimensionLabel"] or "not stated"
        operando = None if row["operando"] is None else row["operando"] == "true"
        chart["bubbles"].append(Bubble(
            href=page_of(row["technique"]), label=row["label"], x=x_of(metres),
            y=y_of(dimension), r=5 + 4 * math.sqrt(int(row["partners"])),
            cluster=(row["cluster"] or "").rsplit("/", 1)[-1], operando=operando, basis=basis,
            metres=metres, dimension=dimension, partners=int(row["partners"])))
    return list(found.values())


def axis() -> dict:
    ticks = [(x_of(10.0 ** e), label) for e, label in
             ((-10, "1 Å"), (-9, "1 nm"), (-8, "10 nm"), (-7, "100 nm"), (-6, "1 µm"),
              (-5, "10 µm"), (-4, "100 µm"), (-3, "1 mm"), (-2, "1 cm"))]
    return {"ticks": ticks, "rows": [(y_of(r), r) for r in ROWS], "width": WIDTH,
            "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "bottom": HEIGHT - BOTTOM}


@router.get("/competence-map", response_class=HTMLResponse)
async def competence_map(request: Request) -> HTMLResponse:
    rows = await asyncio.to_thread(
        lambda: rows_as_dicts(run(request.app.state.store, view("competence-map"),
                                  prefixes=False)))
    return TEMPLATES.TemplateResponse(request, "competence.html", {
        "title": "Competence map", "charts": charts(rows), "axis": axis(),
        "clusters": sorted({(r["cluster"].rsplit("/", 1)[-1], r["clusterLabel"]) for r in rows
                            if r["cluster"]})})
