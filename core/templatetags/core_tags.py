"""Template tags every app uses: masked ID numbers and phones, percentages, query strings."""

from django import template
from django.http import QueryDict

from core.privacy import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and sorting)."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.8812 → "88.1%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
