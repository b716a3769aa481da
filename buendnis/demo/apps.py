from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models and nothing in the admin: the app exists for its management command.
    name = "buendnis.demo"
    label = "demo"
