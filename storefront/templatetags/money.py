from django import template

from integration.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """{{ 1250000|rupiah }} -> Rp 1.250.000"""
    if amount in (None, ""):
        return ""
    return format_rupiah(int(amount))
