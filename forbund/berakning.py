"""Pure arithmetic of the förbund's money: no database, whole kronor, exact fractions.

Everything here takes and returns ``int`` kronor or ``Fraction`` weights, so that the rounding is
exact and reproducible (design rule 7: the same data give the same figures, to the krona).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

Number = int | Decimal | Fraction


def largest_remainder(total: int, weights: Sequence[Number]) -> list[int]:
    """Split ``total`` whole kronor in proportion to ``weights`` so that the parts sum exactly to
    ``total`` (largest-remainder method, a.k.a. Hamilton).

    Each part first gets the whole-krona floor of its exact share; the kronor left over go one each
    to the largest remainders, ties to the earlier position (stable, so reproducible). All weights
    zero means an equal split.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot split a non-zero total over no parts")
        return []
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("weights must not be negative")
    weight_sum = sum(exact)
    if weight_sum == 0:
        exact = [Fraction(1)] * len(exact)
        weight_sum = Fraction(len(exact))
    shares = [Fraction(total) * w / weight_sum for w in exact]
    parts = [int(s) for s in shares]  # floor: shares are non-negative
    left = total - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def round_krona(value: Number) -> int:
    """Round half up to whole kronor, exactly (for display of an exact amount)."""
    return int(Fraction(value) + Fraction(1, 2)) if value >= 0 else -round_krona(-value)


def percent(share: Fraction, places: int = 2) -> Decimal:
    """A share as a percentage, exactly rounded to ``places`` decimals (for display)."""
    value = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    return value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")


