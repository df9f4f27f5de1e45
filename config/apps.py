from django.apps import AppConfig


class JalinConfig(AppConfig):
    """The composition root as an app: its management commands, and what starts with every process."""

    name = "config"

    def ready(self):
        from integration import tracing

        # Web servers and Celery workers alike: spans go where the settings say, or nowhere.
        tracing.configure_from_settings()
