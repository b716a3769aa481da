"""The alliance's idea pool: partners' project ideas, and which of them (and of the funded
projects) say the same thing (similarity)."""
