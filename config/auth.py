"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class RequestAxesBackend(AxesStandaloneBackend):
    """django-axes on every sign-in made over HTTP (pages, admin, token endpoint: all pass
    the request). Calls without a request (management commands, the test client's
    `login`) have no client to lock out, so they fall through to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
