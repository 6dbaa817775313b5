"""`accordingto train ...`: training the learned parts from annotated data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

train_app = typer.Typer(help="Train the learned parts from annotated data.", no_args_is_help=True)


@train_app.callback()
def _group() -> None:
    """Train the learned parts from annotated data."""


@train_app.command()
def attribution(
    data_dir: Annotated[Path, typer.Argument(help="PolNeAR folder (metadata.tsv, train/, dev/)")],
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option(help="where to write the weights (default: the shipped tagger's file)"),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, max=100)] = 8,
    seed: Annotated[int, typer.Option()] = 13,
    rules: Annotated[
        bool,
        typer.Option(
            help="read the rule-based extractor's output as evidence (on PolNeAR dev: F1 "
            "+0.003, source accuracy -0.010, so the shipped tagger does not)"
        ),
    ] = False,
    layers: Annotated[
        str,
        typer.Option(
            help="encoder hidden states the tagger reads, side by side (0 the input "
            "embeddings, -1 the last layer), comma-separated"
        ),
    ] = "2,4,-1",
    projection: Annotated[
        int,
        typer.Option(min=8, help="width each head projects the encoder states to"),
    ] = 96,
    hidden: Annotated[int, typer.Option(min=8, help="LSTM units a direction")] = 128,
    lstm_layers: Annotated[
        int, typer.Option(min=1, max=4, help="stacked LSTM layers in each head")
    ] = 1,
    refine_from: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            help="fine-tune: run the encoder's layers above this one (one of --layers) "
            "again over the token rows, trained with the heads (default: frozen encoder)"
        ),
    ] = None,
    word_min_count: Annotated[
        int,
        typer.Option(
            min=0, help="training-split count a lemma needs to get an embedding (0: none)"
        ),
    ] = 5,
    cache_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="keep parsed and encoded articles here between runs (default: ~/.cache/accordingto/attribution)"
        ),
    ] = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(min=1, help="articles per split, for a quick trial"),
    ] = None,
) -> None:
    """Train the attribution tagger on PolNeAR train, choosing the epoch on dev."""
    import torch

    from eval.polnear import PolnearFormatError
    from indexer.attribution.model import WEIGHTS, TaggerConfig
    from indexer.attribution.train import TrainOptions, train

    torch.set_num_threads(max(torch.get_num_threads(), 1))
    cache = cache_dir or Path.home() / ".cache" / "accordingto" / "attribution"
    try:
        encoder_layers = tuple(int(k) for k in layers.split(","))
    except ValueError as exc:
        raise typer.BadParameter(
            "give layer numbers such as 2,4,-1", param_hint="--layers"
        ) from exc
    if refine_from is not None and refine_from not in encoder_layers:
        raise typer.BadParameter(
            f"the layers above {refine_from} start from its states: add {refine_from} to "
            "--layers, or choose one of them",
            param_hint="--refine-from",
        )
    config = TaggerConfig(
        use_rules=rules,
        encoder_layers=encoder_layers,
        projection=projection,
        hidden=hidden,
        layers=lstm_layers,
        refine_from=refine_from,
    )
    options = TrainOptions(
        epochs=epochs, seed=seed, tagger=config, word_min_count=word_min_count, limit=limit
    )
    try:
        meta = train(data_dir, out or WEIGHTS, options, cache_dir=cache)
    except PolnearFormatError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    dev = meta.get("dev", {})
    typer.echo(
        f"saved {out or WEIGHTS} (epoch {meta['best_epoch']}; dev content P "
        f"{dev.get('precision')} R {dev.get('recall')} F1 {dev.get('f1')}; {meta['seconds']} s)"
    )
