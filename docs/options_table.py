"""Regenerate README's table of scene options from :data:`trajectories.options.OPTIONS`.

Run from the repository's root: ``python docs/options_table.py`` (``--check``: exit 1 if README is stale).
``tests/test_options.py`` fails while README's rows differ from the table.
"""

import sys
from pathlib import Path

from trajectories.options import readme_with_rows

README = Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    fresh = readme_with_rows(text)
    if "--check" in argv:
        return 0 if fresh == text else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
