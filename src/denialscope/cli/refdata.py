"""``denialscope refdata load-ncci|load-mue DIR``: index the official CMS edit tables.

The NCCI PTP and MUE files cannot be bundled (CPT content is AMA-licensed); users download
the quarterly files from cms.gov and load them here. The indexes go to the data directory.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import DataDirOption, cli_settings

__all__ = ["register"]

SettingOption = Annotated[
    str | None,
    typer.Option(
        "--setting",
        help="practitioner, outpatient (or dme for MUE); default: guessed from file names.",
    ),
]


def _setting(paths: list[Path], given: str | None, allowed: tuple[str, ...], guess: object) -> str:
    from denialscope.errors import InputError
    from denialscope.scrub.tables import table_files

    if given is not None:
        if given not in allowed:
            raise InputError(f"--setting must be one of {', '.join(allowed)}, got {given!r}")
        return given
    guesses = {guess(p.name) for p in table_files(paths)} - {None}  # type: ignore[operator]
    if len(guesses) != 1:
        raise InputError(
            f"cannot tell the setting from the file names; pass --setting ({', '.join(allowed)})"
        )
    return str(guesses.pop())


def register(app: typer.Typer) -> None:
    """Add the ``refdata`` command group."""
    group = typer.Typer(help="Load official reference tables (NCCI PTP, MUE) you downloaded.")
    app.add_typer(group, name="refdata")

    @group.command("load-ncci")
    def load_ncci(
        paths: Annotated[list[Path], typer.Argument(help="PTP files, zips or folders.")],
        setting: SettingOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Index NCCI PTP edits (practitioner ccipra / hospital outpatient ccioph files)."""
        from denialscope.scrub.ncci import NCCI_SETTINGS, build_ptp_index, guess_setting
        from denialscope.scrub.refdata import ncci_folder

        chosen = _setting(paths, setting, NCCI_SETTINGS, guess_setting)
        started = time.perf_counter()
        folder = cli_settings(None, data_dir, create=False).ensure_data_dir()
        rows = build_ptp_index(paths, ncci_folder(folder, chosen))
        typer.echo(f"loaded {rows:,} {chosen} PTP edits in {time.perf_counter() - started:.1f} s")

    @group.command("load-mue")
    def load_mue(
        paths: Annotated[list[Path], typer.Argument(help="MUE CSV files, zips or folders.")],
        setting: SettingOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Index Medically Unlikely Edits (practitioner, outpatient hospital or DME)."""
        from denialscope.scrub.mue import MUE_SETTINGS, build_mue_index, guess_mue_setting
        from denialscope.scrub.refdata import mue_path

        chosen = _setting(paths, setting, MUE_SETTINGS, guess_mue_setting)
        folder = cli_settings(None, data_dir, create=False).ensure_data_dir()
        rows = build_mue_index(paths, mue_path(folder, chosen))
        typer.echo(f"loaded {rows:,} {chosen} MUE values")
