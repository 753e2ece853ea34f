"""The header's language switch is readable: WCAG AA contrast (4.5:1 for normal text)
between its own colour and background, as the stylesheet sets them, in every state."""

from __future__ import annotations

import re
from pathlib import Path

import silta.web

CSS = re.sub(
    r"/\*.*?\*/",
    "",
    (Path(silta.web.__file__).parent / "static" / "silta.css").read_text(),
    flags=re.S,
)


def _variables() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})", CSS))


def _declarations(selector: str) -> dict[str, str]:
    """The declarations of the last rule whose selector list holds ``selector``."""
    found: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if selector in (part.strip() for part in selectors.split(",")):
            for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
                found[name.strip()] = value.strip()
    return found


def _colour(value: str) -> tuple[float, float, float]:
    variable = re.fullmatch(r"var\(--([\w-]+)\)", value)
    if variable:
        value = _variables()[variable.group(1)]
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def _luminance(colour: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (_luminance(_colour(foreground)), _luminance(_colour(background))), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def test_the_language_switch_has_its_own_readable_colours() -> None:
    for selector in ("header.top a.lang", "header.top a.lang:hover", "header.top a.lang:focus"):
        rule = _declarations(selector)
        assert "color" in rule and "background" in rule, selector  # not the page's behind it
        assert contrast(rule["color"], rule["background"]) >= 4.5, selector


def test_the_header_wraps_rather_than_overflowing() -> None:
    assert _declarations("header.top").get("flex-wrap") == "wrap"


def test_the_contrast_formula() -> None:
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert contrast("#fff", "#f6f7f9") < 1.1  # white on near-white: what the issue saw
