"""The `accordingto` command: index articles, serve the API, ask from the terminal, evaluate."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.settings import Settings, get_settings

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


def _settings(index_dir: Path | None) -> Settings:
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
    from indexer.build import BuildOptions, update_index
    from indexer.distributed import LOCAL
    from indexer.embed import get_embedder
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
            get_embedder(settings.embedding_model, settings.embed_batch_size),
            articles,
            remove=remove,
            options=BuildOptions(
                chunk_max_chars=settings.chunk_max_chars,
                chunk_overlap=settings.chunk_overlap,
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
    uvicorn.run("app.main:app", host=host or settings.host, port=port or settings.port)


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in quotes")],
    index_dir: IndexDirOption = None,
    top_k: Annotated[Optional[int], typer.Option(help="passages to retrieve")] = None,  # noqa: UP045
    generator: Annotated[Optional[str], typer.Option(help="extractive or llm")] = None,  # noqa: UP045
    as_json: Annotated[bool, typer.Option("--json", help="print the /ask JSON")] = False,
) -> None:
    """Ask one question from the terminal."""
    from pydantic import ValidationError

    from app.errors import ServiceError
    from app.schemas import AnswerPublic, AskRequest
    from app.service import Service
    from indexer.errors import IndexerError

    settings = _settings(index_dir)
    try:
        body = AskRequest.model_validate(
            {"question": question, "top_k": top_k, "generator": generator}
        )
        result = AnswerPublic.of(
            Service(settings).ask(body.question, body.top_k, None, body.generator)
        )
    except ValidationError as exc:
        raise _fail(
            "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        ) from None
    except (IndexerError, ServiceError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.model_dump(), indent=2, ensure_ascii=False))
        return
    typer.echo(result.answer)
    for c in result.citations:
        meta = ", ".join(x for x in (c.outlet, c.published) if x)
        typer.echo(f"  [{c.n}] {c.title} ({meta}) {c.article_id}:{c.start}-{c.end}")
    for w in result.warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)


def _mount_eval() -> None:
    try:
        from eval.cli import eval_app
    except ImportError:  # pragma: no cover - eval ships with the package
        return
    cli.add_typer(eval_app, name="eval", help="Evaluate claim extraction and answers.")


_mount_eval()


def main() -> None:
    cli()
