"""Generators of Markdown that is slow or memory-hungry to parse (issue
12), each just under the 8 MB source cap unless told otherwise:

  backticks  growing runs of backticks: `, ``, ``` ... (quadratic
             code-span matching)
  brackets   millions of "[" (link reference bookkeeping)
  emphasis   "*a " repeated (the delimiter stack)

Run as a script to write them into a directory:
  python3 hostile_posts.py DIR [SIZE]"""

import os
import sys

CAP = 8 * 1024 * 1024 - 4096


def backticks(size=CAP):
    out, n, total = [], 1, 0
    while total + n + 1 <= size:
        out.append("`" * n)
        total += n + 1
        n += 1
    return " ".join(out) + "\n"


def brackets(size=CAP):
    return "[" * (size - 1) + "\n"


def emphasis(size=CAP):
    return "*a " * ((size - 1) // 3) + "\n"


SHAPES = {"backticks": backticks, "brackets": brackets,
          "emphasis": emphasis}


def write_all(directory, size=CAP):
    """One post per shape, with front matter; returns their names."""
    os.makedirs(directory, exist_ok=True)
    for name, fn in SHAPES.items():
        with open(os.path.join(directory, name + ".md"), "w") as f:
            f.write("---\ntitle: %s\ndate: 2024-01-01\n---\n" % name)
            f.write(fn(size))
    return sorted(SHAPES)


if __name__ == "__main__":
    write_all(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else CAP)
