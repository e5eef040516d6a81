"""What people wrote under a results file's generated tables outlives the next run of the script that writes the file.

A script that rewrites bench/results/X.md reads `kept(path)` before it opens the file and writes it back at the end:
everything from the first second-level heading that says "by hand" (`## Notes (by hand)`, `## Reading (written by hand
…)`) to the end of the file.
"""
import os, re

HEADING = re.compile(r"^## .*by hand", re.M)


def kept(path):
    """The file's hand-written part, "" when it has none (or does not exist yet)."""
    if not os.path.exists(path):
        return ""
    text = open(path).read()
    m = HEADING.search(text)
    return text[m.start():] if m else ""
