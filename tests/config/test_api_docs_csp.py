"""The API docs page works under the enforced Content Security Policy: its inline blocks carry the header's nonce."""

import re

from django.conf import settings as django_settings


def test_the_docs_inline_script_carries_the_nonce_of_the_enforced_policy(client, settings):
    settings.CONTENT_SECURITY_POLICY = django_settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None

    response = client.get("/api/docs/")

    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert response.status_code == 200
    assert inline_scripts, "the docs page has its inline start-up script"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert f'<style nonce="{nonce}">' in html
    assert "'unsafe-inline'" not in policy


def test_pages_without_inline_blocks_send_no_nonce(client):
    response = client.get("/healthz")

    policy = response["Content-Security-Policy-Report-Only"]
    assert "script-src 'self'" in policy and "nonce-" not in policy
