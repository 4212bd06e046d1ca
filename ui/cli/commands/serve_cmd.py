"""`lexcite serve`: the Gradio app."""

from __future__ import annotations

import click

COMMANDS = ("serve", "hash_password")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs LEXCITE_AUTH (or --insecure-no-auth).")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@click.option("--insecure-no-auth", is_flag=True,
              help="Allow a non-loopback address without a login (anyone who can reach it can use the app).")
@click.pass_obj
def serve(obj, host: str, port: int, insecure_no_auth: bool) -> None:
    """Start the web app: Ask (cited chat), Library, and Quiz/Evaluate when installed."""
    from ui.auth import check_bind, is_loopback, parse_accounts

    settings = obj.settings
    auth = parse_accounts(settings.auth)
    check_bind(host, auth, insecure_no_auth)  # before loading anything heavy: fail fast
    if insecure_no_auth and not auth and not is_loopback(host):
        click.echo(f"warning: serving on {host} WITHOUT a login (--insecure-no-auth)", err=True)

    from ui.web.app import build_app, launch
    from ui.services import services_from_settings

    services = services_from_settings(settings, warm=True, runtime=obj)  # models and store built before serving
    roles = ", ".join(f"{a.user} ({a.role})" for a in auth.entries)
    click.echo(f"Lexcite on http://{host}:{port} (login {'on: ' + roles if auth else 'off'}; Ctrl+C stops it)",
               err=True)
    launch(build_app(services), host=host, port=port, auth=auth, max_file_mb=settings.max_file_mb, quiet=True)


@click.command("hash-password")
def hash_password() -> None:
    """Print a scrypt hash of a password (asked twice, not echoed) for LEXCITE_AUTH: `user:HASH[:role]`."""
    from ui.auth import hash_password as make_hash

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password.strip():
        raise click.UsageError("the password is empty")
    click.echo(make_hash(password))
