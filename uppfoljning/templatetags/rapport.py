from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from uppfoljning.charts import spark_bar
from uppfoljning.formatting import sv_kronor, sv_number, sv_percent

register = template.Library()


@register.filter
def sv_tal(value, decimals=0):
    return sv_number(value, int(decimals))


@register.simple_tag
def sv_andel(numerator, denominator, decimals=1):
    return sv_percent(numerator, denominator, int(decimals))


@register.filter
def sv_kr(value):
    return sv_kronor(value)


@register.filter
def cell(value):
    """A table cell: numbers formatted the Swedish way, rates as "12,5 %", percentage points
    with a sign, text (incl. "<5") as it is."""
    if isinstance(value, dict):
        if "N" in value:
            return sv_percent(value["n"], value["N"])
        if "pp" in value:
            sign = "+" if value["pp"] > 0 else ""
            return f"{sign}{sv_number(value['pp'], 1)}"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, int | float):
        return sv_number(value, 0 if isinstance(value, int) else 1)
    return "–" if value in (None, "") else value


@register.filter
def is_number(value):
    return isinstance(value, int | float | dict) and not isinstance(value, bool)


@register.filter
def signed(value, decimals=0):
    """A change with its sign: "+3", "−2,5"; "–" when unknown or masked."""
    if value is None or isinstance(value, str):
        return "–"
    text = sv_number(abs(value), int(decimals))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.simple_tag
def spark(value, peak, label=""):
    return mark_safe(spark_bar(value, peak, label=label))  # noqa: S308 - our own SVG, escaped


@register.filter
def share_pct(value):
    """A rate cell as a percentage number for a small bar (0 when masked or empty)."""
    if isinstance(value, dict) and value.get("N"):
        return value["n"] * 100 / value["N"]
    return 0


# One row of the board dashboard's per-insats table (templates/uppfoljning/styrelse.html).
_STYRELSE_RAD = (
    "\n        <tr>\n"
    '          <th scope="row"><a href="{}">{}</a></th>\n'
    '          <td class="num">{} {}</td>\n'
    '          <td class="num">{} / {}</td>\n'
    '          <td class="num">{}</td>\n'
    '          <td class="num">{} {}</td>\n'
    '          <td class="num">{}</td>\n'
    '          <td class="num">{}</td>\n'
    "        </tr>\n      "
)


@register.simple_tag
def styrelse_rader(rows, peak_deltagare, peak_kostnad):
    """The per-insats table's rows, written in Python with the filters and tags the template
    used (``cell``, ``sv_kr``, ``spark``): through the template language they were most of the
    dashboard's rendering (docs/performance.md, section 3). A test compares the two."""
    if not rows:
        return format_html(
            '\n        <tr><td colspan="7">{}</td></tr>\n      ', "Inga insatser under perioden."
        )
    return format_html_join(
        "",
        _STYRELSE_RAD,
        (
            (
                row["url"],
                row["label"],
                cell(row["deltagare"]),
                spark(row["deltagare"], peak_deltagare),
                cell(row["kvinnor"]),
                cell(row["man"]),
                cell(row["avslutade"]),
                cell(row["arbete_studier"]),
                spark(share_pct(row["arbete_studier"]), 100),
                sv_kronor(row["kostnad"]),
                format_html(
                    "{} {}",
                    sv_kronor(row["per_deltagare"]),
                    spark(row["per_deltagare"], peak_kostnad),
                )
                if row["per_deltagare"] is not None
                else "–",
            )
            for row in rows
        ),
    )
