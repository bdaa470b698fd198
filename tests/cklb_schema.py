#!/usr/bin/env python3
"""Validates CKLB files against DISA's STIG Viewer 3 schema (JSON Schema draft 2019-09).

Usage: cklb_schema.py SCHEMA.json FILE.cklb...

The one deviation allowed is the per-STIG "version" string: STIG Viewer 3 writes it and STIG
Manager needs it, though the 1.0 schema does not list it. UUID formats are checked.
Exit 0 when every file is valid, 1 when one is not (errors on stderr, one per line with the
JSON path), 3 when the jsonschema package is not installed.
"""
import json
import sys

try:
    from jsonschema import Draft201909Validator, FormatChecker
except ImportError:
    print("jsonschema is not installed (python3 -m pip install jsonschema)", file=sys.stderr)
    sys.exit(3)


def known_deviations_removed(document, path, problems):
    """Drops each stig's "version" after checking it is a string."""
    for index, stig in enumerate(document.get("stigs") or []):
        if isinstance(stig, dict) and "version" in stig:
            if not isinstance(stig["version"], str):
                problems.append(f"{path}: stigs[{index}].version is not a string")
            del stig["version"]
    return document


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft201909Validator.check_schema(schema)
    checker = getattr(Draft201909Validator, "FORMAT_CHECKER", None) or FormatChecker()
    validator = Draft201909Validator(schema, format_checker=checker)
    failed = False
    for path in argv[2:]:
        problems = []
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        document = known_deviations_removed(document, path, problems)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{path}: {where}: {error.message}")
        for problem in problems:
            print(problem, file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
