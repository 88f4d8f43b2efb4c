"""The ``landtool`` command: one click group; each subcommand parses, calls the library, prints.

The group is lazy (click's "LazyGroup" pattern): a subcommand's module is imported only when that
command runs or shows its own help, and ``landtool --help`` lists the commands from the table
below, so neither imports geopandas and its kin (issue 13: start-up within 0.3 s).

Every :class:`~landtool.errors.LandtoolError` becomes one clear message on stderr and exit code
2; an unexpected error prints one line and writes the details to a crash log, never a traceback.
"""

from __future__ import annotations

import atexit
import importlib
import os
import re
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from landtool import __version__
from landtool.errors import LandtoolError

# name -> (module in landtool.cli, attribute, its one-line help as ``landtool --help`` shows it:
# the command's own short help, which tests/test_cli_startup.py keeps them equal to)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "area": ("layers", "area", "Print the area and perimeter of every feature in SOURCE."),
    "check": ("check", "check", "Check REQUESTS (a file, e.g. an MRPAM corner list, or a "
              "workspace layer name) against the eligibility rules."),
    "convert": ("layers", "convert", "Read SOURCE as a layer of --kind and write it to DEST "
                "(format from its suffix: .gpkg .shp .geojson .kml .kmz .csv, or .txt for an "
                "MRPAM corner list)."),
    "corners": ("corners", "corners",
                "Read and write MRPAM corner coordinate lists (degrees-minutes-seconds)."),
    "demo": ("sample", "demo", "A headless tour: the sample workspace's layers, the requests' "
             "areas, their nearest stream, and the first request's corners in MRPAM style."),
    "export": ("export", "export",
               "Submission packages (report, maps, GIS files) and maps for the Khural."),
    "impact": ("impact", "impact", "Compare two rulesets over every request of a workspace: "
               "verdicts and land that change."),
    "photos": ("photos", "photos", "Photographs kept in the workspace as evidence "
               "(rehabilitation parcels, requests)."),
    "propose": ("propose", "propose",
                "Find land that can be offered for ASM: candidate parcels that pass the rules."),
    "register": ("register", "register", "The request register (queue) and the append-only, "
                 "hash-chained decisions log."),
    "rehab": ("rehab", "rehab", "Rehabilitation status of mined land, and cost estimates "
              "derived from the parcels."),
    "sample": ("sample", "sample", "The bundled sample workspace (Mandal soum, Selenge aimag)."),
    "take-candidate": ("propose", "take_candidate", "Make a request of one candidate of "
                       "`landtool propose`, in the workspace's requests."),
    "workspace": ("workspace", "workspace", "Create, describe and share workspaces: one "
                  "GeoPackage, or one PostgreSQL + PostGIS database shared by an office (a "
                  "postgresql://user@host/database URL)."),
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS.keys() | self.commands.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attr, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"landtool.cli.{module}"), attr)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing, of stand-ins carrying the table's help: no command is imported
        listed = {name: self.commands.get(name) or click.Command(name, help=COMMANDS[name][2])
                  for name in self.list_commands(ctx)}
        click.Group(commands=listed).format_commands(ctx, formatter)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LandtoolError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, keep the details in a log
            log = _crash_log()
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       f"  This is a bug in landtool. Details were written to {log}", err=True)
            ctx.exit(1)


def _crash_log() -> Path:
    folder = Path.home() / ".cache" / "landtool"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}.log"
    text = " ".join(sys.argv) + "\n\n" + traceback.format_exc()
    # never keep a database password (postgresql://user:PASSWORD@host, ?password=...)
    text = re.sub(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    text = re.sub(r"([?&]password=)[^&\s]*", r"\1***", text)
    log.write_text(text, encoding="utf-8")
    return log


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="landtool")
def main() -> None:
    """landtool: land access for artisanal and small-scale gold mining in Mongolia."""



def run() -> None:
    """The ``landtool`` console command: :func:`main`, then the process ends at once.

    When ``main`` returns, every output has been written, closed and moved into place. What
    a normal interpreter exit would still do is free, one by one, the few hundred thousand
    objects a big check made: 0.12–0.16 s after 10,000 requests, nearly a tenth of the whole
    run. So the exit handlers run (temporary folders, logging), stdout and stderr are
    flushed, and the process leaves with ``os._exit``, skipping only that freeing.
    """
    try:
        main()  # click's standalone mode: always ends in SystemExit
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):  # the reader went away, or closed
            pass
    os._exit(code or 0)
