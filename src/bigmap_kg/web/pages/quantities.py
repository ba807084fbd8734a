"""A quantity read from D5.1 (SI minimum / maximum and a QUDT unit) as a number with a unit a
scientist reads: '1–50 mm²', '≈ 30 nm', '≤ 1 nm', '250 ms'."""

from __future__ import annotations

QUDT = "http://qudt.org/vocab/unit/"
#: QUDT unit → (factor, symbol) from largest to smallest; the first not above the value wins
SCALES: dict[str, tuple[tuple[float, str], ...]] = {
    "M": ((1.0, "m"), (1e-3, "mm"), (1e-6, "µm"), (1e-9, "nm"), (1e-12, "pm")),
    "M2": ((1.0, "m²"), (1e-4, "cm²"), (1e-6, "mm²"), (1e-12, "µm²"), (1e-18, "nm²")),
    "SEC": ((3600.0, "h"), (60.0, "min"), (1.0, "s"), (1e-3, "ms"), (1e-6, "µs")),
}


def _number(value: float) -> str:
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.3e}"


def quantity_text(minimum: str | None, maximum: str | None, unit: str | None,
                  approximate: bool = False) -> str:
    """The range in one readable unit (chosen from the larger end); '' when nothing is read."""
    if not unit or (minimum is None and maximum is None):
        return ""
    low = float(minimum) if minimum is not None else None
    high = float(maximum) if maximum is not None else None
    scales = SCALES.get(unit.removeprefix(QUDT))
    if scales is None:
        return ""
    reference = abs(high if high is not None else low)
    factor, symbol = next(((f, s) for f, s in scales if reference >= f * 0.999), scales[-1])
    if low is not None and high is not None:
        text = _number(low / factor) if low == high else \
            f"{_number(low / factor)}–{_number(high / factor)}"
    elif high is not None:
        text = f"≤ {_number(high / factor)}"
    else:
        text = f"≥ {_number(low / factor)}"
    return f"{'≈ ' if approximate else ''}{text} {symbol}"
