from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def stars(rating: int) -> str:
    """A rating stored as average stars x 100, shown with one decimal in the page's locale: 450 -> 4,5 or 4.5"""
    return number_format(int(rating or 0) / 100, decimal_pos=1)
