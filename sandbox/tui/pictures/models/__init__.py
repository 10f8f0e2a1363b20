"""Pure data for the pictures: engine JSON in, view dataclasses out."""
