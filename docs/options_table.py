"""Regenerate README's table of scene options from :data:`trajectories.options.OPTIONS`, while README holds one.

Run from the repository's root: ``python docs/options_table.py`` (``--check``: exit 1 if README is stale).
``tests/test_options.py`` fails while README's rows differ from the table. The documentation site makes its own
table while it builds (``docs/reference/options.md``), so a README without the table's markers has nothing to
regenerate.
"""

import sys
from pathlib import Path

from trajectories.options import README_BEGIN, readme_with_rows

README = Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if README_BEGIN not in text:
        print("README.md holds no option table: docs/reference/options.md is made from the code")
        return 0
    fresh = readme_with_rows(text)
    if "--check" in argv:
        return 0 if fresh == text else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
