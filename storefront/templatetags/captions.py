import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()

HASHTAG = re.compile(r"#(\w{1,50})")


@register.filter
def hashtags(caption: str) -> str:
    """Escapes a caption and links each #hashtag to a search for it.

    Hashtags are found in the raw text, before escaping, so that an escaped
    character such as &#x27; is never mistaken for one."""
    search = reverse("storefront:search")
    parts, last = [], 0
    for match in HASHTAG.finditer(caption):
        parts.append(escape(caption[last : match.start()]))
        parts.append(format_html('<a href="{}?{}">#{}</a>', search, urlencode({"q": match.group(0)}), match.group(1)))
        last = match.end()
    parts.append(escape(caption[last:]))
    return mark_safe("".join(parts))