def days_in_year(year: int) -> int:
    return (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1


def days_active_in_year(start: dt.date, end: dt.date | None, year: int) -> int:
    """The number of days of ``year`` within the membership period [start, end] (both inclusive)."""
    first = max(start, dt.date(year, 1, 1))
    last = min(end or dt.date(year, 12, 31), dt.date(year, 12, 31))
    return max(0, (last - first).days + 1)


# --- members' contributions -------------------------------------------------------------------


@dataclass
class Bidragsunderlag:
    """One paying member's basis: its population (or fixed share) and its days in the year."""

    key: object
    namn: str
    underlag: Fraction  # population 16–64, 1 for an equal split, or the fixed share in percent
    dagar: int


@dataclass
class Bidragsrad:
    key: object
    namn: str
    underlag: Fraction
    dagar: int
    viktat: Fraction  # underlag × dagar / days in year
    andel: Fraction  # of the group's part
    belopp: int


def split_group(*, total: int, year: int, members: Sequence[Bidragsunderlag]) -> list[Bidragsrad]:
    """Split a group's part (the region's, or the kommuner's) among its members.

    Pro rata by days: a member that joins or leaves mid-year weighs ``underlag × days / days in
    the year``; the weights are then normalised so that the group's part is always paid in full,
    and rounded by largest remainder so the amounts sum exactly to ``total``.
    """
    n_days = days_in_year(year)
    weighted = [m.underlag * Fraction(m.dagar, n_days) for m in members]
    amounts = largest_remainder(total, weighted) if members else []
    weight_sum = sum(weighted) or Fraction(1)
    return [
        Bidragsrad(m.key, m.namn, m.underlag, m.dagar, w, w / weight_sum, a)
        for m, w, a in zip(members, weighted, amounts, strict=True)
    ]


def financing_parts(statlig: int) -> tuple[int, int, int]:
    """The state pays ``statlig``; the region half of it and the kommuner together the other half
    (so 50/25/25 % of the total). Returns (state, region, kommuner)."""
    region, kommuner = largest_remainder(statlig, [1, 1])
    return statlig, region, kommuner


# --- the state allocation model (FK's fördelningsmodell) ---------------------------------------


@dataclass
class ModellIndata:
    key: object
    namn: str
    befolkning: int
    forsorjningsmatt: int
    foregaende: int = 0
    ek_over_niva: bool = False


@dataclass
class ModellParametrar:
    nationell_summa: int
    grundbelopp: int = 400_000
    vikt_forsorjning: Fraction = Fraction(75)
    vikt_befolkning: Fraction = Fraction(25)
    golv_procent: Fraction = Fraction(-10)


@dataclass
class ModellUtfall:
    key: object
    namn: str
    andel_forsorjning: Fraction
    andel_befolkning: Fraction
    modellbelopp: Fraction  # grundbelopp + the förbund's share of the rest, before the limits
    justering: str  # "", "golv" (raised to the floor) or "tak" (held at last year's level)
    exakt: Fraction
    tilldelning: int


@dataclass
class ModellResultat:
    rader: list[ModellUtfall]
    rest: int
    steg: list[str] = field(default_factory=list)


class ModellFel(ValueError):
    """The parameters cannot give a valid allocation (message in Swedish)."""


def allocation_model(params: ModellParametrar, rows: Sequence[ModellIndata]) -> ModellResultat:
    """FK's allocation model for the statlig tilldelning (design section 1).

    1. Every förbund gets the base amount; the rest of the national sum is split by the weights:
       ``vikt_forsorjning`` % by each area's share of the försörjningsmått and ``vikt_befolkning``
       % by its share of the population of working age.
    2. Limits against last year's allocation (where one is given): an allocation may fall by at
       most ``golv_procent`` (the floor), and a förbund whose eget kapital is above the
       recommended level gets no increase (the cap). Förbund held at a limit are fixed and the rest
       of the money is split again among the others by their model amounts, until nobody is outside
       a limit.
    3. Rounded to whole kronor by largest remainder, so the sum is exactly the national sum.
    """
    n = len(rows)
    if n == 0:
        raise ModellFel("Ange minst ett förbund.")
    if params.vikt_forsorjning + params.vikt_befolkning != 100:
        raise ModellFel("Vikterna måste tillsammans bli 100 %.")
    if params.vikt_forsorjning < 0 or params.vikt_befolkning < 0:
        raise ModellFel("Vikterna får inte vara negativa.")
    rest = params.nationell_summa - n * params.grundbelopp
    if rest < 0:
        raise ModellFel(
            f"Den nationella summan räcker inte till grundbeloppet för {n} förbund "
            f"({n * params.grundbelopp} kr)."
        )
    sum_f = sum(r.forsorjningsmatt for r in rows)
    sum_p = sum(r.befolkning for r in rows)
    if sum_f <= 0 or sum_p <= 0:
        raise ModellFel("Försörjningsmått och befolkning måste vara större än noll sammanlagt.")
    steg = [
        f"{n} förbund × grundbelopp {params.grundbelopp} kr = {n * params.grundbelopp} kr; "
        f"kvar att fördela: {rest} kr.",
        f"Av resten fördelas {params.vikt_forsorjning} % efter försörjningsmått "
        f"(summa {sum_f} kr) och {params.vikt_befolkning} % efter befolkning (summa {sum_p}).",
    ]
    wf, wb = params.vikt_forsorjning / 100, params.vikt_befolkning / 100
    andel_f = [Fraction(r.forsorjningsmatt, sum_f) for r in rows]
    andel_p = [Fraction(r.befolkning, sum_p) for r in rows]
    model = [
        params.grundbelopp + rest * (wf * af + wb * ap)
        for af, ap in zip(andel_f, andel_p, strict=True)
    ]
    golv = 1 + params.golv_procent / 100
    fixed: dict[int, tuple[Fraction, str]] = {}
    exact = list(model)
    for _round in range(n + 1):
        free = [i for i in range(n) if i not in fixed]
        money = params.nationell_summa - sum(v for v, _ in fixed.values())
        base_sum = sum(model[i] for i in free)
        for i in free:
            exact[i] = money * model[i] / base_sum if base_sum else Fraction(0)
        newly = {}
        for i in free:
            prev = rows[i].foregaende
            if not prev:
                continue
            if rows[i].ek_over_niva and exact[i] > prev:
                newly[i] = (Fraction(prev), "tak")
            elif exact[i] < prev * golv:
                newly[i] = (prev * golv, "golv")
        if not newly:
            break
        for i, (value, kind) in newly.items():
            fixed[i] = (value, kind)
            exact[i] = value
            label = "höjs till golvet" if kind == "golv" else "hålls på förra årets nivå"
            steg.append(f"{rows[i].namn} {label}: {round_krona(value)} kr.")
        if len(fixed) == n:
            break
    if len(fixed) == n and sum(v for v, _ in fixed.values()) != params.nationell_summa:
        raise ModellFel(
            "Golv och tak går inte att uppfylla med den nationella summan; justera parametrarna."
        )
    if any(v < 0 for v in exact):
        raise ModellFel("Golv och tak ger negativa belopp; justera parametrarna.")
    amounts = largest_remainder(params.nationell_summa, exact)
    steg.append(
        f"Avrundning till hela kronor med största-restmetoden: summan blir exakt "
        f"{params.nationell_summa} kr."
    )
    out = [
        ModellUtfall(
            r.key,
            r.namn,
            andel_f[i],
            andel_p[i],
            model[i],
            fixed.get(i, (None, ""))[1],
            exact[i],
            amounts[i],
        )
        for i, r in enumerate(rows)
    ]
    return ModellResultat(out, rest, steg)


# --- organisationsnummer --------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_organisationsnummer(value: str) -> str | None:
    """``NNNNNN-NNNN`` when ``value`` is a valid Swedish organisationsnummer, else ``None``.

    Ten digits (an optional hyphen after the sixth, an optional ``16`` prefix), the third digit at
    least 2 for a legal person, and the last digit a Luhn check digit.
    """
    cleaned = value.strip().replace(" ", "")
    if len(cleaned) in (12, 13) and cleaned.startswith("16"):
        cleaned = cleaned[2:]
    if len(cleaned) == 11 and cleaned[6] == "-":
        cleaned = cleaned[:6] + cleaned[7:]
    if len(cleaned) != 10 or not cleaned.isdigit():
        return None
    if int(cleaned[2]) < 2 or not luhn_ok(cleaned):
        return None
    return f"{cleaned[:6]}-{cleaned[6:]}"
