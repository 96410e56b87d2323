"""What a frame is drawn with, by name, and user text checked as it will be drawn: palettes, themes, text (no
matplotlib unless a text needs it)."""
