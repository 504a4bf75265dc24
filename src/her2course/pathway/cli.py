"""``her2course pathway``: run the model from the command line.

    her2course pathway --drug trastuzumab --alteration p95HER2 --json
    her2course pathway --drug T-DXd --alteration "exon 20" --svg tdxd.svg

Both options are repeatable and optional; names are case-insensitive (ids, names, brand names, abbreviations).
An unknown name exits with status 2 and lists the known names.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_UNKNOWN = 2


def register(sub) -> None:
    p = sub.add_parser("pathway", help="which HER2 signals stay on with the given drugs and alterations")
    p.add_argument("--drug", action="append", default=[], metavar="NAME", help="a drug (repeatable)")
    p.add_argument("--alteration", action="append", default=[], metavar="NAME",
                   help="a tumor alteration (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--png", metavar="FILE", help="write the diagram as PNG")
    p.add_argument("--svg", metavar="FILE", help="write the diagram as SVG")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .engine import simulate
    from .explain import explain_parts
    from .model import UnknownName, model

    try:
        result = simulate(args.drug, args.alteration)
    except UnknownName as exc:
        m = model()
        known = m.drug_names() if exc.what == "drug" else m.alteration_names()
        print(f"her2course pathway: unknown {exc.what} '{exc.name}'.", file=sys.stderr)
        print(f"Known {exc.what}s: {', '.join(known)}", file=sys.stderr)
        return EXIT_UNKNOWN
    if args.png or args.svg:
        from .figures import scenario_figure

        fig = scenario_figure(result.drug_ids, result.alteration_ids)
        for path in (args.png, args.svg):
            if path:
                fig.save(path)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        out = result.outcomes
        print(f"Active: {', '.join(result.active) or 'nothing'}")
        print(f"Proliferation: {'ON' if out['proliferation'] else 'OFF'}; survival: "
              f"{'ON' if out['survival'] else 'OFF'}")
        print()
        for para in explain_parts(result):
            print(para)
    return 0
