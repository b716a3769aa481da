"""What the procedure tells apps above it, which it must not import (the layering): they connect
in their `AppConfig.ready`. Sent inside the step's transaction, so a receiver's writes commit or
roll back with the step."""

from django.dispatch import Signal

# A consultation was recorded for a project: `project`, `consultation`, `actor`. The office's
# inbox closes the project's open consultation request.
consultation_recorded = Signal()
