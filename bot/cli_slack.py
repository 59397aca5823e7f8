"""`spoc slack ...`: what installing the Slack app needs."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer

from bot.cli_common import err

slack_app = typer.Typer(rich_markup_mode=None, help="Installing the Slack app.", no_args_is_help=True)


@slack_app.command("manifest")
def manifest_command(
    http_url: Annotated[str, typer.Option(
        "--http-url", help="HTTP mode: the public https:// URL Slack reaches spoc at (behind a TLS reverse proxy); "
                           "/slack/events is added when it has no path. Without it: Socket Mode.")] = "",
    format: Annotated[Literal["yaml", "json"], typer.Option("--format", help="yaml or json")] = "yaml",
) -> None:
    """Print the Slack app manifest, ready to paste at api.slack.com/apps -> Create New App -> From an app
    manifest: for Socket Mode, or with --http-url for HTTP mode with every request URL filled in.

    Example: spoc slack manifest --http-url https://spoc.example.com > manifest.yaml
    """
    from adapters.slack.manifest import ManifestError, manifest, manifest_yaml

    try:
        text = json.dumps(manifest(http_url=http_url), indent=2) if format == "json" else manifest_yaml(
            http_url=http_url)
    except ManifestError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    typer.echo(text.rstrip("\n"))
