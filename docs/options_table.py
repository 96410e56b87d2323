"""Regenerate the documentation's table of scene options (``docs/reference/options.md``) from
:data:`trajectories.options.OPTIONS_LIST`: the rows between the page's two markers.

Run from anywhere: ``python docs/options_table.py`` (``--check``: exit 1, changing nothing, if the rows are stale).
``tests/test_options.py`` fails while the page's rows differ from the table. The page is plain Markdown, so the
table reads the same on the site and where the repository is browsed.
"""

import sys
from pathlib import Path

from trajectories.options import TABLE_BEGIN, with_table_rows

PAGE = Path(__file__).resolve().parent / "reference" / "options.md"


def main(argv: list[str]) -> int:
    text = PAGE.read_text(encoding="utf-8")
    if TABLE_BEGIN not in text:
        print(f"{PAGE}: no option table markers ({TABLE_BEGIN})", file=sys.stderr)
        return 2
    fresh = with_table_rows(text)
    if "--check" in argv:
        return 0 if fresh == text else 1
    if fresh != text:
        PAGE.write_text(fresh, encoding="utf-8")
        print(f"rewrote the option table of {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
