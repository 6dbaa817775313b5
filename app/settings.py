"""All settings in one typed object, read from ACCORDINGTO_* environment variables
(and the standard OPENAI_* ones for the LLM endpoint)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from indexer.embed import Embedder


def _cpu_workers() -> int:
    # Twice the cores: half the time a worker waits on an LLM or a client, not the CPU.
    return 2 * (os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORDINGTO_", extra="ignore")

    index_dir: Path = Path("index")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="all-MiniLM-L6-v2 (bundled) or the path of a local sentence-transformers model",
    )
    chunk_max_chars: int = Field(600, ge=100, le=20_000)
    chunk_overlap: int = Field(
        1, ge=0, le=10, description="sentences shared by neighbouring chunks"
    )
    embed_batch_size: int = Field(64, ge=1)
    encoder_backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="what runs the embedding model: ONNX Runtime (exported here from the "
        "installed weights on first use; the same vectors, faster) or PyTorch",
    )
    claim_extractor: Literal["model", "rules"] = Field(
        "model", description="the learned attribution tagger, or the rules alone"
    )
    # Where builds put chunk vectors (a reader follows the index manifest): FAISS files
    # beside the index, or Milvus (pip install 'accordingto[milvus]').
    vector_store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str | None = Field(
        None,
        description="a file path runs Milvus Lite embedded, http://host:19530 a Milvus server;"
        " default INDEX_DIR/milvus.db",
    )

    default_top_k: int = Field(5, ge=1, le=50)
    max_top_k: int = Field(50, ge=1)
    max_question_chars: int = Field(2000, ge=10)
    # Below this cosine similarity between question and best sentence, the extractive
    # generator says the articles hold nothing on the question.
    min_answer_similarity: float = Field(0.35, ge=0.0, le=1.0)
    max_answer_sentences: int = Field(4, ge=1, le=20)

    generator: Literal["extractive", "llm"] = "extractive"
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("ACCORDINGTO_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ACCORDINGTO_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = Field(20.0, gt=0, description="seconds per LLM request")
    llm_max_retries: int = Field(1, ge=0, le=5)
    llm_deadline: float = Field(
        45.0,
        gt=0,
        description="seconds one LLM answer may take in all: requests, retries, waits, slow streams",
    )
    llm_max_tokens: int = Field(512, ge=16)
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    # What becomes of an answer sentence its citations do not support: flagged in the
    # warnings, removed from the answer, or the whole answer replaced by the extractive one.
    unsupported_action: Literal["flag", "remove", "replace"] = "flag"

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    # What one client may ask of the server (README, "Deployment limits").
    max_body_bytes: int = Field(1_000_000, ge=1024, description="larger bodies get a 413")
    max_message_chars: int = Field(20_000, ge=10, description="one chat message, in characters")
    request_timeout: float = Field(
        60.0, gt=0, description="seconds before a request still without a response gets a 503"
    )
    header_timeout: float = Field(
        10.0, gt=0, description="seconds a connection may take to send a request's head"
    )
    rate_limit: str = Field(
        "600/minute",
        description="per API key (or client address without keys), in `limits` notation "
        "('600/minute', '10/second;5000/hour'); empty: no limit",
    )
    max_concurrent_requests: int = Field(
        32, ge=1, description="requests in progress at once; more get a 503"
    )
    cpu_workers: int = Field(
        default_factory=_cpu_workers, ge=1, description="threads for embedding, search, answers"
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="comma-separated; empty: no key needed"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated origins allowed to call the API"
    )
    log_level: str = "INFO"

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        if value.strip():
            try:
                parse_many(value)
            except ValueError:
                raise ValueError(
                    f"rate_limit '{value}' is not in `limits` notation: write e.g. "
                    "'120/minute' or '10/second;500/hour', or leave it empty for no limit"
                ) from None
        return value

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model as the settings choose it (name, batch size, back-end): the
    one place settings become an encoder, shared by serving, indexing and evaluation."""
    from indexer.embed import get_embedder

    return get_embedder(
        settings.embedding_model, settings.embed_batch_size, settings.encoder_backend
    )
