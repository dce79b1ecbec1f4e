"""Guided tours: the console with a narration panel, walking through the seed's procedures."""
