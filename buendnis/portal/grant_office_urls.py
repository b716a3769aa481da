"""After the grant, the office's side: /<slug>/intern/vorhaben/<reference>/… (paths are a
contract)."""

app_name = "grants_office"

urlpatterns: list = []
