"""Other programs' doors: Sphinx, pytest, snapshot comparisons."""
