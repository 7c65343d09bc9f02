"""Serve the dashboard with uvicorn; create the demo login for demo workspaces."""

from __future__ import annotations

import click
import uvicorn

from resonanz.web.app import create_app
from resonanz.web.jobs import Jobs
from resonanz.web.users import User, ensure_user, set_password
from resonanz.workspace import Workspace

DEMO_USER = "demo"
DEMO_TRUTH = "demo-truth.json"


def ensure_demo_user(workspace: Workspace) -> tuple[User, str]:
    """Make sure the demo admin exists and give it a fresh password; return both."""
    import secrets

    with workspace.open(write=True) as store:
        user, password = ensure_user(store.con, DEMO_USER, "admin")
        if password is None:
            password = secrets.token_urlsafe(9)
            set_password(store.con, DEMO_USER, password)
    return user, password


def serve(
    workspace: Workspace,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    demo_login: bool | None = None,
    jobs: Jobs | None = None,
) -> None:
    """Serve the dashboard until interrupted, printing its address (and the demo login).

    ``demo_login`` defaults to whether the workspace is a demo world (has demo-truth.json).
    ``jobs`` are the background jobs (listening, publishing) to run beside it.
    """
    if demo_login is None:
        demo_login = (workspace.folder / DEMO_TRUTH).exists()
    login: tuple[User, str] | None = ensure_demo_user(workspace) if demo_login else None
    app = create_app(workspace, jobs)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"Resonanz dashboard: http://{shown}:{port}/")
    if login is not None:
        click.echo(f"  log in as {login[0].username} / {login[1]}")
    if jobs:
        doing = [
            name for name, on in (("listening", jobs.listen), ("publishing", jobs.publish)) if on
        ]
        click.echo(f"  also {' and '.join(doing)} in this process")
    click.echo("  stop with Ctrl+C")
    uvicorn.run(app, host=host, port=port, log_level="warning")
