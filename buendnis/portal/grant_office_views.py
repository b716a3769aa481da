"""After the grant, the office's side."""
