"""Reading a GeoNames dump: the main table (`AZ.txt`, `cities1000.txt`, …) and, optionally,
the alternate names table (`alternateNamesV2.txt`, or a country's `alternateNames/AZ.txt`),
as places of the gazetteer.

Populated places become cities, towns or villages (by feature code and population),
first- and second-order administrative divisions become regions; everything else (rivers,
mountains, hotels) is left out. A place keeps its GeoNames name, and its alternate names in
the deployment's languages that are neither historic nor colloquial, all of common usage:
GeoNames does not say which side calls a place what (the pack does, for its own places).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ceasefire.domain.naming import LANGUAGES, Name
from ceasefire.domain.scenario import Place, PlaceKind

MAIN_COLUMNS = 19
ALTERNATE_COLUMNS = (8, 10)
"""alternateNames.txt has 8 columns; alternateNamesV2.txt adds `from` and `to`"""
CITY_POPULATION = 50_000
TOWN_POPULATION = 5_000
ID_PREFIX = "gn-"


class GeoNamesProblem(ValueError):
    """A line of a dump that cannot be read: which file, which line, which column, why."""

    def __init__(self, file: str, line: int, column: str, reason: str) -> None:
        super().__init__(f"{file}, line {line}, {column}: {reason}")
        self.file, self.line, self.column, self.reason = file, line, column, reason


@dataclass(frozen=True)
class Row:
    geonameid: int
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    population: int


def kind_of(row: Row) -> PlaceKind | None:
    """The gazetteer kind of a GeoNames feature, or None for features it does not keep."""
    if row.feature_class == "A" and row.feature_code in ("ADM1", "ADM2"):
        return "region"
    if row.feature_class != "P" or row.feature_code in ("PPLH", "PPLQ", "PPLW"):
        return None  # not populated places, or historical, abandoned, destroyed ones
    if row.feature_code in ("PPLC", "PPLA") or row.population >= CITY_POPULATION:
        return "city"
    return "town" if row.population >= TOWN_POPULATION else "village"


def _number(text: str, file: str, line: int, column: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GeoNamesProblem(file, line, column, f"{text!r} is not a number") from None
    if not low <= value <= high:
        raise GeoNamesProblem(file, line, column, f"{value} is not between {low} and {high}")
    return value


def read_main(lines: Iterable[str], file: str) -> Iterator[Row]:
    """The rows of a GeoNames main table (tab-separated, 19 columns, UTF-8)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != MAIN_COLUMNS:
            raise GeoNamesProblem(
                file, number, "columns", f"{len(fields)} columns, not {MAIN_COLUMNS}"
            )
        if not fields[0].isdigit():
            raise GeoNamesProblem(file, number, "geonameid", f"{fields[0]!r} is not a number")
        name = fields[1].strip()
        if not name or len(name) > 200 or "\x00" in name:
            raise GeoNamesProblem(file, number, "name", "must be 1 to 200 characters")
        population = fields[14].strip() or "0"
        if not population.isdigit():
            raise GeoNamesProblem(file, number, "population", f"{population!r} is not a number")
        yield Row(
            geonameid=int(fields[0]),
            name=name,
            lat=_number(fields[4], file, number, "latitude", -90, 90),
            lon=_number(fields[5], file, number, "longitude", -180, 180),
            feature_class=fields[6].strip(),
            feature_code=fields[7].strip(),
            population=int(population),
        )


def read_alternates(lines: Iterable[str], file: str, wanted: set[int]) -> dict[int, list[Name]]:
    """The alternate names, in the deployment's languages, of the places in `wanted`."""
    found: dict[int, list[Name]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) not in ALTERNATE_COLUMNS:
            raise GeoNamesProblem(
                file, number, "columns", f"{len(fields)} columns, not 8 (or 10 in V2)"
            )
        if not fields[1].isdigit():
            raise GeoNamesProblem(file, number, "geonameid", f"{fields[1]!r} is not a number")
        place, language, text = int(fields[1]), fields[2].strip(), fields[3].strip()
        historic, colloquial = fields[7] == "1", fields[6] == "1"
        if place not in wanted or language not in LANGUAGES or historic or colloquial:
            continue
        if not text or len(text) > 200 or "\x00" in text:
            raise GeoNamesProblem(file, number, "alternate name", "must be 1 to 200 characters")
        found.setdefault(place, []).append(Name(text=text, lang=language, usage="common"))
    return found


def to_place(row: Row, kind: PlaceKind, alternates: list[Name]) -> Place:
    names = [Name(text=row.name, lang="en", usage="common")]
    for name in alternates:
        if all((n.text, n.lang) != (name.text, name.lang) for n in names):
            names.append(name)
    return Place(
        id=f"{ID_PREFIX}{row.geonameid}",
        kind=kind,
        names=names,
        lat=row.lat,
        lon=row.lon,
        coordinates="geonames",
        geonames_name=row.name,
    )
