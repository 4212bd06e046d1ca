"""`lexcite serve`: the Gradio app."""

from __future__ import annotations

import click

COMMANDS = ("serve",)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs LEXCITE_AUTH (or --insecure-no-auth).")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--insecure-no-auth", is_flag=True,
              help="Allow a non-loopback address without a login (anyone who can reach it can use the app).")
@click.pass_obj
def serve(obj, host: str, port: int, insecure_no_auth: bool) -> None:
    """Start the web app: Ask (cited chat), Library, and Quiz/Evaluate when installed."""
    from ui.auth import check_bind, is_loopback, parse_auth

    settings = obj.settings
    auth = parse_auth(settings.auth)
    check_bind(host, auth, insecure_no_auth)  # before loading anything heavy: fail fast
    if insecure_no_auth and not auth and not is_loopback(host):
        click.echo(f"warning: serving on {host} WITHOUT a login (--insecure-no-auth)", err=True)

    from ui.app import build_app, launch
    from ui.services import services_from_settings

    services = services_from_settings(settings, obj.embedder)
    click.echo(f"Lexcite on http://{host}:{port} (login {'on' if auth else 'off'}; Ctrl+C stops it)", err=True)
    launch(build_app(services), host=host, port=port, auth=auth, max_file_mb=settings.max_file_mb, quiet=True)
