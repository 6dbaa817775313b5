"""The `accordingto` command: index articles, serve the API, ask from the terminal, evaluate.

Everything heavy (the models, spaCy, FAISS, the web app, the evaluation) is imported inside
the command that needs it, so `accordingto --help` answers at once.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Typer vendors click; its group methods take the vendored Context.
    from typer._click.core import Command, Context

    from app.settings import Settings

cli = typer.Typer(
    help="Cited, attributed answers over news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

IndexDirOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11
    typer.Option(
        "--index-dir", help="index directory (default: $ACCORDINGTO_INDEX_DIR or ./index)"
    ),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"accordingto {version('accordingto')}")
        raise typer.Exit()


@cli.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Cited, attributed answers over news articles."""


def _settings(index_dir: Path | None) -> Settings:
    from app.settings import get_settings

    if index_dir is not None:
        # Environment, so that the server process and get_settings() see the same value.
        os.environ["ACCORDINGTO_INDEX_DIR"] = str(index_dir)
        get_settings.cache_clear()
    return get_settings()


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@cli.command()
def index(
    paths: Annotated[list[str], typer.Argument(help="files or folders; or: remove ID...")],
    index_dir: IndexDirOption = None,
    rebuild: Annotated[bool, typer.Option(help="start from an empty index")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray", help="read, parse and embed on a local Ray (pip install 'accordingto[ray]')"
        ),
    ] = False,
    ray_address: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="join this Ray cluster instead (host:6379, ray://host:10001 or auto)"),
    ] = None,
) -> None:
    """Index article files (.txt .md .json .jsonl .html), or `index remove ID...`."""
    from app.settings import embedder_for
    from indexer.build import BuildOptions, update_index
    from indexer.distributed import LOCAL
    from indexer.errors import IndexerError
    from indexer.ingest import load_paths
    from indexer.vectors import VectorConfig

    settings = _settings(index_dir)
    on_ray = ray_address or (LOCAL if ray else None)
    remove = paths[1:] if paths and paths[0] == "remove" else []
    if paths and paths[0] == "remove" and not remove:
        raise _fail("say which article to remove: accordingto index remove ID")
    try:
        articles = []
        if not remove:
            files = [Path(p) for p in paths]
            if on_ray is not None:
                from indexer.distributed import load_paths_with_ray

                loaded = load_paths_with_ray(files, on_ray)
            else:
                loaded = load_paths(files)
            for where, why in loaded.skipped:
                typer.secho(f"skipped {where}: {why}", fg=typer.colors.YELLOW, err=True)
            for where, why in loaded.warnings:
                typer.secho(f"warning {where}: {why}", fg=typer.colors.YELLOW, err=True)
            if not loaded.articles:
                raise _fail("no readable article in " + ", ".join(paths))
            articles = loaded.articles
        report = update_index(
            settings.index_dir,
            embedder_for(settings),
            articles,
            remove=remove,
            options=BuildOptions(
                chunk_max_chars=settings.chunk_max_chars,
                chunk_overlap=settings.chunk_overlap,
                claim_extractor=settings.claim_extractor,
                rebuild=rebuild,
                progress=not quiet and sys.stderr.isatty(),
                vectors=VectorConfig(settings.vector_store, settings.milvus_uri),
                ray=on_ray,
            ),
        )
    except IndexerError as exc:
        raise _fail(str(exc)) from None
    typer.echo(
        f"{len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
    )
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    if report.version:
        typer.echo(f"index {report.version}: {counts}")
    else:
        typer.echo(f"index unchanged: {counts}")


@cli.command()
def serve(
    index_dir: IndexDirOption = None,
    host: Annotated[Optional[str], typer.Option(help="default 127.0.0.1")] = None,  # noqa: UP045
    port: Annotated[Optional[int], typer.Option(help="default 8000")] = None,  # noqa: UP045
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    settings = _settings(index_dir)
    from app.server import HeadDeadlineProtocol

    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        http=HeadDeadlineProtocol,
    )


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in quotes")],
    index_dir: IndexDirOption = None,
    top_k: Annotated[Optional[int], typer.Option(help="passages to retrieve")] = None,  # noqa: UP045
    generator: Annotated[Optional[str], typer.Option(help="extractive or llm")] = None,  # noqa: UP045
    url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="ask a running server (e.g. http://127.0.0.1:8000) instead of loading the "
            "models here, which takes seconds"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the /ask JSON")] = False,
) -> None:
    """Ask one question from the terminal."""
    body = {"question": question, "top_k": top_k, "generator": generator}
    # Over HTTP the server checks the request: the schemas import the whole service.
    result = _ask_server(url, body) if url else _ask_here(_settings(index_dir), body)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    typer.echo(result["answer"])
    for c in result["citations"]:
        meta = ", ".join(x for x in (c["outlet"], c["published"]) if x)
        typer.echo(f"  [{c['n']}] {c['title']} ({meta}) {c['article_id']}:{c['start']}-{c['end']}")
    for conflict in result["conflicts"]:
        sides = "; ".join(
            f"{p['claimant']}: {p['value']} [{p['citation']}]" for p in conflict["positions"]
        )
        typer.echo(f"  disagreement ({conflict['kind']}) on {conflict['about']}: {sides}")
    for w in result["warnings"]:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)


def _ask_here(settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    """The /ask JSON, answered in this process (loading the models takes seconds)."""
    from pydantic import ValidationError

    from app.errors import ServiceError
    from app.schemas import AnswerPublic, AskRequest
    from app.service import Service
    from indexer.errors import IndexerError

    try:
        request = AskRequest.model_validate(body)
        answer = Service(settings).ask(request.question, request.top_k, None, request.generator)
    except ValidationError as exc:
        raise _fail(
            "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        ) from None
    except (IndexerError, ServiceError) as exc:
        raise _fail(str(exc)) from None
    return AnswerPublic.of(answer).model_dump(mode="json")


def _ask_server(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """The /ask JSON from a running server."""
    import httpx

    endpoint = url.rstrip("/") + "/ask"
    try:
        r = httpx.post(endpoint, json={k: v for k, v in body.items() if v is not None}, timeout=120)
    except httpx.HTTPError as exc:
        raise _fail(
            f"the server at {url} is not reachable ({type(exc).__name__}): start it with "
            "`accordingto serve`, or check --url"
        ) from None
    try:
        data = r.json()
    except ValueError:
        data = {"message": r.text[:200]}
    if r.status_code != 200:
        raise _fail(f"{endpoint} answered HTTP {r.status_code}: {data.get('message', data)}")
    return dict(data)


class _LazyGroup(TyperGroup):
    """A Typer sub-app imported only when it is used, so that `accordingto --help` does not
    load what its commands need (the evaluation imports spaCy and the models)."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name=name, help=help)
        self.target = target

    def _group(self) -> TyperGroup:
        module, _, attr = self.target.partition(":")
        return typer.main.get_group(getattr(importlib.import_module(module), attr))

    def list_commands(self, ctx: Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        return self._group().get_command(ctx, cmd_name)


def command() -> TyperGroup:
    """The whole command: the Typer app with `eval` and `train` mounted lazily."""
    group = typer.main.get_group(cli)
    group.add_command(
        _LazyGroup("eval", "eval.cli:eval_app", "Evaluate claim extraction and answers."),
        "eval",
    )
    group.add_command(
        _LazyGroup(
            "train",
            "indexer.attribution.cli:train_app",
            "Train the learned parts from annotated data.",
        ),
        "train",
    )
    return group


def main() -> None:
    command()(prog_name="accordingto")
